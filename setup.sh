#!/bin/sh
# setup.sh [run|test]: install what ovp needs from Debian, build it, then
#   run   run the main job: the theorem suite, with its report in suite-report/
#   test  run every test suite (make check)
# Idempotent; run as root (or with sudo available) on Debian 12.
set -e
mode=${1:-run}
cd "$(dirname "$0")"

pkgs="build-essential autoconf automake pkg-config bison flex libopenblas-dev libgfortran-12-dev liblapacke-dev zlib1g-dev libreadline-dev libmd4c-html0-dev libjansson-dev gnuplot-nox dataset-fashion-mnist"
[ "$mode" = test ] && pkgs="$pkgs libcriterion-dev valgrind python3 python3-numpy chromium openmpi-bin libopenmpi-dev munge slurmctld slurmd slurm-client python3-ipykernel python3-jupyter-client python3-nbclient python3-nbformat jupyter-notebook jupyter-console"

missing=""
for p in $pkgs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" != 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -s -j2

case "$mode" in
    run)  ./ovp examples/tour.ovp
          status=0
          ./ovp suite --report suite-report || status=$?
          echo "The report is in suite-report/report.md (and report.html)."
          exit $status ;;
    test) make -s -j2 check ;;
    *)    echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac
