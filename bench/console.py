#!/usr/bin/env python3
"""The web console's figures of issue #16, for bench/console.sh. Standard library only, plus wrk,
node and chromium (playwright-core from tests/tooling).

  paint        /ui/jobs over PAGE_JOBS jobs in headless chromium: from the navigation's start to
               the paint of the jobs table's first row, LOADS loads in new contexts (cold cache)
               and again in the same context (warm), after one load that is not counted.
  trace        (not in the default set) the same loads traced by chromium: where the page's main
               thread spends its time until that row's frame, CPU and wall, by kind.
  search       GET /jobs?q=...&limit=50 at PAGE_JOBS and at SEARCH_JOBS jobs: common substrings,
               rare ones, no match (cheap and costly), one keep-alive client, queries shuffled;
               and queries under 3 characters (no index: a scan), reported apart.
  subscribers  SUBSCRIBERS idle GET /events streams on a fresh service with 10,000 jobs: its RSS
               before and with them, and GET /jobs/{id} under wrk with them against without.
  events       noop jobs every 1s on that service: received - finished_at of run.finished, to a
               plain subscriber and to the console's own handler in chromium.

Jobs are created through the API (POST /jobs under wrk, bench/wrk/console_seed.lua): jobsched has
no offline import. The summary goes to stdout; progress lines start with '#'.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

import console_live
from console_rig import MIB, BenchError, Service, fmt, load_average, note, pct, seed, summary_ms
from soak_rig import Client

HERE = os.path.dirname(os.path.abspath(__file__))
VERBS = ["export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest"]
OBJECTS = ["invoices", "users", "orders", "sessions", "metrics", "catalog", "emails", "ledgers", "caches",
           "images", "tokens", "audits"]
# Searches by kind. common: a verb (1 job in 10), a team (1 in 8), verb-object (1 in 120), an
# object (1 in 12), team-verb (1 in 80). none: "zzqx" has trigrams no name has; the others are
# made of common trigrams in an order no name has, so the index must intersect long lists.
COMMON = ["export", "payments", "sync-orders", "ledgers", "infra-backup"]
NO_MATCH = ["zzqx", "orders-billing", "export-import", "caches-payments"]
SHORT = ["ex", "zq"]


def object_of(job):
    return OBJECTS[job // 80 % len(OBJECTS)]


def rare_queries(seeded, rng):
    """'-ID' (that job and the few whose id starts with ID) and 'OBJECT-ID' (that job), 3 each."""
    ids = [rng.randrange(max(seeded // 10, min(10_000, seeded // 2)), seeded + 1) for _ in range(6)]
    return [f"-{job}" for job in ids[:3]] + [f"{object_of(job)}-{job}" for job in ids[3:]]


def search(service, seeded, requests_per_class, rng):
    """Latencies (ms) per kind of query, each query answered 200 and its matches counted once."""
    client = Client(service.port)
    kinds = {"common": COMMON, "rare": rare_queries(seeded, rng), "none": NO_MATCH, "short": SHORT}
    matches = {}
    for queries in kinds.values():  # warm-up, and how many each finds on its first page
        for query in queries:
            status, raw = client.get(f"/jobs?q={quote(query)}&limit=50")
            if status != 200:
                raise BenchError(f"GET /jobs?q={query} answered {status}: {raw[:300]!r}")
            matches[query] = len(json.loads(raw))
    plan = []
    for kind, queries in kinds.items():
        count = requests_per_class if kind != "short" else max(10, requests_per_class // 8)
        plan += [(kind, queries[n % len(queries)]) for n in range(count)]
    rng.shuffle(plan)
    latencies = {kind: [] for kind in kinds}
    by_query = {query: [] for queries in kinds.values() for query in queries}
    for kind, query in plan:
        started = time.perf_counter()
        status, raw = client.get(f"/jobs?q={quote(query)}&limit=50")
        elapsed = (time.perf_counter() - started) * 1000
        latencies[kind].append(elapsed)
        by_query[query].append(elapsed)
        if status != 200:
            raise BenchError(f"GET /jobs?q={query} answered {status}: {raw[:300]!r}")
    service.require_alive("the searches")
    return kinds, matches, latencies, by_query


def report_search(seeded, kinds, matches, latencies, by_query):
    mix = latencies["common"] + latencies["rare"] + latencies["none"]
    lines = [f"search over {seeded:,} jobs: GET /jobs?q=...&limit=50, one client, queries shuffled"]
    for kind, queries in kinds.items():
        lines.append(f"  {kind:>6}: {summary_ms(latencies[kind])}")
        lines.append("          query (first-page matches) p50/max ms: " + ", ".join(
            f"{query!r} ({matches[query]}) {fmt(pct(by_query[query], 0.5))}/{fmt(max(by_query[query]))}"
            for query in queries))
    lines.append(f"  mix of common, rare and no match: p99 {fmt(pct(mix, 0.99))} ms (target < 50 ms), "
                 f"p50 {fmt(pct(mix, 0.5))} ms, max {fmt(max(mix))} ms over {len(mix)} requests")
    return lines


def browser_config(args, service, profile_root):
    if not args.node or not args.modules or not args.chromium:
        return None
    profile = tempfile.mkdtemp(prefix="chromium-", dir=profile_root)  # a fresh profile per browser
    return {"origin": service.url, "chromium": args.chromium,
            "command": [args.node, os.path.join(HERE, "console_browser.js")],
            "env": dict(os.environ, JOBSCHED_TOOLING_MODULES=args.modules, TMPDIR=profile)}


def paint(services, args):
    """First-row paint times (ms) of /ui/jobs on each service, loads alternating between them:
    (probe, cold, warm) per service and probe, in that order; cold and warm are lists of per-load
    dicts."""
    config = browser_config(args, services[0], args.dir)
    if config is None:
        raise BenchError("no browser: pass --node, --modules and --chromium")
    probes = args.paint_probes.split(",")
    run = {"mode": "paint", "origins": [service.url for service in services], "chromium": config["chromium"],
           "path": "/ui/jobs", "loads": args.loads + 1, "probes": probes}
    finished = subprocess.run(config["command"] + [json.dumps(run)], env=config["env"], capture_output=True,
                              text=True, timeout=600 * len(services))
    if finished.returncode != 0:
        raise BenchError(f"the browser failed: {finished.stderr[-1500:]}")
    found = json.loads(finished.stdout.strip().splitlines()[-1])["by_origin"]
    for service in services:
        service.require_alive("the page loads")
    # The first load warms chromium up; not counted.
    return [(probe, found[f"{service.url} {probe}"]["cold"][1:], found[f"{service.url} {probe}"]["warm"][1:])
            for service in services for probe in probes]


def trace(services, args):
    """console_trace.js over the services: {url: {"cold"|"warm": {kind: [cpu_ms, wall_ms]}}}."""
    config = browser_config(args, services[0], args.dir)
    run = {"origins": [service.url for service in services], "chromium": config["chromium"], "path": "/ui/jobs",
           "loads": args.trace_loads}
    finished = subprocess.run([args.node, os.path.join(HERE, "console_trace.js"), json.dumps(run)], env=config["env"],
                              capture_output=True, text=True, timeout=600 * len(services))
    if finished.returncode != 0:
        raise BenchError(f"the traced loads failed: {finished.stderr[-1500:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])["by_origin"]


def report_trace(name, found):
    lines = [f"{name}: the page's main thread from the navigation's start to the first row's frame, traced "
             "(mean per load; CPU = the trace's thread time / wall)"]
    for label in ("cold", "warm"):
        kinds = found[label]
        lines.append(f"  {label:>5}: " + ", ".join(f"{kind} {fmt(cpu)}/{fmt(wall)}" for kind, (cpu, wall) in kinds.items())
                     + " ms")
    return lines


def paint_phase(service, seeded, args, phases, out):
    """The paint figures (and with `trace`, the traced split) of `service`, and with --binary-b those
    of a second service on a copy of its database, loaded in turn with it (an A/B comparison on the
    same machine, same minutes)."""
    services = [service]
    names = [f"A: {args.binary}"]
    if args.binary_b:
        service.stop()  # a consistent copy of the database: the service is stopped while it is taken
        other = Service(args.binary_b, args.dir, "jobs-b")
        for suffix in ("", "-wal"):
            if os.path.exists(service.db_path + suffix):
                shutil.copyfile(service.db_path + suffix, other.db_path + suffix)
        service.start()
        other.start()
        services.append(other)
        names.append(f"B: {args.binary_b}")
    try:
        if "paint" in phases:
            found = paint(services, args)
            per_service = len(found) // len(services)
            for index, (probe, cold, warm) in enumerate(found):
                out(f"{names[index // per_service]}, probe {probe}", *report_paint(seeded, cold, warm))
        if "trace" in phases:
            traced = trace(services, args)
            for name, one in zip(names, services):
                out(*report_trace(name, traced[one.url]))
    finally:
        for other in services[1:]:
            other.stop()


def report_paint(seeded, cold, warm):
    lines = [f"/ui/jobs over {seeded:,} jobs in headless chromium, 1400x900: navigation start to the first "
             f"jobs row painted (Element Timing), {len(cold)} loads each"]
    for label, loads in (("cold (new context)", cold), ("warm (cached assets)", warm)):
        rows = [load["row"] if load["row"] is not None else load["frame"] for load in loads]
        frames = [load["frame"] for load in loads]
        apis = [load["api"] for load in loads if load["api"] is not None]
        starts = [load["apiStart"] for load in loads if load["apiStart"] is not None]
        lines.append(f"  {label:>20}: median {fmt(pct(rows, 0.5))} ms, p95 {fmt(pct(rows, 0.95))} ms "
                     f"(max of {len(rows)}), min {fmt(min(rows))}; target < 300 ms")
        lines.append(f"  {'':>20}  script's frame cross-check: median {fmt(pct(frames, 0.5))} ms; GET /jobs began at "
                     f"median {fmt(pct(starts, 0.5))} ms and took {fmt(pct(apis, 0.5))} ms; assets "
                     f"{loads[0]['assets']}, over the network {loads[0]['fetched']}")
    lines.append("    each load ms (cold): " + " ".join(fmt(load["row"], 0) for load in cold))
    lines.append("    each load ms (warm): " + " ".join(fmt(load["row"], 0) for load in warm))
    if any(load["row"] is None for load in cold + warm):
        lines.append("    (a load without an Element Timing entry counts its next frame instead)")
    return lines


def trigger_first_page(service, jobs=50, runs_each=2):
    """A few finished runs for the jobs of the first page, so its run strips are not empty."""
    client = Client(service.port)
    for _ in range(runs_each):  # one at a time per job: they are `overlap: skip`
        for job in range(1, jobs + 1):
            status, raw = client.request("POST", f"/jobs/{job}/trigger")
            if status != 202:
                raise BenchError(f"POST /jobs/{job}/trigger answered {status}: {raw[:200]!r}")
        time.sleep(1.5)


def db_size_line(service, when):
    db, wal, shm = service.db_bytes()
    return f"  database {when}: {db / MIB:,.1f} MiB, -wal {wal / MIB:,.1f} MiB, -shm {shm / MIB:,.1f} MiB"


def seed_line(count, first, seconds):
    return f"  seeded jobs {first:,}..{first + count - 1:,} in {seconds:.1f} s ({count / seconds:,.0f} jobs/s)"


def jobs_phases(args, phases, out):
    """paint and search on one service: PAGE_JOBS jobs, then up to SEARCH_JOBS."""
    rng = random.Random(16)
    service = Service(args.binary, args.dir, "jobs").start()
    try:
        seconds = seed(service, args.page_jobs, 1)
        out(seed_line(args.page_jobs, 1, seconds))
        trigger_first_page(service)
        if phases & {"paint", "trace"}:
            paint_phase(service, args.page_jobs, args, phases, out)
        if "search" in phases:
            out(*report_search(args.page_jobs, *search(service, args.page_jobs, args.search_requests, rng)))
            if args.search_jobs > args.page_jobs:
                more = args.search_jobs - args.page_jobs
                seconds = seed(service, more, args.page_jobs + 1, connections=128)
                out(seed_line(more, args.page_jobs + 1, seconds), db_size_line(service, "after seeding"))
                out(*report_search(args.search_jobs, *search(service, args.search_jobs, args.search_requests, rng)))
                if phases & {"paint", "trace"}:
                    paint_phase(service, args.search_jobs, args, phases, out)
        problems = service.problems()
    finally:
        service.stop()
    out(db_size_line(service, "after SIGTERM"), *(f"  service logged: {line}" for line in problems[-5:]))


def live_phases(args, phases, out):
    """subscribers and events on a fresh service with 10,000 jobs."""
    service = Service(args.binary, args.dir, "live").start()
    try:
        seeded = 10_000
        seed(service, seeded, 1)
        if "subscribers" in phases:
            found = console_live.idle_subscribers(service, seeded, args.subscribers, args)
            out(*console_live.report_subscribers(found, args.wrk_connections, args.wrk_seconds))
        if "events" in phases:
            config = browser_config(args, service, args.dir) if args.browser_events else None
            out(*console_live.report_events(console_live.event_latency(service, args, config)))
        problems = service.problems()
    finally:
        service.stop()
    out(*(f"  service logged: {line}" for line in problems[-5:]))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--binary-b", help="paint: also load the console of this binary, in turn (A/B)")
    parser.add_argument("--paint-probes", default="console",
                        help="how the browser waits for the row: console, playwright, or both in turn")
    parser.add_argument("--dir", required=True, help="temporary folder: databases, logs, browser profiles")
    parser.add_argument("--node")
    parser.add_argument("--modules", help="node_modules holding playwright-core")
    parser.add_argument("--chromium")
    parser.add_argument("--phases", default="paint,search,subscribers,events")
    parser.add_argument("--page-jobs", type=int, default=100_000)
    parser.add_argument("--search-jobs", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--trace-loads", type=int, default=10, help="trace: traced loads per service")
    parser.add_argument("--search-requests", type=int, default=150, help="per kind of query")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=64)
    parser.add_argument("--wrk-rounds", type=int, default=2, help="runs with the subscribers")
    parser.add_argument("--event-jobs", type=int, default=100)
    parser.add_argument("--event-seconds", type=int, default=20)
    parser.add_argument("--browser-events", type=int, default=1, help="0: no chromium subscriber")
    return parser.parse_args()


def main():
    args = parse_args()
    phases = set(args.phases.split(","))
    summary = []

    def out(*lines):
        for line in lines:
            note(line)
            summary.append(line)

    started = time.monotonic()
    note(f"# jobsched console benchmark: {os.cpu_count()} cores, load average {load_average()} at the start")
    status = 0
    try:
        if phases & {"paint", "trace", "search"}:
            jobs_phases(args, phases, out)
        if phases & {"subscribers", "events"}:
            live_phases(args, phases, out)
    except BenchError as error:
        out(f"error, the benchmark stopped: {error}")
        status = 1
    print(f"=== Summary ({time.monotonic() - started:.0f} s; load average at the end {load_average()})")
    for line in summary:
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
