/* op.c: operator names (see op.h). */
#include "base/op.h"

/* Indexed by OpKind, so it follows the enum's order. The unary signs
 * print as "-" and "+", as written in the source, so messages quote the
 * program. */
static const char *const op_names[OP__COUNT] = {
    "", "+", "-", "*", "/", "\\", ".*", "./", "^", ".^", "==", "!=", "<",
    "<=", ">", ">=", "&&", "||", "-", "+", "!", "'",
};

const char *op_name(OpKind op)
{
    return op < OP__COUNT ? op_names[op] : "?";
}
