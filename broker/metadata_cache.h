/* Everything the broker knows about the cluster: brokers, topics, partitions, leaders and
 * replicas. Handlers read it; in a single broker it is filled from the local logs, and the
 * controller's UpdateMetadata will fill it in a cluster. Loop thread only. */
#ifndef GREGOR_METADATA_CACHE_H
#define GREGOR_METADATA_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct broker_endpoint {
    int32_t id;
    char *host;
    int32_t port;
    char *rack; /* NULL when unset */
};

struct partition_metadata {
    int32_t partition;
    int32_t leader;       /* -1: no leader */
    int32_t leader_epoch;
    int32_t *replicas;
    int32_t replica_count;
    int32_t *isr;
    int32_t isr_count;
};

struct topic_metadata {
    char *name;
    bool internal;
    struct partition_metadata *partitions; /* indexed by partition number */
    int32_t partition_count;
};

struct metadata_cache;

struct metadata_cache *metadata_cache_new(const char *cluster_id, int32_t controller_id);
void metadata_cache_free(struct metadata_cache *m);

const char *metadata_cluster_id(const struct metadata_cache *m);
int32_t metadata_controller_id(const struct metadata_cache *m);

/* Adds or replaces a broker. */
void metadata_put_broker(struct metadata_cache *m, int32_t id, const char *host, int32_t port,
                         const char *rack);
size_t metadata_broker_count(const struct metadata_cache *m);
const struct broker_endpoint *metadata_broker_at(const struct metadata_cache *m, size_t i);

/* Adds a topic whose partitions all have the same single replica (a broker alone). */
void metadata_put_local_topic(struct metadata_cache *m, const char *name, int32_t partitions,
                              int32_t broker_id);
void metadata_remove_topic(struct metadata_cache *m, const char *name);
const struct topic_metadata *metadata_topic(const struct metadata_cache *m, const char *name);
const struct partition_metadata *metadata_partition(const struct metadata_cache *m,
                                                    const char *topic, int32_t partition);
/* Topics in name order. */
size_t metadata_topic_count(const struct metadata_cache *m);
const struct topic_metadata *metadata_topic_at(const struct metadata_cache *m, size_t i);

#endif
