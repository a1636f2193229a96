/* Request lifecycle (see request.h). */
#include "broker/net/request.h"

#include "broker/net/connection.h"
#include "common/clock.h"

#include <stdlib.h>

struct request *request_new(struct connection *conn, uint8_t *frame, size_t len)
{
    struct request *req = calloc(1, sizeof(*req));
    if (req == NULL)
        abort();
    req->conn = conn;
    req->frame = frame;
    reader_init(&req->body, frame, len);
    arena_init(&req->arena);
    out_msg_init(&req->response);
    req->received_ns = clock_monotonic_ns();
    return req;
}

void request_free(struct request *req)
{
    out_msg_free(&req->response);
    arena_free(&req->arena);
    free(req->frame);
    free(req);
}

void request_respond(struct request *req)
{
    req->ready = true;
    if (req->conn == NULL) {
        request_free(req); /* its connection is gone */
        return;
    }
    connection_flush(req->conn);
}
