#!/usr/bin/env python3
"""Label selectors over many jobs (issue #18), for bench/labels.sh. Standard library only, plus wrk.

Seeds JOBS jobs with labels through POST /jobs under wrk (wrk/labels_seed.lua: team 1 in 8,
tier 1 in 3, env 1 in 2, shard 1 in 1,000, owner 1 job, canary 1 in 997, legacy 1 in 10), then
times GET /jobs?label=...&limit=50 with one keep-alive client, selectors shuffled:

  common   selectors many jobs match (equality, inequality, sets, presence, combined)
  rare     selectors few jobs match (one owner, one shard, canary)
  none     selectors no job matches, among them intersections of common labels
  sorted   the same kinds with sort=name / -next_run, and with a name search q (reported apart)
  negated  selectors of negations only (!key, key!=value), which read jobs in order (apart)
  disjoint two common labels that no job has together: the smaller one's jobs are all read (apart)

The target of issue #18 is the p99 of common, rare and none together: under 20 ms at 1,000,000
jobs. The summary goes to stdout; progress lines start with '#'.
"""

import os
import random
import sys
import time
from urllib.parse import quote

from console_rig import BenchError, Service, arguments, fmt, load_average, note, pct, seed, summary_ms
from soak_rig import Client

COMMON = ["team=payments", "team=payments,tier!=batch", "env=prod,tier in (web,worker)", "tier", "legacy",
          "team==payments,env=prod"]
NONE = ["team=nobody", "shard=7,team=payments", "owner=o2,tier=web", "canary,tier=none"]
SORTED = ["team=payments&sort=name", "canary&sort=-next_run", "shard=5&sort=name", "tier=web&sort=-name",
          "team=payments&q=export", "shard=5&q=sync"]
NEGATED = ["!legacy", "team!=payments", "tier notin (web)"]
# Two common labels no job has together (billing jobs are all prod): every job of the
# smaller is read and checked, a cost that grows with it (reported apart).
DISJOINT = ["team=billing,env=staging"]


def rare_selectors(seeded, rng):
    jobs = [rng.randrange(1, seeded + 1) for _ in range(4)]
    return [f"owner=o{jobs[0]}", f"owner=o{jobs[1]},tier", f"shard={jobs[2] % 1000}", "canary"]


def path_of(selector):
    label, _, rest = selector.partition("&")
    return f"/jobs?label={quote(label)}&limit=50" + (f"&{rest}" if rest else "")


def select(service, kinds, requests_per_kind, rng):
    client = Client(service.port)
    matches = {}
    for selectors in kinds.values():  # warm-up, and the first page's size
        for selector in selectors:
            status, raw = client.get(path_of(selector))
            if status != 200:
                raise BenchError(f"GET {path_of(selector)} answered {status}: {raw[:300]!r}")
            matches[selector] = raw.count(b'"id":')
    plan = [(kind, selectors[n % len(selectors)]) for kind, selectors in kinds.items()
            for n in range(requests_per_kind)]
    rng.shuffle(plan)
    latencies = {kind: [] for kind in kinds}
    by_selector = {selector: [] for selectors in kinds.values() for selector in selectors}
    for kind, selector in plan:
        started = time.perf_counter()
        status, raw = client.get(path_of(selector))
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise BenchError(f"GET {path_of(selector)} answered {status}: {raw[:300]!r}")
        latencies[kind].append(elapsed)
        by_selector[selector].append(elapsed)
    service.require_alive("the selections")
    return matches, latencies, by_selector


def report(seeded, kinds, matches, latencies, by_selector):
    lines = [f"label selectors over {seeded:,} jobs: GET /jobs?label=...&limit=50, one client, shuffled"]
    for kind, selectors in kinds.items():
        lines.append(f"  {kind:>7}: {summary_ms(latencies[kind])}")
        lines.append("           selector (first-page jobs) p50/max ms: " + ", ".join(
            f"{selector!r} ({matches[selector]}) {fmt(pct(by_selector[selector], 0.5))}/"
            f"{fmt(max(by_selector[selector]))}" for selector in selectors))
    mix = latencies["common"] + latencies["rare"] + latencies["none"]
    lines.append(f"  common, rare and none in id order: p99 {fmt(pct(mix, 0.99))} ms (target < 20 ms), "
                 f"p50 {fmt(pct(mix, 0.5))} ms, max {fmt(max(mix))} ms over {len(mix)} requests")
    return lines


def parse_args():
    parser = arguments(__doc__)
    parser.add_argument("--requests", type=int, default=200, help="per kind of selector")
    parser.add_argument("--seeded", action="store_true",
                        help="DIR/labels.db holds the JOBS jobs already (a kept run's): do not seed")
    return parser.parse_args()


def main():
    args = parse_args()
    rng = random.Random(18)
    started = time.monotonic()
    summary = []
    note(f"# jobsched label benchmark: {os.cpu_count()} cores, load average {load_average()} at the start")
    service = Service(args.binary, args.dir, "labels").start()
    status = 0
    try:
        if not args.seeded:
            note(f"# seeding {args.jobs:,} jobs with labels")
            seconds = seed(service, args.jobs, 1, connections=128, script="labels_seed.lua")
            database, wal, _ = service.db_bytes()
            summary.append(f"  seeded {args.jobs:,} jobs in {seconds:.1f} s ({args.jobs / seconds:,.0f} jobs/s); "
                           f"database {database / 2**20:,.0f} MiB, WAL {wal / 2**20:,.0f} MiB")
        kinds = {"common": COMMON, "rare": rare_selectors(args.jobs, rng), "none": NONE, "sorted": SORTED,
                 "negated": NEGATED, "disjoint": DISJOINT}
        summary += report(args.jobs, kinds, *select(service, kinds, args.requests, rng))
    except BenchError as error:
        summary.append(f"error, the benchmark stopped: {error}")
        status = 1
    finally:
        service.stop()
    print(f"=== Summary ({time.monotonic() - started:.0f} s; load average at the end {load_average()})")
    for line in summary:
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
