/* DeleteTopics request and response bodies (see delete_topics.h), following
 * DeleteTopicsRequest.json and DeleteTopicsResponse.json for versions 0-3, which share one
 * layout apart from the response's throttle time. */
#include "broker/protocol/delete_topics.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* Smallest name on the wire: an empty string. */
#define TOPIC_NAME_MIN_SIZE 2

gerr_t delete_topics_request_parse(struct reader *r, int16_t version, struct arena *a,
                                   struct delete_topics_request *out)
{
    if (version < DELETE_TOPICS_MIN_VERSION || version > DELETE_TOPICS_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct delete_topics_request){0};

    if (msg_get_count(r, &out->topic_name_count, TOPIC_NAME_MIN_SIZE)) {
        out->topic_names = arena_calloc(a, (size_t)out->topic_name_count, sizeof(struct kstr));
        for (int32_t i = 0; i < out->topic_name_count; i++)
            codec_get_string(r, &out->topic_names[i]);
    }
    codec_get_int32(r, &out->timeout_ms);
    return msg_parse_end(r);
}

void delete_topics_response_write(struct out_msg *m, int16_t version,
                                  const struct delete_topics_response *resp)
{
    assert(version >= DELETE_TOPICS_MIN_VERSION && version <= DELETE_TOPICS_MAX_VERSION);
    struct buf *b = &m->bytes;

    if (version >= 1)
        codec_put_int32(b, resp->throttle_time_ms);
    codec_put_array_len(b, resp->response_count);
    for (int32_t i = 0; i < resp->response_count; i++) {
        codec_put_string(b, resp->responses[i].name.ptr, resp->responses[i].name.len);
        codec_put_int16(b, resp->responses[i].error_code);
    }
}
