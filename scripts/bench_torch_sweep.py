#!/usr/bin/env python3
"""A learning-rate sweep as a PyTorch user would write it, for `make bench-sweep`: a process
pool of --jobs one-thread workers (concurrent.futures), each point its own task that loads
the prepared split (train and test), trains the notebook network (bench_torch.py's model
and init) with plain full-batch gradient descent (torch.optim.SGD) for --epochs epochs,
and evaluates F1 of "is it an 8" on the test split at threshold 0.5. Prints one JSON line:
the wall time of the whole sweep, and per point its lr, F1, training seconds (its epochs)
and seconds (the whole task).

Usage: bench_torch_sweep.py --data DIR --lr 0.05,0.1,... --epochs K [--jobs J] [--precision f64|f32]
"""
import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def point(task):
    data, lr, epochs, precision, layers = task
    t0 = time.perf_counter()
    import torch
    from bench_torch import design, notebook_model
    torch.set_num_threads(1)
    torch.manual_seed(0)
    dtype = torch.float64 if precision == "f64" else torch.float32
    x, labels = design(data, "train")
    X = torch.from_numpy(x).to(dtype)
    Y = torch.from_numpy((labels == 8).astype(np.float64).reshape(-1, 1)).to(dtype)
    model = notebook_model([int(s) for s in layers.split(",")], dtype)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    train_seconds = 0.0
    for _ in range(epochs):
        e0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
        float(loss)
        train_seconds += time.perf_counter() - e0
    xt, lt = design(data, "test")
    with torch.no_grad():
        predicted = (torch.sigmoid(model(torch.from_numpy(xt).to(dtype))).numpy().ravel() > 0.5)
    truth = lt == 8
    tp = int(np.sum(predicted & truth))
    fp, fn = int(np.sum(predicted & ~truth)), int(np.sum(~predicted & truth))
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {"lr": lr, "f1": f1, "train_seconds": train_seconds, "seconds": time.perf_counter() - t0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--lr", required=True, help="comma-separated learning rates, one point each")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--precision", choices=["f64", "f32"], default="f64")
    ap.add_argument("--layers", default="785,395,200,100,20,1")
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    tasks = [(a.data, float(lr), a.epochs, a.precision, a.layers) for lr in a.lr.split(",")]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=a.jobs) as pool:
        points = list(pool.map(point, tasks))
    print(json.dumps({"impl": "torch", "jobs": a.jobs, "wall_seconds": time.perf_counter() - t0, "points": points}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
