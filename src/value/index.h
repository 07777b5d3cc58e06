/* index.h: reading and writing through subscripts: 1-based, `end`,
 * ranges, index vectors, logical masks and `:`, on matrices, lists,
 * strings and records. Grows vectors and matrices on assignment. */
#ifndef OVP_INDEX_H
#define OVP_INDEX_H

#include "value/rterror.h"
#include "value/value.h"

/* In subscripts, VAL_NIL stands for a bare `:`. */

/* obj[subs...] for a plain obj (a tracked one goes through
 * dispatch_index); borrows obj and subs. */
Value index_get(RtError *E, Value obj, int nsubs, const Value *subs,
                const Loc *loc);
/* *target[subs...] = rhs; takes rhs. *target may be VAL_NIL (unset),
 * which starts an empty matrix (or list when rhs is not numeric). */
bool index_set(RtError *E, Value *target, int nsubs, const Value *subs,
               Value rhs, const Loc *loc);
/* The linear (column-major) positions that obj[subs...] reads, in the
 * order of the result; *pos is malloc'd. obj is a number or matrix. */
bool index_positions(RtError *E, Value obj, int nsubs, const Value *subs,
                     size_t **pos, size_t *n, const Loc *loc);
/* The value of `end` in subscript dim (0-based) of nsubs for obj. */
bool index_end(RtError *E, Value obj, int dim, int nsubs, double *out,
               const Loc *loc);

#endif
