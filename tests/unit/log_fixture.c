/* Partition log test helpers (see log_fixture.h). */
#include "tests/unit/log_fixture.h"

#include "broker/log/batch_builder.h"
#include "common/clock.h"
#include "tests/unit/cunit_main.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct log_config fixture_config(void)
{
    struct log_config cfg;
    log_config_defaults(&cfg);
    cfg.index_max_bytes = 64 * 1024;
    return cfg;
}

struct plog *fixture_open(const char *dir, const char *name, const struct log_config *cfg,
                          bool recover, int64_t recovery_point, struct workq *wq)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct plog_open_opts opts = {.recover = recover,
                                  .recovery_point = recovery_point,
                                  .log_start_offset = -1};
    struct plog *log = NULL;
    gerr_t err = plog_open(&log, path, cfg, &opts, wq, clock_wall_ms());
    CU_ASSERT_EQUAL_FATAL(err, ERR_NONE);
    return log;
}

uint8_t *fixture_batch(int records, size_t value_size, int64_t timestamp, size_t *len)
{
    struct batch_builder b;
    char *value = malloc(value_size + 1);
    if (value == NULL)
        abort();
    batch_builder_init(&b, timestamp);
    for (int r = 0; r < records; r++) {
        memset(value, 'a' + r % 26, value_size);
        char key[32];
        int key_len = snprintf(key, sizeof(key), "key-%d", r);
        batch_builder_add(&b, timestamp, key, key_len, value, (int32_t)value_size);
    }
    batch_builder_finish(&b);
    free(value);
    *len = b.out.len;
    return b.out.data; /* ownership passes to the caller */
}

struct log_append_info fixture_append(struct plog *log, int batches, int records,
                                      size_t value_size, int64_t timestamp)
{
    struct log_append_info info = {0};
    for (int i = 0; i < batches; i++) {
        size_t len;
        uint8_t *batch = fixture_batch(records, value_size, timestamp + i, &len);
        gerr_t err = plog_append_as_leader(log, batch, len, 7, clock_wall_ms(), &info);
        CU_ASSERT_EQUAL_FATAL(err, ERR_NONE);
        free(batch);
    }
    return info;
}

/* Walks the batches inside one span, checking each; returns false if the span is malformed. */
static bool scan_span(const struct log_span *span, struct fixture_scan *scan)
{
    uint8_t *data = malloc(span->length);
    if (data == NULL)
        abort();
    bool ok = pread(span->fd, data, span->length, (off_t)span->position) ==
              (ssize_t)span->length;
    size_t pos = 0;
    while (ok && pos < span->length) {
        struct rb_header h;
        if (rb_check_batch(data + pos, span->length - pos, &h) != ERR_NONE) {
            scan->crc_ok = false;
            ok = false;
            break;
        }
        if (scan->batches == 0)
            scan->first_offset = h.base_offset;
        else if (h.base_offset != scan->next_offset)
            scan->contiguous = false;
        scan->batches++;
        scan->records += h.record_count;
        scan->next_offset = rb_last_offset(&h) + 1;
        pos += rb_total_size(&h);
    }
    free(data);
    return ok;
}

struct fixture_scan fixture_scan(struct plog *log, int64_t from)
{
    struct fixture_scan scan = {.first_offset = -1, .next_offset = from, .contiguous = true,
                                .crc_ok = true};
    int64_t offset = from;
    int64_t end = plog_log_end_offset(log);
    while (offset < end) {
        struct log_span span;
        gerr_t err = plog_read(log, offset, 64 * 1024, end, true, &span);
        CU_ASSERT_EQUAL_FATAL(err, ERR_NONE);
        if (span.length == 0)
            break;
        bool ok = scan_span(&span, &scan);
        plog_span_release(&span);
        if (!ok)
            break;
        offset = scan.next_offset;
    }
    return scan;
}

long long fixture_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}
