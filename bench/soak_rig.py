#!/usr/bin/env python3
"""The parts of bench/soak.py that make the load: the service, an HTTP client, the jobs, the
readers and the write probe. Standard library only."""

import datetime
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

MIB = 1024 * 1024
PROBE_INTERVAL_S = 0.1


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

    def client(self):
        return Client(self.port)

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
