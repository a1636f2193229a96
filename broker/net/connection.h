/* A client connection: reads size-prefixed Kafka frames, hands each to the dispatcher, and
 * writes responses in request order, with record data sent by sendfile. Frames larger than
 * socket.request.max.bytes close the connection. Reading pauses while unsent output exceeds
 * a bound (back-pressure) and an idle connection closes after connections.max.idle.ms.
 * Loop thread only. */
#ifndef GREGOR_CONNECTION_H
#define GREGOR_CONNECTION_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct request;
struct server;

struct connection_limits {
    uint32_t max_request_bytes;  /* socket.request.max.bytes */
    size_t max_output_bytes;     /* unsent bytes at which reading pauses */
    size_t max_queued_requests;  /* unanswered requests at which reading pauses */
    int64_t idle_ms;             /* connections.max.idle.ms */
    int receive_buffer_bytes;    /* SO_RCVBUF, or 0 to leave the kernel's autotuning on */
    int send_buffer_bytes;       /* SO_SNDBUF, likewise */
};

/* Called for each whole request frame; the dispatcher owns `req` from then on. */
typedef void (*dispatch_fn)(void *ctx, struct request *req);

struct connection *connection_new(struct event_base *base, int fd, const char *peer,
                                  const struct connection_limits *limits, dispatch_fn dispatch,
                                  void *dispatch_ctx, struct server *server);
/* Closes at once; answers still pending are dropped when their handlers finish. */
void connection_close(struct connection *conn, const char *reason);
const char *connection_peer(const struct connection *conn);

/* From request_respond(): sends whatever responses are now ready, in order. */
void connection_flush(struct connection *conn);

#endif
