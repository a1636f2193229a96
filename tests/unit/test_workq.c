/* The worker pool: jobs run on worker threads, completions only on the owner thread inside
 * workq_run_completions, the eventfd signals waiting completions, drain, pending and free. */
#include "common/workq.h"
#include "tests/unit/cunit_main.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* What one job saw: where its work and done ran, and how often. */
struct job_record {
    pthread_t work_thread;
    pthread_t done_thread;
    atomic_int work_runs;
    int done_runs;
    bool done_inside_completions;
};

/* Set by the test around its calls to workq_run_completions / workq_drain / workq_free. */
static bool completions_allowed;

static void record_work(void *arg)
{
    struct job_record *r = arg;
    r->work_thread = pthread_self();
    atomic_fetch_add(&r->work_runs, 1);
}

static void record_done(void *arg)
{
    struct job_record *r = arg;
    r->done_thread = pthread_self();
    r->done_runs++;
    r->done_inside_completions = completions_allowed;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls the eventfd; true when it became readable within timeout_ms. */
static bool fd_readable(const struct workq *wq, int timeout_ms)
{
    struct pollfd p = {.fd = workq_fd(wq), .events = POLLIN};
    return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Waits (up to 5 s) until the job's work has run n times. */
static bool wait_work_runs(struct job_record *r, int n)
{
    for (int i = 0; i < 5000; i++) {
        if (atomic_load(&r->work_runs) >= n)
            return true;
        sleep_ms(1);
    }
    return false;
}

/* Calls workq_run_completions until it has run `want` completions or 5 s went by. */
static size_t run_completions_until(struct workq *wq, size_t want)
{
    size_t ran = 0;
    completions_allowed = true;
    for (int i = 0; i < 5000 && ran < want; i++) {
        if (fd_readable(wq, 1))
            ran += workq_run_completions(wq);
    }
    completions_allowed = false;
    return ran;
}

static void test_work_on_worker_done_on_owner(void)
{
    struct workq *wq = workq_new(2, "test");
    struct job_record r = {0};

    workq_submit(wq, record_work, record_done, &r);
    CU_ASSERT_FATAL(wait_work_runs(&r, 1));
    CU_ASSERT_FALSE(pthread_equal(r.work_thread, pthread_self()));
    sleep_ms(20);
    CU_ASSERT_EQUAL(r.done_runs, 0); /* nothing runs `done` behind the owner's back */
    CU_ASSERT_EQUAL(workq_pending(wq), 1);

    CU_ASSERT_EQUAL(run_completions_until(wq, 1), 1);
    CU_ASSERT_EQUAL(r.done_runs, 1);
    CU_ASSERT_TRUE(r.done_inside_completions);
    CU_ASSERT_TRUE(pthread_equal(r.done_thread, pthread_self()));
    CU_ASSERT_EQUAL(workq_pending(wq), 0);
    CU_ASSERT_EQUAL(workq_run_completions(wq), 0);
    workq_free(wq);
}

static void test_eventfd_readable_while_completions_wait(void)
{
    struct workq *wq = workq_new(1, "test");
    struct job_record r = {0};

    CU_ASSERT_FALSE(fd_readable(wq, 0));
    workq_submit(wq, record_work, record_done, &r);
    CU_ASSERT_TRUE_FATAL(fd_readable(wq, 5000));
    CU_ASSERT_TRUE(fd_readable(wq, 0)); /* stays readable until the completions run */
    CU_ASSERT_EQUAL(r.done_runs, 0);

    completions_allowed = true;
    CU_ASSERT_EQUAL(workq_run_completions(wq), 1);
    completions_allowed = false;
    CU_ASSERT_EQUAL(r.done_runs, 1);
    CU_ASSERT_FALSE(fd_readable(wq, 0));
    workq_free(wq);
}

static void test_done_may_be_null(void)
{
    struct workq *wq = workq_new(1, "test");
    struct job_record r = {0};

    workq_submit(wq, record_work, NULL, &r);
    CU_ASSERT_EQUAL(workq_pending(wq), 1);
    workq_drain(wq);
    CU_ASSERT_EQUAL(atomic_load(&r.work_runs), 1);
    CU_ASSERT_EQUAL(r.done_runs, 0);
    CU_ASSERT_EQUAL(workq_pending(wq), 0);
    workq_free(wq);
}

/* A chain: each job's done submits the next one until `remaining` runs out. */
struct chain {
    struct workq *wq;
    int remaining;
    atomic_int works;
    int dones;
};

static void chain_work(void *arg)
{
    struct chain *c = arg;
    sleep_ms(1);
    atomic_fetch_add(&c->works, 1);
}

static void chain_done(void *arg)
{
    struct chain *c = arg;
    c->dones++;
    if (--c->remaining > 0)
        workq_submit(c->wq, chain_work, chain_done, c);
}

static void test_drain_waits_for_jobs_submitted_by_completions(void)
{
    struct workq *wq = workq_new(2, "test");
    struct chain c = {.wq = wq, .remaining = 25};

    workq_submit(wq, chain_work, chain_done, &c);
    workq_drain(wq);
    CU_ASSERT_EQUAL(c.remaining, 0);
    CU_ASSERT_EQUAL(atomic_load(&c.works), 25);
    CU_ASSERT_EQUAL(c.dones, 25);
    CU_ASSERT_EQUAL(workq_pending(wq), 0);
    workq_free(wq);
}

#define MANY_JOBS 10000

static void test_many_jobs_complete_exactly_once(void)
{
    struct workq *wq = workq_new(4, "test");
    struct job_record *records = calloc(MANY_JOBS, sizeof(*records));
    CU_ASSERT_PTR_NOT_NULL_FATAL(records);

    for (size_t i = 0; i < MANY_JOBS; i++) {
        workq_submit(wq, record_work, record_done, &records[i]);
        CU_ASSERT_EQUAL(workq_pending(wq), i + 1);
    }
    completions_allowed = true;
    workq_drain(wq);
    completions_allowed = false;
    CU_ASSERT_EQUAL(workq_pending(wq), 0);

    size_t bad = 0;
    for (size_t i = 0; i < MANY_JOBS; i++) {
        if (atomic_load(&records[i].work_runs) != 1 || records[i].done_runs != 1 ||
            !pthread_equal(records[i].done_thread, pthread_self()))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(records);
    workq_free(wq);
}

/* A gate that holds every worker until the test opens it. */
static atomic_bool gate_open;

static void gated_work(void *arg)
{
    while (!atomic_load(&gate_open))
        sleep_ms(1);
    record_work(arg);
}

static void test_pending_counts(void)
{
    struct workq *wq = workq_new(1, "test");
    struct job_record r[3] = {{0}};

    atomic_store(&gate_open, false);
    CU_ASSERT_EQUAL(workq_pending(wq), 0);
    for (int i = 0; i < 3; i++)
        workq_submit(wq, gated_work, record_done, &r[i]);
    CU_ASSERT_EQUAL(workq_pending(wq), 3);
    CU_ASSERT_EQUAL(workq_run_completions(wq), 0);
    CU_ASSERT_EQUAL(workq_pending(wq), 3);

    atomic_store(&gate_open, true);
    CU_ASSERT_FATAL(wait_work_runs(&r[2], 1));
    CU_ASSERT_EQUAL(workq_pending(wq), 3); /* finished, but `done` has not run yet */
    CU_ASSERT_EQUAL(run_completions_until(wq, 3), 3);
    CU_ASSERT_EQUAL(workq_pending(wq), 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(r[i].done_runs, 1);
    workq_free(wq);
}

static void test_free_finishes_queued_jobs(void)
{
    struct workq *wq = workq_new(2, "test");
    struct job_record r[50] = {{0}};

    atomic_store(&gate_open, false);
    for (int i = 0; i < 50; i++)
        workq_submit(wq, gated_work, record_done, &r[i]);
    atomic_store(&gate_open, true);
    completions_allowed = true;
    workq_free(wq);
    completions_allowed = false;
    for (int i = 0; i < 50; i++) {
        CU_ASSERT_EQUAL(atomic_load(&r[i].work_runs), 1);
        CU_ASSERT_EQUAL(r[i].done_runs, 1);
        CU_ASSERT_TRUE(pthread_equal(r[i].done_thread, pthread_self()));
    }
}

static void test_zero_threads_still_works(void)
{
    struct workq *wq = workq_new(0, "test");
    struct job_record r = {0};

    workq_submit(wq, record_work, record_done, &r);
    workq_drain(wq);
    CU_ASSERT_EQUAL(atomic_load(&r.work_runs), 1);
    CU_ASSERT_EQUAL(r.done_runs, 1);
    workq_free(wq);
}

static const struct cunit_test tests[] = {
    {"work on a worker, done on the owner", test_work_on_worker_done_on_owner},
    {"eventfd readable while completions wait", test_eventfd_readable_while_completions_wait},
    {"done may be NULL", test_done_may_be_null},
    {"drain waits for jobs submitted by completions",
     test_drain_waits_for_jobs_submitted_by_completions},
    {"10000 jobs complete exactly once", test_many_jobs_complete_exactly_once},
    {"pending counts", test_pending_counts},
    {"free finishes queued jobs", test_free_finishes_queued_jobs},
    {"zero threads means one", test_zero_threads_still_works},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("workq", tests);
}
