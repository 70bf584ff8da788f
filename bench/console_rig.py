#!/usr/bin/env python3
"""The parts bench/console.py shares: the service, seeding with wrk, wrk runs, figures.
Standard library only; the HTTP client and a few helpers come from soak_rig.py."""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from soak_rig import MIB, Client, free_port, percentile

WRK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wrk")


def arguments(doc, jobs=1_000_000):
    """A parser with what every benchmark script passes: --binary, --dir and --jobs."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--jobs", type=int, default=jobs)
    return parser


def note(message):
    """A progress line, to stderr (the summary goes to stdout)."""
    print(message, file=sys.stderr, flush=True)


class BenchError(Exception):
    """The benchmark could not go on; the message says why."""


def pct(values, fraction):
    """The percentile of `values` as a number, or None (soak_rig's, nearest rank)."""
    return percentile(values, fraction)


def fmt(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def summary_ms(values):
    """'p50 X / p95 Y / p99 Z / max W ms (n N)' of latencies in ms."""
    if not values:
        return "no samples"
    return (f"p50 {fmt(pct(values, 0.5))} / p95 {fmt(pct(values, 0.95))} / p99 {fmt(pct(values, 0.99))} / "
            f"max {fmt(max(values))} ms (n {len(values)})")


def load_average():
    try:
        with open("/proc/loadavg") as text:
            return " ".join(text.read().split()[:3])
    except OSError:
        return "unknown"


class Service:
    """`jobsched serve` on a free port with a SQLite file in `directory`; stopped by its PID."""

    def __init__(self, binary, directory, name, extra_args=()):
        self.binary = binary
        self.db_path = os.path.join(directory, f"{name}.db")
        self.log_path = os.path.join(directory, f"{name}.log")
        self.port = free_port()
        self.extra_args = list(extra_args)
        self.process = None
        self._log_file = None
        self.ready_s = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, poll_s=0.1):
        """Starts it and waits for /readyz (asked every `poll_s`); `ready_s` is the time that took."""
        # --rate-limit 0: the benchmark is one client sending far more than a client may;
        # --max-jobs-per-namespace 0: it creates far more jobs in a namespace than the default quota.
        command = [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", f"sqlite:{self.db_path}",
                   "--log-level", "info", "--access-log", "off", "--rate-limit", "0",
                   "--max-jobs-per-namespace", "0", *self.extra_args]
        note(f"# {' '.join(command)}")
        self._log_file = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = started + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the service exited during start-up:\n{self.log_tail()}")
            try:
                status, _ = Client(self.port).get("/readyz")
                if status == 200:
                    self.ready_s = time.monotonic() - started
                    return self
            except OSError:
                pass
            time.sleep(poll_s)
        raise BenchError("the service was not ready within 60 s")

    def require_alive(self, during):
        if self.process is None or self.process.poll() is not None:
            raise BenchError(f"the service died during {during}:\n{self.log_tail()}")

    def stop(self):
        """SIGTERM to its PID; SIGKILL if it has not exited 30 s later."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            note(f"# the service (pid {self.process.pid}) did not exit within 30 s of SIGTERM; killing it")
            self.process.kill()
            self.process.wait()
        finally:
            self._log_file.close()

    def rss_mib(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024 / MIB
        except OSError:
            pass
        return None

    def fd_count(self):
        """Open file descriptors (sockets included)."""
        try:
            return len(os.listdir(f"/proc/{self.process.pid}/fd"))
        except OSError:
            return 0

    def db_bytes(self):
        """(database, -wal, -shm) sizes in bytes."""
        sizes = []
        for suffix in ("", "-wal", "-shm"):
            try:
                sizes.append(os.path.getsize(self.db_path + suffix))
            except OSError:
                sizes.append(0)
        return tuple(sizes)

    def get_json(self, path):
        status, raw = Client(self.port).get(path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}: {raw[:300]!r}")
        return json.loads(raw)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as text:
                return "".join(text.readlines()[-lines:])
        except OSError:
            return ""

    def problems(self):
        """The lines it logged at warning or above."""
        try:
            with open(self.log_path, errors="replace") as text:
                return [line.rstrip() for line in text if "[warning]" in line or "[error]" in line
                        or "[critical]" in line]
        except OSError:
            return []


def seed(service, count, first, connections=64, script="console_seed.lua", extra_args=()):
    """Creates jobs first..first+count-1 (wrk/console_seed.lua, or `script` with `extra_args` after
    COUNT FIRST); returns the seconds it took."""
    started = time.monotonic()
    finished = subprocess.run(["wrk", "-t1", f"-c{connections}", "-d7200s", "-s",
                               os.path.join(WRK_DIR, script), f"{service.url}/jobs", "--",
                               str(count), str(first), *map(str, extra_args)], capture_output=True, text=True)
    seconds = time.monotonic() - started
    result = [line for line in finished.stdout.splitlines() if line.startswith("SEED_RESULT")]
    if finished.returncode != 0 or not result or "failed=0" not in result[0]:
        raise BenchError(f"seeding failed: {finished.stdout[-500:]}{finished.stderr[-500:]}")
    service.require_alive("seeding")
    return seconds


def wrk_get_jobs(service, seeded, duration_s, connections):
    """wrk -t1 on GET /jobs/{id} (wrk/get_job.lua): dict of rps, p50_ms, p99_ms, errors."""
    finished = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", "--latency", "-s",
                               os.path.join(WRK_DIR, "get_job.lua"), f"{service.url}/jobs/1", "--", str(seeded)],
                              capture_output=True, text=True)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("BENCH_RESULT")]
    if finished.returncode != 0 or not lines:
        raise BenchError(f"wrk failed: {finished.stdout[-800:]}{finished.stderr[-500:]}")
    fields = dict(item.split("=", 1) for item in lines[0].split()[1:])
    return {name: float(value) for name, value in fields.items()}
