"""`kubelint check URL` and `kubelint lock`: trust, redirects, limits,
pinning, against real servers on loopback (127.0.0.1 and 127.0.0.2)."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from servers import HeaderDrip, Server, Silent, dripping, endless, self_signed

CONFIGMAP = b"""apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: web
data:
  mode: fast
"""
LATEST = b"""apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: web
spec:
  containers:
    - name: web
      image: nginx:latest
"""
YAML = {"Content-Type": "application/yaml"}
BASE = ("--config", "/dev/null", "--fail-on", "error", "-f", "json")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def other():
    s = Server("127.0.0.2")
    yield s
    s.close()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    made = self_signed(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("no openssl to make a certificate")
    return made


@pytest.fixture
def tls_server(certs):
    s = Server(tls=certs)
    yield s
    s.close()


def check(run_cli, *args):
    code, out, err = run_cli("check", *BASE, *args)
    return code, (json.loads(out)["findings"] if out else None), err


def names(findings):
    return [(f["name"], f["file"], f["line"], f["column"]) for f in findings]


def test_url_is_checked_like_a_file_and_named_in_findings(run_cli, server):
    server.routes["/pod.yaml"] = (200, YAML, LATEST)
    url = server.url("/pod.yaml")
    code, findings, err = check(run_cli, "--select", "image-tag-latest", "--trusted-host", "127.0.0.1", url)
    assert code == 0, err
    assert names(findings) == [("image-tag-latest", url, 9, 14)]


def test_untrusted_host_and_plain_http_come_first(run_cli, server):
    server.routes["/pod.yaml"] = (200, YAML, LATEST)
    url = server.url("/pod.yaml")
    code, findings, err = check(run_cli, "--select", "image-tag-latest,remote", url)
    assert code == 1
    assert names(findings)[:2] == [
        ("remote-untrusted-host", url, 1, 1),
        ("remote-insecure-transport", url, 1, 1),
    ]
    assert '"127.0.0.1" is not a trusted host' in findings[0]["message"]
    assert names(findings)[2] == ("image-tag-latest", url, 9, 14)


def test_urls_and_files_mix_in_one_run(run_cli, server, tmp_path):
    server.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    local = tmp_path / "pod.yaml"
    local.write_bytes(LATEST)
    code, out, err = run_cli("check", *BASE, "--select", "image-tag-latest", "--trusted-host", "127.0.0.1", server.url("/cm.yaml"), local)
    doc = json.loads(out)
    assert doc["summary"]["files"] == 2 and doc["summary"]["objects"] == 2
    assert [(f["name"], f["file"]) for f in doc["findings"]] == [("image-tag-latest", str(local))]


def test_redirect_to_another_host_is_reported_naming_it(run_cli, server, other):
    other.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    server.routes["/go"] = (302, {"Location": other.url("/cm.yaml")}, b"")
    url = server.url("/go")
    code, findings, err = check(run_cli, "--select", "remote-untrusted-host", "--trusted-host", "127.0.0.1", url)
    assert code == 1, err
    assert names(findings) == [("remote-untrusted-host", url, 1, 1)]
    assert findings[0]["message"] == f'redirected to {other.url("/cm.yaml")}: host "127.0.0.2" is not a trusted host'
    assert other.requests == ["/cm.yaml"]


def test_redirect_on_the_same_trusted_host_is_fine(run_cli, server):
    server.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    server.routes["/old"] = (301, {"Location": "/cm.yaml"}, b"")
    code, findings, err = check(run_cli, "--select", "remote-untrusted-host", "--trusted-host", "127.0.0.1", server.url("/old"))
    assert (code, findings) == (0, []), err


def test_https_to_http_downgrade_is_refused(run_cli, tls_server, server, certs):
    server.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    tls_server.routes["/go"] = (302, {"Location": server.url("/cm.yaml")}, b"")
    url = tls_server.url("/go")
    code, findings, err = check(run_cli, "--trusted-host", "127.0.0.1", "--ca-bundle", certs[0], url)
    assert code == 2 and findings is None
    assert err == f"kubelint: error: {url}: refused a redirect from https to http ({server.url('/cm.yaml')})\n"
    assert server.requests == []


def test_redirect_loop_and_too_many_redirects(run_cli, server):
    server.routes["/a"] = (302, {"Location": "/b"}, b"")
    server.routes["/b"] = (302, {"Location": "/a"}, b"")
    for i in range(7):
        server.routes[f"/r{i}"] = (307, {"Location": f"/r{i + 1}"}, b"")
    server.routes["/r7"] = (200, YAML, CONFIGMAP)
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", server.url("/a"))
    assert code == 2 and err.endswith(f"redirect loop at {server.url('/a')}\n"), err
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", server.url("/r0"))
    assert code == 2 and err.endswith("more than 5 redirects\n"), err
    assert len([p for p in server.requests if p.startswith("/r")]) == 6


def test_http_error_html_and_binary_are_refused(run_cli, server):
    server.routes["/page"] = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>hi</body></html>")
    server.routes["/sniffed"] = (200, {"Content-Type": "text/plain"}, b"\n<!DOCTYPE html>\n<html></html>")
    server.routes["/bin"] = (200, {"Content-Type": "text/plain"}, b"apiVersion: v1\x00\x01\x02")
    url = server.url("/missing.yaml")
    assert check(run_cli, "--trusted-host", "127.0.0.1", url)[::2] == (2, f"kubelint: error: {url}: HTTP 404 Not Found\n")
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", server.url("/page"))
    assert code == 2 and "sent HTML (text/html), not YAML or JSON" in err
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", server.url("/sniffed"))
    assert code == 2 and "sent HTML, not YAML or JSON" in err
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", server.url("/bin"))
    assert code == 2 and "binary content" in err


@pytest.mark.parametrize("length", ["9" * 5000, "\u00b2"])
def test_a_content_length_no_integer_can_hold_is_refused_in_one_line(run_cli, server, length):
    """A hostile server's Content-Length: 5,000 digits (past what int()
    reads), or a digit that is not ASCII ("²".isdigit() is true)."""
    server.routes["/x.yaml"] = (200, {**YAML, "Content-Length": length}, lambda w: w.write(b"a: 1\n"))
    code, out, err = check(run_cli, "--trusted-host", "127.0.0.1", server.url("/x.yaml"))
    if len(length) > 1:
        assert code == 2 and err.endswith("more than 10**18 bytes is more than the limit of 5242880 bytes\n"), err
    else:  # read to its end, as if no length were given
        assert (code, err, [f["name"] for f in out]) == (1, "", ["remote-insecure-transport"])


def test_size_cap_stops_oversized_and_endless_bodies_quickly(run_cli, server):
    server.routes["/big"] = (200, YAML, b"# x\n" * 100_000)
    server.routes["/endless"] = (200, YAML, endless)
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", "--max-fetch-size", "100000", server.url("/big"))
    assert code == 2 and err.endswith("400000 bytes is more than the limit of 100000 bytes\n"), err
    started = time.monotonic()
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", "--max-fetch-size", "1000000", server.url("/endless"))
    assert code == 2 and err.endswith("more than the limit of 1000000 bytes\n"), err
    assert time.monotonic() - started < 5


def test_connection_refused(run_cli):
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    url = f"http://127.0.0.1:{port}/x.yaml"
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", url)
    assert (code, err) == (2, f"kubelint: error: {url}: cannot fetch: cannot connect: Connection refused\n")


def test_compressed_bomb_stops_at_the_cap(run_cli, server):
    import gzip

    bomb = gzip.compress(b"# padding\n" * 2_000_000, compresslevel=9)  # 20 MB of text, about 20 KB sent
    server.routes["/bomb.yaml"] = (200, {"Content-Type": "application/yaml", "Content-Encoding": "gzip"}, bomb)
    started = time.monotonic()
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", "--max-fetch-size", "1000000", server.url("/bomb.yaml"))
    assert code == 2 and err.endswith("more than the limit of 1000000 bytes\n"), err
    assert time.monotonic() - started < 5


def test_silent_server_times_out(run_cli):
    silent = Silent()
    try:
        url = f"http://127.0.0.1:{silent.port}/x.yaml"
        started = time.monotonic()
        code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", "--read-timeout", "0.3", url)
        assert code == 2
        assert err == f"kubelint: error: {url}: no answer from 127.0.0.1 within 0.3 s\n"
        assert time.monotonic() - started < 3
    finally:
        silent.close()


def test_whole_fetch_deadline(run_cli, server):
    server.routes["/drip"] = (200, YAML, dripping)
    started = time.monotonic()
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", "--fetch-deadline", "0.5", server.url("/drip"))
    assert code == 2 and err.endswith("fetch took longer than 0.5 s\n"), err
    assert time.monotonic() - started < 3


def test_deadline_holds_against_headers_sent_a_byte_at_a_time(run_cli):
    drip = HeaderDrip()
    try:
        url = f"http://127.0.0.1:{drip.port}/x.yaml"
        started = time.monotonic()
        code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", "--fetch-deadline", "0.5", url)
        assert (code, err) == (2, f"kubelint: error: {url}: fetch took longer than 0.5 s\n")
        assert time.monotonic() - started < 3
    finally:
        drip.close()


def test_https_with_ca_bundle(run_cli, tls_server, certs):
    tls_server.routes["/pod.yaml"] = (200, YAML, LATEST)
    url = tls_server.url("/pod.yaml")
    code, findings, err = check(run_cli, "--select", "remote,image-tag-latest", "--trusted-host", "127.0.0.1", "--ca-bundle", certs[0], url)
    assert code == 0, err
    assert names(findings) == [("image-tag-latest", url, 9, 14)]
    code, _, err = check(run_cli, "--trusted-host", "127.0.0.1", url)
    assert code == 2 and "TLS failed for 127.0.0.1" in err and "--ca-bundle" in err


def test_sha256_pin(run_cli, server):
    server.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    url = server.url("/cm.yaml")
    good = hashlib.sha256(CONFIGMAP).hexdigest()
    code, findings, err = check(run_cli, "--select", "remote-untrusted-host", "--trusted-host", "127.0.0.1", "--sha256", good, url)
    assert (code, findings) == (0, []), err
    bad = "0" * 64
    code, out, err = run_cli("check", *BASE, "--trusted-host", "127.0.0.1", "--sha256", f"{url}={bad}", url)
    assert code == 2 and out == ""
    assert err == f"kubelint: error: {url}: sha256 mismatch: expected {bad}, got {good}; nothing was checked\n"
    code, _, err = check(run_cli, "--sha256", "abc", url)
    assert code == 2 and "not a sha256" in err


def test_lock_then_content_changed(run_cli, server, tmp_path):
    lock = tmp_path / "kubelint.lock"
    server.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    url = server.url("/cm.yaml")
    code, out, err = run_cli("lock", "--lock", lock, "--trusted-host", "127.0.0.1", url)
    assert code == 0, err
    digest = hashlib.sha256(CONFIGMAP).hexdigest()
    assert out == f"{digest}  {url}\n"
    assert json.loads(lock.read_text()) == {"version": 1, "urls": {url: {"sha256": digest}}}
    args = ("--select", "remote-content-changed,remote-untrusted-host", "--trusted-host", "127.0.0.1", "--lock", lock)
    code, findings, err = check(run_cli, *args, url)
    assert (code, findings) == (0, []), err
    changed = CONFIGMAP.replace(b"fast", b"slow")
    server.routes["/cm.yaml"] = (200, YAML, changed)
    code, findings, err = check(run_cli, *args, url)
    assert code == 1
    assert names(findings) == [("remote-content-changed", url, 1, 1)]
    assert hashlib.sha256(changed).hexdigest() in findings[0]["message"] and digest in findings[0]["message"]


def test_lock_refuses_paths(run_cli, tmp_path):
    code, out, err = run_cli("lock", "--lock", tmp_path / "l", "deploy.yaml")
    assert code == 2 and err == "kubelint: error: deploy.yaml: not an http:// or https:// URL; only URLs are locked\n"


def test_trusted_hosts_from_the_configuration(run_cli, server, tmp_path):
    server.routes["/cm.yaml"] = (200, YAML, CONFIGMAP)
    config = tmp_path / ".kubelint.yaml"
    config.write_text("trusted-hosts: [127.0.0.1]\n")
    code, out, err = run_cli("check", "-f", "json", "--select", "remote-untrusted-host", "--config", config, server.url("/cm.yaml"))
    assert code == 0 and json.loads(out)["findings"] == [], err


def test_follow_remote_fetches_trusted_https_resources_of_kustomizations(run_cli, tls_server, server, certs, tmp_path):
    tls_server.routes["/pod.yaml"] = (200, YAML, LATEST)
    server.routes["/plain.yaml"] = (200, YAML, LATEST)
    followed, plain = tls_server.url("/pod.yaml"), server.url("/plain.yaml")
    kustomization = tmp_path / "kustomization.yaml"
    kustomization.write_text(f"resources:\n  - deployment.yaml\n  - {followed}\n  - {plain}\n  - github.com/acme/deploy//base?ref=v1\n")
    args = ("--select", "image-tag-latest,remote", "--trusted-host", "127.0.0.1", "--trusted-host", "github.com", "--ca-bundle", certs[0])
    code, findings, err = check(run_cli, *args, kustomization)
    assert names(findings) == [("remote-insecure-transport", str(kustomization), 4, 5)]
    assert tls_server.requests == [] and server.requests == []
    code, findings, err = check(run_cli, *args, "--follow-remote", kustomization)
    assert names(findings) == [
        ("remote-insecure-transport", str(kustomization), 4, 5),
        ("image-tag-latest", followed, 9, 14),
    ]
    assert tls_server.requests == ["/pod.yaml"] and server.requests == []


def test_url_on_a_branch_is_unpinned():
    from kubelint.sources.remote import source_findings

    trusted = ("raw.githubusercontent.com",)
    found = source_findings("https://raw.githubusercontent.com/acme/deploy/main/install.yaml", trusted)
    assert [(f.name, f.line, f.message) for f in found] == [
        ("remote-unpinned-ref", 1, 'ref "main" is a branch, not a tag or commit'),
    ]
    assert source_findings("https://raw.githubusercontent.com/acme/deploy/v1.2.0/install.yaml", trusted) == []


def test_source_findings_follow_selection_and_severity_overrides():
    from kubelint.config import Settings
    from kubelint.engine import check as run_check
    from kubelint.sources import Source
    from kubelint.sources.remote import source_findings

    url = "http://evil.example/x.yaml"
    source = Source(url, CONFIGMAP, tuple(source_findings(url, ())))
    result = run_check([source], Settings())
    assert [(f.name, f.rule, f.severity) for f in result.findings] == [
        ("remote-untrusted-host", "KL020", "error"),
        ("remote-insecure-transport", "KL021", "error"),
    ]
    result = run_check([source], Settings(ignore=["remote-insecure-transport"], severity={"KL020": "warning"}))
    assert [(f.name, f.severity) for f in result.findings] == [("remote-untrusted-host", "warning")]
