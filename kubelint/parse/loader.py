"""Build plain data and a source map from libyaml's events.

Why events and not `yaml.compose`: PyYAML's C composer recurses in C and
crashes the interpreter on input nested ~100,000 deep, and its Python
constructor is the slow half of `yaml.load`.  Reading libyaml's events
(C, 0.45 s for the whole corpus against 1.15 s for compose) and building the
data here with an explicit stack is faster, cannot overflow, and lets us:

* record every node's position once (`SourceMap`);
* report repeated keys where they repeat (kubectl keeps the last silently);
* refuse alias bombs by counting the expanded size without expanding it;
* refuse absurd nesting before any later stage has to walk it.

Scalars resolve as YAML 1.1, as the Go YAML library behind kubectl does
(`yes`/`on` are booleans, `0755` is octal), except timestamps, which the API
reads as strings.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader
from yaml import events as ev
from yaml.resolver import Resolver

from kubelint.parse.sourcemap import SourceMap

# Kubernetes objects are never more than a few dozen levels deep (a CRD's
# openAPIV3Schema is the deepest, at about 40).
MAX_DEPTH = 500
TOO_DEEP_MESSAGE = f"document is nested more than {MAX_DEPTH} levels deep; refusing to read it"
# Expanded nodes one document may stand for.  The largest CRD bundles of the
# corpus expand to ~100,000; a billion-laughs document to 10**9.
MAX_EXPANDED_NODES = 5_000_000


def allowed_alias_share(nodes: int) -> float:
    """The share of a document's nodes that may come from aliases, as the Go
    YAML library behind kubectl and the API server allows it: 99% up to
    400,000 nodes, falling evenly to 10% at 4,000,000 (allowedAliasRatio in
    gopkg.in/yaml.v2 and v3 decode.go, "document contains excessive
    aliasing"; checked once a document has more than 1,000 nodes and more
    than 100 of them through aliases).  Past the small, everything an alias
    adds has to be matched by the text itself: expansion stays linear."""
    if nodes <= 400_000:
        return 0.99
    if nodes >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (nodes - 400_000) / 3_600_000


@dataclass(frozen=True, slots=True)
class Hazard:
    """A problem with the text itself, found while loading."""

    name: str  # rule name: yaml-syntax, duplicate-key, ...
    line: int
    column: int
    message: str
    fix: str | None = None
    # For --fix: the document and the structured edits (kubelint.model.Edit).
    document: int | None = None
    edits: tuple = ()


@dataclass(slots=True)
class LoadedDocument:
    data: Any
    source_map: SourceMap
    line: int
    multiline_scalars: list[tuple[int, int]]  # (first line, last line), 1-based


class LoadError(Exception):
    """The rest of the stream cannot be read; the hazard says why."""

    def __init__(self, hazard: Hazard):
        super().__init__(hazard.message)
        self.hazard = hazard


_resolver = Resolver()
_IMPLICIT = _resolver.yaml_implicit_resolvers
_T = "tag:yaml.org,2002:"
_BOOL_TRUE = {"yes", "true", "on", "y"}
# Beyond about 4,300 decimal digits (sys.get_int_max_str_digits) str() of an
# int raises ValueError; below this many bits it never does.
_MAX_INT_BITS = 14_000


def _int(value: str) -> Any:
    v = value.replace("_", "")
    sign = 1
    if v[:1] == "-":
        sign, v = -1, v[1:]
    elif v[:1] == "+":
        v = v[1:]
    if v == "0":
        return 0
    if not v:  # "-", "+", "_" given the int tag (!!int -): no number at all
        raise ValueError("not an integer")
    if v.startswith("0b"):
        return sign * int(v[2:], 2)
    if v.startswith("0x"):
        return sign * int(v[2:], 16)
    if v.startswith("0o"):
        return sign * int(v[2:], 8)
    if v[0] == "0":
        return sign * int(v, 8)
    if ":" in v:
        parts = v.split(":")
        if len(parts) > _MAX_INT_BITS // 5:
            # 60**n has about 6n bits: past the limit below anyway, and each
            # step would multiply a longer number (quadratic time).
            raise ValueError("sexagesimal integer too long")
        result = 0
        for part in parts:
            result = result * 60 + int(part)
        return sign * result
    return sign * int(v)


def _float(value: str) -> Any:
    v = value.replace("_", "").lower()
    sign = -1.0 if v[:1] == "-" else 1.0
    if v[:1] in "+-":
        v = v[1:]
    if v == ".inf":
        return sign * float("inf")
    if v == ".nan":
        return float("nan")
    if ":" in v:
        result = 0.0
        for part in v.split(":"):
            result = result * 60 + float(part)
        return sign * result
    return sign * float(v)


def resolve_scalar(value: str, tag: str | None, implicit: tuple[bool, bool], style: str | None) -> Any:
    """The Python value of a scalar, as YAML 1.1 resolves it."""
    if tag is None or tag == "!":
        if style or not implicit[0]:  # quoted or block scalars are strings
            return value
        resolvers = _IMPLICIT.get(value[:1] if value else "")
        if not resolvers:
            return value
        tag = _T + "str"
        for t, regexp in resolvers:
            if regexp.match(value):
                tag = t
                break
    if not tag.startswith(_T):
        return value  # an application tag (!Ref ...): keep the text
    short = tag[len(_T):]
    try:
        if short == "null":
            return None
        if short == "bool":
            return value.lower() in _BOOL_TRUE
        if short == "int":
            number = _int(value)
            if number.bit_length() > _MAX_INT_BITS:
                # More digits than Python turns into decimal text: like a
                # decimal that long (int() refuses it), and like the Go YAML
                # library for any integer out of range, keep the text.
                str(number)
            return number
        if short == "float":
            return _float(value)
    except ValueError:
        return value
    return value  # str, timestamp, binary, merge marker


_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of a character index, counting lines as libyaml
    does (CRLF, CR, LF, NEL, LS and PS each end a line) and columns in
    characters."""
    line, start = 1, 0
    for m in _BREAK_RE.finditer(text, 0, index):
        line, start = line + 1, m.end()
    return line, index - start + 1


def _character(code: int) -> str:
    """U+001B (ESC), the way a person can find it."""
    import unicodedata

    names = {0: "NUL", 7: "BEL", 8: "BS", 0x1B: "ESC", 0x7F: "DEL", 0xFFFE: "noncharacter", 0xFFFF: "noncharacter"}
    name = names.get(code) or unicodedata.name(chr(code), "") or "control character"
    return f"U+{code:04X} ({name})"


def _reader_hazard(err, text: str | bytes) -> Hazard:
    """libyaml's reader refuses a character; it gives a byte offset into the
    UTF-8 text, which becomes a line and column in characters."""
    position = getattr(err, "position", 0) or 0
    if isinstance(text, str):
        prefix = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "replace")
        line, col = line_col(text, len(prefix))
    else:
        line, col = line_col(text[:position].decode("utf-8", "replace"), position)
    code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "\0")
    return Hazard(
        "yaml-syntax", line, col,
        f"invalid YAML: character {_character(code)} is not allowed in YAML text; "
        "write it as an escape in a double-quoted string",
    )


def _hazard_from_yaml_error(err: yaml.YAMLError, length: int, text: str | bytes = "") -> Hazard:
    if isinstance(err, yaml.reader.ReaderError):
        return _reader_hazard(err, text)
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or ""
    at_end = mark is not None and getattr(mark, "index", 0) >= length - 1
    if (at_end or "end of stream" in problem) and getattr(err, "context_mark", None) is not None:
        # An unterminated quote or flow collection: where it began is where
        # the mistake is, not the end of the file.
        mark = err.context_mark
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    if "maximum nesting depth" in problem:
        # libyaml 0.2.6 (PyYAML 6.0.4 wheels) stops very deep flow nesting in
        # its scanner, before our own depth check sees the events: the same
        # hazard, whichever of the two notices first.
        return Hazard("yaml-too-deep", line, col, TOO_DEEP_MESSAGE)
    problem = problem or str(err)
    context = getattr(err, "context", None)
    msg = f"{context}, {problem}" if context else str(problem)
    if "\t" in msg or "'\\t'" in msg:
        msg += " (YAML does not allow tabs for indentation)"
    return Hazard("yaml-syntax", line, col, f"invalid YAML: {msg}")


class _Frame:
    __slots__ = ("container", "table", "is_map", "key", "key_pos", "pending_key", "anchor", "size", "merges", "start", "keys")

    def __init__(self, container, table, is_map, anchor, start):
        self.container = container
        self.table = table
        self.is_map = is_map
        self.pending_key = False  # mapping: True once a key has been read
        self.key = None
        self.key_pos = None
        self.anchor = anchor
        self.size = 1
        self.merges = None
        self.start = start
        self.keys = None  # non-string key -> the type it was first read as


def _same_key(frame: _Frame, key: Any) -> bool:
    """Whether a key equal to one already read is the same YAML key: `1`,
    `true` and `1.0` are equal as Python keys but distinct in YAML."""
    if isinstance(key, str) or frame.keys is None:
        return True
    return frame.keys.get(key, type(key)) is type(key)


def load_stream(text: str | bytes, hazards: list[Hazard], probes: list | None = None, emit=None) -> list[LoadedDocument]:
    """Every document of a YAML (or JSON) stream.

    `emit`, when given, receives each document as soon as it is read, and
    the list returned (or in `LoadError.documents`) stays empty: only one
    document at a time is in memory.

    Hazards found on the way (duplicate keys, ...) are appended to `hazards`.
    Raises LoadError when the stream stops being readable; the documents read
    before that point are in `LoadError.documents`.

    `probes`, a sorted list of 0-based (line, column) positions, asks which
    of them fall inside a scalar (a string value, not a comment): those are
    removed from the list.
    """
    loader = yaml.CSafeLoader(text)
    documents: list[LoadedDocument] = []
    try:
        _read_events(loader, documents.append if emit is None else emit, hazards, probes)
    except LoadError as e:
        e.documents = documents  # type: ignore[attr-defined]
        raise
    except yaml.YAMLError as e:
        err = LoadError(_hazard_from_yaml_error(e, len(text), text))
        err.documents = documents  # type: ignore[attr-defined]
        raise err from None
    finally:
        loader.dispose()
    return documents


def _read_events(loader, emit, hazards: list[Hazard], probes: list | None = None) -> None:
    get = loader.get_event
    ScalarEvent, MappingStartEvent, MappingEndEvent = ev.ScalarEvent, ev.MappingStartEvent, ev.MappingEndEvent
    SequenceStartEvent, SequenceEndEvent, AliasEvent = ev.SequenceStartEvent, ev.SequenceEndEvent, ev.AliasEvent
    DocumentStartEvent, DocumentEndEvent, StreamEndEvent = ev.DocumentStartEvent, ev.DocumentEndEvent, ev.StreamEndEvent

    stack: list[_Frame] = []
    tables: dict[int, Any] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    multiline: list[tuple[int, int]] = []
    root: Any = None
    root_pos = (1, 1)
    doc_line = 1
    expanded = 0  # nodes of this document, aliases expanded
    through_aliases = 0  # of which aliases stand for
    # Nodes aliases stand for in the whole file: every later stage walks them
    # again, so many documents just under the limit must not add up unbounded.
    aliased = 0
    documents_read = 0  # documents emitted so far (the next one's index)
    plain: dict = {}  # plain scalar text -> its value

    def add(value: Any, line: int, col: int, size: int) -> None:
        """Attach a finished node to its parent (or make it the root)."""
        nonlocal root, root_pos
        if not stack:
            root, root_pos = value, (line, col)
            return
        top = stack[-1]
        top.size += size
        if not top.is_map:
            top.container.append(value)
            top.table.append((line, col))
            return
        if not top.pending_key:
            # `value` is a key
            if isinstance(value, (dict, list)):
                hazards.append(Hazard("yaml-syntax", line, col, "mapping key is not a scalar"))
                value = str(value)
            elif isinstance(value, float) and value != value:
                value = "nan"
            top.key, top.key_pos, top.pending_key = value, (line, col), True
            return
        key = top.key
        top.pending_key = False
        mapping = top.container
        if key == "<<" and top.key_pos is not None and isinstance(value, (dict, list)):
            # YAML merge key: entries of the merged mapping(s) fill in keys the
            # mapping does not set itself (applied when the mapping ends).
            if top.merges is None:
                top.merges = []
            top.merges.append((value, top.key_pos))
            return
        if key in mapping and _same_key(top, key):
            from kubelint.model import Edit

            kl, kc = top.key_pos
            where = tuple(f.key if f.is_map else len(f.container) for f in stack[:-1])
            hazards.append(
                Hazard(
                    "duplicate-key",
                    kl,
                    kc,
                    f'duplicate key "{key}" (first at line {top.table[key][0]}); kubectl keeps the last one silently',
                    f'Remove one of the two "{key}" entries.',
                    documents_read,
                    (Edit("keep-last", where + (key,)),) if isinstance(key, str) else (),
                )
            )
        mapping[key] = value
        top.table[key] = (top.key_pos[0], top.key_pos[1], line, col)
        if not isinstance(key, str):
            if top.keys is None:
                top.keys = {}
            top.keys.setdefault(key, type(key))

    while True:
        event = get()
        if event is None:
            break
        et = type(event)
        if et is ScalarEvent:
            m = event.start_mark
            if probes:
                _drop_probes_inside(probes, (m.line, m.column), (event.end_mark.line, event.end_mark.column))
            text, style = event.value, event.style
            if not style and event.tag is None and event.implicit[0]:
                # A plain scalar: the same few hundred (keys, "true", "TCP")
                # make most of a stream; resolve each text once (and start
                # afresh past 4,096 texts: memory stays a document's).
                value = plain.get(text, plain)
                if value is plain:
                    if len(plain) >= 4096:
                        plain.clear()
                    value = plain[text] = resolve_scalar(text, None, event.implicit, None)
            else:
                value = resolve_scalar(text, event.tag, event.implicit, style)
            if event.end_mark.line > m.line:
                multiline.append((m.line + 1, event.end_mark.line + 1))
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            expanded += 1
            add(value, m.line + 1, m.column + 1, 1)
        elif et is MappingStartEvent or et is SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                m = event.start_mark
                raise LoadError(
                    Hazard("yaml-too-deep", m.line + 1, m.column + 1, TOO_DEEP_MESSAGE)
                )
            m = event.start_mark
            is_map = et is MappingStartEvent
            container: Any = {} if is_map else []
            table: Any = {} if is_map else []
            tables[id(container)] = table
            expanded += 1
            stack.append(_Frame(container, table, is_map, event.anchor, (m.line + 1, m.column + 1)))
        elif et is MappingEndEvent or et is SequenceEndEvent:
            frame = stack.pop()
            if frame.merges:
                _apply_merges(frame, tables)
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, frame.size)
            add(frame.container, frame.start[0], frame.start[1], frame.size)
        elif et is AliasEvent:
            m = event.start_mark
            target = anchors.get(event.anchor)
            if target is None:
                raise LoadError(
                    Hazard("yaml-syntax", m.line + 1, m.column + 1, f'invalid YAML: found undefined alias "{event.anchor}"')
                )
            value, size = target
            expanded += size
            aliased += size
            through_aliases += size
            if through_aliases > 100 and expanded > 1000 and through_aliases > allowed_alias_share(expanded) * expanded:
                raise LoadError(
                    Hazard(
                        "yaml-alias-bomb",
                        m.line + 1,
                        m.column + 1,
                        f'aliases make {through_aliases:,} of the {expanded:,} nodes this document expands to '
                        f'(alias "{event.anchor}"); kubectl refuses it ("document contains excessive aliasing"), and so does kubelint',
                        "Remove the nested aliases; Kubernetes manifests do not need them.",
                    )
                )
            if expanded > MAX_EXPANDED_NODES or aliased > MAX_EXPANDED_NODES:
                what = "this document" if expanded > MAX_EXPANDED_NODES else "the documents of this file"
                raise LoadError(
                    Hazard(
                        "yaml-alias-bomb",
                        m.line + 1,
                        m.column + 1,
                        f'aliases expand {what} to more than {MAX_EXPANDED_NODES:,} nodes (alias "{event.anchor}"); refusing to expand it',
                        "Remove the nested aliases; Kubernetes manifests do not need them.",
                    )
                )
            add(value, m.line + 1, m.column + 1, size)
        elif et is DocumentStartEvent:
            doc_line = event.start_mark.line + 1
            root, root_pos, tables, anchors, multiline, expanded, through_aliases = None, (doc_line, 1), {}, {}, [], 0, 0
        elif et is DocumentEndEvent:
            emit(LoadedDocument(root, SourceMap(root, root_pos, tables), doc_line, multiline))
            documents_read += 1
            root, tables = None, {}
        elif et is StreamEndEvent:
            break


def _drop_probes_inside(probes: list, start: tuple[int, int], end: tuple[int, int]) -> None:
    i = bisect.bisect_left(probes, start)
    while i < len(probes) and probes[i] < end:
        del probes[i]


def _apply_merges(frame: _Frame, tables: dict[int, Any]) -> None:
    mapping, table = frame.container, frame.table
    for value, key_pos in frame.merges:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                continue
            source_table = tables.get(id(source), {})
            for k, v in source.items():
                if k not in mapping:
                    mapping[k] = v
                    pos = source_table.get(k)
                    table[k] = (key_pos[0], key_pos[1], pos[2], pos[3]) if pos else (key_pos[0], key_pos[1], key_pos[0], key_pos[1])

