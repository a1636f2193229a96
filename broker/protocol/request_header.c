/* Request and response headers (see request_header.h). The client id keeps its int16 length
 * even in header v2, so that any broker can read the header of any ApiVersions request. */
#include "broker/protocol/request_header.h"

gerr_t request_header_parse(struct reader *r, request_flexible_fn is_flexible,
                            struct request_header *out)
{
    codec_get_int16(r, &out->request_api_key);
    codec_get_int16(r, &out->request_api_version);
    codec_get_int32(r, &out->correlation_id);
    codec_get_nullable_string(r, &out->client_id);
    if (!reader_ok(r))
        return ERR_INVALID_REQUEST;
    if (is_flexible(out->request_api_key, out->request_api_version) &&
        !codec_skip_tagged_fields(r))
        return ERR_INVALID_REQUEST;
    return ERR_NONE;
}

void response_header_write(struct buf *b, int32_t correlation_id, bool flexible)
{
    codec_put_int32(b, correlation_id);
    if (flexible)
        codec_put_empty_tagged_fields(b);
}
