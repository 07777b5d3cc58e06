/* structure.h: the neural tangent kernel of a batch without the Jacobian,
 * from the structure of the tape (see structure.c). */
#ifndef OVP_STRUCTURE_H
#define OVP_STRUCTURE_H

#include "ad/ad.h"
#include "base/matrix.h"

/* What the structured paths found. */
typedef enum {
    STRUCT_NONE,        /* no structure, nothing raised: use the general path */
    STRUCT_DONE,        /* the result is made */
    STRUCT_FAILED       /* an error was raised (a sweep, memory, Ctrl-C) */
} StructResult;

/* K = J J' for y = f(xt) just recorded on the active tape (y and xt as
 * jacobian_of holds them: y the tracked output, xt the structure of
 * leaves), when the structure allows it without forming J: y is an n x 1
 * column whose row i depends on row i of the batch alone, and every
 * parameter matrix enters once, as the right factor of a product A * W or
 * A * W' (A the data or an earlier layer's rows), or as a bias added to
 * such rows. Then each parameter adds (A A') .* (G G') to K, G being the
 * adjoint at the product from one reverse sweep. Otherwise returns
 * STRUCT_NONE having changed nothing but the adjoints. */
StructResult ad_ntk_structured(Ad *ad, Value y, Value xt, Matrix **K, const Loc *loc);

/* J itself (n x ad_leaf_count(xt), zeros, allocated by the caller) from
 * one sweep instead of n, under the same conditions: row i of J for a
 * product's weight is A_i' g_i, laid out as the weight is. The tape is
 * spent either way (no further sweep). */
StructResult ad_jacobian_structured(Ad *ad, Value y, Value xt, Matrix *J, const Loc *loc);

#endif
