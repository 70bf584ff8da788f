#!/usr/bin/env python3
"""What bench/soak.py watches: the SQLite files (or PostgreSQL's table and index sizes), the runs
table's lateness, and the service's metrics and WAL log lines. Standard library only (psql for
PostgreSQL)."""

import os
import re
import sqlite3
import subprocess
import threading

from soak_rig import MIB, Client, SoakError

PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
FILE_SAMPLE_INTERVAL_S = 0.1


class SqliteWatch:
    """The database files (largest WAL seen, sampled every 100 ms) and the runs table."""

    def __init__(self, path, stop):
        self.path, self.stop = path, stop
        self._lock = threading.Lock()
        self._largest_wal = 0
        self.largest_wal_ever = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    @staticmethod
    def size(path):
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    def wal_bytes(self):
        return self.size(self.path + "-wal")

    def _run(self):
        while not self.stop.wait(FILE_SAMPLE_INTERVAL_S):
            wal = self.wal_bytes()
            with self._lock:
                self._largest_wal = max(self._largest_wal, wal)
                self.largest_wal_ever = max(self.largest_wal_ever, wal)

    def take_largest_wal(self):
        with self._lock:
            largest, self._largest_wal = self._largest_wal, self.wal_bytes()
        return max(largest, self.wal_bytes())

    def lateness(self, from_ms, until_ms):
        """started_at - due of the scheduled runs due in [from_ms, until_ms), in ms."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            rows = connection.execute(
                "SELECT started_at - scheduled_for - jitter_ms FROM runs WHERE trigger = 'schedule' "
                "AND scheduled_for >= ? AND scheduled_for < ? AND started_at IS NOT NULL",
                (from_ms, until_ms)).fetchall()
        finally:
            connection.close()
        return [row[0] for row in rows]

    def columns(self):
        return f"{'wal MiB':>8} {'shm KiB':>8}"

    def describe(self):
        return f"{self.take_largest_wal() / MIB:8.1f} {self.size(self.path + '-shm') / 1024:8.0f}"


class PostgresWatch:
    """Table and index sizes and dead rows, from PostgreSQL's statistics."""

    def __init__(self, url):
        self.url = url

    def query(self, sql):
        done = subprocess.run([PSQL, "--no-psqlrc", "-qtA", "--set", "ON_ERROR_STOP=1", self.url, "-c", sql],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SoakError(f"psql: {done.stderr.strip()}")
        return [line.split("|") for line in done.stdout.splitlines() if line]

    def start(self):
        pass

    def lateness(self, from_ms, until_ms):
        rows = self.query("SELECT started_at - scheduled_for - jitter_ms FROM runs WHERE trigger = 'schedule' "
                          f"AND scheduled_for >= {from_ms} AND scheduled_for < {until_ms} "
                          "AND started_at IS NOT NULL")
        return [int(row[0]) for row in rows]

    def sizes(self):
        row = self.query(
            "SELECT pg_table_size('runs'), pg_indexes_size('runs'), pg_table_size('jobs'), pg_indexes_size('jobs'), "
            "(SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'runs'), "
            "(SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'runs'), "
            "(SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'jobs'), "
            "(SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'runs')")[0]
        return [int(value or 0) for value in row]

    def columns(self):
        return (f"{'runs MiB':>8} {'r.idx MiB':>9} {'jobs MiB':>8} {'j.idx MiB':>9} {'live':>7} {'dead':>7} "
                f"{'j.dead':>6} {'av':>3}")

    def describe(self):
        runs, runs_idx, jobs, jobs_idx, live, dead, jobs_dead, vacuums = self.sizes()
        return (f"{runs / MIB:8.1f} {runs_idx / MIB:9.1f} {jobs / MIB:8.1f} {jobs_idx / MIB:9.1f} {live:7d} "
                f"{dead:7d} {jobs_dead:6d} {vacuums:3d}")


def runs_finished(port):
    status, raw = Client(port).get("/metrics")
    if status != 200:
        return None
    total = 0.0
    for line in raw.decode().splitlines():
        if line.startswith("jobsched_runs_finished_total"):
            total += float(line.rsplit(" ", 1)[1])
    return total


WAL_LINE = re.compile(r"sqlite wal: (\d+) frames \((\d+) bytes\) written in (\d+) commits")
CHECKPOINT_LINE = re.compile(r"largest (\d+) bytes; (\d+) restarts, (\d+) refused, longest (\d+) us")


def wal_written(service):
    """Bytes the store reports it wrote to the WAL so far (its latest `sqlite wal:` line), or None."""
    lines = service.log_lines("sqlite wal:")
    for line in reversed(lines):
        match = WAL_LINE.search(line)
        if match:
            return int(match.group(2)), int(match.group(3))
    return None


# --- the soak -------------------------------------------------------------------------
