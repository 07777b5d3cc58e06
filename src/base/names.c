/* names.c: open addressing with linear probing over FNV-1a hashes. The
 * table is kept at most half full, so a probe sequence stays short and
 * every lookup of an absent name ends at a free slot. */
#include "base/names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void names_init(NameIndex *ix)
{
    ix->keys = NULL;
    ix->values = NULL;
    ix->cap = ix->n = 0;
}

void names_free(NameIndex *ix)
{
    free(ix->keys);
    free(ix->values);
    names_init(ix);
}

/* The slot holding key, or the free slot where it would go. */
static size_t probe(const NameIndex *ix, const char *key)
{
    size_t mask = ix->cap - 1;
    size_t i = (size_t)hash_name(key) & mask;
    while (ix->keys[i] && strcmp(ix->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

int names_get(const NameIndex *ix, const char *key)
{
    if (ix->cap == 0)
        return -1;
    size_t i = probe(ix, key);
    return ix->keys[i] ? ix->values[i] : -1;
}

static void grow(NameIndex *ix)
{
    NameIndex old = *ix;
    ix->cap = old.cap ? old.cap * 2 : 32;
    ix->keys = xcalloc(ix->cap, sizeof *ix->keys);
    ix->values = xmalloc(ix->cap * sizeof *ix->values);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) {
            size_t j = probe(ix, old.keys[i]);
            ix->keys[j] = old.keys[i];
            ix->values[j] = old.values[i];
        }
    free(old.keys);
    free(old.values);
}

void names_appended(NameIndex *ix, char *const *keys, size_t n)
{
    if (n == NAMES_SCAN_MAX + 1)
        for (size_t i = 0; i < n; i++)
            names_put(ix, keys[i], (int)i);
    else if (n > NAMES_SCAN_MAX + 1)
        names_put(ix, keys[n - 1], (int)(n - 1));
}

void names_put(NameIndex *ix, const char *key, int value)
{
    if (2 * (ix->n + 1) > ix->cap)
        grow(ix);
    size_t i = probe(ix, key);
    ix->keys[i] = key;
    ix->values[i] = value;
    ix->n++;
}
