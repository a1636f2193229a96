/* The request table and the dispatcher (see api_table.h). Versions are those of
 * research/kafka-protocol.md §1.8: minimums of 0 where librdkafka's feature checks need them,
 * no flexible versions beyond ApiVersions v3. */
#include "broker/api_table.h"

#include "broker/handlers/handlers.h"
#include "broker/net/connection.h"
#include "broker/net/request.h"
#include "broker/protocol/api_versions.h"
#include "broker/protocol/request_header.h"
#include "common/logger.h"

#include <stdint.h>

#define NOT_FLEXIBLE INT16_MAX

static const struct api table[] = {
    {0, "Produce", 0, 8, NOT_FLEXIBLE, handle_Produce},
    {1, "Fetch", 4, 11, NOT_FLEXIBLE, handle_Fetch},
    {2, "ListOffsets", 0, 5, NOT_FLEXIBLE, handle_ListOffsets},
    {3, "Metadata", 0, 8, NOT_FLEXIBLE, handle_Metadata},
    /* librdkafka 2.0.2 turns on lz4 and its group client only if FindCoordinator v0 is served */
    {10, "FindCoordinator", 0, 2, NOT_FLEXIBLE, handle_FindCoordinator},
    {18, "ApiVersions", API_VERSIONS_MIN_VERSION, API_VERSIONS_MAX_VERSION,
     API_VERSIONS_FIRST_FLEXIBLE, handle_ApiVersions},
    {19, "CreateTopics", 0, 4, NOT_FLEXIBLE, handle_CreateTopics},
    {20, "DeleteTopics", 0, 3, NOT_FLEXIBLE, handle_DeleteTopics},
};

const struct api *api_table(size_t *count)
{
    *count = sizeof(table) / sizeof(table[0]);
    return table;
}

const struct api *api_find(int16_t key)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].key == key)
            return &table[i];
    }
    return NULL;
}

/* ApiVersions of any version above ours is flexible too: KIP-511 keeps header v2 for it. */
static bool is_flexible(int16_t key, int16_t version)
{
    const struct api *api = api_find(key);
    return api != NULL && version >= api->first_flexible;
}

static void close_request(struct request *req, const char *what)
{
    log_warn("network", "closing %s: %s (api key %d, version %d, client id '%.*s')",
             req->conn ? connection_peer(req->conn) : "?", what, req->api_key, req->api_version,
             req->client_id.len > 0 ? req->client_id.len : 0,
             req->client_id.ptr ? req->client_id.ptr : "");
    req->close_after = true;
    request_respond(req);
}

void api_dispatch(void *broker, struct request *req)
{
    struct request_header h;
    if (request_header_parse(&req->body, is_flexible, &h) != ERR_NONE) {
        close_request(req, "malformed request header");
        return;
    }
    req->api_key = h.request_api_key;
    req->api_version = h.request_api_version;
    req->correlation_id = h.correlation_id;
    req->client_id = h.client_id;

    const struct api *api = api_find(h.request_api_key);
    if (api == NULL) {
        close_request(req, "unknown api key");
        return;
    }
    if (h.request_api_version < api->min_version || h.request_api_version > api->max_version) {
        if (api->key == API_VERSIONS_KEY && h.request_api_version > api->max_version) {
            api_versions_unsupported_write(&req->response);
            request_respond(req);
            return;
        }
        close_request(req, "unsupported version");
        return;
    }
    req->api = api;
    req->flexible = h.request_api_version >= api->first_flexible;
    api->handler(broker, req);
}
