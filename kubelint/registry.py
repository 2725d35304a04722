"""Rules as values: the `@rule` decorator, and the registry that finds them.

A rule is a function `(obj, ctx) -> Iterator[Problem]` with its metadata in the
decorator and its documentation in its docstring.  The decorator returns a
`Rule`; it registers nothing.  `kubelint.rules.all_rules()` collects the rules
of the family modules it lists explicitly.

Some rules are not functions over objects: the parse stage reports YAML hazards
per file.  `declare()` gives those the same metadata and documentation.
"""

from __future__ import annotations

import difflib
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from kubelint.k8s.kinds import resolve as resolve_kinds
from kubelint.model import FIX_SAFETIES, SEVERITIES, FixSafety, Severity

CODE_RE = re.compile(r"^KL\d{3}$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DOC_SECTIONS = ("Why", "Example", "Use instead", "Fix safety", "References")
# Policy rules (kubelint.policy) exist only for a run that loads policies; their
# name is their code: `main.deny` (conftest package and rule) or
# `K8sRequiredLabels/must-have-owner` (Gatekeeper constraint kind and name).
POLICY_CATEGORY = "policy"
POLICY_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$")


def is_policy_selector(selector: str) -> bool:
    """A selector that can only name a policy rule (or all of them): without
    policies in the run it selects nothing rather than being an error."""
    s = selector.strip()
    if s.lower() == POLICY_CATEGORY or s.lower().startswith(POLICY_CATEGORY + "-"):
        return True
    return ("." in s or "/" in s) and bool(POLICY_NAME_RE.match(s))


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    category: str
    enabled: bool  # on by default
    doc: str
    check: Callable[..., Iterator[Any]] | None = None  # None: emitted by a stage
    options: Mapping[str, Any] = field(default_factory=dict)  # JSON Schema properties
    # (API group, kind) pairs the rule looks at, resolved from `kinds=` by
    # kubelint.k8s.kinds.resolve; None means every kind.  Lets the engine
    # skip a rule without calling it.
    kinds: frozenset[tuple[str, str]] | None = None
    fixed_severity: bool = False  # the user overrode the severity
    # How safe the rule's fixes are, declared once: "safe" (--fix applies
    # them), "unsafe" (--unsafe-fixes), "none" (advice only).  A problem may
    # carry a fix of another safety when one case differs (Fix.safety).
    fix: FixSafety = "none"

    @property
    def summary(self) -> str:
        """The first paragraph of the docstring, on one line."""
        return " ".join(self.doc.strip().split("\n\n", 1)[0].split())

    def section(self, heading: str) -> str:
        if heading == "Options":
            return self.options_doc()
        return doc_sections(self.doc).get(heading, "")

    def options_doc(self) -> str:
        """The Options section, generated from the options' JSON Schema, the
        one place their types, defaults and meaning are declared."""
        lines = []
        for name, schema in sorted(self.options.items()):
            kind = schema.get("type", "")
            if kind == "array":
                item = schema.get("items", {})
                kind = f"list of {', '.join(item['enum'])}" if "enum" in item else f"list of {item.get('type', 'values')}s"
            elif "enum" in schema:
                kind = "one of " + ", ".join(str(v) for v in schema["enum"])
            if "default" in schema:
                default = schema["default"]
                if isinstance(default, bool):
                    default = str(default).lower()
                elif isinstance(default, list):
                    default = ", ".join(str(v) for v in default) or "none"
                kind += f"; default {default}"
            lines.append(f"{name} ({kind}): {schema.get('description', '').strip()}")
        return "\n".join(lines)

    def default_options(self) -> dict[str, Any]:
        return {k: v.get("default") for k, v in self.options.items() if "default" in v}


def rule(
    *,
    code: str,
    name: str,
    severity: Severity,
    category: str,
    enabled: bool = True,
    options: Mapping[str, Any] | None = None,
    kinds: Iterable[str] | None = None,
    fix: FixSafety = "none",
) -> Callable[[Callable[..., Iterator[Any]]], Rule]:
    """Turn a check function into a `Rule`; the docstring is its documentation."""

    def wrap(fn: Callable[..., Iterator[Any]]) -> Rule:
        return Rule(
            code=code,
            name=name,
            severity=severity,
            category=category,
            enabled=enabled,
            doc=inspect.cleandoc(fn.__doc__ or ""),
            check=fn,
            options=dict(options or {}),
            kinds=resolve_kinds(kinds) if kinds is not None else None,
            fix=fix,
        )

    return wrap


def declare(
    *,
    code: str,
    name: str,
    severity: Severity,
    category: str,
    doc: str,
    enabled: bool = True,
    fix: FixSafety = "none",
) -> Rule:
    """A rule whose findings a stage (parse, sources) emits itself."""
    return Rule(code, name, severity, category, enabled, inspect.cleandoc(doc), fix=fix)


_HEADING_RE = re.compile(r"^(Why|Checked|Example|Use instead|Fix safety|Options|References):\s*(.*)$")


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its summary and headed sections.

    A heading is a line `Why:`, `Example:`, ... ; its text runs to the next
    heading.  Example snippets keep their indentation (dedented).
    """
    sections: dict[str, list[str]] = {"Summary": []}
    current = "Summary"
    for line in doc.splitlines():
        m = _HEADING_RE.match(line)
        if m:
            current = m.group(1)
            sections[current] = [m.group(2)] if m.group(2) else []
        else:
            sections[current].append(line)
    return {k: _dedent(v) for k, v in sections.items()}


def _dedent(lines: list[str]) -> str:
    """Dedent a section's lines as one block, so nested YAML in an example
    keeps its shape (inspect.cleandoc would treat the first line apart)."""
    return textwrap.dedent("\n".join(lines)).strip("\n").rstrip()


class UnknownRule(ValueError):
    pass


class Registry:
    """Every rule by code and name; resolves selectors."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: list[Rule] = sorted(rules, key=lambda r: r.code)
        self.by_code: dict[str, Rule] = {}
        self.by_name: dict[str, Rule] = {}
        for r in self.rules:
            if r.category == POLICY_CATEGORY:
                if not POLICY_NAME_RE.match(r.name) or r.code != r.name:
                    raise ValueError(f"policy rule {r.name!r}: bad name")
            elif not CODE_RE.match(r.code):
                raise ValueError(f"rule {r.name}: bad code {r.code!r}")
            elif not NAME_RE.match(r.name):
                raise ValueError(f"rule {r.code}: bad name {r.name!r}")
            if r.severity not in SEVERITIES:
                raise ValueError(f"rule {r.name}: bad severity {r.severity!r}")
            if r.fix not in FIX_SAFETIES:
                raise ValueError(f"rule {r.name}: bad fix safety {r.fix!r}")
            if r.code in self.by_code:
                raise ValueError(f"duplicate rule code {r.code}: {r.name}, {self.by_code[r.code].name}")
            if r.name in self.by_name:
                raise ValueError(f"duplicate rule name {r.name}")
            self.by_code[r.code] = r
            self.by_name[r.name] = r
        self.categories = sorted({r.category for r in self.rules})

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def get(self, name_or_code: str) -> Rule:
        key = name_or_code.strip()
        r = self.by_name.get(key.lower()) or self.by_code.get(key.upper()) or self.by_name.get(key)
        if r is None:
            raise UnknownRule(self._unknown(key))
        return r

    def select(self, selector: str) -> list[Rule]:
        """Rules matching a selector: `ALL`, a code, a code prefix (`KL4`), a
        name, or a category (`pss`)."""
        s = selector.strip()
        if s.upper() == "ALL":
            return list(self.rules)
        if s.lower() in self.by_name:
            return [self.by_name[s.lower()]]
        if s in self.by_name:  # a policy rule keeps its case
            return [self.by_name[s]]
        if s.lower() in self.categories:
            return [r for r in self.rules if r.category == s.lower()]
        if re.fullmatch(r"(?i)KL\d{0,3}", s):
            hits = [r for r in self.rules if r.code.startswith(s.upper())]
            if hits:
                return hits
        if is_policy_selector(s):
            return []
        raise UnknownRule(self._unknown(s))

    def _unknown(self, key: str) -> str:
        close = difflib.get_close_matches(key.lower(), list(self.by_name) + self.categories, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f'no such rule: "{key}"{hint}'

    def active(
        self,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> list[Rule]:
        """ruff's precedence: `select` is the base (default: the rules on by
        default), then `extend_select` adds, then `ignore` removes."""
        if select:
            chosen = {r.code for s in select for r in self.select(s)}
        else:
            chosen = {r.code for r in self.rules if r.enabled}
        for s in extend_select:
            chosen |= {r.code for r in self.select(s)}
        for s in ignore:
            chosen -= {r.code for r in self.select(s)}
        return [r for r in self.rules if r.code in chosen]
