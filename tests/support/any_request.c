/* Every request parser behind one call (see any_request.h). */
#include "tests/support/any_request.h"

const struct any_api any_request_apis[] = {
    {API_VERSIONS_KEY, API_VERSIONS_MIN_VERSION, API_VERSIONS_MAX_VERSION},
    {METADATA_KEY, METADATA_MIN_VERSION, METADATA_MAX_VERSION},
    {PRODUCE_KEY, PRODUCE_MIN_VERSION, PRODUCE_MAX_VERSION},
    {FETCH_KEY, FETCH_MIN_VERSION, FETCH_MAX_VERSION},
    {LIST_OFFSETS_KEY, LIST_OFFSETS_MIN_VERSION, LIST_OFFSETS_MAX_VERSION},
    {CREATE_TOPICS_KEY, CREATE_TOPICS_MIN_VERSION, CREATE_TOPICS_MAX_VERSION},
    {DELETE_TOPICS_KEY, DELETE_TOPICS_MIN_VERSION, DELETE_TOPICS_MAX_VERSION},
    {FIND_COORDINATOR_KEY, FIND_COORDINATOR_MIN_VERSION, FIND_COORDINATOR_MAX_VERSION},
};

const size_t any_request_api_count = sizeof(any_request_apis) / sizeof(any_request_apis[0]);

gerr_t any_request_parse(int16_t api_key, struct reader *r, int16_t version, struct arena *a,
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
    case FIND_COORDINATOR_KEY:
        return find_coordinator_request_parse(r, version, a, &out->find_coordinator);
    }
    return ERR__INVALID_ARG;
}
