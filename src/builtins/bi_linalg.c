/* bi_linalg.c: linear algebra built-ins on top of linalg.c. Each one
 * reads its matrices, calls one wrapper and turns the status into the
 * uniform error.
 *
 * The numerics and their tolerances live in numeric/linalg.c; this file
 * only chooses the wrapper and the shape of the result. The wrappers take
 * const inputs and hand back outputs the caller owns (all NULL on
 * failure), so every path here drops the arguments' references once and
 * either wraps the output or reports the status. They refuse NaN and Inf
 * (LA_NO_CONVERGE): LAPACK's results on them cannot be trusted. */
#include <math.h>
#include <stdlib.h>

#include "eval/builtin.h"
#include "numeric/linalg.h"

/* The status as the built-in's error: "inv: matrix is singular". */
static Value la_error(Interp *I, const Args *a, LaStatus s)
{
    return bi_error(I, a, "%s", la_status_str(s));
}

/* A list of matrices (taken), for multiple results. The evaluator unpacks
 * it item by item into the targets of `a, b = f(A)`. */
static Value list_of(int n, Matrix **ms)
{
    Value l = val_list_new((size_t)n);
    for (int i = 0; i < n; i++)
        list_push(l.as.list, val_mat(ms[i]));
    return l;
}

/* B is read only once A was good, so one failure path frees what was
 * taken (mat_unref(NULL) does nothing). A shape mismatch gets its own
 * message with both sizes, more use than la_status_str's generic one.
 * Square A goes through LU and is refused when nearly singular (1-norm
 * reciprocal condition below eps); other shapes get the minimum-norm
 * least-squares solution, as A \ B does. */
static Value bi_solve(Interp *I, const Args *a)
{
    Matrix *A = arg_mat(I, a, 0), *B = A ? arg_mat(I, a, 1) : NULL, *X = NULL;
    if (!B) {
        mat_unref(A);
        return val_error;
    }
    LaStatus s = la_solve(A, B, &X);
    Value r = s == LA_OK ? val_mat(X)
              : s == LA_SHAPE ? bi_error(I, a, "A is %zux%zu but B has %zu rows",
                                         A->rows, A->cols, B->rows)
              : la_error(I, a, s);
    mat_unref(A);
    mat_unref(B);
    return r;
}

/* Runs a one-input, one-output wrapper. square asks for arg_square, whose
 * message names the argument; the wrapper would only say LA_SHAPE. */
static Value unary_la(Interp *I, const Args *a, bool square,
                      LaStatus (*f)(const Matrix *, Matrix **))
{
    Matrix *A = square ? arg_square(I, a, 0) : arg_mat(I, a, 0), *X = NULL;
    if (!A)
        return val_error;
    LaStatus s = f(A, &X);
    mat_unref(A);
    return s == LA_OK ? val_mat(X) : la_error(I, a, s);
}

static Value bi_inv(Interp *I, const Args *a) { return unary_la(I, a, true, la_inv); }
static Value bi_chol(Interp *I, const Args *a) { return unary_la(I, a, true, la_chol); }

/* An optional tolerance: absent means the default (passed on as -1).
 * The default is linalg's max(m, n) * eps * smax, the usual LAPACK and
 * Octave choice. A given tolerance must be >= 0, which also refuses NaN:
 * la_pinv reads any negative or NaN tol as "use the default", and a user
 * who typed one should hear about it instead. */
static bool tolerance_arg(Interp *I, const Args *a, int i, double *tol)
{
    *tol = -1;
    if (!arg_given(a, i))
        return true;
    if (!arg_num(I, a, i, tol))
        return false;
    if (!(*tol >= 0)) {
        bi_error(I, a, "tol must be a non-negative number, got %g", *tol);
        return false;
    }
    return true;
}

/* tol is read before A so that its failure leaves nothing to free. */
static Value bi_pinv(Interp *I, const Args *a)
{
    double tol;
    if (!tolerance_arg(I, a, 1, &tol))
        return val_error;
    Matrix *A = arg_mat(I, a, 0), *X = NULL;
    if (!A)
        return val_error;
    LaStatus s = la_pinv(A, tol, &X);
    mat_unref(A);
    return s == LA_OK ? val_mat(X) : la_error(I, a, s);
}

/* The product of the LU pivots: exactly singular gives 0, not an error,
 * and 0x0 gives 1 (the empty product). For large or badly scaled A the
 * product overflows to inf or underflows to 0 long before A is singular;
 * rank and cond are the tests of singularity, not det. */
static Value bi_det(Interp *I, const Args *a)
{
    Matrix *A = arg_square(I, a, 0);
    if (!A)
        return val_error;
    double d;
    LaStatus s = la_det(A, &d);
    mat_unref(A);
    return s == LA_OK ? val_num(d) : la_error(I, a, s);
}

/* triu(A, k) keeps the elements on and above the k-th diagonal (k > 0
 * above the main one, k < 0 below) and zeros the rest; tril those on
 * and below it. */
static Value triangle(Interp *I, const Args *a, bool upper)
{
    long k = 0;
    if (arg_given(a, 1) && !arg_int(I, a, 1, &k))
        return val_error;
    Matrix *A = arg_mat(I, a, 0);
    if (!A)
        return val_error;
    Matrix *T = mat_new(A->rows, A->cols);
    for (size_t j = 0; T && j < A->cols; j++)
        for (size_t i = 0; i < A->rows; i++) {
            long diag = (long)j - (long)i;
            if (upper ? diag >= k : diag <= k)
                MAT_AT(T, i, j) = MAT_AT(A, i, j);
        }
    mat_unref(A);
    return bi_mat(I, a, T);
}

static Value bi_triu(Interp *I, const Args *a) { return triangle(I, a, true); }
static Value bi_tril(Interp *I, const Args *a) { return triangle(I, a, false); }

/* The inner product of two vectors of the same length (either
 * orientation), summed left to right as sum(a .* b) is. Matrices are
 * refused: MATLAB's dot would go column by column and NumPy's would
 * multiply them, and a silent pick would surprise half the readers. */
static Value bi_dot(Interp *I, const Args *a)
{
    Matrix *x = arg_mat(I, a, 0), *y = x ? arg_mat(I, a, 1) : NULL;
    if (!y) {
        mat_unref(x);
        return val_error;
    }
    Value r;
    if (!mat_is_vector(x) || !mat_is_vector(y) || mat_numel(x) != mat_numel(y))
        r = bi_error(I, a, "needs two vectors of the same length, got %zux%zu and %zux%zu "
                     "(for matrices: sum(A .* B) or A' * B)", x->rows, x->cols, y->rows, y->cols);
    else {
        double s = 0;
        for (size_t i = 0; i < mat_numel(x); i++)
            s += x->data[i] * y->data[i];
        r = val_num(s);
    }
    mat_unref(x);
    mat_unref(y);
    return r;
}

/* Summed directly: no factorisation needed. 0x0 gives 0. */
static Value bi_trace(Interp *I, const Args *a)
{
    Matrix *A = arg_square(I, a, 0);
    if (!A)
        return val_error;
    double t = 0;
    for (size_t k = 0; k < A->rows; k++)
        t += MAT_AT(A, k, k);
    mat_unref(A);
    return val_num(t);
}

/* The number of singular values above tol (an SVD, the reliable way to
 * count them); an empty matrix has rank 0. */
static Value bi_rank(Interp *I, const Args *a)
{
    double tol;
    if (!tolerance_arg(I, a, 1, &tol))
        return val_error;
    Matrix *A = arg_mat(I, a, 0);
    if (!A)
        return val_error;
    size_t r;
    LaStatus s = la_rank(A, tol, &r);
    mat_unref(A);
    return s == LA_OK ? val_num((double)r) : la_error(I, a, s);
}

/* smax/smin from the singular values: inf for a singular matrix rather
 * than an error, 0 for an empty one. Any shape is accepted. */
static Value bi_cond(Interp *I, const Args *a)
{
    Matrix *A = arg_mat(I, a, 0);
    if (!A)
        return val_error;
    double c;
    LaStatus s = la_cond(A, &c);
    mat_unref(A);
    return s == LA_OK ? val_num(c) : la_error(I, a, s);
}

/* The economy factors: Q is m x k, R k x n with k = min(m, n). la_qr forms
 * both; with one result Q is dropped and R kept. Asking for three results
 * gets the list of two, and the unpacking reports the mismatch. */
static Value bi_qr(Interp *I, const Args *a)
{
    Matrix *A = arg_mat(I, a, 0), *QR[2] = {NULL, NULL};
    if (!A)
        return val_error;
    LaStatus s = la_qr(A, &QR[0], &QR[1]);
    mat_unref(A);
    if (s != LA_OK)
        return la_error(I, a, s);
    if (a->nargout >= 2)
        return list_of(2, QR);
    mat_unref(QR[0]);
    return val_mat(QR[1]);
}

/* One result: the singular values only (dgesdd without vectors, the
 * cheaper path). Three: U, S, V with S the k x k diagonal matrix
 * built here from the vector of values, so that U*S*V' = A as written.
 * Two results are refused rather than guessing which pair was meant. */
static Value bi_svd(Interp *I, const Args *a)
{
    if (a->nargout == 2 || a->nargout > 3)
        return bi_error(I, a, "gives 1 result (the singular values) or 3 (U, S, V = "
                        "svd(A)), not %d", a->nargout);
    Matrix *A = arg_mat(I, a, 0), *USV[3] = {NULL, NULL, NULL};
    if (!A)
        return val_error;
    if (a->nargout < 3) {
        LaStatus s = la_svd_values(A, &USV[1]);
        mat_unref(A);
        return s == LA_OK ? val_mat(USV[1]) : la_error(I, a, s);
    }
    Matrix *s_vec = NULL;
    LaStatus s = la_svd(A, &USV[0], &s_vec, &USV[2]);
    mat_unref(A);
    if (s != LA_OK)
        return la_error(I, a, s);
    size_t k = mat_numel(s_vec);
    USV[1] = mat_new(k, k);
    for (size_t i = 0; USV[1] && i < k; i++)
        MAT_AT(USV[1], i, i) = s_vec->data[i];
    mat_unref(s_vec);
    return list_of(3, USV);
}

/* la_eigsym refuses a matrix that is not symmetric to 1e-12 relative to
 * its 1-norm and then hands (A + A')/2 to dsyevd, which reads only one
 * triangle: averaging lets both count. Eigenvectors are computed only
 * when two results are asked for (dsyevd's 'N' job is cheaper). */
static Value bi_eigsym(Interp *I, const Args *a)
{
    Matrix *A = arg_square(I, a, 0), *wV[2] = {NULL, NULL};
    if (!A)
        return val_error;
    LaStatus s = la_eigsym(A, &wV[0], a->nargout >= 2 ? &wV[1] : NULL);
    mat_unref(A);
    if (s != LA_OK)
        return la_error(I, a, s);
    if (a->nargout < 2)
        return val_mat(wV[0]);
    Matrix *swap = wV[0];   /* {V, w}: vectors first, as V, w = eigsym(A) */
    wV[0] = wV[1];
    wV[1] = swap;
    return list_of(2, wV);
}

/* eigsym's one-result form under its own name: the eigenvectors are
 * never computed, whatever the number of targets. */
static Value bi_eigvals(Interp *I, const Args *a)
{
    Matrix *A = arg_square(I, a, 0), *w = NULL;
    if (!A)
        return val_error;
    LaStatus s = la_eigsym(A, &w, NULL);
    mat_unref(A);
    return s == LA_OK ? val_mat(w) : la_error(I, a, s);
}

/* General eigenvalues: a column when all are real, else [re, im].
 * dgeev gives a real eigenvalue an imaginary part of exactly 0 and lists
 * complex ones as conjugate pairs, so the test is exact. The language has
 * no complex numbers, hence the two-column form. Returns a new reference
 * either way (mat_ref of wr when all are real); NULL when the two-column
 * matrix cannot be allocated. */
static Matrix *eig_values(Matrix *wr, Matrix *wi)
{
    bool real = true;
    for (size_t i = 0; i < mat_numel(wi); i++)
        real = real && wi->data[i] == 0;
    if (real)
        return mat_ref(wr);
    Matrix *m = mat_new_uninit(wr->rows, 2);
    for (size_t i = 0; m && i < wr->rows; i++) {
        MAT_AT(m, i, 0) = wr->data[i];
        MAT_AT(m, i, 1) = wi->data[i];
    }
    return m;
}

/* V is asked for only with two results. It keeps LAPACK's packed real
 * form: for a complex pair in entries j, j+1 of w, columns j and j+1 of V
 * hold the real and imaginary parts of the first eigenvector, and the
 * second is its conjugate. */
static Value bi_eig(Interp *I, const Args *a)
{
    Matrix *A = arg_square(I, a, 0), *wr = NULL, *wi = NULL, *V = NULL;
    if (!A)
        return val_error;
    LaStatus s = la_eig(A, &wr, &wi, a->nargout >= 2 ? &V : NULL);
    mat_unref(A);
    if (s != LA_OK)
        return la_error(I, a, s);
    Matrix *vals = eig_values(wr, wi);
    mat_unref(wr);
    mat_unref(wi);
    if (!vals) {
        mat_unref(V);
        return bi_error(I, a, "the result is too large (a matrix holds at most %zu elements)", (size_t)MAT_MAX_ELEMS);
    }
    if (a->nargout < 2)
        return val_mat(vals);
    Matrix *Vw[2] = {V, vals};
    return list_of(2, Vw);
}

/* la_kron's NULL means the product could not be made, almost always
 * because its size is over the element limit, so the message names the
 * two sizes. */
static Value bi_kron(Interp *I, const Args *a)
{
    Matrix *A = arg_mat(I, a, 0), *B = A ? arg_mat(I, a, 1) : NULL;
    if (!B) {
        mat_unref(A);
        return val_error;
    }
    Matrix *K = la_kron(A, B);
    Value r = K ? val_mat(K) : bi_error(I, a, "result of %zux%zu by %zux%zu is too large",
                                        A->rows, A->cols, B->rows, B->cols);
    mat_unref(A);
    mat_unref(B);
    return r;
}

/* A fractional power needs a spectral definition: V diag(l^p) V' with the
 * orthonormal eigenvectors of a symmetric A, which stays real. p must be
 * finite: l^inf is 0, 1 or inf depending on l, not a matrix function.
 * la_mpow_psd decides the rest: eigenvalues within n*eps*max|l| below 0
 * count as 0, more negative ones are refused unless p is a whole number
 * >= 0, and p < 0 needs every eigenvalue above that tolerance. */
static Value bi_mpow(Interp *I, const Args *a)
{
    double p;
    if (!arg_num(I, a, 1, &p))
        return val_error;
    if (!isfinite(p))
        return bi_error(I, a, "p must be a finite number, got %g", p);
    Matrix *A = arg_square(I, a, 0), *X = NULL;
    if (!A)
        return val_error;
    LaStatus s = la_mpow_psd(A, p, &X);
    mat_unref(A);
    return s == LA_OK ? val_mat(X) : la_error(I, a, s);
}

const Builtin builtins_linalg[] = {
    {"solve", 2, 2, "solve(A, B)", "X with A X = B (LU for square A, an error when "
     "singular); minimum-norm least squares for non-square A. Same as A \\ B", bi_solve},
    {"inv", 1, 1, "inv(A)", "inverse of a square non-singular matrix", bi_inv},
    {"pinv", 1, 2, "pinv(A, tol)", "Moore-Penrose pseudo-inverse (singular values "
     "below tol, default max(m,n)*eps*smax, are dropped)", bi_pinv},
    {"det", 1, 1, "det(A)", "determinant of a square matrix", bi_det},
    {"trace", 1, 1, "trace(A)", "sum of the diagonal of a square matrix", bi_trace},
    {"triu", 1, 2, "triu(A, k)", "A with the elements below the k-th diagonal (default 0, "
     "the main one; k > 0 above it) set to 0", bi_triu},
    {"tril", 1, 2, "tril(A, k)", "A with the elements above the k-th diagonal set to 0",
     bi_tril},
    {"dot", 2, 2, "dot(a, b)", "inner product sum(a .* b) of two vectors of the same length",
     bi_dot},
    {"rank", 1, 2, "rank(A, tol)", "numerical rank (singular values above tol)", bi_rank},
    {"cond", 1, 1, "cond(A)", "2-norm condition number smax/smin (inf when singular)", bi_cond},
    {"chol", 1, 1, "chol(A)", "upper triangular R with R'R = A, for symmetric positive "
     "definite A", bi_chol},
    {"qr", 1, 1, "qr(A)", "R of the economy QR factorisation; Q, R = qr(A) gives both", bi_qr},
    {"svd", 1, 1, "svd(A)", "singular values, descending, as a column; U, S, V = svd(A) "
     "gives the economy factors with A = U*S*V'", bi_svd},
    {"eig", 1, 1, "eig(A)", "eigenvalues of a general square matrix: a column when all "
     "are real, else an n x 2 matrix [real, imaginary]; V, w = eig(A) also gives the "
     "eigenvectors (LAPACK dgeev layout)", bi_eig},
    {"eigvals", 1, 1, "eigvals(A)", "eigenvalues of a symmetric matrix, ascending", bi_eigvals},
    {"eigsym", 1, 1, "eigsym(A)", "eigenvalues of a symmetric matrix, ascending; "
     "V, w = eigsym(A) also gives orthonormal eigenvectors", bi_eigsym},
    {"kron", 2, 2, "kron(A, B)", "Kronecker product", bi_kron},
    {"mpow", 2, 2, "mpow(A, p)", "A^p for a symmetric A through its eigendecomposition: "
     "any real p for positive semi-definite A (positive definite when p < 0; 0^0 = "
     "1); a whole p >= 0 also for indefinite A", bi_mpow},
    BUILTIN_END,
};
