#!/usr/bin/env python3
"""Time `kubelint check` on the shared corpus and on one small Deployment.

Usage: python scripts/bench.py [--corpus ../shared/corpus] [--runs 3] [-- extra kubelint args]

Each run is a fresh process (what a user or a pre-commit hook pays, imports
included).  Prints wall time, objects per second and peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {memory: 256Mi}
"""


def run_measured(args: list[str]) -> tuple[float, int, bytes, int]:
    cmd = [sys.executable, "-m", "kubelint", "check", "--config", os.devnull, *args]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read(), proc.returncode


def bench(label: str, args: list[str], runs: int) -> dict:
    times, peaks = [], []
    report = b""
    for _ in range(runs):
        elapsed, peak, report, code = run_measured(args)
        if code not in (0, 1):
            sys.exit(f"{label}: kubelint exited {code}")
        times.append(elapsed)
        peaks.append(peak)
    summary = json.loads(report)["summary"]
    best, median = min(times), statistics.median(times)
    objects = summary["objects"]
    print(
        f"{label}: {summary['files']} files, {objects} objects, {summary['findings']} findings | "
        f"best {best:.3f} s, median {median:.3f} s over {runs} runs | "
        f"{objects / best:,.0f} objects/s | peak RSS {max(peaks) / 1024:.0f} MiB"
    )
    return {"label": label, "best": best, "median": median, "objects": objects, "peak_mib": max(peaks) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("extra", nargs="*", help="extra kubelint check arguments (after --)")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "deployment.yaml"
        small.write_text(SMALL)
        bench("one small Deployment", ["-f", "json", *opts.extra, str(small)], max(opts.runs, 5))
    if Path(opts.corpus).is_dir():
        bench("corpus", ["-f", "json", *opts.extra, opts.corpus], opts.runs)
    else:
        print(f"corpus: {opts.corpus} not found; skipped")


if __name__ == "__main__":
    main()
