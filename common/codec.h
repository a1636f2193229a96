/* Kafka wire primitives: fixed-width big-endian integers, varints, strings, bytes, array counts
 * and KIP-482 tagged fields, read from a struct reader and written to a struct buf.
 * Request and response codecs are built from these; nothing else parses the wire format. */
#ifndef GREGOR_CODEC_H
#define GREGOR_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Strings and byte arrays are views into the reader's bytes, valid while those bytes are: a
 * request can be parsed without copying. len -1 with ptr NULL is the null value; an empty
 * value has len 0 and a non-NULL ptr, so the two never get confused. */
struct kstr {
    const char *ptr; /* not NUL-terminated */
    int32_t len;
};

struct kbytes {
    const uint8_t *ptr;
    int32_t len;
};

/* Readers. On short or invalid input they return false, mark the reader failed and leave its
 * position where it was, so a parser may test reader_ok() once at the end instead of after
 * every field. On failure the output is still set to something harmless (0, or the null
 * string or bytes), never left uninitialised. */
bool codec_get_int8(struct reader *r, int8_t *out);
bool codec_get_int16(struct reader *r, int16_t *out);
bool codec_get_int32(struct reader *r, int32_t *out);
bool codec_get_int64(struct reader *r, int64_t *out);
bool codec_get_uint32(struct reader *r, uint32_t *out);
/* Any non-zero byte is true, as in Kafka's own reader. */
bool codec_get_bool(struct reader *r, bool *out);
bool codec_get_uuid(struct reader *r, uint8_t out[16]);

/* Varints are base-128, least significant group first. Longer-than-needed encodings are
 * accepted (Kafka accepts them), but not more than 5 (10 for 64-bit) bytes, nor bits beyond
 * the type's width. The signed forms are zig-zag encoded. */
bool codec_get_uvarint(struct reader *r, uint32_t *out);
bool codec_get_uvarlong(struct reader *r, uint64_t *out);
bool codec_get_varint(struct reader *r, int32_t *out);
bool codec_get_varlong(struct reader *r, int64_t *out);

/* A length longer than what remains, or negative other than the null marker, is invalid. The
 * non-nullable forms reject null. Compact strings are capped at INT16_MAX bytes like the
 * int16-length form, as Kafka does. */
bool codec_get_string(struct reader *r, struct kstr *out);
bool codec_get_nullable_string(struct reader *r, struct kstr *out);
bool codec_get_compact_string(struct reader *r, struct kstr *out);
bool codec_get_compact_nullable_string(struct reader *r, struct kstr *out);
bool codec_get_bytes(struct reader *r, struct kbytes *out);
bool codec_get_nullable_bytes(struct reader *r, struct kbytes *out);
bool codec_get_compact_bytes(struct reader *r, struct kbytes *out);
bool codec_get_compact_nullable_bytes(struct reader *r, struct kbytes *out);
/* Record keys, values and header fields inside a v2 record batch: zig-zag varint length. */
bool codec_get_varint_bytes(struct reader *r, struct kbytes *out);

/* Array counts; a null array gives -1. The caller passes the smallest size an element can have
 * on the wire, and a count whose elements could not fit in the remaining bytes is rejected, so
 * a hostile count cannot make the caller allocate more than the request's own size. With
 * min_elem_size 0 the count is not bounded. */
bool codec_get_array_len(struct reader *r, int32_t *count, size_t min_elem_size);
bool codec_get_compact_array_len(struct reader *r, int32_t *count, size_t min_elem_size);

/* Tagged fields (KIP-482): a count, then for each a tag and a size-prefixed value, with tags
 * strictly increasing. on_field gets each value as its own reader and may ignore tags it does
 * not know; returning false, or leaving the value reader failed, fails the whole read. */
typedef bool (*codec_tag_fn)(void *ctx, uint32_t tag, struct reader *value);
bool codec_get_tagged_fields(struct reader *r, codec_tag_fn on_field, void *ctx);
bool codec_skip_tagged_fields(struct reader *r);

/* Writers. They cannot fail (the buffer aborts on out of memory). For the string and bytes
 * writers len -1 means null and is only allowed in the nullable forms; strings must be at
 * most INT16_MAX bytes. Breaking those rules is a bug in the caller, caught by assert(). */
void codec_put_int8(struct buf *b, int8_t v);
void codec_put_int16(struct buf *b, int16_t v);
void codec_put_int32(struct buf *b, int32_t v);
void codec_put_int64(struct buf *b, int64_t v);
void codec_put_uint32(struct buf *b, uint32_t v);
void codec_put_bool(struct buf *b, bool v);
void codec_put_uuid(struct buf *b, const uint8_t uuid[16]);

/* Always the shortest encoding. */
void codec_put_uvarint(struct buf *b, uint32_t v);
void codec_put_uvarlong(struct buf *b, uint64_t v);
void codec_put_varint(struct buf *b, int32_t v);
void codec_put_varlong(struct buf *b, int64_t v);

void codec_put_string(struct buf *b, const char *s, int32_t len);
void codec_put_nullable_string(struct buf *b, const char *s, int32_t len);
void codec_put_compact_string(struct buf *b, const char *s, int32_t len);
void codec_put_compact_nullable_string(struct buf *b, const char *s, int32_t len);
void codec_put_bytes(struct buf *b, const void *data, int32_t len);
void codec_put_nullable_bytes(struct buf *b, const void *data, int32_t len);
void codec_put_compact_bytes(struct buf *b, const void *data, int32_t len);
void codec_put_compact_nullable_bytes(struct buf *b, const void *data, int32_t len);
void codec_put_varint_bytes(struct buf *b, const void *data, int32_t len);

/* n -1 writes a null array. */
void codec_put_array_len(struct buf *b, int32_t n);
void codec_put_compact_array_len(struct buf *b, int32_t n);

/* A tagged-field section with no fields. */
void codec_put_empty_tagged_fields(struct buf *b);
/* One field: tag, size, data. The caller writes the field count (a uvarint) first. */
void codec_put_tagged_field(struct buf *b, uint32_t tag, const void *data, size_t len);

/* Overwrites 4 bytes at pos, which must already be written: a length or CRC field is reserved
 * with a placeholder and filled in once what it covers has been written. */
void codec_patch_int32(struct buf *b, size_t pos, int32_t v);

#endif
