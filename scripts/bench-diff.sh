#!/usr/bin/env bash
# Times `nn diff` (release build) on two 1,000-row sweep summaries (18 columns, the
# layout `nn sweep` writes) that differ in exactly one cell; B has its rows in reverse
# order, so the rows must be joined on the parameter columns. Prints the median
# wall-clock seconds of RUNS runs (default 5) and the ratio to the 0.5 s budget.
# Usage: scripts/bench-diff.sh [RUNS]
set -euo pipefail
runs="${1:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="$(scripts/release-nn.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 10 learning rates x 10 epoch counts x 10 seeds = 1,000 points, deterministic values.
awk 'BEGIN {
  print "run_id,status,lr,epochs,seed,layers,batch_size,optimizer,last_epoch_loss,accuracy,precision,recall,f1,tp,fp,fn,tn,error"
  n = 0
  for (i = 0; i < 10; i++) for (e = 1; e <= 10; e++) for (s = 0; s < 10; s++) {
    lr = 0.01 * (i + 1); loss = 0.7 / (1 + lr * e * 10) + s / 1000
    acc = 0.9 + 0.09 * (1 - loss); p = acc - 0.05; r = acc - 0.1; f1 = 2 * p * r / (p + r)
    tp = int(1912 * r); fp = int(tp / p) - tp
    printf "p%04d,ok,%.10g,%d,%d,\"785,395,200,100,20,1\",0,gd,%.10g,%.10g,%.10g,%.10g,%.10g,%d,%d,%d,%d,\n",
      n, lr, e * 10, s, loss, acc, p, r, f1, tp, fp, 1912 - tp, 18088 - fp
    n++
  }
}' > "$work/a.csv"
# B: the same rows in reverse order, with the f1 of point p0500 changed.
{ head -n 1 "$work/a.csv"; tail -n +2 "$work/a.csv" | awk -F, -v OFS=, '$1 == "p0500" { $18 = "0.5" } { print }' | tac; } > "$work/b.csv"
# (fields 6-11 hold the quoted layers, so f1 is awk field 18)

times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  set +e; "$bin" diff "$work/a.csv" "$work/b.csv" > "$work/out.txt"; status=$?; set -e
  end=$(date +%s%N)
  if [ "$status" -ne 1 ]; then echo "expected exit 1 (one difference), got $status" >&2; cat "$work/out.txt" >&2; exit 1; fi
  times+=("$(( (end - start) / 1000 ))")
done
grep -q "^1 of " "$work/out.txt" || { echo "expected exactly one differing field:" >&2; cat "$work/out.txt" >&2; exit 1; }
median_us=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
awk -v us="$median_us" -v n="$runs" 'BEGIN {
  s = us / 1e6
  printf "nn diff, two 1,000-row summaries, one changed cell: median %.3f s over %d runs; %.3f of the 0.5 s budget\n", s, n, s / 0.5
}'
cat "$work/out.txt"
