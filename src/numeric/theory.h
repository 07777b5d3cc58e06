/* theory.h: numerics behind the theorem suite (deep linear networks,
 * balancedness, end-to-end preconditioning, deficiency margin, balanced
 * initialisation; clusterable data and label corruption).
 *
 * Pure numerics on Matrix: knows nothing of the interpreter. Section tags
 * (B2, B3, ...) refer to /work/shared/theory.md.
 *
 * Conventions for every function:
 *  - inputs are never modified; every returned or output Matrix belongs to
 *    the caller (one reference each);
 *  - on any error every output is set to NULL and nothing is leaked;
 *  - a deep linear net of depth N is an array W[0..N-1] with W[j-1] = W_j
 *    of size d_j x d_{j-1}; the end-to-end matrix is W_N ... W_1;
 *  - randomness comes only from the Rng passed in, so results are a pure
 *    function of its state (the draw order is documented per function).
 */
#ifndef OVP_THEORY_H
#define OVP_THEORY_H

#include <stddef.h>

#include "base/matrix.h"
#include "base/rng.h"

/* Attempts th_clusters makes at drawing the L centres before giving up. */
#define TH_CENTRE_TRIES 100000

/* End-to-end matrix W_N ... W_1 (B1), a new matrix (a copy of W[0] when
 * N = 1). NULL when N < 1, an entry is NULL, consecutive shapes do not
 * chain (cols(W_{j+1}) != rows(W_j), checked before any product), or on
 * exhausted memory. */
Matrix *th_e2e(Matrix *const *W, int N);

/* delta(W) = max_{j=1..N-1} ||W_{j+1}^T W_{j+1} - W_j W_j^T||_F (B2), the
 * smallest delta for which the net is delta-balanced. 0 when N = 1. NaN
 * when N < 1, an entry is NULL, shapes do not chain, or memory runs out. */
double th_balance_delta(Matrix *const *W, int N);

/* Splits A (d_N x d_0) into N exactly balanced factors with W_N...W_1 = A,
 * by Procedure 1 step 3 (B8): thin SVD A = U S V^T, m = min(d_0, d_N),
 * W_1 = S^{1/N} V^T, W_j = S^{1/N} (1 < j < N), W_N = U S^{1/N}, so the
 * hidden widths d_1..d_{N-1} are all m. No random rotations are inserted.
 * N = 1 gives W_1 = A (a copy); an empty A gives all-zero factors
 * (m = 0). W must have room for N pointers. Returns 0, or -1 (N < 1, A
 * NULL or non-finite, SVD failure, no memory). */
int th_balanced_split(const Matrix *A, int N, Matrix **W);

/* th_balanced_split with given widths: dims = [d_0, ..., d_N] (N+1
 * entries) with d_0 = cols(A), d_N = rows(A) and every hidden width
 * d_j >= m = min(d_0, d_N); each factor of Procedure 1 is zero-padded
 * (extra bottom rows / right columns) to d_j x d_{j-1}, which keeps the
 * product and exact balance. dims NULL means th_balanced_split. Returns 0,
 * or -1 as th_balanced_split, or on bad dims. */
int th_balanced_split_dims(const Matrix *A, int N, const size_t *dims,
                           Matrix **W);

/* Procedure 1 (B8). dims = [d_0, ..., d_N] (ndims = N + 1 >= 2, all > 0,
 * hidden widths >= min(d_0, d_N)). A is `target` when it is not NULL (it
 * must be d_N x d_0; std and rng are then unused and rng may be NULL);
 * otherwise A is d_N x d_0 with iid N(0, std^2) entries, drawn as
 * d_N*d_0 successive rng_normal values in column-major order, times std
 * (std finite and >= 0). Then W = th_balanced_split_dims(A, N, dims):
 * exactly balanced (delta at rounding level) and W_N...W_1 = A up to
 * rounding. W must have room for N pointers. Returns 0, or -1 on bad arguments or
 * failure. */
int th_balanced_init(const size_t *dims, int ndims, double std,
                     const Matrix *target, Rng *rng, Matrix **W);

/* The end-to-end preconditioner applied to G (B3, matrix form):
 *   sum_{j=1..N} (W W^T)^{(j-1)/N} G (W^T W)^{(N-j)/N},   0^0 = 1,
 * so vec of the result is P_W vec(G). The PSD powers are taken from the
 * thin SVD W = U S V^T as U S^{2p} U^T and V S^{2p} V^T (p > 0; the
 * complement has eigenvalue 0), with singular values <= max(m,n) eps s_1
 * treated as exactly 0: on the Gram matrices themselves (la_mpow_psd) the
 * rounding noise of zero eigenvalues, ~eps s_1^2, would come back as
 * ~(eps s_1^2)^p, e.g. 1e-5 relative for p = 1/3. A zero exponent is the
 * identity exactly, so N = 1 returns a copy of G. NULL when N < 1, W or G
 * is NULL, G is not the shape of W, W is not finite, or no memory. */
Matrix *th_precond(const Matrix *W, int N, const Matrix *G);

/* Deficiency margin of W w.r.t. Phi (B5, paper form):
 *   sigma_min(Phi) - ||W - Phi||_F,  sigma_min = min(rows, cols)-th
 * singular value. W has margin c > 0 iff the result is >= c. NaN when
 * either is NULL, shapes differ, Phi is empty or non-finite. */
double th_margin(const Matrix *W, const Matrix *Phi);

/* The K evenly spaced class labels of A12 as a K x 1 column:
 * alpha_a = -1 + 2(a-1)/(K-1), a = 1..K (so -1 and 1 are included and
 * neighbours are 2/(K-1) apart). These are exactly the values th_clusters
 * writes into ybar. NULL when K < 2 or on no memory. */
Matrix *th_class_labels(size_t K);

/* Label corruption (A12). y: a vector (n x 1 or 1 x n) of labels. The
 * label set is the distinct values of `labels` (any shape) or, when
 * labels is NULL, of y; it is sorted and must have >= 2 values, and every
 * y entry must equal one of them exactly (compare th_class_labels).
 * s = round(rho * n) indices are chosen uniformly (the first s entries of
 * rng_permutation(n)); in that order each chosen entry gets a label drawn
 * with rng_below(K - 1) uniformly among the K - 1 other labels.
 * y_out: y with those entries replaced (same shape); mask: same shape,
 * marked logical, 1 at the corrupted entries and 0 elsewhere.
 * Returns 0, or -1 (rho NaN or outside [0, 1], y not a vector, rng NULL,
 * fewer than 2 labels, a NaN label, a y entry not in the set, no memory). */
int th_corrupt(const Matrix *y, double rho, const Matrix *labels, Rng *rng,
               Matrix **y_out, Matrix **mask);

/* (eps0, delta)-clusterable data (A12 generator, talk notation: L clusters,
 * K classes). Outputs:
 *   X       n x d, rows on the unit sphere, ||x_i - c_{l(i)}|| <= eps0;
 *   ybar    n x 1 clean labels: cluster l has class ((l-1) mod K) + 1 and
 *           label alpha of th_class_labels(K) (values in [-1, 1]);
 *   centers L x d unit rows, pairwise distances >= delta;
 *   cluster n x 1, the 1-based cluster l(i) of each point.
 * Split: cluster l (1-based) has floor(n/L) points, plus one when
 * l <= n mod L; points are stored cluster by cluster in order.
 * Draw order: centres first; each try draws g ~ N(0, I_d) (d rng_normal),
 * normalises it and accepts it if its distance to every accepted centre is
 * >= delta; at most TH_CENTRE_TRIES tries in all. Then for each point in
 * storage order: u ~ N(0, I_d) (d rng_normal), U = rng_uniform; u is
 * projected orthogonally to c (twice, for accuracy) and normalised to uh;
 * t = eps0 U, and x = cos(th) c + sin(th) uh with th = 2 arcsin(t/2),
 * computed as cos(th) = 1 - t^2/2, sin(th) = t sqrt(1 - t^2/4), so that
 * ||x|| = 1 and ||x - c|| = t. If the projection vanishes (d = 1) x = c.
 * Returns 0, or -1 (d, L < 1, K < 2, eps0 outside [0, 2], delta NaN or
 * negative, rng NULL, centres not found, a matrix over the element limit,
 * or Ctrl-C, which the drawing loops poll). */
int th_clusters(size_t n, size_t d, size_t L, size_t K, double eps0,
                double delta, Rng *rng, Matrix **X, Matrix **ybar,
                Matrix **centers, Matrix **cluster);

/* The random parts of a teacher network y = act(X W') v + noise e:
 *   X  n x d, rows uniform on the unit sphere (each row: d rng_normal,
 *      normalised; redrawn in the probability-0 event of a zero row);
 *   W  k x d, N(0, 1), column-major draw order;
 *   v  k x 1, i.i.d. +-1/sqrt(k), + when rng_uniform < 1/2;
 *   e  n x 1, N(0, 1).
 * Drawn in that order. Returns 0, or -1 (d or k < 1, rng NULL, no memory). */
int th_teacher_draw(size_t n, size_t d, size_t k, Rng *rng, Matrix **X,
                    Matrix **W, Matrix **v, Matrix **e);

#endif /* OVP_THEORY_H */
