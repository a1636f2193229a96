/* Metadata: brokers, cluster id, controller, and the topics asked for (or all of them).
 * A missing topic is created when auto.create.topics.enable and the request allow it; a broker
 * alone creates it at once, so unlike Kafka it answers with its leader straight away. */
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/net/request.h"
#include "broker/protocol/metadata.h"
#include "broker/topic_name.h"
#include "common/logger.h"

#include <limits.h>
#include <string.h>

#define AUTHORIZED_OPERATIONS_OMITTED INT32_MIN /* Kafka's value when none were asked for */

static struct kstr kstr_of(const char *s)
{
    return (struct kstr){s, s ? (int32_t)strlen(s) : -1};
}

static void fill_brokers(struct broker *b, struct request *req, struct metadata_response *resp)
{
    size_t n = metadata_broker_count(b->metadata);
    struct metadata_response_broker *brokers = arena_calloc(&req->arena, n, sizeof(*brokers));
    for (size_t i = 0; i < n; i++) {
        const struct broker_endpoint *e = metadata_broker_at(b->metadata, i);
        brokers[i] = (struct metadata_response_broker){e->id, kstr_of(e->host), e->port,
                                                       kstr_of(e->rack)};
    }
    resp->broker_count = (int32_t)n;
    resp->brokers = brokers;
}

static void fill_topic(struct request *req, const struct topic_metadata *t,
                       struct metadata_response_topic *out)
{
    struct metadata_response_partition *parts =
        arena_calloc(&req->arena, (size_t)t->partition_count, sizeof(*parts));
    for (int32_t p = 0; p < t->partition_count; p++) {
        const struct partition_metadata *pm = &t->partitions[p];
        parts[p] = (struct metadata_response_partition){
            .error_code = pm->leader < 0 ? ERR_LEADER_NOT_AVAILABLE : ERR_NONE,
            .partition_index = pm->partition,
            .leader_id = pm->leader,
            .leader_epoch = pm->leader_epoch,
            .replica_node_count = pm->replica_count,
            .replica_nodes = pm->replicas,
            .isr_node_count = pm->isr_count,
            .isr_nodes = pm->isr,
        };
    }
    out->error_code = ERR_NONE;
    out->is_internal = t->internal;
    out->partition_count = t->partition_count;
    out->partitions = parts;
}

/* Creates a requested topic that is missing, when that is allowed; returns the error the
 * topic gets otherwise. */
static gerr_t resolve_topic(struct broker *b, struct request *req, const char *name,
                            size_t len, bool may_create)
{
    char why[256];
    if (!topic_name_valid(name, len, why, sizeof(why)))
        return ERR_INVALID_TOPIC_EXCEPTION;
    if (metadata_topic(b->metadata, name))
        return ERR_NONE;
    if (!may_create || topic_name_internal(name))
        return ERR_UNKNOWN_TOPIC_OR_PARTITION;
    gerr_t err = broker_create_topic(b, name, b->num_partitions, &b->log_defaults);
    if (err == ERR_NONE)
        log_info("topics", "auto-created topic %s with %d partitions (requested by %s)", name,
                 b->num_partitions, handler_string(req, req->client_id));
    return err;
}

static void fill_requested_topics(struct broker *b, struct request *req,
                                  const struct metadata_request *parsed,
                                  struct metadata_response *resp)
{
    bool may_create = b->auto_create_topics && parsed->allow_auto_topic_creation;
    struct metadata_response_topic *topics =
        arena_calloc(&req->arena, (size_t)parsed->topic_count, sizeof(*topics));
    gerr_t *errors = arena_calloc(&req->arena, (size_t)parsed->topic_count, sizeof(*errors));
    /* Create first, look up after: creating a topic moves the cache's entries. */
    for (int32_t i = 0; i < parsed->topic_count; i++) {
        const struct kstr *name = &parsed->topics[i].name;
        char *copy = handler_string(req, *name);
        errors[i] = resolve_topic(b, req, copy, strlen(copy), may_create);
        topics[i].name = *name;
    }
    for (int32_t i = 0; i < parsed->topic_count; i++) {
        topics[i].topic_authorized_operations = AUTHORIZED_OPERATIONS_OMITTED;
        const struct topic_metadata *t =
            errors[i] == ERR_NONE ? metadata_topic(b->metadata, handler_string(req, topics[i].name))
                                  : NULL;
        if (t)
            fill_topic(req, t, &topics[i]);
        else
            topics[i].error_code =
                errors[i] == ERR_NONE ? ERR_UNKNOWN_TOPIC_OR_PARTITION : errors[i];
    }
    resp->topic_count = parsed->topic_count;
    resp->topics = topics;
}

static void fill_all_topics(struct broker *b, struct request *req, struct metadata_response *resp)
{
    size_t n = metadata_topic_count(b->metadata);
    struct metadata_response_topic *topics = arena_calloc(&req->arena, n, sizeof(*topics));
    for (size_t i = 0; i < n; i++) {
        const struct topic_metadata *t = metadata_topic_at(b->metadata, i);
        topics[i].name = kstr_of(t->name);
        topics[i].topic_authorized_operations = AUTHORIZED_OPERATIONS_OMITTED;
        fill_topic(req, t, &topics[i]);
    }
    resp->topic_count = (int32_t)n;
    resp->topics = topics;
}

void handle_Metadata(struct broker *b, struct request *req)
{
    struct metadata_request parsed;
    if (metadata_request_parse(&req->body, req->api_version, &req->arena, &parsed) != ERR_NONE) {
        handler_reject_malformed(req, "Metadata");
        return;
    }
    struct metadata_response resp = {
        .cluster_id = kstr_of(metadata_cluster_id(b->metadata)),
        .controller_id = metadata_controller_id(b->metadata),
        .cluster_authorized_operations = AUTHORIZED_OPERATIONS_OMITTED,
    };
    fill_brokers(b, req, &resp);
    if (parsed.topic_count < 0)
        fill_all_topics(b, req, &resp);
    else
        fill_requested_topics(b, req, &parsed, &resp);
    metadata_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
}
