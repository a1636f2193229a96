/* The offset index and the time index: lookups against a linear scan, truncation, full
 * indexes, sanity checks, trimming on close, reopening, and the big-endian file layout. */
#include "broker/log/offset_index.h"
#include "broker/log/time_index.h"
#include "common/buf.h"
#include "tests/unit/cunit_main.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASE 1000

static char *dir;
static char path[PATH_MAX];

static void setup(const char *file)
{
    dir = cunit_tempdir("index");
    snprintf(path, sizeof(path), "%s/%s", dir, file);
}

static void teardown(void)
{
    cunit_rmtree(dir);
    free(dir);
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t below)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % below);
}

static long long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

/* Reads up to cap bytes of the file; returns how many. */
static size_t read_raw(const char *p, uint8_t *out, size_t cap)
{
    int fd = open(p, O_RDONLY);
    CU_ASSERT_FATAL(fd >= 0);
    ssize_t n = read(fd, out, cap);
    close(fd);
    CU_ASSERT_FATAL(n >= 0);
    return (size_t)n;
}

static void write_raw(const char *p, const uint8_t *data, size_t len)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL_FATAL(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* A model of the offset index: what was appended. */
struct offset_model {
    int64_t offsets[8192];
    uint32_t positions[8192];
    size_t n;
};

static struct offset_model omodel;

/* Appends n entries with random gaps to both the index and the model. */
static void fill_offsets(struct offset_index *ix, size_t n)
{
    int64_t offset = BASE + rnd(5);
    uint32_t position = rnd(100);
    omodel.n = 0;
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_TRUE_FATAL(offset_index_append(ix, offset, position));
        omodel.offsets[omodel.n] = offset;
        omodel.positions[omodel.n] = position;
        omodel.n++;
        offset += 1 + rnd(10);
        position += 1 + rnd(5000);
    }
}

/* The greatest model entry <= target, by a linear scan; (BASE, 0) when none. */
static void scan_offsets(size_t n, int64_t target, int64_t *offset, uint32_t *position)
{
    *offset = BASE;
    *position = 0;
    for (size_t i = 0; i < n && omodel.offsets[i] <= target; i++) {
        *offset = omodel.offsets[i];
        *position = omodel.positions[i];
    }
}

/* Compares lookups with the model for every entry, its neighbours and random targets;
 * returns the number of mismatches. */
static size_t check_offset_lookups(const struct offset_index *ix, size_t n)
{
    size_t bad = 0;
    int64_t last = n ? omodel.offsets[n - 1] : BASE;
    for (size_t i = 0; i < n + 3000; i++) {
        int64_t target = i < n ? omodel.offsets[i] + (int64_t)rnd(3) - 1
                               : BASE - 20 + (int64_t)rnd((uint32_t)(last - BASE + 60));
        int64_t got_offset, want_offset;
        uint32_t got_position, want_position;
        offset_index_lookup(ix, target, &got_offset, &got_position);
        scan_offsets(n, target, &want_offset, &want_position);
        bad += got_offset != want_offset || got_position != want_position;
    }
    return bad;
}

static void test_offset_lookup_vs_scan(void)
{
    setup("a.index");
    rng_state = 0x9E3779B97F4A7C15ULL;
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 8192, true), 0);

    int64_t offset;
    uint32_t position;
    offset_index_lookup(&ix, BASE + 5, &offset, &position); /* empty */
    CU_ASSERT_EQUAL(offset, BASE);
    CU_ASSERT_EQUAL(position, 0);
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE);

    fill_offsets(&ix, 5000);
    CU_ASSERT_EQUAL(ix.file.entries, 5000);
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), omodel.offsets[4999]);
    CU_ASSERT_EQUAL(check_offset_lookups(&ix, omodel.n), 0);
    offset_index_lookup(&ix, INT64_MAX, &offset, &position);
    CU_ASSERT_EQUAL(offset, omodel.offsets[4999]);
    offset_index_lookup(&ix, BASE - 1000000, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE);
    CU_ASSERT_EQUAL(position, 0);
    offset_index_close(&ix);
    teardown();
}

static void test_offset_lookup_small_sizes(void)
{
    setup("a.index");
    rng_state = 12345;
    /* Every size from 1 to 40 entries, to cover the edges of the binary search. */
    size_t bad = 0;
    for (size_t n = 1; n <= 40; n++) {
        struct offset_index ix;
        unlink(path);
        CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 64, true), 0);
        fill_offsets(&ix, n);
        bad += check_offset_lookups(&ix, n);
        offset_index_close(&ix);
    }
    CU_ASSERT_EQUAL(bad, 0);
    teardown();
}

static void test_offset_truncate_to(void)
{
    setup("a.index");
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 100, true), 0);
    for (int i = 0; i < 10; i++) /* offsets 1000, 1010, ..., 1090 */
        CU_ASSERT_TRUE(offset_index_append(&ix, BASE + 10 * i, (uint32_t)(100 * i)));

    offset_index_truncate_to(&ix, BASE + 200); /* past the end: nothing goes */
    CU_ASSERT_EQUAL(ix.file.entries, 10);
    offset_index_truncate_to(&ix, BASE + 90); /* exactly an entry: it goes */
    CU_ASSERT_EQUAL(ix.file.entries, 9);
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE + 80);
    offset_index_truncate_to(&ix, BASE + 55); /* between entries */
    CU_ASSERT_EQUAL(ix.file.entries, 6);
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE + 50);

    /* The dropped entries are zeroed on disk, so a crash leaves no stale ones behind. */
    CU_ASSERT_EQUAL(index_file_flush(&ix.file), 0);
    uint8_t raw[8 * 10], zeros[8 * 4] = {0};
    CU_ASSERT_EQUAL_FATAL(read_raw(path, raw, sizeof(raw)), sizeof(raw));
    CU_ASSERT_EQUAL(be32_load(raw + 8 * 5), 50);
    CU_ASSERT_EQUAL(memcmp(raw + 8 * 6, zeros, sizeof(zeros)), 0);

    int64_t offset;
    uint32_t position;
    offset_index_lookup(&ix, BASE + 85, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE + 50);
    CU_ASSERT_EQUAL(position, 500);

    CU_ASSERT_TRUE(offset_index_append(&ix, BASE + 52, 510)); /* appends go on */
    offset_index_lookup(&ix, BASE + 85, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE + 52);
    CU_ASSERT_EQUAL(position, 510);

    offset_index_truncate_to(&ix, BASE); /* everything */
    CU_ASSERT_EQUAL(ix.file.entries, 0);
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE);
    offset_index_lookup(&ix, BASE + 85, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE);
    CU_ASSERT_EQUAL(position, 0);
    offset_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 0);
    teardown();
}

static void test_offset_index_full(void)
{
    setup("a.index");
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 10 + 5, true), 0);
    CU_ASSERT_EQUAL(ix.file.max_entries, 10); /* rounded down to whole entries */
    CU_ASSERT_EQUAL(file_size(path), 80);
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_FALSE(index_file_full(&ix.file));
        CU_ASSERT_TRUE(offset_index_append(&ix, BASE + i, (uint32_t)(10 * i)));
    }
    CU_ASSERT_TRUE(index_file_full(&ix.file));
    CU_ASSERT_FALSE(offset_index_append(&ix, BASE + 10, 100));
    CU_ASSERT_EQUAL(ix.file.entries, 10);
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE + 9);
    offset_index_close(&ix);

    /* Reopened with a smaller maximum, the entries stay and the index is full. */
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 4, true), 0);
    CU_ASSERT_EQUAL(ix.file.entries, 10);
    CU_ASSERT_TRUE(index_file_full(&ix.file));
    CU_ASSERT_FALSE(offset_index_append(&ix, BASE + 10, 100));
    CU_ASSERT_TRUE(offset_index_is_sane(&ix, 1000));
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE + 9);
    offset_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 80);
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 0, false), 0);
    CU_ASSERT_TRUE(offset_index_is_sane(&ix, 1000));
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE + 9);
    offset_index_close(&ix);
    teardown();
}

/* Writes an index file holding the given (relative offset, position) pairs. */
static void write_offset_entries(const uint32_t (*entries)[2], size_t n)
{
    uint8_t raw[8 * 16];
    for (size_t i = 0; i < n; i++) {
        be32_store(raw + 8 * i, entries[i][0]);
        be32_store(raw + 8 * i + 4, entries[i][1]);
    }
    write_raw(path, raw, 8 * n);
}

/* Opens the file read-only and asks is_sane with this log size. */
static bool offset_file_sane(uint64_t log_size, size_t expect_entries)
{
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 0, false), 0);
    CU_ASSERT_EQUAL(ix.file.entries, expect_entries);
    bool sane = offset_index_is_sane(&ix, log_size);
    offset_index_close(&ix);
    return sane;
}

static void test_offset_is_sane(void)
{
    setup("a.index");
    static const uint32_t good[][2] = {{0, 0}, {5, 100}, {9, 300}};
    static const uint32_t same_offset[][2] = {{0, 0}, {5, 100}, {5, 300}};
    static const uint32_t falling_offset[][2] = {{0, 0}, {5, 100}, {4, 300}};
    static const uint32_t same_position[][2] = {{0, 0}, {5, 100}, {9, 100}};
    static const uint32_t falling_position[][2] = {{0, 0}, {5, 100}, {9, 50}};

    write_offset_entries(good, 3);
    CU_ASSERT_TRUE(offset_file_sane(1000, 3));
    CU_ASSERT_TRUE(offset_file_sane(301, 3));
    CU_ASSERT_FALSE(offset_file_sane(300, 3)); /* a position at the end of the log */
    CU_ASSERT_FALSE(offset_file_sane(200, 3)); /* past it */
    write_offset_entries(same_offset, 3);
    CU_ASSERT_FALSE(offset_file_sane(1000, 3));
    write_offset_entries(falling_offset, 3);
    CU_ASSERT_FALSE(offset_file_sane(1000, 3));
    write_offset_entries(same_position, 3);
    CU_ASSERT_FALSE(offset_file_sane(1000, 3));
    write_offset_entries(falling_position, 3);
    CU_ASSERT_FALSE(offset_file_sane(1000, 3));
    write_offset_entries(good, 0);
    CU_ASSERT_TRUE(offset_file_sane(0, 0)); /* empty */
    teardown();
}

static void test_offset_zero_tail_not_sane(void)
{
    setup("a.index");
    struct offset_index ix, crashed;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 100, true), 0);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_TRUE(offset_index_append(&ix, BASE + 3 * i, (uint32_t)(1000 * i)));
    CU_ASSERT_TRUE(offset_index_is_sane(&ix, 100000));
    CU_ASSERT_EQUAL(index_file_flush(&ix.file), 0);

    /* What a restart after a crash finds: the preallocated file, zeros after the entries. */
    CU_ASSERT_EQUAL(file_size(path), 800);
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&crashed, path, BASE, 0, false), 0);
    CU_ASSERT_EQUAL(crashed.file.entries, 100);
    CU_ASSERT_FALSE(offset_index_is_sane(&crashed, 100000));
    offset_index_close(&crashed);
    offset_index_close(&ix);
    teardown();
}

static void test_offset_close_trims_and_reopen(void)
{
    setup("a.index");
    rng_state = 777;
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 1000, true), 0);
    CU_ASSERT_EQUAL(file_size(path), 8000);
    fill_offsets(&ix, 123);
    offset_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 123 * 8);

    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 1000, false), 0);
    CU_ASSERT_EQUAL(ix.file.entries, 123);
    CU_ASSERT_EQUAL(file_size(path), 123 * 8);
    CU_ASSERT_TRUE(offset_index_is_sane(&ix, UINT32_MAX));
    CU_ASSERT_EQUAL(check_offset_lookups(&ix, 123), 0);
    CU_ASSERT_FALSE(offset_index_append(&ix, omodel.offsets[122] + 1, UINT32_MAX - 1));
    offset_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 123 * 8);

    /* Writable again: re-extended, same entries, appends continue. */
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 1000, true), 0);
    CU_ASSERT_EQUAL(file_size(path), 8000);
    CU_ASSERT_EQUAL(ix.file.entries, 123);
    CU_ASSERT_EQUAL(check_offset_lookups(&ix, 123), 0);
    CU_ASSERT_TRUE(offset_index_append(&ix, omodel.offsets[122] + 1, UINT32_MAX - 1));
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), omodel.offsets[122] + 1);
    offset_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 124 * 8);
    teardown();
}

static void test_set_writable_round_trip(void)
{
    setup("a.index");
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 50, true), 0);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_TRUE(offset_index_append(&ix, BASE + i, (uint32_t)(10 * i)));
    CU_ASSERT_EQUAL(index_file_set_writable(&ix.file, false, 0), 0);
    CU_ASSERT_EQUAL(file_size(path), 32);
    CU_ASSERT_FALSE(offset_index_append(&ix, BASE + 4, 40));
    CU_ASSERT_EQUAL(offset_index_last_offset(&ix), BASE + 3);

    CU_ASSERT_EQUAL(index_file_set_writable(&ix.file, true, 8 * 50), 0);
    CU_ASSERT_EQUAL(file_size(path), 400);
    CU_ASSERT_EQUAL(ix.file.entries, 4);
    CU_ASSERT_TRUE(offset_index_append(&ix, BASE + 4, 40));
    int64_t offset;
    uint32_t position;
    offset_index_lookup(&ix, BASE + 100, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE + 4);
    CU_ASSERT_EQUAL(position, 40);
    offset_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 40);
    teardown();
}

static void test_open_missing_read_only_fails(void)
{
    setup("missing.index");
    struct offset_index ix;
    errno = 0;
    CU_ASSERT_EQUAL(offset_index_open(&ix, path, BASE, 0, false), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(file_size(path), -1);
    teardown();
}

static void test_offset_big_endian_layout(void)
{
    setup("a.index");
    struct offset_index ix;
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 8 * 10, true), 0);
    CU_ASSERT_TRUE(offset_index_append(&ix, BASE + 0x01020304, 0x0A0B0C0D));
    CU_ASSERT_TRUE(offset_index_append(&ix, BASE + 0x7F000001, 0xF0E0D0C0));
    offset_index_close(&ix);

    static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D,
                                   0x7F, 0x00, 0x00, 0x01, 0xF0, 0xE0, 0xD0, 0xC0};
    uint8_t raw[64];
    CU_ASSERT_EQUAL_FATAL(read_raw(path, raw, sizeof(raw)), sizeof(want));
    CU_ASSERT_EQUAL(memcmp(raw, want, sizeof(want)), 0);

    /* And a file written by hand reads back the same way. */
    CU_ASSERT_EQUAL_FATAL(offset_index_open(&ix, path, BASE, 0, false), 0);
    int64_t offset;
    uint32_t position;
    offset_index_lookup(&ix, BASE + 0x01020304, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE + 0x01020304);
    CU_ASSERT_EQUAL(position, 0x0A0B0C0D);
    offset_index_lookup(&ix, INT64_MAX, &offset, &position);
    CU_ASSERT_EQUAL(offset, BASE + 0x7F000001);
    CU_ASSERT_EQUAL(position, 0xF0E0D0C0);
    offset_index_close(&ix);
    teardown();
}

/* A model of the time index: (timestamp, offset) pairs as appended. */
struct time_model {
    int64_t timestamps[8192];
    int64_t offsets[8192];
    size_t n;
};

static struct time_model tmodel;

static void fill_times(struct time_index *ix, size_t n)
{
    int64_t timestamp = 1700000000000LL + rnd(1000);
    int64_t offset = BASE + rnd(3);
    tmodel.n = 0;
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_TRUE_FATAL(time_index_maybe_append(ix, timestamp, offset));
        tmodel.timestamps[tmodel.n] = timestamp;
        tmodel.offsets[tmodel.n] = offset;
        tmodel.n++;
        timestamp += 1 + rnd(1000);
        offset += rnd(4); /* offsets may repeat, never fall */
    }
}

/* The offset of the greatest model entry whose timestamp is <= target; BASE when none. */
static int64_t scan_times(size_t n, int64_t target)
{
    int64_t offset = BASE;
    for (size_t i = 0; i < n && tmodel.timestamps[i] <= target; i++)
        offset = tmodel.offsets[i];
    return offset;
}

static size_t check_time_lookups(const struct time_index *ix, size_t n)
{
    size_t bad = 0;
    int64_t first = tmodel.timestamps[0], last = tmodel.timestamps[n - 1];
    for (size_t i = 0; i < n + 3000; i++) {
        int64_t target = i < n ? tmodel.timestamps[i] + (int64_t)rnd(3) - 1
                               : first - 50 + (int64_t)rnd((uint32_t)(last - first + 100));
        bad += time_index_lookup(ix, target) != scan_times(n, target);
    }
    return bad;
}

static void test_time_lookup_vs_scan(void)
{
    setup("a.timeindex");
    rng_state = 0xDEADBEEFCAFEULL;
    struct time_index ix;
    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 8192, true), 0);
    int64_t ts, offset;
    CU_ASSERT_FALSE(time_index_last(&ix, &ts, &offset));
    CU_ASSERT_EQUAL(time_index_lookup(&ix, INT64_MAX), BASE);

    fill_times(&ix, 4000);
    CU_ASSERT_EQUAL(ix.file.entries, 4000);
    CU_ASSERT_EQUAL(check_time_lookups(&ix, 4000), 0);
    CU_ASSERT_TRUE(time_index_last(&ix, &ts, &offset));
    CU_ASSERT_EQUAL(ts, tmodel.timestamps[3999]);
    CU_ASSERT_EQUAL(offset, tmodel.offsets[3999]);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 0), BASE);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, INT64_MAX), tmodel.offsets[3999]);
    CU_ASSERT_TRUE(time_index_is_sane(&ix, tmodel.offsets[3999] + 1));
    CU_ASSERT_FALSE(time_index_is_sane(&ix, tmodel.offsets[3999]));
    time_index_close(&ix);
    teardown();
}

static void test_time_maybe_append_skips(void)
{
    setup("a.timeindex");
    struct time_index ix;
    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 3, true), 0);
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, -1, BASE)); /* no timestamp: skipped */
    CU_ASSERT_EQUAL(ix.file.entries, 0);
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 100, BASE + 1));
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 100, BASE + 2)); /* equal */
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 50, BASE + 3));  /* older */
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, -5, BASE + 3));
    CU_ASSERT_EQUAL(ix.file.entries, 1);
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 101, BASE + 4));
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 200, BASE + 4)); /* same offset is fine */
    CU_ASSERT_EQUAL(ix.file.entries, 3);

    /* Full: a due entry fails, one that is not due still "succeeds". */
    CU_ASSERT_FALSE(time_index_maybe_append(&ix, 300, BASE + 5));
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 150, BASE + 5));
    CU_ASSERT_EQUAL(ix.file.entries, 3);

    int64_t ts, offset;
    CU_ASSERT_TRUE(time_index_last(&ix, &ts, &offset));
    CU_ASSERT_EQUAL(ts, 200);
    CU_ASSERT_EQUAL(offset, BASE + 4);
    /* Lookup: the last entry at or before the target. */
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 99), BASE);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 100), BASE + 1);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 101), BASE + 4);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 199), BASE + 4);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 10000), BASE + 4);
    time_index_close(&ix);
    teardown();
}

static void test_time_truncate_to(void)
{
    setup("a.timeindex");
    struct time_index ix;
    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 100, true), 0);
    /* offsets 1000, 1000, 1010, 1020, 1030, 1030, 1040 */
    static const int64_t offsets[] = {0, 0, 10, 20, 30, 30, 40};
    for (int i = 0; i < 7; i++)
        CU_ASSERT_TRUE(time_index_maybe_append(&ix, 100 * (i + 1), BASE + offsets[i]));

    time_index_truncate_to(&ix, BASE + 41);
    CU_ASSERT_EQUAL(ix.file.entries, 7);
    time_index_truncate_to(&ix, BASE + 30); /* both entries at 1030 go */
    CU_ASSERT_EQUAL(ix.file.entries, 4);
    time_index_truncate_to(&ix, BASE + 15);
    CU_ASSERT_EQUAL(ix.file.entries, 3);
    int64_t ts, offset;
    CU_ASSERT_TRUE(time_index_last(&ix, &ts, &offset));
    CU_ASSERT_EQUAL(ts, 300);
    CU_ASSERT_EQUAL(offset, BASE + 10);
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 5000), BASE + 10);

    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 350, BASE + 12));
    CU_ASSERT_EQUAL(time_index_lookup(&ix, 5000), BASE + 12);
    time_index_truncate_to(&ix, BASE);
    CU_ASSERT_EQUAL(ix.file.entries, 0);
    CU_ASSERT_FALSE(time_index_last(&ix, &ts, &offset));
    time_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 0);
    teardown();
}

/* Writes a time index file holding the given (timestamp, relative offset) pairs. */
static void write_time_entries(const int64_t (*entries)[2], size_t n)
{
    uint8_t raw[12 * 16];
    for (size_t i = 0; i < n; i++) {
        be64_store(raw + 12 * i, (uint64_t)entries[i][0]);
        be32_store(raw + 12 * i + 8, (uint32_t)entries[i][1]);
    }
    write_raw(path, raw, 12 * n);
}

static bool time_file_sane(int64_t next_offset)
{
    struct time_index ix;
    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 0, false), 0);
    bool sane = time_index_is_sane(&ix, next_offset);
    time_index_close(&ix);
    return sane;
}

static void test_time_is_sane(void)
{
    setup("a.timeindex");
    static const int64_t good[][2] = {{100, 0}, {200, 0}, {300, 7}};
    static const int64_t same_ts[][2] = {{100, 0}, {200, 3}, {200, 7}};
    static const int64_t falling_ts[][2] = {{100, 0}, {200, 3}, {150, 7}};
    static const int64_t falling_offset[][2] = {{100, 0}, {200, 5}, {300, 4}};
    static const int64_t zero_tail[][2] = {{100, 0}, {200, 5}, {0, 0}, {0, 0}};

    write_time_entries(good, 3);
    CU_ASSERT_TRUE(time_file_sane(BASE + 8));
    CU_ASSERT_FALSE(time_file_sane(BASE + 7)); /* an entry at the next offset */
    write_time_entries(same_ts, 3);
    CU_ASSERT_FALSE(time_file_sane(BASE + 100));
    write_time_entries(falling_ts, 3);
    CU_ASSERT_FALSE(time_file_sane(BASE + 100));
    write_time_entries(falling_offset, 3);
    CU_ASSERT_FALSE(time_file_sane(BASE + 100));
    write_time_entries(zero_tail, 4);
    CU_ASSERT_FALSE(time_file_sane(BASE + 100));
    write_time_entries(good, 0);
    CU_ASSERT_TRUE(time_file_sane(BASE));
    teardown();
}

static void test_time_close_trims_and_reopen(void)
{
    setup("a.timeindex");
    rng_state = 4242;
    struct time_index ix, crashed;
    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 500, true), 0);
    CU_ASSERT_EQUAL(file_size(path), 6000);
    fill_times(&ix, 77);
    CU_ASSERT_EQUAL(index_file_flush(&ix.file), 0);
    /* A crash now would leave zeros after the entries. */
    CU_ASSERT_EQUAL_FATAL(time_index_open(&crashed, path, BASE, 0, false), 0);
    CU_ASSERT_EQUAL(crashed.file.entries, 500);
    CU_ASSERT_FALSE(time_index_is_sane(&crashed, INT64_MAX));
    time_index_close(&crashed);
    time_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 77 * 12);

    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 500, false), 0);
    CU_ASSERT_EQUAL(ix.file.entries, 77);
    CU_ASSERT_TRUE(time_index_is_sane(&ix, tmodel.offsets[76] + 1));
    CU_ASSERT_EQUAL(check_time_lookups(&ix, 77), 0);
    CU_ASSERT_FALSE(time_index_maybe_append(&ix, tmodel.timestamps[76] + 1, tmodel.offsets[76]));
    time_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 77 * 12);

    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 500, true), 0);
    CU_ASSERT_EQUAL(file_size(path), 6000);
    CU_ASSERT_EQUAL(check_time_lookups(&ix, 77), 0);
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, tmodel.timestamps[76] + 1, tmodel.offsets[76]));
    CU_ASSERT_EQUAL(ix.file.entries, 78);
    time_index_close(&ix);
    CU_ASSERT_EQUAL(file_size(path), 78 * 12);
    teardown();
}

static void test_time_big_endian_layout(void)
{
    setup("a.timeindex");
    struct time_index ix;
    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 12 * 10, true), 0);
    CU_ASSERT_TRUE(time_index_maybe_append(&ix, 0x0102030405060708LL, BASE + 0x0A0B0C0D));
    time_index_close(&ix);
    static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                   0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D};
    uint8_t raw[64];
    CU_ASSERT_EQUAL_FATAL(read_raw(path, raw, sizeof(raw)), sizeof(want));
    CU_ASSERT_EQUAL(memcmp(raw, want, sizeof(want)), 0);

    CU_ASSERT_EQUAL_FATAL(time_index_open(&ix, path, BASE, 0, false), 0);
    int64_t ts, offset;
    CU_ASSERT_TRUE(time_index_last(&ix, &ts, &offset));
    CU_ASSERT_EQUAL(ts, 0x0102030405060708LL);
    CU_ASSERT_EQUAL(offset, BASE + 0x0A0B0C0D);
    time_index_close(&ix);
    teardown();
}

static const struct cunit_test tests[] = {
    {"offset lookup vs linear scan", test_offset_lookup_vs_scan},
    {"offset lookup, 1 to 40 entries", test_offset_lookup_small_sizes},
    {"offset truncate_to", test_offset_truncate_to},
    {"offset index full", test_offset_index_full},
    {"offset is_sane", test_offset_is_sane},
    {"offset zero-filled tail not sane", test_offset_zero_tail_not_sane},
    {"offset close trims, reopen", test_offset_close_trims_and_reopen},
    {"set_writable round trip", test_set_writable_round_trip},
    {"open missing read-only fails", test_open_missing_read_only_fails},
    {"offset big-endian layout", test_offset_big_endian_layout},
    {"time lookup vs linear scan", test_time_lookup_vs_scan},
    {"time maybe_append skips", test_time_maybe_append_skips},
    {"time truncate_to", test_time_truncate_to},
    {"time is_sane", test_time_is_sane},
    {"time close trims, reopen", test_time_close_trims_and_reopen},
    {"time big-endian layout", test_time_big_endian_layout},
    {NULL, NULL},
};

int main(void)
{
    return cunit_run("index", tests);
}
