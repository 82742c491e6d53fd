#!/usr/bin/env bash
# Times `nn runs` (release build) over 10,000 run directories (COUNT, default 10000).
# Trains one real tiny run (785-16-1, 2 epochs, on a 1,000/500 slice prepared into a
# temporary directory), evaluates it, then copies its files into COUNT directories
# results-like `runs/bench/<12-hex id>/` with lr, seed, epochs and the metrics rewritten
# per copy (so parameters differ and the table has something to sort). The model file is
# copied too, as in a real run; `nn runs` never reads it. Prints the median wall-clock
# wall-clock and CPU seconds of RUNS (default 5) runs of `nn runs DIR` (warm cache) and
# of `--format json --sort -lr --filter seed=3`, the ratio to the 1 s budget and the load
# average (on a shared machine the wall clock waits for other processes; CPU does not).
# Usage: scripts/bench-runs.sh [COUNT] [RUNS]
set -euo pipefail
count="${1:-10000}"
runs="${2:-5}"
cd "$(dirname "$0")/.."
bin="$(scripts/release-nn.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" prepare --train-size 1000 --test-size 500 --data-dir data/mnist --out "$work/data" > /dev/null
"$bin" train --data "$work/data" --out "$work/tiny" --layers 785,16,1 --activations relu,sigmoid --epochs 2 --quiet
"$bin" eval --run "$work/tiny" > /dev/null

echo "creating $count run directories..." >&2
python3 scripts/bench_runs_fixture.py "$work/tiny" "$work/results/runs/bench" "$count"

# Median wall-clock and CPU (user + sys, over all threads) seconds of RUNS runs.
time_it() {
  local lines=() t
  TIMEFORMAT='%R %U %S'
  for _ in $(seq "$runs"); do
    t=$( { time "$bin" runs "$@" > "$work/out.txt"; } 2>&1 )
    lines+=("$t")
  done
  median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
  echo "$(printf '%s\n' "${lines[@]}" | awk '{ print $1 }' | median)" \
       "$(printf '%s\n' "${lines[@]}" | awk '{ printf "%.3f\n", $2 + $3 }' | median)"
}
"$bin" runs "$work/results" > /dev/null        # warm the page cache
rows=$(( $("$bin" runs "$work/results" --format csv | wc -l) - 1 ))
[ "$rows" -eq "$count" ] || { echo "expected $count rows, nn runs listed $rows" >&2; exit 1; }
read -r plain plain_cpu < <(time_it "$work/results")
head -n 4 "$work/out.txt"
read -r query query_cpu < <(time_it "$work/results" --format json --sort -lr --filter seed=3)
echo "nn runs, $count run directories: median $plain s wall, $plain_cpu s CPU (user+sys) over $runs runs;" \
     "$(awk -v a="$plain" 'BEGIN { printf "%.2f", a }') of the 1 s budget; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
echo "nn runs --format json --sort -lr --filter seed=3: median $query s wall, $query_cpu s CPU"
