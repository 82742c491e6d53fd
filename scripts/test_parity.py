#!/usr/bin/env python3
"""Self-test of scripts/parity.py (and a short end-to-end run of scripts/notebook_numpy.py).

Run: python3 scripts/test_parity.py   (plain asserts; exits non-zero on the first failure)

Part 1 crafts run directories and checks parity.py's exit code and verdict on each.
Part 2 runs notebook_numpy.py on the vendored MNIST (data/mnist, 200 train / 100 test samples,
3 epochs): twice with the same seed (outputs byte-identical, parity PASS with zero
difference), once with another seed (parity FAIL), once with a missing data directory
(exit 2, one error line, no output directory left behind).
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PARITY = os.path.join(HERE, "parity.py")
NOTEBOOK = os.path.join(HERE, "notebook_numpy.py")


def run(script, *args):
    r = subprocess.run([sys.executable, script, *map(str, args)], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def make_run(root, name, losses, labels, predictions, history_header="epoch,loss", extra=""):
    """A run directory with history.csv and predictions.csv (probability = prediction * 0.9)."""
    d = os.path.join(root, name)
    os.makedirs(d)
    with open(os.path.join(d, "history.csv"), "w") as f:
        f.write(history_header + "\n")
        for i, l in enumerate(losses, 1):
            f.write(f"{i},{l!r}{extra}\n")
    with open(os.path.join(d, "predictions.csv"), "w") as f:
        f.write("index,label,probability,prediction\n")
        for i, (t, p) in enumerate(zip(labels, predictions)):
            f.write(f"{i},{t},{p * 0.9!r},{p}\n")
    return d


BASE_LOSSES = [0.7 * 0.97 ** k for k in range(40)]
LABELS = [int(i % 10 == 8) for i in range(10000)]
PREDS = [int(i % 20 == 8) for i in range(10000)]


def perturbed(epoch, rel):
    """BASE_LOSSES with the loss of `epoch` (1-based) multiplied by 1 + rel."""
    out = list(BASE_LOSSES)
    out[epoch - 1] *= 1 + rel
    return out


def flipped(n):
    """PREDS with the first n predictions flipped."""
    return [1 - p if i < n else p for i, p in enumerate(PREDS)]


def expect(root, name, nn, expected_code, *flags, verdict=None):
    """Runs parity.py nn-vs-reference and asserts the exit code (and last stdout line)."""
    ref = os.path.join(root, "ref")
    code, out, err = run(PARITY, nn, ref, *flags)
    assert code == expected_code, f"{name}: exit {code}, expected {expected_code}\n{out}{err}"
    if verdict is not None:
        assert out.strip().splitlines()[-1] == verdict, f"{name}: last line {out.strip().splitlines()[-1]!r}"
    if expected_code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{name}: stderr {err!r}"
        assert out == "", f"{name}: printed a table on bad input"
    return out, err


def test_parity_verdicts(root):
    make_run(root, "ref", BASE_LOSSES, LABELS, PREDS)
    cases = [
        # name, losses, labels, predictions, flags, expected exit code
        ("identical", BASE_LOSSES, LABELS, PREDS, [], 0),
        ("early 5e-11 (under 1e-10)", perturbed(3, 5e-11), LABELS, PREDS, [], 0),
        ("early 1e-9 (over 1e-10)", perturbed(3, 1e-9), LABELS, PREDS, [], 1),
        ("epoch 10 is still early", perturbed(10, 1e-9), LABELS, PREDS, [], 1),
        ("epoch 11 is late", perturbed(11, 1e-9), LABELS, PREDS, [], 0),
        ("late 1e-9 (under 1e-8)", perturbed(30, 1e-9), LABELS, PREDS, [], 0),
        ("late 1e-7 (over 1e-8)", perturbed(30, 1e-7), LABELS, PREDS, [], 1),
        ("--first 35 covers epoch 30", perturbed(30, 1e-9), LABELS, PREDS, ["--first", 35], 1),
        ("--rtol-all 1e-6 allows 1e-7", perturbed(30, 1e-7), LABELS, PREDS, ["--rtol-all", 1e-6], 0),
        ("1 of 10000 predictions differs", BASE_LOSSES, LABELS, flipped(1), [], 0),
        ("2 of 10000 predictions differ", BASE_LOSSES, LABELS, flipped(2), [], 1),
        ("--min-agree 0.9998 allows 2", BASE_LOSSES, LABELS, flipped(2), ["--min-agree", 0.9998], 0),
        ("labels differ (other split)", BASE_LOSSES, [1 - LABELS[0]] + LABELS[1:], PREDS, [], 1),
        ("NaN loss in nn only", perturbed(40, float("nan")), LABELS, PREDS, [], 1),
    ]
    for i, (name, losses, labels, preds, flags, code) in enumerate(cases):
        nn = make_run(root, f"case{i}", losses, labels, preds)
        expect(root, name, nn, code, *flags, verdict="PASS" if code == 0 else "FAIL")

    out, _ = expect(root, "table", os.path.join(root, "case2"), 1)
    assert "1.000e-09" in out and "first 10 epochs" in out and "10000/10000" in out, out
    assert len([l for l in out.splitlines() if l[:5].strip().isdigit()]) == 40, out

    nn = make_run(root, "extra_columns", BASE_LOSSES, LABELS, PREDS,
                  history_header="epoch,loss,seconds", extra=",1.5")
    expect(root, "extra history column", nn, 0, verdict="PASS")

    both_nan = make_run(root, "nan_ref", perturbed(40, float("nan")), LABELS, PREDS)
    nn = make_run(root, "nan_nn", perturbed(40, float("nan")), LABELS, PREDS)
    code, out, err = run(PARITY, nn, both_nan)
    assert code == 0, f"NaN in both: exit {code}\n{out}{err}"


def test_parity_bad_input(root):
    short = make_run(root, "short", BASE_LOSSES[:39], LABELS, PREDS)
    _, err = expect(root, "different epoch counts", short, 2)
    assert "39 epochs" in err and "40" in err, err

    fewer = make_run(root, "fewer_rows", BASE_LOSSES, LABELS[:9999], PREDS[:9999])
    expect(root, "different prediction counts", fewer, 2)

    missing = make_run(root, "missing", BASE_LOSSES, LABELS, PREDS)
    os.remove(os.path.join(missing, "predictions.csv"))
    _, err = expect(root, "missing file", missing, 2)
    assert "predictions.csv: file not found" in err, err

    expect(root, "missing directory", os.path.join(root, "nowhere"), 2)

    bad_header = make_run(root, "bad_header", BASE_LOSSES, LABELS, PREDS, history_header="loss,epoch")
    _, err = expect(root, "bad header", bad_header, 2)
    assert "history.csv: header" in err, err

    garbage = make_run(root, "garbage", BASE_LOSSES, LABELS, PREDS)
    with open(os.path.join(garbage, "history.csv"), "a") as f:
        f.write("41,abc\n")
    _, err = expect(root, "non-numeric loss", garbage, 2)
    assert "history.csv:42" in err, err

    gap = make_run(root, "gap", BASE_LOSSES, LABELS, PREDS)
    with open(os.path.join(gap, "history.csv"), "a") as f:
        f.write("43,0.1\n")
    expect(root, "epoch numbering", gap, 2)

    empty = make_run(root, "empty", [], [], [])
    expect(root, "no rows", empty, 2)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_notebook_end_to_end(root):
    data = os.path.join(ROOT, "data", "mnist")
    small = ["--data-dir", data, "--train-limit", 200, "--test-limit", 100, "--epochs", 3, "--quiet"]
    runs = {}
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        runs[name] = os.path.join(root, "e2e_" + name)
        code, out, err = run(NOTEBOOK, *small, "--seed", seed, "--out", runs[name])
        assert code == 0 and out == "" and err == "", f"notebook_numpy seed {seed}: exit {code}\n{out}{err}"
    for f in ("history.csv", "predictions.csv", "metrics.json"):
        assert read(os.path.join(runs["a"], f)) == read(os.path.join(runs["b"], f)), f"{f} differs between equal runs"
    history = read(os.path.join(runs["a"], "history.csv")).decode().splitlines()
    assert history[0] == "epoch,loss" and len(history) == 4, history
    assert len(read(os.path.join(runs["a"], "predictions.csv")).decode().splitlines()) == 101

    code, out, err = run(PARITY, runs["a"], runs["b"])
    assert code == 0 and "0.000e+00" in out, f"equal runs: exit {code}\n{out}{err}"
    code, out, err = run(PARITY, runs["c"], runs["a"])
    assert code == 1, f"seed 1 vs seed 0: exit {code}\n{out}{err}"

    out_dir = os.path.join(root, "e2e_bad")
    code, out, err = run(NOTEBOOK, "--data-dir", os.path.join(root, "no_data"), "--quiet", "--out", out_dir)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "file not found" in err, err
    assert not os.path.exists(out_dir), "output directory created on bad input"


def main():
    with tempfile.TemporaryDirectory() as root:
        for test in (test_parity_verdicts, test_parity_bad_input, test_notebook_end_to_end):
            test(root)
            print(f"ok  {test.__name__}")
    print("all passed")


if __name__ == "__main__":
    main()
