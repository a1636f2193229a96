/* The time index of one segment (<base>.timeindex): 12-byte entries of timestamp (i64) and
 * relative offset (u32), big-endian. An entry (t, o) says t is the greatest timestamp of the
 * records up to offset o, so timestamps rise strictly from entry to entry. A lookup gives the
 * offset from which to scan for the first record at or after a time. */
#ifndef GREGOR_TIME_INDEX_H
#define GREGOR_TIME_INDEX_H

#include "broker/log/index_file.h"

#define TIME_INDEX_ENTRY_SIZE 12

struct time_index {
    struct index_file file;
    int64_t base_offset;
};

int time_index_open(struct time_index *ix, const char *path, int64_t base_offset,
                    size_t max_bytes, bool writable);
void time_index_close(struct time_index *ix);

/* Appends (timestamp, offset) when timestamp is valid (>= 0) and greater than the last entry's;
 * false only when an entry was due but the index is full. */
bool time_index_maybe_append(struct time_index *ix, int64_t timestamp, int64_t offset);
/* The last entry whose timestamp is <= target: its offset is where the search starts.
 * Without one, base_offset. */
int64_t time_index_lookup(const struct time_index *ix, int64_t target);
/* Removes the entries for offsets >= offset. */
void time_index_truncate_to(struct time_index *ix, int64_t offset);
/* The last entry, or false when there is none. */
bool time_index_last(const struct time_index *ix, int64_t *timestamp, int64_t *offset);
/* True when timestamps rise strictly and offsets never fall, all within [base, next_offset). */
bool time_index_is_sane(const struct time_index *ix, int64_t next_offset);

#endif
