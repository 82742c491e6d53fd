#!/usr/bin/env bash
# Builds nn in release (build output on stderr) and prints the path of the binary.
# Run from anywhere; the package root is this script's parent directory.
# Usage: bin="$(scripts/release-nn.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
echo "building nn (release)..." >&2
swift build -c release --product nn >&2
echo "$(swift build -c release --show-bin-path)/nn"
