/* test_hermite.c: unit tests for hermite.c (Criterion), against the oracles
 * of theory.md A2-A3.
 *
 * Build (from the repository root):
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -I src tests/unit/test_hermite.c
 *       src/numeric/hermite.c src/base/matrix.c -lcriterion -lopenblas -lm
 *
 * Tolerances are those of theory.md except where a test says otherwise:
 * the step kernel series at R = 60, |rho| = 0.9 (A3 (c)) is 1.9e-6 off
 * mathematically, so it is checked at 1e-6 for |rho| <= 0.85, at 2.5e-6 at
 * |rho| = 0.9, and at 1e-6 for |rho| <= 0.9 with R = 70.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "numeric/hermite.h"

#define TABLE_R 8
#define SQRT_2PI 2.50662827463100050242

static const double PI = 3.14159265358979323846;

/* ------------------------------------------------------------- helpers */

/* xorshift64* uniform in (0, 1) and Box-Muller normals (local, seeded). */
typedef struct Rng {
    uint64_t s;
    double spare;
    int has_spare;
} Rng;

static double rng_unif(Rng *g)
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    uint64_t v = g->s * 2685821657736338717ull;
    return ((double)(v >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_norm(Rng *g)
{
    if (g->has_spare) {
        g->has_spare = 0;
        return g->spare;
    }
    double u = rng_unif(g), v = rng_unif(g);
    double rad = sqrt(-2.0 * log(u));
    g->spare = rad * sin(2.0 * PI * v);
    g->has_spare = 1;
    return rad * cos(2.0 * PI * v);
}

/* mu[0..R] of a built-in by quadrature; fails the test on error. */
static void coeffs_of(const char *name, int R, double *mu)
{
    const HermiteFn *fn = hermite_builtin(name);
    cr_assert_not_null(fn, "builtin %s", name);
    cr_assert_eq(hermite_coeffs(fn, R, mu), 0, "hermite_coeffs(%s)", name);
}

/* Checks r = 0..8 of a built-in against a row of the A3 table. */
static void check_table_row(const char *name, const double *row)
{
    double mu[TABLE_R + 1];
    coeffs_of(name, TABLE_R, mu);
    for (int r = 0; r <= TABLE_R; r++)
        cr_expect(fabs(mu[r] - row[r]) <= 1e-6, "%s r=%d: %.9f vs %.6f", name,
                  r, mu[r], row[r]);
}

static double max_abs_diff(const double *a, const double *b, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

/* mu_r(f') = sqrt(r+1) mu_{r+1}(f) for r = 0..R-1 (A3 (a)). */
static void check_derivative_rule(const char *f, const char *fp, int R,
                                  double tol)
{
    double mf[41], mfp[41];
    cr_assert(R <= 40);
    coeffs_of(f, R, mf);
    coeffs_of(fp, R, mfp);
    for (int r = 0; r < R; r++)
        cr_expect(fabs(mfp[r] - sqrt(r + 1.0) * mf[r + 1]) <= tol,
                  "%s/%s r=%d: %.3e", f, fp, r,
                  mfp[r] - sqrt(r + 1.0) * mf[r + 1]);
}

/* sum_{r=0..R} mu_r^2 rho^r */
static double kernel_series(const double *mu, int R, double rho)
{
    double p = 0.0;
    for (int r = R; r >= 0; r--)
        p = p * rho + mu[r] * mu[r];
    return p;
}

static double step_kernel(double rho)
{
    return 0.25 + asin(rho) / (2.0 * PI);
}

static double relu_kernel(double rho)
{
    return (sqrt(1.0 - rho * rho) + (PI - acos(rho)) * rho) / (2.0 * PI);
}

/* n x d matrix with i.i.d. normal entries and rows scaled to unit norm. */
static Matrix *unit_rows(size_t n, size_t d, uint64_t seed)
{
    Rng g = {seed, 0.0, 0};
    Matrix *X = mat_new(n, d);
    cr_assert_not_null(X);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            MAT_AT(X, i, j) = rng_norm(&g);
            s += MAT_AT(X, i, j) * MAT_AT(X, i, j);
        }
        for (size_t j = 0; j < d; j++)
            MAT_AT(X, i, j) /= sqrt(s);
    }
    return X;
}

static double row_dot(const Matrix *X, size_t i, size_t j)
{
    double s = 0.0;
    for (size_t k = 0; k < X->cols; k++)
        s += MAT_AT(X, i, k) * MAT_AT(X, j, k);
    return s;
}

/* ------------------------------------------------- A3 oracle table (1e-6) */

Test(table, relu)
{
    const double row[] = {0.398942, 0.5,       0.282095, 0.0,      -0.081434,
                          0.0,      0.044603, 0.0,      -0.029802};
    check_table_row("relu", row);
}

Test(table, step)
{
    const double row[] = {0.5,      0.398942, 0.0, -0.162868, 0.0,
                          0.109255, 0.0,      -0.084292, 0.0};
    check_table_row("step", row);
}

Test(table, tanh)
{
    const double row[] = {0.0,      0.605706, 0.0, -0.148437, 0.0,
                          0.062548, 0.0,      -0.031445, 0.0};
    check_table_row("tanh", row);
}

Test(table, sech2)
{
    const double row[] = {0.605706, 0.0, -0.257101, 0.0, 0.139861,
                          0.0,      -0.083197, 0.0, 0.052260};
    check_table_row("tanh_prime", row);
}

Test(table, sigmoid)
{
    const double row[] = {0.5,      0.206621, 0.0, -0.025473, 0.0,
                          0.005877, 0.0,      -0.001727, 0.0};
    check_table_row("sigmoid", row);
}

Test(table, sigmoid_prime)
{
    const double row[] = {0.206621, 0.0, -0.044121, 0.0, 0.013142,
                          0.0,      -0.004568, 0.0, 0.001763};
    check_table_row("sigmoid_prime", row);
}

Test(table, softplus)
{
    const double row[] = {0.806059, 0.5, 0.146103, 0.0, -0.012737,
                          0.0,      0.002399, 0.0, -0.000610};
    check_table_row("softplus", row);
}

Test(table, quadratic_exact)
{
    double mu[TABLE_R + 1];
    coeffs_of("quadratic", TABLE_R, mu);
    for (int r = 0; r <= TABLE_R; r++) {
        double want = r == 0 ? 0.5 : r == 2 ? 1.0 / sqrt(2.0) : 0.0;
        cr_expect(fabs(mu[r] - want) <= 1e-12, "r=%d: %.3e", r, mu[r] - want);
    }
}

/* ------------------------------------------ closed forms vs quadrature */

Test(closed_form, relu_quadrature_r60)
{
    double q[61], e[61];
    coeffs_of("relu", 60, q);
    hermite_relu_exact(60, e);
    cr_expect(max_abs_diff(q, e, 61) <= 1e-10, "%.3e", max_abs_diff(q, e, 61));
}

Test(closed_form, step_quadrature_r60)
{
    double q[61], e[61];
    coeffs_of("step", 60, q);
    hermite_step_exact(60, e);
    cr_expect(max_abs_diff(q, e, 61) <= 1e-10, "%.3e", max_abs_diff(q, e, 61));
}

/* The quadrature stays accurate up to R = HERMITE_MAX_R (observed 6e-16). */
Test(closed_form, quadrature_r2000)
{
    static double q[2001], e[2001];
    coeffs_of("relu", 2000, q);
    hermite_relu_exact(2000, e);
    cr_expect(max_abs_diff(q, e, 2001) <= 1e-12, "relu %.3e",
              max_abs_diff(q, e, 2001));
    coeffs_of("step", 2000, q);
    hermite_step_exact(2000, e);
    cr_expect(max_abs_diff(q, e, 2001) <= 1e-12, "step %.3e",
              max_abs_diff(q, e, 2001));
}

/* The ratio recurrences equal the double-factorial forms printed in A3. */
Test(closed_form, double_factorial_forms)
{
    double rl[21], st[21];
    hermite_relu_exact(20, rl);
    hermite_step_exact(20, st);
    for (int m = 1; m <= 10; m++) { /* relu, r = 2m */
        double df = 1.0, fact = 1.0;
        for (int k = 2 * m - 3; k > 1; k -= 2)
            df *= k;
        for (int k = 2; k <= 2 * m; k++)
            fact *= k;
        double want = (m % 2 ? 1.0 : -1.0) * df / (SQRT_2PI * sqrt(fact));
        cr_expect(fabs(rl[2 * m] - want) <= 1e-15, "relu r=%d", 2 * m);
    }
    for (int r = 3; r <= 19; r += 2)
        cr_expect_eq(rl[r], 0.0, "relu r=%d", r);
    for (int m = 0; m < 10; m++) { /* step, r = 2m+1 */
        double df = 1.0, fact = 1.0;
        for (int k = 2 * m - 1; k > 1; k -= 2)
            df *= k;
        for (int k = 2; k <= 2 * m + 1; k++)
            fact *= k;
        double want = (m % 2 ? -1.0 : 1.0) * df / (SQRT_2PI * sqrt(fact));
        cr_expect(fabs(st[2 * m + 1] - want) <= 1e-15, "step r=%d", 2 * m + 1);
        cr_expect(st[2 * m + 2] == 0.0);
    }
}

/* 1{z > a} with a = 1/3, off the panel grid: mu_0 = P(g > a),
 * mu_r = phi(a) h_{r-1}(a) / sqrt(r). Declared or not (then detected), the
 * kink gives ~1e-15; without detection the error would be O(1e-3). */
static double shifted_step(double z, void *ctx)
{
    return z > *(const double *)ctx ? 1.0 : 0.0;
}

Test(closed_form, kink_off_grid)
{
    double a = 1.0 / 3.0, mu[41], want[41];
    want[0] = 0.5 * erfc(a / sqrt(2.0));
    double ph = exp(-0.5 * a * a) / SQRT_2PI, hm = 0.0, h = 1.0;
    for (int r = 1; r <= 40; r++) {
        want[r] = ph * h / sqrt((double)r);
        double hn = (a * h - sqrt(r - 1.0) * hm) / sqrt((double)r);
        hm = h;
        h = hn;
    }
    HermiteFn with = {shifted_step, &a, &a, 1}, without = {shifted_step, &a,
                                                          NULL, 0};
    cr_assert_eq(hermite_coeffs(&with, 40, mu), 0);
    cr_expect(max_abs_diff(mu, want, 41) <= 1e-12, "%.3e",
              max_abs_diff(mu, want, 41));
    cr_assert_eq(hermite_coeffs(&without, 40, mu), 0);
    cr_expect(max_abs_diff(mu, want, 41) <= 1e-12, "%.3e",
              max_abs_diff(mu, want, 41));
}

/* ------------------------------------------------ kink detection */

/* Undeclared kinks of user functions, against closed forms that do not use
 * the quadrature: with Q(a) = P(g > a) = erfc(a/sqrt 2)/2, phi the N(0,1)
 * density and h_r = He_r/sqrt(r!),
 *   1{z > a}:   mu_0 = Q(a), mu_r = phi(a) h_{r-1}(a)/sqrt(r);
 *   (z - a)_+:  mu_0 = phi(a) - a Q(a), mu_1 = Q(a),
 *               mu_r = phi(a) h_{r-2}(a)/sqrt(r(r-1)) (r >= 2).
 * Every test passes kinks = NULL, so the splits come from detection. */

#define KR 20 /* coefficients checked: r = 0..KR */

/* A shifted non-smooth function: kind selects the shape, a and b the
 * points; calls counts evaluations. */
typedef struct Shape {
    int kind;
    double a, b;
    long calls;
} Shape;

enum { S_STEP, S_RELU, S_ABS, S_BOX, S_MIXED, S_MIRROR, S_TANH, S_SIGMOID,
       S_SOFTPLUS, S_CUBIC, S_NAN_RIGHT, S_NAN_BOX, S_RELU2 };

static double shape_f(double z, void *ctx)
{
    Shape *s = ctx;
    s->calls++;
    switch (s->kind) {
    case S_STEP:
        return z > s->a ? 1.0 : 0.0;
    case S_RELU:
        return z > s->a ? z - s->a : 0.0;
    case S_ABS:
        return fabs(z - s->a);
    case S_BOX: /* 1{a < z < b} */
        return z > s->a && z < s->b ? 1.0 : 0.0;
    case S_MIXED: /* z^2/2 + 3 1{z > a} + 0.5 |z - b| */
        return 0.5 * z * z + 3.0 * (z > s->a) + 0.5 * fabs(z - s->b);
    case S_MIRROR: /* (a - z)_+ */
        return z < s->a ? s->a - z : 0.0;
    case S_TANH:
        return tanh(z);
    case S_SIGMOID:
        return hermite_act_sigmoid(z, NULL);
    case S_SOFTPLUS:
        return hermite_act_softplus(z, NULL);
    case S_CUBIC:
        return z * z * z - 2.0 * z;
    case S_NAN_RIGHT:
        return z > s->a ? NAN : z;
    case S_NAN_BOX:
        return z > s->a && z < s->b ? NAN : 1.0;
    case S_RELU2: /* (z - a)_+^2, a jump of f'' only */
        return z > s->a ? (z - s->a) * (z - s->a) : 0.0;
    }
    return 0.0;
}

/* mu[0..R] of s with no kinks declared; returns the evaluations used. */
static long undeclared(Shape *s, int R, double *mu)
{
    HermiteFn fn = {shape_f, s, NULL, 0};
    s->calls = 0;
    cr_assert_eq(hermite_coeffs(&fn, R, mu), 0);
    return s->calls;
}

static double q_tail(double a)
{
    return 0.5 * erfc(a / sqrt(2.0));
}

static double phi_pdf(double a)
{
    return exp(-0.5 * a * a) / SQRT_2PI;
}

/* h[0..R] = h_r(a) by the normalised recurrence. */
static void hn_values(double a, int R, double *h)
{
    h[0] = 1.0;
    if (R >= 1)
        h[1] = a;
    for (int r = 1; r < R; r++)
        h[r + 1] = (a * h[r] - sqrt((double)r) * h[r - 1]) / sqrt(r + 1.0);
}

static void step_at(double a, int R, double *mu)
{
    double h[HERMITE_EXPECT_MAX_R + 1];
    cr_assert(R <= HERMITE_EXPECT_MAX_R);
    hn_values(a, R, h);
    mu[0] = q_tail(a);
    for (int r = 1; r <= R; r++)
        mu[r] = phi_pdf(a) * h[r - 1] / sqrt((double)r);
}

static void relu_at(double a, int R, double *mu)
{
    double h[HERMITE_EXPECT_MAX_R + 1];
    cr_assert(R <= HERMITE_EXPECT_MAX_R);
    hn_values(a, R, h);
    mu[0] = phi_pdf(a) - a * q_tail(a);
    if (R >= 1)
        mu[1] = q_tail(a);
    for (int r = 2; r <= R; r++)
        mu[r] = phi_pdf(a) * h[r - 2] / sqrt((double)r * (r - 1));
}

static void expect_close(const double *mu, const double *want, int R,
                         double tol, const char *what)
{
    for (int r = 0; r <= R; r++)
        cr_expect(fabs(mu[r] - want[r]) <= tol, "%s r=%d: %.3e", what, r,
                  mu[r] - want[r]);
}

Test(kinks, step_undeclared)
{
    const double as[] = {0.3, -1.234567, 2.0 / 3.0, 1e-5, 0.25 + 1e-5, -3.9};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
        Shape s = {S_STEP, as[i], 0, 0};
        double mu[KR + 1], want[KR + 1];
        undeclared(&s, KR, mu);
        step_at(as[i], KR, want);
        expect_close(mu, want, KR, 1e-10, "step");
    }
}

Test(kinks, relu_undeclared)
{
    const double as[] = {0.37, -2.718281828, 0.25 + 1e-5, 1.0 / 7.0};
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
        Shape s = {S_RELU, as[i], 0, 0};
        double mu[KR + 1], want[KR + 1];
        undeclared(&s, KR, mu);
        relu_at(as[i], KR, want);
        expect_close(mu, want, KR, 1e-10, "relu");
    }
}

/* |z - a| = 2 (z - a)_+ - (z - a) at the irrational a = sqrt(2)/3. */
Test(kinks, abs_irrational)
{
    double a = sqrt(2.0) / 3.0, mu[KR + 1], want[KR + 1];
    Shape s = {S_ABS, a, 0, 0};
    undeclared(&s, KR, mu);
    relu_at(a, KR, want);
    for (int r = 0; r <= KR; r++)
        want[r] *= 2.0;
    want[0] += a;
    want[1] -= 1.0;
    expect_close(mu, want, KR, 1e-10, "abs");
}

/* 1{a < z < b} = step(z - a) - step(z - b): two jumps, also both inside
 * one panel of the initial grid, or one on a panel edge (1.0). (A pulse
 * narrower than the node spacing, ~0.01, can fall between the nodes and
 * stay unseen.) */
Test(kinks, two_jumps)
{
    const double ab[][2] = {{-0.7, 1.0 / PI}, {0.1, 0.15}, {1.0, 1.01},
                            {0.4, 0.42}};
    for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++) {
        Shape s = {S_BOX, ab[i][0], ab[i][1], 0};
        double mu[KR + 1], wa[KR + 1], wb[KR + 1];
        undeclared(&s, KR, mu);
        step_at(ab[i][0], KR, wa);
        step_at(ab[i][1], KR, wb);
        for (int r = 0; r <= KR; r++)
            wa[r] -= wb[r];
        expect_close(mu, wa, KR, 1e-10, "box");
    }
}

/* A jump and a kink on top of a smooth part: z^2/2 has mu_0 = 1/2,
 * mu_2 = 1/sqrt 2. */
Test(kinks, mixed_with_smooth)
{
    double a = -1.1, b = sqrt(2.0) / 3.0;
    double mu[KR + 1], st[KR + 1], rl[KR + 1];
    Shape s = {S_MIXED, a, b, 0};
    undeclared(&s, KR, mu);
    step_at(a, KR, st);
    relu_at(b, KR, rl);
    for (int r = 0; r <= KR; r++) /* 0.5 |z - b| = (z - b)_+ - (z - b)/2 */
        st[r] = 3.0 * st[r] + rl[r];
    st[0] += 0.5 + 0.5 * b;
    st[1] -= 0.5;
    st[2] += 1.0 / sqrt(2.0);
    expect_close(mu, st, KR, 1e-10, "mixed");
}

/* (a - z)_+ is (z + a)_+ reflected: mu_r = (-1)^r mu_r((z - (-a))_+). */
Test(kinks, mirrored_relu)
{
    double a = 0.5 * (sqrt(5.0) - 1.0), mu[KR + 1], want[KR + 1];
    Shape s = {S_MIRROR, a, 0, 0};
    undeclared(&s, KR, mu);
    relu_at(-a, KR, want);
    for (int r = 1; r <= KR; r += 2)
        want[r] = -want[r];
    expect_close(mu, want, KR, 1e-10, "mirror");
}

/* High orders: a detected kink is pinned well enough for r = 200. */
Test(kinks, high_order)
{
    static double mu[201], want[201];
    Shape s = {S_STEP, 0.3, 0, 0};
    undeclared(&s, 200, mu);
    step_at(0.3, 200, want);
    expect_close(mu, want, 200, 1e-12, "step r200");
    s = (Shape){S_RELU, 0.37, 0, 0};
    undeclared(&s, 200, mu);
    relu_at(0.37, 200, want);
    expect_close(mu, want, 200, 1e-12, "relu r200");
}

/* A kink of f'' only (C^1 function) is also found or harmless. */
Test(kinks, second_derivative_jump)
{
    double a = 0.37, mu[KR + 1], st[KR + 1], rl[KR + 1];
    Shape s = {S_RELU2, a, 0, 0};
    undeclared(&s, KR, mu);
    /* (z - a)_+^2 = (z^2 - 2 a z + a^2) 1{z > a}: by the recurrence
     * z He_r = He_{r+1} + r He_{r-1} applied to step and relu, here via
     * E[(g - a)_+^2 h_r] = 2 E[(g - a)_+ h_{r-1}]/sqrt(r) (Stein) for r >= 1
     * and E[(g - a)_+^2] = (1 + a^2) Q(a) - a phi(a). */
    relu_at(a, KR, rl);
    step_at(a, KR, st);
    double want[KR + 1];
    want[0] = (1.0 + a * a) * st[0] - a * phi_pdf(a);
    for (int r = 1; r <= KR; r++)
        want[r] = 2.0 * rl[r - 1] / sqrt((double)r);
    expect_close(mu, want, KR, 1e-10, "relu^2");
}

/* Declared kinks stay exact; a wrong declaration is caught by detection. */
Test(kinks, safety_net)
{
    double mu[KR + 1], want[KR + 1];
    const double good = 0.37, wrong[] = {0.36, 0.37 - 1e-6, 0.37 + 1e-5};
    Shape s = {S_STEP, 0.37, 0, 0};
    step_at(0.37, KR, want);
    HermiteFn fn = {shape_f, &s, &good, 1};
    cr_assert_eq(hermite_coeffs(&fn, KR, mu), 0);
    expect_close(mu, want, KR, 1e-12, "declared");
    for (size_t i = 0; i < 3; i++) {
        fn.kinks = &wrong[i];
        cr_assert_eq(hermite_coeffs(&fn, KR, mu), 0);
        expect_close(mu, want, KR, 1e-10, "misdeclared");
    }
}

/* Smooth functions get no splits: the rule is the plain panel grid (80 / 0.25
 * panels of 32 nodes, one evaluation per node), so their accuracy is what it
 * was; a kink costs a few hundred evaluations more. */
Test(kinks, smooth_unchanged_and_cost)
{
    const long base = 320 * 32;
    const int smooth[] = {S_TANH, S_SIGMOID, S_SOFTPLUS, S_CUBIC};
    double mu[KR + 1], ref[KR + 1];
    const char *names[] = {"tanh", "sigmoid", "softplus"};
    for (int i = 0; i < 4; i++) {
        Shape s = {smooth[i], 0, 0, 0};
        cr_expect_eq(undeclared(&s, KR, mu), base, "kind %d", smooth[i]);
        if (i < 3) {
            coeffs_of(names[i], KR, ref);
            cr_expect(max_abs_diff(mu, ref, KR + 1) <= 1e-15, "%s %.3e",
                      names[i], max_abs_diff(mu, ref, KR + 1));
        }
    }
    /* z^3 - 2z = He_3 + z: mu_1 = 1, mu_3 = sqrt 6 */
    for (int r = 0; r <= KR; r++) {
        double w = r == 1 ? 1.0 : r == 3 ? sqrt(6.0) : 0.0;
        cr_expect(fabs(mu[r] - w) <= 1e-12, "cubic r=%d", r);
    }
    Shape s = {S_RELU, 0.37, 0, 0};
    long n = undeclared(&s, KR, mu);
    cr_expect(n > base && n < base + 1000, "relu: %ld evaluations", n);
    s = (Shape){S_BOX, 0.1, 0.15, 0};
    n = undeclared(&s, KR, mu);
    cr_expect(n > base && n < base + 2000, "box: %ld evaluations", n);
}

/* NaN (also how a failing user callback reports) gives an all-NaN result,
 * return value 0, and no further calls once it is seen. */
Test(kinks, nan_fails_cleanly)
{
    double mu[KR + 1];
    Shape s = {S_NAN_RIGHT, 0.3, 0, 0};
    long n = undeclared(&s, KR, mu);
    for (int r = 0; r <= KR; r++)
        cr_expect(isnan(mu[r]), "r=%d", r);
    /* 0.3 is in panel 162 of 320 ([0.25, 0.5]); nothing is called after */
    cr_expect(n <= 162 * 32, "%ld calls", n);
    s = (Shape){S_NAN_BOX, -0.05, 0.02, 0};
    undeclared(&s, KR, mu);
    for (int r = 0; r <= KR; r++)
        cr_expect(isnan(mu[r]), "box r=%d", r);
    HermiteFn fn = {shape_f, &s, NULL, 0};
    cr_expect(isnan(hermite_expect(&fn, 1, 2)));
}

/* hermite_expect uses the same detected splits. */
Test(kinks, expect_detects)
{
    Shape s = {S_STEP, 0.3, 0, 0};
    HermiteFn fn = {shape_f, &s, NULL, 0};
    double want[3];
    step_at(0.3, 2, want);
    cr_expect(fabs(hermite_expect(&fn, 0, 0) - want[0]) <= 1e-12);
    cr_expect(fabs(hermite_expect(&fn, 2, 0) - want[2]) <= 1e-12);
}

/* ------------------------------------------------ derivative rule (a) */

Test(derivative_rule, relu_step)
{
    check_derivative_rule("relu", "step", 30, 1e-6);
}

Test(derivative_rule, tanh_sech2)
{
    check_derivative_rule("tanh", "tanh_prime", 30, 1e-6);
}

Test(derivative_rule, sigmoid_sigmoid_prime)
{
    check_derivative_rule("sigmoid", "sigmoid_prime", 30, 1e-6);
}

Test(derivative_rule, softplus_and_quadratic)
{
    check_derivative_rule("softplus", "softplus_prime", 30, 1e-6);
    check_derivative_rule("quadratic", "quadratic_prime", 30, 1e-12);
}

/* ---------------------------------------------- Parseval and series (b, c) */

/* Parseval: relu converges fast; step's deficit at R = 2000 is
 * ~0.127 R^{-1/2} = 2.8e-3 (mu_r^2 ~ r^{-3/2}), as A3 (b) warns. */
Test(series, parseval)
{
    static double mu[2001];
    hermite_relu_exact(2000, mu);
    cr_expect(fabs(kernel_series(mu, 2000, 1.0) - 0.5) <= 1e-6);
    hermite_step_exact(2000, mu);
    double deficit = 0.5 - kernel_series(mu, 2000, 1.0);
    cr_expect(deficit > 2e-3 && deficit < 4e-3, "deficit %.3e", deficit);
}

Test(series, relu_kernel_r60)
{
    double mu[61];
    coeffs_of("relu", 60, mu);
    for (int k = -18; k <= 18; k++) {
        double rho = k / 20.0;
        double err = kernel_series(mu, 60, rho) - relu_kernel(rho);
        cr_expect(fabs(err) <= 1e-6, "rho=%.2f err=%.3e", rho, err);
    }
}

/* A3 (c) asks 1e-6 at R = 60 for |rho| <= 0.9, but the truncation error of
 * the step series at rho = 0.9 is 1.92e-6 (sum_{r>60} mu_r^2 0.9^r). */
Test(series, step_kernel_r60)
{
    double mu[71];
    coeffs_of("step", 70, mu);
    for (int k = -18; k <= 18; k++) {
        double rho = k / 20.0;
        double e60 = kernel_series(mu, 60, rho) - step_kernel(rho);
        double e70 = kernel_series(mu, 70, rho) - step_kernel(rho);
        double tol60 = fabs(rho) <= 0.85 + 1e-12 ? 1e-6 : 2.5e-6;
        cr_expect(fabs(e60) <= tol60, "R=60 rho=%.2f err=%.3e", rho, e60);
        cr_expect(fabs(e70) <= 1e-6, "R=70 rho=%.2f err=%.3e", rho, e70);
    }
}

/* ------------------------------------------------ orthonormality (d) */

static double one(double z, void *ctx)
{
    (void)z;
    (void)ctx;
    return 1.0;
}

static double factorial(int r)
{
    double f = 1.0;
    for (int k = 2; k <= r; k++)
        f *= k;
    return f;
}

/* E[He_r He_s] = delta_rs r!. The 1e-9 of A3 (d) is taken relative to
 * sqrt(r! s!) (i.e. E[h_r h_s] = delta_rs within 1e-9): an absolute 1e-9 on
 * 10! = 3628800 is below the rounding unit of that number. Observed 3e-15. */
Test(orthonormality, hermite_expect)
{
    HermiteFn f = {one, NULL, NULL, 0};
    for (int r = 0; r <= 10; r++)
        for (int s = 0; s <= 10; s++) {
            double e = hermite_expect(&f, r, s) * sqrt(factorial(r) * factorial(s));
            double want = r == s ? factorial(r) : 0.0;
            cr_expect(fabs(e - want) <= 1e-9 * sqrt(factorial(r) * factorial(s)),
                      "r=%d s=%d: %.3e", r, s, e - want);
        }
}

/* Unnormalised He_s as a HermiteFn (ctx = &s). */
static double he_poly(double z, void *ctx)
{
    int s = *(const int *)ctx;
    double hm = 0.0, h = 1.0;
    for (int k = 0; k < s; k++) {
        double hn = z * h - k * hm;
        hm = h;
        h = hn;
    }
    return h;
}

/* Same through hermite_coeffs: mu_r(He_s) sqrt(r!) = E[He_r He_s]. */
Test(orthonormality, via_coeffs)
{
    for (int s = 0; s <= 10; s++) {
        HermiteFn f = {he_poly, &s, NULL, 0};
        double mu[11];
        cr_assert_eq(hermite_coeffs(&f, 10, mu), 0);
        for (int r = 0; r <= 10; r++) {
            double e = mu[r] * sqrt(factorial(r));
            double want = r == s ? factorial(r) : 0.0;
            cr_expect(fabs(e - want) <=
                          1e-9 * sqrt(factorial(r) * factorial(s)),
                      "r=%d s=%d: %.3e", r, s, e - want);
        }
    }
}

Test(orthonormality, out_of_range)
{
    HermiteFn f = {one, NULL, NULL, 0};
    cr_expect(isnan(hermite_expect(&f, -1, 0)));
    cr_expect(isnan(hermite_expect(&f, 0, HERMITE_EXPECT_MAX_R + 1)));
    cr_expect(isnan(hermite_expect(NULL, 0, 0)));
}

/* ------------------------------------------------ API edges */

Test(api, coeffs_bad_arguments)
{
    double mu[4];
    const HermiteFn *fn = hermite_builtin("relu");
    HermiteFn nof = {NULL, NULL, NULL, 0};
    cr_expect_eq(hermite_coeffs(fn, -1, mu), -1);
    cr_expect_eq(hermite_coeffs(fn, HERMITE_MAX_R + 1, mu), -1);
    cr_expect_eq(hermite_coeffs(fn, 3, NULL), -1);
    cr_expect_eq(hermite_coeffs(NULL, 3, mu), -1);
    cr_expect_eq(hermite_coeffs(&nof, 3, mu), -1);
    cr_expect_eq(hermite_coeffs(fn, 0, mu), 0);
    cr_expect(fabs(mu[0] - 1.0 / SQRT_2PI) < 1e-14);
}

Test(api, builtin_lookup)
{
    const char *names[] = {"relu",    "step",          "tanh",
                           "tanh_prime", "sigmoid",    "sigmoid_prime",
                           "softplus", "quadratic",    "quadratic_prime",
                           "relu_prime", "softplus_prime"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_expect_not_null(hermite_builtin(names[i]), "%s", names[i]);
    cr_expect_null(hermite_builtin("gelu"));
    cr_expect_null(hermite_builtin(NULL));
    const HermiteFn *r = hermite_builtin("relu"), *s = hermite_builtin("step");
    cr_expect(r->nkinks == 1 && r->kinks[0] == 0.0);
    cr_expect(s->nkinks == 1 && s->kinks[0] == 0.0);
    cr_expect_eq(hermite_builtin("tanh")->nkinks, 0);
}

Test(api, activations_extreme_arguments)
{
    cr_expect_eq(hermite_act_step(0.0, NULL), 0.0);
    cr_expect_eq(hermite_act_relu(-2.0, NULL), 0.0);
    cr_expect_eq(hermite_act_sech2(1000.0, NULL), 0.0);
    cr_expect_eq(hermite_act_sech2(0.0, NULL), 1.0);
    cr_expect_eq(hermite_act_sigmoid(-1000.0, NULL), 0.0);
    cr_expect_eq(hermite_act_sigmoid(1000.0, NULL), 1.0);
    cr_expect_eq(hermite_act_sigmoid_prime(1000.0, NULL), 0.0);
    cr_expect(fabs(hermite_act_sigmoid_prime(0.0, NULL) - 0.25) < 1e-16);
    cr_expect_eq(hermite_act_softplus(1000.0, NULL), 1000.0);
    cr_expect_eq(hermite_act_softplus(-1000.0, NULL), 0.0);
    cr_expect(fabs(hermite_act_softplus(0.0, NULL) - log(2.0)) < 1e-16);
    double z = 0.7, t = tanh(z);
    cr_expect(fabs(hermite_act_sech2(z, NULL) - (1.0 - t * t)) < 1e-15);
    cr_expect_eq(hermite_act_quadratic(3.0, NULL), 4.5);
    cr_expect_eq(hermite_act_quadratic_prime(3.0, NULL), 3.0);
}

/* ------------------------------------------------ arc-cosine kernels */

Test(arccos, equal_vectors)
{
    const double x[] = {1.0, -2.0, 0.5, 3.0};
    double n2 = 1.0 + 4.0 + 0.25 + 9.0;
    cr_expect(fabs(arccos_kernel0(x, x, 4) - 0.5) <= 1e-15);
    cr_expect(fabs(arccos_kernel1(x, x, 4) - n2 / 2.0) <= 1e-13);
}

Test(arccos, orthogonal_vectors)
{
    const double x[] = {3.0, 0.0, 0.0}, y[] = {0.0, 0.0, -2.0};
    cr_expect(fabs(arccos_kernel0(x, y, 3) - 0.25) <= 1e-15);
    cr_expect(fabs(arccos_kernel1(x, y, 3) - 6.0 / (2.0 * PI)) <= 1e-15);
}

/* Antiparallel: never both positive. Zero vector: 1{w.0 > 0} = 0. */
Test(arccos, antiparallel_and_zero)
{
    const double x[] = {1.0, 2.0}, y[] = {-2.0, -4.0}, z[] = {0.0, 0.0};
    cr_expect(fabs(arccos_kernel0(x, y, 2)) <= 1e-15);
    cr_expect(fabs(arccos_kernel1(x, y, 2)) <= 1e-14);
    cr_expect_eq(arccos_kernel0(x, z, 2), 0.0);
    cr_expect_eq(arccos_kernel1(z, x, 2), 0.0);
    cr_expect_eq(arccos_kernel0(x, x, 0), 0.0);
}

/* Nearly parallel: pi - theta must not lose accuracy (acos would). */
Test(arccos, nearly_parallel)
{
    const double x[] = {1.0, 0.0}, y[] = {1.0, 1e-9};
    cr_expect(fabs(arccos_kernel0(x, y, 2) - (PI - 1e-9) / (2.0 * PI)) <=
              1e-17);
}

Test(arccos, monte_carlo_d5)
{
    const double x[] = {0.6, -0.3, 0.5, 0.1, -0.4};
    const double y[] = {0.2, 0.4, 0.7, -0.5, 0.1};
    Rng g = {0x9E3779B97F4A7C15ull, 0.0, 0};
    const long N = 1000000;
    double s0 = 0.0, s1 = 0.0;
    for (long k = 0; k < N; k++) {
        double a = 0.0, b = 0.0;
        for (int j = 0; j < 5; j++) {
            double w = rng_norm(&g);
            a += w * x[j];
            b += w * y[j];
        }
        s0 += (a > 0.0 && b > 0.0);
        s1 += (a > 0.0 ? a : 0.0) * (b > 0.0 ? b : 0.0);
    }
    cr_expect(fabs(s0 / N - arccos_kernel0(x, y, 5)) <= 3e-3, "k0 %.4f %.4f",
              s0 / N, arccos_kernel0(x, y, 5));
    cr_expect(fabs(s1 / N - arccos_kernel1(x, y, 5)) <= 3e-3, "k1 %.4f %.4f",
              s1 / N, arccos_kernel1(x, y, 5));
}

/* ------------------------------------------------ covariance Sigma(X) */

/* Series with step coefficients at R = 2000 against the exact ReLU form.
 * Off-diagonal (|rho| < 1): within 1e-4 (observed ~1e-15). Diagonal
 * (rho = 1): the series misses the Parseval tail, 2.8e-3 at R = 2000, so
 * it is only checked to lie in (0, 4e-3) below the exact 1/2. */
Test(covariance, relu_vs_step_series)
{
    static double mu[2001];
    hermite_step_exact(2000, mu);
    Matrix *X = unit_rows(6, 4, 12345);
    Matrix *A = covariance_relu(X), *B = covariance_series(X, mu, 2000);
    cr_assert_not_null(A);
    cr_assert_not_null(B);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 6; j++) {
            double e = MAT_AT(A, i, j) - MAT_AT(B, i, j);
            if (i == j) {
                cr_expect(fabs(MAT_AT(A, i, i) - 0.5) <= 1e-15);
                cr_expect(e > 0.0 && e < 4e-3, "diag %zu: %.3e", i, e);
            } else {
                cr_expect(fabs(e) <= 1e-4, "(%zu,%zu): %.3e", i, j, e);
            }
        }
    mat_unref(A);
    mat_unref(B);
    mat_unref(X);
}

Test(covariance, quadratic_is_hadamard_square)
{
    double mu[6] = {0.0};
    coeffs_of("quadratic_prime", 5, mu);
    Matrix *X = unit_rows(7, 3, 777);
    Matrix *S = covariance_series(X, mu, 5);
    cr_assert_not_null(S);
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 7; j++) {
            double g = row_dot(X, i, j);
            cr_expect(fabs(MAT_AT(S, i, j) - g * g) <= 1e-12, "(%zu,%zu)", i, j);
        }
    mat_unref(S);
    mat_unref(X);
}

/* covariance_relu on non-unit rows: Sigma_ij = <x_i,x_j> k0(x_i,x_j),
 * diagonal |x_i|^2/2, zero rows give zeros. covariance_series refuses
 * non-unit rows. */
Test(covariance, relu_general_rows)
{
    Matrix *X = unit_rows(5, 3, 4242);
    for (size_t j = 0; j < 3; j++) {
        MAT_AT(X, 1, j) *= 2.5;
        MAT_AT(X, 3, j) = 0.0;
    }
    Matrix *S = covariance_relu(X);
    cr_assert_not_null(S);
    double xi[3], xj[3];
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++) {
            for (size_t k = 0; k < 3; k++) {
                xi[k] = MAT_AT(X, i, k);
                xj[k] = MAT_AT(X, j, k);
            }
            double want = row_dot(X, i, j) * arccos_kernel0(xi, xj, 3);
            if (i == j && i != 3)
                want = 0.5 * row_dot(X, i, i);
            cr_expect(fabs(MAT_AT(S, i, j) - want) <= 1e-14, "(%zu,%zu)", i, j);
            cr_expect_eq(MAT_AT(S, i, j), MAT_AT(S, j, i));
        }
    cr_expect_eq(MAT_AT(S, 3, 3), 0.0);
    double mu[3] = {0.5, 0.4, 0.0};
    cr_expect_null(covariance_series(X, mu, 2));
    cr_expect_null(covariance_series(NULL, mu, 2));
    mat_unref(S);
    mat_unref(X);
}

/* Hermite lemma (A3) for a smooth activation: the R = 40 series with the
 * coefficients of tanh' reproduces a Monte-Carlo Sigma(X) for phi = tanh
 * (4 * 10^5 draws of w) within 3e-3. */
Test(covariance, tanh_series_vs_monte_carlo)
{
    double mu[41];
    coeffs_of("tanh_prime", 40, mu);
    Matrix *X = unit_rows(3, 4, 99);
    Matrix *S = covariance_series(X, mu, 40);
    cr_assert_not_null(S);
    Rng g = {0xD1B54A32D192ED03ull, 0.0, 0};
    const long N = 400000;
    double acc[3][3] = {{0}};
    for (long k = 0; k < N; k++) {
        double w[4], p[3];
        for (int j = 0; j < 4; j++)
            w[j] = rng_norm(&g);
        for (size_t i = 0; i < 3; i++) {
            double a = 0.0;
            for (size_t j = 0; j < 4; j++)
                a += MAT_AT(X, i, j) * w[j];
            p[i] = hermite_act_sech2(a, NULL);
        }
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                acc[i][j] += p[i] * p[j];
    }
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            double mc = acc[i][j] / N * row_dot(X, i, j);
            cr_expect(fabs(mc - MAT_AT(S, i, j)) <= 3e-3, "(%zu,%zu) %.4f %.4f",
                      i, j, mc, MAT_AT(S, i, j));
        }
    mat_unref(S);
    mat_unref(X);
}

/* ------------------------------------------- exact covariance, any rows */

/* Rows for the exact covariance: unit rows rescaled to norms 0.1 .. 7, a
 * row at rho = 0.999 to row 0, an exact and a negated duplicate of row 1,
 * and a zero row. */
static Matrix *assorted_rows(void)
{
    static const double norms[10] = {0.1, 0.5, 1.0, 1.0, 2.0,
                                     3.5, 7.0, 0.5, 0.5, 0.0};
    Matrix *X = unit_rows(10, 3, 2024);
    double rho = 0.999, s = sqrt(1.0 - rho * rho), dot = row_dot(X, 2, 0),
           nrm = 0.0;
    double u[3];
    for (size_t k = 0; k < 3; k++) {
        u[k] = MAT_AT(X, 2, k) - dot * MAT_AT(X, 0, k);
        nrm += u[k] * u[k];
    }
    for (size_t k = 0; k < 3; k++) {
        MAT_AT(X, 3, k) = rho * MAT_AT(X, 0, k) + s * u[k] / sqrt(nrm);
        MAT_AT(X, 7, k) = MAT_AT(X, 1, k);
        MAT_AT(X, 8, k) = -MAT_AT(X, 1, k);
    }
    for (size_t i = 0; i < 10; i++)
        for (size_t k = 0; k < 3; k++)
            MAT_AT(X, i, k) *= norms[i];
    return X;
}

/* Sigma for phi (dphi = its derivative, or NULL) with the series cap R;
 * fails the test unless the status is COV_OK. */
static Matrix *sigma_of(const Matrix *X, const HermiteFn *phi,
                        const HermiteFn *dphi, int R)
{
    Matrix *S = NULL;
    double where;
    CovStatus st = covariance_exact(X, phi, dphi, R, &S, &where);
    cr_assert_eq(st, COV_OK, "status %d", (int)st);
    cr_assert_not_null(S);
    return S;
}

/* max |A - B| / max(1, sqrt(B_ii B_jj)): the accuracy measure of
 * hermite.h. */
static double scaled_diff(const Matrix *A, const Matrix *B)
{
    double worst = 0.0;
    for (size_t i = 0; i < A->rows; i++)
        for (size_t j = 0; j < A->rows; j++) {
            double s = fmax(1.0, sqrt(fabs(MAT_AT(B, i, i) * MAT_AT(B, j, j))));
            worst = fmax(worst, fabs(MAT_AT(A, i, j) - MAT_AT(B, i, j)) / s);
        }
    return worst;
}

static bool symmetric(const Matrix *S)
{
    for (size_t i = 0; i < S->rows; i++)
        for (size_t j = 0; j < i; j++)
            if (MAT_AT(S, i, j) != MAT_AT(S, j, i))
                return false;
    return true;
}

/* Positive semidefinite: Cholesky of S + shift I succeeds. */
static bool psd(const Matrix *S, double shift)
{
    size_t n = S->rows;
    double *L = calloc(n * n, sizeof *L);
    bool ok = L != NULL;
    for (size_t j = 0; ok && j < n; j++) {
        double d = MAT_AT(S, j, j) + shift;
        for (size_t k = 0; k < j; k++)
            d -= L[j * n + k] * L[j * n + k];
        ok = d > 0.0;
        if (!ok)
            break;
        L[j * n + j] = sqrt(d);
        for (size_t i = j + 1; i < n; i++) {
            double s = MAT_AT(S, i, j);
            for (size_t k = 0; k < j; k++)
                s -= L[i * n + k] * L[j * n + k];
            L[i * n + j] = s / L[j * n + j];
        }
    }
    free(L);
    return ok;
}

static double sin_fn(double z, void *ctx)
{
    (void)ctx;
    return sin(z);
}

/* phi = sin through the sampled model (no derivative given): f = cos and
 * E[cos(a x) cos(b y)] = e^{-(a^2 + b^2)/2} cosh(a b rho) in closed form,
 * for every pair of the assorted rows (any norms, rho = +-1 included). */
Test(covariance_exact, sine_model_closed_form)
{
    Matrix *X = assorted_rows();
    HermiteFn phi = {sin_fn, NULL, NULL, 0};
    Matrix *S = sigma_of(X, &phi, NULL, HERMITE_MAX_R);
    Matrix *W = mat_new(10, 10);
    for (size_t i = 0; i < 10; i++)
        for (size_t j = 0; j < 10; j++) {
            double a = sqrt(row_dot(X, i, i)), b = sqrt(row_dot(X, j, j)),
                   g = row_dot(X, i, j);
            MAT_AT(W, i, j) = g * exp(-0.5 * (a * a + b * b)) * cosh(g);
        }
    cr_expect(scaled_diff(S, W) <= 1e-13, "%.2e", scaled_diff(S, W));
    cr_expect(symmetric(S));
    cr_expect_eq(MAT_AT(S, 9, 9), 0.0);
    mat_unref(S);
    mat_unref(W);
    mat_unref(X);
}

/* quadratic: phi' = z, so Sigma = (X X') .* (X X') for any rows. */
Test(covariance_exact, quadratic_any_rows)
{
    Matrix *X = assorted_rows();
    Matrix *S = sigma_of(X, hermite_builtin("quadratic"),
                         hermite_builtin("quadratic_prime"), HERMITE_MAX_R);
    Matrix *W = mat_new(10, 10);
    for (size_t i = 0; i < 10; i++)
        for (size_t j = 0; j < 10; j++)
            MAT_AT(W, i, j) = row_dot(X, i, j) * row_dot(X, i, j);
    cr_expect(scaled_diff(S, W) <= 1e-14, "%.2e", scaled_diff(S, W));
    mat_unref(S);
    mat_unref(W);
    mat_unref(X);
}

typedef struct Scaled {
    const HermiteFn *f;
    double a;
} Scaled;

static double squared_at(double z, void *ctx)
{
    const Scaled *s = ctx;
    double v = s->f->f(s->a * z, s->f->ctx);
    return v * v;
}

/* The diagonal is |x|^2 E[f(|x| g)^2]: against hermite_expect of f(a z)^2
 * (its own quadrature), for the built-ins and norms 0.1 .. 7. */
Test(covariance_exact, diagonal_closed_integrals)
{
    static const char *acts[3] = {"tanh", "sigmoid", "softplus"};
    Matrix *X = assorted_rows();
    for (int k = 0; k < 3; k++) {
        const HermiteFn *dphi = hermite_builtin_prime(acts[k]);
        Matrix *S = sigma_of(X, hermite_builtin(acts[k]), dphi, HERMITE_MAX_R);
        for (size_t i = 0; i < 9; i++) {
            double a2 = row_dot(X, i, i);
            Scaled sc = {dphi, sqrt(a2)};
            HermiteFn sq = {squared_at, &sc, NULL, 0};
            double want = a2 * hermite_expect(&sq, 0, 0);
            cr_expect(fabs(MAT_AT(S, i, i) - want) <= 1e-14 * fmax(1.0, want),
                      "%s row %zu: %.17g vs %.17g", acts[k], i, MAT_AT(S, i, i),
                      want);
        }
        mat_unref(S);
    }
    mat_unref(X);
}

/* relu' = step by the general method (series, kinked quadrature) equals
 * the arc-cosine closed form, which scales with the norms: Sigma(c X) =
 * c^2 Sigma(X). */
Test(covariance_exact, step_matches_relu_and_scales)
{
    Matrix *X = assorted_rows();
    Matrix *S = sigma_of(X, hermite_builtin("relu"), hermite_builtin("step"),
                         HERMITE_MAX_R);
    Matrix *A = covariance_relu(X);
    cr_expect(scaled_diff(S, A) <= 1e-14, "%.2e", scaled_diff(S, A));
    Matrix *Y = mat_copy(X);
    for (size_t i = 0; i < mat_numel(Y); i++)
        Y->data[i] *= 2.5;
    Matrix *B = covariance_relu(Y);
    for (size_t i = 0; i < mat_numel(A); i++)
        cr_expect(fabs(B->data[i] - 6.25 * A->data[i]) <=
                  1e-14 * 6.25 * (1.0 + fabs(A->data[i])));
    mat_unref(S);
    mat_unref(A);
    mat_unref(B);
    mat_unref(Y);
    mat_unref(X);
}

/* R only trades series terms for quadrature: R = 0 sends every pair with
 * rho != 0 to the 2-D quadrature (trapezoidal for the built-ins,
 * Gauss-Legendre for a sampled phi), R = 2000 sums almost all of them. */
Test(covariance_exact, series_agrees_with_quadrature)
{
    Matrix *X = assorted_rows();
    HermiteFn sine = {sin_fn, NULL, NULL, 0};
    const HermiteFn *phis[3] = {hermite_builtin("tanh"),
                                hermite_builtin("softplus"), &sine};
    const HermiteFn *dphis[3] = {hermite_builtin("tanh_prime"),
                                 hermite_builtin("sigmoid"), NULL};
    for (int k = 0; k < 3; k++) {
        Matrix *S = sigma_of(X, phis[k], dphis[k], HERMITE_MAX_R);
        Matrix *Q = sigma_of(X, phis[k], dphis[k], 0);
        cr_expect(scaled_diff(S, Q) <= 1e-13, "%d: %.2e", k, scaled_diff(S, Q));
        cr_expect(symmetric(S) && symmetric(Q));
        mat_unref(S);
        mat_unref(Q);
    }
    mat_unref(X);
}

/* Sigma is PSD; a duplicated row makes it singular, not indefinite. */
Test(covariance_exact, positive_semidefinite)
{
    Matrix *X = assorted_rows();
    Matrix *S = sigma_of(X, hermite_builtin("tanh"),
                         hermite_builtin("tanh_prime"), HERMITE_MAX_R);
    double tr = 0.0;
    for (size_t i = 0; i < 10; i++)
        tr += MAT_AT(S, i, i);
    cr_expect(psd(S, 1e-13 * tr));
    cr_expect(!psd(S, -1e-3 * tr),
              "Cholesky must fail below 0 (duplicate rows)");
    mat_unref(S);
    mat_unref(X);
}

static double leaky(double z, void *ctx)
{
    (void)ctx;
    return z > 0.0 ? z : 0.1 * z;
}

/* Many pairs of one norm near rho = +-1 with a kinked phi go through the
 * angle tables: leaky relu, phi' = 0.1 + 0.9 step, has
 * K = 0.01 + 0.09 + 0.81 (pi - theta) / (2 pi) in closed form. */
Test(covariance_exact, kinked_tables_closed_form)
{
    const size_t n = 60;
    Matrix *X = mat_new(n, 2);
    for (size_t i = 0; i < n; i++) {
        double t = i < n / 2 ? 0.003 * i : PI + 0.0005 + 0.003 * (i - n / 2);
        MAT_AT(X, i, 0) = 1.5 * cos(t);
        MAT_AT(X, i, 1) = 1.5 * sin(t);
    }
    HermiteFn phi = {leaky, NULL, NULL, 0};
    Matrix *S = sigma_of(X, &phi, NULL, HERMITE_MAX_R);
    double worst = 0.0, x[2], y[2];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            x[0] = MAT_AT(X, i, 0), x[1] = MAT_AT(X, i, 1);
            y[0] = MAT_AT(X, j, 0), y[1] = MAT_AT(X, j, 1);
            double want =
                row_dot(X, i, j) * (0.1 + 0.81 * arccos_kernel0(x, y, 2));
            if (i == j)
                want = 2.25 * 0.505;
            worst = fmax(worst, fabs(MAT_AT(S, i, j) - want) / (2.25 * 0.505));
        }
    cr_expect(worst <= 1e-13, "%.2e", worst);
    mat_unref(S);
    mat_unref(X);
}

static double heaviside(double z, void *ctx)
{
    (void)ctx;
    return z > 0.3 ? 1.0 : 0.0;
}

static double half_sqrt(double z, void *ctx)
{
    (void)ctx;
    return sqrt(z);
}

Test(covariance_exact, failures)
{
    Matrix *X = unit_rows(3, 2, 5), *S = NULL;
    double where = 0.0;
    HermiteFn jump = {heaviside, NULL, NULL, 0};
    HermiteFn nan_fn = {half_sqrt, NULL, NULL, 0};
    const HermiteFn *th = hermite_builtin("tanh");
    const HermiteFn *dth = hermite_builtin("tanh_prime");
    cr_expect_eq(covariance_exact(X, &jump, NULL, 60, &S, &where), COV_JUMP);
    cr_expect(fabs(where - 0.3) < 1e-9, "jump at %g", where);
    cr_expect_null(S);
    cr_expect_eq(covariance_exact(X, &nan_fn, NULL, 60, &S, &where), COV_NAN);
    cr_expect_eq(covariance_exact(NULL, th, dth, 60, &S, &where), COV_INVALID);
    cr_expect_eq(covariance_exact(X, NULL, NULL, 60, &S, &where), COV_INVALID);
    cr_expect_eq(covariance_exact(X, th, dth, HERMITE_MAX_R + 1, &S, &where),
                 COV_INVALID);
    MAT_AT(X, 0, 0) = 2000.0;
    cr_expect_eq(covariance_exact(X, th, dth, 60, &S, &where), COV_TOO_WIDE);
    MAT_AT(X, 0, 0) = NAN;
    cr_expect_eq(covariance_exact(X, th, dth, 60, &S, &where), COV_NAN);
    mat_unref(X);
}

Test(covariance_exact, builtin_prime)
{
    cr_expect_eq(hermite_builtin_prime("tanh"), hermite_builtin("tanh_prime"));
    cr_expect_eq(hermite_builtin_prime("relu"), hermite_builtin("step"));
    cr_expect_eq(hermite_builtin_prime("softplus")->f,
                 hermite_builtin("sigmoid")->f);
    cr_expect_null(hermite_builtin_prime("tanh_prime"));
    cr_expect_null(hermite_builtin_prime(NULL));
}
