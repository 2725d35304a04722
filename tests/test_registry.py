"""The rule registry: identities, names, documentation, and that each
docstring's Example fails and its Use instead passes."""

from __future__ import annotations

import json
import re

import pytest

from kubelint.registry import DOC_SECTIONS, Registry, UnknownRule, declare
from kubelint.rules import registry

RULES = list(registry())
OBJECT_RULES = [r for r in RULES if r.check is not None]


def test_codes_and_names_are_unique_and_well_formed():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"KL\d{3}", r.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name)
        assert not r.name.startswith(("no-", "disallow-")), r.name


def test_code_hundreds_follow_the_category():
    hundreds = {
        "yaml": "0", "schema": "0", "images": "1", "resources": "2", "probes": "3", "pss": "4",
        "hardening": "4", "rbac": "5", "secrets": "6", "network": "7", "availability": "8", "validation": "9",
        "remote": "0",  # with yaml and schema: about the input itself (KL020-KL029)
    }
    for r in RULES:
        if r.category in hundreds:
            assert r.code[2] == hundreds[r.category], (r.code, r.category)


@pytest.mark.parametrize("rule", OBJECT_RULES, ids=lambda r: r.name)
def test_function_is_named_after_the_rule(rule):
    assert rule.check.__name__ == rule.name.replace("-", "_")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_doc_has_every_section(rule):
    assert rule.summary.endswith("."), rule.summary
    for heading in DOC_SECTIONS:
        assert rule.section(heading), f"{rule.name}: no {heading} section"


def test_duplicate_code_is_refused():
    a = declare(code="KL900", name="a-thing", severity="info", category="x", doc="A.")
    b = declare(code="KL900", name="b-thing", severity="info", category="x", doc="B.")
    with pytest.raises(ValueError, match="duplicate rule code KL900"):
        Registry([a, b])


def test_selectors():
    reg = registry()
    assert [r.name for r in reg.select("KL102")] == ["image-tag-latest"]
    assert [r.name for r in reg.select("image-tag-latest")] == ["image-tag-latest"]
    assert {"liveness-probe-missing", "readiness-probe-missing"} <= {r.name for r in reg.select("probes")}
    assert all(r.category == "probes" for r in reg.select("probes"))
    assert {r.code for r in reg.select("KL2")} == {"KL201", "KL202", "KL203", "KL204", "KL205", "KL206"}
    assert len(reg.select("ALL")) == len(RULES)
    with pytest.raises(UnknownRule, match='no such rule: "image-tag-lates"; did you mean "image-tag-latest"'):
        reg.select("image-tag-lates")


def test_active_follows_ruff_precedence():
    reg = registry()
    default = {r.name for r in reg.active()}
    assert "cpu-limit-missing" not in default and "cpu-request-missing" in default
    assert {r.name for r in reg.active(select=["resources"], ignore=["KL201"])} == {
        "memory-request-missing",
        "memory-limit-missing",
        "cpu-limit-missing",
        "ephemeral-storage-request-missing",
        "ephemeral-storage-limit-missing",
    }
    extended = {r.name for r in reg.active(extend_select=["cpu-limit-missing"])}
    assert extended == default | {"cpu-limit-missing"}


def _snippet_args(snippet: str) -> list[str]:
    """A snippet may start with `# kubelint check ARGS` for the options it needs."""
    first = snippet.splitlines()[0]
    return first.split()[3:] if first.startswith("# kubelint check") else []


@pytest.mark.parametrize("rule", OBJECT_RULES, ids=lambda r: r.name)
def test_doc_example_fails_and_use_instead_passes(rule, run_cli, tmp_path):
    for heading, should_fire in (("Example", True), ("Use instead", False)):
        snippet = rule.section(heading)
        path = tmp_path / f"{heading.replace(' ', '_')}.yaml"
        path.write_text(snippet + "\n")
        args = _snippet_args(snippet)
        code, out, err = run_cli("check", "--select", rule.name, "-f", "json", "--config", "/dev/null", *args, path)
        assert code in (0, 1), err
        names = [f["name"] for f in json.loads(out)["findings"]]
        assert (rule.name in names) == should_fire, f"{rule.name} {heading}: {names}"


def test_options_are_documented_from_their_schema_only():
    """Option types, defaults and meanings are declared once, in the rule's
    JSON Schema; the docs are generated from it, so no docstring repeats them."""
    from kubelint.registry import doc_sections

    for r in RULES:
        assert "Options" not in doc_sections(r.doc), r.name
        for name, schema in r.options.items():
            assert schema.get("description"), (r.name, name)
    dup = next(r for r in RULES if r.name == "duplicate-object")
    assert dup.section("Options") == (
        "scope (one of file, directory, run; default file): Where two definitions count as one object: "
        "within a file, a directory, or everything checked together."
    )
