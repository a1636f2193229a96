/* Record batch v2 header decoding and validation (see record_batch.h). Validation follows
 * Kafka's LogValidator for v2 client batches, minus anything that would need decompression. */
#include "broker/log/record_batch.h"

#include "common/buf.h"
#include "common/codec.h"
#include "common/crc32c.h"

void rb_read_overhead(const uint8_t *p, int64_t *base_offset, int32_t *batch_length)
{
    *base_offset = (int64_t)be64_load(p);
    *batch_length = (int32_t)be32_load(p + 8);
}

void rb_read_header(const uint8_t *p, struct rb_header *h)
{
    rb_read_overhead(p, &h->base_offset, &h->batch_length);
    h->leader_epoch = (int32_t)be32_load(p + 12);
    h->magic = (int8_t)p[16];
    h->crc = be32_load(p + 17);
    h->attributes = (int16_t)be16_load(p + 21);
    h->last_offset_delta = (int32_t)be32_load(p + 23);
    h->base_timestamp = (int64_t)be64_load(p + 27);
    h->max_timestamp = (int64_t)be64_load(p + 35);
    h->producer_id = (int64_t)be64_load(p + 43);
    h->producer_epoch = (int16_t)be16_load(p + 51);
    h->base_sequence = (int32_t)be32_load(p + 53);
    h->record_count = (int32_t)be32_load(p + 57);
}

void rb_set_base_offset(uint8_t *batch, int64_t base_offset)
{
    be64_store(batch, (uint64_t)base_offset);
}

void rb_set_leader_epoch(uint8_t *batch, int32_t leader_epoch)
{
    be32_store(batch + 12, (uint32_t)leader_epoch);
}

gerr_t rb_check_batch(const uint8_t *p, size_t len, struct rb_header *h)
{
    if (len < RB_LOG_OVERHEAD + 5)
        return ERR_CORRUPT_MESSAGE;
    /* The magic byte decides how the rest is laid out, so look at it before the v2 header. */
    int8_t magic = (int8_t)p[RB_MAGIC_OFFSET];
    if (magic == 0 || magic == 1)
        return ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT;
    if (magic != 2 || len < RB_HEADER_SIZE)
        return ERR_CORRUPT_MESSAGE;
    rb_read_header(p, h);
    if (h->batch_length < RB_HEADER_SIZE - RB_LOG_OVERHEAD || rb_total_size(h) > len)
        return ERR_CORRUPT_MESSAGE;
    if (crc32c(0, p + RB_CRC_START, rb_total_size(h) - RB_CRC_START) != h->crc)
        return ERR_CORRUPT_MESSAGE;
    if (h->last_offset_delta < 0 || h->record_count < 0)
        return ERR_CORRUPT_MESSAGE;
    return ERR_NONE;
}

/* Counts records and checks that a producer numbered them 0, 1, 2, ... */
struct record_count {
    int64_t base_offset;
    int64_t seen;
    bool sequential;
};

static bool count_record(void *ctx, int64_t offset, int64_t timestamp)
{
    struct record_count *count = ctx;
    (void)timestamp;
    if (offset != count->base_offset + count->seen)
        count->sequential = false;
    count->seen++;
    return true;
}

/* Kafka's rules for batches that come from a producer rather than from a leader. */
static gerr_t check_client_batch(const uint8_t *p, const struct rb_header *h)
{
    if (h->record_count <= 0 || h->record_count != h->last_offset_delta + 1)
        return ERR_INVALID_RECORD;
    if (h->attributes & RB_ATTR_CONTROL)
        return ERR_INVALID_RECORD;
    if (h->producer_id >= 0 && h->base_sequence < 0)
        return ERR_INVALID_RECORD;
    if ((h->attributes & RB_ATTR_CODEC_MASK) == 0) {
        /* Uncompressed records are cheap to walk; make sure they are what the header says. */
        struct record_count count = {.base_offset = h->base_offset, .sequential = true};
        if (rb_for_each_record(p, rb_total_size(h), count_record, &count) != ERR_NONE ||
            count.seen != h->record_count || !count.sequential)
            return ERR_INVALID_RECORD;
    }
    return ERR_NONE;
}

static void note_batch(struct rb_set_info *info, const struct rb_header *h)
{
    if (info->batch_count == 0)
        info->first_offset = h->base_offset;
    info->last_offset = rb_last_offset(h);
    if (h->max_timestamp > info->max_timestamp) {
        info->max_timestamp = h->max_timestamp;
        info->offset_of_max_timestamp = rb_last_offset(h);
    }
    info->batch_count++;
    info->record_count += h->record_count;
}

gerr_t rb_validate_set(const uint8_t *data, size_t len, const struct rb_validate_opts *opts,
                       struct rb_set_info *info)
{
    *info = (struct rb_set_info){.max_timestamp = RB_NO_TIMESTAMP, .offset_of_max_timestamp = -1};
    if (len == 0)
        return ERR_CORRUPT_MESSAGE;

    size_t pos = 0;
    while (pos < len) {
        struct rb_header h;
        gerr_t err = rb_check_batch(data + pos, len - pos, &h);
        if (err != ERR_NONE)
            return err;
        if (rb_total_size(&h) > opts->max_batch_bytes)
            return ERR_MESSAGE_TOO_LARGE;
        if (opts->from_client) {
            err = check_client_batch(data + pos, &h);
            if (err != ERR_NONE)
                return err;
        } else if (info->batch_count > 0 && h.base_offset <= info->last_offset) {
            return ERR_CORRUPT_MESSAGE;
        }
        note_batch(info, &h);
        pos += rb_total_size(&h);
    }
    /* A producer sends exactly one batch per partition (Kafka rejects more). */
    if (opts->from_client && info->batch_count != 1)
        return ERR_INVALID_RECORD;
    return ERR_NONE;
}

/* Reads one record's offset and timestamp deltas and steps over the rest of it. */
static bool read_record(struct reader *r, int32_t *offset_delta, int64_t *timestamp_delta)
{
    int32_t length;
    int8_t attributes;
    struct reader rec;

    if (!codec_get_varint(r, &length) || length < 0 || !reader_slice(r, (size_t)length, &rec))
        return false;
    return codec_get_int8(&rec, &attributes) && codec_get_varlong(&rec, timestamp_delta) &&
           codec_get_varint(&rec, offset_delta);
}

gerr_t rb_for_each_record(const uint8_t *batch, size_t len,
                          bool (*visit)(void *ctx, int64_t offset, int64_t timestamp), void *ctx)
{
    struct rb_header h;
    if (len < RB_HEADER_SIZE)
        return ERR_CORRUPT_MESSAGE;
    rb_read_header(batch, &h);
    if (rb_total_size(&h) > len || h.batch_length < RB_HEADER_SIZE - RB_LOG_OVERHEAD)
        return ERR_CORRUPT_MESSAGE;
    if (h.attributes & RB_ATTR_CODEC_MASK)
        return ERR_UNSUPPORTED_COMPRESSION_TYPE;

    /* Offset deltas rise strictly but may skip: compaction leaves gaps inside batches. */
    struct reader r;
    int32_t previous_delta = -1;
    reader_init(&r, batch + RB_HEADER_SIZE, rb_total_size(&h) - RB_HEADER_SIZE);
    for (int32_t i = 0; i < h.record_count; i++) {
        int32_t offset_delta;
        int64_t timestamp_delta;
        if (!read_record(&r, &offset_delta, &timestamp_delta) || offset_delta <= previous_delta ||
            offset_delta > h.last_offset_delta)
            return ERR_CORRUPT_MESSAGE;
        previous_delta = offset_delta;
        if (!visit(ctx, h.base_offset + offset_delta, h.base_timestamp + timestamp_delta))
            return ERR_NONE;
    }
    return reader_remaining(&r) == 0 ? ERR_NONE : ERR_CORRUPT_MESSAGE;
}
