/* One log segment: <base>.log holding record batches back to back, with its sparse offset
 * index and time index. Segments are owned by a partition log (partition_log.h) and counted:
 * a read span or a flush job holds a reference so the descriptor outlives a deletion. */
#ifndef GREGOR_SEGMENT_H
#define GREGOR_SEGMENT_H

#include "broker/log/log_config.h"
#include "broker/log/offset_index.h"
#include "broker/log/record_batch.h"
#include "broker/log/time_index.h"
#include "common/errors.h"

#include <stdbool.h>
#include <stdint.h>

struct segment {
    int64_t base_offset;
    int64_t next_offset; /* one past the last offset stored, base_offset when empty */
    char *dir;
    int log_fd;
    uint64_t size; /* bytes in the .log */
    struct offset_index offsets;
    struct time_index times;
    int32_t index_interval_bytes;
    int32_t index_max_bytes;
    uint32_t bytes_since_index_entry;
    int64_t max_timestamp; /* greatest batch maxTimestamp, RB_NO_TIMESTAMP when none */
    int64_t offset_of_max_timestamp;
    int64_t first_batch_timestamp; /* what segment.ms counts from, RB_NO_TIMESTAMP if none */
    int64_t created_ms;
    int64_t roll_jitter_ms;
    bool active; /* takes appends; its indexes are preallocated */
    int refs;
};

/* "<dir>/<20-digit base><suffix>" into out. */
void segment_path(char *out, size_t size, const char *dir, int64_t base_offset,
                  const char *suffix);

/* Creates an empty active segment. Fails if its files already exist. */
gerr_t segment_create(struct segment **out, const char *dir, int64_t base_offset,
                      const struct log_config *cfg, int64_t now_ms);
/* Opens the existing segment whose .log has this base offset. A missing or insane index is
 * rebuilt from the log by a full recovery (*rebuilt set), which may cut an invalid tail
 * (*bytes_cut). `active` preallocates the indexes for appends. */
gerr_t segment_open(struct segment **out, const char *dir, int64_t base_offset,
                    const struct log_config *cfg, bool active, bool *rebuilt,
                    uint64_t *bytes_cut);

void segment_ref(struct segment *seg);
/* Drops a reference; the last one closes the files (trimming the indexes). */
void segment_unref(struct segment *seg);

/* Appends a validated set of batches whose offsets are final. */
gerr_t segment_append(struct segment *seg, const uint8_t *data, size_t len);
/* True when the indexes have no room for another entry. */
bool segment_indexes_full(const struct segment *seg);
/* Stops appends: trims the indexes to their entries. */
void segment_seal(struct segment *seg);
/* Makes a sealed segment take appends again (it became the last one after a truncation). */
gerr_t segment_activate(struct segment *seg);

/* Where the batch holding `offset` (or the first batch after it) starts. Returns false when
 * every batch of the segment ends before `offset`. */
bool segment_find(struct segment *seg, int64_t offset, uint64_t *position,
                  struct rb_header *header);
/* The byte range of whole batches starting with the one that holds `offset`: at most
 * max_bytes (but one whole batch when min_one_batch), only batches whose last offset is below
 * max_offset. *length is 0 when there is nothing. */
void segment_read_range(struct segment *seg, int64_t offset, uint64_t max_bytes,
                        int64_t max_offset, bool min_one_batch, uint64_t *position,
                        uint64_t *length);
/* The first offset whose record timestamp is >= timestamp; false when none is. */
bool segment_offset_for_timestamp(struct segment *seg, int64_t timestamp, int64_t *offset,
                                  int64_t *found_timestamp);
/* The greatest timestamp in the segment; the .log's mtime when no batch has one. */
int64_t segment_largest_timestamp(const struct segment *seg);

/* Re-validates every batch (CRC, framing, offsets), rebuilds both indexes, and cuts the file
 * at the first invalid byte. *bytes_cut gets what was cut. */
gerr_t segment_recover(struct segment *seg, uint64_t *bytes_cut);
/* Removes every batch whose last offset is >= offset and makes the segment active. */
gerr_t segment_truncate_to(struct segment *seg, int64_t offset);

/* fdatasync of the .log, and msync of the indexes of a sealed segment. Any thread. */
int segment_flush(const struct segment *seg);
/* Renames the files to "<name>.deleted" (loop thread); segment_unlink_deleted() removes them
 * (worker thread). */
gerr_t segment_mark_deleted(struct segment *seg);
void segment_unlink_deleted(const char *dir, int64_t base_offset);
/* Removes the files of a segment that was never opened (at load, after corruption). */
void segment_remove_files(const char *dir, int64_t base_offset);

#endif
