/* hermite.c: Hermite coefficients, arc-cosine kernels, covariance Sigma(X).
 *
 * Quadrature: E[F(g)] = int F(z) phi(z) dz is computed by composite
 * Gauss-Legendre (GL_N points per panel) on [-QUAD_L, QUAD_L], split at the
 * kinks of F so that every panel sees an analytic integrand. The Gaussian
 * weight is split as phi(z) = e^{-z^2/4} e^{-z^2/4} / sqrt(2 pi): one factor
 * rides along the Hermite recurrence (s_r = h_r(z) e^{-z^2/4} is the bounded
 * Hermite function up to a constant, so neither overflow nor harmful
 * underflow occurs for r <= 2000 and |z| <= 40), the other multiplies f.
 * Beyond |z| = 40 the integrand is below e^{-400} |f|, far below rounding.
 */
#include "hermite.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GL_N 32          /* Gauss-Legendre points per panel */
#define QUAD_L 40.0      /* integration interval [-L, L] */
#define QUAD_H 0.25      /* largest panel width */
#define SQRT_2PI 2.50662827463100050242

static const double PI = 3.14159265358979323846;

/* ------------------------------------------------------------ nodes */

/* Gauss-Legendre nodes x[0..GL_N) and weights w[..] on [-1, 1], by Newton
 * iteration on P_n from the Tricomi initial guesses (converges to rounding
 * in a handful of steps for n = 32). */
static void gauss_legendre(double *x, double *w)
{
    const int n = GL_N;
    for (int i = 0; i < (n + 1) / 2; i++) {
        double t = cos(PI * (i + 0.75) / (n + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = t;
            for (int k = 2; k <= n; k++) {
                double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (t * p1 - p0) / (t * t - 1.0);
            double dt = p1 / dp;
            t -= dt;
            if (fabs(dt) < 1e-16)
                break;
        }
        x[i] = -t;
        x[n - 1 - i] = t;
        w[i] = w[n - 1 - i] = 2.0 / ((1.0 - t * t) * dp * dp);
    }
}

/* Quadrature nodes for E[F(g)] on [-L, L] split at the kinks. */
typedef struct Nodes {
    size_t n;
    double *z;
    double *w; /* GL weight times half panel width (no Gaussian factor) */
} Nodes;

/* Breakpoints -L < kinks inside (ascending; out-of-order ones skipped) < L
 * into bp (capacity nk + 2); returns how many. */
static int breakpoints(const HermiteFn *fn, double *bp)
{
    int m = 0;
    bp[m++] = -QUAD_L;
    for (int i = 0; i < fn->nkinks && fn->kinks; i++) {
        double k = fn->kinks[i];
        if (isfinite(k) && k > bp[m - 1] && k < QUAD_L)
            bp[m++] = k;
    }
    bp[m++] = QUAD_L;
    return m;
}

static size_t panels_on(double a, double b)
{
    size_t p = (size_t)ceil((b - a) / QUAD_H);
    return p ? p : 1;
}

static void nodes_free(Nodes *nd)
{
    free(nd->z);
    free(nd->w);
    nd->z = nd->w = NULL;
}

/* Fills nd; returns false on allocation failure (nd then empty). */
static bool nodes_build(const HermiteFn *fn, Nodes *nd)
{
    int nk = fn->nkinks > 0 ? fn->nkinks : 0;
    double *bp = malloc(((size_t)nk + 2) * sizeof *bp);
    if (!bp)
        return false;
    int m = breakpoints(fn, bp);
    size_t np = 0;
    for (int i = 0; i + 1 < m; i++)
        np += panels_on(bp[i], bp[i + 1]);
    nd->n = np * GL_N;
    nd->z = malloc(nd->n * sizeof *nd->z);
    nd->w = malloc(nd->n * sizeof *nd->w);
    if (!nd->z || !nd->w) {
        free(bp);
        nodes_free(nd);
        return false;
    }
    double gx[GL_N], gw[GL_N];
    gauss_legendre(gx, gw);
    size_t k = 0;
    for (int i = 0; i + 1 < m; i++) {
        size_t p = panels_on(bp[i], bp[i + 1]);
        double h = (bp[i + 1] - bp[i]) / (double)p;
        for (size_t j = 0; j < p; j++) {
            double a = bp[i] + (double)j * h, c = a + 0.5 * h;
            for (int q = 0; q < GL_N; q++, k++) {
                nd->z[k] = c + 0.5 * h * gx[q];
                nd->w[k] = 0.5 * h * gw[q];
            }
        }
    }
    free(bp);
    return true;
}

/* Recurrence factors: a[r] = 1/sqrt(r+1), b[r] = sqrt(r/(r+1)), r < R. */
static bool recurrence_factors(int R, double **a, double **b)
{
    size_t n = (size_t)R + 1;
    *a = malloc(n * sizeof **a);
    *b = malloc(n * sizeof **b);
    if (!*a || !*b) {
        free(*a);
        free(*b);
        return false;
    }
    for (int r = 0; r <= R; r++) {
        (*a)[r] = 1.0 / sqrt(r + 1.0);
        (*b)[r] = sqrt(r / (r + 1.0));
    }
    return true;
}

/* ------------------------------------------------------------ coefficients */

/* Adds c * s_r(z) to mu[r], r = 0..R, s_r = h_r(z) e^{-z^2/4}. */
static void accumulate(double z, double c, int R, const double *a,
                       const double *b, double *mu)
{
    double sm = 0.0, s = exp(-0.25 * z * z);
    mu[0] += c * s;
    for (int r = 0; r < R; r++) {
        double sn = a[r] * z * s - b[r] * sm;
        sm = s;
        s = sn;
        mu[r + 1] += c * s;
    }
}

int hermite_coeffs(const HermiteFn *fn, int R, double *mu)
{
    if (!fn || !fn->f || !mu || R < 0 || R > HERMITE_MAX_R)
        return -1;
    Nodes nd = {0};
    double *a = NULL, *b = NULL;
    if (!nodes_build(fn, &nd))
        return -1;
    if (!recurrence_factors(R, &a, &b)) {
        nodes_free(&nd);
        return -1;
    }
    memset(mu, 0, ((size_t)R + 1) * sizeof *mu);
    for (size_t k = 0; k < nd.n; k++) {
        double z = nd.z[k];
        double c = nd.w[k] * fn->f(z, fn->ctx) * exp(-0.25 * z * z) / SQRT_2PI;
        if (c != 0.0)
            accumulate(z, c, R, a, b, mu);
    }
    free(a);
    free(b);
    nodes_free(&nd);
    return 0;
}

/* s_r(z) * s_t(z), s_k = h_k(z) e^{-z^2/4}, from one recurrence pass. */
static double hermite_s_pair(double z, int r, int t)
{
    int top = r > t ? r : t;
    double sm = 0.0, s = exp(-0.25 * z * z);
    double sr = r == 0 ? s : 0.0, st = t == 0 ? s : 0.0;
    for (int k = 0; k < top; k++) {
        double sn = (z * s - sqrt((double)k) * sm) / sqrt(k + 1.0);
        sm = s;
        s = sn;
        if (k + 1 == r)
            sr = s;
        if (k + 1 == t)
            st = s;
    }
    return sr * st;
}

double hermite_expect(const HermiteFn *fn, int r, int s)
{
    if (!fn || !fn->f || r < 0 || s < 0 || r > HERMITE_EXPECT_MAX_R ||
        s > HERMITE_EXPECT_MAX_R)
        return NAN;
    Nodes nd = {0};
    if (!nodes_build(fn, &nd))
        return NAN;
    double sum = 0.0;
    for (size_t k = 0; k < nd.n; k++) {
        double z = nd.z[k];
        sum += nd.w[k] * fn->f(z, fn->ctx) * hermite_s_pair(z, r, s);
    }
    nodes_free(&nd);
    return sum / SQRT_2PI;
}

/* ------------------------------------------------------------ closed forms */

/* t[r] = He_{r-off}(0) / sqrt(r!) for r >= off (zero at odd r - off), using
 * He_{k+2}(0) = -(k+1) He_k(0): t[r+2] = -(r+1-off) t[r] / sqrt((r+1)(r+2)). */
static void he0_ratio(int off, int R, double *t)
{
    double v = 1.0;
    for (int k = 1; k <= off; k++)
        v /= sqrt((double)k); /* He_0(0)/sqrt(off!) */
    for (int r = off; r <= R; r++) {
        if ((r - off) % 2 == 1) {
            t[r] = 0.0;
            continue;
        }
        t[r] = v;
        v *= -(double)(r + 1 - off) / sqrt((r + 1.0) * (r + 2.0));
    }
}

void hermite_relu_exact(int R, double *mu)
{
    if (R < 0 || !mu)
        return;
    mu[0] = 1.0 / SQRT_2PI;
    if (R >= 1)
        mu[1] = 0.5;
    if (R < 2)
        return;
    he0_ratio(2, R, mu);
    for (int r = 2; r <= R; r++)
        mu[r] /= SQRT_2PI;
}

void hermite_step_exact(int R, double *mu)
{
    if (R < 0 || !mu)
        return;
    mu[0] = 0.5;
    if (R < 1)
        return;
    he0_ratio(1, R, mu);
    for (int r = 1; r <= R; r++)
        mu[r] /= SQRT_2PI;
}

/* ------------------------------------------------------------ activations */

double hermite_act_relu(double z, void *ctx)
{
    (void)ctx;
    return z > 0.0 ? z : 0.0;
}

double hermite_act_step(double z, void *ctx)
{
    (void)ctx;
    return z > 0.0 ? 1.0 : 0.0;
}

double hermite_act_tanh(double z, void *ctx)
{
    (void)ctx;
    return tanh(z);
}

/* sech^2 z = 4 e^{-2|z|} / (1 + e^{-2|z|})^2, no overflow. */
double hermite_act_sech2(double z, void *ctx)
{
    (void)ctx;
    double e = exp(-2.0 * fabs(z));
    return 4.0 * e / ((1.0 + e) * (1.0 + e));
}

double hermite_act_sigmoid(double z, void *ctx)
{
    (void)ctx;
    if (z >= 0.0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* s(1 - s) = e^{-|z|} / (1 + e^{-|z|})^2. */
double hermite_act_sigmoid_prime(double z, void *ctx)
{
    (void)ctx;
    double e = exp(-fabs(z));
    return e / ((1.0 + e) * (1.0 + e));
}

/* log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}). */
double hermite_act_softplus(double z, void *ctx)
{
    (void)ctx;
    return (z > 0.0 ? z : 0.0) + log1p(exp(-fabs(z)));
}

double hermite_act_quadratic(double z, void *ctx)
{
    (void)ctx;
    return 0.5 * z * z;
}

double hermite_act_quadratic_prime(double z, void *ctx)
{
    (void)ctx;
    return z;
}

static const double KINK_AT_ZERO[1] = {0.0};

typedef struct BuiltinEntry {
    const char *name;
    HermiteFn fn;
} BuiltinEntry;

static const BuiltinEntry BUILTINS[] = {
    {"relu", {hermite_act_relu, NULL, KINK_AT_ZERO, 1}},
    {"step", {hermite_act_step, NULL, KINK_AT_ZERO, 1}},
    {"relu_prime", {hermite_act_step, NULL, KINK_AT_ZERO, 1}},
    {"tanh", {hermite_act_tanh, NULL, NULL, 0}},
    {"tanh_prime", {hermite_act_sech2, NULL, NULL, 0}},
    {"sigmoid", {hermite_act_sigmoid, NULL, NULL, 0}},
    {"softplus_prime", {hermite_act_sigmoid, NULL, NULL, 0}},
    {"sigmoid_prime", {hermite_act_sigmoid_prime, NULL, NULL, 0}},
    {"softplus", {hermite_act_softplus, NULL, NULL, 0}},
    {"quadratic", {hermite_act_quadratic, NULL, NULL, 0}},
    {"quadratic_prime", {hermite_act_quadratic_prime, NULL, NULL, 0}},
};

const HermiteFn *hermite_builtin(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof BUILTINS / sizeof BUILTINS[0]; i++)
        if (strcmp(BUILTINS[i].name, name) == 0)
            return &BUILTINS[i].fn;
    return NULL;
}

/* ------------------------------------------------------------ kernels */

static double norm2(const double *x, size_t d, size_t stride)
{
    double s = 0.0;
    for (size_t i = 0; i < d; i++)
        s += x[i * stride] * x[i * stride];
    return sqrt(s);
}

static double dot(const double *x, const double *y, size_t d)
{
    double s = 0.0;
    for (size_t i = 0; i < d; i++)
        s += x[i] * y[i];
    return s;
}

/* Angle between non-zero x and y given their norms:
 * 2 atan2(|x/nx - y/ny|, |x/nx + y/ny|), accurate near 0 and pi. */
static double angle(const double *x, double nx, const double *y, double ny,
                    size_t d)
{
    double dm = 0.0, dp = 0.0;
    for (size_t i = 0; i < d; i++) {
        double u = x[i] / nx, v = y[i] / ny;
        dm += (u - v) * (u - v);
        dp += (u + v) * (u + v);
    }
    return 2.0 * atan2(sqrt(dm), sqrt(dp));
}

double arccos_kernel0(const double *x, const double *y, size_t d)
{
    double nx = norm2(x, d, 1), ny = norm2(y, d, 1);
    if (nx == 0.0 || ny == 0.0)
        return 0.0;
    return (PI - angle(x, nx, y, ny, d)) / (2.0 * PI);
}

double arccos_kernel1(const double *x, const double *y, size_t d)
{
    double nx = norm2(x, d, 1), ny = norm2(y, d, 1);
    if (nx == 0.0 || ny == 0.0)
        return 0.0;
    double t = angle(x, nx, y, ny, d);
    return (nx * ny * sin(t) + (PI - t) * dot(x, y, d)) / (2.0 * PI);
}

/* ------------------------------------------------------------ covariance */

/* Fills the lower triangle (i >= j) from the upper computations and mirrors. */
static void symmetrise(Matrix *S)
{
    for (size_t j = 0; j < S->cols; j++)
        for (size_t i = j + 1; i < S->rows; i++)
            MAT_AT(S, j, i) = MAT_AT(S, i, j);
}

Matrix *covariance_relu(const Matrix *X)
{
    if (!X)
        return NULL;
    size_t n = X->rows, d = X->cols;
    Matrix *Xt = mat_transpose(X); /* column i = row i of X, contiguous */
    Matrix *S = Xt ? mat_new(n, n) : NULL;
    double *nrm = S ? malloc((n ? n : 1) * sizeof *nrm) : NULL;
    if (!nrm) {
        mat_unref(S);
        mat_unref(Xt);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        nrm[i] = norm2(Xt->data + i * d, d, 1);
    for (size_t j = 0; j < n; j++) {
        const double *xj = Xt->data + j * d;
        MAT_AT(S, j, j) = 0.5 * nrm[j] * nrm[j];
        for (size_t i = j + 1; i < n; i++) {
            const double *xi = Xt->data + i * d;
            if (nrm[i] == 0.0 || nrm[j] == 0.0)
                continue;
            double t = angle(xi, nrm[i], xj, nrm[j], d);
            MAT_AT(S, i, j) = dot(xi, xj, d) * (PI - t) / (2.0 * PI);
        }
    }
    symmetrise(S);
    free(nrm);
    mat_unref(Xt);
    return S;
}

/* sum_{r=0..R} mu_r^2 rho^{r+1}, by Horner. */
static double series_at(double rho, const double *mu, int R)
{
    double p = 0.0;
    for (int r = R; r >= 0; r--)
        p = p * rho + mu[r] * mu[r];
    return p * rho;
}

Matrix *covariance_series(const Matrix *X, const double *mu, int R)
{
    if (!X || !mu || R < 0)
        return NULL;
    size_t n = X->rows, d = X->cols;
    Matrix *Xt = mat_transpose(X);
    if (!Xt)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (fabs(norm2(Xt->data + i * d, d, 1) - 1.0) > 1e-8) {
            mat_unref(Xt);
            return NULL;
        }
    }
    Matrix *S = mat_new(n, n);
    if (!S) {
        mat_unref(Xt);
        return NULL;
    }
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++) {
            double rho = dot(Xt->data + i * d, Xt->data + j * d, d);
            MAT_AT(S, i, j) = series_at(rho, mu, R);
        }
    symmetrise(S);
    mat_unref(Xt);
    return S;
}
