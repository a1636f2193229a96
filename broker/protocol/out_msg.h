/* An outgoing message: encoded bytes plus, at chosen places, spans of log files that are sent
 * with sendfile rather than copied. The Fetch and ReplicaFetch responses carry record data this
 * way; every other message is bytes only. */
#ifndef GREGOR_OUT_MSG_H
#define GREGOR_OUT_MSG_H

#include "broker/log/partition_log.h"
#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

/* A file span that goes on the wire after the first `at` bytes of `bytes`. */
struct out_span {
    size_t at;
    struct log_span span; /* holds a segment reference until the message is freed */
};

struct out_msg {
    struct buf bytes;
    struct out_span *spans;
    size_t nspans;
    size_t span_capacity;
};

void out_msg_init(struct out_msg *m);
/* Releases the spans' segment references and the bytes. */
void out_msg_free(struct out_msg *m);
/* Places a span at the current end of the bytes; the message takes over its reference. */
void out_msg_add_span(struct out_msg *m, struct log_span *span);
/* Bytes plus span lengths: what the size prefix of the frame counts. */
uint64_t out_msg_length(const struct out_msg *m);

#endif
