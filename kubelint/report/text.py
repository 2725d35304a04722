"""The default report: one block per finding, then a summary line.

    deploy/web.yaml:18:9: warning [pss-run-as-non-root] Deployment prod/web: container "web" may run as root
        fix: Set securityContext.runAsNonRoot: true.
"""

from __future__ import annotations

from kubelint.model import RunResult
from kubelint.report.escape import visible

_COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: RunResult) -> str:
    counts = f"{_plural(result.count('error'), 'error')}, {_plural(result.count('warning'), 'warning')}, {result.count('info')} info"
    return (
        f"{_plural(result.files, 'file')}, {_plural(result.objects, 'object')} checked"
        f" (Kubernetes {result.kubernetes_version}): {_plural(len(result.findings), 'finding')} ({counts})"
    )


def render(result: RunResult, colour: bool = False) -> str:
    lines = []
    for f in result.findings:
        severity = f"{_COLOURS[f.severity]}{f.severity}{_RESET}" if colour else f.severity
        where = f"{visible(f.file)}:{f.line}:{f.column}:"
        if colour:
            where = f"{_BOLD}{where}{_RESET}"
        lines.append(f"{where} {severity} [{f.name}] {visible(f.message)}")
        if f.fix is not None:
            lines.append(f"    fix: {visible(f.fix.title)}")
            if f.fix.snippet:
                for snippet_line in f.fix.snippet.rstrip("\n").split("\n"):
                    lines.append(f"{_DIM if colour else ''}        {visible(snippet_line)}{_RESET if colour else ''}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
