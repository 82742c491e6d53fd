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
nn="$(scripts/release-nn.sh)"
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

python3 scripts/bench_halving_table.py "$work" "$metric" "$epochs" "$(( t1 - t0 ))" "$(( t2 - t1 ))"
