/* test_matrix.c: Criterion tests for src/base/matrix.c (storage, refcounts,
 * copy-on-write, resize, transpose, dgemm/dgemv products, reshape).
 *
 * Expectations come from the contract in matrix.h: column-major storage,
 * one reference per returned matrix, mat_unique copying only when shared,
 * sizes checked against MAT_MAX_ELEMS before anything is allocated.
 * Products and transposes are compared with naive loops.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/matrix.h"

/* ------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64 in [-1, 1): deterministic fill values for the tests. */
static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / (double)(1ull << 53) * 2.0 - 1.0;
}

static Matrix *random_matrix(size_t r, size_t c)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t k = 0; k < r * c; k++)
        m->data[k] = urand();
    return m;
}

/* Matrix from row-major values, which read naturally in source. */
static Matrix *mk(size_t r, size_t c, const double *rowmajor)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            MAT_AT(m, i, j) = rowmajor[i * c + j];
    return m;
}

/* Element (i, j) of op(m): m itself, or its transpose when t. */
static double op_at(const Matrix *m, bool t, size_t i, size_t j)
{
    return t ? MAT_AT(m, j, i) : MAT_AT(m, i, j);
}

/* op(A) * op(B) by the textbook triple loop. */
static Matrix *naive_mul(const Matrix *a, const Matrix *b, bool ta, bool tb)
{
    size_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
    size_t n = tb ? b->rows : b->cols;
    Matrix *c = mat_new(m, n);
    cr_assert_not_null(c);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++)
                s += op_at(a, ta, i, p) * op_at(b, tb, p, j);
            MAT_AT(c, i, j) = s;
        }
    return c;
}

static void expect_close(const Matrix *got, const Matrix *want, double tol)
{
    cr_assert_not_null(got);
    cr_assert_eq(got->rows, want->rows, "rows: got %zu, want %zu", got->rows,
                 want->rows);
    cr_assert_eq(got->cols, want->cols, "cols: got %zu, want %zu", got->cols,
                 want->cols);
    for (size_t j = 0; j < want->cols; j++)
        for (size_t i = 0; i < want->rows; i++)
            cr_expect(fabs(MAT_AT(got, i, j) - MAT_AT(want, i, j)) <= tol,
                      "(%zu, %zu): got %.17g, want %.17g", i, j,
                      MAT_AT(got, i, j), MAT_AT(want, i, j));
}

/* ------------------------------------------------------------ creation */

Test(create, new_is_zero_filled_with_one_reference)
{
    Matrix *m = mat_new(3, 4);
    cr_assert_not_null(m);
    cr_expect_eq(m->rc, 1);
    cr_expect_eq(m->rows, 3);
    cr_expect_eq(m->cols, 4);
    cr_expect_geq(m->cap, 12);
    cr_expect(!m->logical);
    cr_expect_eq(mat_numel(m), 12);
    for (size_t k = 0; k < 12; k++)
        cr_expect_eq(m->data[k], 0.0, "element %zu", k);
    mat_unref(m);
}

Test(create, from_is_column_major_and_copies)
{
    double d[6] = {1, 2, 3, 4, 5, 6};
    Matrix *m = mat_from(2, 3, d);
    cr_assert_not_null(m);
    cr_expect_eq(MAT_AT(m, 0, 0), 1);
    cr_expect_eq(MAT_AT(m, 1, 0), 2);
    cr_expect_eq(MAT_AT(m, 0, 1), 3);
    cr_expect_eq(MAT_AT(m, 1, 2), 6);
    d[0] = 99;                       /* the matrix owns its own copy */
    cr_expect_eq(MAT_AT(m, 0, 0), 1);
    mat_unref(m);
}

Test(create, scalar_and_copy)
{
    Matrix *s = mat_scalar(2.5);
    cr_assert_not_null(s);
    cr_expect_eq(s->rows, 1);
    cr_expect_eq(s->cols, 1);
    cr_expect_eq(s->data[0], 2.5);

    s->logical = true;
    Matrix *c = mat_copy(s);
    cr_assert_not_null(c);
    cr_expect_neq(c, s);
    cr_expect_neq(c->data, s->data);
    cr_expect_eq(c->rc, 1);
    cr_expect_eq(c->data[0], 2.5);
    cr_expect(c->logical, "a copy keeps the logical flag");
    mat_unref(s);
    mat_unref(c);
}

Test(create, empty_shapes)
{
    Matrix *a = mat_new(0, 3);
    Matrix *b = mat_new(4, 0);
    Matrix *z = mat_new(0, 0);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_not_null(z);
    cr_expect(mat_is_empty(a));
    cr_expect(mat_is_empty(b));
    cr_expect(mat_is_empty(z));
    cr_expect_eq(mat_numel(a), 0);
    cr_expect_eq(a->rows, 0);
    cr_expect_eq(a->cols, 3);
    Matrix *ac = mat_copy(a);
    cr_assert_not_null(ac);
    cr_expect_eq(ac->cols, 3);
    mat_unref(ac);
    mat_unref(a);
    mat_unref(b);
    mat_unref(z);
}

Test(create, predicates)
{
    Matrix *row = mat_new(1, 5), *col = mat_new(5, 1), *sq = mat_new(3, 3);
    Matrix *rect = mat_new(2, 3);
    cr_expect(mat_is_vector(row));
    cr_expect(mat_is_vector(col));
    cr_expect(!mat_is_vector(sq));
    cr_expect(mat_is_square(sq));
    cr_expect(!mat_is_square(rect));
    cr_expect(!mat_is_empty(rect));
    mat_unref(row);
    mat_unref(col);
    mat_unref(sq);
    mat_unref(rect);
}

/* ------------------------------------------------------- size checking */

Test(size, limits_on_both_sides)
{
    cr_expect(mat_size_ok(0, 0));
    cr_expect(mat_size_ok(1000, 1000));
    cr_expect(mat_size_ok(MAT_MAX_ELEMS, 1), "exactly the limit fits");
    cr_expect(mat_size_ok(1, MAT_MAX_ELEMS));
    cr_expect(mat_size_ok(MAT_MAX_ELEMS / 2, 2));
    cr_expect(!mat_size_ok(MAT_MAX_ELEMS + 1, 1), "limit + 1 does not");
    cr_expect(!mat_size_ok(1, MAT_MAX_ELEMS + 1));
    cr_expect(!mat_size_ok(MAT_MAX_ELEMS / 2 + 1, 2));
    cr_expect(!mat_size_ok((size_t)1 << 16, ((size_t)1 << 15) + 1));
}

Test(size, product_overflowing_size_t_is_rejected)
{
    /* 2^32 * 2^32 wraps to 0 in 64-bit size_t: must still be rejected. */
    size_t big = (size_t)1 << 32;
    cr_expect(!mat_size_ok(big, big));
    cr_expect(!mat_size_ok(SIZE_MAX, SIZE_MAX));
    cr_expect(!mat_size_ok(SIZE_MAX, 2));
    cr_expect(!mat_size_ok(((size_t)1 << 63) + 1, 2));
}

Test(size, huge_requests_fail_without_allocating)
{
    size_t e10 = (size_t)1e10;
    cr_expect(!mat_size_ok(e10, e10));
    /* 1e10 x 1e10 doubles = 8e20 bytes: the call must return NULL at once
     * (an attempt to allocate would abort or be OOM-killed). */
    cr_expect_null(mat_new(e10, e10));
    cr_expect_null(mat_new_uninit(e10, e10));
    cr_expect_null(mat_new((size_t)1 << 32, (size_t)1 << 32));
    cr_expect_null(mat_new(MAT_MAX_ELEMS + 1, 1));

    Matrix *m = mat_new(2, 2);
    cr_assert_not_null(m);
    cr_expect(!mat_resize(m, e10, e10), "resize to 1e10 x 1e10 refused");
    cr_expect_eq(m->rows, 2, "a refused resize leaves the shape");
    cr_expect_eq(m->cols, 2);
    cr_expect(!mat_resize(m, 2, SIZE_MAX / 2 + 1));
    cr_expect_eq(m->cols, 2);
    mat_unref(m);
}

/* ------------------------------------------ refcounts and copy-on-write */

Test(cow, ref_and_unref_count)
{
    Matrix *m = mat_new(2, 2);
    cr_assert_not_null(m);
    cr_expect_eq(mat_ref(m), m);
    cr_expect_eq(m->rc, 2);
    mat_ref(m);
    cr_expect_eq(m->rc, 3);
    mat_unref(m);
    mat_unref(m);
    cr_expect_eq(m->rc, 1);
    mat_unref(m);                   /* frees; valgrind/ASan see any leak */
    cr_expect_null(mat_ref(NULL));
    mat_unref(NULL);                /* harmless */
}

Test(cow, unique_on_sole_owner_does_not_copy)
{
    Matrix *m = mat_new(2, 2);
    Matrix *before = m;
    double *data = m->data;
    cr_assert(mat_unique(&m));
    cr_expect_eq(m, before);
    cr_expect_eq(m->data, data);
    cr_expect_eq(m->rc, 1);
    mat_unref(m);
}

Test(cow, write_after_unique_leaves_other_holder_alone)
{
    double d[4] = {1, 2, 3, 4};
    Matrix *a = mat_from(2, 2, d);
    a->logical = true;
    Matrix *b = mat_ref(a);          /* "B = A" */
    cr_expect_eq(a->rc, 2);

    cr_assert(mat_unique(&b));
    cr_expect_neq(b, a, "shared matrix is copied");
    cr_expect_eq(b->rc, 1);
    cr_expect_eq(a->rc, 1, "the copy dropped its reference to the original");
    cr_expect(b->logical, "the copy keeps the logical flag");
    MAT_AT(b, 0, 0) = 9;             /* "B[1] = 9" */
    cr_expect_eq(MAT_AT(a, 0, 0), 1, "A unchanged");
    cr_expect_eq(MAT_AT(b, 0, 0), 9);
    for (size_t k = 1; k < 4; k++)
        cr_expect_eq(b->data[k], a->data[k]);

    /* Now b is private: a second unique is free. */
    Matrix *b2 = b;
    cr_assert(mat_unique(&b));
    cr_expect_eq(b, b2);
    mat_unref(a);
    mat_unref(b);
}

/* -------------------------------------------------------------- resize */

static Matrix *numbered(size_t r, size_t c)
{
    Matrix *m = mat_new(r, c);
    cr_assert_not_null(m);
    for (size_t j = 0; j < c; j++)
        for (size_t i = 0; i < r; i++)
            MAT_AT(m, i, j) = (double)(10 * (i + 1) + (j + 1));
    return m;
}

static void expect_numbered(const Matrix *m, size_t r0, size_t c0)
{
    for (size_t j = 0; j < m->cols; j++)
        for (size_t i = 0; i < m->rows; i++) {
            double want = i < r0 && j < c0 ? (double)(10 * (i + 1) + (j + 1)) : 0;
            cr_expect_eq(MAT_AT(m, i, j), want, "(%zu, %zu): got %g, want %g",
                         i, j, MAT_AT(m, i, j), want);
        }
}

Test(resize, grow_rows_keeps_positions)
{
    Matrix *m = numbered(2, 3);
    cr_assert(mat_resize(m, 4, 3));
    cr_expect_eq(m->rows, 4);
    cr_expect_eq(m->cols, 3);
    cr_expect_geq(m->cap, 12);
    expect_numbered(m, 2, 3);
    mat_unref(m);
}

Test(resize, grow_cols_keeps_positions)
{
    Matrix *m = numbered(3, 2);
    cr_assert(mat_resize(m, 3, 5));
    cr_expect_eq(m->rows, 3);
    cr_expect_eq(m->cols, 5);
    expect_numbered(m, 3, 2);
    /* Repeated column appends (A[:, end+1] = ...) stay correct. */
    for (size_t c = 6; c <= 40; c++) {
        cr_assert(mat_resize(m, 3, c));
        MAT_AT(m, 0, c - 1) = (double)c;
    }
    for (size_t c = 6; c <= 40; c++) {
        cr_expect_eq(MAT_AT(m, 0, c - 1), (double)c);
        cr_expect_eq(MAT_AT(m, 1, c - 1), 0);
        cr_expect_eq(MAT_AT(m, 2, c - 1), 0);
    }
    for (size_t j = 0; j < 2; j++)
        for (size_t i = 0; i < 3; i++)
            cr_expect_eq(MAT_AT(m, i, j), (double)(10 * (i + 1) + (j + 1)));
    mat_unref(m);
}

Test(resize, grow_both_and_shrink)
{
    Matrix *m = numbered(3, 3);
    cr_assert(mat_resize(m, 5, 4));
    expect_numbered(m, 3, 3);
    cr_assert(mat_resize(m, 2, 2));
    cr_expect_eq(m->rows, 2);
    cr_expect_eq(m->cols, 2);
    expect_numbered(m, 2, 2);
    cr_assert(mat_resize(m, 2, 1));  /* same rows, fewer columns */
    expect_numbered(m, 2, 1);
    /* Growing again after a shrink must give zeros, not stale values. */
    cr_assert(mat_resize(m, 2, 3));
    expect_numbered(m, 2, 1);
    cr_assert(mat_resize(m, 3, 3));
    expect_numbered(m, 2, 1);
    mat_unref(m);
}

Test(resize, from_and_to_empty)
{
    Matrix *m = mat_new(0, 0);
    cr_assert(mat_resize(m, 1, 3));
    cr_expect_eq(m->rows, 1);
    cr_expect_eq(m->cols, 3);
    for (size_t k = 0; k < 3; k++)
        cr_expect_eq(m->data[k], 0);
    MAT_AT(m, 0, 2) = 7;
    cr_assert(mat_resize(m, 0, 3));
    cr_expect_eq(mat_numel(m), 0);
    cr_assert(mat_resize(m, 2, 3));
    for (size_t k = 0; k < 6; k++)
        cr_expect_eq(m->data[k], 0, "element %zu", k);
    mat_unref(m);
}

/* ----------------------------------------------------------- transpose */

static void check_transpose(size_t r, size_t c)
{
    Matrix *a = random_matrix(r, c);
    Matrix *t = mat_transpose(a);
    cr_assert_not_null(t);
    cr_expect_eq(t->rows, c);
    cr_expect_eq(t->cols, r);
    cr_expect_eq(t->rc, 1);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            cr_expect_eq(MAT_AT(t, j, i), MAT_AT(a, i, j),
                         "%zux%zu at (%zu, %zu)", r, c, i, j);
    mat_unref(a);
    mat_unref(t);
}

Test(transpose, small)
{
    double d[6] = {1, 2, 3, 4, 5, 6};            /* rows [1 2 3; 4 5 6] */
    Matrix *a = mk(2, 3, d);
    Matrix *t = mat_transpose(a);
    cr_assert_not_null(t);
    cr_expect_eq(t->rows, 3);
    cr_expect_eq(t->cols, 2);
    const double want[6] = {1, 2, 3, 4, 5, 6};  /* column-major of a' */
    for (size_t k = 0; k < 6; k++)
        cr_expect_eq(t->data[k], want[k], "element %zu", k);
    mat_unref(a);
    mat_unref(t);
    check_transpose(1, 1);
    check_transpose(1, 7);
    check_transpose(7, 1);
    check_transpose(3, 2);
}

Test(transpose, large_and_ragged_blocks)
{
    check_transpose(100, 37);
    check_transpose(37, 100);
    check_transpose(33, 65);     /* one past the block size on both sides */
    check_transpose(64, 64);
}

Test(transpose, empty)
{
    Matrix *a = mat_new(0, 4);
    Matrix *t = mat_transpose(a);
    cr_assert_not_null(t);
    cr_expect_eq(t->rows, 4);
    cr_expect_eq(t->cols, 0);
    mat_unref(a);
    mat_unref(t);
}

/* ------------------------------------------------------------- product */

static void check_mul(size_t m, size_t k, size_t n, bool ta, bool tb)
{
    Matrix *a = ta ? random_matrix(k, m) : random_matrix(m, k);
    Matrix *b = tb ? random_matrix(n, k) : random_matrix(k, n);
    Matrix *want = naive_mul(a, b, ta, tb);
    Matrix *got = mat_mul(a, b, ta, tb);
    expect_close(got, want, 1e-12 * (double)(k + 1));
    cr_expect_eq(got->rc, 1);
    mat_unref(a);
    mat_unref(b);
    mat_unref(want);
    mat_unref(got);
}

Test(mul, small_exact)
{
    double ad[6] = {1, 2, 3, 4, 5, 6};          /* [1 2 3; 4 5 6] */
    double bd[6] = {7, 8, 9, 10, 11, 12};       /* [7 8; 9 10; 11 12] */
    Matrix *a = mk(2, 3, ad), *b = mk(3, 2, bd);
    Matrix *c = mat_mul(a, b, false, false);
    cr_assert_not_null(c);
    cr_expect_eq(c->rows, 2);
    cr_expect_eq(c->cols, 2);
    cr_expect_eq(MAT_AT(c, 0, 0), 58);
    cr_expect_eq(MAT_AT(c, 0, 1), 64);
    cr_expect_eq(MAT_AT(c, 1, 0), 139);
    cr_expect_eq(MAT_AT(c, 1, 1), 154);
    mat_unref(c);
    /* A' * A is 3x3 and symmetric. */
    c = mat_mul(a, a, true, false);
    cr_assert_not_null(c);
    cr_expect_eq(c->rows, 3);
    cr_expect_eq(c->cols, 3);
    cr_expect_eq(MAT_AT(c, 0, 0), 17);
    cr_expect_eq(MAT_AT(c, 0, 2), 27);
    cr_expect_eq(MAT_AT(c, 2, 0), 27);
    cr_expect_eq(MAT_AT(c, 2, 2), 45);
    mat_unref(c);
    mat_unref(a);
    mat_unref(b);
}

Test(mul, all_transpose_flags_against_naive)
{
    for (int f = 0; f < 4; f++) {
        bool ta = f & 1, tb = f & 2;
        check_mul(5, 7, 3, ta, tb);
        check_mul(17, 9, 23, ta, tb);
        check_mul(1, 6, 4, ta, tb);
        check_mul(4, 1, 4, ta, tb);      /* outer product */
    }
}

Test(mul, matrix_vector_path)
{
    /* n == 1 without transposing b goes through dgemv. */
    check_mul(6, 4, 1, false, false);
    check_mul(6, 4, 1, true, false);
    check_mul(50, 37, 1, false, false);
    check_mul(50, 37, 1, true, false);
    check_mul(1, 5, 1, false, false);    /* inner product */
    check_mul(1, 5, 1, true, true);
    check_mul(6, 4, 1, false, true);     /* b' is a column: dgemm path */
    check_mul(6, 4, 1, true, true);
    check_mul(1, 4, 6, false, false);    /* row vector times matrix */
}

/* A A' and A' A of one matrix go through dsyrk: equal to the naive
 * product and exactly symmetric, for shapes around the kernel blocks. */
static void check_gram(size_t r, size_t c, bool ta)
{
    Matrix *a = random_matrix(r, c);
    Matrix *want = naive_mul(a, a, ta, !ta);
    Matrix *got = mat_mul(a, a, ta, !ta);
    cr_assert_not_null(got);
    expect_close(got, want, 1e-12 * (double)((ta ? r : c) + 1));
    for (size_t j = 0; j < got->cols; j++)
        for (size_t i = 0; i < got->rows; i++)
            cr_expect_eq(MAT_AT(got, i, j), MAT_AT(got, j, i), "not symmetric at %zu, %zu", i, j);
    mat_unref(a);
    mat_unref(want);
    mat_unref(got);
}

Test(mul, gram_of_one_matrix)
{
    for (int ta = 0; ta < 2; ta++) {
        check_gram(5, 7, ta);
        check_gram(33, 17, ta);
        check_gram(2, 65, ta);
        check_gram(70, 3, ta);
    }
}

Test(mul, mismatch_and_empty)
{
    Matrix *a = mat_new(2, 3), *b = mat_new(2, 3);
    cr_expect_null(mat_mul(a, b, false, false), "2x3 * 2x3 mismatch");
    Matrix *c = mat_mul(a, b, true, false);      /* 3x2 * 2x3 */
    cr_assert_not_null(c);
    cr_expect_eq(c->rows, 3);
    cr_expect_eq(c->cols, 3);
    mat_unref(c);
    c = mat_mul(a, b, false, true);               /* 2x3 * 3x2 */
    cr_assert_not_null(c);
    cr_expect_eq(c->rows, 2);
    cr_expect_eq(c->cols, 2);
    mat_unref(c);

    /* Inner dimension 0: the product is a zero matrix of the outer shape. */
    Matrix *e1 = mat_new(3, 0), *e2 = mat_new(0, 4);
    c = mat_mul(e1, e2, false, false);
    cr_assert_not_null(c);
    cr_expect_eq(c->rows, 3);
    cr_expect_eq(c->cols, 4);
    for (size_t k = 0; k < 12; k++)
        cr_expect_eq(c->data[k], 0);
    mat_unref(c);
    Matrix *e3 = mat_new(4, 0);
    c = mat_mul(e2, e3, false, false);            /* 0x4 * 4x0 = 0x0 */
    cr_assert_not_null(c);
    cr_expect_eq(c->rows, 0);
    cr_expect_eq(c->cols, 0);
    mat_unref(c);
    cr_expect_null(mat_mul(e2, e1, false, false), "0x4 * 3x0 mismatch");
    mat_unref(e3);
    mat_unref(e1);
    mat_unref(e2);
    mat_unref(a);
    mat_unref(b);
}

/* ------------------------------------------------------------- reshape */

Test(reshape, keeps_column_major_order_and_shares_nothing)
{
    double d[6] = {1, 2, 3, 4, 5, 6};
    Matrix *a = mat_from(2, 3, d);
    Matrix *r = mat_reshape(a, 3, 2);
    cr_assert_not_null(r);
    cr_expect_eq(r->rows, 3);
    cr_expect_eq(r->cols, 2);
    cr_expect_eq(r->rc, 1);
    cr_expect_eq(a->rc, 1);
    for (size_t k = 0; k < 6; k++)
        cr_expect_eq(r->data[k], d[k]);
    cr_expect_eq(MAT_AT(r, 2, 0), 3);
    cr_expect_eq(MAT_AT(r, 0, 1), 4);
    cr_expect_neq(r->data, a->data);
    r->data[0] = 42;
    cr_expect_eq(a->data[0], 1, "writing the reshape leaves the original");
    Matrix *v = mat_reshape(a, 6, 1);
    cr_assert_not_null(v);
    cr_expect(mat_is_vector(v));
    mat_unref(v);
    mat_unref(r);
    mat_unref(a);
}

Test(reshape, wrong_count_is_null)
{
    Matrix *a = mat_new(2, 3);
    cr_expect_null(mat_reshape(a, 4, 2));
    cr_expect_null(mat_reshape(a, 7, 1));
    /* rows*cols that wraps around to 6 must not be accepted */
    cr_expect_null(mat_reshape(a, ((size_t)1 << 63) + 3, 2));
    Matrix *e = mat_new(0, 6);
    Matrix *r = mat_reshape(e, 3, 0);
    cr_assert_not_null(r);
    cr_expect_eq(r->rows, 3);
    cr_expect_eq(r->cols, 0);
    mat_unref(r);
    cr_expect_null(mat_reshape(e, (size_t)1 << 32, (size_t)1 << 32),
                   "2^64 wraps to 0 elements but is not a valid shape");
    mat_unref(e);
    mat_unref(a);
}
