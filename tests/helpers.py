"""Shared test helpers: run the engine on text, read `# expect:` markers."""

from __future__ import annotations

import re
from pathlib import Path

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.sources import Source

EXPECT_RE = re.compile(r"#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")


def run(text: str | bytes, name: str = "test.yaml", **settings):
    data = text.encode() if isinstance(text, str) else text
    return check([Source(name, data)], Settings(**settings))


def found(text: str | bytes, name: str = "test.yaml", **settings) -> list[tuple[str, int]]:
    """(rule name, line) of every finding."""
    return [(f.name, f.line) for f in run(text, name, **settings).findings]


def expected_markers(path: Path) -> list[tuple[str, int]]:
    """(rule name, line) for every `# expect: name[, name]` marker."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    marks = []
    for number, line in enumerate(text.split("\n"), start=1):
        for m in EXPECT_RE.finditer(line):
            marks += [(n.strip(), number) for n in m.group(1).split(",")]
    return marks
