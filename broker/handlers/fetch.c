/* Fetch: reads each partition from its fetch offset up to the high watermark and answers with
 * file spans that go out by sendfile. Limits follow Kafka: partition_max_bytes per partition,
 * max_bytes for the whole response, except that the first batch found is always returned
 * whole (KIP-74). Fewer than min_bytes parks the request for up to max_wait_ms; an append to
 * one of its partitions re-runs it. Fetch sessions (KIP-227) are not kept: session id 0 tells
 * the client every fetch is a full one. */
#include "broker/broker.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/log/partition_log.h"
#include "broker/net/request.h"
#include "broker/protocol/fetch.h"

/* A parsed Fetch, kept in the request's arena while it waits. */
struct fetch_state {
    struct fetch_request parsed;
    const char **topic_names; /* NUL-terminated copies, one per topic */
    const char **wait_topics; /* flattened (topic, partition) pairs for the waiters */
    int32_t *wait_partitions;
    int32_t wait_count;
};

static void read_partition(struct broker *b, const char *topic, const struct fetch_partition *in,
                           uint64_t *budget, bool first_batch_whole,
                           struct fetch_partition_data *out)
{
    *out = (struct fetch_partition_data){.partition_index = in->partition, .high_watermark = -1,
                                         .last_stable_offset = -1, .log_start_offset = -1,
                                         .aborted_transaction_count = -1,
                                         .preferred_read_replica = -1};
    struct plog *log = broker_partition_log(b, topic, in->partition);
    if (log == NULL) {
        out->error_code = ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    int64_t hw = plog_high_watermark(log);
    out->high_watermark = hw;
    out->last_stable_offset = hw; /* no transactions: everything below the HW is stable */
    out->log_start_offset = plog_log_start_offset(log);
    uint64_t limit = in->partition_max_bytes > 0 ? (uint64_t)in->partition_max_bytes : 0;
    if (limit > *budget)
        limit = *budget;
    gerr_t err = plog_read(log, in->fetch_offset, limit, hw, first_batch_whole, &out->records);
    if (err != ERR_NONE) {
        out->error_code = (int16_t)err;
        return;
    }
    *budget -= out->records.length < *budget ? out->records.length : *budget;
}

/* Builds the whole response; returns the record bytes it holds and whether any partition
 * failed. */
static uint64_t build_response(struct broker *b, struct request *req, struct fetch_state *st,
                               struct fetch_response *resp, bool *failed)
{
    const struct fetch_request *p = &st->parsed;
    uint64_t budget = p->max_bytes > 0 ? (uint64_t)p->max_bytes : 0, total = 0;
    *failed = false;
    *resp = (struct fetch_response){.response_count = p->topic_count};
    resp->responses = arena_calloc(&req->arena, (size_t)p->topic_count, sizeof(*resp->responses));
    for (int32_t t = 0; t < p->topic_count; t++) {
        struct fetch_topic_response *tr = &resp->responses[t];
        tr->topic = p->topics[t].topic;
        tr->partition_count = p->topics[t].partition_count;
        tr->partitions = arena_calloc(&req->arena, (size_t)tr->partition_count,
                                      sizeof(*tr->partitions));
        for (int32_t i = 0; i < tr->partition_count; i++) {
            struct fetch_partition_data *out = &tr->partitions[i];
            read_partition(b, st->topic_names[t], &p->topics[t].partitions[i], &budget, total == 0,
                           out);
            total += out->records.length;
            *failed |= out->error_code != ERR_NONE;
        }
    }
    return total;
}

static void release_spans(struct fetch_response *resp)
{
    for (int32_t t = 0; t < resp->response_count; t++) {
        for (int32_t i = 0; i < resp->responses[t].partition_count; i++)
            plog_span_release(&resp->responses[t].partitions[i].records);
    }
}

/* Runs the fetch; answers and returns true when there is enough to send, or when `final`. */
static bool run_fetch(void *ctx, struct request *req, bool final)
{
    struct broker *b = ctx;
    struct fetch_state *st = (struct fetch_state *)req->frame_state;
    struct fetch_response resp;
    bool failed;
    uint64_t total = build_response(b, req, st, &resp, &failed);
    uint64_t min_bytes = st->parsed.min_bytes > 0 ? (uint64_t)st->parsed.min_bytes : 0;
    if (!final && !failed && total < min_bytes) {
        release_spans(&resp);
        return false;
    }
    fetch_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
    return true;
}

static void prepare_waiting(struct request *req, struct fetch_state *st)
{
    const struct fetch_request *p = &st->parsed;
    int32_t count = 0;
    for (int32_t t = 0; t < p->topic_count; t++)
        count += p->topics[t].partition_count;
    st->wait_topics = arena_calloc(&req->arena, (size_t)count, sizeof(*st->wait_topics));
    st->wait_partitions = arena_calloc(&req->arena, (size_t)count, sizeof(*st->wait_partitions));
    for (int32_t t = 0, n = 0; t < p->topic_count; t++) {
        for (int32_t i = 0; i < p->topics[t].partition_count; i++, n++) {
            st->wait_topics[n] = st->topic_names[t];
            st->wait_partitions[n] = p->topics[t].partitions[i].partition;
        }
    }
    st->wait_count = count;
}

void handle_Fetch(struct broker *b, struct request *req)
{
    struct fetch_state *st = arena_calloc(&req->arena, 1, sizeof(*st));
    if (fetch_request_parse(&req->body, req->api_version, &req->arena, &st->parsed) != ERR_NONE) {
        handler_reject_malformed(req, "Fetch");
        return;
    }
    if (st->parsed.session_id != 0) {
        struct fetch_response resp = {.error_code = ERR_FETCH_SESSION_ID_NOT_FOUND};
        fetch_response_write(&req->response, req->api_version, &resp);
        request_respond(req);
        return;
    }
    st->topic_names = arena_calloc(&req->arena, (size_t)st->parsed.topic_count,
                                   sizeof(*st->topic_names));
    for (int32_t t = 0; t < st->parsed.topic_count; t++)
        st->topic_names[t] = handler_string(req, st->parsed.topics[t].topic);
    req->frame_state = st;

    bool may_wait = st->parsed.max_wait_ms > 0;
    if (run_fetch(b, req, !may_wait))
        return;
    prepare_waiting(req, st);
    fetch_waiters_park(b->fetch_waiters, req, st->parsed.max_wait_ms, st->wait_topics,
                       st->wait_partitions, st->wait_count);
}

bool handler_fetch_retry(void *broker, struct request *req, bool final)
{
    return run_fetch(broker, req, final);
}
