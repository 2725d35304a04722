"""The command line.  Only this package prints or exits.

Subcommands live in their own modules and are imported only when invoked, so
`kubelint --help` and a one-file pre-commit run load no more than they use.
"""

from __future__ import annotations

import importlib
import sys
from typing import NoReturn

import click

COMMANDS = {
    "check": ("kubelint.cli.check", "check", "Check manifests: schema validation and rules."),
    "apply": ("kubelint.cli.apply", "apply", "Check manifests or a URL, preview them, then kubectl apply the same bytes."),
    "lock": ("kubelint.cli.lock", "lock", "Record the sha256 of what URLs serve in kubelint.lock."),
    "rules": ("kubelint.cli.rules", "rules", "List every rule."),
    "explain": ("kubelint.cli.explain", "explain", "Explain a rule: what, why, how to fix."),
    "policy": ("kubelint.cli.policy", "policy", "Test and list Rego policies (conftest and Gatekeeper)."),
    "version": ("kubelint.cli.version", "version", "Print the version."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help without importing every subcommand.
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, _, text) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def cli(verbose: bool) -> None:
    """kubelint: a Kubernetes manifest linter and security policy checker.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above
    --fail-on, 2 usage or input errors.
    """
    # -v is read by main(), which reports internal errors outside click.


def fail(message: str) -> NoReturn:
    """A usage or input error: one line on stderr, exit 2."""
    from kubelint.report.escape import visible

    click.echo(f"kubelint: error: {visible(message)}", err=True)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="kubelint", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kubelint: aborted", err=True)
        sys.exit(2)
    except click.ClickException as e:
        # Usage errors: one line, exit 2.
        from kubelint.report.escape import visible

        click.echo(f"kubelint: error: {visible(e.format_message())}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # a bug in kubelint, never the user's input
        verbose = "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
        if verbose:
            import traceback

            traceback.print_exc()
        click.echo(
            f"kubelint: internal error: {type(e).__name__}: {e}; please report it"
            + ("" if verbose else " (run with -v for the traceback)"),
            err=True,
        )
        sys.exit(2)
    sys.exit(0)


def run() -> NoReturn:
    """The program (the `kubelint` command, `python -m kubelint`): main(),
    then out without tearing the heap down.  A large run ends holding
    millions of small objects; freeing them one by one at exit costs about
    0.1 s on the shared corpus and tells nobody anything.  Everything the
    run writes is closed by then; stdout and stderr are flushed here."""
    try:
        main()
        code = 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            code = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            code = code or 1
    import os

    os._exit(code)
