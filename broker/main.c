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
                 "Settings use Kafka's server.properties keys; KAFKA_FOO_BAR environment\n"
                 "variables set foo.bar; --override wins over both.\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
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
