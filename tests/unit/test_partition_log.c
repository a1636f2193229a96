/* The partition log: offsets, reads across segments, rolls, follower appends, truncation,
 * offset for timestamp, flushing with group commit, and reopening. */
#include "broker/log/partition_log.h"
#include "broker/log/record_batch.h"
#include "common/clock.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/log_fixture.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir;
static struct workq *wq;

static void setup(void)
{
    dir = cunit_tempdir("plog");
    wq = workq_new(1, "test-io");
}

static void teardown(void)
{
    workq_free(wq);
    cunit_rmtree(dir);
    free(dir);
}

static struct rb_header header_at_offset(struct plog *log, int64_t offset)
{
    struct log_span span;
    struct rb_header h = {0};
    uint8_t raw[RB_HEADER_SIZE];
    CU_ASSERT_EQUAL_FATAL(plog_read(log, offset, 1, plog_log_end_offset(log), true, &span),
                          ERR_NONE);
    CU_ASSERT_FATAL(span.length >= RB_HEADER_SIZE);
    CU_ASSERT_EQUAL_FATAL(pread(span.fd, raw, sizeof(raw), (off_t)span.position), RB_HEADER_SIZE);
    rb_read_header(raw, &h);
    plog_span_release(&span);
    return h;
}

static void test_append_assigns_offsets(void)
{
    setup();
    struct log_config cfg = fixture_config();
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    for (int i = 0; i < 10; i++) {
        struct log_append_info info = fixture_append(log, 1, 5, 10, 1000 + i);
        CU_ASSERT_EQUAL(info.first_offset, i * 5);
        CU_ASSERT_EQUAL(info.last_offset, i * 5 + 4);
        CU_ASSERT_EQUAL(info.record_count, 5);
        CU_ASSERT_EQUAL(info.max_timestamp, 1000 + i);
    }
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 50);
    struct rb_header h = header_at_offset(log, 37);
    CU_ASSERT_EQUAL(h.base_offset, 35);
    CU_ASSERT_EQUAL(h.leader_epoch, 7);
    CU_ASSERT_EQUAL(h.record_count, 5);
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, 50);
    CU_ASSERT(scan.contiguous && scan.crc_ok);
    CU_ASSERT_EQUAL(plog_close(log), ERR_NONE);
    teardown();
}

static void test_append_rejects_invalid(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.max_message_bytes = 2000;
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    struct log_append_info info;
    size_t len;
    uint8_t *batch = fixture_batch(3, 10, 1, &len);
    batch[len - 1] ^= 0x55;
    CU_ASSERT_EQUAL(plog_append_as_leader(log, batch, len, 0, 0, &info), ERR_CORRUPT_MESSAGE);
    free(batch);
    batch = fixture_batch(3, 1000, 1, &len);
    CU_ASSERT_EQUAL(plog_append_as_leader(log, batch, len, 0, 0, &info), ERR_MESSAGE_TOO_LARGE);
    free(batch);
    CU_ASSERT_EQUAL(plog_append_as_leader(log, (uint8_t *)"short", 5, 0, 0, &info),
                    ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 0);
    CU_ASSERT_EQUAL(plog_size_bytes(log), 0);
    plog_close(log);
    teardown();
}

/* Every offset read gives the batch that holds it, across many segments. */
static void test_read_across_segments(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.segment_bytes = 4096;
    cfg.index_interval_bytes = 512;
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 200, 4, 50, 1);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 800);
    CU_ASSERT(plog_segment_count(log) >= plog_size_bytes(log) / 4096);
    CU_ASSERT(plog_segment_count(log) > 10);
    for (int64_t offset = 0; offset < 800; offset++) {
        struct rb_header h = header_at_offset(log, offset);
        CU_ASSERT(h.base_offset <= offset && offset <= rb_last_offset(&h));
    }
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, 800);
    CU_ASSERT_EQUAL(scan.next_offset, 800);
    CU_ASSERT(scan.contiguous && scan.crc_ok);
    plog_close(log);
    teardown();
}

static void test_read_bounds(void)
{
    setup();
    struct log_config cfg = fixture_config();
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    size_t batch_len;
    free(fixture_batch(10, 100, 1, &batch_len));
    fixture_append(log, 10, 10, 100, 1); /* offsets 0..99, batches of batch_len bytes */
    struct log_span span;

    CU_ASSERT_EQUAL(plog_read(log, 101, 1000, 100, true, &span), ERR_OFFSET_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(plog_read(log, -1, 1000, 100, true, &span), ERR_OFFSET_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(plog_read(log, 100, 1000, 100, true, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.length, 0);
    /* max_offset (a high watermark of 35) keeps batches holding offsets >= 35 out */
    CU_ASSERT_EQUAL(plog_read(log, 0, 1 << 20, 35, true, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.length, 3 * batch_len);
    plog_span_release(&span);
    CU_ASSERT_EQUAL(plog_read(log, 32, 1 << 20, 35, true, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.length, 0);
    /* max_bytes gives whole batches only; min_one_batch overrides a too-small limit */
    CU_ASSERT_EQUAL(plog_read(log, 15, 2 * batch_len + 10, 100, true, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.position, batch_len);
    CU_ASSERT_EQUAL(span.length, 2 * batch_len);
    plog_span_release(&span);
    CU_ASSERT_EQUAL(plog_read(log, 15, 10, 100, true, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.length, batch_len);
    plog_span_release(&span);
    CU_ASSERT_EQUAL(plog_read(log, 15, 10, 100, false, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.length, 0);
    plog_close(log);
    teardown();
}

static int count_files(const char *path, const char *suffix)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name), slen = strlen(suffix);
        if (len == 20 + slen && strcmp(e->d_name + 20, suffix) == 0)
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static void test_roll_on_segment_bytes(void)
{
    setup();
    struct log_config cfg = fixture_config();
    size_t batch_len;
    free(fixture_batch(2, 100, 1, &batch_len));
    cfg.segment_bytes = (int64_t)(3 * batch_len); /* three batches fill a segment */
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 10, 2, 100, 1);
    CU_ASSERT_EQUAL(plog_segment_count(log), 4);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/t-0", dir);
    CU_ASSERT_EQUAL(count_files(path, ".log"), 4);
    snprintf(path, sizeof(path), "%s/t-0/00000000000000000006.log", dir);
    CU_ASSERT_EQUAL(fixture_file_size(path), (long long)(3 * batch_len));
    snprintf(path, sizeof(path), "%s/t-0/00000000000000000018.log", dir);
    CU_ASSERT_EQUAL(fixture_file_size(path), (long long)batch_len);
    /* a sealed segment's index is trimmed to its entries */
    snprintf(path, sizeof(path), "%s/t-0/00000000000000000000.index", dir);
    CU_ASSERT(fixture_file_size(path) < cfg.index_max_bytes);
    plog_close(log);
    teardown();
}

static void test_roll_on_segment_ms(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.segment_ms = 60000;
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 1, 1, 10, 1000000);
    fixture_append(log, 1, 1, 10, 1000000 + 60000); /* exactly segment.ms later: no roll */
    CU_ASSERT_EQUAL(plog_segment_count(log), 1);
    fixture_append(log, 1, 1, 10, 1000000 + 60001);
    CU_ASSERT_EQUAL(plog_segment_count(log), 2);
    plog_close(log);
    teardown();
}

static void test_roll_on_full_index(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.index_interval_bytes = 0; /* an entry for every batch after the first */
    cfg.index_max_bytes = 4 * 8;  /* room for four offset entries */
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 12, 1, 10, 1);
    CU_ASSERT(plog_segment_count(log) >= 3);
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, 12);
    CU_ASSERT(scan.contiguous);
    plog_close(log);
    teardown();
}

/* A follower copies the leader's spans verbatim and ends up with identical files. */
static void test_follower_append(void)
{
    setup();
    struct log_config cfg = fixture_config();
    struct plog *leader = fixture_open(dir, "leader-0", &cfg, false, 0, wq);
    struct plog *follower = fixture_open(dir, "follower-0", &cfg, false, 0, wq);
    fixture_append(leader, 30, 3, 40, 5);
    int64_t offset = 0;
    while (offset < plog_log_end_offset(leader)) {
        struct log_span span;
        CU_ASSERT_EQUAL_FATAL(plog_read(leader, offset, 1000, 90, true, &span), ERR_NONE);
        uint8_t *data = malloc(span.length);
        CU_ASSERT_EQUAL_FATAL(pread(span.fd, data, span.length, (off_t)span.position),
                              (ssize_t)span.length);
        struct log_append_info info;
        CU_ASSERT_EQUAL_FATAL(plog_append_as_follower(follower, data, span.length, 0, &info),
                              ERR_NONE);
        CU_ASSERT_EQUAL(info.first_offset, offset);
        offset = info.last_offset + 1;
        /* the same batches again are below the log end: refused */
        CU_ASSERT_EQUAL(plog_append_as_follower(follower, data, span.length, 0, &info),
                        ERR__INVALID_ARG);
        free(data);
        plog_span_release(&span);
    }
    CU_ASSERT_EQUAL(plog_log_end_offset(follower), 90);
    CU_ASSERT_EQUAL(plog_size_bytes(follower), plog_size_bytes(leader));
    plog_close(leader);
    plog_close(follower);
    teardown();
}

static void test_truncate_to(void)
{
    setup();
    struct log_config cfg = fixture_config();
    size_t batch_len;
    free(fixture_batch(5, 20, 1, &batch_len));
    cfg.segment_bytes = (int64_t)(4 * batch_len);
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 20, 5, 20, 1); /* 100 offsets, 5 segments of 4 batches */
    CU_ASSERT_EQUAL(plog_segment_count(log), 5);

    CU_ASSERT_EQUAL(plog_truncate_to(log, 200), ERR_NONE); /* past the end: nothing */
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 100);
    CU_ASSERT_EQUAL(plog_truncate_to(log, 60), ERR_NONE); /* a batch and segment boundary */
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 60);
    CU_ASSERT_EQUAL(plog_segment_count(log), 3);
    CU_ASSERT_EQUAL(plog_truncate_to(log, 47), ERR_NONE); /* inside batch 45..49: it goes */
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 45);
    CU_ASSERT_EQUAL(plog_segment_count(log), 3);

    struct log_append_info info = fixture_append(log, 3, 5, 20, 1);
    CU_ASSERT_EQUAL(info.last_offset, 59);
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, 60);
    CU_ASSERT(scan.contiguous && scan.crc_ok);

    CU_ASSERT_EQUAL(plog_truncate_fully_and_start_at(log, 500, clock_wall_ms()), ERR_NONE);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 500);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 500);
    CU_ASSERT_EQUAL(plog_segment_count(log), 1);
    info = fixture_append(log, 1, 5, 20, 1);
    CU_ASSERT_EQUAL(info.first_offset, 500);
    struct log_span span;
    CU_ASSERT_EQUAL(plog_read(log, 499, 100, 505, true, &span), ERR_OFFSET_OUT_OF_RANGE);
    workq_drain(wq);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/t-0", dir);
    CU_ASSERT_EQUAL(count_files(path, ".log"), 1);
    plog_close(log);
    teardown();
}

/* Brute force: the first record whose timestamp is >= target, over a full scan. */
static int64_t first_offset_at_or_after(const int64_t *timestamps, int n, int64_t target)
{
    for (int i = 0; i < n; i++) {
        if (timestamps[i] >= target)
            return i;
    }
    return -1;
}

static void test_offset_for_timestamp(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.segment_bytes = 2048;
    cfg.index_interval_bytes = 256;
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    enum { BATCHES = 120, RECORDS = 3 };
    int64_t timestamps[BATCHES * RECORDS];
    int64_t t = 10000;
    for (int i = 0; i < BATCHES; i++) {
        t += (i % 7 == 0) ? 0 : 10 + i % 5; /* some equal neighbours, uneven steps */
        fixture_append(log, 1, RECORDS, 30, t);
        for (int r = 0; r < RECORDS; r++)
            timestamps[i * RECORDS + r] = t;
    }
    for (int64_t target = 9990; target <= t + 5; target += 3) {
        int64_t offset, found;
        int64_t expected = first_offset_at_or_after(timestamps, BATCHES * RECORDS, target);
        gerr_t err = plog_offset_for_timestamp(log, target, &offset, &found);
        if (expected < 0) {
            CU_ASSERT_EQUAL(err, ERR__NOT_FOUND);
        } else {
            CU_ASSERT_EQUAL(err, ERR_NONE);
            CU_ASSERT_EQUAL(offset, expected);
            CU_ASSERT_EQUAL(found, timestamps[expected]);
        }
    }
    plog_close(log);
    teardown();
}

static int durable_calls;
static gerr_t durable_error;

static void on_durable(void *arg, gerr_t err)
{
    (void)arg;
    durable_calls++;
    durable_error = err;
}

/* Waiters registered while a flush runs are served together by the next one. */
static void test_group_commit(void)
{
    setup();
    struct log_config cfg = fixture_config();
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    durable_calls = 0;
    struct log_append_info info = fixture_append(log, 1, 1, 10, 1);
    plog_when_durable(log, info.last_offset + 1, on_durable, NULL);
    for (int i = 0; i < 20; i++) {
        info = fixture_append(log, 1, 1, 10, 1);
        plog_when_durable(log, info.last_offset + 1, on_durable, NULL);
    }
    CU_ASSERT(durable_calls < 21);
    workq_drain(wq);
    CU_ASSERT_EQUAL(durable_calls, 21);
    CU_ASSERT_EQUAL(durable_error, ERR_NONE);
    CU_ASSERT_EQUAL(plog_recovery_point(log), 21);
    /* already durable: answered at once */
    plog_when_durable(log, 10, on_durable, NULL);
    CU_ASSERT_EQUAL(durable_calls, 22);
    /* truncating data someone waits for tells them */
    info = fixture_append(log, 1, 1, 10, 1);
    plog_when_durable(log, info.last_offset + 1, on_durable, NULL);
    workq_drain(wq);
    fixture_append(log, 1, 1, 10, 1);
    plog_when_durable(log, plog_log_end_offset(log), on_durable, NULL);
    CU_ASSERT_EQUAL(plog_truncate_to(log, 22), ERR_NONE);
    workq_drain(wq);
    CU_ASSERT_EQUAL(durable_calls, 24);
    CU_ASSERT_EQUAL(durable_error, ERR__TRUNCATED);
    CU_ASSERT(plog_recovery_point(log) <= 22);
    plog_close(log);
    teardown();
}

static void test_flush_policy(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.flush_messages = 10;
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 3, 3, 10, 1);
    workq_drain(wq);
    CU_ASSERT_EQUAL(plog_recovery_point(log), 0);
    fixture_append(log, 1, 3, 10, 1);
    workq_drain(wq);
    CU_ASSERT_EQUAL(plog_recovery_point(log), 12);
    cfg.flush_messages = INT64_MAX;
    cfg.flush_ms = 1000;
    plog_set_config(log, &cfg);
    fixture_append(log, 1, 3, 10, 1);
    plog_maybe_flush(log, clock_wall_ms() + 2000);
    workq_drain(wq);
    CU_ASSERT_EQUAL(plog_recovery_point(log), 15);
    plog_close(log);
    teardown();
}

static void test_close_and_reopen(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.segment_bytes = 3000;
    struct plog *log = fixture_open(dir, "t-0", &cfg, false, 0, wq);
    fixture_append(log, 40, 4, 30, 100);
    int64_t end = plog_log_end_offset(log);
    size_t segments = plog_segment_count(log);
    uint64_t size = plog_size_bytes(log);
    CU_ASSERT_EQUAL(plog_close(log), ERR_NONE);

    log = fixture_open(dir, "t-0", &cfg, false, end, wq);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), end);
    CU_ASSERT_EQUAL(plog_segment_count(log), segments);
    CU_ASSERT_EQUAL(plog_size_bytes(log), size);
    CU_ASSERT_EQUAL(plog_recovery_point(log), end);
    int64_t offset, found;
    CU_ASSERT_EQUAL(plog_offset_for_timestamp(log, 120, &offset, &found), ERR_NONE);
    CU_ASSERT_EQUAL(offset, 80);
    struct log_append_info info = fixture_append(log, 1, 4, 30, 200);
    CU_ASSERT_EQUAL(info.first_offset, end);
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, end + 4);
    CU_ASSERT(scan.contiguous && scan.crc_ok);
    plog_close(log);
    teardown();
}

int main(void)
{
    static const struct cunit_test tests[] = {
        {"append assigns offsets and epoch", test_append_assigns_offsets},
        {"append rejects invalid batches", test_append_rejects_invalid},
        {"read across many segments", test_read_across_segments},
        {"read bounds", test_read_bounds},
        {"roll on segment.bytes", test_roll_on_segment_bytes},
        {"roll on segment.ms", test_roll_on_segment_ms},
        {"roll on a full index", test_roll_on_full_index},
        {"follower append keeps offsets", test_follower_append},
        {"truncate", test_truncate_to},
        {"offset for timestamp", test_offset_for_timestamp},
        {"durable appends share fsyncs", test_group_commit},
        {"flush policy", test_flush_policy},
        {"close and reopen", test_close_and_reopen},
        {NULL, NULL},
    };
    return cunit_run("partition_log", tests);
}
