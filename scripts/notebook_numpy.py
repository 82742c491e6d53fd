#!/usr/bin/env python3
"""NumPy port of the notebook (/work/shared/seed/000_7bae2419ce5d5aeb.txt): the reference
that `nn train` is compared against (parity) and benchmarked against (speed).

The model code (sigmoid, relu, loss, DenseLayer, NNSequential) is the notebook's, line for
line; the only additions are bookkeeping (loss history, per-epoch timing, a quiet switch)
and the metrics, computed with plain NumPy instead of scikit-learn.

Data, without scikit-learn:
  pool  = the 60,000 images of train-images-idx3-ubyte.gz followed by the 10,000 of
          t10k-images-idx3-ubyte.gz, as float64 (70000, 784); labels likewise (int).
  split = train_test_split(X, y, train_size=50000, test_size=20000, random_state=42), i.e.
          perm = np.random.RandomState(42).permutation(70000);
          test = perm[:20000]; train = perm[20000:70000].
  Then as the notebook: X = np.c_[np.ones((n, 1)), X]; X /= 255 (so the bias input is 1/255);
  y = (y == 8).astype(int); NNSequential(X_train.T, y_train, lr, epochs) with y_train of
  shape (m,) against A of shape (1, m) (the notebook's broadcasting, kept as is).
  The split is checked against the published MNIST facts (first five test indices
  46730 48393 41416 34506 43725 with labels 8 4 8 7 7; 1912 eights in test, 4913 in train)
  unless --skip-split-check. --train-limit N / --test-limit N then keep the first N samples
  of each split.

Weights: np.random.seed(S) right before the layers 785-395-200-100-20-1 (relu x4, sigmoid)
are created, each W = np.random.randn(out, in) * np.sqrt(2.0 / (in + out)), b = 0.

Outputs of --out DIR (each written to a temporary name, then renamed):
  history.csv      header `epoch,loss`; epochs from 1; loss = repr(float(.)) (shortest
                   round-trip repr) of the loss of that epoch's forward pass, taken before
                   the epoch's update (what the notebook prints).
  predictions.csv  header `index,label,probability,prediction`; index = position in the test
                   split, label = binary target (1 for an 8), probability = repr of the
                   sigmoid output A, prediction = 1 if A > 0.5 else 0.
  metrics.json     accuracy, precision, recall, f1 (positive class 1; precision =
                   tp/(tp+fp), recall = tp/(tp+fn), f1 = 2tp/(2tp+fp+fn), each 0 when its
                   denominator is 0, as scikit-learn's zero_division default), tp, fp, fn, tn.
  timing.json      seconds per epoch (wall clock), their median and sum, data load seconds.
All but timing.json are byte-identical for the same inputs.
"""

import argparse
import gzip
import io
import json
import os
import struct
import sys
import time

import numpy as np


# ----------------------------------------------------------------------------------------
# The notebook's code (In [2] - In [4]); only bookkeeping was added to fit/predict.
# ----------------------------------------------------------------------------------------

def sigmoid(Z):
    """Element-wise 1 / (1 + exp(-Z))."""
    return 1 / (1 + np.exp(-Z))


def relu(Z):
    """Element-wise max(0, Z)."""
    return np.maximum(0, Z)


def loss(y_hat, y):
    """Binary cross-entropy -mean(y log(y_hat + eps) + (1 - y) log(1 - y_hat + eps)), eps 1e-8."""
    epsilon = 1e-8  # Small epsilon value to ensure numerical stability
    loss = -np.mean(y * np.log(y_hat + epsilon) + (1 - y) * np.log(1 - y_hat + epsilon))
    return loss


class DenseLayer:
    """Dense layer: Z = W X + b, A = g(Z); W is (out, in), b is (out, 1), X is (in, m)."""

    def __init__(self, in_features, out_units, g):
        self.W = np.random.randn(out_units, in_features) * np.sqrt(2.0 / (in_features + out_units))
        self.b = np.zeros((out_units, 1))
        self.g = g

    def forward(self, X):
        self.X = X
        self.Z = np.dot(self.W, X) + self.b
        self.m = X.shape[1]
        if self.g == "relu":
            self.A = relu(self.Z)
        elif self.g == "sigmoid":
            self.A = sigmoid(self.Z)
        return self.A

    def backward(self, dA):
        """dZ = dA * g'(Z); dW = (1/m) dZ X^T; db = (1/m) sum_cols dZ; returns W^T dZ."""
        if self.g == "relu":
            self.dZ = np.array(dA, copy=True)
            self.dZ[self.Z <= 0] = 0
        elif self.g == "sigmoid":
            s = 1 / (1 + np.exp(-self.Z))
            self.dZ = dA * s * (1 - s)

        self.dW = (1 / self.m) * np.dot(self.dZ, self.X.T)
        self.db = (1 / self.m) * np.sum(self.dZ, axis=1, keepdims=True)
        self.dA = np.dot(self.W.T, self.dZ)

        return self.dA

    def gradient_descent_step(self, alpha):
        """W -= alpha dW; b -= alpha db (new arrays, as the notebook)."""
        self.W = self.W - alpha * self.dW
        self.b = self.b - alpha * self.db


class NNSequential:
    """Full-batch gradient descent over a list of layers (the notebook's model)."""

    def __init__(self, X, Y, alpha, num_epochs, quiet=False):
        self.layers = []
        self.X = X
        self.Y = Y
        self.learning_rate = alpha
        self.num_epochs = num_epochs
        # Bookkeeping added to the notebook: per-epoch loss and wall-clock seconds.
        self.quiet = quiet
        self.history = []
        self.epoch_seconds = []

    def add_layer(self, layer):
        self.layers.append(layer)

    def fit(self):
        """Per epoch: forward; dA = -(Y/A - (1-Y)/(1-A)); backward in reverse order; then
        every layer's gradient step; the loss recorded is that of this epoch's forward pass."""
        if self.num_epochs <= 0:
            print("Number of epochs should be a positive integer.")
            return

        for i in range(self.num_epochs):
            started = time.perf_counter()
            A = np.array(self.X, copy=True)
            for layer in self.layers:
                A = layer.forward(A)

            dA = - (np.divide(self.Y, A) - np.divide(1 - self.Y, 1 - A))

            for layer in reversed(self.layers):
                dA_l_minus_1 = layer.backward(dA)
                dA = dA_l_minus_1

            for layer in self.layers:
                layer.gradient_descent_step(self.learning_rate)

            epoch_loss = loss(A, self.Y)
            self.epoch_seconds.append(time.perf_counter() - started)
            self.history.append(float(epoch_loss))
            if not self.quiet:
                print("Loss: " + str(epoch_loss), flush=True)

    def predict(self, X):
        """Returns (A, y_pred): the sigmoid outputs (1, n) and np.where(A > 0.5, 1, 0)."""
        A = np.array(X, copy=True)
        for layer in self.layers:
            A = layer.forward(A)

        y_pred = np.where(A > 0.5, 1, 0)
        return A, y_pred


# ----------------------------------------------------------------------------------------
# Metrics (scikit-learn's, for the positive class 1, in plain NumPy).
# ----------------------------------------------------------------------------------------

def _ratio(num, den):
    """num / den, or 0.0 when den == 0 (scikit-learn's zero_division default)."""
    return float(num) / float(den) if den else 0.0


def binary_metrics(y_true, y_pred):
    """Confusion counts and accuracy, precision, recall, F1 for labels in {0, 1}."""
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    tp = int(np.sum((y_true == 1) & (y_pred == 1)))
    fp = int(np.sum((y_true == 0) & (y_pred == 1)))
    fn = int(np.sum((y_true == 1) & (y_pred == 0)))
    tn = int(np.sum((y_true == 0) & (y_pred == 0)))
    return {
        "accuracy": _ratio(tp + tn, y_true.size),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }


# ----------------------------------------------------------------------------------------
# Data: gzip'd IDX files -> the notebook's pool and split.
# ----------------------------------------------------------------------------------------

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
POOL_SIZE, TRAIN_SIZE, TEST_SIZE, SPLIT_SEED = 70000, 50000, 20000, 42
LAYER_SIZES = [(785, 395, "relu"), (395, 200, "relu"), (200, 100, "relu"),
               (100, 20, "relu"), (20, 1, "sigmoid")]


class InputError(Exception):
    """Bad user input; the message is one line naming the file or flag."""


def read_idx_u8(path):
    """Reads a gzip'd IDX file of unsigned bytes: magic 00 00 08 ndim, ndim big-endian u32
    dimensions, then the payload in row-major order. Returns a uint8 array of that shape."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found")
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: not a readable gzip file ({e})")
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise InputError(f"{path}: not an IDX file (bad magic)")
    if data[2] != 0x08:
        raise InputError(f"{path}: IDX element type 0x{data[2]:02x}, expected 0x08 (unsigned byte)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise InputError(f"{path}: truncated IDX header")
    shape = struct.unpack(">" + "I" * ndim, data[4:header])
    count = int(np.prod(shape, dtype=np.int64))
    if len(data) - header != count:
        raise InputError(f"{path}: payload has {len(data) - header} bytes, header says {count}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_pool(data_dir):
    """The 70,000-sample pool: X float64 (70000, 784) (60k train images, then 10k test), y int."""
    parts = {k: read_idx_u8(os.path.join(data_dir, v)) for k, v in MNIST_FILES.items()}
    images = []
    labels = []
    for kind in ("train", "test"):
        img, lab = parts[kind + "_images"], parts[kind + "_labels"]
        if img.ndim != 3 or lab.ndim != 1 or img.shape[0] != lab.shape[0]:
            raise InputError(f"{os.path.join(data_dir, MNIST_FILES[kind + '_images'])}: shape "
                             f"{img.shape} does not match labels {lab.shape}")
        images.append(img.reshape(img.shape[0], -1))
        labels.append(lab)
    X = np.concatenate(images).astype(np.float64)
    y = np.concatenate(labels).astype(int)
    if X.shape != (POOL_SIZE, 784):
        raise InputError(f"{data_dir}: pool has shape {X.shape}, expected ({POOL_SIZE}, 784)")
    return X, y


def split_indices():
    """(train, test) indices of train_test_split(train_size=50000, test_size=20000,
    random_state=42) on 70,000 samples: ShuffleSplit's single permutation."""
    perm = np.random.RandomState(SPLIT_SEED).permutation(POOL_SIZE)
    return perm[TEST_SIZE:TEST_SIZE + TRAIN_SIZE], perm[:TEST_SIZE]


def check_mnist_split(y, train, test):
    """Asserts the published facts of the MNIST split (data/mnist/README.md)."""
    facts = [
        (list(test[:5]) == [46730, 48393, 41416, 34506, 43725], "first five test indices"),
        (list(y[test[:5]]) == [8, 4, 8, 7, 7], "labels of the first five test samples"),
        (int(np.sum(y[test] == 8)) == 1912, "1912 eights in the test split"),
        (int(np.sum(y[train] == 8)) == 4913, "4913 eights in the train split"),
    ]
    for ok, what in facts:
        if not ok:
            raise InputError(f"split check failed: {what} (not the MNIST pool? "
                             f"use --skip-split-check for other data)")


def prepare(X, y, train_limit=None, test_limit=None, check_split=True):
    """The notebook's In [5]-In [8]: split, bias column, /255, binary labels."""
    train, test = split_indices()
    if check_split:
        check_mnist_split(y, train, test)  # on the full split, before the limits
    train, test = train[:train_limit], test[:test_limit]
    X_train, X_test, y_train, y_test = X[train], X[test], y[train], y[test]
    X_train = np.c_[np.ones((X_train.shape[0], 1)), X_train]
    X_test = np.c_[np.ones((X_test.shape[0], 1)), X_test]
    X_train /= 255
    X_test /= 255
    y_train = (y_train == 8).astype(int)
    y_test = (y_test == 8).astype(int)
    return X_train, X_test, y_train, y_test


def build_model(X_train, y_train, lr, epochs, seed, quiet=False, perturb=0.0):
    """NNSequential(X_train.T, y_train, lr, epochs) with np.random.seed(seed) right before
    the five layers are drawn. perturb != 0 multiplies every initial weight by (1 + perturb*s),
    s = +-1 from RandomState(12345) (a sensitivity experiment; the global stream is untouched)."""
    model = NNSequential(X_train.T, y_train, lr, epochs, quiet=quiet)
    np.random.seed(seed)
    for n_in, n_out, g in LAYER_SIZES:
        model.add_layer(DenseLayer(n_in, n_out, g))
    if perturb != 0.0:
        signs = np.random.RandomState(12345)
        for layer in model.layers:
            s = signs.choice([-1.0, 1.0], size=layer.W.shape)
            layer.W = layer.W * (1.0 + perturb * s)
    return model


# ----------------------------------------------------------------------------------------
# Output files.
# ----------------------------------------------------------------------------------------

def write_atomic(path, data):
    """Writes `data` (str as UTF-8, or bytes) to `path + .tmp-PID`, then renames it to `path`,
    so a reader never sees a partial file."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def history_csv(history):
    return "epoch,loss\n" + "".join(f"{i},{repr(float(l))}\n" for i, l in enumerate(history, 1))


def predictions_csv(labels, A, y_pred):
    rows = (f"{i},{int(t)},{repr(float(a))},{int(p)}\n"
            for i, (t, a, p) in enumerate(zip(labels, A.ravel(), y_pred.ravel())))
    return "index,label,probability,prediction\n" + "".join(rows)


def dump_init(path, model, seed):
    """Writes W1..W5, b1..b5 (the initial weights actually trained) and the seed to an .npz."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    arrays = {"seed": np.array(seed)}
    for k, layer in enumerate(model.layers, 1):
        arrays[f"W{k}"] = layer.W
        arrays[f"b{k}"] = layer.b
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomic(path, buffer.getvalue())


# ----------------------------------------------------------------------------------------
# CLI.
# ----------------------------------------------------------------------------------------

def positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer")
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{v} must be positive")
    return v


def finite_float(text, positive=False):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number")
    if positive and not (np.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"{text} must be a positive finite number")
    if not np.isfinite(v):
        raise argparse.ArgumentTypeError(f"{text} must be finite")
    return v


def positive_float(text):
    return finite_float(text, positive=True)


def seed_value(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer")
    if not 0 <= v < 2 ** 32:
        raise argparse.ArgumentTypeError(f"{v} must be in 0 ..< 2^32 (np.random.seed)")
    return v


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default="data/mnist", help="directory of the four gzip'd IDX files")
    p.add_argument("--seed", type=seed_value, default=0, help="np.random.seed before the layers (0)")
    p.add_argument("--epochs", type=positive_int, default=40, help="epochs (40)")
    p.add_argument("--lr", type=positive_float, default=0.3, help="learning rate (0.3)")
    p.add_argument("--train-limit", type=positive_int, help="first N samples of the train split")
    p.add_argument("--test-limit", type=positive_int, help="first N samples of the test split")
    p.add_argument("--out", help="directory for history.csv, predictions.csv, metrics.json, timing.json")
    p.add_argument("--dump-init", metavar="FILE", help="write the initial weights to this .npz")
    p.add_argument("--perturb-init", type=finite_float, default=0.0, metavar="EPS",
                   help="multiply each initial weight by 1 +- EPS (sensitivity experiment)")
    p.add_argument("--skip-split-check", action="store_true",
                   help="do not assert the MNIST split facts (for other IDX data)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = p.parse_args(argv)
    if args.train_limit is not None and args.train_limit > TRAIN_SIZE:
        p.error(f"argument --train-limit: {args.train_limit} exceeds the train split ({TRAIN_SIZE})")
    if args.test_limit is not None and args.test_limit > TEST_SIZE:
        p.error(f"argument --test-limit: {args.test_limit} exceeds the test split ({TEST_SIZE})")
    if args.out is not None and os.path.exists(args.out) and not os.path.isdir(args.out):
        p.error(f"argument --out: {args.out} exists and is not a directory")
    for flag, directory in (("--out", args.out), ("--dump-init", args.dump_init and os.path.dirname(args.dump_init))):
        if directory is not None and not can_create(directory or "."):
            p.error(f"argument {flag}: cannot create or write into {directory}")
    return args


def can_create(directory):
    """True when `directory` exists and is writable, or its nearest existing ancestor is a
    writable directory (so it can be created once the results are ready)."""
    path = os.path.abspath(directory)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def main(argv=None):
    args = parse_args(argv)
    say = (lambda *a: None) if args.quiet else print
    try:
        started = time.perf_counter()
        X, y = load_pool(args.data_dir)
        say("Feature vectors shape:", X.shape)
        say("Labels shape:", y.shape)
        X_train, X_test, y_train, y_test = prepare(
            X, y, args.train_limit, args.test_limit, check_split=not args.skip_split_check)
        load_seconds = time.perf_counter() - started
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    say("X_train shape (with bias column):", X_train.shape)
    say("X_test shape (with bias column):", X_test.shape)

    model = build_model(X_train, y_train, args.lr, args.epochs, args.seed,
                        quiet=args.quiet, perturb=args.perturb_init)
    if args.dump_init:
        try:
            dump_init(args.dump_init, model, args.seed)
        except OSError as e:
            print(f"error: --dump-init {args.dump_init}: cannot write ({e.strerror})", file=sys.stderr)
            return 2
    model.fit()
    A, y_pred = model.predict(X_test.T)
    metrics = binary_metrics(y_test, y_pred)
    say("Predicted Output Shape:", y_pred.shape)
    say("Accuracy:", metrics["accuracy"])
    say("F1-score:", metrics["f1"])
    say("Precision:", metrics["precision"])
    say("Recall:", metrics["recall"])
    say("TP {tp} FP {fp} FN {fn} TN {tn}".format(**metrics))

    if args.out:
        secs = model.epoch_seconds
        timing = {"seconds_per_epoch": secs,
                  "median_seconds_per_epoch": float(np.median(secs)),
                  "train_seconds": float(np.sum(secs)),
                  "load_seconds": load_seconds}
        files = {
            "history.csv": history_csv(model.history),
            "predictions.csv": predictions_csv(y_test, A, y_pred),
            "metrics.json": json.dumps(metrics, indent=2, sort_keys=True) + "\n",
            "timing.json": json.dumps(timing, indent=2, sort_keys=True) + "\n",
        }
        try:
            os.makedirs(args.out, exist_ok=True)
            for name, text in files.items():
                write_atomic(os.path.join(args.out, name), text)
        except OSError as e:
            print(f"error: --out {args.out}: cannot write ({e.strerror})", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
