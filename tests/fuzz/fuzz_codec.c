/* Fuzzes the Kafka primitive readers: a made-up request body is decoded field by field, as a
 * handler would, and no input may read out of bounds or loop. */
#include "common/buf.h"
#include "common/codec.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool on_tag(void *ctx, uint32_t tag, struct reader *value)
{
    (void)ctx;
    (void)tag;
    struct kstr s;
    codec_get_compact_nullable_string(value, &s); /* a short value is the reader's business */
    return true;
}

static void decode_flexible(struct reader *r)
{
    int32_t count;
    if (!codec_get_compact_array_len(r, &count, 2))
        return;
    for (int32_t i = 0; i < count; i++) {
        struct kstr name;
        struct kbytes bytes;
        int64_t varlong;
        if (!codec_get_compact_string(r, &name) || !codec_get_compact_nullable_bytes(r, &bytes) ||
            !codec_get_varlong(r, &varlong) || !codec_get_tagged_fields(r, on_tag, NULL))
            return;
    }
}

static void decode_classic(struct reader *r)
{
    int32_t count;
    if (!codec_get_array_len(r, &count, 4))
        return;
    for (int32_t i = 0; i < count; i++) {
        struct kstr name;
        struct kbytes bytes;
        int32_t varint;
        uint8_t uuid[16];
        if (!codec_get_nullable_string(r, &name) || !codec_get_nullable_bytes(r, &bytes) ||
            !codec_get_varint(r, &varint) || !codec_get_uuid(r, uuid))
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct reader r;
    reader_init(&r, copy, size);
    decode_flexible(&r);
    reader_init(&r, copy, size);
    decode_classic(&r);
    free(copy);
    return 0;
}
