#!/usr/bin/env python3
"""A fuzzing campaign: mutate real manifests and run each mutant through the
whole pipeline and every report format (tests/hostile_harness.py says which
properties must hold).

Usage:
    python scripts/fuzz.py [--minutes 30] [--engine hypothesis|atheris|schema]
                           [--corpus ../shared/corpus] [--out fuzz-failures]
    python scripts/fuzz.py --replay fuzz-failures/DIR   # re-run the reproducers

Engines:
* hypothesis (default, `pip install -e '.[test]'`): each case picks a corpus
  file and a list of mutations, at the byte level (flip, insert an
  interesting byte sequence, delete, duplicate, splice a line of another file,
  truncate) or at the data level (a node of a parsed document replaced by an
  odd value: wrong types, huge and odd integers, control characters, aliases,
  tags; the document written back in block, flow or JSON style).
* atheris (`pip install atheris`): libFuzzer's coverage-guided byte
  mutations, seeded with the corpus files.
* schema: manifests generated from the bundled Kubernetes schemas, the
  strategy of tests/test_fuzz_properties.py with many more examples.

A failure is an exception, a `check-failed` finding, an invalid report, a
position outside the file, or a case slower than --timeout seconds.  Failures
are deduplicated by location (exception type and the innermost kubelint
frame, or the property broken); the first input of each is written to
OUT/<key>.yaml with OUT/<key>.txt (what happened).  OUT is git-ignored.
Progress (cases run, distinct failures) is printed every 30 seconds and saved to
OUT/stats.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

MAX_FILE = 64 * 1024  # mutate files up to this size (big ones are slow to run)

INTERESTING = [
    b"\x00", b"\x1b", b"\x07", b"\r", b"\r\n", b"\t", b"\x85", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9",
    b"\xef\xbf\xbe", b"\xff", b"\xfe", b"\xef\xbb\xbf", b"\xc3", b"{{ .Values.x }}", b"#@ load", b": ", b"- ",
    b"&a ", b"*a", b"!!binary ", b"!!int ", b"!!str ", b"!custom ", b"%YAML 1.1\n---\n", b"\n---\n", b"\n...\n",
    b"<<: ", b"? ", b"|", b">-", b"'", b'"', b"[", b"]", b"{", b"}", b",", b"#", b"# kubelint: ignore\n",
    b"0x" + b"f" * 4000, b"0" + b"7" * 5000, b"1" * 5000, b"1e999", b".nan", b"-.inf", b"~", b"null",
    b"yes", b"0o17", b"1_000", b"190:20:30", b"2001-12-14t21:59:43.10-05:00", b"\xf0\x9f\x98\x80",
]

ODD_VALUES = [
    "null", "~", "true", "yes", "off", "0", "-1", "0777", "0x7fffffffffffffff", "0x" + "f" * 4000,
    "0" + "7" * 5000, "0b" + "1" * 15000, "1" * 5000, "1e999", ".nan", "-.inf", "1.5", "190:20:30", "''",
    '"\\e]0;evil\\a\\x1b[2J\\r\\n::error file=x::forged"', '"\\u2028\\u2029\\x85\\x9b"', '"\\0\\x07"',
    "[]", "{}", "[1, {a: b}]", "{a: [1, 2], b: {c: d}}", "[[[[[]]]]]", "!!binary aGVsbG8=", "!custom tag",
    "2001-12-14", '"' + "x" * 70000 + '"', "[" + "1," * 3000 + "1]", "&anchor {a: 1}", "TCP", "UDP",
    "-1000", "65536", "4294967296", "'100m'", "'1Ei'", "'-1'", "'1e3'", "'0.0001m'", "ALL", "'*'",
    "'https://x'", "'..'", "'/'", "'latest'", "'a:b:c'", "'@sha256:'", "'UPPER_case'",
]


def _interesting(rng: random.Random) -> bytes:
    return rng.choice(INTERESTING) if rng.random() < 0.8 else bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:  # flip a bit
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos:pos] = _interesting(rng)
        elif op == 2 and buf:
            del buf[pos:pos + rng.randint(1, 64)]
        elif op == 3 and buf:  # duplicate a span
            end = min(len(buf), pos + rng.randint(1, 256))
            buf[end:end] = buf[pos:end] * rng.randint(1, 8)
        elif op == 4 and others:  # splice a line of another file
            lines = rng.choice(others).split(b"\n")
            buf[pos:pos] = rng.choice(lines) + b"\n"
        elif op == 5:
            del buf[pos:]
        elif op == 6 and buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _nodes(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _nodes(v, path + (i,))


def mutate_data(docs: list, rng: random.Random) -> tuple[bytes, str]:
    """Replace, delete or add nodes of parsed documents, and write them back
    in a random style.  Odd values go in as raw YAML text through a marker."""
    import copy

    import yaml

    docs = copy.deepcopy(docs)
    raw: dict[str, str] = {}
    for n in range(rng.randint(1, 4)):
        index = rng.randrange(len(docs))
        paths = list(_nodes(docs[index]))
        path = rng.choice(paths)
        marker = f"FUZZMARKER{n}X"
        raw[marker] = rng.choice(ODD_VALUES)
        if not path:
            docs[index] = marker
            continue
        parent = docs[index]
        for seg in path[:-1]:
            parent = parent[seg]
        action = rng.random()
        if action < 0.7:
            parent[path[-1]] = marker
        elif action < 0.85:
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", marker + "k", "name", "kind", "apiVersion", "ports", "image"])] = marker
        else:
            parent.append(marker)
    style = rng.randrange(4)
    if style == 3:
        text = "\n".join(json.dumps(d, indent=rng.choice([None, 2]), default=str) for d in docs)
        name = "fuzz.json" if len(docs) == 1 else "fuzz.yaml"
    else:
        text = yaml.safe_dump_all(
            docs, default_flow_style=(None, False, True)[style], allow_unicode=rng.random() < 0.5,
            width=rng.choice([80, 20, 10**6]), sort_keys=False,
        )
        name = "fuzz.yaml"
    for marker, value in raw.items():
        text = text.replace(f'"{marker}"', value).replace(marker, value)
    return text.encode("utf-8", errors="surrogatepass"), name


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def random_settings(rng: random.Random):
    """Every rule, mostly with the defaults; sometimes another Kubernetes
    version (other schemas), no strict mode or a Pod Security level."""
    from kubelint.config import Settings
    from kubelint.schema.versions import SUPPORTED

    settings = Settings(select=["ALL"])
    if rng.random() < 0.3:
        settings.kubernetes_version = rng.choice(SUPPORTED)
        settings.strict = rng.random() < 0.5
        settings.pss_level = rng.choice([None, "baseline", "restricted", "none"])
    return settings


def failure_key(exc: BaseException) -> str:
    from hostile_harness import PropertyFailure

    if isinstance(exc, PropertyFailure):
        return exc.key
    if isinstance(exc, Timeout):
        return "timeout"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "/kubelint/" in f.filename] or frames
    where = f"{Path(own[-1].filename).name}:{own[-1].lineno}" if own else "?"
    return f"{type(exc).__name__} {where}"


class Campaign:
    def __init__(self, out: Path, timeout: float):
        self.out = out
        self.timeout = timeout
        self.cases = 0
        self.failures: dict[str, int] = {}
        self.started = time.time()
        self.last_report = self.started
        out.mkdir(parents=True, exist_ok=True)

    def run(self, data: bytes, name: str, settings=None) -> None:
        from hostile_harness import property_failures

        self.cases += 1
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            _, failures = property_failures(data, name, settings)
        except Exception as e:  # noqa: BLE001 - every failure is recorded
            signal.setitimer(signal.ITIMER_REAL, 0)
            failures = [e]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for failure in failures:
            self.record(failure, data, name, settings)
        now = time.time()
        if now - self.last_report > 30:
            self.last_report = now
            self.report()

    def record(self, exc: BaseException, data: bytes, name: str, settings=None) -> None:
        key = failure_key(exc)
        first = key not in self.failures
        self.failures[key] = self.failures.get(key, 0) + 1
        if first:
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:80] + "-" + hashlib.sha1(key.encode()).hexdigest()[:8]
            suffix = ".json" if name.endswith(".json") else ".yaml"
            (self.out / (slug + suffix)).write_bytes(data)
            detail = "".join(traceback.format_exception(exc))
            (self.out / (slug + ".txt")).write_text(
                f"key: {key}\nname: {name}\nsettings: {settings}\n\n{detail}", encoding="utf-8", errors="replace"
            )
            print(f"new failure: {key}", flush=True)

    def report(self) -> None:
        stats = {
            "seconds": round(time.time() - self.started),
            "cases": self.cases,
            "distinct_failures": len(self.failures),
            "failures": dict(sorted(self.failures.items(), key=lambda kv: -kv[1])),
        }
        (self.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
        print(f"{stats['seconds']}s: {self.cases} cases, {len(self.failures)} distinct failures", flush=True)


def corpus_files(corpus: Path) -> list[bytes]:
    found = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() in (".yaml", ".yml", ".json") and path.is_file() and path.stat().st_size <= MAX_FILE:
            found.append(path.read_bytes())
    return found


def parsed_corpus(files: list[bytes]) -> list[list]:
    import yaml

    parsed = []
    for data in files:
        try:
            docs = [d for d in yaml.safe_load_all(data) if isinstance(d, (dict, list))]
        except Exception:  # noqa: BLE001 - templates and broken files are skipped
            continue
        if docs:
            parsed.append(docs)
    return parsed


def run_hypothesis(campaign: Campaign, files: list[bytes], docs: list[list], deadline: float, seed: int) -> None:
    from hypothesis import HealthCheck, given, settings, strategies as st

    @settings(max_examples=1000, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(level=st.sampled_from(["bytes", "data", "data+bytes"]), pick=st.integers(0, 10**9), rng=st.randoms(use_true_random=True))
    def case(level, pick, rng):
        if time.time() > deadline:
            return
        if level == "bytes" or not docs:
            data, name = mutate_bytes(files[pick % len(files)], rng, files), "fuzz.yaml"
        else:
            data, name = mutate_data(docs[pick % len(docs)], rng)
            if level == "data+bytes":
                data = mutate_bytes(data, rng, files)
        campaign.run(data, name, random_settings(rng))

    while time.time() < deadline:
        case()


def run_schema(campaign: Campaign, deadline: float) -> None:
    from hypothesis import HealthCheck, given, settings, strategies as st
    from test_fuzz_properties import manifest_file

    @settings(max_examples=1000, deadline=None, database=None, suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(case=manifest_file(), rng=st.randoms(use_true_random=True))
    def case(case, rng):
        if time.time() > deadline:
            return
        data, name = case
        campaign.run(data, name, random_settings(rng))

    while time.time() < deadline:
        case()


def run_atheris(campaign: Campaign, files: list[bytes], deadline: float) -> None:
    import atheris
    import tempfile

    with atheris.instrument_imports():
        import kubelint.engine  # noqa: F401
        import kubelint.parse  # noqa: F401
        import kubelint.report.json  # noqa: F401
        import kubelint.report.sarif  # noqa: F401
        import kubelint.report.text  # noqa: F401
        import kubelint.rules  # noqa: F401

    seeds = Path(tempfile.mkdtemp(prefix="kubelint-fuzz-seeds-"))
    for i, data in enumerate(files[:400]):
        (seeds / f"{i}.yaml").write_bytes(data)

    def one(data: bytes) -> None:
        campaign.run(data, "fuzz.yaml")

    seconds = max(1, int(deadline - time.time()))
    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", f"-max_len={MAX_FILE}", "-rss_limit_mb=4096",
                   f"-timeout={int(campaign.timeout) + 5}", str(seeds)], one)
    try:
        atheris.Fuzz()
    except SystemExit:
        pass


def replay(folder: Path, timeout: float) -> int:
    """Each reproducer of a campaign, run again: FIXED or still failing."""
    signal.signal(signal.SIGALRM, _alarm)
    campaign = Campaign(Path(tempfile_dir()), timeout)
    still = 0
    cases = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".json") and p.name != "stats.json")
    for path in cases:
        before = len(campaign.failures)
        campaign.run(path.read_bytes(), "fuzz" + path.suffix)
        failed = len(campaign.failures) > before
        still += failed
        print(f"{'FAILS' if failed else 'fixed'}  {path.name}")
    print(f"{len(cases)} reproducers: {len(cases) - still} fixed, {still} still failing")
    return 1 if still else 0


def tempfile_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="kubelint-fuzz-replay-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--engine", choices=["hypothesis", "atheris", "schema"], default="hypothesis")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "fuzz-failures")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one case may take")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit of this process")
    parser.add_argument("--replay", type=Path, default=None, help="re-run the reproducers in this folder and say which still fail")
    args = parser.parse_args(argv)
    if args.replay is not None:
        return replay(args.replay, args.timeout)

    if not args.corpus.is_dir():
        print(f"fuzz: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    limit = int(args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    files = corpus_files(args.corpus)
    docs = parsed_corpus(files)
    print(f"fuzz: {len(files)} corpus files, {len(docs)} parse as YAML; engine {args.engine}, {args.minutes} min", flush=True)
    campaign = Campaign(args.out, args.timeout)
    deadline = time.time() + args.minutes * 60
    try:
        if args.engine == "atheris":
            run_atheris(campaign, files, deadline)
        elif args.engine == "schema":
            run_schema(campaign, deadline)
        else:
            run_hypothesis(campaign, files, docs, deadline, args.seed or 0)
    except KeyboardInterrupt:
        pass
    campaign.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
