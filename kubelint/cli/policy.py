"""`kubelint policy test|list`, and the policy options of `kubelint check`."""

from __future__ import annotations

import sys

import click

POLICY_OPTIONS = (
    click.option("--policy", "policy_paths", multiple=True, metavar="PATH",
                 help="Rego policies: .rego files, ConstraintTemplates and constraints, data files, or directories of them (repeatable)."),
    click.option("--namespace", "policy_namespaces", multiple=True, metavar="PACKAGE",
                 help="conftest package to evaluate (repeatable).  [default: main]"),
    click.option("--all-namespaces", "policy_all_namespaces", is_flag=True, default=None,
                 help="Evaluate every package that has deny, violation or warn rules."),
    click.option("--combine", "policy_combine", is_flag=True, default=None,
                 help="Give conftest policies the list of all objects at once ({path, contents} each)."),
    click.option("--allow-net", "policy_allow_net", is_flag=True, default=None,
                 help="Allow policies to call network builtins (http.send, net.lookup_ip_addr); needs --opa-url."),
    click.option("--rego-version", "policy_rego_version", type=click.Choice(["auto", "v0", "v1"]), default=None,
                 help="Syntax of a .rego file that does not say (import rego.v1).  [default: auto: v0 when the file can only be v0, else v1]"),
    click.option("--policy-timeout", "policy_timeout", type=click.FloatRange(min=0.001), default=None, metavar="SECONDS",
                 help="Time limit of one policy evaluation; past it the object gets a policy-error finding.  [default: 10]"),
    click.option("--opa-url", "policy_opa_url", default=None, metavar="URL",
                 help="Evaluate on this OPA server (policies and data are pushed to it) instead of the embedded engine."),
    click.option("--opa-preloaded", "policy_opa_preloaded", is_flag=True, default=None,
                 help="With --opa-url: the policies are already loaded on the server (bundles); push nothing."),
)


def policy_options(fn):
    """The policy options, for `kubelint check` and `kubelint policy test`."""
    for option in reversed(POLICY_OPTIONS):
        fn = option(fn)
    return fn


def apply_policy_options(settings, values: dict) -> None:
    """Put the command line's policy options into Settings."""
    if values.get("policy_paths"):
        settings.policies = list(settings.policies) + list(values["policy_paths"])
    options = dict(settings.policy_options)
    for key in ("namespaces", "all_namespaces", "combine", "allow_net", "rego_version", "timeout", "opa_url"):
        value = values.get(f"policy_{key}")
        if value not in (None, ()):
            options[key] = tuple(value) if key == "namespaces" else value
    if values.get("policy_opa_preloaded"):
        options["opa_push"] = False
    settings.policy_options = options


@click.group()
def policy() -> None:
    """Test and list Rego policies (conftest and Gatekeeper)."""


@policy.command("test")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--rego-version", type=click.Choice(["auto", "v0", "v1"]), default="auto", show_default=True,
              help="Syntax of a .rego file that does not say.")
@click.option("--policy-timeout", "timeout", type=click.FloatRange(min=0.001), default=10.0, show_default=True, metavar="SECONDS",
              help="Time limit of one test.")
@click.option("-v", "--verbose", is_flag=True, help="Print passing tests too.")
def test(paths, rego_version, timeout, verbose) -> None:
    """Run Rego unit tests (test_* rules) and Gatekeeper suites (suite.yaml,
    as gator verify reads them) found under PATH.

    Prints one line per failing test (and per test with -v); exits 1 when a
    test fails, 2 when a policy does not load.
    """
    from kubelint.cli import fail
    from kubelint.policy import PolicyLoadError
    from kubelint.policy.testing import run_tests

    try:
        report = run_tests(paths, rego_version=rego_version, timeout=timeout)
    except PolicyLoadError as e:
        fail(str(e))
    for outcome in report.outcomes:
        if verbose or not outcome.passed:
            status = "PASS" if outcome.passed else "FAIL"
            detail = f": {outcome.detail}" if outcome.detail and not outcome.passed else ""
            click.echo(f"{status} {outcome.where} {outcome.name}{detail}")
    passed = sum(o.passed for o in report.outcomes)
    failed = len(report.outcomes) - passed
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@policy.command("list")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--namespace", "namespaces", multiple=True, metavar="PACKAGE", help="conftest package (repeatable).  [default: every package]")
def list_(paths, namespaces) -> None:
    """Show what a policy pack contains: conftest rules, Gatekeeper templates
    and constraints, data keys, tests."""
    from kubelint.cli import fail
    from kubelint.policy import PolicyLoadError, PolicyOptions, load_policies
    from kubelint.policy.rego import test_rules

    options = PolicyOptions(namespaces=tuple(namespaces) or ("main",), all_namespaces=not namespaces)
    try:
        policies = load_policies(paths, options=options)
    except PolicyLoadError as e:
        fail(str(e))
    for c in policies.conftest:
        click.echo(f"{c.name}  {c.severity}  conftest  {c.file}:{c.line}")
    for kind, t in sorted(policies.templates.items()):
        engine = "rego" if t.rego is not None else "cel only (not evaluated)"
        click.echo(f"{kind}  template {t.name}  {engine}  {t.file}:{t.line}")
    for k in policies.constraints:
        from kubelint.policy.gatekeeper import ACTIONS

        click.echo(f"{k.rule_name}  {ACTIONS[k.action]}  constraint ({k.action})  {k.file}:{k.line}")
    tests = sum(len(test_rules(m)) for m in policies.modules.values())
    if policies.data:
        click.echo(f"data: {', '.join(sorted(policies.data))}")
    click.echo(f"{len(policies.conftest)} conftest rules, {len(policies.templates)} templates, "
               f"{len(policies.constraints)} constraints, {tests} tests")
