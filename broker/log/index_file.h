/* A file of fixed-size index entries, memory-mapped. The active segment's index is
 * preallocated to its maximum size (log.index.size.max.bytes) so appends are plain stores;
 * when the segment rolls or closes the file is trimmed to the entries it holds. The offset
 * and time indexes (offset_index.h, time_index.h) give meaning to the entries. */
#ifndef GREGOR_INDEX_FILE_H
#define GREGOR_INDEX_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct index_file {
    char *path;
    int fd;
    uint8_t *map;
    size_t map_bytes;   /* bytes mapped; also the file's size while it is open */
    size_t entry_size;
    size_t entries;     /* entries in use */
    size_t max_entries; /* room in the map */
    bool writable;
};

/* Opens (creating if absent) an index. A writable index is extended to max_bytes (rounded
 * down to whole entries) and takes appends; a read-only one maps the file as it is. On open,
 * `entries` counts every whole entry in the file: the caller's sanity check finds where the
 * real entries end. Returns 0, or -1 with errno set. */
int index_file_open(struct index_file *ix, const char *path, size_t entry_size, size_t max_bytes,
                    bool writable);
/* Trims a writable file to its entries, then unmaps and closes. */
void index_file_close(struct index_file *ix);

/* Appends one entry; returns false when the index is full or read-only. */
bool index_file_append(struct index_file *ix, const void *entry);
static inline const uint8_t *index_file_entry(const struct index_file *ix, size_t i)
{
    return ix->map + i * ix->entry_size;
}
static inline bool index_file_full(const struct index_file *ix)
{
    return ix->entries >= ix->max_entries;
}
/* Drops entries from `n` on. */
void index_file_truncate(struct index_file *ix, size_t n);
/* Makes a read-only index writable again (after a truncation reopens a segment for appends),
 * or a writable one read-only and trimmed (when its segment rolls). Returns 0 or -1. */
int index_file_set_writable(struct index_file *ix, bool writable, size_t max_bytes);
/* Writes the mapped entries to disk (msync). Any thread; returns 0 or -1. */
int index_file_flush(const struct index_file *ix);
/* Binary search over entries [0, entries): the greatest index i whose key, as returned by
 * key_of, is <= target; -1 when every key is greater (or there are no entries). */
ssize_t index_file_floor(const struct index_file *ix, int64_t target,
                         int64_t (*key_of)(const uint8_t *entry));

#endif
