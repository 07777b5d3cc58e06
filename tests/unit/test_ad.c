/* test_ad.c: every derivative rule of the table in ad.c against central
 * finite differences, driven by the table itself: a rule without a test
 * expression fails. Each expression is a function of X and Y (3x2); the
 * script below turns it into the scalar sum(R .* EXPR) with fixed weights
 * R and compares grad with finite differences in both arguments. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ad/ad.h"
#include "eval/interp.h"
#include "builtins/registry.h"

static const char *const script =
    "fn body(X, Y) %s end\n"
    "X0 = [0.7, 1.3; 1.1, 0.6; 0.9, 1.45]\n"
    "Y0 = [1.2, 0.8; 0.65, 1.35; 1.05, 0.75]\n"
    "Z = body(X0, Y0)\n"
    "R = reshape(cos(1:numel(Z)) + 1.5, rows(Z), cols(Z))\n"
    "f = fn(P) sum(sum(R .* body(P[1], P[2]))) end\n"
    "G = grad(f, {X0, Y0})\n"
    "h = 1e-6\n"
    "worst = 0\n"
    "for k in 1:2\n"
    "  for i in 1:6\n"
    "    P = {X0, Y0}; Q = {X0, Y0}\n"
    "    A = P[k]; A[i] = A[i] + h; P[k] = A\n"
    "    B = Q[k]; B[i] = B[i] - h; Q[k] = B\n"
    "    fd = (f(P) - f(Q)) / (2 * h)\n"
    "    g = G[k]\n"
    "    err = abs(g[i] - fd) / max(1, abs(fd))\n"
    "    if err > worst\n"
    "      worst = err\n"
    "    end\n"
    "  end\n"
    "end\n"
    "check(worst < 1e-6, \"worst relative error %%.3g\", worst)\n";

static void check_rule(const AdRule *r)
{
    cr_assert(r->fd_expr && *r->fd_expr, "rule %s has no finite-difference test", r->name);
    char text[4096];
    snprintf(text, sizeof text, script, r->fd_expr);
    Interp *I = interp_new(builtin_families);
    I->out = fopen("/dev/null", "w");
    StrBuf diag;
    sb_init(&diag);
    int code = interp_run_source(I, r->name, text, strlen(text), &diag);
    cr_expect_eq(code, 0, "rule %s: %s", r->name, diag.s);
    cr_expect_eq(I->checks_failed, 0, "rule %s: gradient differs from finite differences",
                 r->name);
    cr_expect_eq(I->checks_passed, 1, "rule %s: the check did not run", r->name);
    fclose(I->out);
    sb_free(&diag);
    interp_free(I);
}

Test(ad, every_rule_matches_finite_differences)
{
    int count = 0;
    for (const AdRule *r = ad_rules; r->name; r++, count++)
        check_rule(r);
    cr_expect_gt(count, 30, "the rule table is unexpectedly small");
}

/* Composite losses against their analytic gradients. */
static void expect_script_passes(const char *text)
{
    Interp *I = interp_new(builtin_families);
    I->out = fopen("/dev/null", "w");
    StrBuf diag;
    sb_init(&diag);
    int code = interp_run_source(I, "composite", text, strlen(text), &diag);
    cr_expect_eq(code, 0, "%s", diag.s);
    cr_expect_eq(I->checks_failed, 0, "a composite gradient is wrong");
    cr_expect_gt(I->checks_passed, 0, "no check ran");
    fclose(I->out);
    sb_free(&diag);
    interp_free(I);
}

Test(ad, shallow_net_loss_matches_the_formula)
{
    /* grad L = diag(v) phi'(W X') diag(r) X, theory.md A1 */
    expect_script_passes(
        "seed(3); n = 7; d = 4; k = 5\n"
        "X = sphere(n, d); y = randn(n, 1); v = [ones(3, 1); -ones(2, 1)] / 3\n"
        "L = fn(W) 0.5 * sumsq(tanh(X * W') * v - y) end\n"
        "W = randn(k, d)\n"
        "r = tanh(X * W') * v - y\n"
        "G = diag(v) * ((1 - tanh(W * X') .^ 2) .* r') * X\n"
        "check(norm(grad(L, W) - G) < 1e-12 * norm(G), \"shallow\")\n");
}

Test(ad, deep_linear_loss_matches_the_formula)
{
    /* L = 0.5 |W3 W2 W1 X - Y|^2: dL/dW2 = W3' E (W1 X)' */
    expect_script_passes(
        "seed(4); X = randn(3, 6); Y = randn(2, 6)\n"
        "Ws = {randn(4, 3), randn(4, 4), randn(2, 4)}\n"
        "L = fn(Ws) 0.5 * sumsq(Ws[3] * Ws[2] * Ws[1] * X - Y) end\n"
        "E = Ws[3] * Ws[2] * Ws[1] * X - Y\n"
        "G = grad(L, Ws)\n"
        "G2 = Ws[3]' * E * (Ws[1] * X)'\n"
        "G1 = (Ws[3] * Ws[2])' * E * X'\n"
        "check(norm(G[2] - G2) < 1e-12 * norm(G2), \"middle layer\")\n"
        "check(norm(G[1] - G1) < 1e-12 * norm(G1), \"first layer\")\n");
}

Test(ad, l4_loss_matches_the_formula)
{
    /* L = sum((X w - y).^4) / 4: grad = X' (X w - y).^3 */
    expect_script_passes(
        "seed(5); X = randn(9, 3); y = randn(9, 1); w = randn(3, 1)\n"
        "L = fn(w) sum((X * w - y) .^ 4) / 4 end\n"
        "G = X' * (X * w - y) .^ 3\n"
        "check(norm(grad(L, w) - G) < 1e-12 * norm(G), \"l4\")\n");
}

Test(ad, loops_conditionals_and_closures)
{
    expect_script_passes(
        "f = fn(x)\n"
        "  s = 0\n"
        "  for i in 1:3\n"
        "    if i == 2 continue end\n"
        "    s = s + x .^ i\n"
        "  end\n"
        "  sum(s)\n"
        "end\n"
        "x = [0.5, 2]\n"
        "check(norm(grad(f, x) - (1 + 3 * x .^ 2)) < 1e-14, \"loop\")\n"
        "scale = 3; g = fn(x) scale * sum(exp(x)) end\n"
        "check(norm(grad(g, x) - 3 * exp(x)) < 1e-12, \"closure\")\n");
}

Test(ad, jacobian_matches_finite_differences)
{
    expect_script_passes(
        "seed(6); X = randn(5, 3)\n"
        "f = fn(w) sigmoid(X * w) .* (X * w) end\n"
        "w = randn(3, 1); J = jacobian(f, w); h = 1e-6; F = zeros(5, 3)\n"
        "for j in 1:3\n"
        "  e = zeros(3, 1); e[j] = h\n"
        "  F[:, j] = (f(w + e) - f(w - e)) / (2 * h)\n"
        "end\n"
        "check(max(max(abs(J - F))) < 1e-8, \"jacobian\")\n"
        "check(norm(ntk(f, w) - J * J') < 1e-12, \"ntk\")\n");
}
