#!/usr/bin/env bash
# Times the first layer's two products on real MNIST (785 × 50,000 training input of the
# notebook split, W0 395 × 785): dense BLAS GEMM vs the sparse kernels (SparseBatch), f64 and f32, best of R
# rounds (default 5), interleaved so that load on the machine hits both alike. Prints
# seconds, speed-ups and the largest differences between the two results.
# It runs the env-gated test SparseInputBenchmark (Tests/LibraryTests/SampleSparseTests.swift)
# in a release build; the prepared data is made with `nn prepare` when missing.
# Extra arguments go to `swift build` / `swift test` (e.g. --scratch-path DIR -Xswiftc ...).
# Usage: scripts/bench-sparse.sh [rounds] [swift build options...]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
shift || true
data=results/prepared/mnist-binary8-50000-20000-s42

# Release tests need -enable-testing (they `@testable import` the library modules).
swift build -c release --build-tests -Xswiftc -enable-testing "$@" >/dev/null
if [ ! -f "$data/manifest.json" ]; then
    "$(swift build -c release --show-bin-path "$@")/nn" prepare >/dev/null
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
NN_SPARSE_BENCH=1 NN_SPARSE_ROUNDS="$rounds" NN_SPARSE_DATA="$data" \
    swift test -c release --skip-build -Xswiftc -enable-testing "$@" --filter SparseInputBenchmark >"$log" 2>&1 || status=$?
grep -E '^(sparse bench|  |✘)' "$log" || cat "$log"
exit "$status"
