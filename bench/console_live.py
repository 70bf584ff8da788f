#!/usr/bin/env python3
"""The live parts of bench/console.py: many idle event subscribers (memory, and GET /jobs/{id}
throughput beside them) and the latency of run events, to a plain subscriber and to the
console's own handler in chromium. Standard library only."""

import calendar
import json
import os
import statistics
import subprocess
import sys
import threading
import time

from console_rig import BenchError, fmt, note, summary_ms, wrk_get_jobs
from soak_rig import Client, create_jobs, rfc3339_ms

median = statistics.median
HERE = os.path.dirname(os.path.abspath(__file__))
# The service's open connections (HttpServerOptions::max_connections, not a setting): a
# connection beyond it is answered 503 at once.
SERVER_MAX_CONNECTIONS = 10_000


class Subscribers:
    """bench/console_sse.py hold: COUNT idle GET /events streams in a process of their own."""

    def __init__(self, port, count):
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "console_sse.py"), "hold", str(port),
                                         str(count)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.opened = self._answer()

    def _answer(self):
        line = self.process.stdout.readline()
        if not line:
            raise BenchError("the subscriber process ended early")
        return json.loads(line)

    def close(self, count):
        self.process.stdin.write(f"close {count}\n")
        self.process.stdin.flush()
        return self._answer()["open"]

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def end(self):
        self.process.stdin.close()
        last = self._answer()
        self.process.wait(30)
        return last


def settled_rss(service, seconds=3.0):
    """RSS (MiB) after `seconds` of quiet, the largest of a few samples in the last second."""
    time.sleep(max(0.0, seconds - 1.0))
    samples = []
    for _ in range(5):
        samples.append(service.rss_mib() or 0.0)
        time.sleep(0.2)
    return max(samples)


def hold_and_measure(service, seeded, count, args):
    """One round: COUNT subscribers opened (RSS with them), then wrk beside as many as fit."""
    fds_before = service.fd_count()
    started = time.monotonic()
    subscribers = Subscribers(service.port, count)
    try:
        return measure_beside(service, seeded, count, args, subscribers, fds_before, started)
    finally:
        subscribers.kill()


def measure_beside(service, seeded, count, args, subscribers, fds_before, started):
    conns = args.wrk_connections
    opened = subscribers.opened
    note(f"# {opened['open']} subscribers open in {opened['seconds']} s ({opened['failed']} failed"
         f"{', first: ' + opened['first_error'] if opened['first_error'] else ''})")
    if opened["open"] < count:
        subscribers.end()
        raise BenchError(f"only {opened['open']} of {count} subscribers could connect")
    rss_with = settled_rss(service)
    # Room for wrk's connections (and one spare) under the service's connection limit.
    keep = min(count, SERVER_MAX_CONNECTIONS - conns - 1)
    kept, partial_s = count, None
    if keep < count:
        kept = subscribers.close(count - keep)
        partial_s = release_connections(service, service.fd_count() - (count - keep), margin=0)
    run = wrk_get_jobs(service, seeded, args.wrk_seconds, conns)
    rss_after_wrk = service.rss_mib()
    ended = subscribers.end()
    release_s = release_connections(service, fds_before)
    return {"open_s": opened["seconds"], "kept": kept, "held_s": time.monotonic() - started, "run": run,
            "rss_with": rss_with, "rss_after_wrk": rss_after_wrk, "ended_by_server": ended["ended_by_server"],
            "bytes": ended["bytes"], "release_s": release_s, "partial_s": partial_s}


def release_connections(service, fds_wanted, margin=8, deadline_s=60):
    """Waits until the service holds at most `fds_wanted` (+ `margin`) descriptors; returns the seconds.
    A stream notices its client left only when a write to it fails (an event, or the heartbeat
    every 15 s): each second, a PATCH of job 1 (an event for every stream) hurries that along, once
    a connection is free for it."""
    started = time.monotonic()
    nudges = 0
    while service.fd_count() > fds_wanted + margin:
        if time.monotonic() - started > deadline_s:
            raise BenchError(f"the service still holds {service.fd_count()} descriptors {deadline_s} s after the "
                             f"subscribers closed (wanted {fds_wanted})")
        nudges += 1
        try:
            status, raw = Client(service.port).request("PATCH", "/jobs/1", {"name": f"nudge-{nudges}"})
        except OSError:  # refused at once: every connection slot is still held; the heartbeat frees them
            status, raw = 503, b""
        if status not in (200, 503):
            raise BenchError(f"PATCH /jobs/1 answered {status}: {raw[:200]!r}")
        time.sleep(1.0 if nudges > 1 else 0.3)
    return time.monotonic() - started


def idle_subscribers(service, seeded, count, args):
    """Memory with COUNT idle subscribers, and GET /jobs/{id} under wrk without and with them,
    alternating (without, with, ..., without: the machine's load changes from run to run)."""
    wrk_get_jobs(service, seeded, 3, args.wrk_connections)  # warm-up, not counted
    without = [wrk_get_jobs(service, seeded, args.wrk_seconds, args.wrk_connections)]
    rss_before = settled_rss(service)
    rounds = []
    for _ in range(args.wrk_rounds):
        rounds.append(hold_and_measure(service, seeded, count, args))
        without.append(wrk_get_jobs(service, seeded, args.wrk_seconds, args.wrk_connections))
    service.require_alive("the subscriber runs")
    base = median([run["rps"] for run in without])
    with_rps = median([r["run"]["rps"] for r in rounds])
    return {"count": count, "rss_before": rss_before, "rounds": rounds, "without": without,
            "rss_closed": settled_rss(service), "ratio": with_rps / base if base else None}


def report_subscribers(found, conns, wrk_s):
    first = found["rounds"][0]
    grown = first["rss_with"] - found["rss_before"]
    peak = max(max(r["rss_with"], r["rss_after_wrk"] or 0) for r in found["rounds"]) - found["rss_before"]
    partial = ""
    if first["kept"] < found["count"]:
        partial = (f" (the first {found['count'] - first['kept']}, closed to make room for wrk while no connection "
                   "was free: " + ", ".join(f"{fmt(r['partial_s'])} s" for r in found["rounds"]) + ")")
    lines = [
        f"idle subscribers: {found['count']} GET /events streams, {len(found['rounds'])} rounds; opened in "
        + ", ".join(f"{r['open_s']} s" for r in found["rounds"]) + "; held "
        + ", ".join(f"{r['held_s']:.0f} s" for r in found["rounds"])
        + f" ({sum(r['ended_by_server'] for r in found['rounds'])} ended by the service, "
        f"{sum(r['bytes'] for r in found['rounds'])} bytes of heartbeats and events received); the service let "
        "go of their connections " + ", ".join(f"{r['release_s']:.1f} s" for r in found["rounds"])
        + " after they closed" + partial + " (reset, then a job event each second: a stream sees its client "
        "gone only when a write fails)",
        f"  service RSS: {found['rss_before']:.1f} MiB before, {first['rss_with']:.1f} MiB with them "
        f"(+{grown:.1f} MiB, {grown * 1024 / found['count']:.1f} KiB each; target < +100 MB); largest in any round, "
        f"wrk included, +{peak:.1f} MiB; {found['rss_closed']:.1f} MiB at the end, all closed",
    ]
    runs = [("without", run) for run in found["without"]]
    for index, held in enumerate(found["rounds"]):
        runs.insert(2 * index + 1, (f"with {held['kept']}", held["run"]))
    for label, run in runs:
        lines.append(f"  GET /jobs/{{id}} {label:>10}: {run['rps']:9.0f} req/s, p50 {run['p50_ms']:.2f} ms, "
                     f"p99 {run['p99_ms']:.2f} ms, errors {run['errors']:.0f}  (wrk -t1 -c{conns} -d{wrk_s}s)")
    pairs = [held["run"]["rps"] * 2 / (found["without"][index]["rps"] + found["without"][index + 1]["rps"])
             for index, held in enumerate(found["rounds"])]
    lines.append(f"  median with / median without: {fmt(found['ratio'], 3)} (target >= 0.9); each round against "
                 f"the mean of the runs beside it: " + ", ".join(fmt(pair, 3) for pair in pairs))
    return lines


# --- event latency -------------------------------------------------------------------

def parse_rfc3339_ms(text):
    """'2026-12-07T01:02:03.456Z' (UTC, as the API writes) -> Unix ms."""
    stamp, _, fraction = text.rstrip("Z").partition(".")
    seconds = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1000 + (int((fraction + "000")[:3]) if fraction else 0)


def finished_at_of_runs(service, job_ids):
    """run id -> finished_at (Unix ms) of the jobs' runs."""
    finished = {}
    for job_id in job_ids:
        for run in service.get_json(f"/jobs/{job_id}/runs?limit=1000"):
            if run.get("finished_at"):
                finished[run["id"]] = parse_rfc3339_ms(run["finished_at"])
    return finished


class Listener(threading.Thread):
    """A subprocess that prints {"ready": true}, then its findings as JSON lines at the end."""

    def __init__(self, command, env=None):
        super().__init__(daemon=True)
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.ready = threading.Event()
        self.records = []
        self.stderr = ""

    def run(self):
        for line in self.process.stdout:
            record = json.loads(line)
            if record.get("ready"):
                self.ready.set()
            else:
                self.records.append(record)
        self.stderr = self.process.stderr.read()
        self.process.wait()
        self.ready.set()


def event_latency(service, args, browser_config):
    """Noop jobs every 1s; how long after each run's finished_at its run.finished reached a plain
    subscriber (console_sse.py listen) and the console's handler in chromium."""
    lead_s, fire_s = 4, args.event_seconds
    listen_s = lead_s + fire_s + 4
    plain = Listener([sys.executable, os.path.join(HERE, "console_sse.py"), "listen", str(service.port),
                      str(listen_s + 3)])
    listeners = [("subscriber (python, raw socket)", plain)]
    if browser_config is not None:
        config = {"mode": "events", "origin": browser_config["origin"], "chromium": browser_config["chromium"],
                  "path": "/ui/runs", "seconds": listen_s}
        browser = Listener(browser_config["command"] + [json.dumps(config)], env=browser_config["env"])
        listeners.append(("console page (chromium, its event stream's dispatch)", browser))
    for _, listener in listeners:
        listener.start()
    for name, listener in listeners:
        if not listener.ready.wait(60) or listener.process.poll() not in (None, 0):
            raise BenchError(f"the {name} did not start: {listener.stderr[-800:]}")
    start_ms = int(time.time() * 1000) + lead_s * 1000
    end_ms = start_ms + fire_s * 1000
    rate = args.event_jobs
    bodies = [{"name": f"latency-{n}", "every": "1s", "start_at": rfc3339_ms(start_ms + n * 1000 // rate),
               "end_at": rfc3339_ms(end_ms), "overlap": "allow", "task": {"type": "noop"}} for n in range(rate)]
    job_ids = create_jobs(service.port, bodies)
    if int(time.time() * 1000) > start_ms:
        raise BenchError("creating the latency jobs took longer than the lead")
    for _, listener in listeners:
        listener.join(listen_s + 90)
    service.require_alive("the event latency run")
    finished = finished_at_of_runs(service, job_ids)
    results = []
    for name, listener in listeners:
        if listener.process.returncode != 0:
            raise BenchError(f"the {name} failed: {listener.stderr[-800:]}")
        pairs = [(r["run_id"], r["received_ms"]) for r in listener.records] if listener is plain else \
            [tuple(pair) for record in listener.records for pair in record["events"]]
        delays = [received - finished[run] for run, received in pairs if run in finished]
        results.append((name, delays, len(pairs)))
    return {"jobs": rate, "seconds": fire_s, "runs": len(finished), "results": results}


def report_events(found):
    lines = [f"event latency: {found['jobs']} noop jobs every 1s for {found['seconds']} s, {found['runs']} "
             f"finished runs; received - finished_at (the outcome's time stamp, taken before its commit)"]
    for name, delays, received in found["results"]:
        lines.append(f"  {name}: {summary_ms(delays)}, {received} events; target p99 < 50 ms"
                     f"{' (' + str(found['runs'] - len(delays)) + ' runs not seen)' if found['runs'] > len(delays) else ''}")
    return lines

