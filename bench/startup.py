#!/usr/bin/env python3
"""Start-up of jobsched, binaries side by side (issue #19: RSS and start-up time at ready).

Usage: python3 bench/startup.py [--rounds N] [--db FILE] BINARY [BINARY ...]

Each round starts every binary in turn on a copy of FILE (default: a new, empty SQLite file),
asks GET /readyz every 2 ms until it answers 200, then reads the process's RSS (VmRSS) and the
CPU time it used so far (user + system, from /proc/PID/stat: unlike the wall time, it does not
depend on what else the machine runs), and stops it with SIGTERM. Printed per binary: the
median, min and max of the three. Compare builds in one run: the machine is shared and noisy.
A binary finds the console and Swagger UI files beside it (build/share), as `serve` does.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request


def start_once(binary, port, source_db, folder):
    db = os.path.join(folder, "startup.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    if source_db:
        shutil.copyfile(source_db, db)
    started = time.monotonic()
    process = subprocess.Popen(
        [binary, "serve", "--listen", f"127.0.0.1:{port}", "--db", f"sqlite:{db}", "--access-log", "off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{binary} exited with status {process.returncode} before it was ready")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.002)
        wall_ms = (time.monotonic() - started) * 1000
        with open(f"/proc/{process.pid}/status") as status:
            rss_mib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        cpu_ms = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    finally:
        process.terminate()
        process.wait(timeout=15)
    return wall_ms, rss_mib, cpu_ms


def summary(values, unit):
    return f"{statistics.median(values):.1f} {unit} ({min(values):.1f}-{max(values):.1f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--db", help="a SQLite file to start on (copied for each start)")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    results = {binary: [] for binary in args.binaries}
    with tempfile.TemporaryDirectory(prefix="jobsched-startup-") as folder:
        for round_index in range(args.rounds):
            for index, binary in enumerate(args.binaries):
                port = 18300 + round_index * len(args.binaries) + index
                results[binary].append(start_once(binary, port, args.db, folder))
    print(f"{args.rounds} starts each, median (min-max); {os.getloadavg()[0]:.1f} load average at the end")
    for binary, runs in results.items():
        wall, rss, cpu = zip(*runs)
        print(f"{binary}: to /readyz {summary(wall, 'ms')}, RSS at ready {summary(rss, 'MiB')}, "
              f"CPU to ready {summary(cpu, 'ms')}")


if __name__ == "__main__":
    main()
