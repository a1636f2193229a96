/* Record batch v2 writer (see batch_builder.h): records are appended after a reserved header,
 * which is filled in, with the CRC, once the batch is complete. */
#include "broker/log/batch_builder.h"

#include "broker/log/record_batch.h"
#include "common/codec.h"
#include "common/crc32c.h"

#include <string.h>

void batch_builder_init(struct batch_builder *b, int64_t base_timestamp)
{
    buf_init(&b->out);
    batch_builder_reset(b, base_timestamp);
}

void batch_builder_free(struct batch_builder *b)
{
    buf_free(&b->out);
}

void batch_builder_reset(struct batch_builder *b, int64_t base_timestamp)
{
    buf_reset(&b->out);
    memset(buf_extend(&b->out, RB_HEADER_SIZE), 0, RB_HEADER_SIZE);
    b->base_timestamp = base_timestamp;
    b->max_timestamp = RB_NO_TIMESTAMP; /* the greatest record timestamp, once there is one */
    b->count = 0;
    b->attributes = 0;
    b->producer_id = -1;
    b->producer_epoch = -1;
    b->base_sequence = -1;
}

void batch_builder_set_producer(struct batch_builder *b, int64_t producer_id, int16_t epoch,
                                int32_t base_sequence)
{
    b->producer_id = producer_id;
    b->producer_epoch = epoch;
    b->base_sequence = base_sequence;
}

void batch_builder_add(struct batch_builder *b, int64_t timestamp, const void *key,
                       int32_t key_len, const void *value, int32_t value_len)
{
    struct buf body;
    buf_init(&body);
    codec_put_int8(&body, 0); /* record attributes: unused */
    codec_put_varlong(&body, timestamp - b->base_timestamp);
    codec_put_varint(&body, b->count);
    codec_put_varint_bytes(&body, key, key_len);
    codec_put_varint_bytes(&body, value, value_len);
    codec_put_varint(&body, 0); /* headers */

    codec_put_varint(&b->out, (int32_t)body.len);
    buf_append(&b->out, body.data, body.len);
    buf_free(&body);
    if (timestamp > b->max_timestamp)
        b->max_timestamp = timestamp;
    b->count++;
}

void batch_builder_finish(struct batch_builder *b)
{
    uint8_t *h = b->out.data;
    be64_store(h, 0);
    be32_store(h + 8, (uint32_t)(b->out.len - RB_LOG_OVERHEAD));
    be32_store(h + 12, 0);
    h[16] = 2;
    be16_store(h + 21, (uint16_t)b->attributes);
    be32_store(h + 23, (uint32_t)(b->count > 0 ? b->count - 1 : 0));
    be64_store(h + 27, (uint64_t)b->base_timestamp);
    be64_store(h + 35, (uint64_t)b->max_timestamp);
    be64_store(h + 43, (uint64_t)b->producer_id);
    be16_store(h + 51, (uint16_t)b->producer_epoch);
    be32_store(h + 53, (uint32_t)b->base_sequence);
    be32_store(h + 57, (uint32_t)b->count);
    be32_store(h + 17, crc32c(0, h + RB_CRC_START, b->out.len - RB_CRC_START));
}
