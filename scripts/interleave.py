#!/usr/bin/env python3
"""Interleaved runs of several binaries on the same arguments: min and median wall and CPU time.

Usage: scripts/interleave.py RUNS BIN... -- ARGS...      (ARGS may start with <FILE for stdin)
Example: scripts/interleave.py 60 ./before ./after -- -q -c cfg.yaml deployment.yaml

Each round runs every binary once, so the machine's noise falls on all of them alike; compare
the rows, not runs made at different times.
"""
import os
import resource
import subprocess
import sys
import time


def main():
    runs = int(sys.argv[1])
    sep = sys.argv.index("--")
    bins, args = sys.argv[2:sep], sys.argv[sep + 1:]
    stdin = None
    if args and args[0].startswith("<"):
        stdin, args = args[0][1:], args[1:]
    results = {b: [] for b in bins}
    for _ in range(runs):
        for b in bins:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            with open(stdin) if stdin else open(os.devnull) as inp:
                subprocess.run([b] + args, stdin=inp, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            results[b].append((wall, cpu))
    for b in bins:
        walls = sorted(w for w, _ in results[b])
        cpus = sorted(c for _, c in results[b])
        print(f"{os.path.basename(b):12} wall min {walls[0] * 1000:8.1f} med {walls[len(walls) // 2] * 1000:8.1f} ms"
              f"   cpu min {cpus[0] * 1000:8.1f} med {cpus[len(cpus) // 2] * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
