/* linalg.h: dense linear algebra on Matrix (thin LAPACKE/CBLAS wrappers).
 *
 * Knows nothing of the interpreter. Conventions for every function:
 *  - inputs are `const Matrix *` and are never modified;
 *  - outputs come back through `Matrix **`; the caller owns them. On any
 *    error every output is set to NULL and nothing is leaked;
 *  - input containing NaN or Inf is refused with LA_NO_CONVERGE (LAPACK
 *    cannot be trusted with it); a dimension LAPACK cannot index, or any
 *    failed allocation, gives LA_NOMEM;
 *  - empty matrices are accepted wherever the result is well defined.
 */
#ifndef OVP_LINALG_H
#define OVP_LINALG_H

#include <stddef.h>

#include "base/matrix.h"

typedef enum {
    LA_OK = 0,
    LA_NOMEM,
    LA_SINGULAR,
    LA_NOT_PD,
    LA_NO_CONVERGE,
    LA_NOT_SYMMETRIC,
    LA_NOT_PSD,
    LA_SHAPE
} LaStatus;

/* Human-readable message for s ("matrix is singular", ...); never NULL. */
const char *la_status_str(LaStatus s);

/* X solves A X = B. Square A: LU, LA_SINGULAR if exactly singular or the
 * 1-norm reciprocal condition is below DBL_EPSILON. Non-square A:
 * minimum-norm least squares (dgelsd). rows(A) != rows(B): LA_SHAPE. */
LaStatus la_solve(const Matrix *A, const Matrix *B, Matrix **X);

/* X = B / A, i.e. X A = B (la_solve on the transposes).
 * cols(A) != cols(B): LA_SHAPE. */
LaStatus la_rdivide(const Matrix *B, const Matrix *A, Matrix **X);

/* Inverse of square A (0x0 gives 0x0); singular detected as in la_solve.
 * Non-square: LA_SHAPE. */
LaStatus la_inv(const Matrix *A, Matrix **X);

/* Determinant of square A via LU: singular gives 0 (not an error), 0x0
 * gives 1. *d is written only on LA_OK. */
LaStatus la_det(const Matrix *A, double *d);

/* Singular values of A as a min(m,n) x 1 column, descending. */
LaStatus la_svd_values(const Matrix *A, Matrix **s);

/* Economy SVD A = U diag(s) V': U m x k, s k x 1 descending, V n x k,
 * k = min(m,n). */
LaStatus la_svd(const Matrix *A, Matrix **U, Matrix **s, Matrix **V);

/* Moore-Penrose pseudo-inverse (n x m), dropping singular values <= tol.
 * tol < 0 (or NaN): default max(m,n) * eps * smax. */
LaStatus la_pinv(const Matrix *A, double tol, Matrix **X);

/* Number of singular values > tol; tol as in la_pinv. Empty A has rank 0. */
LaStatus la_rank(const Matrix *A, double tol, size_t *r);

/* 2-norm condition number smax/smin: Inf when smin == 0, 0 for empty A.
 * *c is written only on LA_OK. */
LaStatus la_cond(const Matrix *A, double *c);

/* Spectral norm; 0 for empty A, NaN if A has a NaN or the SVD fails,
 * Inf if A has an Inf. */
double la_norm2(const Matrix *A);

/* Upper triangular R with R'R = A. A must be symmetric (to 1e-12 relative
 * to its 1-norm) else LA_NOT_SYMMETRIC; LA_NOT_PD if not positive definite. */
LaStatus la_chol(const Matrix *A, Matrix **R);

/* Economy QR: A = Q R, Q m x k with orthonormal columns, R k x n upper
 * triangular, k = min(m,n). */
LaStatus la_qr(const Matrix *A, Matrix **Q, Matrix **R);

/* Eigen-decomposition of symmetric A (checked as in la_chol; uses
 * (A+A')/2): w n x 1 ascending, V orthonormal columns. V may be NULL. */
LaStatus la_eigsym(const Matrix *A, Matrix **w, Matrix **V);

/* Eigenvalues wr + i*wi (n x 1 each) of square A (dgeev). V, if not NULL,
 * gets the right eigenvectors in LAPACK's packed real form. */
LaStatus la_eig(const Matrix *A, Matrix **wr, Matrix **wi, Matrix **V);

/* A^p = V diag(l^p) V' for symmetric PSD A; eigenvalues in [-tol, 0) with
 * tol = n*eps*max|l| become 0, more negative ones give LA_NOT_PSD unless p
 * is a nonnegative integer. 0^0 = 1. p < 0 with an eigenvalue <= tol:
 * LA_SINGULAR. */
LaStatus la_mpow_psd(const Matrix *A, double p, Matrix **X);

/* Kronecker product A (x) B; NULL when the size overflows or on no memory. */
Matrix *la_kron(const Matrix *A, const Matrix *B);

#endif
