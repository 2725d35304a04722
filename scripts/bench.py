#!/usr/bin/env python3
"""Time `kubelint check` on the shared corpus and on one small Deployment.

Usage: python scripts/bench.py [--corpus ../shared/corpus] [--runs 3]
                               [--copies 10] [--pre-commit] [-- extra kubelint args]

Each run is a fresh process (what a user or a pre-commit hook pays, imports
included).  Prints wall time, objects per second and peak memory (max RSS).

--copies N   also check N copies of the corpus in one run, and print how peak
             memory compares with one copy (the run model keeps memory from
             growing with the number of files).
--pre-commit also time what a pre-commit hook pays: one changed file of a
             repository made of the corpus, with the project context and its
             cache warm (and cold, once).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def run_measured(args: list[str], cwd: Path = ROOT) -> tuple[float, int, bytes, int]:
    cmd = [sys.executable, "-m", "kubelint", "check", "--config", os.devnull, *args]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read(65536), proc.returncode  # the summary is at the top


def bench(label: str, args: list[str], runs: int, cwd: Path = ROOT) -> dict:
    times, peaks = [], []
    report = b""
    for _ in range(runs):
        report = b""
        elapsed, peak, report, code = run_measured(args, cwd)
        if code not in (0, 1):
            sys.exit(f"{label}: kubelint exited {code}")
        times.append(elapsed)
        peaks.append(peak)
    # Only the summary (at the top of the JSON report): loading the whole
    # report here would grow this process, and the next child forked from
    # it would start with that memory counted in its peak RSS.
    head = report[: report.index(b'\n  "findings": [')].decode().rstrip().rstrip(",") + "}"
    summary = json.loads(head)["summary"]
    del report
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
    parser.add_argument("--copies", type=int, default=0, help="also check this many copies of the corpus at once")
    parser.add_argument("--pre-commit", action="store_true", help="time one changed file with the project context")
    parser.add_argument("extra", nargs="*", help="extra kubelint check arguments (after --)")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "deployment.yaml"
        small.write_text(SMALL)
        bench("one small Deployment", ["-f", "json", *opts.extra, str(small)], max(opts.runs, 5))
    if not Path(opts.corpus).is_dir():
        print(f"corpus: {opts.corpus} not found; skipped")
        return
    one = bench("corpus", ["-f", "json", *opts.extra, opts.corpus], opts.runs)
    if opts.copies > 1:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(opts.copies):
                shutil.copytree(opts.corpus, Path(tmp) / f"copy{i}", symlinks=True)
            many = bench(f"{opts.copies} copies of the corpus", ["-f", "json", *opts.extra, tmp], 1)
        print(f"peak memory, {opts.copies} copies / one copy: {many['peak_mib'] / one['peak_mib']:.2f}x")
    if opts.pre_commit:
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "repo"
            shutil.copytree(opts.corpus, repo, symlinks=True)
            (repo / ".git").mkdir()
            changed = sorted(repo.rglob("service*.yaml"))[0].relative_to(repo)
            cold = run_measured(["-f", "json", str(changed)], repo)[0]
            print(f"pre-commit, one changed file, cold context cache: {cold:.3f} s")
            bench("pre-commit, one changed file, warm context cache", ["-f", "json", str(changed)], max(opts.runs, 5), repo)


if __name__ == "__main__":
    main()
