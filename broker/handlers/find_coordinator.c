/* FindCoordinator: a broker alone coordinates every group itself. (With the group coordinator
 * work the answer becomes the leader of the group's __consumer_offsets partition.)
 * Transactions are not supported: a transactional producer gets a non-retriable error that
 * says so, instead of waiting forever for a coordinator. */
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/net/request.h"
#include "broker/protocol/find_coordinator.h"

#include <string.h>

#define NO_TRANSACTIONS_MESSAGE "gregor does not support transactions yet"

static struct kstr kstr_of(const char *s)
{
    return (struct kstr){s, (int32_t)strlen(s)};
}

void handle_FindCoordinator(struct broker *b, struct request *req)
{
    struct find_coordinator_request parsed;
    if (find_coordinator_request_parse(&req->body, req->api_version, &req->arena, &parsed) !=
        ERR_NONE) {
        handler_reject_malformed(req, "FindCoordinator");
        return;
    }
    struct find_coordinator_response resp = {.node_id = -1, .host = kstr_of(""), .port = -1,
                                             .error_message = {NULL, -1}};
    if (parsed.key_type == COORDINATOR_TYPE_GROUP) {
        resp.node_id = b->id;
        resp.host = kstr_of(b->advertised_host);
        resp.port = b->advertised_port;
    } else if (parsed.key_type == COORDINATOR_TYPE_TRANSACTION) {
        resp.error_code = ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        resp.error_message = kstr_of(NO_TRANSACTIONS_MESSAGE);
    } else {
        resp.error_code = ERR_INVALID_REQUEST;
        resp.error_message = kstr_of("unknown coordinator key type");
    }
    find_coordinator_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
}
