# common.sh: what every example's run.sh shares, read with `.` from it.
#   OVP    the ovp binary (default: ovp on the PATH)
#   OUT    the folder for the results and figures (default: .)
# The script sets `grid` (the --grid options, no spaces inside a value)
# and then calls run_sweep NAME "$@" and draw FIGURE-ARGUMENTS....
set -f
here=$(dirname "$0")
ovp=${OVP:-ovp}
out=${OUT:-.}
mkdir -p "$out" || exit 101
# An absolute folder: ovp sends relative figure names to $OVP_FIGDIR when
# it is set, which would part the figures from the results.
out=$(cd "$out" && pwd) || exit 101

# run_sweep NAME ARG...: point.ovp over $grid into $out/NAME.csv, with the
# script's own arguments (--jobs 2, --resume, --timeout 60, ...).
run_sweep() {
    name=$1
    shift
    "$ovp" sweep "$here/point.ovp" $grid --out "$out/$name.csv" "$@"
    status=$?
}

# draw ARG...: figure.ovp on the results, then the script's exit. A sweep
# that could not start (101) or was interrupted (130) left no table worth
# drawing, and its status is the exit status. Otherwise the figure is drawn
# from the points that came out ok, and the exit status is the sweep's
# (the number of points that were not ok), or the figure's when every
# point was ok.
draw() {
    [ "$status" -gt 100 ] && exit "$status"
    "$ovp" "$here/figure.ovp" results="$out/$name.csv" "$@"
    figure=$?
    [ "$status" -ne 0 ] && exit "$status"
    exit "$figure"
}
