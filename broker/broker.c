/* The broker process (see broker.h): startup in a fixed order (config, logs, metadata,
 * listeners), the event loop with its periodic tick and worker completions, and a clean
 * shutdown on SIGTERM that leaves the logs flushed and marked clean. */
#include "broker/broker.h"

#include "broker/api_table.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/log/log_manager.h"
#include "broker/metadata_cache.h"
#include "broker/net/server.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/logger.h"
#include "common/workq.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_MS 100
#define IO_THREADS 2
#define CLUSTER_ID_PLACEHOLDER "gregor-single-broker"

struct listener {
    char host[256];
    int port;
};

/* Parses "PLAINTEXT://host:port" (host may be empty or [v6]); false with why on anything else. */
static bool parse_listener(const char *text, struct listener *out, char *why, size_t why_size)
{
    const char *prefix = "PLAINTEXT://";
    if (strncmp(text, prefix, strlen(prefix)) != 0) {
        snprintf(why, why_size, "only PLAINTEXT listeners are supported, got '%s'", text);
        return false;
    }
    const char *hostport = text + strlen(prefix);
    const char *colon = strrchr(hostport, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (colon == NULL || *end != '\0' || port < 0 || port > 65535 ||
        (size_t)(colon - hostport) >= sizeof(out->host)) {
        snprintf(why, why_size, "'%s' is not PLAINTEXT://host:port", text);
        return false;
    }
    size_t len = (size_t)(colon - hostport);
    if (len >= 2 && hostport[0] == '[' && hostport[len - 1] == ']') {
        hostport++;
        len -= 2;
    }
    memcpy(out->host, hostport, len);
    out->host[len] = '\0';
    out->port = (int)port;
    return true;
}

static int first_listener(const struct config *c, const char *key, struct listener *out)
{
    const char *const *items;
    char why[300];
    if (config_get_list(c, key, &items) == 0)
        return 1; /* unset */
    if (!parse_listener(items[0], out, why, sizeof(why))) {
        log_error("config", "Invalid value for configuration %s: %s", key, why);
        return -1;
    }
    return 0;
}

/* What clients are told to connect to: advertised.listeners, else the bound listener, with
 * this host's name standing in for an empty or wildcard host. */
static int choose_advertised(struct broker *b, const struct listener *bound)
{
    struct listener adv;
    int rc = first_listener(b->config, "advertised.listeners", &adv);
    if (rc < 0)
        return -1;
    if (rc > 0)
        adv = *bound;
    if (adv.host[0] == '\0' || strcmp(adv.host, "0.0.0.0") == 0 || strcmp(adv.host, "::") == 0)
        gethostname(adv.host, sizeof(adv.host));
    snprintf(b->advertised_host, sizeof(b->advertised_host), "%s", adv.host);
    b->advertised_port = adv.port == 0 ? bound->port : adv.port;
    return 0;
}

static int read_settings(struct broker *b)
{
    enum log_level level;
    logger_parse_level(config_get_string(b->config, "log.level"), &level);
    logger_set_level(level);
    b->id = config_get_int(b->config, "broker.id");
    if (b->id < 0) {
        log_error("config", "Invalid value %d for configuration broker.id: a broker without "
                  "ZooKeeper needs an explicit id >= 0", b->id);
        return -1;
    }
    log_config_from_broker(b->config, &b->log_defaults);
    b->num_partitions = config_get_int(b->config, "num.partitions");
    b->auto_create_topics = config_get_bool(b->config, "auto.create.topics.enable");
    return 0;
}

static int open_logs(struct broker *b)
{
    const char *const *dirs;
    size_t ndirs = config_log_dirs(b->config, &dirs);
    struct logmgr_settings settings = {
        .dirs = dirs,
        .ndirs = ndirs,
        .defaults = b->log_defaults,
        .retention_check_interval_ms = config_get_long(b->config,
                                                       "log.retention.check.interval.ms"),
        .checkpoint_interval_ms = config_get_int(b->config,
                                                 "log.flush.offset.checkpoint.interval.ms"),
    };
    b->wq = workq_new(IO_THREADS, "log-io");
    return logmgr_open(&b->logs, &settings, b->wq, clock_wall_ms()) == ERR_NONE ? 0 : -1;
}

/* Every topic found on disk becomes a topic of this broker; a partition missing from the
 * range 0..n-1 gets an empty log. */
static void load_topics(struct broker *b)
{
    size_t n = logmgr_count(b->logs);
    for (size_t i = 0; i < n; i++) {
        char topic[256];
        int32_t partition, highest = -1;
        logmgr_parse_dir_name(plog_name(logmgr_at(b->logs, i)), topic, sizeof(topic), &partition);
        if (metadata_topic(b->metadata, topic))
            continue;
        for (size_t j = i; j < n; j++) {
            char other[256];
            int32_t p;
            logmgr_parse_dir_name(plog_name(logmgr_at(b->logs, j)), other, sizeof(other), &p);
            if (strcmp(other, topic) == 0 && p > highest)
                highest = p;
        }
        broker_create_topic(b, topic, highest + 1, &b->log_defaults);
    }
}

static void on_tick(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct broker *b = arg;
    logmgr_tick(b->logs, clock_wall_ms());
}

static void on_workq(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct broker *b = arg;
    workq_run_completions(b->wq);
}

static void on_signal(evutil_socket_t sig, short events, void *arg)
{
    (void)events;
    struct broker *b = arg;
    log_info("broker", "[gregor-broker id=%d] shutting down (signal %d)", b->id, (int)sig);
    b->stopping = true;
    event_base_loopbreak(b->base);
}

static void add_events(struct broker *b)
{
    struct timeval tick = {.tv_sec = 0, .tv_usec = TICK_MS * 1000};
    b->tick = event_new(b->base, -1, EV_PERSIST, on_tick, b);
    event_add(b->tick, &tick);
    b->workq_event = event_new(b->base, workq_fd(b->wq), EV_READ | EV_PERSIST, on_workq, b);
    event_add(b->workq_event, NULL);
    b->signals[0] = evsignal_new(b->base, SIGTERM, on_signal, b);
    b->signals[1] = evsignal_new(b->base, SIGINT, on_signal, b);
    event_add(b->signals[0], NULL);
    event_add(b->signals[1], NULL);
}

/* Kafka's 100 KiB socket buffer default turns off Linux's autotuning, which moves more on fast
 * links; gregor applies a size only when the operator set one. */
static int explicit_buffer_size(const struct config *c, const char *key)
{
    if (!config_is_set(c, key))
        return 0;
    int32_t bytes = config_get_int(c, key);
    return bytes > 0 ? bytes : 0;
}

static int start_listening(struct broker *b)
{
    struct listener l;
    if (first_listener(b->config, "listeners", &l) != 0) {
        log_error("config", "Invalid value for configuration listeners: none given");
        return -1;
    }
    struct connection_limits limits = {
        .max_request_bytes = (uint32_t)config_get_int(b->config, "socket.request.max.bytes"),
        .max_output_bytes = 16 << 20,
        .max_queued_requests = 100,
        .idle_ms = config_get_long(b->config, "connections.max.idle.ms"),
        .receive_buffer_bytes = explicit_buffer_size(b->config, "socket.receive.buffer.bytes"),
        .send_buffer_bytes = explicit_buffer_size(b->config, "socket.send.buffer.bytes"),
    };
    b->server = server_new(b->base, &limits, api_dispatch, b);
    int bound_port;
    if (server_listen(b->server, l.host, l.port, &bound_port) != 0)
        return -1;
    l.port = bound_port;
    if (choose_advertised(b, &l) != 0)
        return -1;
    metadata_put_broker(b->metadata, b->id, b->advertised_host, b->advertised_port, NULL);
    log_info("broker", "[gregor-broker id=%d] started, listening on PLAINTEXT://%s:%d "
             "(advertised as %s:%d)", b->id, l.host[0] ? l.host : "0.0.0.0", bound_port,
             b->advertised_host, b->advertised_port);
    return 0;
}

int broker_start(struct broker *b, struct config *config)
{
    memset(b, 0, sizeof(*b));
    b->config = config;
    if (read_settings(b) != 0)
        return -1;
    b->base = event_base_new();
    if (b->base == NULL || open_logs(b) != 0)
        return -1;
    b->metadata = metadata_cache_new(CLUSTER_ID_PLACEHOLDER, b->id);
    load_topics(b);
    b->fetch_waiters = fetch_waiters_new(b->base, handler_fetch_retry, b);
    add_events(b);
    return start_listening(b);
}

int broker_run(struct broker *b)
{
    event_base_dispatch(b->base);
    int64_t started = clock_monotonic_ms();
    fetch_waiters_free(b->fetch_waiters);
    server_free(b->server);
    logmgr_close(b->logs);
    workq_free(b->wq);
    event_free(b->tick);
    event_free(b->workq_event);
    event_free(b->signals[0]);
    event_free(b->signals[1]);
    metadata_cache_free(b->metadata);
    event_base_free(b->base);
    log_info("broker", "[gregor-broker id=%d] shut down in %lld ms", b->id,
             (long long)(clock_monotonic_ms() - started));
    config_free(b->config);
    return 0;
}

gerr_t broker_create_topic(struct broker *b, const char *name, int32_t partitions,
                           const struct log_config *cfg)
{
    for (int32_t p = 0; p < partitions; p++) {
        struct plog *log;
        gerr_t err = logmgr_create(b->logs, name, p, cfg, clock_wall_ms(), &log);
        if (err != ERR_NONE)
            return ERR_KAFKA_STORAGE_ERROR;
        plog_set_config(log, cfg);
    }
    metadata_put_local_topic(b->metadata, name, partitions, b->id);
    return ERR_NONE;
}

gerr_t broker_delete_topic(struct broker *b, const char *name)
{
    const struct topic_metadata *t = metadata_topic(b->metadata, name);
    if (t == NULL)
        return ERR_UNKNOWN_TOPIC_OR_PARTITION;
    gerr_t result = ERR_NONE;
    for (int32_t p = 0; p < t->partition_count; p++) {
        gerr_t err = logmgr_delete(b->logs, name, p);
        if (err != ERR_NONE && err != ERR_UNKNOWN_TOPIC_OR_PARTITION)
            result = ERR_KAFKA_STORAGE_ERROR;
    }
    metadata_remove_topic(b->metadata, name);
    return result;
}

struct plog *broker_partition_log(struct broker *b, const char *topic, int32_t partition)
{
    const struct partition_metadata *p = metadata_partition(b->metadata, topic, partition);
    if (p == NULL || p->leader != b->id)
        return NULL;
    return logmgr_get(b->logs, topic, partition);
}
