/* Offset index entries on top of index_file (see offset_index.h). */
#include "broker/log/offset_index.h"

#include "common/buf.h"

static int64_t entry_relative_offset(const uint8_t *entry)
{
    return be32_load(entry);
}

static uint32_t entry_position(const uint8_t *entry)
{
    return be32_load(entry + 4);
}

int offset_index_open(struct offset_index *ix, const char *path, int64_t base_offset,
                      size_t max_bytes, bool writable)
{
    ix->base_offset = base_offset;
    return index_file_open(&ix->file, path, OFFSET_INDEX_ENTRY_SIZE, max_bytes, writable);
}

void offset_index_close(struct offset_index *ix)
{
    index_file_close(&ix->file);
}

bool offset_index_append(struct offset_index *ix, int64_t offset, uint32_t position)
{
    uint8_t entry[OFFSET_INDEX_ENTRY_SIZE];
    be32_store(entry, (uint32_t)(offset - ix->base_offset));
    be32_store(entry + 4, position);
    return index_file_append(&ix->file, entry);
}

void offset_index_lookup(const struct offset_index *ix, int64_t target, int64_t *offset,
                         uint32_t *position)
{
    ssize_t i = index_file_floor(&ix->file, target - ix->base_offset, entry_relative_offset);
    if (i < 0) {
        *offset = ix->base_offset;
        *position = 0;
        return;
    }
    const uint8_t *entry = index_file_entry(&ix->file, (size_t)i);
    *offset = ix->base_offset + entry_relative_offset(entry);
    *position = entry_position(entry);
}

void offset_index_truncate_to(struct offset_index *ix, int64_t offset)
{
    ssize_t i = index_file_floor(&ix->file, offset - 1 - ix->base_offset, entry_relative_offset);
    index_file_truncate(&ix->file, (size_t)(i + 1));
}

int64_t offset_index_last_offset(const struct offset_index *ix)
{
    if (ix->file.entries == 0)
        return ix->base_offset;
    const uint8_t *last = index_file_entry(&ix->file, ix->file.entries - 1);
    return ix->base_offset + entry_relative_offset(last);
}

bool offset_index_is_sane(const struct offset_index *ix, uint64_t log_size)
{
    int64_t previous_offset = -1;
    int64_t previous_position = -1;
    for (size_t i = 0; i < ix->file.entries; i++) {
        const uint8_t *entry = index_file_entry(&ix->file, i);
        int64_t offset = entry_relative_offset(entry);
        int64_t position = entry_position(entry);
        if (offset <= previous_offset || position <= previous_position ||
            (uint64_t)position >= log_size)
            return false;
        previous_offset = offset;
        previous_position = position;
    }
    return true;
}
