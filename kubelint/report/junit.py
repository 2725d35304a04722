"""JUnit XML, for the test report views of GitLab, Jenkins and GitHub.

One `<testsuite>` per file, one `<testcase>` per finding.  Every finding is a
`<failure>`, whatever its severity (the severity is the failure's `type`):
a finding is a check that did not pass.  `<error>` is left for what JUnit
means by it, a test that could not run, so `errors` is always 0.  Whether a
run fails the pipeline is decided by kubelint's exit code (`--fail-on`), not by
this report.

The run carries counts, not the list of files checked, so files without
findings do not appear.  A run with no findings gives one empty testsuite named
"kubelint", which every consumer accepts.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from kubelint.model import Finding, RunResult

# XML 1.0 allows tab, newline, carriage return and these ranges only.
_INVALID_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(result: RunResult) -> str:
    findings = sorted(result.findings, key=Finding.sort_key)
    root = ET.Element("testsuites", _counts("kubelint", len(findings)))
    if not findings:
        ET.SubElement(root, "testsuite", _counts("kubelint", 0))
    for file, group in groupby(findings, key=lambda f: f.file):
        cases = list(group)
        suite = ET.SubElement(root, "testsuite", _counts(file, len(cases)))
        for f in cases:
            case = ET.SubElement(suite, "testcase", {"classname": _clean(f.file), "name": _clean(_case_name(f))})
            failure = ET.SubElement(case, "failure", {"type": f.severity, "message": _clean(f.message)})
            failure.text = _clean(_details(f))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _counts(name: str, n: int) -> dict[str, str]:
    return {"name": _clean(name), "tests": str(n), "failures": str(n), "errors": "0"}


def _case_name(f: Finding) -> str:
    where = f"[{f.name}] line {f.line}:{f.column}"
    return f"{f.object.label()} {where}" if f.object else where


def _details(f: Finding) -> str:
    label = f"{f.object.label()}: " if f.object else ""
    lines = [f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} [{f.name}] {label}{f.message}"]
    if f.fix:
        lines.append(f"fix: {f.fix.title}")
        if f.fix.snippet:
            lines.extend("    " + ln if ln.strip() else "" for ln in f.fix.snippet.rstrip("\n").splitlines())
    return "\n".join(lines)


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (ANSI escapes, NUL, ...); the
    serializer escapes the rest.  Bytes of a file name that were not UTF-8
    are shown as `\\xNN`."""
    from kubelint.report.escape import undecodable

    return _INVALID_XML.sub("", undecodable(text))
