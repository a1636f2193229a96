/* Byte buffers: a growable writer (struct buf) for building messages and files, and a
 * bounds-checked read cursor (struct reader) for parsing bytes that came from the wire or disk.
 * Every read of untrusted bytes goes through a reader, so lengths are checked in one place. */
#ifndef GREGOR_BUF_H
#define GREGOR_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable byte array. Allocation failure aborts the process (like redis' zmalloc): a broker
 * that cannot allocate a few KiB has no sane way to go on. */
struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps the allocation */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
/* Grows the buffer by len bytes and returns a pointer to them, for the caller to fill. */
uint8_t *buf_extend(struct buf *b, size_t len);

/* A read cursor over bytes it does not own. A read past the end fails, sets `failed` and
 * leaves the cursor where it was; every later read fails too, so a parser may check once at
 * the end. A slice is a reader over a sub-range of another. */
struct reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool failed;
};

void reader_init(struct reader *r, const void *data, size_t len);
size_t reader_remaining(const struct reader *r);
bool reader_ok(const struct reader *r);
/* Returns a pointer to the next len bytes and advances, or NULL (and fails) when short. */
const uint8_t *reader_take(struct reader *r, size_t len);
bool reader_skip(struct reader *r, size_t len);
bool reader_copy(struct reader *r, void *out, size_t len);
/* Cuts the next len bytes off as their own reader (a slice) and advances past them. */
bool reader_slice(struct reader *r, size_t len, struct reader *slice);

/* Big-endian loads and stores on raw memory the caller has already bounds-checked. */
static inline uint16_t be16_load(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)((uint16_t)b[0] << 8 | b[1]);
}

static inline uint32_t be32_load(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t be64_load(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)be32_load(b) << 32 | be32_load(b + 4);
}

static inline void be16_store(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static inline void be32_store(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static inline void be64_store(void *p, uint64_t v)
{
    be32_store(p, (uint32_t)(v >> 32));
    be32_store((uint8_t *)p + 4, (uint32_t)v);
}

#endif
