/* matrix.h: dense real matrices, column-major, reference counted.
 *
 * The numeric core knows nothing of the language. A Matrix is shared by
 * reference count; anyone who wants to write into one calls mat_unique()
 * first, which copies when the storage is shared (copy-on-write).
 *
 * Ownership: mat_new* and every function returning Matrix* give the caller
 * one reference; mat_ref() adds one, mat_unref() drops one and frees at zero.
 * Functions taking `const Matrix *` only read their argument.
 */
#ifndef OVP_MATRIX_H
#define OVP_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Matrix {
    int rc;          /* reference count */
    bool logical;    /* produced by a comparison: indexes as a mask */
    size_t rows, cols;
    size_t cap;      /* allocated doubles in data (>= rows*cols) */
    double *data;    /* column-major: element (i, j) at data[i + j*rows] */
} Matrix;

/* Largest number of elements a single matrix may hold (2^31: 16 GiB).
 * The fuzzers build with -DMAT_MAX_ELEMS=1000000. */
#ifndef MAT_MAX_ELEMS
#define MAT_MAX_ELEMS ((size_t)1 << 31)
#endif

#define MAT_AT(m, i, j) ((m)->data[(i) + (j) * (m)->rows])

/* True when rows*cols fits MAT_MAX_ELEMS (checked before any allocation). */
bool mat_size_ok(size_t rows, size_t cols);

/* A rows x cols matrix of zeros; NULL when the shape is over the element
 * limit (MAT_MAX_ELEMS). Running out of memory ends the run (alloc.h). */
Matrix *mat_new(size_t rows, size_t cols);
/* Uninitialised storage; same failure rules as mat_new. */
Matrix *mat_new_uninit(size_t rows, size_t cols);
/* A copy of rows*cols doubles from data, column-major; data is not read
 * (and may be NULL) when the matrix is empty. */
Matrix *mat_from(size_t rows, size_t cols, const double *data);
/* A 1x1 matrix. */
Matrix *mat_scalar(double x);
/* An unshared copy with m's shape and logical flag. */
Matrix *mat_copy(const Matrix *m);

/* Adds a reference and returns m; NULL is passed through. */
Matrix *mat_ref(Matrix *m);
/* Drops a reference, freeing m at zero; NULL is ignored. */
void mat_unref(Matrix *m);
/* Makes *m exclusively owned by the caller, copying if shared. Returns
 * false when the copy cannot be allocated (then *m is unchanged). */
bool mat_unique(Matrix **m);

size_t mat_numel(const Matrix *m);
/* True when no element is NaN or infinite. */
bool mat_all_finite(const Matrix *m);
/* One row or one column: true for 1x1, 1x0 and 0x1, false for 0x0. */
bool mat_is_vector(const Matrix *m);
bool mat_is_square(const Matrix *m);
/* No elements: 0x0, but also 0x3 and 3x0, which keep their shape. */
bool mat_is_empty(const Matrix *m);

/* Resize keeping the elements at their (i, j) positions; new ones are 0.
 * m must be uniquely owned. False when the new size is over the limit;
 * m is then unchanged. */
bool mat_resize(Matrix *m, size_t rows, size_t cols);

/* A new matrix, not marked logical. */
Matrix *mat_transpose(const Matrix *m);
/* C = op(A) * op(B) through dgemm; NULL on mismatch (caller checks shapes).
 * An inner dimension of 0 gives zeros. */
Matrix *mat_mul(const Matrix *a, const Matrix *b, bool ta, bool tb);
/* m's elements, in their column-major order, as a new rows x cols
 * matrix (a copy: it shares nothing with m). NULL when rows*cols is not
 * numel(m). */
Matrix *mat_reshape(const Matrix *m, size_t rows, size_t cols);

#endif
