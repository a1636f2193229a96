/* A small pool of worker threads for blocking work: fsync, unlink, later compaction. A job's
 * `work` runs on a worker; its `done` runs afterwards on the owning thread (the event loop),
 * when that thread calls workq_run_completions(). workq_fd() is an eventfd that is readable
 * while completions wait, so a libevent loop can watch it. Nothing a worker touches may be
 * touched by the loop until the job's `done` has run. */
#ifndef GREGOR_WORKQ_H
#define GREGOR_WORKQ_H

#include <stddef.h>

struct workq;
typedef void (*workq_fn)(void *arg);

struct workq *workq_new(int threads, const char *name);
/* Finishes every queued job, runs the completions, stops the threads. Owner thread only. */
void workq_free(struct workq *wq);

/* Queues a job. `done` may be NULL. Owner thread only. */
void workq_submit(struct workq *wq, workq_fn work, workq_fn done, void *arg);

int workq_fd(const struct workq *wq);
/* Runs the completions that are ready; returns how many ran. Owner thread only. */
size_t workq_run_completions(struct workq *wq);
/* Blocks until every submitted job, and any job a completion submits, has completed and run
 * its `done`. Owner thread only; used at shutdown and by tests. */
void workq_drain(struct workq *wq);
/* Jobs submitted whose `done` has not run yet. */
size_t workq_pending(const struct workq *wq);

#endif
