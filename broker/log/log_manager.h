/* The log manager owns the log directories (log.dirs) and every partition log in them. At
 * start it locks each directory, reads the checkpoints, notes whether the last shutdown was
 * clean, and opens each "<topic>-<partition>" directory (recovering after an unclean stop).
 * It runs the periodic work (retention, flush policy, checkpoints) and, at shutdown, flushes
 * everything and leaves the clean-shutdown marker. Loop thread only. */
#ifndef GREGOR_LOG_MANAGER_H
#define GREGOR_LOG_MANAGER_H

#include "broker/log/log_config.h"
#include "broker/log/partition_log.h"
#include "common/errors.h"
#include "common/workq.h"

#include <stddef.h>
#include <stdint.h>

#define CLEAN_SHUTDOWN_FILE ".kafka_cleanshutdown"
#define RECOVERY_POINT_FILE "recovery-point-offset-checkpoint"
#define LOG_START_FILE      "log-start-offset-checkpoint"

struct log_manager;

struct logmgr_settings {
    const char *const *dirs;
    size_t ndirs;
    struct log_config defaults;
    int64_t retention_check_interval_ms; /* log.retention.check.interval.ms */
    int64_t checkpoint_interval_ms;      /* log.flush.offset.checkpoint.interval.ms */
};

gerr_t logmgr_open(struct log_manager **out, const struct logmgr_settings *settings,
                   struct workq *wq, int64_t now_ms);
/* Clean shutdown: flushes and closes every log, writes the checkpoints, and leaves the
 * clean-shutdown marker in each directory whose logs all closed cleanly. */
void logmgr_close(struct log_manager *m);

struct plog *logmgr_get(const struct log_manager *m, const char *topic, int32_t partition);
/* Opens the log of a new partition in the directory holding the fewest. */
gerr_t logmgr_create(struct log_manager *m, const char *topic, int32_t partition,
                     const struct log_config *cfg, int64_t now_ms, struct plog **out);
/* Closes the log, renames its directory to "<topic>-<p>.<id>-delete" and removes it on a
 * worker. */
gerr_t logmgr_delete(struct log_manager *m, const char *topic, int32_t partition);

size_t logmgr_count(const struct log_manager *m);
struct plog *logmgr_at(const struct log_manager *m, size_t i);

/* Periodic work: retention, the flush policy and checkpoints, each on its own interval. */
void logmgr_tick(struct log_manager *m, int64_t now_ms);
/* Writes the recovery-point and log-start checkpoints of every directory now. */
gerr_t logmgr_checkpoint(struct log_manager *m);

/* Splits "<topic>-<partition>"; false when the name is not one. */
bool logmgr_parse_dir_name(const char *name, char *topic, size_t topic_size, int32_t *partition);

#endif
