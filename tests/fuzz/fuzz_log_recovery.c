/* Fuzzes log recovery. The input shapes a valid log (how many batches, how many records),
 * then damages it (byte flips at chosen places, a cut at a chosen length); the result is opened
 * as after a crash. Recovery must keep a prefix of the file made of valid batches only, never
 * more offsets than were written, and leave a log that takes appends at its end. */
#include "broker/log/batch_builder.h"
#include "broker/log/partition_log.h"
#include "common/logger.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct workq *wq;
static char base_dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A valid log of `batches` batches with `records` records each, offsets from 0. */
static void build_log(struct buf *log, int batches, int records)
{
    struct batch_builder b;
    batch_builder_init(&b, 1000);
    int64_t offset = 0;
    for (int i = 0; i < batches; i++) {
        batch_builder_reset(&b, 1000 + i);
        for (int r = 0; r < records; r++)
            batch_builder_add(&b, 1000 + i, "key", 3, "value-value", 11);
        batch_builder_finish(&b);
        be64_store(b.out.data, (uint64_t)offset);
        offset += records;
        buf_append(log, b.out.data, b.out.len);
    }
    batch_builder_free(&b);
}

/* Flips bytes as the input says, then cuts the file; returns the damaged length. */
static size_t damage(struct buf *log, const uint8_t *data, size_t size)
{
    size_t cut = log->len;
    if (size >= 2) {
        cut = ((size_t)data[0] << 8 | data[1]) % (log->len + 1);
        data += 2;
        size -= 2;
    }
    for (size_t i = 0; i + 3 <= size; i += 3) {
        size_t at = ((size_t)data[i] << 8 | data[i + 1]) % log->len;
        log->data[at] ^= data[i + 2];
    }
    return cut;
}

static void write_segment(const char *part_dir, const uint8_t *data, size_t len)
{
    char path[256];
    nftw(part_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    mkdir(part_dir, 0755);
    snprintf(path, sizeof(path), "%s/00000000000000000000.log", part_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len)
        abort();
    close(fd);
}

/* Every byte the recovered log serves is a whole valid batch taken from the damaged file. */
static void check_recovered(struct plog *log, const uint8_t *file, size_t file_len)
{
    struct log_span span;
    int64_t end = plog_log_end_offset(log);
    if (plog_read(log, 0, 1 << 20, end, true, &span) != ERR_NONE)
        abort();
    if (span.length > file_len)
        abort();
    if (span.length == 0)
        return;
    uint8_t *served = malloc(span.length + 1);
    if (pread(span.fd, served, span.length, (off_t)span.position) != (ssize_t)span.length ||
        memcmp(served, file + span.position, span.length) != 0)
        abort();
    struct rb_validate_opts opts = {.max_batch_bytes = 1 << 20, .from_client = false};
    struct rb_set_info info;
    if (rb_validate_set(served, span.length, &opts, &info) != ERR_NONE)
        abort();
    free(served);
    plog_span_release(&span);
}

static void append_one(struct plog *log)
{
    struct batch_builder b;
    struct log_append_info info;
    int64_t end = plog_log_end_offset(log);
    batch_builder_init(&b, 1);
    batch_builder_add(&b, 1, "k", 1, "v", 1);
    batch_builder_finish(&b);
    if (plog_append_as_leader(log, b.out.data, b.out.len, 0, 0, &info) != ERR_NONE ||
        info.first_offset != end)
        abort();
    batch_builder_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    if (wq == NULL) {
        snprintf(base_dir, sizeof(base_dir), "/tmp/gregor-fuzz-XXXXXX");
        if (mkdtemp(base_dir) == NULL)
            abort();
        wq = workq_new(1, "fuzz-io");
        logger_set_level(LOG_OFF);
    }
    int batches = 1 + data[0] % 8, records = 1 + data[1] % 8;
    struct buf file;
    buf_init(&file);
    build_log(&file, batches, records);
    size_t len = damage(&file, data + 2, size - 2);

    char part_dir[128];
    snprintf(part_dir, sizeof(part_dir), "%s/f-0", base_dir);
    write_segment(part_dir, file.data, len);
    struct log_config cfg;
    log_config_defaults(&cfg);
    cfg.index_max_bytes = 4096;
    cfg.index_interval_bytes = 64;
    struct plog_open_opts opts = {.recover = true, .recovery_point = 0, .log_start_offset = -1};
    struct plog *log;
    if (plog_open(&log, part_dir, &cfg, &opts, wq, 0) == ERR_NONE) {
        check_recovered(log, file.data, len);
        append_one(log);
        plog_close(log);
    }
    workq_drain(wq);
    buf_free(&file);
    return 0;
}
