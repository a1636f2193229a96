/* Recovery after an unclean stop: a torn tail cut at every byte of the last batch, a corrupt
 * CRC in the middle of the log, missing and corrupt indexes, leftovers of deletions, and
 * recovery starting at the recovery point. */
#include "broker/log/partition_log.h"
#include "broker/log/record_batch.h"
#include "common/logger.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/log_fixture.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static struct workq *wq;

static void setup(void)
{
    dir = cunit_tempdir("recovery");
    wq = workq_new(1, "test-io");
}

static void teardown(void)
{
    workq_free(wq);
    cunit_rmtree(dir);
    free(dir);
}

static void segment_file(char *out, size_t size, const char *name, int64_t base,
                         const char *suffix)
{
    snprintf(out, size, "%s/%s/%020lld%s", dir, name, (long long)base, suffix);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    long long size = fixture_file_size(path);
    CU_ASSERT_FATAL(size >= 0);
    uint8_t *data = malloc((size_t)size + 1);
    int fd = open(path, O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(read(fd, data, (size_t)size), size);
    close(fd);
    *len = (size_t)size;
    return data;
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* Captures log lines in a temp file so a test can look for one. */
static int capture_fd = -1;
static char capture_path[PATH_MAX];

static void capture_start(void)
{
    snprintf(capture_path, sizeof(capture_path), "%s/captured.log", dir);
    capture_fd = open(capture_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    logger_set_fd(capture_fd);
}

static char *capture_stop(void)
{
    logger_set_fd(2);
    close(capture_fd);
    size_t len;
    uint8_t *text = read_file(capture_path, &len);
    text[len] = '\0';
    unlink(capture_path);
    return (char *)text;
}

/* A log of 6 batches; returns the .log bytes and where the last batch starts. */
static uint8_t *make_one_segment_log(size_t *len, size_t *last_batch_start)
{
    struct log_config cfg = fixture_config();
    struct plog *log = fixture_open(dir, "torn-0", &cfg, false, 0, wq);
    fixture_append(log, 5, 4, 25, 100);
    *last_batch_start = plog_size_bytes(log);
    fixture_append(log, 1, 4, 25, 200);
    CU_ASSERT_EQUAL(plog_close(log), ERR_NONE);
    char path[PATH_MAX];
    segment_file(path, sizeof(path), "torn-0", 0, ".log");
    return read_file(path, len);
}

/* Whatever byte a crash stopped the last write at, recovery ends the log at the last whole
 * valid batch. Index files are left as they were, stale entries and all. */
static void test_torn_tail_at_every_byte(void)
{
    setup();
    size_t len, last_start;
    uint8_t *original = make_one_segment_log(&len, &last_start);
    struct log_config cfg = fixture_config();
    char path[PATH_MAX];
    segment_file(path, sizeof(path), "torn-0", 0, ".log");

    for (size_t cut = last_start; cut < len; cut++) {
        write_file(path, original, cut);
        bool first = cut == last_start + 1;
        if (first)
            capture_start();
        struct plog *log = fixture_open(dir, "torn-0", &cfg, true, 0, wq);
        if (first) {
            char *text = capture_stop();
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "Recovery of torn-0 cut 1 bytes"));
            free(text);
        }
        CU_ASSERT_EQUAL(plog_log_end_offset(log), 20);
        CU_ASSERT_EQUAL(plog_size_bytes(log), last_start);
        struct fixture_scan scan = fixture_scan(log, 0);
        CU_ASSERT_EQUAL(scan.records, 20);
        CU_ASSERT(scan.contiguous && scan.crc_ok);
        struct log_append_info info = fixture_append(log, 1, 2, 10, 300);
        CU_ASSERT_EQUAL(info.first_offset, 20);
        CU_ASSERT_EQUAL(plog_close(log), ERR_NONE);
    }
    /* the whole file recovers to the whole log */
    write_file(path, original, len);
    struct plog *log = fixture_open(dir, "torn-0", &cfg, true, 0, wq);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 24);
    plog_close(log);
    free(original);
    teardown();
}

/* A corrupt batch mid-log ends the log there; later segments are dropped. */
static void test_corrupt_crc_mid_log(void)
{
    setup();
    struct log_config cfg = fixture_config();
    size_t batch_len;
    free(fixture_batch(5, 40, 1, &batch_len));
    cfg.segment_bytes = (int64_t)(4 * batch_len);
    struct plog *log = fixture_open(dir, "mid-0", &cfg, false, 0, wq);
    fixture_append(log, 16, 5, 40, 1); /* 4 segments: 0, 20, 40, 60 */
    CU_ASSERT_EQUAL(plog_segment_count(log), 4);
    plog_close(log);

    char path[PATH_MAX];
    segment_file(path, sizeof(path), "mid-0", 20, ".log");
    size_t len;
    uint8_t *data = read_file(path, &len);
    data[2 * batch_len + RB_HEADER_SIZE + 5] ^= 0x40; /* a record byte of batch 30..34 */
    write_file(path, data, len);
    free(data);

    capture_start();
    log = fixture_open(dir, "mid-0", &cfg, true, 0, wq);
    char *text = capture_stop();
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Recovery of mid-0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "2 later segments dropped"));
    free(text);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 30);
    CU_ASSERT_EQUAL(plog_segment_count(log), 2);
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, 30);
    CU_ASSERT(scan.crc_ok);
    workq_drain(wq);
    segment_file(path, sizeof(path), "mid-0", 40, ".log");
    CU_ASSERT_EQUAL(fixture_file_size(path), -1);
    struct log_append_info info = fixture_append(log, 1, 5, 40, 1);
    CU_ASSERT_EQUAL(info.first_offset, 30);
    plog_close(log);
    teardown();
}

static void check_log_serves(struct plog *log, int64_t records)
{
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, records);
    CU_ASSERT(scan.contiguous && scan.crc_ok);
    for (int64_t offset = 0; offset < records; offset += 7) {
        struct log_span span;
        CU_ASSERT_EQUAL(plog_read(log, offset, 1, records, true, &span), ERR_NONE);
        uint8_t raw[RB_HEADER_SIZE];
        CU_ASSERT_EQUAL(pread(span.fd, raw, sizeof(raw), (off_t)span.position), RB_HEADER_SIZE);
        struct rb_header h;
        rb_read_header(raw, &h);
        CU_ASSERT(h.base_offset <= offset && offset <= rb_last_offset(&h));
        plog_span_release(&span);
    }
}

/* After a clean stop no recovery runs, yet a missing or corrupt index is still rebuilt. */
static void test_missing_and_corrupt_index(void)
{
    setup();
    struct log_config cfg = fixture_config();
    cfg.segment_bytes = 3000;
    cfg.index_interval_bytes = 200;
    struct plog *log = fixture_open(dir, "ix-0", &cfg, false, 0, wq);
    fixture_append(log, 40, 3, 30, 1);
    int64_t end = plog_log_end_offset(log);
    plog_close(log);

    char path[PATH_MAX];
    segment_file(path, sizeof(path), "ix-0", 0, ".index");
    size_t index_len;
    uint8_t *index = read_file(path, &index_len);
    CU_ASSERT(index_len > 16);
    unlink(path);
    segment_file(path, sizeof(path), "ix-0", 0, ".timeindex");
    unlink(path);

    log = fixture_open(dir, "ix-0", &cfg, false, end, wq);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), end);
    check_log_serves(log, end);
    plog_close(log);
    segment_file(path, sizeof(path), "ix-0", 0, ".index");
    size_t rebuilt_len;
    uint8_t *rebuilt = read_file(path, &rebuilt_len);
    CU_ASSERT_EQUAL(rebuilt_len, index_len);
    CU_ASSERT(memcmp(rebuilt, index, index_len) == 0);

    /* entries out of order: the sanity check refuses the index and rebuilds it */
    memset(rebuilt + 8, 0xff, 8);
    write_file(path, rebuilt, rebuilt_len);
    log = fixture_open(dir, "ix-0", &cfg, false, end, wq);
    check_log_serves(log, end);
    plog_close(log);
    free(rebuilt);
    rebuilt = read_file(path, &rebuilt_len);
    CU_ASSERT(rebuilt_len == index_len && memcmp(rebuilt, index, index_len) == 0);
    free(rebuilt);
    free(index);
    teardown();
}

/* Recovery re-validates from the segment holding the recovery point, not before it. */
static void test_recovery_starts_at_recovery_point(void)
{
    setup();
    struct log_config cfg = fixture_config();
    size_t batch_len;
    free(fixture_batch(2, 40, 1, &batch_len));
    cfg.segment_bytes = (int64_t)(5 * batch_len);
    struct plog *log = fixture_open(dir, "rp-0", &cfg, false, 0, wq);
    fixture_append(log, 15, 2, 40, 1); /* segments at 0, 10, 20 */
    plog_close(log);

    char path[PATH_MAX];
    size_t len;
    segment_file(path, sizeof(path), "rp-0", 0, ".log"); /* below the recovery point */
    uint8_t *data = read_file(path, &len);
    data[len - 3] ^= 1;
    write_file(path, data, len);
    free(data);
    segment_file(path, sizeof(path), "rp-0", 20, ".log"); /* torn tail */
    data = read_file(path, &len);
    write_file(path, data, len - 10);
    free(data);

    log = fixture_open(dir, "rp-0", &cfg, true, 12, wq);
    CU_ASSERT_EQUAL(plog_segment_count(log), 3);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 28);
    CU_ASSERT_EQUAL(plog_recovery_point(log), 12);
    plog_close(log);
    teardown();
}

/* Files a crash left half-deleted are removed when the log opens. */
static void test_leftover_deleted_files(void)
{
    setup();
    struct log_config cfg = fixture_config();
    struct plog *log = fixture_open(dir, "left-0", &cfg, false, 0, wq);
    fixture_append(log, 2, 2, 10, 1);
    plog_close(log);
    char path[PATH_MAX];
    segment_file(path, sizeof(path), "left-0", 100, ".log.deleted");
    write_file(path, (const uint8_t *)"junk", 4);
    log = fixture_open(dir, "left-0", &cfg, false, 4, wq);
    CU_ASSERT_EQUAL(fixture_file_size(path), -1);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 4);
    plog_close(log);
    teardown();
}

/* An empty .log (a crash right after a roll) recovers to an empty segment. */
static void test_empty_active_segment(void)
{
    setup();
    struct log_config cfg = fixture_config();
    struct plog *log = fixture_open(dir, "empty-0", &cfg, false, 0, wq);
    fixture_append(log, 3, 2, 10, 1);
    CU_ASSERT_EQUAL(plog_roll(log, 0), ERR_NONE);
    plog_close(log);
    log = fixture_open(dir, "empty-0", &cfg, true, 0, wq);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 6);
    CU_ASSERT_EQUAL(plog_segment_count(log), 2);
    struct log_append_info info = fixture_append(log, 1, 2, 10, 1);
    CU_ASSERT_EQUAL(info.first_offset, 6);
    plog_close(log);
    teardown();
}

int main(void)
{
    static const struct cunit_test tests[] = {
        {"torn tail cut at every byte of the last batch", test_torn_tail_at_every_byte},
        {"corrupt CRC in the middle of the log", test_corrupt_crc_mid_log},
        {"missing and corrupt index rebuilt", test_missing_and_corrupt_index},
        {"recovery starts at the recovery point", test_recovery_starts_at_recovery_point},
        {"leftover .deleted files removed", test_leftover_deleted_files},
        {"empty active segment", test_empty_active_segment},
        {NULL, NULL},
    };
    return cunit_run("recovery", tests);
}
