"""The command line from the outside: exit codes, stderr lines, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

BAD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:latest
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {memory: 64Mi}
"""


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_text(BAD)
    return path


def test_findings_exit_1_and_text_format(run_cli, bad_file):
    code, out, err = run_cli("check", "--config", "/dev/null", "--select", "image-tag-latest", bad_file)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f'{bad_file}:8:14: warning [image-tag-latest] Pod web: container "web" uses image "nginx:latest" with the "latest" tag'
    )
    assert len(lines) == 2  # concise: one line per finding, then the summary
    assert lines[-1] == "1 file, 1 object checked (Kubernetes 1.37): 1 finding (0 errors, 1 warning, 0 info)"
    assert err == ""


def test_fail_on_controls_the_exit_code(run_cli, bad_file):
    args = ("check", "--config", "/dev/null", "--select", "image-tag-latest", bad_file)
    assert run_cli(*args, "--fail-on", "error")[0] == 0
    assert run_cli(*args, "--fail-on", "warning")[0] == 1
    assert run_cli(*args, "--fail-on", "none")[0] == 0


def test_clean_file_exits_0(run_cli, tmp_path):
    path = tmp_path / "cm.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    code, out, _ = run_cli("check", "--config", "/dev/null", path)
    assert code == 0
    assert out.strip() == "1 file, 1 object checked (Kubernetes 1.37): 0 findings (0 errors, 0 warnings, 0 info)"


@pytest.mark.parametrize(
    "args, message",
    [
        (("check", "/no/such/file.yaml"), "kubelint: error: /no/such/file.yaml: no such file or directory"),
        (("check", "-k", "1.99", "."), 'kubelint: error: unsupported Kubernetes version "1.99"; supported: 1.25, 1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37'),
        (("check", "--select", "image-tag-lates", "."), 'kubelint: error: no such rule: "image-tag-lates"; did you mean "image-tag-latest"?'),
        (("explain", "nope-nope"), 'kubelint: error: no such rule: "nope-nope"'),
        (("check",), "kubelint: error: no inputs; name files, directories, or - for stdin (see kubelint check --help)"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(run_cli, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(*args)
    assert code == 2
    assert err.strip() == message
    assert "Traceback" not in err


def test_unknown_option_is_a_usage_error(run_cli):
    code, _, err = run_cli("check", "--no-such-option", ".")
    assert code == 2 and err == "kubelint: error: No such option '--no-such-option'.\n"


def test_stdin(run_cli):
    code, out, _ = run_cli("check", "--config", "/dev/null", "--select", "image-tag-latest", "-f", "json", "-", input=BAD)
    doc = json.loads(out)
    assert code == 1
    assert [(f["file"], f["line"], f["column"]) for f in doc["findings"]] == [("-", 8, 14)]


def test_json_document_shape(run_cli, bad_file):
    _, out, _ = run_cli("check", "--config", "/dev/null", "--select", "image-tag-latest", "-f", "json", bad_file)
    doc = json.loads(out)
    assert set(doc) == {"version", "kubernetes_version", "summary", "findings"}
    assert doc["summary"] == {"files": 1, "objects": 1, "findings": 1, "errors": 0, "warnings": 1, "infos": 0}
    assert doc["findings"][0] == {
        "rule": "KL102",
        "name": "image-tag-latest",
        "severity": "warning",
        "message": 'Pod web: container "web" uses image "nginx:latest" with the "latest" tag',
        "fix": {
            "title": "Pin the image to a version tag or a digest.",
            "snippet": "image: nginx:<version>  # or @sha256:<digest>",
            "applicability": "none",
            "edits": [],
        },
        "file": str(bad_file),
        "line": 8,
        "column": 14,
        "object": {"apiVersion": "v1", "kind": "Pod", "namespace": None, "name": "web"},
        "path": "/spec/containers/0/image",
        "document": 0,
        "objectPath": "",
    }


def test_several_outputs_from_one_run(run_cli, bad_file, tmp_path):
    sarif, junit, main = tmp_path / "out.sarif", tmp_path / "out.xml", tmp_path / "report.txt"
    code, out, _ = run_cli(
        "check", "--config", "/dev/null", "--select", "image-tag-latest",
        "-o", f"sarif={sarif}", "-o", f"junit={junit}", bad_file,
    )
    assert code == 1
    assert "[image-tag-latest]" in out  # text still on the terminal
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "KL102"
    assert "<testsuites" in junit.read_text()
    code, out, _ = run_cli("check", "--config", "/dev/null", "--select", "image-tag-latest", "-f", "github", "-o", main, bad_file)
    assert out == ""
    assert main.read_text().startswith(f"::warning file={bad_file},line=8,col=14,")


def test_directories_are_walked_and_hidden_ones_skipped(run_cli, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "pod.yml").write_text(BAD)
    (tmp_path / ".git" / "pod.yaml").write_text(BAD)
    (tmp_path / "a" / "notes.txt").write_text(BAD)
    (tmp_path / "a" / "skip.yaml").write_text(BAD)
    code, out, _ = run_cli("check", "--config", "/dev/null", "--select", "image-tag-latest", "-f", "json", "--exclude", "skip.yaml", tmp_path)
    doc = json.loads(out)
    assert doc["summary"]["files"] == 1
    assert [f["file"] for f in doc["findings"]] == [str(tmp_path / "a" / "pod.yml")]


def test_rules_and_explain(run_cli):
    code, out, _ = run_cli("rules", "--format", "json")
    rules = {r["name"]: r for r in json.loads(out)}
    assert code == 0
    assert rules["cpu-limit-missing"] == {
        "code": "KL204", "name": "cpu-limit-missing", "severity": "info", "category": "resources",
        "enabled": False, "summary": "A container has no CPU limit. Off by default.",
    }
    code, out, _ = run_cli("explain", "KL102")
    assert code == 0
    assert out.startswith("KL102 image-tag-latest: An image has no tag or the `latest` tag.")
    for heading in ("Why:", "Failing example:", "Passing example:", "How to fix:", "References:"):
        assert f"\n{heading}\n" in out
    assert run_cli("explain", "image-tag-latest")[1] == out


@pytest.mark.parametrize("command", [[], ["check"], ["rules"], ["explain"], ["version"], ["apply"], ["lock"]])
def test_help_of_every_command(run_cli, command):
    code, out, _ = run_cli(*command, "--help")
    assert code == 0 and out.startswith("Usage: kubelint")


def test_version(run_cli):
    code, out, _ = run_cli("version")
    assert code == 0 and out.startswith("kubelint 0.1.0 (Kubernetes schemas 1.25 to 1.37, default 1.37)")


def test_python_dash_m_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kubelint", "check", tmp_path / "missing.yaml"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"kubelint: error: {tmp_path / 'missing.yaml'}: no such file or directory"


def test_the_program_flushes_everything_and_keeps_exit_codes_when_it_leaves_fast(tmp_path):
    """`python -m kubelint` leaves with os._exit (no heap teardown): every
    byte of a long report still arrives, and the exit codes are main()'s."""
    fixtures = ROOT / "fixtures"
    proc = subprocess.run(
        [sys.executable, "-m", "kubelint", "check", "--config", os.devnull, "--no-context", "-f", "json", str(fixtures)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["summary"]["findings"] == len(report["findings"]) > 500
    clean = tmp_path / "clean.yaml"
    clean.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\n")
    proc = subprocess.run([sys.executable, "-m", "kubelint", "check", "--config", os.devnull, str(clean)], capture_output=True, text=True, cwd=ROOT)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.endswith("0 findings (0 errors, 0 warnings, 0 info)\n")
    proc = subprocess.run([sys.executable, "-m", "kubelint", "check"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.startswith("kubelint: error: no inputs")
