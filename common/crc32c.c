/* CRC-32C for record batches: a slicing-by-8 table version that runs anywhere, and an SSE4.2
 * version that runs three crc32 instruction streams side by side and stitches them together.
 * Tables are built once, on first use, under pthread_once. */
#include "common/crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

/* The Castagnoli polynomial, bit-reversed: bit 31 holds the x^0 coefficient, bit 0 x^31. */
#define CRC32C_POLY 0x82F63B78u

/* slice[k][v] is the register after byte v and then k zero bytes, so one step can fold eight
 * input bytes with eight independent lookups. */
static uint32_t slice[8][256];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool hw_present;

/* Multiplies a by x modulo the polynomial: one register step on a zero bit. */
static uint32_t times_x(uint32_t a)
{
    return (a >> 1) ^ (a & 1 ? CRC32C_POLY : 0);
}

static void init_slice_tables(void)
{
    for (uint32_t v = 0; v < 256; v++) {
        uint32_t c = v;
        for (int bit = 0; bit < 8; bit++)
            c = times_x(c);
        slice[0][v] = c;
    }
    for (int k = 1; k < 8; k++) {
        for (int v = 0; v < 256; v++) {
            uint32_t prev = slice[k - 1][v];
            slice[k][v] = (prev >> 8) ^ slice[0][prev & 0xff];
        }
    }
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The register update without the initial and final inversion. */
static uint32_t portable_update(uint32_t c, const uint8_t *p, size_t len)
{
    for (; len >= 8; p += 8, len -= 8) {
        uint32_t lo = c ^ load_le32(p);
        uint32_t hi = load_le32(p + 4);
        c = slice[7][lo & 0xff] ^ slice[6][(lo >> 8) & 0xff] ^ slice[5][(lo >> 16) & 0xff] ^
            slice[4][lo >> 24] ^ slice[3][hi & 0xff] ^ slice[2][(hi >> 8) & 0xff] ^
            slice[1][(hi >> 16) & 0xff] ^ slice[0][hi >> 24];
    }
    for (; len > 0; p++, len--)
        c = (c >> 8) ^ slice[0][(c ^ *p) & 0xff];
    return c;
}

#if defined(__x86_64__)

/* Bytes per stream in one round of the three-stream loop. Long rounds make the cost of
 * combining negligible on big buffers; short rounds let medium buffers run in parallel too. */
#define LONG_BLOCK  8192
#define SHORT_BLOCK 256

/* shift_long[k][v] is the register v << 8k after LONG_BLOCK zero bytes (likewise for short):
 * the register is linear in its start value, so four lookups advance any value past a block. */
static uint32_t shift_long[4][256];
static uint32_t shift_short[4][256];

/* Carry-less product of a and b modulo the polynomial, both bit-reversed. */
static uint32_t gf2_mulmod(uint32_t a, uint32_t b)
{
    uint32_t prod = 0;
    for (uint32_t bit = 0x80000000u; bit != 0; bit >>= 1) {
        if (a & bit)
            prod ^= b;
        b = times_x(b);
    }
    return prod;
}

static void init_shift_table(uint32_t table[4][256], size_t block)
{
    uint32_t xpow = 0x80000000u; /* x^0 */
    for (size_t i = 0; i < 8 * block; i++)
        xpow = times_x(xpow);
    for (int k = 0; k < 4; k++) {
        for (uint32_t v = 0; v < 256; v++)
            table[k][v] = gf2_mulmod(v << (8 * k), xpow);
    }
}

static uint32_t shift_by(const uint32_t table[4][256], uint32_t c)
{
    return table[0][c & 0xff] ^ table[1][(c >> 8) & 0xff] ^ table[2][(c >> 16) & 0xff] ^
           table[3][c >> 24];
}

static uint64_t load_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* compiles to one load, and is safe at any alignment */
    return v;
}

/* crc32 has a latency of several cycles but issues every cycle, so one dependent chain wastes
 * most of the unit. Rounds of three equal blocks are summed separately, with streams two and
 * three starting from zero, and joined by shifting the earlier sums past the later blocks. */
__attribute__((target("sse4.2")))
static uint32_t hw_three_way(uint32_t c, const uint8_t **pp, size_t *lenp, size_t block,
                             const uint32_t shift[4][256])
{
    const uint8_t *p = *pp;
    size_t len = *lenp;

    for (; len >= 3 * block; p += 3 * block, len -= 3 * block) {
        uint64_t c0 = c, c1 = 0, c2 = 0;
        for (size_t i = 0; i < block; i += 8) {
            c0 = _mm_crc32_u64(c0, load_u64(p + i));
            c1 = _mm_crc32_u64(c1, load_u64(p + block + i));
            c2 = _mm_crc32_u64(c2, load_u64(p + 2 * block + i));
        }
        c = shift_by(shift, (uint32_t)c0) ^ (uint32_t)c1;
        c = shift_by(shift, c) ^ (uint32_t)c2;
    }
    *pp = p;
    *lenp = len;
    return c;
}

__attribute__((target("sse4.2")))
static uint32_t hw_update(uint32_t c, const uint8_t *p, size_t len)
{
    /* Aligned 8-byte loads never straddle a cache line. */
    for (; len > 0 && ((uintptr_t)p & 7) != 0; p++, len--)
        c = _mm_crc32_u8(c, *p);
    c = hw_three_way(c, &p, &len, LONG_BLOCK, shift_long);
    c = hw_three_way(c, &p, &len, SHORT_BLOCK, shift_short);
    uint64_t c64 = c;
    for (; len >= 8; p += 8, len -= 8)
        c64 = _mm_crc32_u64(c64, load_u64(p));
    c = (uint32_t)c64;
    for (; len > 0; p++, len--)
        c = _mm_crc32_u8(c, *p);
    return c;
}

static void init_hw(void)
{
    __builtin_cpu_init(); /* needed if we are first called from a constructor */
    hw_present = __builtin_cpu_supports("sse4.2");
    if (hw_present) {
        init_shift_table(shift_long, LONG_BLOCK);
        init_shift_table(shift_short, SHORT_BLOCK);
    }
}

#else

static void init_hw(void)
{
    hw_present = false;
}

#endif

static void init_all(void)
{
    init_slice_tables();
    init_hw();
}

uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&init_once, init_all);
    return ~portable_update(~crc, data, len);
}

uint32_t crc32c_hw(uint32_t crc, const void *data, size_t len)
{
#if defined(__x86_64__)
    /* Falling back instead of faulting keeps a careless caller correct, if slow. */
    if (crc32c_hw_available())
        return ~hw_update(~crc, data, len);
#endif
    return crc32c_portable(crc, data, len);
}

bool crc32c_hw_available(void)
{
    pthread_once(&init_once, init_all);
    return hw_present;
}

const char *crc32c_impl_name(void)
{
    return crc32c_hw_available() ? "sse4.2" : "table";
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
    return crc32c_hw_available() ? crc32c_hw(crc, data, len)
                                 : crc32c_portable(crc, data, len);
}
