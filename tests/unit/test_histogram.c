/* Unit tests for tools/histogram.c: percentiles, max and mean checked against a sorted copy of
 * the same data, for exact small values and for random data spread over many decades. */
#include "tools/histogram.h"
#include "tests/unit/cunit_main.h"

#include <math.h>
#include <stdlib.h>

#define SAMPLES 200000

/* Percents as millionths, so the expected rank comes from integer arithmetic and shares no
 * floating-point rounding with the code under test. */
static const uint64_t percents_e6[] = {0,        1000000,  10000000, 50000000, 90000000,
                                       95000000, 99000000, 99900000, 99990000, 100000000};

/* Deterministic, so a failure can be reproduced. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* Uniform in [0, 1). */
static double random_unit(uint64_t *state)
{
    return (double)(next_random(state) >> 11) / 9007199254740992.0;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile of sorted values: the ceil(p * n)-th smallest, at least the 1st. */
static uint64_t sorted_percentile(const uint64_t *sorted, size_t n, uint64_t percent_e6)
{
    uint64_t rank = (percent_e6 * n + 100000000 - 1) / 100000000;
    return sorted[rank == 0 ? 0 : rank - 1];
}

/* Records the values, then holds every percentile to within `tolerance` of the exact one. */
static void check_against_sorted(uint64_t *values, size_t n, double tolerance)
{
    static struct histogram h;
    histogram_init(&h);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        histogram_record(&h, values[i]);
        sum += values[i];
    }
    qsort(values, n, sizeof *values, compare_u64);

    for (size_t i = 0; i < sizeof percents_e6 / sizeof *percents_e6; i++) {
        double percent = (double)percents_e6[i] / 1e6;
        double expected = (double)sorted_percentile(values, n, percents_e6[i]);
        double got = (double)histogram_percentile(&h, percent);
        CU_ASSERT(fabs(got - expected) <= expected * tolerance);
    }
    CU_ASSERT_EQUAL(histogram_max(&h), values[n - 1]);
    CU_ASSERT_DOUBLE_EQUAL(histogram_mean(&h), (double)sum / (double)n, 1e-6);
    CU_ASSERT_EQUAL(h.count, n);
}

static void test_empty(void)
{
    struct histogram h;
    histogram_init(&h);
    CU_ASSERT_EQUAL(histogram_percentile(&h, 50), 0);
    CU_ASSERT_EQUAL(histogram_max(&h), 0);
    CU_ASSERT_DOUBLE_EQUAL(histogram_mean(&h), 0.0, 1e-12);
}

static void test_single_value(void)
{
    struct histogram h;
    histogram_init(&h);
    histogram_record(&h, 123456);
    CU_ASSERT_EQUAL(histogram_percentile(&h, 0), 123456);
    CU_ASSERT_EQUAL(histogram_percentile(&h, 50), 123456);
    CU_ASSERT_EQUAL(histogram_percentile(&h, 100), 123456);
    CU_ASSERT_EQUAL(histogram_max(&h), 123456);
}

/* Below 256 µs every value has its own bucket, so percentiles are exact. */
static void test_small_values_exact(void)
{
    uint64_t values[256 * 4];
    size_t n = sizeof values / sizeof *values;
    for (size_t i = 0; i < n; i++)
        values[i] = (i * 7919) % 256;
    check_against_sorted(values, n, 0.0);
}

/* Log-uniform from 1 µs to about 17 minutes: every octave of the range gets exercised. */
static void test_random_log_uniform(void)
{
    uint64_t *values = malloc(SAMPLES * sizeof *values);
    uint64_t state = 0x1234567887654321ull;
    for (size_t i = 0; i < SAMPLES; i++)
        values[i] = (uint64_t)exp(random_unit(&state) * log(1e9));
    check_against_sorted(values, SAMPLES, 1.0 / 256);
    free(values);
}

/* Latency-like: exponential around 2 ms with a rare slow tail of whole seconds. */
static void test_random_latency_shape(void)
{
    uint64_t *values = malloc(SAMPLES * sizeof *values);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        uint64_t state = seed * 0x9E3779B97F4A7C15ull;
        for (size_t i = 0; i < SAMPLES; i++) {
            double mean_us = random_unit(&state) < 0.001 ? 2e6 : 2e3;
            values[i] = (uint64_t)(-log(1.0 - random_unit(&state)) * mean_us);
        }
        check_against_sorted(values, SAMPLES, 1.0 / 256);
    }
    free(values);
}

/* Beyond the bucketed range the max stays exact and percentiles never exceed it. */
static void test_huge_values_clamped(void)
{
    struct histogram h;
    histogram_init(&h);
    histogram_record(&h, 5);
    histogram_record(&h, UINT64_MAX / 4);
    CU_ASSERT_EQUAL(histogram_max(&h), UINT64_MAX / 4);
    CU_ASSERT_EQUAL(histogram_percentile(&h, 0), 5);
    CU_ASSERT(histogram_percentile(&h, 100) <= UINT64_MAX / 4);
    CU_ASSERT(histogram_percentile(&h, 100) >= (1ull << HISTOGRAM_MAX_EXP) / 2);
}

static const struct cunit_test tests[] = {
    {"empty", test_empty},
    {"single_value", test_single_value},
    {"small_values_exact", test_small_values_exact},
    {"random_log_uniform", test_random_log_uniform},
    {"random_latency_shape", test_random_latency_shape},
    {"huge_values_clamped", test_huge_values_clamped},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("histogram", tests);
}
