/* Field helpers shared by the protocol codecs (see msg_codec.h). */
#include "broker/protocol/msg_codec.h"

bool msg_get_count(struct reader *r, int32_t *count, size_t min_elem_size)
{
    if (!codec_get_array_len(r, count, min_elem_size))
        return false;
    if (*count >= 0)
        return true;
    *count = 0;
    r->failed = true;
    return false;
}

bool msg_get_int32_array(struct reader *r, struct arena *a, int32_t *count, int32_t **values)
{
    *values = NULL;
    if (!msg_get_count(r, count, sizeof(int32_t)))
        return false;
    *values = arena_calloc(a, (size_t)*count, sizeof(int32_t));
    for (int32_t i = 0; i < *count; i++)
        codec_get_int32(r, &(*values)[i]);
    return reader_ok(r);
}

gerr_t msg_parse_end(const struct reader *r)
{
    return reader_ok(r) && reader_remaining(r) == 0 ? ERR_NONE : ERR_INVALID_REQUEST;
}

void msg_put_int32_array(struct buf *b, int32_t count, const int32_t *values)
{
    codec_put_array_len(b, count);
    for (int32_t i = 0; i < count; i++)
        codec_put_int32(b, values[i]);
}
