#!/usr/bin/env python3
"""CPU and wall time of the policy stage on the shared corpus, against the
built-in rules.

Usage: python scripts/bench_policy.py [--corpus ../shared/corpus] [--runs 3] [--one-core]

Four fresh `kubelint check` processes per run:
  parse      --select policy, no policies: sources, parse, objects (the base)
  built-in   the default rules
  pack       --select policy with policies/ (9 conftest rules, 1 Gatekeeper
             constraint) and scripts/bench_policy_data.yaml as their settings
  both       the default rules and the pack
CPU is user+system of the process and of the workers it forks.  The cost of
a stage is its CPU minus `parse`; its wall time likewise (the pack's worker
runs beside the parent, so with the built-in rules it adds less wall time
than CPU).  Two busy processes on two CPUs that share a core or caches
each run slower than one alone, so the worker can also make the parent's
own work (parsing) cost more CPU.  `--one-core` runs every process
on one CPU: the cost on a one-CPU machine, where the parent and the worker
take turns and wall time is CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ["--policy", str(ROOT / "policies"), "--policy", str(ROOT / "scripts" / "bench_policy_data.yaml")]


def measure(args: list[str], cpus: set[int] | None = None) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "kubelint", "check", "--config", os.devnull, "--fail-on", "none", "-f", "json", *args]
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, preexec_fn=pin)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kubelint failed: {' '.join(cmd)}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-core", action="store_true", help="run every process on one CPU (Linux)")
    opts = parser.parse_args()
    cpus = {min(os.sched_getaffinity(0))} if opts.one_core else None
    if not os.path.isdir(opts.corpus):
        raise SystemExit(f"no corpus at {opts.corpus}")
    cases = {
        "parse": ["--select", "policy", opts.corpus],
        "built-in": [opts.corpus],
        "pack": ["--select", "policy", *PACK, opts.corpus],
        "both": [*PACK, opts.corpus],
    }
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    wall: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(opts.runs):
        for name, args in cases.items():
            c, w = measure(args, cpus)
            cpu[name].append(c)
            wall[name].append(w)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    wmed = {k: statistics.median(v) for k, v in wall.items()}
    for name in cases:
        print(f"{name:9s} cpu {med[name]:6.2f}s  wall {wmed[name]:6.2f}s")
    rules, policies = med["built-in"] - med["parse"], med["pack"] - med["parse"]
    print(f"built-in rules cost {rules:.2f}s CPU; the policy pack {policies:.2f}s CPU ({policies / rules:.1f}x)")
    # The pack's worker evaluates beside the parent (on another core), so
    # its wall time is less than its CPU time.
    wrules, wpolicies, wboth = wmed["built-in"] - wmed["parse"], wmed["pack"] - wmed["parse"], wmed["both"] - wmed["built-in"]
    print(f"wall: built-in rules {wrules:.2f}s; the policy pack {wpolicies:.2f}s alone, {wboth:.2f}s added to the built-in rules")


if __name__ == "__main__":
    main()
