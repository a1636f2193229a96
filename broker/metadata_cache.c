/* The metadata cache (see metadata_cache.h): brokers in an array, topics in an array kept in
 * name order for binary search and for Metadata responses that list topics sorted. */
#include "broker/metadata_cache.h"

#include <stdlib.h>
#include <string.h>

struct metadata_cache {
    char *cluster_id;
    int32_t controller_id;
    struct broker_endpoint *brokers;
    size_t broker_count;
    struct topic_metadata *topics;
    size_t topic_count;
};

static char *copy_string(const char *s)
{
    if (s == NULL)
        return NULL;
    char *copy = strdup(s);
    if (copy == NULL)
        abort();
    return copy;
}

static void *grow(void *array, size_t count, size_t size)
{
    void *p = realloc(array, (count + 1) * size);
    if (p == NULL)
        abort();
    return p;
}

struct metadata_cache *metadata_cache_new(const char *cluster_id, int32_t controller_id)
{
    struct metadata_cache *m = calloc(1, sizeof(*m));
    if (m == NULL)
        abort();
    m->cluster_id = copy_string(cluster_id);
    m->controller_id = controller_id;
    return m;
}

static void free_topic(struct topic_metadata *t)
{
    for (int32_t p = 0; p < t->partition_count; p++) {
        free(t->partitions[p].replicas);
        free(t->partitions[p].isr);
    }
    free(t->partitions);
    free(t->name);
}

void metadata_cache_free(struct metadata_cache *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->broker_count; i++) {
        free(m->brokers[i].host);
        free(m->brokers[i].rack);
    }
    for (size_t i = 0; i < m->topic_count; i++)
        free_topic(&m->topics[i]);
    free(m->brokers);
    free(m->topics);
    free(m->cluster_id);
    free(m);
}

const char *metadata_cluster_id(const struct metadata_cache *m)
{
    return m->cluster_id;
}

int32_t metadata_controller_id(const struct metadata_cache *m)
{
    return m->controller_id;
}

void metadata_put_broker(struct metadata_cache *m, int32_t id, const char *host, int32_t port,
                         const char *rack)
{
    struct broker_endpoint *b = NULL;
    for (size_t i = 0; i < m->broker_count; i++) {
        if (m->brokers[i].id == id)
            b = &m->brokers[i];
    }
    if (b == NULL) {
        m->brokers = grow(m->brokers, m->broker_count, sizeof(*m->brokers));
        b = &m->brokers[m->broker_count++];
    } else {
        free(b->host);
        free(b->rack);
    }
    *b = (struct broker_endpoint){.id = id, .host = copy_string(host), .port = port,
                                  .rack = copy_string(rack)};
}

size_t metadata_broker_count(const struct metadata_cache *m)
{
    return m->broker_count;
}

const struct broker_endpoint *metadata_broker_at(const struct metadata_cache *m, size_t i)
{
    return &m->brokers[i];
}

/* Index of the topic, or where it would be inserted (with *found false). */
static size_t find_topic(const struct metadata_cache *m, const char *name, bool *found)
{
    size_t lo = 0, hi = m->topic_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, m->topics[mid].name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

static int32_t *single_replica(int32_t broker_id)
{
    int32_t *list = malloc(sizeof(*list));
    if (list == NULL)
        abort();
    list[0] = broker_id;
    return list;
}

void metadata_put_local_topic(struct metadata_cache *m, const char *name, int32_t partitions,
                              int32_t broker_id)
{
    bool found;
    size_t at = find_topic(m, name, &found);
    if (found) {
        free_topic(&m->topics[at]);
    } else {
        m->topics = grow(m->topics, m->topic_count, sizeof(*m->topics));
        memmove(m->topics + at + 1, m->topics + at, (m->topic_count - at) * sizeof(*m->topics));
        m->topic_count++;
    }
    struct topic_metadata *t = &m->topics[at];
    t->name = copy_string(name);
    t->internal = name[0] == '_' && name[1] == '_';
    t->partition_count = partitions;
    t->partitions = calloc((size_t)partitions, sizeof(*t->partitions));
    if (t->partitions == NULL)
        abort();
    for (int32_t p = 0; p < partitions; p++) {
        t->partitions[p] = (struct partition_metadata){
            .partition = p, .leader = broker_id, .leader_epoch = 0,
            .replicas = single_replica(broker_id), .replica_count = 1,
            .isr = single_replica(broker_id), .isr_count = 1};
    }
}

void metadata_remove_topic(struct metadata_cache *m, const char *name)
{
    bool found;
    size_t at = find_topic(m, name, &found);
    if (!found)
        return;
    free_topic(&m->topics[at]);
    memmove(m->topics + at, m->topics + at + 1, (m->topic_count - at - 1) * sizeof(*m->topics));
    m->topic_count--;
}

const struct topic_metadata *metadata_topic(const struct metadata_cache *m, const char *name)
{
    bool found;
    size_t at = find_topic(m, name, &found);
    return found ? &m->topics[at] : NULL;
}

const struct partition_metadata *metadata_partition(const struct metadata_cache *m,
                                                    const char *topic, int32_t partition)
{
    const struct topic_metadata *t = metadata_topic(m, topic);
    if (t == NULL || partition < 0 || partition >= t->partition_count)
        return NULL;
    return &t->partitions[partition];
}

size_t metadata_topic_count(const struct metadata_cache *m)
{
    return m->topic_count;
}

const struct topic_metadata *metadata_topic_at(const struct metadata_cache *m, size_t i)
{
    return &m->topics[i];
}
