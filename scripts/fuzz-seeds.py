#!/usr/bin/env python3
"""Writes the fuzz seed corpus Tests/Fuzz/corpus/<harness>/: small valid files of each
format plus a few edge cases. The manifest seed is written by the fuzz binary itself
(its checksums come from the fuzz build's stand-in hash): run
`NN_FUZZ_HARNESS=manifest NN_FUZZ_WRITE_SEED=Tests/Fuzz/corpus/manifest/valid.json
.build/fuzz/nn-fuzz -runs=0` after scripts/fuzz.sh has built it."""
import gzip, json, os, struct

root = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fuzz", "corpus")

def put(harness, name, data):
    d = os.path.join(root, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def gz(b):
    return gzip.compress(b, mtime=0)

def idx(code, shape, payload):
    return bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload

images = idx(8, [2, 3, 2], bytes(range(12)))
labels = idx(8, [4], bytes([8, 1, 0, 9]))
put("gzip", "member.gz", gz(b"hello, gzip\n"))
put("gzip", "two-members.gz", gz(b"first ") + gz(b"second"))
put("gzip", "plain.bin", b"not gzip at all")
put("gzip", "zero-padded.gz", gz(b"x" * 100) + bytes(16))
put("gzip", "empty", b"")
put("idx", "images.idx", images)
put("idx", "labels.idx.gz", gz(labels))
put("idx", "f64.idx", idx(0x0E, [2], struct.pack(">dd", 1.5, -2.0)))
put("idx", "i16.idx", idx(0x0B, [3], struct.pack(">hhh", 1, -1, 300)))
put("idx", "rank0.idx", idx(8, [], b"\x07"))
put("idx", "short.idx", images[:-3])

def model(sizes, acts, loss, precision):
    h = json.dumps({"activations": acts, "format": 1, "gradient": "notebook", "loss": loss,
                    "precision": precision, "sizes": sizes}, sort_keys=True, separators=(",", ":")).encode()
    n = sum(sizes[i + 1] * sizes[i] + sizes[i + 1] for i in range(len(sizes) - 1))
    fmt = "<%d%s" % (n, "d" if precision == "f64" else "f")
    return b"NNMODEL1" + struct.pack("<I", len(h)) + h + struct.pack(fmt, *[(i % 7) * 0.125 - 0.3 for i in range(n)])

put("model", "binary-f64.nnm", model([3, 4, 1], ["relu", "sigmoid"], "bce", "f64"))
put("model", "tenclass-f32.nnm", model([5, 3, 10], ["tanh", "softmax"], "cce", "f32"))
put("model", "bad-magic.nnm", b"NNMODEL0" + bytes(8))

here = os.path.join(os.path.dirname(__file__), "..")
for name in ("notebook.json", "mnist-10class.json"):
    p = os.path.join(here, "experiments", name)
    if os.path.exists(p):
        put("experiment", name, open(p, "rb").read())
put("experiment", "grid.json", json.dumps({"epochs": 2, "lr": 0.1, "layers": [785, 10, 1],
                                            "grid": {"lr": [0.1, 0.3], "seed": [0, 1]}}))
put("experiment", "nested.json", '{"description": "a \\"quoted\\" \\u00e9 text", "batch_size": 0, "x": [[[]]]}')
put("experiment", "numbers.json", '{"lr": 1e-05, "momentum": 0.9, "epochs": 9223372036854775807}')

put("csv", "history.csv", "epoch,loss\n1,0.6931471805599453\n2,0.5\n")
put("csv", "quoted.csv", '\ufeffname,"a,b","c""d"\r\n1,"x\ny",3\r\n\r\n')
put("csv", "metrics.csv", "metric,value\naccuracy,0.95095\ntp,963\n")
put("csv", "ragged.csv", "epoch,loss\n1\n")
print("seeds written under", os.path.normpath(root))
