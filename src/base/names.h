/* names.h: an index from names to small integers, for the tables that
 * grow with what a user writes (a function's locals and captures, a
 * record's fields). They keep their names in arrays of their own, in
 * order (slots, printing, destructuring); the index only finds a name's
 * position in time independent of how many there are.
 *
 * Small tables do better with a plain scan, so the callers build an
 * index only past NAMES_SCAN_MAX entries. The index does not own its
 * keys: each must stay valid, unmoved, as long as the index lives (the
 * callers' arrays hold malloc'd copies whose pointers never change). */
#ifndef OVP_NAMES_H
#define OVP_NAMES_H

#include <stddef.h>

/* Entries up to which a linear scan of the caller's array is used. */
#define NAMES_SCAN_MAX 8

typedef struct NameIndex {
    const char **keys;   /* open addressing; NULL marks a free slot */
    int *values;
    size_t cap;          /* 0, or a power of two at least twice n */
    size_t n;
} NameIndex;

/* An empty index (no allocation until the first put). */
void names_init(NameIndex *ix);
void names_free(NameIndex *ix);
/* The value stored for key, or -1. */
int names_get(const NameIndex *ix, const char *key);
/* Stores value (>= 0) for key, which must not be in the index yet. */
void names_put(NameIndex *ix, const char *key, int value);
/* keys[n - 1] was just appended to an array of n names that ix covers:
 * builds the index when the array outgrows a scan (n passes
 * NAMES_SCAN_MAX), and keeps it up to date after that. */
void names_appended(NameIndex *ix, char *const *keys, size_t n);

/* "Did you mean ...?": the known name nearest to a mistyped one. Offer
 * each candidate in turn; best is the closest by edit distance (an
 * insertion, deletion, substitution or swap of adjacent characters each
 * count 1), when it is within a third of the name's length (one edit for
 * names of 3 to 5 characters; names of 1 or 2 get no suggestion) and not
 * the name itself; on a tie the first offered wins. Names longer
 * than NEAREST_MAX_LEN are not compared. The best is copied, so a
 * candidate may live in a buffer that is reused for the next one. */
#define NEAREST_MAX_LEN 64
typedef struct Nearest {
    const char *name;
    char best[NEAREST_MAX_LEN + 1];   /* "": nothing close enough */
    size_t dist;
} Nearest;

void nearest_init(Nearest *nb, const char *name);
void nearest_offer(Nearest *nb, const char *candidate);
/* " (did you mean 'x'?)" into buf, or "" when nothing was close. */
const char *nearest_hint(const Nearest *nb, char *buf, size_t n);

#endif
