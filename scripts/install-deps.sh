#!/usr/bin/env bash
# Installs the system packages and Python modules nn needs, only where missing.
# Debian packages: zlib1g-dev (gzip), libopenblas-dev (BLAS), pkg-config (finds both),
# parallel (GNU parallel, for the sweep scale-out test). Python: numpy (reference port).
set -euo pipefail
need=()
for pkg in zlib1g-dev libopenblas-dev pkg-config parallel; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
