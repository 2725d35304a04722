"""Suppressions, applied once after every finding exists; rules never look.

Three places can suppress a finding:

* the configuration: `ignore` (whole rules) and `per-file-ignores`
  (glob -> rules);
* the object: annotation `kubelint.io/ignore: "name,name"` on the object or
  on its pod template (it travels with the object; `*` means every rule);
* a comment: `# kubelint: ignore[name,name] reason` on the offending line or
  the line above it (`# kubelint: ignore` alone means every rule).

Codes and names both work everywhere.
"""

from __future__ import annotations

import re
from typing import Iterable

from kubelint.model import Finding, K8sObject
from kubelint.workloads import as_map, pod_spec

ANNOTATION = "kubelint.io/ignore"
ALL = "*"
_COMMENT_RE = re.compile(r"#[ \t]*kubelint:[ \t]*ignore(?:\[([^\]\n]*)\])?")


def _names(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split(",") if p.strip())


def comment_ignores(text: str | None) -> dict[int, frozenset[str]]:
    """Line -> rules suppressed there by `# kubelint: ignore[...]` comments.

    A comment covers its own line and the next one, so it may trail the
    offending line or stand on the line above it.
    """
    if not text or "kubelint:" not in text:
        return {}
    lines: dict[int, frozenset[str]] = {}
    number, counted = 1, 0  # newlines counted once, from the previous match on
    for m in _COMMENT_RE.finditer(text):
        number += text.count("\n", counted, m.start())
        counted = m.start()
        names = _names(m.group(1)) if m.group(1) is not None else frozenset({ALL})
        for target in (number, number + 1):
            lines[target] = lines.get(target, frozenset()) | names
    return lines


def object_ignores(obj: K8sObject) -> frozenset[str]:
    """Rules suppressed by the kubelint.io/ignore annotation of an object or
    of its pod template."""
    names: frozenset[str] = frozenset()
    value = as_map(as_map(obj.data.get("metadata")).get("annotations")).get(ANNOTATION)
    if isinstance(value, str):
        names |= _names(value)
    pod = pod_spec(obj)
    if pod is not None:
        value = as_map(pod.metadata.get("annotations")).get(ANNOTATION)
        if isinstance(value, str):
            names |= _names(value)
    return names


def matches(finding: Finding, names: Iterable[str]) -> bool:
    names = set(names)
    return bool(names) and (ALL in names or finding.name in names or finding.rule in names or finding.rule.lower() in names)
