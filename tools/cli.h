/* What every gregor subcommand shares: dispatch over a table of subcommands, option parsing
 * with one-line usage errors, and librdkafka client set-up whose failures name their cause.
 * Exit codes: 0 done, 1 the operation failed, 2 the command line was wrong. */
#ifndef GREGOR_TOOLS_CLI_H
#define GREGOR_TOOLS_CLI_H

#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILED = 1, CLI_EXIT_USAGE = 2 };
/* What an option parser returns when the command should go on, rather than an exit code. */
#define CLI_CONTINUE (-1)

#define CLI_DEFAULT_TIMEOUT_MS 10000

/* A subcommand gets its own name in argv[0]; prog is the full name, e.g. "gregor topics list". */
struct cli_command {
    const char *name;
    int (*run)(const char *prog, int argc, char **argv);
    const char *summary;
};

/* Runs the command named by argv[0] from a NULL-terminated table, or prints the table for
 * --help. `prog` is the name so far ("gregor", "gregor topics"). */
int cli_dispatch(const char *prog, const struct cli_command *commands, int argc, char **argv);

/* Repeatable `key=value` options (--config, --producer-property, ...). */
struct cli_kv {
    const char *key;
    const char *value;
};
struct cli_kv_list {
    struct cli_kv *items;
    size_t count;
};

/* getopt_long without getopt's own messages: returns the option, -1 at the end, or '?' after
 * printing a usage error for an unknown option or a missing value. */
int cli_next_option(const char *prog, int argc, char **argv, const struct option *options);
/* Options every subcommand takes, with the option ids they share; a subcommand numbers its
 * own options from CLI_OPT_FIRST_OWN. */
enum { CLI_OPT_BOOTSTRAP = 256, CLI_OPT_TOPIC, CLI_OPT_TIMEOUT, CLI_OPT_HELP, CLI_OPT_FIRST_OWN };

struct cli_common_options {
    const char *bootstrap_server;
    const char *topic;
    long timeout_ms;
};

/* Applies opt when it is one of the shared options: returns true then, with *ok false after
 * a usage error. */
bool cli_apply_common(const char *prog, int opt, struct cli_common_options *common, bool *ok);

/* Applies one parsed option to ctx; false after a usage error (already printed). */
typedef bool (*cli_apply_fn)(const char *prog, int opt, void *ctx);
/* The option loop every subcommand runs: help_opt prints help and returns CLI_EXIT_OK, every
 * other option goes to apply, and operands are refused. Returns CLI_CONTINUE when the command
 * should go on, else the exit code. */
int cli_parse_options(const char *prog, int argc, char **argv, const struct option *options,
                      int help_opt, const char *help, cli_apply_fn apply, void *ctx);
/* Usage error if anything but options is left on the command line. */
bool cli_no_operands(const char *prog, int argc, char **argv);

/* Each prints a usage error and returns false when the text is not acceptable. */
bool cli_parse_long(const char *prog, const char *option, const char *text, long min, long max,
                    long *out);
bool cli_kv_add(const char *prog, const char *option, const char *text, struct cli_kv_list *list);
void cli_kv_free(struct cli_kv_list *list);

/* calloc that ends the program with a message when memory runs out. */
void *cli_calloc(size_t count, size_t size);

void cli_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog: message", plus the last warning the client logged when there is one: with a broker
 * down, that line ("Connect to ipv4#127.0.0.1:1 failed: Connection refused") is the cause. */
void cli_fail(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A client configuration for bootstrap_server whose log lines are kept for cli_fail rather
 * than printed (setting the `debug` property prints them all). Returns NULL after a usage
 * error. */
rd_kafka_conf_t *cli_conf_new(const char *prog, const char *bootstrap_server);
/* Sets one property; a bad name or value is a usage error. */
bool cli_conf_set(const char *prog, rd_kafka_conf_t *conf, const char *key, const char *value);
bool cli_conf_set_all(const char *prog, rd_kafka_conf_t *conf, const struct cli_kv_list *list);
/* Creates the client, taking conf in every case; NULL after reporting why. */
rd_kafka_t *cli_client_new(const char *prog, rd_kafka_type_t type, rd_kafka_conf_t *conf);

/* Cluster metadata, all topics or brokers only. Fetching every topic, rather than naming one,
 * keeps a broker with auto.create.topics.enable from creating the topic we asked about.
 * NULL after reporting the failure. */
const rd_kafka_metadata_t *cli_metadata(const char *prog, rd_kafka_t *rk, bool all_topics,
                                        int timeout_ms);
const rd_kafka_metadata_topic_t *cli_metadata_topic(const rd_kafka_metadata_t *md,
                                                    const char *topic);

#endif
