/* Helpers every handler uses (see handlers.h). */
#include "broker/handlers/handlers.h"

#include "broker/net/connection.h"
#include "broker/net/request.h"
#include "common/logger.h"

#include <string.h>

void handler_reject_malformed(struct request *req, const char *api)
{
    log_warn("network", "closing %s: malformed %s v%d request (correlation id %d)",
             req->conn ? connection_peer(req->conn) : "?", api, req->api_version,
             req->correlation_id);
    req->close_after = true;
    request_respond(req);
}

char *handler_string(struct request *req, struct kstr s)
{
    size_t len = s.len > 0 ? (size_t)s.len : 0;
    /* A NUL inside would cut the C string short and could name another topic: such a name
     * becomes "", which no topic has and no name rule allows. */
    if (len > 0 && memchr(s.ptr, '\0', len) != NULL)
        len = 0;
    return arena_strndup(&req->arena, s.ptr, len);
}
