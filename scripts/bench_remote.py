"""Measure a URL check against the same file checked locally.

Serves a ~1 MB manifest on loopback (http.server in a thread) and times
`kubelint check URL` and `kubelint check FILE` end to end (subprocesses,
median of N runs), then whether a one-file check imports requests.

    python scripts/bench_remote.py [--runs 5] [--file PATH]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: shop
  labels: {{app: web-{i}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.{i}
          ports: [{{containerPort: 8080}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 128Mi}}
---
"""


def manifest(size: int) -> bytes:
    parts, total, i = [], 0, 0
    while total < size:
        part = DEPLOYMENT.format(i=i)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts).encode()


def timed(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kubelint", *args], capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", help="a manifest to serve (default: a generated 1 MB one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "install.yaml")
        data = open(args.file, "rb").read() if args.file else manifest(1_000_000)
        with open(path, "wb") as fh:
            fh.write(data)
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *a):
                pass

        handler = functools.partial(Quiet, directory=directory)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/install.yaml"
        common = ["check", "--config", "/dev/null", "--fail-on", "none", "-f", "json", "--trusted-host", "127.0.0.1"]
        timed(common + [path], 1)  # warm the file cache and bytecode
        # Interleaved, so a change in machine load hits both alike.
        pairs = [(timed(common + [path], 1), timed(common + [url], 1)) for _ in range(args.runs)]
        local = statistics.median(p[0] for p in pairs)
        remote = statistics.median(p[1] for p in pairs)
        startup = timed(["version"], args.runs)
        from kubelint.sources.remote import FetchPolicy, fetch

        fetches = []
        for _ in range(args.runs):
            started = time.perf_counter()
            fetch(url, FetchPolicy(trusted_hosts=("127.0.0.1",)))
            fetches.append(time.perf_counter() - started)
        server.shutdown()
        probe = (
            "import sys\nfrom kubelint.cli import main\n"
            f"try:\n    main(['check', '--config', '/dev/null', '-o', {path + '.report'!r}, {path!r}])\nexcept SystemExit:\n    pass\n"
            "print('requests' in sys.modules)"
        )
        loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip()
    print(f"manifest: {len(data)} bytes")
    print(f"kubelint version (startup): {startup * 1000:.0f} ms")
    print(f"check FILE: {local * 1000:.0f} ms (median of {args.runs})")
    print(f"check URL:  {remote * 1000:.0f} ms (median of {args.runs}); difference {(remote - local) * 1000:+.0f} ms")
    print(f"fetch alone (in process, requests imported once): {statistics.median(fetches) * 1000:.1f} ms")
    print(f"one-file check imports requests: {loaded}")


if __name__ == "__main__":
    main()
