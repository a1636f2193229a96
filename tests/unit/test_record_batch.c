/* Record batch v2: header decoding, rb_check_batch / rb_validate_set errors (framing, CRC, magic,
 * size, Kafka's client rules, follower offset order), set info, and rb_for_each_record. */
#include "broker/log/batch_builder.h"
#include "broker/log/record_batch.h"
#include "common/buf.h"
#include "common/crc32c.h"
#include "tests/unit/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_LIMIT (1u << 20)

/* A batch with one record per timestamp; base timestamp = the first record's. */
static void build(struct batch_builder *b, const int64_t *ts, int n)
{
    batch_builder_init(b, n > 0 ? ts[0] : 0);
    for (int i = 0; i < n; i++) {
        char value[32];
        int len = snprintf(value, sizeof(value), "value-%d", i);
        batch_builder_add(b, ts[i], "k", 1, value, len);
    }
    batch_builder_finish(b);
}

/* A batch of n records stamped 1000, 1001, ... */
static void build_simple(struct batch_builder *b, int n)
{
    int64_t ts[64];
    for (int i = 0; i < n; i++)
        ts[i] = 1000 + i;
    build(b, ts, n);
}

/* A heap copy of exactly len bytes, so ASan catches any read past the end. */
static uint8_t *exact_copy(const uint8_t *p, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (len)
        memcpy(copy, p, len);
    return copy;
}

static void fix_crc(uint8_t *p, size_t len)
{
    be32_store(p + 17, crc32c(0, p + RB_CRC_START, len - RB_CRC_START));
}

static gerr_t check(const uint8_t *p, size_t len)
{
    struct rb_header h;
    uint8_t *copy = exact_copy(p, len);
    gerr_t err = rb_check_batch(copy, len, &h);
    free(copy);
    return err;
}

static gerr_t validate_with(const uint8_t *p, size_t len, bool client, size_t limit,
                            struct rb_set_info *info)
{
    struct rb_validate_opts opts = {.max_batch_bytes = limit, .from_client = client};
    struct rb_set_info ignored;
    uint8_t *copy = exact_copy(p, len);
    gerr_t err = rb_validate_set(copy, len, &opts, info ? info : &ignored);
    free(copy);
    return err;
}

static gerr_t validate(const uint8_t *p, size_t len, bool client)
{
    return validate_with(p, len, client, BIG_LIMIT, NULL);
}

static void test_header_decoding(void)
{
    static const int64_t ts[] = {1000, 1005, 1002};
    struct batch_builder b;
    batch_builder_init(&b, 1000);
    batch_builder_set_producer(&b, 42, 3, 7);
    for (int i = 0; i < 3; i++)
        batch_builder_add(&b, ts[i], NULL, -1, "v", 1);
    batch_builder_finish(&b);

    struct rb_header h;
    rb_read_header(b.out.data, &h);
    CU_ASSERT_EQUAL(h.base_offset, 0);
    CU_ASSERT_EQUAL(h.batch_length, (int32_t)(b.out.len - RB_LOG_OVERHEAD));
    CU_ASSERT_EQUAL(h.leader_epoch, 0);
    CU_ASSERT_EQUAL(h.magic, 2);
    CU_ASSERT_EQUAL(h.crc, crc32c(0, b.out.data + RB_CRC_START, b.out.len - RB_CRC_START));
    CU_ASSERT_EQUAL(h.attributes, 0);
    CU_ASSERT_EQUAL(h.last_offset_delta, 2);
    CU_ASSERT_EQUAL(h.base_timestamp, 1000);
    CU_ASSERT_EQUAL(h.max_timestamp, 1005);
    CU_ASSERT_EQUAL(h.producer_id, 42);
    CU_ASSERT_EQUAL(h.producer_epoch, 3);
    CU_ASSERT_EQUAL(h.base_sequence, 7);
    CU_ASSERT_EQUAL(h.record_count, 3);
    CU_ASSERT_EQUAL(rb_total_size(&h), b.out.len);
    CU_ASSERT_EQUAL(rb_last_offset(&h), 2);

    int64_t base;
    int32_t length;
    rb_read_overhead(b.out.data, &base, &length);
    CU_ASSERT_EQUAL(base, 0);
    CU_ASSERT_EQUAL(length, h.batch_length);
    batch_builder_free(&b);
}

static void test_valid_batch_accepted(void)
{
    struct batch_builder b;
    build_simple(&b, 5);
    struct rb_header h;
    CU_ASSERT_EQUAL(rb_check_batch(b.out.data, b.out.len, &h), ERR_NONE);
    CU_ASSERT_EQUAL(h.record_count, 5);
    CU_ASSERT_EQUAL(h.max_timestamp, 1004);

    struct rb_set_info info;
    CU_ASSERT_EQUAL(validate_with(b.out.data, b.out.len, true, BIG_LIMIT, &info), ERR_NONE);
    CU_ASSERT_EQUAL(info.first_offset, 0);
    CU_ASSERT_EQUAL(info.last_offset, 4);
    CU_ASSERT_EQUAL(info.batch_count, 1);
    CU_ASSERT_EQUAL(info.record_count, 5);
    CU_ASSERT_EQUAL(info.max_timestamp, 1004);
    CU_ASSERT_EQUAL(info.offset_of_max_timestamp, 4);
    CU_ASSERT_EQUAL(validate(b.out.data, b.out.len, false), ERR_NONE);
    batch_builder_free(&b);
}

static void test_many_records_accepted(void)
{
    struct batch_builder b;
    batch_builder_init(&b, 1700000000000LL);
    char value[300];
    memset(value, 'x', sizeof(value));
    for (int i = 0; i < 1000; i++)
        batch_builder_add(&b, 1700000000000LL + i * 1000, &i, sizeof(i), value, i % 300);
    batch_builder_finish(&b);
    struct rb_set_info info;
    CU_ASSERT_EQUAL(validate_with(b.out.data, b.out.len, true, BIG_LIMIT, &info), ERR_NONE);
    CU_ASSERT_EQUAL(info.record_count, 1000);
    CU_ASSERT_EQUAL(info.last_offset, 999);
    CU_ASSERT_EQUAL(info.max_timestamp, 1700000000000LL + 999000);
    batch_builder_free(&b);
}

static void test_empty_set_rejected(void)
{
    CU_ASSERT_EQUAL(validate((const uint8_t *)"", 0, true), ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(validate((const uint8_t *)"", 0, false), ERR_CORRUPT_MESSAGE);
}

static void test_truncated_at_every_length(void)
{
    struct batch_builder b;
    build_simple(&b, 3);
    size_t bad_check = 0, bad_client = 0, bad_follower = 0;
    for (size_t len = 0; len < b.out.len; len++) {
        bad_check += check(b.out.data, len) != ERR_CORRUPT_MESSAGE;
        bad_client += validate(b.out.data, len, true) != ERR_CORRUPT_MESSAGE;
        bad_follower += validate(b.out.data, len, false) != ERR_CORRUPT_MESSAGE;
    }
    CU_ASSERT_EQUAL(bad_check, 0);
    CU_ASSERT_EQUAL(bad_client, 0);
    CU_ASSERT_EQUAL(bad_follower, 0);
    batch_builder_free(&b);
}

static void test_bad_crc_every_byte(void)
{
    struct batch_builder b;
    build_simple(&b, 2);
    uint8_t *p = b.out.data;
    size_t bad = 0;
    /* The CRC field itself, then every byte it covers. */
    for (size_t i = 17; i < b.out.len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            p[i] ^= (uint8_t)(1u << bit);
            bad += check(p, b.out.len) != ERR_CORRUPT_MESSAGE;
            bad += validate(p, b.out.len, true) != ERR_CORRUPT_MESSAGE;
            bad += validate(p, b.out.len, false) != ERR_CORRUPT_MESSAGE;
            p[i] ^= (uint8_t)(1u << bit);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(check(p, b.out.len), ERR_NONE);
    batch_builder_free(&b);
}

static void test_broker_fields_outside_crc(void)
{
    struct batch_builder b;
    build_simple(&b, 2);
    uint8_t *p = b.out.data;
    size_t bad = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i >= 8 && i < 12)
            continue; /* batchLength */
        p[i] ^= 0xA5;
        bad += check(p, b.out.len) != ERR_NONE;
        bad += validate(p, b.out.len, false) != ERR_NONE;
        p[i] ^= 0xA5;
    }
    CU_ASSERT_EQUAL(bad, 0);
    batch_builder_free(&b);
}

static void test_magic(void)
{
    struct batch_builder b;
    build_simple(&b, 2);
    uint8_t *p = b.out.data;
    static const struct {
        uint8_t magic;
        gerr_t want;
    } cases[] = {
        {0, ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT},
        {1, ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT},
        {3, ERR_CORRUPT_MESSAGE},
        {0xFF, ERR_CORRUPT_MESSAGE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        p[RB_MAGIC_OFFSET] = cases[i].magic;
        CU_ASSERT_EQUAL(check(p, b.out.len), cases[i].want);
        CU_ASSERT_EQUAL(validate(p, b.out.len, true), cases[i].want);
        CU_ASSERT_EQUAL(validate(p, b.out.len, false), cases[i].want);
    }
    /* An old-format message is reported as such even when shorter than a v2 header. */
    p[RB_MAGIC_OFFSET] = 1;
    CU_ASSERT_EQUAL(check(p, 40), ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT);
    batch_builder_free(&b);
}

static gerr_t check_with_length(struct batch_builder *b, int32_t batch_length)
{
    uint8_t *copy = exact_copy(b->out.data, b->out.len);
    be32_store(copy + 8, (uint32_t)batch_length);
    struct rb_header h;
    gerr_t err = rb_check_batch(copy, b->out.len, &h);
    free(copy);
    return err;
}

static void test_batch_length_out_of_range(void)
{
    struct batch_builder b;
    build_simple(&b, 2);
    int32_t real = (int32_t)(b.out.len - RB_LOG_OVERHEAD);
    CU_ASSERT_EQUAL(check_with_length(&b, real), ERR_NONE);
    CU_ASSERT_EQUAL(check_with_length(&b, RB_HEADER_SIZE - RB_LOG_OVERHEAD - 1),
                    ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(check_with_length(&b, 0), ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(check_with_length(&b, -1), ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(check_with_length(&b, INT32_MIN), ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(check_with_length(&b, real + 1), ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(check_with_length(&b, INT32_MAX), ERR_CORRUPT_MESSAGE);
    /* Shorter than the data: the CRC no longer matches. */
    CU_ASSERT_EQUAL(check_with_length(&b, real - 1), ERR_CORRUPT_MESSAGE);
    batch_builder_free(&b);
}

static void test_short_length_with_matching_crc(void)
{
    /* A batch that claims one byte less, CRC recomputed: the set no longer parses. */
    struct batch_builder b;
    build_simple(&b, 2);
    uint8_t *p = b.out.data;
    be32_store(p + 8, (uint32_t)(b.out.len - RB_LOG_OVERHEAD - 1));
    fix_crc(p, b.out.len - 1);
    CU_ASSERT_EQUAL(check(p, b.out.len), ERR_NONE);
    CU_ASSERT_EQUAL(validate(p, b.out.len, true), ERR_INVALID_RECORD);
    CU_ASSERT_EQUAL(validate(p, b.out.len, false), ERR_CORRUPT_MESSAGE);
    batch_builder_free(&b);
}

static void test_negative_counts_corrupt(void)
{
    struct batch_builder b;
    build_simple(&b, 2);
    uint8_t *copy = exact_copy(b.out.data, b.out.len);
    be32_store(copy + 23, (uint32_t)-1); /* lastOffsetDelta */
    fix_crc(copy, b.out.len);
    CU_ASSERT_EQUAL(check(copy, b.out.len), ERR_CORRUPT_MESSAGE);
    memcpy(copy, b.out.data, b.out.len);
    be32_store(copy + 57, (uint32_t)-5); /* recordCount */
    fix_crc(copy, b.out.len);
    CU_ASSERT_EQUAL(check(copy, b.out.len), ERR_CORRUPT_MESSAGE);
    free(copy);
    batch_builder_free(&b);
}

static void test_message_too_large(void)
{
    struct batch_builder b;
    build_simple(&b, 4);
    size_t len = b.out.len;
    CU_ASSERT_EQUAL(validate_with(b.out.data, len, true, len, NULL), ERR_NONE);
    CU_ASSERT_EQUAL(validate_with(b.out.data, len, true, len - 1, NULL), ERR_MESSAGE_TOO_LARGE);
    CU_ASSERT_EQUAL(validate_with(b.out.data, len, false, len - 1, NULL), ERR_MESSAGE_TOO_LARGE);
    CU_ASSERT_EQUAL(validate_with(b.out.data, len, true, 0, NULL), ERR_MESSAGE_TOO_LARGE);
    batch_builder_free(&b);
}

/* Edits a copy of the batch with `edit`, fixes the CRC, and validates it both ways. */
static void expect_client_rejects(const struct batch_builder *b, void (*edit)(uint8_t *p),
                                  gerr_t follower_want)
{
    uint8_t *copy = exact_copy(b->out.data, b->out.len);
    edit(copy);
    fix_crc(copy, b->out.len);
    CU_ASSERT_EQUAL(check(copy, b->out.len), ERR_NONE);
    CU_ASSERT_EQUAL(validate(copy, b->out.len, true), ERR_INVALID_RECORD);
    CU_ASSERT_EQUAL(validate(copy, b->out.len, false), follower_want);
    free(copy);
}

static void edit_last_offset_delta_high(uint8_t *p)
{
    be32_store(p + 23, 5); /* 3 records */
}

static void edit_last_offset_delta_low(uint8_t *p)
{
    be32_store(p + 23, 1);
}

static void edit_both_counts_low(uint8_t *p)
{
    be32_store(p + 23, 1);
    be32_store(p + 57, 2); /* says 2, holds 3 */
}

static void edit_both_counts_high(uint8_t *p)
{
    be32_store(p + 23, 3);
    be32_store(p + 57, 4); /* says 4, holds 3 */
}

static void edit_zero_count(uint8_t *p)
{
    be32_store(p + 23, 0);
    be32_store(p + 57, 0);
}

static void edit_control(uint8_t *p)
{
    be16_store(p + 21, RB_ATTR_CONTROL);
}

static void edit_producer_without_sequence(uint8_t *p)
{
    be64_store(p + 43, 7);
    be32_store(p + 53, (uint32_t)-1);
}

static void test_client_rules(void)
{
    struct batch_builder b;
    build_simple(&b, 3);
    expect_client_rejects(&b, edit_last_offset_delta_high, ERR_NONE);
    expect_client_rejects(&b, edit_last_offset_delta_low, ERR_NONE);
    expect_client_rejects(&b, edit_both_counts_low, ERR_NONE);
    expect_client_rejects(&b, edit_both_counts_high, ERR_NONE);
    expect_client_rejects(&b, edit_zero_count, ERR_NONE);
    expect_client_rejects(&b, edit_control, ERR_NONE);
    expect_client_rejects(&b, edit_producer_without_sequence, ERR_NONE);
    batch_builder_free(&b);
}

static void test_idempotent_producer_accepted(void)
{
    struct batch_builder b;
    batch_builder_init(&b, 10);
    batch_builder_set_producer(&b, 7, 0, 0);
    batch_builder_add(&b, 10, NULL, -1, NULL, -1);
    batch_builder_finish(&b);
    CU_ASSERT_EQUAL(validate(b.out.data, b.out.len, true), ERR_NONE);
    batch_builder_free(&b);
}

/* Appends batch b to set, with its base offset rewritten. */
static void add_to_set(struct buf *set, struct batch_builder *b, int64_t base_offset)
{
    size_t at = set->len;
    buf_append(set, b->out.data, b->out.len);
    rb_set_base_offset(set->data + at, base_offset);
}

static void test_two_batches_from_client(void)
{
    struct batch_builder b;
    build_simple(&b, 2);
    struct buf set;
    buf_init(&set);
    add_to_set(&set, &b, 0);
    add_to_set(&set, &b, 2);
    CU_ASSERT_EQUAL(validate(set.data, set.len, true), ERR_INVALID_RECORD);
    CU_ASSERT_EQUAL(validate(set.data, set.len, false), ERR_NONE);
    buf_free(&set);
    batch_builder_free(&b);
}

static void test_follower_set_info(void)
{
    static const int64_t ts_a[] = {5000, 4000, 5000};
    static const int64_t ts_b[] = {8000, 9000};
    static const int64_t ts_c[] = {7000, 9000, 6000, 1000, 2000};
    struct batch_builder a, b, c;
    build(&a, ts_a, 3);
    build(&b, ts_b, 2);
    build(&c, ts_c, 5);
    struct buf set;
    buf_init(&set);
    add_to_set(&set, &a, 100);
    add_to_set(&set, &b, 103);
    add_to_set(&set, &c, 110); /* a gap, as compaction leaves */

    struct rb_set_info info;
    CU_ASSERT_EQUAL(validate_with(set.data, set.len, false, BIG_LIMIT, &info), ERR_NONE);
    CU_ASSERT_EQUAL(info.first_offset, 100);
    CU_ASSERT_EQUAL(info.last_offset, 114);
    CU_ASSERT_EQUAL(info.batch_count, 3);
    CU_ASSERT_EQUAL(info.record_count, 10);
    CU_ASSERT_EQUAL(info.max_timestamp, 9000);
    /* The first batch reaching the greatest timestamp wins; its maximum is its last record. */
    CU_ASSERT_EQUAL(info.offset_of_max_timestamp, 104);

    /* Offsets that do not rise from batch to batch. */
    rb_set_base_offset(set.data + a.out.len, 102); /* overlaps a's last offset */
    CU_ASSERT_NOT_EQUAL(validate(set.data, set.len, false), ERR_NONE);
    rb_set_base_offset(set.data + a.out.len, 50);
    CU_ASSERT_NOT_EQUAL(validate(set.data, set.len, false), ERR_NONE);
    rb_set_base_offset(set.data + a.out.len, 103);
    rb_set_base_offset(set.data + a.out.len + b.out.len, 104); /* overlaps b's last */
    CU_ASSERT_NOT_EQUAL(validate(set.data, set.len, false), ERR_NONE);
    rb_set_base_offset(set.data + a.out.len + b.out.len, 105);
    CU_ASSERT_EQUAL(validate(set.data, set.len, false), ERR_NONE);

    /* A torn batch after whole ones. */
    CU_ASSERT_EQUAL(validate(set.data, set.len - 1, false), ERR_CORRUPT_MESSAGE);
    CU_ASSERT_EQUAL(validate(set.data, a.out.len + 30, false), ERR_CORRUPT_MESSAGE);
    buf_free(&set);
    batch_builder_free(&a);
    batch_builder_free(&b);
    batch_builder_free(&c);
}

static void test_set_without_timestamps(void)
{
    static const int64_t ts[] = {-1, -1};
    struct batch_builder b;
    build(&b, ts, 2);
    struct rb_set_info info;
    CU_ASSERT_EQUAL(validate_with(b.out.data, b.out.len, true, BIG_LIMIT, &info), ERR_NONE);
    CU_ASSERT_EQUAL(info.max_timestamp, RB_NO_TIMESTAMP);
    CU_ASSERT_EQUAL(info.record_count, 2);
    batch_builder_free(&b);
}

static void test_set_base_offset_and_epoch(void)
{
    struct batch_builder b;
    build_simple(&b, 3);
    uint8_t *p = b.out.data;
    uint32_t crc = be32_load(p + 17);
    rb_set_base_offset(p, 0x0102030405060708LL);
    rb_set_leader_epoch(p, 0x0A0B0C0D);
    static const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t want_epoch[] = {0x0A, 0x0B, 0x0C, 0x0D};
    CU_ASSERT_EQUAL(memcmp(p, want, 8), 0);
    CU_ASSERT_EQUAL(memcmp(p + 12, want_epoch, 4), 0);
    CU_ASSERT_EQUAL(be32_load(p + 17), crc);

    struct rb_header h;
    CU_ASSERT_EQUAL(rb_check_batch(p, b.out.len, &h), ERR_NONE);
    CU_ASSERT_EQUAL(h.base_offset, 0x0102030405060708LL);
    CU_ASSERT_EQUAL(h.leader_epoch, 0x0A0B0C0D);
    CU_ASSERT_EQUAL(rb_last_offset(&h), 0x0102030405060708LL + 2);
    CU_ASSERT_EQUAL(h.batch_length, (int32_t)(b.out.len - RB_LOG_OVERHEAD));

    rb_set_leader_epoch(p, -1);
    rb_read_header(p, &h);
    CU_ASSERT_EQUAL(h.leader_epoch, -1);
    batch_builder_free(&b);
}

/* Collects what rb_for_each_record visits; stops after `limit` records. */
struct visits {
    int64_t offsets[16];
    int64_t timestamps[16];
    int count;
    int limit;
};

static bool collect(void *ctx, int64_t offset, int64_t timestamp)
{
    struct visits *v = ctx;
    if (v->count < 16) {
        v->offsets[v->count] = offset;
        v->timestamps[v->count] = timestamp;
    }
    v->count++;
    return v->count < v->limit;
}

static void test_for_each_record(void)
{
    static const int64_t ts[] = {1000, 990, 1020, 1010, -1};
    struct batch_builder b;
    build(&b, ts, 5);
    rb_set_base_offset(b.out.data, 50);

    struct visits v = {.limit = 100};
    CU_ASSERT_EQUAL(rb_for_each_record(b.out.data, b.out.len, collect, &v), ERR_NONE);
    CU_ASSERT_EQUAL_FATAL(v.count, 5);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(v.offsets[i], 50 + i);
        CU_ASSERT_EQUAL(v.timestamps[i], ts[i]);
    }

    struct visits first_two = {.limit = 2};
    CU_ASSERT_EQUAL(rb_for_each_record(b.out.data, b.out.len, collect, &first_two), ERR_NONE);
    CU_ASSERT_EQUAL(first_two.count, 2);
    CU_ASSERT_EQUAL(first_two.offsets[1], 51);
    batch_builder_free(&b);
}

static void test_for_each_record_refuses_compressed(void)
{
    struct batch_builder b;
    build_simple(&b, 3);
    for (int codec = 1; codec <= 4; codec++) {
        uint8_t *copy = exact_copy(b.out.data, b.out.len);
        be16_store(copy + 21, (uint16_t)codec);
        fix_crc(copy, b.out.len);
        CU_ASSERT_EQUAL(check(copy, b.out.len), ERR_NONE);
        struct visits v = {.limit = 100};
        CU_ASSERT_EQUAL(rb_for_each_record(copy, b.out.len, collect, &v),
                        ERR_UNSUPPORTED_COMPRESSION_TYPE);
        CU_ASSERT_EQUAL(v.count, 0);
        free(copy);
    }
    batch_builder_free(&b);
}

static void test_for_each_record_bad_input(void)
{
    struct batch_builder b;
    build_simple(&b, 3);
    size_t bad = 0;
    for (size_t len = 0; len < b.out.len; len++) {
        uint8_t *copy = exact_copy(b.out.data, len);
        struct visits v = {.limit = 100};
        bad += rb_for_each_record(copy, len, collect, &v) != ERR_CORRUPT_MESSAGE;
        free(copy);
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* Trailing bytes inside the batch after the last record. */
    struct buf longer;
    buf_init(&longer);
    buf_append(&longer, b.out.data, b.out.len);
    buf_append(&longer, "\0\0", 2);
    be32_store(longer.data + 8, (uint32_t)(longer.len - RB_LOG_OVERHEAD));
    struct visits v = {.limit = 100};
    CU_ASSERT_EQUAL(rb_for_each_record(longer.data, longer.len, collect, &v),
                    ERR_CORRUPT_MESSAGE);
    fix_crc(longer.data, longer.len);
    CU_ASSERT_EQUAL(validate(longer.data, longer.len, true), ERR_INVALID_RECORD);
    buf_free(&longer);
    batch_builder_free(&b);
}

static const struct cunit_test tests[] = {
    {"header decoding", test_header_decoding},
    {"valid batch accepted", test_valid_batch_accepted},
    {"1000 records accepted", test_many_records_accepted},
    {"empty set rejected", test_empty_set_rejected},
    {"truncated at every length", test_truncated_at_every_length},
    {"bad CRC at every byte", test_bad_crc_every_byte},
    {"baseOffset and leader epoch outside the CRC", test_broker_fields_outside_crc},
    {"magic", test_magic},
    {"batchLength out of range", test_batch_length_out_of_range},
    {"short batchLength with a matching CRC", test_short_length_with_matching_crc},
    {"negative counts are corrupt", test_negative_counts_corrupt},
    {"message too large", test_message_too_large},
    {"client rules", test_client_rules},
    {"idempotent producer accepted", test_idempotent_producer_accepted},
    {"two batches from a client", test_two_batches_from_client},
    {"follower set info and offset order", test_follower_set_info},
    {"set without timestamps", test_set_without_timestamps},
    {"set base offset and leader epoch", test_set_base_offset_and_epoch},
    {"for each record", test_for_each_record},
    {"for each record refuses compressed", test_for_each_record_refuses_compressed},
    {"for each record on bad input", test_for_each_record_bad_input},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("record_batch", tests);
}
