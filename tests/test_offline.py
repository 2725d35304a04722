"""A run that names no URL opens no socket and loads no HTTP client."""

from __future__ import annotations

import socket
import subprocess
import sys

from conftest import FIXTURES, ROOT


def test_no_url_no_socket(monkeypatch, run_cli, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("kubelint opened a socket without a URL")

    for name in ("socket", "create_connection", "getaddrinfo", "socketpair"):
        monkeypatch.setattr(socket, name, refuse)
    manifest = tmp_path / "pod.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: nginx:latest}\n")
    script = tmp_path / "install.sh"
    script.write_text("kubectl apply -f https://example.com/install.yaml\n")
    for args, stdin in (
        ((manifest,), None),
        (("-",), manifest.read_text()),
        ((FIXTURES,), None),
        ((script, manifest), None),
    ):
        code, out, err = run_cli("check", "--config", "/dev/null", *args, input=stdin)
        assert code == 1, err
        assert err == ""
    code, out, err = run_cli("check", "--config", "/dev/null", "--select", "remote", script)
    assert code == 1 and "install.sh:1:18: error [remote-untrusted-host]" in out


def test_one_file_check_does_not_import_requests(tmp_path):
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n")
    code = (
        "import sys\nfrom kubelint.cli import main\n"
        f"try:\n    main(['check', '--config', '/dev/null', {str(manifest)!r}])\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    loaded = {m.split(".")[0] for m in out.split()}
    assert "requests" not in loaded and "urllib3" not in loaded
    assert "kubelint.sources.remote" not in out.split()
