#!/usr/bin/env python3
"""Load generator and judge for bench/cluster.sh: one cluster size, both scenarios.

Given the URLs of running `jobsched serve` nodes that share one PostgreSQL database, it
creates the jobs through the API (many connections, spread over the nodes), waits for them
to fire, and reads what happened back from the runs table with psql:

  burst   BENCH_JOBS `at` jobs due at one instant T (noop tasks). Throughput is
          jobs / (max(finished_at) - T): from the due instant until the last run has
          finished, by the database's own records. Creating the jobs comes before T and
          is not part of the figure.
  steady  BENCH_STEADY_JOBS `every 1s` jobs whose start_at phases are spread evenly over
          one second, all ending (end_at) after BENCH_STEADY_SECONDS: that many fires/s,
          each job firing exactly BENCH_STEADY_SECONDS times. Lateness of a run is
          started_at - (scheduled_for + jitter_ms), p50/p99/max over the window after
          the first --warmup-seconds.

Correctness, over both scenarios: no (job, scheduled_for) pair with more than one
schedule-triggered run, no run executed twice (attempt > 1 or run_attempts rows), every
expected occurrence present, every run succeeded.

Python standard library only; the database is read with psql. The report goes to stderr,
one machine-readable `BENCH_RESULT key=value ...` line to stdout. Exit status: 0 when the
scenarios ran to the end (whatever the figures), 1 when they could not (an API error, a
run that never finished, the jobs created too slowly for the chosen due instant).
"""

import argparse
import datetime
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
# Jobs created, as inactive, to measure how fast this cluster creates jobs before the
# due instant of a scenario is chosen.
PILOT_JOBS = 300
# The due instant is this much later than creating the jobs should take, at the
# measured rate, plus a fixed margin: creation must be over before T.
CREATION_SLACK = 1.3
DUE_MARGIN_S = 3.0
POLL_INTERVAL_S = 1.0


class BenchError(Exception):
    """The scenario could not be run to its end; the message says why."""


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the database -------------------------------------------------------------

class Database:
    def __init__(self, url):
        self.url = url

    def query(self, sql):
        """Runs `sql`; returns its rows as lists of strings (unaligned, tuples only)."""
        done = subprocess.run([PSQL, "--no-psqlrc", "--quiet", "--tuples-only", "--no-align",
                               "--set", "ON_ERROR_STOP=1", self.url, "--command", sql],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"psql {sql!r} failed: {done.stderr.strip()}")
        return [line.split("|") for line in done.stdout.splitlines() if line]

    def value(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None

    def now_ms(self):
        """PostgreSQL's clock, which every node schedules by (see PgClock)."""
        return int(self.value("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"))


# --- the API ------------------------------------------------------------------

def rfc3339_ms(unix_ms):
    instant = datetime.datetime.fromtimestamp(unix_ms / 1000, datetime.timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{unix_ms % 1000:03d}Z"


def create_jobs(node_urls, bodies, connections):
    """POSTs every body of `bodies` (a list) to /jobs over `connections` keep-alive connections,
    spread round-robin over the nodes. Returns (job ids, seconds taken); raises BenchError on
    any answer other than 201."""
    next_index = itertools.count()
    ids = [None] * len(bodies)
    errors = []
    lock = threading.Lock()

    def worker(worker_index):
        parts = urllib.parse.urlsplit(node_urls[worker_index % len(node_urls)])
        connection = None
        try:
            while not errors:
                with lock:
                    index = next(next_index)
                if index >= len(bodies):
                    return
                payload = json.dumps(bodies[index])
                for attempt in range(2):
                    if connection is None:
                        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                    try:
                        connection.request("POST", "/jobs", body=payload,
                                           headers={"Content-Type": "application/json"})
                        answer = connection.getresponse()
                        raw = answer.read()
                        break
                    except (http.client.HTTPException, ConnectionError):
                        connection.close()
                        connection = None
                        if attempt == 1:
                            raise
                if answer.status != 201:
                    errors.append(f"POST /jobs answered {answer.status}: {raw[:300]!r}")
                    return
                ids[index] = json.loads(raw)["id"]
                if answer.will_close:
                    connection.close()
                    connection = None
        except Exception as error:  # reported below, in the main thread
            errors.append(f"POST /jobs failed: {error!r}")
        finally:
            if connection is not None:
                connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(errors[0])
    return ids, time.monotonic() - started


def scrape_metrics(node_urls):
    """Per node: {(name, labels): value} of the samples in /metrics."""
    sample = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([-+0-9.eEinfINFNa]+)$")
    result = []
    for url in node_urls:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", "/metrics")
            text = connection.getresponse().read().decode()
        finally:
            connection.close()
        values = {}
        for line in text.splitlines():
            matched = sample.match(line)
            if matched:
                values[(matched.group(1), matched.group(2) or "")] = float(matched.group(3))
        result.append(values)
    return result


def launch_lag(before, after):
    """From jobsched_run_start_lag_seconds, summed over the nodes between two scrapes: the
    bucket bound (ms) that holds the 99th percentile, and the share of runs within 50 ms.
    The nodes observe it when a claimed run is launched, after the claim committed; the
    runs table's started_at is when the claim was asked for (see the report)."""
    buckets = {}
    for old, new in zip(before, after):
        for (name, labels), value in new.items():
            if name == "jobsched_run_start_lag_seconds_bucket":
                bound = float(re.search(r'le="([^"]+)"', labels).group(1))
                buckets[bound] = buckets.get(bound, 0.0) + value - old.get((name, labels), 0.0)
    total = buckets.get(float("inf"), 0.0)
    if total <= 0:
        return None, None
    p99_bound = next(bound for bound in sorted(buckets) if buckets[bound] >= 0.99 * total)
    within_50ms = buckets.get(0.05, 0.0) / total
    return (f"{p99_bound * 1000:g}" if p99_bound != float("inf") else "inf"), within_50ms


def describe_metrics(before, after):
    """What each node did between two scrapes: runs finished, store calls and their mean time."""
    lines = []
    for index, (old, new) in enumerate(zip(before, after), start=1):
        def delta(name, labels=""):
            return new.get((name, labels), 0.0) - old.get((name, labels), 0.0)

        finished = sum(value - old.get(key, 0.0) for key, value in new.items()
                       if key[0] == "jobsched_runs_finished_total")
        created = delta("jobsched_scheduler_runs_created_total")
        calls = []
        for operation in ("fire_due_jobs", "claim_runs", "finish_run", "renew_leases"):
            labels = f'{{operation="{operation}"}}'
            count = delta("jobsched_store_operation_duration_seconds_count", labels)
            if count > 0:
                total = delta("jobsched_store_operation_duration_seconds_sum", labels)
                calls.append(f"{operation} {count:.0f} calls, mean {1000 * total / count:.1f} ms")
        errors = sum(value - old.get(key, 0.0) for key, value in new.items()
                     if key[0] == "jobsched_store_operation_errors_total")
        lines.append(f"node {index}: fired {created:.0f}, finished {finished:.0f} runs; "
                     + "; ".join(calls) + (f"; STORE ERRORS {errors:.0f}" if errors else ""))
    return lines


# --- CPU accounting -----------------------------------------------------------

def cpu_seconds(pid):
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def postgres_pids(postmaster_pid):
    pids = [postmaster_pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == postmaster_pid:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return pids


class CpuMeter:
    """CPU seconds spent by the nodes, by PostgreSQL (postmaster and its backends) and by
    this load generator between start() and stop(). Backends that exit meanwhile are lost;
    the nodes keep theirs open, so that is little."""

    def __init__(self, node_pids, postmaster_pid):
        self.node_pids = node_pids
        self.postmaster_pid = postmaster_pid

    def _sample(self):
        pg = {pid: cpu_seconds(pid) for pid in postgres_pids(self.postmaster_pid)} if self.postmaster_pid else {}
        return time.monotonic(), sum(cpu_seconds(pid) for pid in self.node_pids), pg, cpu_seconds(os.getpid())

    def start(self):
        self.before = self._sample()

    def stop(self):
        wall0, nodes0, pg0, own0 = self.before
        wall1, nodes1, pg1, own1 = self._sample()
        pg = sum(value - pg0.get(pid, 0.0) for pid, value in pg1.items())
        wall = wall1 - wall0
        return (f"CPU over {wall:.1f} s: nodes {nodes1 - nodes0:.1f} s, PostgreSQL {pg:.1f} s, "
                f"load generator {own1 - own0:.1f} s (of {wall * os.cpu_count():.1f} core-seconds)")


# --- scenarios ----------------------------------------------------------------

def measure_creation_rate(args, db):
    """Creates PILOT_JOBS inactive jobs (they never fire) and returns creates/s."""
    far = db.now_ms() + 365 * 86400 * 1000
    bodies = [{"name": f"pilot-{n}", "at": rfc3339_ms(far), "is_active": False, "task": {"type": "noop"}}
              for n in range(PILOT_JOBS)]
    _, seconds = create_jobs(args.node_urls, bodies, args.connections)
    rate = PILOT_JOBS / seconds
    log(f"pilot: {PILOT_JOBS} jobs in {seconds:.2f} s ({rate:.0f} creates/s)")
    return rate


def due_instant(db, job_count, rate, lead_s):
    """The instant (database ms) to schedule `job_count` jobs at: later than creating them takes."""
    lead = lead_s if lead_s > 0 else job_count / rate * CREATION_SLACK + DUE_MARGIN_S
    return db.now_ms() + int(lead * 1000), lead


def check_created_in_time(db, name_prefix, instant_ms):
    last_created = int(db.value(f"SELECT max(created_at) FROM jobs WHERE name LIKE '{name_prefix}%'"))
    if last_created >= instant_ms:
        raise BenchError(f"the last {name_prefix} job was created {last_created - instant_ms} ms after its due "
                         "instant: creation was slower than the pilot; set BENCH_LEAD_SECONDS higher")
    return instant_ms - last_created


def wait_for_runs(db, id_range, expected, not_before_ms, timeout_s, what):
    """Waits until the jobs in id_range have `expected` runs, none of them queued or running, and
    the database clock is past not_before_ms."""
    lo, hi = id_range
    deadline = time.monotonic() + timeout_s
    while True:
        done, total = (int(value) for value in db.query(
            "SELECT count(*) FILTER (WHERE state NOT IN ('queued', 'running')), count(*) "
            f"FROM runs WHERE job_id BETWEEN {lo} AND {hi}")[0])
        if total >= expected and done == total and db.now_ms() >= not_before_ms:
            return
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: after {timeout_s} s only {done} of {expected} runs have finished "
                             f"({total} created)")
        time.sleep(POLL_INTERVAL_S)


def run_burst(args, db, rate, cpu):
    count = args.jobs
    instant, lead = due_instant(db, count, rate, args.lead_seconds)
    log(f"burst: creating {count} jobs due at {rfc3339_ms(instant)} ({lead:.1f} s from now), "
        f"{args.connections} connections")
    bodies = [{"name": f"burst-{n}", "at": rfc3339_ms(instant), "task": {"type": "noop"}} for n in range(count)]
    ids, seconds = create_jobs(args.node_urls, bodies, args.connections)
    spare = check_created_in_time(db, "burst-", instant)
    log(f"burst: created in {seconds:.1f} s ({count / seconds:.0f} creates/s), {spare} ms before the due instant")
    metrics_before = scrape_metrics(args.node_urls)
    time.sleep(max(0.0, (instant - db.now_ms()) / 1000))
    wal_before = db.value("SELECT pg_current_wal_lsn()")
    cpu.start()
    wait_for_runs(db, (min(ids), max(ids)), count, instant, args.timeout_seconds, "burst")
    cpu_report = cpu.stop()
    # Everything the server logged from the due instant to the last finish (other databases are idle).
    wal_bytes = int(db.value(f"SELECT pg_current_wal_lsn() - '{wal_before}'::pg_lsn"))
    metrics_after = scrape_metrics(args.node_urls)

    row = db.query(
        "SELECT count(*), count(*) FILTER (WHERE r.state = 'succeeded'), max(r.created_at), max(r.started_at), "
        "max(r.finished_at), percentile_disc(0.99) WITHIN GROUP "
        "(ORDER BY r.started_at - (r.scheduled_for + r.jitter_ms)) "
        f"FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.name LIKE 'burst-%' AND r.trigger = 'schedule'")[0]
    runs, succeeded = int(row[0]), int(row[1])
    fired_ms, started_ms, finished_ms = (int(v) - instant for v in row[2:5])
    span_s = max(finished_ms, 1) / 1000
    result = {"burst_runs": runs, "burst_succeeded": succeeded, "burst_seconds": f"{span_s:.2f}",
              "burst_rps": f"{runs / span_s:.0f}", "burst_wal_per_run": f"{wal_bytes / max(runs, 1):.0f}"}
    log(f"burst: {runs} runs ({succeeded} succeeded); after the due instant: all fired (run rows created) "
        f"+{fired_ms} ms, all started +{started_ms} ms, all finished +{finished_ms} ms "
        f"=> {runs / span_s:.0f} runs/s; start lateness p99 {row[5]} ms")
    log(f"burst: {cpu_report}")
    log(f"burst: WAL {wal_bytes / 1e6:.1f} MB, {wal_bytes / max(runs, 1):.0f} bytes per run")
    p99_bound, _ = launch_lag(metrics_before, metrics_after)
    log(f"burst: start lag at launch (node metrics): p99 <= {p99_bound} ms")
    for line in describe_metrics(metrics_before, metrics_after):
        log(f"burst: {line}")
    return result


def run_steady(args, db, rate, cpu):
    count, seconds = args.steady_jobs, args.steady_seconds
    start, lead = due_instant(db, count, rate, args.lead_seconds)
    # Job n's occurrences: start + phase(n) + k s for k = 0 .. seconds-1 (end_at is exclusive).
    end = start + seconds * 1000
    log(f"steady: creating {count} jobs every 1s from {rfc3339_ms(start)} ({lead:.1f} s from now) "
        f"for {seconds} s, phases spread over the second")
    bodies = [{"name": f"steady-{n}", "every": "1s", "start_at": rfc3339_ms(start + n * 1000 // count),
               "end_at": rfc3339_ms(end), "overlap": args.overlap, "task": {"type": "noop"}}
              for n in range(count)]
    ids, created_s = create_jobs(args.node_urls, bodies, args.connections)
    spare = check_created_in_time(db, "steady-", start)
    log(f"steady: created in {created_s:.1f} s, {spare} ms before the first occurrence")
    metrics_before = scrape_metrics(args.node_urls)
    time.sleep(max(0.0, (start - db.now_ms()) / 1000))
    cpu.start()
    wait_for_runs(db, (min(ids), max(ids)), count * seconds, end + 1000, seconds + args.timeout_seconds, "steady")
    cpu_report = cpu.stop()
    metrics_after = scrape_metrics(args.node_urls)

    steady = "FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.name LIKE 'steady-%' AND r.trigger = 'schedule'"
    lateness = "r.started_at - (r.scheduled_for + r.jitter_ms)"

    def percentiles(since_ms):
        return db.query(f"SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY {lateness}), "
                        f"percentile_disc(0.99) WITHIN GROUP (ORDER BY {lateness}), max({lateness}), "
                        f"round(avg({lateness}), 1) {steady} AND r.scheduled_for >= {since_ms} "
                        f"AND r.started_at IS NOT NULL")[0]

    warm = percentiles(start + args.warmup_seconds * 1000)
    whole = percentiles(start)
    expected = count * seconds
    # Occurrences that should have fired and did not; and runs off the grid (which should not exist).
    present, off_grid, not_succeeded = (int(v) for v in db.query(
        "SELECT count(DISTINCT (r.job_id, r.scheduled_for)) FILTER (WHERE r.scheduled_for >= j.start_at "
        f"AND r.scheduled_for < {end} AND (r.scheduled_for - j.start_at) % 1000 = 0), "
        f"count(*) FILTER (WHERE r.scheduled_for < j.start_at OR r.scheduled_for >= {end} "
        "OR (r.scheduled_for - j.start_at) % 1000 <> 0), "
        f"count(*) FILTER (WHERE r.state <> 'succeeded') {steady}")[0])
    by_second = db.query(f"SELECT (r.scheduled_for - {start}) / 1000 AS s, count(*), "
                         f"percentile_disc(0.99) WITHIN GROUP (ORDER BY {lateness}), max({lateness}) "
                         f"{steady} GROUP BY s ORDER BY s")
    log(f"steady: {count} fires/s for {seconds} s: {whole[0]} runs started of {expected} expected")
    log(f"steady: lateness over the whole window: p50 {whole[1]} ms, p99 {whole[2]} ms, max {whole[3]} ms, "
        f"mean {whole[4]} ms")
    log(f"steady: lateness after the first {args.warmup_seconds} s (the reported figure): p50 {warm[1]} ms, "
        f"p99 {warm[2]} ms, max {warm[3]} ms, mean {warm[4]} ms over {warm[0]} runs")
    log("steady: per second of the window (runs, p99 ms, max ms): "
        + " ".join(f"{s}:{n}/{p99}/{worst}" for s, n, p99, worst in by_second))
    log(f"steady: {cpu_report}")
    p99_bound, within_50ms = launch_lag(metrics_before, metrics_after)
    log(f"steady: start lag at launch (node metrics, whole window): p99 <= {p99_bound} ms (bucket bound), "
        f"{100 * within_50ms:.2f}% of runs within 50 ms")
    for line in describe_metrics(metrics_before, metrics_after):
        log(f"steady: {line}")
    return {"steady_runs": whole[0], "steady_expected": expected, "p50_ms": warm[1], "p99_ms": warm[2],
            "max_ms": warm[3], "metric_p99_le_ms": p99_bound, "missing": expected - present,
            "off_grid": off_grid, "steady_not_succeeded": not_succeeded}


def check_correctness(db):
    """Over every bench job: occurrences fired twice, runs executed more than once, runs not succeeded."""
    bench_jobs = "SELECT id FROM jobs WHERE name LIKE 'burst-%' OR name LIKE 'steady-%'"
    duplicates = int(db.value(
        "SELECT count(*) FROM (SELECT job_id, scheduled_for FROM runs WHERE trigger = 'schedule' "
        f"AND job_id IN ({bench_jobs}) GROUP BY job_id, scheduled_for HAVING count(*) > 1) AS d"))
    reexecuted = int(db.value(
        f"SELECT (SELECT count(*) FROM runs WHERE attempt > 1 AND job_id IN ({bench_jobs})) + "
        f"(SELECT count(*) FROM run_attempts a JOIN runs r ON r.id = a.run_id WHERE r.job_id IN ({bench_jobs}))"))
    states = dict((state, int(n)) for state, n in db.query(
        f"SELECT state, count(*) FROM runs WHERE job_id IN ({bench_jobs}) GROUP BY state ORDER BY state"))
    pilots_fired = int(db.value("SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id "
                                "WHERE j.name LIKE 'pilot-%'"))
    log(f"correctness: run states {states}; duplicate occurrences {duplicates}; "
        f"re-executed runs {reexecuted}; runs of inactive pilot jobs {pilots_fired}")
    return {"duplicates": duplicates, "reexecuted": reexecuted, "pilot_runs": pilots_fired,
            "not_succeeded": sum(n for state, n in states.items() if state != "succeeded")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the nodes' postgresql:// URL")
    parser.add_argument("--node", dest="node_urls", action="append", required=True, help="http://HOST:PORT")
    parser.add_argument("--node-pid", dest="node_pids", action="append", type=int, default=[])
    parser.add_argument("--postmaster-pid", type=int, default=0)
    parser.add_argument("--mode", choices=("all", "burst", "steady"), default="all")
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--steady-jobs", type=int, default=1000)
    parser.add_argument("--steady-seconds", type=int, default=20)
    parser.add_argument("--warmup-seconds", type=int, default=2)
    parser.add_argument("--overlap", default="allow", choices=("allow", "skip", "queue"))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--lead-seconds", type=float, default=0, help="due instant this far ahead (0: from the pilot)")
    parser.add_argument("--timeout-seconds", type=int, default=300)
    args = parser.parse_args()
    if args.warmup_seconds >= args.steady_seconds:
        parser.error("--warmup-seconds must be less than --steady-seconds")

    db = Database(args.db)
    cpu = CpuMeter(args.node_pids, args.postmaster_pid)
    result = {"nodes": len(args.node_urls)}
    try:
        rate = measure_creation_rate(args, db)
        if args.mode in ("all", "burst"):
            result.update(run_burst(args, db, rate, cpu))
        if args.mode in ("all", "steady"):
            result.update(run_steady(args, db, rate, cpu))
        result.update(check_correctness(db))
    except BenchError as error:
        log(f"error: {error}")
        return 1
    print("BENCH_RESULT " + " ".join(f"{key}={value}" for key, value in result.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
