import json

import click


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
def rules(fmt: str) -> None:
    """List every rule: code, name, default severity, category, on or off by default."""
    from kubelint.rules import registry

    reg = registry()
    if fmt == "json":
        out = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "category": r.category,
                "enabled": r.enabled,
                "summary": r.summary,
            }
            for r in reg
        ]
        click.echo(json.dumps(out, indent=2))
        return
    rows = [("CODE", "NAME", "SEVERITY", "CATEGORY", "DEFAULT", "SUMMARY")]
    rows += [(r.code, r.name, r.severity, r.category, "on" if r.enabled else "off", r.summary) for r in reg]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
