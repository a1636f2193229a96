/* `gregor perf produce|consume`: load generators that print what Kafka's
 * kafka-producer-perf-test and kafka-consumer-perf-test print, or one JSON object with --json. */
#ifndef GREGOR_TOOLS_PERF_H
#define GREGOR_TOOLS_PERF_H

int perf_main(const char *prog, int argc, char **argv);

#endif
