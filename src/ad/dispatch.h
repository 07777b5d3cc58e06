/* dispatch.h: the operators on values that may be tracked by the
 * differentiation tape. A tracked operand goes to its derivative rule
 * (ad.c), which records it and computes the primal with the plain
 * operators; anything else goes straight to the plain operators (ops.c,
 * index.c), which know nothing of differentiation. The evaluator and the
 * composite built-ins (e2e) call these; code that only ever holds plain
 * values (the rules themselves, most built-ins) calls ops_* directly.
 * Ownership as in ops.h and index.h. */
#ifndef OVP_DISPATCH_H
#define OVP_DISPATCH_H

#include "ad/ad.h"
#include "base/op.h"
#include "value/value.h"

Value dispatch_binary(Ad *ad, OpKind op, Value a, Value b, const Loc *loc);
Value dispatch_unary(Ad *ad, OpKind op, Value a, const Loc *loc);
Value dispatch_concat(Ad *ad, const Value *vals, int n, bool horizontal,
                      const char *who, const Loc *loc);
Value dispatch_index(Ad *ad, Value obj, int nsubs, const Value *subs,
                     const Loc *loc);

#endif
