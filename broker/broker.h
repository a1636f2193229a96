/* The broker process: one event loop that owns the connections, the logs, the metadata cache
 * and the requests waiting on them. Handlers (broker/handlers/) get it as their context. */
#ifndef GREGOR_BROKER_H
#define GREGOR_BROKER_H

#include "broker/log/log_config.h"
#include "common/errors.h"

#include <stdbool.h>
#include <stdint.h>

struct config;
struct event;
struct event_base;
struct fetch_waiters;
struct log_manager;
struct metadata_cache;
struct plog;
struct server;
struct workq;

struct broker {
    struct config *config;
    int32_t id;
    struct event_base *base;
    struct workq *wq;
    struct log_manager *logs;
    struct metadata_cache *metadata;
    struct server *server;
    struct fetch_waiters *fetch_waiters;
    struct log_config log_defaults;
    char advertised_host[256];
    int advertised_port;
    int32_t num_partitions;
    bool auto_create_topics;
    struct event *tick;
    struct event *workq_event;
    struct event *signals[2];
    bool stopping;
};

/* Starts everything and logs "[gregor-broker id=N] started"; returns 0, or -1 after logging
 * why. The caller then runs the loop with broker_run(). */
int broker_start(struct broker *b, struct config *config);
/* Runs the loop until SIGTERM/SIGINT, then shuts down cleanly. */
int broker_run(struct broker *b);

/* Creates the logs and metadata of a topic served by this broker alone. */
gerr_t broker_create_topic(struct broker *b, const char *name, int32_t partitions,
                           const struct log_config *cfg);
gerr_t broker_delete_topic(struct broker *b, const char *name);
/* The log of a partition this broker leads, or NULL. */
struct plog *broker_partition_log(struct broker *b, const char *topic, int32_t partition);

#endif
