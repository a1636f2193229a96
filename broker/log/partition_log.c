/* The partition log (see partition_log.h). Segments sit in an array sorted by base offset;
 * the last is active. Flushes run one at a time per log on the worker queue: appends that ask
 * for durability while one runs are covered together by the next (group commit). */
#include "broker/log/partition_log.h"

#include "common/clock.h"
#include "common/logger.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct durable_waiter {
    int64_t offset;
    plog_durable_fn fn;
    void *arg;
    struct durable_waiter *next;
};

struct plog {
    char *dir;
    char *name;
    struct log_config cfg;
    struct workq *wq;

    struct segment **segments;
    size_t nsegments;
    size_t capacity;

    int64_t log_start_offset;
    int64_t recovery_point;
    int64_t high_watermark;

    bool flush_running;
    int64_t flush_wanted;  /* the highest offset someone needs durable */
    uint64_t truncations;  /* bumped by each truncation, so a flush that raced one is ignored */
    int64_t last_flush_ms;
    struct durable_waiter *waiters;
    bool failed;
};

static struct segment *active_segment(const struct plog *log)
{
    return log->segments[log->nsegments - 1];
}

static void push_segment(struct plog *log, struct segment *seg)
{
    if (log->nsegments == log->capacity) {
        log->capacity = log->capacity ? log->capacity * 2 : 8;
        log->segments = realloc(log->segments, log->capacity * sizeof(*log->segments));
        if (log->segments == NULL)
            abort();
    }
    log->segments[log->nsegments++] = seg;
}

/* Index of the last segment whose base offset is <= offset (0 when none is). */
static size_t floor_segment(const struct plog *log, int64_t offset)
{
    size_t lo = 0, hi = log->nsegments;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->segments[mid]->base_offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

const char *plog_name(const struct plog *log)
{
    return log->name;
}

const char *plog_dir(const struct plog *log)
{
    return log->dir;
}

int64_t plog_log_start_offset(const struct plog *log)
{
    return log->log_start_offset;
}

int64_t plog_log_end_offset(const struct plog *log)
{
    return active_segment(log)->next_offset;
}

int64_t plog_recovery_point(const struct plog *log)
{
    return log->recovery_point;
}

int64_t plog_high_watermark(const struct plog *log)
{
    return log->high_watermark;
}

void plog_set_high_watermark(struct plog *log, int64_t offset)
{
    int64_t end = plog_log_end_offset(log);
    log->high_watermark = offset < end ? offset : end;
}

size_t plog_segment_count(const struct plog *log)
{
    return log->nsegments;
}

uint64_t plog_size_bytes(const struct plog *log)
{
    uint64_t total = 0;
    for (size_t i = 0; i < log->nsegments; i++)
        total += log->segments[i]->size;
    return total;
}

const struct log_config *plog_config(const struct plog *log)
{
    return &log->cfg;
}

void plog_set_config(struct plog *log, const struct log_config *cfg)
{
    log->cfg = *cfg;
}

bool plog_failed(const struct plog *log)
{
    return log->failed;
}

/* ---- deleting segments ---- */

struct unlink_job {
    char *dir;
    int64_t base_offset;
};

static void unlink_work(void *arg)
{
    struct unlink_job *job = arg;
    segment_unlink_deleted(job->dir, job->base_offset);
}

static void unlink_done(void *arg)
{
    struct unlink_job *job = arg;
    free(job->dir);
    free(job);
}

/* Renames a segment's files out of the way now and removes them on a worker. Readers that
 * hold the segment keep a working descriptor until they let go. */
static void delete_segment(struct plog *log, struct segment *seg)
{
    if (segment_mark_deleted(seg) == ERR_NONE) {
        struct unlink_job *job = malloc(sizeof(*job));
        if (job == NULL || (job->dir = strdup(seg->dir)) == NULL)
            abort();
        job->base_offset = seg->base_offset;
        workq_submit(log->wq, unlink_work, unlink_done, job);
    }
    segment_unref(seg);
}

/* ---- opening ---- */

static int compare_offsets(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* True for "<20 digits><suffix>", giving the digits as the base offset. */
static bool parse_segment_name(const char *name, const char *suffix, int64_t *base_offset)
{
    size_t len = strlen(name), slen = strlen(suffix);
    if (len != 20 + slen || strcmp(name + 20, suffix) != 0)
        return false;
    int64_t value = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9' || value > (INT64_MAX - 9) / 10)
            return false;
        value = value * 10 + (name[i] - '0');
    }
    *base_offset = value;
    return true;
}

/* Lists the base offsets of the .log files, sorted, and clears leftovers of deletions that a
 * crash interrupted. */
static gerr_t list_segments(const char *dir, int64_t **bases, size_t *n)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        log_error("log", "cannot list %s: %s", dir, strerror(errno));
        return ERR__IO;
    }
    size_t cap = 16;
    *n = 0;
    *bases = malloc(cap * sizeof(**bases));
    if (*bases == NULL)
        abort();
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int64_t base;
        size_t len = strlen(e->d_name);
        if (len > 8 && strcmp(e->d_name + len - 8, ".deleted") == 0) {
            if (unlinkat(dirfd(d), e->d_name, 0) != 0)
                log_warn("log", "cannot remove %s/%s: %s", dir, e->d_name, strerror(errno));
            continue;
        }
        if (!parse_segment_name(e->d_name, ".log", &base))
            continue;
        if (*n == cap) {
            cap *= 2;
            *bases = realloc(*bases, cap * sizeof(**bases));
            if (*bases == NULL)
                abort();
        }
        (*bases)[(*n)++] = base;
    }
    closedir(d);
    qsort(*bases, *n, sizeof(**bases), compare_offsets);
    return ERR_NONE;
}

/* Drops the segments after index `keep` and makes segment `keep` the active one. */
static gerr_t drop_segments_after(struct plog *log, size_t keep)
{
    while (log->nsegments > keep + 1)
        delete_segment(log, log->segments[--log->nsegments]);
    return segment_activate(active_segment(log));
}

/* A segment lost its invalid tail: nothing after it can follow on, so the log ends there. */
static gerr_t end_log_at(struct plog *log, size_t index, uint64_t cut)
{
    struct segment *seg = log->segments[index];
    log_warn("log",
             "Recovery of %s cut %" PRIu64 " bytes of invalid or torn data from segment "
             "%020" PRId64 " (log now ends at offset %" PRId64 ", %zu later segments dropped)",
             log->name, cut, seg->base_offset, seg->next_offset, log->nsegments - 1 - index);
    return drop_segments_after(log, index);
}

/* Opens every segment. A segment whose index had to be rebuilt was recovered whole; if that
 * cut its tail, the log ends there even after a clean shutdown, and the later segments'
 * files are removed unopened. */
static gerr_t load_segments(struct plog *log)
{
    int64_t *bases;
    size_t n;
    gerr_t err = list_segments(log->dir, &bases, &n);
    if (err != ERR_NONE)
        return err;
    for (size_t i = 0; i < n && err == ERR_NONE; i++) {
        struct segment *seg;
        bool rebuilt;
        uint64_t cut;
        err = segment_open(&seg, log->dir, bases[i], &log->cfg, i == n - 1, &rebuilt, &cut);
        if (err != ERR_NONE)
            break;
        push_segment(log, seg);
        if (cut > 0) {
            for (size_t j = i + 1; j < n; j++)
                segment_remove_files(log->dir, bases[j]);
            log_warn("log", "Recovery of %s cut %" PRIu64 " bytes of invalid or torn data from "
                     "segment %020" PRId64 " (log now ends at offset %" PRId64 ", %zu later "
                     "segments dropped)", log->name, cut, seg->base_offset, seg->next_offset,
                     n - 1 - i);
            err = segment_activate(seg);
            break;
        }
    }
    free(bases);
    return err;
}

/* After an unclean shutdown: re-validate each segment from the one holding the recovery
 * point. The first corrupt or torn batch ends the log; everything after it goes. */
static gerr_t recover_tail(struct plog *log)
{
    for (size_t i = floor_segment(log, log->recovery_point); i < log->nsegments; i++) {
        uint64_t cut;
        gerr_t err = segment_recover(log->segments[i], &cut);
        if (err != ERR_NONE)
            return err;
        if (cut > 0)
            return end_log_at(log, i, cut);
    }
    return ERR_NONE;
}

static struct plog *plog_alloc(const char *dir, const struct log_config *cfg, struct workq *wq)
{
    struct plog *log = calloc(1, sizeof(*log));
    if (log == NULL || (log->dir = strdup(dir)) == NULL)
        abort();
    const char *slash = strrchr(dir, '/');
    log->name = strdup(slash ? slash + 1 : dir);
    if (log->name == NULL)
        abort();
    log->cfg = *cfg;
    log->wq = wq;
    return log;
}

static void plog_free(struct plog *log)
{
    for (size_t i = 0; i < log->nsegments; i++)
        segment_unref(log->segments[i]);
    free(log->segments);
    free(log->name);
    free(log->dir);
    free(log);
}

gerr_t plog_open(struct plog **out, const char *dir, const struct log_config *cfg,
                 const struct plog_open_opts *opts, struct workq *wq, int64_t now_ms)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        log_error("log", "cannot create %s: %s", dir, strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    struct plog *log = plog_alloc(dir, cfg, wq);
    log->recovery_point = opts->recovery_point; /* recover_tail() starts there */
    gerr_t err = load_segments(log);
    if (err == ERR_NONE && log->nsegments > 0 && opts->recover)
        err = recover_tail(log);
    if (err == ERR_NONE && log->nsegments == 0) {
        struct segment *seg;
        int64_t base = opts->log_start_offset > 0 ? opts->log_start_offset : 0;
        err = segment_create(&seg, dir, base, cfg, now_ms);
        if (err == ERR_NONE)
            push_segment(log, seg);
    }
    if (err != ERR_NONE) {
        plog_free(log);
        return err;
    }
    int64_t end = plog_log_end_offset(log);
    int64_t start = log->segments[0]->base_offset;
    if (opts->log_start_offset > start)
        start = opts->log_start_offset < end ? opts->log_start_offset : end;
    log->log_start_offset = start;
    log->recovery_point = opts->recovery_point < end ? opts->recovery_point : end;
    if (log->recovery_point < start)
        log->recovery_point = start;
    log->high_watermark = end;
    log->last_flush_ms = now_ms;
    *out = log;
    return ERR_NONE;
}

/* ---- flushing ---- */

struct flush_job {
    struct plog *log;
    int64_t target;
    uint64_t truncations;
    struct segment **segments;
    size_t nsegments;
    int failed_errno;
};

static void flush_work(void *arg)
{
    struct flush_job *job = arg;
    for (size_t i = 0; i < job->nsegments; i++) {
        if (segment_flush(job->segments[i]) != 0 && job->failed_errno == 0)
            job->failed_errno = errno ? errno : EIO;
    }
}

static void start_flush(struct plog *log);

/* Runs the waiters whose offsets are durable (or all, with an error). */
static void wake_waiters(struct plog *log, gerr_t err)
{
    struct durable_waiter **link = &log->waiters;
    while (*link) {
        struct durable_waiter *w = *link;
        if (err == ERR_NONE && w->offset > log->recovery_point) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        w->fn(w->arg, err);
        free(w);
    }
}

static void flush_done(void *arg)
{
    struct flush_job *job = arg;
    struct plog *log = job->log;

    for (size_t i = 0; i < job->nsegments; i++)
        segment_unref(job->segments[i]);
    free(job->segments);
    log->flush_running = false;
    log->last_flush_ms = clock_wall_ms();

    if (job->failed_errno != 0) {
        /* After a failed fsync the page cache may have dropped the data (fsyncgate): nothing
         * written since the last good flush can be trusted, so the log stops taking writes. */
        log_error("log", "fsync of %s failed: %s; the log is offline", log->name,
                  strerror(job->failed_errno));
        log->failed = true;
        wake_waiters(log, ERR_KAFKA_STORAGE_ERROR);
    } else if (job->truncations == log->truncations && job->target > log->recovery_point) {
        log->recovery_point = job->target;
        wake_waiters(log, ERR_NONE);
    }
    free(job);
    if (!log->failed && log->flush_wanted > log->recovery_point)
        start_flush(log);
}

/* Flushes every segment holding offsets at or after the recovery point, up to the current
 * log end offset. Only one flush runs per log; a request during it waits for the next. */
static void start_flush(struct plog *log)
{
    int64_t target = plog_log_end_offset(log);
    if (log->flush_running || log->failed || target <= log->recovery_point)
        return;

    struct flush_job *job = calloc(1, sizeof(*job));
    if (job == NULL)
        abort();
    job->log = log;
    job->target = target;
    job->truncations = log->truncations;
    size_t first = floor_segment(log, log->recovery_point);
    job->nsegments = log->nsegments - first;
    job->segments = malloc(job->nsegments * sizeof(*job->segments));
    if (job->segments == NULL)
        abort();
    for (size_t i = 0; i < job->nsegments; i++) {
        job->segments[i] = log->segments[first + i];
        segment_ref(job->segments[i]);
    }
    log->flush_running = true;
    workq_submit(log->wq, flush_work, flush_done, job);
}

static void request_flush(struct plog *log, int64_t offset)
{
    if (offset > log->flush_wanted)
        log->flush_wanted = offset;
    start_flush(log);
}

void plog_when_durable(struct plog *log, int64_t offset, plog_durable_fn fn, void *arg)
{
    if (log->failed) {
        fn(arg, ERR_KAFKA_STORAGE_ERROR);
        return;
    }
    if (offset <= log->recovery_point) {
        fn(arg, ERR_NONE);
        return;
    }
    struct durable_waiter *w = malloc(sizeof(*w));
    if (w == NULL)
        abort();
    *w = (struct durable_waiter){.offset = offset, .fn = fn, .arg = arg, .next = log->waiters};
    log->waiters = w;
    request_flush(log, offset);
}

void plog_maybe_flush(struct plog *log, int64_t now_ms)
{
    int64_t end = plog_log_end_offset(log);
    if (end <= log->recovery_point)
        return;
    if (end - log->recovery_point >= log->cfg.flush_messages ||
        now_ms - log->last_flush_ms >= log->cfg.flush_ms)
        request_flush(log, end);
}

/* ---- appending ---- */

static bool should_roll(const struct plog *log, const struct segment *seg, size_t len,
                        int64_t max_timestamp, int64_t now_ms)
{
    if (seg->size == 0)
        return false;
    if ((int64_t)seg->size > log->cfg.segment_bytes - (int64_t)len)
        return true;
    if (segment_indexes_full(seg))
        return true;
    int64_t waited = seg->first_batch_timestamp >= 0 ? max_timestamp - seg->first_batch_timestamp
                                                     : now_ms - seg->created_ms;
    return waited > log->cfg.segment_ms - seg->roll_jitter_ms;
}

/* Makes a new active segment starting at base_offset. An empty active segment is replaced
 * rather than kept: it holds nothing. */
static gerr_t roll_at(struct plog *log, int64_t base_offset, int64_t now_ms)
{
    struct segment *old = active_segment(log);
    if (old->size == 0 && old->base_offset == base_offset)
        return ERR_NONE;
    if (old->size == 0) {
        delete_segment(log, old);
        log->nsegments--;
    } else {
        segment_seal(old);
    }
    struct segment *seg;
    gerr_t err = segment_create(&seg, log->dir, base_offset, &log->cfg, now_ms);
    if (err != ERR_NONE) {
        log->failed = true;
        return ERR_KAFKA_STORAGE_ERROR;
    }
    push_segment(log, seg);
    log_debug("log", "Rolled new log segment for %s at offset %" PRId64, log->name, base_offset);
    /* Flush the sealed segment in the background so recovery never has to look at it. */
    request_flush(log, base_offset);
    return ERR_NONE;
}

gerr_t plog_roll(struct plog *log, int64_t now_ms)
{
    return roll_at(log, plog_log_end_offset(log), now_ms);
}

/* Appends batches whose offsets are set and checked, rolling first when needed. */
static gerr_t append_batches(struct plog *log, const uint8_t *data, size_t len,
                             const struct rb_set_info *set, int64_t now_ms)
{
    struct segment *seg = active_segment(log);
    bool relative_overflow = set->last_offset - seg->base_offset > INT32_MAX;
    if (relative_overflow || should_roll(log, seg, len, set->max_timestamp, now_ms)) {
        gerr_t err = roll_at(log, set->first_offset, now_ms);
        if (err != ERR_NONE)
            return err;
    }
    gerr_t err = segment_append(active_segment(log), data, len);
    if (err != ERR_NONE) {
        log->failed = true;
        return err;
    }
    plog_maybe_flush(log, now_ms);
    return ERR_NONE;
}

static void fill_info(struct log_append_info *info, const struct rb_set_info *set)
{
    info->first_offset = set->first_offset;
    info->last_offset = set->last_offset;
    info->max_timestamp = set->max_timestamp;
    info->record_count = set->record_count;
}

/* The checks every append starts with: a working log and a valid set of batches. */
static gerr_t validate_append(const struct plog *log, const uint8_t *data, size_t len,
                              bool from_client, struct rb_set_info *set)
{
    if (log->failed)
        return ERR_KAFKA_STORAGE_ERROR;
    struct rb_validate_opts opts = {.max_batch_bytes = (size_t)log->cfg.max_message_bytes,
                                    .from_client = from_client};
    return rb_validate_set(data, len, &opts, set);
}

gerr_t plog_append_as_leader(struct plog *log, uint8_t *batch, size_t len, int32_t leader_epoch,
                             int64_t now_ms, struct log_append_info *info)
{
    struct rb_set_info set;
    gerr_t err = validate_append(log, batch, len, true, &set);
    if (err != ERR_NONE)
        return err;

    int64_t base = plog_log_end_offset(log);
    rb_set_base_offset(batch, base);
    rb_set_leader_epoch(batch, leader_epoch);
    set.last_offset = base + (set.last_offset - set.first_offset);
    set.offset_of_max_timestamp = base + (set.offset_of_max_timestamp - set.first_offset);
    set.first_offset = base;

    err = append_batches(log, batch, len, &set, now_ms);
    if (err == ERR_NONE)
        fill_info(info, &set);
    return err;
}

gerr_t plog_append_as_follower(struct plog *log, const uint8_t *batches, size_t len,
                               int64_t now_ms, struct log_append_info *info)
{
    struct rb_set_info set;
    gerr_t err = validate_append(log, batches, len, false, &set);
    if (err != ERR_NONE)
        return err;
    if (set.first_offset < plog_log_end_offset(log)) {
        log_error("log", "%s: replicated batch at offset %" PRId64 " is below the log end %" PRId64,
                  log->name, set.first_offset, plog_log_end_offset(log));
        return ERR__INVALID_ARG;
    }
    err = append_batches(log, batches, len, &set, now_ms);
    if (err == ERR_NONE)
        fill_info(info, &set);
    return err;
}

/* ---- reading ---- */

gerr_t plog_read(struct plog *log, int64_t offset, uint64_t max_bytes, int64_t max_offset,
                 bool min_one_batch, struct log_span *span)
{
    int64_t end = plog_log_end_offset(log);
    *span = (struct log_span){.fd = -1};
    if (offset < log->log_start_offset || offset > end)
        return ERR_OFFSET_OUT_OF_RANGE;
    if (max_offset > end)
        max_offset = end;

    for (size_t i = floor_segment(log, offset); i < log->nsegments && offset < max_offset; i++) {
        struct segment *seg = log->segments[i];
        if (offset >= seg->next_offset)
            continue; /* a gap between segments: the data resumes in the next one */
        segment_read_range(seg, offset, max_bytes, max_offset, min_one_batch, &span->position,
                           &span->length);
        if (span->length > 0) {
            segment_ref(seg);
            span->segment = seg;
            span->fd = seg->log_fd;
        }
        break;
    }
    return ERR_NONE;
}

void plog_span_release(struct log_span *span)
{
    if (span->segment)
        segment_unref(span->segment);
    span->segment = NULL;
    span->fd = -1;
    span->length = 0;
}

gerr_t plog_offset_for_timestamp(struct plog *log, int64_t timestamp, int64_t *offset,
                                 int64_t *found_timestamp)
{
    for (size_t i = 0; i < log->nsegments; i++) {
        struct segment *seg = log->segments[i];
        if (seg->next_offset <= log->log_start_offset)
            continue;
        if (segment_offset_for_timestamp(seg, timestamp, offset, found_timestamp)) {
            if (*offset < log->log_start_offset)
                *offset = log->log_start_offset;
            return ERR_NONE;
        }
    }
    return ERR__NOT_FOUND;
}

/* ---- retention ---- */

/* Why a leading segment may go, or NULL when it must stay. */
static const char *retention_reason(const struct plog *log, const struct segment *seg,
                                    uint64_t total_bytes, int64_t now_ms)
{
    if (seg->next_offset <= log->log_start_offset)
        return "log start offset";
    if (!log->cfg.cleanup_delete)
        return NULL;
    if (log->cfg.retention_ms >= 0 &&
        now_ms - segment_largest_timestamp(seg) > log->cfg.retention_ms)
        return "retention time";
    if (log->cfg.retention_bytes >= 0 &&
        (int64_t)(total_bytes - seg->size) >= log->cfg.retention_bytes)
        return "retention size";
    return NULL;
}

int plog_apply_retention(struct plog *log, int64_t now_ms)
{
    uint64_t total = plog_size_bytes(log);
    size_t n = 0;
    /* Never the active segment, never data the high watermark has not passed. */
    while (n + 1 < log->nsegments && log->segments[n]->next_offset <= log->high_watermark) {
        struct segment *seg = log->segments[n];
        const char *reason = retention_reason(log, seg, total, now_ms);
        if (reason == NULL)
            break;
        log_info("log", "Deleting segment %020" PRId64 " of %s (%" PRIu64 " bytes) due to %s",
                 seg->base_offset, log->name, seg->size, reason);
        total -= seg->size;
        n++;
    }
    for (size_t i = 0; i < n; i++)
        delete_segment(log, log->segments[i]);
    memmove(log->segments, log->segments + n, (log->nsegments - n) * sizeof(*log->segments));
    log->nsegments -= n;
    if (log->segments[0]->base_offset > log->log_start_offset)
        log->log_start_offset = log->segments[0]->base_offset;
    if (log->recovery_point < log->log_start_offset)
        log->recovery_point = log->log_start_offset;
    return (int)n;
}

void plog_advance_log_start_offset(struct plog *log, int64_t offset)
{
    int64_t limit = log->high_watermark;
    if (offset > limit)
        offset = limit;
    if (offset > log->log_start_offset)
        log->log_start_offset = offset;
}

/* ---- truncation ---- */

/* After a truncation: the bookkeeping offsets cannot lie past the new end, and whoever waits
 * for data that is gone hears so. */
static void after_truncation(struct plog *log)
{
    int64_t end = plog_log_end_offset(log);
    log->truncations++;
    if (log->recovery_point > end)
        log->recovery_point = end;
    if (log->high_watermark > end)
        log->high_watermark = end;
    if (log->flush_wanted > end)
        log->flush_wanted = end;

    struct durable_waiter **link = &log->waiters;
    while (*link) {
        struct durable_waiter *w = *link;
        if (w->offset <= end) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        w->fn(w->arg, ERR__TRUNCATED);
        free(w);
    }
}

gerr_t plog_truncate_fully_and_start_at(struct plog *log, int64_t offset, int64_t now_ms)
{
    while (log->nsegments > 0)
        delete_segment(log, log->segments[--log->nsegments]);
    struct segment *seg;
    gerr_t err = segment_create(&seg, log->dir, offset, &log->cfg, now_ms);
    if (err != ERR_NONE) {
        log->failed = true;
        return ERR_KAFKA_STORAGE_ERROR;
    }
    push_segment(log, seg);
    log->log_start_offset = offset;
    log->recovery_point = offset;
    log->high_watermark = offset;
    after_truncation(log);
    log_info("log", "Truncated %s fully; it now starts at offset %" PRId64, log->name, offset);
    return ERR_NONE;
}

gerr_t plog_truncate_to(struct plog *log, int64_t offset)
{
    int64_t end = plog_log_end_offset(log);
    if (offset >= end)
        return ERR_NONE;
    if (offset < log->log_start_offset || offset <= log->segments[0]->base_offset)
        return plog_truncate_fully_and_start_at(log, offset, clock_wall_ms());

    size_t keep = floor_segment(log, offset);
    if (log->segments[keep]->base_offset == offset)
        keep--; /* that segment would be left empty: drop it whole */
    gerr_t err = drop_segments_after(log, keep);
    if (err == ERR_NONE)
        err = segment_truncate_to(active_segment(log), offset);
    if (err != ERR_NONE) {
        log->failed = true;
        return ERR_KAFKA_STORAGE_ERROR;
    }
    after_truncation(log);
    log_info("log", "Truncated %s to offset %" PRId64 " (was %" PRId64 ")", log->name,
             plog_log_end_offset(log), end);
    return ERR_NONE;
}

/* ---- closing ---- */

gerr_t plog_close(struct plog *log)
{
    if (log == NULL)
        return ERR_NONE;
    while (log->flush_running)
        workq_drain(log->wq);
    /* Seal first, so the flush below also syncs the trimmed indexes of the last segment. */
    segment_seal(active_segment(log));
    for (size_t i = floor_segment(log, log->recovery_point); i < log->nsegments && !log->failed;
         i++) {
        if (segment_flush(log->segments[i]) != 0) {
            log_error("log", "fsync of %s failed at close: %s", log->name, strerror(errno));
            log->failed = true;
        }
    }
    if (!log->failed)
        log->recovery_point = plog_log_end_offset(log);
    wake_waiters(log, log->failed ? ERR_KAFKA_STORAGE_ERROR : ERR_NONE);
    gerr_t err = log->failed ? ERR_KAFKA_STORAGE_ERROR : ERR_NONE;
    plog_free(log);
    return err;
}
