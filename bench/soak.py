#!/usr/bin/env python3
"""Soak load for bench/soak.sh: one `jobsched serve`, kept busy for minutes, watched as it goes.

It starts the service (its own process, so it can watch its files and memory), then:

  firing  FIRE_RATE noop jobs `every 1s`, phases spread evenly over the second, all ending
          (end_at) after DURATION seconds: FIRE_RATE runs/s, which then stop by themselves.
  reads   READ_RATE requests/s, paced over several keep-alive connections, alternating
          GET /jobs/{id} and GET /jobs/{id}/runs?limit=20, through the firing and the cool-down.
  probe   one PATCH /jobs/{id} every 100 ms on a job of its own (inactive): how long a write
          waits, e.g. behind a checkpoint.

Every SAMPLE seconds it prints one line: on SQLite the WAL's size (the largest seen, sampled
every 100 ms) and the WAL index (-shm), on PostgreSQL the runs and jobs tables' and indexes'
sizes and dead rows; the service's RSS; runs finished per second; fire lateness p50/p99/max of
the runs due in the interval (started_at - scheduled_for - jitter_ms, from the runs table); and
the longest read and the longest probe write of the interval. After DURATION the firing stops
and it watches COOLDOWN seconds more (on SQLite: how long until the WAL is back under
journal_size_limit), then stops the service with SIGTERM and reports what it left on disk.

On SQLite it also reads the service's `sqlite wal:` log lines (the store's own count of WAL
frames written, see SqliteWalStats) for WAL bytes per run.

Standard library only; PostgreSQL is read with psql. The report goes to stdout. Exit status:
0 when the soak ran to its end, 1 when it could not (the service died, an API error), 3 when a
resource bound was broken (SQLite: WAL over --wal-limit-mb, or not back under 64 MiB within the
cool-down, or a WAL left behind after SIGTERM larger than that).
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024  # the service's PRAGMA journal_size_limit
MIB = 1024 * 1024
PROBE_INTERVAL_S = 0.1
FILE_SAMPLE_INTERVAL_S = 0.1


class SoakError(Exception):
    """The soak could not go on; the message says why."""


def log(message):
    print(message, flush=True)


def rfc3339_ms(unix_ms):
    instant = datetime.datetime.fromtimestamp(unix_ms / 1000, datetime.timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def fmt_ms(value):
    return "-" if value is None else f"{value:.0f}"


# --- the service ----------------------------------------------------------------

class Service:
    """`jobsched serve` on a free port; its log goes to a file that is also scanned for lines."""

    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.log_path = os.path.join(args.dir, "service.log")
        self.process = None
        self._log_file = None

    def start(self):
        command = [self.args.binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.args.db,
                   "--access-log", "off", "--log-level", "debug", "--rate-limit", "0",
                   "--keep-runs-per-job", str(self.args.keep_runs_per_job),
                   "--prune-interval", self.args.prune_interval, *self.args.node_args.split()]
        log(f"# {' '.join(command)}")
        self._log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SoakError(f"the service exited during start-up:\n{self.log_tail()}")
            try:
                status, _ = Client(self.port).get("/readyz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SoakError("the service was not ready within 30 s")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s=60):
        """SIGTERM, and the seconds it took to exit (SIGKILL after `timeout_s`)."""
        if not self.alive():
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise SoakError(f"the service did not exit within {timeout_s} s of SIGTERM")
        finally:
            self._log_file.close()
        return time.monotonic() - started

    def rss_bytes(self):
        """(RSS, of which file mappings: the binary, its libraries and the WAL index) in bytes, from /proc."""
        fields = {}
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    name, _, value = line.partition(":")
                    if name in ("VmRSS", "RssFile"):
                        fields[name] = int(value.split()[0]) * 1024
        except OSError:
            return None, None
        return fields.get("VmRSS"), fields.get("RssFile")

    def log_lines(self, pattern):
        try:
            with open(self.log_path, errors="replace") as text:
                return [line for line in text if pattern in line]
        except OSError:
            return []

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as text:
                return "".join(text.readlines()[-lines:])
        except OSError:
            return ""


class Client:
    """One keep-alive HTTP connection; not thread-safe."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def request(self, method, path, body=None):
        headers = {}
        if body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                raw = answer.read()
                if answer.will_close:
                    self.connection.close()
                    self.connection = None
                return answer.status, raw
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def get(self, path):
        return self.request("GET", path)


# --- load -----------------------------------------------------------------------

def create_jobs(port, bodies, connections=8):
    """POSTs each body to /jobs; returns the ids. Raises SoakError on any answer but 201."""
    ids = [None] * len(bodies)
    errors = []
    lock = threading.Lock()
    cursor = iter(range(len(bodies)))

    def worker():
        client = Client(port)
        while not errors:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            try:
                status, raw = client.request("POST", "/jobs", bodies[index])
            except OSError as error:
                errors.append(f"POST /jobs: {error!r}")
                return
            if status != 201:
                errors.append(f"POST /jobs answered {status}: {raw[:300]!r}")
                return
            ids[index] = json.loads(raw)["id"]

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SoakError(errors[0])
    return ids


class Latencies:
    """Latencies (ms) of one kind of request since the last take(), and errors."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values = []
        self.errors = 0
        self.first_error = None
        self.worst_ever = 0.0

    def add(self, ms, error=None):
        with self._lock:
            self._values.append(ms)
            self.worst_ever = max(self.worst_ever, ms)
            if error is not None:
                self.errors += 1
                self.first_error = self.first_error or error

    def take(self):
        with self._lock:
            values, self._values = self._values, []
        return values


class Readers:
    """READ_RATE paced GETs over several connections until stopped."""

    def __init__(self, port, rate, job_ids, stop):
        self.port, self.rate, self.job_ids, self.stop = port, rate, job_ids, stop
        self.latencies = Latencies()
        self.threads = []

    def start(self):
        if self.rate <= 0:
            return
        count = max(2, min(16, self.rate // 250))
        for index in range(count):
            thread = threading.Thread(target=self._run, args=(index, count), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _run(self, index, count):
        client = Client(self.port)
        interval = count / self.rate
        random_ids = random.Random(index)
        next_at = time.monotonic() + index * interval / count
        sent = 0
        while not self.stop.is_set():
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at += interval
            if time.monotonic() - next_at > 1.0:  # far behind: do not burst to catch up
                next_at = time.monotonic()
            job = random_ids.choice(self.job_ids)
            path = f"/jobs/{job}" if sent % 2 == 0 else f"/jobs/{job}/runs?limit=20"
            sent += 1
            started = time.monotonic()
            error = None
            try:
                status, raw = client.get(path)
                if status != 200:
                    error = f"GET {path}: {status} {raw[:200]!r}"
            except OSError as failure:
                error = f"GET {path}: {failure!r}"
            if self.stop.is_set():
                error = None  # the service may be stopping: only errors during the soak count
            self.latencies.add((time.monotonic() - started) * 1000, error)


class WriteProbe:
    """A PATCH every 100 ms on a job of its own: the API's write path, timed."""

    def __init__(self, port, job_id, stop):
        self.port, self.job_id, self.stop = port, job_id, stop
        self.latencies = Latencies()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        client = Client(self.port)
        count = 0
        while not self.stop.wait(PROBE_INTERVAL_S):
            count += 1
            started = time.monotonic()
            error = None
            try:
                status, raw = client.request("PATCH", f"/jobs/{self.job_id}", {"name": f"soak-probe-{count}"})
                if status != 200:
                    error = f"PATCH: {status} {raw[:200]!r}"
            except OSError as failure:
                error = f"PATCH: {failure!r}"
            if self.stop.is_set():
                error = None  # the service may be stopping: only errors during the soak count
            self.latencies.add((time.monotonic() - started) * 1000, error)


# --- what is watched ---------------------------------------------------------------

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

def soak(args, service):
    sqlite_path = args.db[len("sqlite:"):] if args.db.startswith("sqlite:") else None
    service.start()
    log(f"# service pid {service.process.pid} on 127.0.0.1:{service.port}; {os.cpu_count()} cores; "
        f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}")

    client = Client(service.port)
    status, raw = client.request("POST", "/jobs", {"name": "soak-probe", "every": "1h", "is_active": False,
                                                   "task": {"type": "noop"}})
    if status != 201:
        raise SoakError(f"creating the probe job answered {status}: {raw[:300]!r}")
    probe_id = json.loads(raw)["id"]

    lead_ms = int(max(5.0, args.fire_rate / 400) * 1000)
    start_ms = int(time.time() * 1000) + lead_ms
    end_ms = start_ms + args.duration * 1000
    # Job n's phase in the second: n/FIRE_RATE (jobs created together fire in id order, as when
    # they are created in one go), or shuffled (jobs created over time fire in no id order).
    phases = [n * 1000 // args.fire_rate for n in range(args.fire_rate)]
    if args.phases == "random":
        random.Random(1).shuffle(phases)
    bodies = [{"name": f"soak-{n}", "every": "1s", "start_at": rfc3339_ms(start_ms + phases[n]),
               "end_at": rfc3339_ms(end_ms), "overlap": "allow", "task": {"type": "noop"}}
              for n in range(args.fire_rate)]
    job_ids = create_jobs(service.port, bodies)
    spare_ms = start_ms - int(time.time() * 1000)
    log(f"# {args.fire_rate} jobs every 1s from {rfc3339_ms(start_ms)} for {args.duration} s "
        f"(created {spare_ms} ms ahead, phases {args.phases}); reads {args.read_rate}/s; samples every {args.sample} s")
    if spare_ms < 0:
        raise SoakError("creating the jobs took longer than the lead; the first occurrences were missed")

    stop = threading.Event()
    watch = SqliteWatch(sqlite_path, stop) if sqlite_path else PostgresWatch(args.db)
    watch.start()
    readers = Readers(service.port, args.read_rate, job_ids, stop)
    probe = WriteProbe(service.port, probe_id, stop)
    time.sleep(max(0.0, (start_ms - time.time() * 1000) / 1000))
    readers.start()
    probe.start()

    header = (f"{'t s':>6} {watch.columns()} {'rss MiB':>8} {'files':>6} {'runs/s':>7} {'late p50':>8} "
              f"{'p99':>5} {'max':>5} {'read p99':>8} {'max':>5} {'write max':>9} {'reads/s':>7}"
              + (f" {'wal KB/run':>10}" if sqlite_path else ""))
    log(header)
    result = {"largest_wal": 0, "late_p99": [], "late_max": 0, "write_max": 0, "read_max": 0, "rss": [],
              "lateness": []}
    previous_finished = runs_finished(service.port) or 0.0
    previous_wal = wal_written(service)
    previous_t = time.monotonic()
    first_finished, first_wal = previous_finished, previous_wal
    cooldown_end = end_ms + args.cooldown * 1000
    wal_under_limit_at = None
    while True:
        now_ms = int(time.time() * 1000)
        if now_ms >= cooldown_end:
            break
        time.sleep(min(args.sample, (cooldown_end - now_ms) / 1000))
        if not service.alive():
            raise SoakError(f"the service died:\n{service.log_tail()}")
        t = time.monotonic()
        now_ms = int(time.time() * 1000)
        elapsed = (now_ms - start_ms) / 1000
        finished = runs_finished(service.port) or previous_finished
        rate = (finished - previous_finished) / (t - previous_t)
        # Runs due in the last interval, leaving 2 s for the latest to start.
        window_until = min(now_ms - 2000, end_ms)
        lateness = watch.lateness(window_until - int(args.sample * 1000), window_until) \
            if window_until > start_ms else []
        reads = readers.latencies.take()
        writes = probe.latencies.take()
        rss, mapped = service.rss_bytes()
        line = (f"{elapsed:6.0f} {watch.describe()} {(rss or 0) / MIB:8.1f} {(mapped or 0) / MIB:6.1f} {rate:7.0f} "
                f"{fmt_ms(percentile(lateness, 0.5)):>8} {fmt_ms(percentile(lateness, 0.99)):>5} "
                f"{fmt_ms(max(lateness) if lateness else None):>5} {fmt_ms(percentile(reads, 0.99)):>8} "
                f"{fmt_ms(max(reads) if reads else None):>5} {fmt_ms(max(writes) if writes else None):>9} "
                f"{len(reads) / (t - previous_t):7.0f}")
        wal_now = wal_written(service) if sqlite_path else None
        if sqlite_path:
            per_run = "-"
            if wal_now and previous_wal and finished > previous_finished:
                per_run = f"{(wal_now[0] - previous_wal[0]) / (finished - previous_finished) / 1000:.1f}"
            line += f" {per_run:>10}"
        log(line)
        if now_ms <= end_ms:
            result["lateness"] += lateness
            if lateness:
                result["late_max"] = max(result["late_max"], max(lateness))
            if elapsed >= args.warmup:
                result["rss"].append(rss or 0)
        result["write_max"] = max(result["write_max"], max(writes) if writes else 0)
        result["read_max"] = max(result["read_max"], max(reads) if reads else 0)
        if sqlite_path and now_ms > end_ms and wal_under_limit_at is None \
                and watch.wal_bytes() <= JOURNAL_SIZE_LIMIT:
            wal_under_limit_at = (now_ms - end_ms) / 1000
        previous_finished, previous_wal, previous_t = finished, wal_now, t

    stop.set()
    last_finished = runs_finished(service.port) or previous_finished
    last_wal = wal_written(service)
    exit_s = service.stop()
    log("")
    log(f"runs finished: {last_finished - first_finished:.0f} in {args.duration} s "
        f"({(last_finished - first_finished) / args.duration:.0f}/s)")
    late = result["lateness"]
    log(f"fire lateness over the whole run: p50 {fmt_ms(percentile(late, 0.5))} ms, "
        f"p99 {fmt_ms(percentile(late, 0.99))} ms, max {fmt_ms(result['late_max'])} ms over {len(late)} runs")
    log(f"longest read {result['read_max']:.0f} ms, longest probe write {result['write_max']:.0f} ms; "
        f"read errors {readers.latencies.errors}, write errors {probe.latencies.errors}")
    for kind in (readers.latencies, probe.latencies):
        if kind.first_error:
            log(f"  first error: {kind.first_error}")
    if result["rss"]:
        rss = result["rss"]
        log(f"RSS after the first {args.warmup} s: {rss[0] / MIB:.1f} MiB, at the end {rss[-1] / MIB:.1f} MiB, "
            f"largest {max(rss) / MIB:.1f} MiB: growth {100 * (rss[-1] - rss[0]) / rss[0]:+.1f}% "
            f"(largest {100 * (max(rss) - rss[0]) / rss[0]:+.1f}%)")
    log(f"service exited {exit_s:.1f} s after SIGTERM")
    broken = False
    if sqlite_path:
        if last_wal and last_finished > first_finished:
            # Before the store's first line (10 s in) nothing but creating the jobs was written.
            first_bytes, first_commits = first_wal or (0, 0)
            log(f"WAL written: {(last_wal[0] - first_bytes) / MIB:.0f} MiB in {last_wal[1] - first_commits} commits, "
                f"{(last_wal[0] - first_bytes) / (last_finished - first_finished) / 1000:.1f} KB per run")
        log(f"largest WAL: {watch.largest_wal_ever / MIB:.1f} MiB (bound {args.wal_limit_mb} MiB)")
        checkpoints = [CHECKPOINT_LINE.search(line) for line in service.log_lines("sqlite wal:")]
        checkpoints = [match for match in checkpoints if match]
        if checkpoints:
            largest, restarts, refused, longest_us = (int(value) for value in checkpoints[-1].groups())
            log(f"the store's count: largest WAL after a commit {largest / MIB:.1f} MiB; {restarts} RESTART "
                f"checkpoints by the writer ({refused} refused by readers), the longest held writes up "
                f"{longest_us / 1000:.1f} ms")
        if watch.largest_wal_ever > args.wal_limit_mb * MIB:
            broken = True
        if watch.largest_wal_ever <= JOURNAL_SIZE_LIMIT:
            log("WAL never over journal_size_limit (64 MiB)")
        elif wal_under_limit_at is None:
            log(f"WAL NOT back under journal_size_limit within the {args.cooldown} s cool-down")
            broken = True
        else:
            log(f"WAL back under journal_size_limit {wal_under_limit_at:.1f} s after the firing stopped "
                f"(sampled every {args.sample} s)")
        left = watch.wal_bytes()
        log(f"WAL left after SIGTERM: {left / MIB:.1f} MiB")
        if left > JOURNAL_SIZE_LIMIT:
            broken = True
    return 3 if broken else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--db", required=True, help="sqlite:PATH or a postgresql:// URL")
    parser.add_argument("--dir", required=True, help="for the service's log")
    parser.add_argument("--duration", type=int, default=1800, help="seconds of firing")
    parser.add_argument("--fire-rate", type=int, default=1000, help="runs per second")
    parser.add_argument("--read-rate", type=int, default=2000, help="GET requests per second")
    parser.add_argument("--sample", type=float, default=30, help="seconds between report lines")
    parser.add_argument("--cooldown", type=int, default=30, help="seconds watched after the firing stops")
    parser.add_argument("--warmup", type=int, default=120, help="seconds before RSS growth is measured")
    parser.add_argument("--phases", choices=("ordered", "random"), default="ordered",
                        help="jobs' phases within the second: in id order, or shuffled")
    parser.add_argument("--keep-runs-per-job", type=int, default=50)
    parser.add_argument("--prune-interval", default="10s")
    parser.add_argument("--wal-limit-mb", type=int, default=256)
    parser.add_argument("--node-args", default="", help="more flags for the service")
    args = parser.parse_args()
    service = Service(args)
    try:
        return soak(args, service)
    except SoakError as error:
        log(f"soak failed: {error}")
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        if service.alive():  # a failure on the way: never leave it running
            service.process.kill()
            service.process.wait()
    return 1


if __name__ == "__main__":
    sys.exit(main())
