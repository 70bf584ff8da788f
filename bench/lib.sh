# shellcheck shell=bash
# Shared by the benchmarks that start jobsched themselves in a temporary directory (console.sh,
# labels.sh, scale.sh, soak.sh): source "$(dirname "${BASH_SOURCE[0]}")/lib.sh". Sets SCRIPT_DIR
# (bench/) and ROOT (the source tree).

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR ROOT
TMP=""

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# bench_require TOOL...: each on PATH, or exit.
bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bash scripts/install-deps.sh test)"
  done
}

# Sets BIN: $JOBSCHED_BINARY, or build/jobsched built now (cmake --preset release).
bench_binary() {
  if [[ -n "${JOBSCHED_BINARY:-}" ]]; then
    BIN="$JOBSCHED_BINARY"
    [[ -x "$BIN" ]] || die "JOBSCHED_BINARY=$BIN is not an executable file"
    log "using prebuilt $BIN"
  else
    log "building the release binary (cmake --preset release)"
    (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build build --target jobsched) >&2
    BIN="$ROOT/build/jobsched"
  fi
}

bench_cleanup() {
  local status=$?
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  fi
  exit "$status"
}

# bench_tmp NAME: TMP, a new directory removed on exit (kept with BENCH_KEEP_TMP=1).
bench_tmp() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-$1.XXXXXX")"
  trap bench_cleanup EXIT
}

# bench_banner NAME [MORE]: the first lines of a summary: cores, load average, the binary and the
# source tree's commit (MORE after them).
bench_banner() {
  echo "jobsched $1 benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
  echo "binary $BIN (source tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))${2:-}"
}

# Side by side (get_ab.sh, list_ab.sh): ab_start_builds BINARY... starts each build's service on
# its own fresh SQLite file in a new TMP, rate limit and access log off, $BENCH_SERVE_ARGS after,
# and waits until each is ready. Sets AB_PIDS and AB_URLS (same order); all stop on exit.
declare -a AB_PIDS=() AB_URLS=()
ab_cleanup() {
  local pid
  for pid in "${AB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${AB_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -z "$TMP" ]] || rm -rf "$TMP"
}
ab_start_builds() {
  local index binary port
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-ab.XXXXXX")"
  trap ab_cleanup EXIT
  for index in $(seq 0 $(($# - 1))); do
    binary="${*:index+1:1}"
    [[ -x "$binary" ]] || die "$binary is not an executable file"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    mkdir -p "$TMP/$index"
    # shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of flags
    "$binary" serve --listen "127.0.0.1:$port" --db "sqlite:$TMP/$index/db.sqlite" --rate-limit 0 \
      --access-log off ${BENCH_SERVE_ARGS:-} >"$TMP/$index/service.log" 2>&1 &
    AB_PIDS+=("$!")
    AB_URLS+=("http://127.0.0.1:$port")
    for _ in $(seq 200); do curl -fs "${AB_URLS[index]}/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
    curl -fs "${AB_URLS[index]}/readyz" >/dev/null || die "$binary did not become ready"
  done
}
