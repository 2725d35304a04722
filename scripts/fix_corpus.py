#!/usr/bin/env python3
"""Run `kubelint check --fix --unsafe-fixes` on a copy of a corpus and check
the result: no new finding, strictly fewer findings, files without a fix
byte-identical, and a second run changes nothing.

Usage: python scripts/fix_corpus.py [CORPUS] [--safe]

CORPUS defaults to ../shared/corpus.  Prints the counts (files changed,
findings fixed per rule, time) and exits 1 when a check fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubelint.config import Settings  # noqa: E402
from kubelint.engine import check  # noqa: E402
from kubelint.fix.driver import key  # noqa: E402
from kubelint.sources import expand, read  # noqa: E402


def findings(directory: Path) -> Counter:
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        result = check(read(expand(["."])), Settings())
    finally:
        os.chdir(cwd)
    return Counter((f.file,) + key(f) for f in result.findings)


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    unsafe = "--safe" not in sys.argv
    corpus = Path(args[0] if args else ROOT.parent / "shared" / "corpus").resolve()
    if not corpus.is_dir():
        print(f"no corpus at {corpus}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(corpus, copy, symlinks=True)
        config = Path(tmp) / "empty.kubelint.yaml"
        config.write_text("")
        command = [sys.executable, "-m", "kubelint", "check", "--config", str(config), "--fail-on", "none",
                   "-f", "json", "--fix", *(["--unsafe-fixes"] if unsafe else []), "."]
        start = time.perf_counter()
        run = subprocess.run(command, cwd=copy, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if run.returncode != 0:
            print(run.stderr)
            return 1
        before, after = findings(corpus), findings(copy)
        new = after - before
        fixed = before - after
        original, fixed_files = files(corpus), files(copy)
        changed = [name for name in original if original[name] != fixed_files.get(name)]
        with_fix = {k[0].removeprefix("./") for k in fixed}
        again = [c for c in command if c != "--fix"]
        again.insert(-1, "--diff")
        second = subprocess.run(again, cwd=copy, capture_output=True, text=True)
        print(f"fix {'--unsafe-fixes ' if unsafe else ''}on {corpus}: {elapsed:.1f} s")
        print(f"findings: {sum(before.values())} before, {sum(after.values())} after, "
              f"{sum(fixed.values())} fixed, {sum(new.values())} new")
        print(f"files: {len(original)}, changed {len(changed)}, changed without a fixed finding "
              f"{len([c for c in changed if c not in with_fix])}")
        print("second run changes nothing:", second.returncode == 0)
        for name, count in Counter(k[1] for k in fixed.elements()).most_common():
            print(f"  {name}: {count}")
        for k in list(new)[:10]:
            print("NEW", k)
        ok = not new and sum(after.values()) < sum(before.values()) and second.returncode == 0 \
            and all(c in with_fix for c in changed)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
