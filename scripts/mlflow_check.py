"""Reads back what `nn mlflow push` logged and compares it with the run directories.

Run by scripts/test-mlflow.sh with the MLflow venv's Python.

  mlflow_check.py free-port
      prints a free TCP port on 127.0.0.1
  mlflow_check.py check --uri URI --experiment NAME --runs DIR...
      with MLflow's Python client: the experiment holds exactly one run per DIR (found by
      the tag nn.run_id = the directory's name); its params are config.json flattened as nn
      flattens it (numbers as their literal text); every history.csv column but epoch is a
      metric whose history is exactly the column (step = epoch, no point twice); every
      number of metrics.json is a metric with that value, logged once; the provenance tags
      match provenance.json; every artifact nn pushes is listed and downloads
      byte-identical. Prints the figures compared; exit status 1 with one line per
      difference.
"""
import argparse
import csv
import json
import math
import os
import socket
import sys
import tempfile

ARTIFACTS = ["model.nnm", "model.npz", "model.safetensors", "config.json", "metrics.json", "history.csv", "report.html"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def literal(path):
    """A JSON file with numbers kept as their text (as nn keeps them)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_float=lambda t: ("num", t), parse_int=lambda t: ("num", t))


def scalar_text(v):
    if isinstance(v, tuple):
        return v[1]
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    return v


def is_scalar(v):
    return not isinstance(v, (dict, list))


def flatten(v, prefix=None, out=None):
    """nn's JSONValue.flattened(): dotted keys; an array of scalars is one text joined by ','."""
    out = [] if out is None else out
    join = (lambda k: f"{prefix}.{k}") if prefix is not None else (lambda k: k)
    if isinstance(v, dict):
        if not v and prefix is not None:
            out.append((prefix, "{}"))
        for k, x in v.items():
            flatten(x, join(k), out)
    elif isinstance(v, list):
        if all(is_scalar(x) for x in v):
            out.append((prefix or "value", ",".join(scalar_text(x) for x in v)))
        else:
            for i, x in enumerate(v):
                flatten(x, join(str(i)), out)
    else:
        out.append((prefix or "value", v))
    return out


def check(args):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=args.uri)
    failures = []
    experiment = client.get_experiment_by_name(args.experiment)
    if experiment is None:
        print(f"mlflow-check: FAILED: no experiment {args.experiment!r}", file=sys.stderr)
        return 1
    remote = client.search_runs([experiment.experiment_id], max_results=10000)
    by_id = {}
    for run in remote:
        by_id.setdefault(run.data.tags.get("nn.run_id"), []).append(run)
    runs = [d.rstrip("/") for d in args.runs if os.path.exists(os.path.join(d, "metrics.json"))]
    if len(remote) != len(runs):
        failures.append(f"{len(remote)} runs in the experiment, expected {len(runs)}")
    params = steps = finals = tags = artifacts = 0
    for d in runs:
        rid = os.path.basename(d)
        found = by_id.get(rid, [])
        if len(found) != 1:
            failures.append(f"{rid}: {len(found)} MLflow runs tagged nn.run_id={rid}, expected 1")
            continue
        run = client.get_run(found[0].info.run_id)
        if run.info.status != "FINISHED" or run.data.tags.get("nn.push") != "complete":
            failures.append(f"{rid}: status {run.info.status}, nn.push {run.data.tags.get('nn.push')!r}")

        # Params: config.json flattened.
        config = flatten(literal(os.path.join(d, "config.json")))
        for key, value in config:
            want = scalar_text(value)
            got = run.data.params.get(key)
            if got != want:
                failures.append(f"{rid}: param {key} = {got!r}, expected {want!r}")
            params += 1
        if len(run.data.params) != len(config):
            failures.append(f"{rid}: {len(run.data.params)} params, expected {len(config)}")

        # Metric histories: history.csv, column by column.
        with open(os.path.join(d, "history.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        columns = [c for c in rows[0].keys() if c != "epoch"] if rows else []
        for column in columns:
            want = [(int(r["epoch"]), float(r[column])) for r in rows
                    if r[column] != "" and math.isfinite(float(r[column]))]
            got = sorted((m.step, m.value) for m in client.get_metric_history(run.info.run_id, column))
            if got != want:
                failures.append(f"{rid}: metric history {column}: {got[:5]}... ({len(got)} points), expected {want[:5]}... ({len(want)})")
            steps += len(want)

        # Final metrics: metrics.json's numbers, each logged once.
        for key, value in flatten(literal(os.path.join(d, "metrics.json"))):
            if not isinstance(value, tuple) or not math.isfinite(float(value[1])):
                continue
            history = client.get_metric_history(run.info.run_id, key)
            if run.data.metrics.get(key) != float(value[1]) or len(history) != 1:
                failures.append(f"{rid}: metric {key} = {run.data.metrics.get(key)} ({len(history)} points), expected {value[1]} once")
            finals += 1

        # Tags.
        want_tags = {"nn.run_id": rid}
        provenance = os.path.join(d, "provenance.json")
        if os.path.exists(provenance):
            p = literal(provenance)
            want_tags["nn.version"] = scalar_text(p.get("nn_version"))
            if p.get("git_commit") is not None:
                want_tags["nn.git_commit"] = p["git_commit"]
                want_tags["mlflow.source.git.commit"] = p["git_commit"]
        for key, value in want_tags.items():
            if run.data.tags.get(key) != value:
                failures.append(f"{rid}: tag {key} = {run.data.tags.get(key)!r}, expected {value!r}")
            tags += 1

        # Artifacts: listed and byte-identical.
        listed = {a.path for a in client.list_artifacts(run.info.run_id)}
        local = [a for a in ARTIFACTS if os.path.exists(os.path.join(d, a))]
        local += sorted(f for f in os.listdir(d) if f.endswith(".svg"))
        with tempfile.TemporaryDirectory() as tmp:
            for name in local:
                if name not in listed:
                    failures.append(f"{rid}: artifact {name} not listed (listed: {sorted(listed)})")
                    continue
                path = client.download_artifacts(run.info.run_id, name, tmp)
                with open(path, "rb") as a, open(os.path.join(d, name), "rb") as b:
                    if a.read() != b.read():
                        failures.append(f"{rid}: artifact {name} differs from the local file")
                artifacts += 1
    for f in failures:
        print(f"mlflow-check: FAILED: {f}", file=sys.stderr)
    print(f"mlflow-check: {'FAILED' if failures else 'ok'}: {len(remote)} runs in the experiment for {len(runs)} "
          f"local; compared {params} params, {steps} metric steps, {finals} final metrics, {tags} tags, "
          f"{artifacts} artifacts downloaded")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("free-port")
    c = sub.add_parser("check")
    c.add_argument("--uri", required=True)
    c.add_argument("--experiment", required=True)
    c.add_argument("--runs", nargs="+", required=True)
    args = ap.parse_args()
    if args.command == "free-port":
        print(free_port())
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
