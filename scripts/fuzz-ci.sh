#!/usr/bin/env bash
# The short fuzz run for CI: every harness for 5 s (about 1 minute in all, plus ~2 min to
# build the fuzz binary the first time). Exits non-zero when a harness finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-5} exec scripts/fuzz.sh
