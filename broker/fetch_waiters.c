/* Parked fetches in a list (see fetch_waiters.h). A notify scans the list: waiting fetches
 * are few (one per consumer connection at most), so a scan is cheaper than an index. */
#include "broker/fetch_waiters.h"

#include <stdlib.h>
#include <string.h>

struct waiter {
    struct fetch_waiters *owner;
    struct request *req;
    struct event *timer;
    const char *const *topics;
    const int32_t *partitions;
    int32_t count;
    struct waiter *prev;
    struct waiter *next;
};

struct fetch_waiters {
    struct event_base *base;
    fetch_retry_fn retry;
    void *ctx;
    struct waiter *head;
};

struct fetch_waiters *fetch_waiters_new(struct event_base *base, fetch_retry_fn retry, void *ctx)
{
    struct fetch_waiters *w = calloc(1, sizeof(*w));
    if (w == NULL)
        abort();
    w->base = base;
    w->retry = retry;
    w->ctx = ctx;
    return w;
}

static void unlink_waiter(struct waiter *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        x->owner->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    event_free(x->timer);
    free(x);
}

static void on_timeout(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct waiter *x = arg;
    struct fetch_waiters *w = x->owner;
    struct request *req = x->req;
    unlink_waiter(x);
    w->retry(w->ctx, req, true);
}

void fetch_waiters_park(struct fetch_waiters *w, struct request *req, int32_t wait_ms,
                        const char *const *topics, const int32_t *partitions, int32_t count)
{
    struct waiter *x = calloc(1, sizeof(*x));
    if (x == NULL)
        abort();
    *x = (struct waiter){.owner = w, .req = req, .topics = topics, .partitions = partitions,
                         .count = count, .next = w->head};
    x->timer = evtimer_new(w->base, on_timeout, x);
    struct timeval tv = {.tv_sec = wait_ms / 1000, .tv_usec = (wait_ms % 1000) * 1000};
    evtimer_add(x->timer, &tv);
    if (w->head)
        w->head->prev = x;
    w->head = x;
}

static bool waits_on(const struct waiter *x, const char *topic, int32_t partition)
{
    for (int32_t i = 0; i < x->count; i++) {
        if (x->partitions[i] == partition && strcmp(x->topics[i], topic) == 0)
            return true;
    }
    return false;
}

void fetch_waiters_notify(struct fetch_waiters *w, const char *topic, int32_t partition)
{
    struct waiter *x = w->head;
    while (x) {
        struct waiter *next = x->next;
        /* A fetch still short of min_bytes stays parked with its first deadline. */
        if (waits_on(x, topic, partition) && w->retry(w->ctx, x->req, false))
            unlink_waiter(x);
        x = next;
    }
}

void fetch_waiters_free(struct fetch_waiters *w)
{
    if (w == NULL)
        return;
    while (w->head) {
        struct request *req = w->head->req;
        unlink_waiter(w->head);
        w->retry(w->ctx, req, true);
    }
    free(w);
}
