#!/usr/bin/env bash
# `make test-browser` (run by .ci/run): nn report --html opened in a real, headless Chromium.
# Installs what a fresh machine lacks: Debian's chromium and chromium-driver (apt-get), and
# Selenium 4 from PyPI into a virtual environment under the build folder (.build/venv-browser).
# Builds two small reports — a 4-point sweep with a validation set (1,000 images, Adam, 4
# epochs: a few seconds), and a two-run comparison of runs with names HTML must escape
# — their roc.svg made hostile (a <script> and an onload=) — and runs
# scripts/browser_check.py on each: no console errors, no request leaves the page,
# one table row per run, a header click sorts, the filter hides rows, every chart present.
# Screenshots go to .build/browser-test/. Usage: scripts/test-browser.sh [NN] (default
# .build/debug/nn).
set -euo pipefail
cd "$(dirname "$0")/.."
NN=$(realpath "${1:-.build/debug/nn}")
VENV=.build/venv-browser
OUT=.build/browser-test
log() { echo "test-browser: $*"; }

bash scripts/apt-ensure.sh test-browser chromium chromium-driver python3-venv
if ! "$VENV/bin/python" -c "import selenium" 2>/dev/null; then
    log "installing Selenium into $VENV (pip)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --timeout 60 "selenium==4.*"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/nn-browser-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p "$OUT"
"$NN" prepare --train-size 1000 --test-size 400 --data-dir data/mnist --out "$W/data" >/dev/null
echo '{"val_size": 200, "eval_every": 1}' >"$W/val.json"
net=(--data "$W/data" --layers 785,16,1 --activations relu,sigmoid --optimizer adam --batch-size 32 --epochs 4)
"$NN" sweep --config "$W/val.json" "${net[@]}" --lr 0.003,0.01 --seed 0,1 --out "$W/sweep" >/dev/null
"$NN" report --html "$W/sweep" >/dev/null
# Two runs whose names need escaping in HTML.
for lr in 0.003 0.01; do
    printf '{"val_size": 200, "eval_every": 1, "name": "run <lr=%s> & \\"q\\""}\n' "$lr" >"$W/run-$lr.json"
    "$NN" train --quiet --config "$W/run-$lr.json" "${net[@]}" --lr "$lr" --out "$W/run-$lr" >/dev/null
    "$NN" eval --run "$W/run-$lr" >/dev/null
    # A hostile chart (results from elsewhere): its script must not run in the page.
    sed -i 's|<svg |<svg onload="window.nnInjected=2" |; s|</svg>|<script>window.nnInjected=1</script></svg>|' "$W/run-$lr/roc.svg"
done
"$NN" report --html --out "$W/compare" "$W/run-0.003" "$W/run-0.01" >/dev/null

py="$VENV/bin/python"
"$py" scripts/browser_check.py --page "$W/sweep/report.html" --rows 4 --sort lr,f1 --filter-column id \
    --charts "loss,val_loss vs lr,validation loss" --screenshot "$OUT/sweep.png"
"$py" scripts/browser_check.py --page "$W/compare/report.html" --rows 2 --sort f1,lr --filter-column name \
    --charts "loss,ROC curve,precision-recall curve,confusion matrix,validation loss" --screenshot "$OUT/compare.png"
log "ok (screenshots: $OUT/sweep.png, $OUT/compare.png)"
