"""Comments that speak to kubelint: `# kubelint: ignore[rule, rule] reason`.

The parse stage finds them and the suppression stage interprets them.  A
directive is a real YAML comment: text that looks like one inside a string
value (`args: ["# kubelint: ignore"]`, a block scalar holding a script) is
content, and the loader tells the two apart (see `load_stream`'s probes).

Finding them is linear in the text: one regular-expression scan, with line
numbers counted as the scan moves forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE_RE = re.compile(r"#\s*kubelint:\s*ignore(?:\[([^\]\n]*)\])?")


@dataclass(frozen=True, slots=True)
class Directive:
    line: int  # 1-based, of the comment
    column: int  # 1-based, of the `#`
    names: tuple[str, ...] | None  # None: every rule


def candidates(text: str) -> list[tuple[int, int, tuple[str, ...] | None]]:
    """(0-based line, 0-based column, names) of every text that looks like a
    directive, in order."""
    if "kubelint:" not in text:
        return []
    found = []
    line, line_start, pos = 0, 0, 0
    for m in _DIRECTIVE_RE.finditer(text):
        start = m.start()
        newlines = text.count("\n", pos, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", pos, start) + 1
        pos = start
        names = None
        if m.group(1) is not None:
            names = tuple(p.strip() for p in m.group(1).split(",") if p.strip())
        found.append((line, start - line_start, names))
    return found


def directives(text: str, inside_scalars_removed: list[tuple[int, int]], found) -> list[Directive]:
    """The candidates that survived the loader's probe (not inside a scalar)."""
    keep = set(inside_scalars_removed)
    return [Directive(line + 1, column + 1, names) for line, column, names in found if (line, column) in keep]


def directives_in_text(text: str) -> list[Directive]:
    """Every directive of a text that is not YAML (a shell script, a
    Makefile): each `#` there starts a comment as far as kubelint cares."""
    return [Directive(line + 1, column + 1, names) for line, column, names in candidates(text)]
