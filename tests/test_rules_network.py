"""Network rules: what the fixtures do not pin down (namespaces, partial
input, operators, selector semantics, hostile input)."""

from __future__ import annotations

import textwrap

import pytest
from helpers import found, run

NETWORK_RULES = [
    "service-nodeport",
    "service-loadbalancer",
    "service-selector-unmatched",
    "service-target-port-unknown",
    "ingress-tls-missing",
    "networkpolicy-missing",
]


def y(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def meta(name: str, namespace: str | None) -> str:
    return f"{{name: {name}, namespace: {namespace}}}" if namespace else f"{{name: {name}}}"


def deployment(name: str, labels: str, namespace: str | None = None, ports: str = "") -> str:
    return y(f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {meta(name, namespace)}
        spec:
          selector:
            matchLabels: {labels}
          template:
            metadata:
              labels: {labels}
            spec:
              containers:
                - name: {name}
                  image: "ghcr.io/acme/{name}:1.0"
                  ports: [{ports}]
        """)


def service(name: str, selector: str, namespace: str | None = None, target: str = "8080") -> str:
    return y(f"""
        apiVersion: v1
        kind: Service
        metadata: {meta(name, namespace)}
        spec:
          selector: {selector}
          ports:
            - port: 80
              targetPort: {target}
        """)


def docs(*parts: str) -> str:
    return "---\n".join(parts)


def names(text: str, rule: str, **settings) -> list[str]:
    return [name for name, _ in found(text, select=[rule], **settings)]


# --- service-selector-unmatched: namespaces and partial input ---------------


def test_lone_service_is_not_reported():
    assert names(service("web", "{app: web}"), "service-selector-unmatched") == []


@pytest.mark.parametrize(
    ("service_ns", "workload_ns", "reported"),
    [
        (None, None, True),  # one file, no namespaces: the same namespace
        ("shop", "shop", True),
        ("shop", "other", False),  # no workload declared in "shop"
        (None, "shop", False),  # no workload declared without a namespace
        ("shop", None, False),  # idem for "shop"
    ],
)
def test_unmatched_needs_a_workload_declared_in_the_namespace(service_ns, workload_ns, reported):
    text = docs(service("web", "{app: webb}", service_ns), deployment("web", "{app: web}", workload_ns))
    assert (names(text, "service-selector-unmatched") != []) is reported


def test_workload_without_namespace_matches_in_any_namespace():
    text = docs(
        service("web", "{app: web}", "shop"),
        deployment("web", "{app: web}"),
        deployment("other", "{app: other}", "shop"),
    )
    assert names(text, "service-selector-unmatched") == []


def test_workload_of_another_namespace_does_not_match():
    text = docs(
        service("web", "{app: web}", "shop"),
        deployment("web", "{app: web}", "staging"),
        deployment("other", "{app: other}", "shop"),
    )
    assert names(text, "service-selector-unmatched") == ["service-selector-unmatched"]


def test_label_values_compare_as_strings():
    # YAML reads `version: 2` as a number; the API reads both as "2".
    text = docs(service("web", "{app: web, version: '2'}"), deployment("web", "{app: web, version: 2}"))
    assert names(text, "service-selector-unmatched") == []


def test_crds_in_the_services_directory_stand_the_check_down():
    crd = y("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: engines.acme.io}
        spec:
          group: acme.io
          names: {kind: Engine, plural: engines}
          scope: Namespaced
          versions: [{name: v1, served: true, storage: true}]
        """)
    bundle = docs(crd, service("webhook", "{app: webhook}", "acme"), deployment("operator", "{app: operator}", "acme"))
    from kubelint.config import Settings
    from kubelint.engine import check
    from kubelint.sources import Source

    same_dir = check([Source("deploy/bundle.yaml", bundle.encode())], Settings(select=["service-selector-unmatched"]))
    assert same_dir.findings == ()
    # The CRD in another directory says nothing about this Service.
    split = check(
        [
            Source("crds/crd.yaml", crd.encode()),
            Source("app/app.yaml", docs(service("webhook", "{app: webhook}", "acme"), deployment("operator", "{app: operator}", "acme")).encode()),
        ],
        Settings(select=["service-selector-unmatched"]),
    )
    assert [f.name for f in split.findings] == ["service-selector-unmatched"]


def test_custom_resource_in_another_namespace_does_not_stand_down():
    cr = y("""
        apiVersion: monitoring.coreos.com/v1
        kind: Prometheus
        metadata: {name: k8s, namespace: monitoring}
        """)
    text = docs(cr, service("web", "{app: webb}", "shop"), deployment("web", "{app: web}", "shop"))
    assert names(text, "service-selector-unmatched") == ["service-selector-unmatched"]


def test_empty_selector_is_no_selector():
    text = docs(service("web", "{}"), deployment("web", "{app: web}"))
    assert names(text, "service-selector-unmatched") == []


# --- service-target-port-unknown ---------------------------------------------


def test_target_port_checked_only_against_selected_workloads():
    text = docs(
        service("web", "{app: web}", target="http"),
        deployment("web", "{app: web}", ports="{name: grpc, containerPort: 9000}"),
        # Declares "http" but is not selected.
        deployment("api", "{app: api}", ports="{name: http, containerPort: 8080}"),
    )
    assert names(text, "service-target-port-unknown") == ["service-target-port-unknown"]


def test_target_port_message_lists_declared_names():
    text = docs(service("web", "{app: web}", target="http"), deployment("web", "{app: web}", ports="{name: web, containerPort: 80}"))
    (finding,) = run(text, select=["service-target-port-unknown"]).findings
    assert 'targetPort "http"' in finding.message and "declared: web" in finding.message
    assert finding.line == 8


# --- service-loadbalancer ------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "reported"),
    [
        ("service.beta.kubernetes.io/aws-load-balancer-internal: true", False),  # a YAML boolean
        ("networking.gke.io/load-balancer-type: internal", False),  # case-insensitive
        ("service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type: private", False),
        ("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: intranet", False),
        ("service.beta.kubernetes.io/azure-load-balancer-internal: 'false'", True),
        ("networking.gke.io/load-balancer-type: External", True),
    ],
)
def test_internal_annotations(annotation, reported):
    text = y(f"""
        apiVersion: v1
        kind: Service
        metadata:
          name: lb
          annotations:
            {annotation}
        spec:
          type: LoadBalancer
          ports: [{{port: 443}}]
        """)
    assert (names(text, "service-loadbalancer") != []) is reported


def test_source_ranges_with_an_open_range_restrict_nothing():
    text = y("""
        apiVersion: v1
        kind: Service
        metadata: {name: lb}
        spec:
          type: LoadBalancer
          loadBalancerSourceRanges: [10.0.0.0/8, "::/0"]
          ports: [{port: 443}]
        """)
    assert names(text, "service-loadbalancer") == ["service-loadbalancer"]


# --- networkpolicy-missing ---------------------------------------------------


def test_cluster_wide_plugin_policy_covers_everything():
    policy = y("""
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata: {name: default-deny}
        spec:
          selector: all()
        """)
    text = docs(policy, deployment("web", "{app: web}", "shop"))
    assert names(text, "networkpolicy-missing") == []


def test_calico_namespaced_policy_covers_its_namespace_only():
    policy = y("""
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          selector: app == 'web'
        """)
    text = docs(policy, deployment("web", "{app: web}", "shop"), deployment("api", "{app: api}", "billing"))
    assert [f.object.namespace for f in run(text, select=["networkpolicy-missing"]).findings] == ["billing"]


@pytest.mark.parametrize(
    ("expression", "covered"),
    [
        ("{key: app, operator: Exists}", True),
        ("{key: app, operator: DoesNotExist}", False),
        ("{key: tier, operator: DoesNotExist}", True),
        ("{key: app, operator: In, values: [web]}", True),
        ("{key: app, operator: In, values: [api]}", False),
        ("{key: app, operator: NotIn, values: [web]}", False),
        # Labels a controller adds are present with an unknown value.
        ("{key: pod-template-hash, operator: Exists}", True),
        # What cannot be read is taken to match: the rule must not invent an absence.
        ("{key: app, operator: Sometimes, values: [x]}", True),
        ("not-a-mapping", True),
    ],
)
def test_policy_match_expressions(expression, covered):
    policy = y(f"""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {{name: p, namespace: shop}}
        spec:
          podSelector:
            matchExpressions:
              - {expression}
        """)
    text = docs(policy, deployment("web", "{app: web}", "shop"))
    assert (names(text, "networkpolicy-missing") == []) is covered


def test_networkpolicy_missing_is_off_by_default():
    from kubelint.rules import registry

    assert registry().get("networkpolicy-missing").enabled is False
    assert [n for n, _ in found(deployment("web", "{app: web}", "shop"))] .count("networkpolicy-missing") == 0


# --- never raise ---------------------------------------------------------------

HOSTILE = y("""
    apiVersion: v1
    kind: Service
    metadata: {name: a, annotations: [x]}
    spec: {type: LoadBalancer, selector: [app], ports: "80", loadBalancerSourceRanges: 7}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: b}
    spec: {selector: {app: {nested: 1}, null: x}, ports: [7, {targetPort: [x]}, {targetPort: http}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: c, namespace: 5}
    spec: oops
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: d}
    spec: [1, 2]
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: e}
    spec: {podSelector: {matchLabels: [a], matchExpressions: {key: app}}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: f}
    spec: {template: {metadata: {labels: [a, b]}, spec: {containers: [{ports: {name: x}}, 3]}}}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: g, labels: {app: {x: 1}, 3: y}}
    spec: {containers: null}
    """)


def test_rules_never_raise_on_wrong_types():
    run(HOSTILE, select=NETWORK_RULES)


NUMERIC_TARGETS = """\
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {tier: api}
  ports:
    - {name: http, port: 80, targetPort: 8008}
    - {name: plain, port: 80}
    - {name: web, port: 8080}
---
apiVersion: v1
kind: Pod
metadata:
  name: api
  labels: {tier: api}
spec:
  containers:
    - name: api
      image: "ghcr.io/acme/api:1.0"
      ports:
        - {name: http, containerPort: 8080}
"""


def test_numeric_target_ports_are_checked_on_request():
    assert found(NUMERIC_TARGETS, select=["service-target-port-unknown"]) == []
    options = {"service-target-port-unknown": {"numeric-ports": True}}
    result = run(NUMERIC_TARGETS, select=["service-target-port-unknown"], rule_options=options)
    assert [(f.line, f.column, f.message) for f in result.findings] == [
        (7, 42, "Service api: targetPort 8008 is not a containerPort of the selected pods (declared: 8080)"),
        (8, 27, "Service api: port (targetPort unset) 80 is not a containerPort of the selected pods (declared: 8080)"),
    ]
    # A pod that declares no ports may listen anywhere.
    quiet = NUMERIC_TARGETS.replace("      ports:\n        - {name: http, containerPort: 8080}\n", "")
    assert found(quiet, select=["service-target-port-unknown"], rule_options=options) == []
