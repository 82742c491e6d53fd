#!/usr/bin/env python3
"""`make bench`: the notebook configuration (785-395-200-100-20-1, 50,000 samples, full
batch) for K epochs with the NumPy port of the notebook and with `nn train` in f64 and f32,
in one run, interleaved (numpy, f64, f32, repeated --rounds times) so that load on the
machine hits all three alike. Prints seconds per epoch (median over epochs, best over
rounds), peak memory (max RSS of the process, from wait4), and the ratios to NumPy with
the targets (f64 <= 0.55x, f32 <= 0.30x, peak memory below NumPy's).

Usage: scripts/bench.py [--epochs K] [--rounds R] [--nn PATH] [--data DIR]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def run(cmd):
    """Runs cmd; returns (stdout, max RSS in KiB) of that child alone."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {err.decode().strip()}")
    return out.decode(), usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--nn", default=".build/release/nn")
    ap.add_argument("--data", default="results/prepared/mnist-binary8-50000-20000-s42")
    a = ap.parse_args()
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
