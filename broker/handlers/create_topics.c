/* CreateTopics and DeleteTopics. A broker alone can hold one replica of each partition, so a
 * replication factor above 1 gets INVALID_REPLICATION_FACTOR with Kafka's message until the
 * cluster work. Topic configs are checked against the keys the log understands. */
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/net/request.h"
#include "broker/protocol/create_topics.h"
#include "broker/protocol/delete_topics.h"
#include "broker/topic_name.h"
#include "common/logger.h"

#include <stdio.h>
#include <string.h>

#define ERROR_MESSAGE_MAX 300

struct topic_plan {
    const char *name;
    int32_t partitions;
    struct log_config cfg;
};

/* Whether this broker alone can hold the replicas the topic asks for. */
static gerr_t check_replicas(const struct create_topics_topic *t, int32_t broker_id, char *why)
{
    if (t->assignment_count > 0) {
        for (int32_t i = 0; i < t->assignment_count; i++) {
            const struct create_topics_assignment *a = &t->assignments[i];
            if (a->broker_id_count != 1 || a->broker_ids[0] != broker_id) {
                snprintf(why, ERROR_MESSAGE_MAX,
                         "Replica assignment of partition %d names brokers that are not "
                         "available: only broker %d is alive", a->partition_index, broker_id);
                return ERR_INVALID_REPLICA_ASSIGNMENT;
            }
        }
        return ERR_NONE;
    }
    if (t->replication_factor > 1) {
        snprintf(why, ERROR_MESSAGE_MAX, "Replication factor: %d larger than available brokers: 1.",
                 t->replication_factor);
        return ERR_INVALID_REPLICATION_FACTOR;
    }
    if (t->replication_factor == 0 || t->replication_factor < -1) {
        snprintf(why, ERROR_MESSAGE_MAX,
                 "Replication factor must be larger than 0, or -1 to use the default.");
        return ERR_INVALID_REPLICATION_FACTOR;
    }
    return ERR_NONE;
}

static gerr_t plan_topic(struct broker *b, struct request *req, const struct create_topics_topic *t,
                         struct topic_plan *plan, char *why)
{
    plan->name = handler_string(req, t->name);
    if (!topic_name_valid(t->name.ptr, (size_t)(t->name.len > 0 ? t->name.len : 0), why,
                          ERROR_MESSAGE_MAX))
        return ERR_INVALID_TOPIC_EXCEPTION;
    if (metadata_topic(b->metadata, plan->name)) {
        snprintf(why, ERROR_MESSAGE_MAX, "Topic '%s' already exists.", plan->name);
        return ERR_TOPIC_ALREADY_EXISTS;
    }
    for (size_t i = 0; i < metadata_topic_count(b->metadata); i++) {
        const char *other = metadata_topic_at(b->metadata, i)->name;
        if (topic_names_collide(plan->name, other)) {
            snprintf(why, ERROR_MESSAGE_MAX, "Topic '%s' collides with existing topic: %s",
                     plan->name, other);
            return ERR_INVALID_TOPIC_EXCEPTION;
        }
    }
    plan->partitions = t->assignment_count > 0 ? t->assignment_count : t->num_partitions;
    if (plan->partitions == -1)
        plan->partitions = b->num_partitions;
    if (plan->partitions <= 0) {
        snprintf(why, ERROR_MESSAGE_MAX, "Number of partitions must be larger than 0.");
        return ERR_INVALID_PARTITIONS;
    }
    gerr_t err = check_replicas(t, b->id, why);
    if (err != ERR_NONE)
        return err;
    plan->cfg = b->log_defaults;
    for (int32_t i = 0; i < t->config_count; i++) {
        const char *key = handler_string(req, t->configs[i].name);
        const char *value = handler_string(req, t->configs[i].value);
        if (t->configs[i].value.len < 0 ||
            !log_config_apply_topic(&plan->cfg, key, value, why, ERROR_MESSAGE_MAX))
            return ERR_INVALID_CONFIG;
    }
    return ERR_NONE;
}

/* Kafka refuses every entry of a name the request lists more than once, and creates none. */
static bool named_twice(const struct create_topics_request *parsed, int32_t i)
{
    const struct kstr *name = &parsed->topics[i].name;
    for (int32_t j = 0; j < parsed->topic_count; j++) {
        const struct kstr *other = &parsed->topics[j].name;
        if (j != i && other->len == name->len &&
            (name->len <= 0 || memcmp(other->ptr, name->ptr, (size_t)name->len) == 0))
            return true;
    }
    return false;
}

void handle_CreateTopics(struct broker *b, struct request *req)
{
    struct create_topics_request parsed;
    if (create_topics_request_parse(&req->body, req->api_version, &req->arena, &parsed) !=
        ERR_NONE) {
        handler_reject_malformed(req, "CreateTopics");
        return;
    }
    struct create_topics_topic_result *results =
        arena_calloc(&req->arena, (size_t)parsed.topic_count, sizeof(*results));
    for (int32_t i = 0; i < parsed.topic_count; i++) {
        char *why = arena_calloc(&req->arena, ERROR_MESSAGE_MAX, 1);
        struct topic_plan plan;
        gerr_t err = named_twice(&parsed, i) ? ERR_INVALID_REQUEST
                                             : plan_topic(b, req, &parsed.topics[i], &plan, why);
        if (err == ERR_INVALID_REQUEST)
            snprintf(why, ERROR_MESSAGE_MAX, "Found multiple entries for this topic.");
        if (err == ERR_NONE && !parsed.validate_only) {
            err = broker_create_topic(b, plan.name, plan.partitions, &plan.cfg);
            if (err == ERR_NONE)
                log_info("topics", "created topic %s with %d partitions", plan.name,
                         plan.partitions);
        }
        results[i] = (struct create_topics_topic_result){
            .name = parsed.topics[i].name,
            .error_code = (int16_t)(err < 0 ? ERR_UNKNOWN_SERVER_ERROR : err),
            .error_message = {why, why[0] ? (int32_t)strlen(why) : -1},
        };
        if (!why[0])
            results[i].error_message.ptr = NULL;
    }
    struct create_topics_response resp = {.topic_count = parsed.topic_count, .topics = results};
    create_topics_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
}

void handle_DeleteTopics(struct broker *b, struct request *req)
{
    struct delete_topics_request parsed;
    if (delete_topics_request_parse(&req->body, req->api_version, &req->arena, &parsed) !=
        ERR_NONE) {
        handler_reject_malformed(req, "DeleteTopics");
        return;
    }
    struct delete_topics_topic_result *results =
        arena_calloc(&req->arena, (size_t)parsed.topic_name_count, sizeof(*results));
    for (int32_t i = 0; i < parsed.topic_name_count; i++) {
        const char *name = handler_string(req, parsed.topic_names[i]);
        gerr_t err = metadata_topic(b->metadata, name) ? broker_delete_topic(b, name)
                                                       : ERR_UNKNOWN_TOPIC_OR_PARTITION;
        if (err == ERR_NONE)
            log_info("topics", "deleted topic %s", name);
        results[i] = (struct delete_topics_topic_result){
            .name = parsed.topic_names[i],
            .error_code = (int16_t)(err < 0 ? ERR_UNKNOWN_SERVER_ERROR : err),
        };
    }
    struct delete_topics_response resp = {.response_count = parsed.topic_name_count,
                                          .responses = results};
    delete_topics_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
}
