/* dispatch.c: tracked operands to their rules, the rest to the plain
 * operators (see dispatch.h). */
#include "ad/dispatch.h"

#include "ad/ad.h"
#include "value/index.h"
#include "value/ops.h"

/* The tests look at the kind, VAL_VAR, not at liveness: a tracked value
 * of a finished tape must still be unwrapped to its primal, which the ad_*
 * hooks do (and they record nothing for it). */

/* Takes a and b, as ops_binary does. */
Value dispatch_binary(Ad *ad, OpKind op, Value a, Value b, const Loc *loc)
{
    Value r;
    if (ops_number_binary(op, a, b, &r))   /* the scalar loop's fast path */
        return r;
    if (a.kind == VAL_VAR || b.kind == VAL_VAR)
        return ad_binary(ad, op, a, b, loc);
    return ops_binary(ad->err, op, a, b, loc);
}

/* Takes a. */
Value dispatch_unary(Ad *ad, OpKind op, Value a, const Loc *loc)
{
    return a.kind == VAL_VAR ? ad_unary(ad, op, a, loc) : ops_unary(ad->err, op, a, loc);
}

/* Borrows vals. Tracked blocks count at the top level only, not inside
 * lists. */
Value dispatch_concat(Ad *ad, const Value *vals, int n, bool horizontal,
                      const char *who, const Loc *loc)
{
    for (int i = 0; i < n; i++)
        if (vals[i].kind == VAL_VAR)
            return ad_concat(ad, vals, n, horizontal, who, loc);
    return ops_concat(ad->err, vals, n, horizontal, who, loc);
}

/* Borrows obj and subs. A plain obj with a tracked subscript (X[i], i
 * tracked) takes the plain path: index_get reads the subscript's primal,
 * and the result is a constant. */
Value dispatch_index(Ad *ad, Value obj, int nsubs, const Value *subs,
                     const Loc *loc)
{
    return obj.kind == VAL_VAR ? ad_index(ad, obj, nsubs, subs, loc)
                               : index_get(ad->err, obj, nsubs, subs, loc);
}
