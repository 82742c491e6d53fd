#!/usr/bin/env python3
"""Predict with an `nn export --format npz` model in NumPy alone, as `nn predict` does.
Usage: nn_predict_numpy.py MODEL.npz IMAGES.idx[.gz] [N]  ->  CSV index,prediction,probability"""
import gzip, json, sys
import numpy as np

model = np.load(sys.argv[1])
meta = json.loads(str(model["metadata"]))
raw = open(sys.argv[2], "rb").read()
raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
pixels = np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(-1, meta["sizes"][0] - meta["preprocessing"]["bias_column"])
pixels = pixels[: int(sys.argv[3])] if len(sys.argv) > 3 else pixels
x = pixels.astype(np.float64)
if meta["preprocessing"]["bias_column"]:
    x = np.c_[np.ones(len(x)), x]  # the bias column first, then /255: its input is 1/255
a = (x / meta["preprocessing"]["scale"]).astype(model["layers.0.weight"].dtype).T
f = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "identity": lambda z: z,
     "softmax": lambda z: np.exp(z - z.max(0)) / np.exp(z - z.max(0)).sum(0)}
for i, act in enumerate(meta["activations"]):
    a = f[act](model[f"layers.{i}.weight"] @ a + model[f"layers.{i}.bias"][:, None])
t = meta["target"]
pred = (a[0] > t["threshold"]).astype(int) if t["kind"] == "binary" else np.array(t["classes"])[a.argmax(0)]
prob = a[0] if t["kind"] == "binary" else a.max(0)
print("index,prediction,probability")
for j in range(a.shape[1]):
    print(f"{j},{pred[j]},{float(prob[j])!r}")
