/* op.c: operator names (see op.h). */
#include "base/op.h"

static const char *const op_names[OP__COUNT] = {
    "", "+", "-", "*", "/", "\\", ".*", "./", "^", ".^", "==", "!=", "<",
    "<=", ">", ">=", "&&", "||", "-", "+", "!", "'",
};

const char *op_name(OpKind op)
{
    return op < OP__COUNT ? op_names[op] : "?";
}
