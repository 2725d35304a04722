"""JSON manifests: edited as plain data and written back in their own layout
(indentation, objects and arrays kept on one line where they were)."""

from __future__ import annotations

import json
import re
from typing import Any

from kubelint.fix.edits import EditError, ObjectEdits, apply_edit, prefixed
from kubelint.fix.merge import merge_lines


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


def apply_json(text: str, fixes: list[ObjectEdits]) -> tuple[str, list[str]]:
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
                apply_edit(trial, prefixed(prefix, edit))
        except EditError as e:
            reasons.append(str(e))
        else:
            reasons.append("")
            data = trial
    return merge_lines(text, baseline, dump(data)), reasons
