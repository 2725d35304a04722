"""Text from manifests made safe to print.

Names, images, messages and file names come from files a stranger may have
written.  Printed raw, a carriage return or a line separator starts a line of
the attacker's choosing (a forged `::error` workflow command in a CI log), and
escape sequences retitle or clear a terminal.  So the human-readable formats
(text, github) show every control character as an escape:

* C0 controls and DEL as `\\t`, `\\r`, `\\n`, `\\x1b`, ... (`\\xNN`);
* C1 controls (U+0080 to U+009F), the line and paragraph separators
  (U+2028, U+2029) and the bidirectional overrides (U+202A to U+202E,
  U+2066 to U+2069, "Trojan Source") as `\\u2028`;
* bytes of a file name that are not UTF-8 (legal on Linux; Python carries
  them as lone surrogates, PEP 383) as `\\xNN`, the byte itself.

The machine formats (JSON, SARIF, JUnit) escape control characters their own
way; they only need `undecodable()`: a lone surrogate cannot be encoded as
UTF-8 at all.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str, keep_line_breaks: bool = False) -> str:
    """`text` with every control character shown as an escape: one line,
    nothing a terminal or a CI log would act on.  With `keep_line_breaks`,
    CR and LF stay for the caller to encode (GitHub's `%0D`, `%0A`)."""
    if keep_line_breaks:
        return _UNSAFE.sub(lambda m: m.group() if m.group() in "\r\n" else _escape(m), text)
    return _UNSAFE.sub(_escape, text)


def undecodable(text: str) -> str:
    """`text` with the bytes that were not UTF-8 (lone surrogates) shown as
    `\\xNN`, so it encodes as UTF-8."""
    return _SURROGATE.sub(_escape, text)
