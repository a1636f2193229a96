/* For tests and fuzzers: every request parser of the protocol library behind one call, with
 * the version range each serves, so a test can walk all of them without its own switch. */
#ifndef GREGOR_ANY_REQUEST_H
#define GREGOR_ANY_REQUEST_H

#include "broker/protocol/api_versions.h"
#include "broker/protocol/create_topics.h"
#include "broker/protocol/delete_topics.h"
#include "broker/protocol/fetch.h"
#include "broker/protocol/find_coordinator.h"
#include "broker/protocol/list_offsets.h"
#include "broker/protocol/metadata.h"
#include "broker/protocol/produce.h"

#include <stddef.h>

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

struct any_api {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
};

extern const struct any_api any_request_apis[];
extern const size_t any_request_api_count;

/* Parses a body of api_key's request; ERR__INVALID_ARG for a key without a parser. */
gerr_t any_request_parse(int16_t api_key, struct reader *r, int16_t version, struct arena *a,
                         union any_request *out);

#endif
