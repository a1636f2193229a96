/* Produce request and response bodies (see produce.h), following ProduceRequest.json and
 * ProduceResponse.json for versions 0-8. Record data stays where it arrived: the log
 * validates and copies it. */
#include "broker/protocol/produce.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* Smallest entries on the wire: a topic is an empty name and an empty partition array; a
 * partition is its index and a null records field. */
#define TOPIC_MIN_SIZE (2 + 4)
#define PARTITION_MIN_SIZE (4 + 4)

static void get_topic(struct reader *r, struct arena *a, struct produce_topic_data *t)
{
    codec_get_string(r, &t->name);
    if (!msg_get_count(r, &t->partition_count, PARTITION_MIN_SIZE))
        return;
    t->partitions = arena_calloc(a, (size_t)t->partition_count, sizeof(*t->partitions));
    for (int32_t i = 0; i < t->partition_count; i++) {
        codec_get_int32(r, &t->partitions[i].index);
        codec_get_nullable_bytes(r, &t->partitions[i].records);
    }
}

gerr_t produce_request_parse(struct reader *r, int16_t version, struct arena *a,
                             struct produce_request *out)
{
    if (version < PRODUCE_MIN_VERSION || version > PRODUCE_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct produce_request){.transactional_id = KSTR_NULL};

    if (version >= 3)
        codec_get_nullable_string(r, &out->transactional_id);
    codec_get_int16(r, &out->acks);
    codec_get_int32(r, &out->timeout_ms);
    if (msg_get_count(r, &out->topic_count, TOPIC_MIN_SIZE)) {
        out->topics = arena_calloc(a, (size_t)out->topic_count, sizeof(*out->topics));
        for (int32_t i = 0; i < out->topic_count; i++)
            get_topic(r, a, &out->topics[i]);
    }
    return msg_parse_end(r);
}

static void put_record_errors(struct buf *b, const struct produce_partition_response *p)
{
    codec_put_array_len(b, p->record_error_count);
    for (int32_t i = 0; i < p->record_error_count; i++) {
        const struct produce_batch_index_error *e = &p->record_errors[i];
        codec_put_int32(b, e->batch_index);
        codec_put_nullable_string(b, e->batch_index_error_message.ptr,
                                  e->batch_index_error_message.len);
    }
}

static void put_partition(struct buf *b, int16_t version,
                          const struct produce_partition_response *p)
{
    codec_put_int32(b, p->index);
    codec_put_int16(b, p->error_code);
    codec_put_int64(b, p->base_offset);
    if (version >= 2)
        codec_put_int64(b, p->log_append_time_ms);
    if (version >= 5)
        codec_put_int64(b, p->log_start_offset);
    if (version >= 8) {
        put_record_errors(b, p);
        codec_put_nullable_string(b, p->error_message.ptr, p->error_message.len);
    }
}

void produce_response_write(struct out_msg *m, int16_t version,
                            const struct produce_response *resp)
{
    assert(version >= PRODUCE_MIN_VERSION && version <= PRODUCE_MAX_VERSION);
    struct buf *b = &m->bytes;

    codec_put_array_len(b, resp->response_count);
    for (int32_t i = 0; i < resp->response_count; i++) {
        const struct produce_topic_response *t = &resp->responses[i];
        codec_put_string(b, t->name.ptr, t->name.len);
        codec_put_array_len(b, t->partition_response_count);
        for (int32_t j = 0; j < t->partition_response_count; j++)
            put_partition(b, version, &t->partition_responses[j]);
    }
    if (version >= 1)
        codec_put_int32(b, resp->throttle_time_ms);
}
