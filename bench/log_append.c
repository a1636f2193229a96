/* log_append: measures the partition log engine (broker/log/partition_log.h) on one partition:
 * buffered appends (or group-committed durable appends), a sequential read-back served with
 * sendfile, and random offset lookups, each in wall time and process CPU time. */
#include "broker/log/batch_builder.h"
#include "broker/log/log_config.h"
#include "broker/log/offset_index.h"
#include "broker/log/partition_log.h"
#include "broker/log/record_batch.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/workq.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL_BATCHES     64
#define READ_SPAN_BYTES  (1u << 20)
#define DRAIN_BUF_BYTES  (256u << 10)
#define PAYLOAD_BYTES    (1u << 20)
#define PEEK_BYTES       27 /* batch header up to and including lastOffsetDelta */
#define TIMER_SAMPLES    100000

struct options {
    const char *dir;
    uint64_t total_bytes;
    uint64_t batch_bytes;
    uint64_t record_bytes;
    uint64_t segment_bytes;
    bool durable;
    int inflight;
    uint64_t lookups;
    bool json;
    bool keep;
};

/* A snapshot of the clocks a phase is measured with. */
struct usage {
    int64_t wall_ns;
    int64_t cpu_ns;    /* whole process, all threads */
    int64_t thread_ns; /* the calling (broker-like) thread only */
    int64_t user_us;
    int64_t sys_us;
};

struct phase {
    uint64_t bytes;
    double wall_s, cpu_s, thread_s, user_s, sys_s;
};

/* What one append wrote: the read phase walks these to find the offset after each span. */
struct appended {
    int64_t first_offset;
    uint32_t bytes;
};

struct durable_ack {
    struct bench *b;
    size_t index;
    int64_t start_ns;
};

/* What the socket reader saw, checked against what was appended. */
struct drain {
    int fd;
    uint64_t bytes;
    uint64_t batches;
    int64_t next_offset; /* the base offset the next batch must carry */
    bool broken;
    uint8_t peek[PEEK_BYTES];
    size_t peeked;
    uint64_t body_left;
};

struct bench {
    struct options opt;
    char base_dir[PATH_MAX];
    char log_dir[PATH_MAX + 16];
    struct workq *wq;
    struct plog *log;

    uint8_t *pool[POOL_BATCHES];
    size_t pool_len[POOL_BATCHES];
    int32_t records_per_batch;

    struct appended *appends;
    size_t nappends;
    size_t max_appends;
    uint64_t bytes_appended;

    struct phase append, settle, read, close;
    size_t segments;
    uint64_t spans;
    int64_t last_offset_read;

    /* durable mode */
    struct durable_ack *acks;
    int64_t *ack_ns;
    int inflight;
    size_t acked;
    size_t ack_errors;
    uint64_t fsyncs;
    int64_t last_recovery_point;

    /* lookups, microseconds */
    double read_pct[3], index_pct[3];
    double timer_overhead_ns;
    size_t lookup_errors;

    const char *failure;
};

static const double percentiles[3] = {0.50, 0.99, 0.999};

/* ---- small helpers ---- */

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void usage_now(struct usage *u)
{
    struct timespec ts;
    struct rusage ru;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    u->cpu_ns = ts_ns(&ts);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    u->thread_ns = ts_ns(&ts);
    getrusage(RUSAGE_SELF, &ru);
    u->user_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
    u->sys_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
    u->wall_ns = clock_monotonic_ns(); /* last, so the snapshot itself is mostly outside */
}

static void phase_end(struct phase *p, const struct usage *start, uint64_t bytes)
{
    struct usage end;
    usage_now(&end);
    p->bytes = bytes;
    p->wall_s = (double)(end.wall_ns - start->wall_ns) / 1e9;
    p->cpu_s = (double)(end.cpu_ns - start->cpu_ns) / 1e9;
    p->thread_s = (double)(end.thread_ns - start->thread_ns) / 1e9;
    p->user_s = (double)(end.user_us - start->user_us) / 1e6;
    p->sys_s = (double)(end.sys_us - start->sys_us) / 1e6;
}

/* MB/s with MB = 10^6 bytes. */
static double mb_per_s(const struct phase *p)
{
    return p->wall_s > 0 ? (double)p->bytes / 1e6 / p->wall_s : 0;
}

/* CPU seconds per GB with GB = 10^9 bytes. */
static double cpu_per_gb(double cpu_s, uint64_t bytes)
{
    return bytes > 0 ? cpu_s / ((double)bytes / 1e9) : 0;
}

static uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Accepts a plain number or one with a binary suffix: 16k, 256M, 1G. */
static bool parse_size(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static size_t rank(size_t n, double q)
{
    size_t r = (size_t)(q * (double)n + 0.999999);
    return r == 0 ? 0 : (r > n ? n - 1 : r - 1);
}

static void fail(struct bench *b, const char *why)
{
    if (b->failure == NULL)
        b->failure = why;
}

/* ---- options ---- */

static void usage_exit(const char *prog)
{
    fprintf(stderr,
            "usage: %s [--dir DIR] [--total-bytes N] [--batch-bytes N] [--record-bytes N]\n"
            "          [--segment-bytes N] [--durable] [--inflight K] [--lookups N] [--json]\n"
            "          [--keep]\n"
            "sizes take k/M/G suffixes (binary). The log goes in a new directory under DIR\n"
            "(default /tmp), removed at the end unless --keep.\n", prog);
    exit(2);
}

static void parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"total-bytes", required_argument, NULL, 't'},
        {"batch-bytes", required_argument, NULL, 'b'},
        {"record-bytes", required_argument, NULL, 'r'},
        {"segment-bytes", required_argument, NULL, 's'},
        {"durable", no_argument, NULL, 'D'},
        {"inflight", required_argument, NULL, 'i'},
        {"lookups", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"keep", no_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    *opt = (struct options){.dir = "/tmp", .total_bytes = 1ULL << 30, .batch_bytes = 16384,
                            .record_bytes = 1024, .segment_bytes = 1ULL << 30, .inflight = 8,
                            .lookups = 1000000};
    uint64_t inflight = 8;
    bool ok = true;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': opt->dir = optarg; break;
        case 't': ok = ok && parse_size(optarg, &opt->total_bytes); break;
        case 'b': ok = ok && parse_size(optarg, &opt->batch_bytes); break;
        case 'r': ok = ok && parse_size(optarg, &opt->record_bytes); break;
        case 's': ok = ok && parse_size(optarg, &opt->segment_bytes); break;
        case 'D': opt->durable = true; break;
        case 'i': ok = ok && parse_size(optarg, &inflight); break;
        case 'l': ok = ok && parse_size(optarg, &opt->lookups); break;
        case 'j': opt->json = true; break;
        case 'k': opt->keep = true; break;
        default: usage_exit(argv[0]);
        }
    }
    if (!ok || optind != argc || opt->total_bytes == 0 || opt->record_bytes == 0 ||
        opt->record_bytes >= PAYLOAD_BYTES || opt->batch_bytes > (1u << 20) ||
        opt->segment_bytes > INT32_MAX || inflight == 0 || inflight > 65536)
        usage_exit(argv[0]);
    opt->inflight = (int)inflight;
}

/* ---- the batch pool ---- */

static size_t varint_size(int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); /* zigzag */
    size_t n = 1;
    while (z >= 0x80) {
        z >>= 7;
        n++;
    }
    return n;
}

/* Bytes one record takes in a batch: null key, no headers, timestamp delta 0. */
static size_t record_size(int32_t offset_delta, size_t value_len)
{
    size_t body = 1 + 1 + varint_size(offset_delta) + 1 + varint_size((int64_t)value_len) +
                  value_len + 1;
    return varint_size((int64_t)body) + body;
}

/* The largest value that makes the next record fit in `room` bytes, or -1. Filling the batch
 * exactly makes each append one batch-bytes write, like fio's bs. */
static int64_t filler_value_len(int32_t offset_delta, size_t room)
{
    for (size_t v = room; v + 16 > room && v > 0; v--) {
        if (record_size(offset_delta, v) <= room)
            return (int64_t)v;
    }
    return record_size(offset_delta, 0) <= room ? 0 : -1;
}

/* One batch of whole record-bytes records plus one filler record for the remainder. Values
 * are slices of a random buffer, so batches differ and nothing compresses by accident. */
static void build_batch(struct bench *b, struct batch_builder *bb, const uint8_t *payload,
                        uint64_t *rng, int64_t now_ms)
{
    size_t rec = (size_t)b->opt.record_bytes;
    batch_builder_reset(bb, now_ms);
    int32_t n = 0;
    do {
        size_t at = (size_t)(xorshift64(rng) % (PAYLOAD_BYTES - rec));
        batch_builder_add(bb, now_ms, NULL, -1, payload + at, (int32_t)rec);
        n++;
    } while (bb->out.len + record_size(n, rec) <= b->opt.batch_bytes);
    if (bb->out.len < b->opt.batch_bytes) {
        int64_t v = filler_value_len(n, (size_t)(b->opt.batch_bytes - bb->out.len));
        if (v >= 0) {
            batch_builder_add(bb, now_ms, NULL, -1, payload, (int32_t)v);
            n++;
        }
    }
    batch_builder_finish(bb);
    b->records_per_batch = n;
}

static void build_pool(struct bench *b)
{
    uint8_t *payload = malloc(PAYLOAD_BYTES);
    if (payload == NULL)
        abort();
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < PAYLOAD_BYTES; i += 8) {
        uint64_t v = xorshift64(&rng);
        memcpy(payload + i, &v, 8);
    }
    struct batch_builder bb;
    int64_t now = clock_wall_ms();
    batch_builder_init(&bb, now);
    size_t min_len = SIZE_MAX;
    for (int i = 0; i < POOL_BATCHES; i++) {
        build_batch(b, &bb, payload, &rng, now);
        b->pool[i] = malloc(bb.out.len);
        if (b->pool[i] == NULL)
            abort();
        memcpy(b->pool[i], bb.out.data, bb.out.len);
        b->pool_len[i] = bb.out.len;
        if (bb.out.len < min_len)
            min_len = bb.out.len;
    }
    batch_builder_free(&bb);
    free(payload);
    b->max_appends = (size_t)(b->opt.total_bytes / min_len) + 1;
    b->appends = calloc(b->max_appends, sizeof(*b->appends));
    if (b->appends == NULL)
        abort();
}

/* ---- setup and teardown ---- */

static bool open_log(struct bench *b)
{
    snprintf(b->base_dir, sizeof(b->base_dir), "%s/log_append.XXXXXX", b->opt.dir);
    if (mkdtemp(b->base_dir) == NULL) {
        fprintf(stderr, "log_append: cannot create a directory in %s: %s\n", b->opt.dir,
                strerror(errno));
        return false;
    }
    /* plog wants the last path element to be "<topic>-<partition>". */
    snprintf(b->log_dir, sizeof(b->log_dir), "%s/bench-0", b->base_dir);
    struct log_config cfg;
    log_config_defaults(&cfg);
    cfg.segment_bytes = (int64_t)b->opt.segment_bytes;
    cfg.flush_before_ack = b->opt.durable;
    struct plog_open_opts oo = {.recover = false, .recovery_point = 0, .log_start_offset = -1};
    b->wq = workq_new(1, "io");
    gerr_t err = plog_open(&b->log, b->log_dir, &cfg, &oo, b->wq, clock_wall_ms());
    if (err != ERR_NONE) {
        fprintf(stderr, "log_append: plog_open(%s): %s\n", b->log_dir, gerr_name(err));
        return false;
    }
    return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "log_append: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

/* Closes the log (which fsyncs what is left: timed apart) and removes its directory. */
static void close_log(struct bench *b)
{
    struct usage start;
    usage_now(&start);
    if (b->log && plog_close(b->log) != ERR_NONE)
        fail(b, "plog_close did not get everything to disk");
    b->log = NULL;
    workq_free(b->wq);
    phase_end(&b->close, &start, b->bytes_appended);
    if (!b->opt.keep && b->base_dir[0] != '\0')
        nftw(b->base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- append phases ---- */

static bool next_batch_fits(const struct bench *b, size_t i)
{
    size_t len = b->pool_len[i % POOL_BATCHES];
    return i < b->max_appends && (i == 0 || b->bytes_appended + len <= b->opt.total_bytes);
}

/* Appends batch i of the round-robin and remembers where it went. */
static bool append_one(struct bench *b, size_t i, struct log_append_info *info, int64_t now_ms)
{
    uint8_t *batch = b->pool[i % POOL_BATCHES];
    size_t len = b->pool_len[i % POOL_BATCHES];
    gerr_t err = plog_append_as_leader(b->log, batch, len, 0, now_ms, info);
    if (err != ERR_NONE) {
        fprintf(stderr, "log_append: append %zu failed: %s\n", i, gerr_name(err));
        fail(b, "an append failed");
        return false;
    }
    b->appends[i] = (struct appended){.first_offset = info->first_offset, .bytes = (uint32_t)len};
    b->nappends = i + 1;
    b->bytes_appended += len;
    return true;
}

/* Buffered appends: pwrite into the page cache, no fsync (the log fsyncs a sealed segment
 * on a worker after a roll, as it would in a broker). Stops before total-bytes is passed, so
 * with total-bytes == segment-bytes the log does not roll. */
static void run_buffered_appends(struct bench *b)
{
    struct log_append_info info;
    struct usage start;
    usage_now(&start);
    int64_t now = clock_wall_ms();
    for (size_t i = 0; next_batch_fits(b, i); i++) {
        if (!append_one(b, i, &info, now))
            break;
        /* A broker stamps appends with its loop's cached time and runs completions (roll
         * flushes) between events; once every 256 appends stands in for both. */
        if ((i & 255) == 255) {
            now = clock_wall_ms();
            workq_run_completions(b->wq);
        }
    }
    phase_end(&b->append, &start, b->bytes_appended);

    /* Any roll flush still running is waited for apart, so it neither counts as append time
     * nor competes with the read phase. */
    usage_now(&start);
    workq_drain(b->wq);
    phase_end(&b->settle, &start, 0);
}

/* A durable callback: one append is on disk. Every waiter woken by the same fsync sees the
 * same recovery point, so counting distinct values counts flush groups. */
static void on_durable(void *arg, gerr_t err)
{
    struct durable_ack *ack = arg;
    struct bench *b = ack->b;
    b->ack_ns[ack->index] = clock_monotonic_ns() - ack->start_ns;
    if (err != ERR_NONE)
        b->ack_errors++;
    int64_t rp = plog_recovery_point(b->log);
    if (rp != b->last_recovery_point) {
        b->fsyncs++;
        b->last_recovery_point = rp;
    }
    b->acked++;
    b->inflight--;
}

/* Blocks until the worker has finished something, then runs the completions. */
static void wait_completions(struct bench *b)
{
    struct pollfd pfd = {.fd = workq_fd(b->wq), .events = POLLIN};
    while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
    }
    workq_run_completions(b->wq);
}

/* Durable appends: each waits for plog_when_durable before it counts as acknowledged, with
 * up to `inflight` outstanding; the log batches waiting appends into one fsync. */
static void run_durable_appends(struct bench *b)
{
    b->acks = calloc(b->max_appends, sizeof(*b->acks));
    b->ack_ns = calloc(b->max_appends, sizeof(*b->ack_ns));
    if (b->acks == NULL || b->ack_ns == NULL)
        abort();
    b->last_recovery_point = plog_recovery_point(b->log);

    struct log_append_info info;
    struct usage start;
    usage_now(&start);
    size_t i = 0;
    while (next_batch_fits(b, i) || b->inflight > 0) {
        if (b->inflight >= b->opt.inflight || !next_batch_fits(b, i)) {
            wait_completions(b);
            continue;
        }
        int64_t t0 = clock_monotonic_ns();
        if (!append_one(b, i, &info, clock_wall_ms()))
            break;
        b->acks[i] = (struct durable_ack){.b = b, .index = i, .start_ns = t0};
        b->inflight++;
        plog_when_durable(b->log, info.last_offset + 1, on_durable, &b->acks[i]);
        i++;
        workq_run_completions(b->wq); /* what an event loop would do between requests */
    }
    workq_drain(b->wq);
    phase_end(&b->append, &start, b->bytes_appended);
    if (b->acked != b->nappends || b->ack_errors > 0)
        fail(b, "not every durable append was acknowledged without error");
    if (plog_recovery_point(b->log) < plog_log_end_offset(b->log))
        fail(b, "the recovery point is below the log end after the durable phase");
}

/* ---- read phase ---- */

/* Consumes one chunk of the byte stream, checking each batch's base offset against the
 * previous batch's last offset. Only the first 27 bytes of a batch are looked at. */
static void drain_parse(struct drain *d, const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n;
    while (p < end && !d->broken) {
        if (d->body_left > 0) {
            size_t take = (size_t)(d->body_left < (uint64_t)(end - p) ? d->body_left
                                                                       : (uint64_t)(end - p));
            p += take;
            d->body_left -= take;
            continue;
        }
        size_t take = PEEK_BYTES - d->peeked;
        if (take > (size_t)(end - p))
            take = (size_t)(end - p);
        memcpy(d->peek + d->peeked, p, take);
        d->peeked += take;
        p += take;
        if (d->peeked < PEEK_BYTES)
            break;
        int64_t base = (int64_t)be64_load(d->peek);
        int32_t length = (int32_t)be32_load(d->peek + 8);
        int32_t last_delta = (int32_t)be32_load(d->peek + 23);
        if (base != d->next_offset || length < RB_HEADER_SIZE - RB_LOG_OVERHEAD ||
            last_delta < 0) {
            d->broken = true;
            break;
        }
        d->next_offset = base + last_delta + 1;
        d->body_left = (uint64_t)length + RB_LOG_OVERHEAD - PEEK_BYTES;
        d->peeked = 0;
        d->batches++;
    }
}

/* The consumer end of the socket: reads into a small buffer, as a client library would. */
static void *drain_main(void *arg)
{
    struct drain *d = arg;
    uint8_t *buf = malloc(DRAIN_BUF_BYTES);
    if (buf == NULL)
        abort();
    for (;;) {
        ssize_t n = read(d->fd, buf, DRAIN_BUF_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        d->bytes += (uint64_t)n;
        drain_parse(d, buf, (size_t)n);
    }
    free(buf);
    return NULL;
}

static bool send_span(int sock, const struct log_span *span)
{
    off_t pos = (off_t)span->position;
    uint64_t left = span->length;
    while (left > 0) {
        ssize_t n = sendfile(sock, span->fd, &pos, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        left -= (uint64_t)n;
    }
    return true;
}

/* The offset after a span that starts at append *cursor: the span holds whole batches, so the
 * appends it covers add up to its length exactly. Walking the append record costs nothing
 * and leaves the read path to plog_read and sendfile alone; the socket reader checks the
 * offsets in the bytes themselves. Returns -1 when the span does not end on a batch. */
static int64_t offset_after_span(const struct bench *b, size_t *cursor, uint64_t length)
{
    uint64_t covered = 0;
    while (covered < length && *cursor < b->nappends)
        covered += b->appends[(*cursor)++].bytes;
    if (covered != length)
        return -1;
    return *cursor < b->nappends ? b->appends[*cursor].first_offset
                                 : plog_log_end_offset(b->log);
}

/* Reads the whole log from offset 0 in 1 MiB spans, as a follower fetch would, and sends each
 * span with sendfile into a Unix socket drained by another thread. */
static void read_all(struct bench *b, int sock)
{
    int64_t end = plog_log_end_offset(b->log);
    int64_t offset = 0;
    size_t cursor = 0;
    uint64_t bytes = 0;
    while (offset < end) {
        struct log_span span;
        gerr_t err = plog_read(b->log, offset, READ_SPAN_BYTES, end, true, &span);
        if (err != ERR_NONE || span.length == 0) {
            fail(b, "plog_read returned nothing before the log end");
            break;
        }
        bool sent = send_span(sock, &span);
        uint64_t length = span.length;
        plog_span_release(&span);
        int64_t next = offset_after_span(b, &cursor, length);
        if (!sent || next < 0) {
            fail(b, sent ? "a read span did not end on a batch boundary" : "sendfile failed");
            break;
        }
        bytes += length;
        b->spans++;
        b->last_offset_read = next - 1;
        offset = next;
    }
    b->read.bytes = bytes;
}

static void run_read(struct bench *b)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        fail(b, "socketpair failed");
        return;
    }
    struct drain d = {.fd = sv[1]};
    pthread_t reader;
    if (pthread_create(&reader, NULL, drain_main, &d) != 0)
        abort();

    b->last_offset_read = -1;
    struct usage start;
    usage_now(&start);
    read_all(b, sv[0]);
    shutdown(sv[0], SHUT_WR);
    pthread_join(reader, NULL); /* inside the timing: the bytes count once they arrive */
    phase_end(&b->read, &start, b->read.bytes);
    close(sv[0]);
    close(sv[1]);

    int64_t end = plog_log_end_offset(b->log);
    if (b->read.bytes != b->bytes_appended || d.bytes != b->bytes_appended)
        fail(b, "the bytes read differ from the bytes appended");
    if (b->last_offset_read != end - 1 || d.next_offset != end)
        fail(b, "the last offset read is not LEO-1");
    if (d.broken || d.batches != b->nappends)
        fail(b, "the batches received are not the batches appended, in order");
}

/* ---- lookups ---- */

static void percentiles_us(uint32_t *ns, size_t n, double out[3])
{
    qsort(ns, n, sizeof(*ns), compare_u32);
    for (int k = 0; k < 3; k++)
        out[k] = n ? (double)ns[rank(n, percentiles[k])] / 1e3 : 0;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_ns(&ts);
}

/* The median cost of the two clock reads that bracket each sample: it is inside every figure. */
static double timer_overhead(void)
{
    uint32_t *s = malloc(TIMER_SAMPLES * sizeof(*s));
    if (s == NULL)
        abort();
    for (size_t i = 0; i < TIMER_SAMPLES; i++) {
        int64_t t0 = now_ns();
        s[i] = (uint32_t)(now_ns() - t0);
    }
    qsort(s, TIMER_SAMPLES, sizeof(*s), compare_u32);
    double median = s[TIMER_SAMPLES / 2];
    free(s);
    return median;
}

/* True when the batch at the span's start holds `offset` (checked outside the timing). */
static bool span_holds(const struct log_span *span, int64_t offset)
{
    uint8_t h[PEEK_BYTES];
    if (pread(span->fd, h, sizeof(h), (off_t)span->position) != (ssize_t)sizeof(h))
        return false;
    int64_t base = (int64_t)be64_load(h);
    int64_t last = base + (int32_t)be32_load(h + 23);
    return base <= offset && offset <= last && span->length == be32_load(h + 8) + 12u;
}

/* plog_read of one byte at a random offset: segment floor search, offset index search and a
 * walk over at most a few batch headers (pread), i.e. a consumer's fetch positioning. */
static void time_plog_reads(struct bench *b, uint32_t *ns, uint64_t *rng)
{
    int64_t end = plog_log_end_offset(b->log);
    for (size_t i = 0; i < b->opt.lookups; i++) {
        int64_t target = (int64_t)(xorshift64(rng) % (uint64_t)end);
        struct log_span span;
        int64_t t0 = now_ns();
        gerr_t err = plog_read(b->log, target, 1, end, true, &span);
        ns[i] = (uint32_t)(now_ns() - t0);
        if (err != ERR_NONE || span.length == 0 || !span_holds(&span, target))
            b->lookup_errors++;
        plog_span_release(&span);
    }
}

/* The in-memory binary search over the active segment's mmapped offset index alone. */
static void time_index_lookups(struct bench *b, uint32_t *ns, uint64_t *rng)
{
    struct log_span span;
    int64_t end = plog_log_end_offset(b->log);
    if (plog_read(b->log, end - 1, 1, end, true, &span) != ERR_NONE || span.segment == NULL) {
        b->lookup_errors++;
        return;
    }
    const struct segment *seg = span.segment; /* the last segment: the active one */
    uint64_t width = (uint64_t)(seg->next_offset - seg->base_offset);
    for (size_t i = 0; i < b->opt.lookups; i++) {
        int64_t target = seg->base_offset + (int64_t)(xorshift64(rng) % width);
        int64_t found;
        uint32_t position;
        int64_t t0 = now_ns();
        offset_index_lookup(&seg->offsets, target, &found, &position);
        ns[i] = (uint32_t)(now_ns() - t0);
        if (found > target || position >= seg->size)
            b->lookup_errors++;
    }
    plog_span_release(&span);
}

static void run_lookups(struct bench *b)
{
    if (b->opt.lookups == 0)
        return;
    uint32_t *ns = malloc(b->opt.lookups * sizeof(*ns));
    if (ns == NULL)
        abort();
    uint64_t rng = 0xD1B54A32D192ED03ULL;
    b->timer_overhead_ns = timer_overhead();
    time_plog_reads(b, ns, &rng);
    percentiles_us(ns, b->opt.lookups, b->read_pct);
    time_index_lookups(b, ns, &rng);
    percentiles_us(ns, b->opt.lookups, b->index_pct);
    free(ns);
    if (b->lookup_errors > 0)
        fail(b, "a lookup found the wrong batch");
}

/* ---- reporting ---- */

static double ack_percentile_us(const struct bench *b, double q)
{
    return b->nappends ? (double)b->ack_ns[rank(b->nappends, q)] / 1e3 : 0;
}

static void print_phase_text(const char *name, const struct phase *p)
{
    printf("%-8s %10.1f MB/s  %7.3f s wall  %7.3f CPU-s (user %.3f, sys %.3f)  "
           "%6.3f CPU-s/GB\n", name, mb_per_s(p), p->wall_s, p->cpu_s, p->user_s, p->sys_s,
           cpu_per_gb(p->cpu_s, p->bytes));
}

static void print_text(const struct bench *b)
{
    printf("log_append: %" PRIu64 " bytes in %zu batches of %zu bytes (%d records, record "
           "value %" PRIu64 " bytes), %zu segment(s) of at most %" PRIu64 " bytes, dir %s\n",
           b->bytes_appended, b->nappends, b->pool_len[0], b->records_per_batch,
           b->opt.record_bytes, b->segments, b->opt.segment_bytes, b->base_dir);
    printf("MB = 10^6 bytes, GB = 10^9 bytes; CPU = user+sys of the whole process\n");
    if (b->opt.durable) {
        print_phase_text("durable", &b->append);
        printf("         %10.0f appends/s, inflight %d, %" PRIu64 " fsyncs for %zu appends "
               "(%.2f appends/fsync), ack p50 %.1f us, p99 %.1f us\n",
               (double)b->nappends / b->append.wall_s, b->opt.inflight, b->fsyncs, b->nappends,
               b->fsyncs ? (double)b->nappends / (double)b->fsyncs : 0,
               ack_percentile_us(b, 0.50), ack_percentile_us(b, 0.99));
    } else {
        print_phase_text("append", &b->append);
        printf("         (buffered: into the page cache, no fsync; roll flush wait %.3f s)\n",
               b->settle.wall_s);
    }
    print_phase_text("read", &b->read);
    printf("         (%" PRIu64 " spans of <= 1 MiB, sendfile to a Unix socket drained by a "
           "thread; page cache hot; sending thread %.3f CPU-s = %.3f CPU-s/GB)\n", b->spans,
           b->read.thread_s, cpu_per_gb(b->read.thread_s, b->read.bytes));
    if (b->opt.lookups > 0) {
        printf("lookup   plog_read   p50 %.2f us  p99 %.2f us  p99.9 %.2f us  (%" PRIu64
               " random offsets)\n", b->read_pct[0], b->read_pct[1], b->read_pct[2],
               b->opt.lookups);
        printf("         index only  p50 %.2f us  p99 %.2f us  p99.9 %.2f us  (timer pair "
               "%.0f ns included)\n", b->index_pct[0], b->index_pct[1], b->index_pct[2],
               b->timer_overhead_ns);
    }
    printf("close    %.3f s (plog_close: fsync of what is not yet durable)\n", b->close.wall_s);
    printf("check    %s\n", b->failure ? b->failure : "ok: bytes and offsets read == written");
}

static void print_phase_json(const char *name, const struct phase *p)
{
    printf("\"%s\":{\"bytes\":%" PRIu64 ",\"wall_s\":%.6f,\"cpu_s\":%.6f,\"user_s\":%.6f,"
           "\"sys_s\":%.6f,\"thread_cpu_s\":%.6f,\"mb_per_s\":%.3f,\"cpu_s_per_gb\":%.6f},",
           name, p->bytes, p->wall_s, p->cpu_s, p->user_s, p->sys_s, p->thread_s, mb_per_s(p),
           cpu_per_gb(p->cpu_s, p->bytes));
}

static void print_json(const struct bench *b)
{
    printf("{\"mode\":\"%s\",\"bytes\":%" PRIu64 ",\"batches\":%zu,\"batch_bytes\":%zu,"
           "\"records_per_batch\":%d,\"record_bytes\":%" PRIu64 ",\"segments\":%zu,",
           b->opt.durable ? "durable" : "buffered", b->bytes_appended, b->nappends,
           b->pool_len[0], b->records_per_batch, b->opt.record_bytes, b->segments);
    print_phase_json(b->opt.durable ? "durable" : "append", &b->append);
    if (b->opt.durable)
        printf("\"durable_stats\":{\"inflight\":%d,\"appends_per_s\":%.1f,\"fsyncs\":%" PRIu64
               ",\"appends_per_fsync\":%.3f,\"ack_p50_us\":%.1f,\"ack_p99_us\":%.1f},",
               b->opt.inflight, (double)b->nappends / b->append.wall_s, b->fsyncs,
               b->fsyncs ? (double)b->nappends / (double)b->fsyncs : 0,
               ack_percentile_us(b, 0.50), ack_percentile_us(b, 0.99));
    else
        printf("\"settle_s\":%.6f,", b->settle.wall_s);
    print_phase_json("read", &b->read);
    printf("\"read_spans\":%" PRIu64 ",\"read_thread_cpu_s_per_gb\":%.6f,", b->spans,
           cpu_per_gb(b->read.thread_s, b->read.bytes));
    printf("\"lookup\":{\"n\":%" PRIu64 ",\"plog_read_p50_us\":%.3f,\"plog_read_p99_us\":%.3f,"
           "\"plog_read_p999_us\":%.3f,\"index_p50_us\":%.3f,\"index_p99_us\":%.3f,"
           "\"index_p999_us\":%.3f,\"timer_overhead_ns\":%.0f},", b->opt.lookups,
           b->read_pct[0], b->read_pct[1], b->read_pct[2], b->index_pct[0], b->index_pct[1],
           b->index_pct[2], b->timer_overhead_ns);
    printf("\"close_s\":%.6f,\"ok\":%s", b->close.wall_s, b->failure ? "false" : "true");
    if (b->failure)
        printf(",\"failure\":\"%s\"", b->failure);
    printf("}\n");
}

int main(int argc, char **argv)
{
    struct bench b;
    memset(&b, 0, sizeof(b));
    parse_options(argc, argv, &b.opt);
    logger_set_level(LOG_WARN);
    signal(SIGPIPE, SIG_IGN); /* a dead socket reader shows up as a sendfile error */

    build_pool(&b);
    if (!open_log(&b)) {
        if (b.base_dir[0] && !b.opt.keep)
            nftw(b.base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 1;
    }
    if (b.opt.durable)
        run_durable_appends(&b);
    else
        run_buffered_appends(&b);
    if (b.failure == NULL)
        run_read(&b);
    if (b.failure == NULL)
        run_lookups(&b);
    if (b.opt.durable)
        qsort(b.ack_ns, b.nappends, sizeof(*b.ack_ns), compare_i64);

    /* Report after closing: the close time and its result are part of the report. */
    b.segments = plog_segment_count(b.log);
    close_log(&b);
    if (b.opt.json)
        print_json(&b);
    else
        print_text(&b);
    for (int i = 0; i < POOL_BATCHES; i++)
        free(b.pool[i]);
    free(b.appends);
    free(b.acks);
    free(b.ack_ns);
    if (b.failure) {
        fprintf(stderr, "log_append: FAILED: %s\n", b.failure);
        return 1;
    }
    return 0;
}
