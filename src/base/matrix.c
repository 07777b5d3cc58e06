/* matrix.c: storage, reference counting and copy-on-write for Matrix. */
#include "base/matrix.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/alloc.h"
#include "base/threads.h"

/* Divides instead of multiplying, so rows*cols cannot overflow. An empty
 * shape still needs each side to fit on its own: 0 x 2^40 is refused. */
bool mat_size_ok(size_t rows, size_t cols)
{
    if (rows == 0 || cols == 0)
        return rows <= MAT_MAX_ELEMS && cols <= MAT_MAX_ELEMS;
    return rows <= MAT_MAX_ELEMS / cols;
}

/* Large matrices are backed by 2 MiB pages where the kernel offers them
 * on request (transparent huge pages in "madvise" mode, the common
 * default): a 64 MB temporary then costs 32 page faults instead of 16 000,
 * and faults were a sixth of the time of the NTK workload. Only the
 * 2 MiB-aligned middle of the block can be advised; below HUGE_MIN_BYTES
 * there is too little of it to matter. The advice is a hint: where huge
 * pages are off, or the call fails, nothing changes but speed. */
#define HUGE_PAGE_BYTES ((uintptr_t)2 << 20)
#define HUGE_MIN_BYTES ((size_t)4 << 20)

static void advise_huge_pages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (bytes < HUGE_MIN_BYTES)
        return;
    uintptr_t lo = ((uintptr_t)p + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE_BYTES - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

/* Large blocks freed by matrices are kept for the next matrix of about
 * the same size instead of going back to malloc. A training loop frees
 * and allocates the same few large shapes every step; through malloc, a
 * small allocation made in between lands in the hole a freed matrix left,
 * the next large one no longer fits there, and the heap grows by one
 * matrix more than is alive (W1's peak was 8 MB over its live data from
 * that alone). A kept block serves a request of its size down to 7/8 of
 * it; a large request that no kept block serves empties the cache, so
 * that kept blocks never add to the peak of a program whose sizes
 * change (the NTK workload W7 grew by 30 MB without that). The cache is
 * also bounded (POOL_SLOTS blocks of at most POOL_MAX_BLOCK,
 * POOL_MAX_BYTES in all; the oldest goes first). The interpreter's thread alone
 * allocates matrices, so it has no lock. Sanitizer builds keep nothing,
 * so that a use after free stays visible to them. */
#define POOL_MIN_BYTES ((size_t)1 << 20)
#define POOL_MAX_BLOCK ((size_t)16 << 20)
#define POOL_MAX_BYTES ((size_t)64 << 20)
#define POOL_SLOTS 8

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ON 0
#endif
#endif
#ifndef POOL_ON
#define POOL_ON 1
#endif

/* The kept blocks, oldest first. */
static struct {
    double *data[POOL_SLOTS];
    size_t cap[POOL_SLOTS];      /* doubles */
    int n;
    size_t bytes;
} pool;

/* Takes block i out of the cache, closing the gap. */
static double *pool_remove(int i)
{
    double *d = pool.data[i];
    pool.bytes -= pool.cap[i] * sizeof(double);
    pool.n--;
    memmove(pool.data + i, pool.data + i + 1, (size_t)(pool.n - i) * sizeof *pool.data);
    memmove(pool.cap + i, pool.cap + i + 1, (size_t)(pool.n - i) * sizeof *pool.cap);
    return d;
}

/* The smallest kept block that serves n doubles (its capacity in *cap),
 * or NULL. */
static double *pool_take(size_t n, size_t *cap)
{
    if (!POOL_ON || n * sizeof(double) < POOL_MIN_BYTES)
        return NULL;
    int best = -1;
    for (int i = 0; i < pool.n; i++)
        if (pool.cap[i] >= n && pool.cap[i] - pool.cap[i] / 8 <= n &&
            (best < 0 || pool.cap[i] < pool.cap[best]))
            best = i;
    if (best < 0) {
        /* the sizes changed: what is kept goes back to malloc, which can
         * make the new matrix of it */
        while (pool.n > 0)
            free(pool_remove(0));
        return NULL;
    }
    *cap = pool.cap[best];
    return pool_remove(best);
}

/* Frees the storage of cap doubles, or keeps it, letting the oldest
 * kept blocks go to stay within the bounds. */
static void data_free(double *d, size_t cap)
{
    size_t bytes = cap * sizeof(double);
    if (!POOL_ON || bytes < POOL_MIN_BYTES || bytes > POOL_MAX_BLOCK) {
        free(d);
        return;
    }
    while (pool.n == POOL_SLOTS || pool.bytes + bytes > POOL_MAX_BYTES)
        free(pool_remove(0));
    pool.data[pool.n] = d;
    pool.cap[pool.n] = cap;
    pool.n++;
    pool.bytes += bytes;
}

/* Running out of memory ends the run (alloc.h), naming the matrix; only
 * a shape over the element limit gives NULL, which callers report as too
 * large. */
static _Noreturn void matrix_out_of_memory(size_t rows, size_t cols)
{
    char what[64];
    snprintf(what, sizeof what, "a %zux%zu matrix", rows, cols);
    alloc_failed(rows * cols * sizeof(double), what);
}

Matrix *mat_new_uninit(size_t rows, size_t cols)
{
    if (!mat_size_ok(rows, cols))
        return NULL;
    Matrix *m = malloc(sizeof *m);
    if (!m)
        matrix_out_of_memory(rows, cols);
    size_t n = rows * cols;
    m->cap = n;
    m->data = pool_take(n, &m->cap);
    if (!m->data) {
        /* an empty matrix still gets one double: malloc(0) may return
         * NULL, which would read as failure, and data is never NULL */
        m->data = malloc((n ? n : 1) * sizeof(double));
        if (!m->data) {
            free(m);
            matrix_out_of_memory(rows, cols);
        }
        advise_huge_pages(m->data, n * sizeof(double));
    }
    m->rc = 1;
    m->logical = false;
    m->rows = rows;
    m->cols = cols;
    return m;
}

Matrix *mat_new(size_t rows, size_t cols)
{
    Matrix *m = mat_new_uninit(rows, cols);
    if (m)
        memset(m->data, 0, rows * cols * sizeof(double));
    return m;
}

Matrix *mat_from(size_t rows, size_t cols, const double *data)
{
    Matrix *m = mat_new_uninit(rows, cols);
    if (m && rows * cols != 0)
        memcpy(m->data, data, rows * cols * sizeof(double));
    return m;
}

Matrix *mat_scalar(double x)
{
    return mat_from(1, 1, &x);
}

Matrix *mat_copy(const Matrix *src)
{
    Matrix *m = mat_from(src->rows, src->cols, src->data);
    if (m)
        m->logical = src->logical;
    return m;
}

Matrix *mat_ref(Matrix *m)
{
    if (m)
        m->rc++;
    return m;
}

void mat_unref(Matrix *m)
{
    if (m && --m->rc == 0) {
        data_free(m->data, m->cap);
        free(m);
    }
}

bool mat_unique(Matrix **m)
{
    if ((*m)->rc == 1)
        return true;
    Matrix *c = mat_copy(*m);
    if (!c)
        return false;
    mat_unref(*m);
    *m = c;
    return true;
}

size_t mat_numel(const Matrix *m)
{
    return m->rows * m->cols;
}

bool mat_all_finite(const Matrix *m)
{
    size_t n = mat_numel(m);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(m->data[i]))
            return false;
    return true;
}

bool mat_is_vector(const Matrix *m)
{
    return m->rows == 1 || m->cols == 1;
}

bool mat_is_square(const Matrix *m)
{
    return m->rows == m->cols;
}

bool mat_is_empty(const Matrix *m)
{
    return m->rows == 0 || m->cols == 0;
}

/* Grows the allocation geometrically so that repeated appends are linear. */
static bool mat_reserve(Matrix *m, size_t n)
{
    if (n <= m->cap)
        return true;
    size_t cap = m->cap ? m->cap : 4;
    while (cap < n)
        cap = cap > SIZE_MAX / 4 ? n : cap * 2;
    double *d = realloc(m->data, cap * sizeof(double));
    if (!d)
        alloc_failed(cap * sizeof(double), "a growing matrix");
    m->data = d;
    m->cap = cap;
    advise_huge_pages(d, cap * sizeof(double));
    return true;
}

/* With the row count unchanged the columns stay where they are, so the
 * storage just grows (or keeps its capacity when shrinking): appending
 * columns is amortised linear. Otherwise every column moves, and the
 * elements are copied into fresh storage column by column. */
bool mat_resize(Matrix *m, size_t rows, size_t cols)
{
    if (!mat_size_ok(rows, cols))
        return false;
    if (rows == m->rows) {
        if (!mat_reserve(m, rows * cols))
            return false;
        if (cols > m->cols)
            memset(m->data + rows * m->cols, 0,
                   rows * (cols - m->cols) * sizeof(double));
        m->cols = cols;
        return true;
    }
    Matrix *t = mat_new(rows, cols);
    if (!t)
        return false;
    size_t r = rows < m->rows ? rows : m->rows;
    size_t c = cols < m->cols ? cols : m->cols;
    for (size_t j = 0; j < c; j++)
        memcpy(t->data + j * rows, m->data + j * m->rows, r * sizeof(double));
    data_free(m->data, m->cap);
    m->data = t->data;
    m->cap = t->cap;
    m->rows = rows;
    m->cols = cols;
    free(t);
    return true;
}

Matrix *mat_transpose(const Matrix *a)
{
    Matrix *t = mat_new_uninit(a->cols, a->rows);
    if (!t)
        return NULL;
    /* a vector has the same element order either way round */
    if (a->rows == 1 || a->cols == 1) {
        memcpy(t->data, a->data, mat_numel(a) * sizeof(double));
        return t;
    }
    /* Blocked so both sides stay in cache for large matrices. */
    const size_t B = 32;
    for (size_t j0 = 0; j0 < a->cols; j0 += B)
        for (size_t i0 = 0; i0 < a->rows; i0 += B)
            for (size_t j = j0; j < j0 + B && j < a->cols; j++)
                for (size_t i = i0; i < i0 + B && i < a->rows; i++)
                    t->data[j + i * a->cols] = a->data[i + j * a->rows];
    return t;
}

/* y = op(M) x through dgemv; x and y are vectors, contiguous whichever
 * way they lie. */
static void gemv(const Matrix *mat, bool trans, const double *x, double *y)
{
    cblas_dgemv(CblasColMajor, trans ? CblasTrans : CblasNoTrans,
                (int)mat->rows, (int)mat->cols, 1.0, mat->data, (int)mat->rows,
                x, 1, 0.0, y, 1);
}

/* C = x y' without dgemm's overhead for a rank-one product. Each element
 * is one product plus 0, as dgemm forms it from a zero accumulator (so a
 * -0 product is +0 there too). */
static void outer(const double *x, const double *y, Matrix *c)
{
    for (size_t j = 0; j < c->cols; j++)
        for (size_t i = 0; i < c->rows; i++)
            c->data[i + j * c->rows] = x[i] * y[j] + 0.0;
}

/* A A' (ta false) or A' A (ta true) into the zeroed c by dsyrk, half the
 * work of dgemm; the lower triangle is copied from the upper, so the
 * result is exactly symmetric. */
static void gram(const Matrix *a, bool ta, Matrix *c)
{
    size_t n = c->rows, k = ta ? a->rows : a->cols;
    cblas_dsyrk(CblasColMajor, CblasUpper, ta ? CblasTrans : CblasNoTrans, (int)n,
                (int)k, 1.0, a->data, (int)a->rows, 0.0, c->data, (int)n);
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++)
            c->data[i + j * n] = c->data[j + i * n];
}

Matrix *mat_mul(const Matrix *a, const Matrix *b, bool ta, bool tb)
{
    size_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
    size_t kb = tb ? b->cols : b->rows, n = tb ? b->rows : b->cols;
    if (k != kb)
        return NULL;
    /* a column result is op(A) times a vector, a row result a vector times
     * op(B), which is op(B)' times it: matrix-vector products (dgemv) */
    bool column = n == 1, row = m == 1 && !column;
    /* dgemm with beta = 0 writes C without reading it, so it needs no
     * zeroing; dgemv's y is zeroed, as some OpenBLAS versions scale it by
     * beta = 0 as y * 0, which keeps a NaN left in fresh memory */
    bool same = a->data == b->data && ta != tb;
    Matrix *c = k == 0 || column || row || same ? mat_new(m, n) : mat_new_uninit(m, n);
    /* an m x 0 times 0 x n product is the zeros mat_new gave; BLAS is
     * not called with a zero dimension */
    if (!c || m == 0 || n == 0 || k == 0)
        return c;
    threads_for(2.0 * (double)m * (double)n * (double)k);
    if (k == 1)
        outer(a->data, b->data, c);
    else if (same)
        gram(a, ta, c);
    else if (column)
        gemv(a, ta, b->data, c->data);
    else if (row)
        gemv(b, !tb, a->data, c->data);
    else
        cblas_dgemm(CblasColMajor, ta ? CblasTrans : CblasNoTrans,
                    tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0,
                    a->data, (int)a->rows, b->data, (int)b->rows, 0.0, c->data,
                    (int)c->rows);
    return c;
}

Matrix *mat_reshape(const Matrix *a, size_t rows, size_t cols)
{
    if (rows * cols != mat_numel(a))
        return NULL;
    return mat_from(rows, cols, a->data);
}
