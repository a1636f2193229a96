/* Time index entries on top of index_file (see time_index.h). */
#include "broker/log/time_index.h"

#include "common/buf.h"

static int64_t entry_timestamp(const uint8_t *entry)
{
    return (int64_t)be64_load(entry);
}

static int64_t entry_relative_offset(const uint8_t *entry)
{
    return be32_load(entry + 8);
}

int time_index_open(struct time_index *ix, const char *path, int64_t base_offset,
                    size_t max_bytes, bool writable)
{
    ix->base_offset = base_offset;
    return index_file_open(&ix->file, path, TIME_INDEX_ENTRY_SIZE, max_bytes, writable);
}

void time_index_close(struct time_index *ix)
{
    index_file_close(&ix->file);
}

bool time_index_last(const struct time_index *ix, int64_t *timestamp, int64_t *offset)
{
    if (ix->file.entries == 0)
        return false;
    const uint8_t *entry = index_file_entry(&ix->file, ix->file.entries - 1);
    *timestamp = entry_timestamp(entry);
    *offset = ix->base_offset + entry_relative_offset(entry);
    return true;
}

bool time_index_maybe_append(struct time_index *ix, int64_t timestamp, int64_t offset)
{
    int64_t last_timestamp, last_offset;
    if (timestamp < 0)
        return true;
    if (time_index_last(ix, &last_timestamp, &last_offset) && timestamp <= last_timestamp)
        return true;
    uint8_t entry[TIME_INDEX_ENTRY_SIZE];
    be64_store(entry, (uint64_t)timestamp);
    be32_store(entry + 8, (uint32_t)(offset - ix->base_offset));
    return index_file_append(&ix->file, entry);
}

int64_t time_index_lookup(const struct time_index *ix, int64_t target)
{
    ssize_t i = index_file_floor(&ix->file, target, entry_timestamp);
    if (i < 0)
        return ix->base_offset;
    return ix->base_offset + entry_relative_offset(index_file_entry(&ix->file, (size_t)i));
}

void time_index_truncate_to(struct time_index *ix, int64_t offset)
{
    /* Offsets never fall from entry to entry, so the survivors are a prefix. */
    size_t keep = 0;
    while (keep < ix->file.entries &&
           ix->base_offset + entry_relative_offset(index_file_entry(&ix->file, keep)) < offset)
        keep++;
    index_file_truncate(&ix->file, keep);
}

bool time_index_is_sane(const struct time_index *ix, int64_t next_offset)
{
    int64_t previous_timestamp = INT64_MIN;
    int64_t previous_offset = -1;
    for (size_t i = 0; i < ix->file.entries; i++) {
        const uint8_t *entry = index_file_entry(&ix->file, i);
        int64_t timestamp = entry_timestamp(entry);
        int64_t offset = entry_relative_offset(entry);
        if (timestamp <= previous_timestamp || offset < previous_offset ||
            ix->base_offset + offset >= next_offset)
            return false;
        previous_timestamp = timestamp;
        previous_offset = offset;
    }
    return true;
}
