/* Shared helpers for the partition log tests: open a log in a scratch directory, append
 * batches of numbered records, and read the whole log back checking every batch. */
#ifndef GREGOR_LOG_FIXTURE_H
#define GREGOR_LOG_FIXTURE_H

#include "broker/log/partition_log.h"

#include <stddef.h>
#include <stdint.h>

/* Kafka's defaults with small indexes, so tests create files quickly. */
struct log_config fixture_config(void);

/* Opens <dir>/<name>; asserts success. */
struct plog *fixture_open(const char *dir, const char *name, const struct log_config *cfg,
                          bool recover, int64_t recovery_point, struct workq *wq);

/* Appends `batches` batches of `records` records with values of value_size bytes, the batch
 * i stamped timestamp + i. Asserts success; returns the last append's info. */
struct log_append_info fixture_append(struct plog *log, int batches, int records,
                                      size_t value_size, int64_t timestamp);

/* Builds one batch of `records` records (caller frees with free()). */
uint8_t *fixture_batch(int records, size_t value_size, int64_t timestamp, size_t *len);

/* What a full read of the log saw. */
struct fixture_scan {
    int64_t batches;
    int64_t records;
    int64_t first_offset;
    int64_t next_offset; /* one past the last offset seen */
    bool contiguous;     /* each batch began where the previous ended */
    bool crc_ok;         /* every batch passed rb_check_batch */
};

/* Reads from `from` to the log end through plog_read spans, 64 KiB at a time. */
struct fixture_scan fixture_scan(struct plog *log, int64_t from);

/* Size of a file, or -1 when it does not exist. */
long long fixture_file_size(const char *path);

#endif
