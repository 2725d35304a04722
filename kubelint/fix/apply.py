"""Apply a finding's structured edits to the text of a file, keeping its layout.

Only the documents that change are touched: each one is loaded with
ruamel.yaml's round-trip loader (comments, key order, quoting, flow and block
styles, block scalars), edited, dumped with the indentation detected in that
document, and the result is spliced back between the other documents' original
text.  Where ruamel.yaml would re-emit a line of the document differently from
the original even without an edit (odd spacing, a long flow sequence), the
change is merged line by line into the original text, so only the lines of the
edited fields and the lines the edit adds differ.  JSON files stay JSON, with
their indentation.

ruamel.yaml is imported inside the fix stage's functions only; the checking path
never loads it.
"""

from __future__ import annotations

import io
import json
from typing import Any

from kubelint.fix.edits import EditError, ObjectEdits, apply_edit, prefixed
from kubelint.fix.merge import comments, indent_of, merge_lines
from kubelint.model import Path


# ------------------------------------------------------------------ documents


def document_lines(text: str) -> list[tuple[int, int]]:
    """The line range [start, end) (0-based) of every document of a YAML
    stream, in order, as the checking parser numbers documents.

    A document's range starts at its `---` line (or its first node when the
    start is implicit) and ends where the next document starts (or after its
    `...`), so comments between documents belong to the one before.
    """
    import yaml

    loader = yaml.CSafeLoader(text)
    ranges: list[tuple[int, int]] = []
    start = None
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                start = event.start_mark.line
            elif isinstance(event, yaml.DocumentEndEvent):
                end = event.end_mark.line + (1 if event.end_mark.column else 0)
                ranges.append((start, end))
            elif isinstance(event, yaml.StreamEndEvent):
                break
    finally:
        loader.dispose()
    return ranges


def is_json(name: str, text: str) -> bool:
    stripped = text.lstrip()
    if not (name.lower().endswith(".json") or stripped.startswith(("{", "["))):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True




def apply_to_text(name: str, text: str, by_document: dict[int, list[ObjectEdits]]) -> tuple[str, dict[int, list[str]]]:
    """`text` with each document's fixes applied, and the reasons fixes could
    not be applied: {document: [reason or "" per fix, in order]}.

    `text` uses "\\n" line endings.  Fixes that fail are skipped; the others
    still apply.
    """
    if is_json(name, text):
        from kubelint.fix.jsonfile import apply_json

        if set(by_document) - {0}:
            raise EditError("a JSON file has one document")
        new, reasons = apply_json(text, by_document.get(0, []))
        return new, {0: reasons}
    lines = text.splitlines(keepends=True)
    ranges = document_lines(text)
    out: list[str] = []
    reasons: dict[int, list[str]] = {}
    cursor = 0
    for index, (start, end) in enumerate(ranges):
        fixes = by_document.get(index)
        if not fixes:
            continue
        head = start
        # Keep the `---` line (and a comment on it) as it is.
        if lines[start].startswith("---"):
            rest = lines[start][3:].strip()
            if rest and not rest.startswith("#"):
                reasons[index] = ["the document starts on its `---` line"] * len(fixes)
                continue
            head = start + 1
        body = "".join(lines[head:end])
        new_body, reasons[index] = _apply_yaml(body, fixes)
        out.append("".join(lines[cursor:head]))
        out.append(new_body)
        cursor = end
    out.append("".join(lines[cursor:]))
    return "".join(out), reasons


# --------------------------------------------------------------------- YAML


def _yaml(indent: tuple[int, int, int]):
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.allow_duplicate_keys = True
    y.width = 1 << 16  # never wrap a long line the file did not wrap
    mapping, sequence, offset = indent
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _dump(y, data) -> str:
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def detect_indent(root: Any) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, `- ` offset) most used by the nested
    block mappings and block sequences of a loaded document; (2, 2, 0), the
    indentless style kubectl writes, where the document has none."""
    from collections import Counter

    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    mappings: Counter = Counter()
    sequences: Counter = Counter()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, CommentedMap) and not node.fa.flow_style():
            for key, value in node.items():
                if not isinstance(value, (CommentedMap, CommentedSeq)) or value.fa.flow_style() or not len(value):
                    continue
                stack.append(value)
                try:
                    key_line, key_col = node.lc.key(key)
                except (KeyError, TypeError, AttributeError):
                    continue
                if isinstance(value, CommentedMap) and value.lc.line is not None and value.lc.line > key_line:
                    mappings[value.lc.col - key_col] += 1
                elif isinstance(value, CommentedSeq) and value.lc.data:
                    offset, sequence = value.lc.col - key_col, value.lc.data[0][1] - key_col
                    if offset >= 0 and sequence >= offset + 2:
                        sequences[(sequence, offset)] += 1
        elif isinstance(node, CommentedSeq):
            stack.extend(v for v in node if isinstance(v, (CommentedMap, CommentedSeq)))
    mapping = next((m for m, _ in mappings.most_common() if m > 0), 2)
    sequence, offset = sequences.most_common(1)[0][0] if sequences else (2, 0)
    return mapping, sequence, offset


def _apply_yaml(body: str, fixes: list[ObjectEdits]) -> tuple[str, list[str]]:
    from ruamel.yaml.error import YAMLError

    # Repeated keys go first, on the text: the round-trip loader would
    # drop one of them on its own, and the other edits see the object as
    # kubectl does (with the last value).
    text_reasons: dict[int, str] = {}
    for index, (prefix, edits) in enumerate(fixes):
        if any(e.op == "keep-last" for e in edits):
            try:
                for e in edits:
                    body = keep_last(body, tuple(prefix) + tuple(e.path))
                text_reasons[index] = ""
            except EditError as e:
                text_reasons[index] = str(e)
    if text_reasons:
        rest = [f for i, f in enumerate(fixes) if i not in text_reasons]
        new_body, rest_reasons = _apply_yaml(body, rest) if rest else (body, [])
        merged = iter(rest_reasons)
        return new_body, [text_reasons[i] if i in text_reasons else next(merged) for i in range(len(fixes))]
    try:
        probe = _yaml((2, 2, 0))
        root = probe.load(body)
        indent = detect_indent(root)
        y = _yaml(indent)
        baseline = _dump(y, y.load(body))
        root = y.load(body)
    except YAMLError as e:
        return body, [f"ruamel.yaml cannot read the document: {str(e).splitlines()[0]}"] * len(fixes)
    reasons = []
    accepted: list[ObjectEdits] = []
    for prefix, edits in fixes:
        try:
            for edit in edits:
                apply_edit(root, prefixed(prefix, edit))
        except EditError as e:
            reasons.append(str(e))
            root = y.load(body)  # start again from the fixes that applied
            for p, es in accepted:
                for edit in es:
                    apply_edit(root, prefixed(p, edit))
        else:
            reasons.append("")
            accepted.append((prefix, edits))
    if not accepted:
        return body, reasons
    result = merge_lines(body, baseline, _dump(y, root))
    if comments(body) - comments(result):
        # The emitter dropped a comment it could not place; keep the file.
        return body, [r or "the fix would lose a comment" for r in reasons]
    return result, reasons


def keep_last(body: str, path: Path) -> str:
    """`body` without the earlier entries of the key `path[-1]` that the
    mapping at `path[:-1]` repeats.  Each earlier entry goes with its lines;
    comment lines after it stay.  Only whole-line block entries are removed."""
    import yaml

    *where, key = path
    where = tuple(where)
    loader = yaml.CSafeLoader(body)
    # Per open collection: [is mapping, path, expecting a key, current key, entries]
    stack: list[list] = []
    entries: list[tuple[Any, int, int]] = []  # (key, line, column) in the target mapping
    end_line = None
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                if frame[0] and frame[1] == where and end_line is None:
                    end_line = event.start_mark.line if event.start_mark.column == 0 else None
                    if end_line is None:
                        # A block mapping ends where the next line starts.
                        end_line = event.start_mark.line + (1 if event.start_mark.column else 0)
                _advance(stack)
                continue
            top = stack[-1] if stack else None
            if top is not None and top[0] and top[2]:
                # A key.
                top[3] = event.value if isinstance(event, yaml.ScalarEvent) else None
                top[2] = False
                if top[1] == where:
                    entries.append((top[3], event.start_mark.line, event.start_mark.column))
                continue
            here = () if top is None else top[1] + ((top[3],) if top[0] else (top[4],))
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if isinstance(event, yaml.MappingStartEvent) and here == where and event.flow_style:
                    raise EditError("the repeated key is in a flow mapping")
                stack.append([isinstance(event, yaml.MappingStartEvent), here, True, None, 0])
                continue
            _advance(stack)
    except yaml.YAMLError as e:
        raise EditError(f"cannot read the document: {e}") from None
    finally:
        loader.dispose()
    lines = body.splitlines(keepends=True)
    spans = []
    positions = [i for i, entry in enumerate(entries) if entry[0] == key]
    if len(positions) < 2:
        return body
    for i in positions[:-1]:
        _, line, column = entries[i]
        stop = entries[i + 1][1] if i + 1 < len(entries) else (end_line if end_line is not None else len(lines))
        if indent_of(lines[line]) != column or (i + 1 < len(entries) and indent_of(lines[stop]) != entries[i + 1][2]):
            raise EditError("the repeated key does not start its own line")
        # Comment and blank lines at the end stay: they introduce what follows.
        while stop - 1 > line and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
            stop -= 1
        spans.append((line, stop))
    for start, stop in reversed(spans):
        del lines[start:stop]
    return "".join(lines)


def _advance(stack: list[list]) -> None:
    """A value ended: the mapping above expects a key, the list its next item."""
    if stack:
        top = stack[-1]
        if top[0]:
            top[2] = True
        else:
            top[4] += 1
