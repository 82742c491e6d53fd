#!/usr/bin/env bash
# Installs the Debian packages named that are missing (apt-get update first; sudo when not
# root) and says so in one line; prints nothing when all are installed.
# Usage: scripts/apt-ensure.sh PREFIX PACKAGE... (PREFIX starts the line, e.g. test-browser).
set -euo pipefail
prefix=$1; shift
installed=$(dpkg-query -W -f='${binary:Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
need=()
for pkg in "$@"; do grep -Eq "^${pkg}(:[a-z0-9]+)? ii" <<<"$installed" || need+=("$pkg"); done
((${#need[@]})) || exit 0
echo "$prefix: installing ${need[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
