/* Client connections (see connection.h). Input is read by our own read event straight into a
 * buffer sized for the frame in progress: libevent's bufferevent reads 4 KiB per wake-up, which
 * made large produce requests cost a system call round per 4 KiB. Output goes through a
 * bufferevent, which sends log spans with sendfile. The queue holds every request not yet
 * answered, oldest first; only its head may go out, so responses keep the order of requests
 * even when a later one finishes first. */
#include "broker/net/connection.h"

#include "broker/log/segment.h"
#include "broker/net/request.h"
#include "broker/net/server.h"
#include "common/buf.h"
#include "common/logger.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FRAME_HEADER_MIN 8          /* api key, api version and correlation id */
#define READ_CHUNK (64 * 1024)      /* room kept free for each read */
#define READ_BUDGET (1024 * 1024)   /* bytes read per wake-up, so no client holds the loop */

struct connection {
    struct bufferevent *bev; /* output only */
    struct event *read_event;
    int fd;
    struct buf in;           /* bytes read; frames not yet taken start at in_start */
    size_t in_start;
    bool framing;            /* read_frames() is running: do not start it again */
    struct server *server;
    char peer[64];
    struct connection_limits limits;
    struct timeval idle;
    dispatch_fn dispatch;
    void *dispatch_ctx;
    struct request *head;
    struct request *tail;
    size_t queued;
    bool closed;
    int busy; /* callbacks running on this connection: freeing waits for them */
};

/* Frees a closed connection once no callback of its own is still running. */
static void release(struct connection *conn)
{
    if (conn->closed && conn->busy == 0) {
        buf_free(&conn->in);
        free(conn);
    }
}

const char *connection_peer(const struct connection *conn)
{
    return conn->peer;
}

static void enqueue(struct connection *conn, struct request *req)
{
    req->next = NULL;
    if (conn->tail)
        conn->tail->next = req;
    else
        conn->head = req;
    conn->tail = req;
    conn->queued++;
}

static struct request *dequeue(struct connection *conn)
{
    struct request *req = conn->head;
    conn->head = req->next;
    if (conn->head == NULL)
        conn->tail = NULL;
    conn->queued--;
    return req;
}

static bool over_limits(const struct connection *conn)
{
    struct evbuffer *out = bufferevent_get_output(conn->bev);
    return conn->queued >= conn->limits.max_queued_requests ||
           evbuffer_get_length(out) >= conn->limits.max_output_bytes;
}

static void release_file_segment(const struct evbuffer_file_segment *fs, int flags, void *arg)
{
    (void)fs;
    (void)flags;
    segment_unref(arg);
}

/* Moves a log span into the output as a file segment, so libevent sends it with sendfile.
 * The segment reference goes with it and is dropped once the bytes are sent. */
static bool add_span(struct evbuffer *out, struct log_span *span)
{
    struct evbuffer_file_segment *fs =
        evbuffer_file_segment_new(span->fd, (ev_off_t)span->position, (ev_off_t)span->length,
                                  EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_LOCKING);
    if (fs == NULL)
        return false;
    evbuffer_file_segment_add_cleanup_cb(fs, release_file_segment, span->segment);
    span->segment = NULL;
    int rc = evbuffer_add_file_segment(out, fs, 0, (ev_off_t)span->length);
    evbuffer_file_segment_free(fs);
    return rc == 0;
}

/* Size prefix, response header, then the body: bytes with spans at their places. */
static bool write_response(struct connection *conn, struct request *req)
{
    struct evbuffer *out = bufferevent_get_output(conn->bev);
    struct out_msg *m = &req->response;
    /* ApiVersions answers with header v0 whatever its version, so clients can always read it. */
    bool tagged_header = req->flexible && req->api_key != 18;
    uint8_t header[9];
    size_t header_len = tagged_header ? 9 : 8;
    uint64_t size = 4 + (tagged_header ? 1 : 0) + out_msg_length(m);
    be32_store(header, (uint32_t)size);
    be32_store(header + 4, (uint32_t)req->correlation_id);
    header[8] = 0;
    if (evbuffer_add(out, header, header_len) != 0)
        return false;

    size_t done = 0;
    for (size_t i = 0; i < m->nspans; i++) {
        struct out_span *s = &m->spans[i];
        if (evbuffer_add(out, m->bytes.data + done, s->at - done) != 0 ||
            (s->span.length > 0 && !add_span(out, &s->span)))
            return false;
        done = s->at;
    }
    return evbuffer_add(out, m->bytes.data + done, m->bytes.len - done) == 0;
}

/* Drops the bytes of frames already taken, so the buffer does not grow without end. */
static void compact_input(struct connection *conn)
{
    size_t left = conn->in.len - conn->in_start;
    if (conn->in_start > 0)
        memmove(conn->in.data, conn->in.data + conn->in_start, left);
    conn->in.len = left;
    conn->in_start = 0;
}

/* Takes whole frames off the input and dispatches them. A handler may close the connection
 * meanwhile: the busy count keeps it allocated until the loop is done, and a caller not
 * holding busy itself must not touch conn afterwards. */
static void read_frames(struct connection *conn)
{
    if (conn->framing)
        return; /* a handler answered from inside the loop below; it goes on by itself */
    conn->framing = true;
    conn->busy++;
    while (!conn->closed && !over_limits(conn) && conn->in.len - conn->in_start >= 4) {
        const uint8_t *at = conn->in.data + conn->in_start;
        int32_t size = (int32_t)be32_load(at);
        if (size < FRAME_HEADER_MIN || (uint32_t)size > conn->limits.max_request_bytes) {
            log_warn("network",
                     "closing %s: request frame of %d bytes (socket.request.max.bytes is %u)",
                     conn->peer, size, conn->limits.max_request_bytes);
            connection_close(conn, NULL);
            break;
        }
        if (conn->in.len - conn->in_start < 4 + (size_t)size)
            break;
        uint8_t *frame = malloc((size_t)size);
        if (frame == NULL)
            abort();
        memcpy(frame, at + 4, (size_t)size);
        conn->in_start += 4 + (size_t)size;
        struct request *req = request_new(conn, frame, (size_t)size);
        enqueue(conn, req);
        conn->dispatch(conn->dispatch_ctx, req);
    }
    if (!conn->closed)
        compact_input(conn);
    conn->framing = false;
    conn->busy--;
    release(conn);
}

/* Reading follows the limits: paused while the client has too much unanswered or unsent,
 * resumed (with frames already buffered taken first) when it drops below. */
static void update_reading(struct connection *conn)
{
    if (over_limits(conn)) {
        event_del(conn->read_event);
        return;
    }
    if (!event_pending(conn->read_event, EV_READ, NULL))
        event_add(conn->read_event, conn->limits.idle_ms > 0 ? &conn->idle : NULL);
    read_frames(conn);
}

void connection_flush(struct connection *conn)
{
    while (!conn->closed && conn->head && conn->head->ready) {
        struct request *req = dequeue(conn);
        bool close_now = req->close_after;
        if (!close_now && !req->no_response && !write_response(conn, req)) {
            log_error("network", "cannot queue a response to %s", conn->peer);
            close_now = true;
        }
        request_free(req);
        if (close_now) {
            connection_close(conn, "the request asked for it");
            return;
        }
    }
    if (!conn->closed)
        update_reading(conn);
}

/* Room for the rest of the frame in progress (or a chunk), so large frames land in place. */
static void reserve_for_frame(struct connection *conn)
{
    size_t have = conn->in.len - conn->in_start;
    size_t want = READ_CHUNK;
    if (have >= 4) {
        int32_t size = (int32_t)be32_load(conn->in.data + conn->in_start);
        if (size > 0 && (uint32_t)size <= conn->limits.max_request_bytes &&
            4 + (size_t)size > have && 4 + (size_t)size - have > want)
            want = 4 + (size_t)size - have;
    }
    buf_reserve(&conn->in, want);
}

/* Reads what the socket holds, up to the budget; false when the connection closed. */
static bool fill_input(struct connection *conn)
{
    size_t budget = READ_BUDGET;
    while (budget > 0) {
        reserve_for_frame(conn);
        size_t room = conn->in.cap - conn->in.len;
        ssize_t n = read(conn->fd, conn->in.data + conn->in.len, room);
        if (n > 0) {
            conn->in.len += (size_t)n;
            budget -= (size_t)n < budget ? (size_t)n : budget;
            if ((size_t)n < room)
                return true; /* the socket is drained for now */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        connection_close(conn, n == 0 ? NULL : strerror(errno));
        return false;
    }
    return true;
}

static void on_read(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    struct connection *conn = arg;
    conn->busy++;
    if (events & EV_TIMEOUT) {
        if (conn->head == NULL)
            connection_close(conn, "idle for connections.max.idle.ms");
        /* else: waiting on our answer is not idleness */
    } else if (fill_input(conn)) {
        read_frames(conn);
        if (!conn->closed)
            update_reading(conn);
    }
    conn->busy--;
    release(conn);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct connection *conn = arg;
    conn->busy++;
    update_reading(conn); /* frames may have waited while output was over its bound */
    conn->busy--;
    release(conn);
}

static void on_event(struct bufferevent *bev, short events, void *arg)
{
    (void)bev;
    struct connection *conn = arg;
    if (events & BEV_EVENT_ERROR)
        connection_close(conn, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    else if (events & BEV_EVENT_EOF)
        connection_close(conn, NULL);
}

struct connection *connection_new(struct event_base *base, int fd, const char *peer,
                                  const struct connection_limits *limits, dispatch_fn dispatch,
                                  void *dispatch_ctx, struct server *server)
{
    struct connection *conn = calloc(1, sizeof(*conn));
    if (conn == NULL)
        abort();
    evutil_make_socket_nonblocking(fd);
    conn->fd = fd;
    conn->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    conn->read_event = event_new(base, fd, EV_READ | EV_PERSIST, on_read, conn);
    if (conn->bev == NULL || conn->read_event == NULL) {
        if (conn->bev)
            bufferevent_free(conn->bev);
        if (conn->read_event)
            event_free(conn->read_event);
        free(conn);
        return NULL;
    }
    buf_init(&conn->in);
    snprintf(conn->peer, sizeof(conn->peer), "%s", peer);
    conn->limits = *limits;
    conn->idle = (struct timeval){.tv_sec = limits->idle_ms / 1000,
                                  .tv_usec = (limits->idle_ms % 1000) * 1000};
    conn->dispatch = dispatch;
    conn->dispatch_ctx = dispatch_ctx;
    conn->server = server;
    bufferevent_setcb(conn->bev, NULL, on_write, on_event, conn);
    bufferevent_setwatermark(conn->bev, EV_WRITE, limits->max_output_bytes / 2, 0);
    bufferevent_enable(conn->bev, EV_WRITE);
    event_add(conn->read_event, limits->idle_ms > 0 ? &conn->idle : NULL);
    return conn;
}

void connection_close(struct connection *conn, const char *reason)
{
    if (conn->closed)
        return;
    conn->closed = true;
    if (reason)
        log_debug("network", "closing connection from %s: %s", conn->peer, reason);
    /* Answered requests go now; the others are orphaned and freed when they finish. */
    while (conn->head) {
        struct request *req = dequeue(conn);
        if (req->ready)
            request_free(req);
        else
            req->conn = NULL;
    }
    event_free(conn->read_event);
    bufferevent_free(conn->bev);
    server_forget_connection(conn->server, conn);
    release(conn);
}
