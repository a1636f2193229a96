/* Resolves a partition log's settings from the broker configuration (see log_config.h). */
#include "broker/log/log_config.h"

#include "common/config.h"

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
