#!/usr/bin/env bash
# Soak benchmark for jobsched (issue #13): one `jobsched serve` kept busy for many minutes,
# watched as it goes (bench/soak.py does the work; see its header for every figure).
#
#   firing  BENCH_FIRE_RATE noop jobs `every 1s`, phases spread over the second, for
#           BENCH_DURATION seconds: that many runs per second, then they stop by themselves.
#   reads   BENCH_READ_RATE GETs per second beside it (GET /jobs/{id}, GET /jobs/{id}/runs).
#   probe   a PATCH every 100 ms: how long a write waits (e.g. behind a checkpoint).
#
# Every BENCH_SAMPLE seconds it prints the WAL's size (SQLite; on PostgreSQL the runs and jobs
# tables' and indexes' sizes and dead rows), the service's RSS, runs/s, fire lateness
# p50/p99/max, the longest read and write of the interval and, on SQLite, WAL KB per run (the
# store's own count of what it wrote). Then BENCH_COOLDOWN seconds without firing (is the WAL
# back under journal_size_limit?), SIGTERM, and what was left on disk.
#
# Usage: bash bench/soak.sh
#   BENCH_DURATION=1800 bash bench/soak.sh                      # 30 minutes on SQLite
#   BENCH_DB=postgres BENCH_DURATION=600 bash bench/soak.sh     # 10 minutes on a throwaway PostgreSQL
# Environment:
#   JOBSCHED_BINARY         use this binary instead of building build/jobsched
#   BENCH_DB                sqlite or postgres                          (default sqlite)
#   BENCH_DURATION          seconds of firing                           (default 1800)
#   BENCH_FIRE_RATE         runs per second (= jobs every 1s)           (default 1000)
#   BENCH_READ_RATE         GET requests per second                     (default 2000)
#   BENCH_SAMPLE            seconds between report lines                (default 30)
#   BENCH_COOLDOWN          seconds watched after the firing stops      (default 30)
#   BENCH_WARMUP            seconds before RSS growth is measured       (default 120)
#   BENCH_PHASES            ordered (jobs fire in id order, as when created together) or random
#   BENCH_KEEP_RUNS_PER_JOB the service's --keep-runs-per-job           (default 50, as in issue #13)
#   BENCH_PRUNE_INTERVAL    the service's --prune-interval              (default 10s)
#   BENCH_NODE_ARGS         more flags for the service
#   PG_SERVER_OPTIONS       PostgreSQL settings for pg_server.sh, e.g. "-c autovacuum_naptime=10s"
#   BENCH_KEEP_TMP=1        keep the temporary directory (database, service log)
# Exit status: that of soak.py: 0 the soak ran to its end, 1 it could not, 3 (SQLite) a bound
# was broken: the WAL passed 256 MB, was not back under 64 MiB within the cool-down, or was
# left larger than that after SIGTERM.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
readonly PG_SERVER="$ROOT/tests/testing/pg_server.sh"

readonly DB_KIND="${BENCH_DB:-sqlite}"
PG_STATE=""

load_average() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

cleanup() {
  local status=$?
  if [[ -n "$PG_STATE" ]]; then
    "$PG_SERVER" stop "$PG_STATE" >/dev/null || log "pg_server.sh stop failed"
  fi
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then
      log "kept $TMP"
    else
      rm -rf "$TMP"
    fi
  fi
  exit "$status"
}

bench_binary

TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-soak.XXXXXX")"
trap cleanup EXIT INT TERM

case "$DB_KIND" in
  sqlite) DB_URL="sqlite:$TMP/soak.db" ;;
  postgres)
    PG_STATE="$TMP/pg"
    DB_URL="$("$PG_SERVER" start "$PG_STATE")" || die "pg_server.sh start failed"
    log "PostgreSQL at $DB_URL ${PG_SERVER_OPTIONS:+with $PG_SERVER_OPTIONS}"
    ;;
  *) die "BENCH_DB must be sqlite or postgres, not $DB_KIND" ;;
esac

echo "jobsched soak: $DB_KIND, $(nproc) cores, load average $(load_average) (1/5/15 min) at the start"
status=0
python3 "$SCRIPT_DIR/soak.py" --binary "$BIN" --db "$DB_URL" --dir "$TMP" \
  --duration "${BENCH_DURATION:-1800}" --fire-rate "${BENCH_FIRE_RATE:-1000}" \
  --read-rate "${BENCH_READ_RATE:-2000}" --sample "${BENCH_SAMPLE:-30}" --cooldown "${BENCH_COOLDOWN:-30}" \
  --warmup "${BENCH_WARMUP:-120}" --phases "${BENCH_PHASES:-ordered}" \
  --keep-runs-per-job "${BENCH_KEEP_RUNS_PER_JOB:-50}" --prune-interval "${BENCH_PRUNE_INTERVAL:-10s}" \
  --node-args "${BENCH_NODE_ARGS:-}" || status=$?
echo "load average at the end $(load_average)"
exit "$status"
