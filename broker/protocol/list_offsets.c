/* ListOffsets request and response bodies (see list_offsets.h), following
 * ListOffsetsRequest.json and ListOffsetsResponse.json for versions 0-5. */
#include "broker/protocol/list_offsets.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* Smallest entries on the wire. A topic: an empty name and an empty partition array. A
 * partition in v1-3, the versions with fewest fields: partition_index and timestamp. */
#define TOPIC_MIN_SIZE (2 + 4)
#define PARTITION_MIN_SIZE (4 + 8)

static void get_partition(struct reader *r, int16_t version, struct list_offsets_partition *p)
{
    p->current_leader_epoch = -1;
    p->max_num_offsets = 1;
    codec_get_int32(r, &p->partition_index);
    if (version >= 4)
        codec_get_int32(r, &p->current_leader_epoch);
    codec_get_int64(r, &p->timestamp);
    if (version == 0)
        codec_get_int32(r, &p->max_num_offsets);
}

static void get_topic(struct reader *r, int16_t version, struct arena *a,
                      struct list_offsets_topic *t)
{
    codec_get_string(r, &t->name);
    if (!msg_get_count(r, &t->partition_count, PARTITION_MIN_SIZE))
        return;
    t->partitions = arena_calloc(a, (size_t)t->partition_count, sizeof(*t->partitions));
    for (int32_t i = 0; i < t->partition_count; i++)
        get_partition(r, version, &t->partitions[i]);
}

gerr_t list_offsets_request_parse(struct reader *r, int16_t version, struct arena *a,
                                  struct list_offsets_request *out)
{
    if (version < LIST_OFFSETS_MIN_VERSION || version > LIST_OFFSETS_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct list_offsets_request){0};

    codec_get_int32(r, &out->replica_id);
    if (version >= 2)
        codec_get_int8(r, &out->isolation_level);
    if (msg_get_count(r, &out->topic_count, TOPIC_MIN_SIZE)) {
        out->topics = arena_calloc(a, (size_t)out->topic_count, sizeof(*out->topics));
        for (int32_t i = 0; i < out->topic_count; i++)
            get_topic(r, version, a, &out->topics[i]);
    }
    return msg_parse_end(r);
}

static void put_partition(struct buf *b, int16_t version,
                          const struct list_offsets_partition_response *p)
{
    codec_put_int32(b, p->partition_index);
    codec_put_int16(b, p->error_code);
    if (version == 0) {
        codec_put_array_len(b, p->old_style_offset_count);
        for (int32_t i = 0; i < p->old_style_offset_count; i++)
            codec_put_int64(b, p->old_style_offsets[i]);
        return;
    }
    codec_put_int64(b, p->timestamp);
    codec_put_int64(b, p->offset);
    if (version >= 4)
        codec_put_int32(b, p->leader_epoch);
}

void list_offsets_response_write(struct out_msg *m, int16_t version,
                                 const struct list_offsets_response *resp)
{
    assert(version >= LIST_OFFSETS_MIN_VERSION && version <= LIST_OFFSETS_MAX_VERSION);
    struct buf *b = &m->bytes;

    if (version >= 2)
        codec_put_int32(b, resp->throttle_time_ms);
    codec_put_array_len(b, resp->topic_count);
    for (int32_t i = 0; i < resp->topic_count; i++) {
        const struct list_offsets_topic_response *t = &resp->topics[i];
        codec_put_string(b, t->name.ptr, t->name.len);
        codec_put_array_len(b, t->partition_count);
        for (int32_t j = 0; j < t->partition_count; j++)
            put_partition(b, version, &t->partitions[j]);
    }
}
