#!/usr/bin/env python3
"""Many jobs in one service (issue #19), for bench/scale.sh. Standard library only, plus wrk.

For each job count (the reference, --small-jobs, first; then --jobs), on a fresh SQLite file:

  seed      the jobs through POST /jobs under wrk (wrk/labels_seed.lua: names TEAM-VERB-OBJECT-I in
            namespace TEAM, five or six labels, noop tasks, `every 1h` with start_at phases spread
            evenly over the hour, an hour in the past): seeding time, database and WAL sizes, RSS.
            Runs are due at N/3600 a second from each job's creation on, so the service fires
            while it is seeded and all through the phases below, as a service holding these jobs
            would. Then 1 job in 1,000 is paused (POST /jobs/{id}/pause), for the is_active filter.
  restart   SIGTERM (the seconds to exit), start again, time to the first 200 of /readyz (asked
            every 2 ms), RSS then and 2 s later; --restarts times, medians.
  latency   one keep-alive client, after a warm-up: GET /jobs/{id}, the list's first page and a
            page deep in the keyset, filters (namespace, label selectors, is_active=false), name
            search (q), GET /stats; --requests of each kind, shuffled.
  firing    --fire-minutes minutes watched: per minute, the runs due (known from the phases,
            paused jobs left out), those started, their lateness (started_at - scheduled_for -
            jitter_ms, from the runs table, read-only, 10 s after the minute's end), the
            service's RSS, the largest WAL seen (sampled every 100 ms) and the load average.

The summary (stdout) puts the two job counts side by side; progress lines (stderr) start with '#'.
"""

import os
import random
import statistics
import sys
import threading
import time

from console_rig import BenchError, Service, arguments, fmt, load_average, note, pct, seed
from soak_rig import MIB, Client, percentile
from soak_watch import SqliteWatch

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
QUERY_LAG_S = 10  # the runs of a minute are read this long after its end
TEAMS = ["billing", "search", "payments", "reports", "mobile", "infra", "growth", "support"]  # labels_seed.lua's
VERBS = ["export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest"]


def now_ms():
    return int(time.time() * 1000)


def mib(value):
    return "-" if value is None else f"{value / MIB:,.1f} MiB"


def latency_kinds(jobs, rng):
    """kind -> a function giving the next path to GET (drawn anew each time)."""
    deep_from = max(1, jobs // 2)
    return {
        "GET /jobs/{id}": lambda: f"/jobs/{rng.randrange(1, jobs + 1)}",
        "list, first page": lambda: "/jobs?limit=100",
        "list, deep page": lambda: f"/jobs?limit=100&cursor={rng.randrange(deep_from, max(deep_from + 1, jobs - 100))}",
        "namespace": lambda: f"/jobs?limit=100&namespace={rng.choice(TEAMS)}",
        "label, common": lambda: f"/jobs?limit=100&label=team%3D{rng.choice(TEAMS)},tier%3Dweb",
        "label, one job": lambda: f"/jobs?limit=100&label=owner%3Do{rng.randrange(1, jobs + 1)}",
        "paused (is_active=false)": lambda: "/jobs?limit=100&is_active=false",
        "search, common": lambda: f"/jobs?limit=100&q={rng.choice(VERBS)}",
        "search, one job": lambda: f"/jobs?limit=100&q=-{rng.randrange(max(1, jobs // 10), jobs + 1)}",
        "search, none": lambda: "/jobs?limit=100&q=zzqx",
        "GET /stats": lambda: "/stats",
    }


class Phases:
    """The instants jobs 1..N are due at: job I every hour from base + floor((I - 1) * HOUR / N)."""

    def __init__(self, jobs, base_ms):
        self.jobs, self.base_ms = jobs, base_ms
        self.paused = []

    def offset(self, job):
        return (job - 1) * HOUR_MS // self.jobs

    def _first_at_or_after(self, offset_ms):
        """How many jobs have an offset below `offset_ms` (0 <= offset_ms <= HOUR)."""
        return min(self.jobs, max(0, -((-offset_ms * self.jobs) // HOUR_MS)))

    def due(self, from_ms, until_ms):
        """Runs of active jobs due in [from_ms, until_ms), a span of at most an hour."""
        start = (from_ms - self.base_ms) % HOUR_MS
        end = start + (until_ms - from_ms)
        count = self._first_at_or_after(min(end, HOUR_MS)) - self._first_at_or_after(start)
        if end > HOUR_MS:
            count += self._first_at_or_after(end - HOUR_MS)
        paused = sum(1 for job in self.paused
                     if (self.base_ms + self.offset(job) - from_ms) % HOUR_MS < until_ms - from_ms)
        return count - paused


class Scale:
    """One job count on its own service: seeded, restarted, read and watched firing."""

    def __init__(self, args, jobs, rng):
        self.args, self.jobs, self.rng = args, jobs, rng
        self.service = Service(args.binary, args.dir, f"scale-{jobs}")
        self.phases = None  # when the jobs are due, once seeded
        self.figures = {}
        self.minutes = []

    def run(self):
        self.service.start()
        try:
            self.seed()
            self.restart()
            self.measure_latency()
            self.fire()
        finally:
            self.service.stop()

    def seed(self):
        self.phases = Phases(self.jobs, now_ms() - HOUR_MS)
        note(f"# seeding {self.jobs:,} jobs, due evenly over each hour ({self.jobs / 3600:,.1f} runs/s)")
        seconds = seed(self.service, self.jobs, 1, connections=128, script="labels_seed.lua",
                       extra_args=(self.phases.base_ms,))
        database, wal, _ = self.service.db_bytes()
        self.figures["seeding"] = f"{seconds:,.1f} s, {self.jobs / seconds:,.0f} jobs/s"
        self.figures["database + WAL after seeding"] = f"{mib(database)} + {mib(wal)}"
        self.figures["RSS after seeding"] = f"{fmt(self.service.rss_mib())} MiB"
        self.pause_some()

    def pause_some(self):
        count = max(1, self.jobs // 1000)
        client = Client(self.service.port)
        for job in range(self.jobs // count, self.jobs + 1, self.jobs // count):
            status, raw = client.request("POST", f"/jobs/{job}/pause")
            if status != 200:
                raise BenchError(f"POST /jobs/{job}/pause answered {status}: {raw[:300]!r}")
            self.phases.paused.append(job)
        note(f"# paused {len(self.phases.paused):,} jobs")

    def restart(self):
        ready, rss_ready, rss_later, exits = [], [], [], []
        for index in range(self.args.restarts):
            started = time.monotonic()
            self.service.stop()
            exits.append(time.monotonic() - started)
            if index == 0:
                database, wal, _ = self.service.db_bytes()
                self.figures["database + WAL after SIGTERM"] = f"{mib(database)} + {mib(wal)}"
            self.service.start(poll_s=0.002)
            ready.append(self.service.ready_s * 1000)
            rss_ready.append(self.service.rss_mib())
            time.sleep(2)
            rss_later.append(self.service.rss_mib())
            note(f"# restart {index + 1}: SIGTERM to exit {exits[-1]:.2f} s, ready in {ready[-1]:.0f} ms, "
                 f"RSS {rss_ready[-1]:.1f} MiB, 2 s later {rss_later[-1]:.1f} MiB")

        def spread(values, unit, digits=0):
            return (f"{statistics.median(values):,.{digits}f} {unit} ({min(values):,.{digits}f}-"
                    f"{max(values):,.{digits}f})")

        self.figures[f"start-up to /readyz, median (min-max) of {len(ready)}"] = spread(ready, "ms")
        self.figures["RSS at ready"] = spread(rss_ready, "MiB", 1)
        self.figures["RSS 2 s after ready"] = spread(rss_later, "MiB", 1)
        self.figures["SIGTERM to exit"] = spread(exits, "s", 2)

    def measure_latency(self):
        kinds = latency_kinds(self.jobs, self.rng)
        client = Client(self.service.port)

        def get(kind):
            path = kinds[kind]()
            started = time.perf_counter()
            status, raw = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise BenchError(f"GET {path} answered {status}: {raw[:300]!r}")
            return elapsed

        note(f"# latency: {len(kinds)} kinds, {self.args.requests} requests each")
        for kind in kinds:
            for _ in range(10):
                get(kind)
        plan = [kind for kind in kinds for _ in range(self.args.requests)]
        self.rng.shuffle(plan)
        latencies = {kind: [] for kind in kinds}
        for kind in plan:
            latencies[kind].append(get(kind))
        self.service.require_alive("the latency phase")
        for kind, values in latencies.items():
            self.figures[f"{kind}: p50 / p99 / max ms"] = (f"{fmt(pct(values, 0.5))} / {fmt(pct(values, 0.99))} / "
                                                           f"{fmt(max(values))}")

    def fire(self):
        stop = threading.Event()
        watch = SqliteWatch(self.service.db_path, stop)
        watch.start()
        start = now_ms()
        note(f"# firing: {self.args.fire_minutes} minutes watched, {self.jobs / 3600:,.1f} runs due a second")
        lateness_all, due_all = [], 0
        try:
            for minute in range(self.args.fire_minutes):
                begin, end = start + minute * MINUTE_MS, start + (minute + 1) * MINUTE_MS
                time.sleep(max(0.0, (end - now_ms()) / 1000 + QUERY_LAG_S))
                self.service.require_alive("the firing")
                lateness = watch.lateness(begin, end)
                due = self.phases.due(begin, end)
                lateness_all += lateness
                due_all += due
                row = {"due": due, "started": len(lateness), "p50": percentile(lateness, 0.5),
                       "p99": percentile(lateness, 0.99), "max": max(lateness) if lateness else None,
                       "rss": self.service.rss_mib(), "wal": watch.take_largest_wal() / MIB,
                       "load": load_average().split()[0]}
                self.minutes.append(row)
                note(f"# minute {minute + 1}: {format_minute(row)}")
        finally:
            stop.set()
        self.figures[f"runs due / started in {self.args.fire_minutes} min"] = f"{due_all:,} / {len(lateness_all):,}"
        self.figures["lateness p50 / p99 / max"] = (f"{fmt(pct(lateness_all, 0.5), 0)} / "
                                                    f"{fmt(pct(lateness_all, 0.99), 0)} / "
                                                    f"{fmt(max(lateness_all) if lateness_all else None, 0)} ms")
        database, wal, _ = self.service.db_bytes()
        self.figures["database + WAL after firing"] = f"{mib(database)} + {mib(wal)}"
        self.figures["largest WAL while firing"] = f"{watch.largest_wal_ever / MIB:,.1f} MiB"


def format_minute(row):
    return (f"due {row['due']:,} started {row['started']:,} lateness {fmt(row['p50'], 0)}/{fmt(row['p99'], 0)}/"
            f"{fmt(row['max'], 0)} ms RSS {fmt(row['rss'])} MiB WAL {row['wal']:.1f} MiB load {row['load']}")


def table(header, rows):
    """Rows of cells as aligned text lines: the first column left, the others right."""
    widths = [max(len(str(cells[column])) for cells in [header, *rows]) for column in range(len(header))]
    return ["  " + "  ".join(str(cell).ljust(width) if column == 0 else str(cell).rjust(width)
                             for column, (cell, width) in enumerate(zip(cells, widths)))
            for cells in [header, *rows]]


def report(scales):
    header = ["", *(f"{scale.jobs:,} jobs" for scale in scales)]
    figures = list(dict.fromkeys(name for scale in scales for name in scale.figures))
    rows = [[name, *(scale.figures.get(name, "-") for scale in scales)] for name in figures]
    lines = table(header, rows)
    lines.append("  (issue #19, measured by hand at 741,000 jobs: RSS 20 MB, start-up 78 ms)")
    lines.append("")
    lines.append("  firing per minute: runs due / started, lateness p50 / p99 / max ms, RSS MiB, largest WAL MiB, "
                 "load (1 min)")
    minute_rows = []
    for minute in range(max(len(scale.minutes) for scale in scales)):
        cells = [str(minute + 1)]
        for scale in scales:
            row = scale.minutes[minute] if minute < len(scale.minutes) else None
            cells += ["-"] * 5 if row is None else [
                f"{row['due']:,} / {row['started']:,}", f"{fmt(row['p50'], 0)} / {fmt(row['p99'], 0)} / "
                f"{fmt(row['max'], 0)}", fmt(row["rss"]), f"{row['wal']:.1f}", row["load"]]
        minute_rows.append(cells)
    sub = ["min"] + [f"{name} ({scale.jobs:,})" if name == "due / started" else name for scale in scales
                     for name in ("due / started", "lateness", "RSS", "WAL", "load")]
    return lines + table(sub, minute_rows)


def parse_args():
    parser = arguments(__doc__)
    parser.add_argument("--small-jobs", type=int, default=100_000, help="the reference; 0 for none")
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300, help="per kind of request")
    parser.add_argument("--fire-minutes", type=int, default=10)
    return parser.parse_args()


def main():
    args = parse_args()
    rng = random.Random(19)
    started = time.monotonic()
    note(f"# jobsched scale benchmark: {os.cpu_count()} cores, load average {load_average()} at the start")
    scales = [Scale(args, jobs, rng) for jobs in (args.small_jobs, args.jobs) if jobs > 0]
    status, error = 0, None
    for scale in scales:
        note(f"# === {scale.jobs:,} jobs")
        try:
            scale.run()
        except BenchError as failure:
            error, status = f"error at {scale.jobs:,} jobs, the benchmark stopped: {failure}", 1
            break
    print(f"=== Summary ({time.monotonic() - started:.0f} s; load average at the end {load_average()})")
    for line in report(scales):
        print(line)
    if error:
        print(error)
    return status


if __name__ == "__main__":
    sys.exit(main())
