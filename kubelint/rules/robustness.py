"""What kubelint could not do: a rule that failed on one object.

A manifest is hostile input; a value no rule foresaw must cost a finding on
its object, never the report of every other file.  The engine emits this
finding itself (see `kubelint.engine.check`).
"""

from __future__ import annotations

from kubelint.registry import declare

check_failed = declare(
    code="KL009",
    name="check-failed",
    severity="error",
    category="robustness",
    doc="""
    kubelint could not check one rule on this object: the rule failed on a value it did not expect.

    Why: the object was not checked by that rule, so its report may be missing
    findings; the run goes on and every other object and file is checked.  The
    message names the rule and the error; it is a bug in kubelint, please
    report it with the object.
    Example:
        (an object with a value that makes a rule fail; the message says which rule)
    Use instead:
        (the same object once kubelint is fixed, or with the odd value corrected)
    Fix safety: no automatic fix.
    References: https://github.com/kubelint/kubelint/issues
    """,
)
