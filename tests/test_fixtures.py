"""Every rule has fixtures/<category>/<rule-name>/fail.yaml and pass.yaml.

Each line of fail.yaml that must fire carries `# expect: <rule-name>`; the
test asserts the exact set of (rule, line) pairs for that rule alone, and that
pass.yaml gives nothing.  An optional `args` file beside them holds extra
`kubelint check` arguments (one per line), e.g. `--allowed-registry=ghcr.io/acme/`.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from helpers import expected_markers

from kubelint.rules import registry

# Rules only the sources stage can emit (about a fetched URL, not about file
# content); tests/test_remote.py covers them.
SOURCE_ONLY = {"remote-content-changed"}
RULES = [r for r in registry() if r.name not in SOURCE_ONLY]
# Rules no input should trigger: check-failed marks a bug in another rule, and
# tests/test_hostile.py triggers it with a rule made to fail.
NO_FAIL_FIXTURE = {"check-failed"}


def _fixture_dir(rule):
    return FIXTURES / rule.category / rule.name


def _args(rule) -> list[str]:
    path = _fixture_dir(rule) / "args"
    return path.read_text().split() if path.exists() else []


def _run(run_cli, rule, path):
    code, out, err = run_cli("check", "--select", rule.name, "--format", "json", "--fail-on", "none", "--config", "/dev/null", "--no-context", *_args(rule), path)
    assert code == 0, err
    doc = json.loads(out)
    return doc["findings"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_fail_fixture(rule, run_cli):
    if rule.name in NO_FAIL_FIXTURE:
        pytest.skip(f"{rule.name} has no input that triggers it")
    fail = _fixture_dir(rule) / "fail.yaml"
    if not fail.exists():
        fail = _fixture_dir(rule) / "fail.json"
    assert fail.exists(), f"no fail fixture for {rule.name} at {fail}"
    expected = sorted(m for m in expected_markers(fail) if m[0] == rule.name)
    assert expected, f"{fail} has no '# expect: {rule.name}' marker"
    findings = _run(run_cli, rule, fail)
    assert sorted((f["name"], f["line"]) for f in findings) == expected
    for f in findings:
        if f["fix"] is not None:
            assert f["fix"]["title"].endswith("."), f["fix"]["title"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_pass_fixture(rule, run_cli):
    passing = _fixture_dir(rule) / "pass.yaml"
    assert passing.exists(), f"no pass fixture for {rule.name}"
    assert _run(run_cli, rule, passing) == []


FAIL_FIXTURES = sorted(p for p in FIXTURES.glob("*/*/fail.*") if p.suffix in (".yaml", ".yml", ".json"))


@pytest.mark.parametrize("fail", FAIL_FIXTURES, ids=lambda p: p.parent.name)
def test_fail_fixture_under_all_rules(fail, run_cli):
    """One mistake, one finding: with every rule on, a fail fixture gives
    exactly the (rule, line) pairs its `# expect:` markers state, so two rules
    reporting the same mistake (an overlap) fail here."""
    args = (fail.parent / "args").read_text().split() if (fail.parent / "args").exists() else []
    code, out, err = run_cli("check", "--select", "ALL", "--format", "json", "--fail-on", "none",
                             "--config", "/dev/null", "--no-context", *args, fail)
    assert code == 0, err
    got = sorted((f["name"], f["line"]) for f in json.loads(out)["findings"])
    assert got == sorted(expected_markers(fail))


def test_every_rule_has_a_fail_fixture_in_the_all_rules_run():
    assert {p.parent.name for p in FAIL_FIXTURES} == {r.name for r in RULES if r.name not in NO_FAIL_FIXTURE}


FIXABLE = [r for r in RULES if r.fix != "none"]


@pytest.mark.parametrize("rule", FIXABLE, ids=lambda r: r.name)
def test_fixed_fixture(rule, run_cli, tmp_path):
    """A rule with a fix has fixed.yaml: what `--fix --unsafe-fixes` makes of
    fail.yaml for that rule alone, comments included; it no longer fires."""
    import shutil

    fixed = _fixture_dir(rule) / "fixed.yaml"
    assert fixed.exists(), f"no fixed fixture for {rule.name} (its fix is {rule.fix})"
    target = tmp_path / "fail.yaml"
    shutil.copy(_fixture_dir(rule) / "fail.yaml", target)
    code, out, err = run_cli("check", "--select", rule.name, "--fix", "--unsafe-fixes", "--fail-on", "none",
                             "--config", "/dev/null", *_args(rule), target)
    assert code == 0, err
    assert target.read_text() == fixed.read_text()
    assert len(_run(run_cli, rule, fixed)) < len(_run(run_cli, rule, _fixture_dir(rule) / "fail.yaml"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_fix_safety_doc_matches_the_declared_fix(rule):
    """The docs say what `fix=` declares: "safe: ...", "unsafe: ...", or no
    automatic fix."""
    text = rule.section("Fix safety")
    first = text.split()[0].rstrip(":;,.") if text else ""
    if rule.fix == "none":
        assert first not in ("safe", "unsafe"), text
    else:
        assert first == rule.fix or (rule.name.startswith("api-") and "unsafe" in text and "safe" in text), text
