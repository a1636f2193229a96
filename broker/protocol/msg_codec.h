/* Pieces every request and response codec in broker/protocol/ shares: non-nullable array
 * counts, arrays of int32, the end-of-body check and the null and empty string values, so
 * that each codec only spells out the fields of its own message. */
#ifndef GREGOR_MSG_CODEC_H
#define GREGOR_MSG_CODEC_H

#include "common/arena.h"
#include "common/buf.h"
#include "common/codec.h"
#include "common/errors.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a field absent from the request version holds: Kafka's default for a string is "",
 * for a nullable one without a default, null. */
#define KSTR_NULL ((struct kstr){NULL, -1})
#define KSTR_EMPTY ((struct kstr){"", 0})

/* The count of a non-nullable array, bounded like codec_get_array_len(). A null (-1) count is
 * malformed here: it fails the reader, so *count is never negative. */
bool msg_get_count(struct reader *r, int32_t *count, size_t min_elem_size);

/* A non-nullable []int32, copied into the arena: the wire bytes are big-endian and
 * unaligned, so they cannot be used in place. */
bool msg_get_int32_array(struct reader *r, struct arena *a, int32_t *count, int32_t **values);

/* The verdict on a whole request body: ERR_NONE when no field failed and no byte is left. */
gerr_t msg_parse_end(const struct reader *r);

void msg_put_int32_array(struct buf *b, int32_t count, const int32_t *values);

#endif
