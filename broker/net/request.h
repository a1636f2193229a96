/* One Kafka request, from the frame that carried it to the response that answers it.
 * A handler parses req->body, writes the response body into req->response, and calls
 * request_respond(): at once, or later (long-poll Fetch, acks=all Produce). The connection
 * sends responses in request order. Loop thread only. */
#ifndef GREGOR_REQUEST_H
#define GREGOR_REQUEST_H

#include "broker/protocol/out_msg.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"

#include <stdbool.h>
#include <stdint.h>

struct connection;
struct api;

struct request {
    struct connection *conn; /* NULL once the connection closed before the answer */
    const struct api *api;
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    struct kstr client_id;
    bool flexible;          /* the version uses KIP-482 encoding */
    struct reader body;     /* the request body after the header */
    uint8_t *frame;         /* owns the bytes body and client_id point into */
    struct arena arena;     /* per-request allocations, freed with the request */
    struct out_msg response;
    void *frame_state;      /* a handler's state while the request waits, in the arena */
    bool ready;             /* the response is complete */
    bool no_response;       /* acks=0: answered with nothing */
    bool close_after;       /* close the connection instead of answering */
    int64_t received_ns;
    struct request *next;   /* the connection's queue */
};

struct request *request_new(struct connection *conn, uint8_t *frame, size_t len);
void request_free(struct request *req);
/* The response is complete (or, with no_response, there is none): send it when every earlier
 * request on the connection has been answered. */
void request_respond(struct request *req);

#endif
