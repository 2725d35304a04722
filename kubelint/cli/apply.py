import os
import sys

import click

from kubelint.cli.remote import fetch_policy, remote_options


@click.command(context_settings={"ignore_unknown_options": False})
@click.option("-f", "--filename", "inputs", multiple=True, required=True, metavar="URL|FILE",
              help="A URL, a file, a directory, or - for stdin (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Preview and report format.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "none"]), default=None,
              help="Apply nothing when a finding is at or above this severity.  [default: warning]")
@click.option("--dry-run", is_flag=True, help="Fetch, check and preview; apply nothing.")
@click.option("-y", "--yes", is_flag=True, help="Apply without asking (needed when there is no terminal).")
@click.option("--kubectl", "kubectl_path", default=None, metavar="PATH", help="The kubectl to run.  [default: kubectl from PATH]")
@click.option("--select", multiple=True, metavar="RULES", help="Check only these rules.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not check these rules.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Configuration file.")
@remote_options
@click.argument("kubectl_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- KUBECTL ARGS]...")
def apply(inputs, fmt, fail_on, dry_run, yes, kubectl_path, select, ignore, config_path, remote, kubectl_args) -> None:
    """Check manifests (URLs or files), preview what they install, then pipe
    the very bytes that were checked to `kubectl apply -f -`.

    Each URL is fetched once, so the server cannot swap the content between
    the check and the apply.  Nothing is applied when a finding is at or above
    --fail-on, with --dry-run, or without a terminal to confirm on unless
    --yes is given.  Arguments after -- go to kubectl (e.g. -- -n web).
    """
    import json
    import shutil
    import subprocess

    from kubelint import preview
    from kubelint.cli import fail
    from kubelint.cli.check import _split
    from kubelint.config import ConfigError, Settings, find_config, load_settings
    from kubelint.engine import UsageError, check as run_check, exit_code
    from kubelint.sources import InputError, is_url, load

    try:
        path = config_path or find_config()
        settings = load_settings(path) if path else Settings()
    except ConfigError as e:
        fail(str(e))
    if select:
        settings.select = _split(select)
    settings.ignore += _split(ignore)
    if fail_on is not None:
        settings.fail_on = fail_on
    settings.trusted_hosts += list(remote["trusted_hosts"])
    try:
        policy = fetch_policy(remote, [i for i in inputs if is_url(i)], settings.trusted_hosts)
        sources = list(load(inputs, settings.exclude, policy, settings.trusted_hosts))
        result = run_check(sources, settings)
    except (InputError, UsageError) as e:
        fail(str(e))
    if not sources:
        fail("no manifests found in " + ", ".join(inputs))
    scripts = [s.name for s in sources if not s.manifest]
    if scripts:
        fail(f"{scripts[0]}: not a manifest; kubelint apply takes YAML or JSON manifests")
    # What kubectl receives: the checked bytes, documents of several inputs
    # joined by a YAML document separator and nothing else.
    payload = b"\n---\n".join(s.data.rstrip(b"\n") for s in sources) + b"\n" if len(sources) > 1 else sources[0].data
    shown = preview.build(sources)
    blocked = exit_code(result, settings.fail_on) != 0

    if fmt == "json":
        from kubelint.report import json as json_report

        doc = json.loads(json_report.render(result))
        doc["preview"] = shown
        doc["apply"] = "refused" if blocked else "dry-run" if dry_run else "pending"
        click.echo(json.dumps(doc, indent=2))
    else:
        from kubelint.report import text

        click.echo(preview.render_text(shown))
        click.echo(text.render(result, colour=False), nl=False)

    if blocked:
        click.echo(f"kubelint: nothing applied: findings at or above --fail-on {settings.fail_on}", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("kubelint: dry run: nothing applied", err=True)
        sys.exit(0)
    kubectl = kubectl_path or shutil.which("kubectl")
    if not kubectl:
        fail("kubectl not found on PATH; install it or pass --kubectl PATH")
    if not yes:
        if not (_interactive() and "-" not in inputs):
            fail("nothing applied: no terminal to confirm on; review the preview and pass --yes")
        if not click.confirm(f"Apply {shown['objects']} objects with {kubectl} apply -f -?", default=False, err=True):
            click.echo("kubelint: nothing applied", err=True)
            sys.exit(1)
    try:
        done = subprocess.run([kubectl, "apply", "-f", "-", *kubectl_args], input=payload, env=os.environ.copy())
    except OSError as e:
        fail(f"{kubectl}: cannot run: {e.strerror or e}")
    if done.returncode != 0:
        fail(f"kubectl apply exited with {done.returncode}")
    sys.exit(0)


def _interactive() -> bool:
    """A terminal to ask on (stdin is not the manifest and is a terminal)."""
    return sys.stdin.isatty()
