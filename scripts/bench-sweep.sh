#!/usr/bin/env bash
# Sweep bookkeeping overhead: runs `nn sweep` (release build) over POINTS learning rates
# (default 3) of the notebook network (785-395-200-100-20-1) on the full prepared
# notebook data with --epochs 2 --jobs 1, into a fresh directory, and compares
#   wall  = the whole `nn sweep` command, measured here, with
#   work  = the sum over the points of train + eval seconds as each run recorded them
#           (timing.json total_seconds: data load + training + writing the run, as
#           `nn train` does; eval_seconds: `nn eval`'s work, measured by nn sweep-point).
# overhead = wall - work is everything else: planning, process start-up, summary.csv,
# timing.json, report. Prints the three and overhead / work (target < 5%).
# Usage: scripts/bench-sweep.sh [POINTS]   (1 to 4)
set -euo pipefail
points="${1:-3}"
if ! [[ "$points" =~ ^[1-4]$ ]]; then echo "usage: $0 [POINTS 1-4]" >&2; exit 2; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
nn="$(scripts/release-nn.sh)"
"$nn" prepare >&2                      # the notebook's data; a no-op when up to date
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

lrs="$(echo 0.1,0.2,0.3,0.4 | cut -d, -f1-"$points")"
start=$(date +%s%N)
"$nn" sweep --lr "$lrs" --epochs 2 --jobs 1 --out "$work/sweep" >&2
end=$(date +%s%N)

# Sum total_seconds + eval_seconds over the runs' timing.json files.
sum=$(cat "$work"/sweep/runs/*/timing.json |
      awk -F'[:,]' '/"(total|eval)_seconds"/ { gsub(/ /, "", $2); s += $2 } END { printf "%.6f", s }')
awk -v w="$(( end - start ))" -v s="$sum" -v n="$points" 'BEGIN {
  w /= 1e9
  printf "sweep of %d points (notebook network, full data, 2 epochs, --jobs 1)\n", n
  printf "wall time of nn sweep:        %8.3f s\n", w
  printf "sum of train + eval per run:  %8.3f s\n", s
  printf "bookkeeping overhead:         %8.3f s = %.2f%% of train + eval (target < 5%%)\n", w - s, 100 * (w - s) / s
}'
