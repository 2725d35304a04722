"""`kubelint apply`: check, preview, then pipe the very bytes checked to
kubectl.  kubectl is a stand-in that records its arguments and stdin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from servers import Server

from kubelint.cli import apply as apply_cli

DAEMONSET = b"""# installs the agent on every node
apiVersion: v1
kind: Namespace
metadata:
  name: agent
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: ghcr.io/acme/agent:1.2.3
          securityContext:
            privileged: true
      volumes:
        - name: root
          hostPath: {path: /}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: agent
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: agent, namespace: agent}
---
apiVersion: v1
kind: Service
metadata:
  name: agent
  namespace: agent
spec:
  type: LoadBalancer
  selector: {app: agent}
  ports: [{port: 443}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: agent
webhooks: []
"""
CONFIGMAP = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\ndata:\n  mode: fast\n"
QUIET = ("--config", "/dev/null", "--fail-on", "none")


@pytest.fixture
def kubectl(tmp_path):
    """A kubectl that records argv and stdin in tmp_path/record."""
    record = tmp_path / "record"
    record.mkdir()
    script = tmp_path / "kubectl"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(record / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"open({str(record / 'stdin')!r}, 'wb').write(sys.stdin.buffer.read())\n"
    )
    script.chmod(0o755)
    return script, record


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def test_url_applies_exactly_the_bytes_checked(run_cli, kubectl, server):
    script, record = kubectl
    served = [DAEMONSET, b"kind: Secret\n"]  # a second download would get something else
    server.routes["/install.yaml"] = (200, {"Content-Type": "text/plain"}, served[0])
    url = server.url("/install.yaml")
    code, out, err = run_cli("apply", *QUIET, "--trusted-host", "127.0.0.1", "--kubectl", script, "--yes", "-f", url, "--", "-n", "agent", "--server-side")
    assert code == 0, err
    assert server.requests == ["/install.yaml"]
    assert (record / "stdin").read_bytes() == DAEMONSET
    assert json.loads((record / "argv.json").read_text()) == ["apply", "-f", "-", "-n", "agent", "--server-side"]
    assert f"from {url} ({len(DAEMONSET)} bytes, sha256 " in out


def test_preview_as_json(run_cli, tmp_path):
    manifest = tmp_path / "install.yaml"
    manifest.write_bytes(DAEMONSET)
    code, out, err = run_cli("apply", *QUIET, "--dry-run", "--format", "json", "-f", manifest)
    assert code == 0, err
    doc = json.loads(out)
    p = doc["preview"]
    assert doc["apply"] == "dry-run"
    assert p["objects"] == 5
    assert p["cluster_scoped"] == ["Namespace agent", "ClusterRoleBinding agent", "ValidatingWebhookConfiguration agent"]
    assert p["rbac"] == [{
        "object": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "namespace": None, "name": "agent"},
        "label": "ClusterRoleBinding agent", "cluster_wide": True, "admin_like": True,
        "grants": ["ClusterRole cluster-admin to ServiceAccount agent/agent"],
    }]
    assert p["host_access"] == [{"label": "DaemonSet agent/agent", "why": ["hostNetwork", 'privileged container "agent"', "hostPath /"]}]
    assert p["webhooks"] == ["ValidatingWebhookConfiguration agent"]
    assert p["exposed_services"] == [{"label": "Service agent/agent", "how": "LoadBalancer"}]
    assert p["images"] == ["ghcr.io/acme/agent:1.2.3"]
    assert {"kind": "DaemonSet", "namespace": "agent", "count": 1} in p["by_kind"]
    assert any(f["name"] == "pss-privileged" for f in doc["findings"])


def test_findings_at_fail_on_block_the_apply(run_cli, kubectl, tmp_path):
    script, record = kubectl
    manifest = tmp_path / "install.yaml"
    manifest.write_bytes(DAEMONSET)
    code, out, err = run_cli("apply", "--config", "/dev/null", "--fail-on", "error", "--kubectl", script, "--yes", "-f", manifest)
    assert code == 1
    assert err == "kubelint: nothing applied: findings at or above --fail-on error\n"
    assert "[pss-privileged]" in out and "RBAC grants:" in out
    assert not (record / "stdin").exists()


def test_no_terminal_and_no_yes_applies_nothing(run_cli, kubectl, tmp_path):
    script, record = kubectl
    manifest = tmp_path / "cm.yaml"
    manifest.write_bytes(CONFIGMAP)
    code, out, err = run_cli("apply", *QUIET, "--kubectl", script, "-f", manifest)
    assert code == 2
    assert err == "kubelint: error: nothing applied: no terminal to confirm on; review the preview and pass --yes\n"
    assert not (record / "stdin").exists()
    code, out, err = run_cli("apply", *QUIET, "--kubectl", script, "--dry-run", "-f", manifest)
    assert (code, err) == (0, "kubelint: dry run: nothing applied\n")
    assert not (record / "stdin").exists()


def test_terminal_prompt(run_cli, kubectl, tmp_path, monkeypatch):
    script, record = kubectl
    manifest = tmp_path / "cm.yaml"
    manifest.write_bytes(CONFIGMAP)
    monkeypatch.setattr(apply_cli, "_interactive", lambda: True)
    code, out, err = run_cli("apply", *QUIET, "--kubectl", script, "-f", manifest, input="n\n")
    assert code == 1 and "Apply 1 objects with" in err and not (record / "stdin").exists()
    code, out, err = run_cli("apply", *QUIET, "--kubectl", script, "-f", manifest, input="y\n")
    assert code == 0, err
    assert (record / "stdin").read_bytes() == CONFIGMAP


def test_several_inputs_are_joined_by_a_document_separator(run_cli, kubectl, tmp_path):
    script, record = kubectl
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_bytes(CONFIGMAP)
    b.write_bytes(CONFIGMAP.replace(b"settings", b"other"))
    code, out, err = run_cli("apply", *QUIET, "--kubectl", script, "--yes", "-f", a, "-f", b)
    assert code == 0, err
    assert (record / "stdin").read_bytes() == CONFIGMAP.rstrip(b"\n") + b"\n---\n" + b.read_bytes()


def test_missing_kubectl(run_cli, tmp_path, monkeypatch):
    manifest = tmp_path / "cm.yaml"
    manifest.write_bytes(CONFIGMAP)
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run_cli("apply", *QUIET, "--yes", "-f", manifest)
    assert (code, err) == (2, "kubelint: error: kubectl not found on PATH; install it or pass --kubectl PATH\n")


def test_kubectl_finds_the_plugin(tmp_path):
    """`kubectl plugin list` finds kubectl-kubelint (a real kubectl; see
    scripts/install_kubectl.py to get one)."""
    kubectl = shutil.which("kubectl")
    plugin = shutil.which("kubectl-kubelint") or (os.path.join(os.path.dirname(sys.executable), "kubectl-kubelint"))
    if kubectl is None:
        pytest.skip("no kubectl on PATH")
    if not os.path.exists(plugin):
        pytest.skip("kubectl-kubelint is not installed (pip install -e .)")
    env = dict(os.environ, PATH=os.path.dirname(plugin) + os.pathsep + os.environ.get("PATH", ""), KUBECONFIG=str(tmp_path / "none"))
    listed = subprocess.run([kubectl, "plugin", "list"], capture_output=True, text=True, env=env)
    assert plugin in listed.stdout, listed.stdout + listed.stderr
    helped = subprocess.run([kubectl, "kubelint", "apply", "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "kubectl apply -f -" in helped.stdout


def test_usage_errors(run_cli, tmp_path):
    code, out, err = run_cli("apply")
    assert code == 2 and err.startswith("kubelint: error: Missing option '-f'")
    code, out, err = run_cli("apply", *QUIET, "-f", tmp_path / "missing.yaml")
    assert (code, err) == (2, f"kubelint: error: {tmp_path / 'missing.yaml'}: no such file or directory\n")
    script = tmp_path / "install.sh"
    script.write_text("echo hi\n")
    code, out, err = run_cli("apply", *QUIET, "-f", script)
    assert (code, err) == (2, f"kubelint: error: {script}: not a manifest; kubelint apply takes YAML or JSON manifests\n")
