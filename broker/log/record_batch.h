/* Kafka record batch v2 (magic 2): the unit the log stores, as it travels on the wire.
 * This file reads batch headers, validates batches, and rewrites the two fields the broker
 * owns (baseOffset and partitionLeaderEpoch, both outside the CRC). It never decompresses. */
#ifndef GREGOR_RECORD_BATCH_H
#define GREGOR_RECORD_BATCH_H

#include "common/errors.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RB_LOG_OVERHEAD 12 /* baseOffset int64 + batchLength int32, the part before the body */
#define RB_HEADER_SIZE  61 /* the fixed header up to and including recordCount */
#define RB_CRC_START    21 /* the CRC covers attributes .. end of batch */
#define RB_MAGIC_OFFSET 16

#define RB_ATTR_CODEC_MASK    0x07
#define RB_ATTR_TXN           0x10
#define RB_ATTR_CONTROL       0x20
#define RB_NO_TIMESTAMP       (-1)

struct rb_header {
    int64_t base_offset;
    int32_t batch_length; /* bytes after the batchLength field */
    int32_t leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t record_count;
};

/* Decodes the fixed header from at least RB_HEADER_SIZE bytes. No validation. */
void rb_read_header(const uint8_t *p, struct rb_header *h);

static inline size_t rb_total_size(const struct rb_header *h)
{
    return (size_t)h->batch_length + RB_LOG_OVERHEAD;
}

static inline int64_t rb_last_offset(const struct rb_header *h)
{
    return h->base_offset + h->last_offset_delta;
}

/* Reads baseOffset and batchLength alone (the 12-byte log overhead). */
void rb_read_overhead(const uint8_t *p, int64_t *base_offset, int32_t *batch_length);

/* Rewrites the fields the broker owns; the CRC stays valid. */
void rb_set_base_offset(uint8_t *batch, int64_t base_offset);
void rb_set_leader_epoch(uint8_t *batch, int32_t leader_epoch);

/* Checks one batch that lies whole in [p, p+len): sizes, magic, CRC32C. */
gerr_t rb_check_batch(const uint8_t *p, size_t len, struct rb_header *h);

/* What a caller needs to know about a set of batches it is about to append. */
struct rb_set_info {
    int64_t first_offset;       /* baseOffset of the first batch (as given) */
    int64_t last_offset;        /* last offset of the last batch (as given) */
    int64_t max_timestamp;      /* RB_NO_TIMESTAMP when no batch carries one */
    int64_t offset_of_max_timestamp;
    int32_t batch_count;
    int64_t record_count;
};

/* How strict to be. Client batches (Produce) obey Kafka's LogValidator rules; replicated
 * batches keep their offsets, which must then rise strictly from batch to batch. */
struct rb_validate_opts {
    size_t max_batch_bytes; /* message.max.bytes: larger batches get MESSAGE_TOO_LARGE */
    bool from_client;
};

/* Validates a message set of one or more v2 batches that must fill [data, data+len) exactly.
 * Returns ERR_NONE, CORRUPT_MESSAGE (framing, CRC, or replicated offsets that do not rise),
 * UNSUPPORTED_FOR_MESSAGE_FORMAT (magic 0/1), MESSAGE_TOO_LARGE or INVALID_RECORD (count,
 * sequence or control-batch rules). */
gerr_t rb_validate_set(const uint8_t *data, size_t len, const struct rb_validate_opts *opts,
                       struct rb_set_info *info);

/* Gives the offset and timestamp of each record in an uncompressed batch, in order, until
 * `visit` returns false. Returns CORRUPT_MESSAGE when the records do not parse, and
 * UNSUPPORTED_COMPRESSION_TYPE for a compressed batch (the caller then works per batch). */
gerr_t rb_for_each_record(const uint8_t *batch, size_t len,
                          bool (*visit)(void *ctx, int64_t offset, int64_t timestamp), void *ctx);

#endif
