#!/usr/bin/env bash
# Refused creates (409, the name taken) in a namespace of BENCH_SEED_COUNT jobs, for several
# builds side by side: each binary gets its own service and fresh SQLite file (the namespace
# quota at its default, so the service keeps a count of the namespace's jobs), seeded through
# POST /jobs; then BENCH_ROUNDS rounds of `wrk -t1 -c64` posting one name for BENCH_DURATION,
# the binaries alternating. Before 2026-12-07 each refusal dropped the count, and the next
# create walked the namespace's jobs to count them again, on the writer thread.
#
# Usage: bash bench/conflict_ab.sh BINARY [BINARY ...]
# Environment: BENCH_SEED_COUNT (9000), BENCH_ROUNDS (3), BENCH_DURATION (5s), BENCH_SERVE_ARGS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly SEED_COUNT="${BENCH_SEED_COUNT:-9000}"
readonly ROUNDS="${BENCH_ROUNDS:-3}"
readonly DURATION="${BENCH_DURATION:-5s}"
readonly WRK_SCRIPTS="$(dirname "${BASH_SOURCE[0]}")/wrk"
(($# > 0)) || die "usage: bash bench/conflict_ab.sh BINARY [BINARY ...]"
bench_require wrk curl

ab_start_builds "$@"
for index in $(seq 0 $(($# - 1))); do
  wrk -t1 -c64 -d120s -s "$WRK_SCRIPTS/seed.lua" "${AB_URLS[index]}/jobs" -- "$SEED_COUNT" >/dev/null || true
  created="$(curl -fs "${AB_URLS[index]}/jobs?limit=1000" -o /dev/null -w '%{http_code}')"
  [[ "$created" == 200 ]] || die "${*:index+1:1} did not answer the list after seeding"
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "${AB_URLS[index]}/jobs" \
    -d '{"name":"taken","every":"1h"}' || die "${*:index+1:1} refused the first create"
done

declare -A RESULTS=()
for round in $(seq "$ROUNDS"); do
  for index in $(seq 0 $(($# - 1))); do
    out="$(wrk -t1 -c64 -d"$DURATION" -s "$WRK_SCRIPTS/create_taken_name.lua" "${AB_URLS[index]}/jobs")"
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    non2xx="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
    RESULTS[$index]+="$rps "
    log "round $round, ${*:index+1:1}: $rps refusals/s (non-2xx: ${non2xx:-0})"
  done
done
for index in $(seq 0 $(($# - 1))); do
  printf '%s: median %s refusals/s of %s\n' "${*:index+1:1}" \
    "$(tr ' ' '\n' <<<"${RESULTS[$index]}" | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" \
    "${RESULTS[$index]% }"
done
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
