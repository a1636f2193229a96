/* Fuzzes the request body parsers: the first input byte picks one of the seven APIs, the second
 * a version within its range, and the rest is parsed as that request's body with a fresh arena,
 * as the broker would. No input may crash, read out of bounds or allocate without bound. */
#include "broker/protocol/api_versions.h"
#include "broker/protocol/create_topics.h"
#include "broker/protocol/delete_topics.h"
#include "broker/protocol/find_coordinator.h"
#include "broker/protocol/fetch.h"
#include "broker/protocol/list_offsets.h"
#include "broker/protocol/metadata.h"
#include "broker/protocol/produce.h"
#include "common/arena.h"
#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
} apis[] = {
    {API_VERSIONS_KEY, API_VERSIONS_MIN_VERSION, API_VERSIONS_MAX_VERSION},
    {METADATA_KEY, METADATA_MIN_VERSION, METADATA_MAX_VERSION},
    {PRODUCE_KEY, PRODUCE_MIN_VERSION, PRODUCE_MAX_VERSION},
    {FETCH_KEY, FETCH_MIN_VERSION, FETCH_MAX_VERSION},
    {LIST_OFFSETS_KEY, LIST_OFFSETS_MIN_VERSION, LIST_OFFSETS_MAX_VERSION},
    {CREATE_TOPICS_KEY, CREATE_TOPICS_MIN_VERSION, CREATE_TOPICS_MAX_VERSION},
    {DELETE_TOPICS_KEY, DELETE_TOPICS_MIN_VERSION, DELETE_TOPICS_MAX_VERSION},
    {FIND_COORDINATOR_KEY, FIND_COORDINATOR_MIN_VERSION, FIND_COORDINATOR_MAX_VERSION},
};

union any_request {
    struct api_versions_request api_versions;
    struct metadata_request metadata;
    struct produce_request produce;
    struct fetch_request fetch;
    struct list_offsets_request list_offsets;
    struct create_topics_request create_topics;
    struct delete_topics_request delete_topics;
    struct find_coordinator_request find_coordinator;
};

static gerr_t parse(int16_t api_key, struct reader *r, int16_t version, struct arena *a,
                    union any_request *out)
{
    switch (api_key) {
    case API_VERSIONS_KEY:
        return api_versions_request_parse(r, version, a, &out->api_versions);
    case METADATA_KEY:
        return metadata_request_parse(r, version, a, &out->metadata);
    case PRODUCE_KEY:
        return produce_request_parse(r, version, a, &out->produce);
    case FETCH_KEY:
        return fetch_request_parse(r, version, a, &out->fetch);
    case LIST_OFFSETS_KEY:
        return list_offsets_request_parse(r, version, a, &out->list_offsets);
    case CREATE_TOPICS_KEY:
        return create_topics_request_parse(r, version, a, &out->create_topics);
    case DELETE_TOPICS_KEY:
        return delete_topics_request_parse(r, version, a, &out->delete_topics);
    default:
        return find_coordinator_request_parse(r, version, a, &out->find_coordinator);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t api = data[0] % (sizeof apis / sizeof apis[0]);
    int range = apis[api].max_version - apis[api].min_version + 1;
    int16_t version = (int16_t)(apis[api].min_version + data[1] % range);

    /* An exact-size copy, so that ASan catches a read one byte past the body. */
    size_t len = size - 2;
    uint8_t *body = malloc(len ? len : 1);
    if (body == NULL)
        abort();
    memcpy(body, data + 2, len);

    struct reader r;
    struct arena a;
    union any_request req;
    reader_init(&r, body, len);
    arena_init(&a);
    gerr_t err = parse(apis[api].api_key, &r, version, &a, &req);
    if (err != ERR_NONE && err != ERR_INVALID_REQUEST)
        abort(); /* every version here is supported: nothing else may come back */
    arena_free(&a);
    free(body);
    return 0;
}
