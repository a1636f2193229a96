/* Unit tests for common/buf.c and common/codec.c: round trips and known encodings of every wire
 * primitive, null versus empty, tagged fields, array bounding, and clean failure on input cut
 * short at every length (run under ASan, that also proves nothing reads past the end). */
#include "common/codec.h"
#include "tests/unit/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compares what was written with the expected wire bytes. */
static void expect_bytes(const struct buf *b, const uint8_t *want, size_t len)
{
    CU_ASSERT_EQUAL(b->len, len);
    if (b->len == len)
        CU_ASSERT(len == 0 || memcmp(b->data, want, len) == 0);
}

#define EXPECT_BYTES(b, ...)                                                                       \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        expect_bytes((b), want_, sizeof want_);                                                    \
    } while (0)

/* Starts a reader over what was written so far. */
static struct reader reader_of(const struct buf *b)
{
    struct reader r;
    reader_init(&r, b->data, b->len);
    return r;
}

/* A reader that failed must say so, must not have moved, and must refuse further reads. */
static void expect_failed_at(struct reader *r, size_t pos)
{
    CU_ASSERT_FALSE(reader_ok(r));
    CU_ASSERT_TRUE(r->failed);
    CU_ASSERT_EQUAL(r->pos, pos);
}

static void test_buf_growth(void)
{
    struct buf b;
    buf_init(&b);
    for (uint32_t i = 0; i < 100000; i++)
        codec_put_uint32(&b, i);
    CU_ASSERT_EQUAL(b.len, 400000);
    CU_ASSERT(b.cap >= b.len);
    struct reader r = reader_of(&b);
    unsigned bad = 0;
    for (uint32_t i = 0; i < 100000; i++) {
        uint32_t v;
        bad += !codec_get_uint32(&r, &v) || v != i;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(reader_remaining(&r), 0);

    size_t cap = b.cap;
    buf_reset(&b);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(b.cap, cap);
    uint8_t *p = buf_extend(&b, 3);
    memcpy(p, "xyz", 3);
    buf_append(&b, "ab", 2);
    buf_append(&b, NULL, 0);
    EXPECT_BYTES(&b, 'x', 'y', 'z', 'a', 'b');
    buf_free(&b);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(b.len, 0);
}

static void test_reader_basics(void)
{
    static const uint8_t data[] = {1, 2, 3, 4, 5, 6};
    struct reader r, s;
    uint8_t out[4];

    reader_init(&r, data, sizeof data);
    CU_ASSERT_PTR_EQUAL(reader_take(&r, 2), data);
    CU_ASSERT_TRUE(reader_copy(&r, out, 1));
    CU_ASSERT_EQUAL(out[0], 3);
    CU_ASSERT_TRUE(reader_slice(&r, 2, &s));
    CU_ASSERT_EQUAL(reader_remaining(&s), 2);
    CU_ASSERT_EQUAL(reader_remaining(&r), 1);
    CU_ASSERT_PTR_NULL(reader_take(&s, 3));
    expect_failed_at(&s, 0);
    CU_ASSERT_TRUE(reader_ok(&r)); /* a slice failing does not fail its parent */

    CU_ASSERT_FALSE(reader_skip(&r, 2));
    expect_failed_at(&r, 5);
    CU_ASSERT_PTR_NULL(reader_take(&r, 0)); /* sticky, even for a read that would fit */
    CU_ASSERT_FALSE(reader_copy(&r, out, 1));
    CU_ASSERT_FALSE(reader_slice(&r, 0, &s));
    CU_ASSERT_FALSE(reader_ok(&s));
    CU_ASSERT_EQUAL(reader_remaining(&s), 0);
    expect_failed_at(&r, 5);

    reader_init(&r, data, sizeof data);
    CU_ASSERT_FALSE(reader_skip(&r, SIZE_MAX)); /* must not wrap around */
    expect_failed_at(&r, 0);

    reader_init(&r, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL(reader_take(&r, 0));
    CU_ASSERT_PTR_NULL(reader_take(&r, 1));
    expect_failed_at(&r, 0);
}

static void test_fixed_width(void)
{
    static const uint8_t uuid[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
                                     5, 6, 7, 8, 9, 10, 11, 0xff};
    struct buf b;
    buf_init(&b);
    codec_put_int8(&b, INT8_MIN);
    codec_put_int8(&b, -1);
    codec_put_int16(&b, INT16_MIN);
    codec_put_int16(&b, 0x0102);
    codec_put_int32(&b, INT32_MIN);
    codec_put_int32(&b, INT32_MAX);
    codec_put_int32(&b, 0x01020304);
    codec_put_int64(&b, INT64_MIN);
    codec_put_int64(&b, INT64_MAX);
    codec_put_int64(&b, -2);
    codec_put_uint32(&b, UINT32_MAX);
    codec_put_bool(&b, true);
    codec_put_bool(&b, false);
    codec_put_uuid(&b, uuid);
    CU_ASSERT_EQUAL(b.len, 1 + 1 + 2 + 2 + 4 * 3 + 8 * 3 + 4 + 2 + 16);
    CU_ASSERT_EQUAL(memcmp(b.data + 4, "\x01\x02", 2), 0);
    CU_ASSERT_EQUAL(memcmp(b.data + 14, "\x01\x02\x03\x04", 4), 0);
    CU_ASSERT_EQUAL(memcmp(b.data + 34, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8), 0);

    struct reader r = reader_of(&b);
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint32_t u32;
    bool flag;
    uint8_t id[16];
    CU_ASSERT(codec_get_int8(&r, &i8) && i8 == INT8_MIN);
    CU_ASSERT(codec_get_int8(&r, &i8) && i8 == -1);
    CU_ASSERT(codec_get_int16(&r, &i16) && i16 == INT16_MIN);
    CU_ASSERT(codec_get_int16(&r, &i16) && i16 == 0x0102);
    CU_ASSERT(codec_get_int32(&r, &i32) && i32 == INT32_MIN);
    CU_ASSERT(codec_get_int32(&r, &i32) && i32 == INT32_MAX);
    CU_ASSERT(codec_get_int32(&r, &i32) && i32 == 0x01020304);
    CU_ASSERT(codec_get_int64(&r, &i64) && i64 == INT64_MIN);
    CU_ASSERT(codec_get_int64(&r, &i64) && i64 == INT64_MAX);
    CU_ASSERT(codec_get_int64(&r, &i64) && i64 == -2);
    CU_ASSERT(codec_get_uint32(&r, &u32) && u32 == UINT32_MAX);
    CU_ASSERT(codec_get_bool(&r, &flag) && flag);
    CU_ASSERT(codec_get_bool(&r, &flag) && !flag);
    CU_ASSERT(codec_get_uuid(&r, id) && memcmp(id, uuid, 16) == 0);
    CU_ASSERT_EQUAL(reader_remaining(&r), 0);
    CU_ASSERT_TRUE(reader_ok(&r));

    /* Kafka reads any non-zero byte as true. */
    reader_init(&r, "\x02", 1);
    CU_ASSERT(codec_get_bool(&r, &flag) && flag);
    buf_free(&b);
}

static void check_uvarint(uint32_t v, size_t want_len)
{
    struct buf b;
    buf_init(&b);
    codec_put_uvarint(&b, v);
    CU_ASSERT_EQUAL(b.len, want_len);
    struct reader r = reader_of(&b);
    uint32_t got;
    CU_ASSERT(codec_get_uvarint(&r, &got) && got == v && reader_remaining(&r) == 0);
    buf_free(&b);
}

static void check_varint(int32_t v, size_t want_len)
{
    struct buf b;
    buf_init(&b);
    codec_put_varint(&b, v);
    CU_ASSERT_EQUAL(b.len, want_len);
    struct reader r = reader_of(&b);
    int32_t got;
    CU_ASSERT(codec_get_varint(&r, &got) && got == v && reader_remaining(&r) == 0);
    buf_free(&b);
}

static void check_uvarlong(uint64_t v, size_t want_len)
{
    struct buf b;
    buf_init(&b);
    codec_put_uvarlong(&b, v);
    CU_ASSERT_EQUAL(b.len, want_len);
    struct reader r = reader_of(&b);
    uint64_t got;
    CU_ASSERT(codec_get_uvarlong(&r, &got) && got == v && reader_remaining(&r) == 0);
    buf_free(&b);
}

static void check_varlong(int64_t v, size_t want_len)
{
    struct buf b;
    buf_init(&b);
    codec_put_varlong(&b, v);
    CU_ASSERT_EQUAL(b.len, want_len);
    struct reader r = reader_of(&b);
    int64_t got;
    CU_ASSERT(codec_get_varlong(&r, &got) && got == v && reader_remaining(&r) == 0);
    buf_free(&b);
}

/* Each encoded length steps up where the value outgrows 7, 14, 21, 28 ... bits (after
 * zig-zag for the signed forms, which doubles the magnitude). */
static void test_varint_boundaries(void)
{
    check_uvarint(0, 1);
    check_uvarint(127, 1);
    check_uvarint(128, 2);
    check_uvarint(16383, 2);
    check_uvarint(16384, 3);
    check_uvarint((1u << 21) - 1, 3);
    check_uvarint(1u << 21, 4);
    check_uvarint((1u << 28) - 1, 4);
    check_uvarint(1u << 28, 5);
    check_uvarint(UINT32_MAX, 5);

    check_varint(0, 1);
    check_varint(63, 1);
    check_varint(64, 2);
    check_varint(-64, 1);
    check_varint(-65, 2);
    check_varint(8191, 2);
    check_varint(8192, 3);
    check_varint(-8192, 2);
    check_varint(-8193, 3);
    check_varint(INT32_MAX, 5);
    check_varint(INT32_MIN, 5);

    check_uvarlong(0, 1);
    check_uvarlong(127, 1);
    check_uvarlong(128, 2);
    check_uvarlong(UINT32_MAX, 5);
    check_uvarlong((1ull << 35) - 1, 5);
    check_uvarlong(1ull << 35, 6);
    check_uvarlong((1ull << 63) - 1, 9);
    check_uvarlong(1ull << 63, 10);
    check_uvarlong(UINT64_MAX, 10);

    check_varlong(0, 1);
    check_varlong(63, 1);
    check_varlong(64, 2);
    check_varlong(-64, 1);
    check_varlong(-65, 2);
    check_varlong(INT32_MAX, 5);
    check_varlong(INT32_MIN, 5);
    check_varlong((int64_t)INT32_MAX + 1, 5);
    check_varlong((int64_t)INT32_MIN - 1, 5);
    check_varlong(INT64_MAX, 10);
    check_varlong(INT64_MIN, 10);
}

/* Every power of two and its neighbours, both signs, in all four forms. */
static void test_varint_sweep(void)
{
    unsigned bad = 0;
    for (int shift = 0; shift < 64; shift++) {
        for (int delta = -1; delta <= 1; delta++) {
            uint64_t u = (1ull << shift) + (uint64_t)(int64_t)delta;
            struct buf b;
            buf_init(&b);
            codec_put_uvarlong(&b, u);
            codec_put_varlong(&b, (int64_t)u);
            codec_put_varlong(&b, -(int64_t)(u >> 1));
            codec_put_uvarint(&b, (uint32_t)u);
            codec_put_varint(&b, (int32_t)(uint32_t)u);
            codec_put_varint(&b, -(int32_t)((uint32_t)u >> 1));
            struct reader r = reader_of(&b);
            uint64_t gu;
            int64_t gs;
            uint32_t gu32;
            int32_t gs32;
            bad += !codec_get_uvarlong(&r, &gu) || gu != u;
            bad += !codec_get_varlong(&r, &gs) || gs != (int64_t)u;
            bad += !codec_get_varlong(&r, &gs) || gs != -(int64_t)(u >> 1);
            bad += !codec_get_uvarint(&r, &gu32) || gu32 != (uint32_t)u;
            bad += !codec_get_varint(&r, &gs32) || gs32 != (int32_t)(uint32_t)u;
            bad += !codec_get_varint(&r, &gs32) || gs32 != -(int32_t)((uint32_t)u >> 1);
            bad += reader_remaining(&r) != 0;
            buf_free(&b);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_varint_known_bytes(void)
{
    struct buf b;
    buf_init(&b);

    codec_put_varint(&b, -1);
    EXPECT_BYTES(&b, 0x01);
    buf_reset(&b);
    codec_put_varint(&b, 1);
    EXPECT_BYTES(&b, 0x02);
    buf_reset(&b);
    codec_put_varint(&b, 300);
    EXPECT_BYTES(&b, 0xd8, 0x04);
    buf_reset(&b);
    codec_put_varint(&b, -65);
    EXPECT_BYTES(&b, 0x81, 0x01);
    buf_reset(&b);
    codec_put_varint(&b, INT32_MIN);
    EXPECT_BYTES(&b, 0xff, 0xff, 0xff, 0xff, 0x0f);
    buf_reset(&b);
    codec_put_varint(&b, INT32_MAX);
    EXPECT_BYTES(&b, 0xfe, 0xff, 0xff, 0xff, 0x0f);
    buf_reset(&b);
    codec_put_uvarint(&b, 300);
    EXPECT_BYTES(&b, 0xac, 0x02);
    buf_reset(&b);
    codec_put_uvarint(&b, 16384);
    EXPECT_BYTES(&b, 0x80, 0x80, 0x01);
    buf_reset(&b);
    codec_put_varlong(&b, INT64_MIN);
    EXPECT_BYTES(&b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    buf_reset(&b);
    codec_put_uvarlong(&b, 1ull << 63);
    EXPECT_BYTES(&b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    buf_free(&b);

    /* Longer-than-needed encodings are still accepted, as Kafka accepts them. */
    struct reader r;
    uint32_t u;
    reader_init(&r, "\x80\x00", 2);
    CU_ASSERT(codec_get_uvarint(&r, &u) && u == 0 && reader_remaining(&r) == 0);
    reader_init(&r, "\xff\xff\xff\xff\x0f", 5);
    CU_ASSERT(codec_get_uvarint(&r, &u) && u == UINT32_MAX);
}

static void test_varint_rejects(void)
{
    struct reader r;
    uint32_t u32;
    int32_t s32;
    uint64_t u64;
    int64_t s64;

    /* Too many bytes. */
    reader_init(&r, "\xff\xff\xff\xff\xff\xff", 6);
    CU_ASSERT_FALSE(codec_get_uvarint(&r, &u32));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x80\x80\x80\x80\x80\x00", 6);
    CU_ASSERT_FALSE(codec_get_varint(&r, &s32));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 11);
    CU_ASSERT_FALSE(codec_get_uvarlong(&r, &u64));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11);
    CU_ASSERT_FALSE(codec_get_varlong(&r, &s64));
    expect_failed_at(&r, 0);

    /* Bits beyond the type in the last byte. */
    reader_init(&r, "\xff\xff\xff\xff\x1f", 5);
    CU_ASSERT_FALSE(codec_get_uvarint(&r, &u32));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x80\x80\x80\x80\x10", 5);
    CU_ASSERT_FALSE(codec_get_varint(&r, &s32));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
    CU_ASSERT_FALSE(codec_get_uvarlong(&r, &u64));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
    CU_ASSERT(codec_get_uvarlong(&r, &u64) && u64 == UINT64_MAX);
}

/* Writes null (when the form has one), empty and "abc" with put, reads them back with get, and
 * checks the wire bytes of the three. */
static void test_strings(void)
{
    struct buf b;
    struct reader r;
    struct kstr s;
    buf_init(&b);

    codec_put_string(&b, "", 0);
    codec_put_string(&b, "abc", 3);
    EXPECT_BYTES(&b, 0, 0, 0, 3, 'a', 'b', 'c');
    r = reader_of(&b);
    CU_ASSERT(codec_get_string(&r, &s) && s.len == 0 && s.ptr != NULL);
    CU_ASSERT(codec_get_string(&r, &s) && s.len == 3 && memcmp(s.ptr, "abc", 3) == 0);
    CU_ASSERT_EQUAL(s.ptr, (const char *)b.data + 4); /* a view, not a copy */

    buf_reset(&b);
    codec_put_nullable_string(&b, NULL, -1);
    codec_put_nullable_string(&b, "", 0);
    codec_put_nullable_string(&b, "abc", 3);
    EXPECT_BYTES(&b, 0xff, 0xff, 0, 0, 0, 3, 'a', 'b', 'c');
    r = reader_of(&b);
    CU_ASSERT(codec_get_nullable_string(&r, &s) && s.len == -1 && s.ptr == NULL);
    CU_ASSERT(codec_get_nullable_string(&r, &s) && s.len == 0 && s.ptr != NULL);
    CU_ASSERT(codec_get_nullable_string(&r, &s) && s.len == 3 && memcmp(s.ptr, "abc", 3) == 0);
    r = reader_of(&b);
    CU_ASSERT_FALSE(codec_get_string(&r, &s)); /* null where not allowed */
    expect_failed_at(&r, 0);

    buf_reset(&b);
    codec_put_compact_string(&b, "", 0);
    codec_put_compact_string(&b, "abc", 3);
    EXPECT_BYTES(&b, 1, 4, 'a', 'b', 'c');
    r = reader_of(&b);
    CU_ASSERT(codec_get_compact_string(&r, &s) && s.len == 0 && s.ptr != NULL);
    CU_ASSERT(codec_get_compact_string(&r, &s) && s.len == 3 && memcmp(s.ptr, "abc", 3) == 0);

    buf_reset(&b);
    codec_put_compact_nullable_string(&b, NULL, -1);
    codec_put_compact_nullable_string(&b, "", 0);
    codec_put_compact_nullable_string(&b, "abc", 3);
    EXPECT_BYTES(&b, 0, 1, 4, 'a', 'b', 'c');
    r = reader_of(&b);
    CU_ASSERT(codec_get_compact_nullable_string(&r, &s) && s.len == -1 && s.ptr == NULL);
    CU_ASSERT(codec_get_compact_nullable_string(&r, &s) && s.len == 0 && s.ptr != NULL);
    CU_ASSERT(codec_get_compact_nullable_string(&r, &s) && s.len == 3);
    r = reader_of(&b);
    CU_ASSERT_FALSE(codec_get_compact_string(&r, &s));
    expect_failed_at(&r, 0);
    CU_ASSERT(s.ptr == NULL && s.len == -1);
    buf_free(&b);
}

static void test_bytes(void)
{
    struct buf b;
    struct reader r;
    struct kbytes v;
    buf_init(&b);

    codec_put_bytes(&b, "", 0);
    codec_put_bytes(&b, "\x00\x01", 2);
    EXPECT_BYTES(&b, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1);
    r = reader_of(&b);
    CU_ASSERT(codec_get_bytes(&r, &v) && v.len == 0 && v.ptr != NULL);
    CU_ASSERT(codec_get_bytes(&r, &v) && v.len == 2 && v.ptr[1] == 1);

    buf_reset(&b);
    codec_put_nullable_bytes(&b, NULL, -1);
    codec_put_nullable_bytes(&b, "", 0);
    EXPECT_BYTES(&b, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);
    r = reader_of(&b);
    CU_ASSERT(codec_get_nullable_bytes(&r, &v) && v.len == -1 && v.ptr == NULL);
    CU_ASSERT(codec_get_nullable_bytes(&r, &v) && v.len == 0 && v.ptr != NULL);
    r = reader_of(&b);
    CU_ASSERT_FALSE(codec_get_bytes(&r, &v));
    expect_failed_at(&r, 0);

    buf_reset(&b);
    codec_put_compact_bytes(&b, "", 0);
    codec_put_compact_bytes(&b, "xy", 2);
    codec_put_compact_nullable_bytes(&b, NULL, -1);
    codec_put_compact_nullable_bytes(&b, "", 0);
    EXPECT_BYTES(&b, 1, 3, 'x', 'y', 0, 1);
    r = reader_of(&b);
    CU_ASSERT(codec_get_compact_bytes(&r, &v) && v.len == 0 && v.ptr != NULL);
    CU_ASSERT(codec_get_compact_bytes(&r, &v) && v.len == 2 && v.ptr[0] == 'x');
    CU_ASSERT(codec_get_compact_nullable_bytes(&r, &v) && v.len == -1 && v.ptr == NULL);
    CU_ASSERT(codec_get_compact_nullable_bytes(&r, &v) && v.len == 0 && v.ptr != NULL);
    reader_init(&r, "\x00", 1);
    CU_ASSERT_FALSE(codec_get_compact_bytes(&r, &v));
    expect_failed_at(&r, 0);

    /* Record keys and values: zig-zag length, so null (-1) is 0x01 and empty is 0x00. */
    buf_reset(&b);
    codec_put_varint_bytes(&b, NULL, -1);
    codec_put_varint_bytes(&b, "", 0);
    codec_put_varint_bytes(&b, "k", 1);
    EXPECT_BYTES(&b, 0x01, 0x00, 0x02, 'k');
    r = reader_of(&b);
    CU_ASSERT(codec_get_varint_bytes(&r, &v) && v.len == -1 && v.ptr == NULL);
    CU_ASSERT(codec_get_varint_bytes(&r, &v) && v.len == 0 && v.ptr != NULL);
    CU_ASSERT(codec_get_varint_bytes(&r, &v) && v.len == 1 && v.ptr[0] == 'k');
    CU_ASSERT_EQUAL(reader_remaining(&r), 0);
    buf_free(&b);
}

/* Lengths that are negative (other than null) or longer than what follows. */
static void test_bad_lengths(void)
{
    struct reader r;
    struct kstr s;
    struct kbytes v;

    reader_init(&r, "\xff\xfe" "abc", 5); /* -2 */
    CU_ASSERT_FALSE(codec_get_nullable_string(&r, &s));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x00\x04" "abc", 5);
    CU_ASSERT_FALSE(codec_get_string(&r, &s));
    expect_failed_at(&r, 0);
    CU_ASSERT(s.ptr == NULL && s.len == -1);
    reader_init(&r, "\x05" "abc", 4);
    CU_ASSERT_FALSE(codec_get_compact_nullable_string(&r, &s));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xfe" "abc", 7);
    CU_ASSERT_FALSE(codec_get_nullable_bytes(&r, &v));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x80\x00\x00\x00" "abc", 7); /* INT32_MIN */
    CU_ASSERT_FALSE(codec_get_bytes(&r, &v));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x00\x00\x00\x04" "abc", 7);
    CU_ASSERT_FALSE(codec_get_bytes(&r, &v));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xff\x0f" "abc", 8); /* length 2^32 - 2 */
    CU_ASSERT_FALSE(codec_get_compact_nullable_bytes(&r, &v));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x03" "abc", 4); /* zig-zag -2 */
    CU_ASSERT_FALSE(codec_get_varint_bytes(&r, &v));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x08" "abc", 4); /* 4 */
    CU_ASSERT_FALSE(codec_get_varint_bytes(&r, &v));
    expect_failed_at(&r, 0);
    CU_ASSERT(v.ptr == NULL && v.len == -1);
}

/* Compact strings share the int16 form's limit; compact bytes do not. */
static void test_compact_string_limit(void)
{
    struct buf b;
    struct reader r;
    struct kstr s;
    struct kbytes v;
    char *big = calloc(1, 40000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);

    buf_init(&b);
    codec_put_compact_string(&b, big, INT16_MAX);
    r = reader_of(&b);
    CU_ASSERT(codec_get_compact_string(&r, &s) && s.len == INT16_MAX);

    buf_reset(&b);
    codec_put_compact_bytes(&b, big, INT16_MAX + 1);
    r = reader_of(&b);
    CU_ASSERT_FALSE(codec_get_compact_string(&r, &s));
    expect_failed_at(&r, 0);
    r = reader_of(&b);
    CU_ASSERT(codec_get_compact_bytes(&r, &v) && v.len == INT16_MAX + 1);
    buf_free(&b);
    free(big);
}

static void test_arrays(void)
{
    struct buf b;
    struct reader r;
    int32_t n;
    buf_init(&b);

    codec_put_array_len(&b, -1);
    codec_put_array_len(&b, 0);
    codec_put_compact_array_len(&b, -1);
    codec_put_compact_array_len(&b, 0);
    codec_put_compact_array_len(&b, 200);
    EXPECT_BYTES(&b, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x00, 0x01, 0xc9, 0x01);
    r = reader_of(&b);
    CU_ASSERT(codec_get_array_len(&r, &n, 4) && n == -1);
    CU_ASSERT(codec_get_array_len(&r, &n, 4) && n == 0);
    CU_ASSERT(codec_get_compact_array_len(&r, &n, 4) && n == -1);
    CU_ASSERT(codec_get_compact_array_len(&r, &n, 4) && n == 0);
    CU_ASSERT(codec_get_compact_array_len(&r, &n, 0) && n == 200); /* 0: not bounded */
    buf_free(&b);

    /* Bounded by what remains: 10 elements of at least 4 bytes need 40 bytes. */
    uint8_t data[4 + 40] = {0, 0, 0, 10};
    reader_init(&r, data, sizeof data);
    CU_ASSERT(codec_get_array_len(&r, &n, 4) && n == 10);
    reader_init(&r, data, sizeof data - 1);
    CU_ASSERT_FALSE(codec_get_array_len(&r, &n, 4));
    expect_failed_at(&r, 0);
    CU_ASSERT_EQUAL(n, 0);
    data[3] = 11; /* compact 10 */
    reader_init(&r, data + 3, 1 + 40);
    CU_ASSERT(codec_get_compact_array_len(&r, &n, 4) && n == 10);
    reader_init(&r, data + 3, 1 + 39);
    CU_ASSERT_FALSE(codec_get_compact_array_len(&r, &n, 4));
    expect_failed_at(&r, 0);

    /* A hostile count must not pass, even with an element size that would overflow. */
    reader_init(&r, "\x7f\xff\xff\xff" "abcd", 8);
    CU_ASSERT_FALSE(codec_get_array_len(&r, &n, 1));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x00\x00\x00\x02" "abcd", 8);
    CU_ASSERT_FALSE(codec_get_array_len(&r, &n, SIZE_MAX / 2 + 1));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xfe", 4); /* -2 */
    CU_ASSERT_FALSE(codec_get_array_len(&r, &n, 0));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xff\x0f", 5); /* count 2^32 - 2 */
    CU_ASSERT_FALSE(codec_get_compact_array_len(&r, &n, 0));
    expect_failed_at(&r, 0);
}

/* Collects the fields a tagged-field section holds; tag 7 is "known" and holds an int32. */
struct tag_log {
    uint32_t tags[8];
    size_t sizes[8];
    int count;
    int32_t known;
    bool refuse;
};

static bool log_tag(void *ctx, uint32_t tag, struct reader *value)
{
    struct tag_log *log = ctx;
    if (log->count < 8) {
        log->tags[log->count] = tag;
        log->sizes[log->count] = reader_remaining(value);
    }
    log->count++;
    if (tag == 7)
        codec_get_int32(value, &log->known); /* a short value leaves it failed */
    return !log->refuse;
}

static void write_three_fields(struct buf *b)
{
    static const uint8_t known[4] = {0, 0, 1, 0};
    codec_put_uvarint(b, 3);
    codec_put_tagged_field(b, 0, "", 0);
    codec_put_tagged_field(b, 7, known, sizeof known);
    codec_put_tagged_field(b, 300, "zz", 2);
}

static void test_tagged_fields(void)
{
    struct buf b;
    struct reader r;
    struct tag_log log = {0};
    buf_init(&b);

    codec_put_empty_tagged_fields(&b);
    EXPECT_BYTES(&b, 0x00);
    r = reader_of(&b);
    CU_ASSERT(codec_skip_tagged_fields(&r) && reader_remaining(&r) == 0);

    buf_reset(&b);
    write_three_fields(&b);
    codec_put_int8(&b, 42); /* what follows the section */
    EXPECT_BYTES(&b, 3, 0, 0, 7, 4, 0, 0, 1, 0, 0xac, 0x02, 2, 'z', 'z', 42);
    r = reader_of(&b);
    CU_ASSERT_TRUE(codec_get_tagged_fields(&r, log_tag, &log));
    CU_ASSERT_EQUAL(log.count, 3);
    CU_ASSERT(log.tags[0] == 0 && log.tags[1] == 7 && log.tags[2] == 300);
    CU_ASSERT(log.sizes[0] == 0 && log.sizes[1] == 4 && log.sizes[2] == 2);
    CU_ASSERT_EQUAL(log.known, 256);
    CU_ASSERT_EQUAL(reader_remaining(&r), 1);

    r = reader_of(&b);
    CU_ASSERT_TRUE(codec_skip_tagged_fields(&r));
    CU_ASSERT_EQUAL(reader_remaining(&r), 1);

    /* The callback refusing a field fails the read. */
    log = (struct tag_log){.refuse = true};
    r = reader_of(&b);
    CU_ASSERT_FALSE(codec_get_tagged_fields(&r, log_tag, &log));
    expect_failed_at(&r, 0);
    buf_free(&b);
}

static void test_tagged_fields_rejects(void)
{
    struct reader r;
    struct tag_log log = {0};

    reader_init(&r, "\x02\x05\x00\x05\x00", 5); /* tag 5 twice */
    CU_ASSERT_FALSE(codec_skip_tagged_fields(&r));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x02\x05\x00\x03\x00", 5); /* 5 then 3 */
    CU_ASSERT_FALSE(codec_skip_tagged_fields(&r));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x01\x05\x04\x00\x00\x00", 6); /* size 4, 3 bytes left */
    CU_ASSERT_FALSE(codec_skip_tagged_fields(&r));
    expect_failed_at(&r, 0);
    reader_init(&r, "\x03\x00\x00\x01\x00", 5); /* count 3, only 2 fields */
    CU_ASSERT_FALSE(codec_skip_tagged_fields(&r));
    expect_failed_at(&r, 0);
    reader_init(&r, "\xff\xff\xff\xff\x0f", 5); /* huge count, no fields */
    CU_ASSERT_FALSE(codec_skip_tagged_fields(&r));
    expect_failed_at(&r, 0);

    /* A known field too short for what the callback reads from it. */
    reader_init(&r, "\x01\x07\x02\x00\x01", 5);
    CU_ASSERT_FALSE(codec_get_tagged_fields(&r, log_tag, &log));
    expect_failed_at(&r, 0);
}

static void test_patch_int32(void)
{
    struct buf b;
    buf_init(&b);
    size_t at = b.len;
    codec_put_int32(&b, 0);
    codec_put_string(&b, "hi", 2);
    codec_patch_int32(&b, at, (int32_t)(b.len - at - 4));
    EXPECT_BYTES(&b, 0, 0, 0, 4, 0, 2, 'h', 'i');
    codec_patch_int32(&b, 4, -1);
    EXPECT_BYTES(&b, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff);
    buf_free(&b);
}

/* Once failed, a reader refuses everything, even reads its remaining bytes could satisfy. */
static void test_failure_is_sticky(void)
{
    static const uint8_t data[] = {0, 9, 'a', 'b', 1, 2, 3, 4};
    struct reader r;
    struct kstr s;
    int8_t i8;
    uint32_t u;
    int32_t n;

    reader_init(&r, data, sizeof data);
    CU_ASSERT_FALSE(codec_get_string(&r, &s));
    CU_ASSERT_FALSE(codec_get_int8(&r, &i8));
    CU_ASSERT_EQUAL(i8, 0);
    CU_ASSERT_FALSE(codec_get_uvarint(&r, &u));
    CU_ASSERT_FALSE(codec_get_array_len(&r, &n, 0));
    CU_ASSERT_FALSE(codec_skip_tagged_fields(&r));
    expect_failed_at(&r, 0);
}

/* One encoded value and the single call that must read it. Truncated copies of it must fail
 * at every length without moving the reader; `tail` bytes are left unread by design. */
struct trunc_case {
    const char *name;
    void (*encode)(struct buf *b);
    bool (*decode)(struct reader *r);
    size_t tail;
};

#define CASE_SCALAR(name, type, put, value, get)                                                   \
    static void enc_##name(struct buf *b)                                                          \
    {                                                                                              \
        put(b, value);                                                                             \
    }                                                                                              \
    static bool dec_##name(struct reader *r)                                                       \
    {                                                                                              \
        type v;                                                                                    \
        return get(r, &v) && v == (value);                                                         \
    }

#define CASE_BLOB(name, type, put, text, get)                                                      \
    static void enc_##name(struct buf *b)                                                          \
    {                                                                                              \
        put(b, text, (int32_t)strlen(text));                                                       \
    }                                                                                              \
    static bool dec_##name(struct reader *r)                                                       \
    {                                                                                              \
        type v;                                                                                    \
        return get(r, &v) && v.len == (int32_t)strlen(text) &&                                     \
               memcmp(v.ptr, text, strlen(text)) == 0;                                             \
    }

CASE_SCALAR(int8, int8_t, codec_put_int8, -3, codec_get_int8)
CASE_SCALAR(int16, int16_t, codec_put_int16, -300, codec_get_int16)
CASE_SCALAR(int32, int32_t, codec_put_int32, INT32_MIN, codec_get_int32)
CASE_SCALAR(int64, int64_t, codec_put_int64, INT64_MAX, codec_get_int64)
CASE_SCALAR(uint32, uint32_t, codec_put_uint32, 0xfeedbeefu, codec_get_uint32)
CASE_SCALAR(bool, bool, codec_put_bool, true, codec_get_bool)
CASE_SCALAR(uvarint, uint32_t, codec_put_uvarint, UINT32_MAX, codec_get_uvarint)
CASE_SCALAR(uvarlong, uint64_t, codec_put_uvarlong, UINT64_MAX, codec_get_uvarlong)
CASE_SCALAR(varint, int32_t, codec_put_varint, INT32_MIN, codec_get_varint)
CASE_SCALAR(varlong, int64_t, codec_put_varlong, INT64_MIN, codec_get_varlong)
CASE_BLOB(string, struct kstr, codec_put_string, "hello", codec_get_string)
CASE_BLOB(nstring, struct kstr, codec_put_nullable_string, "hi", codec_get_nullable_string)
CASE_BLOB(cstring, struct kstr, codec_put_compact_string, "hello", codec_get_compact_string)
CASE_BLOB(cnstring, struct kstr, codec_put_compact_nullable_string, "hey",
          codec_get_compact_nullable_string)
CASE_BLOB(bytes, struct kbytes, codec_put_bytes, "abcd", codec_get_bytes)
CASE_BLOB(nbytes, struct kbytes, codec_put_nullable_bytes, "ab", codec_get_nullable_bytes)
CASE_BLOB(cbytes, struct kbytes, codec_put_compact_bytes, "abcd", codec_get_compact_bytes)
CASE_BLOB(cnbytes, struct kbytes, codec_put_compact_nullable_bytes, "abc",
          codec_get_compact_nullable_bytes)
CASE_BLOB(vbytes, struct kbytes, codec_put_varint_bytes, "value", codec_get_varint_bytes)

static void enc_uuid(struct buf *b)
{
    codec_put_uuid(b, (const uint8_t *)"0123456789abcdef");
}

static bool dec_uuid(struct reader *r)
{
    uint8_t v[16];
    return codec_get_uuid(r, v) && memcmp(v, "0123456789abcdef", 16) == 0;
}

/* Three two-byte elements follow the count: the bound makes the count alone fail when they
 * are cut off, even though the count itself is whole. */
static void enc_array(struct buf *b)
{
    codec_put_array_len(b, 3);
    buf_append(b, "aabbcc", 6);
}

static bool dec_array(struct reader *r)
{
    int32_t n;
    return codec_get_array_len(r, &n, 2) && n == 3;
}

static void enc_carray(struct buf *b)
{
    codec_put_compact_array_len(b, 3);
    buf_append(b, "aabbcc", 6);
}

static bool dec_carray(struct reader *r)
{
    int32_t n;
    return codec_get_compact_array_len(r, &n, 2) && n == 3;
}

static bool dec_tagged(struct reader *r)
{
    struct tag_log log = {0};
    return codec_get_tagged_fields(r, log_tag, &log) && log.count == 3 && log.known == 256;
}

static bool dec_skip_tagged(struct reader *r)
{
    return codec_skip_tagged_fields(r);
}

static const struct trunc_case trunc_cases[] = {
    {"int8", enc_int8, dec_int8, 0},
    {"int16", enc_int16, dec_int16, 0},
    {"int32", enc_int32, dec_int32, 0},
    {"int64", enc_int64, dec_int64, 0},
    {"uint32", enc_uint32, dec_uint32, 0},
    {"bool", enc_bool, dec_bool, 0},
    {"uuid", enc_uuid, dec_uuid, 0},
    {"uvarint", enc_uvarint, dec_uvarint, 0},
    {"uvarlong", enc_uvarlong, dec_uvarlong, 0},
    {"varint", enc_varint, dec_varint, 0},
    {"varlong", enc_varlong, dec_varlong, 0},
    {"string", enc_string, dec_string, 0},
    {"nullable_string", enc_nstring, dec_nstring, 0},
    {"compact_string", enc_cstring, dec_cstring, 0},
    {"compact_nullable_string", enc_cnstring, dec_cnstring, 0},
    {"bytes", enc_bytes, dec_bytes, 0},
    {"nullable_bytes", enc_nbytes, dec_nbytes, 0},
    {"compact_bytes", enc_cbytes, dec_cbytes, 0},
    {"compact_nullable_bytes", enc_cnbytes, dec_cnbytes, 0},
    {"varint_bytes", enc_vbytes, dec_vbytes, 0},
    {"array_len", enc_array, dec_array, 6},
    {"compact_array_len", enc_carray, dec_carray, 6},
    {"tagged_fields", write_three_fields, dec_tagged, 0},
    {"skip_tagged_fields", write_three_fields, dec_skip_tagged, 0},
};

/* Decodes a copy of the first len bytes in a heap block of exactly that size, so that under
 * ASan a read one byte too far is caught rather than landing in the original buffer. */
static bool decode_prefix(const struct trunc_case *c, const struct buf *full, size_t len,
                          struct reader *r)
{
    uint8_t *copy = malloc(len);
    if (len > 0) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, full->data, len);
    }
    reader_init(r, copy, len);
    bool ok = c->decode(r);
    free(copy);
    return ok;
}

static void test_truncation(void)
{
    for (size_t i = 0; i < sizeof trunc_cases / sizeof trunc_cases[0]; i++) {
        const struct trunc_case *c = &trunc_cases[i];
        struct buf full;
        struct reader r;
        buf_init(&full);
        c->encode(&full);

        bool whole_ok = decode_prefix(c, &full, full.len, &r);
        CU_ASSERT(whole_ok && reader_ok(&r) && reader_remaining(&r) == c->tail);
        if (!whole_ok)
            fprintf(stderr, "\n  %s: the whole encoding did not decode\n", c->name);

        for (size_t len = 0; len < full.len; len++) {
            bool ok = decode_prefix(c, &full, len, &r);
            bool clean = !ok && r.failed && r.pos == 0;
            CU_ASSERT(clean);
            if (!clean)
                fprintf(stderr, "\n  %s: cut at %zu of %zu not rejected cleanly\n", c->name, len,
                        full.len);
        }
        buf_free(&full);
    }
}

static const struct cunit_test tests[] = {
    {"buf_growth", test_buf_growth},
    {"reader_basics", test_reader_basics},
    {"fixed_width", test_fixed_width},
    {"varint_boundaries", test_varint_boundaries},
    {"varint_sweep", test_varint_sweep},
    {"varint_known_bytes", test_varint_known_bytes},
    {"varint_rejects", test_varint_rejects},
    {"strings", test_strings},
    {"bytes", test_bytes},
    {"bad_lengths", test_bad_lengths},
    {"compact_string_limit", test_compact_string_limit},
    {"arrays", test_arrays},
    {"tagged_fields", test_tagged_fields},
    {"tagged_fields_rejects", test_tagged_fields_rejects},
    {"patch_int32", test_patch_int32},
    {"failure_is_sticky", test_failure_is_sticky},
    {"truncation", test_truncation},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("codec", tests);
}
