#!/usr/bin/env python3
"""Benchmark: the release binary on generated streams, against floors and kubectl kustomize.

Usage: scripts/bench.sh [--sizes 1000,10000] [--runs 3] [--kustomize-max 1000] [--stdin-only]
                       [--baseline BIN] [--idle-rounds 3] [--no-build] [--write-docs]
       scripts/bench.sh --sizes 100000 --stdin-only     (the peak RSS check at 100,000)

For each size N it generates a deterministic stream (scripts/gen_stream.py) and measures, in the
same run (the machine is shared and noisy, so compare ratios):
  cat                     the I/O floor
  round trip              kubeopencode-inject --normalize with observability disabled: every
                          document parsed and re-emitted by the tool's own YAML code
  inject                  kubeopencode-inject, the real work (40% Deployments + 20% Task Pods edited),
                          from files and from stdin
  diff                    kubeopencode-inject diff from stdin (the whole unified diff)
  check                   kubeopencode-inject check (lint and drift) over the file
  --in-place              kubeopencode-inject --in-place on a fresh copy of the stream (copy not timed)
  -o json                 kubeopencode-inject -o json (the v1 List)
  kustomize SMP           kubectl kustomize with strategic-merge patches doing the equivalent edit
                          (only up to --kustomize-max: it is superlinear)
Wall time is the median of --runs runs, back to back; at 10,000 the summary also gives inject from
a file when each run follows 3 s of idle (--idle-rounds, the way a tool is really run). Peak RSS
comes from /usr/bin/time -v. --stdin-only measures only the streaming front ends (inject and diff
from stdin, check), for the memory check at 100,000 and beyond. --baseline BIN measures a second binary (e.g. main's, built into another directory) in
the same run, the two binaries alternating run by run, so before/after ratios share the machine's
noise. The "vs kustomize"
column is the ratio of kubectl kustomize's time to the row's at the same N.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kubeopencode-inject")

CONFIG = """apiVersion: kubeopencode.io/v1alpha1
kind: KubeOpenCodeConfig
metadata:
  name: cluster
spec:
  observability:
    openTelemetry:
      enabled: {enabled}
      endpoint: http://otel-collector.observability:4318
      enableLLMTraces: true
"""

KUSTOMIZATION = """resources:
- stream.yaml
patches:
- target:
    kind: Deployment
    labelSelector: kubeopencode.io/agent
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      template:
        spec:
          containers:
          - name: opencode-server
            env:
            - name: OTEL_POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.observability:4318
            - name: OTEL_RESOURCE_ATTRIBUTES
              value: k8s.pod.name=$(OTEL_POD_NAME)
- target:
    kind: Pod
    labelSelector: kubeopencode.io/task
  patch: |-
    apiVersion: v1
    kind: Pod
    metadata:
      name: any
    spec:
      containers:
      - name: agent
        env:
        - name: OTEL_EXPORTER_OTLP_ENDPOINT
          value: http://otel-collector.observability:4318
        - name: OTEL_RESOURCE_ATTRIBUTES
          value: k8s.pod.name=x
"""


def run_once(cmd, stdin_path=None, cwd=None, ok=(0,), prepare=None):
    """Wall seconds and peak RSS (MB) of one run (prepare() runs untimed before it)."""
    if prepare:
        prepare()
    with open(stdin_path or os.devnull, "rb") as sin, open(os.devnull, "wb") as sout:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdin=sin, stdout=sout,
                           stderr=subprocess.PIPE, cwd=cwd)
        wall = time.perf_counter() - t
    if p.returncode not in ok:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}")
    rss = 0.0
    for line in p.stderr.decode().splitlines():
        if "Maximum resident set size" in line:
            rss = int(line.split()[-1]) / 1024
    return wall, rss


def measure(cmd, runs, stdin_path=None, cwd=None, ok=(0,), prepare=None):
    """Median wall seconds and max peak RSS (MB) over runs."""
    return measure_together([(cmd, stdin_path, ok, prepare)], runs, cwd)[0]


def measure_together(jobs, runs, cwd=None):
    """measure() for several commands, run in rounds (each command once per round), so that the
    noise of a shared machine falls on all of them alike: [(median wall, max RSS)] per job."""
    walls = [[] for _ in jobs]
    rss = [[] for _ in jobs]
    for _ in range(runs):
        for i, (cmd, stdin_path, ok, prepare) in enumerate(jobs):
            w, r = run_once(cmd, stdin_path, cwd, ok, prepare)
            walls[i].append(w)
            rss[i].append(r)
    return [(statistics.median(w), max(r)) for w, r in zip(walls, rss)]


def startup(bin_paths, runs=200):
    """Median end-to-end time of one small Deployment (process start to exit), per binary, the
    binaries alternating run by run."""
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "cfg.yaml")
    open(cfg, "w").write(CONFIG.format(enabled="true"))
    dep = os.path.join(tmp, "d.yaml")
    # The first Deployment of a small stream (`gen_stream.py 1` is a Secret: until session 10
    # this row timed one Secret).
    out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_stream.py"), "20"],
                         capture_output=True, text=True, check=True).stdout
    docs = [d for d in out.split("---\n") if "\nkind: Deployment\n" in "\n" + d]
    open(dep, "w").write("---\n" + docs[0])
    medians = alternating([[b, "-q", "-c", cfg, "-f", dep] for b in bin_paths], runs)
    shutil.rmtree(tmp)
    return medians


def after_idle(bin_paths, stream, cfg, rounds, pause=3.0):
    """Median wall time of `inject` from a file when each run follows `pause` seconds of idle,
    per binary, alternating. A tool is run once, not in a loop: on a virtual machine that hands
    free memory back to its host, the first touch of memory after a pause can cost several times
    what back-to-back runs (every row of the table) measure (docs/performance.md, session 11)."""
    return alternating([[b, "-q", "-c", cfg, "-f", stream] for b in bin_paths], rounds, pause)


def alternating(cmds, rounds, pause=0.0):
    """Median wall time of each command, the commands alternating run by run (each run after
    `pause` seconds of idle, if any)."""
    walls = [[] for _ in cmds]
    for _ in range(rounds):
        for i, cmd in enumerate(cmds):
            if pause:
                time.sleep(pause)
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            walls[i].append(time.perf_counter() - t)
    return [statistics.median(w) for w in walls]


def front_ends(b, tag, tmp, stream, on, off, stdin_only):
    """(label, cmd, stdin, ok, prepare) for every front end of binary b."""
    copy = os.path.join(tmp, f"inplace{tag}.yaml")
    refresh = lambda: shutil.copyfile(stream, copy)
    rows = []
    if not stdin_only:
        rows.append(("round trip (parse+emit)", [b, "-q", "--normalize", "--all", "-c", off, "-f", stream], None, (0,), None))
        rows.append(("inject (files)", [b, "-q", "-c", on, "-f", stream], None, (0,), None))
    rows.append(("inject (stdin)", [b, "-q", "-c", on], stream, (0,), None))
    rows.append(("diff (stdin)", [b, "diff", "-c", on], stream, (0, 1), None))
    rows.append(("check", [b, "check", "-c", on, "-f", stream], None, (0, 1), None))
    if not stdin_only:
        rows.append(("--in-place", [b, "-q", "--in-place", "-c", on, "-f", copy], None, (0,), refresh))
        rows.append(("-o json", [b, "-q", "-o", "json", "-c", on, "-f", stream], None, (0,), None))
    return [(label + tag, cmd, sin, ok, prep) for label, cmd, sin, ok, prep in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kustomize-max", type=int, default=1000)
    ap.add_argument("--stdin-only", action="store_true")
    ap.add_argument("--baseline", help="a second binary measured in the same run (rows marked 'before')")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build --release first")
    ap.add_argument("--idle-rounds", type=int, default=3,
                    help="runs of inject at 10,000 resources after 3 s of idle, per binary (0: none)")
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    have_kubectl = shutil.which("kubectl") is not None
    bins = [(BIN, "")] + ([(os.path.abspath(a.baseline), " [before]")] if a.baseline else [])
    rows = []
    idle = []
    for n in [int(s) for s in a.sizes.split(",")]:
        tmp = tempfile.mkdtemp()
        stream = os.path.join(tmp, "stream.yaml")
        with open(stream, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_stream.py"), str(n)],
                           stdout=f, check=True)
        mb = os.path.getsize(stream) / 1e6
        on, off = os.path.join(tmp, "on.yaml"), os.path.join(tmp, "off.yaml")
        open(on, "w").write(CONFIG.format(enabled="true"))
        open(off, "w").write(CONFIG.format(enabled="false"))
        cells = {}
        if not a.stdin_only:
            cells["cat"] = measure(["cat", stream], a.runs)
        # Interleave the binaries run by run, front end by front end, so that both see the same
        # load: the ratios between them are what a noisy machine still measures well.
        per_bin = [front_ends(b, tag, tmp, stream, on, off, a.stdin_only) for b, tag in bins]
        for group in zip(*per_bin):
            results = measure_together([(cmd, sin, ok, prep) for _, cmd, sin, ok, prep in group], a.runs)
            for (label, *_), cell in zip(group, results):
                cells[label] = cell
        if n == 10000 and a.idle_rounds > 0 and not a.stdin_only:
            idle = [(tag, t, mb) for (_, tag), t in
                    zip(bins, after_idle([b for b, _ in bins], stream, on, a.idle_rounds))]
        if have_kubectl and n <= a.kustomize_max and not a.stdin_only:
            open(os.path.join(tmp, "kustomization.yaml"), "w").write(KUSTOMIZATION)
            cells["kubectl kustomize (SMP)"] = measure(["kubectl", "kustomize", tmp], 1 if n >= 1000 else a.runs)
        rows.append((n, mb, cells))
        shutil.rmtree(tmp)
        print(f"N={n}: " + ", ".join(f"{k} {v[0]:.3f}s" for k, v in cells.items()), file=sys.stderr)
    starts = (list(zip([tag for _, tag in bins], startup([b for b, _ in bins])))
              if not a.stdin_only else [])
    lines = ["| N | MB | tool | wall s | MB/s | peak RSS MB | vs inject | vs kustomize |",
             "|--:|--:|---|--:|--:|--:|--:|--:|"]
    for n, mb, cells in rows:
        base = cells.get("inject (files)", cells["inject (stdin)"])[0]
        kz = cells.get("kubectl kustomize (SMP)")
        for k, (wall, rss) in cells.items():
            vs_k = f"{kz[0] / wall:.0f}x" if kz else ""
            lines.append(f"| {n} | {mb:.1f} | {k} | {wall:.3f} | {mb / wall:.1f} | {rss:.0f} | {wall / base:.2f}x | {vs_k} |")
    table = "\n".join(lines)
    summary = "\n".join(f"Single small Deployment{tag}, end to end (median of 200 runs): {t * 1000:.2f} ms  "
                        for tag, t in starts)
    summary += "".join(f"\n10,000 resources, inject (files){tag}, each run after 3 s of idle (median of "
                       f"{a.idle_rounds}): {t * 1000:.1f} ms, {mb / t:.1f} MB/s  " for tag, t, mb in idle)
    print(table)
    print()
    print(summary)
    if a.write_docs:
        path = os.path.join(ROOT, "docs", "performance.md")
        doc = open(path).read()
        marker = "bench-big" if a.stdin_only else "bench"
        s, e = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
        i, j = doc.index(s) + len(s), doc.index(e)
        machine = subprocess.run(["sh", "-c", "nproc; uname -m"], capture_output=True, text=True).stdout.split()
        flags = " --stdin-only" if a.stdin_only else ""
        flags += " --baseline BIN" if a.baseline else ""
        stamp = f"Measured with `scripts/bench.sh --sizes {a.sizes}{flags}` on a {machine[0]}-core {machine[1]} machine.\n\n"
        open(path, "w").write(doc[:i] + stamp + table + "\n\n" + summary + "\n" + doc[j:])


if __name__ == "__main__":
    main()
