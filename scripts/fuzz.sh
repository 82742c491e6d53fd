#!/usr/bin/env bash
# libFuzzer harnesses for nn's input readers (Tests/Fuzz/): gzip, idx, manifest, model,
# experiment, csv.
#
#   scripts/fuzz.sh [HARNESS...]      build .build/fuzz/nn-fuzz, then run each harness for
#                                     FUZZ_SECONDS (default 60) on a copy of its committed
#                                     seed corpus Tests/Fuzz/corpus/<harness>/
#   FUZZ_SECONDS=5 scripts/fuzz.sh    the short CI run (scripts/fuzz-ci.sh)
#
# The binary is NNCore's sources compiled by swiftc with -sanitize=fuzzer,address (-O, so
# overflow checks and preconditions are on), minus Data/Checksum.swift, which needs
# swift-crypto; Tests/Fuzz/Support/ChecksumShim.swift stands in for it. New inputs go to
# .build/fuzz/corpus/<harness>/ (not committed); crashes to .build/fuzz/crashes/ and fail
# the run. Each harness prints one summary line: executions, execs/s, corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(gzip idx manifest model experiment csv)
out=.build/fuzz
bin=$out/nn-fuzz
mkdir -p "$out/crashes"
export SWIFT_BACKTRACE=enable=no

sources=$(find Sources/NNCore -name '*.swift' ! -name Checksum.swift | sort)
newest=$(ls -t $sources Tests/Fuzz/*.swift Tests/Fuzz/Support/*.swift | head -1)
if [ ! -x "$bin" ] || [ "$newest" -nt "$bin" ]; then
    echo "fuzz: building $bin"
    rm -f "$bin"   # a failed build must not leave the stale binary to be run
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name NNFuzz \
        -I Sources/CZlib -I Sources/CBLAS \
        $sources Tests/Fuzz/Support/*.swift Tests/Fuzz/*.swift -o "$bin" 2>&1 | grep -E 'error' || true
    [ -x "$bin" ] || { echo "fuzz: build failed" >&2; exit 1; }
fi

status=0
for h in "${harnesses[@]}"; do
    corpus=$out/corpus/$h
    mkdir -p "$corpus"
    cp -n Tests/Fuzz/corpus/$h/* "$corpus/" 2>/dev/null || true
    log=$out/$h.log
    if NN_FUZZ_HARNESS=$h "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -artifact_prefix="$out/crashes/$h-" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
        result=ok
    else
        result="FAILED (see $log and $out/crashes/)"; status=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    rate=$(( execs / (seconds > 0 ? seconds : 1) ))
    files=$(ls "$corpus" | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    echo "fuzz $h: $result, $execs runs in ${seconds}s (~$rate/s), corpus $files files / $bytes bytes"
done
exit $status
