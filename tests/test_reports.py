"""The SARIF, JUnit and GitHub reporters, over run results built by hand."""

from __future__ import annotations

import dataclasses
import importlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kubelint.model import Finding, Fix, ObjectRef, RunResult
from kubelint.registry import declare, rule
from kubelint.report import github, junit, sarif

SARIF_SCHEMA = Path(__file__).resolve().parents[1].parent / "shared/schemas/sarif-schema-2.1.0.json"


@rule(code="KL101", name="image-tag-latest", severity="warning", category="images")
def image_tag_latest(obj, ctx):
    """Container image uses the latest tag.

    Why: `latest` moves; two nodes can run different code under one name.
    Example:
        image: nginx:latest
        imagePullPolicy: Always
    Use instead:
        image: nginx:1.27.0
        imagePullPolicy: IfNotPresent
    Fix safety: unsafe. Pinning a tag may change the image that runs.
    References:
        https://kubernetes.io/docs/concepts/containers/images/
    """
    yield from ()


@rule(code="KL407", name="pss-run-as-non-root", severity="error", category="pss")
def pss_run_as_non_root(obj, ctx):
    """Container may run as root.

    Why: the Restricted profile requires runAsNonRoot: true.
    Example:
        securityContext: {}
    Use instead:
        securityContext:
          runAsNonRoot: true
    Fix safety: unsafe. The kubelet refuses to start an image whose user is root.
    References: https://kubernetes.io/docs/concepts/security/pod-security-standards/
    """
    yield from ()


PROBE_NOTE = declare(
    code="KL301",
    name="probe-missing",
    severity="info",
    category="probes",
    doc="""Container has no readiness probe.

    Why: without one, traffic reaches a pod before it is ready.
    Fix safety: no fix; the probe depends on the application.
    """,
)

WEB = ObjectRef("apps/v1", "Deployment", "prod", "web")
IMAGE_PATH = ("spec", "template", "spec", "containers", 0, "image")


def finding(**kw) -> Finding:
    base = dict(
        rule="KL101",
        name="image-tag-latest",
        severity="warning",
        message='container "web" uses image "nginx:latest"',
        file="deploy/web.yaml",
        line=18,
        column=16,
        fix=Fix("Pin the image to a version tag or digest."),
        object=WEB,
        path=IMAGE_PATH,
    )
    base.update(kw)
    return Finding(**base)


def run(*findings: Finding, rules=(image_tag_latest, pss_run_as_non_root, PROBE_NOTE)) -> RunResult:
    return RunResult(findings=tuple(findings), files=2, objects=3, kubernetes_version="1.30", rules=tuple(rules))


def sample() -> RunResult:
    return run(
        # Out of order on purpose: reporters sort by file, line, column, rule.
        finding(
            rule="KL407",
            name="pss-run-as-non-root",
            severity="error",
            message='container "web" may run as root',
            line=12,
            column=9,
            fix=Fix("Set securityContext.runAsNonRoot: true.", snippet="securityContext:\n  runAsNonRoot: true\n"),
            path=("spec", "template", "spec", "containers", 0),
        ),
        finding(),
        finding(
            rule="KL301",
            name="probe-missing",
            severity="info",
            message='container "db" has no readiness probe',
            file="./base/my db.yaml",
            line=7,
            column=5,
            fix=None,
            object=ObjectRef("apps/v1", "StatefulSet", None, "db"),
            path=("spec", "template", "spec", "containers", 0),
        ),
        # A parse-stage rule that is not among the active rules.
        finding(
            rule="KL001",
            name="yaml-duplicate-key",
            severity="error",
            message='key "image" is repeated',
            file="-",
            line=3,
            column=1,
            fix=None,
            object=None,
            path=(),
        ),
    )


# SARIF


def validate_sarif(text: str) -> dict:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"no SARIF schema at {SARIF_SCHEMA}")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(log)
    return log


def test_sarif_validates_against_the_schema():
    validate_sarif(sarif.render(sample()))


def test_sarif_empty_run_validates():
    text = sarif.render(run())
    log = validate_sarif(text)
    (the_run,) = log["runs"]
    assert the_run["results"] == []
    assert [r["id"] for r in the_run["tool"]["driver"]["rules"]] == ["KL101", "KL301", "KL407"]
    validate_sarif(sarif.render(run(rules=())))


def test_sarif_tool_and_rules():
    log = json.loads(sarif.render(sample()))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "kubelint"
    assert driver["informationUri"] == "https://github.com/kubelint/kubelint"
    assert driver["version"] == str(getattr(importlib.import_module("kubelint"), "__version__", "0.0.0"))

    rules = {r["id"]: r for r in driver["rules"]}
    assert [r["id"] for r in driver["rules"]] == ["KL001", "KL101", "KL301", "KL407"]
    # Known only from its finding.
    assert rules["KL001"] == {"id": "KL001", "name": "yaml-duplicate-key"}

    latest = rules["KL101"]
    assert latest["name"] == "image-tag-latest"
    assert latest["shortDescription"] == {"text": "Container image uses the latest tag."}
    assert latest["fullDescription"] == {"text": "`latest` moves; two nodes can run different code under one name."}
    assert latest["helpUri"] == "https://github.com/kubelint/kubelint/blob/main/docs/rules.md#image-tag-latest"
    assert latest["defaultConfiguration"] == {"level": "warning"}
    assert latest["properties"] == {"tags": ["images"], "fixSafety": "none"}
    assert latest["help"]["text"] == (
        "Container image uses the latest tag.\n\n"
        "Why: `latest` moves; two nodes can run different code under one name.\n\n"
        "Example:\n    image: nginx:latest\n    imagePullPolicy: Always\n\n"
        "Use instead:\n    image: nginx:1.27.0\n    imagePullPolicy: IfNotPresent\n\n"
        "Fix safety: unsafe. Pinning a tag may change the image that runs.\n\n"
        "References:\n    https://kubernetes.io/docs/concepts/containers/images/"
    )
    assert latest["help"]["markdown"] == (
        "Container image uses the latest tag.\n\n"
        "**Why:** `latest` moves; two nodes can run different code under one name.\n\n"
        "**Example:**\n\n```yaml\nimage: nginx:latest\nimagePullPolicy: Always\n```\n\n"
        "**Use instead:**\n\n```yaml\nimage: nginx:1.27.0\nimagePullPolicy: IfNotPresent\n```\n\n"
        "**Fix safety:** unsafe. Pinning a tag may change the image that runs.\n\n"
        "**References:**\n\n- <https://kubernetes.io/docs/concepts/containers/images/>"
    )
    assert rules["KL407"]["defaultConfiguration"] == {"level": "error"}
    # Snippets are fenced as the registry gives them.
    use_instead = pss_run_as_non_root.section("Use instead")
    assert f"**Use instead:**\n\n```yaml\n{use_instead}\n```" in rules["KL407"]["help"]["markdown"]
    assert rules["KL301"]["defaultConfiguration"] == {"level": "note"}
    assert "Example" not in rules["KL301"]["help"]["text"]
    assert rules["KL301"]["help"]["markdown"].endswith("**Fix safety:** no fix; the probe depends on the application.")


def test_sarif_results():
    log = json.loads(sarif.render(sample()))
    the_run = log["runs"][0]
    rule_ids = [r["id"] for r in the_run["tool"]["driver"]["rules"]]
    results = the_run["results"]
    # Sorted by file: "-" < "./base/my db.yaml" < "deploy/web.yaml"; then line.
    assert [r["ruleId"] for r in results] == ["KL001", "KL301", "KL407", "KL101"]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
    assert [r["level"] for r in results] == ["error", "note", "error", "warning"]

    stdin, probe, root, latest = results
    assert stdin["locations"][0] == {
        "physicalLocation": {"artifactLocation": {"uri": "stdin"}, "region": {"startLine": 3, "startColumn": 1}}
    }
    assert probe["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "base/my%20db.yaml"},
        "region": {"startLine": 7, "startColumn": 5},
    }
    assert probe["locations"][0]["logicalLocations"] == [
        {
            "name": "StatefulSet db",
            "fullyQualifiedName": "StatefulSet db/spec/template/spec/containers/0",
            "kind": "resource",
        }
    ]
    assert probe["message"] == {"text": 'container "db" has no readiness probe'}
    assert root["message"] == {"text": 'container "web" may run as root Fix: Set securityContext.runAsNonRoot: true.'}
    assert latest["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "deploy/web.yaml"},
        "region": {"startLine": 18, "startColumn": 16},
    }
    assert latest["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "Deployment prod/web/spec/template/spec/containers/0/image"
    )
    assert latest["properties"] == {"name": "image-tag-latest", "path": "/spec/template/spec/containers/0/image"}
    assert "logicalLocations" not in stdin["locations"][0]
    assert stdin["properties"] == {"name": "yaml-duplicate-key", "path": ""}
    assert len(latest["partialFingerprints"]["kubelint/v1"]) == 64


@pytest.mark.parametrize(
    ("file", "uri"),
    [
        ("deploy/web.yaml", "deploy/web.yaml"),
        ("./deploy/web.yaml", "deploy/web.yaml"),
        ("deploy\\web.yaml", "deploy/web.yaml"),
        ("my dir/a#b%c.yaml", "my%20dir/a%23b%25c.yaml"),
        ("-", "stdin"),
        ("/abs/web.yaml", "file:///abs/web.yaml"),
    ],
)
def test_sarif_uri(file, uri):
    assert sarif.artifact_uri(file) == uri


def fingerprint_of(f: Finding) -> str:
    log = json.loads(sarif.render(run(f)))
    return log["runs"][0]["results"][0]["partialFingerprints"]["kubelint/v1"]


def test_sarif_fingerprint_survives_a_line_move():
    before = finding()
    moved = dataclasses.replace(before, line=before.line + 5, column=3, message="reworded")
    assert fingerprint_of(before) == fingerprint_of(moved)
    assert fingerprint_of(before) == fingerprint_of(dataclasses.replace(before, file="./deploy/web.yaml"))
    # ... but not a change of rule, file, object or path.
    assert fingerprint_of(before) != fingerprint_of(dataclasses.replace(before, rule="KL407"))
    assert fingerprint_of(before) != fingerprint_of(dataclasses.replace(before, file="deploy/api.yaml"))
    assert fingerprint_of(before) != fingerprint_of(dataclasses.replace(before, object=dataclasses.replace(WEB, name="api")))
    assert fingerprint_of(before) != fingerprint_of(dataclasses.replace(before, path=IMAGE_PATH[:-1]))


def test_sarif_is_deterministic():
    result = sample()
    reversed_result = dataclasses.replace(result, findings=result.findings[::-1])
    assert sarif.render(result) == sarif.render(reversed_result)
    assert sarif.render(result).endswith("}\n")


# JUnit


def test_junit_structure():
    text = junit.render(sample())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "kubelint", "tests": "4", "failures": "4", "errors": "0"}
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["-", "./base/my db.yaml", "deploy/web.yaml"]
    assert [(s.get("tests"), s.get("failures"), s.get("errors")) for s in suites] == [
        ("1", "1", "0"),
        ("1", "1", "0"),
        ("2", "2", "0"),
    ]
    web = suites[2].findall("testcase")
    assert [c.attrib for c in web] == [
        {"classname": "deploy/web.yaml", "name": "Deployment prod/web [pss-run-as-non-root] line 12:9"},
        {"classname": "deploy/web.yaml", "name": "Deployment prod/web [image-tag-latest] line 18:16"},
    ]
    failure = web[0].find("failure")
    assert failure.attrib == {"type": "error", "message": 'container "web" may run as root'}
    assert failure.text == (
        "deploy/web.yaml:12:9: error KL407 [pss-run-as-non-root] Deployment prod/web: "
        'container "web" may run as root\n'
        "fix: Set securityContext.runAsNonRoot: true.\n"
        "    securityContext:\n"
        "      runAsNonRoot: true"
    )
    # Every severity is a failure; the severity is its type.
    (probe,) = suites[1].findall("testcase")
    assert probe.find("failure").get("type") == "info"
    assert probe.find("error") is None
    (stdin,) = suites[0].findall("testcase")
    assert stdin.get("name") == "[yaml-duplicate-key] line 3:1"
    assert stdin.find("failure").text == "-:3:1: error KL001 [yaml-duplicate-key] key \"image\" is repeated"


def test_junit_escaping():
    nasty = finding(
        message='value "<a & b>" is not "ok"\x1b[31m\x00',
        file='dir/<x&"y">.yaml',
        fix=Fix('Use "<c>" & rest.', snippet="a: <b>\n"),
    )
    text = junit.render(run(nasty))
    assert "\x1b" not in text and "\x00" not in text
    assert "&lt;a &amp; b&gt;" in text
    assert "&quot;" in text
    root = ET.fromstring(text)  # parses: the serializer escaped the rest
    suite = root.find("testsuite")
    assert suite.get("name") == 'dir/<x&"y">.yaml'
    case = suite.find("testcase")
    assert case.get("classname") == 'dir/<x&"y">.yaml'
    failure = case.find("failure")
    assert failure.get("message") == 'value "<a & b>" is not "ok"[31m'
    assert 'fix: Use "<c>" & rest.\n    a: <b>' in failure.text


def test_junit_newline_in_attribute_survives():
    text = junit.render(run(finding(message="line one\nline two")))
    failure = ET.fromstring(text).find("testsuite/testcase/failure")
    assert failure.get("message") == "line one\nline two"


def test_junit_empty():
    text = junit.render(run())
    root = ET.fromstring(text)
    assert root.attrib == {"name": "kubelint", "tests": "0", "failures": "0", "errors": "0"}
    (suite,) = root
    assert suite.tag == "testsuite"
    assert suite.attrib == {"name": "kubelint", "tests": "0", "failures": "0", "errors": "0"}
    assert len(suite) == 0
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="kubelint" tests="0" failures="0" errors="0">\n'
        '  <testsuite name="kubelint" tests="0" failures="0" errors="0" />\n'
        "</testsuites>\n"
    )


# GitHub Actions


def test_github_lines():
    assert github.render(sample()).splitlines() == [
        '::error title=kubelint [yaml-duplicate-key]::key "image" is repeated',
        "::notice file=base/my db.yaml,line=7,col=5,title=kubelint [probe-missing]::"
        'container "db" has no readiness probe',
        "::error file=deploy/web.yaml,line=12,col=9,title=kubelint [pss-run-as-non-root]::"
        'container "web" may run as root%0Afix: Set securityContext.runAsNonRoot: true.',
        "::warning file=deploy/web.yaml,line=18,col=16,title=kubelint [image-tag-latest]::"
        'container "web" uses image "nginx:latest"%0Afix: Pin the image to a version tag or digest.',
    ]
    assert github.render(sample()).endswith("\n")


def test_github_escaping():
    f = finding(
        file="dir:a,b/100%.yaml",
        message="50% used\r\nnext: line, more",
        fix=Fix("Set a: b, c."),
    )
    assert github.render(run(f)) == (
        "::warning file=dir%3Aa%2Cb/100%25.yaml,line=18,col=16,title=kubelint [image-tag-latest]::"
        "50%25 used%0D%0Anext: line, more%0Afix: Set a: b, c.\n"
    )


def test_github_empty():
    assert github.render(run()) == ""


def test_json_streams_the_document_one_finding_per_line():
    """`chunks` writes a finding at a time, one finding per line; the text
    parses to the document, with findings or none."""
    import json as json_module

    from kubelint.model import RunResult
    from kubelint.report import json as json_report

    for result in (sample(), RunResult((), 0, 0, "1.37", ())):
        text = "".join(json_report.chunks(result))
        assert json_module.loads(text) == json_report.valid_text(json_report.document(result))
        lines = text.splitlines()
        start = lines.index('  "findings": [') + 1 if result.findings else None
        if start:
            assert [json_module.loads(line.strip().rstrip(",")) for line in lines[start:-2]] == [
                json_report.finding_dict(f) for f in result.findings
            ]
