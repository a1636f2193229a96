/* The settings one partition log obeys: the broker's log.* keys, later overridden per topic
 * (segment.bytes, retention.ms, ...). Values are resolved once, so the hot path reads fields. */
#ifndef GREGOR_LOG_CONFIG_H
#define GREGOR_LOG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

struct log_config {
    int64_t segment_bytes;        /* segment.bytes: roll when the next batch would pass it */
    int64_t segment_ms;           /* segment.ms: roll a segment this old */
    int64_t segment_jitter_ms;    /* segment.jitter.ms: spreads rolls of many partitions */
    int32_t index_max_bytes;      /* segment.index.bytes: preallocated index size */
    int32_t index_interval_bytes; /* index.interval.bytes: log bytes between index entries */
    int64_t retention_ms;         /* retention.ms, -1 = keep forever */
    int64_t retention_bytes;      /* retention.bytes per partition, -1 = no limit */
    bool cleanup_delete;          /* cleanup.policy contains "delete" */
    int64_t flush_messages;       /* flush.messages: fsync after this many unflushed messages */
    int64_t flush_ms;             /* flush.ms: fsync data older than this */
    bool flush_before_ack;        /* gregor: an append is acknowledged once fsynced */
    int32_t max_message_bytes;    /* max.message.bytes (broker: message.max.bytes) */
};

/* Kafka's defaults, for tests and tools that have no config. */
void log_config_defaults(struct log_config *cfg);
/* The broker-wide values from server.properties. */
void log_config_from_broker(const struct config *broker, struct log_config *cfg);
/* Applies one topic-level override (retention.ms, segment.bytes, cleanup.policy, ...). An
 * unknown key or a bad value returns false with Kafka's wording of the reason in why. */
bool log_config_apply_topic(struct log_config *cfg, const char *key, const char *value,
                            char *why, size_t why_size);

#endif
