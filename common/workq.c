/* Worker pool (see workq.h). Jobs sit in a FIFO under one mutex; finished jobs move to a
 * completion list and the eventfd is bumped, so the owner learns of them without polling. */
#include "common/workq.h"

#include "common/logger.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct job {
    workq_fn work;
    workq_fn done;
    void *arg;
    struct job *next;
};

/* A singly linked FIFO of jobs. */
struct job_list {
    struct job *head;
    struct job *tail;
};

struct workq {
    pthread_mutex_t lock;
    pthread_cond_t job_ready;  /* workers wait here for jobs */
    pthread_cond_t completed;  /* workq_drain waits here */
    struct job_list queued;
    struct job_list finished;
    bool stopping;
    int event_fd;
    size_t pending; /* owner thread only */
    int nthreads;
    pthread_t *threads;
    char name[32];
};

static void list_push(struct job_list *l, struct job *j)
{
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
}

static struct job *list_pop(struct job_list *l)
{
    struct job *j = l->head;
    if (j) {
        l->head = j->next;
        if (l->head == NULL)
            l->tail = NULL;
    }
    return j;
}

static void *worker_main(void *arg)
{
    struct workq *wq = arg;

    pthread_mutex_lock(&wq->lock);
    for (;;) {
        struct job *j = list_pop(&wq->queued);
        if (j == NULL) {
            if (wq->stopping)
                break;
            pthread_cond_wait(&wq->job_ready, &wq->lock);
            continue;
        }
        pthread_mutex_unlock(&wq->lock);
        j->work(j->arg);
        pthread_mutex_lock(&wq->lock);
        list_push(&wq->finished, j);
        pthread_cond_broadcast(&wq->completed);
        uint64_t one = 1;
        ssize_t ignored = write(wq->event_fd, &one, sizeof(one));
        (void)ignored;
    }
    pthread_mutex_unlock(&wq->lock);
    return NULL;
}

struct workq *workq_new(int threads, const char *name)
{
    struct workq *wq = calloc(1, sizeof(*wq));
    if (wq == NULL)
        abort();
    pthread_mutex_init(&wq->lock, NULL);
    pthread_cond_init(&wq->job_ready, NULL);
    pthread_cond_init(&wq->completed, NULL);
    snprintf(wq->name, sizeof(wq->name), "%s", name);
    wq->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wq->event_fd < 0) {
        log_error("workq", "eventfd failed: %m");
        abort();
    }
    wq->nthreads = threads > 0 ? threads : 1;
    wq->threads = calloc((size_t)wq->nthreads, sizeof(pthread_t));
    if (wq->threads == NULL)
        abort();
    for (int i = 0; i < wq->nthreads; i++) {
        if (pthread_create(&wq->threads[i], NULL, worker_main, wq) != 0) {
            log_error("workq", "cannot start worker thread for %s", name);
            abort();
        }
    }
    return wq;
}

void workq_submit(struct workq *wq, workq_fn work, workq_fn done, void *arg)
{
    struct job *j = malloc(sizeof(*j));
    if (j == NULL)
        abort();
    j->work = work;
    j->done = done;
    j->arg = arg;
    wq->pending++;
    pthread_mutex_lock(&wq->lock);
    list_push(&wq->queued, j);
    pthread_cond_signal(&wq->job_ready);
    pthread_mutex_unlock(&wq->lock);
}

int workq_fd(const struct workq *wq)
{
    return wq->event_fd;
}

size_t workq_pending(const struct workq *wq)
{
    return wq->pending;
}

size_t workq_run_completions(struct workq *wq)
{
    uint64_t count;
    ssize_t ignored = read(wq->event_fd, &count, sizeof(count));
    (void)ignored;

    pthread_mutex_lock(&wq->lock);
    struct job_list ready = wq->finished;
    wq->finished.head = wq->finished.tail = NULL;
    pthread_mutex_unlock(&wq->lock);

    size_t ran = 0;
    struct job *j;
    while ((j = list_pop(&ready)) != NULL) {
        wq->pending--;
        if (j->done)
            j->done(j->arg);
        free(j);
        ran++;
    }
    return ran;
}

void workq_drain(struct workq *wq)
{
    while (wq->pending > 0) {
        pthread_mutex_lock(&wq->lock);
        while (wq->finished.head == NULL)
            pthread_cond_wait(&wq->completed, &wq->lock);
        pthread_mutex_unlock(&wq->lock);
        workq_run_completions(wq);
    }
}

void workq_free(struct workq *wq)
{
    if (wq == NULL)
        return;
    workq_drain(wq);
    pthread_mutex_lock(&wq->lock);
    wq->stopping = true;
    pthread_cond_broadcast(&wq->job_ready);
    pthread_mutex_unlock(&wq->lock);
    for (int i = 0; i < wq->nthreads; i++)
        pthread_join(wq->threads[i], NULL);
    close(wq->event_fd);
    pthread_cond_destroy(&wq->job_ready);
    pthread_cond_destroy(&wq->completed);
    pthread_mutex_destroy(&wq->lock);
    free(wq->threads);
    free(wq);
}
