/* test_linalg.c: unit tests for linalg.c (Criterion).
 *
 * Build: gcc -std=c11 -I src tests/unit/test_linalg.c src/numeric/linalg.c
 *        src/base/matrix.c -lcriterion -llapacke -lopenblas -lm
 *
 * Results are checked against known decompositions and with LAPACK-style
 * scaled residuals such as ||A X - B|| / (n ||A|| ||X|| eps) < 30.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "numeric/linalg.h"

#define EPS DBL_EPSILON
#define THRESH 30.0

/* ------------------------------------------------------------- helpers */

/* Matrix from row-major literal values (easier to read in tests). */
static Matrix *mk(size_t r, size_t c, const double *rowmajor)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            MAT_AT(m, i, j) = rowmajor[i * c + j];
    return m;
}

static uint64_t rng_state = 88172645463325252ull;

static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / (double)(1ull << 53) * 2.0 - 1.0;
}

static Matrix *rnd(size_t r, size_t c)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t i = 0; i < r * c; i++)
        m->data[i] = urand();
    return m;
}

static Matrix *eye(size_t n)
{
    Matrix *m = mat_new(n, n);
    cr_assert_not_null(m);
    for (size_t i = 0; i < n; i++)
        MAT_AT(m, i, i) = 1.0;
    return m;
}

/* Random symmetric positive definite: G'G + n I. */
static Matrix *rnd_spd(size_t n)
{
    Matrix *g = rnd(n, n);
    Matrix *a = mat_mul(g, g, true, false);
    for (size_t i = 0; i < n; i++)
        MAT_AT(a, i, i) += (double)n;
    mat_unref(g);
    return a;
}

static double norm1(const Matrix *A)
{
    double best = 0.0;
    for (size_t j = 0; j < A->cols; j++) {
        double s = 0.0;
        for (size_t i = 0; i < A->rows; i++)
            s += fabs(MAT_AT(A, i, j));
        best = fmax(best, s);
    }
    return best;
}

/* A - B (same shape). */
static Matrix *sub(const Matrix *A, const Matrix *B)
{
    cr_assert_eq(A->rows, B->rows);
    cr_assert_eq(A->cols, B->cols);
    Matrix *d = mat_copy(A);
    for (size_t i = 0; i < mat_numel(A); i++)
        d->data[i] -= B->data[i];
    return d;
}

static double diff1(const Matrix *A, const Matrix *B)
{
    Matrix *d = sub(A, B);
    double r = norm1(d);
    mat_unref(d);
    return r;
}

static size_t maxdim(const Matrix *A)
{
    return A->rows > A->cols ? A->rows : A->cols;
}

/* ||A X - B|| / (n ||A|| ||X|| eps). */
static double solve_resid(const Matrix *A, const Matrix *X, const Matrix *B)
{
    Matrix *ax = mat_mul(A, X, false, false);
    cr_assert_not_null(ax);
    double r = diff1(ax, B);
    mat_unref(ax);
    double den = (double)maxdim(A) * norm1(A) * norm1(X) * EPS;
    return den > 0 ? r / den : r;
}

/* ||Q'Q - I|| / (n eps) for the columns of Q. */
static double orth_resid(const Matrix *Q)
{
    Matrix *qq = mat_mul(Q, Q, true, false);
    Matrix *I = eye(Q->cols);
    double r = diff1(qq, I) / ((double)(maxdim(Q) ? maxdim(Q) : 1) * EPS);
    mat_unref(qq);
    mat_unref(I);
    return r;
}

/* ||L R - A|| / (n ||A|| eps). */
static double prod_resid(const Matrix *L, const Matrix *R, const Matrix *A)
{
    Matrix *lr = mat_mul(L, R, false, false);
    cr_assert_not_null(lr);
    double r = diff1(lr, A) / ((double)maxdim(A) * norm1(A) * EPS);
    mat_unref(lr);
    return r;
}

/* U diag(s) V' */
static Matrix *usv(const Matrix *U, const Matrix *s, const Matrix *V)
{
    Matrix *us = mat_copy(U);
    for (size_t j = 0; j < us->cols; j++)
        for (size_t i = 0; i < us->rows; i++)
            MAT_AT(us, i, j) *= s->data[j];
    Matrix *r = mat_mul(us, V, false, true);
    mat_unref(us);
    return r;
}

static bool is_upper(const Matrix *R)
{
    for (size_t j = 0; j < R->cols; j++)
        for (size_t i = j + 1; i < R->rows; i++)
            if (MAT_AT(R, i, j) != 0.0)
                return false;
    return true;
}

static bool same(const Matrix *A, const Matrix *B)
{
    return A->rows == B->rows && A->cols == B->cols &&
           memcmp(A->data, B->data, mat_numel(A) * sizeof(double)) == 0;
}

#define EXPECT_CLOSE(a, b, tol)                                             \
    cr_expect(fabs((a) - (b)) <= (tol), "%s = %.17g, expected %.17g", #a,   \
              (double)(a), (double)(b))

/* ----------------------------------------------------------- status */

Test(linalg, status_strings)
{
    cr_expect_str_eq(la_status_str(LA_SINGULAR), "matrix is singular");
    cr_expect_str_eq(la_status_str(LA_NOT_PD),
                     "matrix is not positive definite");
    cr_expect_str_eq(la_status_str(LA_NOT_SYMMETRIC), "matrix is not symmetric");
    for (int s = LA_OK; s <= LA_SHAPE; s++) {
        cr_expect_not_null(la_status_str((LaStatus)s));
        cr_expect_gt(strlen(la_status_str((LaStatus)s)), 3);
    }
    cr_expect_not_null(la_status_str((LaStatus)99));
}

/* ------------------------------------------------------------ solve */

Test(linalg, solve_known_3x3)
{
    double a[] = {2, 1, 1, 1, 3, 2, 1, 0, 0};
    double b[] = {4, 5, 6};
    Matrix *A = mk(3, 3, a), *B = mat_from(3, 1, b), *X = NULL;
    cr_assert_eq(la_solve(A, B, &X), LA_OK);
    /* Solution: x = [6, 15, -23]. */
    EXPECT_CLOSE(X->data[0], 6.0, 1e-12);
    EXPECT_CLOSE(X->data[1], 15.0, 1e-12);
    EXPECT_CLOSE(X->data[2], -23.0, 1e-12);
    cr_expect_lt(solve_resid(A, X, B), THRESH);
    mat_unref(A);
    mat_unref(B);
    mat_unref(X);
}

Test(linalg, solve_random_square_multi_rhs)
{
    Matrix *A = rnd(60, 60), *B = rnd(60, 5), *X = NULL;
    Matrix *A0 = mat_copy(A), *B0 = mat_copy(B);
    cr_assert_eq(la_solve(A, B, &X), LA_OK);
    cr_expect_eq(X->rows, 60);
    cr_expect_eq(X->cols, 5);
    cr_expect_lt(solve_resid(A, X, B), THRESH);
    cr_expect(same(A, A0) && same(B, B0), "inputs were modified");
    mat_unref(A);
    mat_unref(B);
    mat_unref(X);
    mat_unref(A0);
    mat_unref(B0);
}

Test(linalg, solve_singular_detected)
{
    double a[] = {1, 2, 2, 4};
    double n[] = {1, 0, 0, 1e-20};
    Matrix *A = mk(2, 2, a), *N = mk(2, 2, n), *B = rnd(2, 1);
    Matrix *X = (Matrix *)0x1;
    cr_expect_eq(la_solve(A, B, &X), LA_SINGULAR);
    cr_expect_null(X);
    X = (Matrix *)0x1;
    cr_expect_eq(la_solve(N, B, &X), LA_SINGULAR); /* rcond < eps */
    cr_expect_null(X);
    Matrix *Z = mat_new(3, 3), *B3 = rnd(3, 2);
    cr_expect_eq(la_solve(Z, B3, &X), LA_SINGULAR);
    cr_expect_null(X);
    mat_unref(A);
    mat_unref(N);
    mat_unref(B);
    mat_unref(Z);
    mat_unref(B3);
}

Test(linalg, solve_shape_mismatch)
{
    Matrix *A = rnd(3, 3), *B = rnd(4, 1), *X = NULL;
    cr_expect_eq(la_solve(A, B, &X), LA_SHAPE);
    cr_expect_null(X);
    cr_expect_eq(la_rdivide(A, B, &X), LA_SHAPE);
    cr_expect_null(X);
    mat_unref(A);
    mat_unref(B);
}

Test(linalg, solve_overdetermined_matches_normal_equations)
{
    Matrix *A = rnd(8, 3), *b = rnd(8, 2), *x = NULL, *xn = NULL;
    cr_assert_eq(la_solve(A, b, &x), LA_OK);
    cr_assert_eq(x->rows, 3);
    cr_assert_eq(x->cols, 2);
    Matrix *AtA = mat_mul(A, A, true, false), *Atb = mat_mul(A, b, true, false);
    cr_assert_eq(la_solve(AtA, Atb, &xn), LA_OK);
    cr_expect_lt(diff1(x, xn) / (norm1(xn) * EPS), 1e4); /* cond(A'A) ~ 10 */
    /* Residual orthogonal to range(A): A'(Ax - b) ~ 0. */
    Matrix *ax = mat_mul(A, x, false, false), *r = sub(ax, b);
    Matrix *Atr = mat_mul(A, r, true, false);
    cr_expect_lt(norm1(Atr) / (8 * norm1(A) * norm1(b) * EPS), THRESH);
    Matrix *all[] = {A, b, x, xn, AtA, Atb, ax, r, Atr};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, solve_underdetermined_minimum_norm)
{
    Matrix *A = rnd(3, 6), *b = rnd(3, 1), *x = NULL, *P = NULL;
    cr_assert_eq(la_solve(A, b, &x), LA_OK);
    cr_assert_eq(x->rows, 6);
    cr_expect_lt(solve_resid(A, x, b), THRESH);
    cr_assert_eq(la_pinv(A, -1, &P), LA_OK);
    Matrix *pb = mat_mul(P, b, false, false);
    cr_expect_lt(diff1(x, pb) / (norm1(pb) * EPS), 1e3);
    mat_unref(A);
    mat_unref(b);
    mat_unref(x);
    mat_unref(P);
    mat_unref(pb);
}

Test(linalg, solve_rank_deficient_lsq_is_pinv_b)
{
    /* 5x3 of rank 2: third column = first + second. */
    Matrix *A = rnd(5, 3);
    for (size_t i = 0; i < 5; i++)
        MAT_AT(A, i, 2) = MAT_AT(A, i, 0) + MAT_AT(A, i, 1);
    Matrix *b = rnd(5, 1), *x = NULL, *P = NULL;
    cr_assert_eq(la_solve(A, b, &x), LA_OK);
    cr_assert_eq(la_pinv(A, -1, &P), LA_OK);
    Matrix *pb = mat_mul(P, b, false, false);
    cr_expect_lt(diff1(x, pb) / (norm1(pb) * EPS), 1e3);
    mat_unref(A);
    mat_unref(b);
    mat_unref(x);
    mat_unref(P);
    mat_unref(pb);
}

Test(linalg, rdivide_residual)
{
    Matrix *A = rnd(4, 4), *B = rnd(3, 4), *X = NULL;
    cr_assert_eq(la_rdivide(B, A, &X), LA_OK);
    cr_assert_eq(X->rows, 3);
    cr_assert_eq(X->cols, 4);
    Matrix *xa = mat_mul(X, A, false, false);
    cr_expect_lt(diff1(xa, B) / (4 * norm1(A) * norm1(X) * EPS * 4), THRESH);
    mat_unref(A);
    mat_unref(B);
    mat_unref(X);
    mat_unref(xa);
}

/* -------------------------------------------------------------- inv */

Test(linalg, inv_known_and_random)
{
    double a[] = {4, 7, 2, 6};
    double ai[] = {0.6, -0.7, -0.2, 0.4};
    Matrix *A = mk(2, 2, a), *Ai = mk(2, 2, ai), *X = NULL;
    cr_assert_eq(la_inv(A, &X), LA_OK);
    cr_expect_lt(diff1(X, Ai), 1e-14);
    mat_unref(X);
    Matrix *R = rnd(40, 40), *I = eye(40);
    cr_assert_eq(la_inv(R, &X), LA_OK);
    cr_expect_lt(solve_resid(R, X, I), THRESH);
    mat_unref(A);
    mat_unref(Ai);
    mat_unref(X);
    mat_unref(R);
    mat_unref(I);
}

Test(linalg, inv_errors_and_empty)
{
    double s[] = {1, 2, 3, 2, 4, 6, 1, 1, 1};
    Matrix *S = mk(3, 3, s), *N = rnd(2, 3), *E = mat_new(0, 0), *X = NULL;
    cr_expect_eq(la_inv(S, &X), LA_SINGULAR);
    cr_expect_null(X);
    cr_expect_eq(la_inv(N, &X), LA_SHAPE);
    cr_expect_null(X);
    cr_assert_eq(la_inv(E, &X), LA_OK);
    cr_expect_eq(X->rows, 0);
    cr_expect_eq(X->cols, 0);
    mat_unref(X);
    mat_unref(S);
    mat_unref(N);
    mat_unref(E);
}

/* -------------------------------------------------------------- det */

Test(linalg, det_known)
{
    double a[] = {1, 2, 3, 4};
    double t[] = {2, 5, 7, 0, 3, 1, 0, 0, -4};
    double cyc[] = {0, 1, 0, 0, 0, 1, 1, 0, 0}; /* even permutation */
    double swp[] = {0, 1, 0, 1, 0, 0, 0, 0, 1}; /* one transposition */
    double sg[] = {1, 2, 2, 4};
    struct { size_t n; const double *v; double d; } cases[] = {
        {2, a, -2.0}, {3, t, -24.0}, {3, cyc, 1.0}, {3, swp, -1.0},
        {2, sg, 0.0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        Matrix *A = mk(cases[k].n, cases[k].n, cases[k].v);
        double d = NAN;
        cr_expect_eq(la_det(A, &d), LA_OK);
        EXPECT_CLOSE(d, cases[k].d, 1e-13);
        mat_unref(A);
    }
}

Test(linalg, det_empty_zero_and_shape)
{
    Matrix *E = mat_new(0, 0), *Z = mat_new(3, 3), *N = rnd(2, 3);
    double d = NAN;
    cr_expect_eq(la_det(E, &d), LA_OK);
    cr_expect_eq(d, 1.0);
    cr_expect_eq(la_det(Z, &d), LA_OK);
    cr_expect_eq(d, 0.0);
    d = 7.0;
    cr_expect_eq(la_det(N, &d), LA_SHAPE);
    cr_expect_eq(d, 7.0);
    mat_unref(E);
    mat_unref(Z);
    mat_unref(N);
}

Test(linalg, det_of_product)
{
    Matrix *A = rnd(6, 6), *B = rnd(6, 6), *AB = mat_mul(A, B, false, false);
    double da, db, dab;
    cr_assert_eq(la_det(A, &da), LA_OK);
    cr_assert_eq(la_det(B, &db), LA_OK);
    cr_assert_eq(la_det(AB, &dab), LA_OK);
    cr_expect_lt(fabs(dab - da * db), 1e-12 * fabs(dab) + 1e-14);
    mat_unref(A);
    mat_unref(B);
    mat_unref(AB);
}

/* -------------------------------------------------------------- svd */

static void check_svd(size_t m, size_t n)
{
    Matrix *A = rnd(m, n), *U, *s, *V;
    cr_assert_eq(la_svd(A, &U, &s, &V), LA_OK);
    size_t k = m < n ? m : n;
    cr_assert(U->rows == m && U->cols == k, "U is %zux%zu", U->rows, U->cols);
    cr_assert(s->rows == k && s->cols == 1);
    cr_assert(V->rows == n && V->cols == k);
    Matrix *R = usv(U, s, V);
    cr_expect_lt(diff1(R, A) / ((double)(m > n ? m : n) * norm1(A) * EPS),
                 THRESH);
    cr_expect_lt(orth_resid(U), THRESH);
    cr_expect_lt(orth_resid(V), THRESH);
    for (size_t i = 0; i < k; i++) {
        cr_expect_geq(s->data[i], 0.0);
        if (i)
            cr_expect_geq(s->data[i - 1], s->data[i]);
    }
    Matrix *sv;
    cr_assert_eq(la_svd_values(A, &sv), LA_OK);
    cr_expect_lt(diff1(sv, s), 1e-13 * s->data[0]);
    Matrix *all[] = {A, U, s, V, R, sv};
    for (size_t i = 0; i < 6; i++)
        mat_unref(all[i]);
}

Test(linalg, svd_reconstruction_tall_wide_square)
{
    check_svd(9, 4);
    check_svd(4, 9);
    check_svd(7, 7);
    check_svd(1, 5);
}

Test(linalg, svd_values_known)
{
    double a[] = {3, 0, 4, 5}; /* singular values 3*sqrt(5), sqrt(5) */
    double d[] = {-3, 0, 0, 0, 1, 0, 0, 0, 2};
    Matrix *A = mk(2, 2, a), *D = mk(3, 3, d), *s;
    cr_assert_eq(la_svd_values(A, &s), LA_OK);
    EXPECT_CLOSE(s->data[0], 3 * sqrt(5.0), 1e-14);
    EXPECT_CLOSE(s->data[1], sqrt(5.0), 1e-14);
    mat_unref(s);
    cr_assert_eq(la_svd_values(D, &s), LA_OK);
    EXPECT_CLOSE(s->data[0], 3.0, 1e-15);
    EXPECT_CLOSE(s->data[1], 2.0, 1e-15);
    EXPECT_CLOSE(s->data[2], 1.0, 1e-15);
    mat_unref(s);
    mat_unref(A);
    mat_unref(D);
}

/* ------------------------------------------------- pinv, rank, cond */

static Matrix *rank_deficient(size_t m, size_t n, size_t r)
{
    Matrix *L = rnd(m, r), *R = rnd(r, n);
    Matrix *A = mat_mul(L, R, false, false);
    mat_unref(L);
    mat_unref(R);
    return A;
}

/* ||X - Y|| / (||Y|| eps) for a Penrose condition. */
static double rel(const Matrix *X, const Matrix *Y)
{
    return diff1(X, Y) / (norm1(Y) * EPS);
}

Test(linalg, pinv_penrose_conditions)
{
    Matrix *A = rank_deficient(6, 5, 3), *P = NULL;
    cr_assert_eq(la_pinv(A, -1, &P), LA_OK);
    cr_assert(P->rows == 5 && P->cols == 6);
    Matrix *AP = mat_mul(A, P, false, false), *PA = mat_mul(P, A, false, false);
    Matrix *APA = mat_mul(AP, A, false, false);
    Matrix *PAP = mat_mul(PA, P, false, false);
    Matrix *APt = mat_transpose(AP), *PAt = mat_transpose(PA);
    cr_expect_lt(rel(APA, A), 1e3);
    cr_expect_lt(rel(PAP, P), 1e3);
    cr_expect_lt(rel(APt, AP), 1e3);
    cr_expect_lt(rel(PAt, PA), 1e3);
    Matrix *all[] = {A, P, AP, PA, APA, PAP, APt, PAt};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, pinv_of_invertible_is_inverse_and_tol)
{
    Matrix *A = rnd(5, 5), *P = NULL, *X = NULL;
    cr_assert_eq(la_pinv(A, -1, &P), LA_OK);
    cr_assert_eq(la_inv(A, &X), LA_OK);
    cr_expect_lt(rel(P, X), 1e4);
    mat_unref(P);
    /* A huge tolerance discards everything: zero matrix. */
    cr_assert_eq(la_pinv(A, 1e300, &P), LA_OK);
    cr_expect_eq(norm1(P), 0.0);
    mat_unref(P);
    mat_unref(A);
    mat_unref(X);
}

Test(linalg, rank_values)
{
    Matrix *A = rank_deficient(7, 5, 2), *I = eye(4), *Z = mat_new(3, 4);
    double d[] = {1, 0, 0, 1e-3};
    Matrix *D = mk(2, 2, d);
    size_t r = 99;
    cr_expect_eq(la_rank(A, -1, &r), LA_OK);
    cr_expect_eq(r, 2);
    cr_expect_eq(la_rank(I, -1, &r), LA_OK);
    cr_expect_eq(r, 4);
    cr_expect_eq(la_rank(Z, -1, &r), LA_OK);
    cr_expect_eq(r, 0);
    cr_expect_eq(la_rank(D, 1e-2, &r), LA_OK); /* explicit tolerance */
    cr_expect_eq(r, 1);
    cr_expect_eq(la_rank(D, -1, &r), LA_OK);
    cr_expect_eq(r, 2);
    mat_unref(A);
    mat_unref(I);
    mat_unref(Z);
    mat_unref(D);
}

Test(linalg, cond_values)
{
    double d[] = {1, 0, 0, 1e-3};
    double s[] = {1, 2, 2, 4};
    double rot[] = {0.6, -0.8, 0.8, 0.6};
    Matrix *D = mk(2, 2, d), *S = mk(2, 2, s), *Q = mk(2, 2, rot);
    Matrix *E = mat_new(0, 3);
    double c = 0;
    cr_expect_eq(la_cond(D, &c), LA_OK);
    EXPECT_CLOSE(c, 1000.0, 1e-9);
    cr_expect_eq(la_cond(S, &c), LA_OK);
    cr_expect(c > 1e15, "cond of singular = %g", c); /* Inf or huge */
    cr_expect_eq(la_cond(Q, &c), LA_OK);
    EXPECT_CLOSE(c, 1.0, 1e-14);
    cr_expect_eq(la_cond(E, &c), LA_OK);
    cr_expect_eq(c, 0.0);
    Matrix *Z = mat_new(2, 2);
    cr_expect_eq(la_cond(Z, &c), LA_OK);
    cr_expect(isinf(c));
    mat_unref(D);
    mat_unref(S);
    mat_unref(Q);
    mat_unref(E);
    mat_unref(Z);
}

Test(linalg, norm2_values)
{
    double a[] = {3, 0, 4, 5};
    double v[] = {3, 4};
    Matrix *A = mk(2, 2, a), *V = mat_from(1, 2, v), *E = mat_new(0, 5);
    EXPECT_CLOSE(la_norm2(A), 3 * sqrt(5.0), 1e-14);
    EXPECT_CLOSE(la_norm2(V), 5.0, 1e-15);
    cr_expect_eq(la_norm2(E), 0.0);
    MAT_AT(A, 0, 0) = INFINITY;
    cr_expect(isinf(la_norm2(A)));
    MAT_AT(A, 1, 1) = NAN;
    cr_expect(isnan(la_norm2(A)));
    mat_unref(A);
    mat_unref(V);
    mat_unref(E);
}

/* --------------------------------------------------------- Cholesky */

Test(linalg, chol_known)
{
    double a[] = {4, 12, -16, 12, 37, -43, -16, -43, 98};
    double r[] = {2, 6, -8, 0, 1, 5, 0, 0, 3};
    Matrix *A = mk(3, 3, a), *Rk = mk(3, 3, r), *R = NULL;
    cr_assert_eq(la_chol(A, &R), LA_OK);
    cr_expect_lt(diff1(R, Rk), 1e-13);
    mat_unref(A);
    mat_unref(Rk);
    mat_unref(R);
}

Test(linalg, chol_random_residual)
{
    Matrix *A = rnd_spd(30), *R = NULL;
    cr_assert_eq(la_chol(A, &R), LA_OK);
    cr_expect(is_upper(R));
    Matrix *Rt = mat_transpose(R);
    cr_expect_lt(prod_resid(Rt, R, A), THRESH);
    mat_unref(A);
    mat_unref(R);
    mat_unref(Rt);
}

Test(linalg, chol_rejections)
{
    double npd[] = {1, 2, 2, 1};
    double ns[] = {2, 1, 0, 2};
    Matrix *A = mk(2, 2, npd), *B = mk(2, 2, ns), *C = rnd(2, 3);
    Matrix *R = (Matrix *)0x1;
    cr_expect_eq(la_chol(A, &R), LA_NOT_PD);
    cr_expect_null(R);
    cr_expect_eq(la_chol(B, &R), LA_NOT_SYMMETRIC);
    cr_expect_null(R);
    cr_expect_eq(la_chol(C, &R), LA_SHAPE);
    /* Asymmetry at rounding level is tolerated. */
    Matrix *S = rnd_spd(4);
    MAT_AT(S, 0, 1) *= 1 + 1e-15;
    cr_expect_eq(la_chol(S, &R), LA_OK);
    mat_unref(R);
    mat_unref(A);
    mat_unref(B);
    mat_unref(C);
    mat_unref(S);
}

/* --------------------------------------------------------------- QR */

static void check_qr(size_t m, size_t n)
{
    Matrix *A = rnd(m, n), *Q = NULL, *R = NULL;
    cr_assert_eq(la_qr(A, &Q, &R), LA_OK);
    size_t k = m < n ? m : n;
    cr_assert(Q->rows == m && Q->cols == k, "Q %zux%zu", Q->rows, Q->cols);
    cr_assert(R->rows == k && R->cols == n, "R %zux%zu", R->rows, R->cols);
    cr_expect(is_upper(R));
    cr_expect_lt(prod_resid(Q, R, A), THRESH);
    cr_expect_lt(orth_resid(Q), THRESH);
    mat_unref(A);
    mat_unref(Q);
    mat_unref(R);
}

Test(linalg, qr_shapes_and_residuals)
{
    check_qr(8, 5);
    check_qr(5, 8);
    check_qr(6, 6);
    check_qr(1, 1);
}

/* ------------------------------------------------------------- eig */

Test(linalg, eigsym_known)
{
    double a[] = {2, 1, 1, 2};
    Matrix *A = mk(2, 2, a), *w = NULL, *V = NULL;
    cr_assert_eq(la_eigsym(A, &w, &V), LA_OK);
    EXPECT_CLOSE(w->data[0], 1.0, 1e-14);
    EXPECT_CLOSE(w->data[1], 3.0, 1e-14);
    EXPECT_CLOSE(fabs(MAT_AT(V, 0, 1)), sqrt(0.5), 1e-14);
    EXPECT_CLOSE(MAT_AT(V, 0, 1), MAT_AT(V, 1, 1), 1e-14);
    mat_unref(A);
    mat_unref(w);
    mat_unref(V);
}

Test(linalg, eigsym_random_residual)
{
    Matrix *G = rnd(20, 20), *Gt = mat_transpose(G);
    Matrix *A = mat_copy(G);
    for (size_t i = 0; i < 400; i++)
        A->data[i] += Gt->data[i];
    Matrix *w = NULL, *V = NULL, *w2 = NULL;
    cr_assert_eq(la_eigsym(A, &w, &V), LA_OK);
    for (size_t i = 1; i < 20; i++)
        cr_expect_leq(w->data[i - 1], w->data[i]);
    /* A V = V diag(w) */
    Matrix *AV = mat_mul(A, V, false, false), *VD = mat_copy(V);
    for (size_t j = 0; j < 20; j++)
        for (size_t i = 0; i < 20; i++)
            MAT_AT(VD, i, j) *= w->data[j];
    cr_expect_lt(diff1(AV, VD) / (20 * norm1(A) * EPS), THRESH);
    cr_expect_lt(orth_resid(V), THRESH);
    cr_assert_eq(la_eigsym(A, &w2, NULL), LA_OK); /* values only */
    cr_expect_lt(diff1(w, w2), 1e-12 * norm1(A));
    Matrix *all[] = {G, Gt, A, w, V, w2, VD, AV};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, eigsym_rejects_nonsymmetric)
{
    double a[] = {1, 2, 3, 4};
    Matrix *A = mk(2, 2, a), *w = (Matrix *)0x1, *V = (Matrix *)0x1;
    cr_expect_eq(la_eigsym(A, &w, &V), LA_NOT_SYMMETRIC);
    cr_expect_null(w);
    cr_expect_null(V);
    mat_unref(A);
}

Test(linalg, eig_rotation_complex_pair)
{
    double a[] = {0, -1, 1, 0};
    Matrix *A = mk(2, 2, a), *wr = NULL, *wi = NULL, *V = NULL;
    cr_assert_eq(la_eig(A, &wr, &wi, &V), LA_OK);
    EXPECT_CLOSE(wr->data[0], 0.0, 1e-15);
    EXPECT_CLOSE(wr->data[1], 0.0, 1e-15);
    EXPECT_CLOSE(wi->data[0], 1.0, 1e-15); /* conjugate pair, + first */
    EXPECT_CLOSE(wi->data[1], -1.0, 1e-15);
    /* Packed form: v = V(:,0) + i V(:,1) satisfies A v = i v. */
    for (size_t r = 0; r < 2; r++) {
        double re = 0, im = 0;
        for (size_t c = 0; c < 2; c++) {
            re += MAT_AT(A, r, c) * MAT_AT(V, c, 0);
            im += MAT_AT(A, r, c) * MAT_AT(V, c, 1);
        }
        EXPECT_CLOSE(re, -MAT_AT(V, r, 1), 1e-14);
        EXPECT_CLOSE(im, MAT_AT(V, r, 0), 1e-14);
    }
    mat_unref(A);
    mat_unref(wr);
    mat_unref(wi);
    mat_unref(V);
}

Test(linalg, eig_triangular)
{
    double a[] = {1, 2, 3, 0, 4, 5, 0, 0, 6};
    Matrix *A = mk(3, 3, a), *wr = NULL, *wi = NULL, *V = NULL;
    cr_assert_eq(la_eig(A, &wr, &wi, &V), LA_OK);
    double want[] = {1, 4, 6};
    for (size_t i = 0; i < 3; i++) {
        EXPECT_CLOSE(wr->data[i], want[i], 1e-13);
        cr_expect_eq(wi->data[i], 0.0);
    }
    Matrix *AV = mat_mul(A, V, false, false);
    for (size_t j = 0; j < 3; j++)
        for (size_t i = 0; i < 3; i++)
            EXPECT_CLOSE(MAT_AT(AV, i, j), wr->data[j] * MAT_AT(V, i, j),
                         1e-12);
    Matrix *wr2 = NULL, *wi2 = NULL;
    cr_assert_eq(la_eig(A, &wr2, &wi2, NULL), LA_OK);
    cr_expect_lt(diff1(wr, wr2), 1e-13);
    Matrix *all[] = {A, wr, wi, V, AV, wr2, wi2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

/* ------------------------------------------------------------- mpow */

Test(linalg, mpow_sqrt_and_identity_powers)
{
    Matrix *A = rnd_spd(8), *H = NULL, *X1 = NULL, *X0 = NULL;
    cr_assert_eq(la_mpow_psd(A, 0.5, &H), LA_OK);
    Matrix *HH = mat_mul(H, H, false, false);
    cr_expect_lt(diff1(HH, A) / (8 * norm1(A) * EPS), THRESH * 10);
    cr_assert_eq(la_mpow_psd(A, 1.0, &X1), LA_OK);
    cr_expect_lt(diff1(X1, A) / (8 * norm1(A) * EPS), THRESH * 10);
    cr_assert_eq(la_mpow_psd(A, 0.0, &X0), LA_OK);
    Matrix *I = eye(8);
    cr_expect_lt(diff1(X0, I) / (8 * EPS), THRESH * 10);
    Matrix *all[] = {A, H, X1, X0, HH, I};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, mpow_singular_psd_and_negative_powers)
{
    double s[] = {1, 1, 1, 1}; /* PSD, eigenvalues 0 and 2 */
    Matrix *S = mk(2, 2, s), *X = NULL, *I = eye(2);
    cr_assert_eq(la_mpow_psd(S, 0.0, &X), LA_OK);
    cr_expect_lt(diff1(X, I), 1e-14); /* 0^0 = 1 */
    mat_unref(X);
    cr_assert_eq(la_mpow_psd(S, 0.5, &X), LA_OK); /* sqrt(2)/2 * S */
    for (size_t i = 0; i < 4; i++)
        EXPECT_CLOSE(X->data[i], sqrt(0.5), 1e-14);
    mat_unref(X);
    X = (Matrix *)0x1;
    cr_expect_eq(la_mpow_psd(S, -1.0, &X), LA_SINGULAR);
    cr_expect_null(X);
    Matrix *A = rnd_spd(5), *Ai = NULL;
    cr_assert_eq(la_mpow_psd(A, -1.0, &X), LA_OK);
    cr_assert_eq(la_inv(A, &Ai), LA_OK);
    cr_expect_lt(rel(X, Ai), 1e3);
    Matrix *all[] = {S, I, A, X, Ai};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, mpow_rank_deficient_clamps_rounding_negatives)
{
    /* G G' (6x6, rank 2): four eigenvalues are rounding noise, some of
     * them typically negative; they must be clamped, not turned into NaN. */
    for (int trial = 0; trial < 5; trial++) {
        Matrix *G = rnd(6, 2), *A = mat_mul(G, G, false, true), *H = NULL;
        Matrix *w = NULL;
        cr_assert_eq(la_eigsym(A, &w, NULL), LA_OK);
        cr_assert_eq(la_mpow_psd(A, 0.5, &H), LA_OK);
        for (size_t i = 0; i < 36; i++)
            cr_assert(isfinite(H->data[i]), "NaN in sqrt (min eig %g)",
                      w->data[0]);
        Matrix *HH = mat_mul(H, H, false, false);
        cr_expect_lt(diff1(HH, A) / norm1(A), 1e-7); /* sqrt(eps) noise */
        Matrix *all[] = {G, A, H, w, HH};
        for (size_t i = 0; i < sizeof all / sizeof *all; i++)
            mat_unref(all[i]);
    }
}

Test(linalg, mpow_indefinite_rules)
{
    double nd[] = {-2, 0, 0, -1};
    double ind[] = {1, 2, 2, 1}; /* eigenvalues -1, 3 */
    double ns[] = {1, 2, 0, 1};
    Matrix *N = mk(2, 2, nd), *M = mk(2, 2, ind), *B = mk(2, 2, ns);
    Matrix *X = (Matrix *)0x1;
    cr_expect_eq(la_mpow_psd(N, 0.5, &X), LA_NOT_PSD);
    cr_expect_null(X);
    cr_expect_eq(la_mpow_psd(B, 2.0, &X), LA_NOT_SYMMETRIC);
    cr_assert_eq(la_mpow_psd(M, 2.0, &X), LA_OK); /* integer p allowed */
    Matrix *MM = mat_mul(M, M, false, false);
    cr_expect_lt(diff1(X, MM), 1e-13);
    mat_unref(X);
    cr_assert_eq(la_mpow_psd(M, 0.0, &X), LA_OK);
    Matrix *I = eye(2);
    cr_expect_lt(diff1(X, I), 1e-14);
    Matrix *all[] = {N, M, B, X, MM, I};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

/* ------------------------------------------------------------- kron */

Test(linalg, kron_known)
{
    double a[] = {1, 2, 3, 4};
    double b[] = {0, 5, 6, 7};
    double k[] = {0,  5,  0,  10, 6,  7,  12, 14,
                  0,  15, 0,  20, 18, 21, 24, 28};
    Matrix *A = mk(2, 2, a), *B = mk(2, 2, b), *K = mk(4, 4, k);
    Matrix *R = la_kron(A, B);
    cr_assert_not_null(R);
    cr_expect(same(R, K));
    double v[] = {1, -1};
    Matrix *c = mat_from(2, 1, v), *r = mat_from(1, 2, v);
    Matrix *cr = la_kron(c, r); /* column (x) row = outer product */
    double o[] = {1, -1, -1, 1};
    Matrix *O = mk(2, 2, o);
    cr_expect(same(cr, O));
    Matrix *all[] = {A, B, K, R, c, r, cr, O};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, kron_empty_and_overflow)
{
    Matrix *A = rnd(2, 3), *E = mat_new(0, 4);
    Matrix *K = la_kron(A, E);
    cr_assert_not_null(K);
    cr_expect(K->rows == 0 && K->cols == 12);
    mat_unref(K);
    /* Size checks happen before any element is read. */
    Matrix big = {.rc = 1, .rows = (size_t)1 << 20, .cols = 1, .data = NULL};
    Matrix big2 = {.rc = 1, .rows = (size_t)1 << 12, .cols = 1, .data = NULL};
    cr_expect_null(la_kron(&big, &big2));
    Matrix huge = {.rc = 1, .rows = SIZE_MAX / 2, .cols = 1, .data = NULL};
    cr_expect_null(la_kron(&huge, &huge));
    mat_unref(A);
    mat_unref(E);
}

/* ------------------------------------------------------------ empty */

Test(linalg, empty_svd_family)
{
    Matrix *E = mat_new(0, 3), *U, *s, *V, *P = NULL;
    cr_assert_eq(la_svd_values(E, &s), LA_OK);
    cr_expect(s->rows == 0 && s->cols == 1);
    mat_unref(s);
    cr_assert_eq(la_svd(E, &U, &s, &V), LA_OK);
    cr_expect(U->rows == 0 && U->cols == 0);
    cr_expect(s->rows == 0 && s->cols == 1);
    cr_expect(V->rows == 3 && V->cols == 0);
    cr_assert_eq(la_pinv(E, -1, &P), LA_OK);
    cr_expect(P->rows == 3 && P->cols == 0);
    size_t r = 9;
    cr_expect_eq(la_rank(E, -1, &r), LA_OK);
    cr_expect_eq(r, 0);
    cr_expect_eq(la_norm2(E), 0.0);
    Matrix *all[] = {E, U, s, V, P};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, empty_solve_and_factorizations)
{
    Matrix *E0 = mat_new(0, 0), *E03 = mat_new(0, 3), *B02 = mat_new(0, 2);
    Matrix *E30 = mat_new(3, 0), *B32 = rnd(3, 2), *X = NULL;
    cr_assert_eq(la_solve(E03, B02, &X), LA_OK); /* min-norm: zeros */
    cr_expect(X->rows == 3 && X->cols == 2 && norm1(X) == 0.0);
    mat_unref(X);
    cr_assert_eq(la_solve(E30, B32, &X), LA_OK);
    cr_expect(X->rows == 0 && X->cols == 2);
    mat_unref(X);
    Matrix *Q, *R, *w, *V, *wi;
    cr_assert_eq(la_qr(E30, &Q, &R), LA_OK);
    cr_expect(Q->rows == 3 && Q->cols == 0 && R->rows == 0 && R->cols == 0);
    mat_unref(Q);
    mat_unref(R);
    cr_assert_eq(la_qr(E03, &Q, &R), LA_OK);
    cr_expect(Q->rows == 0 && Q->cols == 0 && R->rows == 0 && R->cols == 3);
    mat_unref(Q);
    mat_unref(R);
    cr_assert_eq(la_chol(E0, &R), LA_OK);
    cr_expect(R->rows == 0 && R->cols == 0);
    mat_unref(R);
    cr_assert_eq(la_eigsym(E0, &w, &V), LA_OK);
    cr_expect(w->rows == 0 && V->rows == 0);
    mat_unref(w);
    mat_unref(V);
    cr_assert_eq(la_eig(E0, &w, &wi, &V), LA_OK);
    cr_expect(w->rows == 0 && wi->rows == 0 && V->cols == 0);
    Matrix *all[] = {E0, E03, B02, E30, B32, w, wi, V};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        mat_unref(all[i]);
}

Test(linalg, empty_mpow_and_cond)
{
    Matrix *E0 = mat_new(0, 0), *X = NULL;
    cr_assert_eq(la_mpow_psd(E0, 0.5, &X), LA_OK);
    cr_expect(X->rows == 0 && X->cols == 0);
    mat_unref(X);
    cr_assert_eq(la_mpow_psd(E0, -1, &X), LA_OK);
    mat_unref(X);
    double c = -1;
    cr_expect_eq(la_cond(E0, &c), LA_OK);
    cr_expect_eq(c, 0.0);
    mat_unref(E0);
}

/* ---------------------------------------------------- robustness */

Test(linalg, nonfinite_input_refused)
{
    Matrix *A = rnd(3, 3), *B = rnd(3, 1), *X = (Matrix *)0x1;
    MAT_AT(A, 1, 1) = NAN;
    cr_expect_eq(la_solve(A, B, &X), LA_NO_CONVERGE);
    cr_expect_null(X);
    Matrix *U, *s, *V;
    cr_expect_eq(la_svd(A, &U, &s, &V), LA_NO_CONVERGE);
    cr_expect(!U && !s && !V);
    MAT_AT(A, 1, 1) = INFINITY;
    cr_expect_eq(la_inv(A, &X), LA_NO_CONVERGE);
    cr_expect_null(X);
    double d = 5;
    cr_expect_eq(la_det(A, &d), LA_NO_CONVERGE);
    mat_unref(A);
    mat_unref(B);
}

Test(linalg, inputs_untouched_and_results_not_logical)
{
    Matrix *A = rnd_spd(4), *A0 = mat_copy(A), *X = NULL, *Q, *R;
    A->logical = true;
    cr_assert_eq(la_chol(A, &X), LA_OK);
    cr_expect(!X->logical);
    mat_unref(X);
    cr_assert_eq(la_inv(A, &X), LA_OK);
    cr_expect(!X->logical);
    mat_unref(X);
    cr_assert_eq(la_qr(A, &Q, &R), LA_OK);
    cr_expect(!Q->logical);
    mat_unref(Q);
    mat_unref(R);
    cr_assert_eq(la_mpow_psd(A, 0.5, &X), LA_OK);
    mat_unref(X);
    double d;
    cr_assert_eq(la_det(A, &d), LA_OK);
    cr_expect(same(A, A0), "an input was modified");
    cr_expect_eq(A->rc, 1);
    mat_unref(A);
    mat_unref(A0);
}
