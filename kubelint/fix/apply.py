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

ruamel.yaml is imported here only; the checking path never loads it.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from typing import Any, Iterable, Sequence

from kubelint.model import Edit, Path


class EditError(Exception):
    """An edit that cannot be applied to this document (the message says why)."""


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


# A fix to apply: the object's path in its document, and the fix's edits.
ObjectEdits = tuple[Path, Sequence[Edit]]


def apply_to_text(name: str, text: str, by_document: dict[int, list[ObjectEdits]]) -> tuple[str, dict[int, list[str]]]:
    """`text` with each document's fixes applied, and the reasons fixes could
    not be applied: {document: [reason or "" per fix, in order]}.

    `text` uses "\\n" line endings.  Fixes that fail are skipped; the others
    still apply.
    """
    if is_json(name, text):
        if set(by_document) - {0}:
            raise EditError("a JSON file has one document")
        new, reasons = _apply_json(text, by_document.get(0, []))
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
    """(mapping indent, sequence indent, `- ` offset) of the first nested
    block mapping and block sequence of a loaded document; (2, 2, 0), the
    indentless style kubectl writes, where the document has none."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    mapping = sequence = offset = None
    stack = [root]
    while stack and (mapping is None or sequence is None):
        node = stack.pop()
        if isinstance(node, CommentedMap) and not node.fa.flow_style():
            for key, value in node.items():
                if getattr(value, "fa", None) is None or value.fa.flow_style() or not len(value):
                    continue
                try:
                    key_col = node.lc.key(key)[1]
                except (KeyError, TypeError, AttributeError):
                    continue
                if isinstance(value, CommentedMap) and mapping is None and value.lc.line is not None:
                    if value.lc.line > node.lc.key(key)[0]:
                        mapping = value.lc.col - key_col
                elif isinstance(value, CommentedSeq) and sequence is None and value.lc.data:
                    offset = value.lc.col - key_col
                    sequence = value.lc.data[0][1] - key_col
                stack.append(value)
        elif isinstance(node, CommentedSeq):
            stack.extend(v for v in node if isinstance(v, (CommentedMap, CommentedSeq)))
    mapping = mapping if mapping and mapping > 0 else 2
    if sequence is None or offset is None or offset < 0 or sequence < offset + 2:
        sequence, offset = 2, 0
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
                apply_edit(root, _prefixed(prefix, edit))
        except EditError as e:
            reasons.append(str(e))
            root = y.load(body)  # start again from the fixes that applied
            for p, es in accepted:
                for edit in es:
                    apply_edit(root, _prefixed(p, edit))
        else:
            reasons.append("")
            accepted.append((prefix, edits))
    if not accepted:
        return body, reasons
    modified = _dump(y, root)
    return merge_lines(body, baseline, modified), reasons


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
        if _indent(lines[line]) != column or (i + 1 < len(entries) and _indent(lines[stop]) != entries[i + 1][2]):
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


def _prefixed(prefix: Path, edit: Edit) -> Edit:
    return Edit(edit.op, tuple(prefix) + tuple(edit.path), edit.value) if prefix else edit


# --------------------------------------------------------------------- JSON


def _json_indent(text: str) -> str:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return "  "


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _json_layout(text: str) -> dict[tuple, bool]:
    """For each object and array of a JSON text (by path): is it written on
    one line?  New output writes it the same way."""
    from json.decoder import scanstring

    inline: dict[tuple, bool] = {}

    def ws(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, path: tuple) -> int:
        i = ws(i)
        c = text[i]
        if c in "{[":
            start, close, index = i, "}" if c == "{" else "]", 0
            i = ws(i + 1)
            while text[i] != close:
                if c == "{":
                    k, i = scanstring(text, ws(i) + 1)
                    i = ws(i) + 1  # the colon
                    i = value(i, path + (k,))
                else:
                    i = value(i, path + (index,))
                    index += 1
                i = ws(i)
                if text[i] == ",":
                    i = ws(i + 1)
            inline[path] = "\n" not in text[start:i]
            return i + 1
        if c == '"':
            return scanstring(text, i + 1)[1]
        m = _NUMBER.match(text, i)
        if m and m.end() > i:
            return m.end()
        for literal in ("true", "false", "null"):
            if text.startswith(literal, i):
                return i + len(literal)
        raise ValueError(f"unexpected {c!r}")

    value(0, ())
    return inline


def _dump_json(value: Any, layout: dict, indent: str, seps: tuple[str, str], path: tuple = (),
               level: int = 0, parent_inline: bool = False) -> str:
    item_sep, key_sep = seps
    if isinstance(value, (dict, list)) and value:
        inline = layout.get(path, parent_inline)
        pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        parts = []
        for k, v in pairs:
            text = _dump_json(v, layout, indent, seps, path + (k,), level + 1, inline)
            parts.append(f"{json.dumps(k, ensure_ascii=False)}{key_sep}{text}" if isinstance(value, dict) else text)
        open_, close = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if inline:
            return open_ + item_sep.join(parts) + close
        pad = indent * (level + 1)
        return open_ + "\n" + ",\n".join(pad + p for p in parts) + "\n" + indent * level + close
    return json.dumps(value, ensure_ascii=False)


def _apply_json(text: str, fixes: list[ObjectEdits]) -> tuple[str, list[str]]:
    data = json.loads(text)
    indent = _json_indent(text)
    try:
        layout = _json_layout(text)
    except (ValueError, IndexError, RecursionError):
        layout = {}
    seps = (", " if re.search(r"[^\s],[ ]", text) else ",", ": " if re.search(r'":[ ]', text) else ":")

    def dump(value) -> str:
        out = _dump_json(value, layout, indent, seps)
        return out + "\n" if text.endswith("\n") else out

    baseline = dump(data)
    reasons = []
    for prefix, edits in fixes:
        trial = json.loads(json.dumps(data))
        try:
            for edit in edits:
                apply_edit(trial, _prefixed(prefix, edit))
        except EditError as e:
            reasons.append(str(e))
        else:
            reasons.append("")
            data = trial
    return merge_lines(text, baseline, dump(data)), reasons


# -------------------------------------------------------------------- edits


def apply_edit(root: Any, edit: Edit) -> None:
    """Apply one edit to a loaded document (ruamel round-trip or plain data)."""
    path = edit.path
    if not path:
        raise EditError("an edit needs a path")
    if edit.op in ("set", "add"):
        value = edit.value if edit.op == "set" else [edit.value]
        node, depth = _reach(root, path)
        if depth < len(path) - 1:
            # Create what is missing in one go, so the new mapping is one node.
            for seg in reversed(path[depth + 1:]):
                if isinstance(seg, int):
                    raise EditError(f"{_show(path[: depth + 1])} does not exist")
                value = {seg: value}
            _set(node, path[depth], value)
            return
        key = path[-1]
        if edit.op == "set" or not isinstance(node, dict) or node.get(key) is None:
            _set(node, key, value)
            return
        items = node[key]
        if not isinstance(items, list):
            raise EditError(f"{_show(path)} is not a list")
        if _plain(edit.value) not in [_plain(v) for v in items]:
            _append_item(items, edit.value)
    elif edit.op == "remove":
        node, depth = _reach(root, path)
        if depth == len(path) - 1:
            holder = _reach(root, path[:-1])[0] if len(path) > 1 else None
            _remove(node, path[-1], (holder, path[-2]) if holder is not None else None)
    elif edit.op == "keep-last":
        raise EditError("a repeated key is fixed in YAML text only")
    elif edit.op == "rename":
        node, depth = _reach(root, path)
        if depth < len(path) - 1:
            raise EditError(f"{_show(path[: depth + 1])} does not exist")
        _rename(node, path[-1], edit.value)
    else:  # pragma: no cover - Edit validates its op
        raise EditError(f"unknown edit op {edit.op}")


def _reach(node: Any, path: Path) -> tuple[Any, int]:
    """The deepest existing container on the way to `path`'s last segment,
    and how many segments lead to it.  A null value counts as missing."""
    for depth, seg in enumerate(path[:-1]):
        if isinstance(seg, int):
            if not isinstance(node, list) or not 0 <= seg < len(node):
                raise EditError(f"{_show(path[: depth + 1])} does not exist")
        elif not isinstance(node, dict):
            raise EditError(f"{_show(path[:depth])} is not a mapping")
        elif node.get(seg) is None:
            return node, depth
        child = node[seg]
        if not isinstance(child, (dict, list)):
            raise EditError(f"{_show(path[: depth + 1])} is not a mapping or list")
        node = child
    return node, len(path) - 1


def _show(path: Iterable) -> str:
    return ".".join(str(p) for p in path) or "the object"


def _node(value: Any) -> Any:
    """Plain data as round-trip nodes (block style), so new mappings look
    like the file's own."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _node(v)
        return m
    if isinstance(value, list):
        return CommentedSeq(_node(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    return value


def _is_rt(node: Any) -> bool:
    return hasattr(node, "ca")


def _set(parent: Any, key: Any, value: Any) -> None:
    if isinstance(parent, list):
        if not isinstance(key, int) or not 0 <= key < len(parent):
            raise EditError(f"no list item {key}")
        parent[key] = _styled(parent[key], value, _is_rt(parent))
        return
    if not isinstance(parent, dict):
        raise EditError(f"cannot set {key} on a {type(parent).__name__}")
    if key in parent:
        old = parent[key]
        if old is not None and _plain(old) == _plain(value):
            return
        if old is None and _is_rt(parent) and isinstance(value, (dict, list)):
            rest = _take(_slot(parent, key))
            parent[key] = _node(value)
            if not _give(_slot(parent, key), rest):
                raise EditError("a comment would be lost")
            return
        parent[key] = _styled(old, value, _is_rt(parent))
        _keep_comment_gap(parent, key, old, value)
        return
    new = _node(value) if _is_rt(parent) else value
    if not _is_rt(parent):
        parent[key] = new
        return
    rest = _take_trailing(parent)
    parent[key] = new
    _give_trailing(parent, rest)


def _styled(old: Any, value: Any, rt: bool) -> Any:
    """The new value, quoted the way the old one was."""
    if not rt:
        return value
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString) and isinstance(value, str) and not isinstance(value, ScalarString):
        return type(old)(value)
    return _node(value)


def _keep_comment_gap(parent: Any, key: Any, old: Any, value: Any) -> None:
    """Keep the spaces between a changed scalar and its end-of-line comment
    (ruamel would keep the comment's column instead)."""
    if not _is_rt(parent) or isinstance(old, (dict, list)) or isinstance(value, (dict, list)):
        return
    entry = parent.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or token.value.startswith("\n") or token.start_mark is None:
        return
    grow = len(_scalar_text(value)) - len(_scalar_text(old))
    token.column = max(token.column + grow, 0)


def _scalar_text(value: Any) -> str:
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = str(value)
    if isinstance(value, ScalarString) and type(value).__name__ != "PlainScalarString":
        text = '"' + text + '"'
    return text


def _append_item(items: list, value: Any) -> None:
    if not _is_rt(items):
        items.append(value)
        return
    rest = _take_trailing(items)
    items.append(_node(value))
    _give_trailing(items, rest)


def _remove(parent: Any, key: Any, holder: tuple | None = None) -> None:
    if isinstance(parent, dict):
        if key not in parent:
            return
        if _is_rt(parent):
            _remove_keeping_comments(parent, key, holder)
        else:
            del parent[key]
    elif isinstance(parent, list):
        if isinstance(key, int) and 0 <= key < len(parent):
            if _is_rt(parent):
                _remove_keeping_comments(parent, key)
            else:
                del parent[key]
    else:
        raise EditError(f"cannot remove {key} from a {type(parent).__name__}")


def _rename(parent: Any, key: Any, new: Any) -> None:
    if not isinstance(parent, dict) or key not in parent:
        raise EditError(f"{key} does not exist")
    if new in parent:
        raise EditError(f"{new} is already there")
    keys = list(parent.keys())
    position = keys.index(key)
    if not _is_rt(parent):
        items = list(parent.items())
        items[position] = (new, parent[key])
        parent.clear()
        parent.update(items)
        return
    comment = parent.ca.items.pop(key, None)
    value = parent.pop(key)
    parent.insert(position, new, value)
    if comment is not None:
        parent.ca.items[new] = comment


# ------------------------------------------------------- comments that follow
#
# ruamel.yaml keeps a comment that follows a node with the node before it: the
# comment lines after a mapping's last key belong to that key's comment token.
# Appending a key after it would put the new key below those lines, which
# usually introduce the next item.  So the full-line part of that token moves
# to the new last node; the end-of-line comment stays where it was.


def _slot(node: Any, key: Any) -> tuple[Any, Any, int]:
    """The comment slot that holds what follows `node[key]` in the text: the
    deepest last element of a block collection, else the key's own."""
    value = node[key]
    if _is_rt(value) and isinstance(value, (dict, list)) and len(value) and not value.fa.flow_style():
        last = list(value.keys())[-1] if isinstance(value, dict) else len(value) - 1
        return _slot(value, last)
    return node, key, 2 if isinstance(node, dict) else 0


def _last_slot(node: Any) -> tuple[Any, Any, int] | None:
    if not _is_rt(node) or not len(node) or node.fa.flow_style():
        return None
    last = list(node.keys())[-1] if isinstance(node, dict) else len(node) - 1
    return _slot(node, last)


def _take(slot: tuple[Any, Any, int] | None, with_eol: bool = False) -> str:
    """Detach the full-line comments that follow a slot; keep its end-of-line
    comment (or, `with_eol`, detach it too, as a line of its own)."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if slot is None:
        return ""
    container, key, index = slot
    entry = container.ca.items.get(key)
    token = entry[index] if entry and len(entry) > index else None
    if token is None or not isinstance(getattr(token, "value", None), str):
        return ""
    value: str = token.value
    if value.startswith("\n"):
        keep, rest = "", value[1:]
    elif isinstance(container[key], (LiteralScalarString, FoldedScalarString)):
        # A block scalar ends its own line: the comment is a line of its own.
        keep, rest = "", " " * token.column + value
    else:
        keep, _, rest = value.partition("\n")
    if keep and with_eol:
        column = _column(container, key)
        rest, keep = " " * column + keep.strip() + "\n" + rest, ""
    if keep:
        token.value = keep + "\n"
    else:
        entry[index] = None
        if not any(entry):
            del container.ca.items[key]
    return rest


def _column(container: Any, key: Any) -> int:
    try:
        return container.lc.key(key)[1] if isinstance(container, dict) else container.lc.item(key)[1]
    except (KeyError, TypeError, AttributeError, IndexError):
        return 0


def _take_trailing(node: Any) -> str:
    """Detach the full-line comments that follow the last element of `node`:
    those of the last element's slot, then those ruamel keeps at the end of
    the block collections on the way down (after a flow collection)."""
    rest = _take(_last_slot(node))
    chain = []
    while _is_rt(node) and isinstance(node, (dict, list)) and len(node) and not node.fa.flow_style():
        chain.append(node)
        node = node[list(node.keys())[-1]] if isinstance(node, dict) else node[-1]
    for collection in reversed(chain):
        end = collection.ca.end
        if end:
            for token in end:
                value = token.value
                if not value.strip():
                    rest += value  # blank lines
                else:
                    rest += value[1:] if value.startswith("\n") else " " * token.column + value
            del end[:]
    return rest


def _give(slot: tuple[Any, Any, int] | None, rest: str) -> bool:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if not rest:
        return True
    if slot is None:
        return False
    container, key, index = slot
    size = 4 if isinstance(container, dict) else 4
    entry = container.ca.items.setdefault(key, [None] * size)
    token = entry[index]
    if token is not None and isinstance(token.value, str) and token.value.endswith("\n"):
        token.value += rest
    else:
        entry[index] = CommentToken("\n" + rest, CommentMark(0), None)
    return True


def _give_trailing(node: Any, rest: str) -> None:
    if not _give(_last_slot(node), rest):
        raise EditError("a comment would be lost")


def _remove_keeping_comments(parent: Any, key: Any, holder: tuple | None = None) -> None:
    keys = list(parent.keys()) if isinstance(parent, dict) else list(range(len(parent)))
    position = keys.index(key)
    # The comments after the removed field stay, after the field before it
    # (or before the first field); its end-of-line comment becomes a line.
    own = _slot(parent, key)
    rest = _take(own, with_eol=own[0] is parent)
    if rest and position == 0:
        # Nothing before it in this mapping: the comments follow the line of
        # the key that holds the mapping.
        outer, outer_key = holder if holder is not None else (None, None)
        if not isinstance(parent, dict) or not isinstance(outer, dict) or len(keys) < 2 or \
                not _give((outer, outer_key, 2), rest):
            raise EditError(f"removing {key} would lose the comment after it")
    del parent[key]
    parent.ca.items.pop(key, None)
    if isinstance(parent, list):
        # ruamel keys a sequence's comments by index; shift those after it.
        items = parent.ca.items
        for i in sorted(k for k in list(items) if isinstance(k, int) and k > key):
            items[i - 1] = items.pop(i)
    if rest and position > 0:
        _give(_slot(parent, keys[position - 1]), rest)


# ------------------------------------------------------------ line merging


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
                return modified
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


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _indent_delta(o: list[str], b: list[str], to_original: dict[int, int], start: int, lines: list[str]) -> int:
    """How much deeper the original indents the level a block of lines sits
    at: the difference at the nearest line before it at that level or above."""
    content = [x for x in lines if x.strip()]
    if not content:
        return 0
    level = min(_indent(x) for x in content)
    dash = next(x for x in content if _indent(x) == level).lstrip().startswith("- ")
    for k in range(start, -1, -1):
        line = b[k].lstrip()
        if not line or line.startswith("#") or _indent(b[k]) > level:
            continue
        if _indent(b[k]) == level and line.startswith("- ") != dash:
            # An indentless sequence item sits at its parent key's column
            # but belongs one level deeper.
            continue
        if k not in to_original:
            return 0
        return _indent(o[to_original[k]]) - _indent(b[k])
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
        return line[min(-delta, _indent(line)):]
    return line
