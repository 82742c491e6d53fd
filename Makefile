# nn — reproducible experiments with the notebook's deep network on MNIST.
#
#   make reproduce   fetch (verify) -> prepare -> train -> eval -> report for
#                    experiments/notebook.json, seeds 0..SEEDS-1, into results/notebook/
#   make test        the test suite (Swift Testing)
#   make test-asan   the test suite under AddressSanitizer + LeakSanitizer
#   make test-slurm  nn sweep --submit slurm on a real one-node Slurm (root; installs
#                    slurm-wlm and munge when missing; starts and stops the daemons)
#   make test-browser  nn report --html in headless Chromium (installs chromium,
#                    chromium-driver and Selenium into .build/venv-browser when missing)
#   make test-mlflow nn mlflow push to a real MLflow server (MLflow into .build/venv-mlflow)
#   make bench       nn vs the NumPy port, vs PyTorch CPU (full batch, mini-batches, ten
#                    classes), vs the dense floor, its scaling, and the sweep table of
#                    make bench-sweep (scripts/bench.py)
#   make bench-sweep nn sweep vs the machine's ideal and vs a PyTorch user's sweep, halving's
#                    share of time in epochs, a 2-job sweep's memory (scripts/bench_sweep.py)
#   make bench-runs  nn runs over 10,000 run directories (must take under 1 s)
#   make bench-halving  nn sweep --halving against the full grid: 9 learning rates x 3
#                    seeds of the notebook network, epochs trained (target <= 40%), wall
#                    time, same best learning rate (scripts/bench-halving.sh, ~33 min)
#   make fuzz        libFuzzer on the input readers, FUZZ_SECONDS (60) per harness
#   make install     nn and every nn-<command> into $(PREFIX)/bin (PREFIX=/usr/local);
#                    make uninstall removes them
#
# Make's own dependencies do the orchestration: a second `make reproduce` with nothing
# changed does nothing.
SWIFT        ?= swift
PYTHON       ?= python3
NN           := .build/release/nn
SEEDS        ?= 5
BENCH_EPOCHS ?= 3
FUZZ_SECONDS ?= 60
PREFIX       ?= /usr/local
# nn and one nn-<command> per built-in command (Sources/nn*/main.swift).
EXECUTABLES  := $(notdir $(wildcard Sources/nn Sources/nn-*))
EXPERIMENT   := experiments/notebook.json
PREPARED     := results/prepared/mnist-binary8-50000-20000-s42
PREPARED_ALL := results/prepared/mnist-all-50000-20000-s42
NOTEBOOK     := results/notebook
SEED_LIST    := $(shell seq 0 $$(( $(SEEDS) - 1 )))
# Every file under Sources (Swift, C, headers, module maps): editing any of them rebuilds nn.
SOURCES      := Package.swift $(shell find Sources -type f)

.PHONY: all build deps test test-asan test-slurm test-browser test-mlflow fetch prepare reproduce parity bench bench-data bench-diff bench-sweep bench-halving bench-sparse bench-runs fuzz install uninstall clean
all: build

# Installs what a fresh machine lacks (one line when it does, nothing and ~0.1 s otherwise).
# Every target that builds depends on it, so `make reproduce` and `make test` need no set-up.
deps:
	@bash scripts/install-deps.sh

# The release binary is rebuilt only when a source file changes.
$(NN): $(SOURCES) | deps
	$(SWIFT) build -c release --product nn
	@touch $@

build: $(NN)

# Every executable, built in release, into $(DESTDIR)$(PREFIX)/bin.
install: | deps
	$(SWIFT) build -c release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(addprefix .build/release/,$(EXECUTABLES)) $(DESTDIR)$(PREFIX)/bin/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(EXECUTABLES))

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The suite under AddressSanitizer (its own build folder; ~7 min to build on 2 cores).
# LeakSanitizer runs in every nn process the tests start; Tests/lsan-suppressions.txt
# names the leaks of other people's code it may ignore, each with why. Suppressions match
# symbolised frames, so the symbolizer is named by path (tests run nn with a PATH of their
# own), and the table of suppressions used is not printed into the output tests check.
test-asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt:print_suppressions=0 \
	ASAN_SYMBOLIZER_PATH=$$(command -v llvm-symbolizer || echo $$(dirname $$(command -v swift))/llvm-symbolizer) \
	    $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

# A 2-point sweep submitted to a Slurm this script starts (and stops) on this machine; its
# summary.csv must be byte-identical to the in-process sweep's (scripts/slurm-test.sh, ~15 s).
test-slurm: deps
	$(SWIFT) build --product nn
	bash scripts/slurm-test.sh .build/debug/nn

# nn report --html opened in headless Chromium: a sweep and a two-run comparison
# (scripts/test-browser.sh; screenshots in .build/browser-test/).
test-browser: deps
	$(SWIFT) build --product nn
	bash scripts/test-browser.sh .build/debug/nn

# nn mlflow push to a real `mlflow server` (SQLite), read back with MLflow's client
# (scripts/test-mlflow.sh).
test-mlflow: deps
	$(SWIFT) build --product nn
	bash scripts/test-mlflow.sh .build/debug/nn

fetch: | $(NN)
	$(NN) fetch

prepare: $(PREPARED)/manifest.json

# fetch verifies the vendored files (offline); prepare writes the notebook's split.
# The binary is order-only here: prepare's output does not depend on how nn was built,
# and prepare itself leaves an up-to-date directory untouched.
$(PREPARED)/manifest.json: data/mnist/*.gz | $(NN)
	$(NN) fetch
	$(NN) prepare --out $(PREPARED)

# One run per seed: train then eval. Each seed starts with `[2/5] seed 1: training ...`
# and ends with `[2/5] seed 1: trained in 0:41, ETA 2:03 for the rest at this pace` (this
# seed's time for each seed after it); in between nn train prints one line per epoch into
# a pipe or log (one updating line on a terminal), so a 40-epoch seed is never silent.
# QUIET=1 (like nn sweep --quiet) prints only the report's path (errors still show).
QUIET        ?=
SAY          := $(if $(QUIET),:,echo)
AT           := $(if $(QUIET),@,)
TO_LOG       := $(if $(QUIET),>/dev/null,)
SEED_OF      = [$$(( $* + 1 ))/$(SEEDS)] seed $*
TRAIN_SEED   = $(NN) train --config $(EXPERIMENT) --seed $* --data $(PREPARED) --out $(NOTEBOOK)/seed-$* --force
# m:ss of a shell arithmetic expression
CLOCK        = $$(printf %d:%02d $$(( ($(1)) / 60 )) $$(( ($(1)) % 60 )))
$(NOTEBOOK)/seed-%/model.nnm: $(PREPARED)/manifest.json $(EXPERIMENT) $(NN)
	@$(SAY) "$(SEED_OF): training $(NOTEBOOK)/seed-$*"
	@start=$$(date +%s) && $(SAY) '$(TRAIN_SEED)' && $(TRAIN_SEED) $(TO_LOG) && \
	s=$$(( $$(date +%s) - start )) && left=$$(( $(SEEDS) - $* - 1 )) && \
	$(SAY) "$(SEED_OF): trained in $(call CLOCK,s)$$([ $$left -gt 0 ] && \
	  echo ", ETA $(call CLOCK,s * left) for the rest at this pace")"

$(NOTEBOOK)/seed-%/metrics.json: $(NOTEBOOK)/seed-%/model.nnm
	$(AT)$(NN) eval --run $(NOTEBOOK)/seed-$* $(TO_LOG)

# report.md and report.html are written together (grouped target): a checkout that has
# report.md but not report.html still gets the page from `make reproduce`.
$(NOTEBOOK)/report.md $(NOTEBOOK)/report.html &: $(foreach s,$(SEED_LIST),$(NOTEBOOK)/seed-$(s)/metrics.json)
	$(AT)$(NN) report --notebook --html --out $(NOTEBOOK) $(foreach s,$(SEED_LIST),$(NOTEBOOK)/seed-$(s)) $(TO_LOG)

reproduce: $(NOTEBOOK)/report.md $(NOTEBOOK)/report.html
	@echo "report: $(NOTEBOOK)/report.md"

.PRECIOUS: $(NOTEBOOK)/seed-%/model.nnm $(NOTEBOOK)/seed-%/metrics.json

# The full 40-epoch parity check against the NumPy port (seed 0), as in the closing notes.
parity: $(NOTEBOOK)/seed-0/metrics.json
	$(PYTHON) scripts/notebook_numpy.py --seed 0 --epochs 40 --out results/numpy/seed-0 --quiet
	$(PYTHON) scripts/parity.py $(NOTEBOOK)/seed-0 results/numpy/seed-0

# PyTorch (its CPU build) is installed into .venv-bench/ by the script when missing, from a
# local wheel (/opt/wheels) or PyTorch's CPU index (skipped if it cannot be).
bench: $(PREPARED)/manifest.json $(PREPARED_ALL)/manifest.json
	$(PYTHON) scripts/bench.py --epochs $(BENCH_EPOCHS) --nn $(NN) --data $(PREPARED) --data-all $(PREPARED_ALL) $(BENCH_FLAGS)

$(PREPARED_ALL)/manifest.json: data/mnist/*.gz | $(NN)
	$(NN) prepare --classes all --out $(PREPARED_ALL)

# Six harnesses (gzip, idx, manifest, model, experiment, csv; Tests/Fuzz/) from the
# committed seed corpus; a crash fails the target. CI runs scripts/fuzz-ci.sh (5 s each).
fuzz: | deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

bench-data: | $(NN)
	bash scripts/bench-data.sh

bench-diff: | $(NN)
	bash scripts/bench-diff.sh

bench-sweep: $(PREPARED)/manifest.json $(NN)
	$(PYTHON) scripts/bench_sweep.py --nn $(NN) --data $(PREPARED) $(BENCH_SWEEP_FLAGS)

bench-halving: $(PREPARED)/manifest.json
	bash scripts/bench-halving.sh

bench-sparse: $(PREPARED)/manifest.json
	bash scripts/bench-sparse.sh

bench-runs: | deps
	bash scripts/bench-runs.sh

clean:
	rm -rf .build results/*
