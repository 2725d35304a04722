"""The default report: one line per finding (like ruff's concise format),
then a summary line.

    deploy/web.yaml:18:9: warning [pss-run-as-non-root] Deployment prod/web: container "web" may run as root

With `show_fixes` (`--show-fixes`, `--output-format full`) each finding is
followed by its fix and snippet:

        fix: Set securityContext.runAsNonRoot: true.
            securityContext: {runAsNonRoot: true}

With `statistics` (`--statistics`) the findings are counted per rule instead.

Findings that `--fix` fixes are marked [*] (ruff's mark), unsafe fixes say
so (`fix (unsafe):`), and the last line counts them.
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


def statistics(result: RunResult) -> list[str]:
    """`count  code  name  severity`, most frequent first."""
    counts: dict[tuple[str, str, str], int] = {}
    for f in result.findings:
        key = (f.rule, f.name, f.severity)
        counts[key] = counts.get(key, 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    return [f"{n:>{width}}  {code}  {name}  {severity}" for (code, name, severity), n in rows]


def render(result: RunResult, colour: bool = False, show_fixes: bool = False, show_statistics: bool = False) -> str:
    return "".join(chunks(result, colour, show_fixes, show_statistics))


def chunks(result: RunResult, colour: bool = False, show_fixes: bool = False, show_statistics: bool = False):
    """The report a finding at a time (lines ending in a newline), so a
    large run is written without holding its whole report."""
    for row in statistics(result) if show_statistics else ():
        yield row + "\n"
    for f in () if show_statistics else result.findings:
        lines = []
        severity = f"{_COLOURS[f.severity]}{f.severity}{_RESET}" if colour else f.severity
        where = f"{visible(f.file)}:{f.line}:{f.column}:"
        if colour:
            where = f"{_BOLD}{where}{_RESET}"
        mark = " [*]" if f.fix is not None and f.fix.applicable and f.fix.safety == "safe" else ""
        lines.append(f"{where} {severity} [{f.name}]{mark} {visible(f.message)}")
        if show_fixes and f.fix is not None:
            unsafe = " (unsafe)" if f.fix.applicable and f.fix.safety == "unsafe" else ""
            lines.append(f"    fix{unsafe}: {visible(f.fix.title)}")
            if f.fix.snippet:
                for snippet_line in f.fix.snippet.rstrip("\n").split("\n"):
                    lines.append(f"{_DIM if colour else ''}        {visible(snippet_line)}{_RESET if colour else ''}")
        yield "\n".join(lines) + "\n"
    lines = [summary(result)]
    safe = sum(1 for f in result.findings if f.fix is not None and f.fix.applicable and f.fix.safety == "safe")
    unsafe = sum(1 for f in result.findings if f.fix is not None and f.fix.applicable and f.fix.safety == "unsafe")
    if safe or unsafe:
        lines.append(f"{safe} fixable with --fix ({unsafe} more with --unsafe-fixes)")
    yield "\n".join(lines) + "\n"
