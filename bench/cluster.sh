#!/usr/bin/env bash
# Cluster benchmark for jobsched on PostgreSQL (issue #6).
#
# Starts a throwaway PostgreSQL (tests/testing/pg_server.sh), then for each cluster size in
# BENCH_NODES starts that many `jobsched serve` nodes on a fresh database (all roles, no rate limit,
# --access-log off, --log-level warn) and runs bench/cluster_bench.py against them:
#
#   burst   BENCH_JOBS noop jobs due at one instant, created through the API beforehand;
#           runs/s = jobs / (last finished_at - due instant), from the runs table.
#           Target (one node): >= 10,000 runs/s.
#   steady  BENCH_STEADY_JOBS noop jobs `every 1s`, phases spread over the second, for
#           BENCH_STEADY_SECONDS; lateness = started_at - (scheduled_for + jitter_ms),
#           p50/p99/max after the first BENCH_WARMUP_SECONDS. Target: p99 <= 50 ms.
#   checks  no duplicate (job, scheduled_for) runs, none executed twice, no missing
#           occurrence in the steady window, every run succeeded. Target: zero duplicates.
#
# Jobs are created through the API (bench/cluster_bench.py, 32 keep-alive connections spread
# over the nodes) before their due instant, which is chosen from a measured creation rate, so
# creating them is not part of any figure. The runs table's started_at is the instant a node
# asked to claim the run, before the claim's transaction ran; the summary also shows the p99
# bucket of the nodes' jobsched_run_start_lag_seconds, observed once the claim has committed
# (over the whole steady window, warm-up included). Figures and their analysis: bench/README.md.
#
# Usage: bash bench/cluster.sh
# The full report streams to stderr; the summary table goes to stdout.
# Environment:
#   JOBSCHED_BINARY            use this binary instead of building build/jobsched
#   BENCH_NODES                cluster sizes to run                 (default "1 2 3")
#   BENCH_MODE                 all, burst or steady                 (default all)
#   BENCH_JOBS                 burst job count                      (default 20000)
#   BENCH_STEADY_JOBS          steady job count = fires/s           (default 1000)
#   BENCH_STEADY_SECONDS       steady window                        (default 20)
#   BENCH_WARMUP_SECONDS       left out of the lateness figures     (default 2)
#   BENCH_CONNECTIONS          HTTP connections creating jobs       (default 32)
#   BENCH_LEAD_SECONDS         due instant this far after creation starts
#                              (default: from a measured creation rate)
#   BENCH_OVERLAP              the jobs' overlap policy             (default allow)
#   BENCH_MAX_CONCURRENT_RUNS  nodes' --max-concurrent-runs         (default: the service's, 256)
#   BENCH_NODE_ARGS            more flags for every node, e.g. "--http-threads 1"
#   PG_SERVER_OPTIONS          PostgreSQL settings for pg_server.sh, e.g. "-c shared_buffers=256MB"
#                              (synchronous_commit and fsync stay on: creates and runs are durable)
#   BENCH_STATEMENTS=1         after each cluster size, the top statements from pg_stat_statements;
#                              needs PG_SERVER_OPTIONS="-c shared_preload_libraries=pg_stat_statements
#                              -c pg_stat_statements.track=all"
#   BENCH_KEEP_TMP=1           keep the temporary directory (node logs, PostgreSQL's log)
# Exit status: 0 all checks and targets met, 1 a correctness check failed or the benchmark
# could not run, 2 correct, but a performance target was missed (as bench/schedule.sh).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR ROOT
readonly PG_SERVER="$ROOT/tests/testing/pg_server.sh"
readonly PSQL="${PG_BIN:-/usr/lib/postgresql/15/bin}/psql"

readonly NODE_COUNTS="${BENCH_NODES:-1 2 3}"
readonly MODE="${BENCH_MODE:-all}"
readonly JOBS="${BENCH_JOBS:-20000}"
readonly STEADY_JOBS="${BENCH_STEADY_JOBS:-1000}"
readonly STEADY_SECONDS="${BENCH_STEADY_SECONDS:-20}"
readonly WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-2}"
readonly CONNECTIONS="${BENCH_CONNECTIONS:-32}"
readonly LEAD_SECONDS="${BENCH_LEAD_SECONDS:-0}"
readonly OVERLAP="${BENCH_OVERLAP:-allow}"
readonly STARTUP_DEADLINE_SECONDS=30
readonly TARGET_BURST_RPS=10000
readonly TARGET_P99_MS=50

BIN=""
TMP=""
PG_URL=""
PG_STATE=""
LOAD_START=""
LOAD_PID=""  # the load generator, while it runs
declare -a NODE_PIDS=() NODE_URLS=()
# Summary rows, one per cluster size.
declare -a ROWS=()
FAILED=0
MISSED=0

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

load_average() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

# --- setup -------------------------------------------------------------------

ensure_tools() {
  command -v python3 >/dev/null 2>&1 || die "python3 is missing"
  command -v curl >/dev/null 2>&1 || die "curl is missing"
  [[ -x "$PSQL" ]] || die "$PSQL is missing (PostgreSQL 15: scripts/install-deps.sh test)"
}

# Sets BIN. JOBSCHED_BINARY lets a caller benchmark a prebuilt binary without
# touching build/ (which others may be rebuilding at the same time).
resolve_binary() {
  if [[ -n "${JOBSCHED_BINARY:-}" ]]; then
    BIN="$JOBSCHED_BINARY"
    [[ -x "$BIN" ]] || die "JOBSCHED_BINARY=$BIN is not an executable file"
    log "using prebuilt binary $BIN"
    return
  fi
  log "building the release binary (cmake --preset release)"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build build --target jobsched) >&2
  BIN="$ROOT/build/jobsched"
}

# Stops one node by PID: SIGTERM, then SIGKILL if it is still there after 15 s.
stop_node() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "node pid $pid did not stop within 15 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do stop_node "$pid"; done
  NODE_PIDS=()
  NODE_URLS=()
}

# Runs on every exit path: stops the nodes and PostgreSQL by PID and removes the
# temporary directory.
cleanup() {
  local status=$?
  if [[ -n "$LOAD_PID" ]]; then
    kill -TERM "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
  fi
  stop_nodes
  if [[ -n "$PG_STATE" ]]; then
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 && -f "$PG_STATE/data_dir" ]]; then
      cp "$(cat "$PG_STATE/data_dir")/server.log" "$TMP/postgresql.log" 2>/dev/null || true
    fi
    "$PG_SERVER" stop "$PG_STATE" || log "pg_server.sh stop failed"
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

start_postgres() {
  PG_STATE="$TMP/pg"
  PG_URL="$("$PG_SERVER" start "$PG_STATE")" || die "pg_server.sh start failed"
  log "PostgreSQL at $PG_URL (pid $(cat "$PG_STATE/pid")) ${PG_SERVER_OPTIONS:+with $PG_SERVER_OPTIONS}"
  log "PostgreSQL settings: $("$PSQL" --no-psqlrc -qtA "$PG_URL" -c "SELECT string_agg(name || '=' || setting, ' ' \
    ORDER BY name) FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'shared_buffers', \
    'wal_buffers', 'commit_delay', 'max_connections', 'wal_level', 'full_page_writes')")"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_node CLUSTER_SIZE INDEX DB_URL: one node on a free port; returns once
# /readyz answers 200. The port is picked here, not with --listen :0, because at
# --log-level warn the node does not log the port it got.
start_node() {
  local size=$1 index=$2 db_url=$3 port log_file
  port=$(free_port)
  log_file="$TMP/cluster-$size-node-$index.log"
  local -a extra=()
  [[ -n "${BENCH_MAX_CONCURRENT_RUNS:-}" ]] && extra+=(--max-concurrent-runs "$BENCH_MAX_CONCURRENT_RUNS")
  # shellcheck disable=SC2206  # word splitting of the extra flags is intended
  [[ -n "${BENCH_NODE_ARGS:-}" ]] && extra+=($BENCH_NODE_ARGS)
  # --rate-limit 0: the load generator is one client creating far more jobs than a client may;
  # --max-jobs-per-namespace 0: more jobs in one namespace than the default quota.
  "$BIN" serve --listen "127.0.0.1:$port" --db "$db_url" --access-log off --log-level warn --rate-limit 0 \
    --max-jobs-per-namespace 0 \
    ${extra[@]+"${extra[@]}"} >"$log_file" 2>&1 &
  local pid=$!
  NODE_PIDS+=("$pid")
  NODE_URLS+=("http://127.0.0.1:$port")
  local deadline=$((SECONDS + STARTUP_DEADLINE_SECONDS))
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log_file" >&2; die "node $index exited during startup"; }
    ((SECONDS < deadline)) || die "node $index was not ready within ${STARTUP_DEADLINE_SECONDS}s"
    sleep 0.1
  done
  log "node $index: pid $pid on http://127.0.0.1:$port"
}

# --- one cluster size --------------------------------------------------------

# run_cluster N: a fresh database, N nodes (started one after the other, so the
# first applies the migrations alone), the scenarios, the nodes stopped again.
run_cluster() {
  local count=$1 database="bench_${1}_nodes" db_url i
  echo >&2
  log "=== $count node(s); load average $(load_average)"
  "$PSQL" --no-psqlrc -q "$PG_URL" -c "CREATE DATABASE $database" >/dev/null
  db_url="${PG_URL%/*}/$database"
  for i in $(seq "$count"); do start_node "$count" "$i" "$db_url"; done

  local -a args=(--db "$db_url" --postmaster-pid "$(cat "$PG_STATE/pid")" --mode "$MODE" --jobs "$JOBS"
                 --steady-jobs "$STEADY_JOBS" --steady-seconds "$STEADY_SECONDS"
                 --warmup-seconds "$WARMUP_SECONDS" --connections "$CONNECTIONS"
                 --lead-seconds "$LEAD_SECONDS" --overlap "$OVERLAP")
  for i in "${!NODE_URLS[@]}"; do args+=(--node "${NODE_URLS[$i]}" --node-pid "${NODE_PIDS[$i]}"); done
  local load_before result status=0
  load_before=$(load_average)
  # In the background and waited for, so that a signal reaches cleanup at once.
  python3 "$SCRIPT_DIR/cluster_bench.py" "${args[@]}" >"$TMP/result" &
  LOAD_PID=$!
  wait "$LOAD_PID" || status=$?
  LOAD_PID=""
  result=$(cat "$TMP/result")
  for i in "${!NODE_PIDS[@]}"; do
    kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || { log "node $((i + 1)) died during the run"; status=1; }
  done
  stop_nodes
  report_runs_table "$db_url"
  [[ "${BENCH_STATEMENTS:-0}" == 1 ]] && report_statements "$db_url"
  report_node_logs "$count"
  ((status == 0)) || die "the $count-node run did not complete (see above)"
  ROWS+=("$result load=${load_before%% *}->$(load_average | cut -d' ' -f1)")
}

# report_statements DB_URL: the statements that took the most of PostgreSQL's time in this
# cluster size's database, from pg_stat_statements (BENCH_STATEMENTS=1; the server must preload
# it, see BENCH_STATEMENTS above). Nested statements (triggers) count too with track=all.
report_statements() {
  log "pg_stat_statements, the 15 statements with the most execution time:"
  "$PSQL" --no-psqlrc -q "$1" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
    -c "SELECT calls, round(total_exec_time) AS ms, rows, \
          left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query \
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
        ORDER BY total_exec_time DESC LIMIT 15" >&2 || log "pg_stat_statements unavailable"
}

# report_runs_table DB_URL: row writes to the runs table over the whole run, read once the
# nodes have stopped (a backend reports its counts when it ends): updates that were HOT
# (no index touched) against all updates.
report_runs_table() {
  sleep 1  # the nodes' backends end, and report, a moment after the nodes
  log "runs table: $("$PSQL" --no-psqlrc -qtA "$1" -c "SELECT 'inserted ' || n_tup_ins || ', updated ' \
    || n_tup_upd || ', of them HOT ' || n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'runs'")"
}

# report_node_logs CLUSTER_SIZE: anything a node logged (at warn or above, the only
# levels it logs, shutdown included) is worth a look.
report_node_logs() {
  local file lines
  for file in "$TMP"/cluster-"$1"-node-*.log; do
    [[ -s "$file" ]] || continue
    lines=$(wc -l <"$file")
    log "$(basename "$file") has $lines warning/error lines; last ones:"
    tail -n 5 "$file" >&2
  done
}

# --- report ------------------------------------------------------------------

# field "BENCH_RESULT k=v ..." KEY -> v ("-" when absent)
field() {
  local value
  value=$(tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p")
  echo "${value:--}"
}

table_row() {
  printf '%6s | %10s | %7s | %7s | %7s | %10s | %4s | %5s | %7s | %6s | %5s | %-12s | %s\n' "$@"
}

# verdict CONDITION -> met or MISSED (sets MISSED); call it directly, not in $(...),
# so that MISSED survives: it leaves its answer in VERDICT.
verdict() {
  if (($1)); then VERDICT=met; else VERDICT=MISSED; MISSED=1; fi
}

print_summary() {
  local row nodes rps p50 p99 max metric_p99 dup missing rerun bad unexpected load
  local burst_target p99_target dup_target VERDICT
  echo
  echo "=== jobsched cluster benchmark (PostgreSQL), $(nproc) cores shared by PostgreSQL, the nodes and the load generator"
  echo "burst: $JOBS jobs due at one instant; steady: $STEADY_JOBS jobs every 1s for ${STEADY_SECONDS}s" \
    "(lateness after the first ${WARMUP_SECONDS}s); noop tasks, overlap $OVERLAP"
  echo "load average (1/5/15 min): at start $LOAD_START; at end $(load_average)"
  echo
  table_row nodes "burst r/s" "p50 ms" "p99 ms" "max ms" "launch p99" dup rerun missing failed extra \
    "load 1-min" "targets: >=10k r/s (1 node), p99 <= 50 ms, 0 dup"
  table_row ------ ---------- ------- ------- ------- ---------- ---- ----- ------- ------ ----- \
    ------------ -----------------------------------------------
  for row in "${ROWS[@]}"; do
    nodes=$(field "$row" nodes)
    rps=$(field "$row" burst_rps)
    p50=$(field "$row" p50_ms)
    p99=$(field "$row" p99_ms)
    max=$(field "$row" max_ms)
    metric_p99=$(field "$row" metric_p99_le_ms)
    dup=$(field "$row" duplicates)
    missing=$(field "$row" missing)
    rerun=$(field "$row" reexecuted)
    bad=$(field "$row" not_succeeded)
    load=$(field "$row" load)
    burst_target="-"
    if [[ "$nodes" == 1 && "$rps" != "-" ]]; then
      verdict $((rps >= TARGET_BURST_RPS))
      burst_target="burst $VERDICT"
    fi
    p99_target="-"
    if [[ "$p99" != "-" ]]; then
      verdict $((p99 <= TARGET_P99_MS))
      p99_target="p99 $VERDICT"
    fi
    if [[ "$dup" == 0 ]]; then dup_target="dup met"; else dup_target="dup MISSED"; fi
    # Runs that should not exist at all: off the steady grid, or of the inactive pilot jobs.
    unexpected=$(($(field "$row" pilot_runs) + $(field "$row" off_grid | sed 's/^-$/0/')))
    if [[ "$dup" != 0 || "$rerun" != 0 || "$bad" != 0 || "$unexpected" != 0 ]] ||
       [[ "$missing" != "-" && "$missing" != 0 ]]; then
      FAILED=1
    fi
    [[ "$metric_p99" == "-" ]] || metric_p99="<= $metric_p99"
    table_row "$nodes" "$rps" "$p50" "$p99" "$max" "$metric_p99" "$dup" "$rerun" "$missing" "$bad" \
      "$unexpected" "$load" "$burst_target, $p99_target, $dup_target"
  done
  echo
  echo "p50/p99/max: steady lateness, started_at - (scheduled_for + jitter_ms) from the runs table;"
  echo "  started_at is when the node asked to claim the run (see the header of this script)."
  echo "launch p99: the bucket of jobsched_run_start_lag_seconds holding the steady p99, observed"
  echo "  at launch, after the claim committed. dup: (job, scheduled_for) pairs with more than one run;"
  echo "  rerun: runs executed more than once; missing: steady occurrences that never fired;"
  echo "  failed: runs that did not succeed; extra: runs that should not exist (off the steady grid,"
  echo "  or of the inactive pilot jobs)."
  if ((FAILED)); then
    echo "result: FAILED: a correctness check failed"
    return 1
  fi
  if ((MISSED)); then
    echo "result: correct, but a performance target was missed"
    return 2
  fi
  echo "result: all checks and targets met"
}

main() {
  ensure_tools
  resolve_binary
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-cluster-bench.XXXXXX")"
  LOAD_START=$(load_average)
  log "$(nproc) cores, load average $LOAD_START; binary $BIN"
  start_postgres
  local count
  for count in $NODE_COUNTS; do run_cluster "$count"; done
  local status=0
  print_summary || status=$?
  exit "$status"
}

main "$@"
