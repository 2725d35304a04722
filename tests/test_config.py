"""Configuration files and suppressions."""

from __future__ import annotations

import json

import pytest
from helpers import found

from kubelint.config import ConfigError, find_config, load_settings

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: docker.io/acme/web:latest
"""


def test_config_file_is_found_walking_up(tmp_path, monkeypatch):
    (tmp_path / ".kubelint.yaml").write_text("kubernetes-version: '1.31'\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert find_config() == tmp_path / ".kubelint.yaml"
    assert load_settings(find_config()).kubernetes_version == "1.31"


def test_pyproject_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.kubelint]\nselect = ["images"]\nfail-on = "error"\n')
    settings = load_settings(find_config(tmp_path))
    assert settings.select == ["images"] and settings.fail_on == "error"


@pytest.mark.parametrize(
    "text, message",
    [
        ("allowed-registries: ghcr.io\n", 'c.yaml:1:21: allowed-registries: expected a list of strings, got "ghcr.io"'),
        ("kubernetes-version: '1.31'\nselectt: [images]\n", 'c.yaml:2:1: unknown key "selectt"; did you mean "select"?'),
        ("rules:\n  image-registry-not-allowed:\n    registries: ghcr.io\n", 'c.yaml:3:17: rules.image-registry-not-allowed.registries: expected a list of strings, got "ghcr.io"'),
        ("rules:\n  image-tag-lates: {}\n", 'c.yaml:2:3: unknown key "image-tag-lates" in rules; did you mean "image-tag-latest"?'),
        ("ignore: [image-tag-lates]\n", 'c.yaml:1:10: ignore: no such rule: "image-tag-lates"; did you mean "image-tag-latest"?'),
        ("fail-on: sometimes\n", 'c.yaml:1:10: fail-on: expected one of error, warning, info, none, got "sometimes"'),
        ("severity: {image-tag-latest: fatal}\n", 'c.yaml:1:30: severity.image-tag-latest: expected one of error, warning, info, got "fatal"'),
        ("- a\n- b\n", "c.yaml:1:1: the configuration must be a mapping"),
    ],
)
def test_config_mistakes_name_file_line_and_key(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_settings(path)
    assert str(e.value) == f"{tmp_path}/{message}"


def test_config_error_from_the_cli_is_one_line_exit_2(run_cli, tmp_path):
    (tmp_path / "c.yaml").write_text("fail-on: sometimes\n")
    code, _, err = run_cli("check", "--config", tmp_path / "c.yaml", tmp_path)
    assert code == 2
    assert err == f'kubelint: error: {tmp_path}/c.yaml:1:10: fail-on: expected one of error, warning, info, none, got "sometimes"\n'


def test_config_settings_apply_and_cli_beats_file(run_cli, tmp_path):
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "c.yaml").write_text(
        "select: [image-registry-not-allowed, image-tag-latest]\nallowed-registries: [ghcr.io/acme/]\nseverity: {image-tag-latest: error}\nfail-on: error\n"
    )
    code, out, _ = run_cli("check", "-c", tmp_path / "c.yaml", "-f", "json", tmp_path / "pod.yaml")
    doc = json.loads(out)
    assert code == 1
    assert [(f["name"], f["severity"]) for f in doc["findings"]] == [
        ("image-registry-not-allowed", "error"),
        ("image-tag-latest", "error"),
    ]
    code, out, _ = run_cli("check", "-c", tmp_path / "c.yaml", "-f", "json", "--allowed-registry", "docker.io/acme", "--ignore", "image-tag-latest", tmp_path / "pod.yaml")
    assert code == 0 and json.loads(out)["findings"] == []


def test_annotation_suppresses_on_object_and_pod_template():
    text = POD.replace("  name: web\n", "  name: web\n  annotations:\n    kubelint.io/ignore: \"image-tag-latest, KL201\"\n")
    assert found(text, select=["image-tag-latest", "cpu-request-missing", "memory-limit-missing"]) == [
        ("memory-limit-missing", 9)
    ]
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {kubelint.io/ignore: "*"}
    spec:
      containers: [{name: web, image: nginx}]
"""
    assert found(deployment, select=["image-tag-latest"]) == []


def test_comment_suppresses_its_line_and_the_next():
    text = POD.replace("    - name: web\n", "    # kubelint: ignore[image-tag-latest] pinned by the release job\n    - name: web\n")
    assert found(text, select=["image-tag-latest"]) == [("image-tag-latest", 9)]
    text = POD.replace("web:latest\n", "web:latest  # kubelint: ignore[KL102]\n")
    assert found(text, select=["image-tag-latest"]) == []
    text = POD.replace("web:latest\n", "web:latest  # kubelint: ignore\n")
    assert found(text, select=["image-tag-latest"]) == []
    text = POD.replace("web:latest\n", "web:latest  # kubelint: ignore[cpu-request-missing]\n")
    assert found(text, select=["image-tag-latest"]) == [("image-tag-latest", 8)]


def test_per_file_ignores(tmp_path):
    assert found(POD, name="dev/pod.yaml", select=["images"], per_file_ignores={"dev/*": ["images"]}) == []
    assert found(POD, name="prod/pod.yaml", select=["image-tag-latest"], per_file_ignores={"dev/*": ["images"]}) == [
        ("image-tag-latest", 8)
    ]


def test_readme_configuration_example_is_valid(tmp_path):
    import re

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    example = re.search(r"```yaml\n(kubernetes-version.*?)```", readme, re.S).group(1)
    (tmp_path / ".kubelint.yaml").write_text(example)
    (tmp_path / "crds").mkdir()  # the example's crds: [crds/] must exist
    settings = load_settings(tmp_path / ".kubelint.yaml")
    assert settings.kubernetes_version == "1.31" and settings.pss_level == "restricted"
