import os
import sys

import click

from kubelint.cli.remote import fetch_policy, remote_options
from kubelint.cli.policy import apply_policy_options, policy_options

FORMATS = ("text", "json", "sarif", "junit", "github")


def _split(values) -> list[str]:
    """Repeatable options also take comma-separated lists."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _outputs(fmt: str, outputs) -> tuple[str | None, list[tuple[str, str]]]:
    """(file for the main report or None for stdout, [(format, file)...])."""
    main_file, extra = None, []
    for value in outputs:
        prefix, sep, path = value.partition("=")
        if sep and prefix in FORMATS:
            if not path:
                raise click.BadParameter(f'"{value}": no file after "="', param_hint="--output")
            extra.append((prefix, path))
        else:
            if main_file is not None:
                raise click.BadParameter("give at most one plain --output FILE; use FORMAT=FILE for more", param_hint="--output")
            main_file = value
    return main_file, extra


def _render(fmt: str, result, colour: bool = False, show_fixes: bool = False, statistics: bool = False):
    """The report as an iterable of text chunks: text and json stream a
    finding at a time (a large run never holds its whole report); the other
    formats are one document."""
    if fmt == "text":
        from kubelint.report import text

        return text.chunks(result, colour=colour, show_fixes=show_fixes, show_statistics=statistics)
    import importlib

    module = importlib.import_module(f"kubelint.report.{fmt}")
    return module.chunks(result) if hasattr(module, "chunks") else (module.render(result),)


def _write(path: str, content) -> None:
    """Write a report.  Over a regular file (or a symlink to one) or a new
    file, atomically: a reader never sees half a report, and a symlink stays a
    symlink.  Anything else (a FIFO, /dev/stdout, a terminal, `>(cmd)`) is
    written directly, never replaced.  No temporary file is left behind."""
    import stat

    content = (content,) if isinstance(content, str) else content
    try:
        mode = os.stat(path).st_mode  # through symlinks, /dev/stdout's included
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise click.FileError(path, hint=e.strerror or str(e)) from None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise click.FileError(path, hint="is a directory")
        try:
            with open(path, "wb") as fh:
                for chunk in content:
                    fh.write(chunk.encode("utf-8"))
        except OSError as e:
            raise click.FileError(path, hint=e.strerror or str(e)) from None
        return
    import tempfile

    directory, name = os.path.split(os.path.realpath(path))
    target = os.path.join(directory, name)
    tmp = None
    try:
        # A fresh name, created exclusively: a planted `.NAME.kubelint-tmp`
        # symlink cannot redirect the write.
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".kubelint-tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fh.fileno(), stat.S_IMODE(mode) if mode is not None else 0o666 & ~umask)
            for chunk in content:
                fh.write(chunk.encode("utf-8"))
        os.replace(tmp, target)
    except OSError as e:
        raise click.FileError(path, hint=e.strerror or str(e)) from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)


def _context(inputs, settings):
    """The project context for a run given files (kubelint.project), as the
    run's loader wants it, or None."""
    from kubelint.project import load_context, project_root, wants_context
    from kubelint.sources import expand

    if not settings.use_context or not wants_context(inputs):
        return None
    files = expand(inputs, settings.exclude)
    root = project_root(settings, files)
    if root is None:
        return None
    return lambda kinds: load_context(root, files, settings, kinds, use_cache=settings.cache)


@click.command()
@click.argument("inputs", nargs=-1, metavar="[INPUTS]...")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]FILE",
    help="Write the report to FILE instead of stdout; FORMAT=FILE writes another report too (repeatable).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "none"]),
    default=None,
    help="Exit 1 when a finding is at or above this severity.  [default: warning]",
)
@click.option("-k", "--kubernetes-version", default=None, metavar="VERSION", help="Target Kubernetes version (1.25 to 1.37).  [default: newest]")
@click.option("--select", multiple=True, metavar="RULES", help="Check only these rules (codes, prefixes, names, categories, ALL).")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Also check these rules.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not check these rules.")
@click.option("--allowed-registry", multiple=True, metavar="REG", help="Allowed image registry or registry/path prefix (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching this glob (repeatable).")
@click.option("--crd", "crds", multiple=True, metavar="PATH", help="CustomResourceDefinitions (files or directories) to validate custom resources with.")
@click.option("--strict/--no-strict", default=None, help="Report fields the schema does not define.  [default: strict]")
@click.option("--pss-level", type=click.Choice(["baseline", "restricted", "none"]), default=None, help="Pod Security Standards level to enforce.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Configuration file (default: nearest .kubelint.yaml or pyproject.toml).")
@click.option("--max-file-size", default=None, metavar="SIZE", help="Read at most this much of one input (bytes, KiB, MiB, GiB); a larger input is an error.  [default: 16MiB]")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour the text report.")
@click.option("--show-fixes", is_flag=True, help="Text report: show each finding's fix and snippet.")
@click.option("--output-format", type=click.Choice(["concise", "full"]), default=None, help="Text report: concise (one line per finding, the default) or full (with fixes).")
@click.option("--statistics", is_flag=True, help="Text report: count the findings per rule instead of listing them.")
@click.option("--context", "context_dir", type=click.Path(file_okay=False), default=None, metavar="DIR", help="Project whose other manifests are context when files are given.  [default: the configuration's folder, else the git work tree]")
@click.option("--no-context", is_flag=True, help="Do not load the rest of the project as context when files are given.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the context cache (.kubelint_cache/).")
@click.option("--follow-remote", is_flag=True, help="Also fetch and check the remote https resources of kustomizations (trusted hosts only).")
@remote_options
@click.option("--fix", is_flag=True, help="Apply safe fixes (stdin: print the fixed text), then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply fixes that can change behaviour at run time.")
@click.option("--diff", is_flag=True, help="Print a unified diff of what --fix would change; write nothing; exit 1 if anything would change.")
@policy_options
def check(inputs, fmt, outputs, fail_on, kubernetes_version, select, extend_select, ignore, allowed_registry, exclude, crds, strict, pss_level, config_path, color, show_fixes, output_format, statistics, context_dir, no_context, no_cache, follow_remote, remote, fix, unsafe_fixes, diff, max_file_size, **policy) -> None:
    """Check Kubernetes manifests: files, directories (recursively), URLs, or - for stdin.

    Multi-document YAML, JSON and kind: List are read; documents that are not
    Kubernetes objects are skipped.
    """
    from kubelint.cli import fail
    from kubelint.config import ConfigError, Settings, find_config, load_settings
    from kubelint.engine import UsageError, check as run_check, exit_code
    from kubelint.sources import InputError, is_url, load, parse_size

    if not inputs:
        fail("no inputs; name files, directories, or - for stdin (see kubelint check --help)")
    try:
        path = config_path or find_config()
        settings = load_settings(path) if path else Settings()
    except ConfigError as e:
        fail(str(e))
    if kubernetes_version is not None:
        settings.kubernetes_version = kubernetes_version
    if select:
        settings.select = _split(select)
    settings.extend_select += _split(extend_select)
    settings.ignore += _split(ignore)
    if allowed_registry:
        settings.allowed_registries = _split(allowed_registry)
    settings.exclude += list(exclude)
    settings.crds += list(crds)
    if strict is not None:
        settings.strict = strict
    if pss_level is not None:
        settings.pss_level = pss_level
    if fail_on is not None:
        settings.fail_on = fail_on
    if context_dir is not None:
        settings.context = context_dir
    if no_context:
        settings.use_context = False
    if no_cache:
        settings.cache = False
    settings.trusted_hosts += list(remote["trusted_hosts"])
    apply_policy_options(settings, policy)
    if max_file_size is not None:
        settings.max_file_size = max_file_size
    try:
        settings.max_file_size = parse_size(settings.max_file_size)
    except ValueError as e:
        fail(f"--max-file-size: {e}")

    main_file, extra = _outputs(fmt, outputs)
    # A check builds many small containers and frees few until it ends; the
    # cyclic collector would only rescan them (about 0.1 s on the corpus).
    # It is switched back on afterwards: nothing outlives the run.
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        fetching = fetch_policy(remote, [i for i in inputs if is_url(i)], settings.trusted_hosts, force=follow_remote)
        sources = load(inputs, settings.exclude, fetching, settings.trusted_hosts, settings.max_file_size)
        if follow_remote:
            from kubelint.sources.remote import follow_remote as fetch_remote_resources

            sources = list(sources)
            sources += fetch_remote_resources(sources, fetching)
        if fix or diff:
            sources = list(sources)  # read once: fixed from the very bytes checked
        context = _context(inputs, settings)
        result = run_check(sources, settings, context=context)
    except (InputError, UsageError) as e:
        fail(str(e))
    finally:
        if collecting:
            gc.enable()
    if fix or diff:
        from kubelint.cli.fix import fix_or_diff

        result = fix_or_diff(sources, settings, result, unsafe_fixes, diff, context)

    colour = color == "always" or (color == "auto" and main_file is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    report = _render(fmt, result, colour=colour, show_fixes=show_fixes or output_format == "full", statistics=statistics)
    if main_file is None:
        for chunk in report:
            click.echo(chunk, nl=False, err=fix and "-" in inputs)
    else:
        _write(main_file, report)
    for extra_fmt, extra_path in extra:
        _write(extra_path, _render(extra_fmt, result))
    sys.exit(exit_code(result, settings.fail_on))
