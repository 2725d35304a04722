"""Bytes in, text out and back: line endings and the byte order mark kept,
and files replaced atomically with their permissions."""

from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass


class NotFixable(Exception):
    """A file whose text the fixer will not rewrite (the message says why)."""


@dataclass(frozen=True, slots=True)
class Encoding:
    newline: str  # "\n" or "\r\n"
    bom: bool  # a UTF-8 byte order mark


def decode(raw: bytes) -> tuple[str, Encoding]:
    """The text of a file with "\\n" line endings, and how to encode it back."""
    bom = raw.startswith(codecs.BOM_UTF8)
    if bom:
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotFixable("the file is not UTF-8") from None
    crlf = text.count("\r\n")
    if crlf and crlf != text.count("\n"):
        raise NotFixable("the file mixes CRLF and LF line endings")
    newline = "\r\n" if crlf else "\n"
    if crlf:
        text = text.replace("\r\n", "\n")
    if "\r" in text:
        raise NotFixable("the file has bare CR line endings")
    return text, Encoding(newline, bom)


def encode(text: str, encoding: Encoding) -> bytes:
    if encoding.newline != "\n":
        text = text.replace("\n", encoding.newline)
    data = text.encode("utf-8")
    return codecs.BOM_UTF8 + data if encoding.bom else data


def write_atomic(path: str, data: bytes) -> None:
    """Replace a file's content: write a temporary file in the same directory,
    give it the file's permissions, then rename it over the file, so a reader
    sees the old or the new content and never half of it.  A symbolic link
    stays a link; its target is replaced."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    mode = os.stat(target).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".kubelint-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
