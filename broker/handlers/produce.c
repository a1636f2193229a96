/* Produce: appends each partition's batch to its log and answers with the offsets. acks=0 is
 * answered with nothing (and a failure closes the connection, as Kafka does). With acks=1 or
 * all, a broker alone is its whole ISR, so the answer goes out at once, unless the topic asks
 * for flush.before.ack: then it waits until every batch of the request is on disk.
 * Produce v0-2 carry legacy message sets (magic 0/1); those are refused per partition with
 * UNSUPPORTED_FOR_MESSAGE_FORMAT rather than converted (clients that send them are rare and
 * converting would mean recompressing). */
#include "broker/broker.h"
#include "broker/fetch_waiters.h"
#include "broker/handlers/handlers.h"
#include "broker/log/partition_log.h"
#include "broker/net/request.h"
#include "broker/protocol/produce.h"
#include "common/clock.h"
#include "common/logger.h"

#include <string.h>

#define NO_TRANSACTIONS_MESSAGE "gregor does not support transactions yet"

/* A Produce whose answer waits for fsyncs. */
struct produce_state {
    struct request *req;
    struct produce_response resp;
    int pending;
};

static void send_response(struct produce_state *st)
{
    produce_response_write(&st->req->response, st->req->api_version, &st->resp);
    request_respond(st->req);
}

struct durable_wait {
    struct produce_state *st;
    struct produce_partition_response *out;
};

static void on_durable(void *arg, gerr_t err)
{
    struct durable_wait *w = arg;
    if (err != ERR_NONE)
        w->out->error_code = err == ERR__TRUNCATED ? ERR_NOT_LEADER_OR_FOLLOWER
                                                   : ERR_KAFKA_STORAGE_ERROR;
    if (--w->st->pending == 0)
        send_response(w->st);
}

/* Wire errors pass through; internal ones become what a client can act on. */
static int16_t wire_error(gerr_t err, const struct plog *log)
{
    if (err >= ERR_UNKNOWN_SERVER_ERROR)
        return (int16_t)err;
    return plog_failed(log) ? ERR_KAFKA_STORAGE_ERROR : ERR_UNKNOWN_SERVER_ERROR;
}

static void append_partition(struct broker *b, struct produce_state *st, const char *topic,
                             const struct produce_partition_data *in,
                             struct produce_partition_response *out, int16_t acks)
{
    out->index = in->index;
    out->base_offset = -1;
    out->log_append_time_ms = -1;
    out->log_start_offset = -1;
    struct plog *log = broker_partition_log(b, topic, in->index);
    if (log == NULL) {
        out->error_code = ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    if (in->records.len <= 0) {
        out->error_code = ERR_INVALID_RECORD;
        return;
    }
    struct log_append_info info;
    /* The batch lives in our copy of the request frame, so it may be rewritten in place. */
    gerr_t err = plog_append_as_leader(log, (uint8_t *)in->records.ptr, (size_t)in->records.len,
                                       0, clock_wall_ms(), &info);
    out->log_start_offset = plog_log_start_offset(log);
    if (err != ERR_NONE) {
        out->error_code = wire_error(err, log);
        return;
    }
    out->base_offset = info.first_offset;
    plog_set_high_watermark(log, plog_log_end_offset(log));
    fetch_waiters_notify(b->fetch_waiters, topic, in->index);
    if (acks != 0 && plog_config(log)->flush_before_ack) {
        struct durable_wait *w = arena_calloc(&st->req->arena, 1, sizeof(*w));
        *w = (struct durable_wait){st, out};
        st->pending++;
        plog_when_durable(log, info.last_offset + 1, on_durable, w);
    }
}

static bool any_error(const struct produce_response *resp)
{
    for (int32_t t = 0; t < resp->response_count; t++) {
        for (int32_t p = 0; p < resp->responses[t].partition_response_count; p++) {
            if (resp->responses[t].partition_responses[p].error_code != ERR_NONE)
                return true;
        }
    }
    return false;
}

/* Fills every partition's answer with one error (bad acks, transactions). */
static void fail_all(const struct produce_request *parsed, struct produce_partition_response **outs,
                     int16_t error, const char *message)
{
    for (int32_t t = 0; t < parsed->topic_count; t++) {
        for (int32_t p = 0; p < parsed->topics[t].partition_count; p++) {
            outs[t][p] = (struct produce_partition_response){
                .index = parsed->topics[t].partitions[p].index, .error_code = error,
                .base_offset = -1, .log_append_time_ms = -1, .log_start_offset = -1,
                .error_message = {message, message ? (int32_t)strlen(message) : -1}};
        }
    }
}

void handle_Produce(struct broker *b, struct request *req)
{
    struct produce_request parsed;
    if (produce_request_parse(&req->body, req->api_version, &req->arena, &parsed) != ERR_NONE) {
        handler_reject_malformed(req, "Produce");
        return;
    }
    struct produce_state *st = arena_calloc(&req->arena, 1, sizeof(*st));
    st->req = req;
    st->pending = 1; /* held until every partition has been tried */
    struct produce_topic_response *topics =
        arena_calloc(&req->arena, (size_t)parsed.topic_count, sizeof(*topics));
    struct produce_partition_response **outs =
        arena_calloc(&req->arena, (size_t)parsed.topic_count, sizeof(*outs));
    for (int32_t t = 0; t < parsed.topic_count; t++) {
        int32_t n = parsed.topics[t].partition_count;
        outs[t] = arena_calloc(&req->arena, (size_t)n, sizeof(**outs));
        topics[t] = (struct produce_topic_response){parsed.topics[t].name, n, outs[t]};
    }
    st->resp = (struct produce_response){.response_count = parsed.topic_count, .responses = topics};

    if (parsed.acks != 0 && parsed.acks != 1 && parsed.acks != -1) {
        fail_all(&parsed, outs, ERR_INVALID_REQUIRED_ACKS, NULL);
    } else if (parsed.transactional_id.len >= 0) {
        fail_all(&parsed, outs, ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, NO_TRANSACTIONS_MESSAGE);
    } else {
        for (int32_t t = 0; t < parsed.topic_count; t++) {
            const char *topic = handler_string(req, parsed.topics[t].name);
            for (int32_t p = 0; p < parsed.topics[t].partition_count; p++)
                append_partition(b, st, topic, &parsed.topics[t].partitions[p], &outs[t][p],
                                 parsed.acks);
        }
    }
    if (parsed.acks == 0) {
        req->no_response = true;
        req->close_after = any_error(&st->resp);
        request_respond(req);
        return;
    }
    if (--st->pending == 0)
        send_response(st);
}
