/* Builds uncompressed record batches v2, for the broker's own writes (later: offset commits
 * and group metadata in __consumer_offsets), tests and benchmarks. */
#ifndef GREGOR_BATCH_BUILDER_H
#define GREGOR_BATCH_BUILDER_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

struct batch_builder {
    struct buf out;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int32_t count;
    int16_t attributes;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
};

/* Starts a batch whose records are stamped relative to base_timestamp. */
void batch_builder_init(struct batch_builder *b, int64_t base_timestamp);
void batch_builder_free(struct batch_builder *b);
/* Starts over, keeping the allocation. */
void batch_builder_reset(struct batch_builder *b, int64_t base_timestamp);
/* Marks the batch as an idempotent producer's. */
void batch_builder_set_producer(struct batch_builder *b, int64_t producer_id, int16_t epoch,
                                int32_t base_sequence);
/* Adds a record; key or value NULL with length -1 means null. No headers. */
void batch_builder_add(struct batch_builder *b, int64_t timestamp, const void *key,
                       int32_t key_len, const void *value, int32_t value_len);
/* Writes the header and CRC; the batch is b->out.data, b->out.len bytes, base offset 0. */
void batch_builder_finish(struct batch_builder *b);

#endif
