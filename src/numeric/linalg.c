/* linalg.c: dense linear algebra on Matrix through LAPACKE and CBLAS.
 *
 * The only file of the project that includes lapacke.h. Every routine works
 * on private copies (LAPACK overwrites its arguments) and hands results back
 * only when everything succeeded.
 */
#include "numeric/linalg.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/threads.h"

/* Matrix is column-major, LAPACK's own layout: LAPACKE hands the arrays
 * through without the transposing copy it makes for row-major input. */
#define COLMAJ LAPACK_COL_MAJOR

/* ---------------------------------------------------------------- helpers */

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* A dense factorisation of an m x n matrix costs about m n min(m, n)
 * operations: threads.h picks the thread count of the call from that. */
static void threads_for_matrix(size_t m, size_t n)
{
    threads_for((double)m * (double)n * (double)min_sz(m, n));
}

static size_t max_sz(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* True when n can be passed to LAPACK as a lapack_int (32 bits unless
 * LAPACK was built for 64-bit integers); a larger n would wrap. */
static bool dim_ok(size_t n)
{
    size_t lim = sizeof(lapack_int) >= 8 ? (size_t)INT64_MAX : (size_t)INT32_MAX;
    return n <= lim;
}

/* Admission test shared by every entry point. NaN or Inf is refused
 * before LAPACK sees it: iterative routines may then fail to converge or
 * return garbage without saying so. */
static LaStatus check_in(const Matrix *A)
{
    if (!dim_ok(A->rows) || !dim_ok(A->cols))
        return LA_NOMEM;
    return mat_all_finite(A) ? LA_OK : LA_NO_CONVERGE;
}

static LaStatus check_square(const Matrix *A)
{
    return A->rows == A->cols ? check_in(A) : LA_SHAPE;
}

/* LAPACKE allocates its workspace itself and reports a failure as a
 * code: that is running out of memory like any other allocation, and ends
 * the run the same way (alloc.h), not as a numerical verdict. */
static void check_workspace(lapack_int info)
{
    if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        alloc_failed(0, "LAPACK's workspace");
}

/* Maps a LAPACKE return code; `positive` is what info > 0 means. */
static LaStatus from_info(lapack_int info, LaStatus positive)
{
    check_workspace(info);
    if (info == 0)
        return LA_OK;
    if (info > 0)
        return positive;
    return LA_NO_CONVERGE; /* bad argument: only a NaN can get here */
}

/* Stores m in *out on success; otherwise frees m. A NULL m is LA_NOMEM. */
static LaStatus give(LaStatus st, Matrix *m, Matrix **out)
{
    if (st == LA_OK && m) {
        *out = m;
        return LA_OK;
    }
    mat_unref(m);
    return st == LA_OK ? LA_NOMEM : st;
}

/* A private, non-logical copy that LAPACK may overwrite. The results of
 * linear algebra are numbers, never masks. */
static Matrix *dup(const Matrix *A)
{
    Matrix *c = mat_copy(A);
    if (c)
        c->logical = false;
    return c;
}

/* The 1-norm, the largest absolute column sum: what dgecon needs with
 * the LU factors, and the scale of the symmetry test. */
static double norm1(const Matrix *A)
{
    double best = 0.0;
    for (size_t j = 0; j < A->cols; j++) {
        double s = 0.0;
        for (size_t i = 0; i < A->rows; i++)
            s += fabs(MAT_AT(A, i, j));
        best = s > best ? s : best;
    }
    return best;
}

/* Square, finite and symmetric to 1e-12 relative to the 1-norm. The
 * tolerance admits the rounding left in a matrix that is symmetric in
 * exact arithmetic and still refuses one that is not meant to be. */
static LaStatus check_symmetric(const Matrix *A)
{
    LaStatus st = check_square(A);
    if (st != LA_OK)
        return st;
    double tol = 1e-12 * norm1(A);
    for (size_t j = 0; j < A->cols; j++)
        for (size_t i = 0; i < j; i++)
            if (fabs(MAT_AT(A, i, j) - MAT_AT(A, j, i)) > tol)
                return LA_NOT_SYMMETRIC;
    return LA_OK;
}

static void zero_below_diag(Matrix *R)
{
    for (size_t j = 0; j < R->cols; j++)
        for (size_t i = j + 1; i < R->rows; i++)
            MAT_AT(R, i, j) = 0.0;
}

/* Replaces square X by (X + X') / 2. */
static void symmetrize(Matrix *X)
{
    for (size_t j = 0; j < X->cols; j++)
        for (size_t i = 0; i < j; i++) {
            double m = 0.5 * (MAT_AT(X, i, j) + MAT_AT(X, j, i));
            MAT_AT(X, i, j) = m;
            MAT_AT(X, j, i) = m;
        }
}

/* ----------------------------------------------------------------- status */

const char *la_status_str(LaStatus s)
{
    switch (s) {
    case LA_OK: return "success";
    case LA_NOMEM: return "out of memory";
    case LA_SINGULAR: return "matrix is singular";
    case LA_NOT_PD: return "matrix is not positive definite";
    case LA_NO_CONVERGE: return "decomposition failed (no convergence, or NaN/Inf in input)";
    case LA_NOT_SYMMETRIC: return "matrix is not symmetric";
    case LA_NOT_PSD: return "matrix is not positive semidefinite";
    case LA_SHAPE: return "matrix dimensions do not agree";
    }
    return "unknown linear algebra error";
}

/* --------------------------------------------------------------------- LU */

/* LA_SINGULAR unless the 1-norm reciprocal condition is >= eps. dgecon
 * estimates it from the LU factors in O(n^2). Below eps a solve would have
 * no correct digit, so the matrix is reported as singular rather than
 * answered with noise. */
static LaStatus rcond_check(const Matrix *LU, double anorm)
{
    lapack_int n = (lapack_int)LU->rows;
    double rc = 0.0;
    lapack_int info = LAPACKE_dgecon(COLMAJ, '1', n, LU->data, n, anorm, &rc);
    check_workspace(info);
    /* The input was checked finite, so a complaint here (a positive info,
     * or a negative one from the NaN check of the factor that an
     * overflowing estimate leaves, as with a subnormal pivot) means the
     * inverse's norm is out of range: singular to working precision. */
    if (info != 0)
        return LA_SINGULAR;
    return rc >= DBL_EPSILON ? LA_OK : LA_SINGULAR;
}

/* LU factors of square, finite, non-empty A, refusing (near-)singular A.
 * On LA_OK the caller owns *LU and *ipiv (1-based pivots, as LAPACK gives
 * them); otherwise both are untouched. Callers deal with 0x0 first. */
static LaStatus lu_checked(const Matrix *A, Matrix **LU, lapack_int **ipiv)
{
    lapack_int n = (lapack_int)A->rows;
    double anorm = norm1(A);
    Matrix *f = dup(A);
    lapack_int *p = xmalloc((size_t)n * sizeof *p);
    LaStatus st = (f && p) ? LA_OK : LA_NOMEM;
    threads_for_matrix(A->rows, A->cols);
    if (st == LA_OK)
        st = from_info(LAPACKE_dgetrf(COLMAJ, n, n, f->data, n, p),
                       LA_SINGULAR);
    if (st == LA_OK)
        st = rcond_check(f, anorm);
    if (st != LA_OK) {
        mat_unref(f);
        free(p);
        return st;
    }
    *LU = f;
    *ipiv = p;
    return LA_OK;
}

/* dgetrs overwrites a copy of B with X. */
static LaStatus solve_square(const Matrix *A, const Matrix *B, Matrix **X)
{
    Matrix *LU = NULL;
    lapack_int *ipiv = NULL;
    LaStatus st = lu_checked(A, &LU, &ipiv);
    if (st != LA_OK)
        return st;
    lapack_int n = (lapack_int)A->rows;
    Matrix *x = dup(B);
    threads_for((double)A->rows * A->rows * B->cols);
    if (x)
        st = from_info(LAPACKE_dgetrs(COLMAJ, 'N', n, (lapack_int)B->cols,
                                      LU->data, n, ipiv, x->data, n),
                       LA_SINGULAR);
    mat_unref(LU);
    free(ipiv);
    return give(st, x, X);
}

/* Minimum-norm least squares for non-empty A (m x n, m != n). dgelsd
 * (SVD based) copes with a rank-deficient A, where QR would not. It
 * overwrites B with X, so B is copied into a max(m, n)-row array (room
 * for X's n rows when m < n) that is cut back to n rows afterwards.
 * rcond = max(m, n) eps: singular values below that fraction of the
 * largest count as zero, which gives the minimum-norm solution rather
 * than one blown up by rounding. */
static LaStatus solve_lsq(const Matrix *A, const Matrix *B, Matrix **X)
{
    size_t m = A->rows, n = A->cols, p = B->cols, ld = max_sz(m, n);
    Matrix *a = dup(A), *b = mat_new(ld, p);
    double *s = xmalloc(min_sz(m, n) * sizeof *s);
    LaStatus st = (a && b && s && dim_ok(ld)) ? LA_OK : LA_NOMEM;
    lapack_int rank = 0;
    if (st == LA_OK) {
        for (size_t j = 0; j < p; j++)
            memcpy(b->data + j * ld, B->data + j * m, m * sizeof(double));
        threads_for_matrix(m, n);
        st = from_info(LAPACKE_dgelsd(COLMAJ, (lapack_int)m, (lapack_int)n,
                                      (lapack_int)p, a->data, (lapack_int)m,
                                      b->data, (lapack_int)ld, s,
                                      (double)ld * DBL_EPSILON, &rank),
                       LA_NO_CONVERGE);
    }
    if (st == LA_OK && !mat_resize(b, n, p))
        st = LA_NOMEM;
    mat_unref(a);
    free(s);
    return give(st, b, X);
}

LaStatus la_solve(const Matrix *A, const Matrix *B, Matrix **X)
{
    *X = NULL;
    if (A->rows != B->rows)
        return LA_SHAPE;
    LaStatus st = check_in(A);
    if (st == LA_OK)
        st = check_in(B);
    if (st != LA_OK)
        return st;
    /* nothing to factor: X is zeros of the right shape (the minimum-norm
     * solution when A has no rows), with no LAPACK call */
    if (mat_is_empty(A) || B->cols == 0)
        return give(LA_OK, mat_new(A->cols, B->cols), X);
    if (A->rows == A->cols)
        return solve_square(A, B, X);
    return solve_lsq(A, B, X);
}

/* X A = B exactly when A' X' = B': two transposes buy one solver. */
LaStatus la_rdivide(const Matrix *B, const Matrix *A, Matrix **X)
{
    *X = NULL;
    if (A->cols != B->cols)
        return LA_SHAPE;
    Matrix *at = mat_transpose(A), *bt = mat_transpose(B), *xt = NULL;
    LaStatus st = (at && bt) ? la_solve(at, bt, &xt) : LA_NOMEM;
    mat_unref(at);
    mat_unref(bt);
    if (st != LA_OK)
        return st;
    Matrix *x = mat_transpose(xt);
    mat_unref(xt);
    return give(LA_OK, x, X);
}

LaStatus la_inv(const Matrix *A, Matrix **X)
{
    *X = NULL;
    LaStatus st = check_square(A);
    if (st != LA_OK)
        return st;
    if (A->rows == 0)
        return give(LA_OK, mat_new(0, 0), X);
    Matrix *LU = NULL;
    lapack_int *ipiv = NULL;
    st = lu_checked(A, &LU, &ipiv);
    if (st != LA_OK)
        return st;
    lapack_int n = (lapack_int)A->rows;
    /* dgetri inverts in place: the factor matrix becomes the result */
    threads_for_matrix(A->rows, A->rows);
    st = from_info(LAPACKE_dgetri(COLMAJ, n, LU->data, n, ipiv), LA_SINGULAR);
    free(ipiv);
    return give(st, LU, X);
}

/* Product of U's diagonal with the sign of the row permutation: each
 * ipiv[i] != i + 1 is a row swap and flips the sign. The product can
 * overflow to +-Inf or underflow to 0 for a large matrix that is far from
 * singular. */
static double lu_det(const Matrix *LU, const lapack_int *ipiv)
{
    double d = 1.0;
    for (size_t i = 0; i < LU->rows; i++) {
        d *= MAT_AT(LU, i, i);
        if (ipiv[i] != (lapack_int)(i + 1))
            d = -d;
    }
    return d;
}

/* No condition check, unlike the solvers: a nearly singular matrix has a
 * small but meaningful determinant, and an exact zero pivot (info > 0)
 * means the determinant is 0. */
LaStatus la_det(const Matrix *A, double *d)
{
    LaStatus st = check_square(A);
    if (st != LA_OK)
        return st;
    lapack_int n = (lapack_int)A->rows;
    Matrix *f = dup(A);
    lapack_int *ipiv = xmalloc((n ? (size_t)n : 1) * sizeof *ipiv);
    st = (f && ipiv) ? LA_OK : LA_NOMEM;
    lapack_int info = 0;
    threads_for_matrix(A->rows, A->rows);
    if (st == LA_OK && n > 0)
        info = LAPACKE_dgetrf(COLMAJ, n, n, f->data, n, ipiv);
    if (st == LA_OK && info < 0)
        st = from_info(info, LA_SINGULAR);
    if (st == LA_OK)
        *d = info > 0 ? 0.0 : lu_det(f, ipiv); /* 0x0: empty product, 1 */
    mat_unref(f);
    free(ipiv);
    return st;
}

/* -------------------------------------------------------------------- SVD */

/* dgesvd fallback for the rare inputs on which dgesdd does not converge. */
static lapack_int svd_gesvd(const Matrix *A, double *s, double *u, double *vt,
                            lapack_int ldvt)
{
    lapack_int m = (lapack_int)A->rows, n = (lapack_int)A->cols;
    Matrix *a = dup(A);
    double *superb = xmalloc(min_sz(A->rows, A->cols) * sizeof *superb);
    lapack_int info = LAPACK_WORK_MEMORY_ERROR;
    char job = u ? 'S' : 'N';
    threads_for_matrix(A->rows, A->cols);
    if (a && superb)
        info = LAPACKE_dgesvd(COLMAJ, job, job, m, n, a->data, m, s, u,
                              u ? m : 1, vt, ldvt, superb);
    mat_unref(a);
    free(superb);
    return info;
}

/* Economy SVD of finite non-empty A into preallocated s (k x 1) and, when
 * u is not NULL, u (m x k) and vt (k x n). dgesdd (divide and conquer) is
 * much faster than dgesvd on large matrices but on rare inputs does not
 * converge; dgesvd (QR iteration) then retries on a fresh copy, since
 * dgesdd has overwritten the first. Job 'S' asks for the thin factors. */
static LaStatus svd_core(const Matrix *A, Matrix *s, Matrix *u, Matrix *vt)
{
    lapack_int m = (lapack_int)A->rows, n = (lapack_int)A->cols;
    double *ud = u ? u->data : NULL, *vd = vt ? vt->data : NULL;
    lapack_int ldvt = vt ? (lapack_int)vt->rows : 1;
    Matrix *a = dup(A);
    if (!a)
        return LA_NOMEM;
    threads_for_matrix(A->rows, A->cols);
    lapack_int info = LAPACKE_dgesdd(COLMAJ, u ? 'S' : 'N', m, n, a->data, m,
                                     s->data, ud, u ? m : 1, vd, ldvt);
    mat_unref(a);
    if (info > 0)
        info = svd_gesvd(A, s->data, ud, vd, ldvt);
    return from_info(info, LA_NO_CONVERGE);
}

LaStatus la_svd_values(const Matrix *A, Matrix **s)
{
    *s = NULL;
    LaStatus st = check_in(A);
    if (st != LA_OK)
        return st;
    Matrix *v = mat_new(min_sz(A->rows, A->cols), 1);
    if (v && !mat_is_empty(A))
        st = svd_core(A, v, NULL, NULL);
    return give(st, v, s);
}

LaStatus la_svd(const Matrix *A, Matrix **U, Matrix **s, Matrix **V)
{
    *U = *s = *V = NULL;
    LaStatus st = check_in(A);
    if (st != LA_OK)
        return st;
    size_t m = A->rows, n = A->cols, k = min_sz(m, n);
    Matrix *u = mat_new(m, k), *w = mat_new(k, 1), *vt = mat_new(k, n);
    st = (u && w && vt) ? LA_OK : LA_NOMEM;
    if (st == LA_OK && k > 0)
        st = svd_core(A, w, u, vt);
    /* LAPACK returns V' (k x n); the caller gets V */
    Matrix *v = st == LA_OK ? mat_transpose(vt) : NULL;
    mat_unref(vt);
    if ((st = give(st, v, V)) != LA_OK) {
        mat_unref(u);
        mat_unref(w);
        return st;
    }
    *U = u;
    *s = w;
    return LA_OK;
}

/* max(m,n) * eps * smax, the customary numerical-rank threshold. */
static double default_tol(const Matrix *A, const Matrix *s)
{
    if (s->rows == 0)
        return 0.0;
    return (double)max_sz(A->rows, A->cols) * DBL_EPSILON * s->data[0];
}

/* s is descending, so the count ends at the first value <= tol. */
static size_t count_above(const Matrix *s, double tol)
{
    size_t r = 0;
    while (r < s->rows && s->data[r] > tol)
        r++;
    return r;
}

/* x (n x m, zeroed) = V(:,1:r) diag(1/s(1:r)) U(:,1:r)'; scales V. */
static void pinv_assemble(const Matrix *U, const Matrix *s, Matrix *V,
                          double tol, Matrix *x)
{
    size_t r = count_above(s, tol), n = V->rows, m = U->rows;
    if (r == 0 || n == 0 || m == 0)
        return;
    for (size_t j = 0; j < r; j++)
        cblas_dscal((int)n, 1.0 / s->data[j], V->data + j * n, 1);
    threads_for(2.0 * n * m * r);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)m,
                (int)r, 1.0, V->data, (int)n, U->data, (int)m, 0.0, x->data,
                (int)n);
}

LaStatus la_pinv(const Matrix *A, double tol, Matrix **X)
{
    *X = NULL;
    Matrix *U, *s, *V;
    LaStatus st = la_svd(A, &U, &s, &V);
    if (st != LA_OK)
        return st;
    if (!(tol >= 0))
        tol = default_tol(A, s);
    Matrix *x = mat_new(A->cols, A->rows);
    if (x)
        pinv_assemble(U, s, V, tol, x);
    mat_unref(U);
    mat_unref(s);
    mat_unref(V);
    return give(LA_OK, x, X);
}

LaStatus la_rank(const Matrix *A, double tol, size_t *r)
{
    Matrix *s;
    LaStatus st = la_svd_values(A, &s);
    if (st != LA_OK)
        return st;
    if (!(tol >= 0))
        tol = default_tol(A, s);
    *r = count_above(s, tol);
    mat_unref(s);
    return LA_OK;
}

/* Only an exactly zero smallest singular value gives Inf; a tiny one
 * gives a huge finite number. */
LaStatus la_cond(const Matrix *A, double *c)
{
    Matrix *s;
    LaStatus st = la_svd_values(A, &s);
    if (st != LA_OK)
        return st;
    size_t k = s->rows;
    if (k == 0)
        *c = 0.0;
    else if (s->data[k - 1] == 0.0)
        *c = INFINITY;
    else
        *c = s->data[0] / s->data[k - 1];
    mat_unref(s);
    return LA_OK;
}

/* Norm of a matrix holding NaN or Inf: NaN wins over Inf. */
static double nonfinite_norm(const Matrix *A)
{
    size_t n = mat_numel(A);
    for (size_t i = 0; i < n; i++)
        if (isnan(A->data[i]))
            return NAN;
    return INFINITY;
}

double la_norm2(const Matrix *A)
{
    if (mat_is_empty(A))
        return 0.0;
    if (!mat_all_finite(A))
        return nonfinite_norm(A);
    /* a vector's spectral norm is its Euclidean norm; dnrm2 is written to
     * avoid overflow in the squares, and takes an int count */
    if (mat_is_vector(A) && mat_numel(A) <= INT32_MAX)
        return cblas_dnrm2((int)mat_numel(A), A->data, 1);
    Matrix *s;
    if (la_svd_values(A, &s) != LA_OK)
        return NAN;
    double r = s->data[0];
    mat_unref(s);
    return r;
}

/* ----------------------------------------------------- Cholesky, QR, eig */

/* dpotrf reads and writes only the upper triangle, so an asymmetric A
 * would be factored as if it were symmetric: hence the check. The lower
 * triangle still holds A's entries afterwards and is zeroed. */
LaStatus la_chol(const Matrix *A, Matrix **R)
{
    *R = NULL;
    LaStatus st = check_symmetric(A);
    if (st != LA_OK)
        return st;
    lapack_int n = (lapack_int)A->rows;
    Matrix *r = dup(A);
    threads_for_matrix(A->rows, A->rows);
    if (r && n > 0)
        st = from_info(LAPACKE_dpotrf(COLMAJ, 'U', n, r->data, n), LA_NOT_PD);
    if (r && st == LA_OK)
        zero_below_diag(r);
    return give(st, r, R);
}

/* Householder QR of a (m x n, k = min > 0): R into r, Q over a's columns.
 * dgeqrf leaves R in a's upper triangle and the reflectors below it; R is
 * copied out before dorgqr turns a's first k columns into Q. */
static LaStatus qr_core(Matrix *a, Matrix *r, double *tau)
{
    lapack_int m = (lapack_int)a->rows, n = (lapack_int)a->cols;
    lapack_int k = (lapack_int)r->rows;
    threads_for_matrix(a->rows, a->cols);
    lapack_int info = LAPACKE_dgeqrf(COLMAJ, m, n, a->data, m, tau);
    if (info != 0)
        return from_info(info, LA_NO_CONVERGE);
    for (size_t j = 0; j < a->cols; j++)
        for (size_t i = 0; i <= j && i < r->rows; i++)
            MAT_AT(r, i, j) = MAT_AT(a, i, j);
    info = LAPACKE_dorgqr(COLMAJ, m, k, k, a->data, m, tau);
    return from_info(info, LA_NO_CONVERGE);
}

LaStatus la_qr(const Matrix *A, Matrix **Q, Matrix **R)
{
    *Q = *R = NULL;
    LaStatus st = check_in(A);
    if (st != LA_OK)
        return st;
    size_t m = A->rows, n = A->cols, k = min_sz(m, n);
    Matrix *a = dup(A), *r = mat_new(k, n);
    double *tau = xmalloc((k ? k : 1) * sizeof *tau);
    st = (a && r && tau) ? LA_OK : LA_NOMEM;
    if (st == LA_OK && k > 0)
        st = qr_core(a, r, tau);
    free(tau);
    /* keep Q's k columns: the economy factor */
    if (st == LA_OK && !mat_resize(a, m, k))
        st = LA_NOMEM;
    if ((st = give(st, r, R)) != LA_OK) {
        mat_unref(a);
        return st;
    }
    *Q = a;
    return LA_OK;
}

/* (A + A') / 2 as a new matrix. */
static Matrix *sym_part(const Matrix *A)
{
    Matrix *s = dup(A);
    if (s)
        symmetrize(s);
    return s;
}

/* dsyevd (divide and conquer) reads the upper triangle only. Giving it
 * the symmetric part averages the small asymmetry check_symmetric lets
 * through instead of ignoring half of it. Eigenvalues come ascending; the
 * eigenvectors overwrite s, which becomes *V. */
LaStatus la_eigsym(const Matrix *A, Matrix **w, Matrix **V)
{
    *w = NULL;
    if (V)
        *V = NULL;
    LaStatus st = check_symmetric(A);
    if (st != LA_OK)
        return st;
    lapack_int n = (lapack_int)A->rows;
    Matrix *s = sym_part(A), *e = mat_new((size_t)n, 1);
    st = (s && e) ? LA_OK : LA_NOMEM;
    threads_for_matrix(A->rows, A->rows);
    if (st == LA_OK && n > 0)
        st = from_info(LAPACKE_dsyevd(COLMAJ, V ? 'V' : 'N', 'U', n, s->data,
                                      n, e->data),
                       LA_NO_CONVERGE);
    if ((st = give(st, e, w)) != LA_OK || !V) {
        mat_unref(s);
        return st;
    }
    *V = s;
    return LA_OK;
}

/* dgeev on a (overwritten) into re, im and, when v is not NULL, v. Only
 * right eigenvectors are computed. A complex pair takes two columns of v,
 * its real and imaginary parts. */
static LaStatus eig_core(Matrix *a, Matrix *re, Matrix *im, Matrix *v)
{
    lapack_int n = (lapack_int)a->rows;
    if (n == 0)
        return LA_OK;
    threads_for_matrix(a->rows, a->rows);
    lapack_int info = LAPACKE_dgeev(COLMAJ, 'N', v ? 'V' : 'N', n, a->data, n,
                                    re->data, im->data, NULL, 1,
                                    v ? v->data : NULL, v ? n : 1);
    return from_info(info, LA_NO_CONVERGE);
}

LaStatus la_eig(const Matrix *A, Matrix **wr, Matrix **wi, Matrix **V)
{
    *wr = *wi = NULL;
    if (V)
        *V = NULL;
    LaStatus st = check_square(A);
    if (st != LA_OK)
        return st;
    size_t n = A->rows;
    Matrix *a = dup(A), *re = mat_new(n, 1), *im = mat_new(n, 1);
    Matrix *v = V ? mat_new(n, n) : NULL;
    st = (a && re && im && (v || !V)) ? eig_core(a, re, im, v) : LA_NOMEM;
    mat_unref(a);
    if (st != LA_OK) {
        mat_unref(re);
        mat_unref(im);
        mat_unref(v);
        return st;
    }
    *wr = re;
    *wi = im;
    if (V)
        *V = v;
    return LA_OK;
}

/* ------------------------------------------------------ matrix functions */

static bool is_nonneg_int(double p)
{
    return isfinite(p) && p >= 0 && p == floor(p);
}

/* Replaces each eigenvalue l in w by l^p, applying la_mpow_psd's rules. */
static LaStatus pow_eigs(Matrix *w, double p)
{
    double lmax = 0.0;
    for (size_t i = 0; i < w->rows; i++)
        lmax = fmax(lmax, fabs(w->data[i]));
    double tol = (double)w->rows * DBL_EPSILON * lmax;
    for (size_t i = 0; i < w->rows; i++) {
        double l = w->data[i];
        if (l < -tol && !is_nonneg_int(p))
            return LA_NOT_PSD;
        /* eigenvalues within rounding of 0 are 0: a fractional power would
         * otherwise blow their noise up (1e-16^(1/3) = 5e-6) */
        if (fabs(l) <= tol && (l < 0 || !is_nonneg_int(p)))
            l = 0.0;
        if (p < 0 && l <= tol)
            return LA_SINGULAR;
        w->data[i] = pow(l, p); /* pow(0, 0) == 1 */
    }
    return LA_OK;
}

/* V diag(f) V', symmetrised: the product is symmetric only up to
 * rounding, and a function of a symmetric matrix is returned exactly
 * symmetric. */
static Matrix *reassemble(const Matrix *V, const Matrix *f)
{
    Matrix *w = dup(V);
    if (!w)
        return NULL;
    for (size_t j = 0; j < w->cols; j++)
        for (size_t i = 0; i < w->rows; i++)
            MAT_AT(w, i, j) *= f->data[j];
    Matrix *x = mat_mul(w, V, false, true);
    mat_unref(w);
    if (x)
        symmetrize(x);
    return x;
}

LaStatus la_mpow_psd(const Matrix *A, double p, Matrix **X)
{
    *X = NULL;
    Matrix *w, *V;
    LaStatus st = la_eigsym(A, &w, &V);
    if (st != LA_OK)
        return st;
    st = pow_eigs(w, p);
    Matrix *x = st == LA_OK ? reassemble(V, w) : NULL;
    mat_unref(w);
    mat_unref(V);
    return give(st, x, X);
}

/* Column j*cb + l of K is A(:, j) (x) B(:, l), so the loops write K's
 * storage in order. Each side's product is checked for overflow before
 * mat_size_ok checks the element count. */
Matrix *la_kron(const Matrix *A, const Matrix *B)
{
    size_t ra = A->rows, ca = A->cols, rb = B->rows, cb = B->cols;
    if ((rb && ra > SIZE_MAX / rb) || (cb && ca > SIZE_MAX / cb))
        return NULL;
    size_t rows = ra * rb;
    Matrix *K = mat_size_ok(rows, ca * cb) ? mat_new_uninit(rows, ca * cb)
                                           : NULL;
    if (!K)
        return NULL;
    double *out = K->data;
    for (size_t j = 0; j < ca; j++)
        for (size_t l = 0; l < cb; l++)
            for (size_t i = 0; i < ra; i++)
                for (size_t k = 0; k < rb; k++)
                    *out++ = MAT_AT(A, i, j) * MAT_AT(B, k, l);
    return K;
}
