#!/usr/bin/env python3
"""Speed of the NumPy port on the full notebook configuration (50,000 training samples,
785-395-200-100-20-1, lr 0.3), for comparison with `nn` in the same benchmark run.

Trains --epochs K epochs (default 3) and prints ONE JSON line:
  impl                       "numpy"
  numpy                      NumPy version
  train_samples, epochs      what was trained
  seconds_per_epoch          wall-clock seconds of each epoch (forward, backward, update, loss)
  median_seconds_per_epoch   their median
  load_seconds               reading the gzip'd IDX files and preparing the split
  peak_rss_kib               resource.getrusage(RUSAGE_SELF).ru_maxrss (KiB on Linux), for the
                             whole process (data pool and splits included, as in the notebook)
  blas_threads_env           OPENBLAS_NUM_THREADS / OMP_NUM_THREADS as set (null when unset)
Exit 2 on bad input (one line on stderr).
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import notebook_numpy as nb  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default="data/mnist")
    p.add_argument("--epochs", type=nb.positive_int, default=3)
    p.add_argument("--seed", type=nb.seed_value, default=0)
    p.add_argument("--lr", type=nb.positive_float, default=0.3)
    args = p.parse_args(argv)
    try:
        started = time.perf_counter()
        X, y = nb.load_pool(args.data_dir)
        X_train, _, y_train, _ = nb.prepare(X, y)
        load_seconds = time.perf_counter() - started
    except nb.InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    model = nb.build_model(X_train, y_train, args.lr, args.epochs, args.seed, quiet=True)
    model.fit()
    secs = model.epoch_seconds
    print(json.dumps({
        "impl": "numpy",
        "numpy": np.__version__,
        "train_samples": int(X_train.shape[0]),
        "epochs": args.epochs,
        "seconds_per_epoch": secs,
        "median_seconds_per_epoch": float(np.median(secs)),
        "load_seconds": load_seconds,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "blas_threads_env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
    }, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
