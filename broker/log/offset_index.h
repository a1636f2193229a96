/* The sparse offset index of one segment (<base>.index): 8-byte entries of relative offset
 * (u32, offset - base) and file position (u32), big-endian as Kafka writes them. An entry
 * (o, p) says the batch holding offset o starts at byte p. */
#ifndef GREGOR_OFFSET_INDEX_H
#define GREGOR_OFFSET_INDEX_H

#include "broker/log/index_file.h"

#define OFFSET_INDEX_ENTRY_SIZE 8

struct offset_index {
    struct index_file file;
    int64_t base_offset;
};

int offset_index_open(struct offset_index *ix, const char *path, int64_t base_offset,
                      size_t max_bytes, bool writable);
void offset_index_close(struct offset_index *ix);

/* Appends (offset, position); false when full. Offsets must rise strictly. */
bool offset_index_append(struct offset_index *ix, int64_t offset, uint32_t position);
/* The last entry at or before `target`: the position to start scanning from. Without one,
 * (base_offset, 0). */
void offset_index_lookup(const struct offset_index *ix, int64_t target, int64_t *offset,
                         uint32_t *position);
/* Removes the entries for offsets >= offset. */
void offset_index_truncate_to(struct offset_index *ix, int64_t offset);
/* The offset of the last entry, or base_offset when empty. */
int64_t offset_index_last_offset(const struct offset_index *ix);
/* True when the entries rise strictly in offset and position and every position lies inside
 * a log of log_size bytes. A false answer means: rebuild from the log. */
bool offset_index_is_sane(const struct offset_index *ix, uint64_t log_size);

#endif
