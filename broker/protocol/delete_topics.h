/* DeleteTopics (key 20), versions 0-3, none flexible: the admin request that deletes topics,
 * sent to the controller. */
#ifndef GREGOR_DELETE_TOPICS_H
#define GREGOR_DELETE_TOPICS_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdint.h>

#define DELETE_TOPICS_KEY 20
#define DELETE_TOPICS_MIN_VERSION 0
#define DELETE_TOPICS_MAX_VERSION 3

struct delete_topics_request {
    int32_t topic_name_count;
    struct kstr *topic_names;
    int32_t timeout_ms;
};

/* The names array comes from the arena, the names point into r's bytes. ERR_INVALID_REQUEST
 * when the body is malformed, truncated or followed by more bytes. */
gerr_t delete_topics_request_parse(struct reader *r, int16_t version, struct arena *a,
                                   struct delete_topics_request *out);

struct delete_topics_topic_result {
    struct kstr name;
    int16_t error_code;
};

struct delete_topics_response {
    int32_t throttle_time_ms; /* v1+ */
    int32_t response_count;
    const struct delete_topics_topic_result *responses;
};

/* Writes the body (the caller writes size and header), with only the fields of `version`. */
void delete_topics_response_write(struct out_msg *m, int16_t version,
                                  const struct delete_topics_response *resp);

#endif
