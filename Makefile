# jobsched: two commands.
#   make run   installs what is missing, builds, starts the service on SQLite
#   make test  installs, builds (release + ASan/UBSan) and runs every test
SHELL := /bin/bash
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8000
# CI treats warnings as errors; local builds only show them.
CMAKE_FLAGS := $(if $(filter true,$(CI)),-DJOBSCHED_WERROR=ON,-DJOBSCHED_WERROR=OFF)
DB ?= sqlite:./data/jobsched.db

.PHONY: all deps test-deps build build-binary build-asan run test test-release test-asan bench clean

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

run: build-binary
	@mkdir -p data
	./build/jobsched serve --listen $(LISTEN) --db $(DB)

test: test-deps
	@$(MAKE) --no-print-directory test-release
	@$(MAKE) --no-print-directory test-asan

test-release: build
	@cd build && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	@cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: build
	@bash bench/api.sh

clean:
	rm -rf build
