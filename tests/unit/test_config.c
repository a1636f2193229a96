/* Unit tests of common/config: defaults, properties syntax, validation messages, the KAFKA_*
 * environment mapping, precedence of the sources, the command line and Kafka's derived values. */
#include "common/config.h"
#include "common/logger.h"
#include "tests/unit/cunit_main.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERR_SIZE 512

/* ---- helpers ---- */

static FILE *capture_file;
static char captured[16384];

/* Sends log lines to a temp file until capture_end(), which leaves them in captured. */
static void capture_start(void)
{
    capture_file = tmpfile();
    CU_ASSERT_FATAL(capture_file != NULL);
    logger_set_fd(fileno(capture_file));
}

static const char *capture_end(void)
{
    logger_set_fd(2);
    int fd = fileno(capture_file);
    ssize_t n = pread(fd, captured, sizeof(captured) - 1, 0);
    captured[n > 0 ? n : 0] = '\0';
    fclose(capture_file);
    return captured;
}

/* Loads text as a properties file named "test.properties"; returns config_load_string's result. */
static int load(struct config *c, const char *text, char *err)
{
    return config_load_string(c, text, "test.properties", err, ERR_SIZE);
}

static char *write_temp_file(const char *dir, const char *name, const char *text)
{
    char *path = NULL;
    CU_ASSERT_FATAL(asprintf(&path, "%s/%s", dir, name) > 0);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A path in the source tree, found from this file's own path: CMake compiles with absolute
 * paths, so the test runs from any directory; a relative build must run from the tree's root. */
static char *source_path(const char *relative)
{
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/test_config.c");
    int prefix = tail != NULL ? (int)(tail - self) : 0;
    char *path = NULL;
    CU_ASSERT_FATAL(asprintf(&path, "%.*s%s", prefix, self, relative) > 0);
    return path;
}

static void assert_list(const struct config *c, const char *key, const char *const *expected)
{
    const char *const *items;
    size_t n = config_get_list(c, key, &items);
    size_t want = 0;
    while (expected[want] != NULL)
        want++;
    CU_ASSERT_EQUAL_FATAL(n, want);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_STRING_EQUAL(items[i], expected[i]);
}

/* ---- defaults ---- */

static void test_defaults(void)
{
    struct config *c = config_new();
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), -1);
    CU_ASSERT_EQUAL(config_get_int(c, "log.segment.bytes"), 1073741824);
    CU_ASSERT_EQUAL(config_get_int(c, "message.max.bytes"), 1048588);
    CU_ASSERT_EQUAL(config_get_int(c, "zookeeper.session.timeout.ms"), 18000);
    CU_ASSERT_EQUAL(config_get_int(c, "offsets.topic.replication.factor"), 3);
    CU_ASSERT_EQUAL(config_get_int(c, "offsets.commit.required.acks"), -1);
    CU_ASSERT_EQUAL(config_get_int(c, "group.initial.rebalance.delay.ms"), 3000);
    CU_ASSERT_EQUAL(config_get_long(c, "log.retention.bytes"), -1);
    CU_ASSERT_EQUAL(config_get_long(c, "log.flush.interval.messages"), INT64_MAX);
    CU_ASSERT_EQUAL(config_get_long(c, "replica.lag.time.max.ms"), 30000);
    CU_ASSERT_DOUBLE_EQUAL(config_get_double(c, "log.cleaner.min.cleanable.ratio"), 0.5, 1e-12);
    CU_ASSERT_TRUE(config_get_bool(c, "log.cleaner.enable"));
    CU_ASSERT_TRUE(config_get_bool(c, "auto.create.topics.enable"));
    CU_ASSERT_FALSE(config_get_bool(c, "unclean.leader.election.enable"));
    CU_ASSERT_FALSE(config_get_bool(c, "log.flush.before.ack"));
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "compression.type"), "producer");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "log.message.timestamp.type"), "CreateTime");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "log.level"), "INFO");
    CU_ASSERT_PTR_NULL(config_get_string(c, "zookeeper.connect"));
    CU_ASSERT_PTR_NULL(config_get_string(c, "rpc.listener"));
    CU_ASSERT_PTR_NULL(config_get_string(c, "advertised.rpc.listener"));
    assert_list(c, "listeners", (const char *const[]){"PLAINTEXT://:9092", NULL});
    assert_list(c, "log.cleanup.policy", (const char *const[]){"delete", NULL});
    assert_list(c, "advertised.listeners", (const char *const[]){NULL});
    CU_ASSERT_FALSE(config_is_set(c, "broker.id"));
    CU_ASSERT_FALSE(config_is_set(c, "log.retention.ms"));
    CU_ASSERT_TRUE(config_is_known("log.retention.ms"));
    CU_ASSERT_FALSE(config_is_known("log.retention.ms.typo"));
    CU_ASSERT_TRUE(config_key_count() > 100);
    config_free(c);
}

/* ---- properties syntax ---- */

static void test_file_separators(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    const char *text = "zookeeper.connect=zk:2181\n"
                       "broker.rack: rack-a\n"
                       "rpc.listener 10.0.0.1:9093\n"
                       "inter.broker.listener.name\t=\tINTERNAL\n"
                       "ssl.keystore.location  :  =/etc/ks\n"
                       "ssl.truststore.location==x\n"
                       "advertised.rpc.listener\n"
                       "broker.id:7\n";
    CU_ASSERT_EQUAL_FATAL(load(c, text, err), 0);
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "zookeeper.connect"), "zk:2181");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "broker.rack"), "rack-a");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "rpc.listener"), "10.0.0.1:9093");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "inter.broker.listener.name"), "INTERNAL");
    /* Only the first '=' or ':' separates; a second one belongs to the value. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "ssl.keystore.location"), "=/etc/ks");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "ssl.truststore.location"), "=x");
    /* A key alone has the empty value. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "advertised.rpc.listener"), "");
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 7);
    CU_ASSERT_TRUE(config_is_set(c, "broker.id"));
    config_free(c);
}

static void test_file_comments_and_whitespace(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    const char *text = "# a comment\n"
                       "! another comment\n"
                       "   # an indented comment\n"
                       "\n"
                       "   \t \n"
                       "    broker.id = 3   \n"
                       "broker.rack = r1 \t \n"
                       "num.partitions=4\r\n"
                       "default.replication.factor=2\r"
                       "log.segment.bytes=x\n";
    CU_ASSERT_EQUAL(load(c, text, err), -1);
    /* CRLF and CR both end lines, so the bad value is on line 10. */
    CU_ASSERT_STRING_EQUAL(err, "test.properties:10: Invalid value x for configuration "
                                "log.segment.bytes: Not a number of type INT");
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 3);
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "broker.rack"), "r1");
    CU_ASSERT_EQUAL(config_get_int(c, "num.partitions"), 4);
    CU_ASSERT_EQUAL(config_get_int(c, "default.replication.factor"), 2);
    CU_ASSERT_EQUAL(config_load_string(c, "", "empty", err, ERR_SIZE), 0);
    CU_ASSERT_EQUAL(config_load_string(c, "# only\n\n", "comments", err, ERR_SIZE), 0);
    config_free(c);
}

static void test_file_continuation(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    const char *text = "zookeeper.connect=zk1:2181,\\\n"
                       "    zk2:2181,\\\n"
                       "\t  zk3:2181/chroot\n"
                       "zoo\\\n"
                       "  keeper.set.acl=true\n"
                       "ssl.keystore.location=C:\\\\\n"
                       "broker.id=9\n"
                       "# a comment ends at its line \\\n"
                       "num.partitions=5\n"
                       "broker.rack=r2\\";
    CU_ASSERT_EQUAL_FATAL(load(c, text, err), 0);
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "zookeeper.connect"),
                           "zk1:2181,zk2:2181,zk3:2181/chroot");
    CU_ASSERT_TRUE(config_get_bool(c, "zookeeper.set.acl"));
    /* An even run of backslashes is escaped backslashes, not a continuation. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "ssl.keystore.location"), "C:\\");
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 9);
    CU_ASSERT_EQUAL(config_get_int(c, "num.partitions"), 5);
    /* A continuation at the end of the text is dropped. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "broker.rack"), "r2");

    /* Errors name the line the logical line starts on. */
    CU_ASSERT_EQUAL(load(c, "\nbroker.id=\\\n  abc\n", err), -1);
    CU_ASSERT_STRING_EQUAL(err, "test.properties:2: Invalid value abc for configuration "
                                "broker.id: Not a number of type INT");
    config_free(c);
}

static void test_file_escapes(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    const char *text = "broker.rack=a\\tb\\nc\\\\d\\re\\ff\n"
                       "ssl.keystore.location=caf\\u00e9 \\u20AC \\uD83D\\uDE00\n"
                       "ssl.truststore.location=a\\=b\\:c\\ d\\#\\q\n"
                       "zookeeper\\.connect=zk:2181\n"
                       "rpc\\u002elistener=h:1\n"
                       "inter\\ broker=x\n";
    capture_start();
    int rc = load(c, text, err);
    const char *log = capture_end();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "broker.rack"), "a\tb\nc\\d\re\ff");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "ssl.keystore.location"),
                           "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "ssl.truststore.location"), "a=b:c d#q");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "zookeeper.connect"), "zk:2181");
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "rpc.listener"), "h:1");
    /* "\ " keeps a blank inside the key. */
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "'inter broker'"));

    CU_ASSERT_EQUAL(load(c, "broker.rack=\\u12g4\n", err), -1);
    CU_ASSERT_STRING_EQUAL(err, "test.properties:1: Malformed \\uxxxx encoding.");
    CU_ASSERT_EQUAL(load(c, "#\nbroker.rack=\\u12\n", err), -1);
    CU_ASSERT_STRING_EQUAL(err, "test.properties:2: Malformed \\uxxxx encoding.");
    CU_ASSERT_EQUAL(load(c, "broker.rack=\\uD83D\n", err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Malformed"));
    CU_ASSERT_EQUAL(load(c, "broker.rack=\\uDE00x\n", err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Malformed"));
    /* A failed load keeps what was set before. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "broker.rack"), "a\tb\nc\\d\re\ff");
    config_free(c);
}

/* ---- validation ---- */

struct bad_value {
    const char *key;
    const char *value;
    const char *message;
};

static const struct bad_value bad_values[] = {
    {"log.segment.bytes", "abc",
     "Invalid value abc for configuration log.segment.bytes: Not a number of type INT"},
    {"log.segment.bytes", "", "Invalid value  for configuration log.segment.bytes: "
                              "Not a number of type INT"},
    {"log.segment.bytes", "2147483648",
     "Invalid value 2147483648 for configuration log.segment.bytes: Not a number of type INT"},
    {"broker.id", "-2147483649",
     "Invalid value -2147483649 for configuration broker.id: Not a number of type INT"},
    {"broker.id", "0x10",
     "Invalid value 0x10 for configuration broker.id: Not a number of type INT"},
    {"broker.id", "1 2", "Invalid value 1 2 for configuration broker.id: Not a number of type INT"},
    {"broker.id", "--1", "Invalid value --1 for configuration broker.id: Not a number of type INT"},
    {"offsets.topic.replication.factor", "32768",
     "Invalid value 32768 for configuration offsets.topic.replication.factor: "
     "Not a number of type SHORT"},
    {"log.retention.ms", "9223372036854775808",
     "Invalid value 9223372036854775808 for configuration log.retention.ms: "
     "Not a number of type LONG"},
    {"log.retention.ms", "1.5",
     "Invalid value 1.5 for configuration log.retention.ms: Not a number of type LONG"},
    {"log.cleaner.min.cleanable.ratio", "half",
     "Invalid value half for configuration log.cleaner.min.cleanable.ratio: "
     "Not a number of type DOUBLE"},
    {"log.cleaner.io.buffer.load.factor", "nan",
     "Invalid value nan for configuration log.cleaner.io.buffer.load.factor: "
     "Not a number of type DOUBLE"},
    {"log.cleaner.enable", "yes",
     "Invalid value yes for configuration log.cleaner.enable: "
     "Expected value to be either true or false"},
    {"log.cleaner.enable", "1",
     "Invalid value 1 for configuration log.cleaner.enable: "
     "Expected value to be either true or false"},
    /* ranges */
    {"log.segment.bytes", "3",
     "Invalid value 3 for configuration log.segment.bytes: Value must be at least 14"},
    {"log.roll.hours", "0",
     "Invalid value 0 for configuration log.roll.hours: Value must be at least 1"},
    {"log.index.size.max.bytes", "-4",
     "Invalid value -4 for configuration log.index.size.max.bytes: Value must be at least 4"},
    {"log.flush.interval.messages", "0",
     "Invalid value 0 for configuration log.flush.interval.messages: Value must be at least 1"},
    {"offsets.topic.replication.factor", "0",
     "Invalid value 0 for configuration offsets.topic.replication.factor: "
     "Value must be at least 1"},
    {"log.cleaner.min.cleanable.ratio", "1.5",
     "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: "
     "Value must be no more than 1"},
    {"log.cleaner.min.cleanable.ratio", "-0.1",
     "Invalid value -0.1 for configuration log.cleaner.min.cleanable.ratio: "
     "Value must be at least 0"},
    /* enums */
    {"compression.type", "brotli",
     "Invalid value brotli for configuration compression.type: String must be one of: "
     "uncompressed, zstd, lz4, snappy, gzip, producer"},
    {"log.cleanup.policy", "compact, delet",
     "Invalid value delet for configuration log.cleanup.policy: String must be one of: "
     "compact, delete"},
    {"log.message.timestamp.type", "createtime",
     "Invalid value createtime for configuration log.message.timestamp.type: "
     "String must be one of: CreateTime, LogAppendTime"},
    {"log.level", "VERBOSE",
     "Invalid value VERBOSE for configuration log.level: String must be one of: "
     "TRACE, DEBUG, INFO, WARN, ERROR"},
};

static void test_invalid_values(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        const struct bad_value *b = &bad_values[i];
        CU_ASSERT_EQUAL(config_set(c, b->key, b->value, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, b->message);
        CU_ASSERT_FALSE(config_is_set(c, b->key));
        CU_ASSERT_EQUAL(config_check(b->key, b->value, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, b->message);
    }
    /* A rejected value leaves the previous one in place. */
    CU_ASSERT_EQUAL(config_set(c, "log.segment.bytes", "1024", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(config_set(c, "log.segment.bytes", "13", err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(config_get_int(c, "log.segment.bytes"), 1024);
    /* Errors may be ignored. */
    CU_ASSERT_EQUAL(config_set(c, "broker.id", "x", NULL, 0), -1);
    config_free(c);
}

struct good_value {
    const char *key;
    const char *value;
};

static const struct good_value good_values[] = {
    {"log.segment.bytes", "14"},
    {"broker.id", "+5"},
    {"broker.id", "-2147483648"},
    {"broker.id", "2147483647"},
    {"offsets.commit.required.acks", "-32768"},
    {"log.retention.ms", "-9223372036854775808"},
    {"log.retention.ms", "9223372036854775807"},
    {"log.cleaner.enable", "TRUE"},
    {"log.cleaner.enable", "False"},
    {"log.cleaner.min.cleanable.ratio", "0"},
    {"log.cleaner.min.cleanable.ratio", "1"},
    {"log.cleaner.min.cleanable.ratio", "1e-1"},
    {"compression.type", "zstd"},
    {"log.message.timestamp.type", "LogAppendTime"},
    {"log.level", "DEBUG"},
    {"log.cleanup.policy", "compact,delete"},
    {"zookeeper.connect", ""},
};

static void test_valid_edge_values(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    for (size_t i = 0; i < sizeof(good_values) / sizeof(good_values[0]); i++) {
        const struct good_value *g = &good_values[i];
        CU_ASSERT_EQUAL(config_set(c, g->key, g->value, err, sizeof(err)), 0);
        CU_ASSERT_TRUE(config_is_set(c, g->key));
    }
    CU_ASSERT_EQUAL(config_get_long(c, "log.retention.ms"), INT64_MAX);
    CU_ASSERT_FALSE(config_get_bool(c, "log.cleaner.enable"));
    CU_ASSERT_DOUBLE_EQUAL(config_get_double(c, "log.cleaner.min.cleanable.ratio"), 0.1, 1e-12);
    CU_ASSERT_EQUAL(config_get_int(c, "offsets.commit.required.acks"), -32768);
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "zookeeper.connect"), "");

    /* Values are trimmed; list items are trimmed and empty ones dropped. */
    CU_ASSERT_EQUAL(config_set(c, "broker.id", "  12\t", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 12);
    CU_ASSERT_EQUAL(config_set(c, "log.cleanup.policy", " compact ,  delete ,", err, 512), 0);
    assert_list(c, "log.cleanup.policy", (const char *const[]){"compact", "delete", NULL});
    CU_ASSERT_EQUAL(config_set(c, "log.cleanup.policy", "", err, sizeof(err)), 0);
    assert_list(c, "log.cleanup.policy", (const char *const[]){NULL});

    CU_ASSERT_EQUAL(config_check("log.cleanup.policy", "compact", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(config_check("cleanup.policy", "compact", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "Unknown configuration 'cleanup.policy'");
    config_free(c);
}

static void test_unknown_key_warns(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    capture_start();
    int rc_set = config_set(c, "foo.bar", "1", err, sizeof(err));
    int rc_load = load(c, "broker.id=1\nnot.a.key=x\n", err);
    const char *log = capture_end();
    CU_ASSERT_EQUAL(rc_set, 0);
    CU_ASSERT_EQUAL(rc_load, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, " WARN The configuration 'foo.bar' was supplied but "
                                       "isn't a known config."));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "The configuration 'not.a.key' was supplied but isn't a "
                                       "known config. Source: test.properties:2"));
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 1);
    config_free(c);
}

/* ---- environment ---- */

static void test_env_mapping(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    char *env[] = {
        "PATH=/usr/bin",
        "KAFKA_LOG_RETENTION_HOURS=24",
        "KAFKA_CFG_NUM_PARTITIONS=6",
        "KAFKA_ZOOKEEPER_CONNECT=zk1:2181/Chroot",
        "KAFKA_LOG_CLEANUP_POLICY=compact,delete",
        "KAFKAESQUE=1",
        "NO_EQUALS_SIGN",
        NULL,
    };
    capture_start();
    int rc = config_apply_env(c, env, err, sizeof(err));
    const char *log = capture_end();
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(log, "");
    CU_ASSERT_EQUAL(config_get_int(c, "log.retention.hours"), 24);
    CU_ASSERT_EQUAL(config_get_int(c, "num.partitions"), 6);
    /* Names are lowercased, values are not. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "zookeeper.connect"), "zk1:2181/Chroot");
    assert_list(c, "log.cleanup.policy", (const char *const[]){"compact", "delete", NULL});
    CU_ASSERT_EQUAL(config_apply_env(c, NULL, err, sizeof(err)), 0);
    config_free(c);
}

static void test_env_skipped_and_junk(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    char *skipped[] = {
        "KAFKA_HOME=/opt/kafka",       "KAFKA_VERSION=3.6.1",
        "KAFKA_HEAP_OPTS=-Xmx1G",      "KAFKA_OPTS=-Dx=y",
        "KAFKA_JVM_PERFORMANCE_OPTS=", "KAFKA_LOG4J_ROOT_LOGLEVEL=WARN",
        "KAFKA_LOG4J_LOGGERS=a=INFO",  "KAFKA_JMX_PORT=9101",
        "KAFKA_JMX_HOSTNAME=localhost", NULL,
    };
    capture_start();
    int rc = config_apply_env(c, skipped, err, sizeof(err));
    const char *log = capture_end();
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(log, "");

    char *junk[] = {
        "KAFKA_PORT_9092_TCP_ADDR=10.0.0.1",
        "KAFKA_PORT=tcp://10.0.0.1:9092",
        "KAFKA_SOME___DASHED__UNDER_KEY=1",
        "KAFKA_CFG_A____B=1",
        NULL,
    };
    capture_start();
    rc = config_apply_env(c, junk, err, sizeof(err));
    log = capture_end();
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "'port.9092.tcp.addr' was supplied but isn't a known "
                                       "config. Source: environment variable "
                                       "KAFKA_PORT_9092_TCP_ADDR"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "'port' was supplied"));
    /* "___" is '-', "__" is '_', then '_' is '.'; runs are read greedily. */
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "'some-dashed_under.key' was supplied"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "'a-.b' was supplied"));
    config_free(c);
}

static void test_env_invalid_value(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    char *env[] = {"KAFKA_BROKER_ID=abc", NULL};
    CU_ASSERT_EQUAL(config_apply_env(c, env, err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "environment variable KAFKA_BROKER_ID: Invalid value abc for "
                                "configuration broker.id: Not a number of type INT");
    config_free(c);
}

/* ---- command line and precedence ---- */

static void test_precedence(void)
{
    char *dir = cunit_tempdir("config");
    char *path = write_temp_file(dir, "server.properties",
                                 "broker.id=1\nnum.partitions=2\nlog.retention.hours=10\n");
    char *argv[] = {path, "--override", "broker.id=5", "--override=broker.rack=a=b"};
    char *env[] = {"KAFKA_NUM_PARTITIONS=3", "KAFKA_BROKER_ID=4", NULL};
    struct config *c = config_new();
    char err[ERR_SIZE];
    CU_ASSERT_EQUAL_FATAL(config_from_args(c, 4, argv, env, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(config_get_int(c, "log.retention.hours"), 10); /* file */
    CU_ASSERT_EQUAL(config_get_int(c, "num.partitions"), 3);       /* env beats file */
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 5);            /* override beats env */
    /* The value of an override is everything after its first '='. */
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "broker.rack"), "a=b");
    config_free(c);

    /* Without a file: defaults, env and overrides. */
    c = config_new();
    CU_ASSERT_EQUAL(config_from_args(c, 2, argv + 1, env, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(config_get_int(c, "num.partitions"), 3);
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 5);
    CU_ASSERT_FALSE(config_is_set(c, "log.retention.hours"));
    config_free(c);
    cunit_rmtree(dir);
    free(path);
    free(dir);
}

struct bad_args {
    int argc;
    char *argv[3];
    const char *message;
};

static const struct bad_args bad_args[] = {
    {2, {"--override", "foo"}, "Invalid override 'foo': expected key=value"},
    {1, {"--override=foo"}, "Invalid override 'foo': expected key=value"},
    {2, {"--override", "=v"}, "Invalid override '=v': expected key=value"},
    {1, {"--override"}, "--override needs a key=value argument"},
    {1, {"--verbose"}, "Unknown option --verbose"},
    {2, {"a.properties", "b.properties"},
     "Only one properties file may be given, not a.properties and b.properties"},
    {2, {"--override", "log.segment.bytes=1"},
     "--override: Invalid value 1 for configuration log.segment.bytes: "
     "Value must be at least 14"},
};

static void test_bad_arguments(void)
{
    char err[ERR_SIZE];
    char *env[] = {"KAFKA_BROKER_ID=4", NULL};
    for (size_t i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
        struct config *c = config_new();
        char *argv[3];
        memcpy(argv, bad_args[i].argv, sizeof(argv));
        CU_ASSERT_EQUAL(config_from_args(c, bad_args[i].argc, argv, env, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, bad_args[i].message);
        config_free(c);
    }
    /* A malformed argument stops everything before any source is applied. */
    struct config *c = config_new();
    char *argv[] = {"--override", "broker.rack=r", "--override", "foo"};
    CU_ASSERT_EQUAL(config_from_args(c, 4, argv, env, err, sizeof(err)), -1);
    CU_ASSERT_FALSE(config_is_set(c, "broker.id"));
    CU_ASSERT_FALSE(config_is_set(c, "broker.rack"));
    config_free(c);
}

static void test_missing_file(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    const char *path = "/nonexistent-gregor-dir/server.properties";
    CU_ASSERT_EQUAL(config_load_file(c, path, err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "Cannot read properties file "
                                "/nonexistent-gregor-dir/server.properties: "
                                "No such file or directory");
    char *argv[] = {(char *)path};
    char *env[] = {NULL};
    CU_ASSERT_EQUAL(config_from_args(c, 1, argv, env, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    config_free(c);
}

static void test_file_error_names_path(void)
{
    char *dir = cunit_tempdir("config");
    char *path = write_temp_file(dir, "bad.properties", "# header\n\nlog.segment.bytes=abc\n");
    struct config *c = config_new();
    char err[ERR_SIZE], expected[ERR_SIZE];
    CU_ASSERT_EQUAL(config_load_file(c, path, err, sizeof(err)), -1);
    snprintf(expected, sizeof(expected),
             "%s:3: Invalid value abc for configuration log.segment.bytes: "
             "Not a number of type INT",
             path);
    CU_ASSERT_STRING_EQUAL(err, expected);
    config_free(c);
    cunit_rmtree(dir);
    free(path);
    free(dir);
}

/* ---- derived values ---- */

static void test_derived_retention(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    CU_ASSERT_EQUAL(config_log_retention_ms(c), INT64_C(168) * 3600000);
    config_set(c, "log.retention.hours", "1", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_retention_ms(c), 3600000);
    config_set(c, "log.retention.minutes", "5", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_retention_ms(c), 300000);
    config_set(c, "log.retention.ms", "1234", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_retention_ms(c), 1234);
    config_set(c, "log.retention.ms", "-5", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_retention_ms(c), -1);
    config_free(c);

    c = config_new();
    config_set(c, "log.retention.minutes", "-1", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_retention_ms(c), -1);
    config_set(c, "log.retention.minutes", "2147483647", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_retention_ms(c), INT64_C(2147483647) * 60000);
    config_free(c);
}

static void test_derived_roll_flush_zk(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    CU_ASSERT_EQUAL(config_log_roll_ms(c), INT64_C(168) * 3600000);
    CU_ASSERT_EQUAL(config_log_roll_jitter_ms(c), 0);
    CU_ASSERT_EQUAL(config_log_flush_interval_ms(c), INT64_MAX);
    CU_ASSERT_EQUAL(config_zookeeper_connection_timeout_ms(c), 18000);

    config_set(c, "log.roll.hours", "2", err, sizeof(err));
    config_set(c, "log.roll.jitter.hours", "1", err, sizeof(err));
    config_set(c, "log.flush.scheduler.interval.ms", "2000", err, sizeof(err));
    config_set(c, "zookeeper.session.timeout.ms", "6000", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_roll_ms(c), 7200000);
    CU_ASSERT_EQUAL(config_log_roll_jitter_ms(c), 3600000);
    CU_ASSERT_EQUAL(config_log_flush_interval_ms(c), 2000);
    CU_ASSERT_EQUAL(config_zookeeper_connection_timeout_ms(c), 6000);

    config_set(c, "log.roll.ms", "100", err, sizeof(err));
    config_set(c, "log.roll.jitter.ms", "7", err, sizeof(err));
    config_set(c, "log.flush.interval.ms", "500", err, sizeof(err));
    config_set(c, "zookeeper.connection.timeout.ms", "1000", err, sizeof(err));
    CU_ASSERT_EQUAL(config_log_roll_ms(c), 100);
    CU_ASSERT_EQUAL(config_log_roll_jitter_ms(c), 7);
    CU_ASSERT_EQUAL(config_log_flush_interval_ms(c), 500);
    CU_ASSERT_EQUAL(config_zookeeper_connection_timeout_ms(c), 1000);
    config_free(c);
}

static void test_derived_log_dirs(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    const char *const *dirs;
    CU_ASSERT_EQUAL_FATAL(config_log_dirs(c, &dirs), 1);
    CU_ASSERT_STRING_EQUAL(dirs[0], "/tmp/kafka-logs");
    config_set(c, "log.dir", "/a", err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(config_log_dirs(c, &dirs), 1);
    CU_ASSERT_STRING_EQUAL(dirs[0], "/a");
    config_set(c, "log.dirs", " /b , /c ,, ", err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(config_log_dirs(c, &dirs), 2);
    CU_ASSERT_STRING_EQUAL(dirs[0], "/b");
    CU_ASSERT_STRING_EQUAL(dirs[1], "/c");
    config_free(c);
}

/* ---- the shipped example, describe and dump ---- */

static void test_shipped_server_properties(void)
{
    char *path = source_path("deploy/config/server.properties");
    struct config *c = config_new();
    char err[ERR_SIZE] = "";
    capture_start();
    int rc = config_load_file(c, path, err, sizeof(err));
    const char *log = capture_end();
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_STRING_EQUAL(log, "");
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    const char *const *dirs;
    CU_ASSERT_EQUAL_FATAL(config_log_dirs(c, &dirs), 1);
    CU_ASSERT_STRING_EQUAL(dirs[0], "/tmp/gregor-logs");
    CU_ASSERT_EQUAL(config_get_int(c, "broker.id"), 0);
    CU_ASSERT_EQUAL(config_get_int(c, "offsets.topic.replication.factor"), 1);
    CU_ASSERT_EQUAL(config_get_int(c, "group.initial.rebalance.delay.ms"), 0);
    CU_ASSERT_STRING_EQUAL(config_get_string(c, "zookeeper.connect"), "localhost:2181");
    assert_list(c, "listeners", (const char *const[]){"PLAINTEXT://127.0.0.1:9092", NULL});
    config_free(c);
    free(path);
}

static void test_describe(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    config_set(c, "ssl.keystore.password", "secret", err, sizeof(err));
    struct config_entry e;
    size_t seen = 0;
    for (size_t i = 0; config_describe(c, i, &e); i++) {
        seen++;
        if (strcmp(e.name, "ssl.keystore.password") == 0) {
            CU_ASSERT_TRUE(e.is_sensitive);
            CU_ASSERT_FALSE(e.is_default);
            CU_ASSERT_EQUAL(e.type, CONFIG_PASSWORD);
            CU_ASSERT_STRING_EQUAL(e.value, "secret");
        } else if (strcmp(e.name, "log.segment.bytes") == 0) {
            CU_ASSERT_TRUE(e.is_default);
            CU_ASSERT_EQUAL(e.type, CONFIG_INT);
            CU_ASSERT_STRING_EQUAL(e.value, "1073741824");
            CU_ASSERT_PTR_NOT_NULL(e.doc);
        }
    }
    CU_ASSERT_EQUAL(seen, config_key_count());
    CU_ASSERT_FALSE(config_describe(c, config_key_count(), &e));
    config_free(c);
}

static void test_dump(void)
{
    struct config *c = config_new();
    char err[ERR_SIZE];
    config_set(c, "ssl.keystore.password", "secret", err, sizeof(err));
    config_set(c, "log.cleanup.policy", "compact,delete", err, sizeof(err));
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CU_ASSERT_FATAL(out != NULL);
    config_dump(c, out);
    fclose(out);
    CU_ASSERT_EQUAL(strncmp(text, "KafkaConfig values:\n\t", 21), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\tbroker.id = -1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\tzookeeper.connect = null\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\tssl.keystore.password = [hidden]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\tssl.key.password = null\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\tlog.cleanup.policy = [compact, delete]\n"));
    CU_ASSERT_PTR_NULL(strstr(text, "secret"));

    /* One line per key, in name order. */
    size_t lines = 0;
    char previous[128] = "";
    for (char *line = strchr(text, '\t'); line != NULL; line = strchr(line, '\t')) {
        char name[128];
        CU_ASSERT_FATAL(sscanf(line, "\t%127s = ", name) == 1);
        CU_ASSERT_TRUE(strcmp(previous, name) < 0);
        strcpy(previous, name);
        lines++;
        line++;
    }
    CU_ASSERT_EQUAL(lines, config_key_count());
    free(text);
    config_free(c);
}

/* Runs fn in a child and checks that it aborts (a misused getter is a programming error). */
static void assert_aborts(void (*fn)(struct config *))
{
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        logger_set_level(LOG_OFF);
        struct config *c = config_new();
        fn(c);
        _exit(0);
    }
    int status;
    CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void get_unknown_key(struct config *c)
{
    config_get_int(c, "no.such.key");
}

static void get_wrong_type(struct config *c)
{
    config_get_long(c, "log.segment.bytes");
}

static void get_unset_number(struct config *c)
{
    config_get_long(c, "log.retention.ms");
}

static void test_misuse_aborts(void)
{
    assert_aborts(get_unknown_key);
    assert_aborts(get_wrong_type);
    assert_aborts(get_unset_number);
}

static const struct cunit_test tests[] = {
    {"defaults", test_defaults},
    {"file separators", test_file_separators},
    {"file comments and whitespace", test_file_comments_and_whitespace},
    {"file continuation", test_file_continuation},
    {"file escapes", test_file_escapes},
    {"invalid values", test_invalid_values},
    {"valid edge values", test_valid_edge_values},
    {"unknown key warns", test_unknown_key_warns},
    {"env mapping", test_env_mapping},
    {"env skipped and junk", test_env_skipped_and_junk},
    {"env invalid value", test_env_invalid_value},
    {"precedence file < env < override", test_precedence},
    {"bad arguments", test_bad_arguments},
    {"missing file", test_missing_file},
    {"file error names path and line", test_file_error_names_path},
    {"derived retention", test_derived_retention},
    {"derived roll, flush, zk timeout", test_derived_roll_flush_zk},
    {"derived log dirs", test_derived_log_dirs},
    {"shipped server.properties", test_shipped_server_properties},
    {"describe", test_describe},
    {"dump", test_dump},
    {"misuse aborts", test_misuse_aborts},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("config", tests);
}
