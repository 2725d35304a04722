"""Positions of a document's nodes, recorded once while it is built.

The loader keeps, for every mapping and sequence it builds, a table of the
positions of its entries, keyed by the container's identity:

* a mapping: key -> (key line, key column, value line, value column)
* a sequence: [(item line, item column), ...]

Lines and columns are 1-based.  Looking a path up walks the data and the
tables together; a path that does not exist resolves to the nearest existing
ancestor, which is where a missing field belongs.
"""

from __future__ import annotations

from typing import Any


class SourceMap:
    __slots__ = ("root", "root_pos", "tables")

    def __init__(self, root: Any, root_pos: tuple[int, int], tables: dict[int, Any]):
        self.root = root
        self.root_pos = root_pos
        self.tables = tables

    def position(self, path: tuple, at: str = "value") -> tuple[int, int]:
        """1-based (line, column) of `path`.

        at="value": the value at the path; at="key" and at="parent": the key
        of its last segment (for a list item, the item).  "parent" is for a
        missing field: the path is the mapping that lacks it, and a user reads
        `resources:` as that mapping, not its first entry.
        """
        node = self.root
        pos = self.root_pos
        for i, seg in enumerate(path):
            table = self.tables.get(id(node))
            if table is None:
                return pos
            last = i == len(path) - 1
            if isinstance(node, dict):
                entry = table.get(seg)
                if entry is None:
                    return pos
                if last and at != "value":
                    return entry[0], entry[1]
                pos = (entry[2], entry[3])
                node = node.get(seg)
            elif isinstance(node, list):
                if not isinstance(seg, int) or not 0 <= seg < len(table):
                    return pos
                pos = table[seg]
                node = node[seg]
            else:
                return pos
        return pos
