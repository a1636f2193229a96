/* Memory-mapped fixed-entry index files (see index_file.h). */
#include "broker/log/index_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Maps the first `bytes` of the file, or nothing for an empty file. */
static int map_file(struct index_file *ix, size_t bytes)
{
    ix->map = NULL;
    ix->map_bytes = bytes;
    ix->max_entries = bytes / ix->entry_size;
    if (bytes == 0)
        return 0;
    int prot = PROT_READ | (ix->writable ? PROT_WRITE : 0);
    void *map = mmap(NULL, bytes, prot, MAP_SHARED, ix->fd, 0);
    if (map == MAP_FAILED)
        return -1;
    ix->map = map;
    return 0;
}

static void unmap_file(struct index_file *ix)
{
    if (ix->map)
        munmap(ix->map, ix->map_bytes);
    ix->map = NULL;
    ix->map_bytes = 0;
}

/* Sets the file's size to `bytes` and maps it. */
static int resize_and_map(struct index_file *ix, size_t bytes)
{
    if (ftruncate(ix->fd, (off_t)bytes) != 0)
        return -1;
    return map_file(ix, bytes);
}

int index_file_open(struct index_file *ix, const char *path, size_t entry_size, size_t max_bytes,
                    bool writable)
{
    memset(ix, 0, sizeof(*ix));
    ix->entry_size = entry_size;
    ix->writable = writable;
    ix->fd = open(path, (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
    if (ix->fd < 0)
        return -1;
    ix->path = strdup(path);
    if (ix->path == NULL)
        abort();

    struct stat st;
    if (fstat(ix->fd, &st) != 0)
        goto fail;
    size_t existing = (size_t)st.st_size / entry_size * entry_size;
    size_t wanted = writable ? max_bytes / entry_size * entry_size : existing;
    if (wanted < existing)
        wanted = existing;
    if ((writable ? resize_and_map(ix, wanted) : map_file(ix, wanted)) != 0)
        goto fail;
    ix->entries = existing / entry_size;
    return 0;

fail:;
    int saved = errno;
    close(ix->fd);
    free(ix->path);
    ix->path = NULL;
    errno = saved;
    return -1;
}

int index_file_set_writable(struct index_file *ix, bool writable, size_t max_bytes)
{
    size_t used = ix->entries * ix->entry_size;
    unmap_file(ix);
    if (writable && !ix->writable) {
        /* Reopen read-write: the descriptor was opened read-only. */
        int fd = open(ix->path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return -1;
        close(ix->fd);
        ix->fd = fd;
    }
    ix->writable = writable;
    size_t bytes = writable ? max_bytes / ix->entry_size * ix->entry_size : used;
    if (bytes < used)
        bytes = used;
    return resize_and_map(ix, bytes);
}

void index_file_close(struct index_file *ix)
{
    if (ix->path == NULL)
        return;
    size_t used = ix->entries * ix->entry_size;
    unmap_file(ix);
    /* A failed trim is not fatal: the next open finds the preallocated tail, and the sanity
     * check or recovery rebuilds the index. */
    if (ix->writable && ftruncate(ix->fd, (off_t)used) != 0)
        ix->entries = 0;
    close(ix->fd);
    free(ix->path);
    ix->path = NULL;
}

bool index_file_append(struct index_file *ix, const void *entry)
{
    if (!ix->writable || index_file_full(ix))
        return false;
    memcpy(ix->map + ix->entries * ix->entry_size, entry, ix->entry_size);
    ix->entries++;
    return true;
}

void index_file_truncate(struct index_file *ix, size_t n)
{
    if (n >= ix->entries)
        return;
    /* Zero the dropped entries so a crash before the next trim leaves no stale ones. */
    if (ix->writable)
        memset(ix->map + n * ix->entry_size, 0, (ix->entries - n) * ix->entry_size);
    ix->entries = n;
}

int index_file_flush(const struct index_file *ix)
{
    if (ix->map == NULL || ix->entries == 0)
        return 0;
    return msync(ix->map, ix->entries * ix->entry_size, MS_SYNC);
}

ssize_t index_file_floor(const struct index_file *ix, int64_t target,
                         int64_t (*key_of)(const uint8_t *entry))
{
    ssize_t lo = 0, hi = (ssize_t)ix->entries - 1, found = -1;
    while (lo <= hi) {
        ssize_t mid = lo + (hi - lo) / 2;
        if (key_of(index_file_entry(ix, (size_t)mid)) <= target) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}
