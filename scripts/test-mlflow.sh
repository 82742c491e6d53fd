#!/usr/bin/env bash
# `make test-mlflow` (run by .ci/run): nn mlflow push against a real MLflow tracking server.
# Installs MLflow (MLFLOW_VERSION, default 3.17.*) from PyPI into .build/venv-mlflow when
# missing, starts `mlflow server` (SQLite backend, artifacts proxied into a temporary folder)
# on a free loopback port in a process group of its own, pushes a 4-point sweep (with a
# validation set and exported models), reads it back with MLflow's Python client
# (scripts/mlflow_check.py: runs, params, metric histories = history.csv, final metrics =
# metrics.json, artifacts byte-identical), pushes again (through MLFLOW_TRACKING_URI) and
# checks that nothing was duplicated, completes a push killed part-way by pushing again, and
# checks that a push to a closed port is one line and exit status 2. The server's whole process group is stopped on any exit.
# Usage: scripts/test-mlflow.sh [NN] (default .build/debug/nn).
set -euo pipefail
cd "$(dirname "$0")/.."
NN=$(realpath "${1:-.build/debug/nn}")
VENV=.build/venv-mlflow
MLFLOW_VERSION=${MLFLOW_VERSION:-3.17.*}
log() { echo "test-mlflow: $*"; }
die() { echo "test-mlflow: FAILED: $*" >&2; exit 1; }

bash scripts/apt-ensure.sh test-mlflow python3-venv
if ! "$VENV/bin/python" -c "import mlflow" 2>/dev/null; then
    log "installing mlflow==$MLFLOW_VERSION into $VENV (pip)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --timeout 60 "mlflow==$MLFLOW_VERSION"
fi
py="$VENV/bin/python"

W=$(mktemp -d "${TMPDIR:-/tmp}/nn-mlflow-test.XXXXXX")
server=""
cleanup() {
    local status=$?
    if [ -n "$server" ]; then
        kill -TERM -- "-$server" 2>/dev/null || true
        for _ in $(seq 600); do kill -0 -- "-$server" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$server" 2>/dev/null && log "mlflow server still up 60 s after SIGTERM: killed" || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$W/server.log" ]; then echo "--- mlflow server log (last lines)"; tail -n 20 "$W/server.log"; fi
    rm -rf "$W"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$("$py" scripts/mlflow_check.py free-port)
uri="http://127.0.0.1:$port"
# setsid: the server and its workers in a group of their own (a background job of this
# script is not a group leader, so setsid execs in place and $! is the group's id).
setsid "$VENV/bin/mlflow" server --backend-store-uri "sqlite:///$W/m.db" --artifacts-destination "$W/artifacts" \
    --host 127.0.0.1 --port "$port" --workers 1 >"$W/server.log" 2>&1 &
server=$!
disown "$server"        # stopped by the trap, not reported by bash as "Killed"
start=$SECONDS
# Python's urllib, not curl (one tool fewer to install).
until "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$uri/health" >/dev/null 2>&1; do
    kill -0 "$server" 2>/dev/null || die "mlflow server exited"
    ((SECONDS - start < 180)) || die "mlflow server not answering /health after 180 s"
    sleep 1
done
log "mlflow server $("$VENV/bin/mlflow" --version | tail -n 1) up on $uri after $((SECONDS - start)) s"

"$NN" prepare --train-size 1000 --test-size 400 --data-dir data/mnist --out "$W/data" >/dev/null
echo '{"val_size": 200, "eval_every": 1}' >"$W/val.json"
"$NN" sweep --config "$W/val.json" --data "$W/data" --layers 785,16,1 --activations relu,sigmoid --optimizer adam \
    --batch-size 32 --epochs 4 --lr 0.003,0.01 --seed 0,1 --out "$W/sweep" >/dev/null
"$NN" report --html "$W/sweep" >/dev/null
for point in "$W"/sweep/runs/*/; do "$NN" export --run "$point" --format npz >/dev/null; done

"$NN" mlflow push "$W/sweep" --tracking-uri "$uri" --experiment nn-test | tee "$W/push1.txt" | sed 's/^/test-mlflow: nn: /'
grep -q ": 4 created, 0 updated, 0 up to date" "$W/push1.txt" || die "first push did not create 4 runs"
"$py" scripts/mlflow_check.py check --uri "$uri" --experiment nn-test --runs "$W"/sweep/runs/*/

MLFLOW_TRACKING_URI="$uri" "$NN" mlflow push "$W/sweep" --experiment nn-test | tee "$W/push2.txt" | sed 's/^/test-mlflow: nn: /'
grep -q ": 0 created, 0 updated, 4 up to date" "$W/push2.txt" || die "second push was not a no-op"
"$py" scripts/mlflow_check.py check --uri "$uri" --experiment nn-test --runs "$W"/sweep/runs/*/

# Pushes killed part-way (after 0.3, 0.6 and 0.9 s, each into an experiment of its own),
# then pushed again: the second push completes what the first left, duplicating nothing.
for delay in 0.3 0.6 0.9; do
    "$NN" mlflow push "$W/sweep" --tracking-uri "$uri" --experiment "nn-cut-$delay" >"$W/cut.txt" 2>&1 &
    cut=$!
    sleep "$delay"
    kill -TERM "$cut" 2>/dev/null || true
    wait "$cut" || true
    log "push killed after $delay s having finished $(grep -c '^created' "$W/cut.txt" || true) of 4 runs"
    "$NN" mlflow push "$W/sweep" --tracking-uri "$uri" --experiment "nn-cut-$delay" | tail -n 1 | sed 's/^/test-mlflow: nn: /'
    "$py" scripts/mlflow_check.py check --uri "$uri" --experiment "nn-cut-$delay" --runs "$W"/sweep/runs/*/
done

# A server that is not there: one line, exit status 2.
closed=$("$py" scripts/mlflow_check.py free-port)
set +e
"$NN" mlflow push "$W/sweep" --tracking-uri "http://127.0.0.1:$closed" >"$W/down.out" 2>"$W/down.err"
status=$?
set -e
[ "$status" -eq 2 ] || die "push to a closed port: exit status $status, expected 2"
[ "$(wc -l <"$W/down.err")" -eq 1 ] || die "push to a closed port: expected one line, got: $(cat "$W/down.err")"
log "closed port: exit 2, $(cat "$W/down.err")"
log "ok"
