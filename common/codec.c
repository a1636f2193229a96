/* Kafka wire primitives (see codec.h). Every read either succeeds whole or fails leaving the
 * reader where it was, so a truncated or hostile field never half-consumes its input. */
#include "common/codec.h"

#include <assert.h>

/* How the length of a string or byte array is written ahead of it. */
enum len_kind {
    LEN_INT16,   /* STRING, NULLABLE_STRING */
    LEN_INT32,   /* BYTES, NULLABLE_BYTES, ARRAY */
    LEN_COMPACT, /* uvarint length + 1, 0 meaning null */
    LEN_VARINT,  /* zig-zag varint, -1 meaning null: fields inside record batches */
};

/* A failed read consumes nothing: put the cursor back where the field started. */
static bool fail_at(struct reader *r, size_t start)
{
    r->pos = start;
    r->failed = true;
    return false;
}

bool codec_get_int8(struct reader *r, int8_t *out)
{
    const uint8_t *p = reader_take(r, 1);
    *out = p ? (int8_t)p[0] : 0;
    return p != NULL;
}

bool codec_get_int16(struct reader *r, int16_t *out)
{
    const uint8_t *p = reader_take(r, 2);
    *out = p ? (int16_t)be16_load(p) : 0;
    return p != NULL;
}

bool codec_get_int32(struct reader *r, int32_t *out)
{
    const uint8_t *p = reader_take(r, 4);
    *out = p ? (int32_t)be32_load(p) : 0;
    return p != NULL;
}

bool codec_get_int64(struct reader *r, int64_t *out)
{
    const uint8_t *p = reader_take(r, 8);
    *out = p ? (int64_t)be64_load(p) : 0;
    return p != NULL;
}

bool codec_get_uint32(struct reader *r, uint32_t *out)
{
    const uint8_t *p = reader_take(r, 4);
    *out = p ? be32_load(p) : 0;
    return p != NULL;
}

bool codec_get_bool(struct reader *r, bool *out)
{
    const uint8_t *p = reader_take(r, 1);
    *out = p ? p[0] != 0 : false;
    return p != NULL;
}

bool codec_get_uuid(struct reader *r, uint8_t out[16])
{
    if (reader_copy(r, out, 16))
        return true;
    memset(out, 0, 16);
    return false;
}

/* Reads a varint whose value must fit in width bits: at most ceil(width / 7) bytes, and the
 * last of those may not carry bits above width. */
static bool get_varint_bits(struct reader *r, unsigned width, uint64_t *out)
{
    size_t start = r->pos;
    uint64_t v = 0;

    *out = 0;
    for (unsigned shift = 0; shift < width; shift += 7) {
        const uint8_t *p = reader_take(r, 1);
        if (p == NULL)
            return fail_at(r, start);
        uint64_t group = p[0] & 0x7f;
        if (width - shift < 7 && group >> (width - shift) != 0)
            return fail_at(r, start);
        v |= group << shift;
        if ((p[0] & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return fail_at(r, start); /* still continuing after the last byte the type allows */
}

bool codec_get_uvarint(struct reader *r, uint32_t *out)
{
    uint64_t v;
    bool ok = get_varint_bits(r, 32, &v);
    *out = (uint32_t)v;
    return ok;
}

bool codec_get_uvarlong(struct reader *r, uint64_t *out)
{
    return get_varint_bits(r, 64, out);
}

/* Zig-zag decoding written so that no step relies on implementation-defined conversions. */
bool codec_get_varint(struct reader *r, int32_t *out)
{
    uint32_t u;
    bool ok = codec_get_uvarint(r, &u);
    *out = (int32_t)(u >> 1) ^ -(int32_t)(u & 1);
    return ok;
}

bool codec_get_varlong(struct reader *r, int64_t *out)
{
    uint64_t u;
    bool ok = codec_get_uvarlong(r, &u);
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return ok;
}

/* Reads a length prefix; -1 is null for every kind. */
static bool get_len(struct reader *r, enum len_kind kind, int64_t *len)
{
    bool ok = false;

    switch (kind) {
    case LEN_INT16: {
        int16_t v;
        ok = codec_get_int16(r, &v);
        *len = v;
        break;
    }
    case LEN_INT32: {
        int32_t v;
        ok = codec_get_int32(r, &v);
        *len = v;
        break;
    }
    case LEN_COMPACT: {
        uint32_t v;
        ok = codec_get_uvarint(r, &v);
        *len = (int64_t)v - 1;
        break;
    }
    case LEN_VARINT: {
        int32_t v;
        ok = codec_get_varint(r, &v);
        *len = v;
        break;
    }
    }
    return ok;
}

static bool get_blob(struct reader *r, enum len_kind kind, bool nullable, int64_t max_len,
                     struct kbytes *out)
{
    size_t start = r->pos;
    int64_t len;

    out->ptr = NULL;
    out->len = -1;
    if (!get_len(r, kind, &len))
        return false;
    if (len == -1 && nullable)
        return true;
    if (len < 0 || len > max_len)
        return fail_at(r, start);
    const uint8_t *p = reader_take(r, (size_t)len);
    if (p == NULL)
        return fail_at(r, start);
    out->ptr = p;
    out->len = (int32_t)len;
    return true;
}

static bool get_str(struct reader *r, enum len_kind kind, bool nullable, struct kstr *out)
{
    struct kbytes b;
    bool ok = get_blob(r, kind, nullable, INT16_MAX, &b);
    out->ptr = (const char *)b.ptr;
    out->len = b.len;
    return ok;
}

bool codec_get_string(struct reader *r, struct kstr *out)
{
    return get_str(r, LEN_INT16, false, out);
}

bool codec_get_nullable_string(struct reader *r, struct kstr *out)
{
    return get_str(r, LEN_INT16, true, out);
}

bool codec_get_compact_string(struct reader *r, struct kstr *out)
{
    return get_str(r, LEN_COMPACT, false, out);
}

bool codec_get_compact_nullable_string(struct reader *r, struct kstr *out)
{
    return get_str(r, LEN_COMPACT, true, out);
}

bool codec_get_bytes(struct reader *r, struct kbytes *out)
{
    return get_blob(r, LEN_INT32, false, INT32_MAX, out);
}

bool codec_get_nullable_bytes(struct reader *r, struct kbytes *out)
{
    return get_blob(r, LEN_INT32, true, INT32_MAX, out);
}

bool codec_get_compact_bytes(struct reader *r, struct kbytes *out)
{
    return get_blob(r, LEN_COMPACT, false, INT32_MAX, out);
}

bool codec_get_compact_nullable_bytes(struct reader *r, struct kbytes *out)
{
    return get_blob(r, LEN_COMPACT, true, INT32_MAX, out);
}

bool codec_get_varint_bytes(struct reader *r, struct kbytes *out)
{
    return get_blob(r, LEN_VARINT, true, INT32_MAX, out);
}

static bool get_count(struct reader *r, enum len_kind kind, size_t min_elem_size,
                      int32_t *count)
{
    size_t start = r->pos;
    int64_t n;

    *count = 0;
    if (!get_len(r, kind, &n))
        return false;
    if (n == -1) {
        *count = -1;
        return true;
    }
    if (n < 0 || n > INT32_MAX)
        return fail_at(r, start);
    /* Divide rather than multiply so that the check itself cannot overflow. */
    if (min_elem_size > 0 && (uint64_t)n > reader_remaining(r) / min_elem_size)
        return fail_at(r, start);
    *count = (int32_t)n;
    return true;
}

bool codec_get_array_len(struct reader *r, int32_t *count, size_t min_elem_size)
{
    return get_count(r, LEN_INT32, min_elem_size, count);
}

bool codec_get_compact_array_len(struct reader *r, int32_t *count, size_t min_elem_size)
{
    return get_count(r, LEN_COMPACT, min_elem_size, count);
}

bool codec_get_tagged_fields(struct reader *r, codec_tag_fn on_field, void *ctx)
{
    size_t start = r->pos;
    uint32_t count;
    uint32_t prev_tag = 0;

    if (!codec_get_uvarint(r, &count))
        return false;
    /* Each field takes at least two bytes, so a huge count runs out of input quickly. */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tag, size;
        struct reader value;
        if (!codec_get_uvarint(r, &tag) || !codec_get_uvarint(r, &size))
            return fail_at(r, start);
        if ((i > 0 && tag <= prev_tag) || !reader_slice(r, size, &value))
            return fail_at(r, start);
        if (!on_field(ctx, tag, &value) || value.failed)
            return fail_at(r, start);
        prev_tag = tag;
    }
    return true;
}

static bool ignore_field(void *ctx, uint32_t tag, struct reader *value)
{
    (void)ctx;
    (void)tag;
    (void)value;
    return true;
}

bool codec_skip_tagged_fields(struct reader *r)
{
    return codec_get_tagged_fields(r, ignore_field, NULL);
}

void codec_put_int8(struct buf *b, int8_t v)
{
    *buf_extend(b, 1) = (uint8_t)v;
}

void codec_put_int16(struct buf *b, int16_t v)
{
    be16_store(buf_extend(b, 2), (uint16_t)v);
}

void codec_put_int32(struct buf *b, int32_t v)
{
    be32_store(buf_extend(b, 4), (uint32_t)v);
}

void codec_put_int64(struct buf *b, int64_t v)
{
    be64_store(buf_extend(b, 8), (uint64_t)v);
}

void codec_put_uint32(struct buf *b, uint32_t v)
{
    be32_store(buf_extend(b, 4), v);
}

void codec_put_bool(struct buf *b, bool v)
{
    *buf_extend(b, 1) = v ? 1 : 0;
}

void codec_put_uuid(struct buf *b, const uint8_t uuid[16])
{
    buf_append(b, uuid, 16);
}

void codec_put_uvarlong(struct buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;

    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    buf_append(b, tmp, n);
}

void codec_put_uvarint(struct buf *b, uint32_t v)
{
    codec_put_uvarlong(b, v);
}

/* Zig-zag maps 0, -1, 1, -2, ... to 0, 1, 2, 3, ... so small negatives stay short; the
 * comparison avoids right-shifting a negative number, which C leaves to the implementation. */
void codec_put_varint(struct buf *b, int32_t v)
{
    uint32_t u = (uint32_t)v << 1;
    codec_put_uvarint(b, v < 0 ? ~u : u);
}

void codec_put_varlong(struct buf *b, int64_t v)
{
    uint64_t u = (uint64_t)v << 1;
    codec_put_uvarlong(b, v < 0 ? ~u : u);
}

static void put_blob(struct buf *b, enum len_kind kind, const void *data, int32_t len)
{
    switch (kind) {
    case LEN_INT16:
        codec_put_int16(b, (int16_t)len);
        break;
    case LEN_INT32:
        codec_put_int32(b, len);
        break;
    case LEN_COMPACT:
        /* Unsigned so that -1 becomes 0 and INT32_MAX does not overflow. */
        codec_put_uvarint(b, (uint32_t)len + 1u);
        break;
    case LEN_VARINT:
        codec_put_varint(b, len);
        break;
    }
    if (len > 0)
        buf_append(b, data, (size_t)len);
}

void codec_put_string(struct buf *b, const char *s, int32_t len)
{
    assert(len >= 0 && len <= INT16_MAX);
    put_blob(b, LEN_INT16, s, len);
}

void codec_put_nullable_string(struct buf *b, const char *s, int32_t len)
{
    assert(len >= -1 && len <= INT16_MAX);
    put_blob(b, LEN_INT16, s, len);
}

void codec_put_compact_string(struct buf *b, const char *s, int32_t len)
{
    assert(len >= 0 && len <= INT16_MAX);
    put_blob(b, LEN_COMPACT, s, len);
}

void codec_put_compact_nullable_string(struct buf *b, const char *s, int32_t len)
{
    assert(len >= -1 && len <= INT16_MAX);
    put_blob(b, LEN_COMPACT, s, len);
}

void codec_put_bytes(struct buf *b, const void *data, int32_t len)
{
    assert(len >= 0);
    put_blob(b, LEN_INT32, data, len);
}

void codec_put_nullable_bytes(struct buf *b, const void *data, int32_t len)
{
    assert(len >= -1);
    put_blob(b, LEN_INT32, data, len);
}

void codec_put_compact_bytes(struct buf *b, const void *data, int32_t len)
{
    assert(len >= 0);
    put_blob(b, LEN_COMPACT, data, len);
}

void codec_put_compact_nullable_bytes(struct buf *b, const void *data, int32_t len)
{
    assert(len >= -1);
    put_blob(b, LEN_COMPACT, data, len);
}

void codec_put_varint_bytes(struct buf *b, const void *data, int32_t len)
{
    assert(len >= -1);
    put_blob(b, LEN_VARINT, data, len);
}

void codec_put_array_len(struct buf *b, int32_t n)
{
    assert(n >= -1);
    codec_put_int32(b, n);
}

void codec_put_compact_array_len(struct buf *b, int32_t n)
{
    assert(n >= -1);
    codec_put_uvarint(b, (uint32_t)n + 1u);
}

void codec_put_empty_tagged_fields(struct buf *b)
{
    codec_put_uvarint(b, 0);
}

void codec_put_tagged_field(struct buf *b, uint32_t tag, const void *data, size_t len)
{
    assert(len <= UINT32_MAX);
    codec_put_uvarint(b, tag);
    codec_put_uvarint(b, (uint32_t)len);
    buf_append(b, data, len);
}

void codec_patch_int32(struct buf *b, size_t pos, int32_t v)
{
    assert(pos <= b->len && b->len - pos >= 4);
    be32_store(b->data + pos, (uint32_t)v);
}
