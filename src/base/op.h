/* op.h: the operators of the language, a vocabulary shared by the parser
 * (AST_BINOP and AST_UNOP carry one), the value layer (ops.c applies
 * them) and differentiation (a rule per operator). It sits at the bottom
 * so that none of those layers has to include another for it. */
#ifndef OVP_OP_H
#define OVP_OP_H

typedef enum OpKind {
    OP_NONE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_LDIV, OP_EMUL, OP_EDIV,
    OP_POW, OP_EPOW, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_AND, OP_OR,
    OP_NEG, OP_PLUS, OP_NOT, OP_TRANSPOSE, OP__COUNT
} OpKind;

/* The operator as written ("+", ".*", "'"); "?" out of range. */
const char *op_name(OpKind op);

#endif
