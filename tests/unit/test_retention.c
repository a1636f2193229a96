/* Retention: whole leading segments go by retention.bytes, retention.ms and the log start
 * offset; never the active segment, never data at or above the high watermark. */
#include "broker/log/partition_log.h"
#include "common/clock.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/log_fixture.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *dir;
static struct workq *wq;
static size_t batch_len;

/* Five segments of four batches (20 records each), bases 0, 20, 40, 60, 80. */
static struct plog *five_segments(struct log_config *cfg, int64_t first_timestamp)
{
    dir = cunit_tempdir("retention");
    wq = workq_new(1, "test-io");
    free(fixture_batch(5, 40, 1, &batch_len));
    cfg->segment_bytes = (int64_t)(4 * batch_len);
    struct plog *log = fixture_open(dir, "r-0", cfg, false, 0, wq);
    for (int segment = 0; segment < 5; segment++)
        fixture_append(log, 4, 5, 40, first_timestamp + segment * 3600000LL);
    CU_ASSERT_EQUAL_FATAL(plog_segment_count(log), 5);
    plog_set_high_watermark(log, plog_log_end_offset(log));
    return log;
}

static void finish(struct plog *log)
{
    plog_close(log);
    workq_free(wq);
    cunit_rmtree(dir);
    free(dir);
}

static bool segment_exists(int64_t base)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/r-0/%020lld.log", dir, (long long)base);
    return fixture_file_size(path) >= 0;
}

static void test_retention_bytes(void)
{
    struct log_config cfg = fixture_config();
    struct plog *log = five_segments(&cfg, clock_wall_ms());
    /* one byte short of three segments: only the first may go */
    cfg.retention_bytes = (int64_t)(12 * batch_len + 1);
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 1);
    /* exactly three segments' worth: one more goes */
    cfg.retention_bytes = (int64_t)(12 * batch_len);
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 1);
    CU_ASSERT_EQUAL(plog_segment_count(log), 3);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 40);
    workq_drain(wq);
    CU_ASSERT_FALSE(segment_exists(0));
    CU_ASSERT_FALSE(segment_exists(20));
    CU_ASSERT_TRUE(segment_exists(40));
    struct log_span span;
    CU_ASSERT_EQUAL(plog_read(log, 39, 100, 100, true, &span), ERR_OFFSET_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(plog_read(log, 40, 100, 100, true, &span), ERR_NONE);
    CU_ASSERT(span.length > 0);
    plog_span_release(&span);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 0);
    finish(log);
}

static void test_retention_time(void)
{
    struct log_config cfg = fixture_config();
    int64_t now = clock_wall_ms();
    /* segments stamped 5h, 4h, 3h, 2h and 1h ago */
    struct plog *log = five_segments(&cfg, now - 5 * 3600000LL);
    cfg.retention_ms = 3 * 3600000LL - 60000; /* just under 3h */
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, now), 3);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 60);
    /* unlimited retention keeps the rest */
    cfg.retention_ms = -1;
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, now + 100 * 3600000LL), 0);
    finish(log);
}

static void test_never_the_active_segment(void)
{
    struct log_config cfg = fixture_config();
    struct plog *log = five_segments(&cfg, clock_wall_ms());
    cfg.retention_bytes = 0;
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 4);
    CU_ASSERT_EQUAL(plog_segment_count(log), 1);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 80);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 100);
    struct log_append_info info = fixture_append(log, 1, 5, 40, clock_wall_ms());
    CU_ASSERT_EQUAL(info.first_offset, 100);
    finish(log);
}

static void test_high_watermark_bounds_retention(void)
{
    struct log_config cfg = fixture_config();
    struct plog *log = five_segments(&cfg, clock_wall_ms());
    plog_set_high_watermark(log, 45); /* inside the third segment */
    cfg.retention_bytes = 0;
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 2);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 40);
    finish(log);
}

static void test_log_start_offset_deletes(void)
{
    struct log_config cfg = fixture_config();
    struct plog *log = five_segments(&cfg, clock_wall_ms());
    plog_advance_log_start_offset(log, 50);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 50);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 2);
    CU_ASSERT_EQUAL(plog_log_start_offset(log), 50); /* mid-segment: stays where it was set */
    struct log_span span;
    CU_ASSERT_EQUAL(plog_read(log, 45, 100, 100, true, &span), ERR_OFFSET_OUT_OF_RANGE);
    finish(log);
}

static void test_compact_policy_keeps_segments(void)
{
    struct log_config cfg = fixture_config();
    struct plog *log = five_segments(&cfg, clock_wall_ms() - 100 * 3600000LL);
    cfg.cleanup_delete = false;
    cfg.retention_bytes = 0;
    cfg.retention_ms = 1;
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 0);
    CU_ASSERT_EQUAL(plog_segment_count(log), 5);
    finish(log);
}

/* A reader holding a span keeps reading a segment that retention removed. */
static void test_span_outlives_deletion(void)
{
    struct log_config cfg = fixture_config();
    struct plog *log = five_segments(&cfg, clock_wall_ms());
    struct log_span span;
    CU_ASSERT_EQUAL(plog_read(log, 0, 1 << 20, 100, true, &span), ERR_NONE);
    CU_ASSERT_EQUAL(span.length, 4 * batch_len);
    cfg.retention_bytes = 0;
    plog_set_config(log, &cfg);
    CU_ASSERT_EQUAL(plog_apply_retention(log, clock_wall_ms()), 4);
    workq_drain(wq);
    CU_ASSERT_FALSE(segment_exists(0));
    uint8_t *data = malloc(span.length);
    CU_ASSERT_EQUAL(pread(span.fd, data, span.length, (off_t)span.position),
                    (ssize_t)span.length);
    struct rb_header h;
    CU_ASSERT_EQUAL(rb_check_batch(data, span.length, &h), ERR_NONE);
    CU_ASSERT_EQUAL(h.base_offset, 0);
    free(data);
    plog_span_release(&span);
    finish(log);
}

int main(void)
{
    static const struct cunit_test tests[] = {
        {"retention.bytes", test_retention_bytes},
        {"retention.ms", test_retention_time},
        {"never the active segment", test_never_the_active_segment},
        {"high watermark bounds retention", test_high_watermark_bounds_retention},
        {"log start offset deletes segments below it", test_log_start_offset_deletes},
        {"cleanup.policy=compact keeps segments", test_compact_policy_keeps_segments},
        {"a span outlives the deletion of its segment", test_span_outlives_deletion},
        {NULL, NULL},
    };
    return cunit_run("retention", tests);
}
