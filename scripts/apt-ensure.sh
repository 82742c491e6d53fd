#!/usr/bin/env bash
# Installs the Debian packages named that are missing (apt-get update first; sudo when not
# root) and says so in one line; prints nothing when all are installed, or on a machine
# without dpkg. apt's output goes to a log that is printed, with the step that failed, when
# apt fails (exit status 2), so a CI job never ends without its reason.
# Usage: scripts/apt-ensure.sh PREFIX PACKAGE... (PREFIX starts the line, e.g. test-browser).
set -euo pipefail
prefix=$1; shift
command -v dpkg-query >/dev/null 2>&1 || exit 0
# One dpkg-query for all (a package never installed is an error line, hence 2>/dev/null).
installed=$(dpkg-query -W -f='${binary:Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
need=()
for pkg in "$@"; do grep -Eq "^${pkg}(:[a-z0-9]+)? ii" <<<"$installed" || need+=("$pkg"); done
((${#need[@]})) || exit 0
echo "$prefix: installing missing Debian packages: ${need[*]}"
log=$(mktemp "${TMPDIR:-/tmp}/nn-apt.XXXXXX")
trap 'rm -f "$log"' EXIT
fail() {
    echo "$prefix: error: $1 failed; its output:" >&2
    cat "$log" >&2
    exit 2
}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq >"$log" 2>&1 || fail "apt-get update"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >>"$log" 2>&1 || fail "apt-get install ${need[*]}"
