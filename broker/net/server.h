/* The listeners of `listeners` and the set of open client connections. Accepted sockets
 * become connections whose frames go to one dispatch function. Loop thread only. */
#ifndef GREGOR_SERVER_H
#define GREGOR_SERVER_H

#include "broker/net/connection.h"

#include <event2/event.h>
#include <stddef.h>

struct server;

struct server *server_new(struct event_base *base, const struct connection_limits *limits,
                          dispatch_fn dispatch, void *dispatch_ctx);
/* Binds host:port (port 0 picks a free one; an empty host binds every interface) and puts
 * the port bound in *bound_port. Returns 0, or -1 with the reason logged. */
int server_listen(struct server *s, const char *host, int port, int *bound_port);
/* Closes the listeners and every connection. */
void server_free(struct server *s);

size_t server_connection_count(const struct server *s);
/* From connection_close(). */
void server_forget_connection(struct server *s, struct connection *conn);

#endif
