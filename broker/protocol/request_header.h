/* Kafka's request and response headers (RequestHeader.json v1-v2, ResponseHeader.json v0-v1):
 * what sits between a frame's int32 size and its body. The header version follows from the
 * request's api key and version: flexible request versions use request header v2 and
 * response header v1, except that ApiVersions responses always use response header v0. */
#ifndef GREGOR_REQUEST_HEADER_H
#define GREGOR_REQUEST_HEADER_H

#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdbool.h>
#include <stdint.h>

struct request_header {
    int16_t request_api_key;
    int16_t request_api_version;
    int32_t correlation_id;
    struct kstr client_id; /* null when the client sent none; a view into the frame */
};

/* Whether api_version of api_key is a flexible version; the request table knows. It is asked
 * for any pair the client sends, including unknown keys and unsupported versions. */
typedef bool (*request_flexible_fn)(int16_t api_key, int16_t api_version);

/* Reads the header at the start of a request frame and leaves r at the body: header v1, or v2
 * (v1 followed by tagged fields, of which none is known) when is_flexible says so.
 * ERR_INVALID_REQUEST when the header is cut short or malformed. */
gerr_t request_header_parse(struct reader *r, request_flexible_fn is_flexible,
                            struct request_header *out);

/* Response header v0 (the correlation id) or, when flexible, v1 (plus an empty tag section).
 * The caller passes flexible = false for every ApiVersions response. */
void response_header_write(struct buf *b, int32_t correlation_id, bool flexible);

#endif
