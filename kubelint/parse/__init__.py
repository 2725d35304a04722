"""Bytes to documents: plain data, a source map of positions, and the YAML
hazards found on the way (as findings, never exceptions)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kubelint.model import Document
from kubelint.parse.directives import Directive, candidates, directives, directives_in_text
from kubelint.parse.hazards import decode, tab_hazards, template_hazard
from kubelint.parse.loader import Hazard, LoadError, load_stream

# Line breaks other than "\n" and "\r\n" (YAML 1.1, as libyaml reads it).
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")



def _other_breaks(text: str) -> bool:
    """Whether the text has one (str methods: a regular expression scanning
    every character costs a tenth of the whole parse)."""
    return (
        "\r" in text and text.count("\r") != text.count("\r\n")
        or "\x85" in text or "\u2028" in text or "\u2029" in text
    )


__all__ = ["ParsedFile", "parse_file", "Hazard", "Directive", "directives_in_text"]


@dataclass(slots=True)
class ParsedFile:
    name: str
    text: str | None
    documents: list[Document] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    # `# kubelint: ignore` comments (real comments, not string content).
    directives: list[Directive] = field(default_factory=list)
    # An unrendered template: its documents are not manifests (a caller
    # given them one at a time drops them).
    template: bool = False


def parse_file(name: str, raw: bytes, sink=None) -> ParsedFile:
    """Every non-empty document of a file, with the hazards of its text.

    `sink`, when given, receives each document as soon as it is read
    (`parsed.documents` stays empty), so that only one document of a large
    file is in memory at a time; when `parsed.template` is then true, the
    documents it received are not manifests."""
    hazards: list[Hazard] = []
    text = decode(raw, hazards)
    parsed = ParsedFile(name, text, hazards=hazards)
    if text is None or not text.strip():
        return parsed

    if "\t" in text and name.lower().endswith(".json"):
        # JSON allows tabs as white space; YAML does not.  A tab cannot occur
        # unescaped inside a JSON string, so for valid JSON replacing each tab
        # with a space keeps every position and the meaning.
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            hazards.extend(tab_hazards(_OTHER_BREAKS.sub("\n", text) if _other_breaks(text) else text, []))
            text = text.replace("\t", " ")

    # The scanners below count lines by "\n"; libyaml also ends a line at a
    # lone CR, NEL, LS and PS.  Each becomes a "\n" for them (one character
    # for one: columns and offsets stay), never for the loader (in a quoted
    # scalar those characters are content).
    lines = _OTHER_BREAKS.sub("\n", text) if _other_breaks(text) else text
    found = candidates(lines)
    probes = sorted((line, column) for line, column, _ in found)
    error: Hazard | None = None
    multiline: list[tuple[int, int]] = []
    index = 0

    def emit(doc) -> None:
        nonlocal index
        multiline.extend(doc.multiline_scalars)
        if doc.data is not None:  # (not an empty or comment-only document)
            document = Document(name, index, doc.data, doc.source_map, doc.line)
            if sink is None:
                parsed.documents.append(document)
            else:
                sink(document)
        index += 1

    try:
        load_stream(text, hazards, probes, emit)
    except LoadError as e:
        error = e.hazard

    template = template_hazard(lines, error.line if error and error.name == "yaml-syntax" else None, multiline)
    if template is not None:
        # A template's documents are not manifests; checking them would only
        # produce noise.  Report the template, and nothing else of the text.
        hazards[:] = [h for h in hazards if h.name == "yaml-encoding"] + [template]
        parsed.documents.clear()
        parsed.template = True
        return parsed
    parsed.directives = directives(lines, probes, found)
    if error is not None:
        hazards.append(error)
    if "\t" in text:
        # The syntax error already says when a tab broke the parse.
        hazards.extend(h for h in tab_hazards(lines, multiline) if error is None or h.line != error.line)
    return parsed
