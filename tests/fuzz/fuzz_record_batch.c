/* Fuzzes record batch validation: any bytes either validate or get a Kafka error, and a set
 * that validates can be walked record by record without reading out of bounds. */
#include "broker/log/record_batch.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool visit(void *ctx, int64_t offset, int64_t timestamp)
{
    (void)offset;
    (void)timestamp;
    (*(int *)ctx)++;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, so ASan sees any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    for (int from_client = 0; from_client <= 1; from_client++) {
        struct rb_validate_opts opts = {.max_batch_bytes = 1 << 20,
                                        .from_client = from_client};
        struct rb_set_info info;
        if (rb_validate_set(copy, size, &opts, &info) == ERR_NONE) {
            int records = 0;
            rb_for_each_record(copy, size, visit, &records);
        }
    }
    int records = 0;
    rb_for_each_record(copy, size, visit, &records);
    free(copy);
    return 0;
}
