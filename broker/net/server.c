/* Listeners and the connection set (see server.h). */
#include "broker/net/server.h"

#include "common/logger.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct server {
    struct event_base *base;
    struct connection_limits limits;
    dispatch_fn dispatch;
    void *dispatch_ctx;
    struct evconnlistener **listeners;
    size_t nlisteners;
    struct connection **connections;
    size_t nconnections;
    size_t capacity;
};

static void remember(struct server *s, struct connection *conn)
{
    if (s->nconnections == s->capacity) {
        s->capacity = s->capacity ? s->capacity * 2 : 64;
        s->connections = realloc(s->connections, s->capacity * sizeof(*s->connections));
        if (s->connections == NULL)
            abort();
    }
    s->connections[s->nconnections++] = conn;
}

void server_forget_connection(struct server *s, struct connection *conn)
{
    for (size_t i = 0; i < s->nconnections; i++) {
        if (s->connections[i] == conn) {
            s->connections[i] = s->connections[--s->nconnections];
            return;
        }
    }
}

size_t server_connection_count(const struct server *s)
{
    return s->nconnections;
}

static void describe_peer(const struct sockaddr *addr, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, size, "%s:%d", host, port);
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *addr,
                      int addrlen, void *arg)
{
    (void)listener;
    (void)addrlen;
    struct server *s = arg;
    char peer[64];
    int one = 1;
    /* Responses are written whole; Nagle would only add latency to small ones. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (s->limits.receive_buffer_bytes > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->limits.receive_buffer_bytes, sizeof(int));
    if (s->limits.send_buffer_bytes > 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->limits.send_buffer_bytes, sizeof(int));
    describe_peer(addr, peer, sizeof(peer));
    struct connection *conn =
        connection_new(s->base, fd, peer, &s->limits, s->dispatch, s->dispatch_ctx, s);
    if (conn == NULL) {
        evutil_closesocket(fd);
        return;
    }
    remember(s, conn);
}

struct server *server_new(struct event_base *base, const struct connection_limits *limits,
                          dispatch_fn dispatch, void *dispatch_ctx)
{
    struct server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        abort();
    s->base = base;
    s->limits = *limits;
    s->dispatch = dispatch;
    s->dispatch_ctx = dispatch_ctx;
    return s;
}

static int bound_port_of(evutil_socket_t fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int server_listen(struct server *s, const char *host, int port, int *bound_port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    int rc = getaddrinfo(host[0] ? host : NULL, service, &hints, &res);
    if (rc != 0) {
        log_error("network", "cannot resolve listener host '%s': %s", host, gai_strerror(rc));
        return -1;
    }
    struct evconnlistener *listener = evconnlistener_new_bind(
        s->base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        512, res->ai_addr, (int)res->ai_addrlen);
    freeaddrinfo(res);
    if (listener == NULL) {
        log_error("network", "cannot listen on %s:%d: %s", host, port, strerror(errno));
        return -1;
    }
    s->listeners = realloc(s->listeners, (s->nlisteners + 1) * sizeof(*s->listeners));
    if (s->listeners == NULL)
        abort();
    s->listeners[s->nlisteners++] = listener;
    *bound_port = bound_port_of(evconnlistener_get_fd(listener));
    return 0;
}

void server_free(struct server *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nlisteners; i++)
        evconnlistener_free(s->listeners[i]);
    while (s->nconnections > 0)
        connection_close(s->connections[s->nconnections - 1], "shutting down");
    free(s->listeners);
    free(s->connections);
    free(s);
}
