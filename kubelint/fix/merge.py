"""Merging an emitter's rendering of an edited document back into the
original text, line by line, so lines the edit did not touch stay as written."""

from __future__ import annotations

import difflib
import re
from collections import Counter


def merge_lines(original: str, baseline: str, modified: str) -> str:
    """Carry the change from `baseline` to `modified` into `original`.

    `baseline` is the emitter's rendering of the unedited document and
    `modified` of the edited one.  When the emitter renders the original
    exactly, `modified` is the answer.  Otherwise each changed block of lines
    is placed at the matching lines of `original`, so lines the emitter would
    have re-spaced stay as the user wrote them.  Lines match when they differ
    only in indentation (the emitter has one sequence indent per document, a
    file may have several); a block then takes the indentation of the lines
    around it in the original.  When a block does not map cleanly, the
    emitter's whole rendering is used (comments are still kept).
    """
    if baseline == original:
        return _keep_comment_gaps(original, modified)
    if baseline == modified:
        return original
    o = original.splitlines(keepends=True)
    b = baseline.splitlines(keepends=True)
    m = modified.splitlines(keepends=True)
    trailing = not (o and not o[-1].endswith("\n"))
    if not trailing:
        o[-1] += "\n"
    to_original: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, [x.lstrip(" ") for x in o], [x.lstrip(" ") for x in b], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            to_original[block.b + k] = block.a + k
    replacements = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, m, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            if any(i not in to_original for i in range(i1, i2)):
                return modified
            o1, o2 = to_original[i1], to_original[i2 - 1] + 1
            if o2 - o1 != i2 - i1:
                # Lines the emitter dropped (a comment between flow items)
                # sit between them in the original: pair each changed line
                # with its new rendering and keep the lines between.
                block = _interleave(o, b, m, to_original, i1, i2, j1, j2)
                if block is None:
                    return modified
                replacements.append((o1, o2, block))
                continue
        elif i1 - 1 in to_original:
            o1 = o2 = to_original[i1 - 1] + 1
        elif i1 in to_original:
            o1 = o2 = to_original[i1]
        elif i1 == 0:
            o1 = o2 = 0
        else:
            return modified
        lines = m[j1:j2]
        delta = _indent_delta(o, b, to_original, i2 - 1 if i1 < i2 else i1 - 1, lines)
        lines = [_reindent(x, delta) for x in lines]
        if lines and o1 > 0:
            lines[0] = _same_dash(o[o1 - 1], lines[0])
        if o2 - o1 == len(lines):
            lines = [_comment_gap(a, b) for a, b in zip(o[o1:o2], lines)]
        replacements.append((o1, o2, lines))
    for o1, o2, lines in sorted(replacements, key=lambda r: (r[0], r[1]), reverse=True):
        o[o1:o2] = lines
    out = "".join(o)
    if not trailing and out.endswith("\n"):
        out = out[:-1]
    return out


_EOL_COMMENT = re.compile(r"^(.*?\S)( +)(#[^'\"]*)$")


def _comment_gap(before: str, after: str) -> str:
    """A changed line keeps the spaces its end-of-line comment had (the
    emitter keeps the comment's column instead, or one space after a flow
    collection)."""
    a, b = _EOL_COMMENT.match(before.rstrip("\n")), _EOL_COMMENT.match(after.rstrip("\n"))
    if a and b and a.group(3) == b.group(3) and a.group(2) != b.group(2):
        return b.group(1) + a.group(2) + b.group(3) + after[len(after.rstrip("\n")):]
    return after


def _keep_comment_gaps(original: str, modified: str) -> str:
    o = original.splitlines(keepends=True)
    m = modified.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, o, m, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            m[j1:j2] = [_comment_gap(a, b) for a, b in zip(o[i1:i2], m[j1:j2])]
    return "".join(m)


def _interleave(o: list[str], b: list[str], m: list[str], to_original: dict[int, int],
                i1: int, i2: int, j1: int, j2: int) -> list[str] | None:
    """O's lines from the first to the last line of b[i1:i2], each of those
    replaced by the line of m[j1:j2] most like it (in order), lines of m
    without a partner placed after the partner before them."""
    out: list[str] = []
    j = j1
    previous = to_original[i1]
    for i in range(i1, i2):
        k = to_original[i]
        out += o[previous + 1:k] if i > i1 else []
        candidates = [(_covered(b[i], m[x]), -x) for x in range(j, j2)]
        if not candidates or max(candidates)[0] < 0.6:
            return None
        best = -max(candidates)[1]
        delta = indent_of(o[k]) - indent_of(b[i])
        out += [_reindent(x, delta) for x in m[j:best]]
        out.append(_comment_gap(o[k], _reindent(m[best], delta)))
        j, previous = best + 1, k
    out += [_reindent(x, indent_of(o[previous]) - indent_of(b[i2 - 1])) for x in m[j:j2]]
    return out


def _covered(line: str, other: str) -> float:
    """How much of `line` appears, in order, in `other` (an edited line keeps
    most of the old one and may grow a lot)."""
    a, c = line.strip(), other.strip()
    if not a:
        return 1.0 if not c else 0.0
    matched = sum(block.size for block in difflib.SequenceMatcher(None, a, c, autojunk=False).get_matching_blocks())
    return matched / len(a)


def comments(text: str) -> Counter:
    """The comments of a YAML text, by their words (a `#` after white space
    or at the start of a line; one inside a quoted scalar may count too)."""
    return Counter(" ".join(m.group(1).split()) for m in _COMMENT.finditer(text))


_COMMENT = re.compile(r"(?:^|[ \t])#(.*)$", re.M)


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _indent_delta(o: list[str], b: list[str], to_original: dict[int, int], start: int, lines: list[str]) -> int:
    """How much deeper the original indents the level a block of lines sits
    at: the difference at the nearest line before it at that level or above."""
    content = [x for x in lines if x.strip()]
    if not content:
        return 0
    level = min(indent_of(x) for x in content)
    dash = next(x for x in content if indent_of(x) == level).lstrip().startswith("- ")
    for k in range(start, -1, -1):
        line = b[k].lstrip()
        if not line or line.startswith("#") or indent_of(b[k]) > level:
            continue
        if indent_of(b[k]) == level and line.startswith("- ") != dash:
            # An indentless sequence item sits at its parent key's column
            # but belongs one level deeper.
            continue
        if k not in to_original:
            return 0
        return indent_of(o[to_original[k]]) - indent_of(b[k])
    return 0


_DASH = re.compile(r"^( *)-( +)")


def _same_dash(before: str, line: str) -> str:
    """A new list item written like the item before it (`-   x`, not `- x`)."""
    a, b = _DASH.match(before), _DASH.match(line)
    if a and b and a.group(1) == b.group(1) and a.group(2) != b.group(2):
        return line[: b.start(2)] + a.group(2) + line[b.end(2):]
    return line


def _reindent(line: str, delta: int) -> str:
    if delta > 0 and line.strip():
        return " " * delta + line
    if delta < 0:
        return line[min(-delta, indent_of(line)):]
    return line
