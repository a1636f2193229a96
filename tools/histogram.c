/* Log-linear histogram (see histogram.h). Indexing is a shift and a count-leading-zeros, so
 * recording costs a few instructions; the percentile walk is linear in the bucket count, which
 * is fine for a report printed once. */
#include "tools/histogram.h"

#include <math.h>
#include <string.h>

#define SUB_COUNT    (1ull << HISTOGRAM_SUB_BITS)
#define LINEAR_LIMIT (2 * SUB_COUNT) /* values below this have a bucket of their own */
#define TOP_VALUE    ((1ull << HISTOGRAM_MAX_EXP) - 1)

static unsigned bucket_index(uint64_t value)
{
    if (value > TOP_VALUE)
        value = TOP_VALUE;
    if (value < LINEAR_LIMIT)
        return (unsigned)value;
    /* value lies in [2^exponent, 2^(exponent+1)); octave 0 is the first one past the linear
     * range, and its top SUB_BITS+1 bits (leading 1 included) pick the bucket within it. */
    unsigned exponent = 63u - (unsigned)__builtin_clzll(value);
    unsigned octave = exponent - (HISTOGRAM_SUB_BITS + 1);
    unsigned shift = octave + 1;
    return (unsigned)(LINEAR_LIMIT + octave * SUB_COUNT + ((value >> shift) - SUB_COUNT));
}

/* The smallest value in a bucket and the bucket's width: the inverse of bucket_index. */
static void bucket_range(unsigned index, uint64_t *low, uint64_t *width)
{
    if (index < LINEAR_LIMIT) {
        *low = index;
        *width = 1;
        return;
    }
    unsigned octave = (unsigned)((index - LINEAR_LIMIT) / SUB_COUNT);
    uint64_t mantissa = SUB_COUNT + (index - LINEAR_LIMIT) % SUB_COUNT;
    unsigned shift = octave + 1;
    *low = mantissa << shift;
    *width = 1ull << shift;
}

void histogram_init(struct histogram *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

void histogram_record(struct histogram *h, uint64_t value)
{
    h->buckets[bucket_index(value)]++;
    h->count++;
    h->sum += value;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
}

/* 1-based nearest rank. The small tolerance keeps decimal percents such as 99.9, which binary
 * floating point holds slightly high, from rounding the rank up past an exact boundary. */
static uint64_t percentile_rank(uint64_t count, double percent)
{
    double exact = percent / 100.0 * (double)count;
    double rank = ceil(exact - exact * 1e-12);
    if (rank < 1)
        return 1;
    if (rank > (double)count)
        return count;
    return (uint64_t)rank;
}

uint64_t histogram_percentile(const struct histogram *h, double percent)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = percentile_rank(h->count, percent);
    uint64_t seen = 0;
    unsigned index = 0;
    for (; index < HISTOGRAM_BUCKETS - 1; index++) {
        seen += h->buckets[index];
        if (seen >= rank)
            break;
    }
    uint64_t low, width;
    bucket_range(index, &low, &width);
    uint64_t middle = low + (width - 1) / 2;
    if (middle < h->min)
        return h->min;
    return middle > h->max ? h->max : middle;
}

uint64_t histogram_max(const struct histogram *h)
{
    return h->max;
}

double histogram_mean(const struct histogram *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}
