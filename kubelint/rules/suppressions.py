"""Findings about suppressions themselves.  The suppression stage emits
them (kubelint.suppress), so they are declared, not functions."""

from kubelint.registry import declare

suppression_rule_unknown = declare(
    code="KL090",
    name="suppression-rule-unknown",
    severity="warning",
    category="suppressions",
    doc="""
    A `# kubelint: ignore[...]` comment or a `kubelint.io/ignore` annotation
    names a rule kubelint does not have.

    Why: a misspelt rule name suppresses nothing, so the finding it was meant
    to silence is still reported, or worse, the suppression looks deliberate
    while the rule it names was renamed.  The finding says which known rule
    is closest.
    Example:
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          annotations:
            kubelint.io/ignore: image-tag-lattest
        spec:
          containers:
            - name: web
              image: nginx:1.27
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          annotations:
            kubelint.io/ignore: image-tag-latest
        spec:
          containers:
            - name: web
              image: nginx:1.27
    Fix safety: no automatic fix; the intended rule is for you to confirm.
    References: https://docs.astral.sh/ruff/rules/unused-noqa/
    """,
)

unused_suppression = declare(
    code="KL091",
    name="unused-suppression",
    severity="info",
    category="suppressions",
    enabled=False,
    doc="""
    A suppression comment or annotation suppressed nothing in this run.

    Why: once the problem it silenced is fixed, a stale suppression hides the
    next problem of that rule on the same line or object.  Like ruff's RUF100,
    this rule is off by default (`--extend-select unused-suppression`); it
    judges only suppressions whose rules are all checked in the run.
    Example:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings  # kubelint: ignore[invalid-name]
        data: {mode: fast}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data: {mode: fast}
    Fix safety: no automatic fix; remove the comment or annotation.
    References: https://docs.astral.sh/ruff/rules/unused-noqa/
    """,
)
