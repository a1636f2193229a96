/* gregor: the command-line tool for gregor and any other Kafka-protocol cluster, built on
 * librdkafka. This file only routes `gregor <command> <subcommand>` to topics.c and perf.c. */
#include "tools/cli.h"
#include "tools/perf.h"
#include "tools/topics.h"

int main(int argc, char **argv)
{
    static const struct cli_command commands[] = {
        {"topics", topics_main, "create, list, describe and delete topics"},
        {"perf", perf_main, "producer and consumer load tests"},
        {NULL, NULL, NULL},
    };
    return cli_dispatch("gregor", commands, argc - 1, argv + 1);
}
