/* test_theory.c: unit tests for theory.c (Criterion).
 *
 * Build (from the repository root):
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -I src
 *       tests/unit/test_theory.c src/numeric/theory.c src/numeric/linalg.c src/base/matrix.c
 *       src/base/rng.c -lcriterion -llapacke -lopenblas -lm
 *
 * The oracles are the closed forms of /work/shared/theory.md: B2 (balance),
 * B3 P1-P4 (the end-to-end preconditioner), B5 (deficiency margin), B8
 * (balanced initialisation) and A12 (clusterable data, corruption).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numeric/linalg.h"
#include "numeric/theory.h"

/* ------------------------------------------------------------- helpers */

/* Matrix from row-major literal values. */
static Matrix *mk(size_t r, size_t c, const double *rowmajor)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            MAT_AT(m, i, j) = rowmajor[i * c + j];
    return m;
}

static Matrix *randn(size_t r, size_t c, Rng *g)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    rng_fill_normal(g, m->data, r * c);
    return m;
}

static double fro(const Matrix *a)
{
    double s = 0;
    for (size_t i = 0; i < mat_numel(a); i++)
        s += a->data[i] * a->data[i];
    return sqrt(s);
}

static double fro_diff(const Matrix *a, const Matrix *b)
{
    cr_assert_eq(a->rows, b->rows);
    cr_assert_eq(a->cols, b->cols);
    double s = 0;
    for (size_t i = 0; i < mat_numel(a); i++)
        s += (a->data[i] - b->data[i]) * (a->data[i] - b->data[i]);
    return sqrt(s);
}

static double dot(const Matrix *a, const Matrix *b)
{
    double s = 0;
    for (size_t i = 0; i < mat_numel(a); i++)
        s += a->data[i] * b->data[i];
    return s;
}

static Matrix *mul(const Matrix *a, const Matrix *b, bool ta, bool tb)
{
    Matrix *c = mat_mul(a, b, ta, tb);
    cr_assert_not_null(c);
    return c;
}

static void free_net(Matrix **W, int N)
{
    for (int j = 0; j < N; j++)
        mat_unref(W[j]);
}

static double smin(const Matrix *A)
{
    Matrix *s;
    cr_assert_eq(la_svd_values(A, &s), LA_OK);
    double v = s->data[s->rows - 1];
    mat_unref(s);
    return v;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* --------------------------------------------------------- e2e (B1) */

Test(e2e, product_matches_explicit_chain)
{
    Rng g;
    rng_seed(&g, 1);
    Matrix *W[3] = {randn(4, 3, &g), randn(4, 4, &g), randn(2, 4, &g)};
    Matrix *P = th_e2e(W, 3);
    cr_assert_not_null(P);
    Matrix *t = mul(W[1], W[0], false, false), *Q = mul(W[2], t, false, false);
    cr_assert_eq(P->rows, 2);
    cr_assert_eq(P->cols, 3);
    cr_assert_leq(fro_diff(P, Q), 1e-14 * fro(Q));
    mat_unref(t);
    mat_unref(Q);
    mat_unref(P);
    free_net(W, 3);
}

Test(e2e, depth_one_is_a_fresh_copy)
{
    Rng g;
    rng_seed(&g, 2);
    Matrix *W[1] = {randn(3, 5, &g)};
    Matrix *P = th_e2e(W, 1);
    cr_assert_not_null(P);
    cr_assert_neq(P, W[0]);
    cr_assert_eq(fro_diff(P, W[0]), 0.0);
    mat_unref(P);
    free_net(W, 1);
}

Test(e2e, shape_mismatch_and_bad_arguments_give_null)
{
    Rng g;
    rng_seed(&g, 3);
    Matrix *W[3] = {randn(4, 3, &g), randn(4, 5, &g), randn(2, 4, &g)};
    cr_assert_null(th_e2e(W, 3));          /* cols(W_2) = 5 != rows(W_1) */
    Matrix *V[2] = {W[0], W[2]};           /* 2x4 after 4x3: fine */
    Matrix *P = th_e2e(V, 2);
    cr_assert_not_null(P);
    mat_unref(P);
    Matrix *U[2] = {W[2], W[0]};           /* 4x3 after 2x4: 3 != 2 */
    cr_assert_null(th_e2e(U, 2));
    Matrix *Z[2] = {W[0], NULL};
    cr_assert_null(th_e2e(Z, 2));
    cr_assert_null(th_e2e(W, 0));
    cr_assert(isnan(th_balance_delta(W, 3)));
    free_net(W, 3);
}

/* ------------------------------------------------------- balance (B2) */

Test(balance, hand_computed_values)
{
    Matrix *a = mat_scalar(2.0), *b = mat_scalar(3.0);
    Matrix *W[2] = {a, b};
    cr_assert_float_eq(th_balance_delta(W, 2), 5.0, 1e-15);  /* |9 - 4| */
    cr_assert_eq(th_balance_delta(W, 1), 0.0);
    cr_assert(isnan(th_balance_delta(W, 0)));
    /* W_1 = [1 0; 0 2] (2x2), W_2 = [1 1] (1x2):
     * W_2'W_2 - W_1W_1' = [1 1; 1 1] - [1 0; 0 4] = [0 1; 1 -3]. */
    Matrix *c = mk(2, 2, (double[]){1, 0, 0, 2}), *d = mk(1, 2, (double[]){1, 1});
    Matrix *V[2] = {c, d};
    cr_assert_float_eq(th_balance_delta(V, 2), sqrt(11.0), 1e-14);
    free_net(W, 2);
    free_net(V, 2);
}

Test(balance, balanced_split_is_balanced)
{
    Rng g;
    rng_seed(&g, 4);
    Matrix *A = randn(3, 5, &g), *W[4];
    size_t dims[5] = {5, 6, 6, 6, 3};
    cr_assert_eq(th_balanced_split_dims(A, 4, dims, W), 0);
    double s1 = la_norm2(A);
    cr_assert_leq(th_balance_delta(W, 4), 1e-12 * pow(s1, 2.0 / 4));
    free_net(W, 4);
    mat_unref(A);
}

/* Scaling layer 2 of a balanced depth-3 net by (1+t) makes both pair
 * differences ((1+t)^2 - 1) times a Gram matrix of equal norm. */
Test(balance, perturbed_set_has_predicted_delta)
{
    Rng g;
    rng_seed(&g, 5);
    size_t dims[4] = {4, 7, 7, 3};
    Matrix *W[3];
    cr_assert_eq(th_balanced_init(dims, 4, 1.0, NULL, &g, W), 0);
    double t = 0.01;
    Matrix *G1 = mul(W[0], W[0], false, true);
    double pred = fabs((1 + t) * (1 + t) - 1) * fro(G1);
    cr_assert(mat_unique(&W[1]));
    for (size_t i = 0; i < mat_numel(W[1]); i++)
        W[1]->data[i] *= 1 + t;
    cr_assert_float_eq(th_balance_delta(W, 3), pred, 1e-12 * pred + 1e-14);
    /* scaling W_1 only touches the first pair */
    double t1 = -0.3;
    for (size_t i = 0; i < mat_numel(W[1]); i++)
        W[1]->data[i] /= 1 + t;
    cr_assert(mat_unique(&W[0]));
    for (size_t i = 0; i < mat_numel(W[0]); i++)
        W[0]->data[i] *= 1 + t1;
    pred = fabs((1 + t1) * (1 + t1) - 1) * fro(G1);
    cr_assert_float_eq(th_balance_delta(W, 3), pred, 1e-12 * pred);
    mat_unref(G1);
    free_net(W, 3);
}

/* ------------------------------------------- balanced init (B8) */

/* The three B8 oracles for a net W of depth N built from A. */
static void check_procedure1(Matrix **W, int N, const Matrix *A,
                             const size_t *dims)
{
    for (int j = 0; j < N; j++) {
        cr_assert_eq(W[j]->rows, dims[j + 1]);
        cr_assert_eq(W[j]->cols, dims[j]);
    }
    Matrix *P = th_e2e(W, N), *sA, *sW;
    cr_assert_not_null(P);
    cr_assert_leq(fro_diff(P, A), 1e-12 * fro(A));
    double s1 = la_norm2(A);
    cr_assert_leq(th_balance_delta(W, N), 1e-12 * pow(s1, 2.0 / N));
    cr_assert_eq(la_svd_values(A, &sA), LA_OK);
    for (int j = 0; j < N; j++) {
        cr_assert_eq(la_svd_values(W[j], &sW), LA_OK);
        for (size_t i = 0; i < sW->rows; i++) {
            double want = i < sA->rows ? pow(sA->data[i], 1.0 / N) : 0.0;
            cr_assert_float_eq(sW->data[i], want, 1e-12,
                               "layer %d sv %zu: %.17g vs %.17g", j + 1, i,
                               sW->data[i], want);
        }
        mat_unref(sW);
    }
    mat_unref(sA);
    mat_unref(P);
}

Test(balanced_init, procedure1_oracles_depths_2_3_5)
{
    size_t d2[3] = {4, 7, 3}, d3[4] = {4, 7, 7, 3}, d5[6] = {4, 7, 7, 7, 7, 3};
    const size_t *dims[3] = {d2, d3, d5};
    int depth[3] = {2, 3, 5};
    for (int c = 0; c < 3; c++) {
        int N = depth[c];
        Rng g, g0;
        rng_seed(&g, 100 + (uint64_t)c);
        g0 = g;                                /* replay the draw of A */
        Matrix *W[5];
        cr_assert_eq(th_balanced_init(dims[c], N + 1, 0.7, NULL, &g, W), 0);
        Matrix *A = randn(3, 4, &g0);
        for (size_t i = 0; i < 12; i++)
            A->data[i] *= 0.7;
        check_procedure1(W, N, A, dims[c]);
        mat_unref(A);
        free_net(W, N);
    }
}

Test(balanced_init, target_is_reproduced_and_rng_unused)
{
    Rng g;
    rng_seed(&g, 7);
    Matrix *T = randn(2, 6, &g), *W[3];
    size_t dims[4] = {6, 2, 5, 2};         /* hidden 2 = min(6, 2) is allowed */
    cr_assert_eq(th_balanced_init(dims, 4, -1.0, T, NULL, W), 0);
    check_procedure1(W, 3, T, dims);
    free_net(W, 3);
    mat_unref(T);
}

Test(balanced_init, rank_deficient_target)
{
    Rng g;
    rng_seed(&g, 8);
    Matrix *u = randn(3, 1, &g), *v = randn(4, 1, &g);
    Matrix *T = mul(u, v, false, true), *W[3];
    size_t dims[4] = {4, 5, 5, 3};
    cr_assert_eq(th_balanced_init(dims, 4, 1.0, T, NULL, W), 0);
    check_procedure1(W, 3, T, dims);
    free_net(W, 3);
    mat_unref(T);
    mat_unref(u);
    mat_unref(v);
}

Test(balanced_init, bad_dims_and_arguments)
{
    Rng g;
    rng_seed(&g, 9);
    Matrix *W[4] = {(Matrix *)1, (Matrix *)1, (Matrix *)1, (Matrix *)1};
    size_t narrow[4] = {4, 2, 7, 3};       /* hidden 2 < min(4, 3) */
    cr_assert_eq(th_balanced_init(narrow, 4, 1.0, NULL, &g, W), -1);
    for (int j = 0; j < 3; j++)
        cr_assert_null(W[j]);
    size_t ok[4] = {4, 7, 7, 3}, zero[3] = {0, 3, 3};
    cr_assert_eq(th_balanced_init(ok, 1, 1.0, NULL, &g, W), -1);
    cr_assert_eq(th_balanced_init(zero, 3, 1.0, NULL, &g, W), -1);
    cr_assert_eq(th_balanced_init(ok, 4, -1.0, NULL, &g, W), -1);
    cr_assert_eq(th_balanced_init(ok, 4, NAN, NULL, &g, W), -1);
    cr_assert_eq(th_balanced_init(ok, 4, 1.0, NULL, NULL, W), -1);
    Matrix *T = randn(4, 3, &g);           /* transposed target shape */
    cr_assert_eq(th_balanced_init(ok, 4, 1.0, T, NULL, W), -1);
    cr_assert_null(W[0]);
    T->data[0] = NAN;
    cr_assert_eq(th_balanced_split(T, 2, W), -1);
    cr_assert_eq(th_balanced_split(T, 0, W), -1);
    mat_unref(T);
}

Test(balanced_split, default_widths_and_depth_one)
{
    Rng g;
    rng_seed(&g, 10);
    Matrix *A = randn(5, 3, &g), *W[4];
    cr_assert_eq(th_balanced_split(A, 4, W), 0);
    size_t dims[5] = {3, 3, 3, 3, 5};
    check_procedure1(W, 4, A, dims);
    /* exact structure of Procedure 1: middle layers are diagonal */
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            if (i != j)
                cr_assert_eq(MAT_AT(W[1], i, j), 0.0);
    free_net(W, 4);
    cr_assert_eq(th_balanced_split(A, 1, W), 0);
    cr_assert_eq(fro_diff(W[0], A), 0.0);
    cr_assert_neq(W[0], A);
    free_net(W, 1);
    size_t wrong[3] = {5, 4, 3};           /* d_0 must be cols(A) = 3 */
    cr_assert_eq(th_balanced_split_dims(A, 2, wrong, W), -1);
    mat_unref(A);
}

Test(balanced_init, deterministic_for_a_seed)
{
    size_t dims[4] = {4, 6, 6, 2};
    Matrix *W1[3], *W2[3], *W3[3];
    Rng a, b, c;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    rng_seed(&c, 43);
    cr_assert_eq(th_balanced_init(dims, 4, 0.1, NULL, &a, W1), 0);
    cr_assert_eq(th_balanced_init(dims, 4, 0.1, NULL, &b, W2), 0);
    cr_assert_eq(th_balanced_init(dims, 4, 0.1, NULL, &c, W3), 0);
    for (int j = 0; j < 3; j++)
        cr_assert_eq(memcmp(W1[j]->data, W2[j]->data,
                            mat_numel(W1[j]) * sizeof(double)), 0);
    cr_assert_gt(fro_diff(W1[0], W3[0]), 1e-3);
    free_net(W1, 3);
    free_net(W2, 3);
    free_net(W3, 3);
}

/* ------------------------------------------------ preconditioner (B3) */

Test(precond, depth_one_is_identity_P2)
{
    Rng g;
    rng_seed(&g, 11);
    Matrix *W = randn(3, 5, &g), *G = randn(3, 5, &g);
    Matrix *P = th_precond(W, 1, G);
    cr_assert_not_null(P);
    cr_assert_eq(fro_diff(P, G), 0.0);
    mat_unref(P);
    mat_unref(W);
    mat_unref(G);
}

Test(precond, scalar_closed_form_P4)
{
    double ws[3] = {0.7, -1.9, 3.0};
    int Ns[3] = {2, 3, 5};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            Matrix *w = mat_scalar(ws[a]), *gm = mat_scalar(-0.4);
            Matrix *P = th_precond(w, Ns[b], gm);
            cr_assert_not_null(P);
            double want = Ns[b] * pow(fabs(ws[a]), 2.0 - 2.0 / Ns[b]) * -0.4;
            cr_assert_float_eq(P->data[0], want, 1e-13 * fabs(want));
            mat_unref(P);
            mat_unref(w);
            mat_unref(gm);
        }
}

Test(precond, single_output_closed_form_P3)
{
    Rng g;
    rng_seed(&g, 12);
    for (int N = 2; N <= 4; N++) {
        Matrix *w = randn(1, 5, &g), *gv = randn(1, 5, &g);
        Matrix *P = th_precond(w, N, gv), *want = mat_new(1, 5);
        cr_assert_not_null(P);
        double nw = fro(w), gw = dot(gv, w) / nw;
        double scale = pow(nw, 2.0 - 2.0 / N);
        for (size_t i = 0; i < 5; i++)
            want->data[i] = scale * (gv->data[i] + (N - 1) * gw * w->data[i] / nw);
        cr_assert_leq(fro_diff(P, want), 1e-12 * fro(want));
        mat_unref(P);
        mat_unref(want);
        mat_unref(w);
        mat_unref(gv);
    }
}

/* Diagonal W = diag(2, 0), N = 2: entry (r, r') is G(r, r') times
 * sum_j s_r^{2(j-1)/N} s_r'^{2(N-j)/N}, with 0^0 = 1. */
Test(precond, diagonal_closed_form_with_zero_singular_value)
{
    Matrix *W = mk(2, 2, (double[]){2, 0, 0, 0});
    Matrix *G = mk(2, 2, (double[]){1, -2, 3, 5});
    Matrix *P = th_precond(W, 2, G);
    cr_assert_not_null(P);
    double f[4] = {4, 2, 2, 0};            /* row-major factors */
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++)
            cr_assert_float_eq(MAT_AT(P, i, j), f[i * 2 + j] * MAT_AT(G, i, j),
                               1e-14, "(%zu,%zu)", i, j);
    mat_unref(P);
    mat_unref(W);
    mat_unref(G);
}

/* M^p for a PSD Gram matrix by its eigendecomposition, eigenvalues below
 * 1e-12 max treated as 0 (an independent route from th_precond's SVD). */
static Matrix *psd_pow(const Matrix *M, double p)
{
    Matrix *w, *V;
    cr_assert_eq(la_eigsym(M, &w, &V), LA_OK);
    size_t n = w->rows;
    double top = fabs(w->data[n - 1]);
    for (size_t j = 0; j < n; j++) {
        double l = w->data[j] <= 1e-12 * top ? 0.0 : w->data[j];
        double f = pow(l, p);              /* 0^0 = 1 */
        for (size_t i = 0; i < n; i++)
            MAT_AT(V, i, j) *= sqrt(f);
    }
    Matrix *X = mul(V, V, false, true);
    mat_unref(w);
    mat_unref(V);
    return X;
}

/* P_W = sum_j (W'W)^{(N-j)/N} kron (WW')^{(j-1)/N}, built independently. */
static Matrix *pw_kron(const Matrix *W, int N)
{
    Matrix *L = mul(W, W, false, true), *R = mul(W, W, true, false);
    size_t k = W->rows, d = W->cols;
    Matrix *P = mat_new(k * d, k * d);
    for (int j = 1; j <= N; j++) {
        Matrix *Lp = psd_pow(L, (double)(j - 1) / N);
        Matrix *Rp = psd_pow(R, (double)(N - j) / N);
        Matrix *K = la_kron(Rp, Lp);
        cr_assert_not_null(K);
        for (size_t i = 0; i < mat_numel(P); i++)
            P->data[i] += K->data[i];
        mat_unref(K);
        mat_unref(Lp);
        mat_unref(Rp);
    }
    mat_unref(L);
    mat_unref(R);
    return P;
}

Test(precond, spectrum_and_vec_form_P1)
{
    Rng g;
    rng_seed(&g, 13);
    int N = 3;
    Matrix *W = randn(3, 5, &g), *G = randn(3, 5, &g), *s, *ev;
    Matrix *P = pw_kron(W, N);
    cr_assert_eq(la_svd_values(W, &s), LA_OK);
    double want[15];
    for (size_t r = 0; r < 3; r++)
        for (size_t q = 0; q < 5; q++) {
            double sr = s->data[r], sq = q < 3 ? s->data[q] : 0.0, e = 0;
            for (int j = 1; j <= N; j++)
                e += pow(sr, 2.0 * (j - 1) / N) * pow(sq, 2.0 * (N - j) / N);
            want[r * 5 + q] = e;
        }
    qsort(want, 15, sizeof want[0], cmp_d);
    cr_assert_eq(la_eigsym(P, &ev, NULL), LA_OK);
    for (size_t i = 0; i < 15; i++)
        cr_assert_float_eq(ev->data[i], want[i], 1e-10, "eig %zu", i);
    Matrix *vg = mat_reshape(G, 15, 1), *pv = mul(P, vg, false, false);
    Matrix *M = th_precond(W, N, G), *vm = mat_reshape(M, 15, 1);
    cr_assert_leq(fro_diff(pv, vm), 1e-12 * fro(pv));
    Matrix *all[] = {W, G, P, s, ev, vg, pv, M, vm};
    for (size_t i = 0; i < 9; i++)
        mat_unref(all[i]);
}

Test(precond, symmetric_and_psd)
{
    Rng g;
    rng_seed(&g, 14);
    Matrix *W = randn(4, 3, &g);
    for (int t = 0; t < 20; t++) {
        Matrix *G = randn(4, 3, &g), *H = randn(4, 3, &g);
        Matrix *PG = th_precond(W, 4, G), *PH = th_precond(W, 4, H);
        cr_assert(PG && PH);
        double a = dot(H, PG), b = dot(PH, G);
        cr_assert_float_eq(a, b, 1e-12 * (fabs(a) + 1));
        cr_assert_geq(dot(G, PG), -1e-12);
        mat_unref(G);
        mat_unref(H);
        mat_unref(PG);
        mat_unref(PH);
    }
    mat_unref(W);
}

/* For balanced layers the end-to-end velocity of layer-wise gradient flow,
 * sum_j A_j A_j' G B_j' B_j (A_j = W_N..W_{j+1}, B_j = W_{j-1}..W_1),
 * equals th_precond(W_e, N, G) exactly (B3, width independent: P6). */
Test(precond, equals_layerwise_velocity_on_balanced_nets)
{
    Rng g;
    rng_seed(&g, 15);
    size_t narrow[4] = {4, 3, 3, 3}, wide[4] = {4, 9, 6, 3};
    const size_t *dims[2] = {narrow, wide};
    Matrix *A = randn(3, 4, &g), *G = randn(3, 4, &g);
    Matrix *want = th_precond(A, 3, G);
    cr_assert_not_null(want);
    for (int c = 0; c < 2; c++) {
        Matrix *W[3], *V = mat_new(3, 4);
        cr_assert_eq(th_balanced_split_dims(A, 3, dims[c], W), 0);
        for (int j = 0; j < 3; j++) {
            Matrix *Aj = j + 1 < 3 ? th_e2e(W + j + 1, 2 - j) : NULL;
            Matrix *Bj = j > 0 ? th_e2e(W, j) : NULL;
            Matrix *L = Aj ? mul(Aj, Aj, false, true) : NULL;
            Matrix *R = Bj ? mul(Bj, Bj, true, false) : NULL;
            Matrix *t1 = L ? mul(L, G, false, false) : mat_copy(G);
            Matrix *t2 = R ? mul(t1, R, false, false) : mat_copy(t1);
            for (size_t i = 0; i < 12; i++)
                V->data[i] += t2->data[i];
            Matrix *tmp[] = {Aj, Bj, L, R, t1, t2};
            for (size_t i = 0; i < 6; i++)
                mat_unref(tmp[i]);
        }
        cr_assert_leq(fro_diff(V, want), 1e-10 * fro(want), "case %d", c);
        mat_unref(V);
        free_net(W, 3);
    }
    mat_unref(want);
    mat_unref(A);
    mat_unref(G);
}

Test(precond, bad_arguments_give_null)
{
    Rng g;
    rng_seed(&g, 16);
    Matrix *W = randn(3, 4, &g), *G = randn(4, 3, &g), *H = randn(3, 4, &g);
    cr_assert_null(th_precond(W, 2, G));
    cr_assert_null(th_precond(W, 0, H));
    cr_assert_null(th_precond(NULL, 2, H));
    W->data[3] = INFINITY;
    cr_assert_null(th_precond(W, 2, H));
    mat_unref(W);
    mat_unref(G);
    mat_unref(H);
}

/* ------------------------------------------------- margin (B5) */

Test(margin, at_phi_is_sigma_min)
{
    Rng g;
    rng_seed(&g, 17);
    Matrix *P1 = randn(4, 4, &g), *P2 = randn(3, 5, &g);
    cr_assert_float_eq(th_margin(P1, P1), smin(P1), 1e-15);
    cr_assert_float_eq(th_margin(P2, P2), smin(P2), 1e-15);
    Matrix *Z = mat_new(3, 5);             /* ||0 - Phi||_F */
    cr_assert_float_eq(th_margin(Z, P2), smin(P2) - fro(P2), 1e-13);
    cr_assert(isnan(th_margin(P1, P2)));
    cr_assert(isnan(th_margin(NULL, P2)));
    mat_unref(P1);
    mat_unref(P2);
    mat_unref(Z);
}

/* Shrinking Phi's smallest singular value to c: distance sigma_min - c,
 * so the margin is exactly c (the closed-form minimiser of B5). */
Test(margin, closed_form_minimiser)
{
    Rng g;
    rng_seed(&g, 18);
    Matrix *Phi = randn(4, 4, &g), *U, *s, *V;
    cr_assert_eq(la_svd(Phi, &U, &s, &V), LA_OK);
    double c = 0.5 * s->data[3];
    s->data[3] = c;
    for (size_t j = 0; j < 4; j++)
        for (size_t i = 0; i < 4; i++)
            MAT_AT(U, i, j) *= s->data[j];
    Matrix *W = mul(U, V, false, true);
    cr_assert_float_eq(th_margin(W, Phi), c, 1e-12);
    cr_assert_float_eq(smin(W), c, 1e-12);
    Matrix *all[] = {Phi, U, s, V, W};
    for (size_t i = 0; i < 5; i++)
        mat_unref(all[i]);
}

/* Claim 1: every W' no farther from Phi than W has sigma_min(W') >= dm(W). */
Test(margin, claim1_by_sampling)
{
    Rng g;
    rng_seed(&g, 19);
    Matrix *Phi = randn(4, 4, &g), *E = randn(4, 4, &g);
    for (size_t i = 0; i < 16; i++)
        E->data[i] *= 0.3 * smin(Phi) / fro(E);
    Matrix *W = mat_copy(Phi);
    for (size_t i = 0; i < 16; i++)
        W->data[i] += E->data[i];
    double dm = th_margin(W, Phi), r = fro(E);
    cr_assert_gt(dm, 0.0);
    for (int t = 0; t < 10000; t++) {
        Matrix *D = randn(4, 4, &g), *Wp = mat_copy(Phi);
        double scale = r * rng_uniform(&g) / fro(D);
        for (size_t i = 0; i < 16; i++)
            Wp->data[i] += scale * D->data[i];
        cr_assert_geq(smin(Wp), dm - 1e-12);
        mat_unref(D);
        mat_unref(Wp);
    }
    mat_unref(Phi);
    mat_unref(E);
    mat_unref(W);
}

/* ------------------------------------------- clusterable data (A12) */

Test(clusters, class_labels_evenly_spaced)
{
    Matrix *a = th_class_labels(2), *b = th_class_labels(3), *c = th_class_labels(5);
    cr_assert(a && b && c);
    cr_assert(a->data[0] == -1.0 && a->data[1] == 1.0);
    cr_assert(b->data[0] == -1.0 && b->data[1] == 0.0 && b->data[2] == 1.0);
    for (size_t i = 0; i < 5; i++)
        cr_assert_float_eq(c->data[i], -1.0 + 0.5 * (double)i, 1e-15);
    cr_assert_null(th_class_labels(1));
    cr_assert_null(th_class_labels(0));
    mat_unref(a);
    mat_unref(b);
    mat_unref(c);
}

static double row_dist(const Matrix *A, size_t i, const Matrix *B, size_t j)
{
    double s = 0;
    for (size_t k = 0; k < A->cols; k++) {
        double t = MAT_AT(A, i, k) - MAT_AT(B, j, k);
        s += t * t;
    }
    return sqrt(s);
}

static double row_norm(const Matrix *A, size_t i)
{
    double s = 0;
    for (size_t k = 0; k < A->cols; k++)
        s += MAT_AT(A, i, k) * MAT_AT(A, i, k);
    return sqrt(s);
}

Test(clusters, generator_oracles)
{
    Rng g;
    rng_seed(&g, 20);
    size_t n = 203, d = 10, L = 6, K = 4;
    double eps0 = 0.2, delta = 0.8;
    Matrix *X, *y, *C, *cl, *lab = th_class_labels(K);
    cr_assert_eq(th_clusters(n, d, L, K, eps0, delta, &g, &X, &y, &C, &cl), 0);
    cr_assert(X->rows == n && X->cols == d && y->rows == n && y->cols == 1);
    cr_assert(C->rows == L && C->cols == d && cl->rows == n && cl->cols == 1);
    size_t count[6] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t l = (size_t)cl->data[i] - 1;
        cr_assert_lt(l, L);
        count[l]++;
        cr_assert_float_eq(row_norm(X, i), 1.0, 1e-12);
        cr_assert_leq(row_dist(X, i, C, l), eps0, "point %zu", i);
        cr_assert_eq(y->data[i], lab->data[l % K]);
        if (i > 0)
            cr_assert_geq(cl->data[i], cl->data[i - 1]);  /* stored in order */
    }
    for (size_t l = 0; l < L; l++) {
        cr_assert_eq(count[l], l < 5 ? 34u : 33u);       /* 203 = 5*34 + 33 */
        cr_assert_float_eq(row_norm(C, l), 1.0, 1e-12);
        for (size_t m = 0; m < l; m++)
            cr_assert_geq(row_dist(C, l, C, m), delta);
    }
    Matrix *all[] = {X, y, C, cl, lab};
    for (size_t i = 0; i < 5; i++)
        mat_unref(all[i]);
}

/* t = eps0 U with U uniform: distances to the centre average eps0 / 2,
 * and x - c is (up to O(t^2)) orthogonal to c. */
Test(clusters, radius_distribution)
{
    Rng g;
    rng_seed(&g, 21);
    Matrix *X, *y, *C, *cl;
    double eps0 = 0.3;
    cr_assert_eq(th_clusters(4000, 5, 2, 2, eps0, 0.5, &g, &X, &y, &C, &cl), 0);
    double sum = 0, mx = 0;
    for (size_t i = 0; i < 4000; i++) {
        double r = row_dist(X, i, C, (size_t)cl->data[i] - 1);
        sum += r;
        mx = fmax(mx, r);
    }
    cr_assert_float_eq(sum / 4000, eps0 / 2, 0.01);
    cr_assert_gt(mx, 0.99 * eps0);
    cr_assert_leq(mx, eps0);
    Matrix *all[] = {X, y, C, cl};
    for (size_t i = 0; i < 4; i++)
        mat_unref(all[i]);
}

Test(clusters, deterministic_for_a_seed)
{
    Matrix *o1[4], *o2[4], *o3[4];
    Rng a, b, c;
    rng_seed(&a, 77);
    rng_seed(&b, 77);
    rng_seed(&c, 78);
    cr_assert_eq(th_clusters(50, 4, 3, 3, 0.1, 0.5, &a, &o1[0], &o1[1], &o1[2], &o1[3]), 0);
    cr_assert_eq(th_clusters(50, 4, 3, 3, 0.1, 0.5, &b, &o2[0], &o2[1], &o2[2], &o2[3]), 0);
    cr_assert_eq(th_clusters(50, 4, 3, 3, 0.1, 0.5, &c, &o3[0], &o3[1], &o3[2], &o3[3]), 0);
    for (int k = 0; k < 4; k++)
        cr_assert_eq(memcmp(o1[k]->data, o2[k]->data,
                            mat_numel(o1[k]) * sizeof(double)), 0);
    cr_assert_gt(fro_diff(o1[0], o3[0]), 1e-3);
    for (int k = 0; k < 4; k++) {
        mat_unref(o1[k]);
        mat_unref(o2[k]);
        mat_unref(o3[k]);
    }
}

Test(clusters, eps0_zero_and_dimension_one)
{
    Rng g;
    rng_seed(&g, 22);
    Matrix *X, *y, *C, *cl;
    cr_assert_eq(th_clusters(12, 3, 4, 2, 0.0, 0.3, &g, &X, &y, &C, &cl), 0);
    for (size_t i = 0; i < 12; i++)
        cr_assert_eq(row_dist(X, i, C, (size_t)cl->data[i] - 1), 0.0);
    Matrix *all[] = {X, y, C, cl};
    for (size_t i = 0; i < 4; i++)
        mat_unref(all[i]);
    /* d = 1: the sphere is {-1, 1}; two centres 2 apart, points = centres */
    cr_assert_eq(th_clusters(6, 1, 2, 2, 0.5, 2.0, &g, &X, &y, &C, &cl), 0);
    cr_assert_eq(fabs(C->data[0] - C->data[1]), 2.0);
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(X->data[i], C->data[(size_t)cl->data[i] - 1]);
    Matrix *all2[] = {X, y, C, cl};
    for (size_t i = 0; i < 4; i++)
        mat_unref(all2[i]);
}

Test(clusters, impossible_separation_and_bad_arguments)
{
    Rng g;
    rng_seed(&g, 23);
    Matrix *X = (Matrix *)1, *y = (Matrix *)1, *C = (Matrix *)1, *cl = (Matrix *)1;
    cr_assert_eq(th_clusters(10, 3, 3, 2, 0.1, 2.5, &g, &X, &y, &C, &cl), -1);
    cr_assert(!X && !y && !C && !cl);
    /* 5 points pairwise >= 1.9 apart do not fit on the circle */
    cr_assert_eq(th_clusters(10, 2, 5, 2, 0.1, 1.9, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 3, 3, 1, 0.1, 0.5, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 3, 0, 2, 0.1, 0.5, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 0, 3, 2, 0.1, 0.5, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 3, 3, 2, -0.1, 0.5, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 3, 3, 2, 2.1, 0.5, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 3, 3, 2, 0.1, NAN, &g, &X, &y, &C, &cl), -1);
    cr_assert_eq(th_clusters(10, 3, 3, 2, 0.1, 0.5, NULL, &X, &y, &C, &cl), -1);
    /* one cluster: any delta is satisfiable */
    cr_assert_eq(th_clusters(10, 3, 1, 2, 0.1, 9.0, &g, &X, &y, &C, &cl), 0);
    Matrix *all[] = {X, y, C, cl};
    for (size_t i = 0; i < 4; i++)
        mat_unref(all[i]);
}

/* ------------------------------------------------- corruption (A12) */

Test(corrupt, exact_count_and_all_changed)
{
    Rng g;
    rng_seed(&g, 24);
    Matrix *X, *y, *C, *cl, *yc, *mask;
    cr_assert_eq(th_clusters(1000, 5, 6, 3, 0.1, 0.5, &g, &X, &y, &C, &cl), 0);
    cr_assert_eq(th_corrupt(y, 0.237, NULL, &g, &yc, &mask), 0);
    cr_assert(mask->logical);
    cr_assert(yc->rows == 1000 && yc->cols == 1);
    size_t s = 0;
    for (size_t i = 0; i < 1000; i++) {
        if (mask->data[i] == 1.0) {
            s++;
            cr_assert_neq(yc->data[i], y->data[i]);
            cr_assert(yc->data[i] == -1.0 || yc->data[i] == 0.0 ||
                      yc->data[i] == 1.0);
        } else {
            cr_assert_eq(mask->data[i], 0.0);
            cr_assert_eq(yc->data[i], y->data[i]);
        }
    }
    cr_assert_eq(s, 237u);
    Matrix *all[] = {X, y, C, cl, yc, mask};
    for (size_t i = 0; i < 6; i++)
        mat_unref(all[i]);
}

/* All labels alpha_2 of K = 4, rho = 1: new labels uniform over the other
 * three (chi-square with 2 dof, well under its 0.1% point 13.8). */
Test(corrupt, uniform_over_the_other_labels)
{
    Rng g;
    rng_seed(&g, 25);
    size_t n = 30000;
    Matrix *lab = th_class_labels(4), *y = mat_new(n, 1), *yc, *mask;
    for (size_t i = 0; i < n; i++)
        y->data[i] = lab->data[1];
    cr_assert_eq(th_corrupt(y, 1.0, lab, &g, &yc, &mask), 0);
    double cnt[4] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < 4; a++)
            cnt[a] += yc->data[i] == lab->data[a];
    cr_assert_eq(cnt[1], 0.0);
    cr_assert_eq(cnt[0] + cnt[2] + cnt[3], (double)n);
    double e = n / 3.0, chi = 0;
    for (size_t a = 0; a < 4; a++)
        if (a != 1)
            chi += (cnt[a] - e) * (cnt[a] - e) / e;
    cr_assert_lt(chi, 13.8, "chi2 = %g", chi);
    Matrix *all[] = {lab, y, yc, mask};
    for (size_t i = 0; i < 4; i++)
        mat_unref(all[i]);
}

Test(corrupt, rho_edges_and_rounding)
{
    Rng g;
    rng_seed(&g, 26);
    Matrix *y = mk(1, 10, (double[]){1, -1, 1, 1, -1, -1, 1, -1, 1, 1});
    Matrix *yc, *mask;
    size_t want[4] = {0, 3, 10, 5};        /* round(2.5) = 3, round(5) */
    double rho[4] = {0.0, 0.25, 1.0, 0.5};
    for (int c = 0; c < 4; c++) {
        cr_assert_eq(th_corrupt(y, rho[c], NULL, &g, &yc, &mask), 0);
        cr_assert(yc->rows == 1 && yc->cols == 10 && mask->rows == 1);
        size_t s = 0;
        for (size_t i = 0; i < 10; i++) {
            s += mask->data[i] == 1.0;
            /* two labels: a corrupted entry is exactly the sign flip */
            cr_assert_eq(yc->data[i], mask->data[i] ? -y->data[i] : y->data[i]);
        }
        cr_assert_eq(s, want[c], "rho %g", rho[c]);
        mat_unref(yc);
        mat_unref(mask);
    }
    mat_unref(y);
}

Test(corrupt, deterministic_and_labels_outside_y)
{
    Matrix *y = mk(6, 1, (double[]){1, 1, 1, 1, 1, 1});
    Matrix *lab = th_class_labels(3), *a1, *m1, *a2, *m2;
    Rng a, b;
    rng_seed(&a, 5);
    rng_seed(&b, 5);
    cr_assert_eq(th_corrupt(y, 0.5, lab, &a, &a1, &m1), 0);
    cr_assert_eq(th_corrupt(y, 0.5, lab, &b, &a2, &m2), 0);
    cr_assert_eq(memcmp(a1->data, a2->data, 6 * sizeof(double)), 0);
    cr_assert_eq(memcmp(m1->data, m2->data, 6 * sizeof(double)), 0);
    for (size_t i = 0; i < 6; i++)
        if (m1->data[i])
            cr_assert(a1->data[i] == -1.0 || a1->data[i] == 0.0);
    Matrix *all[] = {y, lab, a1, m1, a2, m2};
    for (size_t i = 0; i < 6; i++)
        mat_unref(all[i]);
}

Test(corrupt, bad_arguments)
{
    Rng g;
    rng_seed(&g, 27);
    Matrix *y = mk(4, 1, (double[]){1, 2, 1, 2}), *yc = (Matrix *)1, *mask = (Matrix *)1;
    Matrix *one = mk(3, 1, (double[]){1, 1, 1}), *sq = mk(2, 2, (double[]){1, 2, 1, 2});
    Matrix *lab = mk(2, 1, (double[]){1, 3});
    cr_assert_eq(th_corrupt(y, -0.1, NULL, &g, &yc, &mask), -1);
    cr_assert(!yc && !mask);
    cr_assert_eq(th_corrupt(y, 1.1, NULL, &g, &yc, &mask), -1);
    cr_assert_eq(th_corrupt(y, NAN, NULL, &g, &yc, &mask), -1);
    cr_assert_eq(th_corrupt(one, 0.5, NULL, &g, &yc, &mask), -1);
    cr_assert_eq(th_corrupt(sq, 0.5, NULL, &g, &yc, &mask), -1);
    cr_assert_eq(th_corrupt(y, 0.5, lab, &g, &yc, &mask), -1);  /* 2 not in */
    cr_assert_eq(th_corrupt(y, 0.5, NULL, NULL, &yc, &mask), -1);
    cr_assert(!yc && !mask);
    Matrix *all[] = {y, one, sq, lab};
    for (size_t i = 0; i < 4; i++)
        mat_unref(all[i]);
}
