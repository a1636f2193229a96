/* FindCoordinator (key 10) versions 0-2: which broker coordinates a consumer group (key type
 * 0) or a transactional id (key type 1). Follows FindCoordinatorRequest.json and
 * FindCoordinatorResponse.json; v3 (flexible) and v4 (batched keys) are not served. */
#ifndef GREGOR_FIND_COORDINATOR_H
#define GREGOR_FIND_COORDINATOR_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/codec.h"
#include "common/errors.h"

#define FIND_COORDINATOR_KEY 10
#define FIND_COORDINATOR_MIN_VERSION 0
#define FIND_COORDINATOR_MAX_VERSION 2

#define COORDINATOR_TYPE_GROUP 0
#define COORDINATOR_TYPE_TRANSACTION 1

struct find_coordinator_request {
    struct kstr key;
    int8_t key_type; /* v1+; 0 (group) before */
};

gerr_t find_coordinator_request_parse(struct reader *r, int16_t version, struct arena *a,
                                      struct find_coordinator_request *out);

struct find_coordinator_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    struct kstr error_message; /* v1+, nullable */
    int32_t node_id;
    struct kstr host;
    int32_t port;
};

void find_coordinator_response_write(struct out_msg *m, int16_t version,
                                     const struct find_coordinator_response *resp);

#endif
