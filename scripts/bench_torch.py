#!/usr/bin/env python3
"""PyTorch CPU on the same network and data as `nn train`, for `make bench`.

Reads a prepared split (`nn prepare`: uncompressed IDX, split order), builds the notebook's
design matrix (a bias column of ones, then every input divided by 255, so the bias input is
1/255), and trains the same network — Linear layers with biases, ReLU on the hidden layers,
sigmoid + binary cross-entropy (one output) or softmax + cross-entropy (several), init
randn(out, in)·sqrt(2/(in+out)) — with plain SGD: full batch (--batch-size 0) or
mini-batches of a fresh permutation each epoch. The loss of every step is computed (as
`nn` does, for history.csv). Prints one JSON line: epochs, seconds per epoch, loss per epoch.

Usage: bench_torch.py --data DIR --epochs K [--batch-size B] [--precision f64|f32] [--lr X]
                      [--layers 785,395,...] [--threads N] [--train-size N]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def design(data, split, train_size=0):
    """The notebook's design matrix of a prepared split (`split`: train or test) as NumPy f64
    (samples × 785: a bias column of ones, then every input, all divided by 255) and its
    digit labels."""
    images = read_idx(os.path.join(data, f"{split}-images.idx")).reshape(-1, 784)
    labels = read_idx(os.path.join(data, f"{split}-labels.idx")).astype(np.int64)
    if train_size:
        images, labels = images[:train_size], labels[:train_size]
    n = labels.shape[0]
    return np.concatenate([np.ones((n, 1)), images.astype(np.float64)], axis=1) / 255.0, labels


def notebook_model(sizes, dtype):
    """Linear layers with biases, ReLU between them, init randn(out, in)·sqrt(2/(in+out)),
    biases zero (the output's sigmoid is in the loss)."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        lin = torch.nn.Linear(fan_in, fan_out, dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.randn(fan_out, fan_in, dtype=dtype) * np.sqrt(2.0 / (fan_in + fan_out)))
            lin.bias.zero_()
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=0)
    ap.add_argument("--precision", choices=["f64", "f32"], default="f64")
    ap.add_argument("--lr", type=float, default=0.3)
    ap.add_argument("--layers", default="785,395,200,100,20,1")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--train-size", type=int, default=0, help="first N samples only (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = torch.float64 if a.precision == "f64" else torch.float32
    sizes = [int(s) for s in a.layers.split(",")]
    x, labels = design(a.data, "train", a.train_size)
    n = labels.shape[0]
    X = torch.from_numpy(x).to(dtype)
    outputs = sizes[-1]
    if outputs == 1:
        Y = torch.from_numpy((labels == 8).astype(np.float64).reshape(n, 1)).to(dtype)
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        Y = torch.from_numpy(labels)
        loss_fn = torch.nn.CrossEntropyLoss()
    model = notebook_model(sizes, dtype)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr)
    batch = n if a.batch_size <= 0 or a.batch_size >= n else a.batch_size
    seconds, losses = [], []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        total = torch.zeros((), dtype=dtype)
        order = torch.randperm(n) if batch < n else None
        for lo in range(0, n, batch):
            if order is None:
                xb, yb = X, Y
            else:
                idx = order[lo:lo + batch]
                xb, yb = X[idx], Y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.detach() * xb.shape[0]
        losses.append(float(total) / n)
        seconds.append(time.perf_counter() - t0)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "epochs": a.epochs, "samples": n, "seconds_per_epoch": seconds, "loss": losses}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
