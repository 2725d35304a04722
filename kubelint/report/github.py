"""GitHub Actions workflow commands: one annotation per finding.

    ::warning file=deploy/web.yaml,line=18,col=9,title=kubelint [pss-run-as-non-root]::container "web" may run as root%0Afix: Set ...

Escaping follows @actions/core (`toCommandValue`, `escapeData`,
`escapeProperty`): the message escapes `%`, CR and LF; property values also
escape `:` and `,`, which would otherwise end the value.  Severity maps to the
command: error to `::error`, warning to `::warning`, info to `::notice`.
"""

from __future__ import annotations

from kubelint.model import Finding, RunResult
from kubelint.report.escape import visible

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: RunResult) -> str:
    lines = [_command(f) for f in sorted(result.findings, key=Finding.sort_key)]
    return "".join(line + "\n" for line in lines)


def _command(f: Finding) -> str:
    props: list[tuple[str, str]] = []
    # Standard input has no file in the repository; the annotation then goes
    # to the run summary instead of a line.
    if f.file != "-":
        props.append(("file", visible(_path(f.file))))
        if f.line >= 1:
            props.append(("line", str(f.line)))
            if f.column >= 1:
                props.append(("col", str(f.column)))
    props.append(("title", f"kubelint [{f.name}]"))
    # Control characters from manifests are shown escaped; CR and LF become
    # %0D and %0A, line breaks inside the one annotation.
    message = visible(f.message, keep_line_breaks=True) + (f"\nfix: {visible(f.fix.title, keep_line_breaks=True)}" if f.fix else "")
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS.get(f.severity, 'warning')} {head}::{escape_data(message)}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _path(file: str) -> str:
    """Annotations match files by their path from the repository root."""
    path = file.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:].lstrip("/")
    return path
