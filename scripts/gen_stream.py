#!/usr/bin/env python3
"""Deterministic manifest stream for the benchmark: N resources of a KubeOpenCode cluster.

Mix (exact counts, shuffled by the seed): 40% agent server Deployments (label
kubeopencode.io/agent, 2 containers, 8 env vars in the main one), 20% Task Pods (label
kubeopencode.io/task, init container + agent container), and the rest split between Services,
ConfigMaps (with a block scalar) and Secrets. Same (N, seed) -> same bytes. Plain text templates,
no YAML library needed.

Usage: gen_stream.py N [--seed S] > stream.yaml
"""
import random
import sys


def deployment(i, r):
    agent = f"agent-{i:06d}"
    env = "\n".join(
        f"        - name: VAR_{k}\n          value: \"{r.randint(0, 10**6)}\"" for k in range(8)
    )
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {agent}-server
  namespace: team-{i % 17}
  labels:
    app.kubernetes.io/name: kubeopencode-server
    kubeopencode.io/agent: {agent}
spec:
  replicas: 1
  selector:
    matchLabels:
      kubeopencode.io/agent: {agent}
  template:
    metadata:
      labels:
        kubeopencode.io/agent: {agent}
    spec:
      containers:
      - name: opencode-server
        image: ghcr.io/kubeopencode/kubeopencode-agent-devbox:v{r.randint(1, 9)}
        command: ["sh", "-c", "/tools/opencode serve --port 4096"]
        env:
{env}
        ports:
        - containerPort: 4096
          name: http
        resources:
          limits: {{memory: 4Gi}}
          requests: {{memory: 512Mi}}
      - name: git-sync-0
        image: ghcr.io/kubeopencode/kubeopencode:latest
        env:
        - name: GIT_REPO
          value: https://github.com/example/repo-{i}.git
"""


def pod(i, r):
    task = f"task-{i:06d}"
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {task}-pod
  namespace: team-{i % 17}
  labels:
    app: kubeopencode
    kubeopencode.io/task: {task}
spec:
  restartPolicy: Never
  initContainers:
  - name: opencode-init
    image: ghcr.io/kubeopencode/kubeopencode-agent-opencode:latest
    env:
    - name: TOOLS_DIR
      value: /tools
  containers:
  - name: agent
    image: ghcr.io/kubeopencode/kubeopencode-agent-attach:latest
    env:
    - name: TASK_NAME
      value: {task}
    - name: WORKSPACE_DIR
      value: /workspace
"""


def service(i, r):
    return f"""apiVersion: v1
kind: Service
metadata:
  name: svc-{i:06d}
  namespace: team-{i % 17}
spec:
  selector:
    app: svc-{i:06d}
  ports:
  - port: {r.randint(1000, 9000)}
    targetPort: http
"""


def configmap(i, r):
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-{i:06d}
  namespace: team-{i % 17}
data:
  LOG_LEVEL: info
  app.properties: |
    server.port={r.randint(1000, 9000)}
    feature.flags=a,b,c
    cache.ttl={r.randint(1, 600)}
"""


def secret(i, r):
    return f"""apiVersion: v1
kind: Secret
metadata:
  name: secret-{i:06d}
  namespace: team-{i % 17}
type: Opaque
data:
  token: {"dG9rZW4" + str(r.randint(0, 10**9))}
"""


def main():
    n = int(sys.argv[1])
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    r = random.Random(seed)
    kinds = ["deploy"] * (n * 40 // 100) + ["pod"] * (n * 20 // 100)
    rest = n - len(kinds)
    kinds += ["svc"] * (rest // 3) + ["cm"] * (rest // 3)
    kinds += ["secret"] * (n - len(kinds))
    r.shuffle(kinds)
    make = {"deploy": deployment, "pod": pod, "svc": service, "cm": configmap, "secret": secret}
    out = sys.stdout
    for i, k in enumerate(kinds):
        out.write("---\n")
        out.write(make[k](i, r))


if __name__ == "__main__":
    main()
