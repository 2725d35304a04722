"""Secrets and configuration rules: the name and value tests, base64 as the
API server decodes it, and that no message echoes a secret."""

from __future__ import annotations

import base64

import pytest
from helpers import found, run

from kubelint.rules.secrets import base64_problem, credential, literal_value, secret_name

SECRETS = ["secret-in-env", "secret-invalid-base64", "secret-in-configmap", "env-duplicate"]


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "PASSWORD", "password", "dbPassword", "API_KEY", "apiKey", "x-api-key", "AWS_SECRET_ACCESS_KEY",
     "GITHUB_TOKEN", "client.secret", "SMTP_PASS", "DB_PWD", "SECRET_KEY_BASE", "PRIVATE_KEY", "TOKEN_VALUE",
     "REGISTRY_CREDENTIALS", "ENCRYPTION_KEY", "jwtSigningKey", "apikey"],
)
def test_secret_names(name):
    assert secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["TOKEN_PATH", "SECRET_NAME", "PASSWORD_FILE", "DB_SECRET_REF", "SECRET_KEY_REF", "TOKEN_TTL", "TOKEN_URL",
     "PASSWORD_MIN_LENGTH", "AWS_ACCESS_KEY_ID", "ENABLE_TOKEN_AUTH", "PWD", "CACHE_KEY", "KEY", "MAX_TOTAL_TOKENS",
     "SECRETS_DIR", "PASSTHROUGH", ""],
)
def test_not_secret_names(name):
    assert not secret_name(name)


@pytest.mark.parametrize("value", ["s3cr3t-Pa55", "admin", "password", "minio123", "hunter2"])
def test_literal_values(value):
    assert literal_value(value)


@pytest.mark.parametrize(
    "value",
    ["", "  ", "true", "no", "1", "$(DB_PASSWORD)", "${PASS}", "{{ .Values.password }}", "<password>", "changeme",
     "CHANGE_ME", "xxxxxxxx", "********", "ghp_xxxxxxxxxxxxxxxxxxxx", "/etc/secret/password", "file:///x",
     "https://vault.example.com/v1/secret", "vault:secret/data/db#password", "HF_TOKEN", "YOUR_API_KEY",
     "your-password-here", "INSERT_TOKEN_HERE"],
)
def test_not_literal_values(value):
    assert not literal_value(value)


def test_secret_object_name_under_a_secret_name_is_a_reference():
    assert not literal_value("webhook-server-cert", "WEBHOOK_SECRET")
    assert literal_value("webhook-server-cert", "WEBHOOK_PASSWORD")


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("AKIA2OGYBAH6TOVY3NXB", "an AWS access key ID"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", "a private key"),
        (base64.b64encode(b"-----BEGIN PRIVATE KEY-----\nMIIE\n").decode(), "a base64-encoded private key"),
        ("ghp_R2d9vX7kLm3QpT8wZy1BnC4sHj6FgA5eDc0U", "a GitHub token"),
        ("xoxb-2048123456-4096123456-Zq8Rt5Wm2Xn7Kp4Lc", "a Slack token"),
        ("AIzaSyB3x9K2mQ7vT1wZ8rN4pL6cH0dF5gJ2sAq", "a Google API key"),
        ("redis://:S7rongPassw0rd@redis:6379/0", "a URL with an embedded password"),
    ],
)
def test_credential_shapes(value, what):
    assert credential(value) == what


@pytest.mark.parametrize(
    "value",
    ["AKIAIOSFODNN7EXAMPLE", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "-----BEGIN PUBLIC KEY-----",
     "-----BEGIN CERTIFICATE-----", "postgres://user:$(DB_PASSWORD)@db/app", "https://user@example.com/",
     "AKIA2OGYBAH6TOVY3NXBX", "plain text"],
)
def test_not_credential_shapes(value):
    assert credential(value) is None


@pytest.mark.parametrize("value", ["", "YQ==", "YWI=", "YWJj", "YWJj\nZGVm\r\n", "+/+/"])
def test_valid_base64(value):
    assert base64_problem(value) is None


@pytest.mark.parametrize("value", ["YQ", "YWJ", "a b=", "YWJj ZGVm", "PDw_Pz8-Pg==", "YW=j", "YWJj====", "é123"])
def test_invalid_base64(value):
    assert base64_problem(value)


def test_messages_never_echo_the_secret():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: busybox:1.36
      env:
        - {name: DB_PASSWORD, value: "Sup3r-Secret-Value"}
        - {name: X, value: "AKIA2OGYBAH6TOVY3NXB"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data:
  password: "Sup3r-Secret-Value"
"""
    findings = run(text, select=SECRETS).findings
    assert len(findings) == 3
    for f in findings:
        assert "Sup3r" not in f.message and "AKIA2OGY" not in f.message
        assert f.fix is None or "Sup3r" not in (f.fix.snippet or "")


def test_configmap_long_or_multiline_values_are_checked_for_shapes_only():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  password: |\n    line one\n    line two\n"
    assert found(text, select=["secret-in-configmap"]) == []


def test_env_duplicate_reports_each_repeat_at_its_name():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: busybox:1.36
      env:
        - {name: A, value: "1"}
        - null
        - {name: A, value: "2"}
        - {value: "3"}
        - {name: A, value: "4"}
"""
    assert found(text, select=["env-duplicate"]) == [("env-duplicate", 11), ("env-duplicate", 13)]


@pytest.mark.parametrize(
    "doc",
    [
        "kind: Secret\ndata: text",
        "kind: Secret\ndata: {a: 1, b: null, c: [x], 5: YQ==}",
        "kind: ConfigMap\ndata: [1, 2]",
        "kind: ConfigMap\ndata: {1: AKIA2OGYBAH6TOVY3NXB, b: {c: d}}",
        "kind: Pod\nspec: {containers: [{name: c, env: text}]}",
        "kind: Pod\nspec: {containers: [{name: c, env: [1, null, {name: [x], value: {a: b}}, {name: T, value: 5}]}]}",
    ],
)
def test_wrong_types_never_crash(doc):
    found(f"apiVersion: v1\nmetadata: {{name: x}}\n{doc}\n", select=SECRETS)
