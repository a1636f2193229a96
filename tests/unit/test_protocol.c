/* Unit tests for the broker's protocol codecs (broker/protocol/): every request of every
 * supported version is built here field by field from Kafka's JSON schemas, parsed and checked
 * field by field, then cut at every length, padded, and corrupted with hostile counts and
 * lengths; every response is written per version and compared with bytes built here from the
 * same schemas. Under ASan the exact-size copies also prove that nothing reads past the end. */
#include "broker/protocol/api_versions.h"
#include "broker/protocol/create_topics.h"
#include "broker/protocol/delete_topics.h"
#include "broker/protocol/find_coordinator.h"
#include "tests/support/any_request.h"
#include "broker/protocol/fetch.h"
#include "broker/protocol/list_offsets.h"
#include "broker/protocol/metadata.h"
#include "broker/protocol/produce.h"
#include "broker/protocol/request_header.h"
#include "common/arena.h"
#include "common/codec.h"
#include "tests/unit/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After a hostile request the arena may hold at most its first block: counts are bounded by
 * the bytes that remain, so a few-byte body cannot make it allocate more. */
#define HOSTILE_ARENA_LIMIT 4096
/* Mutated valid requests may legitimately grow some counts, but never far. */
#define MUTATED_ARENA_LIMIT (64 * 1024)

/* ---- helpers ---------------------------------------------------------------------------- */

/* Whether s holds exactly want; want NULL asks for the null string. */
static bool kstr_is(struct kstr s, const char *want)
{
    if (want == NULL)
        return s.ptr == NULL && s.len == -1;
    return s.ptr != NULL && s.len == (int32_t)strlen(want) &&
           memcmp(s.ptr, want, (size_t)s.len) == 0;
}

static void put_str(struct buf *b, const char *s)
{
    codec_put_string(b, s, (int32_t)strlen(s));
}

static void put_nullable_str(struct buf *b, const char *s)
{
    codec_put_nullable_string(b, s, s ? (int32_t)strlen(s) : -1);
}

static void put_compact_str(struct buf *b, const char *s)
{
    codec_put_compact_string(b, s, (int32_t)strlen(s));
}

/* A heap copy of exactly len bytes, so that ASan flags any read past them. */
static uint8_t *exact_copy(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_FATAL(copy != NULL);
    if (len > 0)
        memcpy(copy, data, len);
    return copy;
}

static bool same_bytes(const struct buf *got, const struct buf *want, const char *what,
                       int16_t version)
{
    bool same = got->len == want->len &&
                (got->len == 0 || memcmp(got->data, want->data, got->len) == 0);
    if (!same)
        fprintf(stderr, "\n%s v%d: wrote %zu bytes, expected %zu, or they differ\n", what,
                version, got->len, want->len);
    return same;
}

/* ---- one harness for every request type ------------------------------------------------- */

struct request_case {
    const char *name;
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
    /* Writes a valid body for the version, exactly as the schema lays it out. */
    void (*build)(struct buf *b, int16_t version);
    /* Checks every field of what build() wrote, defaults included. */
    void (*check)(const union any_request *req, int16_t version);
};

/* Parses an exact-size copy of len bytes; the arena is left for the caller to inspect. */
static gerr_t parse_bytes(int16_t api_key, int16_t version, const uint8_t *data, size_t len,
                          struct arena *a)
{
    union any_request req;
    uint8_t *copy = exact_copy(data, len);
    struct reader r;
    reader_init(&r, copy, len);
    gerr_t err = any_request_parse(api_key, &r, version, a, &req);
    free(copy);
    return err;
}

static void expect_valid(const struct request_case *c, int16_t version, const struct buf *b)
{
    union any_request req;
    struct arena a;
    arena_init(&a);
    uint8_t *copy = exact_copy(b->data, b->len);
    struct reader r;
    reader_init(&r, copy, b->len);
    gerr_t err = any_request_parse(c->api_key, &r, version, &a, &req);
    CU_ASSERT_EQUAL(err, ERR_NONE);
    if (err == ERR_NONE)
        c->check(&req, version);
    else
        fprintf(stderr, "\n%s v%d: %s\n", c->name, version, gerr_name(err));
    free(copy);
    arena_free(&a);
}

/* Every strict prefix of a valid body is truncated, and a byte more is trailing garbage. */
static void expect_cut_and_padded_invalid(const struct request_case *c, int16_t version,
                                          struct buf *b)
{
    struct arena a;
    arena_init(&a);
    unsigned accepted = 0;
    for (size_t len = 0; len < b->len; len++) {
        accepted += parse_bytes(c->api_key, version, b->data, len, &a) != ERR_INVALID_REQUEST;
        arena_free(&a);
    }
    CU_ASSERT_EQUAL(accepted, 0);
    codec_put_int8(b, 0);
    CU_ASSERT_EQUAL(parse_bytes(c->api_key, version, b->data, b->len, &a), ERR_INVALID_REQUEST);
    arena_free(&a);
    b->len--;
}

/* Parses the valid body with `width` bytes at pos replaced by the big-endian `value`. */
static gerr_t parse_mutated(const struct request_case *c, int16_t version, const struct buf *b,
                            size_t pos, uint32_t value, size_t width, struct arena *a)
{
    uint8_t *data = exact_copy(b->data, b->len);
    if (width == 4)
        be32_store(data + pos, value);
    else
        be16_store(data + pos, (uint16_t)value);
    gerr_t err = parse_bytes(c->api_key, version, data, b->len, a);
    free(data);
    return err;
}

/* Overwrites every position of a valid body with hostile int32 and int16 values (negative and
 * huge counts and lengths): the parse may accept or refuse, but must not crash, read out of
 * bounds, or allocate much. */
static void expect_mutations_contained(const struct request_case *c, int16_t version,
                                       const struct buf *b)
{
    static const struct {
        uint32_t value;
        size_t width;
    } hostile[] = {{0x7fffffff, 4}, {0x80000000, 4}, {0xfffffffe, 4}, {0xffffffff, 4},
                   {0x00ffffff, 4}, {0x7fff, 2},     {0x8000, 2},     {0xfffe, 2},
                   {0xffff, 2}};
    struct arena a;
    arena_init(&a);
    unsigned bad = 0;

    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        for (size_t pos = 0; pos + hostile[i].width <= b->len; pos++) {
            gerr_t err = parse_mutated(c, version, b, pos, hostile[i].value, hostile[i].width, &a);
            bad += (err != ERR_NONE && err != ERR_INVALID_REQUEST) ||
                   a.capacity > MUTATED_ARENA_LIMIT;
            arena_free(&a);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void exercise_request(const struct request_case *c)
{
    for (int16_t v = c->min_version; v <= c->max_version; v++) {
        struct buf b;
        buf_init(&b);
        c->build(&b, v);
        expect_valid(c, v, &b);
        expect_cut_and_padded_invalid(c, v, &b);
        expect_mutations_contained(c, v, &b);
        buf_free(&b);
    }
    struct arena a;
    arena_init(&a);
    CU_ASSERT_EQUAL(parse_bytes(c->api_key, (int16_t)(c->max_version + 1), NULL, 0, &a),
                    ERR_UNSUPPORTED_VERSION);
    CU_ASSERT_EQUAL(parse_bytes(c->api_key, (int16_t)(c->min_version - 1), NULL, 0, &a),
                    ERR_UNSUPPORTED_VERSION);
    arena_free(&a);
}

/* A hand-made hostile body must be refused without the arena growing past its first block. */
static void expect_hostile(int16_t api_key, int16_t version, const struct buf *b)
{
    struct arena a;
    arena_init(&a);
    gerr_t err = parse_bytes(api_key, version, b->data, b->len, &a);
    CU_ASSERT_EQUAL(err, ERR_INVALID_REQUEST);
    CU_ASSERT(a.capacity <= HOSTILE_ARENA_LIMIT);
    if (err != ERR_INVALID_REQUEST)
        fprintf(stderr, "\nkey %d v%d: hostile body gave %s\n", api_key, version,
                gerr_name(err));
    arena_free(&a);
}

/* ---- request and response headers ------------------------------------------------------- */

static bool only_api_versions_v3_flexible(int16_t api_key, int16_t api_version)
{
    return api_key == API_VERSIONS_KEY && api_version >= 3;
}

/* Every strict prefix of a header is refused. */
static void expect_header_prefixes_invalid(const struct buf *b, size_t header_len)
{
    unsigned accepted = 0;
    for (size_t len = 0; len < header_len; len++) {
        uint8_t *copy = exact_copy(b->data, len);
        struct reader r;
        struct request_header h;
        reader_init(&r, copy, len);
        gerr_t err = request_header_parse(&r, only_api_versions_v3_flexible, &h);
        accepted += err != ERR_INVALID_REQUEST;
        free(copy);
    }
    CU_ASSERT_EQUAL(accepted, 0);
}

static void test_request_header_v1(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_int16(&b, METADATA_KEY);
    codec_put_int16(&b, 5);
    codec_put_int32(&b, 0x01020304);
    put_nullable_str(&b, "client-1");
    size_t header_len = b.len;
    codec_put_int32(&b, -1); /* the body begins */

    struct reader r;
    struct request_header h;
    reader_init(&r, b.data, b.len);
    CU_ASSERT_EQUAL(request_header_parse(&r, only_api_versions_v3_flexible, &h), ERR_NONE);
    CU_ASSERT_EQUAL(h.request_api_key, METADATA_KEY);
    CU_ASSERT_EQUAL(h.request_api_version, 5);
    CU_ASSERT_EQUAL(h.correlation_id, 0x01020304);
    CU_ASSERT(kstr_is(h.client_id, "client-1"));
    CU_ASSERT_EQUAL(r.pos, header_len);
    expect_header_prefixes_invalid(&b, header_len);

    /* A null client id. */
    buf_reset(&b);
    codec_put_int16(&b, PRODUCE_KEY);
    codec_put_int16(&b, 8);
    codec_put_int32(&b, -7);
    put_nullable_str(&b, NULL);
    reader_init(&r, b.data, b.len);
    CU_ASSERT_EQUAL(request_header_parse(&r, only_api_versions_v3_flexible, &h), ERR_NONE);
    CU_ASSERT_EQUAL(h.correlation_id, -7);
    CU_ASSERT(kstr_is(h.client_id, NULL));
    CU_ASSERT_EQUAL(reader_remaining(&r), 0);
    buf_free(&b);
}

static void test_request_header_v2(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_int16(&b, API_VERSIONS_KEY);
    codec_put_int16(&b, 3);
    codec_put_int32(&b, 42);
    put_nullable_str(&b, "rdkafka"); /* still an int16 length in header v2 */
    codec_put_uvarint(&b, 2);
    codec_put_tagged_field(&b, 0, "x", 1);
    codec_put_tagged_field(&b, 5, "abc", 3);
    size_t header_len = b.len;
    put_compact_str(&b, "body");

    struct reader r;
    struct request_header h;
    reader_init(&r, b.data, b.len);
    CU_ASSERT_EQUAL(request_header_parse(&r, only_api_versions_v3_flexible, &h), ERR_NONE);
    CU_ASSERT_EQUAL(h.request_api_key, API_VERSIONS_KEY);
    CU_ASSERT_EQUAL(h.request_api_version, 3);
    CU_ASSERT_EQUAL(h.correlation_id, 42);
    CU_ASSERT(kstr_is(h.client_id, "rdkafka"));
    CU_ASSERT_EQUAL(r.pos, header_len);
    expect_header_prefixes_invalid(&b, header_len);

    /* The same bytes as ApiVersions v2 are header v1: the tag section is left as body. */
    be16_store(b.data + 2, 2);
    reader_init(&r, b.data, b.len);
    CU_ASSERT_EQUAL(request_header_parse(&r, only_api_versions_v3_flexible, &h), ERR_NONE);
    CU_ASSERT_EQUAL(r.pos, 2 + 2 + 4 + 2 + strlen("rdkafka"));

    /* Tags out of order make the header malformed. */
    buf_reset(&b);
    codec_put_int16(&b, API_VERSIONS_KEY);
    codec_put_int16(&b, 3);
    codec_put_int32(&b, 1);
    put_nullable_str(&b, NULL);
    codec_put_uvarint(&b, 2);
    codec_put_tagged_field(&b, 5, "a", 1);
    codec_put_tagged_field(&b, 1, "b", 1);
    reader_init(&r, b.data, b.len);
    CU_ASSERT_EQUAL(request_header_parse(&r, only_api_versions_v3_flexible, &h),
                    ERR_INVALID_REQUEST);
    buf_free(&b);
}

static void test_response_header(void)
{
    struct buf b;
    buf_init(&b);
    response_header_write(&b, 0x0a0b0c0d, false);
    static const uint8_t v0[] = {0x0a, 0x0b, 0x0c, 0x0d};
    CU_ASSERT(b.len == sizeof v0 && memcmp(b.data, v0, sizeof v0) == 0);
    buf_reset(&b);
    response_header_write(&b, -2, true);
    static const uint8_t v1[] = {0xff, 0xff, 0xff, 0xfe, 0x00};
    CU_ASSERT(b.len == sizeof v1 && memcmp(b.data, v1, sizeof v1) == 0);
    buf_free(&b);
}

/* ---- ApiVersions request ---------------------------------------------------------------- */

static void build_api_versions(struct buf *b, int16_t version)
{
    if (version < 3)
        return; /* v0-2 have an empty body */
    put_compact_str(b, "librdkafka");
    put_compact_str(b, "2.0.2");
    codec_put_uvarint(b, 1); /* a tag this broker does not know is skipped */
    codec_put_tagged_field(b, 9, "zz", 2);
}

static void check_api_versions(const union any_request *u, int16_t version)
{
    const struct api_versions_request *req = &u->api_versions;
    CU_ASSERT(kstr_is(req->client_software_name, version >= 3 ? "librdkafka" : ""));
    CU_ASSERT(kstr_is(req->client_software_version, version >= 3 ? "2.0.2" : ""));
}

static const struct request_case api_versions_case = {
    "ApiVersions", API_VERSIONS_KEY, API_VERSIONS_MIN_VERSION, API_VERSIONS_MAX_VERSION,
    build_api_versions, check_api_versions};

static void test_api_versions_request(void)
{
    exercise_request(&api_versions_case);
}

static gerr_t parse_software_names(const char *name, const char *version)
{
    struct buf b;
    buf_init(&b);
    put_compact_str(&b, name);
    put_compact_str(&b, version);
    codec_put_empty_tagged_fields(&b);
    struct arena a;
    arena_init(&a);
    gerr_t err = parse_bytes(API_VERSIONS_KEY, 3, b.data, b.len, &a);
    arena_free(&a);
    buf_free(&b);
    return err;
}

static void test_api_versions_software_names(void)
{
    static const char *const good[] = {"a", "7", "librdkafka", "franz-go", "2.0.2",
                                       "1.0.0-SNAPSHOT", "a--b..c", "Z9"};
    static const char *const bad[] = {"", "-a", "a-", ".a", "a.", "a b", "a_b",
                                      "a/b", "caf\xc3\xa9", "a\nb", "-", "."};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CU_ASSERT_EQUAL(parse_software_names(good[i], "1.0"), ERR_NONE);
        CU_ASSERT_EQUAL(parse_software_names("kcat", good[i]), ERR_NONE);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(parse_software_names(bad[i], "1.0"), ERR_INVALID_REQUEST);
        CU_ASSERT_EQUAL(parse_software_names("kcat", bad[i]), ERR_INVALID_REQUEST);
    }
}

static void test_api_versions_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_uvarint(&b, 0); /* a null name */
    put_compact_str(&b, "1.0");
    codec_put_empty_tagged_fields(&b);
    expect_hostile(API_VERSIONS_KEY, 3, &b);

    buf_reset(&b);
    codec_put_uvarint(&b, UINT32_MAX); /* a huge name length */
    expect_hostile(API_VERSIONS_KEY, 3, &b);

    buf_reset(&b);
    put_compact_str(&b, "a");
    put_compact_str(&b, "b");
    codec_put_uvarint(&b, 1000000); /* a huge tag count */
    expect_hostile(API_VERSIONS_KEY, 3, &b);

    buf_reset(&b);
    codec_put_int8(&b, 0); /* v0-2 take no body at all */
    expect_hostile(API_VERSIONS_KEY, 0, &b);
    expect_hostile(API_VERSIONS_KEY, 2, &b);
    buf_free(&b);
}

/* ---- Metadata request ------------------------------------------------------------------- */

static void build_metadata(struct buf *b, int16_t version)
{
    codec_put_array_len(b, 2);
    put_str(b, "orders");
    put_str(b, "payments");
    if (version >= 4)
        codec_put_bool(b, false);
    if (version >= 8) {
        codec_put_bool(b, true);
        codec_put_bool(b, true);
    }
}

static void check_metadata(const union any_request *u, int16_t version)
{
    const struct metadata_request *req = &u->metadata;
    CU_ASSERT_EQUAL_FATAL(req->topic_count, 2);
    CU_ASSERT(kstr_is(req->topics[0].name, "orders"));
    CU_ASSERT(kstr_is(req->topics[1].name, "payments"));
    CU_ASSERT_EQUAL(req->allow_auto_topic_creation, version < 4); /* default true */
    CU_ASSERT_EQUAL(req->include_cluster_authorized_operations, version >= 8);
    CU_ASSERT_EQUAL(req->include_topic_authorized_operations, version >= 8);
}

static const struct request_case metadata_case = {"Metadata", METADATA_KEY, METADATA_MIN_VERSION,
                                                  METADATA_MAX_VERSION, build_metadata,
                                                  check_metadata};

static void test_metadata_request(void)
{
    exercise_request(&metadata_case);
}

static int32_t metadata_topic_count(int16_t version, int32_t wire_count)
{
    struct buf b;
    buf_init(&b);
    codec_put_array_len(&b, wire_count);
    if (version >= 4)
        codec_put_bool(&b, true);
    if (version >= 8) {
        codec_put_bool(&b, false);
        codec_put_bool(&b, false);
    }
    struct reader r;
    reader_init(&r, b.data, b.len);
    struct arena a;
    arena_init(&a);
    struct metadata_request req;
    int32_t count = metadata_request_parse(&r, version, &a, &req) == ERR_NONE ? req.topic_count
                                                                              : INT32_MIN;
    arena_free(&a);
    buf_free(&b);
    return count;
}

/* "All topics" is an empty array in v0 and a null one from v1; both come out as -1. */
static void test_metadata_all_topics(void)
{
    CU_ASSERT_EQUAL(metadata_topic_count(0, 0), -1);
    CU_ASSERT_EQUAL(metadata_topic_count(0, -1), INT32_MIN); /* v0 has no null array */
    for (int16_t v = 1; v <= METADATA_MAX_VERSION; v++) {
        CU_ASSERT_EQUAL(metadata_topic_count(v, -1), -1);
        CU_ASSERT_EQUAL(metadata_topic_count(v, 0), 0);
    }
}

static void test_metadata_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_int32(&b, -2); /* a count below the null marker */
    expect_hostile(METADATA_KEY, 1, &b);

    buf_reset(&b);
    codec_put_array_len(&b, INT32_MAX);
    put_str(&b, "x");
    expect_hostile(METADATA_KEY, 1, &b);

    buf_reset(&b);
    codec_put_array_len(&b, 1);
    codec_put_int16(&b, -1); /* topic names are not nullable before v10 */
    expect_hostile(METADATA_KEY, 1, &b);

    buf_reset(&b);
    codec_put_array_len(&b, 1);
    codec_put_int16(&b, INT16_MAX);
    codec_put_int32(&b, 0);
    expect_hostile(METADATA_KEY, 0, &b);

    buf_reset(&b);
    codec_put_array_len(&b, 1);
    codec_put_int16(&b, -2);
    expect_hostile(METADATA_KEY, 0, &b);
    buf_free(&b);
}

/* ---- Produce request -------------------------------------------------------------------- */

static void build_produce(struct buf *b, int16_t version)
{
    if (version >= 3)
        put_nullable_str(b, "txn-1");
    codec_put_int16(b, -1);
    codec_put_int32(b, 30000);
    codec_put_array_len(b, 2);
    put_str(b, "orders");
    codec_put_array_len(b, 2);
    codec_put_int32(b, 0);
    codec_put_nullable_bytes(b, "abc", 3);
    codec_put_int32(b, 3);
    codec_put_nullable_bytes(b, NULL, -1);
    put_str(b, "empty");
    codec_put_array_len(b, 0);
}

static void check_produce(const union any_request *u, int16_t version)
{
    const struct produce_request *req = &u->produce;
    CU_ASSERT(kstr_is(req->transactional_id, version >= 3 ? "txn-1" : NULL));
    CU_ASSERT_EQUAL(req->acks, -1);
    CU_ASSERT_EQUAL(req->timeout_ms, 30000);
    CU_ASSERT_EQUAL_FATAL(req->topic_count, 2);
    const struct produce_topic_data *t = &req->topics[0];
    CU_ASSERT(kstr_is(t->name, "orders"));
    CU_ASSERT_EQUAL_FATAL(t->partition_count, 2);
    CU_ASSERT_EQUAL(t->partitions[0].index, 0);
    CU_ASSERT_EQUAL(t->partitions[0].records.len, 3);
    CU_ASSERT(t->partitions[0].records.ptr != NULL &&
              memcmp(t->partitions[0].records.ptr, "abc", 3) == 0);
    CU_ASSERT_EQUAL(t->partitions[1].index, 3);
    CU_ASSERT_EQUAL(t->partitions[1].records.len, -1);
    CU_ASSERT_PTR_NULL(t->partitions[1].records.ptr);
    CU_ASSERT(kstr_is(req->topics[1].name, "empty"));
    CU_ASSERT_EQUAL(req->topics[1].partition_count, 0);
}

static const struct request_case produce_case = {"Produce", PRODUCE_KEY, PRODUCE_MIN_VERSION,
                                                 PRODUCE_MAX_VERSION, build_produce,
                                                 check_produce};

static void test_produce_request(void)
{
    exercise_request(&produce_case);
}

/* Record data is a view of the request bytes, not a copy. */
static void test_produce_records_zero_copy(void)
{
    struct buf b;
    buf_init(&b);
    build_produce(&b, 8);
    struct reader r;
    reader_init(&r, b.data, b.len);
    struct arena a;
    arena_init(&a);
    struct produce_request req;
    CU_ASSERT_EQUAL_FATAL(produce_request_parse(&r, 8, &a, &req), ERR_NONE);
    size_t records_at = 2 + 5 + 2 + 4 + 4 + 2 + 6 + 4 + 4 + 4;
    CU_ASSERT_PTR_EQUAL(req.topics[0].partitions[0].records.ptr, b.data + records_at);
    arena_free(&a);
    buf_free(&b);
}

static void test_produce_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_int16(&b, -2); /* transactional id length */
    expect_hostile(PRODUCE_KEY, 3, &b);

    buf_reset(&b);
    codec_put_int16(&b, INT16_MAX);
    codec_put_int16(&b, 1);
    expect_hostile(PRODUCE_KEY, 3, &b);

    buf_reset(&b);
    codec_put_int16(&b, 1);
    codec_put_int32(&b, 1000);
    codec_put_array_len(&b, -1); /* topics are not nullable */
    expect_hostile(PRODUCE_KEY, 0, &b);

    buf_reset(&b);
    codec_put_int16(&b, 1);
    codec_put_int32(&b, 1000);
    codec_put_array_len(&b, INT32_MAX);
    expect_hostile(PRODUCE_KEY, 2, &b);

    buf_reset(&b);
    put_nullable_str(&b, NULL);
    codec_put_int16(&b, 1);
    codec_put_int32(&b, 1000);
    codec_put_array_len(&b, 1);
    put_str(&b, "t");
    codec_put_array_len(&b, 0x10000000);
    codec_put_int32(&b, 0);
    expect_hostile(PRODUCE_KEY, 8, &b);

    for (int i = 0; i < 2; i++) {
        buf_reset(&b);
        codec_put_int16(&b, 1);
        codec_put_int32(&b, 1000);
        codec_put_array_len(&b, 1);
        put_str(&b, "t");
        codec_put_array_len(&b, 1);
        codec_put_int32(&b, 0);
        codec_put_int32(&b, i == 0 ? INT32_MAX : -2); /* records length */
        codec_put_int32(&b, 0);
        expect_hostile(PRODUCE_KEY, 2, &b);
    }
    buf_free(&b);
}

/* ---- Fetch request ---------------------------------------------------------------------- */

static void build_fetch_partition(struct buf *b, int16_t version, int32_t partition,
                                  int32_t leader_epoch, int64_t fetch_offset,
                                  int64_t log_start_offset, int32_t max_bytes)
{
    codec_put_int32(b, partition);
    if (version >= 9)
        codec_put_int32(b, leader_epoch);
    codec_put_int64(b, fetch_offset);
    if (version >= 5)
        codec_put_int64(b, log_start_offset);
    codec_put_int32(b, max_bytes);
}

static void build_fetch(struct buf *b, int16_t version)
{
    codec_put_int32(b, -1);       /* replica_id */
    codec_put_int32(b, 500);      /* max_wait_ms */
    codec_put_int32(b, 1);        /* min_bytes */
    codec_put_int32(b, 52428800); /* max_bytes */
    codec_put_int8(b, 1);         /* isolation_level */
    if (version >= 7) {
        codec_put_int32(b, 42);
        codec_put_int32(b, 3);
    }
    codec_put_array_len(b, 1);
    put_str(b, "orders");
    codec_put_array_len(b, 2);
    build_fetch_partition(b, version, 0, 5, 100, 7, 1048576);
    build_fetch_partition(b, version, 2, 6, 200, 8, 65536);
    if (version >= 7) {
        codec_put_array_len(b, 1);
        put_str(b, "old");
        codec_put_array_len(b, 2);
        codec_put_int32(b, 1);
        codec_put_int32(b, 4);
    }
    if (version >= 11)
        put_str(b, "rack-a");
}

static void check_fetch_partition(const struct fetch_partition *p, int16_t version,
                                  int32_t partition, int32_t leader_epoch,
                                  int64_t fetch_offset, int64_t log_start_offset,
                                  int32_t max_bytes)
{
    CU_ASSERT_EQUAL(p->partition, partition);
    CU_ASSERT_EQUAL(p->current_leader_epoch, version >= 9 ? leader_epoch : -1);
    CU_ASSERT_EQUAL(p->fetch_offset, fetch_offset);
    CU_ASSERT_EQUAL(p->log_start_offset, version >= 5 ? log_start_offset : -1);
    CU_ASSERT_EQUAL(p->partition_max_bytes, max_bytes);
}

static void check_fetch(const union any_request *u, int16_t version)
{
    const struct fetch_request *req = &u->fetch;
    CU_ASSERT_EQUAL(req->replica_id, -1);
    CU_ASSERT_EQUAL(req->max_wait_ms, 500);
    CU_ASSERT_EQUAL(req->min_bytes, 1);
    CU_ASSERT_EQUAL(req->max_bytes, 52428800);
    CU_ASSERT_EQUAL(req->isolation_level, 1);
    CU_ASSERT_EQUAL(req->session_id, version >= 7 ? 42 : 0);
    CU_ASSERT_EQUAL(req->session_epoch, version >= 7 ? 3 : -1);
    CU_ASSERT_EQUAL_FATAL(req->topic_count, 1);
    CU_ASSERT(kstr_is(req->topics[0].topic, "orders"));
    CU_ASSERT_EQUAL_FATAL(req->topics[0].partition_count, 2);
    check_fetch_partition(&req->topics[0].partitions[0], version, 0, 5, 100, 7, 1048576);
    check_fetch_partition(&req->topics[0].partitions[1], version, 2, 6, 200, 8, 65536);
    if (version >= 7) {
        CU_ASSERT_EQUAL_FATAL(req->forgotten_topic_count, 1);
        const struct fetch_forgotten_topic *f = &req->forgotten_topics_data[0];
        CU_ASSERT(kstr_is(f->topic, "old"));
        CU_ASSERT_EQUAL_FATAL(f->partition_count, 2);
        CU_ASSERT_EQUAL(f->partitions[0], 1);
        CU_ASSERT_EQUAL(f->partitions[1], 4);
    } else {
        CU_ASSERT_EQUAL(req->forgotten_topic_count, 0);
    }
    CU_ASSERT(kstr_is(req->rack_id, version >= 11 ? "rack-a" : ""));
}

static const struct request_case fetch_case = {"Fetch", FETCH_KEY, FETCH_MIN_VERSION,
                                               FETCH_MAX_VERSION, build_fetch, check_fetch};

static void test_fetch_request(void)
{
    exercise_request(&fetch_case);
}

/* The fixed fields of a Fetch v11 request up to its topics array. */
static void build_fetch_v11_head(struct buf *b)
{
    for (int i = 0; i < 4; i++)
        codec_put_int32(b, 0);
    codec_put_int8(b, 0);
    codec_put_int32(b, 0);
    codec_put_int32(b, -1);
}

static void test_fetch_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    build_fetch_v11_head(&b);
    codec_put_array_len(&b, -1);
    expect_hostile(FETCH_KEY, 11, &b);

    buf_reset(&b);
    build_fetch_v11_head(&b);
    codec_put_array_len(&b, 1);
    put_str(&b, "t");
    codec_put_array_len(&b, INT32_MAX);
    expect_hostile(FETCH_KEY, 11, &b);

    buf_reset(&b);
    build_fetch_v11_head(&b);
    codec_put_array_len(&b, 0);
    codec_put_array_len(&b, 1); /* forgotten topics */
    put_str(&b, "t");
    codec_put_array_len(&b, 0x40000000);
    codec_put_int32(&b, 1);
    expect_hostile(FETCH_KEY, 11, &b);

    buf_reset(&b);
    build_fetch_v11_head(&b);
    codec_put_array_len(&b, 0);
    codec_put_array_len(&b, 0);
    codec_put_int16(&b, -1); /* rack_id is not nullable */
    expect_hostile(FETCH_KEY, 11, &b);
    buf_free(&b);
}

/* ---- ListOffsets request ---------------------------------------------------------------- */

static void build_list_offsets_partition(struct buf *b, int16_t version, int32_t index,
                                         int32_t leader_epoch, int64_t timestamp)
{
    codec_put_int32(b, index);
    if (version >= 4)
        codec_put_int32(b, leader_epoch);
    codec_put_int64(b, timestamp);
    if (version == 0)
        codec_put_int32(b, 5); /* max_num_offsets */
}

static void build_list_offsets(struct buf *b, int16_t version)
{
    codec_put_int32(b, -1);
    if (version >= 2)
        codec_put_int8(b, 1);
    codec_put_array_len(b, 1);
    put_str(b, "orders");
    codec_put_array_len(b, 2);
    build_list_offsets_partition(b, version, 0, 9, -1);
    build_list_offsets_partition(b, version, 1, 10, 1700000000000);
}

static void check_list_offsets(const union any_request *u, int16_t version)
{
    const struct list_offsets_request *req = &u->list_offsets;
    CU_ASSERT_EQUAL(req->replica_id, -1);
    CU_ASSERT_EQUAL(req->isolation_level, version >= 2 ? 1 : 0);
    CU_ASSERT_EQUAL_FATAL(req->topic_count, 1);
    CU_ASSERT(kstr_is(req->topics[0].name, "orders"));
    CU_ASSERT_EQUAL_FATAL(req->topics[0].partition_count, 2);
    const struct list_offsets_partition *p = req->topics[0].partitions;
    CU_ASSERT_EQUAL(p[0].partition_index, 0);
    CU_ASSERT_EQUAL(p[0].current_leader_epoch, version >= 4 ? 9 : -1);
    CU_ASSERT_EQUAL(p[0].timestamp, -1);
    CU_ASSERT_EQUAL(p[0].max_num_offsets, version == 0 ? 5 : 1);
    CU_ASSERT_EQUAL(p[1].partition_index, 1);
    CU_ASSERT_EQUAL(p[1].current_leader_epoch, version >= 4 ? 10 : -1);
    CU_ASSERT_EQUAL(p[1].timestamp, 1700000000000);
    CU_ASSERT_EQUAL(p[1].max_num_offsets, version == 0 ? 5 : 1);
}

static const struct request_case list_offsets_case = {
    "ListOffsets", LIST_OFFSETS_KEY, LIST_OFFSETS_MIN_VERSION, LIST_OFFSETS_MAX_VERSION,
    build_list_offsets, check_list_offsets};

static void test_list_offsets_request(void)
{
    exercise_request(&list_offsets_case);
}

static void test_list_offsets_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_int32(&b, -1);
    codec_put_array_len(&b, INT32_MAX);
    expect_hostile(LIST_OFFSETS_KEY, 0, &b);

    buf_reset(&b);
    codec_put_int32(&b, -1);
    codec_put_int8(&b, 0);
    codec_put_array_len(&b, 1);
    put_str(&b, "t");
    codec_put_array_len(&b, -1);
    expect_hostile(LIST_OFFSETS_KEY, 5, &b);

    buf_reset(&b);
    codec_put_int32(&b, -1);
    codec_put_int8(&b, 0);
    codec_put_array_len(&b, 1);
    put_str(&b, "t");
    codec_put_array_len(&b, 0x01000000);
    codec_put_int64(&b, 0);
    expect_hostile(LIST_OFFSETS_KEY, 5, &b);
    buf_free(&b);
}

/* ---- CreateTopics request --------------------------------------------------------------- */

static void build_create_topics(struct buf *b, int16_t version)
{
    codec_put_array_len(b, 2);
    put_str(b, "new");
    codec_put_int32(b, 3);
    codec_put_int16(b, 2);
    codec_put_array_len(b, 0);
    codec_put_array_len(b, 2);
    put_str(b, "cleanup.policy");
    put_nullable_str(b, "compact");
    put_str(b, "retention.ms");
    put_nullable_str(b, NULL);

    put_str(b, "manual");
    codec_put_int32(b, -1);
    codec_put_int16(b, -1);
    codec_put_array_len(b, 2);
    for (int32_t p = 0; p < 2; p++) {
        codec_put_int32(b, p);
        codec_put_array_len(b, 2);
        codec_put_int32(b, 1 + p);
        codec_put_int32(b, 2 + p);
    }
    codec_put_array_len(b, 0);

    codec_put_int32(b, 60000);
    if (version >= 1)
        codec_put_bool(b, true);
}

static void check_create_topics(const union any_request *u, int16_t version)
{
    const struct create_topics_request *req = &u->create_topics;
    CU_ASSERT_EQUAL_FATAL(req->topic_count, 2);
    const struct create_topics_topic *t = &req->topics[0];
    CU_ASSERT(kstr_is(t->name, "new"));
    CU_ASSERT_EQUAL(t->num_partitions, 3);
    CU_ASSERT_EQUAL(t->replication_factor, 2);
    CU_ASSERT_EQUAL(t->assignment_count, 0);
    CU_ASSERT_EQUAL_FATAL(t->config_count, 2);
    CU_ASSERT(kstr_is(t->configs[0].name, "cleanup.policy"));
    CU_ASSERT(kstr_is(t->configs[0].value, "compact"));
    CU_ASSERT(kstr_is(t->configs[1].name, "retention.ms"));
    CU_ASSERT(kstr_is(t->configs[1].value, NULL));

    t = &req->topics[1];
    CU_ASSERT(kstr_is(t->name, "manual"));
    CU_ASSERT_EQUAL(t->num_partitions, -1);
    CU_ASSERT_EQUAL(t->replication_factor, -1);
    CU_ASSERT_EQUAL_FATAL(t->assignment_count, 2);
    for (int32_t p = 0; p < 2; p++) {
        CU_ASSERT_EQUAL(t->assignments[p].partition_index, p);
        CU_ASSERT_EQUAL_FATAL(t->assignments[p].broker_id_count, 2);
        CU_ASSERT_EQUAL(t->assignments[p].broker_ids[0], 1 + p);
        CU_ASSERT_EQUAL(t->assignments[p].broker_ids[1], 2 + p);
    }
    CU_ASSERT_EQUAL(t->config_count, 0);
    CU_ASSERT_EQUAL(req->timeout_ms, 60000);
    CU_ASSERT_EQUAL(req->validate_only, version >= 1);
}

static const struct request_case create_topics_case = {
    "CreateTopics", CREATE_TOPICS_KEY, CREATE_TOPICS_MIN_VERSION, CREATE_TOPICS_MAX_VERSION,
    build_create_topics, check_create_topics};

static void test_create_topics_request(void)
{
    exercise_request(&create_topics_case);
}

/* One topic named "t" up to its assignments array. */
static void build_create_topics_head(struct buf *b)
{
    codec_put_array_len(b, 1);
    put_str(b, "t");
    codec_put_int32(b, 1);
    codec_put_int16(b, 1);
}

static void test_create_topics_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_array_len(&b, INT32_MAX);
    codec_put_int32(&b, 0);
    expect_hostile(CREATE_TOPICS_KEY, 4, &b);

    buf_reset(&b);
    build_create_topics_head(&b);
    codec_put_array_len(&b, -1); /* assignments are not nullable */
    expect_hostile(CREATE_TOPICS_KEY, 4, &b);

    buf_reset(&b);
    build_create_topics_head(&b);
    codec_put_array_len(&b, 1);
    codec_put_int32(&b, 0);
    codec_put_array_len(&b, 0x20000000); /* broker ids */
    codec_put_int32(&b, 1);
    expect_hostile(CREATE_TOPICS_KEY, 4, &b);

    buf_reset(&b);
    build_create_topics_head(&b);
    codec_put_array_len(&b, 0);
    codec_put_array_len(&b, 1);
    codec_put_int16(&b, -1); /* a config name is not nullable */
    codec_put_int16(&b, -1);
    codec_put_int32(&b, 0);
    codec_put_bool(&b, false);
    expect_hostile(CREATE_TOPICS_KEY, 4, &b);

    buf_reset(&b);
    build_create_topics_head(&b);
    codec_put_array_len(&b, 0);
    codec_put_array_len(&b, 1);
    put_str(&b, "k");
    codec_put_int16(&b, -3);
    codec_put_int32(&b, 0);
    expect_hostile(CREATE_TOPICS_KEY, 0, &b);
    buf_free(&b);
}

/* ---- DeleteTopics request --------------------------------------------------------------- */

static void build_delete_topics(struct buf *b, int16_t version)
{
    (void)version; /* v0-3 share one layout */
    codec_put_array_len(b, 2);
    put_str(b, "a");
    put_str(b, "bb");
    codec_put_int32(b, 15000);
}

static void check_delete_topics(const union any_request *u, int16_t version)
{
    (void)version;
    const struct delete_topics_request *req = &u->delete_topics;
    CU_ASSERT_EQUAL_FATAL(req->topic_name_count, 2);
    CU_ASSERT(kstr_is(req->topic_names[0], "a"));
    CU_ASSERT(kstr_is(req->topic_names[1], "bb"));
    CU_ASSERT_EQUAL(req->timeout_ms, 15000);
}

static const struct request_case delete_topics_case = {
    "DeleteTopics", DELETE_TOPICS_KEY, DELETE_TOPICS_MIN_VERSION, DELETE_TOPICS_MAX_VERSION,
    build_delete_topics, check_delete_topics};

static void test_delete_topics_request(void)
{
    exercise_request(&delete_topics_case);
}

static void test_delete_topics_request_hostile(void)
{
    struct buf b;
    buf_init(&b);
    codec_put_array_len(&b, -1);
    codec_put_int32(&b, 0);
    expect_hostile(DELETE_TOPICS_KEY, 0, &b);

    buf_reset(&b);
    codec_put_array_len(&b, INT32_MAX);
    codec_put_int32(&b, 0);
    expect_hostile(DELETE_TOPICS_KEY, 3, &b);

    buf_reset(&b);
    codec_put_array_len(&b, 1);
    codec_put_int16(&b, -1);
    codec_put_int32(&b, 0);
    expect_hostile(DELETE_TOPICS_KEY, 1, &b);

    buf_reset(&b);
    codec_put_array_len(&b, 1);
    codec_put_int16(&b, 100);
    codec_put_int32(&b, 0);
    expect_hostile(DELETE_TOPICS_KEY, 2, &b);
    buf_free(&b);
}

/* ---- one harness for every response type ------------------------------------------------ */

/* Writes a response for every version and compares it with the bytes expect() builds from the
 * schema. A writer must send bytes only, except Fetch, whose records are spans. */
static void exercise_response(const char *name, int16_t min_version, int16_t max_version,
                              void (*write)(struct out_msg *m, int16_t version),
                              void (*expect)(struct buf *b, int16_t version))
{
    for (int16_t v = min_version; v <= max_version; v++) {
        struct out_msg m;
        struct buf want;
        out_msg_init(&m);
        buf_init(&want);
        write(&m, v);
        expect(&want, v);
        CU_ASSERT(same_bytes(&m.bytes, &want, name, v));
        buf_free(&want);
        out_msg_free(&m);
    }
}

/* ---- ApiVersions response --------------------------------------------------------------- */

static const struct api_version_range sample_ranges[] = {
    {PRODUCE_KEY, 0, 8}, {FETCH_KEY, 4, 11}, {API_VERSIONS_KEY, 0, 3}};

static const struct api_versions_response sample_api_versions = {
    .error_code = 0, .api_key_count = 3, .api_keys = sample_ranges, .throttle_time_ms = 7};

/* ApiVersionsResponse.json: ErrorCode; ApiKeys {ApiKey, MinVersion, MaxVersion}; ThrottleTimeMs
 * v1+; flexible from v3 (compact array, a tag section per entry and one at the end). */
static void expect_api_versions(struct buf *b, int16_t version)
{
    codec_put_int16(b, 0);
    if (version >= 3)
        codec_put_uvarint(b, 3 + 1);
    else
        codec_put_int32(b, 3);
    for (int i = 0; i < 3; i++) {
        codec_put_int16(b, sample_ranges[i].api_key);
        codec_put_int16(b, sample_ranges[i].min_version);
        codec_put_int16(b, sample_ranges[i].max_version);
        if (version >= 3)
            codec_put_uvarint(b, 0);
    }
    if (version >= 1)
        codec_put_int32(b, 7);
    if (version >= 3)
        codec_put_uvarint(b, 0);
}

static void write_api_versions(struct out_msg *m, int16_t version)
{
    api_versions_response_write(m, version, &sample_api_versions);
}

static void test_api_versions_response(void)
{
    exercise_response("ApiVersions", API_VERSIONS_MIN_VERSION, API_VERSIONS_MAX_VERSION,
                      write_api_versions, expect_api_versions);
}

static bool wrote_exactly(const struct out_msg *m, const uint8_t *want, size_t len)
{
    return m->bytes.len == len && memcmp(m->bytes.data, want, len) == 0;
}

/* Literal bytes, as a Kafka client would read them. */
static void test_api_versions_known_bytes(void)
{
    static const struct api_version_range ranges[] = {{18, 0, 3}, {3, 0, 8}};
    const struct api_versions_response resp = {0, 2, ranges, 0};
    static const uint8_t v0[] = {
        0x00, 0x00,                         /* error_code */
        0x00, 0x00, 0x00, 0x02,             /* api_keys count */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03, /* ApiVersions 0-3 */
        0x00, 0x03, 0x00, 0x00, 0x00, 0x08, /* Metadata 0-8 */
    };
    static const uint8_t v3[] = {
        0x00, 0x00,                               /* error_code */
        0x03,                                     /* compact count: 2 + 1 */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00, /* ApiVersions 0-3, no tags */
        0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, /* Metadata 0-8, no tags */
        0x00, 0x00, 0x00, 0x00,                   /* throttle_time_ms */
        0x00,                                     /* no tagged fields */
    };
    struct out_msg m;
    out_msg_init(&m);
    api_versions_response_write(&m, 0, &resp);
    CU_ASSERT(wrote_exactly(&m, v0, sizeof v0));
    out_msg_free(&m);
    api_versions_response_write(&m, 3, &resp);
    CU_ASSERT(wrote_exactly(&m, v3, sizeof v3));
    out_msg_free(&m);
}

/* KIP-511: the v0 layout, UNSUPPORTED_VERSION and ApiVersions' own range. */
static void test_api_versions_unsupported(void)
{
    static const uint8_t want[] = {
        0x00, 0x23,                         /* error_code 35 */
        0x00, 0x00, 0x00, 0x01,             /* one entry */
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03, /* key 18, versions 0-3 */
    };
    struct out_msg m;
    out_msg_init(&m);
    api_versions_unsupported_write(&m);
    CU_ASSERT(wrote_exactly(&m, want, sizeof want));
    out_msg_free(&m);
}

/* ---- Metadata response ------------------------------------------------------------------ */

static const int32_t replicas_12[] = {1, 2};
static const int32_t replicas_21[] = {2, 1};
static const int32_t replica_2[] = {2};
static const int32_t replica_1[] = {1};

static const struct metadata_response_broker sample_brokers[] = {
    {1, {"b1.local", 8}, 9092, {"rack-a", 6}},
    {2, {"b2.local", 8}, 9093, {NULL, -1}},
};

static const struct metadata_response_partition sample_partitions[] = {
    {ERR_NONE, 0, 1, 4, 2, replicas_12, 2, replicas_12, 0, NULL},
    {ERR_NOT_LEADER_OR_FOLLOWER, 1, -1, 5, 2, replicas_21, 1, replica_2, 1, replica_1},
};

static const struct metadata_response_topic sample_topics[] = {
    {ERR_NONE, {"orders", 6}, false, 2, sample_partitions, 0x0f8},
    {ERR_UNKNOWN_TOPIC_OR_PARTITION, {"__missing", 9}, true, 0, NULL, INT32_MIN},
};

static const struct metadata_response sample_metadata = {
    .throttle_time_ms = 11,
    .broker_count = 2,
    .brokers = sample_brokers,
    .cluster_id = {"cluster-x", 9},
    .controller_id = 1,
    .topic_count = 2,
    .topics = sample_topics,
    .cluster_authorized_operations = 123,
};

static void put_int32s(struct buf *b, int32_t n, const int32_t *v)
{
    codec_put_int32(b, n);
    for (int32_t i = 0; i < n; i++)
        codec_put_int32(b, v[i]);
}

/* MetadataResponse.json, field by field in schema order. */
static void expect_metadata(struct buf *b, int16_t version)
{
    if (version >= 3)
        codec_put_int32(b, 11);
    codec_put_int32(b, 2);
    codec_put_int32(b, 1);
    put_str(b, "b1.local");
    codec_put_int32(b, 9092);
    if (version >= 1)
        put_nullable_str(b, "rack-a");
    codec_put_int32(b, 2);
    put_str(b, "b2.local");
    codec_put_int32(b, 9093);
    if (version >= 1)
        put_nullable_str(b, NULL);
    if (version >= 2)
        put_nullable_str(b, "cluster-x");
    if (version >= 1)
        codec_put_int32(b, 1);

    codec_put_int32(b, 2);
    codec_put_int16(b, 0);
    put_str(b, "orders");
    if (version >= 1)
        codec_put_bool(b, false);
    codec_put_int32(b, 2);
    codec_put_int16(b, 0);
    codec_put_int32(b, 0);
    codec_put_int32(b, 1);
    if (version >= 7)
        codec_put_int32(b, 4);
    put_int32s(b, 2, replicas_12);
    put_int32s(b, 2, replicas_12);
    if (version >= 5)
        put_int32s(b, 0, NULL);
    codec_put_int16(b, 6);
    codec_put_int32(b, 1);
    codec_put_int32(b, -1);
    if (version >= 7)
        codec_put_int32(b, 5);
    put_int32s(b, 2, replicas_21);
    put_int32s(b, 1, replica_2);
    if (version >= 5)
        put_int32s(b, 1, replica_1);
    if (version >= 8)
        codec_put_int32(b, 0x0f8);

    codec_put_int16(b, 3);
    put_str(b, "__missing");
    if (version >= 1)
        codec_put_bool(b, true);
    codec_put_int32(b, 0);
    if (version >= 8)
        codec_put_int32(b, INT32_MIN);
    if (version >= 8)
        codec_put_int32(b, 123);
}

static void write_metadata(struct out_msg *m, int16_t version)
{
    metadata_response_write(m, version, &sample_metadata);
}

static void test_metadata_response(void)
{
    exercise_response("Metadata", METADATA_MIN_VERSION, METADATA_MAX_VERSION, write_metadata,
                      expect_metadata);
}

/* ---- Produce response ------------------------------------------------------------------- */

static const struct produce_batch_index_error sample_record_errors[] = {
    {3, {"bad key", 7}},
    {5, {NULL, -1}},
};

static const struct produce_partition_response sample_produce_partitions[] = {
    {0, ERR_NONE, 100, -1, 0, 0, NULL, {NULL, -1}},
    {1, ERR_INVALID_RECORD, -1, 1700000000123, 42, 2, sample_record_errors, {"dropped", 7}},
};

static const struct produce_topic_response sample_produce_topics[] = {
    {{"orders", 6}, 2, sample_produce_partitions},
};

static const struct produce_response sample_produce = {1, sample_produce_topics, 12};

/* ProduceResponse.json in schema order. */
static void expect_produce(struct buf *b, int16_t version)
{
    codec_put_int32(b, 1);
    put_str(b, "orders");
    codec_put_int32(b, 2);

    codec_put_int32(b, 0);
    codec_put_int16(b, 0);
    codec_put_int64(b, 100);
    if (version >= 2)
        codec_put_int64(b, -1);
    if (version >= 5)
        codec_put_int64(b, 0);
    if (version >= 8) {
        codec_put_int32(b, 0);
        put_nullable_str(b, NULL);
    }

    codec_put_int32(b, 1);
    codec_put_int16(b, 87);
    codec_put_int64(b, -1);
    if (version >= 2)
        codec_put_int64(b, 1700000000123);
    if (version >= 5)
        codec_put_int64(b, 42);
    if (version >= 8) {
        codec_put_int32(b, 2);
        codec_put_int32(b, 3);
        put_nullable_str(b, "bad key");
        codec_put_int32(b, 5);
        put_nullable_str(b, NULL);
        put_nullable_str(b, "dropped");
    }
    if (version >= 1)
        codec_put_int32(b, 12);
}

static void write_produce(struct out_msg *m, int16_t version)
{
    produce_response_write(m, version, &sample_produce);
}

static void test_produce_response(void)
{
    exercise_response("Produce", PRODUCE_MIN_VERSION, PRODUCE_MAX_VERSION, write_produce,
                      expect_produce);
}

/* ---- Fetch response --------------------------------------------------------------------- */

static const struct fetch_aborted_transaction sample_aborted[] = {{77, 120}};

static struct fetch_partition_data fetch_orders[2];
static struct fetch_partition_data fetch_events[1];
static struct fetch_topic_response fetch_topics[2];

/* A fresh response each time: writing it moves its spans away. The spans have no segment, so
 * releasing them is a no-op; fd and position only need to arrive unchanged. */
static void make_fetch_response(struct fetch_response *resp)
{
    fetch_orders[0] = (struct fetch_partition_data){
        .partition_index = 0,
        .high_watermark = 150,
        .last_stable_offset = 140,
        .log_start_offset = 10,
        .aborted_transaction_count = 1,
        .aborted_transactions = sample_aborted,
        .preferred_read_replica = -1,
        .records = {.segment = NULL, .fd = 5, .position = 4096, .length = 100},
    };
    fetch_orders[1] = (struct fetch_partition_data){
        .partition_index = 1,
        .error_code = ERR_OFFSET_OUT_OF_RANGE,
        .high_watermark = -1,
        .last_stable_offset = -1,
        .log_start_offset = -1,
        .aborted_transaction_count = -1,
        .preferred_read_replica = -1,
        .records = {.segment = NULL, .fd = -1},
    };
    fetch_events[0] = (struct fetch_partition_data){
        .partition_index = 3,
        .high_watermark = 9,
        .last_stable_offset = 9,
        .aborted_transaction_count = 0,
        .preferred_read_replica = 2,
        .records = {.segment = NULL, .fd = 6, .position = 0, .length = 50},
    };
    fetch_topics[0] = (struct fetch_topic_response){{"orders", 6}, 2, fetch_orders};
    fetch_topics[1] = (struct fetch_topic_response){{"events", 6}, 1, fetch_events};
    *resp = (struct fetch_response){
        .throttle_time_ms = 13,
        .error_code = ERR_NONE,
        .session_id = 99,
        .response_count = 2,
        .responses = fetch_topics,
    };
}

/* What one partition of the sample Fetch response holds. aborted: -1 null, 0 empty, 1 the
 * transaction (producer 77, first offset 120). */
struct expected_fetch_partition {
    int32_t index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset;
    int64_t log_start_offset;
    int32_t aborted;
    int32_t preferred_read_replica;
    int32_t records_len;
};

/* One partition of FetchResponse.json, up to and including its records length. */
static void expect_fetch_partition(struct buf *b, int16_t version,
                                   const struct expected_fetch_partition *p)
{
    codec_put_int32(b, p->index);
    codec_put_int16(b, p->error_code);
    codec_put_int64(b, p->high_watermark);
    codec_put_int64(b, p->last_stable_offset);
    if (version >= 5)
        codec_put_int64(b, p->log_start_offset);
    codec_put_int32(b, p->aborted);
    if (p->aborted == 1) {
        codec_put_int64(b, 77);
        codec_put_int64(b, 120);
    }
    if (version >= 11)
        codec_put_int32(b, p->preferred_read_replica);
    codec_put_int32(b, p->records_len);
}

/* FetchResponse.json for v4-11; span_at gets where the two spans must be placed. */
static void expect_fetch_at(struct buf *b, int16_t version, size_t span_at[2])
{
    static const struct expected_fetch_partition orders[] = {
        {0, 0, 150, 140, 10, 1, -1, 100},
        {1, 1, -1, -1, -1, -1, -1, 0},
    };
    static const struct expected_fetch_partition events = {3, 0, 9, 9, 0, 0, 2, 50};

    codec_put_int32(b, 13);
    if (version >= 7) {
        codec_put_int16(b, 0);
        codec_put_int32(b, 99);
    }
    codec_put_int32(b, 2);
    put_str(b, "orders");
    codec_put_int32(b, 2);
    expect_fetch_partition(b, version, &orders[0]);
    span_at[0] = b->len;
    expect_fetch_partition(b, version, &orders[1]);
    put_str(b, "events");
    codec_put_int32(b, 1);
    expect_fetch_partition(b, version, &events);
    span_at[1] = b->len;
}

static void expect_fetch(struct buf *b, int16_t version)
{
    size_t span_at[2];
    expect_fetch_at(b, version, span_at);
}

static void write_fetch(struct out_msg *m, int16_t version)
{
    struct fetch_response resp;
    make_fetch_response(&resp);
    fetch_response_write(m, version, &resp);
}

static void test_fetch_response(void)
{
    exercise_response("Fetch", FETCH_MIN_VERSION, FETCH_MAX_VERSION, write_fetch, expect_fetch);
}

/* Records go out as spans at their place in the bytes; an empty one is only a length. */
static void test_fetch_response_spans(void)
{
    for (int16_t v = FETCH_MIN_VERSION; v <= FETCH_MAX_VERSION; v++) {
        struct fetch_response resp;
        struct out_msg m;
        struct buf want;
        size_t span_at[2];
        make_fetch_response(&resp);
        out_msg_init(&m);
        buf_init(&want);
        fetch_response_write(&m, v, &resp);
        expect_fetch_at(&want, v, span_at);

        CU_ASSERT_EQUAL_FATAL(m.nspans, 2);
        CU_ASSERT_EQUAL(m.spans[0].at, span_at[0]);
        CU_ASSERT_EQUAL(m.spans[0].span.fd, 5);
        CU_ASSERT_EQUAL(m.spans[0].span.position, 4096);
        CU_ASSERT_EQUAL(m.spans[0].span.length, 100);
        CU_ASSERT_EQUAL(m.spans[1].at, span_at[1]);
        CU_ASSERT_EQUAL(m.spans[1].span.fd, 6);
        CU_ASSERT_EQUAL(m.spans[1].span.length, 50);
        CU_ASSERT_EQUAL(m.spans[1].at, m.bytes.len); /* the last field of the body */
        CU_ASSERT_EQUAL(out_msg_length(&m), m.bytes.len + 150);
        CU_ASSERT_EQUAL(fetch_orders[0].records.length, 0); /* moved into the message */
        CU_ASSERT_EQUAL(fetch_events[0].records.length, 0);
        buf_free(&want);
        out_msg_free(&m);
    }
}

/* ---- ListOffsets response --------------------------------------------------------------- */

static const int64_t sample_old_offsets[] = {100, 0};

static const struct list_offsets_partition_response sample_list_offsets_partitions[] = {
    {0, ERR_NONE, 2, sample_old_offsets, -1, 100, 3},
    {1, ERR_UNKNOWN_TOPIC_OR_PARTITION, 0, NULL, -1, -1, -1},
};

static const struct list_offsets_topic_response sample_list_offsets_topics[] = {
    {{"orders", 6}, 2, sample_list_offsets_partitions},
};

static const struct list_offsets_response sample_list_offsets = {9, 1,
                                                                 sample_list_offsets_topics};

/* ListOffsetsResponse.json: v0 has old_style_offsets, v1+ timestamp and offset instead. */
static void expect_list_offsets(struct buf *b, int16_t version)
{
    if (version >= 2)
        codec_put_int32(b, 9);
    codec_put_int32(b, 1);
    put_str(b, "orders");
    codec_put_int32(b, 2);
    codec_put_int32(b, 0);
    codec_put_int16(b, 0);
    if (version == 0) {
        codec_put_int32(b, 2);
        codec_put_int64(b, 100);
        codec_put_int64(b, 0);
    } else {
        codec_put_int64(b, -1);
        codec_put_int64(b, 100);
        if (version >= 4)
            codec_put_int32(b, 3);
    }
    codec_put_int32(b, 1);
    codec_put_int16(b, 3);
    if (version == 0) {
        codec_put_int32(b, 0);
    } else {
        codec_put_int64(b, -1);
        codec_put_int64(b, -1);
        if (version >= 4)
            codec_put_int32(b, -1);
    }
}

static void write_list_offsets(struct out_msg *m, int16_t version)
{
    list_offsets_response_write(m, version, &sample_list_offsets);
}

static void test_list_offsets_response(void)
{
    exercise_response("ListOffsets", LIST_OFFSETS_MIN_VERSION, LIST_OFFSETS_MAX_VERSION,
                      write_list_offsets, expect_list_offsets);
}

/* ---- CreateTopics response -------------------------------------------------------------- */

#define BAD_PARTITIONS_MESSAGE "Number of partitions must be larger than 0."

static const struct create_topics_topic_result sample_create_results[] = {
    {{"new", 3}, ERR_NONE, {NULL, -1}},
    {{"bad", 3}, ERR_INVALID_PARTITIONS, {BAD_PARTITIONS_MESSAGE, 43}},
};

static const struct create_topics_response sample_create_topics = {4, 2, sample_create_results};

/* CreateTopicsResponse.json; v4 is laid out as v3. */
static void expect_create_topics(struct buf *b, int16_t version)
{
    if (version >= 2)
        codec_put_int32(b, 4);
    codec_put_int32(b, 2);
    put_str(b, "new");
    codec_put_int16(b, 0);
    if (version >= 1)
        put_nullable_str(b, NULL);
    put_str(b, "bad");
    codec_put_int16(b, 37);
    if (version >= 1)
        put_nullable_str(b, BAD_PARTITIONS_MESSAGE);
}

static void write_create_topics(struct out_msg *m, int16_t version)
{
    create_topics_response_write(m, version, &sample_create_topics);
}

static void test_create_topics_response(void)
{
    exercise_response("CreateTopics", CREATE_TOPICS_MIN_VERSION, CREATE_TOPICS_MAX_VERSION,
                      write_create_topics, expect_create_topics);
}

/* ---- DeleteTopics response -------------------------------------------------------------- */

static const struct delete_topics_topic_result sample_delete_results[] = {
    {{"a", 1}, ERR_NONE},
    {{"zz", 2}, ERR_UNKNOWN_TOPIC_OR_PARTITION},
};

static const struct delete_topics_response sample_delete_topics = {2, 2, sample_delete_results};

static void expect_delete_topics(struct buf *b, int16_t version)
{
    if (version >= 1)
        codec_put_int32(b, 2);
    codec_put_int32(b, 2);
    put_str(b, "a");
    codec_put_int16(b, 0);
    put_str(b, "zz");
    codec_put_int16(b, 3);
}

static void write_delete_topics(struct out_msg *m, int16_t version)
{
    delete_topics_response_write(m, version, &sample_delete_topics);
}

static void test_delete_topics_response(void)
{
    exercise_response("DeleteTopics", DELETE_TOPICS_MIN_VERSION, DELETE_TOPICS_MAX_VERSION,
                      write_delete_topics, expect_delete_topics);
}

/* ---- FindCoordinator ------------------------------------------------------------------- */

static void build_find_coordinator(struct buf *b, int16_t version)
{
    put_str(b, "my-group");
    if (version >= 1)
        codec_put_int8(b, 1);
}

static void check_find_coordinator(const union any_request *u, int16_t version)
{
    const struct find_coordinator_request *req = &u->find_coordinator;
    CU_ASSERT(kstr_is(req->key, "my-group"));
    CU_ASSERT_EQUAL(req->key_type, version >= 1 ? 1 : 0);
}

static const struct request_case find_coordinator_case = {
    "FindCoordinator", FIND_COORDINATOR_KEY, FIND_COORDINATOR_MIN_VERSION,
    FIND_COORDINATOR_MAX_VERSION, build_find_coordinator, check_find_coordinator};

static void test_find_coordinator_request(void)
{
    exercise_request(&find_coordinator_case);
}

static const struct find_coordinator_response sample_find_coordinator = {
    .throttle_time_ms = 5, .error_code = ERR_NONE, .error_message = {NULL, -1},
    .node_id = 3, .host = {"h", 1}, .port = 9092};

static void expect_find_coordinator(struct buf *b, int16_t version)
{
    if (version >= 1)
        codec_put_int32(b, 5);
    codec_put_int16(b, 0);
    if (version >= 1)
        codec_put_int16(b, -1); /* null error message */
    codec_put_int32(b, 3);
    put_str(b, "h");
    codec_put_int32(b, 9092);
}

static void write_find_coordinator(struct out_msg *m, int16_t version)
{
    find_coordinator_response_write(m, version, &sample_find_coordinator);
}

static void test_find_coordinator_response(void)
{
    exercise_response("FindCoordinator", FIND_COORDINATOR_MIN_VERSION,
                      FIND_COORDINATOR_MAX_VERSION, write_find_coordinator,
                      expect_find_coordinator);
}

int main(void)
{
    static const struct cunit_test tests[] = {
        {"request header v1", test_request_header_v1},
        {"request header v2 (flexible)", test_request_header_v2},
        {"response header v0 and v1", test_response_header},
        {"ApiVersions request, v0-3", test_api_versions_request},
        {"ApiVersions v3 software names", test_api_versions_software_names},
        {"ApiVersions request, hostile", test_api_versions_request_hostile},
        {"ApiVersions response, v0-3", test_api_versions_response},
        {"ApiVersions response, known bytes", test_api_versions_known_bytes},
        {"ApiVersions UNSUPPORTED_VERSION reply", test_api_versions_unsupported},
        {"Metadata request, v0-8", test_metadata_request},
        {"Metadata request, all topics", test_metadata_all_topics},
        {"Metadata request, hostile", test_metadata_request_hostile},
        {"Metadata response, v0-8", test_metadata_response},
        {"Produce request, v0-8", test_produce_request},
        {"Produce request, records not copied", test_produce_records_zero_copy},
        {"Produce request, hostile", test_produce_request_hostile},
        {"Produce response, v0-8", test_produce_response},
        {"Fetch request, v4-11", test_fetch_request},
        {"Fetch request, hostile", test_fetch_request_hostile},
        {"Fetch response, v4-11", test_fetch_response},
        {"Fetch response, records as spans", test_fetch_response_spans},
        {"ListOffsets request, v0-5", test_list_offsets_request},
        {"ListOffsets request, hostile", test_list_offsets_request_hostile},
        {"ListOffsets response, v0-5", test_list_offsets_response},
        {"CreateTopics request, v0-4", test_create_topics_request},
        {"CreateTopics request, hostile", test_create_topics_request_hostile},
        {"CreateTopics response, v0-4", test_create_topics_response},
        {"DeleteTopics request, v0-3", test_delete_topics_request},
        {"DeleteTopics request, hostile", test_delete_topics_request_hostile},
        {"DeleteTopics response, v0-3", test_delete_topics_response},
        {"FindCoordinator request, v0-2", test_find_coordinator_request},
        {"FindCoordinator response, v0-2", test_find_coordinator_response},
        {NULL, NULL},
    };
    return cunit_run("protocol", tests);
}
