import click

# What a rule's declared fix safety means for the user.
FIX_WORDS = {
    "safe": "safe (--fix applies it)",
    "unsafe": "unsafe (--fix --unsafe-fixes applies it)",
    "none": "none (advice only)",
}


def render(rule) -> str:
    """A rule's documentation as `kubelint explain` prints it."""
    lines = [
        f"{rule.code} {rule.name}: {rule.summary}",
        "",
        f"Severity: {rule.severity}    Category: {rule.category}    Default: {'on' if rule.enabled else 'off'}",
        f"Fix: {FIX_WORDS[rule.fix]}",
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
