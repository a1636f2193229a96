/* Fetch requests parked until data arrives (long-poll): a Fetch that found fewer than
 * min_bytes waits up to max_wait_ms. An append to a partition re-runs the waiting fetches that
 * read it; the timer runs them one last time and answers whatever they find. Loop thread only. */
#ifndef GREGOR_FETCH_WAITERS_H
#define GREGOR_FETCH_WAITERS_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct fetch_waiters;
struct request;

/* Re-runs a parked fetch: it answers and returns true when it has enough data or `final` is
 * set; otherwise it returns false and stays parked. */
typedef bool (*fetch_retry_fn)(void *ctx, struct request *req, bool final);

struct fetch_waiters *fetch_waiters_new(struct event_base *base, fetch_retry_fn retry, void *ctx);
/* Answers every parked fetch one last time and frees the set. */
void fetch_waiters_free(struct fetch_waiters *w);

/* Parks req until an append to one of its partitions or until wait_ms passes. `partitions`
 * (topic name, partition) pairs stay owned by the request's arena. */
void fetch_waiters_park(struct fetch_waiters *w, struct request *req, int32_t wait_ms,
                        const char *const *topics, const int32_t *partitions, int32_t count);
/* Data was appended to topic/partition: re-run the fetches waiting on it. */
void fetch_waiters_notify(struct fetch_waiters *w, const char *topic, int32_t partition);

#endif
