/* The log of one partition: an ordered list of segments in <log.dir>/<topic>-<partition>/,
 * the last one active. It appends batches (assigning offsets as a leader, keeping them as a
 * follower), serves reads as file spans for sendfile, rolls segments, applies retention,
 * truncates for replication, and flushes to disk on a worker, with group commit for appends
 * that must be durable before they are acknowledged.
 * Loop thread only; blocking work goes to the workq and comes back through its completions. */
#ifndef GREGOR_PARTITION_LOG_H
#define GREGOR_PARTITION_LOG_H

#include "broker/log/log_config.h"
#include "broker/log/segment.h"
#include "common/errors.h"
#include "common/workq.h"

#include <stdbool.h>
#include <stdint.h>

struct plog;

/* What the log manager knows about a partition before opening it. */
struct plog_open_opts {
    bool recover;              /* the last shutdown was unclean: re-validate the tail */
    int64_t recovery_point;    /* from recovery-point-offset-checkpoint, 0 if absent */
    int64_t log_start_offset;  /* from log-start-offset-checkpoint, -1 if absent */
};

/* Opens (creating when absent) the log in `dir`, whose last path element is "<topic>-<p>". */
gerr_t plog_open(struct plog **out, const char *dir, const struct log_config *cfg,
                 const struct plog_open_opts *opts, struct workq *wq, int64_t now_ms);
/* Waits for this log's flushes, seals the active segment, flushes what is left and closes.
 * Returns ERR_NONE when everything reached the disk. */
gerr_t plog_close(struct plog *log);

const char *plog_name(const struct plog *log);       /* "<topic>-<partition>" */
const char *plog_dir(const struct plog *log);
int64_t plog_log_start_offset(const struct plog *log);
int64_t plog_log_end_offset(const struct plog *log);
int64_t plog_recovery_point(const struct plog *log); /* all offsets below it are on disk */
int64_t plog_high_watermark(const struct plog *log);
/* Replication sets the high watermark; retention never deletes data at or above it. */
void plog_set_high_watermark(struct plog *log, int64_t offset);
size_t plog_segment_count(const struct plog *log);
uint64_t plog_size_bytes(const struct plog *log);
const struct log_config *plog_config(const struct plog *log);
void plog_set_config(struct plog *log, const struct log_config *cfg);

struct log_append_info {
    int64_t first_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    int64_t record_count;
};

/* Appends one producer batch (Kafka's client rules), writing baseOffset = log end offset and
 * partitionLeaderEpoch into `batch` in place. */
gerr_t plog_append_as_leader(struct plog *log, uint8_t *batch, size_t len, int32_t leader_epoch,
                             int64_t now_ms, struct log_append_info *info);
/* Appends batches as the leader assigned them; the first offset must be >= log end offset. */
gerr_t plog_append_as_follower(struct plog *log, const uint8_t *batches, size_t len,
                               int64_t now_ms, struct log_append_info *info);

/* A byte range of one segment's .log, holding whole batches, ready for sendfile. The span
 * holds a reference: release it when sent. */
struct log_span {
    struct segment *segment;
    int fd;
    uint64_t position;
    uint64_t length; /* 0: nothing to read at this offset (yet) */
};

/* Reads from `offset`: whole batches, at most max_bytes of them (but one whole batch when
 * min_one_batch and the first is larger), none reaching max_offset (the high watermark for
 * consumers, the log end offset for followers). An offset inside a batch gives that batch.
 * OFFSET_OUT_OF_RANGE when offset < log start offset or > log end offset. */
gerr_t plog_read(struct plog *log, int64_t offset, uint64_t max_bytes, int64_t max_offset,
                 bool min_one_batch, struct log_span *span);
void plog_span_release(struct log_span *span);

/* The first offset whose timestamp is >= timestamp (ListOffsets). ERR__NOT_FOUND when every
 * record is older. */
gerr_t plog_offset_for_timestamp(struct plog *log, int64_t timestamp, int64_t *offset,
                                 int64_t *found_timestamp);

/* Starts a new active segment at the log end offset. */
gerr_t plog_roll(struct plog *log, int64_t now_ms);
/* Deletes leading segments by retention.ms, retention.bytes and the log start offset, never
 * the active segment nor data at or above the high watermark. Files are removed on a worker.
 * Returns how many segments went. */
int plog_apply_retention(struct plog *log, int64_t now_ms);
/* Moves the log start offset forward (DeleteRecords); whole segments below it go at the next
 * retention pass. */
void plog_advance_log_start_offset(struct plog *log, int64_t offset);

/* Removes everything at or after `offset` (replication truncation). */
gerr_t plog_truncate_to(struct plog *log, int64_t offset);
/* Removes every segment and starts an empty log at `offset`. */
gerr_t plog_truncate_fully_and_start_at(struct plog *log, int64_t offset, int64_t now_ms);

typedef void (*plog_durable_fn)(void *arg, gerr_t err);
/* Calls fn(arg, ERR_NONE) once every offset below `offset` is on disk, starting a flush if
 * none is running: appends that wait together share one fsync (group commit). fn gets
 * KAFKA_STORAGE_ERROR when the fsync failed and ERR__TRUNCATED when the data was cut first.
 * When the offsets are already durable, fn runs before this returns. */
void plog_when_durable(struct plog *log, int64_t offset, plog_durable_fn fn, void *arg);
/* The flush policy (flush.messages, flush.ms) and nothing else: called after appends and
 * from the periodic tick. */
void plog_maybe_flush(struct plog *log, int64_t now_ms);
/* True after an fsync failed: the log takes no more appends (KAFKA_STORAGE_ERROR). */
bool plog_failed(const struct plog *log);

#endif
