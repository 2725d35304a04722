"""`check --fix` and `check --diff`: apply fixes, write files, print diffs.

Called from kubelint.cli.check only when one of the flags is given, so the
checking path never imports the fix stage (nor ruamel.yaml).
"""

from __future__ import annotations

import sys

import click

from kubelint.sources import STDIN


def fix_or_diff(sources, settings, result, unsafe: bool, diff: bool, context=None):
    """With --diff: print the diff and exit (1 when something would change).
    With --fix: write the fixed files (stdin's text to stdout) and return the
    run re-checked after fixing, with each refused fix saying why."""
    from kubelint.cli import fail
    from kubelint.fix.driver import annotate, fix_until_stable, unified_diff
    from kubelint.fix.write import write_atomic

    fixes, after_result = fix_until_stable(sources, settings, result, unsafe, context)
    changed = [ff for ff in fixes if ff.changed]
    count = sum(len(ff.fixed) for ff in changed)
    if diff:
        click.echo(unified_diff(changed), nl=False)
        click.echo(f"kubelint: would fix {count} finding{'s' * (count != 1)} in {len(changed)} file{'s' * (len(changed) != 1)}", err=True)
        sys.exit(1 if changed else 0)
    after = {ff.name: ff.after for ff in changed}
    for ff in changed:
        if ff.name == STDIN:
            continue
        try:
            write_atomic(ff.name, ff.after)
        except OSError as e:
            fail(f"{ff.name}: cannot write the fixed file: {e.strerror or e}")
    for source in sources:
        if source.name == STDIN:
            # Like ruff: the (fixed) text goes to stdout, the report to stderr.
            click.echo(after.get(STDIN, source.data), nl=False)
    if count:
        click.echo(f"kubelint: fixed {count} finding{'s' * (count != 1)} in {len(changed)} file{'s' * (len(changed) != 1)}", err=True)
    return annotate(after_result, fixes)
