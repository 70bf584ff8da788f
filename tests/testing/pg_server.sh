#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests.
#
#   pg_server.sh start STATE_DIR   initdb's a fresh cluster in a new temporary directory, starts it on
#                                  127.0.0.1 (a free port) and on a unix socket in that directory,
#                                  creates the database `jobsched_test`, and prints its URL.
#   pg_server.sh stop STATE_DIR    stops that server (by its PID, immediate shutdown) and removes its directory.
#   pg_server.sh suspend STATE_DIR stops that server (fast shutdown) but keeps its data: an outage.
#   pg_server.sh resume STATE_DIR  starts it again on the same port, with the same data.
#
# STATE_DIR (created if missing) remembers the server between the two calls:
#   url       postgresql://jobsched@127.0.0.1:PORT/jobsched_test (tests read it: JOBSCHED_TEST_PG_DSN_FILE)
#   pid       the postmaster's PID
#   data_dir  the temporary directory holding the cluster, its socket and its log
#
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (runuser);
# otherwise as the caller. It never touches a PostgreSQL already running on the machine. fsync
# stays on, as in production. Authentication is `trust`, for loopback and the socket only.
#
# PG_SERVER_OPTIONS (optional) adds server settings to `start` and `resume`, as postgres
# command-line options: PG_SERVER_OPTIONS="-c shared_buffers=256MB -c wal_buffers=16MB".
# They come after this script's own, so they win. bench/cluster.sh uses it; tests do not.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DATABASE=jobsched_test
SUPERUSER=jobsched
START_ATTEMPTS=5

usage() {
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
state_dir=$2

# Runs a command as the server's user: `postgres` when we are root, else ourselves.
as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Stops the server recorded in STATE_DIR, if any, and removes its data directory.
stop_server() {
  if [[ -f "$state_dir/pid" ]]; then
    local pid
    pid=$(cat "$state_dir/pid")
    # SIGQUIT is PostgreSQL's "immediate" shutdown: no final checkpoint, which
    # would only spend seconds flushing a cluster that is deleted next.
    if kill -QUIT "$pid" 2>/dev/null; then
      for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      if kill -0 "$pid" 2>/dev/null; then
        echo "pg_server: PostgreSQL (pid $pid) ignored SIGQUIT for 15 s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
      fi
    fi
    rm -f "$state_dir/pid"
  fi
  if [[ -f "$state_dir/data_dir" ]]; then
    local data_dir
    data_dir=$(cat "$state_dir/data_dir")
    # Only ever remove what this script created.
    if [[ "$data_dir" == */jobsched-pg-* && -d "$data_dir" ]]; then rm -rf "$data_dir"; fi
    rm -f "$state_dir/data_dir"
  fi
  rm -f "$state_dir/url"
}

# Starts the cluster in DATA_DIR on PORT; fails when it cannot.
launch() {
  local data_dir=$1 port=$2
  as_server_user "$PG_BIN/pg_ctl" start --pgdata="$data_dir/cluster" --wait --timeout=60 \
    --log="$data_dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data_dir/socket -c max_connections=300 ${PG_SERVER_OPTIONS:-}" \
    >/dev/null
}

suspend_server() {
  local data_dir
  data_dir=$(cat "$state_dir/data_dir")
  as_server_user "$PG_BIN/pg_ctl" stop --pgdata="$data_dir/cluster" --mode=fast --wait --timeout=60 >/dev/null
  rm -f "$state_dir/pid"
}

resume_server() {
  local data_dir port
  data_dir=$(cat "$state_dir/data_dir")
  port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$state_dir/url")
  cd "$data_dir"
  launch "$data_dir" "$port" || { tail -n 5 "$data_dir/server.log" >&2; exit 1; }
  head -n 1 "$data_dir/cluster/postmaster.pid" >"$state_dir/pid"
}

start_server() {
  mkdir -p "$state_dir"
  stop_server  # a server left over by an interrupted run
  local data_dir
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/jobsched-pg-XXXXXX")
  echo "$data_dir" >"$state_dir/data_dir"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$data_dir"; fi
  mkdir -p "$data_dir/cluster" "$data_dir/socket" && chmod 700 "$data_dir/cluster"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$data_dir/cluster" "$data_dir/socket"; fi

  # The server's user may not be allowed into the caller's working directory.
  cd "$data_dir"
  as_server_user "$PG_BIN/initdb" --pgdata="$data_dir/cluster" --username="$SUPERUSER" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions >"$data_dir/initdb.log" 2>&1 ||
    { cat "$data_dir/initdb.log" >&2; exit 1; }

  local port="" attempt
  for attempt in $(seq 1 "$START_ATTEMPTS"); do
    port=$(free_port)
    # listen_addresses: loopback only; the socket lives in our directory, never /var/run/postgresql.
    if launch "$data_dir" "$port"; then
      break
    fi
    # Most likely someone took the port between free_port and the bind: try another.
    port=""
    echo "pg_server: start attempt $attempt failed:" >&2
    tail -n 5 "$data_dir/server.log" >&2 || true
  done
  [[ -n "$port" ]] || { echo "pg_server: could not start PostgreSQL" >&2; exit 1; }
  head -n 1 "$data_dir/cluster/postmaster.pid" >"$state_dir/pid"

  as_server_user "$PG_BIN/psql" --no-psqlrc --quiet -h "$data_dir/socket" -p "$port" \
    -U "$SUPERUSER" -d postgres -c "CREATE DATABASE $DATABASE" >/dev/null
  # The tests share this database, each in its own schema that it drops at
  # the end. pg_trgm (the job-name search index of migration 0017) installed
  # by one test's migration would live in its schema and go with it, taking
  # the other schemas' indexes along: install it once, in public, as an
  # operator with several schemas in one database would.
  as_server_user "$PG_BIN/psql" --no-psqlrc --quiet -h "$data_dir/socket" -p "$port" \
    -U "$SUPERUSER" -d "$DATABASE" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public" >/dev/null
  local url="postgresql://$SUPERUSER@127.0.0.1:$port/$DATABASE"
  echo "$url" >"$state_dir/url"
  echo "$url"
}

case "$command" in
  start) start_server ;;
  stop) stop_server ;;
  suspend) suspend_server ;;
  resume) resume_server ;;
  *) usage ;;
esac
