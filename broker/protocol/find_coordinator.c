/* FindCoordinator request and response bodies, versions 0-2 (see find_coordinator.h). */
#include "broker/protocol/find_coordinator.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

gerr_t find_coordinator_request_parse(struct reader *r, int16_t version, struct arena *a,
                                      struct find_coordinator_request *out)
{
    (void)a;
    if (version < FIND_COORDINATOR_MIN_VERSION || version > FIND_COORDINATOR_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    *out = (struct find_coordinator_request){.key_type = COORDINATOR_TYPE_GROUP};
    codec_get_string(r, &out->key);
    if (version >= 1)
        codec_get_int8(r, &out->key_type);
    return msg_parse_end(r);
}

void find_coordinator_response_write(struct out_msg *m, int16_t version,
                                     const struct find_coordinator_response *resp)
{
    assert(version >= FIND_COORDINATOR_MIN_VERSION && version <= FIND_COORDINATOR_MAX_VERSION);
    struct buf *b = &m->bytes;
    if (version >= 1)
        codec_put_int32(b, resp->throttle_time_ms);
    codec_put_int16(b, resp->error_code);
    if (version >= 1)
        codec_put_nullable_string(b, resp->error_message.ptr, resp->error_message.len);
    codec_put_int32(b, resp->node_id);
    codec_put_string(b, resp->host.ptr, resp->host.len);
    codec_put_int32(b, resp->port);
}
