"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run, one reportingDescriptor per rule (the active rules plus any rule a
finding names that is not among them, such as a parse-stage rule), one result
per finding.  Each rule's help is its docstring, so the Why of a finding is one
click away in the code scanning panel.

`partialFingerprints` hash the rule, the file, the object and the JSON pointer,
never the line, so an alert keeps its identity when lines above it move.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any
from urllib.parse import quote

from kubelint.model import Finding, RunResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/kubelint/kubelint"
RULES_DOC_URI = "https://github.com/kubelint/kubelint/blob/main/docs/rules.md"
FINGERPRINT_KEY = "kubelint/v1"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# Sections of a rule docstring shown as SARIF help, in this order.
HELP_SECTIONS = ("Why", "Example", "Use instead", "Fix safety", "References")
SNIPPET_SECTIONS = ("Example", "Use instead")


def render(result: RunResult) -> str:
    findings = sorted(result.findings, key=Finding.sort_key)
    descriptors = _descriptors(result, findings)
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kubelint",
                        "informationUri": INFORMATION_URI,
                        "version": _version(),
                        "rules": descriptors,
                    }
                },
                # Positions come from Python strings, so columns count code points.
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.rule]) for f in findings],
                "properties": {
                    "kubernetesVersion": result.kubernetes_version,
                    "files": result.files,
                    "objects": result.objects,
                },
            }
        ],
    }
    from kubelint.report.json import valid_text

    return json.dumps(valid_text(log), indent=2) + "\n"


def artifact_uri(file: str) -> str:
    """A file name as a relative URI: forward slashes, no leading `./`,
    percent-encoded.  Standard input is `stdin`; an absolute path becomes a
    `file://` URI, since it cannot be relative to the repository."""
    if file == "-":
        return "stdin"
    path = file.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:].lstrip("/")
    # The file name's own bytes, percent-encoded: a name that is not UTF-8
    # keeps its bytes (%FF) and the URI stays ASCII.
    if path.startswith("/"):
        return "file://" + quote(os.fsencode(path))
    if re.match(r"^[A-Za-z]:/", path):  # a Windows drive
        return "file:///" + path[:2] + quote(os.fsencode(path[2:]))
    return quote(os.fsencode(path))


def fingerprint(finding: Finding) -> str:
    label = finding.object.label() if finding.object else ""
    key = "|".join((finding.rule, artifact_uri(finding.file), label, finding.pointer))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _version() -> str:
    try:
        from kubelint import __version__  # type: ignore[attr-defined]
    except ImportError:
        return "0.0.0"
    return str(__version__)


def _descriptors(result: RunResult, findings: list[Finding]) -> list[dict[str, Any]]:
    by_code: dict[str, dict[str, Any]] = {}
    for rule in result.rules:
        by_code.setdefault(rule.code, _descriptor(rule))
    for f in findings:
        # A rule a stage emits without it being active (a parse hazard, say):
        # all we know of it is what the finding carries.
        by_code.setdefault(f.rule, {"id": f.rule, "name": f.name})
    return [by_code[code] for code in sorted(by_code)]


def _descriptor(rule: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"id": rule.code, "name": rule.name}
    if rule.summary:
        d["shortDescription"] = {"text": rule.summary}
    why = rule.section("Why")
    if why:
        d["fullDescription"] = {"text": why}
    help_ = _help(rule)
    if help_:
        d["help"] = help_
    d["helpUri"] = f"{RULES_DOC_URI}#{rule.name}"
    d["defaultConfiguration"] = {"level": LEVELS.get(rule.severity, "warning")}
    # The rule's declared fix safety (ruff's "applicability"): safe fixes
    # are applied by --fix, unsafe ones with --unsafe-fixes, none are advice.
    d["properties"] = {"tags": [rule.category], "fixSafety": rule.fix}
    return d


def _help(rule: Any) -> dict[str, str] | None:
    text: list[str] = [rule.summary] if rule.summary else []
    markdown: list[str] = list(text)
    for heading in HELP_SECTIONS:
        body = rule.section(heading)
        if not body:
            continue
        if heading in SNIPPET_SECTIONS:
            text.append(f"{heading}:\n" + _indent(body))
            markdown.append(f"**{heading}:**\n\n" + _fenced(body, "yaml"))
        elif heading == "References":
            text.append(f"{heading}:\n" + _indent(body))
            items = [ln.strip() for ln in body.splitlines() if ln.strip()]
            markdown.append(f"**{heading}:**\n\n" + "\n".join(_list_item(i) for i in items))
        else:
            text.append(f"{heading}: {body}")
            markdown.append(f"**{heading}:** {body}")
    if not text:
        return None
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def _indent(body: str) -> str:
    return "\n".join("    " + ln if ln.strip() else "" for ln in body.splitlines())


def _fenced(body: str, lang: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def _list_item(line: str) -> str:
    if line.startswith(("- ", "* ")):
        line = line[2:].strip()
    if re.fullmatch(r"https?://\S+", line):
        line = f"<{line}>"
    return f"- {line}"


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    message = f.message + (f" Fix: {f.fix.title}" if f.fix else "")
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(f.file)}}
    region: dict[str, int] = {}
    # SARIF positions are 1-based; a finding without one gets no region rather
    # than an invalid one.
    if f.line >= 1:
        region["startLine"] = f.line
        if f.column >= 1:
            region["startColumn"] = f.column
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.object is not None:
        label = f.object.label()
        location["logicalLocations"] = [
            {"name": label, "fullyQualifiedName": label + f.pointer, "kind": "resource"}
        ]
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {
            "name": f.name,
            "path": f.pointer,
            **({"fixSafety": f.fix.safety} if f.fix is not None and f.fix.safety else {}),
        },
    }
