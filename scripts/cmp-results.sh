#!/usr/bin/env bash
# Results-bytes evidence: run the same nn commands with two binaries and cmp every
# results file.
#
#   bash scripts/cmp-results.sh BEFORE_NN AFTER_NN OUTDIR [REPO]
#
# For a change that must not change results: build nn before and after it (e.g. a
# `git worktree` of the old commit) and give both binaries. REPO (default: this
# repository) supplies experiments/notebook.json and data/mnist/*.gz.
# Scenarios (each run once with BEFORE_NN into OUTDIR/before/…, once with AFTER_NN into
# OUTDIR/after/…, same arguments, --threads 1 where the command has it):
#   reproduce-seed0  what `make reproduce` runs for seed 0: nn fetch, nn prepare (the
#                    notebook's 50,000/20,000 split), nn train --config
#                    experiments/notebook.json --seed 0 --force, nn eval (40 epochs, full batch;
#                    default threads, exactly as the Makefile)
#   sweep-2pt        nn sweep --lr 0.1,0.3 --epochs 2 on the notebook split (the issue's
#                    2-point sweep)
#   grid             nn sweep --lr 0.1,0.3 --seed 0,1 --epochs 2 on a 5,000/2,000 split
#   random           nn sweep --random 3 --sample-seed 1 --lr loguniform:0.01:1 --epochs 2
#   halving          nn sweep --halving --lr 0.01,0.03,0.1,0.3,1 --epochs 3 --min-epochs 1
#                    --eta 3 --val-size 500
# Then every file of the two trees is compared with cmp. Not compared (they hold
# timings, dates, host and build identity, or the invocation's metadata, by design):
# timing.json, provenance.json, meta.json, logs/*, *.lock. Everything else is a results
# file or a file derived from one and must be byte-identical.
# checkpoint.nnc (the resume file) holds each epoch's seconds and, since 2026-12-07, the
# code identity (BLAS, kernels, threads) and the config in its header: when its bytes
# differ, checkpoint_cmp.py compares the training state instead (the payload — weights,
# optimiser state — byte for byte, and every header field but the seconds, code and config)
# and the line says state-match.
# Output: OUTDIR/cmp.txt (one line per file: match / state-match / DIFFER / only-before /
# only-after / skipped), OUTDIR/cmp-summary.txt (counts per scenario and file name); exit 1
# when a results file (not a chart or report: *.svg, *.md, *.html) differs or is on one side
# only.
set -u
HERE=$(dirname "$(realpath "$0")")
BEFORE=$(realpath "$1"); AFTER=$(realpath "$2"); OUT=$3; REPO=$(realpath "${4:-$HERE/..}")
mkdir -p "$OUT"; OUT=$(realpath "$OUT")
THREADS=${THREADS:-1}

run() {  # run LABEL NN: all scenarios with binary NN in $OUT/run, then moved to $OUT/LABEL
    # (both sides run under the same absolute path: config.json records the prepared
    # data's directory).
    local label=$1 nn=$2 d=$OUT/run
    rm -rf "$d" "$OUT/$label"; mkdir -p "$d"; local t0=$(date +%s)
    cp "$REPO/experiments/notebook.json" "$d/notebook.json"
    (
        cd "$d" || exit 2
        set -x
        "$nn" fetch --data-dir "$REPO/data/mnist"
        "$nn" prepare --data-dir "$REPO/data/mnist" --out prep-notebook
        "$nn" prepare --data-dir "$REPO/data/mnist" --train-size 5000 --test-size 2000 --out prep-small
        # reproduce-seed0 (the Makefile's train and eval lines for seed 0)
        "$nn" train --config notebook.json --seed 0 --data prep-notebook --out reproduce-seed0/seed-0 --force
        "$nn" eval --run reproduce-seed0/seed-0
        "$nn" sweep --data prep-notebook --lr 0.1,0.3 --epochs 2 --threads "$THREADS" --out sweep-2pt
        "$nn" sweep --data prep-small --lr 0.1,0.3 --seed 0,1 --epochs 2 --threads "$THREADS" --out grid
        "$nn" sweep --data prep-small --random 3 --sample-seed 1 --lr loguniform:0.01:1 --epochs 2 --threads "$THREADS" --out random
        "$nn" sweep --data prep-small --halving --lr 0.01,0.03,0.1,0.3,1 --epochs 3 --min-epochs 1 --eta 3 --val-size 500 \
            --threads "$THREADS" --out halving
    ) > "$OUT/$label.log" 2>&1
    local rc=$?
    echo "$label: $(( $(date +%s) - t0 )) s" >> "$OUT/$label.log"
    mv "$d" "$OUT/$label"
    echo "$label: exit $rc ($(wc -l < "$OUT/$label.log") log lines in $OUT/$label.log)"
}

# ONLY=before or ONLY=after runs one side (the other side's tree is reused: it must have
# been made in this same OUTDIR, since config.json records OUTDIR/run/…); ONLY=compare runs
# neither and only compares.
case "${ONLY:-both}" in before) run before "$BEFORE"; exit 0 ;; after) run after "$AFTER" ;; compare) ;;
    *) run before "$BEFORE"; run after "$AFTER" ;; esac

skip() {  # files that hold timings, dates, host/build identity or invocation metadata
    case "$1" in
        */timing.json|timing.json|*/provenance.json|provenance.json|*/meta.json|meta.json|*/logs/*|*.lock|*/.lock*) return 0 ;;
    esac
    return 1
}

: > "$OUT/cmp.txt"
differ=0
for scenario in prep-notebook prep-small reproduce-seed0 sweep-2pt grid random halving; do
    b=$OUT/before/$scenario a=$OUT/after/$scenario
    (cd "$b" 2>/dev/null && find . -type f; cd "$a" 2>/dev/null && find . -type f) | sed 's|^\./||' | sort -u |
    while read -r f; do
        if skip "$f"; then echo "skipped      $scenario/$f"
        elif [ ! -e "$a/$f" ]; then echo "only-before  $scenario/$f"
        elif [ ! -e "$b/$f" ]; then echo "only-after   $scenario/$f"
        elif cmp -s "$b/$f" "$a/$f"; then echo "match        $scenario/$f"
        elif [ "${f##*/}" = checkpoint.nnc ] && python3 "$HERE/checkpoint_cmp.py" "$b/$f" "$a/$f" > /dev/null; then
            echo "state-match  $scenario/$f"
        else echo "DIFFER       $scenario/$f"
        fi
    done >> "$OUT/cmp.txt"
done

# Per scenario and file name (run ids collapsed): how many match / differ / are one-sided.
awk '{ split($2, p, "/"); n = split($2, q, "/"); key = p[1] " " q[n]; c[key " " $1]++; keys[key] = 1 }
     END { for (k in keys) printf "%-40s match %3d  state-match %3d  DIFFER %3d  only-before %3d  only-after %3d  skipped %3d\n", k,
           c[k " match"], c[k " state-match"], c[k " DIFFER"], c[k " only-before"], c[k " only-after"], c[k " skipped"] }' "$OUT/cmp.txt" \
    | sort > "$OUT/cmp-summary.txt"
cat "$OUT/cmp-summary.txt"
# Results files (everything but the charts and reports, *.svg, *.md, *.html, which a
# change may redraw on purpose) decide the exit status.
results() { grep -v -E '\.(svg|md|html)$' "$OUT/cmp.txt"; }
views() { grep -E '\.(svg|md|html)$' "$OUT/cmp.txt"; }
echo "results files: $(results | grep -c '^match') identical, $(results | grep -c '^state-match') same training state (checkpoints), $(results | grep -c '^DIFFER') differ, $(results | grep -c '^only-') on one side only"
echo "charts and reports: $(views | grep -c '^match') identical, $(views | grep -c '^DIFFER') differ, $(views | grep -c '^only-before') before only, $(views | grep -c '^only-after') after only"
results | grep -q -E '^(DIFFER|only-)' && exit 1
exit 0
