"""Hardening rules: runtime sockets, service account tokens, namespaces, IDs."""

from __future__ import annotations

import pytest
from helpers import found, run

from kubelint.rules import registry
from kubelint.rules.hardening import runtime_socket

HARDENING = [r.name for r in registry() if r.category == "hardening"]


def test_defaults():
    rules = {r.name: r for r in registry() if r.category == "hardening"}
    assert {n: (r.severity, r.enabled) for n, r in rules.items()} == {
        "read-only-root-filesystem": ("warning", True),
        "automount-service-account-token": ("info", False),
        "runtime-socket-mount": ("error", True),
        "default-namespace": ("info", False),
        "run-as-high-uid": ("info", False),
        "service-account-unknown": ("warning", True),
        "service-account-field-deprecated": ("warning", True),
    }


@pytest.mark.parametrize(
    ("path", "exposed"),
    [
        ("/var/run/docker.sock", "is the Docker socket"),
        ("/run/docker.sock", "is the Docker socket"),
        ("//var/run/./docker.sock/", "is the Docker socket"),
        ("/run/containerd/containerd.sock", "is the containerd socket"),
        ("/var/run/crio/crio.sock", "is the CRI-O socket"),
        ("/run/k3s/containerd/containerd.sock", "is the containerd socket"),
        ("/var/snap/microk8s/common/run/containerd.sock", "is the containerd socket"),
        ("/var/run", "holds the container runtime sockets"),
        ("/run/", "holds the container runtime sockets"),
        ("/var/run/containerd", "holds the containerd socket"),
        ("/var/run/crio", "holds the CRI-O socket"),
        ("/", None),
        ("/var", None),
        ("/var/run/calico", None),
        ("/run/xtables.lock", None),
        ("/var/lib/docker/containers", None),
        ("/var/lib/kubelet/plugins/csi.sock", None),
    ],
)
def test_runtime_socket_paths(path, exposed):
    assert runtime_socket(path) == exposed


def test_runtime_socket_mount_ignores_pss_level():
    text = """\
apiVersion: v1
kind: Namespace
metadata:
  name: agents
  labels: {pod-security.kubernetes.io/enforce: privileged}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: agents}
spec:
  containers:
    - {name: agent, image: "ghcr.io/acme/agent:1.0"}
  volumes:
    - {name: sock, hostPath: {path: /var/run/docker.sock}}
"""
    assert found(text, select=["runtime-socket-mount"], pss_level="none") == [("runtime-socket-mount", 14)]


AUTOMOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata: {{name: web{sa_namespace}}}
{sa_setting}---
apiVersion: v1
kind: Pod
metadata: {{name: web{pod_namespace}}}
spec:
  serviceAccountName: web
  containers:
    - {{name: web, image: "nginx:1.27"}}
"""


@pytest.mark.parametrize(
    ("sa_namespace", "pod_namespace", "setting", "fires"),
    [
        ("", "", "automountServiceAccountToken: false\n", False),
        # A ServiceAccount that sets true makes mounting deliberate.
        ("", "", "automountServiceAccountToken: true\n", False),
        ("", "", "", True),
        # Manifests without a namespace land wherever they are applied.
        (", namespace: shop", "", "automountServiceAccountToken: false\n", False),
        ("", ", namespace: shop", "automountServiceAccountToken: false\n", False),
        (", namespace: other", ", namespace: shop", "automountServiceAccountToken: false\n", True),
    ],
)
def test_automount_follows_the_service_account(sa_namespace, pod_namespace, setting, fires):
    text = AUTOMOUNT.format(sa_namespace=sa_namespace, pod_namespace=pod_namespace, sa_setting=setting)
    result = found(text, select=["automount-service-account-token"])
    assert bool(result) == fires, result


def test_automount_uses_the_default_service_account_and_the_deprecated_field():
    text = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: default}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: legacy}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers: [{name: a, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  serviceAccount: legacy
  containers: [{name: b, image: "nginx:1.27"}]
"""
    assert found(text, select=["automount-service-account-token"]) == []


def test_run_as_high_uid_option():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  securityContext: {runAsUser: 1001, runAsGroup: 20000}
  containers:
    - {name: web, image: "nginx:1.27"}
"""
    assert found(text, select=["run-as-high-uid"]) == [("run-as-high-uid", 5)]
    assert found(text, select=["run-as-high-uid"], rule_options={"run-as-high-uid": {"min-id": 1000}}) == []
    result = run(text, select=["run-as-high-uid"], rule_options={"run-as-high-uid": {"min-id": 50000}})
    assert sorted(f.message.split(": ", 1)[1] for f in result.findings) == [
        "pod runs with group ID 20000, below 50000",
        "pod runs with user ID 1001, below 50000",
    ]


def test_default_namespace_checks_list_items():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a, namespace: default}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: b, namespace: shop}
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: c}
"""
    assert found(text, select=["default-namespace"]) == [("default-namespace", 6)]


def test_read_only_root_filesystem_reports_a_non_true_value_where_it_is():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: "nginx:1.27"
      securityContext:
        readOnlyRootFilesystem: "true"
"""
    result = run(text, select=["read-only-root-filesystem"])
    assert [(f.line, f.message.split(": ", 1)[1]) for f in result.findings] == [
        (9, "container \"web\" has a writable root filesystem (readOnlyRootFilesystem: 'true')")
    ]


GARBAGE = [
    "apiVersion: v1\nkind: Pod\nmetadata: 3\nspec: {automountServiceAccountToken: null, serviceAccountName: 3, volumes: [3, {hostPath: {path: 3}}]}\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  hostUsers: 1\n  os: []\n  securityContext: {runAsUser: '1', runAsGroup: true}\n"
    "  containers: [3, {name: a, securityContext: {readOnlyRootFilesystem: [1], runAsUser: 1.5}}]\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: r}\nsubjects: [3, {kind: ServiceAccount, name: 3}]\n"
    "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\nspec: {scope: Namespaced, names: 3, group: [1]}\n"
    "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: [1]}\n",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_rules_never_raise_on_wrong_types(text):
    run(text, select=HARDENING)
