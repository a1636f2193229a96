/* ApiVersions (key 18), versions 0-3, v3 flexible: the first request on every connection, in
 * which the client learns the version range of every API this broker serves. Its response
 * always goes under response header v0, so that a client can read the error whatever version
 * it asked for. */
#ifndef GREGOR_API_VERSIONS_H
#define GREGOR_API_VERSIONS_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdint.h>

#define API_VERSIONS_KEY 18
#define API_VERSIONS_MIN_VERSION 0
#define API_VERSIONS_MAX_VERSION 3
#define API_VERSIONS_FIRST_FLEXIBLE 3

struct api_versions_request {
    /* v3+; "" before. Both must match Kafka's pattern [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
     * or the parse fails (Kafka answers such a request with INVALID_REQUEST). */
    struct kstr client_software_name;
    struct kstr client_software_version;
};

/* ERR_INVALID_REQUEST for a malformed, truncated or over-long body and for software names
 * outside the pattern; ERR_UNSUPPORTED_VERSION for a version outside 0-3 (answer those with
 * api_versions_unsupported_write()). The arena is not used: this body has no arrays. */
gerr_t api_versions_request_parse(struct reader *r, int16_t version, struct arena *a,
                                  struct api_versions_request *out);

/* One entry of the ApiKeys array. */
struct api_version_range {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
};

struct api_versions_response {
    int16_t error_code;
    int32_t api_key_count;
    const struct api_version_range *api_keys;
    int32_t throttle_time_ms; /* v1+ */
};

/* Writes the body; the caller writes size and response header v0. No tagged fields (the
 * feature fields of v3) are sent. */
void api_versions_response_write(struct out_msg *m, int16_t version,
                                 const struct api_versions_response *resp);

/* The body of Kafka's answer to an ApiVersions request of a version above 3 (KIP-511): the v0
 * layout with UNSUPPORTED_VERSION and one entry, ApiVersions' own range, so that the client
 * can retry with a version this broker knows. */
void api_versions_unsupported_write(struct out_msg *m);

#endif
