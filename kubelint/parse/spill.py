"""Parses set aside on disk between loading a run and checking it.

A run parses every file once to learn the facts of its objects, and checks
the files one at a time afterwards.  Keeping every parse in memory until its
turn would make memory grow with the run; parsing a file again costs as much
as the first time (libyaml events and the Python that builds data from them).
A parse past the run's memory budget is written instead, with `marshal`, to
one temporary file that is deleted as soon as it is created (it vanishes with
the process, however the process ends), and read back when its file is
checked: about a third of the cost of a second parse, and no memory.

What is written is a document's data (plain str, int, float, bool, None,
dict and list: marshal keeps shared nodes shared, as a YAML alias made them)
and its source map.  The source map's tables are keyed by the identity of
the containers they describe, which does not survive a copy, so they are
written as a list in the order a depth-first walk of the data meets the
containers, and keyed again by the same walk over the data read back.
"""

from __future__ import annotations

import marshal
import tempfile
from typing import Any

from kubelint.model import Document
from kubelint.parse.sourcemap import SourceMap


def _containers(data: Any) -> list:
    """Every dict and list of `data`, each once, depth first (an explicit
    stack: no recursion limit; the visited set: an alias is one node)."""
    out: list = []
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            values = node.values()
        elif type(node) is list:
            values = node
        else:
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        stack.extend(v for v in values if type(v) is dict or type(v) is list)
    return out


def _tables(data: Any, source_map: SourceMap) -> list:
    tables = source_map.tables
    return [tables.get(id(node)) for node in _containers(data)]


class Spill:
    """Documents of parsed files, written to a temporary file and read back
    once.  `put` returns where they are, or None when they cannot be written
    (the caller then parses the file again)."""

    def __init__(self) -> None:
        self._file = None

    def put(self, documents: list[Document]) -> tuple[int, int] | None:
        try:
            blob = marshal.dumps(
                [(d.index, d.data, d.source_map.root_pos, _tables(d.data, d.source_map), d.line) for d in documents]
            )
        except (ValueError, TypeError, RecursionError):  # a value marshal cannot write
            return None
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="kubelint-")
            offset = self._file.seek(0, 2)
            self._file.write(blob)
        except OSError:  # no room for it: parse again instead
            return None
        return offset, len(blob)

    def take(self, name: str, where: tuple[int, int]) -> list[Document] | None:
        """The documents of file `name` written at `where`; None when they
        cannot be read back (the caller parses the file again)."""
        offset, size = where
        try:
            self._file.seek(offset)
            blob = self._file.read(size)
            written = marshal.loads(blob)
        except (OSError, ValueError, EOFError, TypeError, AttributeError):
            return None
        documents = []
        for index, data, root_pos, tables, line in written:
            containers = _containers(data)
            if len(containers) != len(tables):
                return None
            by_id = {id(node): table for node, table in zip(containers, tables) if table is not None}
            documents.append(Document(name, index, data, SourceMap(data, tuple(root_pos), by_id), line))
        return documents

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
