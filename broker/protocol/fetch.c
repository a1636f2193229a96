/* Fetch request and response bodies (see fetch.h), following FetchRequest.json and
 * FetchResponse.json for versions 4-11. Fields that came before v4 (max_bytes v3,
 * isolation_level, last_stable_offset and aborted_transactions v4) are always present. */
#include "broker/protocol/fetch.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* Smallest entries on the wire. A topic: an empty name and an empty partition array. A
 * partition in v4, the version with fewest fields: partition, fetch_offset, max bytes. */
#define TOPIC_MIN_SIZE (2 + 4)
#define PARTITION_MIN_SIZE (4 + 8 + 4)

static void get_partition(struct reader *r, int16_t version, struct fetch_partition *p)
{
    p->current_leader_epoch = -1;
    p->log_start_offset = -1;
    codec_get_int32(r, &p->partition);
    if (version >= 9)
        codec_get_int32(r, &p->current_leader_epoch);
    codec_get_int64(r, &p->fetch_offset);
    if (version >= 5)
        codec_get_int64(r, &p->log_start_offset);
    codec_get_int32(r, &p->partition_max_bytes);
}

static void get_topics(struct reader *r, int16_t version, struct arena *a,
                       struct fetch_request *out)
{
    if (!msg_get_count(r, &out->topic_count, TOPIC_MIN_SIZE))
        return;
    out->topics = arena_calloc(a, (size_t)out->topic_count, sizeof(*out->topics));
    for (int32_t i = 0; i < out->topic_count; i++) {
        struct fetch_topic *t = &out->topics[i];
        codec_get_string(r, &t->topic);
        if (!msg_get_count(r, &t->partition_count, PARTITION_MIN_SIZE))
            return;
        t->partitions = arena_calloc(a, (size_t)t->partition_count, sizeof(*t->partitions));
        for (int32_t j = 0; j < t->partition_count; j++)
            get_partition(r, version, &t->partitions[j]);
    }
}

static void get_forgotten_topics(struct reader *r, struct arena *a, struct fetch_request *out)
{
    if (!msg_get_count(r, &out->forgotten_topic_count, TOPIC_MIN_SIZE))
        return;
    out->forgotten_topics_data =
        arena_calloc(a, (size_t)out->forgotten_topic_count, sizeof(*out->forgotten_topics_data));
    for (int32_t i = 0; i < out->forgotten_topic_count; i++) {
        struct fetch_forgotten_topic *t = &out->forgotten_topics_data[i];
        codec_get_string(r, &t->topic);
        msg_get_int32_array(r, a, &t->partition_count, &t->partitions);
    }
}

gerr_t fetch_request_parse(struct reader *r, int16_t version, struct arena *a,
                           struct fetch_request *out)
{
    if (version < FETCH_MIN_VERSION || version > FETCH_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct fetch_request){.session_epoch = -1, .rack_id = KSTR_EMPTY};

    codec_get_int32(r, &out->replica_id);
    codec_get_int32(r, &out->max_wait_ms);
    codec_get_int32(r, &out->min_bytes);
    codec_get_int32(r, &out->max_bytes);
    codec_get_int8(r, &out->isolation_level);
    if (version >= 7) {
        codec_get_int32(r, &out->session_id);
        codec_get_int32(r, &out->session_epoch);
    }
    get_topics(r, version, a, out);
    if (version >= 7)
        get_forgotten_topics(r, a, out);
    if (version >= 11)
        codec_get_string(r, &out->rack_id);
    return msg_parse_end(r);
}

static void put_aborted_transactions(struct buf *b, const struct fetch_partition_data *p)
{
    codec_put_array_len(b, p->aborted_transaction_count);
    for (int32_t i = 0; i < p->aborted_transaction_count; i++) {
        codec_put_int64(b, p->aborted_transactions[i].producer_id);
        codec_put_int64(b, p->aborted_transactions[i].first_offset);
    }
}

/* The records field: its int32 length in the bytes, then the data as a span at that point. */
static void put_records(struct out_msg *m, struct log_span *records)
{
    assert(records->length <= INT32_MAX);
    codec_put_int32(&m->bytes, (int32_t)records->length);
    if (records->length > 0)
        out_msg_add_span(m, records);
    else
        plog_span_release(records);
}

static void put_partition(struct out_msg *m, int16_t version, struct fetch_partition_data *p)
{
    struct buf *b = &m->bytes;

    codec_put_int32(b, p->partition_index);
    codec_put_int16(b, p->error_code);
    codec_put_int64(b, p->high_watermark);
    codec_put_int64(b, p->last_stable_offset);
    if (version >= 5)
        codec_put_int64(b, p->log_start_offset);
    put_aborted_transactions(b, p);
    if (version >= 11)
        codec_put_int32(b, p->preferred_read_replica);
    put_records(m, &p->records);
}

void fetch_response_write(struct out_msg *m, int16_t version, struct fetch_response *resp)
{
    assert(version >= FETCH_MIN_VERSION && version <= FETCH_MAX_VERSION);
    struct buf *b = &m->bytes;

    codec_put_int32(b, resp->throttle_time_ms);
    if (version >= 7) {
        codec_put_int16(b, resp->error_code);
        codec_put_int32(b, resp->session_id);
    }
    codec_put_array_len(b, resp->response_count);
    for (int32_t i = 0; i < resp->response_count; i++) {
        struct fetch_topic_response *t = &resp->responses[i];
        codec_put_string(b, t->topic.ptr, t->topic.len);
        codec_put_array_len(b, t->partition_count);
        for (int32_t j = 0; j < t->partition_count; j++)
            put_partition(m, version, &t->partitions[j]);
    }
}
