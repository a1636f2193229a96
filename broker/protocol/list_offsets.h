/* ListOffsets (key 2), versions 0-5, none flexible: the offset for a timestamp, or the log's
 * first (-2) or next (-1) offset. v0 answers with a list of offsets, later versions with one. */
#ifndef GREGOR_LIST_OFFSETS_H
#define GREGOR_LIST_OFFSETS_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdint.h>

#define LIST_OFFSETS_KEY 2
#define LIST_OFFSETS_MIN_VERSION 0
#define LIST_OFFSETS_MAX_VERSION 5

struct list_offsets_partition {
    int32_t partition_index;
    int32_t current_leader_epoch; /* v4+; -1 before */
    int64_t timestamp;
    int32_t max_num_offsets; /* v0 only; 1 after */
};

struct list_offsets_topic {
    struct kstr name;
    int32_t partition_count;
    struct list_offsets_partition *partitions;
};

struct list_offsets_request {
    int32_t replica_id;
    int8_t isolation_level; /* v2+; 0 (read_uncommitted) before */
    int32_t topic_count;
    struct list_offsets_topic *topics;
};

/* Arrays come from the arena, strings point into r's bytes. ERR_INVALID_REQUEST when the body
 * is malformed, truncated or followed by more bytes. */
gerr_t list_offsets_request_parse(struct reader *r, int16_t version, struct arena *a,
                                  struct list_offsets_request *out);

struct list_offsets_partition_response {
    int32_t partition_index;
    int16_t error_code;
    int32_t old_style_offset_count; /* v0 only */
    const int64_t *old_style_offsets;
    int64_t timestamp;    /* v1+ */
    int64_t offset;       /* v1+ */
    int32_t leader_epoch; /* v4+ */
};

struct list_offsets_topic_response {
    struct kstr name;
    int32_t partition_count;
    const struct list_offsets_partition_response *partitions;
};

struct list_offsets_response {
    int32_t throttle_time_ms; /* v2+ */
    int32_t topic_count;
    const struct list_offsets_topic_response *topics;
};

/* Writes the body (the caller writes size and header), with only the fields of `version`. */
void list_offsets_response_write(struct out_msg *m, int16_t version,
                                 const struct list_offsets_response *resp);

#endif
