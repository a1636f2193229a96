/* A bump allocator for the life of one request: decoded arrays and small copies come from
 * it, and are freed together when the request is answered. */
#ifndef GREGOR_ARENA_H
#define GREGOR_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *blocks;
    size_t used;     /* bytes used in the newest block */
    size_t capacity; /* bytes in the newest block */
};

void arena_init(struct arena *a);
/* Frees every block. */
void arena_free(struct arena *a);
/* Zeroed memory for n elements of size bytes, aligned for any type; aborts on overflow or
 * when memory runs out (callers bound n against the input first). */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* A NUL-terminated copy of len bytes (a wire string, which has no terminator). */
char *arena_strndup(struct arena *a, const char *s, size_t len);

#endif
