/* ApiVersions request and response bodies (see api_versions.h). Only v3 is flexible, so only
 * it has compact encodings and tag sections. */
#include "broker/protocol/api_versions.h"

#include "broker/protocol/msg_codec.h"

#include <assert.h>

/* ASCII only, as Java's [a-zA-Z0-9]; isalnum() would follow the locale. */
static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Kafka's [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?, anchored at both ends, without a regex
 * engine: non-empty, letters, digits, '-' and '.', beginning and ending with a letter or digit. */
static bool software_name_valid(struct kstr s)
{
    if (s.len <= 0 || !is_alnum(s.ptr[0]) || !is_alnum(s.ptr[s.len - 1]))
        return false;
    for (int32_t i = 1; i < s.len - 1; i++) {
        if (!is_alnum(s.ptr[i]) && s.ptr[i] != '-' && s.ptr[i] != '.')
            return false;
    }
    return true;
}

gerr_t api_versions_request_parse(struct reader *r, int16_t version, struct arena *a,
                                  struct api_versions_request *out)
{
    (void)a;
    if (version < API_VERSIONS_MIN_VERSION || version > API_VERSIONS_MAX_VERSION)
        return ERR_UNSUPPORTED_VERSION;
    out->client_software_name = KSTR_EMPTY;
    out->client_software_version = KSTR_EMPTY;
    if (version >= 3) {
        codec_get_compact_string(r, &out->client_software_name);
        codec_get_compact_string(r, &out->client_software_version);
        codec_skip_tagged_fields(r);
    }
    gerr_t err = msg_parse_end(r);
    if (err == ERR_NONE && version >= 3 &&
        (!software_name_valid(out->client_software_name) ||
         !software_name_valid(out->client_software_version)))
        err = ERR_INVALID_REQUEST;
    return err;
}

static void put_api_keys(struct buf *b, bool flexible, const struct api_versions_response *resp)
{
    if (flexible)
        codec_put_compact_array_len(b, resp->api_key_count);
    else
        codec_put_array_len(b, resp->api_key_count);
    for (int32_t i = 0; i < resp->api_key_count; i++) {
        const struct api_version_range *k = &resp->api_keys[i];
        codec_put_int16(b, k->api_key);
        codec_put_int16(b, k->min_version);
        codec_put_int16(b, k->max_version);
        if (flexible)
            codec_put_empty_tagged_fields(b);
    }
}

void api_versions_response_write(struct out_msg *m, int16_t version,
                                 const struct api_versions_response *resp)
{
    assert(version >= API_VERSIONS_MIN_VERSION && version <= API_VERSIONS_MAX_VERSION);
    struct buf *b = &m->bytes;
    bool flexible = version >= API_VERSIONS_FIRST_FLEXIBLE;

    codec_put_int16(b, resp->error_code);
    put_api_keys(b, flexible, resp);
    if (version >= 1)
        codec_put_int32(b, resp->throttle_time_ms);
    if (flexible)
        codec_put_empty_tagged_fields(b);
}

void api_versions_unsupported_write(struct out_msg *m)
{
    static const struct api_version_range own_range = {
        API_VERSIONS_KEY, API_VERSIONS_MIN_VERSION, API_VERSIONS_MAX_VERSION};
    const struct api_versions_response resp = {
        .error_code = ERR_UNSUPPORTED_VERSION, .api_key_count = 1, .api_keys = &own_range};

    api_versions_response_write(m, 0, &resp);
}
