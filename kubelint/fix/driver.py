"""`--fix` and `--diff`: choose the fixes to apply, apply them per file,
re-check, and say what was fixed and what was not (and why).

A fix is kept only when a re-check of the fixed file no longer reports the
findings it fixes and reports nothing new.  When the fixes of a file fail that
test together, they are tried one at a time and each is kept or refused on its
own.  The re-check runs the same settings on the file alone, before and after,
so findings that depend on other files compare like with like.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable

from kubelint.fix.apply import EditError, ObjectEdits, apply_to_text
from kubelint.fix.write import NotFixable, decode, encode
from kubelint.model import Finding, Path, RunResult

# Hazards after which the text is not what the author meant to write; such a
# file is never rewritten.
UNREADABLE = frozenset({"yaml-syntax", "yaml-encoding", "template-unrendered", "yaml-alias-bomb", "yaml-too-deep"})


@dataclass
class FileFix:
    name: str
    before: bytes
    after: bytes  # == before when nothing was applied
    fixed: list[Finding] = field(default_factory=list)
    refused: dict[tuple, str] = field(default_factory=dict)  # finding key -> why not applied

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass
class _Unit:
    """One distinct fix of an object and the findings it fixes (two
    containers' findings may share one pod-level fix)."""

    document: int
    object_path: Path
    edits: tuple
    findings: list[Finding]


_LINE_RE = re.compile(r"\bline \d+")


def key(f: Finding) -> tuple:
    """What identifies a finding across a fix.  Its line may move, and a
    finding anchored at the nearest existing mapping moves deeper when a fix
    creates the mapping it lacked, so neither is part of it."""
    return (f.name, f.document, tuple(f.object_path), _LINE_RE.sub("line N", f.message))


def wanted(f: Finding, unsafe: bool) -> bool:
    fix = f.fix
    return fix is not None and fix.applicable and (fix.safety == "safe" or (unsafe and fix.safety == "unsafe"))


def fixable(f: Finding) -> bool:
    return f.fix is not None and f.fix.applicable


def fix_files(sources: Iterable, settings, result: RunResult, unsafe: bool = False) -> list[FileFix]:
    """A FileFix for every source that has a finding to fix."""
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        if wanted(f, unsafe) and f.document is not None:
            by_file.setdefault(f.file, []).append(f)
    out = []
    for source in sources:
        findings = by_file.get(source.name)
        if findings:
            out.append(_fix_file(source.name, source.data, findings, settings))
    return out


# A fix can make another applicable (privileged: false lets
# allowPrivilegeEscalation: false be set), so fixing repeats until nothing
# changes, as ruff does; a bound keeps a pathological case finite.
MAX_PASSES = 5


def fix_until_stable(sources: list, settings, result: RunResult, unsafe: bool = False, context=None) -> tuple[list[FileFix], RunResult]:
    """Fix, re-check the whole run (with the run's project context), and fix
    again until nothing changes.  Returns one FileFix per file that had
    something to fix (`before` the original bytes, `after` the final ones)
    and the run's final result."""
    from dataclasses import replace

    from kubelint.engine import check
    from kubelint.sources import Source

    current = {s.name: s.data for s in sources}
    combined: dict[str, FileFix] = {}
    for _ in range(MAX_PASSES):
        fixes = fix_files([Source(s.name, current[s.name]) for s in sources], settings, result, unsafe)
        for ff in fixes:
            total = combined.setdefault(ff.name, FileFix(ff.name, ff.before, ff.before))
            total.after = ff.after
            total.fixed += ff.fixed
            total.refused = ff.refused
        progress = [ff for ff in fixes if ff.changed]
        if not progress:
            break
        for ff in progress:
            current[ff.name] = ff.after
        result = check([replace(s, data=current[s.name]) for s in sources], settings, context=context)
    return list(combined.values()), result


def _fix_file(name: str, data: bytes, findings: list[Finding], settings) -> FileFix:
    outcome = FileFix(name, data, data)

    def refuse_all(reason: str) -> FileFix:
        outcome.refused.update((key(f), reason) for f in findings)
        return outcome

    if "://" in name:
        return refuse_all("a URL is never rewritten")
    try:
        text, encoding = decode(data)
    except NotFixable as e:
        return refuse_all(str(e))
    before = _check(name, data, settings)
    if before is None:
        return refuse_all("the file cannot be parsed")

    units: dict[tuple, _Unit] = {}
    for f in findings:
        k = (f.document, tuple(f.object_path), repr(f.fix.edits))
        units.setdefault(k, _Unit(f.document, tuple(f.object_path), f.fix.edits, [])).findings.append(f)
    todo = list(units.values())

    def attempt(chosen: list[_Unit]) -> tuple[bytes, list[str], Counter | None]:
        by_document: dict[int, list[ObjectEdits]] = {}
        for u in chosen:
            by_document.setdefault(u.document, []).append((u.object_path, u.edits))
        try:
            new_text, reasons = apply_to_text(name, text, by_document)
        except EditError as e:
            return data, [str(e)] * len(chosen), None
        order: dict[int, int] = {}
        flat = []
        for u in chosen:
            i = order.get(u.document, 0)
            order[u.document] = i + 1
            flat.append(reasons.get(u.document, [""] * (i + 1))[i])
        new = encode(new_text, encoding)
        return new, flat, _check(name, new, settings)

    def verdict(units_: list[_Unit], after: Counter | None) -> str:
        """Why these fixes cannot stay, or "" when they can."""
        if after is None:
            return "the fixed file would not parse"
        for u in units_:
            for f in u.findings:
                if after[key(f)]:
                    return "a re-check still reports it after the fix"
        added = after - before
        if added:
            name_, _, _, message = next(iter(added))
            return f"the fix would add a finding: [{name_}] {message}"
        return ""

    new, reasons, after = attempt(todo)
    if not any(reasons) and not verdict(todo, after):
        outcome.after = new
        outcome.fixed = [f for u in todo for f in u.findings]
        return outcome

    # One at a time, on top of the fixes already kept.
    kept: list[_Unit] = []
    for unit in todo:
        new, reasons, after = attempt(kept + [unit])
        why = reasons[-1] or (any(reasons) and "a fix before it could not be applied") or verdict(kept + [unit], after)
        if why:
            outcome.refused.update((key(f), why) for f in unit.findings)
            continue
        kept.append(unit)
        outcome.after = new
    outcome.fixed = [f for u in kept for f in u.findings]
    return outcome


def _check(name: str, data: bytes, settings) -> Counter | None:
    """The findings of one file alone, by key; None when it does not parse."""
    from kubelint.engine import check
    from kubelint.sources import Source

    result = check([Source(name, data)], settings)
    if any(f.name in UNREADABLE for f in result.findings):
        return None
    return Counter(key(f) for f in result.findings)


def annotate(result: RunResult, fixes: list[FileFix]) -> RunResult:
    """The findings of a run, each refused fix saying why it was not applied."""
    refused = {k: why for ff in fixes for k, why in ff.refused.items()}
    if not refused:
        return result
    findings = []
    for f in result.findings:
        why = refused.get(key(f))
        if why and f.fix is not None:
            # Not counted as fixable any more: --fix just tried it.
            f = replace(f, fix=replace(f.fix, title=f"{f.fix.title} Not applied: {why}.", edits=()))
        findings.append(f)
    return replace(result, findings=tuple(findings))


def unified_diff(fixes: list[FileFix]) -> str:
    """A unified diff of every changed file (what `--diff` prints)."""
    import difflib

    out = []
    for ff in fixes:
        if not ff.changed:
            continue
        a = ff.before.decode("utf-8", errors="replace").splitlines(keepends=True)
        b = ff.after.decode("utf-8", errors="replace").splitlines(keepends=True)
        sep = "" if ff.name.startswith("/") else "/"  # `patch -p1` applies it either way
        for line in difflib.unified_diff(a, b, f"a{sep}{ff.name}", f"b{sep}{ff.name}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
