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

RULES = list(registry())
# Rules no input should trigger: check-failed marks a bug in another rule, and
# tests/test_hostile.py triggers it with a rule made to fail.
NO_FAIL_FIXTURE = {"check-failed"}


def _fixture_dir(rule):
    return FIXTURES / rule.category / rule.name


def _args(rule) -> list[str]:
    path = _fixture_dir(rule) / "args"
    return path.read_text().split() if path.exists() else []


def _run(run_cli, rule, path):
    code, out, err = run_cli("check", "--select", rule.name, "--format", "json", "--fail-on", "none", "--config", "/dev/null", *_args(rule), path)
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
