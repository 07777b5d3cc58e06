"""W8 in NumPy: the NTK Gram matrix of a two-hidden-layer tanh net
f(x) = v' tanh(W2 tanh(W1 x)) over all its parameters, by the structured
identity (the Jacobian is never formed):
    K = H2 H2' + (B2 B2') .* (H1 H1') + (B1 B1') .* (X X')
with H1 = tanh(X W1'), H2 = tanh(H1 W2'), B2 = (1 - H2^2) .* v',
B1 = (B2 W2) .* (1 - H1^2); then all eigenvalues. The same sizes as
bench/w8.ovp (n = 1000, d = 100, widths 500 and 500); the random draws
differ from ovp's, so compare times, not digits."""
import numpy as np

rng = np.random.default_rng(1)
n, d, k1, k2 = 1000, 100, 500, 500
X = rng.standard_normal((n, d))
X /= np.linalg.norm(X, axis=1, keepdims=True)
W1 = rng.standard_normal((k1, d)) / np.sqrt(d)
W2 = rng.standard_normal((k2, k1)) / np.sqrt(k1)
v = rng.standard_normal(k2) / np.sqrt(k2)
H1 = np.tanh(X @ W1.T)
H2 = np.tanh(H1 @ W2.T)
B2 = (1 - H2 ** 2) * v
B1 = (B2 @ W2) * (1 - H1 ** 2)
K = H2 @ H2.T + (B2 @ B2.T) * (H1 @ H1.T) + (B1 @ B1.T) * (X @ X.T)
ev = np.linalg.eigvalsh(K)
print("W8 lambda_min %.6g lambda_max %.6g" % (ev[0], ev[-1]))
