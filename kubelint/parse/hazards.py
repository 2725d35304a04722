"""Hazards of the text itself: encoding, tabs, unrendered templates."""

from __future__ import annotations

import codecs
import re

from kubelint.parse.loader import Hazard

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(raw: bytes, hazards: list[Hazard]) -> str | None:
    """The text of a file, or None when it is not text we can read."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            hazards.append(
                Hazard(
                    "yaml-encoding",
                    1,
                    1,
                    f"file starts with a byte order mark ({encoding.upper()}); some tools reject it",
                    "Save the file as UTF-8 without a byte order mark.",
                )
            )
            raw = raw[len(bom):]
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as e:
                return _bad_bytes(raw, e, hazards, encoding)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return _bad_bytes(raw, e, hazards, "utf-8")


def _bad_bytes(raw: bytes, e: UnicodeDecodeError, hazards: list[Hazard], encoding: str) -> None:
    from kubelint.parse.loader import line_col

    # The text before the bad bytes decodes; its lines and characters are
    # what an editor shows.
    prefix = raw[: e.start].decode(encoding, errors="replace")
    line, col = line_col(prefix, len(prefix))
    name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
    bad = raw[e.start : max(e.end, e.start + 1)][:4].hex(" ")
    hazards.append(
        Hazard(
            "yaml-encoding",
            line,
            col,
            f"invalid {name} (bytes {bad}); Kubernetes manifests must be UTF-8" if name != "UTF-8"
            else f"invalid UTF-8 (byte 0x{raw[e.start]:02x}); Kubernetes manifests must be UTF-8",
            "Re-save the file as UTF-8.",
        )
    )
    return None


def tab_hazards(text: str, multiline: list[tuple[int, int]]) -> list[Hazard]:
    """Tabs in a line's leading or trailing white space, outside multi-line
    scalars (where a tab is content).  YAML forbids tabs for indentation;
    libyaml and Go accept a trailing tab, PyYAML and other tools reject it."""
    inside = set()
    for first, last in multiline:
        inside.update(range(first + 1, last + 1))
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "\t" not in line or number in inside:
            continue
        stripped = line.rstrip("\r")
        lead = len(stripped) - len(stripped.lstrip(" \t"))
        trail = len(stripped.rstrip(" \t"))
        col = None
        if "\t" in stripped[:lead]:
            col = stripped.index("\t") + 1
            where = "indentation"
        elif "\t" in stripped[trail:]:
            col = stripped.index("\t", trail) + 1
            where = "trailing white space"
        if col is not None:
            found.append(
                Hazard(
                    "yaml-tab-whitespace",
                    number,
                    col,
                    f"tab character in {where}; YAML forbids tabs there and some tools reject the file",
                    "Replace the tab with spaces.",
                )
            )
    return found


# Helm and Go template actions that rendered manifests never carry: chart
# objects and Helm's own functions.  PrometheusRule annotations
# ({{ $labels.pod }}), Grafana dashboards ({{instance}}), Kyverno variables
# ({{request.object.metadata.name}}) and Argo CD ApplicationSets
# ({{.path.basename}}) use none of these.
_HELM_RE = re.compile(
    r"\{\{-?\s*(?:\.Values\b|\.Release\b|\.Chart\b|\.Capabilities\b|\.Files\b|\.Template\b|"
    r"\$\.Values\b|include\s|template\s|toYaml\b|tpl\s|required\s|define\s)"
)
# A template action that stands where YAML structure is expected: a line of
# its own that is Go template control flow.
_CONTROL_LINE_RE = re.compile(
    r"^[ \t]*(?:-[ \t]+)?\{\{-?\s*(?:if|else|end|range|with|define|template|include|block)\b.*\}\}[ \t]*$|^[ \t]*\{\{-.*$",
    re.M,
)

# Carvel ytt templates are YAML whose `#@` comments carry the template code.
_YTT_RE = re.compile(r"^[ \t]*#@[ \t]*(?:load|def|for|if|end|data|overlay|template|yaml|library|\(|[a-z_]+\.)", re.M)
YTT_FIX = "Render the template first: `ytt -f DIR | kubelint check -`."
TEMPLATE_FIX = "Render the template first: `helm template RELEASE CHART | kubelint check -`."


def template_hazard(text: str, error_line: int | None, multiline: list[tuple[int, int]]) -> Hazard | None:
    """A finding when the text is a Helm or Go template that was never rendered.

    `{{ }}` inside string values of rendered manifests is content, not a
    template.  A file is a template when it names chart objects or Helm
    functions, or when it does not parse as YAML (`error_line` is where the
    parser stopped) and has template control lines outside multi-line strings
    or a template action on the line where parsing failed.
    """
    if "#@" in text:
        ytt = _YTT_RE.search(text)
        if ytt is not None:
            start = ytt.start() + (len(ytt.group(0)) - len(ytt.group(0).lstrip()))
            line = text.count("\n", 0, start) + 1
            return Hazard(
                "template-unrendered",
                line,
                start - (text.rfind("\n", 0, start) + 1) + 1,
                "unrendered ytt template (#@ annotations); it is not a manifest until rendered",
                YTT_FIX,
            )
    if "{{" not in text:
        return None
    m = _HELM_RE.search(text)
    if m is None and error_line is not None:
        inside = set()
        for first, last in multiline:
            inside.update(range(first, last + 1))
        number, counted = 1, 0  # newlines counted once, from the previous match on
        for cm in _CONTROL_LINE_RE.finditer(text):
            number += text.count("\n", counted, cm.start())
            counted = cm.start()
            if number not in inside:
                m = cm
                break
        if m is None:
            lines = text.split("\n")
            for number in (error_line, error_line - 1):
                if 1 <= number <= len(lines) and "{{" in lines[number - 1]:
                    offset = sum(len(x) + 1 for x in lines[: number - 1])
                    m = re.compile(r"\{\{").search(text, offset)
                    break
    if m is None:
        return None
    start = text.index("{{", m.start())
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    count = text.count("{{")
    return Hazard(
        "template-unrendered",
        line,
        col,
        f"unrendered Helm/Go template ({count} template action{'s' if count != 1 else ''} in this file); it is not a manifest until rendered",
        TEMPLATE_FIX,
    )
