"""The suppression stage: applied once, after every finding exists; rules
never look.

Three places can suppress a finding:

* the configuration: `ignore` (whole rules, applied when choosing rules) and
  `per-file-ignores` (glob -> rules);
* the object: annotation `kubelint.io/ignore: "name,name"` on the object or
  on its pod template (it travels with the object; `*` means every rule);
* a comment: `# kubelint: ignore[name,name] reason` on the offending line or
  the line above it (`# kubelint: ignore` alone means every rule).  Only real
  YAML comments count: the parse stage tells them from string content.

Codes and names both work everywhere.  A suppression that names no rule
kubelint knows is itself reported (`suppression-rule-unknown`, with "did you
mean"), and one that suppressed nothing can be (`unused-suppression`, off by
default, like ruff's RUF100).

`suppress(linted, run, registry, rules, settings) -> (kept, used)`: the
findings that remain (plus those two rules' findings) and the suppressions
that took effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from kubelint.model import Finding, K8sObject
from kubelint.k8s.workloads import as_map, pod_spec

ANNOTATION = "kubelint.io/ignore"
ALL = "*"


def _names(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split(",") if p.strip())


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


@dataclass(frozen=True, slots=True)
class Suppression:
    """One place that suppresses rules, with what it names, resolved."""

    where: str  # "comment", "annotation", "per-file-ignores"
    file: str
    line: int
    column: int
    codes: frozenset[str]  # rule codes, or {"*"}


def suppress(linted, run, registry, rules, settings) -> tuple[list[Finding], list[Suppression]]:
    """(findings kept, suppressions used); adds the findings about the
    suppressions themselves when those rules are active."""
    from kubelint.registry import UnknownRule
    from kubelint.sources import excluded

    active = {r.name: r for r in rules}
    unknown_rule = active.get("suppression-rule-unknown")
    unused_rule = active.get("unused-suppression")
    extra: list[Finding] = []

    def resolve(names: Iterable[str], file: str, line: int, column: int, where: str) -> frozenset[str]:
        codes = set()
        for name in names:
            if name in (ALL, "ALL"):
                codes.add(ALL)
                continue
            try:
                codes |= {r.code for r in registry.select(name)}
            except UnknownRule as e:
                if unknown_rule is not None:
                    from kubelint.engine import finding

                    extra.append(finding(unknown_rule, f"{where} suppresses {e}", file, line, column))
        return frozenset(codes)

    # Comments: a directive covers its own line and the next one.
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for file, directives in linted.directives.items():
        for d in directives:
            names = d.names if d.names is not None else (ALL,)
            s = Suppression("comment", file, d.line, d.column, resolve(names, file, d.line, d.column, "comment"))
            for target in (d.line, d.line + 1):
                by_line.setdefault((file, target), []).append(s)
    by_object: dict[tuple, Suppression] = {}
    for key, (names, file, line, column) in linted.annotations.items():
        by_object[key] = Suppression("annotation", file, line, column, resolve(names, file, line, column, f"annotation {ANNOTATION}"))
    per_file = []
    for pattern, selectors in settings.per_file_ignores.items():
        try:
            codes = frozenset(r.code for s in selectors for r in registry.select(s))
        except UnknownRule as e:
            raise ValueError(f"per-file-ignores: {e}") from None
        per_file.append((pattern, Suppression("per-file-ignores", settings.config_file or "", 1, 1, codes)))

    used: dict[Suppression, None] = {}
    kept = []
    for f in linted.findings:
        hit = None
        if f.object is not None and f.document is not None:
            s = by_object.get((f.file, f.document, f.object_path))
            if s is not None and (ALL in s.codes or f.rule in s.codes):
                hit = s
        if hit is None:
            for s in by_line.get((f.file, f.line), ()):
                if ALL in s.codes or f.rule in s.codes:
                    hit = s
                    break
        if hit is None:
            for pattern, s in per_file:
                if f.rule in s.codes and excluded(f.file, [pattern]):
                    hit = s
                    break
        if hit is None:
            kept.append(f)
        else:
            used[hit] = None

    if unused_rule is not None:
        from kubelint.engine import finding

        seen = set()
        active_codes = {r.code for r in rules}
        for s in [s for group in by_line.values() for s in group] + list(by_object.values()):
            if s in used or s in seen or not s.codes or not (ALL in s.codes or s.codes <= active_codes):
                continue  # a suppression of a rule not checked this time may still be needed
            seen.add(s)
            what = "every rule" if ALL in s.codes else ", ".join(sorted(registry.get(c).name for c in s.codes))
            extra.append(finding(unused_rule, f"this {s.where} suppresses {what}, but nothing was found to suppress",
                                 s.file, s.line, s.column))
    return kept + extra, list(used)
