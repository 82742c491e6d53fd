#!/usr/bin/env bash
# Successive halving against the full grid (issue 10): the notebook network
# (785-395-200-100-20-1) on the notebook's prepared MNIST data with a validation set of
# VAL_SIZE (5000) samples, 9 learning rates log-spaced from 0.01 to 1 x seeds 0,1,2
# (27 points), EPOCHS (18) epochs; `nn sweep` (release build) runs
#   1. the full grid: every point trains all EPOCHS epochs;
#   2. `--halving --min-epochs MIN_EPOCHS --eta ETA --metric METRIC` (2, 3, val_loss):
#      rungs at 2, 6 and 18 epochs, 27 -> 9 -> 3 points.
# Both with --jobs JOBS (2) x 1 thread, into fresh directories. Prints, per learning rate,
# the mean over the seeds of METRIC at the last epoch (grid) and, for halving, how far its
# points got and their mean METRIC at the last rung; then the epochs each trained in all
# (the rows of every history.csv), their ratio (target <= 0.40), the wall times, and the
# best learning rate of each: the grid's by its mean over the seeds, halving's by the best
# point of its last rung. METRIC defaults to val_loss because with full-batch gradient
# descent the validation F1 after 3 epochs is 0 for most learning rates (nothing is
# predicted positive yet), which would rank those points by tie alone. The full grid is
# 486 epochs: measured 24 minutes, then halving 9, on 2 cores shared with other builds.
# Usage: scripts/bench-halving.sh   (environment: EPOCHS MIN_EPOCHS ETA METRIC JOBS VAL_SIZE BATCH_SIZE KEEP)
set -euo pipefail
epochs="${EPOCHS:-18}" min_epochs="${MIN_EPOCHS:-2}" eta="${ETA:-3}" metric="${METRIC:-val_loss}"
jobs="${JOBS:-2}" val_size="${VAL_SIZE:-5000}"
cd "$(dirname "$0")/.."
# nn sweep prepares the notebook's data itself when it is missing (make bench-halving has it prepared).
swift build -c release --product nn >&2 && nn="$(swift build -c release --show-bin-path)/nn"
# KEEP=DIR keeps both sweeps there (a second run then skips every complete point).
if [[ -n "${KEEP:-}" ]]; then work="$KEEP"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi

lrs=0.01,0.0178,0.0316,0.0562,0.1,0.178,0.316,0.562,1
common=(--lr "$lrs" --seed 0,1,2 --epochs "$epochs" --val-size "$val_size" --jobs "$jobs" --threads 1)
[[ -z "${BATCH_SIZE:-}" ]] || common+=(--batch-size "$BATCH_SIZE")     # default: full batch, as the notebook

seconds() { date +%s%N; }
t0=$(seconds)
"$nn" sweep "${common[@]}" --out "$work/grid" >&2
t1=$(seconds)
"$nn" sweep "${common[@]}" --halving --min-epochs "$min_epochs" --eta "$eta" --metric "$metric" --out "$work/halving" >&2
t2=$(seconds)

python3 - "$work" "$metric" "$epochs" "$(( t1 - t0 ))" "$(( t2 - t1 ))" <<'EOF'
import csv, json, math, os, sys
work, metric, epochs, grid_ns, halving_ns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
lower = metric in ("loss", "val_loss")
best = min if lower else max

def points(sweep):
    """(lr, seed, rung, stopped_at, history rows) per point of a sweep directory."""
    out = []
    with open(os.path.join(work, sweep, "summary.csv")) as f:
        for row in csv.DictReader(f):
            with open(os.path.join(work, sweep, "runs", row["run_id"], "history.csv")) as h:
                history = list(csv.DictReader(h))
            out.append((float(row["lr"]), row["seed"], row.get("rung"), row.get("stopped_at"), history, row["status"]))
    return out

def value(history):
    cell = history[-1].get(metric, "") if history else ""
    return float(cell) if cell not in ("",) else math.nan

grid, halving = points("grid"), points("halving")
lrs = sorted({p[0] for p in grid})
mean = lambda xs: sum(xs) / len(xs) if xs else math.nan
grid_mean = {lr: mean([value(p[4]) for p in grid if p[0] == lr and p[5] == "ok"]) for lr in lrs}
last_rung = max(int(p[2]) for p in halving if p[2])
print(f"notebook network, 9 learning rates x 3 seeds, {epochs} epochs, val_size from the training split; metric {metric} ({'lower' if lower else 'higher'} is better)")
print()
print(f"{'lr':>8}  {'grid: mean ' + metric + ' at epoch ' + str(epochs):>34}  {'halving: rung reached per seed':>31}  {'halving: mean at last rung':>27}")
for lr in lrs:
    hp = sorted((p for p in halving if p[0] == lr), key=lambda p: p[1])
    reached = ",".join(p[2] or "-" for p in hp)
    top = [value(p[4]) for p in hp if p[2] and int(p[2]) == last_rung]
    print(f"{lr:>8}  {grid_mean[lr]:>34.6f}  {reached:>31}  {(f'{mean(top):.6f} ({len(top)} seed(s))' if top else '-'):>27}")
grid_epochs = sum(len(p[4]) for p in grid)
halving_epochs = sum(len(p[4]) for p in halving)
finalists = [(value(p[4]), p[0], p[1]) for p in halving if p[2] and int(p[2]) == last_rung]
halving_best = (min if lower else max)(finalists)
finite = {lr: m for lr, m in grid_mean.items() if not math.isnan(m)}
grid_best = (min if lower else max)(finite, key=finite.get)
grid_point = (min if lower else max)((value(p[4]), p[0], p[1]) for p in grid if p[5] == "ok" and not math.isnan(value(p[4])))
print()
print(f"epochs trained: grid {grid_epochs}, halving {halving_epochs}: ratio {halving_epochs / grid_epochs:.3f} (target <= 0.40)")
print(f"wall time: grid {grid_ns / 1e9:.1f} s, halving {halving_ns / 1e9:.1f} s: ratio {halving_ns / grid_ns:.3f}")
print(f"best lr: grid {grid_best} (mean over seeds; best single point lr {grid_point[1]} seed {grid_point[2]}), "
      f"halving {halving_best[1]} (best of its last rung: seed {halving_best[2]}, {metric} {halving_best[0]:.6f})")
print(f"same best learning rate: {'yes' if grid_best == halving_best[1] else 'no'}")
EOF
