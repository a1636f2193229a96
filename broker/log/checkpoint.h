/* Kafka's checkpoint files: a version line, a count line, then one entry per line.
 *   recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 *   replication-offset-checkpoint:   "<topic> <partition> <offset>"
 *   leader-epoch-checkpoint:         "<epoch> <start offset>"
 * Writes go to "<file>.tmp", are fsynced, then renamed over the file, so a crash leaves either
 * the old or the new checkpoint, never half of one. */
#ifndef GREGOR_CHECKPOINT_H
#define GREGOR_CHECKPOINT_H

#include "common/errors.h"

#include <stddef.h>
#include <stdint.h>

#define CHECKPOINT_VERSION 0

struct tp_offset {
    char *topic;
    int32_t partition;
    int64_t offset;
};

struct epoch_entry {
    int32_t epoch;
    int64_t start_offset;
};

gerr_t checkpoint_write_offsets(const char *path, const struct tp_offset *entries, size_t n);
/* A missing file reads as no entries. A malformed one is ERR__CORRUPT and is logged with the
 * path and line. Free with checkpoint_free_offsets(). */
gerr_t checkpoint_read_offsets(const char *path, struct tp_offset **entries, size_t *n);
void checkpoint_free_offsets(struct tp_offset *entries, size_t n);

gerr_t checkpoint_write_epochs(const char *path, const struct epoch_entry *entries, size_t n);
gerr_t checkpoint_read_epochs(const char *path, struct epoch_entry **entries, size_t *n);

#endif
