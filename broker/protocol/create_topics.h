/* CreateTopics (key 19), versions 0-4, none flexible: the admin request that creates topics,
 * sent to the controller. */
#ifndef GREGOR_CREATE_TOPICS_H
#define GREGOR_CREATE_TOPICS_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdbool.h>
#include <stdint.h>

#define CREATE_TOPICS_KEY 19
#define CREATE_TOPICS_MIN_VERSION 0
#define CREATE_TOPICS_MAX_VERSION 4

/* A manual placement of one partition's replicas. */
struct create_topics_assignment {
    int32_t partition_index;
    int32_t broker_id_count;
    int32_t *broker_ids;
};

struct create_topics_config {
    struct kstr name;
    struct kstr value; /* nullable */
};

struct create_topics_topic {
    struct kstr name;
    int32_t num_partitions;     /* -1: manual assignment, or (v4+) the broker default */
    int16_t replication_factor; /* -1: likewise */
    int32_t assignment_count;
    struct create_topics_assignment *assignments;
    int32_t config_count;
    struct create_topics_config *configs;
};

struct create_topics_request {
    int32_t topic_count;
    struct create_topics_topic *topics;
    int32_t timeout_ms;
    bool validate_only; /* v1+; false before */
};

/* Arrays come from the arena, strings point into r's bytes. ERR_INVALID_REQUEST when the body
 * is malformed, truncated or followed by more bytes. */
gerr_t create_topics_request_parse(struct reader *r, int16_t version, struct arena *a,
                                   struct create_topics_request *out);

struct create_topics_topic_result {
    struct kstr name;
    int16_t error_code;
    struct kstr error_message; /* v1+, nullable */
};

struct create_topics_response {
    int32_t throttle_time_ms; /* v2+ */
    int32_t topic_count;
    const struct create_topics_topic_result *topics;
};

/* Writes the body (the caller writes size and header), with only the fields of `version`. */
void create_topics_response_write(struct out_msg *m, int16_t version,
                                  const struct create_topics_response *resp);

#endif
