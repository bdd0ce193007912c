#!/usr/bin/env python3
"""Benchmark: the release binary on generated streams, against floors and kubectl kustomize.

Usage: scripts/bench.sh [--sizes 100,1000,10000] [--runs 3] [--kustomize-max 1000] [--stdin-only]
                       [--write-docs]

For each size N it generates a deterministic stream (scripts/gen_stream.py) and measures, in the
same run (the machine is shared and noisy, so compare ratios):
  cat                     the I/O floor
  round trip              kubeopencode-inject --normalize with observability disabled: every
                          document parsed and re-emitted by the tool's own YAML code
  inject                  kubeopencode-inject, the real work (40% Deployments + 20% Task Pods edited),
                          from files and from stdin
  diff                    kubeopencode-inject diff from stdin (the whole unified diff)
  kustomize SMP           kubectl kustomize with strategic-merge patches doing the equivalent edit
                          (only up to --kustomize-max: it is superlinear)
Wall time is the median of --runs runs; peak RSS comes from /usr/bin/time -v. --stdin-only measures
only inject and diff from stdin (for streams of millions of resources: the memory check).
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


def measure(cmd, runs, stdin_path=None, cwd=None, ok=(0,)):
    """Median wall seconds and max peak RSS (MB) over runs."""
    walls, rss = [], []
    for _ in range(runs):
        with open(stdin_path or os.devnull, "rb") as sin, open(os.devnull, "wb") as sout:
            t = time.perf_counter()
            p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdin=sin, stdout=sout,
                               stderr=subprocess.PIPE, cwd=cwd)
            walls.append(time.perf_counter() - t)
        if p.returncode not in ok:
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr.decode()[-2000:]}")
        for line in p.stderr.decode().splitlines():
            if "Maximum resident set size" in line:
                rss.append(int(line.split()[-1]) / 1024)
    return statistics.median(walls), max(rss) if rss else 0.0


def startup(runs=200):
    """Median end-to-end time of one small Deployment (process start to exit)."""
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "cfg.yaml")
    open(cfg, "w").write(CONFIG.format(enabled="true"))
    dep = os.path.join(tmp, "d.yaml")
    out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_stream.py"), "1"],
                         capture_output=True, text=True).stdout
    open(dep, "w").write(out)
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([BIN, "-q", "-c", cfg, "-f", dep], stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t)
    shutil.rmtree(tmp)
    return statistics.median(walls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kustomize-max", type=int, default=1000)
    ap.add_argument("--stdin-only", action="store_true")
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    have_kubectl = shutil.which("kubectl") is not None
    rows = []
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
            cells["round trip (parse+emit)"] = measure([BIN, "-q", "--normalize", "--all", "-c", off, "-f", stream], a.runs)
            cells["inject (files)"] = measure([BIN, "-q", "-c", on, "-f", stream], a.runs)
        cells["inject (stdin)"] = measure([BIN, "-q", "-c", on], a.runs, stdin_path=stream)
        cells["diff (stdin)"] = measure([BIN, "diff", "-c", on], a.runs, stdin_path=stream, ok=(0, 1))
        if have_kubectl and n <= a.kustomize_max and not a.stdin_only:
            open(os.path.join(tmp, "kustomization.yaml"), "w").write(KUSTOMIZATION)
            cells["kubectl kustomize (SMP)"] = measure(["kubectl", "kustomize", tmp], 1 if n >= 1000 else a.runs)
        rows.append((n, mb, cells))
        shutil.rmtree(tmp)
        print(f"N={n}: " + ", ".join(f"{k} {v[0]:.3f}s" for k, v in cells.items()), file=sys.stderr)
    start = startup() if not a.stdin_only else None
    lines = ["| N | MB | tool | wall s | MB/s | peak RSS MB | vs inject |", "|--:|--:|---|--:|--:|--:|--:|"]
    for n, mb, cells in rows:
        base = cells.get("inject (files)", cells["inject (stdin)"])[0]
        for k, (wall, rss) in cells.items():
            lines.append(f"| {n} | {mb:.1f} | {k} | {wall:.3f} | {mb / wall:.1f} | {rss:.0f} | {wall / base:.2f}x |")
    table = "\n".join(lines)
    summary = (f"Single small Deployment, end to end (median of 200 runs): {start * 1000:.2f} ms"
               if start is not None else "")
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
        stamp = f"Measured with `scripts/bench.sh --sizes {a.sizes}{flags}` on a {machine[0]}-core {machine[1]} machine.\n\n"
        open(path, "w").write(doc[:i] + stamp + table + "\n\n" + summary + "\n" + doc[j:])


if __name__ == "__main__":
    main()
