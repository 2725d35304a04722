#!/usr/bin/env python3
"""Generate docs/rules.md and the rules table of README.md from the registry.

Usage: python scripts/gen_docs.py [--check]

--check exits 1 when the committed files differ from what the registry says
(tests/test_docs.py runs it that way, so the docs cannot drift from the code).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubelint.cli.explain import FIX_WORDS  # noqa: E402
from kubelint.rules import registry  # noqa: E402

START, END = "<!-- rules-table -->", "<!-- /rules-table -->"


def rules_md() -> str:
    reg = registry()
    out = [
        "# kubelint rules",
        "",
        "Generated from the rule registry by `python scripts/gen_docs.py`; do not edit by hand.",
        "`kubelint explain NAME-OR-CODE` prints the same text.",
        "",
    ]
    for category in sorted({r.category for r in reg}, key=lambda c: min(r.code for r in reg if r.category == c)):
        out += [f"## {category}", ""]
        out += ["| code | name | severity | default | fix | summary |", "|---|---|---|---|---|---|"]
        for r in reg:
            if r.category == category:
                out.append(f"| {r.code} | [{r.name}](#{r.name}) | {r.severity} | {'on' if r.enabled else 'off'} | {r.fix} | {r.summary} |")
        out.append("")
    for r in reg:
        out += [f"## {r.name}", "", f"`{r.code}` · {r.category} · {r.severity} · {'on' if r.enabled else 'off'} by default"
                f" · fix: {FIX_WORDS[r.fix]}", "", r.summary, ""]
        for heading, title in (("Why", "Why"), ("Checked", "Checked"), ("Example", "Example (fails)"), ("Use instead", "Use instead (passes)"),
                               ("Fix safety", "Fix safety"), ("Options", "Options"), ("References", "References")):
            text = r.section(heading)
            if not text:
                continue
            out += [f"**{title}**", ""]
            if heading in ("Example", "Use instead"):
                out += ["```yaml", text, "```", ""]
            elif heading == "Checked":  # a generated Markdown table, kept as is
                out += [text, ""]
            else:
                out += [" ".join(text.split()) if heading != "References" else "\n".join(f"- <{u}>" for u in text.split()), ""]
    return "\n".join(out).rstrip() + "\n"


def readme_table(readme: str) -> str:
    rows = ["| code | name | severity | default |", "|---|---|---|---|"]
    rows += [f"| {r.code} | `{r.name}` | {r.severity} | {'on' if r.enabled else 'off'} |" for r in registry()]
    block = f"{START}\n" + "\n".join(rows) + f"\n{END}"
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, readme, flags=re.S)


def main() -> int:
    check = "--check" in sys.argv
    targets = {
        ROOT / "docs" / "rules.md": rules_md(),
        ROOT / "README.md": readme_table((ROOT / "README.md").read_text(encoding="utf-8")),
    }
    stale = []
    for path, content in targets.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != content:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    if check and stale:
        print("out of date (run python scripts/gen_docs.py): " + ", ".join(str(p.relative_to(ROOT)) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
