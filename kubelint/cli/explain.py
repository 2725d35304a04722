import click


def render(rule) -> str:
    """A rule's documentation as `kubelint explain` prints it."""
    lines = [
        f"{rule.code} {rule.name}: {rule.summary}",
        "",
        f"Severity: {rule.severity}    Category: {rule.category}    Default: {'on' if rule.enabled else 'off'}",
    ]
    for heading, title in (
        ("Why", "Why"),
        ("Checked", "Checked"),
        ("Example", "Failing example"),
        ("Use instead", "Passing example"),
        ("Fix safety", "How to fix"),
        ("Options", "Options"),
        ("References", "References"),
    ):
        text = rule.section(heading)
        if not text:
            continue
        lines += ["", f"{title}:"]
        lines += ["    " + line if line else "" for line in text.splitlines()]
    return "\n".join(lines)


@click.command()
@click.argument("rule_name", metavar="NAME-OR-CODE")
def explain(rule_name: str) -> None:
    """Explain a rule: what it flags, why, a failing and a passing example, how to fix it."""
    from kubelint.registry import UnknownRule
    from kubelint.rules import registry

    try:
        rule = registry().get(rule_name)
    except UnknownRule as e:
        raise click.UsageError(str(e)) from None
    click.echo(render(rule))
