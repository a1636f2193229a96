/* `gregor perf produce|consume`. produce sends fixed-size records as fast as allowed and
 * reports delivery latency (produce() call to delivery report) the way
 * kafka-producer-perf-test does; consume reads a topic from assigned partitions, with no group
 * join, and prints kafka-consumer-perf-test's CSV. Delivery reports and consumed messages are
 * handled on the main thread, so the figures need no locks. */
#include "tools/perf.h"
#include "tools/cli.h"
#include "tools/histogram.h"
#include "tools/topics.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MB                 (1024.0 * 1024.0) /* Kafka's tools count MB this way */
#define REPORT_INTERVAL_US (5 * 1000000)     /* kafka-producer-perf-test's progress interval */
#define CONSUME_BATCH      1024

enum {
    OPT_FIRST = CLI_OPT_FIRST_OWN - 1,
    OPT_NUM_RECORDS,
    OPT_RECORD_SIZE,
    OPT_THROUGHPUT,
    OPT_ACKS,
    OPT_LINGER_MS,
    OPT_BATCH_SIZE,
    OPT_COMPRESSION,
    OPT_PARTITIONS,
    OPT_PRODUCER_PROPERTY,
    OPT_MESSAGES,
    OPT_FROM_BEGINNING,
    OPT_FROM_LATEST,
    OPT_CONSUMER_PROPERTY,
    OPT_JSON,
};

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Per second over an interval in µs; 0 for an empty interval rather than infinity. */
static double rate(double amount, int64_t interval_us)
{
    return interval_us > 0 ? amount * 1e6 / (double)interval_us : 0.0;
}

/* ---- perf produce ---- */

static const char PRODUCE_HELP[] =
    "Usage: gregor perf produce --bootstrap-server H:P --topic T --num-records N\n"
    "                           --record-size S [options]\n"
    "Sends N records of S bytes and prints, like kafka-producer-perf-test, a progress line\n"
    "every 5 s and a summary with latency percentiles. Latency runs from the produce() call to\n"
    "the delivery report. MB means 1024*1024 bytes, as in Kafka's tools. Progress lines show\n"
    "the last window; the summary shows the whole run. Percentiles are whole milliseconds in\n"
    "the text (as Kafka prints them) and microsecond-accurate in --json.\n\n"
    "  --bootstrap-server H:P[,H:P...]  brokers to contact first (required)\n"
    "  --topic T                        topic to write to (required)\n"
    "  --num-records N                  records to send (required)\n"
    "  --record-size S                  bytes per record value, no key (required)\n"
    "  --throughput R                   at most R records/s; -1 (default) for no cap\n"
    "  --acks 0|1|all                   producer acks (default: librdkafka's, all)\n"
    "  --linger-ms L                    linger.ms\n"
    "  --batch-size B                   batch.size in bytes\n"
    "  --compression none|gzip|snappy|lz4|zstd\n"
    "                                   compression.type\n"
    "  --partitions P                   create the topic with P partitions (broker's default\n"
    "                                   replication factor) unless it exists\n"
    "  --producer-property k=v          librdkafka producer property, repeatable; applied\n"
    "                                   after the options above, so it wins\n"
    "  --timeout-ms T                   give up if the cluster does not answer metadata or\n"
    "                                   topic creation within T ms (default 10000)\n"
    "  --json                           print one JSON object with the results on stdout\n"
    "                                   (progress lines go to stderr)\n"
    "  --help                           this text\n"
    "Exit status: 0 when every record was delivered, 1 otherwise, 2 for usage errors.\n";

struct produce_options {
    struct cli_common_options common;
    long num_records;
    long record_size;
    long throughput;
    const char *acks;
    const char *linger_ms;
    const char *batch_size;
    const char *compression;
    long partitions;
    bool json;
    struct cli_kv_list properties;
};

/* Delivery figures. Written by the delivery report callback, which librdkafka runs inside
 * rd_kafka_poll/flush on the main thread. */
struct produce_stats {
    int64_t start_us;
    struct histogram latency_us; /* whole run */
    uint64_t delivered;
    uint64_t delivered_bytes;
    uint64_t failed;
    /* The current progress window, reported every REPORT_INTERVAL_US. */
    int64_t window_start_us;
    uint64_t window_count;
    uint64_t window_bytes;
    uint64_t window_latency_sum_us;
    uint64_t window_latency_max_us;
    FILE *progress; /* stdout, or stderr when stdout carries --json */
    const char *prog;
};

/* Options that become librdkafka properties are kept as text; checking them here makes a bad
 * value an error about our option rather than about librdkafka's property. */
static bool property_number(const char *prog, const char *option, const char *text, long min,
                            const char **out)
{
    long ignored;
    *out = text;
    return cli_parse_long(prog, option, text, min, INT32_MAX, &ignored);
}

static bool property_choice(const char *prog, const char *option, const char *text,
                            const char *const *choices, const char **out)
{
    *out = text;
    char listed[128] = "";
    for (const char *const *c = choices; *c != NULL; c++) {
        if (strcmp(text, *c) == 0)
            return true;
        snprintf(listed + strlen(listed), sizeof listed - strlen(listed), "%s%s",
                 c == choices ? "" : "|", *c);
    }
    cli_usage_error(prog, "--%s wants %s, not '%s'", option, listed, text);
    return false;
}

static bool apply_produce_option(const char *prog, int opt, void *ctx)
{
    struct produce_options *o = ctx;
    static const char *const acks[] = {"0", "1", "-1", "all", NULL};
    static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};
    bool ok;
    if (cli_apply_common(prog, opt, &o->common, &ok))
        return ok;
    switch (opt) {
    case OPT_NUM_RECORDS:
        return cli_parse_long(prog, "num-records", optarg, 1, LONG_MAX, &o->num_records);
    case OPT_RECORD_SIZE:
        return cli_parse_long(prog, "record-size", optarg, 0, 1000000000, &o->record_size);
    case OPT_THROUGHPUT:
        if (strcmp(optarg, "-1") == 0) {
            o->throughput = -1;
            return true;
        }
        return cli_parse_long(prog, "throughput", optarg, 1, LONG_MAX, &o->throughput);
    case OPT_ACKS:
        return property_choice(prog, "acks", optarg, acks, &o->acks);
    case OPT_LINGER_MS:
        return property_number(prog, "linger-ms", optarg, 0, &o->linger_ms);
    case OPT_BATCH_SIZE:
        return property_number(prog, "batch-size", optarg, 1, &o->batch_size);
    case OPT_COMPRESSION:
        return property_choice(prog, "compression", optarg, codecs, &o->compression);
    case OPT_PARTITIONS:
        return cli_parse_long(prog, "partitions", optarg, 1, INT32_MAX, &o->partitions);
    case OPT_PRODUCER_PROPERTY:
        return cli_kv_add(prog, "producer-property", optarg, &o->properties);
    case OPT_JSON:
        o->json = true;
        return true;
    default:
        return false; /* '?': cli_next_option has reported it */
    }
}

static int parse_produce_options(const char *prog, int argc, char **argv,
                                 struct produce_options *o)
{
    static const struct option options[] = {
        {"bootstrap-server", required_argument, NULL, CLI_OPT_BOOTSTRAP},
        {"topic", required_argument, NULL, CLI_OPT_TOPIC},
        {"num-records", required_argument, NULL, OPT_NUM_RECORDS},
        {"record-size", required_argument, NULL, OPT_RECORD_SIZE},
        {"throughput", required_argument, NULL, OPT_THROUGHPUT},
        {"acks", required_argument, NULL, OPT_ACKS},
        {"linger-ms", required_argument, NULL, OPT_LINGER_MS},
        {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
        {"compression", required_argument, NULL, OPT_COMPRESSION},
        {"partitions", required_argument, NULL, OPT_PARTITIONS},
        {"producer-property", required_argument, NULL, OPT_PRODUCER_PROPERTY},
        {"timeout-ms", required_argument, NULL, CLI_OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, CLI_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    *o = (struct produce_options){
        .num_records = -1, .record_size = -1, .throughput = -1, .partitions = -1,
        .common.timeout_ms = CLI_DEFAULT_TIMEOUT_MS};
    int rc = cli_parse_options(prog, argc, argv, options, CLI_OPT_HELP, PRODUCE_HELP,
                               apply_produce_option, o);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *missing = o->common.bootstrap_server == NULL ? "--bootstrap-server"
                          : o->common.topic == NULL          ? "--topic"
                          : o->num_records < 0        ? "--num-records"
                          : o->record_size < 0        ? "--record-size"
                                                      : NULL;
    if (missing != NULL) {
        cli_usage_error(prog, "%s is required", missing);
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

static void print_window(struct produce_stats *s, int64_t now_us)
{
    int64_t elapsed = now_us - s->window_start_us;
    double avg_ms = s->window_count ? (double)s->window_latency_sum_us / s->window_count / 1000.0
                                    : 0.0;
    fprintf(s->progress,
            "%llu records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max "
            "latency.\n",
            (unsigned long long)s->window_count, rate((double)s->window_count, elapsed),
            rate((double)s->window_bytes, elapsed) / MB, avg_ms,
            (double)s->window_latency_max_us / 1000.0);
    fflush(s->progress);
    s->window_start_us = now_us;
    s->window_count = 0;
    s->window_bytes = 0;
    s->window_latency_sum_us = 0;
    s->window_latency_max_us = 0;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    struct produce_stats *s = opaque;
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* One line for the first failure; the summary gives the count. */
        if (s->failed++ == 0)
            cli_fail(s->prog, "delivery failed: %s: %s", rd_kafka_err2name(msg->err),
                     rd_kafka_err2str(msg->err));
        return;
    }
    int64_t latency = rd_kafka_message_latency(msg);
    uint64_t latency_us = latency > 0 ? (uint64_t)latency : 0;
    histogram_record(&s->latency_us, latency_us);
    s->delivered++;
    s->delivered_bytes += msg->len;
    s->window_count++;
    s->window_bytes += msg->len;
    s->window_latency_sum_us += latency_us;
    if (latency_us > s->window_latency_max_us)
        s->window_latency_max_us = latency_us;
    int64_t now = monotonic_us();
    if (now - s->window_start_us >= REPORT_INTERVAL_US)
        print_window(s, now);
}

/* The options become librdkafka properties; --producer-property goes last so it can override
 * anything. The delivery callback gets the stats through the client's opaque. */
static rd_kafka_t *produce_client(const char *prog, const struct produce_options *o,
                                  struct produce_stats *stats)
{
    rd_kafka_conf_t *conf = cli_conf_new(prog, o->common.bootstrap_server);
    if (conf == NULL)
        return NULL;
    const struct cli_kv settings[] = {
        {"acks", o->acks},
        {"linger.ms", o->linger_ms},
        {"batch.size", o->batch_size},
        {"compression.type", o->compression},
    };
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof settings / sizeof *settings; i++) {
        if (settings[i].value != NULL)
            ok = cli_conf_set(prog, conf, settings[i].key, settings[i].value);
    }
    if (!ok || !cli_conf_set_all(prog, conf, &o->properties)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, stats);
    return cli_client_new(prog, RD_KAFKA_PRODUCER, conf);
}

/* Checks that the cluster answers, and creates the topic when --partitions asks for it. */
static bool prepare_topic(const char *prog, rd_kafka_t *rk, const struct produce_options *o)
{
    const rd_kafka_metadata_t *md = cli_metadata(prog, rk, false, (int)o->common.timeout_ms);
    if (md == NULL)
        return false;
    rd_kafka_metadata_destroy(md);
    if (o->partitions < 0)
        return true;
    struct topic_spec spec = {o->common.topic, (int)o->partitions, -1, NULL};
    char errstr[512];
    rd_kafka_resp_err_t err =
        topics_create(rk, &spec, (int)o->common.timeout_ms, errstr, sizeof errstr);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        return true;
    cli_fail(prog, "cannot create topic '%s': %s: %s", o->common.topic, rd_kafka_err2name(err),
             errstr);
    return false;
}

/* Random capital letters, as kafka-producer-perf-test sends, so compression has something
 * realistic (neither all-zero nor incompressible) to work on. */
static char *make_payload(size_t size)
{
    char *payload = malloc(size + 1); /* + 1: a 0-byte record still needs a non-NULL buffer */
    if (payload == NULL)
        return NULL;
    uint64_t x = (uint64_t)monotonic_us() | 1;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        payload[i] = (char)('A' + x % 26);
    }
    return payload;
}

/* --throughput: record i is due i/R seconds after the start. Waiting inside poll keeps
 * delivery reports timely; sending up to 1 ms early spares high rates a sleep per record. */
static void wait_for_turn(rd_kafka_t *rk, int64_t start_us, long record, long throughput)
{
    int64_t due = start_us + (int64_t)((double)record * 1e6 / (double)throughput);
    int64_t ahead;
    while ((ahead = due - monotonic_us()) >= 1000)
        rd_kafka_poll(rk, (int)(ahead / 1000));
}

/* The payload is neither copied nor freed by librdkafka (no RD_KAFKA_MSG_F_* flag): every
 * record shares it, and it outlives the producer. */
static bool produce_one(const char *prog, rd_kafka_t *rk, rd_kafka_topic_t *topic,
                        char *payload, size_t size)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(rk, RD_KAFKA_V_RKT(topic),
                                                    RD_KAFKA_V_VALUE(payload, size),
                                                    RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return true;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            cli_fail(prog, "produce failed: %s: %s", rd_kafka_err2name(err),
                     rd_kafka_err2str(err));
            return false;
        }
        /* The local queue is full: serve delivery reports until it has room. */
        rd_kafka_poll(rk, 10);
    }
}

/* Sends every record, then waits for every delivery report; message.timeout.ms bounds the
 * wait. Returns false if a record could not even be queued. */
static bool produce_all(const char *prog, rd_kafka_t *rk, const struct produce_options *o,
                        struct produce_stats *stats)
{
    char *payload = make_payload((size_t)o->record_size);
    rd_kafka_topic_t *topic = rd_kafka_topic_new(rk, o->common.topic, NULL);
    if (payload == NULL || topic == NULL) {
        cli_fail(prog, "cannot set up: %s", payload == NULL ? "out of memory" : "topic handle");
        free(payload);
        return false;
    }
    stats->start_us = stats->window_start_us = monotonic_us();
    bool ok = true;
    for (long i = 0; ok && i < o->num_records; i++) {
        if (o->throughput > 0)
            wait_for_turn(rk, stats->start_us, i, o->throughput);
        ok = produce_one(prog, rk, topic, payload, (size_t)o->record_size);
        rd_kafka_poll(rk, 0); /* deliver reports promptly: latency is read in the callback */
    }
    if (!ok)
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, -1);
    rd_kafka_topic_destroy(topic);
    free(payload);
    return ok;
}

static void print_produce_summary(const struct produce_stats *s, int64_t elapsed_us)
{
    const struct histogram *h = &s->latency_us;
    printf("%llu records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max "
           "latency, %llu ms 50th, %llu ms 95th, %llu ms 99th, %llu ms 99.9th.\n",
           (unsigned long long)s->delivered, rate((double)s->delivered, elapsed_us),
           rate((double)s->delivered_bytes, elapsed_us) / MB, histogram_mean(h) / 1000.0,
           (double)histogram_max(h) / 1000.0,
           (unsigned long long)(histogram_percentile(h, 50) / 1000),
           (unsigned long long)(histogram_percentile(h, 95) / 1000),
           (unsigned long long)(histogram_percentile(h, 99) / 1000),
           (unsigned long long)(histogram_percentile(h, 99.9) / 1000));
}

static void print_produce_json(const struct produce_stats *s, int64_t elapsed_us)
{
    const struct histogram *h = &s->latency_us;
    printf("{\"records_sent\": %llu, \"records_failed\": %llu, \"bytes\": %llu, "
           "\"elapsed_ms\": %.3f, \"records_per_sec\": %.3f, \"mb_per_sec\": %.4f, "
           "\"latency_avg_ms\": %.3f, \"latency_max_ms\": %.3f, \"latency_p50_ms\": %.3f, "
           "\"latency_p95_ms\": %.3f, \"latency_p99_ms\": %.3f, \"latency_p999_ms\": %.3f}\n",
           (unsigned long long)s->delivered, (unsigned long long)s->failed,
           (unsigned long long)s->delivered_bytes, (double)elapsed_us / 1000.0,
           rate((double)s->delivered, elapsed_us),
           rate((double)s->delivered_bytes, elapsed_us) / MB, histogram_mean(h) / 1000.0,
           (double)histogram_max(h) / 1000.0, (double)histogram_percentile(h, 50) / 1000.0,
           (double)histogram_percentile(h, 95) / 1000.0,
           (double)histogram_percentile(h, 99) / 1000.0,
           (double)histogram_percentile(h, 99.9) / 1000.0);
}

/* Connects, prepares the topic, sends, reports. The stats live on the heap: the histogram is
 * too big to be a polite stack variable. */
static int produce_run(const char *prog, const struct produce_options *o)
{
    struct produce_stats *stats = cli_calloc(1, sizeof *stats);
    histogram_init(&stats->latency_us);
    stats->progress = o->json ? stderr : stdout;
    stats->prog = prog;
    rd_kafka_t *rk = produce_client(prog, o, stats);
    int rc = rk == NULL ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    if (rk != NULL && prepare_topic(prog, rk, o) && produce_all(prog, rk, o, stats)) {
        int64_t elapsed_us = monotonic_us() - stats->start_us;
        if (o->json)
            print_produce_json(stats, elapsed_us);
        else
            print_produce_summary(stats, elapsed_us);
        if (stats->failed > 0)
            cli_fail(prog, "%llu of %ld records were not delivered",
                     (unsigned long long)stats->failed, o->num_records);
        rc = stats->failed == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    }
    if (rk != NULL)
        rd_kafka_destroy(rk);
    free(stats);
    return rc;
}

static int run_produce(const char *prog, int argc, char **argv)
{
    struct produce_options o;
    int rc = parse_produce_options(prog, argc, argv, &o);
    if (rc == CLI_CONTINUE)
        rc = produce_run(prog, &o);
    cli_kv_free(&o.properties);
    return rc;
}

/* ---- perf consume ---- */

static const char CONSUME_HELP[] =
    "Usage: gregor perf consume --bootstrap-server H:P --topic T --messages N [options]\n"
    "Reads N messages in all from the partitions of T and prints kafka-consumer-perf-test's CSV\n"
    "header and one line of figures. Partitions are assigned directly, with no group join, so\n"
    "rebalance.time.ms is always 0 and fetch.time.ms is the whole run; the run ends at the\n"
    "last message read, so waiting for a --timeout-ms that expires is not counted. MB means\n"
    "1024*1024 bytes (keys plus values), as in Kafka's tools.\n\n"
    "  --bootstrap-server H:P[,H:P...]  brokers to contact first (required)\n"
    "  --topic T                        topic to read (required)\n"
    "  --messages N                     messages to read (required)\n"
    "  --from-beginning                 start at each partition's first offset (default)\n"
    "  --from-latest                    start at each partition's end instead\n"
    "  --timeout-ms T                   stop after T ms without a message, and give up on\n"
    "                                   metadata after T ms (default 10000)\n"
    "  --consumer-property k=v          librdkafka consumer property, repeatable\n"
    "  --json                           print one JSON object with the results instead\n"
    "  --help                           this text\n"
    "Exit status: 0 when N messages were read, 1 otherwise, 2 for usage errors.\n";

struct consume_options {
    struct cli_common_options common;
    long messages;
    bool from_latest;
    bool json;
    struct cli_kv_list properties;
};

struct consume_stats {
    int64_t start_wall_ms;
    int64_t start_us;
    int64_t last_message_us; /* the run's end: the moment the last message arrived */
    uint64_t messages;
    uint64_t bytes;
    rd_kafka_resp_err_t last_error; /* so a repeating consumer error is printed once */
};

static bool apply_consume_option(const char *prog, int opt, void *ctx)
{
    struct consume_options *o = ctx;
    bool ok;
    if (cli_apply_common(prog, opt, &o->common, &ok))
        return ok;
    switch (opt) {
    case OPT_MESSAGES:
        return cli_parse_long(prog, "messages", optarg, 1, LONG_MAX, &o->messages);
    case OPT_FROM_BEGINNING:
        o->from_latest = false;
        return true;
    case OPT_FROM_LATEST:
        o->from_latest = true;
        return true;
    case OPT_CONSUMER_PROPERTY:
        return cli_kv_add(prog, "consumer-property", optarg, &o->properties);
    case OPT_JSON:
        o->json = true;
        return true;
    default:
        return false; /* '?': cli_next_option has reported it */
    }
}

static int parse_consume_options(const char *prog, int argc, char **argv,
                                 struct consume_options *o)
{
    static const struct option options[] = {
        {"bootstrap-server", required_argument, NULL, CLI_OPT_BOOTSTRAP},
        {"topic", required_argument, NULL, CLI_OPT_TOPIC},
        {"messages", required_argument, NULL, OPT_MESSAGES},
        {"from-beginning", no_argument, NULL, OPT_FROM_BEGINNING},
        {"from-latest", no_argument, NULL, OPT_FROM_LATEST},
        {"timeout-ms", required_argument, NULL, CLI_OPT_TIMEOUT},
        {"consumer-property", required_argument, NULL, OPT_CONSUMER_PROPERTY},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, CLI_OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    *o = (struct consume_options){.messages = -1, .common.timeout_ms = CLI_DEFAULT_TIMEOUT_MS};
    int rc = cli_parse_options(prog, argc, argv, options, CLI_OPT_HELP, CONSUME_HELP,
                               apply_consume_option, o);
    if (rc != CLI_CONTINUE)
        return rc;
    const char *missing = o->common.bootstrap_server == NULL ? "--bootstrap-server"
                          : o->common.topic == NULL          ? "--topic"
                          : o->messages < 0           ? "--messages"
                                                      : NULL;
    if (missing != NULL) {
        cli_usage_error(prog, "%s is required", missing);
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

/* librdkafka's assign() needs a group.id even though nothing joins the group: a throwaway one,
 * with nothing committed, leaves no trace in the cluster's group state. */
static rd_kafka_t *consume_client(const char *prog, const struct consume_options *o)
{
    rd_kafka_conf_t *conf = cli_conf_new(prog, o->common.bootstrap_server);
    if (conf == NULL)
        return NULL;
    char group[64];
    snprintf(group, sizeof group, "gregor-perf-consume-%ld", (long)getpid());
    bool ok = cli_conf_set(prog, conf, "group.id", group) &&
              cli_conf_set(prog, conf, "enable.auto.commit", "false") &&
              cli_conf_set(prog, conf, "enable.auto.offset.store", "false") &&
              cli_conf_set_all(prog, conf, &o->properties);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return cli_client_new(prog, RD_KAFKA_CONSUMER, conf);
}

/* Every partition of the topic, each to be read from its start (or end); NULL after
 * reporting why there is none. */
static rd_kafka_topic_partition_list_t *topic_partitions(const char *prog, rd_kafka_t *rk,
                                                         const struct consume_options *o)
{
    const rd_kafka_metadata_t *md = cli_metadata(prog, rk, true, (int)o->common.timeout_ms);
    if (md == NULL)
        return NULL;
    const rd_kafka_metadata_topic_t *t = cli_metadata_topic(md, o->common.topic);
    rd_kafka_resp_err_t err = t == NULL ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : t->err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && t->partition_cnt == 0)
        err = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    rd_kafka_topic_partition_list_t *list = NULL;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cli_fail(prog, "cannot read topic '%s': %s: %s", o->common.topic, rd_kafka_err2name(err),
                 rd_kafka_err2str(err));
    } else {
        list = rd_kafka_topic_partition_list_new(t->partition_cnt);
        for (int i = 0; i < t->partition_cnt; i++)
            rd_kafka_topic_partition_list_add(list, o->common.topic, t->partitions[i].id)->offset =
                o->from_latest ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(md);
    return list;
}

/* Counts a message; errors that come instead of messages are printed once each and
 * otherwise left to librdkafka, which retries them. */
static void account(const char *prog, struct consume_stats *s, const rd_kafka_message_t *msg,
                    int64_t now_us)
{
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (msg->err != s->last_error)
            fprintf(stderr, "%s: warning: consumer error: %s: %s\n", prog,
                    rd_kafka_err2name(msg->err), rd_kafka_message_errstr(msg));
        s->last_error = msg->err;
        return;
    }
    s->messages++;
    s->bytes += msg->len + msg->key_len;
    s->last_message_us = now_us;
}

/* Reads until N messages or timeout_ms without one. Returns true if N were read. */
static bool consume_all(const char *prog, rd_kafka_t *rk, const struct consume_options *o,
                        struct consume_stats *s)
{
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[CONSUME_BATCH];
    int64_t quiet_since = s->start_us;
    while (s->messages < (uint64_t)o->messages) {
        uint64_t wanted = (uint64_t)o->messages - s->messages;
        ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch,
                                                 wanted < CONSUME_BATCH ? wanted : CONSUME_BATCH);
        int64_t now = monotonic_us();
        uint64_t before = s->messages;
        for (ssize_t i = 0; i < n; i++) {
            account(prog, s, batch[i], now);
            rd_kafka_message_destroy(batch[i]);
        }
        if (s->messages > before)
            quiet_since = now;
        else if (now - quiet_since >= o->common.timeout_ms * 1000)
            break;
    }
    rd_kafka_queue_destroy(queue);
    return s->messages == (uint64_t)o->messages;
}

/* Kafka's date format for these columns: yyyy-MM-dd HH:mm:ss:SSS, local time. */
static void format_time(int64_t ms, char *out, size_t size)
{
    time_t seconds = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&seconds, &tm);
    size_t n = strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out + n, size - n, ":%03d", (int)(ms % 1000));
}

static void print_consume_result(const struct consume_stats *s, bool json)
{
    int64_t elapsed_us = s->messages > 0 ? s->last_message_us - s->start_us : 0;
    int64_t end_wall_ms = s->start_wall_ms + elapsed_us / 1000;
    double mb = (double)s->bytes / MB;
    double mb_per_sec = rate(mb, elapsed_us);
    double msg_per_sec = rate((double)s->messages, elapsed_us);
    if (json) {
        printf("{\"start_time_ms\": %lld, \"end_time_ms\": %lld, \"elapsed_ms\": %.3f, "
               "\"messages\": %llu, \"bytes\": %llu, \"mb\": %.4f, \"mb_per_sec\": %.4f, "
               "\"messages_per_sec\": %.4f, \"rebalance_time_ms\": 0, \"fetch_time_ms\": %.3f, "
               "\"fetch_mb_per_sec\": %.4f, \"fetch_messages_per_sec\": %.4f}\n",
               (long long)s->start_wall_ms, (long long)end_wall_ms, elapsed_us / 1000.0,
               (unsigned long long)s->messages, (unsigned long long)s->bytes, mb, mb_per_sec,
               msg_per_sec, elapsed_us / 1000.0, mb_per_sec, msg_per_sec);
        return;
    }
    char start[64], end[64];
    format_time(s->start_wall_ms, start, sizeof start);
    format_time(end_wall_ms, end, sizeof end);
    printf("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
           "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n");
    printf("%s, %s, %.4f, %.4f, %llu, %.4f, 0, %lld, %.4f, %.4f\n", start, end, mb, mb_per_sec,
           (unsigned long long)s->messages, msg_per_sec, (long long)(elapsed_us / 1000),
           mb_per_sec, msg_per_sec);
}

/* The clock starts at assign(), after the metadata lookup, as Kafka's starts at subscribe(). */
static int consume_from(const char *prog, rd_kafka_t *rk, const struct consume_options *o,
                        const rd_kafka_topic_partition_list_t *partitions)
{
    struct consume_stats stats = {.start_wall_ms = wall_ms(), .start_us = monotonic_us()};
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, partitions);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cli_fail(prog, "cannot assign partitions: %s: %s", rd_kafka_err2name(err),
                 rd_kafka_err2str(err));
        return CLI_EXIT_FAILED;
    }
    bool complete = consume_all(prog, rk, o, &stats);
    if (!complete)
        fprintf(stderr, "WARNING: Exiting before consuming the expected number of messages: "
                        "timeout (%ld ms) exceeded. You can use the --timeout-ms option to "
                        "increase the timeout.\n",
                o->common.timeout_ms);
    print_consume_result(&stats, o->json);
    return complete ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

static int consume_run(const char *prog, const struct consume_options *o)
{
    rd_kafka_t *rk = consume_client(prog, o);
    if (rk == NULL)
        return CLI_EXIT_USAGE;
    rd_kafka_topic_partition_list_t *partitions = topic_partitions(prog, rk, o);
    int rc = CLI_EXIT_FAILED;
    if (partitions != NULL) {
        rc = consume_from(prog, rk, o, partitions);
        rd_kafka_topic_partition_list_destroy(partitions);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

static int run_consume(const char *prog, int argc, char **argv)
{
    struct consume_options o;
    int rc = parse_consume_options(prog, argc, argv, &o);
    if (rc == CLI_CONTINUE)
        rc = consume_run(prog, &o);
    cli_kv_free(&o.properties);
    return rc;
}

int perf_main(const char *prog, int argc, char **argv)
{
    static const struct cli_command commands[] = {
        {"produce", run_produce, "send records and report throughput and latency"},
        {"consume", run_consume, "read messages and report throughput"},
        {NULL, NULL, NULL},
    };
    return cli_dispatch(prog, commands, argc - 1, argv + 1);
}
