/* Resolves a partition log's settings from the broker configuration (see log_config.h). */
#include "broker/log/log_config.h"

#include "common/config.h"

#include <stddef.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void log_config_defaults(struct log_config *cfg)
{
    *cfg = (struct log_config){
        .segment_bytes = 1073741824,
        .segment_ms = 168LL * 3600 * 1000,
        .segment_jitter_ms = 0,
        .index_max_bytes = 10485760,
        .index_interval_bytes = 4096,
        .retention_ms = 168LL * 3600 * 1000,
        .retention_bytes = -1,
        .cleanup_delete = true,
        .flush_messages = INT64_MAX,
        .flush_ms = INT64_MAX,
        .flush_before_ack = false,
        .max_message_bytes = 1048588,
    };
}

static bool list_contains(const struct config *c, const char *key, const char *item)
{
    const char *const *items;
    size_t n = config_get_list(c, key, &items);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], item) == 0)
            return true;
    }
    return false;
}

void log_config_from_broker(const struct config *c, struct log_config *cfg)
{
    cfg->segment_bytes = config_get_int(c, "log.segment.bytes");
    cfg->segment_ms = config_log_roll_ms(c);
    cfg->segment_jitter_ms = config_log_roll_jitter_ms(c);
    cfg->index_max_bytes = config_get_int(c, "log.index.size.max.bytes");
    cfg->index_interval_bytes = config_get_int(c, "log.index.interval.bytes");
    cfg->retention_ms = config_log_retention_ms(c);
    cfg->retention_bytes = config_get_long(c, "log.retention.bytes");
    cfg->cleanup_delete = list_contains(c, "log.cleanup.policy", "delete");
    cfg->flush_messages = config_get_long(c, "log.flush.interval.messages");
    cfg->flush_ms = config_log_flush_interval_ms(c);
    cfg->flush_before_ack = config_get_bool(c, "log.flush.before.ack");
    cfg->max_message_bytes = config_get_int(c, "message.max.bytes");
}

/* Topic-level keys that map onto one integer field, with the smallest value Kafka allows. */
struct topic_long_key {
    const char *name;
    size_t field; /* offsetof in struct log_config */
    bool is_int32;
    int64_t min;
};

#define LONG_KEY(name, field, min) {name, offsetof(struct log_config, field), false, min}
#define INT_KEY(name, field, min)  {name, offsetof(struct log_config, field), true, min}

static const struct topic_long_key topic_long_keys[] = {
    LONG_KEY("flush.messages", flush_messages, 1),
    LONG_KEY("flush.ms", flush_ms, 0),
    INT_KEY("index.interval.bytes", index_interval_bytes, 0),
    INT_KEY("max.message.bytes", max_message_bytes, 0),
    LONG_KEY("retention.bytes", retention_bytes, INT64_MIN),
    LONG_KEY("retention.ms", retention_ms, -1),
    LONG_KEY("segment.bytes", segment_bytes, 14),
    INT_KEY("segment.index.bytes", index_max_bytes, 4),
    LONG_KEY("segment.jitter.ms", segment_jitter_ms, 0),
    LONG_KEY("segment.ms", segment_ms, 1),
};

static bool apply_long(struct log_config *cfg, const struct topic_long_key *k, const char *value,
                       char *why, size_t why_size)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    int64_t max = k->is_int32 ? INT32_MAX : INT64_MAX;
    if (errno != 0 || end == value || *end != '\0') {
        snprintf(why, why_size, "Invalid value %s for configuration %s: Not a number of type %s",
                 value, k->name, k->is_int32 ? "INT" : "LONG");
        return false;
    }
    if (v < k->min || v > max) {
        snprintf(why, why_size,
                 "Invalid value %s for configuration %s: Value must be at least %lld", value,
                 k->name, (long long)k->min);
        return false;
    }
    char *field = (char *)cfg + k->field;
    if (k->is_int32)
        *(int32_t *)field = (int32_t)v;
    else
        *(int64_t *)field = v;
    return true;
}

static bool apply_cleanup_policy(struct log_config *cfg, const char *value, char *why,
                                 size_t why_size)
{
    bool has_delete = strstr(value, "delete") != NULL;
    bool has_compact = strstr(value, "compact") != NULL;
    if (!has_delete && !has_compact) {
        snprintf(why, why_size,
                 "Invalid value %s for configuration cleanup.policy: String must be one of: "
                 "compact, delete", value);
        return false;
    }
    cfg->cleanup_delete = has_delete;
    return true;
}

bool log_config_apply_topic(struct log_config *cfg, const char *key, const char *value,
                            char *why, size_t why_size)
{
    for (size_t i = 0; i < sizeof(topic_long_keys) / sizeof(topic_long_keys[0]); i++) {
        if (strcmp(key, topic_long_keys[i].name) == 0)
            return apply_long(cfg, &topic_long_keys[i], value, why, why_size);
    }
    if (strcmp(key, "cleanup.policy") == 0)
        return apply_cleanup_policy(cfg, value, why, why_size);
    if (strcmp(key, "flush.before.ack") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
            snprintf(why, why_size,
                     "Invalid value %s for configuration flush.before.ack: Expected value to be "
                     "either true or false", value);
            return false;
        }
        cfg->flush_before_ack = value[0] == 't';
        return true;
    }
    snprintf(why, why_size, "Unknown topic config name: %s", key);
    return false;
}
