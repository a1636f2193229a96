/* ListOffsets: the latest offset (-1: the high watermark), the earliest (-2: the log start
 * offset), or the first offset whose timestamp is at or after a time. v0 answers with a list
 * holding that one offset. */
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/log/partition_log.h"
#include "broker/net/request.h"
#include "broker/protocol/list_offsets.h"

#define LATEST_TIMESTAMP   (-1)
#define EARLIEST_TIMESTAMP (-2)

static void lookup_partition(struct broker *b, struct request *req, const char *topic,
                             const struct list_offsets_partition *in,
                             struct list_offsets_partition_response *out)
{
    *out = (struct list_offsets_partition_response){
        .partition_index = in->partition_index, .timestamp = -1, .offset = -1,
        .leader_epoch = -1};
    struct plog *log = broker_partition_log(b, topic, in->partition_index);
    if (log == NULL) {
        out->error_code = ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    out->leader_epoch = 0;
    if (in->timestamp == LATEST_TIMESTAMP) {
        out->offset = plog_high_watermark(log);
    } else if (in->timestamp == EARLIEST_TIMESTAMP) {
        out->offset = plog_log_start_offset(log);
    } else if (plog_offset_for_timestamp(log, in->timestamp, &out->offset, &out->timestamp) !=
               ERR_NONE) {
        out->offset = -1; /* every record is older: Kafka answers -1 */
        out->timestamp = -1;
    }
    if (req->api_version == 0 && out->offset >= 0) {
        int64_t *offsets = arena_calloc(&req->arena, 1, sizeof(*offsets));
        offsets[0] = out->offset;
        out->old_style_offset_count = 1;
        out->old_style_offsets = offsets;
    }
}

void handle_ListOffsets(struct broker *b, struct request *req)
{
    struct list_offsets_request parsed;
    if (list_offsets_request_parse(&req->body, req->api_version, &req->arena, &parsed) !=
        ERR_NONE) {
        handler_reject_malformed(req, "ListOffsets");
        return;
    }
    struct list_offsets_topic_response *topics =
        arena_calloc(&req->arena, (size_t)parsed.topic_count, sizeof(*topics));
    for (int32_t t = 0; t < parsed.topic_count; t++) {
        const struct list_offsets_topic *in = &parsed.topics[t];
        const char *topic = handler_string(req, in->name);
        struct list_offsets_partition_response *parts =
            arena_calloc(&req->arena, (size_t)in->partition_count, sizeof(*parts));
        for (int32_t p = 0; p < in->partition_count; p++)
            lookup_partition(b, req, topic, &in->partitions[p], &parts[p]);
        topics[t] = (struct list_offsets_topic_response){in->name, in->partition_count, parts};
    }
    struct list_offsets_response resp = {.topic_count = parsed.topic_count, .topics = topics};
    list_offsets_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
}
