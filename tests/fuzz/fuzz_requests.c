/* Fuzzes the request body parsers: the first input byte picks one of the APIs, the second
 * a version within its range, and the rest is parsed as that request's body with a fresh arena,
 * as the broker would. No input may crash, read out of bounds or allocate without bound. */
#include "tests/support/any_request.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const struct any_api *api = &any_request_apis[data[0] % any_request_api_count];
    int range = api->max_version - api->min_version + 1;
    int16_t version = (int16_t)(api->min_version + data[1] % range);

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
    gerr_t err = any_request_parse(api->api_key, &r, version, &a, &req);
    if (err != ERR_NONE && err != ERR_INVALID_REQUEST)
        abort(); /* every version here is supported: nothing else may come back */
    arena_free(&a);
    free(body);
    return 0;
}
