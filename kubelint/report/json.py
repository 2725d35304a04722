"""The JSON report: a stable, documented document (see README, "JSON report").

    {"version": "<kubelint version>", "kubernetes_version": "1.37",
     "summary": {"files", "objects", "findings", "errors", "warnings", "infos"},
     "findings": [{"rule", "name", "severity", "message", "fix", "file", "line",
                   "column", "object": {"apiVersion", "kind", "namespace", "name"},
                   "path"}]}

`rule` is the code (KL102), `name` the rule name, `fix` an object
{"title", "snippet"} or null, `object` null for findings about the text
itself, `path` a JSON pointer (RFC 6901) relative to the object.
"""

from __future__ import annotations

import json

from kubelint.model import Finding, Fix, RunResult, json_pointer


def finding_dict(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "fix": fix_dict(f.fix) if f.fix else None,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "object": f.object.as_dict() if f.object else None,
        "path": f.pointer,
        "document": f.document,
        "objectPath": json_pointer(f.object_path),
    }


def fix_dict(fix: Fix) -> dict:
    """A fix as data: title, snippet, applicability (ruff's word for safety)
    and its edits, each with a JSON pointer relative to the object."""
    return {
        "title": fix.title,
        "snippet": fix.snippet,
        "applicability": fix.safety,
        "edits": [{"op": e.op, "path": json_pointer(e.path), "value": e.value} for e in fix.edits],
    }


def document(result: RunResult, findings: bool = True) -> dict:
    from kubelint import __version__

    return {
        "version": __version__,
        "kubernetes_version": result.kubernetes_version,
        "summary": {
            "files": result.files,
            "objects": result.objects,
            "findings": len(result.findings),
            "errors": result.count("error"),
            "warnings": result.count("warning"),
            "infos": result.count("info"),
        },
        **({"findings": [finding_dict(f) for f in result.findings]} if findings else {}),
    }


def render(result: RunResult) -> str:
    return "".join(chunks(result))


def chunks(result: RunResult):
    """The document, a finding at a time and one finding per line (JSON's C
    encoder, and grep-friendly): a large run is written without holding
    every finding's dict and the whole text."""
    head = valid_text(document(result, findings=False))
    yield "{\n"
    for key, value in head.items():
        yield f"  {json.dumps(key)}: " + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ") + ",\n"
    if not result.findings:
        yield '  "findings": []\n}\n'
        return
    yield '  "findings": [\n'
    last = len(result.findings) - 1
    for i, f in enumerate(result.findings):
        yield "    " + _line(finding_dict(f)) + (",\n" if i < last else "\n")
    yield "  ]\n}\n"


def _line(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 (rare): escape its bytes
        text = json.dumps(valid_text(value), ensure_ascii=False, separators=(", ", ": "))
    return text


def valid_text(value):
    """Every string of a document with the bytes of a file name that were not
    UTF-8 shown as `\\xNN` (kubelint.report.escape), so the report is UTF-8."""
    from kubelint.report.escape import undecodable

    if isinstance(value, str):
        return undecodable(value)
    if isinstance(value, dict):
        return {valid_text(k): valid_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_text(v) for v in value]
    return value
