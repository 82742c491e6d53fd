#!/usr/bin/env bash
# libFuzzer harnesses for nn's input readers (Tests/Fuzz/): gzip, idx, manifest, model,
# experiment, csv.
#
#   scripts/fuzz.sh [HARNESS...]      build .build/fuzz/nn-fuzz, then run each harness for
#                                     FUZZ_SECONDS (default 60) on a copy of its committed
#                                     seed corpus Tests/Fuzz/corpus/<harness>/
#   FUZZ_SECONDS=5 scripts/fuzz.sh    the short CI run (scripts/fuzz-ci.sh)
#
# The binary is the library modules (NNBase ... NNReports, see `modules`) compiled by
# swiftc, each as its own module, with -sanitize=fuzzer,address (-O, so overflow checks
# and preconditions are on) and -enable-testing (the harnesses `@testable import` them),
# then linked with the harnesses. NNFormats' Files/Checksum.swift needs swift-crypto;
# Tests/Fuzz/Support/ChecksumShim.swift stands in for it. New inputs go to
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

modules=(NNBase NNKernel NNFormats NNRuns NNSweeps NNRunIndex NNReports)   # in import order
shim=Tests/Fuzz/Support/ChecksumShim.swift
module_sources() {
    find "Sources/$1" -name '*.swift' ! -name Checksum.swift | sort
    [ "$1" != NNFormats ] || echo "$shim"
}
harness=$(ls Tests/Fuzz/*.swift Tests/Fuzz/Support/*.swift Tests/TestSupport/GzipWriter.swift | grep -v "$shim")
all_sources=$(for m in "${modules[@]}"; do module_sources "$m"; done; echo "$harness")
# Rebuild when a source is newer than the binary. (No `ls -t | head -1`: under pipefail, head
# leaving before ls has written everything kills ls with SIGPIPE and the script with 141.)
stale() {
    [ -x "$bin" ] || return 0
    [ -n "$(find $all_sources Sources/CKernels/*.c Sources/CKernels/*.h Sources/CKernels/include/* scripts/fuzz.sh \
        -newer "$bin" -print -quit)" ]
}
if stale; then
    echo "fuzz: building $bin"
    rm -rf "$bin" "$out/modules"   # a failed build must not leave the stale binary to be run
    mkdir -p "$out/modules"
    flags=(-sanitize=fuzzer,address -parse-as-library -O -wmo -enable-testing -package-name nn
           -I "$out/modules" -I Sources/CZlib -I Sources/CBLAS -I Sources/CPNG -I Sources/CKernels/include)
    build() { "$@" 2>&1 | grep -E 'error' || true; }
    # NNKernel's C kernels (Sources/CKernels, module map in its include/).
    build clang -O2 -fsanitize=fuzzer-no-link,address -I Sources/CKernels/include -c Sources/CKernels/kernels.c \
        -o "$out/modules/CKernels.o"
    for m in "${modules[@]}"; do
        build swiftc "${flags[@]}" -module-name "$m" -emit-module -emit-module-path "$out/modules/$m.swiftmodule" \
            -c $(module_sources "$m") -o "$out/modules/$m.o"
    done
    build swiftc "${flags[@]}" -module-name NNFuzz $harness "$out"/modules/*.o -lz -lpng -lopenblas -o "$bin"
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
