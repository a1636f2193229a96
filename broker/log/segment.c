/* Log segments (see segment.h). Two ways of walking a .log: small preads of batch headers for
 * lookups, which leave the data in the page cache for sendfile, and a buffered window over
 * whole batches for recovery, which must read everything anyway to check CRCs. */
#include "broker/log/segment.h"

#include "common/buf.h"
#include "common/logger.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECOVERY_WINDOW_BYTES (1 << 20)

static const char *const file_suffixes[] = {".log", ".index", ".timeindex"};

void segment_path(char *out, size_t size, const char *dir, int64_t base_offset,
                  const char *suffix)
{
    snprintf(out, size, "%s/%020" PRId64 "%s", dir, base_offset, suffix);
}

/* Moves exactly len bytes between buf and the file at pos, retrying short transfers;
 * false on error or end of file. */
static bool transfer_exact(int fd, uint64_t pos, uint8_t *buf, size_t len, bool writing)
{
    size_t done = 0;
    while (done < len) {
        off_t at = (off_t)(pos + done);
        ssize_t n = writing ? pwrite(fd, buf + done, len - done, at)
                            : pread(fd, buf + done, len - done, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    return true;
}

static bool read_exact(int fd, uint64_t pos, void *out, size_t len)
{
    return transfer_exact(fd, pos, out, len, false);
}

static bool write_exact(int fd, uint64_t pos, const void *data, size_t len)
{
    /* pwrite only reads the buffer; the cast serves the shared loop. */
    return transfer_exact(fd, pos, (uint8_t *)data, len, true);
}

/* The header of the batch at pos, or false past the end or on a header that cannot be one. */
static bool header_at(const struct segment *seg, uint64_t pos, struct rb_header *h)
{
    uint8_t raw[RB_HEADER_SIZE];
    if (pos + RB_HEADER_SIZE > seg->size || !read_exact(seg->log_fd, pos, raw, sizeof(raw)))
        return false;
    rb_read_header(raw, h);
    return h->batch_length >= RB_HEADER_SIZE - RB_LOG_OVERHEAD &&
           pos + rb_total_size(h) <= seg->size;
}

/* Notes a batch stored at `position`: the next offset and the greatest timestamp. */
static void track_batch(struct segment *seg, uint64_t position, const struct rb_header *h)
{
    if (h->max_timestamp > seg->max_timestamp) {
        seg->max_timestamp = h->max_timestamp;
        seg->offset_of_max_timestamp = rb_last_offset(h);
    }
    if (position == 0)
        seg->first_batch_timestamp = h->max_timestamp;
    seg->next_offset = rb_last_offset(h) + 1;
}

/* Bookkeeping for one batch written at `position`, with index entries every index interval.
 * Shared by append and recovery so both build the same indexes. The two indexes get their
 * entries together or not at all: scan_tail() relies on the last time entry being no older
 * than the last offset entry. A full index only makes the index sparser; the next append
 * rolls the segment. */
static void index_batch(struct segment *seg, uint64_t position, const struct rb_header *h)
{
    track_batch(seg, position, h);
    if (seg->bytes_since_index_entry > (uint32_t)seg->index_interval_bytes &&
        !segment_indexes_full(seg)) {
        offset_index_append(&seg->offsets, rb_last_offset(h), (uint32_t)position);
        time_index_maybe_append(&seg->times, seg->max_timestamp, seg->offset_of_max_timestamp);
        seg->bytes_since_index_entry = 0;
    }
    seg->bytes_since_index_entry += (uint32_t)rb_total_size(h);
}

static struct segment *segment_alloc(const char *dir, int64_t base_offset,
                                     const struct log_config *cfg, bool active)
{
    struct segment *seg = calloc(1, sizeof(*seg));
    if (seg == NULL || (seg->dir = strdup(dir)) == NULL)
        abort();
    seg->base_offset = base_offset;
    seg->next_offset = base_offset;
    seg->log_fd = -1;
    seg->index_interval_bytes = cfg->index_interval_bytes;
    seg->index_max_bytes = cfg->index_max_bytes;
    seg->max_timestamp = RB_NO_TIMESTAMP;
    seg->offset_of_max_timestamp = base_offset;
    seg->first_batch_timestamp = RB_NO_TIMESTAMP;
    seg->roll_jitter_ms = cfg->segment_jitter_ms > 0 ? random() % cfg->segment_jitter_ms : 0;
    seg->active = active;
    seg->refs = 1;
    return seg;
}

static void segment_close_files(struct segment *seg)
{
    offset_index_close(&seg->offsets);
    time_index_close(&seg->times);
    if (seg->log_fd >= 0)
        close(seg->log_fd);
    seg->log_fd = -1;
}

static gerr_t open_indexes(struct segment *seg, bool writable)
{
    char path[PATH_MAX];
    segment_path(path, sizeof(path), seg->dir, seg->base_offset, ".index");
    if (offset_index_open(&seg->offsets, path, seg->base_offset, (size_t)seg->index_max_bytes,
                          writable) != 0) {
        log_error("log", "cannot open %s: %s", path, strerror(errno));
        return ERR__IO;
    }
    segment_path(path, sizeof(path), seg->dir, seg->base_offset, ".timeindex");
    if (time_index_open(&seg->times, path, seg->base_offset, (size_t)seg->index_max_bytes,
                        writable) != 0) {
        log_error("log", "cannot open %s: %s", path, strerror(errno));
        offset_index_close(&seg->offsets);
        return ERR__IO;
    }
    return ERR_NONE;
}

gerr_t segment_create(struct segment **out, const char *dir, int64_t base_offset,
                      const struct log_config *cfg, int64_t now_ms)
{
    char path[PATH_MAX];
    struct segment *seg = segment_alloc(dir, base_offset, cfg, true);
    seg->created_ms = now_ms;
    segment_path(path, sizeof(path), dir, base_offset, ".log");
    seg->log_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (seg->log_fd < 0) {
        log_error("log", "cannot create %s: %s", path, strerror(errno));
        free(seg->dir);
        free(seg);
        return ERR__IO;
    }
    gerr_t err = open_indexes(seg, true);
    if (err != ERR_NONE) {
        close(seg->log_fd);
        unlink(path);
        free(seg->dir);
        free(seg);
        return err;
    }
    *out = seg;
    return ERR_NONE;
}

/* Sets next_offset, the greatest timestamp and the index spacing from the indexes plus a walk
 * over the batches after the last offset-index entry. Assumes the indexes are sane. */
static void scan_tail(struct segment *seg)
{
    int64_t timestamp, offset;
    if (time_index_last(&seg->times, &timestamp, &offset)) {
        seg->max_timestamp = timestamp;
        seg->offset_of_max_timestamp = offset;
    }
    int64_t indexed_offset;
    uint32_t position;
    offset_index_lookup(&seg->offsets, INT64_MAX, &indexed_offset, &position);

    struct rb_header h;
    for (uint64_t pos = position; header_at(seg, pos, &h); pos += rb_total_size(&h))
        track_batch(seg, pos, &h);
    seg->bytes_since_index_entry = (uint32_t)(seg->size - position);
    if (header_at(seg, 0, &h))
        seg->first_batch_timestamp = h.max_timestamp;
}

static bool file_exists(const char *dir, int64_t base_offset, const char *suffix)
{
    char path[PATH_MAX];
    segment_path(path, sizeof(path), dir, base_offset, suffix);
    return access(path, F_OK) == 0;
}

gerr_t segment_open(struct segment **out, const char *dir, int64_t base_offset,
                    const struct log_config *cfg, bool active, bool *rebuilt,
                    uint64_t *bytes_cut)
{
    char path[PATH_MAX];
    struct stat st;
    struct segment *seg = segment_alloc(dir, base_offset, cfg, active);
    bool indexes_present = file_exists(dir, base_offset, ".index") &&
                           file_exists(dir, base_offset, ".timeindex");

    segment_path(path, sizeof(path), dir, base_offset, ".log");
    seg->log_fd = open(path, O_RDWR | O_CLOEXEC);
    if (seg->log_fd < 0 || fstat(seg->log_fd, &st) != 0) {
        log_error("log", "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    seg->size = (uint64_t)st.st_size;
    seg->created_ms = (int64_t)st.st_mtime * 1000;
    /* Open writable when the indexes may need rebuilding; sealing trims them afterwards. */
    if (open_indexes(seg, true) != ERR_NONE)
        goto fail;

    *rebuilt = false;
    *bytes_cut = 0;
    if (indexes_present && offset_index_is_sane(&seg->offsets, seg->size)) {
        scan_tail(seg);
        if (!time_index_is_sane(&seg->times, seg->next_offset))
            indexes_present = false;
    } else {
        indexes_present = false;
    }
    if (!indexes_present) {
        log_info("log", "Rebuilding the indexes of %s", path);
        if (segment_recover(seg, bytes_cut) != ERR_NONE)
            goto fail_indexes;
        *rebuilt = true;
    }
    if (!active)
        segment_seal(seg);
    *out = seg;
    return ERR_NONE;

fail_indexes:
    offset_index_close(&seg->offsets);
    time_index_close(&seg->times);
fail:
    if (seg->log_fd >= 0)
        close(seg->log_fd);
    free(seg->dir);
    free(seg);
    return ERR__IO;
}

void segment_ref(struct segment *seg)
{
    seg->refs++;
}

void segment_unref(struct segment *seg)
{
    if (--seg->refs > 0)
        return;
    segment_close_files(seg);
    free(seg->dir);
    free(seg);
}

gerr_t segment_append(struct segment *seg, const uint8_t *data, size_t len)
{
    if (!write_exact(seg->log_fd, seg->size, data, len)) {
        log_error("log", "write to segment %s/%020" PRId64 ".log failed: %s", seg->dir,
                  seg->base_offset, strerror(errno));
        /* Cut any partial write so the file still ends on a whole batch. */
        if (ftruncate(seg->log_fd, (off_t)seg->size) != 0)
            log_error("log", "cannot cut a partial write: %s", strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    size_t pos = 0;
    while (pos < len) {
        struct rb_header h;
        rb_read_header(data + pos, &h);
        index_batch(seg, seg->size + pos, &h);
        pos += rb_total_size(&h);
    }
    seg->size += len;
    return ERR_NONE;
}

bool segment_indexes_full(const struct segment *seg)
{
    return index_file_full(&seg->offsets.file) || index_file_full(&seg->times.file);
}

void segment_seal(struct segment *seg)
{
    if (!seg->active && !seg->offsets.file.writable)
        return;
    seg->active = false;
    /* A last time entry, so a reopened segment knows its greatest timestamp at once. */
    time_index_maybe_append(&seg->times, seg->max_timestamp, seg->offset_of_max_timestamp);
    if (index_file_set_writable(&seg->offsets.file, false, 0) != 0 ||
        index_file_set_writable(&seg->times.file, false, 0) != 0)
        log_warn("log", "cannot trim the indexes of %s/%020" PRId64 ": %s", seg->dir,
                 seg->base_offset, strerror(errno));
}

gerr_t segment_activate(struct segment *seg)
{
    if (index_file_set_writable(&seg->offsets.file, true, (size_t)seg->index_max_bytes) != 0 ||
        index_file_set_writable(&seg->times.file, true, (size_t)seg->index_max_bytes) != 0) {
        log_error("log", "cannot reopen the indexes of %s/%020" PRId64 ": %s", seg->dir,
                  seg->base_offset, strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    seg->active = true;
    return ERR_NONE;
}

bool segment_find(struct segment *seg, int64_t offset, uint64_t *position,
                  struct rb_header *header)
{
    int64_t indexed_offset;
    uint32_t start;
    offset_index_lookup(&seg->offsets, offset, &indexed_offset, &start);
    for (uint64_t pos = start; header_at(seg, pos, header); pos += rb_total_size(header)) {
        if (rb_last_offset(header) >= offset) {
            *position = pos;
            return true;
        }
    }
    return false;
}

/* The start of the last whole batch boundary at or before `limit`, searching from `from`
 * (a batch start). The offset index jumps most of the way; headers cover the rest. */
static uint64_t boundary_before(struct segment *seg, uint64_t from, uint64_t limit)
{
    const struct index_file *ix = &seg->offsets.file;
    size_t lo = 0, hi = ix->entries;
    while (lo < hi) { /* first entry whose position is > limit */
        size_t mid = lo + (hi - lo) / 2;
        if (be32_load(index_file_entry(ix, mid) + 4) <= limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t pos = from;
    if (lo > 0) {
        uint64_t indexed = be32_load(index_file_entry(ix, lo - 1) + 4);
        if (indexed > pos)
            pos = indexed;
    }
    uint8_t raw[RB_LOG_OVERHEAD];
    while (pos + RB_LOG_OVERHEAD <= seg->size && read_exact(seg->log_fd, pos, raw, sizeof(raw))) {
        int64_t base;
        int32_t length;
        rb_read_overhead(raw, &base, &length);
        uint64_t end = pos + (uint64_t)length + RB_LOG_OVERHEAD;
        if (length <= 0 || end > limit)
            break;
        pos = end;
    }
    return pos;
}

void segment_read_range(struct segment *seg, int64_t offset, uint64_t max_bytes,
                        int64_t max_offset, bool min_one_batch, uint64_t *position,
                        uint64_t *length)
{
    struct rb_header first;
    *length = 0;
    if (!segment_find(seg, offset, position, &first) || rb_last_offset(&first) >= max_offset)
        return;

    uint64_t limit = seg->size;
    struct rb_header bound;
    uint64_t bound_pos;
    if (max_offset < seg->next_offset && segment_find(seg, max_offset, &bound_pos, &bound))
        limit = bound_pos; /* the batch holding max_offset, and all after it, stay out */
    if (max_bytes < limit - *position)
        limit = *position + max_bytes;

    /* The first batch's header is in hand: start the walk after it, not at it. */
    uint64_t first_end = *position + rb_total_size(&first);
    uint64_t end;
    if (first_end > limit)
        end = min_one_batch ? first_end : *position;
    else
        end = boundary_before(seg, first_end, limit);
    *length = end - *position;
}

/* Finds the first record at or after `timestamp` inside one batch. Compressed batches are
 * answered with the batch's base offset: finding the record would need decompression. */
struct timestamp_search {
    int64_t target;
    int64_t offset;
    int64_t timestamp;
    bool found;
};

static bool match_timestamp(void *ctx, int64_t offset, int64_t timestamp)
{
    struct timestamp_search *search = ctx;
    if (timestamp < search->target)
        return true;
    search->offset = offset;
    search->timestamp = timestamp;
    search->found = true;
    return false;
}

static bool search_batch(struct segment *seg, uint64_t pos, const struct rb_header *h,
                         struct timestamp_search *search)
{
    size_t size = rb_total_size(h);
    uint8_t *batch = malloc(size);
    if (batch == NULL)
        abort();
    gerr_t err = ERR__IO;
    if (read_exact(seg->log_fd, pos, batch, size))
        err = rb_for_each_record(batch, size, match_timestamp, search);
    free(batch);
    if (!search->found) {
        /* Compressed, or records that do not parse: the batch is the best answer. */
        if (err != ERR_UNSUPPORTED_COMPRESSION_TYPE)
            log_warn("log", "batch at %020" PRId64 ":%" PRIu64 " in %s: cannot read records",
                     seg->base_offset, pos, seg->dir);
        search->offset = h->base_offset;
        search->timestamp = h->max_timestamp;
        search->found = true;
    }
    return true;
}

bool segment_offset_for_timestamp(struct segment *seg, int64_t timestamp, int64_t *offset,
                                  int64_t *found_timestamp)
{
    if (seg->max_timestamp < timestamp)
        return false;
    /* Entries strictly below the target are safe starting points: every record up to their
     * offset is older than the target. */
    int64_t start_offset = time_index_lookup(&seg->times, timestamp - 1);
    uint64_t pos;
    struct rb_header h;
    if (!segment_find(seg, start_offset, &pos, &h))
        return false;
    for (; header_at(seg, pos, &h); pos += rb_total_size(&h)) {
        if (h.max_timestamp < timestamp)
            continue;
        struct timestamp_search search = {.target = timestamp};
        search_batch(seg, pos, &h, &search);
        *offset = search.offset;
        *found_timestamp = search.timestamp;
        return true;
    }
    return false;
}

int64_t segment_largest_timestamp(const struct segment *seg)
{
    struct stat st;
    if (seg->max_timestamp >= 0)
        return seg->max_timestamp;
    if (fstat(seg->log_fd, &st) != 0)
        return 0;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

/* A buffered window over a .log for reading whole batches in order. */
struct log_window {
    int fd;
    uint64_t file_size;
    uint8_t *buf;
    size_t cap;
    uint64_t start; /* file position of buf[0] */
    size_t len;
};

/* The bytes [pos, pos+n), or NULL when the file ends first or cannot be read. */
static const uint8_t *window_get(struct log_window *w, uint64_t pos, size_t n)
{
    if (pos + n > w->file_size || pos + n < pos)
        return NULL;
    if (pos >= w->start && pos + n <= w->start + w->len)
        return w->buf + (pos - w->start);
    size_t want = n > RECOVERY_WINDOW_BYTES ? n : RECOVERY_WINDOW_BYTES;
    if (want > w->file_size - pos)
        want = (size_t)(w->file_size - pos);
    if (want > w->cap) {
        free(w->buf);
        w->buf = malloc(want);
        if (w->buf == NULL)
            abort();
        w->cap = want;
    }
    w->start = pos;
    w->len = 0;
    if (!read_exact(w->fd, pos, w->buf, want))
        return NULL;
    w->len = want;
    return w->buf;
}

/* Whether the batch at pos is one recovery keeps: whole, CRC-valid, and after `next`. */
static bool recoverable_batch(struct segment *seg, struct log_window *w, uint64_t pos,
                              struct rb_header *h)
{
    const uint8_t *head = window_get(w, pos, RB_HEADER_SIZE);
    if (head == NULL)
        return false;
    rb_read_header(head, h);
    if (h->batch_length < RB_HEADER_SIZE - RB_LOG_OVERHEAD)
        return false;
    const uint8_t *batch = window_get(w, pos, rb_total_size(h));
    if (batch == NULL || rb_check_batch(batch, rb_total_size(h), h) != ERR_NONE)
        return false;
    int64_t expected = seg->size == 0 ? seg->base_offset : seg->next_offset;
    return h->base_offset >= expected && rb_last_offset(h) - seg->base_offset <= INT32_MAX;
}

gerr_t segment_recover(struct segment *seg, uint64_t *bytes_cut)
{
    uint64_t file_size = seg->size;
    struct log_window w = {.fd = seg->log_fd, .file_size = file_size};
    bool was_active = seg->active;

    if (segment_activate(seg) != ERR_NONE)
        return ERR__IO;
    seg->active = was_active;
    index_file_truncate(&seg->offsets.file, 0);
    index_file_truncate(&seg->times.file, 0);
    seg->next_offset = seg->base_offset;
    seg->max_timestamp = RB_NO_TIMESTAMP;
    seg->offset_of_max_timestamp = seg->base_offset;
    seg->first_batch_timestamp = RB_NO_TIMESTAMP;
    seg->bytes_since_index_entry = 0;

    /* seg->size counts the bytes accepted so far; recoverable_batch() checks against it. */
    seg->size = 0;
    struct rb_header h;
    while (recoverable_batch(seg, &w, seg->size, &h)) {
        index_batch(seg, seg->size, &h);
        seg->size += rb_total_size(&h);
    }
    free(w.buf);

    *bytes_cut = file_size - seg->size;
    if (*bytes_cut > 0 && ftruncate(seg->log_fd, (off_t)seg->size) != 0) {
        log_error("log", "cannot truncate %s/%020" PRId64 ".log: %s", seg->dir, seg->base_offset,
                  strerror(errno));
        return ERR__IO;
    }
    if (!seg->active)
        segment_seal(seg);
    return ERR_NONE;
}

gerr_t segment_truncate_to(struct segment *seg, int64_t offset)
{
    uint64_t pos;
    struct rb_header h;
    if (!segment_find(seg, offset, &pos, &h))
        return ERR_NONE;
    if (segment_activate(seg) != ERR_NONE)
        return ERR_KAFKA_STORAGE_ERROR;
    if (ftruncate(seg->log_fd, (off_t)pos) != 0) {
        log_error("log", "cannot truncate %s/%020" PRId64 ".log: %s", seg->dir, seg->base_offset,
                  strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    seg->size = pos;
    /* Batches do not share offsets, so every entry at or after the cut batch's base offset
     * belongs to a batch that is gone. */
    offset_index_truncate_to(&seg->offsets, h.base_offset);
    time_index_truncate_to(&seg->times, h.base_offset);
    seg->next_offset = seg->base_offset;
    seg->max_timestamp = RB_NO_TIMESTAMP;
    seg->offset_of_max_timestamp = seg->base_offset;
    seg->first_batch_timestamp = RB_NO_TIMESTAMP;
    scan_tail(seg);
    return ERR_NONE;
}

int segment_flush(const struct segment *seg)
{
    if (fdatasync(seg->log_fd) != 0)
        return -1;
    if (seg->active)
        return 0; /* recovery rebuilds the active segment's indexes; no need to sync them */
    if (index_file_flush(&seg->offsets.file) != 0 || index_file_flush(&seg->times.file) != 0)
        return -1;
    return 0;
}

gerr_t segment_mark_deleted(struct segment *seg)
{
    char from[PATH_MAX], to[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof(file_suffixes) / sizeof(file_suffixes[0]); i++) {
        segment_path(from, sizeof(from), seg->dir, seg->base_offset, file_suffixes[i]);
        snprintf(to, sizeof(to), "%s.deleted", from);
        if (rename(from, to) != 0 && errno != ENOENT) {
            log_error("log", "cannot rename %s for deletion: %s", from, strerror(errno));
            return ERR_KAFKA_STORAGE_ERROR;
        }
    }
    return ERR_NONE;
}

/* Unlinks "<base><suffix><extra>" for each of the segment's files. */
static void unlink_files(const char *dir, int64_t base_offset, const char *extra)
{
    char path[PATH_MAX], full[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof(file_suffixes) / sizeof(file_suffixes[0]); i++) {
        segment_path(path, sizeof(path), dir, base_offset, file_suffixes[i]);
        snprintf(full, sizeof(full), "%s%s", path, extra);
        if (unlink(full) != 0 && errno != ENOENT)
            log_warn("log", "cannot remove %s: %s", full, strerror(errno));
    }
}

void segment_unlink_deleted(const char *dir, int64_t base_offset)
{
    unlink_files(dir, base_offset, ".deleted");
}

void segment_remove_files(const char *dir, int64_t base_offset)
{
    unlink_files(dir, base_offset, "");
}
