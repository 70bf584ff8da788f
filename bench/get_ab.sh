#!/usr/bin/env bash
# GET /jobs/{id} for several builds side by side: each binary gets its own service and fresh
# SQLite file with the same BENCH_SEED_COUNT jobs (an hourly interval and an HTTP task, as
# bench/api.sh seeds them), then BENCH_ROUNDS rounds of `wrk -t1 -c64 --latency` with
# get_job.lua (ids drawn uniformly) for BENCH_DURATION, the binaries alternating within each
# round. Besides req/s it prints the service's CPU time (user + system, from /proc) per request,
# which swings less than the rate on this shared 2-core machine (wrk takes one of the cores).
#
# Usage: bash bench/get_ab.sh BINARY [BINARY ...]
# Environment: BENCH_SEED_COUNT (1000), BENCH_ROUNDS (5), BENCH_DURATION (5s),
#              BENCH_SERVE_ARGS (extra `serve` flags for every binary, e.g. "--http-threads 1").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly SEED_COUNT="${BENCH_SEED_COUNT:-1000}"
readonly ROUNDS="${BENCH_ROUNDS:-5}"
readonly DURATION="${BENCH_DURATION:-5s}"
(($# > 0)) || die "usage: bash bench/get_ab.sh BINARY [BINARY ...]"
bench_require wrk curl python3

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

ab_start_builds "$@"
PIDS=("${AB_PIDS[@]}")
URLS=("${AB_URLS[@]}")
for index in $(seq 0 $(($# - 1))); do
  binary="${*:index+1:1}"
  python3 - "${URLS[index]}" "$SEED_COUNT" <<'PY' || die "seeding $binary failed"
import http.client, json, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
connection = http.client.HTTPConnection(url.hostname, url.port)
for n in range(1, int(sys.argv[2]) + 1):
    body = json.dumps({"name": f"job-{n}", "interval": "hourly",
                       "task": {"type": "http", "url": "http://127.0.0.1:9/hook"}})
    connection.request("POST", "/jobs", body, {"Content-Type": "application/json"})
    answer = connection.getresponse()
    answer.read()
    if answer.status != 201:
        sys.exit(f"POST /jobs answered {answer.status}")
PY
  log "$binary on ${URLS[index]}: $(curl -fs "${URLS[index]}/jobs/1" | wc -c) bytes a job"
done

declare -A RATES=() CPUS=()
for round in $(seq "$ROUNDS"); do
  for index in $(seq 0 $(($# - 1))); do
    before=$(cpu_ticks "${PIDS[index]}")
    out="$(wrk -t1 -c64 -d"$DURATION" --latency -s "$SCRIPT_DIR/wrk/get_job.lua" "${URLS[index]}" -- "$SEED_COUNT")"
    after=$(cpu_ticks "${PIDS[index]}")
    rps=$(sed -n 's/^BENCH_RESULT.* rps=\([0-9.]*\).*/\1/p' <<<"$out")
    p99=$(sed -n 's/^BENCH_RESULT.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$out")
    errors=$(sed -n 's/^BENCH_RESULT.* errors=\([0-9]*\).*/\1/p' <<<"$out")
    requests=$(sed -n 's/^BENCH_RESULT.* requests=\([0-9]*\).*/\1/p' <<<"$out")
    [[ "$errors" == 0 ]] || die "${*:index+1:1}: $errors errors"
    cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
      'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    RATES[$index]+="$rps "
    CPUS[$index]+="$cpu "
    log "round $round, ${*:index+1:1}: $rps req/s, p99 $p99 ms, $cpu us CPU a request, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for index in $(seq 0 $(($# - 1))); do
  printf '%s: median %s req/s, %s us CPU a request (rates: %s)\n' "${*:index+1:1}" \
    "$(median "${RATES[$index]}")" "$(median "${CPUS[$index]}")" "${RATES[$index]% }"
done
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
