#!/usr/bin/env python3
"""`make bench`, in five tables, all measured in one run:

1. The NumPy port of the notebook vs `nn train` in f64 and f32 (notebook configuration:
   785-395-200-100-20-1, 50,000 samples, full batch, K epochs), interleaved (numpy, f64, f32,
   repeated --rounds times). Seconds per epoch (median over epochs, best over rounds), peak
   memory (max RSS, from wait4), ratios to NumPy with the targets (f64 <= 0.55x, f32 <= 0.30x).
2. nn vs PyTorch CPU (scripts/bench_torch.py, installed into .venv-bench/ when missing;
   skipped with a message when it cannot be) on the same network and data with plain SGD:
   full batch, mini-batch 128 and 32, f64 and f32, and ten classes
   (experiments/mnist-10class.json). Per-epoch time = (wall time of K epochs − wall time of
   1 epoch) / (K − 1), whole processes, the tools alternating; median over --rounds. Beside
   it, each tool's own timing of its epochs 2..K (median), which the verdict uses: the
   whole-process difference carries the start-up's noise (two identical 1-epoch PyTorch runs
   spent 3.5 s and 5.7 s outside their epoch, measured 2026-11-30), the in-process one does
   not. Ratio nn / PyTorch with the targets (mini-batch 128 and ten classes <= 0.5, mini-batch 32 <=
   0.35, full batch f32 <= 0.35), and peak memory of both.
3. The dense floor: the full-batch epoch's matrix products timed alone with NumPy's BLAS
   (scripts/bench_floor.py), and nn's full-batch epoch / floor (target <= 0.55).
4. Scaling of nn's full-batch f64 epoch: 12,500, 25,000 and 50,000 samples (prepared splits
   of those sizes), and first hidden width 395 vs 790.
5. Sweeps (scripts/bench_sweep.py, alone `make bench-sweep`): `nn sweep` of 4 and 8 points at
   2 and 5 epochs against the machine's ideal (the points' training seconds / jobs) and against
   the same sweep written by a PyTorch user; successive halving's share of time in epochs; a
   2-job sweep's peak memory; results identical across --jobs.

Usage: scripts/bench.py [--epochs K] [--rounds R] [--nn PATH] [--data DIR] [--data-all DIR]
                        [--only numpy,peer,floor,scaling,sweep] [--torch-passive]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

VENV = ".venv-bench"
BINARY_DATA = "results/prepared/mnist-binary8-50000-20000-s42"
ALL_DATA = "results/prepared/mnist-all-50000-20000-s42"


def run(cmd, env=None):
    """Runs cmd; returns (stdout, max RSS in KiB) of that child alone."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {err.decode().strip()}")
    return out.decode(), usage.ru_maxrss


def timed(cmd, env=None):
    """Runs cmd; returns (wall seconds, max RSS in KiB)."""
    t0 = time.perf_counter()
    _, rss = run(cmd, env)
    return time.perf_counter() - t0, rss


# Where a CPU build of PyTorch comes from, first that works: a CPU wheel in a local wheel
# directory (/opt/wheels, or pip's find-links), else PyTorch's CPU index. A plain
# `pip install torch` from PyPI pulls the CUDA build (several GB of NVIDIA libraries), so it
# is the last resort, said so when used.
WHEEL_DIRS = ["/opt/wheels"]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def cpu_wheel():
    """A local CPU PyTorch wheel for this Python (torch-*+cpu-cpXY-*.whl), or None."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    dirs = WHEEL_DIRS + [d for d in os.environ.get("PIP_FIND_LINKS", "").split() if os.path.isdir(d)]
    for d in dirs:
        if os.path.isdir(d):
            wheels = sorted(f for f in os.listdir(d) if f.startswith("torch-") and "+cpu-" in f and f"-{tag}-" in f
                            and f.endswith(".whl"))
            if wheels:
                return os.path.join(d, wheels[-1])
    return None


def torch_python():
    """The venv's python with a CPU build of torch, installing it when missing (a venv with
    a CUDA build is given the CPU build when one can be had); None (with a message) when
    it cannot be installed."""
    py = os.path.join(VENV, "bin", "python")
    probe = [py, "-c", "import sys, torch, numpy; sys.exit(torch.version.cuda is not None)"]
    if os.path.exists(py) and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    wheel = cpu_wheel()
    print(f"bench: installing PyTorch (CPU) into {VENV}/ from {wheel or CPU_INDEX} ...", flush=True)
    ok = subprocess.run([sys.executable, "-m", "venv", VENV], capture_output=True).returncode == 0
    attempts = ([[wheel, "numpy"]] if wheel else []) + [["torch", "numpy", "--index-url", CPU_INDEX]]
    for args in attempts:
        if ok and subprocess.run([py, "-m", "pip", "install", "-q", "--timeout", "60"] + args,
                                 capture_output=True).returncode == 0:
            break
    if os.path.exists(py) and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print("bench: no CPU build of PyTorch found (no torch-*+cpu wheel in " + ", ".join(WHEEL_DIRS)
          + f", {CPU_INDEX} unreachable); installing PyTorch from PyPI (the CUDA build) ...", flush=True)
    if ok and subprocess.run([py, "-m", "pip", "install", "-q", "--timeout", "60", "torch", "numpy"],
                             capture_output=True).returncode == 0 and \
            subprocess.run([py, "-c", "import torch, numpy"], capture_output=True).returncode == 0:
        return py
    print("bench: PyTorch could not be installed (pip install torch failed); skipping the PyTorch comparison")
    return None


def per_epoch(cmd_for, epochs, steady_of, env=None):
    """(wall(K epochs) − wall(1 epoch)) / (K − 1), the K-epoch run's peak RSS, and its
    steady epoch as the tool itself timed it: the median of its epochs after the first
    (steady_of reads them from the run's stdout)."""
    t1, _ = timed(cmd_for(1), env)
    t0 = time.perf_counter()
    out, rss = run(cmd_for(epochs), env)
    tk = time.perf_counter() - t0
    return (tk - t1) / (epochs - 1), rss, statistics.median(steady_of(out)[1:])


def nn_cmd(a, tmp, args, data):
    def cmd(epochs):
        return [a.nn, "train", "--data", data, "--epochs", str(epochs), "--out", os.path.join(tmp, "peer"),
                "--force", "--quiet"] + args
    return cmd


def nn_epochs(tmp):
    return lambda _: json.load(open(os.path.join(tmp, "peer", "timing.json")))["epoch_seconds"]


def torch_epochs(out):
    return json.loads(out.strip().splitlines()[-1])["seconds_per_epoch"]


def torch_cmd(py, args, data):
    def cmd(epochs):
        return [py, "scripts/bench_torch.py", "--data", data, "--epochs", str(epochs)] + args
    return cmd


def peer(a, tmp):
    """Table 2 (and the full-batch epochs table 3 divides by the floor)."""
    py = torch_python()
    # PyTorch's OpenMP threads spin while they wait; on a machine busy with other work that
    # costs it up to 10x (measured), so --torch-passive lets them sleep instead.
    torch_env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE") if a.torch_passive else None
    if a.torch_passive:
        print("PyTorch runs with OMP_WAIT_POLICY=PASSIVE")
    # nn's fused sigmoid + BCE (softmax + CE), the loss PyTorch's BCEWithLogitsLoss
    # (CrossEntropyLoss) computes; the notebook's formulas give NaN once an f32 sigmoid
    # rounds to exactly 0 or 1 (0·log 0), which mini-batch 32 in f32 reaches in 3 epochs.
    nb = ["--config", "experiments/notebook.json", "--gradient", "stable"]
    regimes = [  # label, nn args, torch args, data, target ratio
        ("full batch f64", nb + ["--precision", "f64"], ["--precision", "f64"], a.data, None),
        ("full batch f32", nb + ["--precision", "f32"], ["--precision", "f32"], a.data, 0.35),
        ("mini-batch 128 f64", nb + ["--optimizer", "sgd", "--batch-size", "128", "--precision", "f64"],
         ["--batch-size", "128", "--precision", "f64"], a.data, 0.5),
        ("mini-batch 128 f32", nb + ["--optimizer", "sgd", "--batch-size", "128", "--precision", "f32"],
         ["--batch-size", "128", "--precision", "f32"], a.data, 0.5),
        ("mini-batch 32 f64", nb + ["--optimizer", "sgd", "--batch-size", "32", "--precision", "f64"],
         ["--batch-size", "32", "--precision", "f64"], a.data, 0.35),
        ("mini-batch 32 f32", nb + ["--optimizer", "sgd", "--batch-size", "32", "--precision", "f32"],
         ["--batch-size", "32", "--precision", "f32"], a.data, 0.35),
        ("ten classes (mnist-10class.json)", ["--config", "experiments/mnist-10class.json", "--gradient", "stable"],
         ["--batch-size", "128", "--precision", "f64", "--lr", "0.1", "--layers", "785,395,200,100,20,10"], a.data_all, 0.5),
    ]
    rows, nn_full = [], {}
    for label, nn_args, torch_args, data, target in regimes:
        nn_t, torch_t, nn_in, torch_in, nn_rss, torch_rss = [], [], [], [], 0, 0
        for _ in range(a.rounds):
            sec, rss, steady = per_epoch(nn_cmd(a, tmp, nn_args, data), a.epochs, nn_epochs(tmp))
            nn_t.append(sec); nn_in.append(steady); nn_rss = max(nn_rss, rss)
            if py:
                sec, rss, steady = per_epoch(torch_cmd(py, torch_args, data), a.epochs, torch_epochs, torch_env)
                torch_t.append(sec); torch_in.append(steady); torch_rss = max(torch_rss, rss)
        med = lambda xs: statistics.median(xs) if xs else None
        if label.startswith("full batch"):
            nn_full[label[-3:]] = med(nn_t)
        rows.append((label, med(nn_t), med(torch_t), med(nn_in), med(torch_in), target, nn_rss, torch_rss))
        print(f"  measured {label}: nn {nn_t} (in-process {nn_in}), torch {torch_t} (in-process {torch_in})", flush=True)
    print(f"\nnn vs PyTorch CPU: per-epoch s = (wall of {a.epochs} epochs - wall of 1) / {a.epochs - 1}, whole "
          f"processes, median of {a.rounds} rounds, alternating; 'in-process' = each tool's own timing of its "
          f"epochs 2..{a.epochs} (median of the rounds' medians), which leaves out the start-up's noise: the verdict")
    print(f"{'':34} {'whole processes':^23} {'in-process':^24}")
    print(f"{'regime':34} {'nn s':>7} {'torch s':>8} {'ratio':>6} {'nn s':>7} {'torch s':>8} {'ratio':>7} "
          f"{'target':>8} {'nn MiB':>7} {'torch MiB':>9}")
    ok = True
    nan = float("nan")
    for label, nn_sec, torch_sec, nn_in, torch_in, target, nn_rss, torch_rss in rows:
        ratio = nn_sec / torch_sec if torch_sec else None
        ratio_in = nn_in / torch_in if torch_in else None
        verdict = "" if ratio_in is None or target is None else ("ok" if ratio_in <= target else "MISSED")
        ok = ok and verdict != "MISSED"
        print(f"{label:34} {nn_sec:7.3f} {torch_sec if torch_sec else nan:8.3f} {ratio if ratio else nan:6.3f} "
              f"{nn_in:7.3f} {torch_in if torch_in else nan:8.3f} {ratio_in if ratio_in else nan:7.3f} "
              f"{('<= %.2f' % target) if target else '':>8} {nn_rss / 1024:7.0f} {torch_rss / 1024:9.0f}  {verdict}")
    return ok, nn_full


def floor(nn_full, a):
    out, _ = run([sys.executable, "scripts/bench_floor.py"])
    f = json.loads(out.strip().splitlines()[-1])
    print(f"\ndense floor: the full-batch epoch's products alone with NumPy {f['numpy']}'s BLAS (best of 3)")
    print(f"{'precision':10} {'floor s':>8} {'nn s':>8} {'nn/floor':>9} {'target':>8}")
    ok = True
    for prec in ("f64", "f32"):
        nn_sec = nn_full.get(prec)
        ratio = nn_sec / f[prec] if nn_sec else float("nan")
        verdict = "ok" if ratio <= 0.55 else "MISSED"
        ok = ok and verdict == "ok"
        print(f"{prec:10} {f[prec]:8.3f} {nn_sec if nn_sec else float('nan'):8.3f} {ratio:9.3f} {'<= 0.55':>8}  {verdict}")
    return ok


def scaling(a, tmp):
    print(f"\nscaling: nn full batch f64, per-epoch s as above, median of {a.rounds} rounds")
    print(f"{'samples':>8} {'layers':28} {'s/epoch':>8} {'per 50k':>8}")
    cases = []
    for n in (12500, 25000, 50000):
        d = a.data if n == 50000 else os.path.join(tmp, f"prepared-{n}")
        if n != 50000:
            run([a.nn, "prepare", "--train-size", str(n), "--out", d])
        cases.append((n, "785,395,200,100,20,1", d))
    cases.append((50000, "785,790,200,100,20,1", a.data))
    for n, layers, d in cases:
        args = ["--config", "experiments/notebook.json", "--layers", layers, "--precision", "f64"]
        sec = statistics.median(per_epoch(nn_cmd(a, tmp, args, d), a.epochs, nn_epochs(tmp))[0] for _ in range(a.rounds))
        print(f"{n:8} {layers:28} {sec:8.3f} {sec * 50000 / n:8.3f}", flush=True)


def sweeps(a):
    """Table 5: scripts/bench_sweep.py (the table `make bench-sweep` prints alone)."""
    import bench_sweep
    return bench_sweep.run_all(bench_sweep.parse([f"--nn={a.nn}", f"--data={a.data}", f"--rounds={a.rounds}"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--nn", default=".build/release/nn")
    ap.add_argument("--data", default=BINARY_DATA)
    ap.add_argument("--data-all", default=ALL_DATA)
    ap.add_argument("--only", default="numpy,peer,floor,scaling,sweep")
    ap.add_argument("--torch-passive", action="store_true", help="run PyTorch with OMP_WAIT_POLICY=PASSIVE")
    a = ap.parse_args()
    if a.epochs < 2:
        sys.exit("bench: --epochs must be at least 2 (per-epoch time is a difference of two runs)")
    only = set(a.only.split(","))
    ok = True
    if "numpy" in only:
        ok = numpy_port(a) and ok
    with tempfile.TemporaryDirectory() as tmp:
        nn_full = {}
        if "peer" in only or "floor" in only:
            peer_ok, nn_full = peer(a, tmp)
            ok = ok and peer_ok
        if "floor" in only:
            ok = floor(nn_full, a) and ok
        if "scaling" in only:
            scaling(a, tmp)
        if "sweep" in only:
            ok = sweeps(a) and ok
    return 0 if ok else 1


def numpy_port(a):
    best = {"numpy": (1e9, 0), "nn f64": (1e9, 0), "nn f32": (1e9, 0)}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            out, rss = run([sys.executable, "scripts/bench_numpy.py", "--epochs", str(a.epochs)])
            np_sec = json.loads(out.strip().splitlines()[-1])["median_seconds_per_epoch"]
            best["numpy"] = (min(best["numpy"][0], np_sec), max(best["numpy"][1], rss))
            for prec in ("f64", "f32"):
                d = os.path.join(tmp, f"{prec}-{r}")
                _, rss = run([a.nn, "train", "--config", "experiments/notebook.json", "--data", a.data,
                              "--epochs", str(a.epochs), "--precision", prec, "--out", d, "--quiet"])
                with open(os.path.join(d, "timing.json")) as f:
                    sec = statistics.median(json.load(f)["epoch_seconds"])
                key = "nn " + prec
                best[key] = (min(best[key][0], sec), max(best[key][1], rss))
    base_sec, base_rss = best["numpy"]
    targets = {"nn f64": 0.55, "nn f32": 0.30}
    print(f"notebook config, {a.epochs} epochs, best of {a.rounds} rounds (median s/epoch within a run)")
    print(f"{'impl':8} {'s/epoch':>9} {'ratio':>7} {'target':>7} {'peak MiB':>9} {'mem ratio':>9}")
    ok = True
    for k, (sec, rss) in best.items():
        ratio, mem = sec / base_sec, rss / base_rss
        t = targets.get(k)
        verdict = "" if t is None else ("ok" if ratio <= t and mem < 1 else "MISSED")
        ok = ok and verdict != "MISSED"
        print(f"{k:8} {sec:9.3f} {ratio:7.3f} {('<= %.2f' % t) if t else '':>7} {rss / 1024:9.0f} {mem:9.3f}  {verdict}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
