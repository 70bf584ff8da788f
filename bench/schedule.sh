#!/usr/bin/env bash
# Scheduling benchmark for jobsched: fires jobs through the real SQLite store,
# scheduler and worker pool (noop tasks) and prints firing throughput and
# lateness. See bench/fire_bench.cpp for what is measured.
#
#   burst   BENCH_JOBS jobs due at one instant; target 100,000 recorded within 5 s
#   steady  BENCH_STEADY_JOBS jobs `every 1s`, phases spread over the second,
#           for BENCH_STEADY_SECONDS; target lateness p99 <= 10 ms
#
# Usage: bash bench/schedule.sh [extra fire_bench flags, e.g. --keep]
# The full report streams to stderr as it is produced; the summary goes to stdout.
# Environment:
#   JOBSCHED_FIRE_BENCH        use this fire_bench binary instead of building build/bench/fire_bench
#   BENCH_MODE                 all, burst or steady          (default all)
#   BENCH_JOBS                 burst job count               (default 100000)
#   BENCH_STEADY_JOBS          steady job count = fires/s    (default 1000)
#   BENCH_STEADY_SECONDS       steady window                 (default 10)
#   BENCH_MAX_CONCURRENT_RUNS  worker pool size              (default 256, the service's default)
# Exit status: that of fire_bench: 0 all met, 1 a correctness check failed
# (missing, failed or duplicate runs), 2 only a performance target was missed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR ROOT

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

load_average() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

if [[ -n "${JOBSCHED_FIRE_BENCH:-}" ]]; then
  BIN="$JOBSCHED_FIRE_BENCH"
  [[ -x "$BIN" ]] || die "JOBSCHED_FIRE_BENCH=$BIN is not an executable file"
  log "using prebuilt $BIN"
else
  log "building fire_bench (cmake --preset release)"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build build --target fire_bench) >&2
  BIN="$ROOT/build/bench/fire_bench"
fi

args=(
  --mode="${BENCH_MODE:-all}"
  --jobs="${BENCH_JOBS:-100000}"
  --steady-jobs="${BENCH_STEADY_JOBS:-1000}"
  --steady-seconds="${BENCH_STEADY_SECONDS:-10}"
  --max-concurrent-runs="${BENCH_MAX_CONCURRENT_RUNS:-256}"
)

echo "jobsched scheduling benchmark: $(nproc) cores, load average $(load_average) (1/5/15 min)"
status=0
output="$("$BIN" "${args[@]}" "$@" | tee /dev/stderr)" || status=$?
echo
echo "summary (load average afterwards $(load_average)):"
grep -E '^== |all recorded by|throughput|lateness|duplicates|runs  |  WAL  |target|CHECK FAILED' <<<"$output" || true
case $status in
  0) echo "result: all checks and targets met" ;;
  2) echo "result: correct, but a performance target was missed" ;;
  *) echo "result: FAILED (exit status $status)" ;;
esac
exit "$status"
