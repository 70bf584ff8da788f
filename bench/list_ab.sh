#!/usr/bin/env bash
# GET /jobs?limit=100 for several builds side by side, on jobs as people write
# them: a cron schedule in a time zone ("0 10 * * MON", Europe/Berlin) and an
# HTTP task. Each binary gets its own service and fresh SQLite file with the
# same BENCH_SEED_COUNT jobs; then BENCH_ROUNDS rounds of `wrk -t1 -c64` for
# BENCH_DURATION, the binaries alternating within each round (the machine is
# shared and noisy: compare medians of one run, not runs of different times).
#
# Usage: bash bench/list_ab.sh BINARY [BINARY ...]
# Environment: BENCH_SEED_COUNT (150), BENCH_ROUNDS (5), BENCH_DURATION (5s), BENCH_SERVE_ARGS
# (extra `serve` flags for every binary).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly SEED_COUNT="${BENCH_SEED_COUNT:-150}"
readonly ROUNDS="${BENCH_ROUNDS:-5}"
readonly DURATION="${BENCH_DURATION:-5s}"
(($# > 0)) || die "usage: bash bench/list_ab.sh BINARY [BINARY ...]"
bench_require wrk curl python3

ab_start_builds "$@"
PIDS=("${AB_PIDS[@]}")
URLS=("${AB_URLS[@]}")
for index in $(seq 0 $(($# - 1))); do
  binary="${*:index+1:1}"
  for n in $(seq "$SEED_COUNT"); do
    curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "${URLS[index]}/jobs" -d \
      "{\"name\":\"report-$n\",\"cron\":\"0 10 * * MON\",\"timezone\":\"Europe/Berlin\",\"task\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:9/hook\",\"method\":\"POST\",\"body\":\"{}\"}}" ||
      die "seeding $binary failed"
  done
  log "$binary on ${URLS[index]}: $(curl -fs "${URLS[index]}/jobs?limit=100" | wc -c) bytes a page"
done

declare -A RESULTS=()
for round in $(seq "$ROUNDS"); do
  for index in $(seq 0 $(($# - 1))); do
    rps="$(wrk -t1 -c64 -d"$DURATION" "${URLS[index]}/jobs?limit=100" | awk '/Requests\/sec/ {print $2}')"
    RESULTS[$index]+="$rps "
    log "round $round, ${*:index+1:1}: $rps req/s"
  done
done
for index in $(seq 0 $(($# - 1))); do
  printf '%s: median %s req/s of %s\n' "${*:index+1:1}" \
    "$(tr ' ' '\n' <<<"${RESULTS[$index]}" | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
    "${RESULTS[$index]% }"
done
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
