/* fuse.c: see fuse.h.
 *
 * The expression becomes a postfix program of steps: leaves, which load
 * a stretch of one column of the result's shape (a number repeated, a
 * column of a matrix, a broadcast row or column, a transposed matrix
 * read across), and operators, which combine the top two stretches of a
 * small stack in place. The result is computed column by column, in
 * stretches of FUSE_CHUNK elements, so the stack stays in the first-level
 * cache whatever the matrices' size.
 */
#include "config.h"

#include "eval/fuse.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/interrupt.h"
#include "base/matrix.h"
#include "base/vecmath.h"
#include "eval/walk.h"
#include "value/ops.h"
#include "value/rterror.h"

enum {
    FUSE_MAX_STEPS = 32,      /* a longer expression is left to the walker */
    FUSE_MIN_OPS = 2,         /* one operator alone has no temporary to save */
    FUSE_CHUNK = 512,         /* elements per stretch */
    FUSE_MIN_ROWS = 64,       /* shorter columns make stretches too short */
    FUSE_MIN_ELEMS = 4096,    /* smaller results gain nothing */
};

/* the AstNode's fuse mark */
enum { FUSE_UNKNOWN = 0, FUSE_HEAD = 1, FUSE_NO = -1 };

typedef enum StepKind {
    ST_LEAF, ST_ADD, ST_SUB, ST_MUL, ST_DIV, ST_OUTER, ST_NEG
} StepKind;

typedef struct Step {
    StepKind kind;
    AstNode *node;
    size_t rows, cols;
    bool scalar;            /* a number, or a 1x1 matrix */
    /* ST_LEAF: the value, or element (i, j) at data[i * rs + j * cs] */
    double value;
    const double *data;
    size_t rs, cs;
} Step;

/* ---- the shape of the tree: which nodes head an expression ---------- */

static bool is_leaf(const AstNode *n)
{
    return n->kind == AST_NUM || walk_is_variable(n) ||
           (n->kind == AST_UNOP && n->op == OP_TRANSPOSE && walk_is_variable(n->kids[0]));
}

static bool is_operator(const AstNode *n)
{
    if (n->kind == AST_UNOP)
        return n->op == OP_NEG;
    return n->kind == AST_BINOP &&
           (n->op == OP_ADD || n->op == OP_SUB || n->op == OP_EMUL ||
            n->op == OP_EDIV || n->op == OP_MUL || n->op == OP_DIV);
}

/* The operators of the expression n heads, or -1 when some part of it
 * is neither a leaf nor an operator taken here. */
static int count_operators(const AstNode *n)
{
    if (is_leaf(n))
        return 0;
    if (n->depth > FUSE_MAX_STEPS + 2)   /* too many operators, and no */
        return -1;                       /* recursion down a deep tree */
    if (!is_operator(n))
        return -1;
    int total = 1;
    for (int i = 0; i < n->nkids; i++) {
        int k = count_operators(n->kids[i]);
        if (k < 0 || total + k > FUSE_MAX_STEPS)
            return -1;
        total += k;
    }
    return total;
}

static void mark_inner(AstNode *n)
{
    if (!is_operator(n))
        return;
    n->fuse = FUSE_NO;
    for (int i = 0; i < n->nkids; i++)
        mark_inner(n->kids[i]);
}

/* Decided once per node: the expression's head is tried at run time, its
 * inner operators never on their own (the walker reaches them only when
 * the head was left to it). A node that heads nothing may still hold an
 * expression further down, decided when the walker gets there. */
bool fuse_heads(AstNode *n)
{
    if (n->fuse == FUSE_UNKNOWN) {
        bool head = count_operators(n) >= FUSE_MIN_OPS;
        if (head)
            mark_inner(n);
        n->fuse = head ? FUSE_HEAD : FUSE_NO;
    }
    return n->fuse == FUSE_HEAD;
}

/* ---- the program: steps with the shapes of their values -------------- */

typedef struct Program {
    Step steps[2 * FUSE_MAX_STEPS + 1];
    int n, depth, maxdepth;
} Program;

/* A number or a matrix (transposed when asked), with its strides; false
 * for anything else (an unassigned name, a string, a tracked value). */
static bool load_leaf(Interp *I, AstNode *n, Step *s)
{
    bool transposed = n->kind == AST_UNOP;
    AstNode *ident = transposed ? n->kids[0] : n;
    s->kind = ST_LEAF;
    s->node = n;
    s->rows = s->cols = 1;
    s->scalar = true;
    if (n->kind == AST_NUM) {
        s->value = n->num;
        return true;
    }
    const Value *v = walk_ident_slot(I, ident);
    if (!v || (v->kind != VAL_NUM && v->kind != VAL_MAT))
        return false;
    if (v->kind == VAL_NUM) {
        s->value = v->as.num;
        return true;
    }
    const Matrix *m = v->as.mat;
    if (m->rows == 1 && m->cols == 1) {
        s->value = m->data[0];
        return true;
    }
    s->scalar = false;
    s->data = m->data;
    s->rows = transposed ? m->cols : m->rows;
    s->cols = transposed ? m->rows : m->cols;
    s->rs = transposed ? m->rows : 1;
    s->cs = transposed ? 1 : m->rows;
    return true;
}

/* The shape of an operator's value from its operands' (x the left), and
 * the kind of step that computes it as the walker would: * and / by a
 * scalar are elementwise, a column times a row is the rank-one product,
 * any other product or division is not taken. */
static bool operator_shape(Step *s, const Step *x, const Step *y)
{
    OpKind op = s->node->op;
    s->scalar = x->scalar && y->scalar;
    if (op == OP_MUL && !x->scalar && !y->scalar) {
        if (x->cols != 1 || y->rows != 1)
            return false;
        s->kind = ST_OUTER;
        s->rows = x->rows;
        s->cols = y->cols;
        return true;
    }
    if (op == OP_DIV && !y->scalar)
        return false;
    s->kind = op == OP_ADD ? ST_ADD : op == OP_SUB ? ST_SUB
            : op == OP_EMUL || op == OP_MUL ? ST_MUL : ST_DIV;
    if (x->scalar || y->scalar) {
        const Step *m = x->scalar ? y : x;
        s->rows = m->rows;
        s->cols = m->cols;
        return true;
    }
    return ops_broadcast_dim(x->rows, y->rows, &s->rows) &&
           ops_broadcast_dim(x->cols, y->cols, &s->cols);
}

/* Appends n's steps in postfix order and returns the index of the one
 * that gives n's value; -1 when the expression is not one to take after
 * all (see load_leaf and operator_shape). */
static int compile(Interp *I, AstNode *n, Program *p)
{
    if (is_leaf(n)) {
        Step *s = &p->steps[p->n];
        if (!load_leaf(I, n, s))
            return -1;
        if (++p->depth > p->maxdepth)
            p->maxdepth = p->depth;
        return p->n++;
    }
    int x = compile(I, n->kids[0], p);
    if (x < 0)
        return -1;
    if (n->kind == AST_UNOP) {   /* unary minus */
        Step *s = &p->steps[p->n];
        *s = (Step){.kind = ST_NEG, .node = n, .rows = p->steps[x].rows,
                    .cols = p->steps[x].cols, .scalar = p->steps[x].scalar};
        return p->n++;
    }
    int y = compile(I, n->kids[1], p);
    if (y < 0)
        return -1;
    Step *s = &p->steps[p->n];
    *s = (Step){.node = n};
    if (!operator_shape(s, &p->steps[x], &p->steps[y]))
        return -1;
    p->depth--;
    return p->n++;
}

/* ---- running it --------------------------------------------------------- */

/* A step's value over one stretch: a number (p NULL), the stretch of a
 * matrix read in place, or one of the stack's buffers (buf >= 0). */
typedef struct Stretch {
    const double *p;
    double s;
    int buf;
} Stretch;

/* The stack's buffers: FUSE_CHUNK doubles each, handed out and given
 * back as the steps run. */
typedef struct Buffers {
    double *mem;
    int *free_list, nfree;
} Buffers;

static double *buffer(const Buffers *b, int k)
{
    return b->mem + (size_t)k * FUSE_CHUNK;
}

static void give_back(Buffers *b, Stretch x)
{
    if (x.buf >= 0)
        b->free_list[b->nfree++] = x.buf;
}

/* Rows i0 .. i0 + len - 1 of column j of a leaf. A dimension of extent 1
 * is read with stride 0 (the broadcast): a broadcast row is a number
 * down the column, a column is read in place, and only a transposed
 * matrix, read across, is gathered into a buffer. */
static Stretch load(const Step *s, size_t i0, size_t len, size_t j, Buffers *b)
{
    if (s->scalar)
        return (Stretch){.s = s->value, .buf = -1};
    size_t rs = s->rows == 1 ? 0 : s->rs, cs = s->cols == 1 ? 0 : s->cs;
    const double *col = s->data + j * cs;
    if (rs == 0)
        return (Stretch){.s = col[0], .buf = -1};
    if (rs == 1)
        return (Stretch){.p = col + i0, .buf = -1};
    Stretch x = {.buf = b->free_list[--b->nfree]};
    double *out = buffer(b, x.buf);
    for (size_t k = 0; k < len; k++)
        out[k] = col[(i0 + k) * rs];
    x.p = out;
    return x;
}

/* Where an operator writes: an operand's buffer when it has one (each
 * element is read before it is written), else a fresh one. */
static int target_buffer(Buffers *b, Stretch *x, Stretch *y)
{
    if (x->buf >= 0) {
        give_back(b, *y);
        return x->buf;
    }
    if (y->buf >= 0)
        return y->buf;
    return b->free_list[--b->nfree];
}

static double number_op(StepKind kind, double x, double y)
{
    switch (kind) {
    case ST_ADD: return x + y;
    case ST_SUB: return x - y;
    case ST_MUL: return x * y;
    case ST_DIV: return x / y;
    default: return x * y + 0.0;   /* ST_OUTER */
    }
}

/* x*y + 0 over a stretch, as mat_mul's outer() forms each element: the
 * product rounded once, then + 0, which is exact but turns -0 into +0. */
static void outer_product(double *out, Stretch x, Stretch y, size_t len)
{
    vm_arith(VM_MUL, out, x.p, y.p, x.p ? y.s : x.s, len);
    vm_arith(VM_ADD, out, out, NULL, 0.0, len);
}

/* x op y, each element as the walker forms it: + - .* ./ through the
 * same vectorised kernels the operators use (vecmath.h), two numbers as
 * numbers. */
static Stretch combine(StepKind kind, Stretch x, Stretch y, size_t len, Buffers *b)
{
    if (!x.p && !y.p)
        return (Stretch){.s = number_op(kind, x.s, y.s), .buf = -1};
    int t = target_buffer(b, &x, &y);
    double *out = buffer(b, t);
    if (kind == ST_OUTER) {
        outer_product(out, x, y, len);
    } else {
        static const VmArith arith[] = {
            [ST_ADD] = VM_ADD, [ST_SUB] = VM_SUB, [ST_MUL] = VM_MUL, [ST_DIV] = VM_DIV,
        };
        vm_arith(arith[kind], out, x.p, y.p, x.p ? y.s : x.s, len);
    }
    return (Stretch){.p = out, .buf = t};
}

/* -x (not 0 - x, which would make -0 of 0). */
static Stretch negate(Stretch x, size_t len, Buffers *b)
{
    if (!x.p)
        return (Stretch){.s = -x.s, .buf = -1};
    Stretch none = {.buf = -1};
    int t = target_buffer(b, &x, &none);
    double *out = buffer(b, t);
    for (size_t k = 0; k < len; k++)
        out[k] = -x.p[k];
    return (Stretch){.p = out, .buf = t};
}

/* Rows i0 .. i0 + len - 1 of column j of the result into out. */
static void run_stretch(const Program *p, size_t i0, size_t len, size_t j,
                        Buffers *b, Stretch *stack, double *out)
{
    int top = 0;
    for (int k = 0; k < p->n; k++) {
        const Step *s = &p->steps[k];
        if (s->kind == ST_LEAF) {
            stack[top++] = load(s, i0, len, j, b);
        } else if (s->kind == ST_NEG) {
            stack[top - 1] = negate(stack[top - 1], len, b);
        } else {
            top--;
            stack[top - 1] = combine(s->kind, stack[top - 1], stack[top], len, b);
        }
    }
    Stretch r = stack[0];
    if (r.p)
        memcpy(out, r.p, len * sizeof *out);
    else
        for (size_t k = 0; k < len; k++)
            out[k] = r.s;
    give_back(b, r);
}

/* The whole result into m, column by column, polling Ctrl-C between
 * columns as the kernels of ops.c do; false when interrupted. */
static bool run(const Program *p, Matrix *m)
{
    size_t rows = m->rows, cols = m->cols;
    int nbuf = p->maxdepth + 1;
    Buffers b = {.mem = xmalloc((size_t)nbuf * FUSE_CHUNK * sizeof *b.mem),
                 .free_list = xmalloc((size_t)nbuf * sizeof *b.free_list),
                 .nfree = nbuf};
    Stretch *stack = xmalloc((size_t)nbuf * sizeof *stack);
    for (int k = 0; k < nbuf; k++)
        b.free_list[k] = k;
    size_t since_poll = 0;
    for (size_t j = 0; j < cols; j++) {
        for (size_t i0 = 0; i0 < rows; i0 += FUSE_CHUNK) {
            size_t len = rows - i0 < FUSE_CHUNK ? rows - i0 : FUSE_CHUNK;
            run_stretch(p, i0, len, j, &b, stack, m->data + i0 + j * rows);
        }
        if ((since_poll += rows) >= INTERRUPT_STRIDE) {
            since_poll = 0;
            if (interrupt_pending())
                break;
        }
    }
    free(stack);
    free(b.free_list);
    free(b.mem);
    return !interrupt_pending();
}

bool fuse_try(Interp *I, AstNode *n, Value *out)
{
    if (!fuse_heads(n))
        return false;
    Program p;
    p.n = p.depth = p.maxdepth = 0;
    int last = compile(I, n, &p);
    if (last < 0)
        return false;
    const Step *r = &p.steps[last];
    if (r->scalar || r->rows < FUSE_MIN_ROWS || r->rows * r->cols < FUSE_MIN_ELEMS ||
        !mat_size_ok(r->rows, r->cols))
        return false;
    Matrix *m = mat_new_uninit(r->rows, r->cols);
    if (!m)
        return false;   /* the walker reports the size */
    if (!run(&p, m)) {
        mat_unref(m);
        *out = rt_interrupted(&I->err, &n->loc);
        return true;
    }
    *out = val_mat(m);
    return true;
}
