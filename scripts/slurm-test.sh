#!/usr/bin/env bash
# `nn sweep --submit slurm` against a real Slurm on this machine (run by `make test-slurm`
# and `.ci/run`): installs Debian's slurm-wlm and munge when missing, writes a one-node
# slurm.conf (CPUs and memory from `slurmd -C`; state, spool, logs and ports of its own, in
# a temporary directory), starts munged (unless one answers already), slurmctld and slurmd,
# submits a 2-point 1-epoch sweep on 1,000 prepared images, waits for its collect job, and
# checks that summary.csv is byte-identical to the in-process sweep's. It stops the daemons
# it started (by their pids) on any exit. Usage: scripts/slurm-test.sh [NN] (default
# .build/debug/nn); TIMEOUT (seconds the jobs may take, default 150).
set -euo pipefail
cd "$(dirname "$0")/.."
NN=$(realpath "${1:-.build/debug/nn}")
TIMEOUT=${TIMEOUT:-150}
log() { echo "slurm-test: $*"; }
die() { echo "slurm-test: FAILED: $*" >&2; exit 1; }

bash scripts/apt-ensure.sh slurm-test slurm-wlm munge
[ "$(id -u)" -eq 0 ] || die "needs root (SlurmdUser=root, munged as munge)"

W=$(mktemp -d "${TMPDIR:-/tmp}/nn-slurm-test.XXXXXX")
chmod 755 "$W"
started=()
cleanup() {
    local status=$?
    for pidfile in "${started[@]}"; do
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for f in "$W"/slurmctld.log "$W"/slurmd.log "$W"/sweep/slurm/*.out; do
            [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }
        done
    fi
    rm -rf "$W"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge: /run/munge owned by munge, munged run as munge.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    install -d -o munge -g munge -m 755 /run/munge
    [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
    runuser -u munge -- /usr/sbin/munged
    started+=(/run/munge/munged.pid)
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    log "started munged (pid $(cat /run/munge/munged.pid))"
fi

node=$(slurmd -C | sed -n 1p)                    # NodeName=... CPUs=... RealMemory=...
name=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$node")
mkdir -p "$W/state" "$W/spool"
export SLURM_CONF="$W/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=nntest
SlurmctldHost=$name(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=60
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$name Default=YES MaxTime=INFINITE State=UP
EOF
sed -i -E 's/ UpTime=[^ ]*//' "$SLURM_CONF"
slurmctld -f "$SLURM_CONF"; started+=("$W/slurmctld.pid")
slurmd -f "$SLURM_CONF"; started+=("$W/slurmd.pid")
for i in $(seq 60); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    [ "$i" = 60 ] && die "node not idle after 30 s (sinfo: '$state')"
    sleep 0.5
done
log "slurmctld (pid $(cat "$W/slurmctld.pid")) and slurmd (pid $(cat "$W/slurmd.pid")) up; sinfo: $(sinfo -h -o '%P %D %T %c CPUs')"

"$NN" prepare --train-size 1000 --test-size 500 --data-dir data/mnist --out "$W/data" >/dev/null
sweep=(sweep --data "$W/data" --layers 785,16,1 --activations relu,sigmoid --lr 0.1,0.3 --epochs 1)
"$NN" "${sweep[@]}" --out "$W/inproc" --jobs 2 >/dev/null
(cd "$W" && "$NN" "${sweep[@]}" --out "$W/sweep" --submit slurm) | tee "$W/submit.txt" | sed 's/^/slurm-test: nn: /'
collect=$(sed -nE 's/^submitted collect job ([0-9]+).*/\1/p' "$W/submit.txt")
[ -n "$collect" ] || die "no collect job id in nn's output"
start=$SECONDS
while :; do
    state=$(scontrol show job "$collect" 2>/dev/null | sed -nE 's/.*JobState=([A-Z_]+).*/\1/p')
    case "$state" in
        COMPLETED) break ;;
        FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) die "collect job $collect ended $state" ;;
    esac
    ((SECONDS - start < TIMEOUT)) || die "collect job $collect not done after $TIMEOUT s (state '$state')"
    sleep 1
done
log "collect job $collect COMPLETED after $((SECONDS - start)) s"
"$NN" sweep --status "$W/sweep" | sed 's/^/slurm-test: nn: /'
cmp "$W/inproc/summary.csv" "$W/sweep/summary.csv" || die "summary.csv differs from the in-process sweep's"
log "summary.csv byte-identical to the in-process sweep's ($(wc -l <"$W/sweep/summary.csv") lines, sha256 $(sha256sum "$W/sweep/summary.csv" | cut -c1-16))"
# Re-submitting a complete sweep submits nothing.
# (The output is captured first: `nn … | grep -q` can kill nn with SIGPIPE under pipefail.)
resubmit=$(cd "$W" && "$NN" "${sweep[@]}" --out "$W/sweep" --submit slurm)
grep -q "nothing submitted" <<<"$resubmit" || die "re-submit submitted jobs: $resubmit"
log "ok"
