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

Standard library only; PostgreSQL is read with psql. The load is in soak_rig.py, what is watched
in soak_watch.py. The report goes to stdout. Exit status:
0 when the soak ran to its end, 1 when it could not (the service died, an API error), 3 when a
resource bound was broken (SQLite: WAL over --wal-limit-mb, or not back under 64 MiB within the
cool-down, or a WAL left behind after SIGTERM larger than that).
"""

import argparse
import json
import os
import random
import sys
import threading
import time

from soak_rig import (MIB, Readers, Service, SoakError, WriteProbe, create_jobs, fmt_ms, log, percentile,
                      rfc3339_ms)
from soak_watch import CHECKPOINT_LINE, PostgresWatch, SqliteWatch, runs_finished, wal_written

JOURNAL_SIZE_LIMIT = 64 * MIB  # the service's PRAGMA journal_size_limit


def create_load(args, service):
    """Creates the probe job and the firing jobs; returns (probe id, job ids, start ms, end ms)."""
    status, raw = service.client().request("POST", "/jobs", {"name": "soak-probe", "every": "1h",
                                                              "is_active": False, "task": {"type": "noop"}})
    if status != 201:
        raise SoakError(f"creating the probe job answered {status}: {raw[:300]!r}")
    probe_id = json.loads(raw)["id"]
    start_ms = int(time.time() * 1000) + int(max(5.0, args.fire_rate / 400) * 1000)
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
    return probe_id, job_ids, start_ms, end_ms


class Sampler:
    """Prints a line every SAMPLE seconds until the cool-down ends; keeps what the summary needs."""

    def __init__(self, args, service, watch, readers, probe, start_ms, end_ms):
        self.args, self.service, self.watch, self.readers, self.probe = args, service, watch, readers, probe
        self.start_ms, self.end_ms = start_ms, end_ms
        self.sqlite = isinstance(watch, SqliteWatch)
        self.lateness, self.rss = [], []
        self.late_max = self.write_max = self.read_max = 0
        self.wal_under_limit_at = None
        self.first_finished = self.finished = runs_finished(service.port) or 0.0
        self.first_wal = self.wal = wal_written(service)
        self.at = time.monotonic()

    def header(self):
        return (f"{'t s':>6} {self.watch.columns()} {'rss MiB':>8} {'files':>6} {'runs/s':>7} {'late p50':>8} "
                f"{'p99':>5} {'max':>5} {'read p99':>8} {'max':>5} {'write max':>9} {'reads/s':>7}"
                + (f" {'wal KB/run':>10}" if self.sqlite else ""))

    def run(self):
        log(self.header())
        cooldown_end = self.end_ms + self.args.cooldown * 1000
        while int(time.time() * 1000) < cooldown_end:
            time.sleep(min(self.args.sample, (cooldown_end - int(time.time() * 1000)) / 1000))
            if not self.service.alive():
                raise SoakError(f"the service died:\n{self.service.log_tail()}")
            self.sample()

    def sample(self):
        at, now_ms = time.monotonic(), int(time.time() * 1000)
        elapsed = (now_ms - self.start_ms) / 1000
        finished = runs_finished(self.service.port) or self.finished
        # Runs due in the last interval, leaving 2 s for the latest to start.
        until = min(now_ms - 2000, self.end_ms)
        lateness = self.watch.lateness(until - int(self.args.sample * 1000), until) if until > self.start_ms else []
        reads, writes = self.readers.latencies.take(), self.probe.latencies.take()
        rss, mapped = self.service.rss_bytes()
        line = (f"{elapsed:6.0f} {self.watch.describe()} {(rss or 0) / MIB:8.1f} {(mapped or 0) / MIB:6.1f} "
                f"{(finished - self.finished) / (at - self.at):7.0f} {fmt_ms(percentile(lateness, 0.5)):>8} "
                f"{fmt_ms(percentile(lateness, 0.99)):>5} {fmt_ms(max(lateness) if lateness else None):>5} "
                f"{fmt_ms(percentile(reads, 0.99)):>8} {fmt_ms(max(reads) if reads else None):>5} "
                f"{fmt_ms(max(writes) if writes else None):>9} {len(reads) / (at - self.at):7.0f}")
        wal = wal_written(self.service) if self.sqlite else None
        if self.sqlite:
            per_run = "-"
            if wal and self.wal and finished > self.finished:
                per_run = f"{(wal[0] - self.wal[0]) / (finished - self.finished) / 1000:.1f}"
            line += f" {per_run:>10}"
        log(line)
        if now_ms <= self.end_ms:
            self.lateness += lateness
            self.late_max = max([self.late_max, *lateness])
            if elapsed >= self.args.warmup:
                self.rss.append(rss or 0)
        self.write_max = max([self.write_max, *writes])
        self.read_max = max([self.read_max, *reads])
        if self.sqlite and now_ms > self.end_ms and self.wal_under_limit_at is None \
                and self.watch.wal_bytes() <= JOURNAL_SIZE_LIMIT:
            self.wal_under_limit_at = (now_ms - self.end_ms) / 1000
        self.finished, self.wal, self.at = finished, wal, at


def report(args, sampler, exit_s, last_finished):
    """The summary of the whole soak."""
    runs = last_finished - sampler.first_finished
    log("")
    log(f"runs finished: {runs:.0f} in {args.duration} s ({runs / args.duration:.0f}/s)")
    late = sampler.lateness
    log(f"fire lateness over the whole run: p50 {fmt_ms(percentile(late, 0.5))} ms, "
        f"p99 {fmt_ms(percentile(late, 0.99))} ms, max {fmt_ms(sampler.late_max)} ms over {len(late)} runs")
    log(f"longest read {sampler.read_max:.0f} ms, longest probe write {sampler.write_max:.0f} ms; "
        f"read errors {sampler.readers.latencies.errors}, write errors {sampler.probe.latencies.errors}")
    for kind in (sampler.readers.latencies, sampler.probe.latencies):
        if kind.first_error:
            log(f"  first error: {kind.first_error}")
    if sampler.rss:
        rss = sampler.rss
        log(f"RSS after the first {args.warmup} s: {rss[0] / MIB:.1f} MiB, at the end {rss[-1] / MIB:.1f} MiB, "
            f"largest {max(rss) / MIB:.1f} MiB: growth {100 * (rss[-1] - rss[0]) / rss[0]:+.1f}% "
            f"(largest {100 * (max(rss) - rss[0]) / rss[0]:+.1f}%)")
    log(f"service exited {exit_s:.1f} s after SIGTERM")
    return report_wal(args, sampler, runs) if sampler.sqlite else 0


def report_wal(args, sampler, runs):
    """SQLite's part of the summary; 3 when a bound broke, else 0."""
    watch, service = sampler.watch, sampler.service
    last_wal = wal_written(service)
    if last_wal and runs > 0:
        # Before the store's first line (10 s in) nothing but creating the jobs was written.
        first_bytes, first_commits = sampler.first_wal or (0, 0)
        log(f"WAL written: {(last_wal[0] - first_bytes) / MIB:.0f} MiB in {last_wal[1] - first_commits} commits, "
            f"{(last_wal[0] - first_bytes) / runs / 1000:.1f} KB per run")
    log(f"largest WAL: {watch.largest_wal_ever / MIB:.1f} MiB (bound {args.wal_limit_mb} MiB)")
    checkpoints = [match for match in map(CHECKPOINT_LINE.search, service.log_lines("sqlite wal:")) if match]
    if checkpoints:
        largest, restarts, refused, longest_us = (int(value) for value in checkpoints[-1].groups())
        log(f"the store's count: largest WAL after a commit {largest / MIB:.1f} MiB; {restarts} RESTART "
            f"checkpoints by the writer ({refused} refused by readers), the longest held writes up "
            f"{longest_us / 1000:.1f} ms")
    broken = watch.largest_wal_ever > args.wal_limit_mb * MIB
    if watch.largest_wal_ever <= JOURNAL_SIZE_LIMIT:
        log("WAL never over journal_size_limit (64 MiB)")
    elif sampler.wal_under_limit_at is None:
        log(f"WAL NOT back under journal_size_limit within the {args.cooldown} s cool-down")
        broken = True
    else:
        log(f"WAL back under journal_size_limit {sampler.wal_under_limit_at:.1f} s after the firing stopped "
            f"(sampled every {args.sample} s)")
    left = watch.wal_bytes()
    log(f"WAL left after SIGTERM: {left / MIB:.1f} MiB")
    return 3 if broken or left > JOURNAL_SIZE_LIMIT else 0


def soak(args, service):
    sqlite_path = args.db[len("sqlite:"):] if args.db.startswith("sqlite:") else None
    service.start()
    log(f"# service pid {service.process.pid} on 127.0.0.1:{service.port}; {os.cpu_count()} cores; "
        f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    probe_id, job_ids, start_ms, end_ms = create_load(args, service)
    stop = threading.Event()
    watch = SqliteWatch(sqlite_path, stop) if sqlite_path else PostgresWatch(args.db)
    watch.start()
    readers = Readers(service.port, args.read_rate, job_ids, stop)
    probe = WriteProbe(service.port, probe_id, stop)
    time.sleep(max(0.0, (start_ms - time.time() * 1000) / 1000))
    readers.start()
    probe.start()
    sampler = Sampler(args, service, watch, readers, probe, start_ms, end_ms)
    sampler.run()
    stop.set()
    last_finished = runs_finished(service.port) or sampler.finished
    exit_s = service.stop()
    return report(args, sampler, exit_s, last_finished)


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
