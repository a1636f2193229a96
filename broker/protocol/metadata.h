/* Metadata (key 3), versions 0-8, none flexible: brokers, controller and the partition layout
 * of the topics a client asks about. */
#ifndef GREGOR_METADATA_H
#define GREGOR_METADATA_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdbool.h>
#include <stdint.h>

#define METADATA_KEY 3
#define METADATA_MIN_VERSION 0
#define METADATA_MAX_VERSION 8

struct metadata_request_topic {
    struct kstr name;
};

struct metadata_request {
    /* -1 asks for all topics: v1+ send a null array for that, v0 an empty one, and both come
     * out as -1. From v1 an empty array asks for no topic. */
    int32_t topic_count;
    struct metadata_request_topic *topics;
    bool allow_auto_topic_creation;             /* v4+; true before */
    bool include_cluster_authorized_operations; /* v8 */
    bool include_topic_authorized_operations;   /* v8+ */
};

/* Arrays come from the arena, strings point into r's bytes. ERR_INVALID_REQUEST when the body
 * is malformed, truncated or followed by more bytes. */
gerr_t metadata_request_parse(struct reader *r, int16_t version, struct arena *a,
                              struct metadata_request *out);

struct metadata_response_broker {
    int32_t node_id;
    struct kstr host;
    int32_t port;
    struct kstr rack; /* v1+, nullable */
};

struct metadata_response_partition {
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch; /* v7+ */
    int32_t replica_node_count;
    const int32_t *replica_nodes;
    int32_t isr_node_count;
    const int32_t *isr_nodes;
    int32_t offline_replica_count; /* v5+ */
    const int32_t *offline_replicas;
};

struct metadata_response_topic {
    int16_t error_code;
    struct kstr name;
    bool is_internal; /* v1+ */
    int32_t partition_count;
    const struct metadata_response_partition *partitions;
    int32_t topic_authorized_operations; /* v8+ */
};

struct metadata_response {
    int32_t throttle_time_ms; /* v3+ */
    int32_t broker_count;
    const struct metadata_response_broker *brokers;
    struct kstr cluster_id; /* v2+, nullable */
    int32_t controller_id;  /* v1+ */
    int32_t topic_count;
    const struct metadata_response_topic *topics;
    int32_t cluster_authorized_operations; /* v8+ */
};

/* Writes the body (the caller writes size and header), with only the fields of `version`. */
void metadata_response_write(struct out_msg *m, int16_t version,
                             const struct metadata_response *resp);

#endif
