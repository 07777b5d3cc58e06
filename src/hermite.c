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

/* ------------------------------------------------------------ panels */

/* The rule is a list of panels, each with GL_N nodes and the values of f
 * there. Panels start as the grid of width <= QUAD_H between the declared
 * kinks; kink detection (below) then splits panels at the non-smooth points
 * it finds. */
typedef struct Panel {
    double a, b;
    bool found; /* a is a detected kink: no edge test there */
    bool done;  /* examined by kink detection */
    double f[GL_N];
} Panel;

/* f with its evaluation count; after the first NaN (also how a failed user
 * callback reports) f is no longer called and the whole result is NaN. */
typedef struct Eval {
    const HermiteFn *fn;
    long calls;
    bool nan;
} Eval;

typedef struct Rule {
    Panel *p;
    size_t n, cap;
    Eval ev;
    double gx[GL_N], gw[GL_N];
    double leg[GL_N][GL_N]; /* c_k = sum_q leg[k][q] f(x_q): Legendre coeffs */
} Rule;

static double eval_f(Eval *e, double z)
{
    if (e->nan)
        return NAN;
    e->calls++;
    double y = e->fn->f(z, e->fn->ctx);
    if (isnan(y))
        e->nan = true;
    return y;
}

static double node_at(const Rule *R, const Panel *p, int q)
{
    double h = p->b - p->a;
    return p->a + 0.5 * h + 0.5 * h * R->gx[q];
}

static void panel_eval(Rule *R, Panel *p)
{
    for (int q = 0; q < GL_N; q++)
        p->f[q] = eval_f(&R->ev, node_at(R, p, q));
}

/* Inserts panel [a, b] at index i (values evaluated); false on OOM. */
static bool panel_insert(Rule *R, size_t i, double a, double b, bool found)
{
    if (R->n == R->cap) {
        size_t cap = R->cap ? 2 * R->cap : 512;
        Panel *np = realloc(R->p, cap * sizeof *np);
        if (!np)
            return false;
        R->p = np;
        R->cap = cap;
    }
    memmove(R->p + i + 1, R->p + i, (R->n - i) * sizeof *R->p);
    R->n++;
    Panel *p = &R->p[i];
    p->a = a;
    p->b = b;
    p->found = found;
    p->done = false;
    panel_eval(R, p);
    return true;
}

/* leg[k][q] = (2k+1)/2 w_q P_k(x_q): exact coefficients for degree < GL_N. */
static void legendre_table(Rule *R)
{
    for (int q = 0; q < GL_N; q++) {
        double x = R->gx[q], p0 = 1.0, p1 = x;
        R->leg[0][q] = 0.5 * R->gw[q];
        R->leg[1][q] = 1.5 * R->gw[q] * x;
        for (int k = 2; k < GL_N; k++) {
            double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
            R->leg[k][q] = 0.5 * (2 * k + 1) * R->gw[q] * p2;
        }
    }
}

static int breakpoints(const HermiteFn *fn, double *bp);
static size_t panels_on(double a, double b);
static bool detect_kinks(Rule *R);

static void rule_free(Rule *R)
{
    free(R->p);
    R->p = NULL;
    R->n = R->cap = 0;
}

/* Builds the rule for fn: panels between the declared kinks, values of f,
 * then detected kinks. False on allocation failure (R then empty). */
static bool rule_build(const HermiteFn *fn, Rule *R)
{
    *R = (Rule){.ev = {fn, 0, false}};
    gauss_legendre(R->gx, R->gw);
    legendre_table(R);
    int nk = fn->nkinks > 0 ? fn->nkinks : 0;
    double *bp = malloc(((size_t)nk + 2) * sizeof *bp);
    if (!bp)
        return false;
    int m = breakpoints(fn, bp);
    bool ok = true;
    for (int i = 0; ok && i + 1 < m; i++) {
        size_t p = panels_on(bp[i], bp[i + 1]);
        double h = (bp[i + 1] - bp[i]) / (double)p;
        for (size_t j = 0; ok && j < p; j++) {
            double a = bp[i] + (double)j * h;
            ok = panel_insert(R, R->n, a, j + 1 == p ? bp[i + 1] : a + h, false);
        }
    }
    free(bp);
    ok = ok && detect_kinks(R);
    if (!ok)
        rule_free(R);
    return ok;
}

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

/* ------------------------------------------------------------ kink detection
 *
 * A kink (jump of f or of f') inside a panel costs GL its spectral accuracy
 * (an undeclared kink gives errors of 1e-6 .. 1e-3). The panel values already
 * reveal it: the Legendre coefficients c_k of an analytic f decay
 * geometrically (tanh on a panel of width 1/4: 25^-k), those of a kink only
 * like k^-3/2, a jump like k^-1/2. A kink between a panel edge and its outer
 * node (within 3.4e-4 of the edge) is invisible inside either panel but
 * shows as a mismatch of the two panels' interpolants extrapolated to their
 * shared edge. Suspects are zoomed in on by the largest 6th difference of a
 * 17-point grid (the singular cell dominates it) down to width LOC_W, then
 * pinned by bisection between the two one-sided polynomial fits: f(m)
 * closer to the left fit means m is left of the kink. This works for jumps
 * and slope jumps alike and reaches ~1e-16 for jumps, ~eps |f| / |f' jump|
 * for kinks (error then ~ |f' jump| delta^2, negligible). A candidate is kept
 * only if the fits really differ there (value, slope or curvature), so
 * smooth but flagged panels (e.g. tanh(20 z)) get no split; an extra split
 * would be harmless anyway, as both halves are integrated by full GL.
 * Cost: no extra evaluations for smooth f, ~170 per kink.
 */

#define DETECT_L 12.0       /* beyond, e^{-z^2/4} < 2e-16 hides any kink */
#define DETECT_BUDGET 10000 /* most evaluations spent on detection */
#define DETECT_SPLITS 400   /* most detected kinks */
#define TAIL_TOL 1e-12      /* max |c_24..c_31| / max |f| flagging a panel */
#define EDGE_TOL 1e-11      /* edge mismatch / max |f| flagging an edge */
#define LOC_W 1e-3          /* zoom down to this width, then bisect */
#define MIN_PANEL 1e-9      /* narrower panels are not examined */
#define SNAP 1e-13          /* candidates this close to an edge are dropped */
#define ZOOM_M 16           /* cells of the zoom grid */
#define ZOOM_K 6            /* order of the zoom differences */
#define FIT_N 5             /* points of each one-sided fit (degree 4) */

static double panel_scale(const Panel *p)
{
    double s = 0.0;
    for (int q = 0; q < GL_N; q++)
        s = fmax(s, fabs(p->f[q]));
    return s;
}

static void panel_coeffs(const Rule *R, const Panel *p, double *c)
{
    for (int k = 0; k < GL_N; k++) {
        double s = 0.0;
        for (int q = 0; q < GL_N; q++)
            s += R->leg[k][q] * p->f[q];
        c[k] = s;
    }
}

/* The top quarter of the Legendre coefficients is above rounding. */
static bool panel_rough(const Rule *R, const Panel *p)
{
    double c[GL_N], tail = 0.0;
    panel_coeffs(R, p, c);
    for (int k = GL_N - GL_N / 4; k < GL_N; k++)
        tail = fmax(tail, fabs(c[k]));
    return tail > TAIL_TOL * panel_scale(p);
}

/* The interpolants of panels i-1 and i disagree at their shared edge. */
static bool edge_rough(const Rule *R, size_t i)
{
    double cl[GL_N], cr[GL_N], vl = 0.0, vr = 0.0;
    panel_coeffs(R, &R->p[i - 1], cl);
    panel_coeffs(R, &R->p[i], cr);
    for (int k = 0; k < GL_N; k++) {
        vl += cl[k];                       /* P_k(1) = 1 */
        vr += (k % 2 ? -1.0 : 1.0) * cr[k]; /* P_k(-1) = (-1)^k */
    }
    double s = fmax(panel_scale(&R->p[i - 1]), panel_scale(&R->p[i]));
    return fabs(vl - vr) > EDGE_TOL * s;
}

/* Shrinks [lo, hi] to the ZOOM_K cells around the largest ZOOM_K-th
 * difference of a grid, until the width is <= LOC_W. */
static bool zoom(Eval *ev, double *lo, double *hi)
{
    while (*hi - *lo > LOC_W) {
        double x[ZOOM_M + 1], d[ZOOM_M + 1], dx = (*hi - *lo) / ZOOM_M;
        for (int i = 0; i <= ZOOM_M; i++) {
            x[i] = i == ZOOM_M ? *hi : *lo + i * dx;
            d[i] = eval_f(ev, x[i]);
        }
        for (int k = 1; k <= ZOOM_K; k++)
            for (int i = 0; i + k <= ZOOM_M; i++)
                d[i] = d[i + 1] - d[i];
        int best = 0;
        for (int i = 1; i + ZOOM_K <= ZOOM_M; i++)
            if (fabs(d[i]) > fabs(d[best]))
                best = i;
        if (ev->nan || d[best] == 0.0)
            return false; /* locally a polynomial of degree < ZOOM_K */
        *lo = x[best];
        *hi = x[best + ZOOM_K];
    }
    return true;
}

/* Degree FIT_N-1 interpolant in Newton form through t[], y[]. */
typedef struct Fit {
    double t[FIT_N], a[FIT_N];
} Fit;

/* Returns max |y|. */
static double fit_make(Eval *ev, Fit *F, double t0, double step)
{
    double vs = 0.0;
    for (int k = 0; k < FIT_N; k++) {
        F->t[k] = t0 + k * step;
        F->a[k] = eval_f(ev, F->t[k]);
        vs = fmax(vs, fabs(F->a[k]));
    }
    for (int j = 1; j < FIT_N; j++)
        for (int k = FIT_N - 1; k >= j; k--)
            F->a[k] = (F->a[k] - F->a[k - 1]) / (F->t[k] - F->t[k - j]);
    return vs;
}

/* p(x), p'(x), p''(x) into v[0..2]. */
static void fit_at(const Fit *F, double x, double *v)
{
    double p = F->a[FIT_N - 1], dp = 0.0, ddp = 0.0;
    for (int k = FIT_N - 2; k >= 0; k--) {
        ddp = ddp * (x - F->t[k]) + 2.0 * dp;
        dp = dp * (x - F->t[k]) + p;
        p = p * (x - F->t[k]) + F->a[k];
    }
    v[0] = p;
    v[1] = dp;
    v[2] = ddp;
}

/* Whether the one-sided fits differ at z beyond their rounding: in value,
 * slope or curvature (steps s apart, values of size vs). */
static bool fits_differ(const Fit *L, const Fit *Rt, double z, double s,
                        double vs)
{
    double l[3], r[3];
    fit_at(L, z, l);
    fit_at(Rt, z, r);
    return fabs(l[0] - r[0]) > 1e-11 * vs ||
           fabs(l[1] - r[1]) * s > 1e-10 * vs ||
           fabs(l[2] - r[2]) * s * s > 1e-9 * vs;
}

/* Pins the kink in [lo, hi] (width <= LOC_W) by bisection between the fits
 * of the FIT_N points left of lo and right of hi. */
static bool pin(Eval *ev, double lo, double hi, double *z)
{
    double s = fmax(hi - lo, 0.5 * LOC_W) / (FIT_N - 1);
    Fit L, Rt;
    double vs = fmax(fit_make(ev, &L, lo - (FIT_N - 1) * s, s),
                     fit_make(ev, &Rt, hi, s));
    for (int it = 0; it < 64; it++) {
        double m = lo + 0.5 * (hi - lo), l[3], r[3];
        if (m <= lo || m >= hi || hi - lo <= 1e-16 * fmax(1.0, fabs(m)))
            break;
        double y = eval_f(ev, m);
        fit_at(&L, m, l);
        fit_at(&Rt, m, r);
        if (fabs(y - l[0]) <= fabs(y - r[0]))
            lo = m;
        else
            hi = m;
    }
    *z = lo + 0.5 * (hi - lo);
    return !ev->nan && fits_differ(&L, &Rt, *z, s, vs);
}

/* Splits the panel holding z strictly inside (beyond SNAP of its edges);
 * both halves and the next panel (whose left edge test saw the old
 * neighbour) are to be examined again. False when there is no such panel or
 * on OOM (*oom set). */
static bool split_at(Rule *R, double z, bool *oom)
{
    size_t i = 0;
    while (i < R->n && !(z < R->p[i].b))
        i++;
    if (i == R->n || !(z - R->p[i].a > SNAP && R->p[i].b - z > SNAP))
        return false;
    double b = R->p[i].b;
    R->p[i].b = z;
    R->p[i].done = false;
    panel_eval(R, &R->p[i]);
    if (!panel_insert(R, i + 1, z, b, true)) {
        *oom = true;
        return false;
    }
    if (i + 2 < R->n)
        R->p[i + 2].done = false;
    return true;
}

/* The ZOOM_K + 1 consecutive nodes of panel p around its largest
 * ZOOM_K-th divided difference times width^ZOOM_K (the undivided difference
 * for equal spacing). Zooming starts from the GL values rather than a fresh
 * grid, which could miss a narrow feature that the nodes saw. */
static void panel_focus(const Rule *R, const Panel *p, double *lo, double *hi)
{
    double x[GL_N], d[GL_N], best = -1.0;
    for (int q = 0; q < GL_N; q++) {
        x[q] = node_at(R, p, q);
        d[q] = p->f[q];
    }
    for (int k = 1; k <= ZOOM_K; k++)
        for (int q = 0; q + k < GL_N; q++)
            d[q] = (d[q + 1] - d[q]) / (x[q + k] - x[q]);
    for (int q = 0; q + ZOOM_K < GL_N; q++) {
        double w = x[q + ZOOM_K] - x[q];
        double m = fabs(d[q]) * pow(w, ZOOM_K);
        if (m > best) {
            best = m;
            *lo = x[q];
            *hi = x[q + ZOOM_K];
        }
    }
}

/* Candidate kink near panel i: in the gap around its left edge, else inside. */
static bool examine(Rule *R, size_t i, double *z)
{
    const Panel *p = &R->p[i];
    double lo, hi;
    if (i > 0 && !p->found && edge_rough(R, i)) {
        lo = node_at(R, &R->p[i - 1], GL_N - 1);
        hi = node_at(R, p, 0);
        if (zoom(&R->ev, &lo, &hi) && pin(&R->ev, lo, hi, z) &&
            !(fabs(*z - p->a) <= SNAP))
            return true;
    }
    if (!panel_rough(R, p))
        return false;
    panel_focus(R, p, &lo, &hi);
    return zoom(&R->ev, &lo, &hi) &&
           pin(&R->ev, lo, hi, z);
}

/* Distance of panel p from 0, where the Gaussian weight is largest. */
static double panel_dist(const Panel *p)
{
    return p->a > 0.0 ? p->a : p->b < 0.0 ? -p->b : 0.0;
}

/* The unexamined panel nearest 0 inside the detection window, or R->n. */
static size_t next_panel(const Rule *R)
{
    size_t best = R->n;
    for (size_t i = 0; i < R->n; i++) {
        const Panel *p = &R->p[i];
        if (p->done || panel_dist(p) >= DETECT_L || p->b - p->a <= MIN_PANEL)
            continue;
        if (best == R->n || panel_dist(p) < panel_dist(&R->p[best]))
            best = i;
    }
    return best;
}

/* Splits panels at detected kinks, nearest 0 first so that running out of
 * budget drops the least important ones; split panels are examined again
 * (they may hold several kinks). False only on allocation failure. */
static bool detect_kinks(Rule *R)
{
    long stop = R->ev.calls + DETECT_BUDGET;
    int splits = 0;
    bool oom = false;
    size_t i;
    while (!R->ev.nan && R->ev.calls < stop && splits < DETECT_SPLITS &&
           (i = next_panel(R)) < R->n) {
        double z;
        if (examine(R, i, &z) && split_at(R, z, &oom))
            splits++;
        else
            R->p[i].done = true;
        if (oom)
            return false;
    }
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
    Rule rule;
    double *a = NULL, *b = NULL;
    if (!rule_build(fn, &rule))
        return -1;
    if (!recurrence_factors(R, &a, &b)) {
        rule_free(&rule);
        return -1;
    }
    memset(mu, 0, ((size_t)R + 1) * sizeof *mu);
    for (size_t i = 0; i < rule.n && !rule.ev.nan; i++) {
        const Panel *p = &rule.p[i];
        double h = p->b - p->a;
        for (int q = 0; q < GL_N; q++) {
            double z = node_at(&rule, p, q);
            double c = 0.5 * h * rule.gw[q] * p->f[q] * exp(-0.25 * z * z) /
                       SQRT_2PI;
            if (c != 0.0)
                accumulate(z, c, R, a, b, mu);
        }
    }
    if (rule.ev.nan)
        for (int r = 0; r <= R; r++)
            mu[r] = NAN;
    free(a);
    free(b);
    rule_free(&rule);
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
    Rule rule;
    if (!rule_build(fn, &rule))
        return NAN;
    double sum = rule.ev.nan ? NAN : 0.0;
    for (size_t i = 0; i < rule.n && !rule.ev.nan; i++) {
        const Panel *p = &rule.p[i];
        for (int q = 0; q < GL_N; q++) {
            double z = node_at(&rule, p, q);
            sum += 0.5 * (p->b - p->a) * rule.gw[q] * p->f[q] *
                   hermite_s_pair(z, r, s);
        }
    }
    rule_free(&rule);
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
