#!/usr/bin/env python3
"""Parity of two training runs: `nn train` (RUN_DIR_NN) against the NumPy port (RUN_DIR_NUMPY).

Each run directory holds
  history.csv      header starting `epoch,loss` (extra columns allowed); epochs 1, 2, ..., n;
  predictions.csv  header `index,label,probability,prediction` (extra columns allowed);
                   index 0, 1, ..., n-1.

Per epoch, rel = |loss_nn - loss_numpy| / |loss_numpy| (0 when both are equal, including
equal infinities or both NaN; inf when only one is non-finite or loss_numpy is 0).
PASS when
  max rel over the first N epochs  <= --rtol-first  (N = --first, capped at the run length),
  max rel over all epochs          <= --rtol-all,
  prediction agreement (equal `prediction` / rows) >= --min-agree,
  and both runs carry the same `label` column (else the splits differ).
Exit 0 on PASS, 1 on FAIL, 2 on bad input (one line naming the file and the problem).
"""

import argparse
import csv
import math
import os
import sys

HISTORY_COLUMNS = ["epoch", "loss"]
PREDICTION_COLUMNS = ["index", "label", "probability", "prediction"]


class BadInput(Exception):
    """A missing or malformed input; the message names the file."""


def read_table(path, columns, kinds):
    """Rows of the CSV at `path` as tuples of the given columns, converted by `kinds`.
    The header must start with `columns` in that order; further columns are ignored."""
    if not os.path.isfile(path):
        raise BadInput(f"{path}: file not found")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or header[:len(columns)] != columns:
                raise BadInput(f"{path}: header must start with {','.join(columns)}, "
                               f"got {','.join(header or [])!r}")
            rows = []
            for line, record in enumerate(reader, 2):
                if len(record) < len(columns):
                    raise BadInput(f"{path}:{line}: expected {len(columns)} columns, got {len(record)}")
                try:
                    rows.append(tuple(kind(v) for kind, v in zip(kinds, record)))
                except ValueError:
                    raise BadInput(f"{path}:{line}: not a number in {','.join(record[:len(columns)])!r}")
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: unreadable ({e})")
    if not rows:
        raise BadInput(f"{path}: no data rows")
    return rows


def read_history(run_dir):
    """Losses of history.csv, checking epochs are numbered 1..n."""
    path = os.path.join(run_dir, "history.csv")
    rows = read_table(path, HISTORY_COLUMNS, (int, float))
    for expected, (epoch, _) in enumerate(rows, 1):
        if epoch != expected:
            raise BadInput(f"{path}: epoch {epoch} where {expected} was expected")
    return [l for _, l in rows]


def read_predictions(run_dir):
    """(labels, probabilities, predictions) of predictions.csv, checking index is 0..n-1."""
    path = os.path.join(run_dir, "predictions.csv")
    rows = read_table(path, PREDICTION_COLUMNS, (int, int, float, int))
    for expected, row in enumerate(rows):
        if row[0] != expected:
            raise BadInput(f"{path}: index {row[0]} where {expected} was expected")
    return [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]


def rel_diff(a, b):
    """|a - b| / |b|; 0 for identical values (incl. both NaN); inf if undefined."""
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return math.inf
    return abs(a - b) / abs(b)


def compare(nn_dir, np_dir, first, rtol_first, rtol_all, min_agree, out=print):
    """Prints the comparison; returns True on PASS. Raises BadInput on bad input."""
    loss_nn, loss_np = read_history(nn_dir), read_history(np_dir)
    if len(loss_nn) != len(loss_np):
        raise BadInput(f"history.csv: {nn_dir} has {len(loss_nn)} epochs, {np_dir} has {len(loss_np)}")
    lab_nn, prob_nn, pred_nn = read_predictions(nn_dir)
    lab_np, prob_np, pred_np = read_predictions(np_dir)
    if len(pred_nn) != len(pred_np):
        raise BadInput(f"predictions.csv: {nn_dir} has {len(pred_nn)} rows, {np_dir} has {len(pred_np)}")

    rels = [rel_diff(a, b) for a, b in zip(loss_nn, loss_np)]
    out(f"{'epoch':>5}  {'loss_nn':>24}  {'loss_numpy':>24}  {'rel diff':>10}")
    for epoch, (a, b, r) in enumerate(zip(loss_nn, loss_np, rels), 1):
        out(f"{epoch:>5}  {a!r:>24}  {b!r:>24}  {r:>10.3e}")

    n_first = min(first, len(rels))
    max_first = max(rels[:n_first]) if n_first > 0 else 0.0
    max_all = max(rels)
    agree = sum(p == q for p, q in zip(pred_nn, pred_np))
    total = len(pred_np)
    label_mismatch = sum(p != q for p, q in zip(lab_nn, lab_np))
    max_prob = max((abs(p - q) for p, q in zip(prob_nn, prob_np)), default=0.0)

    checks = [
        (max_first <= rtol_first, f"max rel diff, first {n_first} epochs: {max_first:.3e} (target <= {rtol_first:g})"),
        (max_all <= rtol_all, f"max rel diff, all {len(rels)} epochs: {max_all:.3e} (target <= {rtol_all:g})"),
        (agree / total >= min_agree, f"prediction agreement: {agree}/{total} = {agree / total:.6f} (target >= {min_agree:g})"),
        (label_mismatch == 0, f"labels differing: {label_mismatch} (target 0; otherwise the test splits differ)"),
    ]
    for ok, line in checks:
        out(f"{'ok  ' if ok else 'FAIL'}  {line}")
    out(f"info  max |probability difference|: {max_prob:.3e}")
    passed = all(ok for ok, _ in checks)
    out("PASS" if passed else "FAIL")
    return passed


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("run_dir_nn")
    p.add_argument("run_dir_numpy")
    p.add_argument("--first", type=int, default=10, help="epochs held to --rtol-first (10)")
    p.add_argument("--rtol-first", type=float, default=1e-10, help="(1e-10)")
    p.add_argument("--rtol-all", type=float, default=1e-8, help="(1e-8)")
    p.add_argument("--min-agree", type=float, default=0.9999, help="(0.9999)")
    args = p.parse_args(argv)
    if args.first < 0:
        p.error("argument --first: must be >= 0")
    for name in ("rtol_first", "rtol_all", "min_agree"):
        if not math.isfinite(getattr(args, name)) or getattr(args, name) < 0:
            p.error(f"argument --{name.replace('_', '-')}: must be a finite number >= 0")
    try:
        passed = compare(args.run_dir_nn, args.run_dir_numpy, args.first,
                         args.rtol_first, args.rtol_all, args.min_agree)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
