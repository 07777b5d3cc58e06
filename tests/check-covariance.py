#!/usr/bin/env python3
"""check-covariance.py: covariance(X, act) against an independent reference.

ovp computes Sigma(X) = E_w[act'(Xw) act'(Xw)'] .* (X X'), w ~ N(0, I), by
Mehler's series per pair with a certified tail, and a conditional 2-D
Gauss-Legendre quadrature where the series cannot certify (src/numeric/hermite.c).
This script computes every entry again by a different method, in polar
coordinates: with x = R cos(alpha), y = R cos(alpha - theta) (R Rayleigh,
alpha uniform, theta the angle between the rows),

    E[f(a x) f(b y)] = 1/(2 pi) int_0^{2 pi} int_0^inf
                       R e^{-R^2/2} f(a R cos alpha) f(b R cos(alpha - theta)) dR dalpha,

the radial integral by composite Gauss-Legendre split where f(a R cos alpha)
or f(b R cos(alpha - theta)) crosses a kink of f, the angular one by
adaptive bisection with a 15/31-point Gauss-Legendre error estimate, split
at the angles where a kink line crosses the origin or another kink line.
f = act' is written out by hand here (sech^2, the logistic derivative, ...),
not derived from ovp.

Cases: unit rows; rows of norms 0.1 .. 10; near-duplicate rows at
rho = +-0.94 and +-0.999 with equal and with different norms; exact and
negated duplicates; near-duplicates of norms 4 .. 10 (where f(|x| z) is a
narrow feature and the series gives way to quadrature); a zero row. Activations: tanh, sigmoid, softplus, relu,
and user functions: smooth (x^3/3 + sin x), with a kink at 0 (leaky relu),
with a kink off 0 plus a smooth part (|x - 1/2| + tanh x), and with a kink
of act' only (x |x| / 2).

Tolerance rule: |ovp - reference| <= 1e-12 * max(1, sqrt(S_ii S_jj)) for
entry (i, j), S the reference: 1e-12 absolute for entries of size O(1),
relative to the scale of the rows otherwise (the entries grow like
|x_i| |x_j| E[act'^2]).

Also checked: Sigma is exactly symmetric, and covariance without k = does
not advance the random stream.

Prints one line per case and the largest errors; exits 1 on any failure,
77 (skip) when numpy is missing. The binary is $OVP (default ./ovp).
"""
import os
import subprocess
import sys

from numpy_or_skip import numpy_or_skip

np = numpy_or_skip("check-covariance.py")

OVP = os.environ.get("OVP", "./ovp")
TOL = 1e-12

# ---------------------------------------------------------------- reference

GX, GW = np.polynomial.legendre.leggauss(20)
RULE_LO = np.polynomial.legendre.leggauss(15)
RULE_HI = np.polynomial.legendre.leggauss(31)
RMAX = 10.0  # R e^{-R^2/2} < 2e-21 beyond


def radial(f, kinks, a, b, ca, cb):
    """int_0^RMAX R e^{-R^2/2} f(a R ca) f(b R cb) dR, one value per angle
    (ca, cb: arrays of cos(alpha), cos(alpha - theta))."""
    m = ca.size
    cuts = [np.zeros(m), np.full(m, RMAX)]
    for k in kinks:
        if k == 0.0:
            continue  # f(a R ca) crosses 0 only where ca changes sign
        for s, c in ((a, ca), (b, cb)):
            with np.errstate(divide="ignore", invalid="ignore"):
                r = k / (s * c)
            cuts.append(np.where(np.isfinite(r) & (r > 0) & (r < RMAX), r, RMAX))
    cuts = np.sort(np.array(cuts), axis=0)
    # panels resolve f at the scale of its argument and the Gaussian
    width = 0.5 / np.maximum(1.0, np.maximum(a * np.abs(ca), b * np.abs(cb)))
    total = np.zeros(m)
    for j in range(cuts.shape[0] - 1):
        lo, hi = cuts[j], cuts[j + 1]
        if not np.any(hi > lo):
            continue
        npan = int(np.max(np.ceil((hi - lo) / width)))
        h = (hi - lo) / npan
        e = lo[:, None] + h[:, None] * np.arange(npan)[None, :]
        R = e[:, :, None] + 0.5 * h[:, None, None] * (GX[None, None, :] + 1.0)
        w = 0.5 * h[:, None, None] * GW[None, None, :]
        val = (R * np.exp(-0.5 * R * R) * f(a * R * ca[:, None, None])
               * f(b * R * cb[:, None, None]))
        total += np.sum(w * val, axis=(1, 2))
    return total


def angular_rule(f, kinks, a, b, th, lo, hi, rule):
    x, w = rule
    al = 0.5 * (lo + hi) + 0.5 * (hi - lo) * x
    return 0.5 * (hi - lo) * np.sum(w * radial(f, kinks, a, b, np.cos(al), np.cos(al - th)))


def kernel(f, kinks, a, b, th, tol=1e-15):
    """E[f(a x) f(b y)] for standard normal x, y with correlation cos(th)."""
    cuts = [0.0, 2.0 * np.pi]
    if 0.0 in kinks:  # the kink lines through the origin
        for c in (0.5 * np.pi, 1.5 * np.pi, th + 0.5 * np.pi, th + 1.5 * np.pi):
            cuts.append(c % (2.0 * np.pi))
    st = np.sin(th)
    for k1 in kinks:  # where the lines a x = k1 and b y = k2 cross
        for k2 in kinks:
            if st > 0.0 and (k1 != 0.0 or k2 != 0.0):
                x1 = k1 / a
                x2 = (k2 / b - np.cos(th) * x1) / st
                cuts.append(np.arctan2(x2, x1) % (2.0 * np.pi))
    cuts = np.unique(np.array(cuts))
    stack = []
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        if hi > lo:
            stack.append((lo, hi, angular_rule(f, kinks, a, b, th, lo, hi, RULE_LO),
                          angular_rule(f, kinks, a, b, th, lo, hi, RULE_HI)))
    scale = max(sum(abs(p[3]) for p in stack), 1e-300)
    total = 0.0
    while stack:
        lo, hi, i1, i2 = stack.pop()
        # the width-proportional share of tol, but not below rounding
        if abs(i1 - i2) <= max(tol * (hi - lo) / (2.0 * np.pi), 1e-16) * scale or hi - lo < 1e-9:
            total += i2
            continue
        mid = 0.5 * (lo + hi)
        for l, h in ((lo, mid), (mid, hi)):
            stack.append((l, h, angular_rule(f, kinks, a, b, th, l, h, RULE_LO),
                          angular_rule(f, kinks, a, b, th, l, h, RULE_HI)))
    return total / (2.0 * np.pi)


def angle(x, y):
    """Angle between x and y, accurate near 0 and pi."""
    u, v = x / np.linalg.norm(x), y / np.linalg.norm(y)
    return 2.0 * np.arctan2(np.linalg.norm(u - v), np.linalg.norm(u + v))


def reference(X, f, kinks, entries):
    """The reference at the given entries (i <= j) and on the diagonal;
    NaN elsewhere."""
    n = X.shape[0]
    S = np.full((n, n), np.nan)
    nrm = np.linalg.norm(X, axis=1)
    for i, j in sorted(set(entries) | {(i, i) for i in range(n)}):
        if nrm[i] == 0.0 or nrm[j] == 0.0:
            S[i, j] = S[j, i] = 0.0
            continue
        th = 0.0 if i == j else angle(X[i], X[j])
        S[i, j] = S[j, i] = (X[i] @ X[j]) * kernel(f, kinks, nrm[i], nrm[j], th)
    return S

# ---------------------------------------------------------------- activations


def sech2(z):
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def logistic(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logistic_prime(z):
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def step(z):
    return (z > 0).astype(float)


# (ovp activation, act' written out, kinks of act' (jumps or kinks))
KINKED = [
    ("fn(x) max(x, 0.1 * x) end", lambda z: 0.1 + 0.9 * step(z), [0.0]),
    ("fn(x) abs(x - 0.5) + tanh(x) end", lambda z: np.sign(z - 0.5) + sech2(z), [0.5]),
    ("fn(x) x * abs(x) / 2 end", np.abs, [0.0]),
]
ACTIVATIONS = [
    ("tanh", sech2, []),
    ("sigmoid", logistic_prime, []),
    ("softplus", logistic, []),
    ("relu", step, [0.0]),
    ("fn(x) x ^ 3 / 3 + sin(x) end", lambda z: z * z + np.cos(z), []),
] + KINKED

# ---------------------------------------------------------------- data


def unit(v):
    return v / np.linalg.norm(v)


def partner(x, rho, rng):
    """A unit vector at correlation rho with the unit vector x."""
    u = rng.standard_normal(x.size)
    u = unit(u - (u @ x) * x)
    return rho * x + np.sqrt(1.0 - rho * rho) * u


def all_pairs(n):
    return [(i, j) for i in range(n) for j in range(i, n)]


def datasets():
    """(name, X, activations, entries to compare)."""
    rng = np.random.default_rng(20250101)
    sets = []
    U = rng.standard_normal((6, 4))
    sets.append(("unit rows", U / np.linalg.norm(U, axis=1)[:, None]))
    A = rng.standard_normal((6, 3))
    A = A / np.linalg.norm(A, axis=1)[:, None] * np.array([0.1, 0.5, 1.0, 2.0, 4.5, 10.0])[:, None]
    sets.append(("norms 0.1 .. 10", A))
    x = unit(rng.standard_normal(4))
    rows = [x, partner(x, 0.94, rng), partner(x, -0.94, rng), partner(x, 0.999, rng),
            partner(x, -0.999, rng), x.copy(), -x]
    sets.append(("unit, rho = +-0.94, +-0.999, duplicates", np.array(rows)))
    nrm = np.array([1.0, 2.0, 0.7, 3.0, 1.5, 2.0, 0.3])
    sets.append(("norms 0.3 .. 3, rho = +-0.94, +-0.999, duplicates",
                 np.array(rows) * nrm[:, None]))
    y = unit(rng.standard_normal(3))
    rows = [4.0 * y, 10.0 * partner(y, 0.99, rng), 6.0 * partner(y, -0.9999, rng),
            10.0 * y, 7.0 * partner(y, 0.5, rng)]
    sets.append(("norms 4 .. 10, rho = 0.99, -0.9999, 1", np.array(rows)))
    Z = rng.standard_normal((4, 3))
    Z[2] = 0.0
    sets.append(("a zero row", Z))
    sets = [(name, X, ACTIVATIONS, all_pairs(X.shape[0])) for name, X in sets]
    # Three clusters of 24 rows of norm 1.5 in the plane, the third opposite
    # the first: hundreds of pairs at |rho| > 0.998 of one norm, which ovp
    # reads from its angle tables when act' has kinks. Sampled entries.
    ang = np.concatenate([0.002 * np.arange(24), np.pi / 3 + 0.002 * np.arange(24),
                          np.pi + 0.001 + 0.002 * np.arange(24)])
    P = 1.5 * np.column_stack([np.cos(ang), np.sin(ang)])
    n = P.shape[0]
    pick = rng.choice(n * n, size=150, replace=False)
    entries = [(min(k // n, k % n), max(k // n, k % n)) for k in pick]
    sets.append(("72 rows of norm 1.5, 3 tight clusters (150 entries)", P, KINKED, entries))
    return sets

# ---------------------------------------------------------------- ovp


def ovp_matrix(X):
    return "[" + "; ".join(", ".join(repr(float(v)) for v in row) for row in X) + "]"


def run_ovp(code):
    r = subprocess.run([OVP, "-e", code], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"ovp failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def ovp_covariance(X, act):
    n = X.shape[0]
    out = run_ovp(f'X = {ovp_matrix(X)}; S = covariance(X, {act}); printf("%.17g\\n", S)')
    v = np.array([float(t) for t in out.split()])
    return v.reshape((n, n), order="F")


def check_stream():
    """covariance without k = draws nothing: rand() after it is unchanged."""
    base = 'seed(7); X = randn(5, 3); '
    a = run_ovp(base + 'printf("%.17g\\n", rand())')
    b = run_ovp(base + 'S = covariance(X, tanh); T = covariance(X, fn(x) sin(x) end); '
                'printf("%.17g\\n", rand())')
    return a == b, a.strip(), b.strip()


def main():
    failures = 0
    worst = 0.0
    for dname, X, acts, entries in datasets():
        for act, f, kinks in acts:
            ref = reference(X, f, kinks, entries)
            try:
                S = ovp_covariance(X, act)
            except RuntimeError as e:
                print(f"FAIL {dname} / {act}: {e}")
                failures += 1
                continue
            scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
            err = np.nan_to_num(np.abs(S - ref) / np.maximum(1.0, scale))
            i, j = np.unravel_index(np.argmax(err), err.shape)
            worst = max(worst, err[i, j])
            ok = err[i, j] <= TOL and np.array_equal(S, S.T)
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {dname:52s} {act:34s} "
                  f"max err {err[i, j]:.1e} at ({i + 1},{j + 1})"
                  + ("" if np.array_equal(S, S.T) else " NOT SYMMETRIC"))
    same, a, b = check_stream()
    print(f"{'ok  ' if same else 'FAIL'} random stream after covariance: {b} (without: {a})")
    failures += not same
    print(f"largest scaled error {worst:.2e} (tolerance {TOL:.0e}); {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
