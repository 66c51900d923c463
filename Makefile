# The front door. Each target is a thin front for Maven or a script under tools/.
#
#   make reports                    rebuild every write-up (and README's generated lines) from pinned results, verify against the PyTorch fixtures
#   make test                       the whole test suite (what .ci/run calls)
#   make data                       fetch the datasets by name, verify their sha256
#   make fixtures                   re-export every fixture from real PyTorch (Debian's python3-torch)
#   make verify-fixtures DIR=...    run any folder of fixture files through the engine (BACKEND=cpu by default)
#   make experiments [POST=...]     rerun a post's experiments, replace its pinned results (all or nothing)
#   make reproduce POST=...         rerun into a temporary folder and diff against the pins
#   make sweep-commands POST=...    one command per sweep point (GNU parallel, SLURM, Kubernetes), then the merge
#   make bench [POST=...] [KIND=avx2]  JMH benchmarks with the peers, side by side (KIND=avx2: an AVX2 machine approximated)
#   make ptx                        compile engine-cuda's CUDA sources to their committed PTX, with the ptxas report (nvcc)
#   make gpu-kit                    build build/gpu-kit/, everything a GPU machine needs to check our kernels (./run.sh OUTDIR there)
#   make pin-gpu OUT=...            pin what the kit's run.sh wrote (OUT/<post>/gpu-*.json) under data/results/<post>/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
MVN := mvn -B -q -Dstyle.color=never
POSTS := $(patsubst experiments/%/report.adoc,%,$(wildcard experiments/*/report.adoc))
ALL_POSTS := $(POSTS)
POST ?=

.PHONY: help reports test data fixtures verify-fixtures experiments reproduce sweep-commands bench ptx gpu-kit pin-gpu check-java clean

help:
	@sed -n '2,14p' Makefile | sed 's/^# \{0,1\}//'

check-java:
	@command -v java >/dev/null || { echo "java not found: install a JDK 17 (Debian: apt-get install -y openjdk-17-jdk-headless)"; exit 2; }
	@command -v mvn >/dev/null || { echo "mvn not found: install Maven (Debian: apt-get install -y maven)"; exit 2; }

## the site: reports/target/site/index.html and one page per post
reports: check-java
	$(MVN) -pl reports -am install -DskipTests
	@echo "site: reports/target/site/index.html ($(words $(POSTS)) posts)"

## every module's tests; the dataset tests need `make data`, which this runs first
test: check-java data
	$(MVN) install

data:
	tools/data/fetch.sh

fixtures:
	tools/fixtures/export_all.sh

verify-fixtures: check-java
	@if [ -z "$(DIR)" ]; then echo "usage: make verify-fixtures [BACKEND=cpu] DIR=<folder>, e.g. DIR=data/fixtures/01-basics"; exit 2; fi
	tools/java.sh engine-cuda unboxed.fixtures.Verifier --backend "$(or $(BACKEND),cpu)" "$(abspath $(DIR))"

## RunPost stages the run beside data/results/<post> and swaps the folder in, SHA256SUMS included,
## only once every experiment has finished: an interrupted run leaves the pins as they were
experiments: check-java data
	@for p in $(or $(POST),$(ALL_POSTS)); do \
	  test -d experiments/$$p || { echo "unknown post '$$p': expected one of $(ALL_POSTS)"; exit 2; }; \
	  echo "== experiments $$p"; \
	  tools/java.sh experiments/$$p unboxed.kit.RunPost $$p; \
	done

reproduce: check-java data
	@if [ -z "$(POST)" ]; then echo "usage: make reproduce POST=<post>, one of $(ALL_POSTS)"; exit 2; fi
	@test -d experiments/$(POST) || { echo "unknown post '$(POST)': expected one of $(ALL_POSTS)"; exit 2; }
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  tools/java.sh experiments/$(POST) unboxed.kit.RunPost $(POST) --out "$$tmp"; \
	  tools/java.sh experiments/kit unboxed.kit.Reproduce "$(CURDIR)/data/results/$(POST)" "$$tmp"

## the sweeps of a post, one command per point on stdout (Maven's output goes to stderr), for GNU parallel
## (`make sweep-commands POST=... | grep -v '^#' | UNBOXED_PREBUILT=1 parallel`), a SLURM job array or
## Kubernetes indexed Jobs; each writes one shard under OUT (default shards/), and the last line, a comment,
## is the merge that turns the shards into the post's results, the same bytes as `make experiments`
sweep-commands: check-java
	@if [ -z "$(POST)" ]; then echo "usage: make sweep-commands POST=<post> [SCALE=quick|full] [SEED=0] [OUT=<shard folder>]"; exit 2; fi
	@test -d experiments/$(POST) || { echo "unknown post '$(POST)': expected one of $(ALL_POSTS)"; exit 2; }
	@tools/java.sh experiments/$(POST) unboxed.kit.RunPost $(POST) --list-points --scale $(or $(SCALE),quick) \
	  --seed $(or $(SEED),0) $(if $(OUT),--out "$(abspath $(OUT))")

## bench.json goes to a temporary folder first, then into data/results/<post> the way RunPost's
## results do (unboxed.kit.Staging: the other files kept, SHA256SUMS rewritten, the folder swapped)
bench: check-java
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for p in $(or $(POST),$(ALL_POSTS)); do \
	  BENCH_OUT_DIR="$$tmp/$$p" tools/bench/run.sh $$p --kind $(or $(KIND),native); \
	  tools/java.sh experiments/kit unboxed.kit.Staging "$(CURDIR)/data/results/$$p" "$$tmp/$$p"/bench-*.json; \
	done

## the PTX under engine-cuda/src/main/resources and engine-cuda/ptxas-report.json; `tools/cuda/ptx.sh --check`
## compares instead of writing (PtxSourcesTest runs it where nvcc is installed)
ptx:
	tools/cuda/ptx.sh

## a folder of at most 40 MiB (its own Java runtime, the jars, MNIST, the fixtures, the PyTorch peer):
## copy it to a machine with an NVIDIA GPU and python3 with torch, run ./run.sh OUTDIR (tools/gpu/README.md)
gpu-kit: check-java data
	tools/gpu/build-kit.sh

pin-gpu: check-java
	@if [ -z "$(OUT)" ]; then echo "usage: make pin-gpu OUT=<folder the GPU kit's run.sh wrote>"; exit 2; fi
	@found=0; for d in "$(OUT)"/*/; do \
	  p=$$(basename "$$d"); ls "$$d"gpu-*.json >/dev/null 2>&1 || continue; \
	  test -d "data/results/$$p" || { echo "pin-gpu: $$d is not a post's folder (no data/results/$$p)"; exit 2; }; \
	  tools/java.sh experiments/kit unboxed.kit.Staging "$(CURDIR)/data/results/$$p" "$$d"gpu-*.json; found=1; \
	done; test $$found = 1 || { echo "pin-gpu: no <post>/gpu-*.json under $(OUT)"; exit 2; }

clean:
	$(MVN) clean
