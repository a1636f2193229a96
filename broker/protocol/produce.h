/* Produce (key 0), versions 0-8, none flexible: record batches for partitions this broker
 * leads, and the offsets they were given. */
#ifndef GREGOR_PRODUCE_H
#define GREGOR_PRODUCE_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdint.h>

#define PRODUCE_KEY 0
#define PRODUCE_MIN_VERSION 0
#define PRODUCE_MAX_VERSION 8

struct produce_partition_data {
    int32_t index;
    struct kbytes records; /* nullable; a view into the request, not copied */
};

struct produce_topic_data {
    struct kstr name;
    int32_t partition_count;
    struct produce_partition_data *partitions;
};

struct produce_request {
    struct kstr transactional_id; /* v3+, nullable; null before */
    int16_t acks;
    int32_t timeout_ms;
    int32_t topic_count;
    struct produce_topic_data *topics;
};

/* Arrays come from the arena; strings and records point into r's bytes, which must outlive
 * the request. ERR_INVALID_REQUEST when the body is malformed, truncated or followed by more
 * bytes. The record bytes themselves are not looked at. */
gerr_t produce_request_parse(struct reader *r, int16_t version, struct arena *a,
                             struct produce_request *out);

struct produce_batch_index_error {
    int32_t batch_index;
    struct kstr batch_index_error_message; /* nullable */
};

struct produce_partition_response {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* v2+ */
    int64_t log_start_offset;   /* v5+ */
    int32_t record_error_count; /* v8+ */
    const struct produce_batch_index_error *record_errors;
    struct kstr error_message; /* v8+, nullable */
};

struct produce_topic_response {
    struct kstr name;
    int32_t partition_response_count;
    const struct produce_partition_response *partition_responses;
};

struct produce_response {
    int32_t response_count;
    const struct produce_topic_response *responses;
    int32_t throttle_time_ms; /* v1+ */
};

/* Writes the body (the caller writes size and header), with only the fields of `version`. */
void produce_response_write(struct out_msg *m, int16_t version,
                            const struct produce_response *resp);

#endif
