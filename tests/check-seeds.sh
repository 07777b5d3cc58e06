#!/bin/sh
# The seed sweep of the quick theorem scripts (under about 2 s a seed):
# every check of each must pass on seeds 1..5 (`ovp suite --seeds 1:5`).
# The theorems hold with high probability, not on one lucky seed; the
# slower scripts are swept by `ovp suite --seeds 1:5` by hand (README).
ovp=${OVP:-./ovp}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quick="linear_net_gradients balancedness_preserved clusterable_data_corruption
shallow_model_jacobian balanced_init linear_convergence_gd linear_least_squares
necessity_claims non_strict_saddle schur_product_bounds covariance_kappa
random_features deficiency_margin fashion_jacobian_subspaces relu_gd_converges
end_to_end_dynamics jacobian_fast_slow_subspaces hermite_lemma
not_a_gradient_field"
mkdir "$work/quick"
for s in $quick; do
    [ -f "$top/examples/theorems/$s.ovp" ] || { echo "FAIL: no script $s"; exit 1; }
    ln -s "$top/examples/theorems/$s.ovp" "$work/quick/$s.ovp"
done
"$ovp" suite "$work/quick" --seeds 1:5 --report "$work/report"
code=$?
[ "$code" = 0 ] || echo "FAIL: the seed sweep exited with status $code (see the table above)"
exit $code
