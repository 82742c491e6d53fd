"""The table of `scripts/bench-halving.sh`: the full grid against successive halving, from
the two sweep directories it ran (WORK/grid, WORK/halving).
Usage: bench_halving_table.py WORK METRIC EPOCHS GRID_NS HALVING_NS"""
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
