/* Log segments checked against a model of the batches appended: find, read ranges, timestamp
 * lookups, index spacing, seal and reopen, index rebuild, truncation, recovery and deletion. */
#include "broker/log/batch_builder.h"
#include "broker/log/segment.h"
#include "common/buf.h"
#include "tests/unit/cunit_main.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASE          5000
#define MAX_BATCHES   512
#define MAX_RECORDS   8
#define INTERVAL      700
#define NO_BATCH      ((size_t)-1)

/* One batch as the test appended it. */
struct mbatch {
    int64_t base;
    int64_t last;
    uint64_t pos;
    uint64_t size;
    int count;
    int64_t ts[MAX_RECORDS];
    int64_t max_ts;
};

static struct {
    struct mbatch b[MAX_BATCHES];
    size_t n;
    uint64_t size;
    int64_t next_offset;
} model;

static char *dir;
static struct log_config cfg;
static uint64_t rng_state;

static uint32_t rnd(uint32_t below)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % below);
}

static void setup(uint64_t seed)
{
    dir = cunit_tempdir("segment");
    log_config_defaults(&cfg);
    cfg.index_interval_bytes = INTERVAL;
    cfg.index_max_bytes = 8 * 4096;
    memset(&model, 0, sizeof(model));
    model.next_offset = BASE;
    rng_state = seed;
}

static void teardown(void)
{
    cunit_rmtree(dir);
    free(dir);
}

static struct segment *create_segment(void)
{
    struct segment *seg = NULL;
    CU_ASSERT_EQUAL_FATAL(segment_create(&seg, dir, BASE, &cfg, 1234), ERR_NONE);
    return seg;
}

static struct segment *reopen(bool active, bool *rebuilt)
{
    struct segment *seg = NULL;
    uint64_t cut = 99;
    CU_ASSERT_EQUAL_FATAL(segment_open(&seg, dir, BASE, &cfg, active, rebuilt, &cut), ERR_NONE);
    CU_ASSERT_EQUAL(cut, 0);
    return seg;
}

static void file_path(char *out, size_t size, const char *suffix)
{
    segment_path(out, size, dir, BASE, suffix);
}

static long long file_size(const char *suffix)
{
    char path[PATH_MAX];
    struct stat st;
    file_path(path, sizeof(path), suffix);
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Builds a batch of `count` records with these timestamps, offsets from `base`, into out. */
static void build_batch(struct buf *out, int count, const int64_t *ts, size_t value_len,
                        int64_t base)
{
    static const char value[1024] = {0};
    struct batch_builder b;
    batch_builder_init(&b, ts[0]);
    for (int i = 0; i < count; i++)
        batch_builder_add(&b, ts[i], "key", 3, value, (int32_t)value_len);
    batch_builder_finish(&b);
    size_t at = out->len;
    buf_append(out, b.out.data, b.out.len);
    rb_set_base_offset(out->data + at, base);
    batch_builder_free(&b);
}

/* Notes in the model a batch of `size` bytes appended at the end. */
static void model_add(int count, const int64_t *ts, int64_t base, uint64_t size)
{
    CU_ASSERT_FATAL(model.n < MAX_BATCHES);
    struct mbatch *m = &model.b[model.n++];
    m->base = base;
    m->last = base + count - 1;
    m->pos = model.size;
    m->size = size;
    m->count = count;
    m->max_ts = ts[0];
    for (int i = 0; i < count; i++) {
        m->ts[i] = ts[i];
        if (ts[i] > m->max_ts)
            m->max_ts = ts[i];
    }
    model.size += size;
    model.next_offset = m->last + 1;
}

/* Appends one batch at `base` through segment_append and the model. */
static void append_batch(struct segment *seg, int count, const int64_t *ts, size_t value_len,
                         int64_t base)
{
    struct buf data;
    buf_init(&data);
    build_batch(&data, count, ts, value_len, base);
    CU_ASSERT_EQUAL_FATAL(segment_append(seg, data.data, data.len), ERR_NONE);
    model_add(count, ts, base, data.len);
    buf_free(&data);
}

/* Appends n random batches, sometimes leaving gaps in the offsets, as compaction does. */
static void append_random(struct segment *seg, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int count = 1 + (int)rnd(MAX_RECORDS);
        int64_t ts[MAX_RECORDS];
        int64_t baseline = 1000000 + 100 * (int64_t)model.n;
        for (int r = 0; r < count; r++)
            ts[r] = baseline + rnd(300);
        int64_t base = model.next_offset + (rnd(6) == 0 ? 1 + rnd(3) : 0);
        append_batch(seg, count, ts, rnd(400), base);
    }
}

/* The first model batch whose last offset is >= offset, or NO_BATCH. */
static size_t model_holding(int64_t offset)
{
    for (size_t i = 0; i < model.n; i++) {
        if (model.b[i].last >= offset)
            return i;
    }
    return NO_BATCH;
}

static int64_t model_max_ts(void)
{
    int64_t max = RB_NO_TIMESTAMP;
    for (size_t i = 0; i < model.n; i++) {
        if (model.b[i].max_ts > max)
            max = model.b[i].max_ts;
    }
    return max;
}

static void check_state(const struct segment *seg)
{
    CU_ASSERT_EQUAL(seg->base_offset, BASE);
    CU_ASSERT_EQUAL(seg->next_offset, model.next_offset);
    CU_ASSERT_EQUAL(seg->size, model.size);
    CU_ASSERT_EQUAL(seg->max_timestamp, model_max_ts());
    if (model.n > 0) {
        CU_ASSERT_EQUAL(seg->first_batch_timestamp, model.b[0].max_ts);
        /* The offset that goes with the greatest timestamp ends a batch reaching it. */
        size_t i = model_holding(seg->offset_of_max_timestamp);
        CU_ASSERT_FATAL(i != NO_BATCH);
        CU_ASSERT_EQUAL(model.b[i].last, seg->offset_of_max_timestamp);
        CU_ASSERT_EQUAL(model.b[i].max_ts, seg->max_timestamp);
    }
}

/* segment_find for every offset around the segment; returns the mismatches. */
static size_t check_find(struct segment *seg)
{
    size_t bad = 0;
    for (int64_t offset = BASE - 3; offset <= model.next_offset + 3; offset++) {
        uint64_t pos = 0;
        struct rb_header h;
        bool found = segment_find(seg, offset, &pos, &h);
        size_t i = model_holding(offset);
        if (i == NO_BATCH) {
            bad += found;
            continue;
        }
        bad += !found || pos != model.b[i].pos || h.base_offset != model.b[i].base ||
               rb_last_offset(&h) != model.b[i].last || rb_total_size(&h) != model.b[i].size;
    }
    return bad;
}

/* What segment_read_range should answer, from the model. */
static void expected_range(int64_t offset, uint64_t max_bytes, int64_t max_offset,
                           bool min_one, uint64_t *pos, uint64_t *len)
{
    size_t i = model_holding(offset);
    *len = 0;
    if (i == NO_BATCH || model.b[i].last >= max_offset)
        return;
    *pos = model.b[i].pos;
    uint64_t total = 0;
    for (size_t j = i; j < model.n; j++) {
        if (model.b[j].last >= max_offset || total + model.b[j].size > max_bytes)
            break;
        total += model.b[j].size;
    }
    if (total == 0 && min_one)
        total = model.b[i].size;
    *len = total;
}

static size_t check_one_range(struct segment *seg, int64_t offset, uint64_t max_bytes,
                              int64_t max_offset, bool min_one)
{
    uint64_t pos = 0, len = 0, want_pos = 0, want_len = 0;
    segment_read_range(seg, offset, max_bytes, max_offset, min_one, &pos, &len);
    expected_range(offset, max_bytes, max_offset, min_one, &want_pos, &want_len);
    return len != want_len || (len > 0 && pos != want_pos);
}

static size_t check_read_ranges(struct segment *seg, int rounds)
{
    size_t bad = 0;
    int64_t span = model.next_offset - BASE + 8;
    for (int r = 0; r < rounds; r++) {
        int64_t offset = BASE - 3 + (int64_t)rnd((uint32_t)span);
        uint64_t max_bytes = rnd(4) == 0 ? UINT64_MAX : rnd(6000);
        int64_t max_offset = rnd(4) == 0 ? INT64_MAX : offset - 2 + (int64_t)rnd((uint32_t)span);
        bad += check_one_range(seg, offset, max_bytes, max_offset, rnd(2));
    }
    return bad;
}

/* The first record at or after `target` by a scan of the model. */
static bool scan_timestamp(int64_t target, int64_t *offset, int64_t *timestamp)
{
    for (size_t i = 0; i < model.n; i++) {
        for (int r = 0; r < model.b[i].count; r++) {
            if (model.b[i].ts[r] >= target) {
                *offset = model.b[i].base + r;
                *timestamp = model.b[i].ts[r];
                return true;
            }
        }
    }
    return false;
}

static size_t check_one_timestamp(struct segment *seg, int64_t target)
{
    int64_t offset = -1, ts = -1, want_offset = -1, want_ts = -1;
    bool found = segment_offset_for_timestamp(seg, target, &offset, &ts);
    bool want = scan_timestamp(target, &want_offset, &want_ts);
    return found != want || (want && (offset != want_offset || ts != want_ts));
}

static size_t check_timestamps(struct segment *seg, int rounds)
{
    size_t bad = 0;
    int64_t lo = 1000000 - 50, span = 100 * (int64_t)model.n + 500;
    for (size_t i = 0; i < model.n; i++) {
        for (int r = 0; r < model.b[i].count; r++)
            bad += check_one_timestamp(seg, model.b[i].ts[r]);
    }
    for (int r = 0; r < rounds; r++)
        bad += check_one_timestamp(seg, lo + (int64_t)rnd((uint32_t)span));
    bad += check_one_timestamp(seg, model_max_ts() + 1);
    bad += check_one_timestamp(seg, 0);
    return bad;
}

/* Offset index entries as index.interval.bytes asks: an entry for a batch once more than the
 * interval has been written since the last entry, at the batch's start. */
static size_t check_offset_entries(const struct segment *seg)
{
    const struct index_file *ix = &seg->offsets.file;
    size_t bad = 0, n = 0;
    uint64_t since = 0;
    for (size_t i = 0; i < model.n; i++) {
        if (since > (uint64_t)cfg.index_interval_bytes) {
            if (n < ix->entries) {
                const uint8_t *e = index_file_entry(ix, n);
                int64_t offset = BASE + be32_load(e);
                bad += be32_load(e + 4) != model.b[i].pos || offset < model.b[i].base ||
                       offset > model.b[i].last;
            }
            n++;
            since = 0;
        }
        since += model.b[i].size;
    }
    CU_ASSERT_EQUAL(ix->entries, n);
    return bad;
}

/* Each time index entry (t, o): t is the greatest timestamp of the records up to offset o. */
static size_t check_time_entries(const struct segment *seg)
{
    const struct index_file *ix = &seg->times.file;
    size_t bad = !time_index_is_sane(&seg->times, seg->next_offset);
    for (size_t e = 0; e < ix->entries; e++) {
        int64_t t = (int64_t)be64_load(index_file_entry(ix, e));
        int64_t o = BASE + be32_load(index_file_entry(ix, e) + 8);
        int64_t max = RB_NO_TIMESTAMP;
        for (size_t i = 0; i < model.n; i++) {
            for (int r = 0; r < model.b[i].count && model.b[i].base + r <= o; r++)
                max = model.b[i].ts[r] > max ? model.b[i].ts[r] : max;
        }
        bad += t != max;
    }
    return bad;
}

/* Every check against the model. */
static void check_all(struct segment *seg)
{
    check_state(seg);
    CU_ASSERT_EQUAL(check_find(seg), 0);
    CU_ASSERT_EQUAL(check_read_ranges(seg, 3000), 0);
    CU_ASSERT_EQUAL(check_timestamps(seg, 500), 0);
    CU_ASSERT_EQUAL(check_offset_entries(seg), 0);
    CU_ASSERT_EQUAL(check_time_entries(seg), 0);
}

static void test_create_and_append(void)
{
    setup(1);
    struct segment *seg = create_segment();
    CU_ASSERT_EQUAL(seg->next_offset, BASE);
    CU_ASSERT_EQUAL(seg->size, 0);
    CU_ASSERT_EQUAL(seg->max_timestamp, RB_NO_TIMESTAMP);
    CU_ASSERT_TRUE(seg->active);
    CU_ASSERT_EQUAL(file_size(".log"), 0);
    CU_ASSERT_EQUAL(file_size(".index"), cfg.index_max_bytes);
    CU_ASSERT_EQUAL(file_size(".timeindex"), cfg.index_max_bytes / 12 * 12);

    uint64_t pos;
    struct rb_header h;
    CU_ASSERT_FALSE(segment_find(seg, BASE, &pos, &h));
    for (int i = 0; i < 50; i++) {
        append_random(seg, 1);
        CU_ASSERT_EQUAL(seg->next_offset, model.next_offset);
        CU_ASSERT_EQUAL(seg->size, model.size);
    }
    CU_ASSERT_EQUAL(file_size(".log"), (long long)model.size);
    CU_ASSERT(seg->offsets.file.entries > 5);
    check_all(seg);

    struct segment *dup = NULL;
    CU_ASSERT_NOT_EQUAL(segment_create(&dup, dir, BASE, &cfg, 0), ERR_NONE);
    segment_unref(seg);
    teardown();
}

static void test_multi_batch_append(void)
{
    setup(2);
    struct segment *seg = create_segment();
    struct buf set;
    buf_init(&set);
    int64_t base = BASE;
    uint64_t pos = 0;
    for (int i = 0; i < 30; i++) {
        int64_t ts[3] = {2000 + i, 2500 - i, 2000 + 2 * i};
        size_t before = set.len;
        build_batch(&set, 3, ts, 100 + (size_t)i, base);
        model_add(3, ts, base, set.len - before);
        base += 3;
        pos += set.len - before;
    }
    CU_ASSERT_EQUAL_FATAL(segment_append(seg, set.data, set.len), ERR_NONE);
    CU_ASSERT_EQUAL(model.size, pos);
    check_all(seg);
    buf_free(&set);
    segment_unref(seg);
    teardown();
}

/* Appends 30 one-record batches of equal size with this interval; checks that the offset
 * index has an entry at every `every`-th batch, at its start. */
static void check_uniform_spacing(int32_t interval, size_t every)
{
    setup(3);
    cfg.index_interval_bytes = interval;
    struct segment *seg = create_segment();
    for (int i = 0; i < 30; i++) {
        int64_t ts[1] = {1000 + i};
        append_batch(seg, 1, ts, 100, BASE + i);
    }
    const struct index_file *ix = &seg->offsets.file;
    CU_ASSERT_EQUAL_FATAL(ix->entries, 29 / every);
    for (size_t e = 0; e < ix->entries; e++) {
        size_t i = every * (e + 1);
        CU_ASSERT_EQUAL(be32_load(index_file_entry(ix, e) + 4), model.b[i].pos);
        CU_ASSERT_EQUAL(BASE + (int64_t)be32_load(index_file_entry(ix, e)), model.b[i].base);
    }
    check_all(seg);
    segment_unref(seg);
    teardown();
}

static void test_index_interval_uniform(void)
{
    struct buf one;
    buf_init(&one);
    int64_t ts[1] = {1000};
    build_batch(&one, 1, ts, 100, BASE);
    int32_t s = (int32_t)one.len; /* every batch has this size */
    buf_free(&one);

    /* An entry once MORE than the interval was written since the last one (as Kafka). */
    check_uniform_spacing(2 * s, 3);
    check_uniform_spacing(5 * s / 2, 3);
    check_uniform_spacing(2 * s - 1, 2);
    check_uniform_spacing(0, 1);
}

static void test_read_range_edges(void)
{
    setup(4);
    struct segment *seg = create_segment();
    int64_t ts[MAX_RECORDS] = {10, 11, 12, 13, 14};
    append_batch(seg, 5, ts, 300, BASE);      /* offsets 5000..5004 */
    append_batch(seg, 2, ts, 10, BASE + 5);   /* 5005..5006 */
    append_batch(seg, 3, ts, 50, BASE + 7);   /* 5007..5009 */
    const struct mbatch *b = model.b;
    uint64_t pos, len;

    /* The first batch is larger than max_bytes: nothing, or all of it with min_one_batch. */
    segment_read_range(seg, BASE, 100, INT64_MAX, false, &pos, &len);
    CU_ASSERT_EQUAL(len, 0);
    segment_read_range(seg, BASE, 100, INT64_MAX, true, &pos, &len);
    CU_ASSERT_EQUAL(pos, 0);
    CU_ASSERT_EQUAL(len, b[0].size);
    /* max_bytes cutting inside the second batch: only the first. */
    segment_read_range(seg, BASE, b[0].size + b[1].size - 1, INT64_MAX, true, &pos, &len);
    CU_ASSERT_EQUAL(len, b[0].size);
    segment_read_range(seg, BASE, b[0].size + b[1].size, INT64_MAX, false, &pos, &len);
    CU_ASSERT_EQUAL(len, b[0].size + b[1].size);
    /* An offset inside a batch starts at that batch. */
    segment_read_range(seg, BASE + 6, UINT64_MAX, INT64_MAX, false, &pos, &len);
    CU_ASSERT_EQUAL(pos, b[1].pos);
    CU_ASSERT_EQUAL(len, b[1].size + b[2].size);
    /* max_offset: no batch whose last offset reaches it, even with min_one_batch. */
    segment_read_range(seg, BASE, UINT64_MAX, BASE + 6, true, &pos, &len);
    CU_ASSERT_EQUAL(len, b[0].size);
    segment_read_range(seg, BASE, UINT64_MAX, BASE + 7, true, &pos, &len);
    CU_ASSERT_EQUAL(len, b[0].size + b[1].size);
    segment_read_range(seg, BASE, UINT64_MAX, BASE + 4, true, &pos, &len);
    CU_ASSERT_EQUAL(len, 0);
    segment_read_range(seg, BASE + 1, UINT64_MAX, BASE + 10, true, &pos, &len);
    CU_ASSERT_EQUAL(len, model.size);
    /* Past the end, and before the base. */
    segment_read_range(seg, BASE + 10, UINT64_MAX, INT64_MAX, true, &pos, &len);
    CU_ASSERT_EQUAL(len, 0);
    segment_read_range(seg, 0, UINT64_MAX, INT64_MAX, false, &pos, &len);
    CU_ASSERT_EQUAL(pos, 0);
    CU_ASSERT_EQUAL(len, model.size);
    segment_unref(seg);
    teardown();
}

static void test_find_and_read_random(void)
{
    setup(5);
    struct segment *seg = create_segment();
    append_random(seg, 300);
    CU_ASSERT(seg->offsets.file.entries > 20);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

/* Timestamps that are not in offset order, within and across batches. */
static void test_offset_for_timestamp(void)
{
    setup(6);
    struct segment *seg = create_segment();
    static const int64_t t0[] = {100, 300, 200};
    static const int64_t t1[] = {150, 120};
    static const int64_t t2[] = {500, 400, 600, 450};
    static const int64_t t3[] = {50};
    append_batch(seg, 3, t0, 700, BASE);
    append_batch(seg, 2, t1, 700, BASE + 3);
    append_batch(seg, 4, t2, 700, BASE + 5);
    append_batch(seg, 1, t3, 700, BASE + 9);
    int64_t offset, ts;
    CU_ASSERT_TRUE(segment_offset_for_timestamp(seg, 250, &offset, &ts));
    CU_ASSERT_EQUAL(offset, BASE + 1);
    CU_ASSERT_EQUAL(ts, 300);
    CU_ASSERT_TRUE(segment_offset_for_timestamp(seg, 301, &offset, &ts));
    CU_ASSERT_EQUAL(offset, BASE + 5);
    CU_ASSERT_EQUAL(ts, 500);
    CU_ASSERT_TRUE(segment_offset_for_timestamp(seg, 550, &offset, &ts));
    CU_ASSERT_EQUAL(offset, BASE + 7);
    CU_ASSERT_FALSE(segment_offset_for_timestamp(seg, 601, &offset, &ts));
    CU_ASSERT_EQUAL(check_timestamps(seg, 200), 0);
    CU_ASSERT_EQUAL(segment_largest_timestamp(seg), 600);
    segment_unref(seg);
    teardown();
}

static void test_seal_and_reopen(void)
{
    setup(7);
    struct segment *seg = create_segment();
    append_random(seg, 200);
    int64_t offset_of_max = seg->offset_of_max_timestamp;
    segment_seal(seg);
    CU_ASSERT_FALSE(seg->active);
    check_all(seg);
    size_t entries = seg->offsets.file.entries, times = seg->times.file.entries;
    segment_unref(seg);
    CU_ASSERT_EQUAL(file_size(".index"), (long long)entries * 8);
    CU_ASSERT_EQUAL(file_size(".timeindex"), (long long)times * 12);

    bool rebuilt = true;
    seg = reopen(false, &rebuilt);
    CU_ASSERT_FALSE(rebuilt);
    CU_ASSERT_FALSE(seg->active);
    CU_ASSERT_EQUAL(seg->offset_of_max_timestamp, offset_of_max);
    CU_ASSERT_EQUAL(seg->offsets.file.entries, entries);
    check_all(seg);
    segment_unref(seg);
    CU_ASSERT_EQUAL(file_size(".index"), (long long)entries * 8);

    /* Reopened as the active segment, it takes appends where it left off. */
    seg = reopen(true, &rebuilt);
    CU_ASSERT_FALSE(rebuilt);
    CU_ASSERT_TRUE(seg->active);
    append_random(seg, 50);
    check_all(seg);
    segment_unref(seg);
    seg = reopen(false, &rebuilt);
    CU_ASSERT_FALSE(rebuilt);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

static void test_reopen_active_without_seal(void)
{
    setup(8);
    struct segment *seg = create_segment();
    append_random(seg, 120);
    segment_unref(seg); /* a clean close of the active segment trims, but adds no entry */
    bool rebuilt = true;
    seg = reopen(true, &rebuilt);
    CU_ASSERT_FALSE(rebuilt);
    check_all(seg);
    append_random(seg, 20);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

static void test_rebuild_missing_index(void)
{
    setup(9);
    struct segment *seg = create_segment();
    append_random(seg, 150);
    segment_seal(seg);
    size_t entries = seg->offsets.file.entries;
    segment_unref(seg);

    static const char *const suffixes[] = {".index", ".timeindex"};
    for (int i = 0; i < 2; i++) {
        char path[PATH_MAX];
        file_path(path, sizeof(path), suffixes[i]);
        CU_ASSERT_EQUAL_FATAL(unlink(path), 0);
        bool rebuilt = false;
        seg = reopen(false, &rebuilt);
        CU_ASSERT_TRUE(rebuilt);
        CU_ASSERT_EQUAL(seg->offsets.file.entries, entries);
        check_all(seg);
        segment_unref(seg);
        CU_ASSERT_EQUAL(file_size(".index"), (long long)entries * 8);

        seg = reopen(false, &rebuilt); /* and now the rebuilt indexes are trusted */
        CU_ASSERT_FALSE(rebuilt);
        check_all(seg);
        segment_unref(seg);
    }
    teardown();
}

static void test_rebuild_insane_index(void)
{
    setup(10);
    struct segment *seg = create_segment();
    append_random(seg, 100);
    segment_seal(seg);
    segment_unref(seg);

    /* An entry pointing past the end of the log. */
    char path[PATH_MAX];
    file_path(path, sizeof(path), ".index");
    FILE *f = fopen(path, "ab");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    uint8_t entry[8];
    be32_store(entry, (uint32_t)(model.next_offset - BASE - 1));
    be32_store(entry + 4, (uint32_t)model.size + 100);
    CU_ASSERT_EQUAL(fwrite(entry, 1, 8, f), 8);
    fclose(f);

    bool rebuilt = false;
    seg = reopen(true, &rebuilt);
    CU_ASSERT_TRUE(rebuilt);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

/* Drops the model's batches from index k on. */
static void model_cut(size_t k)
{
    model.n = k;
    model.size = k ? model.b[k - 1].pos + model.b[k - 1].size : 0;
    model.next_offset = k ? model.b[k - 1].last + 1 : BASE;
}

static void test_truncate_at_boundary(void)
{
    setup(11);
    struct segment *seg = create_segment();
    append_random(seg, 200);
    size_t k = 120;
    CU_ASSERT_EQUAL(segment_truncate_to(seg, model.b[k].base), ERR_NONE);
    model_cut(k);
    CU_ASSERT_EQUAL(file_size(".log"), (long long)model.size);
    check_all(seg);
    append_random(seg, 40);
    check_all(seg);

    /* Past the end: nothing changes. */
    CU_ASSERT_EQUAL(segment_truncate_to(seg, model.next_offset), ERR_NONE);
    check_all(seg);
    segment_unref(seg);
    bool rebuilt = true;
    seg = reopen(false, &rebuilt);
    CU_ASSERT_FALSE(rebuilt);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

static void test_truncate_mid_batch(void)
{
    setup(12);
    struct segment *seg = create_segment();
    append_random(seg, 200);
    size_t k = 77;
    while (model.b[k].count < 3)
        k++;
    CU_ASSERT_EQUAL(segment_truncate_to(seg, model.b[k].last), ERR_NONE);
    model_cut(k); /* the whole batch holding the offset goes */
    check_all(seg);
    append_random(seg, 30);
    check_all(seg);

    /* An offset in a gap between batches takes the batch after the gap. */
    size_t g = 20;
    while (model.b[g].base == model.b[g - 1].last + 1)
        g++;
    CU_ASSERT_EQUAL(segment_truncate_to(seg, model.b[g - 1].last + 1), ERR_NONE);
    model_cut(g);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

static void test_truncate_sealed_and_everything(void)
{
    setup(13);
    struct segment *seg = create_segment();
    append_random(seg, 150);
    segment_seal(seg);
    segment_unref(seg);
    bool rebuilt = true;
    seg = reopen(false, &rebuilt);

    CU_ASSERT_EQUAL(segment_truncate_to(seg, model.b[100].base + 1), ERR_NONE);
    model_cut(100);
    CU_ASSERT_TRUE(seg->active);
    check_all(seg);
    append_random(seg, 10);
    check_all(seg);

    CU_ASSERT_EQUAL(segment_truncate_to(seg, BASE), ERR_NONE);
    model_cut(0);
    CU_ASSERT_EQUAL(seg->size, 0);
    CU_ASSERT_EQUAL(seg->next_offset, BASE);
    CU_ASSERT_EQUAL(seg->max_timestamp, RB_NO_TIMESTAMP);
    CU_ASSERT_EQUAL(seg->offsets.file.entries, 0);
    CU_ASSERT_EQUAL(seg->times.file.entries, 0);
    CU_ASSERT_EQUAL(file_size(".log"), 0);
    append_random(seg, 60);
    check_all(seg);
    segment_unref(seg);
    teardown();
}

static void test_recover_clean_segment(void)
{
    setup(14);
    struct segment *seg = create_segment();
    append_random(seg, 150);
    size_t entries = seg->offsets.file.entries;
    uint64_t cut = 99;
    CU_ASSERT_EQUAL(segment_recover(seg, &cut), ERR_NONE);
    CU_ASSERT_EQUAL(cut, 0);
    CU_ASSERT_TRUE(seg->active);
    CU_ASSERT_EQUAL(seg->offsets.file.entries, entries);
    check_all(seg);
    append_random(seg, 10);
    check_all(seg);

    segment_seal(seg);
    CU_ASSERT_EQUAL(segment_recover(seg, &cut), ERR_NONE);
    CU_ASSERT_EQUAL(cut, 0);
    CU_ASSERT_FALSE(seg->active);
    check_all(seg);
    segment_unref(seg);
    CU_ASSERT_EQUAL(file_size(".log"), (long long)model.size);
    teardown();
}

static size_t count_dir_entries(const char *suffix)
{
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name), slen = strlen(suffix);
        if (e->d_name[0] != '.' && len >= slen && strcmp(e->d_name + len - slen, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static void test_mark_and_unlink_deleted(void)
{
    setup(15);
    struct segment *seg = create_segment();
    append_random(seg, 20);
    CU_ASSERT_EQUAL(count_dir_entries(""), 3);

    CU_ASSERT_EQUAL(segment_mark_deleted(seg), ERR_NONE);
    CU_ASSERT_EQUAL(file_size(".log"), -1);
    CU_ASSERT_EQUAL(file_size(".index"), -1);
    CU_ASSERT_EQUAL(file_size(".timeindex"), -1);
    CU_ASSERT_EQUAL(file_size(".log.deleted"), (long long)model.size);
    CU_ASSERT(file_size(".index.deleted") >= 0);
    CU_ASSERT(file_size(".timeindex.deleted") >= 0);
    CU_ASSERT_EQUAL(count_dir_entries(".deleted"), 3);

    /* Open descriptors still read the data. */
    CU_ASSERT_EQUAL(check_find(seg), 0);
    segment_unlink_deleted(dir, BASE);
    CU_ASSERT_EQUAL(count_dir_entries(""), 0);
    segment_unref(seg);
    CU_ASSERT_EQUAL(count_dir_entries(""), 0);
    teardown();
}

/* A follower's multi-batch append can fill the time index (12-byte entries) while the offset
 * index (8-byte entries) still takes entries; the greatest timestamp must survive a reopen. */
static void test_reopen_after_time_index_filled(void)
{
    setup(16);
    int64_t ts[1] = {1000};
    struct buf set;
    buf_init(&set);
    build_batch(&set, 1, ts, 100, BASE);
    cfg.index_interval_bytes = (int32_t)set.len; /* an entry every second batch */
    cfg.index_max_bytes = 24;                    /* 3 offset entries, 2 time entries */
    buf_reset(&set);

    static const int64_t stamps[] = {1000, 1001, 1002, 1003, 1004, 9000, 2000, 2001};
    for (int i = 0; i < 8; i++) {
        size_t before = set.len;
        build_batch(&set, 1, &stamps[i], 100, BASE + i);
        model_add(1, &stamps[i], BASE + i, set.len - before);
    }
    struct segment *seg = create_segment();
    CU_ASSERT_EQUAL_FATAL(segment_append(seg, set.data, set.len), ERR_NONE);
    buf_free(&set);
    CU_ASSERT_EQUAL(seg->max_timestamp, 9000);
    CU_ASSERT_TRUE(segment_indexes_full(seg));
    segment_seal(seg);
    segment_unref(seg);

    bool rebuilt = true;
    seg = reopen(false, &rebuilt);
    CU_ASSERT_EQUAL(seg->max_timestamp, 9000);
    CU_ASSERT_EQUAL(segment_largest_timestamp(seg), 9000);
    CU_ASSERT_EQUAL(check_timestamps(seg, 100), 0);
    CU_ASSERT_EQUAL(check_find(seg), 0);
    segment_unref(seg);
    teardown();
}

static const struct cunit_test tests[] = {
    {"create and append", test_create_and_append},
    {"multi-batch append", test_multi_batch_append},
    {"index interval, uniform batches", test_index_interval_uniform},
    {"read range edges", test_read_range_edges},
    {"find and read, random batches", test_find_and_read_random},
    {"offset for timestamp", test_offset_for_timestamp},
    {"seal and reopen", test_seal_and_reopen},
    {"reopen active without seal", test_reopen_active_without_seal},
    {"rebuild a missing index", test_rebuild_missing_index},
    {"rebuild an insane index", test_rebuild_insane_index},
    {"truncate at a batch boundary", test_truncate_at_boundary},
    {"truncate mid-batch and in a gap", test_truncate_mid_batch},
    {"truncate a sealed segment, then everything", test_truncate_sealed_and_everything},
    {"recover a clean segment", test_recover_clean_segment},
    {"mark and unlink deleted", test_mark_and_unlink_deleted},
    {"reopen after the time index filled", test_reopen_after_time_index_filled},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("segment", tests);
}
