/* CreateTopics request and response bodies (see create_topics.h), following
 * CreateTopicsRequest.json and CreateTopicsResponse.json for versions 0-4. */
#include "broker/protocol/create_topics.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* Smallest entries on the wire. A topic: empty name, num_partitions, replication_factor and
 * two empty arrays. An assignment: partition_index and an empty broker list. A config: an
 * empty name and a null value. */
#define TOPIC_MIN_SIZE (2 + 4 + 2 + 4 + 4)
#define ASSIGNMENT_MIN_SIZE (4 + 4)
#define CONFIG_MIN_SIZE (2 + 2)

static void get_assignments(struct reader *r, struct arena *a, struct create_topics_topic *t)
{
    if (!msg_get_count(r, &t->assignment_count, ASSIGNMENT_MIN_SIZE))
        return;
    t->assignments = arena_calloc(a, (size_t)t->assignment_count, sizeof(*t->assignments));
    for (int32_t i = 0; i < t->assignment_count; i++) {
        struct create_topics_assignment *as = &t->assignments[i];
        codec_get_int32(r, &as->partition_index);
        msg_get_int32_array(r, a, &as->broker_id_count, &as->broker_ids);
    }
}

static void get_configs(struct reader *r, struct arena *a, struct create_topics_topic *t)
{
    if (!msg_get_count(r, &t->config_count, CONFIG_MIN_SIZE))
        return;
    t->configs = arena_calloc(a, (size_t)t->config_count, sizeof(*t->configs));
    for (int32_t i = 0; i < t->config_count; i++) {
        codec_get_string(r, &t->configs[i].name);
        codec_get_nullable_string(r, &t->configs[i].value);
    }
}

static void get_topic(struct reader *r, struct arena *a, struct create_topics_topic *t)
{
    codec_get_string(r, &t->name);
    codec_get_int32(r, &t->num_partitions);
    codec_get_int16(r, &t->replication_factor);
    get_assignments(r, a, t);
    get_configs(r, a, t);
}

gerr_t create_topics_request_parse(struct reader *r, int16_t version, struct arena *a,
                                   struct create_topics_request *out)
{
    if (version < CREATE_TOPICS_MIN_VERSION || version > CREATE_TOPICS_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct create_topics_request){0};

    if (msg_get_count(r, &out->topic_count, TOPIC_MIN_SIZE)) {
        out->topics = arena_calloc(a, (size_t)out->topic_count, sizeof(*out->topics));
        for (int32_t i = 0; i < out->topic_count; i++)
            get_topic(r, a, &out->topics[i]);
    }
    codec_get_int32(r, &out->timeout_ms);
    if (version >= 1)
        codec_get_bool(r, &out->validate_only);
    return msg_parse_end(r);
}

void create_topics_response_write(struct out_msg *m, int16_t version,
                                  const struct create_topics_response *resp)
{
    assert(version >= CREATE_TOPICS_MIN_VERSION && version <= CREATE_TOPICS_MAX_VERSION);
    struct buf *b = &m->bytes;

    if (version >= 2)
        codec_put_int32(b, resp->throttle_time_ms);
    codec_put_array_len(b, resp->topic_count);
    for (int32_t i = 0; i < resp->topic_count; i++) {
        const struct create_topics_topic_result *t = &resp->topics[i];
        codec_put_string(b, t->name.ptr, t->name.len);
        codec_put_int16(b, t->error_code);
        if (version >= 1)
            codec_put_nullable_string(b, t->error_message.ptr, t->error_message.len);
    }
}
