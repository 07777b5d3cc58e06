/* names.c: open addressing with linear probing over FNV-1a hashes. The
 * table is kept at most half full, so a probe sequence stays short and
 * every lookup of an absent name ends at a free slot. Also the nearest
 * known name to a mistyped one, for the "did you mean" hints. */
#include "base/names.h"

#include <stdint.h>
#include <stdio.h>
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

/* Optimal string alignment distance (Levenshtein plus adjacent swaps),
 * over two rows of the usual table and the one before them. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t rows[3][NEAREST_MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = prev2;
        prev2 = prev, prev = cur, cur = t;
    }
    return prev[lb];
}

void nearest_init(Nearest *nb, const char *name)
{
    nb->name = name;
    nb->best[0] = '\0';
    /* the first distance not accepted: one edit for names of 3 to 5
     * characters, a third of the length from 6 on; none below 3, where
     * one edit reaches too many names ('z' would suggest 'e') */
    size_t len = strlen(name);
    nb->dist = len < 3 ? 0 : (len >= 6 ? len / 3 : 1) + 1;
}

void nearest_offer(Nearest *nb, const char *candidate)
{
    size_t la = strlen(nb->name), lb = strlen(candidate);
    if (la > NEAREST_MAX_LEN || lb > NEAREST_MAX_LEN || strcmp(nb->name, candidate) == 0)
        return;
    size_t gap = la > lb ? la - lb : lb - la;
    if (gap >= nb->dist)
        return;   /* at least that many insertions or deletions */
    size_t d = edit_distance(nb->name, la, candidate, lb);
    if (d < nb->dist) {
        nb->dist = d;
        memcpy(nb->best, candidate, lb + 1);
    }
}

const char *nearest_hint(const Nearest *nb, char *buf, size_t n)
{
    if (!nb->best[0])
        return "";
    snprintf(buf, n, " (did you mean '%s'?)", nb->best);
    return buf;
}
