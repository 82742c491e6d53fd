"""Copies one run directory into COUNT run directories for `scripts/bench-runs.sh`:
DST/<12-hex id>/ with lr, seed, epochs (config.json) and f1 (metrics.json) rewritten per
copy, so parameters differ and `nn runs` has something to sort.
Usage: bench_runs_fixture.py SRC_RUN DST COUNT"""
import json, os, re, shutil, sys
src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = {f: open(os.path.join(src, f), "rb").read() for f in os.listdir(src) if not f.startswith(".") or f == ".nn-run"}
config = json.loads(files["config.json"])
metrics = json.loads(files["metrics.json"])
for i in range(count):
    d = os.path.join(dst, "%012x" % i)
    os.makedirs(d)
    lr, seed = [0.01, 0.03, 0.1, 0.3, 1.0][i % 5], (i // 5) % 10
    c = dict(config, lr=lr, seed=seed, epochs=2 + i // 50 % 20)
    m = dict(metrics, f1=round(0.5 + ((i * 7919) % 10007) / 40000, 12))
    for name, data in files.items():
        if name == "config.json":
            data = (json.dumps(c, indent=2, sort_keys=True) + "\n").encode()
        elif name == "metrics.json":
            data = (json.dumps(m, indent=2, sort_keys=True) + "\n").encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
