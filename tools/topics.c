/* `gregor topics`: create and delete go through librdkafka's Admin API; list and describe read
 * Metadata (plus DescribeConfigs for describe's Configs field). Output follows kafka-topics.sh
 * 3.x, except that TopicId is never printed: librdkafka 2.0.2 does not expose topic ids, and
 * Kafka itself omits the field when the id is unknown (zero). */
#include "tools/topics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything the four subcommands accept; each one's option table admits its own subset. */
struct topics_options {
    struct cli_common_options common;
    long partitions;
    long replication_factor;
    bool include_internal;
    bool if_exists;
    bool if_not_exists;
    struct cli_kv_list configs;
    struct cli_kv_list command_properties;
};

enum {
    OPT_FIRST = CLI_OPT_FIRST_OWN - 1,
    OPT_PARTITIONS,
    OPT_REPLICATION_FACTOR,
    OPT_CONFIG,
    OPT_COMMAND_PROPERTY,
    OPT_INCLUDE_INTERNAL,
    OPT_IF_EXISTS,
    OPT_IF_NOT_EXISTS,
};

#define COMMON_OPTIONS                                                                     \
    {"bootstrap-server", required_argument, NULL, CLI_OPT_BOOTSTRAP},                          \
        {"command-property", required_argument, NULL, OPT_COMMAND_PROPERTY},               \
        {"timeout-ms", required_argument, NULL, CLI_OPT_TIMEOUT},                          \
        {"help", no_argument, NULL, CLI_OPT_HELP}

#define COMMON_HELP                                                                                \
    "  --bootstrap-server H:P[,H:P...]  brokers to contact first (required)\n"                     \
    "  --command-property k=v           librdkafka client property, repeatable\n"                  \
    "                                   (e.g. security.protocol=SASL_SSL; debug=broker prints\n"   \
    "                                   the client's log)\n"                                       \
    "  --timeout-ms T                   give up on the cluster after T ms (default 10000)\n"       \
    "  --help                           this text\n"

static const char CREATE_HELP[] =
    "Usage: gregor topics create --bootstrap-server H:P --topic T [options]\n"
    "Creates a topic and prints 'Created topic T.'.\n\n"
    "  --topic T                        topic to create (required)\n"
    "  --partitions N                   partition count (default: the broker's num.partitions)\n"
    "  --replication-factor R           replicas per partition (default: the broker's\n"
    "                                   default.replication.factor)\n"
    "  --config k=v                     topic configuration, repeatable\n"
    "  --if-not-exists                  succeed quietly if the topic already exists\n" COMMON_HELP;

static const char LIST_HELP[] =
    "Usage: gregor topics list --bootstrap-server H:P [options]\n"
    "Prints one topic name per line, sorted.\n\n"
    "  --include-internal               also list internal topics (names starting '__')\n"
    COMMON_HELP;

static const char DESCRIBE_HELP[] =
    "Usage: gregor topics describe --bootstrap-server H:P [--topic T] [options]\n"
    "Prints kafka-topics.sh --describe's lines: one per topic (Configs lists settings that\n"
    "differ from the defaults), then one per partition. TopicId is not shown (librdkafka\n"
    "2.0.2 cannot read it).\n\n"
    "  --topic T                        describe only T (default: every topic)\n"
    "  --include-internal               also describe internal topics (names starting '__')\n"
    COMMON_HELP;

static const char DELETE_HELP[] =
    "Usage: gregor topics delete --bootstrap-server H:P --topic T [options]\n"
    "Deletes a topic; prints nothing on success, as kafka-topics.sh does.\n\n"
    "  --topic T                        topic to delete (required)\n"
    "  --if-exists                      succeed quietly if the topic does not exist\n" COMMON_HELP;

/* Applies one parsed option; false after a usage error. */
static bool apply_option(const char *prog, int opt, void *ctx)
{
    struct topics_options *o = ctx;
    bool ok;
    if (cli_apply_common(prog, opt, &o->common, &ok))
        return ok;
    switch (opt) {
    case OPT_PARTITIONS:
        return cli_parse_long(prog, "partitions", optarg, 1, INT32_MAX, &o->partitions);
    case OPT_REPLICATION_FACTOR:
        return cli_parse_long(prog, "replication-factor", optarg, 1, INT16_MAX,
                              &o->replication_factor);
    case OPT_CONFIG:
        return cli_kv_add(prog, "config", optarg, &o->configs);
    case OPT_COMMAND_PROPERTY:
        return cli_kv_add(prog, "command-property", optarg, &o->command_properties);
    case OPT_INCLUDE_INTERNAL:
        o->include_internal = true;
        return true;
    case OPT_IF_EXISTS:
        o->if_exists = true;
        return true;
    case OPT_IF_NOT_EXISTS:
        o->if_not_exists = true;
        return true;
    default:
        return false; /* '?': cli_next_option has reported it */
    }
}

/* Returns CLI_CONTINUE with *o filled in, or the exit code (after --help or a usage error). */
static int parse_options(const char *prog, int argc, char **argv, const struct option *options,
                         const char *help, bool needs_topic, struct topics_options *o)
{
    *o = (struct topics_options){.partitions = -1,
                                 .replication_factor = -1,
                                 .common.timeout_ms = CLI_DEFAULT_TIMEOUT_MS};
    int rc = cli_parse_options(prog, argc, argv, options, CLI_OPT_HELP, help, apply_option, o);
    if (rc != CLI_CONTINUE)
        return rc;
    if (o->common.bootstrap_server == NULL) {
        cli_usage_error(prog, "--bootstrap-server is required");
        return CLI_EXIT_USAGE;
    }
    if (needs_topic && o->common.topic == NULL) {
        cli_usage_error(prog, "--topic is required");
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

/* An admin client: a producer handle, the cheapest kind. NULL after reporting why. */
static rd_kafka_t *admin_client(const char *prog, const struct topics_options *o)
{
    rd_kafka_conf_t *conf = cli_conf_new(prog, o->common.bootstrap_server);
    if (conf == NULL)
        return NULL;
    if (!cli_conf_set_all(prog, conf, &o->command_properties)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return cli_client_new(prog, RD_KAFKA_PRODUCER, conf);
}

/* One Admin API request and its result, waited for on a private queue. */
struct admin_call {
    rd_kafka_queue_t *queue;
    rd_kafka_AdminOptions_t *options;
    rd_kafka_event_t *result;
    int timeout_ms;
};

static void admin_begin(struct admin_call *call, rd_kafka_t *rk, rd_kafka_admin_op_t op,
                        int timeout_ms)
{
    char errstr[256];
    call->queue = rd_kafka_queue_new(rk);
    call->options = rd_kafka_AdminOptions_new(rk, op);
    call->result = NULL;
    call->timeout_ms = timeout_ms;
    /* timeout_ms is range-checked when parsed, so these cannot fail. */
    rd_kafka_AdminOptions_set_request_timeout(call->options, timeout_ms, errstr, sizeof errstr);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
        /* Half the budget, so that a broker still propagating the change answers
         * REQUEST_TIMED_OUT itself instead of the client giving up without a reply. */
        rd_kafka_AdminOptions_set_operation_timeout(call->options, timeout_ms / 2, errstr,
                                                    sizeof errstr);
    }
}

/* Waits for the result. librdkafka times the request out itself after timeout_ms; the extra
 * second lets that arrive as the result rather than be taken for a lost reply. Returns the
 * request-level error (per-topic errors are in the result). */
static rd_kafka_resp_err_t admin_wait(struct admin_call *call, char *errstr, size_t errstr_size)
{
    call->result = rd_kafka_queue_poll(call->queue, call->timeout_ms + 1000);
    if (call->result == NULL) {
        snprintf(errstr, errstr_size, "no answer within %d ms", call->timeout_ms);
        return RD_KAFKA_RESP_ERR__TIMED_OUT;
    }
    rd_kafka_resp_err_t err = rd_kafka_event_error(call->result);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        snprintf(errstr, errstr_size, "%s", rd_kafka_event_error_string(call->result));
    return err;
}

static void admin_end(struct admin_call *call)
{
    if (call->result != NULL)
        rd_kafka_event_destroy(call->result);
    rd_kafka_AdminOptions_destroy(call->options);
    rd_kafka_queue_destroy(call->queue);
}

/* The single topic result of a CreateTopics or DeleteTopics call. */
static rd_kafka_resp_err_t topic_result(const rd_kafka_topic_result_t **results, size_t count,
                                        char *errstr, size_t errstr_size)
{
    if (count != 1) {
        snprintf(errstr, errstr_size, "expected one topic result, got %zu", count);
        return RD_KAFKA_RESP_ERR__BAD_MSG;
    }
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
    const char *message = rd_kafka_topic_result_error_string(results[0]);
    snprintf(errstr, errstr_size, "%s", message != NULL ? message : rd_kafka_err2str(err));
    return err;
}

rd_kafka_resp_err_t topics_create(rd_kafka_t *rk, const struct topic_spec *spec, int timeout_ms,
                                  char *errstr, size_t errstr_size)
{
    rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new(spec->name, spec->partitions,
                                                       spec->replication_factor, errstr,
                                                       errstr_size);
    if (topic == NULL)
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    for (size_t i = 0; spec->configs != NULL && i < spec->configs->count; i++)
        rd_kafka_NewTopic_set_config(topic, spec->configs->items[i].key,
                                     spec->configs->items[i].value);

    struct admin_call call;
    admin_begin(&call, rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    rd_kafka_CreateTopics(rk, &topic, 1, call.options, call.queue);
    rd_kafka_resp_err_t err = admin_wait(&call, errstr, errstr_size);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        size_t count;
        const rd_kafka_topic_result_t **results = rd_kafka_CreateTopics_result_topics(
            rd_kafka_event_CreateTopics_result(call.result), &count);
        err = topic_result(results, count, errstr, errstr_size);
    }
    admin_end(&call);
    rd_kafka_NewTopic_destroy(topic);
    return err;
}

static rd_kafka_resp_err_t delete_topic(rd_kafka_t *rk, const char *name, int timeout_ms,
                                        char *errstr, size_t errstr_size)
{
    rd_kafka_DeleteTopic_t *topic = rd_kafka_DeleteTopic_new(name);
    struct admin_call call;
    admin_begin(&call, rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout_ms);
    rd_kafka_DeleteTopics(rk, &topic, 1, call.options, call.queue);
    rd_kafka_resp_err_t err = admin_wait(&call, errstr, errstr_size);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        size_t count;
        const rd_kafka_topic_result_t **results = rd_kafka_DeleteTopics_result_topics(
            rd_kafka_event_DeleteTopics_result(call.result), &count);
        err = topic_result(results, count, errstr, errstr_size);
    }
    admin_end(&call);
    rd_kafka_DeleteTopic_destroy(topic);
    return err;
}

static int create_action(const char *prog, rd_kafka_t *rk, const struct topics_options *o)
{
    /* Kafka's own warning: metric names turn '.' into '_', so such names can collide. */
    if (strchr(o->common.topic, '.') != NULL && strchr(o->common.topic, '_') != NULL)
        fprintf(stderr, "WARNING: Due to limitations in metric names, topics with a period "
                        "('.') or underscore ('_') could collide. To avoid issues it is best "
                        "to use either, but not both.\n");
    struct topic_spec spec = {o->common.topic, (int)o->partitions, (int)o->replication_factor,
                              &o->configs};
    char errstr[512];
    rd_kafka_resp_err_t err =
        topics_create(rk, &spec, (int)o->common.timeout_ms, errstr, sizeof errstr);
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && o->if_not_exists)
        return CLI_EXIT_OK;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cli_fail(prog, "cannot create topic '%s': %s: %s", o->common.topic, rd_kafka_err2name(err),
                 errstr);
        return CLI_EXIT_FAILED;
    }
    printf("Created topic %s.\n", o->common.topic);
    return CLI_EXIT_OK;
}

static int delete_action(const char *prog, rd_kafka_t *rk, const struct topics_options *o)
{
    char errstr[512];
    rd_kafka_resp_err_t err = delete_topic(rk, o->common.topic, (int)o->common.timeout_ms, errstr,
                                           sizeof errstr);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && o->if_exists)
        return CLI_EXIT_OK;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cli_fail(prog, "cannot delete topic '%s': %s: %s", o->common.topic, rd_kafka_err2name(err),
                 errstr);
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

static bool is_internal(const char *topic)
{
    return strncmp(topic, "__", 2) == 0;
}

static int compare_topics(const void *a, const void *b)
{
    const rd_kafka_metadata_topic_t *x = *(const rd_kafka_metadata_topic_t *const *)a;
    const rd_kafka_metadata_topic_t *y = *(const rd_kafka_metadata_topic_t *const *)b;
    return strcmp(x->topic, y->topic);
}

/* The topics to show, sorted by name: the one named, or all (internal ones if asked). Returns
 * the count, or -1 after reporting that the named topic does not exist. *out is malloc'ed. */
static int select_topics(const char *prog, const rd_kafka_metadata_t *md,
                         const struct topics_options *o, const rd_kafka_metadata_topic_t ***out)
{
    const rd_kafka_metadata_topic_t **selected =
        cli_calloc((size_t)md->topic_cnt + 1, sizeof *selected);
    int count = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        bool wanted = o->common.topic != NULL ? strcmp(t->topic, o->common.topic) == 0
                                       : o->include_internal || !is_internal(t->topic);
        if (wanted && t->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            selected[count++] = t;
    }
    if (o->common.topic != NULL && count == 0) {
        cli_fail(prog, "topic '%s' does not exist", o->common.topic);
        free(selected);
        return -1;
    }
    qsort(selected, (size_t)count, sizeof *selected, compare_topics);
    *out = selected;
    return count;
}

static int list_action(const char *prog, rd_kafka_t *rk, const struct topics_options *o)
{
    const rd_kafka_metadata_t *md = cli_metadata(prog, rk, true, (int)o->common.timeout_ms);
    if (md == NULL)
        return CLI_EXIT_FAILED;
    const rd_kafka_metadata_topic_t **topics;
    int count = select_topics(prog, md, o, &topics);
    for (int i = 0; i < count; i++)
        printf("%s\n", topics[i]->topic);
    if (count >= 0)
        free(topics);
    rd_kafka_metadata_destroy(md);
    return count >= 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/* DescribeConfigs for the selected topics. Configs only decorate describe's output, so a
 * failure is a warning and the result is NULL. */
static rd_kafka_event_t *describe_configs(const char *prog, rd_kafka_t *rk,
                                          const rd_kafka_metadata_topic_t **topics, int count,
                                          int timeout_ms)
{
    if (count == 0)
        return NULL;
    rd_kafka_ConfigResource_t **resources = cli_calloc((size_t)count, sizeof *resources);
    for (int i = 0; i < count; i++)
        resources[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topics[i]->topic);

    struct admin_call call;
    char errstr[512];
    admin_begin(&call, rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(rk, resources, (size_t)count, call.options, call.queue);
    rd_kafka_resp_err_t err = admin_wait(&call, errstr, sizeof errstr);
    rd_kafka_event_t *result = NULL;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "%s: warning: cannot read topic configs: %s: %s\n", prog,
                rd_kafka_err2name(err), errstr);
    } else {
        result = call.result;
        call.result = NULL; /* kept for printing; the caller destroys it */
    }
    admin_end(&call);
    rd_kafka_ConfigResource_destroy_array(resources, (size_t)count);
    free(resources);
    return result;
}

/* The configs of one topic from a DescribeConfigs result, or NULL (with a warning if the
 * broker refused that topic). */
static const rd_kafka_ConfigResource_t *find_configs(const char *prog, rd_kafka_event_t *result,
                                                     const char *topic)
{
    if (result == NULL)
        return NULL;
    size_t count;
    const rd_kafka_ConfigResource_t **resources = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(result), &count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(rd_kafka_ConfigResource_name(resources[i]), topic) != 0)
            continue;
        rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(resources[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return resources[i];
        const char *message = rd_kafka_ConfigResource_error_string(resources[i]);
        fprintf(stderr, "%s: warning: cannot read configs of '%s': %s: %s\n", prog, topic,
                rd_kafka_err2name(err), message != NULL ? message : rd_kafka_err2str(err));
        return NULL;
    }
    return NULL;
}

/* "k=v,k=v" for the settings that differ from the defaults, as kafka-topics.sh prints them. */
static void print_configs(const rd_kafka_ConfigResource_t *resource)
{
    if (resource == NULL)
        return;
    size_t count;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(resource, &count);
    const char *separator = "";
    for (size_t i = 0; i < count; i++) {
        if (rd_kafka_ConfigEntry_is_default(entries[i]))
            continue;
        const char *value = rd_kafka_ConfigEntry_value(entries[i]);
        if (rd_kafka_ConfigEntry_is_sensitive(entries[i]))
            value = "<sensitive>";
        printf("%s%s=%s", separator, rd_kafka_ConfigEntry_name(entries[i]),
               value != NULL ? value : "");
        separator = ",";
    }
}

static void print_broker_ids(const int32_t *ids, int count)
{
    for (int i = 0; i < count; i++)
        printf(i == 0 ? "%d" : ",%d", (int)ids[i]);
}

static int compare_partitions(const void *a, const void *b)
{
    const rd_kafka_metadata_partition_t *x = *(const rd_kafka_metadata_partition_t *const *)a;
    const rd_kafka_metadata_partition_t *y = *(const rd_kafka_metadata_partition_t *const *)b;
    return (x->id > y->id) - (x->id < y->id);
}

static void print_partitions(const rd_kafka_metadata_topic_t *t)
{
    const rd_kafka_metadata_partition_t **sorted =
        cli_calloc((size_t)t->partition_cnt + 1, sizeof *sorted);
    for (int i = 0; i < t->partition_cnt; i++)
        sorted[i] = &t->partitions[i];
    qsort(sorted, (size_t)t->partition_cnt, sizeof *sorted, compare_partitions);
    for (int i = 0; i < t->partition_cnt; i++) {
        const rd_kafka_metadata_partition_t *p = sorted[i];
        printf("\tTopic: %s\tPartition: %d\tLeader: ", t->topic, (int)p->id);
        if (p->leader >= 0)
            printf("%d", (int)p->leader);
        else
            printf("none");
        printf("\tReplicas: ");
        print_broker_ids(p->replicas, p->replica_cnt);
        printf("\tIsr: ");
        print_broker_ids(p->isrs, p->isr_cnt);
        printf("\n");
    }
    free(sorted);
}

static void print_topic(const char *prog, const rd_kafka_metadata_topic_t *t,
                        rd_kafka_event_t *configs)
{
    /* kafka-topics.sh takes the replication factor from the first partition. */
    int replication_factor = t->partition_cnt > 0 ? t->partitions[0].replica_cnt : 0;
    printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: ", t->topic,
           t->partition_cnt, replication_factor);
    print_configs(find_configs(prog, configs, t->topic));
    printf("\n");
    print_partitions(t);
}

static int describe_action(const char *prog, rd_kafka_t *rk, const struct topics_options *o)
{
    const rd_kafka_metadata_t *md = cli_metadata(prog, rk, true, (int)o->common.timeout_ms);
    if (md == NULL)
        return CLI_EXIT_FAILED;
    const rd_kafka_metadata_topic_t **topics;
    int count = select_topics(prog, md, o, &topics);
    if (count >= 0) {
        rd_kafka_event_t *configs =
            describe_configs(prog, rk, topics, count, (int)o->common.timeout_ms);
        for (int i = 0; i < count; i++)
            print_topic(prog, topics[i], configs);
        if (configs != NULL)
            rd_kafka_event_destroy(configs);
        free(topics);
    }
    rd_kafka_metadata_destroy(md);
    return count >= 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

typedef int (*topics_action)(const char *prog, rd_kafka_t *rk, const struct topics_options *o);

/* The frame every subcommand shares: parse, connect, act, clean up. */
static int run_subcommand(const char *prog, int argc, char **argv, const struct option *options,
                          const char *help, bool needs_topic, topics_action action)
{
    struct topics_options o;
    int rc = parse_options(prog, argc, argv, options, help, needs_topic, &o);
    if (rc == CLI_CONTINUE) {
        rd_kafka_t *rk = admin_client(prog, &o);
        rc = rk != NULL ? action(prog, rk, &o) : CLI_EXIT_USAGE;
        if (rk != NULL)
            rd_kafka_destroy(rk);
    }
    cli_kv_free(&o.configs);
    cli_kv_free(&o.command_properties);
    return rc;
}

static int run_create(const char *prog, int argc, char **argv)
{
    static const struct option options[] = {
        {"topic", required_argument, NULL, CLI_OPT_TOPIC},
        {"partitions", required_argument, NULL, OPT_PARTITIONS},
        {"replication-factor", required_argument, NULL, OPT_REPLICATION_FACTOR},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"if-not-exists", no_argument, NULL, OPT_IF_NOT_EXISTS},
        COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    return run_subcommand(prog, argc, argv, options, CREATE_HELP, true, create_action);
}

static int run_list(const char *prog, int argc, char **argv)
{
    static const struct option options[] = {
        {"include-internal", no_argument, NULL, OPT_INCLUDE_INTERNAL},
        COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    return run_subcommand(prog, argc, argv, options, LIST_HELP, false, list_action);
}

static int run_describe(const char *prog, int argc, char **argv)
{
    static const struct option options[] = {
        {"topic", required_argument, NULL, CLI_OPT_TOPIC},
        {"include-internal", no_argument, NULL, OPT_INCLUDE_INTERNAL},
        COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    return run_subcommand(prog, argc, argv, options, DESCRIBE_HELP, false, describe_action);
}

static int run_delete(const char *prog, int argc, char **argv)
{
    static const struct option options[] = {
        {"topic", required_argument, NULL, CLI_OPT_TOPIC},
        {"if-exists", no_argument, NULL, OPT_IF_EXISTS},
        COMMON_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    return run_subcommand(prog, argc, argv, options, DELETE_HELP, true, delete_action);
}

int topics_main(const char *prog, int argc, char **argv)
{
    static const struct cli_command commands[] = {
        {"create", run_create, "create a topic"},
        {"list", run_list, "list topic names"},
        {"describe", run_describe, "show partitions, leaders, replicas, ISR and configs"},
        {"delete", run_delete, "delete a topic"},
        {NULL, NULL, NULL},
    };
    return cli_dispatch(prog, commands, argc - 1, argv + 1);
}
