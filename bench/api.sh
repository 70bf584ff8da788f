#!/usr/bin/env bash
# HTTP API benchmark for jobsched.
#
# Starts the service on a free port with a fresh SQLite database, seeds jobs,
# then runs wrk against GET /jobs/{id}, GET /jobs?limit=100 and POST /jobs and
# prints a summary table. Exits non-zero if any scenario saw an error (socket
# error or HTTP status >= 400) or the service died.
#
# Usage: bash bench/api.sh
# Environment:
#   JOBSCHED_BINARY     use this binary instead of building build/jobsched
#   BENCH_DURATION      wrk -d per scenario          (default 10s)
#   BENCH_THREADS       wrk -t                       (default 1)
#   BENCH_CONNECTIONS   wrk -c                       (default 64)
#   BENCH_SEED_COUNT    jobs created before the runs (default 10000)
#   BENCH_KEEP_TMP=1    keep the temporary directory (database, logs, wrk output)
#   BENCH_DB            --db for the service (default: a fresh SQLite file);
#                       e.g. an empty PostgreSQL database's postgresql:// URL
#   BENCH_ROUNDS        rounds of the reads against nginx (default 3): each round
#                       runs jobsched and then nginx, and the summary gives the
#                       median of each and of their ratios (runs swing by 30% here)
#   BENCH_NGINX=0       skip the nginx reference
#
# The reference (issue #19): nginx at its fastest on the same machine in the
# same run, answering the same bytes: `return 200 '<job>'` for GET /jobs/{id}
# (one job's JSON as jobsched answered it) and the 100-job list page as a file
# with sendfile and open_file_cache for GET /jobs?limit=100, access log off,
# one worker per core.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR ROOT
readonly WRK_SCRIPTS="$SCRIPT_DIR/wrk"

readonly DURATION="${BENCH_DURATION:-10s}"
readonly THREADS="${BENCH_THREADS:-1}"
readonly CONNECTIONS="${BENCH_CONNECTIONS:-64}"
readonly SEED_COUNT="${BENCH_SEED_COUNT:-10000}"
# Seeding ends itself once every job is created; this only bounds a stuck run.
readonly SEED_TIME_LIMIT=120s
readonly STARTUP_DEADLINE_SECONDS=15

BIN=""
TMP=""
SERVICE_PID=""
NGINX_PID=""
NGINX_URL=""
BASE_URL=""
SEED_SECONDS=""
SEED_RATE=""
LOAD_START=""
# Summary rows, filled by run_scenario.
declare -a ROW_NAMES=() ROW_RPS=() ROW_P50=() ROW_P99=() ROW_ERRORS=() ROW_TARGETS=()

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- setup -------------------------------------------------------------------

ensure_tools() {
  if ! command -v wrk >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
    log "wrk or curl missing; running scripts/install-deps.sh test"
    "$ROOT/scripts/install-deps.sh" test
  fi
  command -v wrk >/dev/null 2>&1 || die "wrk is still missing"
  command -v curl >/dev/null 2>&1 || die "curl is still missing"
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
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build build --target jobsched)
  BIN="$ROOT/build/jobsched"
}

# Runs on every exit path: stops the service by PID, shows its log if anything
# went wrong, and removes the temporary directory.
cleanup() {
  local status=$?
  if [[ -n "$NGINX_PID" ]]; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    # Stop() grants in-flight requests a 5 s grace period; wait a bit longer.
    for _ in $(seq 100); do
      kill -0 "$SERVICE_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
      log "service did not stop within 10 s of SIGTERM; killing it"
      kill -KILL "$SERVICE_PID" 2>/dev/null || true
    fi
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if [[ $status -ne 0 && -f "$TMP/service.log" ]]; then
      log "service log (last 40 lines):"
      tail -n 40 "$TMP/service.log" >&2 || true
    fi
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then
      log "kept $TMP"
    else
      rm -rf "$TMP"
    fi
  fi
  exit "$status"
}

# Starts the service and sets SERVICE_PID and BASE_URL. Port 0 lets the kernel
# pick a free port; the service reports it only in its info-level startup line,
# hence --log-level info with --access-log off (no line per request).
start_service() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-bench.XXXXXX")"
  # --rate-limit 0: the benchmark is one client sending far more than a client may;
  # --max-jobs-per-namespace 0: it creates far more jobs in one namespace than the default quota.
  "$BIN" serve --listen 127.0.0.1:0 --db "${BENCH_DB:-sqlite:$TMP/bench.db}" --log-level info --access-log off --rate-limit 0 \
    --max-jobs-per-namespace 0 \
    >"$TMP/service.log" 2>&1 &
  SERVICE_PID=$!

  local deadline=$((SECONDS + STARTUP_DEADLINE_SECONDS)) port=""
  while [[ -z "$port" ]]; do
    kill -0 "$SERVICE_PID" 2>/dev/null || die "service exited during startup"
    ((SECONDS < deadline)) || die "service did not report its port within ${STARTUP_DEADLINE_SECONDS}s"
    sleep 0.1
    port="$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$TMP/service.log" | head -n 1)"
  done
  BASE_URL="http://127.0.0.1:$port"
  curl -fsS "$BASE_URL/healthz" >/dev/null || die "GET /healthz failed"
  log "service pid $SERVICE_PID listening on $BASE_URL (db $TMP/bench.db)"
}

require_service_alive() {
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
    local status=0
    wait "$SERVICE_PID" 2>/dev/null || status=$?
    SERVICE_PID=""  # already reaped; nothing for cleanup to stop
    if ((status > 128)); then
      die "the service died (signal $((status - 128))) during: $1"
    fi
    die "the service exited with status $status during: $1"
  fi
}

# --- seeding -----------------------------------------------------------------

# Creates SEED_COUNT jobs with one wrk thread (seed.lua's quota is per thread)
# and then checks through the API that exactly ids 1..SEED_COUNT exist, which
# the GET /jobs/{id} scenario relies on.
seed_jobs() {
  log "seeding $SEED_COUNT jobs"
  local started ended out="$TMP/seed.out"
  started=$(date +%s.%N)
  if ! wrk -t1 -c"$CONNECTIONS" -d"$SEED_TIME_LIMIT" -s "$WRK_SCRIPTS/seed.lua" "$BASE_URL/jobs" \
      -- "$SEED_COUNT" >"$out" 2>&1; then
    cat "$out" >&2
    die "seeding failed"
  fi
  ended=$(date +%s.%N)
  grep -q '^SEED_RESULT created=' "$out" || { cat "$out" >&2; die "seeding did not finish"; }
  require_service_alive "seeding"
  SEED_SECONDS=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
  SEED_RATE=$(awk -v n="$SEED_COUNT" -v a="$started" -v b="$ended" 'BEGIN { printf "%.0f", n / (b - a) }')
  log "$(grep '^SEED_RESULT' "$out") in ${SEED_SECONDS}s (~${SEED_RATE} creates/s incl. wrk start-up)"
  verify_seeded_jobs
}

# Pages through GET /jobs?limit=1000 following the Link rel="next" header and
# checks the count and the last id.
verify_seeded_jobs() {
  local path="/jobs?limit=1000" count=0 last_id=0 page_count
  local headers="$TMP/page.headers" body="$TMP/page.json"
  while [[ -n "$path" ]]; do
    curl -fsS -D "$headers" -o "$body" "$BASE_URL$path" || die "GET $path failed"
    # Every job object starts with {"id":N (tasks are null for seeded jobs).
    page_count=$(grep -o '{"id":[0-9]*' "$body" | wc -l)
    count=$((count + page_count))
    if ((page_count > 0)); then
      last_id=$(grep -o '{"id":[0-9]*' "$body" | tail -n 1 | cut -d: -f2)
    fi
    path=$(tr -d '\r' <"$headers" | sed -n 's|^[Ll]ink: *<\([^>]*\)>; *rel="next".*|\1|p')
  done
  [[ $count -eq $SEED_COUNT && $last_id -eq $SEED_COUNT ]] ||
    die "expected $SEED_COUNT jobs with ids 1..$SEED_COUNT, the API lists $count (last id $last_id)"
  log "verified: GET /jobs lists $count jobs, ids 1..$last_id"
}

# --- scenarios ---------------------------------------------------------------

# run_scenario LABEL TARGET SCRIPT PATH [SCRIPT ARGS...]
# Runs wrk with the given Lua script, shows its full output (with the latency
# distribution) and records the BENCH_RESULT line printed by common.lua's done().
run_scenario() {
  local label="$1" target="$2" script="$3" path="$4"
  shift 4
  local base="${SCENARIO_URL:-$BASE_URL}"
  local out="$TMP/wrk-$(tr -c 'a-zA-Z0-9' '_' <<<"$label").out"
  echo
  echo "=== $label  (wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency)"
  if ! wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WRK_SCRIPTS/$script" \
      "$base$path" -- "$@" >"$out" 2>&1; then
    cat "$out"
    die "wrk failed for $label"
  fi
  grep -v '^BENCH_RESULT' "$out"
  [[ -n "${SCENARIO_URL:-}" ]] || require_service_alive "$label"

  local result
  result=$(grep '^BENCH_RESULT' "$out") || die "no BENCH_RESULT line from $script"
  ROW_NAMES+=("$label")
  ROW_TARGETS+=("$target")
  ROW_RPS+=("$(result_field "$result" rps)")
  ROW_P50+=("$(result_field "$result" p50_ms)")
  ROW_P99+=("$(result_field "$result" p99_ms)")
  ROW_ERRORS+=("$(result_field "$result" errors)")
}

# result_field "BENCH_RESULT k=v ..." KEY -> v
result_field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# --- report ------------------------------------------------------------------

print_summary() {
  local i failed=0 log_problems
  echo
  echo "=== Summary"
  echo "cores: $(nproc)   wrk: -t$THREADS -c$CONNECTIONS -d$DURATION --latency   seeded: $SEED_COUNT jobs" \
    "(${SEED_SECONDS}s, ~${SEED_RATE}/s)"
  echo "load average: start $LOAD_START; end $(load_average)"
  echo
  printf '%-22s | %10s | %8s | %8s | %6s | %s\n' endpoint "req/s" "p50 ms" "p99 ms" errors "issue target"
  printf '%s\n' "-----------------------+------------+----------+----------+--------+---------------"
  for i in "${!ROW_NAMES[@]}"; do
    printf '%-22s | %10s | %8s | %8s | %6s | %s\n' "${ROW_NAMES[$i]}" "${ROW_RPS[$i]}" \
      "${ROW_P50[$i]}" "${ROW_P99[$i]}" "${ROW_ERRORS[$i]}" "${ROW_TARGETS[$i]}"
    ((ROW_ERRORS[i] == 0)) || failed=1
  done
  # Anything the service logged at warn or above during the runs is worth a look.
  log_problems=$(grep -cE '\[(warning|error|critical)\]' "$TMP/service.log" || true)
  if ((log_problems > 0)); then
    echo
    echo "service logged $log_problems warning/error lines; last ones:"
    grep -E '\[(warning|error|critical)\]' "$TMP/service.log" | tail -n 10
  fi
  if ((failed)); then
    echo
    echo "FAIL: some scenarios had errors"
    return 1
  fi
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# --- the nginx reference -------------------------------------------------------

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Saves what jobsched answers for one job and for one list page, and starts
# nginx answering the same bodies at its fastest. Sets NGINX_PID and NGINX_URL.
start_nginx() {
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || die "nginx is missing (scripts/install-deps.sh test)"
  local nginx dir="$TMP/nginx" port job
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$dir/temp"
  curl -fsS -o "$dir/job.json" "$BASE_URL/jobs/1" || die "GET /jobs/1 failed"
  curl -fsS -o "$dir/list.json" "$BASE_URL/jobs?limit=100" || die "GET /jobs?limit=100 failed"
  job=$(cat "$dir/job.json")
  # In nginx's single-quoted strings only ' and \ need escaping; `$` would start a variable.
  [[ "$job" != *'$'* ]] || die "the job's JSON holds a \$, which nginx's return would read as a variable"
  job=${job//\\/\\\\}
  job=${job//\'/\\\'}
  port=$(free_port)
  cat >"$dir/nginx.conf" <<CONF
$( ((EUID == 0)) && echo "user root;")
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  open_file_cache max=16 inactive=60s;
  server {
    listen 127.0.0.1:$port;
    location ~ ^/jobs/[0-9]+\$ { default_type application/json; return 200 '$job'; }
    location = /jobs { default_type application/json; alias $dir/list.json; }
  }
}
CONF
  "$nginx" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/nginx.out" 2>&1 &
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port"
  for _ in $(seq 50); do
    curl -fsS -o /dev/null "$NGINX_URL/jobs/1" 2>/dev/null && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$dir/nginx.out" "$dir/error.log" >&2 2>/dev/null; die "nginx exited"; }
    sleep 0.1
  done
  cmp -s <(curl -fsS "$NGINX_URL/jobs/7") "$dir/job.json" || die "nginx does not answer the job's bytes"
  cmp -s <(curl -fsS "$NGINX_URL/jobs?limit=100") "$dir/list.json" || die "nginx does not answer the list's bytes"
  log "nginx pid $NGINX_PID on $NGINX_URL: job $(wc -c <"$dir/job.json") bytes, list $(wc -c <"$dir/list.json") bytes"
}

# Alternates jobsched and nginx on both reads, BENCH_ROUNDS times.
compare_with_nginx() {
  local round
  for round in $(seq "${BENCH_ROUNDS:-3}"); do
    log "round $round of ${BENCH_ROUNDS:-3} against nginx"
    run_scenario "GET /jobs/{id}" ">= 0.8x nginx, p99 <= 2 ms" get_job.lua "/jobs/1" "$SEED_COUNT"
    SCENARIO_URL=$NGINX_URL run_scenario "nginx GET /jobs/{id}" "reference" get_job.lua "/jobs/1" "$SEED_COUNT"
    run_scenario "GET /jobs?limit=100" ">= 0.5x nginx" list_jobs.lua "/jobs?limit=100" "$SEED_COUNT"
    SCENARIO_URL=$NGINX_URL run_scenario "nginx GET /jobs?limit=100" "reference" list_jobs.lua "/jobs?limit=100" \
      "$SEED_COUNT"
  done
}

# The medians over the rounds of each row's req/s, and of jobsched / nginx per round.
print_ratios() {
  local name
  echo
  echo "=== Against nginx (medians of ${BENCH_ROUNDS:-3} alternating rounds)"
  for name in "GET /jobs/{id}" "GET /jobs?limit=100"; do
    python3 - "$name" "${ROW_NAMES[@]}" -- "${ROW_RPS[@]}" <<'PY'
import statistics, sys
name = sys.argv[1]
split = sys.argv.index("--")
names, rps = sys.argv[2:split], [float(value) for value in sys.argv[split + 1:]]
ours = [r for n, r in zip(names, rps) if n == name]
theirs = [r for n, r in zip(names, rps) if n == "nginx " + name]
ratios = [a / b for a, b in zip(ours, theirs) if b > 0]
print(f"{name:22} jobsched {statistics.median(ours):10.0f} req/s   nginx {statistics.median(theirs):10.0f} req/s"
      f"   ratio {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
PY
  done
}

main() {
  ensure_tools
  resolve_binary
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  LOAD_START=$(load_average)
  start_service
  seed_jobs
  if [[ "${BENCH_NGINX:-1}" == 0 ]]; then
    run_scenario "GET /jobs/{id}" ">= 50,000 req/s, 0 errors" get_job.lua "/jobs/1" "$SEED_COUNT"
    run_scenario "GET /jobs?limit=100" "-" list_jobs.lua "/jobs?limit=100" "$SEED_COUNT"
  else
    start_nginx
    compare_with_nginx
  fi
  # Last, so the read scenarios see exactly the seeded rows.
  run_scenario "POST /jobs" ">= 30,000 durable creates/s, 0 errors" create_job.lua "/jobs"
  print_summary
  [[ "${BENCH_NGINX:-1}" == 0 ]] || print_ratios
}

main "$@"
