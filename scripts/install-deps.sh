#!/usr/bin/env bash
# Installs the system packages and Python modules nn needs, only where missing, and says so
# in one line when it does; on a machine that has everything it prints nothing (about 0.1 s).
# `make build`, `make test` and `make reproduce` run it first, so a fresh clone needs no
# other command. Debian packages: zlib1g-dev (gzip), libopenblas-dev (BLAS), libpng-dev
# (PNG images for `nn predict`), pkg-config (finds them), parallel (GNU parallel, for the
# sweep scale-out test). Python: numpy (the reference port used by the parity tests and
# the export loader test).
set -euo pipefail
# Debian packages: scripts/apt-ensure.sh (the one copy of the dpkg/apt logic; apt's output
# is shown when it fails).
bash "$(dirname "$0")/apt-ensure.sh" nn zlib1g-dev libopenblas-dev libpng-dev pkg-config parallel
log=$(mktemp "${TMPDIR:-/tmp}/nn-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
fail() {
    echo "error: $1 failed; its output:" >&2
    cat "$log" >&2
    exit 2
}
# find_spec looks numpy up without importing it (an import takes seconds on a loaded machine).
if ! python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('numpy') is None)" 2>/dev/null; then
    echo "nn: installing the Python module numpy (pip)"
    python3 -m pip install --quiet --timeout 60 numpy >"$log" 2>&1 || fail "pip install numpy"
fi
