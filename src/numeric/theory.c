/* theory.c: deep-linear-network numerics, balanced initialisation and the
 * clusterable-data generator of theory.md (see theory.h for contracts). */
#include "numeric/theory.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/interrupt.h"
#include "numeric/linalg.h"

/* ---------------------------------------------------------------- helpers */

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Releases W[0..N-1] and sets them to NULL: what "every output is NULL
 * on error" (theory.h) asks of a partly filled net. */
static void unref_all(Matrix **W, int N)
{
    for (int j = 0; j < N; j++) {
        mat_unref(W[j]);
        W[j] = NULL;
    }
}

/* ||A - B||_F for equal shapes (B == NULL: ||A||_F), scaled by the largest
 * entry against overflow; NaN if any entry is NaN, Inf if one is infinite. */
static double fro_diff(const Matrix *A, const Matrix *B)
{
    size_t n = mat_numel(A);
    double big = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = fabs(A->data[i] - (B ? B->data[i] : 0.0));
        if (isnan(v))
            return NAN;
        big = fmax(big, v);
    }
    if (big == 0.0 || isinf(big))
        return big;
    for (size_t i = 0; i < n; i++) {
        double v = (A->data[i] - (B ? B->data[i] : 0.0)) / big;
        ss += v * v;
    }
    return big * sqrt(ss);
}

/* True when W[0..N-1] are non-NULL and chain: cols(W_{j+1}) == rows(W_j). */
static bool chain_ok(Matrix *const *W, int N)
{
    if (!W || N < 1)
        return false;
    for (int j = 0; j < N; j++)
        if (!W[j])
            return false;
    for (int j = 0; j + 1 < N; j++)
        if (W[j + 1]->cols != W[j]->rows)
            return false;
    return true;
}

/* ------------------------------------------------------- products, balance */

/* Each factor multiplies the running product from the left, so after
 * W_j it is d_j x d_0, and the last one is W_N ... W_1. The result is
 * never marked logical, even when it is a copy of a logical W_1. */
Matrix *th_e2e(Matrix *const *W, int N)
{
    if (!chain_ok(W, N))
        return NULL;
    Matrix *P = mat_copy(W[0]);
    for (int j = 1; P && j < N; j++) {
        Matrix *Q = mat_mul(W[j], P, false, false);
        mat_unref(P);
        P = Q;
    }
    if (P)
        P->logical = false;
    return P;
}

/* ||W_{j+1}^T W_{j+1} - W_j W_j^T||_F for one chained pair; NaN on nomem. */
static double pair_delta(const Matrix *Wj, const Matrix *Wn)
{
    Matrix *a = mat_mul(Wn, Wn, true, false);
    Matrix *b = mat_mul(Wj, Wj, false, true);
    double d = (a && b) ? fro_diff(a, b) : NAN;
    mat_unref(a);
    mat_unref(b);
    return d;
}

/* A NaN from any pair is returned as it is: fmax would drop it. */
double th_balance_delta(Matrix *const *W, int N)
{
    if (!chain_ok(W, N))
        return NAN;
    double delta = 0.0;
    for (int j = 0; j + 1 < N; j++) {
        double d = pair_delta(W[j], W[j + 1]);
        if (isnan(d))
            return NAN;
        delta = fmax(delta, d);
    }
    return delta;
}

/* --------------------------------------------------- balanced split/init */

/* Width d_j of layer boundary j (0..N) for A and optional dims. */
static size_t width(const Matrix *A, int N, const size_t *dims, int j)
{
    if (dims)
        return dims[j];
    if (j == 0)
        return A->cols;
    if (j == N)
        return A->rows;
    return min_sz(A->rows, A->cols);
}

/* Hidden widths dims[1..N-1] >= min(d_0, d_N). */
static bool hidden_ok(const size_t *dims, int N)
{
    size_t m = min_sz(dims[0], dims[N]);
    for (int j = 1; j < N; j++)
        if (dims[j] < m)
            return false;
    return true;
}

/* A net to draw: dims[0] and dims[N] > 0 and hidden widths wide enough. */
static bool dims_ok(const size_t *dims, int N)
{
    return dims[0] > 0 && dims[N] > 0 && hidden_ok(dims, N);
}

/* Layer j (1-based) of Procedure 1 step 3, r = S^{1/N}, zero padded:
 * W_1 = r V' fills the top m rows, W_N = U r the left m columns, and a
 * middle layer has r on its diagonal. mat_new's zeros are the padding. */
static Matrix *make_layer(int j, int N, const Matrix *U, const Matrix *r,
                          const Matrix *V, size_t rows, size_t cols)
{
    Matrix *W = mat_new(rows, cols);
    if (!W)
        return NULL;
    size_t m = r->rows;
    for (size_t i = 0; i < m; i++) {
        double ri = r->data[i];
        if (j == 1)
            for (size_t k = 0; k < V->rows; k++)
                MAT_AT(W, i, k) = ri * MAT_AT(V, k, i);
        else if (j == N)
            for (size_t k = 0; k < U->rows; k++)
                MAT_AT(W, k, i) = MAT_AT(U, k, i) * ri;
        else
            MAT_AT(W, i, i) = ri;
    }
    return W;
}

/* Fills W[0..N-1] from the SVD of A (N >= 2); 0 or -1 (W then cleared). */
static int split_svd(const Matrix *A, int N, const size_t *dims, Matrix **W)
{
    Matrix *U, *s, *V;
    if (la_svd(A, &U, &s, &V) != LA_OK)
        return -1;
    /* singular values are >= 0, so the real N-th root exists */
    for (size_t i = 0; i < s->rows; i++)
        s->data[i] = pow(s->data[i], 1.0 / N);
    int rc = 0;
    for (int j = 1; j <= N && rc == 0; j++) {
        W[j - 1] = make_layer(j, N, U, s, V, width(A, N, dims, j),
                              width(A, N, dims, j - 1));
        rc = W[j - 1] ? 0 : -1;
    }
    mat_unref(U);
    mat_unref(s);
    mat_unref(V);
    if (rc != 0)
        unref_all(W, N);
    return rc;
}

/* An empty A (0 rows or 0 columns) has no singular values: m = 0, and
 * every factor is all zeros of its width, which is exactly balanced and
 * multiplies out to the empty A. */
static int zero_layers(const Matrix *A, int N, const size_t *dims, Matrix **W)
{
    for (int j = 1; j <= N; j++) {
        W[j - 1] = mat_new(width(A, N, dims, j), width(A, N, dims, j - 1));
        if (!W[j - 1]) {
            unref_all(W, N);
            return -1;
        }
    }
    return 0;
}

int th_balanced_split_dims(const Matrix *A, int N, const size_t *dims,
                           Matrix **W)
{
    if (!W || N < 1)
        return -1;
    for (int j = 0; j < N; j++)
        W[j] = NULL;
    if (!A || !mat_all_finite(A))
        return -1;
    if (dims && (dims[0] != A->cols || dims[N] != A->rows || !hidden_ok(dims, N)))
        return -1;
    if (mat_is_empty(A))
        return zero_layers(A, N, dims, W);
    if (N == 1) {
        W[0] = mat_copy(A);
        if (W[0])
            W[0]->logical = false;
        return W[0] ? 0 : -1;
    }
    return split_svd(A, N, dims, W);
}

int th_balanced_split(const Matrix *A, int N, Matrix **W)
{
    return th_balanced_split_dims(A, N, NULL, W);
}

/* A ~ N(0, std^2) of size rows x cols, column-major draw order. */
static Matrix *sample_gauss(size_t rows, size_t cols, double std, Rng *rng)
{
    Matrix *A = mat_new_uninit(rows, cols);
    if (!A)
        return NULL;
    size_t n = rows * cols;
    rng_fill_normal(rng, A->data, n);
    for (size_t i = 0; i < n; i++)
        A->data[i] *= std;
    return A;
}

int th_balanced_init(const size_t *dims, int ndims, double std,
                     const Matrix *target, Rng *rng, Matrix **W)
{
    int N = ndims - 1;
    if (!W || !dims || N < 1)
        return -1;
    for (int j = 0; j < N; j++)
        W[j] = NULL;
    if (!dims_ok(dims, N))
        return -1;
    /* a target needs no draw: the Rng is not touched */
    if (target)
        return th_balanced_split_dims(target, N, dims, W);
    if (!rng || !isfinite(std) || std < 0)
        return -1;
    Matrix *A = sample_gauss(dims[N], dims[0], std, rng);
    if (!A)
        return -1;
    int rc = th_balanced_split_dims(A, N, dims, W);
    mat_unref(A);
    return rc;
}

/* ----------------------------------------------------- preconditioner */

/* Q diag(s.^(2p)) Q' for Q with orthonormal columns (p > 0): the power
 * (W W')^p or (W' W)^p from W's thin SVD, the complement having eigenvalue
 * 0 and 0^p = 0. */
static Matrix *gram_pow(const Matrix *Q, const Matrix *s, double p)
{
    Matrix *Qs = mat_copy(Q);
    if (!Qs)
        return NULL;
    for (size_t j = 0; j < Qs->cols; j++) {
        double f = pow(s->data[j], 2.0 * p);
        for (size_t i = 0; i < Qs->rows; i++)
            MAT_AT(Qs, i, j) *= f;
    }
    Matrix *M = mat_mul(Qs, Q, false, true);
    mat_unref(Qs);
    return M;
}

/* P += (W W')^a G (W' W)^b; a zero exponent is the identity exactly.
 * False when memory runs out. */
static bool add_term(Matrix *P, const Matrix *U, const Matrix *s,
                     const Matrix *V, const Matrix *G, double a, double b)
{
    Matrix *La = a > 0 ? gram_pow(U, s, a) : NULL;
    Matrix *Rb = b > 0 ? gram_pow(V, s, b) : NULL;
    bool ok = (La || a == 0) && (Rb || b == 0);
    Matrix *T1 = ok && La ? mat_mul(La, G, false, false) : NULL;
    const Matrix *left = La ? T1 : G;
    Matrix *T = ok && left && Rb ? mat_mul(left, Rb, false, false) : NULL;
    const Matrix *term = Rb ? T : left;
    ok = ok && term;
    for (size_t i = 0; ok && i < mat_numel(P); i++)
        P->data[i] += term->data[i];
    mat_unref(La);
    mat_unref(Rb);
    mat_unref(T1);
    mat_unref(T);
    return ok;
}

/* Singular values <= max(m, n) eps s_1 (numerical zeros) set to 0, so that
 * their rounding noise is not amplified by fractional powers. */
static void chop_small(Matrix *s, const Matrix *W)
{
    if (s->rows == 0)
        return;
    size_t big = W->rows > W->cols ? W->rows : W->cols;
    double tol = (double)big * DBL_EPSILON * s->data[0];
    for (size_t i = 0; i < s->rows; i++)
        if (s->data[i] <= tol)
            s->data[i] = 0.0;
}

Matrix *th_precond(const Matrix *W, int N, const Matrix *G)
{
    if (!W || !G || N < 1 || W->rows != G->rows || W->cols != G->cols)
        return NULL;
    Matrix *U, *s, *V;
    if (la_svd(W, &U, &s, &V) != LA_OK)
        return NULL;
    chop_small(s, W);
    Matrix *P = mat_new(W->rows, W->cols);
    bool ok = P != NULL;
    for (int j = 1; ok && j <= N; j++)
        ok = add_term(P, U, s, V, G, (double)(j - 1) / N,
                      (double)(N - j) / N);
    mat_unref(U);
    mat_unref(s);
    mat_unref(V);
    if (!ok) {
        mat_unref(P);
        return NULL;
    }
    return P;
}

/* ------------------------------------------------------------- margin */

double th_margin(const Matrix *W, const Matrix *Phi)
{
    if (!W || !Phi || mat_is_empty(Phi))
        return NAN;
    if (W->rows != Phi->rows || W->cols != Phi->cols)
        return NAN;
    Matrix *s;
    if (la_svd_values(Phi, &s) != LA_OK)
        return NAN;
    /* descending, and Phi is not empty: the last is sigma_min */
    double smin = s->data[s->rows - 1];
    mat_unref(s);
    return smin - fro_diff(W, Phi);
}

/* ------------------------------------------------------------- labels */

/* The label of class a + 1 (a is 0-based here). */
static double class_label(size_t a, size_t K)
{
    return -1.0 + 2.0 * (double)a / (double)(K - 1);
}

Matrix *th_class_labels(size_t K)
{
    if (K < 2)
        return NULL;
    Matrix *m = mat_new(K, 1);
    for (size_t a = 0; m && a < K; a++)
        m->data[a] = class_label(a, K);
    return m;
}

/* (a > b) - (a < b) rather than a difference, which as a double would
 * be truncated to int (0.5 would compare equal). */
static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Sorted distinct values of M into a fresh array; *k their count. NULL on
 * no memory or a NaN or infinite value (then *k = 0). */
static double *label_set(const Matrix *M, size_t *k)
{
    size_t n = mat_numel(M);
    double *v = xmalloc((n ? n : 1) * sizeof *v);
    *k = 0;
    if (!v || !mat_all_finite(M)) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = M->data[i];
    qsort(v, n, sizeof *v, cmp_double);
    for (size_t i = 0; i < n; i++)
        if (*k == 0 || v[i] != v[*k - 1])
            v[(*k)++] = v[i];
    return v;
}

/* Index of x in sorted set[0..k-1], or k when absent. */
static size_t label_index(const double *set, size_t k, double x)
{
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < k && set[lo] == x) ? lo : k;
}

static bool all_in_set(const Matrix *y, const double *set, size_t k)
{
    for (size_t i = 0; i < mat_numel(y); i++)
        if (label_index(set, k, y->data[i]) == k)
            return false;
    return true;
}

/* Corrupts the first s indices of a permutation of 0..n-1 in yo / mk. */
static bool flip_labels(Matrix *yo, Matrix *mk, size_t s, const double *set,
                        size_t k, Rng *rng)
{
    size_t n = mat_numel(yo);
    size_t *perm = xmalloc((n ? n : 1) * sizeof *perm);
    if (!perm)
        return false;
    rng_permutation(rng, perm, n);
    for (size_t t = 0; t < s; t++) {
        size_t i = perm[t];
        size_t c = label_index(set, k, yo->data[i]);
        /* r indexes the k - 1 other labels: skipping c maps it onto the
         * set */
        size_t r = (size_t)rng_below(rng, (uint64_t)(k - 1));
        yo->data[i] = set[r < c ? r : r + 1];
        mk->data[i] = 1.0;
    }
    free(perm);
    return true;
}

/* Validated label set for th_corrupt, or NULL (then nothing to free). */
static double *corrupt_set(const Matrix *y, const Matrix *labels, size_t *k)
{
    double *set = label_set(labels ? labels : y, k);
    if (set && *k >= 2 && all_in_set(y, set, *k))
        return set;
    free(set);
    return NULL;
}

int th_corrupt(const Matrix *y, double rho, const Matrix *labels, Rng *rng,
               Matrix **y_out, Matrix **mask)
{
    *y_out = *mask = NULL;
    if (!y || !rng || !mat_is_vector(y) || !(rho >= 0.0 && rho <= 1.0))
        return -1;
    size_t k, n = mat_numel(y);
    double *set = corrupt_set(y, labels, &k);
    if (!set)
        return -1;
    Matrix *yo = mat_copy(y), *mk = mat_new(y->rows, y->cols);
    /* round() takes halves away from zero: rho = 0.5 of 3 corrupts 2 */
    size_t s = (size_t)round(rho * (double)n);
    bool ok = yo && mk && flip_labels(yo, mk, s, set, k, rng);
    free(set);
    if (!ok) {
        mat_unref(yo);
        mat_unref(mk);
        return -1;
    }
    yo->logical = false;
    mk->logical = true;
    *y_out = yo;
    *mask = mk;
    return 0;
}

/* ------------------------------------------------------ clusterable data */

/* v <- v / ||v||; false when ||v|| is 0 or NaN (v unchanged). */
static bool normalise(double *v, size_t d)
{
    double ss = 0.0;
    for (size_t k = 0; k < d; k++)
        ss += v[k] * v[k];
    if (!(ss > 0.0))
        return false;
    double nv = sqrt(ss);
    for (size_t k = 0; k < d; k++)
        v[k] /= nv;
    return true;
}

/* True when g is at distance >= delta from rows 0..l-1 of C. */
static bool far_enough(const Matrix *C, size_t l, const double *g,
                       double delta)
{
    for (size_t m = 0; m < l; m++) {
        double ss = 0.0;
        for (size_t k = 0; k < C->cols; k++) {
            double t = MAT_AT(C, m, k) - g[k];
            ss += t * t;
        }
        if (sqrt(ss) < delta)
            return false;
    }
    return true;
}

/* Rows of C (L x d): unit centres pairwise >= delta apart; g: d scratch.
 * A try costs up to L d operations and there may be 100 000 of them, so
 * Ctrl-C is polled at every try; it ends the search as a failure. */
static bool draw_centres(Matrix *C, double delta, Rng *rng, double *g)
{
    size_t L = C->rows, d = C->cols, l = 0;
    for (long tries = 0; l < L && tries < TH_CENTRE_TRIES && !interrupt_pending(); tries++) {
        rng_fill_normal(rng, g, d);
        if (!normalise(g, d) || !far_enough(C, l, g, delta))
            continue;
        for (size_t k = 0; k < d; k++)
            MAT_AT(C, l, k) = g[k];
        l++;
    }
    return l == L;
}

/* u <- u - (u.c) c, with c row l of C. */
static void project_out(double *u, const Matrix *C, size_t l)
{
    double dot = 0.0;
    for (size_t k = 0; k < C->cols; k++)
        dot += u[k] * MAT_AT(C, l, k);
    for (size_t k = 0; k < C->cols; k++)
        u[k] -= dot * MAT_AT(C, l, k);
}

/* Row i of X: a point at geodesic-chord distance eps0*U from centre l. */
static void draw_point(Matrix *X, size_t i, const Matrix *C, size_t l,
                       double eps0, Rng *rng, double *u)
{
    size_t d = C->cols;
    rng_fill_normal(rng, u, d);
    double t = eps0 * rng_uniform(rng);
    project_out(u, C, l);
    project_out(u, C, l);
    bool ok = normalise(u, d);
    /* cos and sin of th = 2 asin(t/2) without trigonometry, so that
     * ||x - c|| = t to rounding; t <= eps0 <= 2 keeps the root real */
    double ct = 1.0 - 0.5 * t * t, st = t * sqrt(1.0 - 0.25 * t * t);
    for (size_t k = 0; k < d; k++)
        MAT_AT(X, i, k) = ok ? ct * MAT_AT(C, l, k) + st * u[k]
                             : MAT_AT(C, l, k);
}

/* Fills X, ybar, cluster cluster by cluster (balanced split). */
static bool draw_points(Matrix *X, Matrix *yb, Matrix *cl, const Matrix *C,
                        size_t K, double eps0, Rng *rng, double *u)
{
    size_t n = X->rows, L = C->rows, i = 0;
    for (size_t l = 0; l < L; l++) {
        if (interrupt_pending())   /* a cluster is at most 2^31 / L draws */
            return false;
        size_t nl = n / L + (l < n % L ? 1 : 0);
        double label = class_label(l % K, K);
        for (size_t p = 0; p < nl; p++, i++) {
            draw_point(X, i, C, l, eps0, rng, u);
            yb->data[i] = label;
            cl->data[i] = (double)(l + 1);
        }
    }
    return true;
}

/* eps0 <= 2: no two points of the unit sphere are further apart. */
static bool cluster_args_ok(size_t d, size_t L, size_t K, double eps0,
                            double delta, const Rng *rng)
{
    return rng && d >= 1 && L >= 1 && K >= 2 && eps0 >= 0.0 &&
           eps0 <= 2.0 && delta >= 0.0 && !isnan(delta);
}

/* All four outputs or none. The Rng has advanced even when the centres
 * could not be found. */
int th_clusters(size_t n, size_t d, size_t L, size_t K, double eps0,
                double delta, Rng *rng, Matrix **X, Matrix **ybar,
                Matrix **centers, Matrix **cluster)
{
    Matrix **out[4] = {X, ybar, centers, cluster};
    for (int k = 0; k < 4; k++)
        *out[k] = NULL;
    if (!cluster_args_ok(d, L, K, eps0, delta, rng))
        return -1;
    Matrix *m[4] = {mat_new(n, d), mat_new(n, 1), mat_new(L, d),
                    mat_new(n, 1)};
    double *g = xmalloc(d * sizeof *g);
    bool ok = g && m[0] && m[1] && m[2] && m[3] &&
              draw_centres(m[2], delta, rng, g);
    ok = ok && draw_points(m[0], m[1], m[3], m[2], K, eps0, rng, g);
    free(g);
    for (int k = 0; k < 4; k++) {
        if (ok)
            *out[k] = m[k];
        else
            mat_unref(m[k]);
    }
    return ok ? 0 : -1;
}

/* ------------------------------------------------------ teacher network */

/* n rows uniform on the unit sphere in R^d: a Gaussian vector's direction
 * is uniform. A zero row (probability 0) is drawn again rather than
 * divided by 0. */
static Matrix *sphere_rows(size_t n, size_t d, Rng *rng)
{
    Matrix *X = mat_new_uninit(n, d);
    double *row = xmalloc(d * sizeof *row);
    if (!X || !row) {
        mat_unref(X);
        free(row);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        do
            rng_fill_normal(rng, row, d);
        while (!normalise(row, d));
        for (size_t j = 0; j < d; j++)
            MAT_AT(X, i, j) = row[j];
    }
    free(row);
    return X;
}

static Matrix *random_signs(size_t k, Rng *rng)
{
    Matrix *v = mat_new_uninit(k, 1);
    if (!v)
        return NULL;
    double s = 1 / sqrt((double)k);
    for (size_t l = 0; l < k; l++)
        v->data[l] = rng_uniform(rng) < 0.5 ? s : -s;
    return v;
}

/* Each part is drawn only when the one before it succeeded, which keeps
 * the draw order of theory.h; after a failure the Rng has still advanced
 * by the parts drawn. */
int th_teacher_draw(size_t n, size_t d, size_t k, Rng *rng, Matrix **X,
                    Matrix **W, Matrix **v, Matrix **e)
{
    *X = *W = *v = *e = NULL;
    if (d < 1 || k < 1 || !rng)
        return -1;
    *X = sphere_rows(n, d, rng);
    *W = *X ? sample_gauss(k, d, 1.0, rng) : NULL;
    *v = *W ? random_signs(k, rng) : NULL;
    *e = *v ? sample_gauss(n, 1, 1.0, rng) : NULL;
    if (*e)
        return 0;
    Matrix **all[] = {X, W, v, e};
    for (int i = 0; i < 4; i++) {
        mat_unref(*all[i]);
        *all[i] = NULL;
    }
    return -1;
}
