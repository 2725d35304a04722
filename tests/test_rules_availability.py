"""Availability rules, plus the probe and image rules added beside them:
what the fixtures do not pin down (autoscalers, namespaces, fragments,
options, hostile input)."""

from __future__ import annotations

import textwrap

import pytest
from helpers import found, run

AVAILABILITY_RULES = [
    "replicas-single",
    "pdb-missing",
    "anti-affinity-missing",
    "restart-policy-invalid-for-kind",
    "job-ttl-missing",
]
ADDED_RULES = [
    "probe-identical",
    "probe-port-unknown",
    "startup-probe-suggested",
    "image-digest-missing",
    "image-pull-policy-always",
    "image-pull-policy-never",
]


def y(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def meta(name: str, namespace: str | None) -> str:
    return f"{{name: {name}, namespace: {namespace}}}" if namespace else f"{{name: {name}}}"


def workload(kind: str = "Deployment", name: str = "web", namespace: str | None = None, replicas: str = "") -> str:
    spec_replicas = f"\n          replicas: {replicas}" if replicas else ""
    return y(f"""
        apiVersion: apps/v1
        kind: {kind}
        metadata: {meta(name, namespace)}
        spec:{spec_replicas}
          selector:
            matchLabels: {{app: {name}}}
          template:
            metadata:
              labels: {{app: {name}}}
            spec:
              containers:
                - {{name: {name}, image: "ghcr.io/acme/{name}:1.0"}}
        """)


def hpa(target: str, minimum: int, namespace: str | None = None, kind: str = "Deployment") -> str:
    return y(f"""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {meta(target, namespace)}
        spec:
          scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {target}}}
          minReplicas: {minimum}
          maxReplicas: 10
        """)


def docs(*parts: str) -> str:
    return "---\n".join(parts)


def names(text: str, rule: str, **settings) -> list[str]:
    return [name for name, _ in found(text, select=[rule], **settings)]


# --- replicas --------------------------------------------------------------------


def test_missing_replicas_is_not_single():
    assert names(workload(), "replicas-single") == []


def test_hpa_must_name_kind_and_name():
    assert names(docs(workload(replicas="1"), hpa("web", 1, kind="StatefulSet")), "replicas-single") == ["replicas-single"]
    assert names(docs(workload(replicas="1"), hpa("api", 1)), "replicas-single") == ["replicas-single"]
    assert names(docs(workload(replicas="1"), hpa("web", 1)), "replicas-single") == []


def test_hpa_minimum_makes_a_workload_multi_replica():
    text = docs(workload(namespace="shop"), hpa("web", 3, "shop"))
    (finding,) = run(text, select=["pdb-missing"]).findings
    assert "3 replicas (minimum of HorizontalPodAutoscaler shop/web)" in finding.message
    assert names(docs(workload(namespace="shop"), hpa("web", 1, "shop")), "pdb-missing") == []


def test_replicas_from_spec_are_named_in_the_message():
    (finding,) = run(workload(replicas="4"), select=["anti-affinity-missing"]).findings
    assert finding.message.endswith("4 replicas (spec.replicas) with no podAntiAffinity or topologySpreadConstraints: they may share one node")


def test_pdb_of_the_wrong_group_does_not_count():
    budget = y("""
        apiVersion: acme.io/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
        """)
    assert names(docs(workload(replicas="3"), budget), "pdb-missing") == ["pdb-missing"]


def test_empty_pdb_selector_covers_the_namespace():
    budget = y("""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: all, namespace: shop}
        spec:
          maxUnavailable: 1
          selector: {}
        """)
    assert names(docs(workload(replicas="3", namespace="shop"), budget), "pdb-missing") == []


@pytest.mark.parametrize("rule", ["pdb-missing", "anti-affinity-missing", "job-ttl-missing", "networkpolicy-missing"])
def test_off_by_default(rule):
    from kubelint.rules import registry

    assert registry().get(rule).enabled is False


# --- restart policy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "policy", "reported"),
    [
        ("ReplicaSet", "Never", True),
        ("ReplicationController", "OnFailure", True),
        ("StatefulSet", "Always", False),
        ("Job", "OnFailure", False),
        ("Job", "Always", True),
        ("Job", None, True),
        ("Pod", "OnFailure", False),
    ],
)
def test_restart_policy_by_kind(kind, policy, reported):
    api = {"Job": "batch/v1", "ReplicationController": "v1", "Pod": "v1"}.get(kind, "apps/v1")
    line = f"restartPolicy: {policy}" if policy else "hostname: x"
    pod = f"""
          {line}
          containers:
            - {{name: c, image: "busybox:1.36"}}"""
    if kind == "Pod":
        text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:{textwrap.indent(textwrap.dedent(pod), '  ')}\n"
    else:
        text = (
            f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: p}}\nspec:\n  template:\n    spec:"
            f"{textwrap.indent(textwrap.dedent(pod), '      ')}\n"
        )
    assert (names(text, "restart-policy-invalid-for-kind") != []) is reported


def test_restart_policy_message_names_the_accepted_values():
    text = y("""
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: c}
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Always
                  containers: [{name: c, image: "busybox:1.36"}]
        """)
    (finding,) = run(text, select=["restart-policy-invalid-for-kind"]).findings
    assert finding.severity == "error"
    assert 'restartPolicy "Always" is refused: a CronJob accepts only "OnFailure" or "Never"' in finding.message


# --- probes and images (appended to probes.py and images.py) ---------------------


def test_probe_identical_resolves_named_ports_both_ways():
    text = y("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              image: "busybox:1.36"
              ports: [{name: http, containerPort: 8080}]
              readinessProbe: {httpGet: {port: http, path: /}}
              livenessProbe: {httpGet: {port: 8080}}
        """)
    assert names(text, "probe-identical") == ["probe-identical"]


def test_probe_identical_compares_headers_and_scheme():
    text = y("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              image: "busybox:1.36"
              readinessProbe: {httpGet: {port: 8443, scheme: HTTPS}}
              livenessProbe: {httpGet: {port: 8443}}
        """)
    assert names(text, "probe-identical") == []


def test_startup_probe_threshold_is_an_option():
    text = y("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              image: "busybox:1.36"
              livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 45}
        """)
    assert names(text, "startup-probe-suggested") == []
    options = {"startup-probe-suggested": {"initial-delay-seconds": 30}}
    assert names(text, "startup-probe-suggested", rule_options=options) == ["startup-probe-suggested"]


def test_development_namespaces_is_an_option():
    text = y("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: sandbox}
        spec:
          containers:
            - {name: c, image: "web:dev", imagePullPolicy: Never}
        """)
    assert names(text, "image-pull-policy-never") == ["image-pull-policy-never"]
    options = {"image-pull-policy-never": {"development-namespaces": ["sandbox"]}}
    assert names(text, "image-pull-policy-never", rule_options=options) == []


def test_digest_rules_read_references_like_the_runtime():
    text = y("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - {name: a, image: "localhost:5000/app:1.0", imagePullPolicy: Always}
            - {name: b, image: "registry.example.com:5000/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", imagePullPolicy: Always}
        """)
    assert found(text, select=["image-digest-missing", "image-pull-policy-always"]) == [
        ("image-digest-missing", 6),
        ("image-pull-policy-always", 7),
    ]


# --- never raise -----------------------------------------------------------------

HOSTILE = y("""
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: a}
    spec: {replicas: "3", strategy: [x], template: {spec: {affinity: [x], topologySpreadConstraints: {a: b}, restartPolicy: 7}}}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: b}
    spec: {replicas: 5, template: "x"}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: c, annotations: "x"}
    spec: {template: {spec: {containers: [1, {name: c, ports: 3, livenessProbe: {httpGet: [1], initialDelaySeconds: "90"}, readinessProbe: {httpGet: {port: [x]}}}]}}}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: b}
    spec: {scaleTargetRef: {kind: StatefulSet, name: b}, minReplicas: "2"}
    ---
    apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata: {name: d}
    spec: {scaleTargetRef: [a]}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: e}
    spec: {selector: "app=web"}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: f, namespace: [x]}
    spec: {containers: [{name: f, image: 7, imagePullPolicy: Never, livenessProbe: "x", readinessProbe: "x"}]}
    """)


def test_rules_never_raise_on_wrong_types():
    run(HOSTILE, select=AVAILABILITY_RULES + ADDED_RULES)
