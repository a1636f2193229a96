/* The request table: one row per Kafka API this broker serves, with the version range it
 * implements, the first flexible version, and its handler. Dispatch and the ApiVersions reply
 * both read this table, so what is advertised is exactly what is served. */
#ifndef GREGOR_API_TABLE_H
#define GREGOR_API_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct broker;
struct request;

typedef void (*api_handler_fn)(struct broker *b, struct request *req);

struct api {
    int16_t key;
    const char *name;
    int16_t min_version;
    int16_t max_version;
    int16_t first_flexible; /* INT16_MAX: no flexible version served */
    api_handler_fn handler;
};

/* The row for key, or NULL when the broker does not serve it. */
const struct api *api_find(int16_t key);
/* Every row, in key order. */
const struct api *api_table(size_t *count);

/* Parses the header of a request frame and calls its handler. A key or version outside the
 * table closes the connection with a log line, except ApiVersions, which answers any version
 * (KIP-511). Loop thread only. */
void api_dispatch(void *broker, struct request *req);

#endif
