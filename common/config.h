/* The broker configuration: Kafka's server.properties keys, types, defaults and validation,
 * loaded from a properties file, KAFKA_* environment variables and --override arguments
 * (later sources win). A loaded config is read-only and may be shared between threads. */
#ifndef GREGOR_CONFIG_H
#define GREGOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Kafka's ConfigDef types; the values are the ConfigType codes of DescribeConfigs v3+. */
enum config_type {
    CONFIG_BOOLEAN = 1,
    CONFIG_STRING = 2,
    CONFIG_INT = 3,
    CONFIG_SHORT = 4,
    CONFIG_LONG = 5,
    CONFIG_DOUBLE = 6,
    CONFIG_LIST = 7,
    CONFIG_PASSWORD = 9,
};

/* One key as DescribeConfigs reports it. value is the text as set (or the default), NULL when
 * the key has neither; it points into storage owned by the config. */
struct config_entry {
    const char *name;
    enum config_type type;
    const char *value;
    bool is_default;
    bool is_sensitive;
    const char *doc;
};

struct config;

struct config *config_new(void); /* all defaults */
void config_free(struct config *c);

/* Each returns 0, or -1 with a message naming the key (and the file:line, environment variable
 * or argument it came from) in err. A key the table does not know is logged as a warning and
 * ignored; it is not an error. */
int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen);
int config_load_file(struct config *c, const char *path, char *err, size_t errlen);
/* Parses text in java.util.Properties syntax; origin names it in messages. */
int config_load_string(struct config *c, const char *text, const char *origin, char *err,
                       size_t errlen);
/* Applies every KAFKA_* (or KAFKA_CFG_*) variable of envp: KAFKA_LOG_RETENTION_HOURS sets
 * log.retention.hours; "___" stands for '-' and "__" for '_'. */
int config_apply_env(struct config *c, char *const *envp, char *err, size_t errlen);
/* argv after the program name: "[server.properties] [--override key=value]..." (also
 * "--override=key=value"). Checks every argument first, then applies the file, then envp,
 * then the overrides. */
int config_from_args(struct config *c, int argc, char **argv, char *const *envp, char *err,
                     size_t errlen);
/* Checks value against key's type and validator without storing it (for topic-level synonyms
 * such as cleanup.policy → log.cleanup.policy). Unknown keys are an error here. */
int config_check(const char *key, const char *value, char *err, size_t errlen);

/* Whether key names a key of the table. */
bool config_is_known(const char *key);

/* The getters below abort() on a key the table does not know, on a getter of the wrong type,
 * and (bool and number getters) on a key with neither a value nor a default, such as
 * log.retention.ms: check config_is_set first. */
bool config_is_set(const struct config *c, const char *key); /* set explicitly, not default */
bool config_get_bool(const struct config *c, const char *key);
int32_t config_get_int(const struct config *c, const char *key); /* INT or SHORT */
int64_t config_get_long(const struct config *c, const char *key);
double config_get_double(const struct config *c, const char *key);
/* STRING or PASSWORD; NULL when unset without a default. */
const char *config_get_string(const struct config *c, const char *key);
/* LIST: number of items (empty items dropped); *items points into storage owned by c. */
size_t config_get_list(const struct config *c, const char *key, const char *const **items);

/* Kafka's derived values. */
/* log.retention.ms > .minutes > .hours; negative means unlimited and gives -1. */
int64_t config_log_retention_ms(const struct config *c);
int64_t config_log_roll_ms(const struct config *c);        /* log.roll.ms > log.roll.hours */
int64_t config_log_roll_jitter_ms(const struct config *c); /* .jitter.ms > .jitter.hours */
/* log.flush.interval.ms, else log.flush.scheduler.interval.ms */
int64_t config_log_flush_interval_ms(const struct config *c);
/* log.dirs wins over log.dir (default /tmp/kafka-logs). */
size_t config_log_dirs(const struct config *c, const char *const **dirs);
/* zookeeper.connection.timeout.ms, else zookeeper.session.timeout.ms */
int32_t config_zookeeper_connection_timeout_ms(const struct config *c);

/* Number of keys in the table, and the index-th of them in name order; false past the end. */
size_t config_key_count(void);
bool config_describe(const struct config *c, size_t index, struct config_entry *out);
/* Writes Kafka's "KafkaConfig values:" block: one "\tkey = value" line per key, sorted;
 * unset values show as null, lists as [a, b], passwords as [hidden]. */
void config_dump(const struct config *c, FILE *out);

#endif
