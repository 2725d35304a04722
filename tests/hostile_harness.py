"""One input through the whole pipeline and every report format, in-process,
with the properties every run must have whatever the input:

* no exception escapes the engine or a reporter, and no rule fails
  (a `check-failed` finding is a bug found);
* JSON parses; SARIF parses and validates against the SARIF 2.1.0 schema
  (../shared/schemas/sarif-schema-2.1.0.json, when present); JUnit is
  well-formed XML;
* the human-readable formats (text, github) carry no control character, no
  C1 control and no Unicode line or paragraph separator: one finding cannot
  forge a line of its own;
* every position is within the file.

Used by tests/test_fuzz_properties.py (a few hundred examples per test run)
and scripts/fuzz.py (the long campaign).
"""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.sources import Source

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
FORMATS = ("text", "json", "sarif", "junit", "github")
# What may not reach a terminal or a CI log raw: C0 controls except newline,
# DEL, C1 controls, and the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# libyaml's line breaks (YAML 1.1): CRLF, CR, LF, NEL, LS, PS.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class PropertyFailure(AssertionError):
    """An input broke one of the properties; `key` names which, for dedup."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


@functools.cache
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        return None
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def render(fmt: str, result) -> str:
    import importlib

    return importlib.import_module(f"kubelint.report.{fmt}").render(result)


def check_input(data: bytes, name: str = "fuzz.yaml", settings: Settings | None = None):
    """Run `data` through everything; raise the first PropertyFailure (or
    whatever escaped) when a property does not hold.  Returns the RunResult."""
    result, failures = property_failures(data, name, settings)
    if failures:
        raise failures[0]
    return result


def property_failures(data: bytes, name: str = "fuzz.yaml", settings: Settings | None = None):
    """(RunResult, every PropertyFailure of this input); an exception from the
    engine or a reporter escapes."""
    result = check([Source(name, data)], settings or Settings(select=["ALL"]))
    failures: list[PropertyFailure] = []
    for f in result.findings:
        if f.name == "check-failed":
            rule = f.message.split(" on this object")[0].rsplit(" ", 1)[-1]
            failures.append(PropertyFailure(f"check-failed {rule}", f.message))
            break
    for step in [lambda: _check_positions(data, result)] + [
        (lambda fmt=fmt: _check_report(fmt, render(fmt, result))) for fmt in FORMATS
    ]:
        try:
            step()
        except PropertyFailure as e:
            failures.append(e)
    return result, failures


def _check_positions(data: bytes, result) -> None:
    text = data.decode("utf-8", errors="replace")
    # Lines as libyaml counts them (the most); columns as the longest line
    # between two newlines (the widest).
    lines = _BREAKS.split(text)
    widest = max((len(ln) for ln in text.split("\n")), default=0)
    for f in result.findings:
        if not (1 <= f.line <= len(lines) + 1):
            raise PropertyFailure(f"position-line {f.name}", f"line {f.line} of a {len(lines)}-line file: {f.message[:200]}")
        if not (1 <= f.column <= widest + 2):
            raise PropertyFailure(f"position-column {f.name}", f"column {f.column}, widest line {widest}: {f.message[:200]}")


def _check_report(fmt: str, report: str) -> None:
    try:
        report.encode("utf-8")
    except UnicodeEncodeError as e:
        raise PropertyFailure(f"{fmt}-not-utf8", str(e)) from None
    if fmt == "json":
        json.loads(report)
    elif fmt == "sarif":
        log = json.loads(report)
        validator = sarif_validator()
        if validator is not None and not validator.is_valid(log):
            error = next(validator.iter_errors(log))
            raise PropertyFailure("sarif-invalid", str(error)[:300])
    elif fmt == "junit":
        try:
            ET.fromstring(report.encode("utf-8"))
        except ET.ParseError as e:
            raise PropertyFailure("junit-invalid", str(e)) from None
    else:
        m = _UNSAFE.search(report)
        if m is not None:
            raise PropertyFailure(f"{fmt}-control-character", f"{m.group()!r} in the {fmt} report")
        if fmt == "github":
            for line in report.splitlines():
                if not line.startswith("::"):
                    raise PropertyFailure("github-forged-line", repr(line[:200]))
