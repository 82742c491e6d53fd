#!/usr/bin/env python3
"""The dense floor of one full-batch epoch: the epoch's matrix products alone, timed with
NumPy's BLAS on random matrices of the same shapes — forward W·A for every layer, dW = dZ·Aᵀ
for every layer, dA = Wᵀ·dZ for every layer but the first (the input needs no gradient).
Prints one JSON line: {"f64": seconds, "f32": seconds, "numpy": version} (best of --rounds).

Usage: bench_floor.py [--layers 785,395,200,100,20,1] [--samples 50000] [--rounds 3]
"""
import argparse
import json
import time

import numpy as np


def epoch_products(sizes, m, dtype, rounds):
    rng = np.random.default_rng(0)
    A = [rng.standard_normal((s, m)).astype(dtype) for s in sizes]
    W = [rng.standard_normal((o, i)).astype(dtype) for i, o in zip(sizes, sizes[1:])]
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for l, w in enumerate(W):
            np.dot(w, A[l])                     # forward
        for l in range(len(W) - 1, -1, -1):
            dz = A[l + 1]
            np.dot(dz, A[l].T)                  # dW
            if l > 0:
                np.dot(W[l].T, dz)              # dA of the layer below
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", default="785,395,200,100,20,1")
    ap.add_argument("--samples", type=int, default=50000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    sizes = [int(s) for s in a.layers.split(",")]
    out = {"numpy": np.__version__}
    for name, dtype in (("f64", np.float64), ("f32", np.float32)):
        out[name] = epoch_products(sizes, a.samples, dtype, a.rounds)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
