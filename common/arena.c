/* Bump allocation in blocks that grow with demand (see arena.h). */
#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_BLOCK 4096

struct arena_block {
    struct arena_block *next;
    alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a)
{
    a->blocks = NULL;
    a->used = 0;
    a->capacity = 0;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->blocks;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a);
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size / 2)
        abort();
    size_t bytes = n * size;
    size_t align = alignof(max_align_t);
    size_t start = (a->used + align - 1) / align * align;
    if (a->blocks == NULL || start + bytes > a->capacity) {
        size_t capacity = a->capacity ? a->capacity * 2 : ARENA_FIRST_BLOCK;
        while (capacity < bytes)
            capacity *= 2;
        struct arena_block *b = malloc(sizeof(*b) + capacity);
        if (b == NULL)
            abort();
        b->next = a->blocks;
        a->blocks = b;
        a->capacity = capacity;
        start = 0;
    }
    a->used = start + bytes;
    void *p = a->blocks->data + start;
    memset(p, 0, bytes);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *copy = arena_calloc(a, len + 1, 1);
    if (len > 0)
        memcpy(copy, s, len);
    return copy;
}
