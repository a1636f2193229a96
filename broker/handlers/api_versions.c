/* ApiVersions: the versions this broker serves, straight from the request table. */
#include "broker/api_table.h"
#include "broker/handlers/handlers.h"
#include "broker/net/request.h"
#include "broker/protocol/api_versions.h"

void handle_ApiVersions(struct broker *b, struct request *req)
{
    (void)b;
    struct api_versions_request parsed;
    gerr_t err = api_versions_request_parse(&req->body, req->api_version, &req->arena, &parsed);

    size_t count;
    const struct api *table = api_table(&count);
    struct api_version_range *ranges = arena_calloc(&req->arena, count, sizeof(*ranges));
    for (size_t i = 0; i < count; i++)
        ranges[i] = (struct api_version_range){table[i].key, table[i].min_version,
                                               table[i].max_version};
    /* A malformed body or bad software name still gets the table, with INVALID_REQUEST,
     * so the client can fall back to v0 as Kafka's clients do. */
    struct api_versions_response resp = {
        .error_code = err == ERR_NONE ? ERR_NONE : ERR_INVALID_REQUEST,
        .api_key_count = (int32_t)count,
        .api_keys = ranges,
    };
    api_versions_response_write(&req->response, req->api_version, &resp);
    request_respond(req);
}
