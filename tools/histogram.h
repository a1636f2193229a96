/* A log-linear latency histogram: fixed memory, values in microseconds, percentiles within
 * 0.4% of the exact value. Used by `gregor perf produce`; one thread at a time. */
#ifndef GREGOR_TOOLS_HISTOGRAM_H
#define GREGOR_TOOLS_HISTOGRAM_H

#include <stdint.h>

/* Values below 2^(SUB_BITS+1) get a bucket each. Above that, every power of two is split into
 * 2^SUB_BITS equal buckets, so a bucket is never wider than 1/128 of its lower bound. */
#define HISTOGRAM_SUB_BITS 7
/* Values from 2^MAX_EXP µs (about 12.7 days) up are counted in the top bucket. */
#define HISTOGRAM_MAX_EXP 40
#define HISTOGRAM_BUCKETS                                                                          \
    ((2u << HISTOGRAM_SUB_BITS) +                                                                  \
     (HISTOGRAM_MAX_EXP - HISTOGRAM_SUB_BITS - 1) * (1u << HISTOGRAM_SUB_BITS))

struct histogram {
    uint64_t count;
    uint64_t sum; /* exact, for the mean */
    uint64_t min; /* exact; UINT64_MAX while empty */
    uint64_t max; /* exact, even beyond the bucketed range */
    uint64_t buckets[HISTOGRAM_BUCKETS];
};

void histogram_init(struct histogram *h);
void histogram_record(struct histogram *h, uint64_t value);

/* The nearest-rank percentile: the smallest recorded value v such that at least `percent`% of
 * the values are <= v, reported as the middle of v's bucket (clamped to [min, max]).
 * percent is in [0, 100]; an empty histogram gives 0. */
uint64_t histogram_percentile(const struct histogram *h, double percent);
uint64_t histogram_max(const struct histogram *h);  /* 0 when empty */
double histogram_mean(const struct histogram *h);   /* 0 when empty */

#endif
