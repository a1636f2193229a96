/* Metadata request and response bodies (see metadata.h), following MetadataRequest.json and
 * MetadataResponse.json for versions 0-8. */
#include "broker/protocol/metadata.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* Smallest topic entry on the wire: an empty name (int16 length). */
#define TOPIC_MIN_SIZE 2

gerr_t metadata_request_parse(struct reader *r, int16_t version, struct arena *a,
                              struct metadata_request *out)
{
    if (version < METADATA_MIN_VERSION || version > METADATA_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct metadata_request){.allow_auto_topic_creation = true};

    bool got = version >= 1 ? codec_get_array_len(r, &out->topic_count, TOPIC_MIN_SIZE)
                            : msg_get_count(r, &out->topic_count, TOPIC_MIN_SIZE);
    if (got && out->topic_count > 0) {
        out->topics = arena_calloc(a, (size_t)out->topic_count, sizeof(*out->topics));
        for (int32_t i = 0; i < out->topic_count; i++)
            codec_get_string(r, &out->topics[i].name);
    }
    if (version == 0 && out->topic_count == 0)
        out->topic_count = -1;
    if (version >= 4)
        codec_get_bool(r, &out->allow_auto_topic_creation);
    if (version >= 8) {
        codec_get_bool(r, &out->include_cluster_authorized_operations);
        codec_get_bool(r, &out->include_topic_authorized_operations);
    }
    return msg_parse_end(r);
}

static void put_brokers(struct buf *b, int16_t version, const struct metadata_response *resp)
{
    codec_put_array_len(b, resp->broker_count);
    for (int32_t i = 0; i < resp->broker_count; i++) {
        const struct metadata_response_broker *broker = &resp->brokers[i];
        codec_put_int32(b, broker->node_id);
        codec_put_string(b, broker->host.ptr, broker->host.len);
        codec_put_int32(b, broker->port);
        if (version >= 1)
            codec_put_nullable_string(b, broker->rack.ptr, broker->rack.len);
    }
}

static void put_partition(struct buf *b, int16_t version,
                          const struct metadata_response_partition *p)
{
    codec_put_int16(b, p->error_code);
    codec_put_int32(b, p->partition_index);
    codec_put_int32(b, p->leader_id);
    if (version >= 7)
        codec_put_int32(b, p->leader_epoch);
    msg_put_int32_array(b, p->replica_node_count, p->replica_nodes);
    msg_put_int32_array(b, p->isr_node_count, p->isr_nodes);
    if (version >= 5)
        msg_put_int32_array(b, p->offline_replica_count, p->offline_replicas);
}

static void put_topic(struct buf *b, int16_t version, const struct metadata_response_topic *t)
{
    codec_put_int16(b, t->error_code);
    codec_put_string(b, t->name.ptr, t->name.len);
    if (version >= 1)
        codec_put_bool(b, t->is_internal);
    codec_put_array_len(b, t->partition_count);
    for (int32_t i = 0; i < t->partition_count; i++)
        put_partition(b, version, &t->partitions[i]);
    if (version >= 8)
        codec_put_int32(b, t->topic_authorized_operations);
}

void metadata_response_write(struct out_msg *m, int16_t version,
                             const struct metadata_response *resp)
{
    assert(version >= METADATA_MIN_VERSION && version <= METADATA_MAX_VERSION);
    struct buf *b = &m->bytes;

    if (version >= 3)
        codec_put_int32(b, resp->throttle_time_ms);
    put_brokers(b, version, resp);
    if (version >= 2)
        codec_put_nullable_string(b, resp->cluster_id.ptr, resp->cluster_id.len);
    if (version >= 1)
        codec_put_int32(b, resp->controller_id);
    codec_put_array_len(b, resp->topic_count);
    for (int32_t i = 0; i < resp->topic_count; i++)
        put_topic(b, version, &resp->topics[i]);
    if (version >= 8)
        codec_put_int32(b, resp->cluster_authorized_operations);
}
