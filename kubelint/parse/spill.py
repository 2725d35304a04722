"""Documents set aside on disk between loading a run and checking it.

A run parses every file once to learn the facts of its objects, and checks
the files one at a time afterwards.  Keeping every parse in memory until its
turn would make memory grow with the run; parsing a file again costs as much
as the first time (libyaml events and the Python that builds data from them).
A document read past the run's memory budget is written instead, as soon as
it is read, with `marshal`, to one temporary file that is deleted as soon as
it is created (it vanishes with the process, however the process ends), and
read back, one document at a time, when its file is checked: about a third
of the cost of a second parse, and no memory.

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
from typing import Any, Iterator

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
    """Documents of parsed files, written one at a time to a temporary file
    and read back one at a time: a file's documents are one region of it.

        spill.start()                 # a new region
        spill.put(document)           # False: it cannot be written
        where = spill.region()        # (offset, end) of the documents put since start()
        for document in spill.take(name, where): ...
    """

    def __init__(self) -> None:
        self._file = None
        self._start = 0

    def start(self) -> None:
        self._start = self._end()

    def _end(self) -> int:
        return 0 if self._file is None else self._file.seek(0, 2)

    def put(self, document: Document) -> bool:
        d = document
        try:
            blob = marshal.dumps((d.index, d.data, d.source_map.root_pos, _tables(d.data, d.source_map), d.line))
        except (ValueError, TypeError, RecursionError):  # a value marshal cannot write
            return False
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="kubelint-")
            self._file.seek(0, 2)
            self._file.write(len(blob).to_bytes(8, "little") + blob)
        except OSError:  # no room for it
            return False
        return True

    def region(self) -> tuple[int, int] | None:
        """Where the documents put since `start()` are; None when there are none."""
        end = self._end()
        return (self._start, end) if end > self._start else None

    def take(self, name: str, where: tuple[int, int]) -> Iterator[Document]:
        """The documents of file `name` in the region `where`, read back one
        at a time.  Raises OSError if the temporary file fails us."""
        offset, end = where
        while offset < end:
            self._file.seek(offset)
            size = int.from_bytes(self._file.read(8), "little")
            blob = self._file.read(size)
            offset += 8 + size
            try:
                index, data, root_pos, tables, line = marshal.loads(blob)
            except (ValueError, EOFError, TypeError) as e:
                raise OSError(f"the temporary copy of its parse is unreadable ({e})") from None
            containers = _containers(data)
            if len(containers) != len(tables):
                raise OSError("the temporary copy of its parse is unreadable")
            by_id = {id(node): table for node, table in zip(containers, tables) if table is not None}
            yield Document(name, index, data, SourceMap(data, tuple(root_pos), by_id), line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
