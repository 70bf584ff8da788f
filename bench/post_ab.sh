#!/usr/bin/env bash
# POST /jobs only, for comparing binaries: each round starts every binary in
# turn on a fresh SQLite database and runs wrk with create_job.lua against it
# (a warm-up first), so old and new alternate under the same machine noise.
# Prints each run's creates/s, the service's CPU time per create and that of
# its busiest thread (the SQLite writer), and each binary's median rate.
#
# Usage: bash bench/post_ab.sh BINARY [BINARY...]
# Environment:
#   BENCH_DURATION      wrk -d of each measured run  (default 8s)
#   BENCH_WARMUP        wrk -d of the warm-up        (default 2s)
#   BENCH_CONNECTIONS   wrk -c                       (default 64)
#   BENCH_ROUNDS        rounds over the binaries     (default 3)
#   BENCH_PERF=1        perf record -g the service during the measured run
#                       (perf.data-<binary index>-<round> in the current folder)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly WRK_SCRIPTS="$SCRIPT_DIR/wrk"
readonly DURATION="${BENCH_DURATION:-8s}"
readonly WARMUP="${BENCH_WARMUP:-2s}"
readonly CONNECTIONS="${BENCH_CONNECTIONS:-64}"
readonly ROUNDS="${BENCH_ROUNDS:-3}"

(($# > 0)) || { echo "usage: $0 BINARY [BINARY...]" >&2; exit 2; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-postab.XXXXXX")"
SERVICE_PID=""
PERF_PID=""

stop_service() {
  if [[ -n "$PERF_PID" ]]; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
  fi
  if [[ -n "$SERVICE_PID" ]]; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$SERVICE_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
    SERVICE_PID=""
  fi
}
cleanup() { stop_service; [[ "${BENCH_KEEP_TMP:-0}" == 1 ]] && echo "kept $TMP" || rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_service BINARY DIR: sets SERVICE_PID and BASE_URL. Flags an older
# binary lacks are left out, so the same script measures the history.
start_service() {
  local bin="$1" dir="$2" help port="" extra=()
  help=$("$bin" serve --help 2>&1 || true)
  [[ "$help" != *--access-log* ]] || extra+=(--access-log off)
  [[ "$help" != *--rate-limit* ]] || extra+=(--rate-limit 0)
  [[ "$help" != *--max-jobs-per-namespace* ]] || extra+=(--max-jobs-per-namespace 0)
  "$bin" serve --listen 127.0.0.1:0 --db "sqlite:$dir/bench.db" --log-level info "${extra[@]}" \
    >"$dir/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 150); do
    port="$(grep -o "http://127\.0\.0\.1:[0-9]*" "$dir/service.log" | head -n 1 | cut -d: -f3 || true)"
    [[ -z "$port" ]] || break
    kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$dir/service.log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "no port from $bin" >&2; exit 1; }
  BASE_URL="http://127.0.0.1:$port"
}

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# "TID TICKS" for each of its threads.
thread_ticks() { for task in /proc/"$1"/task/*; do awk '{ print $1, $14 + $15 }' "$task/stat"; done; }
# The most any one thread used between two thread_ticks: under POST /jobs the
# SQLite writer's, the one thread every create goes through.
busiest_thread_ticks() {
  awk 'NR == FNR { before[$1] = $2; next } { d = $2 - before[$1]; if (d > max) max = d } END { print max + 0 }' \
    <(echo "$1") <(echo "$2")
}

declare -A RESULTS=()
for round in $(seq "$ROUNDS"); do
  for index in $(seq 0 $(($# - 1))); do
    bin="${@:$((index + 1)):1}"
    dir="$TMP/run-$round-$index"
    mkdir -p "$dir"
    start_service "$bin" "$dir"
    wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s "$WRK_SCRIPTS/create_job.lua" "$BASE_URL/jobs" -- warmup >"$dir/warmup.out" 2>&1
    if [[ "${BENCH_PERF:-0}" == 1 ]]; then
      perf record -g -o "perf.data-$index-$round" -p "$SERVICE_PID" >"$dir/perf.out" 2>&1 &
      PERF_PID=$!
    fi
    cpu_before=$(cpu_ticks "$SERVICE_PID")
    threads_before=$(thread_ticks "$SERVICE_PID")
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WRK_SCRIPTS/create_job.lua" "$BASE_URL/jobs" \
      >"$dir/wrk.out" 2>&1
    cpu_after=$(cpu_ticks "$SERVICE_PID")
    writer_ticks=$(busiest_thread_ticks "$threads_before" "$(thread_ticks "$SERVICE_PID")")
    stop_service
    rps=$(sed -n 's/^BENCH_RESULT.* rps=\([0-9.]*\).*/\1/p' "$dir/wrk.out")
    errors=$(sed -n 's/^BENCH_RESULT.* errors=\([0-9]*\).*/\1/p' "$dir/wrk.out")
    p99=$(sed -n 's/^BENCH_RESULT.* p99_ms=\([0-9.]*\).*/\1/p' "$dir/wrk.out")
    requests=$(sed -n 's/^BENCH_RESULT.* requests=\([0-9]*\).*/\1/p' "$dir/wrk.out")
    # The service's CPU time (user + system) per request: steadier than the rate on a shared machine.
    cpu_us=$(awk -v t=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
      'BEGIN { printf "%.0f", t / hz * 1e6 / n }')
    writer_us=$(awk -v t="$writer_ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
      'BEGIN { printf "%.0f", t / hz * 1e6 / n }')
    printf 'round %d  %-40s %8.0f creates/s  p99 %s ms  errors %s  cpu %s us/create (busiest thread %s)  load %s\n' \
      "$round" "$bin" "$rps" "$p99" "$errors" "$cpu_us" "$writer_us" "$(cut -d' ' -f1 /proc/loadavg)"
    RESULTS[$index]+="$rps "
  done
done
echo
for index in $(seq 0 $(($# - 1))); do
  python3 -c 'import statistics, sys
v = [float(x) for x in sys.argv[2:]]
print("%-40s median %8.0f creates/s  (runs: %s)" % (sys.argv[1], statistics.median(v), " ".join("%.0f" % x for x in v)))' \
    "${@:$((index + 1)):1}" ${RESULTS[$index]}
done
