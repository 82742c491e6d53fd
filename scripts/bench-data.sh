#!/usr/bin/env bash
# Times `nn prepare` (release build) on full MNIST against `gzip -dc` of the same four
# files to /dev/null, best of N runs each (default 3), and prints the ratio.
# Every prepare run writes into a fresh temporary directory, so it always does the full
# work (read + verify + split + write), never the "up to date" shortcut.
# Usage: scripts/bench-data.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
data=data/mnist
files=("$data"/train-images-idx3-ubyte.gz "$data"/train-labels-idx1-ubyte.gz
       "$data"/t10k-images-idx3-ubyte.gz "$data"/t10k-labels-idx1-ubyte.gz)

nn="$(scripts/release-nn.sh)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | sed -n 1p; }

gz=() pr=()
for ((i = 1; i <= runs; i++)); do
    t0=$(now); for f in "${files[@]}"; do gzip -dc "$f" >/dev/null; done; t1=$(now)
    gz+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    rm -rf "$tmp/out"
    t0=$(now); "$nn" prepare --data-dir "$data" --out "$tmp/out" >/dev/null; t1=$(now)
    pr+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
done
g=$(best "${gz[@]}"); p=$(best "${pr[@]}")
awk -v g="$g" -v p="$p" -v n="$runs" 'BEGIN {
    printf "gzip -dc (4 files)  best of %d: %.3f s\n", n, g
    printf "nn prepare          best of %d: %.3f s\n", n, p
    printf "ratio prepare/gzip: %.2f (target <= 1.5)\n", p / g
}'
