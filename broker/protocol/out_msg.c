/* Outgoing messages with file spans (see out_msg.h). */
#include "broker/protocol/out_msg.h"

#include <stdlib.h>

void out_msg_init(struct out_msg *m)
{
    buf_init(&m->bytes);
    m->spans = NULL;
    m->nspans = 0;
    m->span_capacity = 0;
}

void out_msg_free(struct out_msg *m)
{
    for (size_t i = 0; i < m->nspans; i++)
        plog_span_release(&m->spans[i].span);
    free(m->spans);
    buf_free(&m->bytes);
    out_msg_init(m);
}

void out_msg_add_span(struct out_msg *m, struct log_span *span)
{
    if (m->nspans == m->span_capacity) {
        m->span_capacity = m->span_capacity ? m->span_capacity * 2 : 4;
        m->spans = realloc(m->spans, m->span_capacity * sizeof(*m->spans));
        if (m->spans == NULL)
            abort();
    }
    m->spans[m->nspans].at = m->bytes.len;
    m->spans[m->nspans].span = *span;
    m->nspans++;
    span->segment = NULL; /* the reference moved here */
    span->length = 0;
}

uint64_t out_msg_length(const struct out_msg *m)
{
    uint64_t total = m->bytes.len;
    for (size_t i = 0; i < m->nspans; i++)
        total += m->spans[i].span.length;
    return total;
}
