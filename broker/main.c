/* gregor-broker: gregor-broker server.properties [--override key=value]...
 * Configuration comes from the file, then KAFKA_* environment variables, then overrides. */
#include "broker/broker.h"
#include "common/config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out, "usage: gregor-broker [server.properties] [--override key=value]...\n"
                 "       gregor-broker --describe-config   (every key, as docs/config.md)\n"
                 "Settings use Kafka's server.properties keys; KAFKA_FOO_BAR environment\n"
                 "variables set foo.bar; --override wins over both.\n");
}

static const char *type_name(enum config_type type)
{
    switch (type) {
    case CONFIG_BOOLEAN:
        return "boolean";
    case CONFIG_STRING:
        return "string";
    case CONFIG_INT:
        return "int";
    case CONFIG_SHORT:
        return "short";
    case CONFIG_LONG:
        return "long";
    case CONFIG_DOUBLE:
        return "double";
    case CONFIG_LIST:
        return "list";
    case CONFIG_PASSWORD:
        return "password";
    }
    return "?";
}

/* Prints docs/config.md: the key table as the broker knows it, so the doc cannot drift. */
static void describe_config(void)
{
    struct config *c = config_new();
    struct config_entry e;
    printf("# gregor broker configuration\n\n"
           "Every key `gregor-broker` accepts, with its type and default. Keys and defaults are\n"
           "Kafka's (`server.properties`), except those whose meaning starts with \"gregor\n"
           "extension\". Set them in the properties file, as `KAFKA_FOO_BAR` environment\n"
           "variables, or with `--override foo.bar=value`. Keys of features not built yet\n"
           "(replication, groups) are accepted and checked so that Kafka configs load; the\n"
           "README's status table says which parts exist. This file is the output of\n"
           "`gregor-broker --describe-config`; a test keeps the two equal.\n\n"
           "| key | type | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < config_key_count(); i++) {
        if (!config_describe(c, i, &e))
            continue;
        printf("| `%s` | %s | %s%s%s | %s |\n", e.name, type_name(e.type),
               e.value ? "`" : "", e.value ? (e.value[0] ? e.value : " ") : "(none)",
               e.value ? "`" : "", e.doc);
    }
    config_free(c);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--describe-config") == 0) {
        describe_config();
        return 0;
    }
    signal(SIGPIPE, SIG_IGN); /* a client that went away is an EPIPE, not a crash */
    struct config *config = config_new();
    char err[1024];
    if (config_from_args(config, argc - 1, argv + 1, environ, err, sizeof(err)) != 0) {
        fprintf(stderr, "gregor-broker: %s\n", err);
        usage(stderr);
        config_free(config);
        return 1;
    }
    struct broker b;
    if (broker_start(&b, config) != 0) {
        fprintf(stderr, "gregor-broker: startup failed (see the log above)\n");
        return 1;
    }
    return broker_run(&b);
}
