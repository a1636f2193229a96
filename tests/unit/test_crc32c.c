/* Unit tests for common/crc32c.c: published vectors, chaining, and the table and SSE4.2 code
 * checked against a bit-at-a-time reference at every length, alignment and a few large sizes. */
#include "common/crc32c.h"
#include "tests/unit/cunit_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t (*crc_fn)(uint32_t crc, const void *data, size_t len);

/* The definition itself, one bit at a time: slow, but too simple to share a bug with the
 * optimised code. */
static uint32_t crc_reference(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (crc & 1 ? 0x82F63B78u : 0);
    }
    return ~crc;
}

/* Deterministic test data, so a failure can be reproduced. */
static void fill_random(uint8_t *p, size_t len, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 32);
    }
}

static bool hw_or_note(void)
{
    static bool noted;
    if (crc32c_hw_available())
        return true;
    if (!noted)
        printf("\n  note: no SSE4.2 on this CPU, hardware CRC checks skipped\n");
    noted = true;
    return false;
}

static void check_vectors(crc_fn fn)
{
    uint8_t buf[32];

    CU_ASSERT_EQUAL(fn(0, "123456789", 9), 0xE3069283u);
    memset(buf, 0x00, sizeof buf);
    CU_ASSERT_EQUAL(fn(0, buf, sizeof buf), 0x8A9136AAu);
    memset(buf, 0xFF, sizeof buf);
    CU_ASSERT_EQUAL(fn(0, buf, sizeof buf), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    CU_ASSERT_EQUAL(fn(0, buf, sizeof buf), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    CU_ASSERT_EQUAL(fn(0, buf, sizeof buf), 0x113FDB5Cu);
    CU_ASSERT_EQUAL(fn(0, NULL, 0), 0u);
    CU_ASSERT_EQUAL(fn(0x12345678u, NULL, 0), 0x12345678u);
}

static void test_reference_vectors(void)
{
    check_vectors(crc_reference);
}

static void test_portable_vectors(void)
{
    check_vectors(crc32c_portable);
}

static void test_hw_vectors(void)
{
    if (hw_or_note())
        check_vectors(crc32c_hw);
}

static void test_dispatch(void)
{
    check_vectors(crc32c);
    CU_ASSERT_STRING_EQUAL(crc32c_impl_name(), crc32c_hw_available() ? "sse4.2" : "table");
}

static void check_chaining(crc_fn fn)
{
    uint8_t buf[300];
    fill_random(buf, sizeof buf, 1);
    uint32_t whole = fn(0, buf, sizeof buf);
    unsigned bad = 0;
    for (size_t split = 0; split <= sizeof buf; split++) {
        uint32_t c = fn(fn(0, buf, split), buf + split, sizeof buf - split);
        bad += c != whole;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(whole, crc_reference(0, buf, sizeof buf));
}

static void test_chaining(void)
{
    check_chaining(crc32c_portable);
    check_chaining(crc32c);
    if (hw_or_note())
        check_chaining(crc32c_hw);
}

/* Every length 0..1024 from every start alignment 0..15: covers the byte-wise head and tail,
 * the single-stream loop and the short three-stream rounds. */
static void test_all_lengths_and_alignments(void)
{
    enum { MAX_LEN = 1024, ALIGNS = 16 };
    bool hw = hw_or_note();
    uint8_t *mem = malloc(MAX_LEN + ALIGNS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    fill_random(mem, MAX_LEN + ALIGNS, 2);

    for (size_t align = 0; align < ALIGNS; align++) {
        unsigned bad_portable = 0, bad_hw = 0;
        for (size_t len = 0; len <= MAX_LEN; len++) {
            uint32_t want = crc_reference(0, mem + align, len);
            bad_portable += crc32c_portable(0, mem + align, len) != want;
            if (hw)
                bad_hw += crc32c_hw(0, mem + align, len) != want;
        }
        CU_ASSERT_EQUAL(bad_portable, 0);
        CU_ASSERT_EQUAL(bad_hw, 0);
    }
    free(mem);
}

/* Sizes around the long-round boundary (3 x 8 KiB) and over a few MiB, at odd offsets, so the
 * long rounds, the short rounds and the tail all run after one another. */
static void test_large_buffers(void)
{
    static const size_t lens[] = {
        3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 3 * 256 + 7,
        1u << 20, (1u << 20) + 13, 3u << 20, (5u << 20) + 777,
    };
    size_t max = (5u << 20) + 777 + 16;
    uint8_t *mem = malloc(max);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    fill_random(mem, max, 3);

    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (size_t align = 0; align < 16; align += 13) {
            const uint8_t *p = mem + align;
            uint32_t want = crc_reference(0x5A5A5A5Au, p, lens[i]);
            CU_ASSERT_EQUAL(crc32c_portable(0x5A5A5A5Au, p, lens[i]), want);
            if (hw_or_note())
                CU_ASSERT_EQUAL(crc32c_hw(0x5A5A5A5Au, p, lens[i]), want);
        }
    }
    free(mem);
}

/* The long rounds must also chain: split a large buffer mid-round. */
static void test_large_chaining(void)
{
    size_t len = (2u << 20) + 5;
    uint8_t *mem = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
    fill_random(mem, len, 4);
    uint32_t whole = crc32c_portable(0, mem, len);
    CU_ASSERT_EQUAL(crc32c(crc32c(0, mem, 100003), mem + 100003, len - 100003), whole);
    if (hw_or_note())
        CU_ASSERT_EQUAL(crc32c_hw(crc32c_hw(0, mem, 777), mem + 777, len - 777), whole);
    free(mem);
}

static const struct cunit_test tests[] = {
    {"reference_vectors", test_reference_vectors},
    {"portable_vectors", test_portable_vectors},
    {"hw_vectors", test_hw_vectors},
    {"dispatch", test_dispatch},
    {"chaining", test_chaining},
    {"all_lengths_and_alignments", test_all_lengths_and_alignments},
    {"large_buffers", test_large_buffers},
    {"large_chaining", test_large_chaining},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("crc32c", tests);
}
