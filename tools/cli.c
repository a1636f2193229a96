/* Shared plumbing for the gregor tool (see cli.h). librdkafka logs from its own threads, so the
 * last warning is kept behind a mutex and only shown when an operation fails. */
#include "tools/cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static pthread_mutex_t last_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_log[512];
static bool print_client_logs; /* set once the user asks for librdkafka's `debug` output */

int cli_dispatch(const char *prog, const struct cli_command *commands, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
        strcmp(argv[0], "help") == 0) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "Usage: %s <command> [options]\n\nCommands:\n", prog);
        for (const struct cli_command *c = commands; c->name != NULL; c++)
            fprintf(out, "  %-10s %s\n", c->name, c->summary);
        fprintf(out, "\nRun '%s <command> --help' for a command's options.\n", prog);
        return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    for (const struct cli_command *c = commands; c->name != NULL; c++) {
        if (strcmp(argv[0], c->name) != 0)
            continue;
        char name[128];
        snprintf(name, sizeof name, "%s %s", prog, c->name);
        return c->run(name, argc, argv);
    }
    fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", prog, argv[0], prog);
    return CLI_EXIT_USAGE;
}

void cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see '%s --help')\n", prog);
}

void cli_fail(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&last_log_lock);
    if (last_log[0] != '\0')
        fprintf(stderr, " [last client log: %s]", last_log);
    pthread_mutex_unlock(&last_log_lock);
    fputc('\n', stderr);
}

int cli_next_option(const char *prog, int argc, char **argv, const struct option *options)
{
    opterr = 0;
    /* A leading ':' makes getopt tell a missing value (':') from an unknown option ('?'). */
    int opt = getopt_long(argc, argv, ":", options, NULL);
    if (opt == ':') {
        cli_usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
        return '?';
    }
    if (opt == '?')
        cli_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
    return opt;
}

bool cli_no_operands(const char *prog, int argc, char **argv)
{
    if (optind >= argc)
        return true;
    cli_usage_error(prog, "unexpected argument '%s'", argv[optind]);
    return false;
}

bool cli_parse_long(const char *prog, const char *option, const char *text, long min, long max,
                    long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        cli_usage_error(prog, "--%s wants an integer from %ld to %ld, not '%s'", option, min, max,
                        text);
        return false;
    }
    *out = value;
    return true;
}

void *cli_calloc(size_t count, size_t size)
{
    void *p = calloc(count, size);
    if (p == NULL) {
        fprintf(stderr, "gregor: out of memory\n");
        exit(CLI_EXIT_FAILED);
    }
    return p;
}

bool cli_kv_add(const char *prog, const char *option, const char *text, struct cli_kv_list *list)
{
    const char *equals = strchr(text, '=');
    if (equals == NULL || equals == text) {
        cli_usage_error(prog, "--%s wants key=value, not '%s'", option, text);
        return false;
    }
    struct cli_kv *items = realloc(list->items, (list->count + 1) * sizeof *items);
    char *key = strndup(text, (size_t)(equals - text));
    if (items == NULL || key == NULL) {
        fprintf(stderr, "gregor: out of memory\n");
        exit(CLI_EXIT_FAILED);
    }
    items[list->count].key = key;
    items[list->count].value = equals + 1; /* argv outlives the list */
    list->items = items;
    list->count++;
    return true;
}

void cli_kv_free(struct cli_kv_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free((char *)list->items[i].key);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

/* Called from librdkafka's threads. Warnings and worse are what explain a failure; the rest
 * would only push the useful line out. */
static void keep_client_log(const rd_kafka_t *rk, int level, const char *facility,
                            const char *message)
{
    (void)rk;
    if (print_client_logs)
        fprintf(stderr, "%%%d|%s| %s\n", level, facility, message);
    if (level > LOG_WARNING)
        return;
    /* Drop the "[thrd:name]: " prefix: the thread means nothing to the user. */
    const char *text = strstr(message, "]: ");
    text = strncmp(message, "[thrd:", 6) == 0 && text != NULL ? text + 3 : message;
    pthread_mutex_lock(&last_log_lock);
    snprintf(last_log, sizeof last_log, "%s", text);
    pthread_mutex_unlock(&last_log_lock);
}

rd_kafka_conf_t *cli_conf_new(const char *prog, const char *bootstrap_server)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, keep_client_log);
    if (!cli_conf_set(prog, conf, "bootstrap.servers", bootstrap_server)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

bool cli_conf_set(const char *prog, rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        cli_usage_error(prog, "bad client property %s=%s: %s", key, value, errstr);
        return false;
    }
    if (strcmp(key, "debug") == 0)
        print_client_logs = true;
    return true;
}

bool cli_conf_set_all(const char *prog, rd_kafka_conf_t *conf, const struct cli_kv_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        if (!cli_conf_set(prog, conf, list->items[i].key, list->items[i].value))
            return false;
    }
    return true;
}

rd_kafka_t *cli_client_new(const char *prog, rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        cli_fail(prog, "cannot create the Kafka client: %s", errstr);
    }
    return rk;
}

const rd_kafka_metadata_t *cli_metadata(const char *prog, rd_kafka_t *rk, bool all_topics,
                                        int timeout_ms)
{
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, all_topics, NULL, &md, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        cli_fail(prog, "no metadata from the cluster within %d ms: %s: %s", timeout_ms,
                 rd_kafka_err2name(err), rd_kafka_err2str(err));
        return NULL;
    }
    return md;
}

const rd_kafka_metadata_topic_t *cli_metadata_topic(const rd_kafka_metadata_t *md,
                                                    const char *topic)
{
    for (int i = 0; i < md->topic_cnt; i++) {
        if (strcmp(md->topics[i].topic, topic) == 0)
            return &md->topics[i];
    }
    return NULL;
}

int cli_parse_options(const char *prog, int argc, char **argv, const struct option *options,
                      int help_opt, const char *help, cli_apply_fn apply, void *ctx)
{
    int opt;
    while ((opt = cli_next_option(prog, argc, argv, options)) != -1) {
        if (opt == help_opt) {
            fputs(help, stdout);
            return CLI_EXIT_OK;
        }
        if (!apply(prog, opt, ctx))
            return CLI_EXIT_USAGE;
    }
    return cli_no_operands(prog, argc, argv) ? CLI_CONTINUE : CLI_EXIT_USAGE;
}

bool cli_apply_common(const char *prog, int opt, struct cli_common_options *common, bool *ok)
{
    *ok = true;
    switch (opt) {
    case CLI_OPT_BOOTSTRAP:
        common->bootstrap_server = optarg;
        return true;
    case CLI_OPT_TOPIC:
        common->topic = optarg;
        return true;
    case CLI_OPT_TIMEOUT:
        *ok = cli_parse_long(prog, "timeout-ms", optarg, 1, 3600000, &common->timeout_ms);
        return true;
    default:
        return false;
    }
}
