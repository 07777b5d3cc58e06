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
#include "numeric/hermite.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/interrupt.h"

#define GL_N 32          /* Gauss-Legendre points per panel */
#define QUAD_L 40.0      /* integration interval [-L, L] */
#define QUAD_H 0.25      /* largest panel width */
#define SQRT_2PI 2.50662827463100050242

static const double PI = 3.14159265358979323846;

/* ------------------------------------------------------------ nodes */

/* n-point Gauss-Legendre nodes x[0..n) and weights w[..] on [-1, 1], by
 * Newton iteration on P_n from the Tricomi initial guesses (converges to
 * rounding in a handful of steps for n <= 32). */
static void gauss_legendre(int n, double *x, double *w)
{
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
    double H, detect; /* initial panel width, kink window |z| < detect */
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
        Panel *np = xrealloc(R->p, cap * sizeof *np);
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

static int breakpoints(const HermiteFn *fn, double L, double *bp);
static size_t panels_on(double a, double b, double H);
static bool detect_kinks(Rule *R);

static void rule_free(Rule *R)
{
    free(R->p);
    R->p = NULL;
    R->n = R->cap = 0;
}

/* Builds the rule for fn on [-L, L]: panels of width <= H between the
 * declared kinks, values of f, then kinks detected within |z| < detect.
 * False on allocation failure (R then empty). */
static bool rule_build_on(const HermiteFn *fn, double L, double H,
                          double detect, Rule *R)
{
    *R = (Rule){.ev = {fn, 0, false}, .H = H, .detect = detect};
    gauss_legendre(GL_N, R->gx, R->gw);
    legendre_table(R);
    int nk = fn->nkinks > 0 ? fn->nkinks : 0;
    double *bp = xmalloc(((size_t)nk + 2) * sizeof *bp);
    if (!bp)
        return false;
    int m = breakpoints(fn, L, bp);
    bool ok = true;
    for (int i = 0; ok && i + 1 < m; i++) {
        size_t p = panels_on(bp[i], bp[i + 1], H);
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
static int breakpoints(const HermiteFn *fn, double L, double *bp)
{
    int m = 0;
    bp[m++] = -L;
    for (int i = 0; i < fn->nkinks && fn->kinks; i++) {
        double k = fn->kinks[i];
        if (isfinite(k) && k > bp[m - 1] && k < L)
            bp[m++] = k;
    }
    bp[m++] = L;
    return m;
}

static size_t panels_on(double a, double b, double H)
{
    size_t p = (size_t)ceil((b - a) / H);
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
        if (p->done || panel_dist(p) >= R->detect || p->b - p->a <= MIN_PANEL)
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

/* The rule of hermite_coeffs and hermite_expect. */
static bool rule_build(const HermiteFn *fn, Rule *R)
{
    return rule_build_on(fn, QUAD_L, QUAD_H, DETECT_L, R);
}

/* Recurrence factors: a[r] = 1/sqrt(r+1), b[r] = sqrt(r/(r+1)), r < R. */
static bool recurrence_factors(int R, double **a, double **b)
{
    size_t n = (size_t)R + 1;
    *a = xmalloc(n * sizeof **a);
    *b = xmalloc(n * sizeof **b);
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

/* Each built-in activation with the entry of its derivative. */
static const struct {
    const char *name, *prime;
} DERIVATIVES[] = {
    {"relu", "step"},
    {"tanh", "tanh_prime"},
    {"sigmoid", "sigmoid_prime"},
    {"softplus", "softplus_prime"},
    {"quadratic", "quadratic_prime"},
};

const HermiteFn *hermite_builtin_prime(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof DERIVATIVES / sizeof DERIVATIVES[0]; i++)
        if (strcmp(DERIVATIVES[i].name, name) == 0)
            return hermite_builtin(DERIVATIVES[i].prime);
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
    double *nrm = S ? xmalloc((n ? n : 1) * sizeof *nrm) : NULL;
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

/* ------------------------------------------------------------ exact covariance
 *
 * Sigma_ij = <x_i, x_j> K(a_i, a_j, rho_ij) with a = |x_i|, rho the cosine of
 * the angle and K(a, b, rho) = E[f(a x) f(b y)], f = phi', for x, y standard
 * normal with correlation rho (w.x_i = a x, w.x_j = b y for w ~ N(0, I)).
 *
 * Series. Mehler's formula gives K = sum_r c_r(a) c_r(b) rho^r with
 * c_r(a) = E[f(a g) h_r(g)], the Hermite coefficients of f(a .), computed
 * once per distinct norm. By Cauchy-Schwarz the terms after r = R add at
 * most |rho|^(R+1) sqrt(T_a(R) T_b(R)), T_a(R) = E_a - sum_{r<=R} c_r(a)^2,
 * E_a = E[f(a g)^2] (Parseval), so each pair is summed up to the first R
 * where this bound is below COV_TOL sqrt(E_a E_b): a rigorous tail, up to
 * the rounding of T (counted as COV_ETA E). For smooth f and moderate norms
 * T falls to rounding within a few hundred terms (tanh' at a = 1: 4e-17 at
 * R = 200), so the series is exact at every rho, the diagonal included.
 *
 * Quadrature. Pairs the series cannot certify within the cap on R (|rho|
 * near 1 with slowly decaying coefficients: f with jumps or kinks, or large
 * norms, for which f(a .) is a narrow feature) are integrated directly:
 * K = int f(u) H(u) N(u; 0, a^2) du with H(u) = E[f(v) | u], v | u ~
 * N(b rho u / a, b^2 (1 - rho^2)), both by composite Gauss-Legendre over
 * panels that lie between the kinks of f and resolve f and the Gaussians,
 * or for a built-in f (no kinks, analytic near the real axis) by the
 * trapezoidal rule. Rows of one norm share K as a function of the angle,
 * which is tabulated when many of their pairs need the quadrature.
 *
 * f is phi' itself for the built-ins; for any other phi it is the
 * derivative of a piecewise Legendre model of phi (model_build).
 */

/* Series tail and quadrature target, relative to sqrt(E_a E_b). */
#define COV_TOL 1e-14
/* Relative rounding of E, hence of the tails T. */
#define COV_ETA 1e-15
/* Coefficient integrals over |z| <= 14, where e^{-z^2/4} < 6e-22. */
#define COV_Z 14.0
/* 2-D quadrature over 10 standard deviations (e^{-50}). */
#define COV_G 10.0
/* Gauss-Legendre points per panel of the 2-D quadrature. */
#define COV_GL 16
/* A built-in phi' is analytic within pi/2 of the real axis (sech^2 has its
 * poles there, the logistic ones at pi), so Gauss-Legendre on panels of
 * width w converges like rho^(-2n), rho = d + sqrt(d^2 + 1), d = pi / w:
 * 16 points on width 1 give 1e-26, 32 points on width 3 give 1e-25. */
#define COV_F_W16 1.0
#define COV_F_W32 3.0
#define COV_STRIP (PI / 2)
/* Rows whose norms agree to this share coefficients. */
#define COV_SAME 1e-14
/* The cost grows with the norm (panels resolve f(a z)). */
#define COV_MAX_NORM 1e3
/* A user phi is modelled over 15 times the largest norm, on panels first
 * MODEL_W wide (in units of min(1, largest norm)), rough ones halved down
 * to MODEL_MIN_W of that until their Legendre tail is below MODEL_TOL of
 * max |phi|, spending at most MODEL_BUDGET calls per unit of norm. */
#define MODEL_Z 15.0
#define MODEL_W 1.0
#define MODEL_MIN_W (1.0 / 4096)
#define MODEL_TOL 1e-14
#define MODEL_BUDGET 100000

/* f = phi': the function itself, or a model (panels [edge[i], edge[i+1]],
 * Legendre coefficients of f on each: len[i] <= DERIV_N of them, the
 * rest below rounding). kink[] lists the points where f or f' jumps,
 * ascending. */
#define DERIV_N (GL_N - 1)
typedef struct Deriv {
    const HermiteFn *exact;
    size_t np;
    double *edge, *coef;
    int *len;
    double *kink;
    size_t nk;
    double clen_a[DERIV_N], clen_b[DERIV_N]; /* Clenshaw factors */
} Deriv;

static void deriv_free(Deriv *D)
{
    free(D->edge);
    free(D->coef);
    free(D->len);
    free(D->kink);
    *D = (Deriv){0};
}

/* sum_{k<n} c[k] P_k(t) by Clenshaw's recurrence, with A[k] = (2k+1)/(k+1)
 * and B[k] = (k+1)/(k+2) from P_{k+1} = A_k t P_k - (k/(k+1)) P_{k-1}. */
static double legendre_sum(const double *c, int n, double t, const double *A,
                           const double *B)
{
    double b1 = 0.0, b2 = 0.0;
    for (int k = n - 1; k >= 1; k--) {
        double b0 = c[k] + A[k] * t * b1 - B[k] * b2;
        b2 = b1;
        b1 = b0;
    }
    return c[0] + t * b1 - 0.5 * b2;
}

/* Panel of the model holding x (the end panels beyond the edges). */
static size_t deriv_panel(const Deriv *D, double x)
{
    size_t lo = 0, hi = D->np; /* edge[lo] <= x < edge[hi], loosely */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (D->edge[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static double deriv_at(const Deriv *D, double x)
{
    if (D->exact)
        return D->exact->f(x, D->exact->ctx);
    size_t i = deriv_panel(D, x);
    double a = D->edge[i], b = D->edge[i + 1];
    return legendre_sum(D->coef + i * DERIV_N, D->len[i],
                        (2.0 * x - a - b) / (b - a), D->clen_a, D->clen_b);
}

/* ------------------------------------------------------------ break lists */

/* Points splitting an interval into panels of the composite rules. */
typedef struct Breaks {
    double *x;
    size_t n, cap;
    bool oom;
} Breaks;

static void breaks_add(Breaks *B, double x)
{
    if (B->oom)
        return;
    if (B->n == B->cap) {
        size_t cap = B->cap ? 2 * B->cap : 64;
        double *nx = xrealloc(B->x, cap * sizeof *nx);
        if (!nx) {
            B->oom = true;
            return;
        }
        B->x = nx;
        B->cap = cap;
    }
    B->x[B->n++] = x;
}

static int cmp_double(const void *p, const void *q)
{
    double a = *(const double *)p, b = *(const double *)q;
    return (a > b) - (a < b);
}

/* Keeps the points inside (lo, hi), adds lo and hi, sorts, drops
 * duplicates, then splits every gap wider than maxw evenly. */
static void breaks_close(Breaks *B, double lo, double hi, double maxw)
{
    size_t m = 0;
    for (size_t i = 0; i < B->n; i++)
        if (B->x[i] > lo && B->x[i] < hi)
            B->x[m++] = B->x[i];
    B->n = m;
    breaks_add(B, lo);
    breaks_add(B, hi);
    if (B->oom)
        return;
    qsort(B->x, B->n, sizeof *B->x, cmp_double);
    m = 1;
    for (size_t i = 1; i < B->n; i++)
        if (B->x[i] > B->x[m - 1])
            B->x[m++] = B->x[i];
    size_t total = 1;
    for (size_t i = 0; i + 1 < m; i++)
        total += (size_t)ceil((B->x[i + 1] - B->x[i]) / maxw);
    double *out = xmalloc(total * sizeof *out);
    if (!out) {
        B->oom = true;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i + 1 < m; i++) {
        size_t p = (size_t)ceil((B->x[i + 1] - B->x[i]) / maxw);
        p = p ? p : 1;
        for (size_t j = 0; j < p; j++)
            out[k++] =
                B->x[i] + (B->x[i + 1] - B->x[i]) * (double)j / (double)p;
    }
    out[k++] = B->x[m - 1];
    free(B->x);
    B->x = out;
    B->n = B->cap = k;
}

/* Adds the points inside (lo, hi) where f is not analytic or its
 * resolution changes: the kinks, and the model's edges or for an exact f
 * a grid of spacing w. Each piece between them is resolved by the
 * composite rules, so callers only add their own scales. */
static void deriv_breaks(const Deriv *D, double lo, double hi, double w,
                         Breaks *B)
{
    for (size_t k = 0; k < D->nk; k++)
        if (D->kink[k] > lo && D->kink[k] < hi)
            breaks_add(B, D->kink[k]);
    if (D->exact) {
        for (double g = ceil(lo / w); g * w < hi; g++)
            breaks_add(B, g * w);
        return;
    }
    for (size_t i = deriv_panel(D, lo) + 1; i < D->np && D->edge[i] < hi; i++)
        breaks_add(B, D->edge[i]);
}

/* ------------------------------------------------------------ model of phi'
 *
 * A user phi is sampled by the rule of hermite_coeffs over 15 times the
 * largest norm (kinks of phi and phi' detected and split at), panels whose
 * Legendre tail is still above rounding are halved, and the interpolant of
 * each panel is differentiated exactly (Legendre derivative recurrence).
 * Pointwise the derivative of an interpolant amplifies the rounding of the
 * samples by up to ~n^2 / h, but every use here integrates f against smooth
 * weights, where integration by parts shows the error stays at the size of
 * the samples' rounding (checked against closed forms in the tests).
 */

/* Halves the panels within the kink window whose Legendre tail is above
 * MODEL_TOL * max |phi| (smooth but steep parts of phi, and kinks the
 * detection left), down to MODEL_MIN_W of the initial width and within a
 * budget of calls; false on OOM. */
static bool model_refine(Rule *R, long budget)
{
    long stop = R->ev.calls + budget;
    for (size_t i = 0; i < R->n && !R->ev.nan && R->ev.calls < stop;) {
        Panel *p = &R->p[i];
        double c[GL_N], tail = 0.0;
        panel_coeffs(R, p, c);
        for (int k = GL_N - GL_N / 4; k < GL_N; k++)
            tail = fmax(tail, fabs(c[k]));
        if (panel_dist(p) >= R->detect || p->b - p->a <= MODEL_MIN_W * R->H ||
            tail <= MODEL_TOL * panel_scale(p)) {
            i++;
            continue;
        }
        double a = p->a, b = p->b, mid = 0.5 * (a + b);
        p->b = mid;
        panel_eval(R, p);
        if (!panel_insert(R, i + 1, mid, b, false))
            return false;
    }
    return true;
}

/* d[0..n-2]: Legendre coefficients of the derivative of sum c_k P_k,
 * d_k = (2k+1) (c_{k+1} + d_{k+2} / (2k+5)). */
static void legendre_derivative(const double *c, int n, double *d)
{
    double d1 = 0.0, d2 = 0.0; /* d_{k+1}, d_{k+2} */
    for (int k = n - 2; k >= 0; k--) {
        double dk = (2.0 * k + 1.0) * (c[k + 1] + d2 / (2.0 * k + 5.0));
        d[k] = dk;
        d2 = d1;
        d1 = dk;
    }
}

/* Values at t = 1 (right end) and t = -1 (left end) of sum c_k P_k. */
static double legendre_right(const double *c, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += c[k];
    return s;
}

static double legendre_left(const double *c, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += (k % 2 ? -c[k] : c[k]);
    return s;
}

static double abs_sum(const double *c, int n)
{
    double s = 0.0;
    for (int k = 0; k < n; k++)
        s += fabs(c[k]);
    return s;
}

/* Whether the pieces left and right of an edge (coefficients on [-1, 1])
 * meet there: values within tol of their size. */
static bool pieces_meet(const double *l, int nl, const double *r, int nr,
                        double tol)
{
    double s = fmax(abs_sum(l, nl), abs_sum(r, nr));
    return fabs(legendre_right(l, nl) - legendre_left(r, nr)) <= tol * s;
}

/* Right-end (t = 1) or left-end value of the derivative (in t) of
 * sum_{k<n} c_k P_k. */
static double legendre_slope_at(const double *c, int n, bool right)
{
    double d[DERIV_N];
    if (n < 2)
        return 0.0;
    legendre_derivative(c, n, d);
    return right ? legendre_right(d, n - 1) : legendre_left(d, n - 1);
}

/* Drops the trailing Legendre coefficients of phi on a panel that are at
 * the rounding of its samples: c_k = sum_q (2k+1)/2 w_q P_k(x_q) phi_q
 * carries about (2k+1) eps max |phi| of it (eps ~ 2e-16); returns how many
 * remain.
 * Differentiation multiplies coefficient k by up to k^2, so left in, that
 * noise would reach 1e-12 of phi' near the panel ends; smooth panels keep
 * ~20 terms, a linear piece of phi 2. */
static int chop_noise(double *c, double scale)
{
    int n = GL_N;
    while (n > 1 && fabs(c[n - 1]) <= 2e-16 * (2.0 * n - 1.0) * scale)
        c[--n] = 0.0;
    return n;
}

static bool declared_kink(const HermiteFn *fn, double z)
{
    for (int k = 0; k < fn->nkinks && fn->kinks; k++)
        if (fn->kinks[k] == z)
            return true;
    return false;
}

/* The derivative pieces of the model of psi(z) = phi(s z): coefficients of
 * psi per panel (chopped), differentiated, and scaled by 2/h for the panel
 * and 1/s for phi'(u) = psi'(u / s) / s; edges in u = s z. */
static void model_pieces(const Rule *R, double s, Deriv *D, double (*c)[GL_N])
{
    for (size_t i = 0; i < R->n; i++) {
        const Panel *p = &R->p[i];
        D->edge[i] = s * p->a;
        panel_coeffs(R, p, c[i]);
        int n = chop_noise(c[i], panel_scale(p));
        double *d = D->coef + i * DERIV_N;
        legendre_derivative(c[i], GL_N, d);
        for (int k = 0; k < DERIV_N; k++)
            d[k] *= 2.0 / ((p->b - p->a) * s);
        D->len[i] = n > 1 ? n - 1 : 1;
    }
    D->edge[R->n] = s * R->p[R->n - 1].b;
    for (int k = 0; k < DERIV_N; k++) {
        D->clen_a[k] = (2.0 * k + 1.0) / (k + 1.0);
        D->clen_b[k] = (k + 1.0) / (k + 2.0);
    }
}

/* Whether f or f' breaks at the edge between model panels i-1 and i. The
 * model carries rounding of about n^2 eps |phi| / h in f and n^4 eps |phi|
 * / h^2 in f' (n the terms kept, |phi| the size of the samples), far below
 * the thresholds here; a jump or kink of f exceeds them by orders. (A kink
 * of phi' inside a panel is split at by the detection; this catches those
 * that fall on an edge, where the detection cannot see them.) */
static bool edge_breaks(const Rule *R, const Deriv *D, size_t i)
{
    const double *fl = D->coef + (i - 1) * DERIV_N, *fr = D->coef + i * DERIV_N;
    int nl = D->len[i - 1], nr = D->len[i];
    double hl = D->edge[i] - D->edge[i - 1], hr = D->edge[i + 1] - D->edge[i];
    double h = fmin(hl, hr);
    double size = fmax(panel_scale(&R->p[i - 1]), panel_scale(&R->p[i]));
    double jump = fabs(legendre_right(fl, nl) - legendre_left(fr, nr));
    double bend = fabs(2.0 / hl * legendre_slope_at(fl, nl, true) -
                       2.0 / hr * legendre_slope_at(fr, nr, false));
    return jump > 1e-9 * size / h || bend > 1e-7 * size / (h * h);
}

/* Fills D from the rule for psi(z) = phi(s z): derivative pieces per panel
 * and the kinks (edges found or declared as kinks, and edges where f or f'
 * breaks). Reports a jump of phi itself (then phi' is not a function) with
 * *where. */
static CovStatus model_fill(const Rule *R, double s, Deriv *D, double *where)
{
    D->np = R->n;
    D->edge = xmalloc((R->n + 1) * sizeof *D->edge);
    D->coef = xmalloc(R->n * DERIV_N * sizeof *D->coef);
    D->len = xmalloc(R->n * sizeof *D->len);
    D->kink = xmalloc((R->n + 1) * sizeof *D->kink);
    double (*c)[GL_N] = xmalloc(R->n * sizeof *c);
    if (!D->edge || !D->coef || !D->len || !D->kink || !c) {
        free(c);
        return COV_NOMEM;
    }
    model_pieces(R, s, D, c);
    CovStatus st = COV_OK;
    for (size_t i = 1; i < R->n && st == COV_OK; i++) {
        if (panel_dist(&R->p[i]) >= R->detect)
            continue;
        if (!pieces_meet(c[i - 1], GL_N, c[i], GL_N, 1e-9)) {
            *where = D->edge[i];
            st = COV_JUMP;
        } else if (R->p[i].found || declared_kink(R->ev.fn, R->p[i].a) ||
                   edge_breaks(R, D, i)) {
            D->kink[D->nk++] = D->edge[i];
        }
    }
    free(c);
    return st;
}

/* phi at s z, with phi's kinks divided by s. */
typedef struct ScaledFn {
    const HermiteFn *phi;
    double s;
} ScaledFn;

static double scaled_at(double z, void *ctx)
{
    const ScaledFn *sc = ctx;
    return sc->phi->f(sc->s * z, sc->phi->ctx);
}

/* The model of phi' for rows of norm up to amax > 0, over |u| <= MODEL_Z
 * amax with kinks looked for within |u| < 12 amax. phi is sampled as
 * psi(z) = phi(s z), s = min(1, amax): the kink detection's absolute
 * scales (zoom and pinning widths, 1e-3 and below) then stay relative to
 * the rows when all norms are small, and to phi's own unit scale
 * otherwise. Panels start MODEL_W wide in z. */
static CovStatus model_build(const HermiteFn *act, double amax, Deriv *D,
                             double *where)
{
    *D = (Deriv){0};
    double s = fmin(1.0, amax), L = MODEL_Z * amax / s;
    int nk = act->kinks && act->nkinks > 0 ? act->nkinks : 0;
    double *kinks = xmalloc((nk ? (size_t)nk : 1) * sizeof *kinks);
    if (!kinks)
        return COV_NOMEM;
    for (int k = 0; k < nk; k++)
        kinks[k] = act->kinks[k] / s;
    ScaledFn sc = {act, s};
    HermiteFn psi = {scaled_at, &sc, kinks, nk};
    Rule R;
    CovStatus st = COV_NOMEM;
    if (rule_build_on(&psi, L, MODEL_W, DETECT_L * amax / s, &R)) {
        long budget = (long)(MODEL_BUDGET * fmax(1.0, amax));
        st = model_refine(&R, budget) ? COV_OK : COV_NOMEM;
        if (st == COV_OK && R.ev.nan)
            st = COV_NAN;
        if (st == COV_OK)
            st = model_fill(&R, s, D, where);
        rule_free(&R);
    }
    free(kinks);
    if (st != COV_OK)
        deriv_free(D);
    return st;
}

/* f = dphi exactly: its kinks, checked ascending and finite. */
static CovStatus deriv_exact(const HermiteFn *dphi, Deriv *D)
{
    *D = (Deriv){.exact = dphi};
    size_t nk = dphi->kinks && dphi->nkinks > 0 ? (size_t)dphi->nkinks : 0;
    D->kink = xmalloc((nk ? nk : 1) * sizeof *D->kink);
    if (!D->kink)
        return COV_NOMEM;
    for (size_t k = 0; k < nk; k++) {
        double z = dphi->kinks[k];
        if (isfinite(z) && (D->nk == 0 || z > D->kink[D->nk - 1]))
            D->kink[D->nk++] = z;
    }
    return COV_OK;
}

/* ------------------------------------------------------------ series */

/* The coefficients of f(a .): c[0..R], E = E[f(a g)^2] and
 * tn[r] = sqrt((T(r) + COV_ETA E) / E), the tail bound factor. */
typedef struct NormSeries {
    double a, E;
    int R;
    double *c, *tn;
} NormSeries;

/* Panel width (in z) on which 32-point Gauss-Legendre integrates
 * h_r(z) e^{-z^2/4} e^{-z^2/4} to rounding for r <= R. The Hermite
 * functions oscillate with wavenumber <= sqrt(R), so a panel of width w
 * holds a phase of at most sqrt(R) w = 30, i.e. e^{i omega t} on [-1, 1]
 * with omega <= 15, which n = 32 points integrate with an error near
 * (e omega / 4n)^(2n) < 1e-30; width 3 resolves the Gaussian itself. */
static double hermite_width(int R)
{
    return fmin(3.0, 30.0 / sqrt(R + 1.0));
}

/* Adds sum_q c[q] s_r(z[q]) to mu[r], r = 0..R, for the GL_N nodes of a
 * panel: the recurrence of accumulate() run across the nodes in lockstep.
 * Written four nodes at a time with four partial sums, which the compiler
 * turns into vector code at -O2 (five times faster than one node a time). */
static void accumulate_panel(const double *z, const double *c, int R,
                             const double *a, const double *b, double *mu)
{
    double s[GL_N], sm[GL_N], sum = 0.0;
    for (int q = 0; q < GL_N; q++) {
        s[q] = exp(-0.25 * z[q] * z[q]);
        sm[q] = 0.0;
        sum += c[q] * s[q];
    }
    mu[0] += sum;
    for (int r = 0; r < R; r++) {
        double ar = a[r], br = b[r], p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0;
        for (int q = 0; q < GL_N; q += 4) {
            double n0 = ar * z[q] * s[q] - br * sm[q];
            double n1 = ar * z[q + 1] * s[q + 1] - br * sm[q + 1];
            double n2 = ar * z[q + 2] * s[q + 2] - br * sm[q + 2];
            double n3 = ar * z[q + 3] * s[q + 3] - br * sm[q + 3];
            sm[q] = s[q];
            sm[q + 1] = s[q + 1];
            sm[q + 2] = s[q + 2];
            sm[q + 3] = s[q + 3];
            s[q] = n0;
            s[q + 1] = n1;
            s[q + 2] = n2;
            s[q + 3] = n3;
            p0 += c[q] * n0;
            p1 += c[q + 1] * n1;
            p2 += c[q + 2] * n2;
            p3 += c[q + 3] * n3;
        }
        mu[r + 1] += (p0 + p1) + (p2 + p3);
    }
}

/* c[0..R] and E for norm a > 0 by the composite rule in u = a z over
 * |z| <= COV_Z, split where f needs it. False on OOM. */
static bool norm_coeffs(const Deriv *D, const double *gx, const double *gw,
                        int R, NormSeries *s)
{
    double a = s->a, *ra = NULL, *rb = NULL;
    Breaks B = {0};
    deriv_breaks(D, -COV_Z * a, COV_Z * a, COV_F_W32, &B);
    breaks_close(&B, -COV_Z * a, COV_Z * a, a * hermite_width(R));
    bool ok = !B.oom && recurrence_factors(R, &ra, &rb);
    if (ok) {
        memset(s->c, 0, ((size_t)R + 1) * sizeof *s->c);
        s->E = 0.0;
        for (size_t i = 0; i + 1 < B.n; i++) {
            double h = (B.x[i + 1] - B.x[i]) / a; /* in z */
            double z[GL_N], c[GL_N];
            for (int q = 0; q < GL_N; q++) {
                z[q] = B.x[i] / a + 0.5 * h * (gx[q] + 1.0);
                double f = deriv_at(D, a * z[q]),
                       w = 0.5 * h * gw[q] / SQRT_2PI;
                /* the other e^{-z^2/4} rides along the recurrence */
                double e = exp(-0.25 * z[q] * z[q]);
                c[q] = w * f * e;
                s->E += c[q] * f * e;
            }
            accumulate_panel(z, c, R, ra, rb, s->c);
        }
        free(ra);
        free(rb);
    }
    free(B.x);
    return ok;
}

static void norm_tails(NormSeries *s)
{
    double t = s->E;
    for (int r = 0; r <= s->R; r++) {
        t -= s->c[r] * s->c[r];
        s->tn[r] =
            s->E > 0.0 ? sqrt((fmax(t, 0.0) + COV_ETA * s->E) / s->E) : 0.0;
    }
}

/* The coefficients of s to order R (a fresh computation: the panels
 * depend on R). */
static bool norm_order(const Deriv *D, const double *gx, const double *gw,
                       int R, NormSeries *s)
{
    double *c = xrealloc(s->c, ((size_t)R + 1) * sizeof *c);
    if (c)
        s->c = c;
    double *tn = xrealloc(s->tn, ((size_t)R + 1) * sizeof *tn);
    if (tn)
        s->tn = tn;
    if (!c || !tn)
        return false;
    s->R = R;
    if (!norm_coeffs(D, gx, gw, R, s))
        return false;
    norm_tails(s);
    return true;
}

/* Coefficients up to at most Rwant, doubling from 64 and stopping once the
 * tail is at rounding (extend_series adds terms where a partner needs
 * them). */
static bool norm_series(const Deriv *D, const double *gx, const double *gw,
                        int Rwant, NormSeries *s)
{
    for (int R = Rwant < 64 ? Rwant : 64;; R = 2 * R < Rwant ? 2 * R : Rwant) {
        if (!norm_order(D, gx, gw, R, s))
            return false;
        if (R == Rwant || s->tn[R] * s->tn[R] <= 2.0 * COV_ETA)
            return true;
    }
}

/* Smallest R whose tail bound |rho|^(R+1) tn_p[R] tn_q[R] is below
 * COV_TOL, or -1. (A scan: most pairs stop within a few dozen terms.) */
static int pair_order(const NormSeries *p, const NormSeries *q, double rho)
{
    int R = p->R < q->R ? p->R : q->R;
    double x = fabs(rho), pw = x;
    for (int r = 0; r <= R; r++, pw *= x)
        if (pw * p->tn[r] * q->tn[r] <= COV_TOL)
            return r;
    return -1;
}

/* |rho|^(r+1) tp tq for log|rho| = lx and tail factors tp, tq: the bound
 * on the terms after r. */
static double tail_bound(double lx, int r, double tp, double tq)
{
    return exp((r + 1.0) * lx) * tp * tq;
}

/* The order r in (shrt->R, lng->R] at which the pair would be certified
 * if the short series were extended (its tail factor then at most
 * tn[shrt->R]), or -1. Every factor of the bound falls with r (the tails
 * are running differences of non-negative terms, monotone also in
 * rounding), so bisection finds r. */
static int extended_order(const NormSeries *lng, const NormSeries *shrt,
                          double rho)
{
    int lo = shrt->R, hi = lng->R;
    double lx = log(fabs(rho)), floor = shrt->tn[shrt->R];
    if (hi <= lo || tail_bound(lx, hi, lng->tn[hi], floor) > COV_TOL)
        return -1;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (tail_bound(lx, mid, lng->tn[mid], floor) <= COV_TOL)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

static double pair_series(const NormSeries *p, const NormSeries *q, double rho,
                          int R)
{
    double s = 0.0;
    for (int r = R; r >= 0; r--)
        s = s * rho + p->c[r] * q->c[r];
    return s;
}

/* ------------------------------------------------------------ quadrature */

typedef struct PairQuad {
    const Deriv *D;
    const double *gx, *gw; /* COV_GL-point rule */
    double a;              /* outer u ~ N(0, a^2) */
    double slope, sigma;   /* inner v | u ~ N(slope u, sigma^2) */
    bool oom;
} PairQuad;

/* H(u) = E[f(m + sigma g)] over |g| <= COV_G, panels of width <= 2 (the
 * Gaussian) between the breaks of f mapped to g. Integrating in g keeps
 * the weights exact even when sigma is down at the rounding of m. */
static double inner_expect(PairQuad *P, double m)
{
    if (P->sigma == 0.0)
        return deriv_at(P->D, m);
    double s = 0.0;
    Breaks B = {0};
    deriv_breaks(P->D, m - COV_G * P->sigma, m + COV_G * P->sigma, COV_F_W16,
                 &B);
    for (size_t i = 0; i < B.n; i++)
        B.x[i] = (B.x[i] - m) / P->sigma;
    breaks_close(&B, -COV_G, COV_G, 2.0);
    P->oom = P->oom || B.oom;
    for (size_t i = 0; !B.oom && i + 1 < B.n; i++) {
        double h = B.x[i + 1] - B.x[i];
        for (int q = 0; q < COV_GL; q++) {
            double g = B.x[i] + 0.5 * h * (P->gx[q] + 1.0);
            s += 0.5 * h * P->gw[q] * deriv_at(P->D, m + P->sigma * g) *
                 exp(-0.5 * g * g);
        }
    }
    free(B.x);
    return s / SQRT_2PI;
}

/* Outer breaks: those of f(u), those of f mapped through m = slope u (H
 * follows f there when sigma is small), and around each mapped kink, where
 * H turns over a width w = sigma / |slope|, panels growing from w. */
static void outer_breaks(const PairQuad *P, double L, Breaks *B)
{
    deriv_breaks(P->D, -L, L, COV_F_W16, B);
    double k = fabs(P->slope);
    if (k == 0.0)
        return;
    Breaks M = {0};
    deriv_breaks(P->D, -k * L, k * L, COV_F_W16, &M);
    for (size_t i = 0; i < M.n; i++)
        breaks_add(B, M.x[i] / P->slope);
    free(M.x);
    B->oom = B->oom || M.oom;
    double w = P->sigma / k, base = fmin(COV_F_W16 / k, 2.0 * P->a);
    for (size_t i = 0; i < P->D->nk; i++) {
        double uk = P->D->kink[i] / P->slope;
        if (fabs(uk) >= L)
            continue;
        /* below 1e-13 of the panel a sharper turn costs under 1e-13 */
        for (double d = fmax(w, 1e-13 * base); w > 0.0 && d < base; d *= 2.0) {
            breaks_add(B, uk - d);
            breaks_add(B, uk + d);
        }
    }
}

/* Step of the trapezoidal rule on R for e^{-t^2/2} G(t), G analytic
 * within tau of the real axis. The error is about 2 M(y) e^{-2 pi y / h}
 * for any y < tau, M(y) <= e^{y^2/2} int e^{-t^2/2} |G(t + i y)| dt; with
 * y = 0.9 tau (|G| there within ~40 of its real size for a pole at tau)
 * the step below keeps -2 pi y / h + y^2 / 2 under -45, and never above
 * pi sqrt(2/45), where the Gaussian alone (y = 2 pi / h) is resolved. */
static double trapezoid_step(double tau)
{
    double y = 0.9 * tau, h = PI * sqrt(2.0 / 45.0);
    if (y < 2.0 * PI / h)
        h = fmin(h, 2.0 * PI * y / (45.0 + 0.5 * y * y));
    return h;
}

/* E[f(m + sigma g)] by the trapezoidal rule (f without kinks). */
static double inner_trapezoid(const Deriv *D, double m, double sigma)
{
    if (sigma == 0.0)
        return deriv_at(D, m);
    double h = trapezoid_step(COV_STRIP / sigma), s = 0.0;
    for (double k = -floor(COV_G / h); k * h <= COV_G; k++)
        s += deriv_at(D, m + sigma * k * h) * exp(-0.5 * (k * h) * (k * h));
    return s * h / SQRT_2PI;
}

/* K for a built-in f without kinks, analytic within COV_STRIP of the real
 * axis: outer t = u / a and inner g both by the trapezoidal rule, which
 * converges geometrically for such integrands and needs a fraction of the
 * nodes of Gauss-Legendre panels (their weights must resolve e^{-t^2/2}). */
static double pair_trapezoid(const Deriv *D, double a, double slope,
                             double sigma)
{
    double h = trapezoid_step(COV_STRIP / a), s = 0.0;
    for (double k = -floor(COV_G / h); k * h <= COV_G; k++) {
        double t = k * h, fu = deriv_at(D, a * t);
        if (fu != 0.0)
            s += fu * inner_trapezoid(D, slope * a * t, sigma) *
                 exp(-0.5 * t * t);
    }
    return s * h / SQRT_2PI;
}

/* K(a, b, rho) with s = sqrt(1 - rho^2) given (accurate near |rho| = 1),
 * by the conditional form above; the wider row is the outer one, so the
 * inner Gaussian is the narrower. NaN on OOM. */
static double pair_quadrature(const Deriv *D, const double *gx,
                              const double *gw, double a, double b, double rho,
                              double s)
{
    if (b > a) {
        double t = a;
        a = b;
        b = t;
    }
    if (D->exact && D->nk == 0)
        return pair_trapezoid(D, a, b * rho / a, b * s);
    PairQuad P = {D, gx, gw, a, b * rho / a, b * s, false};
    double L = COV_G * a, sum = 0.0;
    Breaks B = {0};
    outer_breaks(&P, L, &B);
    breaks_close(&B, -L, L, 2.0 * a);
    for (size_t i = 0; !B.oom && i + 1 < B.n; i++) {
        double h = B.x[i + 1] - B.x[i];
        for (int q = 0; q < COV_GL; q++) {
            double u = B.x[i] + 0.5 * h * (gx[q] + 1.0), t = u / a;
            double fu = deriv_at(D, u);
            if (fu != 0.0)
                sum += 0.5 * h * gw[q] * fu * inner_expect(&P, P.slope * u) *
                       exp(-0.5 * t * t);
        }
    }
    bool oom = B.oom || P.oom;
    free(B.x);
    return oom ? NAN : sum / (a * SQRT_2PI);
}

/* ------------------------------------------------------------ angle tables
 *
 * For rows of one norm a (unit rows above all) K(a, a, rho) depends on the
 * angle alone. Where many of their pairs need the quadrature, K is
 * tabulated instead: piecewise Chebyshev interpolation in theta (in
 * pi - theta for rho < 0) over [0, theta_max], pieces halved until their
 * last two coefficients are below COV_TOL E_a. K is analytic in theta there
 * even for f with jumps (d/dtheta of an orthant probability of the
 * bivariate normal is a Gaussian), so a few pieces suffice; a table that
 * does not converge within TABLE_DEPTH halvings is dropped.
 */

/* Chebyshev-Lobatto points per piece; quadrature pairs of one norm that
 * pay for a table; most halvings of a piece. */
#define TABLE_N 33
#define TABLE_MIN 200
#define TABLE_DEPTH 6

typedef struct AngleTable {
    size_t np;
    double *brk;  /* np + 1 ascending piece edges */
    double *coef; /* TABLE_N Chebyshev coefficients per piece */
} AngleTable;

typedef struct TableBuild {
    const Deriv *D;
    const double *qx, *qw;
    double a, sign, tol;
    AngleTable *T;
    size_t cap;
    bool fail;
} TableBuild;

static void table_free(AngleTable *T)
{
    free(T->brk);
    free(T->coef);
    *T = (AngleTable){0};
}

/* c[0..TABLE_N) of the interpolant through v[k] at x_k = cos(pi k / n),
 * n = TABLE_N - 1: c_j = (2/n) sum'' v_k cos(pi j k / n), c_0 and c_n
 * halved. */
static void cheb_coeffs(const double *v, double *c)
{
    const int n = TABLE_N - 1;
    for (int j = 0; j <= n; j++) {
        double s = 0.5 * (v[0] + (j % 2 ? -v[n] : v[n]));
        for (int k = 1; k < n; k++)
            s += v[k] * cos(PI * j * k / n);
        c[j] = (j == 0 || j == n ? 1.0 : 2.0) * s / n;
    }
}

static void table_append(TableBuild *B, double lo, double hi, const double *c)
{
    AngleTable *T = B->T;
    if (T->np + 1 >= B->cap) {
        size_t cap = B->cap ? 2 * B->cap : 8;
        double *brk = xrealloc(T->brk, cap * sizeof *brk);
        if (brk)
            T->brk = brk;
        double *coef = xrealloc(T->coef, cap * TABLE_N * sizeof *coef);
        if (coef)
            T->coef = coef;
        if (!brk || !coef) {
            B->fail = true;
            return;
        }
        B->cap = cap;
    }
    T->brk[T->np] = lo;
    T->brk[T->np + 1] = hi;
    memcpy(T->coef + T->np * TABLE_N, c, TABLE_N * sizeof *c);
    T->np++;
}

/* Interpolates K on [lo, hi], halving until converged (left piece first,
 * so the pieces come out ascending). */
static void table_piece(TableBuild *B, double lo, double hi, int depth)
{
    double v[TABLE_N], c[TABLE_N];
    for (int k = 0; k < TABLE_N && !B->fail; k++) {
        double t =
            0.5 * (lo + hi) + 0.5 * (hi - lo) * cos(PI * k / (TABLE_N - 1));
        v[k] = pair_quadrature(B->D, B->qx, B->qw, B->a, B->a, B->sign * cos(t),
                               sin(t));
        B->fail = isnan(v[k]);
    }
    if (B->fail)
        return;
    cheb_coeffs(v, c);
    if (fmax(fabs(c[TABLE_N - 1]), fabs(c[TABLE_N - 2])) <= B->tol) {
        table_append(B, lo, hi, c);
    } else if (depth >= TABLE_DEPTH) {
        B->fail = true;
    } else {
        table_piece(B, lo, 0.5 * (lo + hi), depth + 1);
        if (!B->fail)
            table_piece(B, 0.5 * (lo + hi), hi, depth + 1);
    }
}

/* The table of K(a, a, sign cos t) for t in [0, tmax]; T->np = 0 when it
 * did not converge. */
static void table_build(const Deriv *D, const double *qx, const double *qw,
                        double a, double sign, double E, double tmax,
                        AngleTable *T)
{
    TableBuild B = {D, qx, qw, a, sign, COV_TOL * E, T, 0, false};
    table_piece(&B, 0.0, tmax, 0);
    if (B.fail)
        table_free(T);
}

/* K at t from the table, or NaN outside it. */
static double table_at(const AngleTable *T, double t)
{
    if (T->np == 0 || t < T->brk[0] || t > T->brk[T->np])
        return NAN;
    size_t i = 0;
    while (i + 1 < T->np && t >= T->brk[i + 1])
        i++;
    double lo = T->brk[i], hi = T->brk[i + 1],
           x = (2.0 * t - lo - hi) / (hi - lo);
    const double *c = T->coef + i * TABLE_N;
    double b1 = 0.0, b2 = 0.0;
    for (int k = TABLE_N - 1; k >= 1; k--) {
        double b0 = c[k] + 2.0 * x * b1 - b2;
        b2 = b1;
        b1 = b0;
    }
    return c[0] + x * b1 - b2;
}

/* ------------------------------------------------------------ assembly */

typedef struct CovWork {
    Deriv D;
    double gx[GL_N], gw[GL_N];     /* coefficient integrals */
    double qx[COV_GL], qw[COV_GL]; /* 2-D quadrature */
    size_t n, d;
    double *norm;                  /* row norms */
    size_t *group;                 /* row -> its norm's series */
    NormSeries *ser;
    size_t nser;
    AngleTable *table;             /* 2 per norm: rho > 0, rho < 0 */
    Matrix *G, *Xt;                /* X X', rows of X as columns */
} CovWork;

static void work_free(CovWork *W)
{
    deriv_free(&W->D);
    for (size_t g = 0; g < W->nser; g++) {
        free(W->ser[g].c);
        free(W->ser[g].tn);
    }
    for (size_t k = 0; W->table && k < 2 * W->nser; k++)
        table_free(&W->table[k]);
    free(W->table);
    free(W->ser);
    free(W->norm);
    free(W->group);
    mat_unref(W->G);
    mat_unref(W->Xt);
}

static double cos_of(const CovWork *W, size_t i, size_t j)
{
    double r = MAT_AT(W->G, i, j) / (W->norm[i] * W->norm[j]);
    return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

/* Terms the series of row i may need: enough for its most parallel
 * partner even if the coefficients did not decay (T <= E). */
static int order_wanted(const CovWork *W, size_t i, int Rcap)
{
    double top = 0.0;
    for (size_t j = 0; j < W->n; j++)
        if (j != i && W->norm[j] > 0.0)
            top = fmax(top, fabs(cos_of(W, i, j)));
    if (top >= 1.0)
        return Rcap;
    if (top <= 0.0)
        return 0;
    double R = ceil(log(COV_TOL) / log(top));
    return R < Rcap ? (int)R : Rcap;
}

typedef struct RowNorm {
    double norm; /* first, so cmp_double orders by it */
    size_t row;
} RowNorm;

/* A series stops once its own tail is at rounding, but a pair with a row
 * whose series runs longer (a larger norm) may be certified only at an
 * order above that: extends each group to the largest order its pairs can
 * use, so they are summed rather than integrated. */
static bool extend_series(CovWork *W)
{
    int *need = xmalloc((W->nser ? W->nser : 1) * sizeof *need);
    if (!need)
        return false;
    for (size_t g = 0; g < W->nser; g++)
        need[g] = W->ser[g].R;
    for (size_t j = 0; j < W->n; j++)
        for (size_t i = j + 1; i < W->n; i++) {
            size_t gi = W->group[i], gj = W->group[j];
            const NormSeries *p = &W->ser[gi], *q = &W->ser[gj];
            if (W->norm[i] == 0.0 || W->norm[j] == 0.0 || p->R == q->R ||
                pair_order(p, q, cos_of(W, i, j)) >= 0)
                continue;
            double rho = cos_of(W, i, j);
            size_t gs = p->R < q->R ? gi : gj;
            int r = p->R < q->R ? extended_order(q, p, rho)
                                : extended_order(p, q, rho);
            need[gs] = r > need[gs] ? r : need[gs];
        }
    bool ok = true;
    for (size_t g = 0; ok && g < W->nser; g++)
        if (need[g] > W->ser[g].R)   /* a series can take a while: Ctrl-C ends it */
            ok = !interrupt_pending() && norm_order(&W->D, W->gx, W->gw, need[g], &W->ser[g]);
    free(need);
    return ok;
}

/* Groups the non-zero rows by norm (within COV_SAME) and computes each
 * group's series, to the order its rows need. */
static bool build_series(CovWork *W, int Rcap)
{
    size_t n = W->n;
    RowNorm *by = xmalloc((n ? n : 1) * sizeof *by);
    int *want = xmalloc((n ? n : 1) * sizeof *want);
    W->ser = xcalloc(n ? n : 1, sizeof *W->ser);
    if (!by || !want || !W->ser) {
        free(by);
        free(want);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        by[i] = (RowNorm){W->norm[i], i};
        want[i] = W->norm[i] > 0.0 ? order_wanted(W, i, Rcap) : 0;
    }
    qsort(by, n, sizeof *by, cmp_double);
    bool ok = true;
    for (size_t k = 0; ok && k < n;) {
        size_t end = k;
        int R = 0;
        while (end < n && by[end].norm - by[k].norm <= COV_SAME * by[k].norm) {
            W->group[by[end].row] = W->nser;
            R = want[by[end].row] > R ? want[by[end].row] : R;
            end++;
        }
        NormSeries *s = &W->ser[W->nser++];
        s->a = by[k].norm;
        ok = !interrupt_pending() &&
             (s->a == 0.0 || norm_series(&W->D, W->gx, W->gw, R, s));
        k = end;
    }
    free(by);
    free(want);
    return ok && extend_series(W);
}

/* Cosine and sine of the angle between rows i and j from p = |u + v|^2
 * and m = |u - v|^2 (u, v the unit rows): c = (p - m) / (p + m),
 * s = 2 sqrt(p m) / (p + m), accurate near 0 and pi and exactly 0 for
 * parallel or opposite rows. */
static void pair_angle(const CovWork *W, size_t i, size_t j, double *c,
                       double *s)
{
    const double *xi = W->Xt->data + i * W->d, *xj = W->Xt->data + j * W->d;
    double p = 0.0, m = 0.0;
    for (size_t k = 0; k < W->d; k++) {
        double u = xi[k] / W->norm[i], v = xj[k] / W->norm[j];
        p += (u + v) * (u + v);
        m += (u - v) * (u - v);
    }
    *c = (p - m) / (p + m);
    *s = 2.0 * sqrt(p * m) / (p + m);
}

/* The largest |rho| the series of one norm certifies: the bound is
 * monotone in the order, so it fails for a pair exactly when it fails at
 * the last order R, |rho|^(R+1) tn[R]^2 > COV_TOL. */
static double series_reach(const NormSeries *p)
{
    double t2 = p->tn[p->R] * p->tn[p->R];
    return t2 <= COV_TOL ? 1.0 : pow(COV_TOL / t2, 1.0 / (p->R + 1.0));
}

/* Counts the pairs of one norm beyond the series' reach on each side
 * (rho > 0, rho < 0) and builds a table over the angles from 0 (or pi)
 * out to that reach for each side with at least TABLE_MIN of them. */
static bool build_tables(CovWork *W)
{
    size_t m = 2 * W->nser, *count = xcalloc(m ? m : 1, sizeof *count);
    double *reach = xmalloc((W->nser ? W->nser : 1) * sizeof *reach);
    W->table = xcalloc(m ? m : 1, sizeof *W->table);
    bool ok = count && reach && W->table;
    for (size_t g = 0; ok && g < W->nser; g++)
        reach[g] = W->ser[g].a > 0.0 ? series_reach(&W->ser[g]) : 1.0;
    for (size_t j = 0; ok && j < W->n; j++)
        for (size_t i = j + 1; i < W->n; i++) {
            size_t g = W->group[i];
            if (W->norm[i] == 0.0 || W->norm[j] == 0.0 || g != W->group[j])
                continue;
            double rho = cos_of(W, i, j);
            if (fabs(rho) > reach[g])
                count[2 * g + (rho < 0.0)]++;
        }
    for (size_t k = 0; ok && k < m; k++)
        if (count[k] >= TABLE_MIN) {
            const NormSeries *p = &W->ser[k / 2];
            table_build(&W->D, W->qx, W->qw, p->a, k % 2 ? -1.0 : 1.0, p->E,
                        acos(reach[k / 2]), &W->table[k]);
        }
    free(count);
    free(reach);
    return ok;
}

static double pair_kernel(const CovWork *W, size_t i, size_t j)
{
    size_t g = W->group[i];
    const NormSeries *p = &W->ser[g], *q = &W->ser[W->group[j]];
    double rho = cos_of(W, i, j);
    int R = pair_order(p, q, rho);
    if (R >= 0)
        return pair_series(p, q, rho, R);
    double c, s;
    pair_angle(W, i, j, &c, &s);
    if (g == W->group[j]) {
        double K = table_at(&W->table[2 * g + (c < 0.0)], atan2(s, fabs(c)));
        if (!isnan(K))
            return K;
    }
    return pair_quadrature(&W->D, W->qx, W->qw, W->norm[i], W->norm[j], c, s);
}

static CovStatus fill_sigma(CovWork *W, Matrix *S)
{
    for (size_t j = 0; j < W->n; j++) {
        if (interrupt_pending())
            return COV_NOMEM;   /* the caller tells Ctrl-C apart */
        if (W->norm[j] == 0.0)
            continue;
        MAT_AT(S, j, j) = MAT_AT(W->G, j, j) * W->ser[W->group[j]].E;
        for (size_t i = j + 1; i < W->n; i++) {
            if (W->norm[i] == 0.0)
                continue;
            double K = pair_kernel(W, i, j);
            if (isnan(K))
                return COV_NOMEM;
            MAT_AT(S, i, j) = MAT_AT(W->G, i, j) * K;
        }
    }
    symmetrise(S);
    return COV_OK;
}

static CovStatus work_init(CovWork *W, const Matrix *X, const HermiteFn *phi,
                           const HermiteFn *dphi, double *where)
{
    W->n = X->rows;
    W->d = X->cols;
    gauss_legendre(GL_N, W->gx, W->gw);
    gauss_legendre(COV_GL, W->qx, W->qw);
    W->norm = xmalloc((W->n ? W->n : 1) * sizeof *W->norm);
    W->group = xcalloc(W->n ? W->n : 1, sizeof *W->group);
    W->Xt = mat_transpose(X);
    W->G = mat_mul(X, X, false, true);
    if (!W->norm || !W->group || !W->Xt || !W->G)
        return COV_NOMEM;
    double amax = 0.0;
    for (size_t i = 0; i < W->n; i++) {
        W->norm[i] = norm2(W->Xt->data + i * W->d, W->d, 1);
        if (!isfinite(W->norm[i]))
            return COV_NAN;
        amax = fmax(amax, W->norm[i]);
    }
    if (amax > COV_MAX_NORM)
        return COV_TOO_WIDE;
    if (dphi)
        return deriv_exact(dphi, &W->D);
    /* f is evaluated within COV_Z a (coefficients) and COV_G sqrt(2) a
     * (quadrature) of 0: MODEL_Z a covers both. */
    return amax > 0.0 ? model_build(phi, amax, &W->D, where) : COV_OK;
}

CovStatus covariance_exact(const Matrix *X, const HermiteFn *phi,
                           const HermiteFn *dphi, int Rcap, Matrix **out,
                           double *where)
{
    *out = NULL;
    if (!X || (!dphi && (!phi || !phi->f)) || (dphi && !dphi->f) || Rcap < 0 ||
        Rcap > HERMITE_MAX_R)
        return COV_INVALID;
    CovWork W = {0};
    double at = NAN;
    CovStatus st = work_init(&W, X, phi, dphi, &at);
    if (st == COV_OK && !(build_series(&W, Rcap) && build_tables(&W)))
        st = COV_NOMEM;
    Matrix *S = st == COV_OK ? mat_new(W.n, W.n) : NULL;
    if (st == COV_OK && !S)
        st = COV_NOMEM;
    if (st == COV_OK)
        st = fill_sigma(&W, S);
    if (st == COV_OK && !mat_all_finite(S))
        st = COV_NAN;
    work_free(&W);
    if (where)
        *where = at;
    if (st != COV_OK) {
        mat_unref(S);
        return st;
    }
    *out = S;
    return COV_OK;
}
