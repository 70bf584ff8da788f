# jobsched: two commands.
#   make run   installs what is missing, builds, starts the service on SQLite
#   make test  installs, builds and runs every test: the style checks, release,
#              ASan/UBSan, the engine under TSan, and a short run of each fuzz
#              target (built with clang's thread-safety analysis)
#   make fuzz  fuzzes each target for FUZZ_SECONDS (see fuzz/)
SHELL := /bin/bash
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8000
# CI treats warnings as errors; local builds only show them.
CMAKE_FLAGS := $(if $(filter true,$(CI)),-DJOBSCHED_WERROR=ON,-DJOBSCHED_WERROR=OFF)
DB ?= sqlite:./data/jobsched.db
# `make fuzz`: seconds per target, and which targets.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= duration cron job_json http_request
# `make test`: seconds each fuzz target runs as a ctest test (see test-fuzz).
FUZZ_SMOKE_SECONDS ?= 10

.PHONY: all deps test-deps build build-binary build-asan build-tsan build-fuzz run test test-style test-release test-asan \
        test-tsan test-fuzz fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh test

build: deps
	@cmake --preset release $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Only the service (and the Swagger UI assets it serves): what `make run` needs.
build-binary: deps
	@cmake --preset release $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset release -j $(JOBS) --target jobsched

build-asan: test-deps
	@cmake --preset asan $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset asan -j $(JOBS)

# Only the engine's test binaries (store, scheduler, executor): see tests/CMakeLists.txt.
build-tsan: test-deps
	@cmake --preset tsan $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset tsan -j $(JOBS)

build-fuzz: test-deps
	@cmake --preset fuzz $(CMAKE_FLAGS) -DJOBSCHED_FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

# The service creates the database's folder itself, 0700 (the database holds webhook secrets).
run: build-binary
	./build/jobsched serve --listen $(LISTEN) --db $(DB)

test: test-deps
	@$(MAKE) --no-print-directory test-style
	@$(MAKE) --no-print-directory test-release
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-fuzz

# STYLE.md's rules that a tool can check: clang-format's layout, no file over
# 400 lines or function over 60 (scripts/code_size.py), and clang-tidy's
# bug-prone patterns on src/ (it reads the release build's compile commands).
test-style: build
	@bash scripts/check-format.sh
	@python3 scripts/code_size.py
	@bash scripts/check-tidy.sh build

test-release: build
	@cd build && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	@cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# halt_on_error: the first race fails its test; second_deadlock_stack: both
# stacks of a lock-order inversion.
test-tsan: build-tsan
	@cd build/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS)

# Replays every seed and saved regression, then fuzzes each target for
# FUZZ_SMOKE_SECONDS (both as ctest tests, label "fuzz").
test-fuzz: build-fuzz
	@cd build/fuzz && ctest --output-on-failure -j $(JOBS)

# Fuzzes each target in turn for FUZZ_SECONDS; what it learns stays in
# build/fuzz/fuzz/corpus/<target>, crashes go to build/fuzz/fuzz/artifacts/<target>.
fuzz: build-fuzz
	@set -e; for target in $(FUZZ_TARGETS); do \
	  echo "== $$target: $(FUZZ_SECONDS) s"; \
	  dir=build/fuzz/fuzz; mkdir -p $$dir/corpus/$$target $$dir/artifacts/$$target; \
	  dict=; [[ -f fuzz/$$target.dict ]] && dict=-dict=fuzz/$$target.dict; \
	  $$dir/$${target}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 $$dict \
	    -artifact_prefix=$$dir/artifacts/$$target/ $$dir/corpus/$$target \
	    fuzz/corpus/$$target fuzz/regressions/$$target; \
	done

bench: build
	@bash bench/api.sh

clean:
	rm -rf build
