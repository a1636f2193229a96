/* Checkpoint files in Kafka's text format (see checkpoint.h). Reading is strict: a file that
 * does not match its own count is reported rather than half-used. */
#include "broker/log/checkpoint.h"

#include "common/buf.h"
#include "common/logger.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes `text` to path atomically: temp file, fsync, rename, fsync of the directory. */
static gerr_t write_atomically(const char *path, const struct buf *text)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        goto fail;
    size_t done = 0;
    while (done < text->len) {
        ssize_t n = write(fd, text->data + done, text->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            goto fail;
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0)
        goto fail;

    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return ERR_NONE;

fail:
    log_error("log", "cannot write checkpoint %s: %s", path, strerror(errno));
    unlink(tmp);
    return ERR_KAFKA_STORAGE_ERROR;
}

static void append_line(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append_line(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = (char *)buf_extend(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len--; /* drop vsnprintf's terminator */
}

gerr_t checkpoint_write_offsets(const char *path, const struct tp_offset *entries, size_t n)
{
    struct buf b;
    buf_init(&b);
    append_line(&b, "%d\n%zu\n", CHECKPOINT_VERSION, n);
    for (size_t i = 0; i < n; i++)
        append_line(&b, "%s %" PRId32 " %" PRId64 "\n", entries[i].topic, entries[i].partition,
                    entries[i].offset);
    gerr_t err = write_atomically(path, &b);
    buf_free(&b);
    return err;
}

gerr_t checkpoint_write_epochs(const char *path, const struct epoch_entry *entries, size_t n)
{
    struct buf b;
    buf_init(&b);
    append_line(&b, "%d\n%zu\n", CHECKPOINT_VERSION, n);
    for (size_t i = 0; i < n; i++)
        append_line(&b, "%" PRId32 " %" PRId64 "\n", entries[i].epoch, entries[i].start_offset);
    gerr_t err = write_atomically(path, &b);
    buf_free(&b);
    return err;
}

/* Reads the version and count lines. *file is NULL when the file does not exist. */
static gerr_t open_checkpoint(const char *path, FILE **file, size_t *count)
{
    long version;
    long long n;
    *count = 0;
    *file = fopen(path, "re");
    if (*file == NULL)
        return errno == ENOENT ? ERR_NONE : ERR__IO;
    if (fscanf(*file, "%ld\n%lld\n", &version, &n) != 2 || version != CHECKPOINT_VERSION || n < 0 ||
        n > 10000000) {
        log_error("log", "checkpoint %s: bad header (expected version %d and a count)", path,
                  CHECKPOINT_VERSION);
        fclose(*file);
        *file = NULL;
        return ERR__CORRUPT;
    }
    *count = (size_t)n;
    return ERR_NONE;
}

/* Reads a checkpoint whose entries parse_entry() reads, one line each, into elements of
 * entry_size bytes. On a malformed line, release(list, parsed) frees what was read. */
static gerr_t read_entries(const char *path, size_t entry_size,
                           bool (*parse_entry)(FILE *file, void *entry),
                           void (*release)(void *list, size_t parsed), void **entries, size_t *n)
{
    FILE *file;
    size_t count;
    *entries = NULL;
    *n = 0;
    gerr_t err = open_checkpoint(path, &file, &count);
    if (err != ERR_NONE || file == NULL)
        return err;

    uint8_t *list = calloc(count ? count : 1, entry_size);
    if (list == NULL)
        abort();
    for (size_t i = 0; i < count; i++) {
        if (!parse_entry(file, list + i * entry_size)) {
            log_error("log", "checkpoint %s: malformed entry on line %zu", path, i + 3);
            release(list, i);
            fclose(file);
            return ERR__CORRUPT;
        }
    }
    fclose(file);
    *entries = list;
    *n = count;
    return ERR_NONE;
}

static bool parse_offset(FILE *file, void *entry)
{
    struct tp_offset *e = entry;
    char topic[256];
    if (fscanf(file, "%255s %" SCNd32 " %" SCNd64 "\n", topic, &e->partition, &e->offset) != 3 ||
        e->partition < 0)
        return false;
    if ((e->topic = strdup(topic)) == NULL)
        abort();
    return true;
}

static void release_offsets(void *list, size_t parsed)
{
    checkpoint_free_offsets(list, parsed);
}

gerr_t checkpoint_read_offsets(const char *path, struct tp_offset **entries, size_t *n)
{
    return read_entries(path, sizeof(**entries), parse_offset, release_offsets,
                        (void **)entries, n);
}

void checkpoint_free_offsets(struct tp_offset *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(entries[i].topic);
    free(entries);
}

static bool parse_epoch(FILE *file, void *entry)
{
    struct epoch_entry *e = entry;
    return fscanf(file, "%" SCNd32 " %" SCNd64 "\n", &e->epoch, &e->start_offset) == 2;
}

static void release_epochs(void *list, size_t parsed)
{
    (void)parsed;
    free(list);
}

gerr_t checkpoint_read_epochs(const char *path, struct epoch_entry **entries, size_t *n)
{
    return read_entries(path, sizeof(**entries), parse_epoch, release_epochs, (void **)entries,
                        n);
}
