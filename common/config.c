/* The broker configuration: a static table of Kafka's broker keys (type, default, validator,
 * doc), a java.util.Properties reader, the KAFKA_* environment mapping and the command line.
 * All sources go through one setter, so a value is checked alike wherever it came from. */
#include "common/config.h"

#include "common/logger.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INT_MAX_TEXT  "2147483647"
#define LONG_MAX_TEXT "9223372036854775807"

#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_HOUR   INT64_C(3600000)

struct config_key {
    const char *name;
    enum config_type type;
    const char *default_text; /* NULL: no default */
    /* Inclusive bounds, written as text and read with the key's own type; NULL: none. */
    const char *min_text;
    const char *max_text;
    const char *const *allowed; /* NULL-terminated set each value (or list item) must be in */
    const char *doc;
};

static const char *const cleanup_policies[] = {"compact", "delete", NULL};
static const char *const compression_types[] = {
    "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", NULL,
};
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime", NULL};
static const char *const log_levels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", NULL};
static const char *const security_protocols[] = {
    "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL,
};
static const char *const ssl_client_auths[] = {"required", "requested", "none", NULL};

/* Sorted by name (config_new checks), so lookups can bsearch and the dump needs no sort.
 * Defaults are Kafka's code defaults (KafkaConfig.scala Defaults), not the shipped sample's. */
static const struct config_key keys[] = {
    {"advertised.listeners", CONFIG_LIST, NULL, NULL, NULL, NULL,
     "Listeners published to clients in Metadata, if different from listeners."},
    {"advertised.rpc.listener", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "gregor extension: host:port other brokers use for this broker's RPC listener."},
    {"auto.create.topics.enable", CONFIG_BOOLEAN, "true", NULL, NULL, NULL,
     "Create a topic when a client asks for metadata of one that does not exist."},
    {"auto.leader.rebalance.enable", CONFIG_BOOLEAN, "true", NULL, NULL, NULL,
     "Move leadership back to preferred replicas in the background."},
    {"background.threads", CONFIG_INT, "10", "1", NULL, NULL,
     "Threads for background work."},
    {"broker.id", CONFIG_INT, "-1", NULL, NULL, NULL,
     "This broker's id; -1 asks ZooKeeper for a generated one."},
    {"broker.id.generation.enable", CONFIG_BOOLEAN, "true", NULL, NULL, NULL,
     "Allow a generated broker id when broker.id is -1."},
    {"broker.rack", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "Rack of this broker, for rack-aware replica placement."},
    {"compression.type", CONFIG_STRING, "producer", NULL, NULL, compression_types,
     "Final compression of topics' data; producer keeps the producer's codec."},
    {"connections.max.idle.ms", CONFIG_LONG, "600000", NULL, NULL, NULL,
     "Close connections idle for longer than this."},
    {"controlled.shutdown.enable", CONFIG_BOOLEAN, "true", NULL, NULL, NULL,
     "Hand leadership over to other replicas before shutting down."},
    {"controlled.shutdown.max.retries", CONFIG_INT, "3", NULL, NULL, NULL,
     "Attempts at a controlled shutdown before shutting down anyway."},
    {"controlled.shutdown.retry.backoff.ms", CONFIG_LONG, "5000", NULL, NULL, NULL,
     "Wait between controlled shutdown attempts."},
    {"controller.socket.timeout.ms", CONFIG_INT, "30000", NULL, NULL, NULL,
     "Timeout of controller-to-broker channels."},
    {"default.replication.factor", CONFIG_INT, "1", NULL, NULL, NULL,
     "Replication factor of automatically created topics."},
    {"delete.topic.enable", CONFIG_BOOLEAN, "true", NULL, NULL, NULL,
     "Allow topics to be deleted."},
    {"fetch.max.bytes", CONFIG_INT, "57671680", "1024", NULL, NULL,
     "Most bytes returned for one Fetch request."},
    {"group.initial.rebalance.delay.ms", CONFIG_INT, "3000", NULL, NULL, NULL,
     "How long a new group waits for more members before its first rebalance."},
    {"group.max.session.timeout.ms", CONFIG_INT, "1800000", NULL, NULL, NULL,
     "Largest session timeout a group member may ask for."},
    {"group.max.size", CONFIG_INT, INT_MAX_TEXT, "1", NULL, NULL,
     "Most members a consumer group may have."},
    {"group.min.session.timeout.ms", CONFIG_INT, "6000", NULL, NULL, NULL,
     "Smallest session timeout a group member may ask for."},
    {"inter.broker.listener.name", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "Listener brokers use to talk to each other."},
    {"leader.imbalance.check.interval.seconds", CONFIG_LONG, "300", NULL, NULL, NULL,
     "How often the controller checks for leader imbalance."},
    {"leader.imbalance.per.broker.percentage", CONFIG_INT, "10", NULL, NULL, NULL,
     "Leader imbalance per broker, in percent, that triggers a rebalance."},
    {"listener.security.protocol.map", CONFIG_LIST,
     "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", NULL, NULL,
     NULL, "Listener name to security protocol, as NAME:PROTOCOL pairs."},
    {"listeners", CONFIG_LIST, "PLAINTEXT://:9092", NULL, NULL, NULL,
     "URIs to listen on, as NAME://host:port; an empty host binds every interface."},
    {"log.cleaner.backoff.ms", CONFIG_LONG, "15000", "0", NULL, NULL,
     "Sleep of the log cleaner when there is nothing to clean."},
    {"log.cleaner.dedupe.buffer.size", CONFIG_LONG, "134217728", NULL, NULL, NULL,
     "Memory for deduplication across all cleaner threads."},
    {"log.cleaner.delete.retention.ms", CONFIG_LONG, "86400000", NULL, NULL, NULL,
     "How long tombstones are kept in compacted topics."},
    {"log.cleaner.enable", CONFIG_BOOLEAN, "true", NULL, NULL, NULL,
     "Run the log cleaner (needed for compacted topics)."},
    {"log.cleaner.io.buffer.load.factor", CONFIG_DOUBLE, "0.9", NULL, NULL, NULL,
     "Load factor of the cleaner's deduplication buffer."},
    {"log.cleaner.io.buffer.size", CONFIG_INT, "524288", "0", NULL, NULL,
     "I/O buffer memory across all cleaner threads."},
    {"log.cleaner.io.max.bytes.per.second", CONFIG_DOUBLE, "1.7976931348623157E308", NULL, NULL,
     NULL, "Throttle of the cleaner's reads plus writes."},
    {"log.cleaner.max.compaction.lag.ms", CONFIG_LONG, LONG_MAX_TEXT, NULL, NULL, NULL,
     "Longest time a record may stay ineligible for compaction."},
    {"log.cleaner.min.cleanable.ratio", CONFIG_DOUBLE, "0.5", "0", "1", NULL,
     "Dirty-to-total ratio a log needs before it is cleaned."},
    {"log.cleaner.min.compaction.lag.ms", CONFIG_LONG, "0", NULL, NULL, NULL,
     "Shortest time a record stays uncompacted."},
    {"log.cleaner.threads", CONFIG_INT, "1", "0", NULL, NULL,
     "Background threads for log cleaning."},
    {"log.cleanup.policy", CONFIG_LIST, "delete", NULL, NULL, cleanup_policies,
     "What happens to old segments: delete, compact, or both."},
    {"log.dir", CONFIG_LIST, "/tmp/kafka-logs", NULL, NULL, NULL,
     "Log directory, used when log.dirs is not set."},
    {"log.dirs", CONFIG_LIST, NULL, NULL, NULL, NULL,
     "Comma-separated log directories; overrides log.dir."},
    {"log.flush.before.ack", CONFIG_BOOLEAN, "false", NULL, NULL, NULL,
     "gregor extension: fsync appends (group-committed) before acknowledging them."},
    {"log.flush.interval.messages", CONFIG_LONG, LONG_MAX_TEXT, "1", NULL, NULL,
     "Messages appended to a partition before it is fsynced."},
    {"log.flush.interval.ms", CONFIG_LONG, NULL, NULL, NULL, NULL,
     "Longest time a message stays in memory before an fsync."},
    {"log.flush.offset.checkpoint.interval.ms", CONFIG_INT, "60000", "0", NULL, NULL,
     "How often the recovery point checkpoint is written."},
    {"log.flush.scheduler.interval.ms", CONFIG_LONG, LONG_MAX_TEXT, NULL, NULL, NULL,
     "How often the flusher checks whether a log needs an fsync."},
    {"log.flush.start.offset.checkpoint.interval.ms", CONFIG_INT, "60000", "0", NULL, NULL,
     "How often the log start offset checkpoint is written."},
    {"log.index.interval.bytes", CONFIG_INT, "4096", "0", NULL, NULL,
     "Bytes of log between two offset index entries."},
    {"log.index.size.max.bytes", CONFIG_INT, "10485760", "4", NULL, NULL,
     "Largest size of an offset index file."},
    {"log.level", CONFIG_STRING, "INFO", NULL, NULL, log_levels,
     "gregor extension: lowest level logged: TRACE, DEBUG, INFO, WARN or ERROR."},
    {"log.message.timestamp.difference.max.ms", CONFIG_LONG, LONG_MAX_TEXT, NULL, NULL, NULL,
     "Largest allowed gap between a CreateTime timestamp and the broker's clock."},
    {"log.message.timestamp.type", CONFIG_STRING, "CreateTime", NULL, NULL, timestamp_types,
     "Whether record timestamps are the producer's or the broker's append time."},
    {"log.preallocate", CONFIG_BOOLEAN, "false", NULL, NULL, NULL,
     "Preallocate the file of a new segment."},
    {"log.retention.bytes", CONFIG_LONG, "-1", NULL, NULL, NULL,
     "Largest size of a partition's log before old segments go; -1 is no limit."},
    {"log.retention.check.interval.ms", CONFIG_LONG, "300000", "1", NULL, NULL,
     "How often the retention check runs."},
    {"log.retention.hours", CONFIG_INT, "168", NULL, NULL, NULL,
     "Hours a segment is kept; log.retention.minutes and log.retention.ms win."},
    {"log.retention.minutes", CONFIG_INT, NULL, NULL, NULL, NULL,
     "Minutes a segment is kept; log.retention.ms wins."},
    {"log.retention.ms", CONFIG_LONG, NULL, NULL, NULL, NULL,
     "Milliseconds a segment is kept; -1 is no limit."},
    {"log.roll.hours", CONFIG_INT, "168", "1", NULL, NULL,
     "Hours before a new segment is rolled; log.roll.ms wins."},
    {"log.roll.jitter.hours", CONFIG_INT, "0", "0", NULL, NULL,
     "Largest random jitter subtracted from the roll time, in hours."},
    {"log.roll.jitter.ms", CONFIG_LONG, NULL, NULL, NULL, NULL,
     "Largest random jitter subtracted from the roll time, in milliseconds."},
    {"log.roll.ms", CONFIG_LONG, NULL, NULL, NULL, NULL,
     "Milliseconds before a new segment is rolled."},
    {"log.segment.bytes", CONFIG_INT, "1073741824", "14", NULL, NULL,
     "Largest size of one segment file."},
    {"log.segment.delete.delay.ms", CONFIG_LONG, "60000", "0", NULL, NULL,
     "Wait before a deleted segment's files are removed."},
    {"max.connections", CONFIG_INT, INT_MAX_TEXT, "0", NULL, NULL,
     "Most connections the broker accepts at once."},
    {"max.connections.per.ip", CONFIG_INT, INT_MAX_TEXT, "0", NULL, NULL,
     "Most connections accepted from one IP address."},
    {"max.connections.per.ip.overrides", CONFIG_STRING, "", NULL, NULL, NULL,
     "Per-IP or per-host limits, as host:count pairs."},
    {"max.incremental.fetch.session.cache.slots", CONFIG_INT, "1000", "0", NULL, NULL,
     "Most incremental fetch sessions kept."},
    {"message.max.bytes", CONFIG_INT, "1048588", "0", NULL, NULL,
     "Largest record batch the broker accepts."},
    {"min.insync.replicas", CONFIG_INT, "1", "1", NULL, NULL,
     "In-sync replicas an acks=all write needs."},
    {"num.io.threads", CONFIG_INT, "8", "1", NULL, NULL,
     "Threads that process requests."},
    {"num.network.threads", CONFIG_INT, "3", "1", NULL, NULL,
     "Threads that read requests and send responses."},
    {"num.partitions", CONFIG_INT, "1", "1", NULL, NULL,
     "Partitions of automatically created topics."},
    {"num.recovery.threads.per.data.dir", CONFIG_INT, "1", "1", NULL, NULL,
     "Threads per log directory for recovery at startup and flushing at shutdown."},
    {"num.replica.fetchers", CONFIG_INT, "1", NULL, NULL, NULL,
     "Fetcher threads per source broker."},
    {"offset.metadata.max.bytes", CONFIG_INT, "4096", NULL, NULL, NULL,
     "Largest metadata string stored with a committed offset."},
    {"offsets.commit.required.acks", CONFIG_SHORT, "-1", NULL, NULL, NULL,
     "acks needed before an offset commit is accepted."},
    {"offsets.commit.timeout.ms", CONFIG_INT, "5000", "1", NULL, NULL,
     "How long an offset commit waits for its replicas."},
    {"offsets.load.buffer.size", CONFIG_INT, "5242880", "1", NULL, NULL,
     "Batch size for reading the offsets topic into the cache."},
    {"offsets.retention.check.interval.ms", CONFIG_LONG, "600000", "1", NULL, NULL,
     "How often stale committed offsets are looked for."},
    {"offsets.retention.minutes", CONFIG_INT, "10080", "1", NULL, NULL,
     "How long the offsets of an empty group are kept."},
    {"offsets.topic.compression.codec", CONFIG_INT, "0", NULL, NULL, NULL,
     "Compression codec of the offsets topic."},
    {"offsets.topic.num.partitions", CONFIG_INT, "50", "1", NULL, NULL,
     "Partitions of the offsets topic."},
    {"offsets.topic.replication.factor", CONFIG_SHORT, "3", "1", NULL, NULL,
     "Replication factor of the offsets topic."},
    {"offsets.topic.segment.bytes", CONFIG_INT, "104857600", "1", NULL, NULL,
     "Segment size of the offsets topic."},
    {"queued.max.request.bytes", CONFIG_LONG, "-1", NULL, NULL, NULL,
     "Bytes of queued requests before reading stops; -1 is no limit."},
    {"queued.max.requests", CONFIG_INT, "500", "1", NULL, NULL,
     "Queued requests before reading stops."},
    {"replica.fetch.backoff.ms", CONFIG_INT, "1000", "0", NULL, NULL,
     "Sleep after a replica fetch error."},
    {"replica.fetch.max.bytes", CONFIG_INT, "1048576", "0", NULL, NULL,
     "Bytes fetched per partition by a replica fetch."},
    {"replica.fetch.min.bytes", CONFIG_INT, "1", NULL, NULL, NULL,
     "Least bytes a replica fetch waits for."},
    {"replica.fetch.response.max.bytes", CONFIG_INT, "10485760", "0", NULL, NULL,
     "Most bytes in a whole replica fetch response."},
    {"replica.fetch.wait.max.ms", CONFIG_INT, "500", NULL, NULL, NULL,
     "Longest wait of a replica fetch for data."},
    {"replica.high.watermark.checkpoint.interval.ms", CONFIG_LONG, "5000", NULL, NULL, NULL,
     "How often the high watermark checkpoint is written."},
    {"replica.lag.time.max.ms", CONFIG_LONG, "30000", NULL, NULL, NULL,
     "A follower that has not caught up for this long leaves the ISR."},
    {"replica.socket.receive.buffer.bytes", CONFIG_INT, "65536", NULL, NULL, NULL,
     "Receive buffer of replica fetch sockets."},
    {"replica.socket.timeout.ms", CONFIG_INT, "30000", NULL, NULL, NULL,
     "Socket timeout of replica fetches."},
    {"request.timeout.ms", CONFIG_INT, "30000", NULL, NULL, NULL,
     "Longest wait for a response to a request this broker sends."},
    {"reserved.broker.max.id", CONFIG_INT, "1000", "0", NULL, NULL,
     "Largest broker.id an operator may set; generated ids start above it."},
    {"rpc.listener", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "gregor extension: host:port of the inter-broker RPC listener."},
    {"sasl.enabled.mechanisms", CONFIG_LIST, "GSSAPI", NULL, NULL, NULL,
     "SASL mechanisms the broker offers."},
    {"sasl.jaas.config", CONFIG_PASSWORD, NULL, NULL, NULL, NULL,
     "JAAS login context for SASL connections."},
    {"sasl.mechanism.inter.broker.protocol", CONFIG_STRING, "GSSAPI", NULL, NULL, NULL,
     "SASL mechanism used between brokers."},
    {"security.inter.broker.protocol", CONFIG_STRING, "PLAINTEXT", NULL, NULL,
     security_protocols, "Security protocol between brokers."},
    {"socket.receive.buffer.bytes", CONFIG_INT, "102400", NULL, NULL, NULL,
     "SO_RCVBUF of client sockets when set explicitly; unset or -1 keeps Linux autotuning."},
    {"socket.request.max.bytes", CONFIG_INT, "104857600", "1", NULL, NULL,
     "Largest request the broker reads."},
    {"socket.send.buffer.bytes", CONFIG_INT, "102400", NULL, NULL, NULL,
     "SO_SNDBUF of client sockets when set explicitly; unset or -1 keeps Linux autotuning."},
    {"ssl.client.auth", CONFIG_STRING, "none", NULL, NULL, ssl_client_auths,
     "Whether TLS clients must present a certificate."},
    {"ssl.key.password", CONFIG_PASSWORD, NULL, NULL, NULL, NULL,
     "Password of the private key in the key store."},
    {"ssl.keystore.location", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "Path of the key store."},
    {"ssl.keystore.password", CONFIG_PASSWORD, NULL, NULL, NULL, NULL,
     "Password of the key store."},
    {"ssl.keystore.type", CONFIG_STRING, "JKS", NULL, NULL, NULL,
     "File format of the key store."},
    {"ssl.truststore.location", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "Path of the trust store."},
    {"ssl.truststore.password", CONFIG_PASSWORD, NULL, NULL, NULL, NULL,
     "Password of the trust store."},
    {"ssl.truststore.type", CONFIG_STRING, "JKS", NULL, NULL, NULL,
     "File format of the trust store."},
    {"transaction.abort.timed.out.transaction.cleanup.interval.ms", CONFIG_INT, "10000", "1",
     NULL, NULL, "How often timed-out transactions are rolled back."},
    {"transaction.max.timeout.ms", CONFIG_INT, "900000", "1", NULL, NULL,
     "Largest transaction timeout a producer may ask for."},
    {"transaction.remove.expired.transaction.cleanup.interval.ms", CONFIG_INT, "3600000", "1",
     NULL, NULL, "How often expired transactional ids are removed."},
    {"transaction.state.log.load.buffer.size", CONFIG_INT, "5242880", "1", NULL, NULL,
     "Batch size for reading the transaction log into the cache."},
    {"transaction.state.log.min.isr", CONFIG_INT, "2", "1", NULL, NULL,
     "min.insync.replicas of the transaction topic."},
    {"transaction.state.log.num.partitions", CONFIG_INT, "50", "1", NULL, NULL,
     "Partitions of the transaction topic."},
    {"transaction.state.log.replication.factor", CONFIG_SHORT, "3", "1", NULL, NULL,
     "Replication factor of the transaction topic."},
    {"transaction.state.log.segment.bytes", CONFIG_INT, "104857600", "1", NULL, NULL,
     "Segment size of the transaction topic."},
    {"transactional.id.expiration.ms", CONFIG_INT, "604800000", "1", NULL, NULL,
     "Idle time after which a transactional id expires."},
    {"unclean.leader.election.enable", CONFIG_BOOLEAN, "false", NULL, NULL, NULL,
     "Let an out-of-sync replica become leader, losing data, when no ISR member is left."},
    {"zookeeper.connect", CONFIG_STRING, NULL, NULL, NULL, NULL,
     "ZooKeeper connection string, host:port[,host:port...][/chroot]."},
    {"zookeeper.connection.timeout.ms", CONFIG_INT, NULL, NULL, NULL, NULL,
     "Longest wait to connect to ZooKeeper; defaults to zookeeper.session.timeout.ms."},
    {"zookeeper.max.in.flight.requests", CONFIG_INT, "10", "1", NULL, NULL,
     "Unacknowledged requests sent to ZooKeeper before sending blocks."},
    {"zookeeper.session.timeout.ms", CONFIG_INT, "18000", NULL, NULL, NULL,
     "ZooKeeper session timeout."},
    {"zookeeper.set.acl", CONFIG_BOOLEAN, "false", NULL, NULL, NULL,
     "Put secure ACLs on the znodes this broker creates."},
    {"zookeeper.sync.time.ms", CONFIG_INT, "2000", NULL, NULL, NULL,
     "How far a ZooKeeper follower may be behind its leader."},
};

#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))

/* Kafka's type names (for messages) and, for integers, the Java type's range. */
static const struct type_info {
    const char *name;
    int64_t lo;
    int64_t hi;
} types[] = {
    [CONFIG_BOOLEAN] = {"BOOLEAN", 0, 0},
    [CONFIG_STRING] = {"STRING", 0, 0},
    [CONFIG_INT] = {"INT", INT32_MIN, INT32_MAX},
    [CONFIG_SHORT] = {"SHORT", INT16_MIN, INT16_MAX},
    [CONFIG_LONG] = {"LONG", INT64_MIN, INT64_MAX},
    [CONFIG_DOUBLE] = {"DOUBLE", 0, 0},
    [CONFIG_LIST] = {"LIST", 0, 0},
    [CONFIG_PASSWORD] = {"PASSWORD", 0, 0},
};

struct value {
    char *text; /* trimmed, as given; NULL: no value */
    bool explicit_set;
    union {
        bool b;
        int64_t i;
        double d;
    } num;
    char *list_buf;     /* LIST: a copy of text cut into items */
    const char **items; /* LIST: pointers into list_buf */
    size_t n_items;
};

struct config {
    struct value values[KEY_COUNT];
};

/* ---- small helpers ---- */

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_error("config", "%s", msg);
    abort();
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL)
        die("out of memory");
    return p;
}

static char *xstrndup(const char *s, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

/* Java's String.trim(): drops every control character and space at both ends. */
static char *trimmed_copy(const char *s)
{
    while (*s != '\0' && (unsigned char)*s <= ' ')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (unsigned char)s[len - 1] <= ' ')
        len--;
    return xstrndup(s, len);
}

static bool in_set(const char *const *set, const char *s)
{
    for (; *set != NULL; set++) {
        if (strcmp(*set, s) == 0)
            return true;
    }
    return false;
}

static int compare_key(const void *name, const void *key)
{
    return strcmp(name, ((const struct config_key *)key)->name);
}

static const struct config_key *find_key(const char *name)
{
    return bsearch(name, keys, KEY_COUNT, sizeof(keys[0]), compare_key);
}

static void value_clear(struct value *v)
{
    free(v->text);
    free(v->list_buf);
    free(v->items);
    *v = (struct value){0};
}

/* Writes "origin: message" (or just the message) into err, which may be NULL when errlen is 0. */
static __attribute__((format(printf, 4, 5))) void set_error(char *err, size_t errlen,
                                                            const char *origin, const char *fmt,
                                                            ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (origin != NULL)
        snprintf(err, errlen, "%s: %s", origin, msg);
    else
        snprintf(err, errlen, "%s", msg);
}

/* ---- parsing and validating one value ---- */

/* A decimal integer with an optional sign, within [lo, hi], as Java's Integer.parseInt. */
static bool parse_integer(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    bool negative = (*s == '-');
    if (*s == '-' || *s == '+')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    /* Accumulate downwards so that INT64_MIN is reachable. */
    int64_t v = 0;
    for (; isdigit((unsigned char)*s); s++) {
        int digit = *s - '0';
        if (v < (INT64_MIN + digit) / 10)
            return false;
        v = v * 10 - digit;
    }
    if (*s != '\0')
        return false;
    if (!negative) {
        if (v == INT64_MIN)
            return false;
        v = -v;
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || isnan(d))
        return false;
    *out = d;
    return true;
}

/* Cuts a copy of text at commas and trims each item; empty items are dropped, as Kafka's
 * parseCsvList does for log.dirs. */
static void split_list(const char *text, struct value *v)
{
    size_t max_items = 1;
    for (const char *p = text; *p != '\0'; p++)
        max_items += (*p == ',');
    v->list_buf = xstrndup(text, strlen(text));
    v->items = xmalloc(max_items * sizeof(*v->items));
    for (char *item = v->list_buf; item != NULL;) {
        char *comma = strchr(item, ',');
        if (comma != NULL)
            *comma = '\0';
        while (isspace((unsigned char)*item))
            item++;
        size_t len = strlen(item);
        while (len > 0 && isspace((unsigned char)item[len - 1]))
            item[--len] = '\0';
        if (len > 0)
            v->items[v->n_items++] = item;
        item = comma != NULL ? comma + 1 : NULL;
    }
}

/* Fills v->num (or v's list) from text; false when the text is not of the key's type. */
static bool parse_typed(const struct config_key *k, const char *text, struct value *v)
{
    switch (k->type) {
    case CONFIG_BOOLEAN:
        v->num.b = strcasecmp(text, "true") == 0;
        return v->num.b || strcasecmp(text, "false") == 0;
    case CONFIG_INT:
    case CONFIG_SHORT:
    case CONFIG_LONG:
        return parse_integer(text, types[k->type].lo, types[k->type].hi, &v->num.i);
    case CONFIG_DOUBLE:
        return parse_double(text, &v->num.d);
    case CONFIG_LIST:
        split_list(text, v);
        return true;
    case CONFIG_STRING:
    case CONFIG_PASSWORD:
        return true;
    }
    return false;
}

/* <0, 0 or >0 as v is below, at or above the bound (text of the key's numeric type). */
static int compare_to_bound(const struct config_key *k, const struct value *v, const char *bound)
{
    struct value b = {0};
    if (!parse_typed(k, bound, &b))
        die("bad bound %s in the table entry of %s", bound, k->name);
    if (k->type == CONFIG_DOUBLE)
        return (v->num.d > b.num.d) - (v->num.d < b.num.d);
    return (v->num.i > b.num.i) - (v->num.i < b.num.i);
}

/* Kafka's Range validator. */
static bool check_range(const struct config_key *k, const struct value *v, char *reason,
                        size_t len)
{
    if (k->min_text != NULL && compare_to_bound(k, v, k->min_text) < 0) {
        snprintf(reason, len, "Value must be at least %s", k->min_text);
        return false;
    }
    if (k->max_text != NULL && compare_to_bound(k, v, k->max_text) > 0) {
        snprintf(reason, len, "Value must be no more than %s", k->max_text);
        return false;
    }
    return true;
}

/* Kafka's ValidString / ValidList.in: on failure *shown is the offending text. */
static bool check_allowed(const struct config_key *k, const struct value *v, const char **shown,
                          char *reason, size_t len)
{
    if (k->allowed == NULL)
        return true;
    const char *bad = NULL;
    if (k->type == CONFIG_LIST) {
        for (size_t i = 0; i < v->n_items && bad == NULL; i++)
            bad = in_set(k->allowed, v->items[i]) ? NULL : v->items[i];
    } else if (!in_set(k->allowed, v->text)) {
        bad = v->text;
    }
    if (bad == NULL)
        return true;
    size_t n = (size_t)snprintf(reason, len, "String must be one of: ");
    for (const char *const *a = k->allowed; *a != NULL && n < len; a++)
        n += (size_t)snprintf(reason + n, len - n, "%s%s", *a, a[1] != NULL ? ", " : "");
    *shown = bad;
    return false;
}

/* Parses and checks raw for k into *v; on failure writes Kafka's message into err. */
static int build_value(const struct config_key *k, const char *raw, struct value *v,
                       const char *origin, char *err, size_t errlen)
{
    *v = (struct value){.text = trimmed_copy(raw)};
    const char *shown = v->text;
    char reason[256];
    bool ok = parse_typed(k, v->text, v);
    if (!ok && k->type == CONFIG_BOOLEAN)
        snprintf(reason, sizeof(reason), "Expected value to be either true or false");
    else if (!ok)
        snprintf(reason, sizeof(reason), "Not a number of type %s", types[k->type].name);
    else
        ok = check_range(k, v, reason, sizeof(reason)) &&
             check_allowed(k, v, &shown, reason, sizeof(reason));
    if (!ok) {
        set_error(err, errlen, origin, "Invalid value %s for configuration %s: %s", shown, k->name,
                  reason);
        value_clear(v);
        return -1;
    }
    return 0;
}

/* The one setter behind every source; origin names the source in messages (NULL: none). */
static int set_from(struct config *c, const char *key, const char *raw, const char *origin,
                    char *err, size_t errlen)
{
    const struct config_key *k = find_key(key);
    if (k == NULL) {
        log_warn("config", "The configuration '%s' was supplied but isn't a known config.%s%s",
                 key, origin != NULL ? " Source: " : "", origin != NULL ? origin : "");
        return 0;
    }
    struct value v;
    if (build_value(k, raw, &v, origin, err, errlen) < 0)
        return -1;
    v.explicit_set = true;
    struct value *slot = &c->values[k - keys];
    value_clear(slot);
    *slot = v;
    return 0;
}

/* ---- the config object ---- */

struct config *config_new(void)
{
    struct config *c = xmalloc(sizeof(*c));
    char err[512];
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (i > 0 && strcmp(keys[i - 1].name, keys[i].name) >= 0)
            die("key table out of order at %s", keys[i].name);
        c->values[i] = (struct value){0};
        if (keys[i].default_text != NULL &&
            build_value(&keys[i], keys[i].default_text, &c->values[i], NULL, err, sizeof(err)) < 0)
            die("bad default in the key table: %s", err);
    }
    return c;
}

void config_free(struct config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < KEY_COUNT; i++)
        value_clear(&c->values[i]);
    free(c);
}

int config_set(struct config *c, const char *key, const char *value, char *err, size_t errlen)
{
    return set_from(c, key, value, NULL, err, errlen);
}

int config_check(const char *key, const char *value, char *err, size_t errlen)
{
    const struct config_key *k = find_key(key);
    if (k == NULL) {
        set_error(err, errlen, NULL, "Unknown configuration '%s'", key);
        return -1;
    }
    struct value v;
    if (build_value(k, value, &v, NULL, err, errlen) < 0)
        return -1;
    value_clear(&v);
    return 0;
}

bool config_is_known(const char *key)
{
    return find_key(key) != NULL;
}

/* ---- java.util.Properties syntax ---- */

struct props_reader {
    const char *p; /* next unread character */
    unsigned line; /* line number of p */
    char *buf;     /* the current logical line: continuations joined, escapes still in */
    size_t len;
};

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\f';
}

static bool at_line_end(const char *p)
{
    return *p == '\n' || *p == '\r' || *p == '\0';
}

static void skip_blanks(struct props_reader *r)
{
    while (is_blank(*r->p))
        r->p++;
}

/* Steps over one "\n", "\r\n" or "\r"; nothing at the end of the text. */
static void skip_newline(struct props_reader *r)
{
    if (*r->p == '\0')
        return;
    if (r->p[0] == '\r' && r->p[1] == '\n')
        r->p++;
    r->p++;
    r->line++;
}

/* Skips blank lines and "#" or "!" comment lines; false at the end of the text. */
static bool skip_to_content(struct props_reader *r)
{
    for (;;) {
        skip_blanks(r);
        if (*r->p == '\0')
            return false;
        bool comment = (*r->p == '#' || *r->p == '!');
        if (!comment && !at_line_end(r->p))
            return true;
        while (!at_line_end(r->p))
            r->p++;
        skip_newline(r);
    }
}

/* A line continues when it ends in an odd number of backslashes (an even run is escaped
 * backslashes). Joined text always ends in an even run, so counting over buf is enough. */
static bool ends_in_continuation(const char *buf, size_t len)
{
    size_t run = 0;
    while (run < len && buf[len - 1 - run] == '\\')
        run++;
    return run % 2 == 1;
}

/* Reads the next logical line into r->buf; false at the end of the text. A continuation line
 * loses its leading blanks, and is never a comment. */
static bool read_logical_line(struct props_reader *r, unsigned *first_line)
{
    if (!skip_to_content(r))
        return false;
    *first_line = r->line;
    r->len = 0;
    for (;;) {
        while (!at_line_end(r->p))
            r->buf[r->len++] = *r->p++;
        if (!ends_in_continuation(r->buf, r->len))
            break;
        r->len--;
        if (*r->p == '\0')
            break;
        skip_newline(r);
        skip_blanks(r);
    }
    r->buf[r->len] = '\0';
    skip_newline(r);
    return true;
}

/* The key ends at the first unescaped '=', ':' or blank; blanks and at most one '=' or ':'
 * separate it from the value. */
static void split_key_value(const char *line, size_t len, size_t *key_len, size_t *value_start)
{
    size_t i = 0;
    while (i < len && line[i] != '=' && line[i] != ':' && !is_blank(line[i]))
        i += (line[i] == '\\' && i + 1 < len) ? 2 : 1;
    *key_len = i;
    bool separator = (i < len && !is_blank(line[i]));
    if (i < len)
        i++;
    for (; i < len; i++) {
        bool sep_char = (line[i] == '=' || line[i] == ':');
        if (!is_blank(line[i]) && (separator || !sep_char))
            break;
        separator = separator || sep_char;
    }
    *value_start = i;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Reads the four hex digits at s[*i] (of len); -1 if malformed. */
static long read_hex4(const char *s, size_t len, size_t *i)
{
    if (len - *i < 4)
        return -1;
    long unit = 0;
    for (int n = 0; n < 4; n++) {
        int h = hex_value(s[(*i)++]);
        if (h < 0)
            return -1;
        unit = unit * 16 + h;
    }
    return unit;
}

static size_t utf8_encode(long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the XXXX of a \uXXXX at s[*i] into UTF-8 at out; a UTF-16 surrogate pair written as
 * two escapes makes one character. Returns the bytes written, or 0 if malformed. */
static size_t decode_unicode(const char *s, size_t len, size_t *i, char *out)
{
    long cp = read_hex4(s, len, i);
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return 0;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (len - *i < 2 || s[*i] != '\\' || s[*i + 1] != 'u')
            return 0;
        *i += 2;
        long low = read_hex4(s, len, i);
        if (low < 0xDC00 || low > 0xDFFF)
            return 0;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    return cp < 0 ? 0 : utf8_encode(cp, out);
}

/* Java's one-character escapes; any other escaped character stands for itself. */
static char unescape_char(char esc)
{
    switch (esc) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 'f':
        return '\f';
    default:
        return esc;
    }
}

/* Replaces the escapes of s[0..len) in place (the result is never longer) and terminates it.
 * \t \n \r \f and \uXXXX mean what Java says; a backslash before anything else is dropped. */
static bool unescape_in_place(char *s, size_t len)
{
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        char ch = s[i++];
        if (ch != '\\' || i == len) {
            s[out++] = ch;
            continue;
        }
        char esc = s[i++];
        if (esc == 'u') {
            size_t n = decode_unicode(s, len, &i, s + out);
            if (n == 0)
                return false;
            out += n;
        } else {
            s[out++] = unescape_char(esc);
        }
    }
    s[out] = '\0';
    return true;
}

/* Splits one logical line, decodes its escapes and sets it; where is "file:line". */
static int apply_property(struct config *c, char *line, size_t len, const char *where, char *err,
                          size_t errlen)
{
    size_t key_len, value_start;
    split_key_value(line, len, &key_len, &value_start);
    char *value = line + value_start;
    /* The value first: ending the key writes a NUL where the value may start. */
    if (!unescape_in_place(value, len - value_start) || !unescape_in_place(line, key_len)) {
        set_error(err, errlen, where, "Malformed \\uxxxx encoding.");
        return -1;
    }
    return set_from(c, line, value, where, err, errlen);
}

int config_load_string(struct config *c, const char *text, const char *origin, char *err,
                       size_t errlen)
{
    struct props_reader r = {.p = text, .line = 1, .buf = xmalloc(strlen(text) + 1)};
    unsigned line;
    int rc = 0;
    while (rc == 0 && read_logical_line(&r, &line)) {
        char where[1024];
        snprintf(where, sizeof(where), "%s:%u", origin, line);
        rc = apply_property(c, r.buf, r.len, where, err, errlen);
    }
    free(r.buf);
    return rc;
}

/* Reads a whole file as one string; NULL with a message naming the path on failure. */
static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        set_error(err, errlen, NULL, "Cannot read properties file %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *text = xmalloc(cap);
    size_t n;
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            text = realloc(text, cap);
            if (text == NULL)
                die("out of memory");
        }
    }
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    text[len] = '\0';
    if (read_errno != 0 || memchr(text, '\0', len) != NULL) {
        set_error(err, errlen, NULL, "Cannot read properties file %s: %s", path,
                  read_errno != 0 ? strerror(read_errno) : "it contains a NUL byte");
        free(text);
        return NULL;
    }
    return text;
}

int config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
    char *text = read_file(path, err, errlen);
    if (text == NULL)
        return -1;
    int rc = config_load_string(c, text, path, err, errlen);
    free(text);
    return rc;
}

/* ---- environment ---- */

enum name_match { MATCH_EXACT, MATCH_PREFIX, MATCH_SUFFIX };

/* Variables of the Kafka scripts and images that are not broker properties (KAFKA_HEAP_OPTS,
 * KAFKA_JVM_PERFORMANCE_OPTS... are caught by the suffix). */
static const struct env_skip {
    const char *text;
    enum name_match how;
} env_skips[] = {
    {"KAFKA_HOME", MATCH_EXACT},    {"KAFKA_VERSION", MATCH_EXACT}, {"KAFKA_LOG4J_", MATCH_PREFIX},
    {"KAFKA_JMX_", MATCH_PREFIX},   {"_OPTS", MATCH_SUFFIX},
};

static bool name_matches(const char *name, size_t len, const struct env_skip *skip)
{
    size_t n = strlen(skip->text);
    switch (skip->how) {
    case MATCH_EXACT:
        return len == n && memcmp(name, skip->text, n) == 0;
    case MATCH_PREFIX:
        return len >= n && memcmp(name, skip->text, n) == 0;
    case MATCH_SUFFIX:
        return len >= n && memcmp(name + len - n, skip->text, n) == 0;
    }
    return false;
}

/* The part of a variable's name that encodes the key, or NULL if it is not a property. */
static const char *env_key_part(const char *name, size_t len)
{
    if (len < 6 || memcmp(name, "KAFKA_", 6) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof(env_skips) / sizeof(env_skips[0]); i++) {
        if (name_matches(name, len, &env_skips[i]))
            return NULL;
    }
    return (len >= 10 && memcmp(name, "KAFKA_CFG_", 10) == 0) ? name + 10 : name + 6;
}

/* LOG_RETENTION_HOURS → log.retention.hours. Runs of underscores are read greedily, so "___"
 * is '-', "__" is '_', and a longer run continues with the rest ("____" is "-."). */
static char *env_decode_key(const char *s, size_t len)
{
    char *key = xmalloc(len + 1);
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        size_t run = 0;
        while (i + run < len && s[i + run] == '_' && run < 3)
            run++;
        key[out++] = run == 3 ? '-' : run == 2 ? '_' : run == 1 ? '.' : (char)tolower(s[i]);
        i += run > 0 ? run : 1;
    }
    key[out] = '\0';
    return key;
}

int config_apply_env(struct config *c, char *const *envp, char *err, size_t errlen)
{
    for (; envp != NULL && *envp != NULL; envp++) {
        const char *eq = strchr(*envp, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - *envp) : 0;
        const char *key_part = eq != NULL ? env_key_part(*envp, name_len) : NULL;
        if (key_part == NULL)
            continue;
        char *key = env_decode_key(key_part, (size_t)(eq - key_part));
        char origin[300];
        snprintf(origin, sizeof(origin), "environment variable %.*s", (int)name_len, *envp);
        int rc = set_from(c, key, eq + 1, origin, err, errlen);
        free(key);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- command line ---- */

/* One argument: the properties file or an override's "key=value". */
struct cli_arg {
    const char *file;
    const char *override;
};

/* Reads the argument at argv[*i] (two for "--override key=value") and checks its form. */
static int next_cli_arg(int argc, char **argv, int *i, struct cli_arg *a, char *err,
                        size_t errlen)
{
    const char *s = argv[(*i)++];
    *a = (struct cli_arg){0};
    if (strcmp(s, "--override") == 0) {
        if (*i >= argc) {
            set_error(err, errlen, NULL, "--override needs a key=value argument");
            return -1;
        }
        a->override = argv[(*i)++];
    } else if (strncmp(s, "--override=", 11) == 0) {
        a->override = s + 11;
    } else if (strncmp(s, "--", 2) == 0) {
        set_error(err, errlen, NULL, "Unknown option %s", s);
        return -1;
    } else {
        a->file = s;
        return 0;
    }
    const char *eq = strchr(a->override, '=');
    if (eq == NULL || eq == a->override) {
        set_error(err, errlen, NULL, "Invalid override '%s': expected key=value", a->override);
        return -1;
    }
    return 0;
}

/* Checks the whole command line before anything is applied; finds the properties file. */
static int check_cli(int argc, char **argv, const char **file, char *err, size_t errlen)
{
    *file = NULL;
    for (int i = 0; i < argc;) {
        struct cli_arg a;
        if (next_cli_arg(argc, argv, &i, &a, err, errlen) < 0)
            return -1;
        if (a.file != NULL && *file != NULL) {
            set_error(err, errlen, NULL, "Only one properties file may be given, not %s and %s",
                      *file, a.file);
            return -1;
        }
        if (a.file != NULL)
            *file = a.file;
    }
    return 0;
}

static int apply_overrides(struct config *c, int argc, char **argv, char *err, size_t errlen)
{
    for (int i = 0; i < argc;) {
        struct cli_arg a;
        next_cli_arg(argc, argv, &i, &a, err, errlen); /* check_cli accepted every one */
        if (a.override == NULL)
            continue;
        const char *eq = strchr(a.override, '=');
        char *key = xstrndup(a.override, (size_t)(eq - a.override));
        int rc = set_from(c, key, eq + 1, "--override", err, errlen);
        free(key);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int config_from_args(struct config *c, int argc, char **argv, char *const *envp, char *err,
                     size_t errlen)
{
    const char *file;
    if (check_cli(argc, argv, &file, err, errlen) < 0)
        return -1;
    if (file != NULL && config_load_file(c, file, err, errlen) < 0)
        return -1;
    if (config_apply_env(c, envp, err, errlen) < 0)
        return -1;
    return apply_overrides(c, argc, argv, err, errlen);
}

/* ---- getters ---- */

/* The value of key, after checking that the key exists and that the getter fits its type. */
static const struct value *typed_value(const struct config *c, const char *key,
                                       const char *getter, enum config_type t1,
                                       enum config_type t2)
{
    const struct config_key *k = find_key(key);
    if (k == NULL)
        die("%s: no configuration key named '%s'", getter, key);
    if (k->type != t1 && k->type != t2)
        die("%s: configuration %s is of type %s", getter, key, types[k->type].name);
    return &c->values[k - keys];
}

/* As typed_value, for the scalar getters, which have nothing to return without a value. */
static const struct value *present_value(const struct config *c, const char *key,
                                        const char *getter, enum config_type t1,
                                        enum config_type t2)
{
    const struct value *v = typed_value(c, key, getter, t1, t2);
    if (v->text == NULL)
        die("%s: configuration %s has no value and no default", getter, key);
    return v;
}

bool config_is_set(const struct config *c, const char *key)
{
    const struct config_key *k = find_key(key);
    if (k == NULL)
        die("config_is_set: no configuration key named '%s'", key);
    return c->values[k - keys].explicit_set;
}

bool config_get_bool(const struct config *c, const char *key)
{
    return present_value(c, key, __func__, CONFIG_BOOLEAN, CONFIG_BOOLEAN)->num.b;
}

int32_t config_get_int(const struct config *c, const char *key)
{
    return (int32_t)present_value(c, key, __func__, CONFIG_INT, CONFIG_SHORT)->num.i;
}

int64_t config_get_long(const struct config *c, const char *key)
{
    return present_value(c, key, __func__, CONFIG_LONG, CONFIG_LONG)->num.i;
}

double config_get_double(const struct config *c, const char *key)
{
    return present_value(c, key, __func__, CONFIG_DOUBLE, CONFIG_DOUBLE)->num.d;
}

const char *config_get_string(const struct config *c, const char *key)
{
    return typed_value(c, key, __func__, CONFIG_STRING, CONFIG_PASSWORD)->text;
}

size_t config_get_list(const struct config *c, const char *key, const char *const **items)
{
    const struct value *v = typed_value(c, key, __func__, CONFIG_LIST, CONFIG_LIST);
    *items = v->items;
    return v->n_items;
}

/* ---- Kafka's derived values ---- */

/* ms_key if it has a value, else per_unit times the fallback INT key. */
static int64_t ms_or_scaled(const struct config *c, const char *ms_key, const char *fallback,
                            int64_t per_unit)
{
    if (config_is_set(c, ms_key))
        return config_get_long(c, ms_key);
    return per_unit * config_get_int(c, fallback);
}

int64_t config_log_retention_ms(const struct config *c)
{
    int64_t ms;
    if (config_is_set(c, "log.retention.ms"))
        ms = config_get_long(c, "log.retention.ms");
    else if (config_is_set(c, "log.retention.minutes"))
        ms = MS_PER_MINUTE * config_get_int(c, "log.retention.minutes");
    else
        ms = MS_PER_HOUR * config_get_int(c, "log.retention.hours");
    return ms < 0 ? -1 : ms;
}

int64_t config_log_roll_ms(const struct config *c)
{
    return ms_or_scaled(c, "log.roll.ms", "log.roll.hours", MS_PER_HOUR);
}

int64_t config_log_roll_jitter_ms(const struct config *c)
{
    return ms_or_scaled(c, "log.roll.jitter.ms", "log.roll.jitter.hours", MS_PER_HOUR);
}

int64_t config_log_flush_interval_ms(const struct config *c)
{
    if (config_is_set(c, "log.flush.interval.ms"))
        return config_get_long(c, "log.flush.interval.ms");
    return config_get_long(c, "log.flush.scheduler.interval.ms");
}

size_t config_log_dirs(const struct config *c, const char *const **dirs)
{
    const char *key = config_is_set(c, "log.dirs") ? "log.dirs" : "log.dir";
    return config_get_list(c, key, dirs);
}

int32_t config_zookeeper_connection_timeout_ms(const struct config *c)
{
    if (config_is_set(c, "zookeeper.connection.timeout.ms"))
        return config_get_int(c, "zookeeper.connection.timeout.ms");
    return config_get_int(c, "zookeeper.session.timeout.ms");
}

/* ---- listing ---- */

size_t config_key_count(void)
{
    return KEY_COUNT;
}

bool config_describe(const struct config *c, size_t index, struct config_entry *out)
{
    if (index >= KEY_COUNT)
        return false;
    const struct config_key *k = &keys[index];
    const struct value *v = &c->values[index];
    *out = (struct config_entry){
        .name = k->name,
        .type = k->type,
        .value = v->text,
        .is_default = !v->explicit_set,
        .is_sensitive = k->type == CONFIG_PASSWORD,
        .doc = k->doc,
    };
    return true;
}

static void dump_value(const struct config_entry *e, const struct value *v, FILE *out)
{
    if (e->value == NULL) {
        fputs("null", out);
    } else if (e->is_sensitive) {
        fputs("[hidden]", out);
    } else if (e->type == CONFIG_LIST) {
        fputc('[', out);
        for (size_t i = 0; i < v->n_items; i++)
            fprintf(out, "%s%s", i > 0 ? ", " : "", v->items[i]);
        fputc(']', out);
    } else {
        fputs(e->value, out);
    }
}

void config_dump(const struct config *c, FILE *out)
{
    struct config_entry e;
    fputs("KafkaConfig values:\n", out);
    for (size_t i = 0; config_describe(c, i, &e); i++) {
        fprintf(out, "\t%s = ", e.name);
        dump_value(&e, &c->values[i], out);
        fputc('\n', out);
    }
}
