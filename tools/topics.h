/* `gregor topics create|list|describe|delete`: topic administration through librdkafka's Admin
 * API and Metadata, printing what kafka-topics.sh prints so scripts written for it still work. */
#ifndef GREGOR_TOOLS_TOPICS_H
#define GREGOR_TOOLS_TOPICS_H

#include "tools/cli.h"

#include <librdkafka/rdkafka.h>
#include <stddef.h>

struct topic_spec {
    const char *name;
    int partitions;         /* -1: the broker's num.partitions (brokers >= 2.4) */
    int replication_factor; /* -1: the broker's default.replication.factor (brokers >= 2.4) */
    const struct cli_kv_list *configs;
};

int topics_main(const char *prog, int argc, char **argv);

/* Creates one topic through any client handle. Returns the broker's (or librdkafka's) error,
 * with its message in errstr; waits at most about timeout_ms. */
rd_kafka_resp_err_t topics_create(rd_kafka_t *rk, const struct topic_spec *spec, int timeout_ms,
                                  char *errstr, size_t errstr_size);

#endif
