#!/bin/sh
# ovp sweep on a real Slurm cluster: this test starts its own one-node
# cluster from Debian's munge, slurmctld and slurmd (a private munge key
# and socket, a minimal slurm.conf for this host, ports of its own), runs
# a sweep as a job array (--slurm, sbatch --wait, --collect) and compares
# the file with the local pool's byte for byte; then stops the daemons.
# Skipped (status 77) where the daemons are not installed or the test is
# not root (slurmd runs the tasks as their submitting user).
ovp=${OVP:-./ovp}
ovp=$(cd "$(dirname "$ovp")" && pwd)/$(basename "$ovp")
for tool in munged slurmctld slurmd sbatch sinfo; do
    if ! command -v "$tool" > /dev/null && [ ! -x "/usr/sbin/$tool" ]; then
        echo "SKIP: $tool not installed (apt-get install munge slurmctld slurmd slurm-client)"
        exit 77
    fi
done
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: starting slurmd needs root"
    exit 77
fi
PATH=$PATH:/usr/sbin
dir=$(mktemp -d)
chmod 755 "$dir"
stop() {
    pids=
    for name in slurmd slurmctld munged; do
        [ -f "$dir/$name.pid" ] && pids="$pids $(cat "$dir/$name.pid")"
    done
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill $pids 2> /dev/null
    for _ in $(seq 50); do
        alive=
        for pid in $pids; do kill -0 "$pid" 2> /dev/null && alive=yes; done
        [ -z "$alive" ] && break
        sleep 0.2
    done
    rm -rf "$dir"
}
trap stop EXIT
cd "$dir" || exit 99
mkdir state spool log
status=0
fail() { echo "FAIL: $1"; status=1; }

# munge: a key of our own, on a socket of our own
dd if=/dev/urandom of=munge.key bs=1024 count=1 2> /dev/null
chmod 400 munge.key
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munged.seed" || { echo "FAIL: munged did not start"; exit 1; }

host=$(hostname -s)
base=$((20000 + $$ % 20000))
cat > slurm.conf <<X
ClusterName=ovptest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$base
SlurmdPort=$((base + 1))
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=ovp Nodes=$host Default=YES MaxTime=INFINITE State=UP
X
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" && slurmd -f "$SLURM_CONF" ||
    { echo "FAIL: the Slurm daemons did not start"; tail -5 log/*.log; exit 1; }
up=
for _ in $(seq 50); do
    sinfo -h -o %t 2> /dev/null | grep -q idle && { up=yes; break; }
    sleep 0.2
done
[ -n "$up" ] || { echo "FAIL: the node did not come up"; tail -5 log/*.log; exit 1; }
echo "ok: a one-node cluster ($host) is up"

cat > grid.ovp <<'X'
k = param("k", 10)
seed(param("seed", 1))
w = randn(4, 1)
emit({k: k, loss: sumsq(w) / k})
check(k < 80, "k below 80")
X
grid="--grid k=20,40,80 --grid seed=1:3"
"$ovp" sweep grid.ovp $grid --jobs 2 --out pool.csv 2> /dev/null

"$ovp" sweep grid.ovp $grid --slurm job --array-max 2 --time 5 --out slurm.csv > submit.out
grep -q "a job array of 9 tasks" submit.out || fail "--slurm: $(cat submit.out)"
grep -q "^#SBATCH --array=0-8%2$" job/sweep.sbatch || fail "the array line: $(grep array job/sweep.sbatch)"
grep -q "^#SBATCH --time=5$" job/sweep.sbatch || fail "--time is passed to sbatch"
"$ovp" sweep --collect job > /dev/null 2> early.err
code=$?
grep -q "9 points have no result in .*/results yet" early.err && [ $code = 9 ] ||
    fail "--collect before the job ran: status $code, $(cat early.err)"
# sbatch --wait polls slowly; squeue every fifth of a second is quicker
jobid=$(sbatch --parsable job/sweep.sbatch 2> sbatch.err) || fail "sbatch: $(cat sbatch.err)"
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$jobid" 2> /dev/null)" ] && break
    sleep 0.2
done
"$ovp" sweep --collect job 2> collect.err
code=$?
[ $code = 3 ] || fail "--collect: status $code, want 3 (three points fail k < 80): $(cat collect.err)"
cmp -s pool.csv slurm.csv && echo "ok: the job array's file has the pool's bytes" ||
    fail "the Slurm file differs from the pool's: $(diff pool.csv slurm.csv | head -5)"
"$ovp" sweep --collect job --out again.jsonl --format jsonl 2> /dev/null
"$ovp" sweep grid.ovp $grid --out pool.jsonl 2> /dev/null
cmp -s pool.jsonl again.jsonl && echo "ok: --collect with --out and --format" ||
    fail "--collect to JSON lines differs from the pool's"
[ "$(ls job/logs | wc -l)" = 9 ] || fail "one log per task in job/logs"
exit $status
