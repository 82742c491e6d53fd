#!/usr/bin/env python3
"""`make bench-sweep` (and the sweep table of `make bench`): how close `nn sweep` comes to
the machine, and to the same sweep written by a PyTorch user, measured in one run.

1. Grids of the notebook network (785-395-200-100-20-1, full-batch gradient descent, f64,
   the notebook's prepared data) over 4 and 8 learning rates at 2 and 5 epochs, default
   --jobs (one point per core, one thread each). Per case and round, alternating:
     nn       the wall time of `nn sweep`, into a fresh directory;
     ideal    the machine's ideal for it: the points' single-thread training seconds (each
              run's timing.json train_seconds, the sum of its epochs) divided by the jobs;
     PyTorch  the wall time of scripts/bench_torch_sweep.py: a process pool of one-thread
              workers, each point loading the split, training the same network with the
              same optimiser and evaluating F1.
   Median over --rounds of each; ratios nn / ideal (target <= 1.15) and nn / PyTorch
   (target <= 0.40), the targets for the 4-point 5-epoch grid.
2. Successive halving: 8 learning rates, `--halving --min-epochs 1 --eta 3` to
   --halving-epochs (3: rungs 1 and 3 epochs), val_loss on --val-size 5000: the share of
   wall time x jobs spent in training epochs (the sum of every point's epoch seconds,
   timing.json train_seconds; target >= 0.80).
3. Peak memory of a 2-job sweep (the sum of the resident sets of the sweep and its workers,
   sampled every 20 ms) against a single `nn train` of one point (its max RSS from wait4;
   target <= 2x).
4. summary.csv and every point's results files (all but timing.json, provenance.json and
   checkpoint.nnc, which holds each epoch's seconds) byte-identical between --jobs 1 and the
   default.

Usage: scripts/bench_sweep.py [--nn PATH] [--data DIR] [--rounds R] [--only grid,halving,memory,identity]
                              [--cases 4x2,4x5,8x2,8x5] [--halving-epochs E] [--baseline OTHER_NN]
"""
import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import torch_python  # noqa: E402  (installs PyTorch into .venv-bench/ when missing)

BINARY_DATA = "results/prepared/mnist-binary8-50000-20000-s42"
LRS = [0.05, 0.1, 0.2, 0.3, 0.15, 0.25, 0.35, 0.4]
JOBS = max(1, os.cpu_count() or 1)


def check(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"bench-sweep: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    return p.stdout


def timed(cmd):
    t0 = time.perf_counter()
    out = check(cmd)
    return time.perf_counter() - t0, out


def train_seconds(sweep):
    """Σ over the points of their timing.json train_seconds (the seconds of their epochs)."""
    total = 0.0
    runs = os.path.join(sweep, "runs")
    for run in os.listdir(runs):
        with open(os.path.join(runs, run, "timing.json")) as f:
            total += json.load(f)["train_seconds"]
    return total


def breakdown(sweep):
    """Where a sweep's time went, summed over its points (seconds): their epochs (timing.json
    train_seconds), their evaluations (eval_seconds: a point's last one), and their jobs
    (from being sent to a worker to its answer: the sweep's timing.json process_seconds,
    every rung's job with halving), and the sweep's wall time."""
    b = {"epochs": 0.0, "eval": 0.0}
    runs = os.path.join(sweep, "runs")
    for run in os.listdir(runs):
        with open(os.path.join(runs, run, "timing.json")) as f:
            t = json.load(f)
        b["epochs"] += t["train_seconds"]
        b["eval"] += t.get("eval_seconds", 0.0)
    with open(os.path.join(sweep, "timing.json")) as f:
        s = json.load(f)
    b["process"] = sum(p.get("process_seconds", 0.0) for p in s["points"])
    b["wall"] = s["wall_seconds"]
    return b


def where(b, jobs):
    """The line saying where wall x jobs went (`breakdown`)."""
    rest = b["process"] - b["epochs"] - b["eval"]
    return (f"wall x jobs {b['wall'] * jobs:.2f} s = epochs {b['epochs']:.2f} + evaluations (each point's last) "
            f"{b['eval']:.2f} + the rest of the points' jobs (worker start, data, inputs, validation, files, "
            f"earlier rungs' evaluations) {rest:.2f} + jobs idle and the sweep's own work "
            f"{b['wall'] * jobs - b['process']:.2f}")


def load_average():
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def lrs(points):
    return ",".join(str(lr) for lr in LRS[:points])


def nn_sweep(a, out, points, epochs, extra=(), nn=None):
    return [nn or a.nn, "sweep", "--config", "experiments/notebook.json", "--data", a.data, "--lr", lrs(points),
            "--epochs", str(epochs), "--out", out] + list(extra)


def grid(a, tmp):
    py = torch_python()
    print(f"\nsweeps of the notebook network (full batch f64), default --jobs ({JOBS} x 1 thread); wall s, "
          f"median of {a.rounds} rounds, nn and PyTorch alternating ({load_average()})")
    if a.baseline:
        print(f"baseline: {a.baseline} (the same sweep with another nn, in the same rounds; its own ideal)")
    print(f"{'points':>6} {'epochs':>6} {'nn s':>7} {'ideal s':>8} {'nn/ideal':>9} {'target':>7} "
          f"{'PyTorch s':>10} {'nn/PyTorch':>11} {'target':>7}" + (f" {'base/ideal':>10}" if a.baseline else ""))
    ok = True
    for case in a.cases.split(","):
        points, epochs = (int(v) for v in case.split("x"))
        walls, ideals, torches, bases, torch_ideals = [], [], [], [], []
        for r in range(a.rounds):
            out = os.path.join(tmp, f"grid-{case}-{r}")
            wall, _ = timed(nn_sweep(a, out, points, epochs))
            walls.append(wall)
            ideals.append(train_seconds(out) / JOBS)
            if a.baseline:
                base = os.path.join(tmp, f"base-{case}-{r}")
                t, _ = timed(nn_sweep(a, base, points, epochs, nn=a.baseline))
                bases.append(t / (train_seconds(base) / JOBS))
            if py:
                t, report = timed([py, "scripts/bench_torch_sweep.py", "--data", a.data, "--lr", lrs(points),
                                "--epochs", str(epochs), "--jobs", str(JOBS)])
                torches.append(t)
                torch_ideals.append(sum(p["train_seconds"] for p in json.loads(report)["points"]) / JOBS)
        wall, ideal = statistics.median(walls), statistics.median(ideals)
        torch_s = statistics.median(torches) if torches else float("nan")
        target = case == "4x5"
        verdict = ""
        if target:
            met = wall / ideal <= 1.15 and (not torches or wall / torch_s <= 0.40)
            ok = ok and met
            verdict = "ok" if met else "MISSED"
        print(f"{points:6} {epochs:6} {wall:7.2f} {ideal:8.2f} {wall / ideal:9.3f} {'<= 1.15' if target else '':>7} "
              f"{torch_s:10.2f} {wall / torch_s:11.3f} {'<= 0.40' if target else '':>7}"
              + (f" {statistics.median(bases):10.3f}" if bases else "") + f"  {verdict}", flush=True)
        print(f"{'':13} last round: {where(breakdown(out), JOBS)}")
        if torch_ideals:
            t_ideal = statistics.median(torch_ideals)
            print(f"{'':13} PyTorch's own ideal (its epochs / jobs) {t_ideal:.2f} s: PyTorch / its ideal "
                  f"{torch_s / t_ideal:.3f}, nn's ideal / PyTorch's {ideal / t_ideal:.3f}", flush=True)
    print(f"({load_average()} at the end)")
    return ok


def halving(a, tmp):
    out = os.path.join(tmp, "halving")
    extra = ["--halving", "--min-epochs", "1", "--eta", "3", "--val-size", "5000"]
    wall, _ = timed(nn_sweep(a, out, 8, a.halving_epochs, extra))
    epochs = train_seconds(out)
    share = epochs / (wall * JOBS)
    verdict = "ok" if share >= 0.80 else "MISSED"
    b = breakdown(out)
    print(f"\nsuccessive halving: 8 points, --min-epochs 1 --eta 3 to {a.halving_epochs} epochs, val_loss on 5000, "
          f"default --jobs ({JOBS}) ({load_average()})")
    print(f"wall {wall:.2f} s; epochs {epochs:.2f} s; epochs / (wall x jobs) = {share:.3f} (target >= 0.80)  {verdict}")
    print(where(b, JOBS))
    return verdict == "ok"


def tree_rss(root):
    """KiB resident in `root` and its descendants (from /proc)."""
    parent, rss = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            with open(f"/proc/{name}/status") as f:
                kb = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
        parent[int(name)] = int(stat[stat.rindex(")") + 2:].split()[1])
        rss[int(name)] = kb
    tree = {root}
    changed = True
    while changed:
        changed = False
        for pid, pp in parent.items():
            if pp in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(rss.get(pid, 0) for pid in tree)


def memory(a, tmp):
    one = [a.nn, "train", "--config", "experiments/notebook.json", "--data", a.data, "--lr", "0.1", "--epochs", "2",
           "--threads", "1", "--out", os.path.join(tmp, "mem-train"), "--quiet"]
    p = subprocess.Popen(one, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"bench-sweep: {' '.join(one)} failed: {err.decode().strip()}")
    train_kib = usage.ru_maxrss
    cmd = nn_sweep(a, os.path.join(tmp, "mem-sweep"), 4, 2, ["--jobs", "2"])
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while p.poll() is None:
        peak = max(peak, tree_rss(p.pid))
        time.sleep(0.02)
    ratio = peak / train_kib
    verdict = "ok" if ratio <= 2 else "MISSED"
    print(f"\npeak memory: 2-job sweep (4 points, 2 epochs; sweep + workers, sampled) {peak / 1024:.0f} MiB; "
          f"one nn train of a point {train_kib / 1024:.0f} MiB; ratio {ratio:.2f} (target <= 2)  {verdict}")
    return verdict == "ok"


def identity(a, tmp):
    dirs = []
    for jobs in ("1", str(JOBS)):
        out = os.path.join(tmp, f"ident-{jobs}")
        check(nn_sweep(a, out, 4, 2, ["--jobs", jobs]))
        dirs.append(out)
    differ = []
    for root, _, files in os.walk(dirs[0]):
        rel = os.path.relpath(root, dirs[0])
        for name in files:
            # summary.csv and the points' files; the sweep's own charts and report name its
            # directory, and checkpoints hold each epoch's seconds (to resume timing.json).
            if name in ("timing.json", "provenance.json", "checkpoint.nnc") or \
                    (rel == "." and name != "summary.csv") or rel == "logs":
                continue
            other = os.path.join(dirs[1], rel, name)
            if not os.path.exists(other) or not filecmp.cmp(os.path.join(root, name), other, shallow=False):
                differ.append(os.path.join(rel, name))
    print(f"\nresults files of a 4-point sweep with --jobs 1 and --jobs {JOBS}: "
          f"{'identical' if not differ else 'DIFFERENT: ' + ', '.join(differ[:5])}")
    return not differ


def parse(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--nn", default=".build/release/nn")
    ap.add_argument("--data", default=BINARY_DATA)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cases", default="4x2,4x5,8x2,8x5")
    ap.add_argument("--halving-epochs", type=int, default=3)
    ap.add_argument("--only", default="grid,halving,memory,identity")
    ap.add_argument("--baseline", help="another nn binary whose sweeps run in the same rounds (A/B)")
    a = ap.parse_args(argv)
    a.data = os.path.abspath(a.data)
    return a


def run_all(a):
    only = set(a.only.split(","))
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, part in (("grid", grid), ("halving", halving), ("memory", memory), ("identity", identity)):
            if name in only:
                ok = part(a, tmp) and ok
    return ok


if __name__ == "__main__":
    sys.exit(0 if run_all(parse()) else 1)
