/* Fetch (key 1), versions 4-11, none flexible: consumers and followers read record batches.
 * The records of a response are not copied into it: each partition's data is a span of a log
 * segment, which goes out with sendfile. */
#ifndef GREGOR_FETCH_H
#define GREGOR_FETCH_H

#include "broker/log/partition_log.h"
#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdint.h>

#define FETCH_KEY 1
#define FETCH_MIN_VERSION 4
#define FETCH_MAX_VERSION 11

struct fetch_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* v9+; -1 before */
    int64_t fetch_offset;
    int64_t log_start_offset; /* v5+; -1 before */
    int32_t partition_max_bytes;
};

struct fetch_topic {
    struct kstr topic;
    int32_t partition_count;
    struct fetch_partition *partitions;
};

/* An incremental fetch's partitions to drop from the session. */
struct fetch_forgotten_topic {
    struct kstr topic;
    int32_t partition_count;
    int32_t *partitions;
};

struct fetch_request {
    int32_t replica_id;
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;
    int8_t isolation_level;
    int32_t session_id;    /* v7+; 0 before */
    int32_t session_epoch; /* v7+; -1 before */
    int32_t topic_count;
    struct fetch_topic *topics;
    int32_t forgotten_topic_count; /* v7+ */
    struct fetch_forgotten_topic *forgotten_topics_data;
    struct kstr rack_id; /* v11+; "" before */
};

/* Arrays come from the arena, strings point into r's bytes. ERR_INVALID_REQUEST when the body
 * is malformed, truncated or followed by more bytes. */
gerr_t fetch_request_parse(struct reader *r, int16_t version, struct arena *a,
                           struct fetch_request *out);

struct fetch_aborted_transaction {
    int64_t producer_id;
    int64_t first_offset;
};

struct fetch_partition_data {
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset;
    int64_t log_start_offset; /* v5+ */
    /* -1 writes a null array, which is what Kafka sends for read_uncommitted fetches and for
     * partitions in error; read_committed fetches get an array, possibly empty. */
    int32_t aborted_transaction_count;
    const struct fetch_aborted_transaction *aborted_transactions;
    int32_t preferred_read_replica; /* v11+ */
    /* Whole batches; length 0 sends an empty (not null) records field, as Kafka does. */
    struct log_span records;
};

struct fetch_topic_response {
    struct kstr topic;
    int32_t partition_count;
    struct fetch_partition_data *partitions;
};

struct fetch_response {
    int32_t throttle_time_ms;
    int16_t error_code; /* v7+ */
    int32_t session_id; /* v7+ */
    int32_t response_count;
    struct fetch_topic_response *responses;
};

/* Writes the body (the caller writes size and header) with only the fields of `version`.
 * Each partition's records span moves into m, which then holds its segment reference; a span
 * of length 0 is released. Afterwards every span in resp is empty. */
void fetch_response_write(struct out_msg *m, int16_t version, struct fetch_response *resp);

#endif
