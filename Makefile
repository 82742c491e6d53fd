# nn — reproducible experiments with the notebook's deep network on MNIST.
#
#   make reproduce   fetch (verify) -> prepare -> train -> eval -> report, into results/notebook/
#   make test        the test suite (Swift Testing), under ~10 minutes on 2 cores
#   make bench       notebook config, a few epochs: NumPy port vs nn f64 / f32, with ratios
SWIFT    ?= swift
PYTHON   ?= python3
NN       := .build/release/nn
SEEDS    ?= 5
BENCH_EPOCHS ?= 3

.PHONY: all build deps test fetch prepare train eval reproduce parity parity-full bench bench-data bench-diff bench-sweep clean
all: build

deps:
	bash scripts/install-deps.sh

# The release binary is rebuilt only when a source file changes.
$(NN): Package.swift $(shell find Sources -name '*.swift' -o -name '*.h' -o -name '*.modulemap')
	$(SWIFT) build -c release --product nn
	@touch $@

build: $(NN)

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

fetch: $(NN)
	$(NN) fetch

prepare: $(NN)
	$(NN) prepare

clean:
	rm -rf .build results/*
