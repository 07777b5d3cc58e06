/* ops.h: the semantics of the operators on plain values: broadcasting,
 * matrix products, division, powers, comparisons and truth. They know
 * nothing of differentiation: the evaluator reaches them through
 * dispatch.h, which sends a tracked operand to its rule instead, and the
 * rules call them on primal values. They call the matrix kernels. */
#ifndef OVP_OPS_H
#define OVP_OPS_H

#include "base/diag.h"
#include "value/rterror.h"
#include "base/op.h"
#include "value/value.h"

/* Both operands numbers and op an arithmetic operator or a comparison:
 * sets *r and returns true, with no call and no allocation (the scalar
 * loops' path). Otherwise false, and ops_binary applies op. */
static inline bool ops_number_binary(OpKind op, Value a, Value b, Value *r)
{
    if (a.kind != VAL_NUM || b.kind != VAL_NUM)
        return false;
    double x = a.as.num, y = b.as.num;
    switch (op) {
    case OP_ADD: *r = val_num(x + y); return true;
    case OP_SUB: *r = val_num(x - y); return true;
    case OP_MUL: case OP_EMUL: *r = val_num(x * y); return true;
    case OP_DIV: case OP_EDIV: *r = val_num(x / y); return true;
    case OP_LT: *r = val_bool(x < y); return true;
    case OP_LE: *r = val_bool(x <= y); return true;
    case OP_GT: *r = val_bool(x > y); return true;
    case OP_GE: *r = val_bool(x >= y); return true;
    default: return false;
    }
}

/* Applies a binary operator. Takes a and b (their storage may be reused
 * for the result). Errors are raised at loc. */
Value ops_binary(RtError *E, OpKind op, Value a, Value b, const Loc *loc);
/* Applies a unary operator (OP_NEG, OP_PLUS, OP_NOT, OP_TRANSPOSE);
 * takes a. */
Value ops_unary(RtError *E, OpKind op, Value a, const Loc *loc);
/* The truth of a condition: bools, numbers, and matrices (true when
 * non-empty and every element is non-zero). NaN is an error. */
bool ops_truth(RtError *E, Value v, const Loc *loc, bool *out);

/* Elementwise kernel used by built-ins too: out[i] = f(a[i], b[i]) with
 * broadcasting. Takes a and b. `what` names the operation in errors. */
typedef double (*ElemFn2)(double, double);
Value ops_broadcast(RtError *E, Value a, Value b, ElemFn2 f, const char *what,
                    const Loc *loc);

/* The extent of a broadcast result along one dimension: a and b agree
 * when equal or when one is 1 (false when they do not). */
bool ops_broadcast_dim(size_t a, size_t b, size_t *out);

/* Numbers, booleans and 1x1 matrices are scalars. */
bool ops_is_scalar(Value v);
double ops_scalar(Value v);

/* Concatenates numeric blocks side by side (horizontal) or on top of each
 * other; empty 0x0 blocks vanish. Borrows vals; `who` names the caller in
 * errors ("matrix literal", "cat"). */
Value ops_concat(RtError *E, const Value *vals, int n, bool horizontal,
                 const char *who, const Loc *loc);
#endif
