#!/usr/bin/env python3
"""Where the pages of a SQLite WAL go: frames per commit and per table or index.

Usage: python3 bench/wal_pages.py DATABASE [--top 20]

Reads DATABASE-wal frame by frame (the frames of the WAL's current generation: those whose
salts match its header, up to the last commit), and names the b-tree (table or index) that
owns each page in the database as it is now (the dbstat virtual table on a copy of the
database and its WAL, so the live files are never opened for writing). Prints the frames
written per b-tree, the commits and frames per commit, and the most common kinds of commit
(the set of b-trees a commit touched). Take the files from a stopped service, e.g. after
kill -9: a clean shutdown checkpoints the WAL away.

Pages are owned by whoever owns them at the end: a page freed and reused by another b-tree
during the WAL is counted for its last owner, so the split is approximate.
"""

import argparse
import collections
import os
import shutil
import sqlite3
import struct
import sys
import tempfile

WAL_HEADER = 32
FRAME_HEADER = 24


def read_frames(wal_path):
    """Yields (page number, commit size or 0) for each valid frame of the WAL's current generation."""
    with open(wal_path, "rb") as wal:
        header = wal.read(WAL_HEADER)
        if len(header) < WAL_HEADER:
            return
        magic, _version, page_size, _sequence, salt1, salt2 = struct.unpack(">IIIIII", header[:24])
        if magic not in (0x377F0682, 0x377F0683):
            raise SystemExit(f"{wal_path}: not a WAL file")
        pending = []
        while True:
            frame_header = wal.read(FRAME_HEADER)
            if len(frame_header) < FRAME_HEADER:
                break
            page, commit_size, frame_salt1, frame_salt2 = struct.unpack(">IIII", frame_header[:16])
            if (frame_salt1, frame_salt2) != (salt1, salt2):
                break  # an older generation's frame: the current one ends here
            if len(wal.read(page_size)) < page_size:
                break
            pending.append((page, commit_size))
            if commit_size != 0:  # a commit frame: the transaction is complete
                yield from pending
                pending = []


def page_owners(database):
    """{page number: b-tree name} of the database as it is with its WAL applied (on a copy)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "copy.db")
        shutil.copyfile(database, copy)
        if os.path.exists(database + "-wal"):
            shutil.copyfile(database + "-wal", copy + "-wal")
        connection = sqlite3.connect(copy)
        try:
            rows = connection.execute("SELECT pageno, name FROM dbstat").fetchall()
        finally:
            connection.close()
    return dict(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--last", type=int, default=0, help="only the last N commits of the WAL")
    args = parser.parse_args()
    owners = page_owners(args.database)
    with open(args.database + "-wal", "rb") as wal:
        page_size = struct.unpack(">I", wal.read(WAL_HEADER)[8:12])[0]

    commits = []
    current = collections.Counter()
    for page, commit_size in read_frames(args.database + "-wal"):
        current[owners.get(page, "(free or gone)")] += 1
        if commit_size != 0:
            commits.append(current)
            current = collections.Counter()
    if args.last:
        commits = commits[-args.last:]

    per_tree = collections.Counter()
    kinds = collections.Counter()
    kind_frames = collections.Counter()
    frames_per_commit = []
    for commit in commits:
        frames = sum(commit.values())
        frames_per_commit.append(frames)
        per_tree.update(commit)
        kind = " + ".join(sorted(commit))
        kinds[kind] += 1
        kind_frames[kind] += frames

    total = sum(per_tree.values())
    if total == 0:
        print("no committed frames in the WAL")
        return 0
    frames_per_commit.sort()
    print(f"page size {page_size}; {total} frames ({total * (page_size + FRAME_HEADER) / 1e6:.1f} MB) "
          f"in {len(frames_per_commit)} commits; frames per commit: mean {total / len(frames_per_commit):.1f}, "
          f"median {frames_per_commit[len(frames_per_commit) // 2]}, max {frames_per_commit[-1]}")
    print()
    print(f"{'frames':>9} {'share':>6}  b-tree")
    for name, frames in per_tree.most_common():
        print(f"{frames:9d} {100 * frames / total:5.1f}%  {name}")
    print()
    print(f"{'commits':>8} {'frames':>9} {'per commit':>10}  b-trees touched (top {args.top} kinds by frames)")
    for kind, frames in kind_frames.most_common(args.top):
        print(f"{kinds[kind]:8d} {frames:9d} {frames / kinds[kind]:10.1f}  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
