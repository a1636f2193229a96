/* The log manager: loading log directories, checkpoints in Kafka's format, the clean-shutdown
 * marker, recovery after a real crash (a child process killed mid-work), the directory lock,
 * deletion and the periodic tick. */
#include "broker/log/checkpoint.h"
#include "broker/log/log_manager.h"
#include "common/clock.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/log_fixture.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static struct workq *wq;

static struct logmgr_settings settings_for(const char *const *dirs, size_t ndirs)
{
    struct logmgr_settings s = {.dirs = dirs, .ndirs = ndirs,
                                .retention_check_interval_ms = 300000,
                                .checkpoint_interval_ms = 60000};
    s.defaults = fixture_config();
    return s;
}

static struct log_manager *open_manager(void)
{
    const char *dirs[] = {dir};
    struct logmgr_settings s = settings_for(dirs, 1);
    struct log_manager *m = NULL;
    CU_ASSERT_EQUAL_FATAL(logmgr_open(&m, &s, wq, clock_wall_ms()), ERR_NONE);
    return m;
}

static void setup(void)
{
    dir = cunit_tempdir("logmgr");
    wq = workq_new(1, "test-io");
}

static void teardown(void)
{
    workq_free(wq);
    cunit_rmtree(dir);
    free(dir);
}

static bool file_exists(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return fixture_file_size(path) >= 0;
}

static int64_t checkpoint_value(const char *file, const char *topic, int32_t partition)
{
    char path[PATH_MAX];
    struct tp_offset *entries;
    size_t n;
    int64_t value = -1;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    CU_ASSERT_EQUAL_FATAL(checkpoint_read_offsets(path, &entries, &n), ERR_NONE);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(entries[i].topic, topic) == 0 && entries[i].partition == partition)
            value = entries[i].offset;
    }
    checkpoint_free_offsets(entries, n);
    return value;
}

static struct plog *create_log(struct log_manager *m, const char *topic, int32_t partition)
{
    struct plog *log = NULL;
    CU_ASSERT_EQUAL_FATAL(logmgr_create(m, topic, partition, NULL, clock_wall_ms(), &log),
                          ERR_NONE);
    return log;
}

static void test_clean_shutdown_and_reload(void)
{
    setup();
    struct log_manager *m = open_manager();
    fixture_append(create_log(m, "orders", 0), 10, 3, 20, 1);
    fixture_append(create_log(m, "orders", 1), 4, 3, 20, 1);
    fixture_append(create_log(m, "my-topic-with-dashes", 12), 2, 3, 20, 1);
    CU_ASSERT_EQUAL(logmgr_count(m), 3);
    CU_ASSERT_FALSE(file_exists(CLEAN_SHUTDOWN_FILE));
    logmgr_close(m);

    CU_ASSERT_TRUE(file_exists(CLEAN_SHUTDOWN_FILE));
    CU_ASSERT_EQUAL(checkpoint_value(RECOVERY_POINT_FILE, "orders", 0), 30);
    CU_ASSERT_EQUAL(checkpoint_value(RECOVERY_POINT_FILE, "orders", 1), 12);
    CU_ASSERT_EQUAL(checkpoint_value(RECOVERY_POINT_FILE, "my-topic-with-dashes", 12), 6);
    CU_ASSERT_EQUAL(checkpoint_value(LOG_START_FILE, "orders", 0), 0);

    m = open_manager();
    CU_ASSERT_FALSE(file_exists(CLEAN_SHUTDOWN_FILE)); /* taken at start */
    CU_ASSERT_EQUAL(logmgr_count(m), 3);
    struct plog *log = logmgr_get(m, "my-topic-with-dashes", 12);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 6);
    CU_ASSERT_EQUAL(plog_log_end_offset(logmgr_get(m, "orders", 0)), 30);
    CU_ASSERT_PTR_NULL(logmgr_get(m, "orders", 2));
    logmgr_close(m);
    teardown();
}

/* A child appends and is killed with SIGKILL; the parent cuts the last batch in half, as a
 * crash mid-write would, and the next start recovers to the last whole batch. */
static void test_recovery_after_crash(void)
{
    setup();
    int ready[2];
    CU_ASSERT_EQUAL_FATAL(pipe(ready), 0);
    pid_t child = fork();
    CU_ASSERT_FATAL(child >= 0);
    if (child == 0) {
        struct workq *child_wq = workq_new(1, "child-io");
        wq = child_wq;
        struct log_manager *m = open_manager();
        fixture_append(create_log(m, "crash", 0), 9, 2, 30, 1);
        if (write(ready[1], "x", 1) != 1)
            _exit(2);
        pause();
        _exit(0);
    }
    char byte;
    CU_ASSERT_EQUAL_FATAL(read(ready[0], &byte, 1), 1);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ready[0]);
    close(ready[1]);

    CU_ASSERT_FALSE(file_exists(CLEAN_SHUTDOWN_FILE));
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/crash-0/00000000000000000000.log", dir);
    long long size = fixture_file_size(path);
    size_t batch_len;
    free(fixture_batch(2, 30, 1, &batch_len));
    CU_ASSERT_EQUAL_FATAL(size, (long long)(9 * batch_len));
    CU_ASSERT_EQUAL_FATAL(truncate(path, size - (long long)batch_len / 2), 0);

    struct log_manager *m = open_manager();
    struct plog *log = logmgr_get(m, "crash", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(plog_log_end_offset(log), 16);
    CU_ASSERT_EQUAL(fixture_file_size(path), (long long)(8 * batch_len));
    struct fixture_scan scan = fixture_scan(log, 0);
    CU_ASSERT_EQUAL(scan.records, 16);
    CU_ASSERT(scan.contiguous && scan.crc_ok);
    logmgr_close(m);
    teardown();
}

static void test_directory_lock(void)
{
    setup();
    struct log_manager *m = open_manager();
    const char *dirs[] = {dir};
    struct logmgr_settings s = settings_for(dirs, 1);
    struct log_manager *second = NULL;
    CU_ASSERT_EQUAL(logmgr_open(&second, &s, wq, clock_wall_ms()), ERR_KAFKA_STORAGE_ERROR);
    CU_ASSERT_PTR_NULL(second);
    logmgr_close(m);
    teardown();
}

static void test_delete_partition(void)
{
    setup();
    struct log_manager *m = open_manager();
    fixture_append(create_log(m, "gone", 0), 3, 2, 10, 1);
    create_log(m, "kept", 0);
    CU_ASSERT_EQUAL(logmgr_delete(m, "gone", 0), ERR_NONE);
    CU_ASSERT_EQUAL(logmgr_delete(m, "gone", 0), ERR_UNKNOWN_TOPIC_OR_PARTITION);
    CU_ASSERT_PTR_NULL(logmgr_get(m, "gone", 0));
    CU_ASSERT_EQUAL(logmgr_count(m), 1);
    workq_drain(wq);
    CU_ASSERT_FALSE(file_exists("gone-0"));
    logmgr_close(m);
    CU_ASSERT_EQUAL(checkpoint_value(RECOVERY_POINT_FILE, "gone", 0), -1);
    teardown();
}

/* New partitions go to the directory that holds the fewest. */
static void test_multiple_directories(void)
{
    setup();
    char second[PATH_MAX];
    snprintf(second, sizeof(second), "%s/second", dir);
    const char *dirs[] = {dir, second};
    struct logmgr_settings s = settings_for(dirs, 2);
    struct log_manager *m = NULL;
    CU_ASSERT_EQUAL_FATAL(logmgr_open(&m, &s, wq, clock_wall_ms()), ERR_NONE);
    for (int32_t p = 0; p < 4; p++)
        create_log(m, "spread", p);
    int in_second = 0;
    for (size_t i = 0; i < logmgr_count(m); i++)
        in_second += strncmp(plog_dir(logmgr_at(m, i)), second, strlen(second)) == 0;
    CU_ASSERT_EQUAL(in_second, 2);
    logmgr_close(m);
    teardown();
}

static void test_tick(void)
{
    setup();
    const char *dirs[] = {dir};
    struct logmgr_settings s = settings_for(dirs, 1);
    size_t batch_len;
    free(fixture_batch(2, 10, 1, &batch_len));
    s.defaults.segment_bytes = (int64_t)(2 * batch_len);
    s.defaults.retention_bytes = (int64_t)(2 * batch_len);
    int64_t now = clock_wall_ms();
    struct log_manager *m = NULL;
    CU_ASSERT_EQUAL_FATAL(logmgr_open(&m, &s, wq, now), ERR_NONE);
    struct plog *log = create_log(m, "tick", 0);
    fixture_append(log, 8, 2, 10, now);
    plog_set_high_watermark(log, plog_log_end_offset(log));
    CU_ASSERT_EQUAL(plog_segment_count(log), 4);

    logmgr_tick(m, now + 1000); /* no interval has passed */
    CU_ASSERT_EQUAL(plog_segment_count(log), 4);
    logmgr_tick(m, now + 300000);
    CU_ASSERT_EQUAL(plog_segment_count(log), 1);
    workq_drain(wq);
    CU_ASSERT_EQUAL(checkpoint_value(LOG_START_FILE, "tick", 0), 12);
    logmgr_close(m);
    teardown();
}

static void test_parse_dir_name(void)
{
    char topic[256];
    int32_t partition;
    CU_ASSERT_TRUE(logmgr_parse_dir_name("my-topic-3", topic, sizeof(topic), &partition));
    CU_ASSERT_STRING_EQUAL(topic, "my-topic");
    CU_ASSERT_EQUAL(partition, 3);
    CU_ASSERT_TRUE(logmgr_parse_dir_name("__consumer_offsets-49", topic, sizeof(topic),
                                         &partition));
    CU_ASSERT_STRING_EQUAL(topic, "__consumer_offsets");
    CU_ASSERT_FALSE(logmgr_parse_dir_name("topic", topic, sizeof(topic), &partition));
    CU_ASSERT_FALSE(logmgr_parse_dir_name("topic-", topic, sizeof(topic), &partition));
    CU_ASSERT_FALSE(logmgr_parse_dir_name("-3", topic, sizeof(topic), &partition));
    CU_ASSERT_FALSE(logmgr_parse_dir_name("topic-x1", topic, sizeof(topic), &partition));
    CU_ASSERT_FALSE(logmgr_parse_dir_name("topic-99999999999", topic, sizeof(topic), &partition));
}

static void test_checkpoint_format(void)
{
    setup();
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/cp", dir);
    struct tp_offset entries[] = {{"a", 0, 5}, {"b-c", 7, 123456789012LL}};
    CU_ASSERT_EQUAL(checkpoint_write_offsets(path, entries, 2), ERR_NONE);
    FILE *f = fopen(path, "r");
    char text[128] = {0};
    const char *expected = "0\n2\na 0 5\nb-c 7 123456789012\n";
    CU_ASSERT_EQUAL(fread(text, 1, sizeof(text) - 1, f), strlen(expected));
    fclose(f);
    CU_ASSERT_STRING_EQUAL(text, expected);

    struct epoch_entry epochs[] = {{0, 0}, {3, 250}};
    struct epoch_entry *read_epochs;
    size_t n;
    CU_ASSERT_EQUAL(checkpoint_write_epochs(path, epochs, 2), ERR_NONE);
    CU_ASSERT_EQUAL(checkpoint_read_epochs(path, &read_epochs, &n), ERR_NONE);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT(n == 2 && read_epochs[1].epoch == 3 && read_epochs[1].start_offset == 250);
    free(read_epochs);

    struct tp_offset *read_offsets;
    f = fopen(path, "w");
    fputs("0\n3\na 0 5\n", f); /* claims three entries, holds one */
    fclose(f);
    CU_ASSERT_EQUAL(checkpoint_read_offsets(path, &read_offsets, &n), ERR__CORRUPT);
    f = fopen(path, "w");
    fputs("1\n0\n", f); /* unknown version */
    fclose(f);
    CU_ASSERT_EQUAL(checkpoint_read_offsets(path, &read_offsets, &n), ERR__CORRUPT);
    unlink(path);
    CU_ASSERT_EQUAL(checkpoint_read_offsets(path, &read_offsets, &n), ERR_NONE);
    CU_ASSERT_EQUAL(n, 0);
    teardown();
}

int main(void)
{
    static const struct cunit_test tests[] = {
        {"clean shutdown and reload", test_clean_shutdown_and_reload},
        {"recovery after a crash", test_recovery_after_crash},
        {"directory lock", test_directory_lock},
        {"delete a partition", test_delete_partition},
        {"multiple log directories", test_multiple_directories},
        {"tick: retention and checkpoints", test_tick},
        {"partition directory names", test_parse_dir_name},
        {"checkpoint file format", test_checkpoint_format},
        {NULL, NULL},
    };
    return cunit_run("log_manager", tests);
}
