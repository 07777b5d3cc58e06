/* structure.c: the NTK of a batch from the structure of the tape.
 *
 * For a network applied to a batch (row i of the output depends on row i
 * of the data only) and a weight W that enters once through Z = A * W,
 * row i of the Jacobian with respect to W is A_i' g_i, where g_i is the
 * adjoint of y_i at row i of Z. So the kernel's share of W is
 *     sum over W's elements of J_i J_j = (A_i . A_j) (g_i . g_j),
 * i.e. (A A') .* (G G') with G the n x k matrix of the g_i, an n x n
 * product in place of an n x (d k) Jacobian (Novak, Sohl-Dickstein and
 * Schoenholz, "Fast Finite Width Neural Tangent Kernel", ICML 2022, the
 * structured-derivatives idea, here for dense layers). Because rows do not
 * mix, one reverse sweep seeded with ones gives all of G at once: row i
 * of the summed adjoint receives only y_i's contribution.
 *
 * Whether rows mix is read off the tape. Each node is classed:
 *   GLOBAL   computed from parameters (and constants) only;
 *   ROWWISE  row i depends on tape values only through row i of other
 *            ROWWISE nodes and the whole of GLOBAL ones: a product of a
 *            constant or ROWWISE left factor with a GLOBAL or constant
 *            right one, then elementwise maps and operators that keep the
 *            rows (broadcasting a row or a number is fine);
 *   MIXED    anything else on a ROWWISE node (a transpose, a sum, an
 *            index, a product with a ROWWISE right factor), and everything
 *            computed from a MIXED node.
 * MIXED absorbs, so an output that is ROWWISE has no MIXED ancestor and
 * the argument above holds along every path from Z to it. Anything not
 * recognised makes the caller form J, which is always right.
 */
#include "ad/structure.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/interrupt.h"
#include "value/ops.h"

typedef enum { CLS_GLOBAL, CLS_ROWWISE, CLS_MIXED } RowClass;

/* How a parameter leaf enters: through a product Z = A * W (or A * W'),
 * added as a row or a number to rows, or not at all. */
typedef enum { USE_NONE, USE_PRODUCT, USE_ROW_BIAS, USE_SCALAR_BIAS } UseKind;

typedef struct {
    UseKind kind;
    int z;                 /* the node whose adjoint is G */
    const Matrix *a;       /* the left factor A (USE_PRODUCT), borrowed */
    bool transposed;       /* Z = A * W' rather than A * W */
} LeafUse;

/* Operators and built-ins that act element by element (with
 * broadcasting): row i of the result comes from row i of each operand
 * that has the result's rows. */
static const char *const elementwise[] = {
    "+", "-", ".*", "./", ".^", "neg", "plus", "exp", "log", "sqrt", "abs",
    "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "log10", "log2", "log1p", "expm1", "erf",
    "erfc", "gamma", "lgamma", "mod", "pow", "atan2", NULL,
};

static bool is_elementwise(const char *name)
{
    for (int i = 0; elementwise[i]; i++)
        if (strcmp(elementwise[i], name) == 0)
            return true;
    return false;
}

static size_t value_rows(Value v)
{
    return v.kind == VAL_MAT ? v.as.mat->rows : 1;
}

/* A product with a matrix on each side ("*" on a number is elementwise). */
static bool is_matrix_product(const AdNode *n)
{
    return strcmp(n->rule->name, "*") == 0 && n->nin == 2 &&
           !ops_is_scalar(n->saved[0]) && !ops_is_scalar(n->saved[1]);
}

/* The class of a matrix product: rows come from the left factor. */
static RowClass product_class(const AdNode *n, const RowClass *cls)
{
    RowClass left = n->in[0] < 0 ? CLS_ROWWISE : cls[n->in[0]];
    RowClass right = n->in[1] < 0 ? CLS_GLOBAL : cls[n->in[1]];
    if (left == CLS_MIXED || right != CLS_GLOBAL)
        return CLS_MIXED;
    /* a constant left factor is the data: its rows are the batch */
    return n->in[0] < 0 && n->in[1] < 0 ? CLS_GLOBAL : CLS_ROWWISE;
}

static RowClass node_class(const AdNode *n, const RowClass *cls)
{
    if (!n->rule)
        return CLS_GLOBAL;   /* a parameter */
    bool rowwise = false;
    for (int k = 0; k < n->nin; k++) {
        if (n->in[k] < 0)
            continue;
        if (cls[n->in[k]] == CLS_MIXED)
            return CLS_MIXED;
        rowwise = rowwise || cls[n->in[k]] == CLS_ROWWISE;
    }
    if (is_matrix_product(n))
        return product_class(n, cls);
    if (!rowwise)
        return CLS_GLOBAL;
    if (!is_elementwise(n->rule->name) || n->out.kind != VAL_MAT)
        return CLS_MIXED;
    for (int k = 0; k < n->nin; k++)
        if (n->in[k] >= 0 && cls[n->in[k]] == CLS_ROWWISE &&
            value_rows(n->saved[k]) != n->out.as.mat->rows)
            return CLS_MIXED;   /* one row broadcast down the batch */
    return CLS_ROWWISE;
}

/* The leaves of a structure made by ad_track, in its order. */
typedef struct {
    int *id;
    size_t n, cap;
} IdList;

static void collect_leaves(Value t, IdList *l)
{
    if (t.kind == VAL_LIST) {
        for (size_t i = 0; i < t.as.list->n; i++)
            collect_leaves(t.as.list->items[i], l);
    } else if (t.kind == VAL_REC) {
        for (size_t i = 0; i < t.as.rec->n; i++)
            collect_leaves(t.as.rec->vals[i], l);
    } else if (t.kind == VAL_VAR) {
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 16;
            l->id = xrealloc(l->id, l->cap * sizeof *l->id);
        }
        l->id[l->n++] = t.as.var->node;
    }
}

/* The single node that takes `id` as an input, or -1 when there are none
 * (*count says how many there are). */
static int sole_user(const Tape *t, int id, int upto, int *count)
{
    int user = -1;
    *count = 0;
    for (int i = id + 1; i <= upto; i++)
        for (int k = 0; k < t->nodes[i].nin; k++)
            if (t->nodes[i].in[k] == id) {
                user = i;
                ++*count;
            }
    return *count == 1 ? user : -1;
}

/* A bias: leaf (1 x k, or a number) added to ROWWISE rows of n. */
static bool bias_use(const Tape *t, const RowClass *cls, int leaf, int user,
                     size_t n, LeafUse *use)
{
    const AdNode *u = &t->nodes[user];
    if (strcmp(u->rule->name, "+") != 0 || cls[user] != CLS_ROWWISE ||
        u->out.kind != VAL_MAT || u->out.as.mat->rows != n)
        return false;
    int other = u->in[0] == leaf ? 1 : 0;
    if (u->in[other] == leaf)
        return false;   /* W + W */
    Value b = t->nodes[leaf].out;
    if (ops_is_scalar(b))
        use->kind = USE_SCALAR_BIAS;
    else if (b.as.mat->rows == 1 && b.as.mat->cols == u->out.as.mat->cols)
        use->kind = USE_ROW_BIAS;
    else
        return false;
    use->z = user;
    return true;
}

/* A product Z = A * (leaf or leaf'), Z ROWWISE with n rows. */
static bool product_use(const Tape *t, const RowClass *cls, int right, int user,
                        size_t n, LeafUse *use)
{
    const AdNode *u = &t->nodes[user];
    if (!is_matrix_product(u) || u->in[1] != right || u->in[0] == right ||
        cls[user] != CLS_ROWWISE || u->out.as.mat->rows != n)
        return false;
    use->kind = USE_PRODUCT;
    use->z = user;
    use->a = u->saved[0].as.mat;
    use->transposed = false;
    return true;
}

/* How leaf enters the output; false when it is not one of the forms the
 * structured kernel knows. */
static bool leaf_use(const Tape *t, const RowClass *cls, int leaf, int top,
                     size_t n, LeafUse *use)
{
    int count;
    int user = sole_user(t, leaf, top, &count);
    use->kind = USE_NONE;
    if (count == 0)
        return true;   /* the output does not depend on it */
    if (user < 0)
        return false;  /* used twice: the products' terms would cross */
    if (product_use(t, cls, leaf, user, n, use) || bias_use(t, cls, leaf, user, n, use))
        return true;
    if (strcmp(t->nodes[user].rule->name, "'") != 0)
        return false;
    int after = sole_user(t, user, top, &count);
    if (after < 0 || !product_use(t, cls, user, after, n, use))
        return false;
    use->transposed = true;
    return true;
}

/* K += (A A') .* (G G'), or G G' for a row bias, or s s' with s = G's
 * row sums for a number added to every element. */
static bool add_share(Matrix *K, const LeafUse *use, const Matrix *G)
{
    Matrix *GG, *AA = NULL;
    if (use->kind == USE_SCALAR_BIAS) {
        Matrix *s = mat_new(G->rows, 1);
        for (size_t j = 0; j < G->cols; j++)
            for (size_t i = 0; i < G->rows; i++)
                s->data[i] += MAT_AT(G, i, j);
        GG = mat_mul(s, s, false, true);
        mat_unref(s);
    } else {
        GG = mat_mul(G, G, false, true);
        if (use->kind == USE_PRODUCT)
            AA = mat_mul(use->a, use->a, false, true);
    }
    bool ok = GG && (use->kind != USE_PRODUCT || AA);
    for (size_t i = 0; ok && i < mat_numel(K); i++)
        K->data[i] += GG->data[i] * (AA ? AA->data[i] : 1.0);
    mat_unref(GG);
    mat_unref(AA);
    return ok;
}

/* Classes nodes 0..top and finds each leaf's use; false when the output
 * is not a ROWWISE column or a leaf has no known use. */
static bool find_structure(const Tape *t, int top, const IdList *leaves, LeafUse *uses)
{
    RowClass *cls = xmalloc((size_t)(top + 1) * sizeof *cls);
    for (int i = 0; i <= top; i++)
        cls[i] = node_class(&t->nodes[i], cls);
    Value y = t->nodes[top].out;
    bool ok = cls[top] == CLS_ROWWISE && y.kind == VAL_MAT && y.as.mat->cols == 1;
    for (size_t l = 0; ok && l < leaves->n; l++)
        ok = leaf_use(t, cls, leaves->id[l], top, y.as.mat->rows, &uses[l]);
    free(cls);
    return ok;
}

/* One sweep seeded with ones that keeps the adjoints at the products. */
static bool sweep_to_products(Ad *ad, Value y, const IdList *leaves,
                              const LeafUse *uses, const Loc *loc)
{
    size_t n = val_primal(y).as.mat->rows;
    bool *keep = xcalloc((size_t)ad->tape->n, sizeof *keep);
    for (size_t l = 0; l < leaves->n; l++)
        if (uses[l].kind != USE_NONE)
            keep[uses[l].z] = true;
    Matrix *ones = mat_new(n, 1);
    for (size_t i = 0; i < n; i++)
        ones->data[i] = 1;
    Value seed = val_mat(ones);
    ad_zero_grads(ad);
    /* the tape's activations go as the sweep passes them: after it only
     * the factors A and the adjoints G are needed */
    AdSweep opts = {keep, true};
    bool ok = ad_sweep(ad, y, seed, loc, &opts);
    val_unref(seed);
    free(keep);
    return ok;
}

/* The shares of every leaf, from the adjoints the sweep kept. */
static bool kernel_from_uses(Ad *ad, size_t n, const IdList *leaves,
                             const LeafUse *uses, Matrix **K, const Loc *loc)
{
    *K = mat_new(n, n);
    for (size_t l = 0; l < leaves->n; l++) {
        Value g = uses[l].kind == USE_NONE ? val_nil : ad->tape->nodes[uses[l].z].grad;
        if (g.kind == VAL_MAT && !add_share(*K, &uses[l], g.as.mat)) {
            rt_raise(ad->err, loc, "the kernel is too large (a matrix holds at most "
                     "%zu elements)", (size_t)MAT_MAX_ELEMS);
            return false;
        }
        if (interrupt_pending()) {
            rt_interrupted(ad->err, loc);
            return false;
        }
    }
    return true;
}

/* Leaf l's columns of J, from column off: for Z = A * W (W d x k),
 * element (a, b) of W is column off + a + d b and J's entry is
 * A(i, a) G(i, b); for A * W' (W k x d) it is W's element (b, a), column
 * off + b + k a; a row bias's column b is G(:, b); a number's is the row
 * sums of G. */
static void jacobian_columns(Matrix *J, size_t off, const LeafUse *use, const Matrix *G)
{
    size_t n = J->rows, k = G->cols;
    if (use->kind == USE_SCALAR_BIAS || use->kind == USE_ROW_BIAS) {
        for (size_t b = 0; b < k; b++)
            for (size_t i = 0; i < n; i++)
                MAT_AT(J, i, off + (use->kind == USE_ROW_BIAS ? b : 0)) += MAT_AT(G, i, b);
        return;
    }
    size_t d = use->a->cols;
    for (size_t b = 0; b < k; b++)
        for (size_t a = 0; a < d; a++) {
            size_t col = off + (use->transposed ? b + k * a : a + d * b);
            for (size_t i = 0; i < n; i++)
                MAT_AT(J, i, col) = MAT_AT(use->a, i, a) * MAT_AT(G, i, b);
        }
}

/* Finds the structure and runs the one sweep; on STRUCT_DONE the caller
 * owns *leaves and *uses. */
static StructResult structure_and_sweep(Ad *ad, Value y, Value xt, IdList *leaves,
                                        LeafUse **uses, const Loc *loc)
{
    *leaves = (IdList){NULL, 0, 0};
    *uses = NULL;
    if (!ad->tape || !ad_live(ad, y))
        return STRUCT_NONE;
    collect_leaves(xt, leaves);
    *uses = xmalloc((leaves->n ? leaves->n : 1) * sizeof **uses);
    if (!find_structure(ad->tape, y.as.var->node, leaves, *uses))
        return STRUCT_NONE;
    return sweep_to_products(ad, y, leaves, *uses, loc) ? STRUCT_DONE : STRUCT_FAILED;
}

StructResult ad_ntk_structured(Ad *ad, Value y, Value xt, Matrix **K, const Loc *loc)
{
    IdList leaves;
    LeafUse *uses;
    *K = NULL;
    StructResult r = structure_and_sweep(ad, y, xt, &leaves, &uses, loc);
    if (r == STRUCT_DONE &&
        !kernel_from_uses(ad, val_primal(y).as.mat->rows, &leaves, uses, K, loc)) {
        mat_unref(*K);
        *K = NULL;
        r = STRUCT_FAILED;
    }
    free(uses);
    free(leaves.id);
    return r;
}

StructResult ad_jacobian_structured(Ad *ad, Value y, Value xt, Matrix *J, const Loc *loc)
{
    IdList leaves;
    LeafUse *uses;
    StructResult r = structure_and_sweep(ad, y, xt, &leaves, &uses, loc);
    size_t off = 0;
    for (size_t l = 0; r == STRUCT_DONE && l < leaves.n; l++) {
        const AdNode *leaf = &ad->tape->nodes[leaves.id[l]];
        Value g = uses[l].kind == USE_NONE ? val_nil : ad->tape->nodes[uses[l].z].grad;
        if (g.kind == VAL_MAT)
            jacobian_columns(J, off, &uses[l], g.as.mat);
        off += leaf->out.kind == VAL_MAT ? mat_numel(leaf->out.as.mat) : 1;
    }
    free(uses);
    free(leaves.id);
    return r;
}
