/* The growable write buffer and the bounds-checked read cursor declared in buf.h.
 * Every length check on untrusted input ends up in reader_take(), so it is written with care
 * for overflow. */
#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>

/* What a reader over no bytes points at, so that a zero-length take can still return a
 * non-NULL pointer (NULL means failure) without doing arithmetic on a null pointer. */
static const uint8_t empty_bytes[1];

static void out_of_memory(size_t size)
{
    fprintf(stderr, "gregor: out of memory allocating %zu bytes\n", size);
    abort();
}

void buf_init(struct buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_free(struct buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len)
        out_of_memory(SIZE_MAX);
    size_t need = b->len + extra;
    if (need <= b->cap)
        return;
    /* Doubling keeps a long series of small appends linear in total. */
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *data = realloc(b->data, cap);
    if (data == NULL)
        out_of_memory(cap);
    b->data = data;
    b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
    if (len == 0)
        return;
    memcpy(buf_extend(b, len), data, len);
}

uint8_t *buf_extend(struct buf *b, size_t len)
{
    buf_reserve(b, len);
    uint8_t *p = b->data + b->len;
    b->len += len;
    return p;
}

void reader_init(struct reader *r, const void *data, size_t len)
{
    r->data = data ? data : empty_bytes;
    r->len = data ? len : 0;
    r->pos = 0;
    r->failed = false;
}

size_t reader_remaining(const struct reader *r)
{
    return r->len - r->pos;
}

bool reader_ok(const struct reader *r)
{
    return !r->failed;
}

const uint8_t *reader_take(struct reader *r, size_t len)
{
    /* Compare against what remains rather than computing pos + len, which could wrap. */
    if (r->failed || len > r->len - r->pos) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += len;
    return p;
}

bool reader_skip(struct reader *r, size_t len)
{
    return reader_take(r, len) != NULL;
}

bool reader_copy(struct reader *r, void *out, size_t len)
{
    const uint8_t *p = reader_take(r, len);
    if (p == NULL)
        return false;
    if (len > 0)
        memcpy(out, p, len);
    return true;
}

bool reader_slice(struct reader *r, size_t len, struct reader *slice)
{
    const uint8_t *p = reader_take(r, len);
    if (p == NULL) {
        /* A failed slice is empty and already failed, so careless use of it stays safe. */
        reader_init(slice, NULL, 0);
        slice->failed = true;
        return false;
    }
    reader_init(slice, p, len);
    return true;
}
