"""Exposure and networking: Services, Ingresses and NetworkPolicies.

Several rules here relate objects to each other (a Service to the pods it
selects, a NetworkPolicy to the pods it isolates).  They only see the objects
of the run, so they follow two conventions (see kubelint.k8s.pods):

* Namespaces.  An object without `metadata.namespace` lands wherever it is
  applied (`kubectl apply -n`, kustomize `namespace:`), so it may share a
  namespace with every object; objects that both name a namespace share it
  only when the names are equal.  A Service and a Deployment in one file, both
  without a namespace, are therefore in the same namespace.
* When in doubt, stay quiet.  A possible match clears a finding (a
  NetworkPolicy without a namespace covers a Deployment in "shop"), but a
  finding needs sure ground: a Service is reported unmatched only when the
  input declares workloads in exactly its namespace (no namespace counting
  as one namespace here), so a lone Service file in a pre-commit run, or a
  Service of "shop" next to workloads without a namespace, is not reported.
"""

from __future__ import annotations

import difflib
import os
from typing import Any, Iterator

from kubelint.model import Fix, K8sObject, Problem
from kubelint.references import STRICT_OPTION, lookup, strict
from kubelint.registry import rule
from kubelint.k8s.kinds import BUILTIN_GROUPS, is_kind, matches, resolve
from kubelint.k8s.names import is_port_name, label_value
from kubelint.k8s.selectors import requirements
from kubelint.k8s.pods import (
    CONTROLLER_LABELS,
    WORKLOAD_KINDS,
    PodTemplate,
    selected,
    service_selects,
    pod_template_of,
    pods_in_namespace,
    same_namespace,
    templates_by_label,
)
from kubelint.k8s.workloads import POD_CONTAINER_GROUPS, PodSpec, as_list, as_map, as_str, get_path, object_annotations, port_names


def service_targets(ctx, service: K8sObject) -> tuple[list[PodTemplate], list[PodTemplate]] | None:
    """(workloads in the Service's namespace, those it selects), or None when
    the Service has no selector to check."""
    spec = as_map(service.data.get("spec"))
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not selector or spec.get("type") == "ExternalName":
        return None
    def compute():
        candidates = pods_in_namespace(ctx, service.ref.namespace)
        # Narrow by one label pair first: a corpus has thousands of Services
        # and workloads, and testing every pair of them is the slow way.
        pool = candidates
        for key, value in selector.items():
            text = label_value(value)
            if isinstance(key, str) and text is not None and key not in CONTROLLER_LABELS:
                namespace = service.ref.namespace
                having = templates_by_label(ctx).get((key, text), ())
                pool = having if namespace is None else [t for t in having if t.namespace in (namespace, None)]
                break
        reqs = requirements({"matchLabels": selector}, strict=False)  # a Service selector, read once
        return candidates, [t for t in pool if selected(reqs, t)]

    return ctx.memo(("network", "service-targets", _selector_key(service, selector)), compute)


def _selector_key(service: K8sObject, selector: dict):
    """Services with the same namespace and selector select the same pods, so
    they share one computation: a thousand Services selecting a thousand
    workloads is then a thousand matches, not a million."""
    pairs = []
    for key, value in selector.items():
        text = label_value(value)
        if not isinstance(key, str) or text is None:
            return service.key  # unreadable: this Service's own entry
        pairs.append((key, text))
    return service.ref.namespace, tuple(sorted(pairs))


@rule(code="KL701", name="service-nodeport", severity="warning", category="network", kinds={"Service"})
def service_nodeport(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A Service of type NodePort opens its ports on every node.

    Why: a NodePort Service listens on a port of every node of the cluster,
    bypassing whatever fronts the cluster (Ingress, Gateway, load balancer),
    and is reachable by anything that can reach a node's address.  kube-score
    (`service-type`) and kube-linter (`exposed-services`) flag it too.  A
    LoadBalancer Service also allocates node ports, but for its own load
    balancer; see `service-loadbalancer`.
    Example:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          type: NodePort
          selector: {app: web}
          ports:
            - {port: 80, targetPort: 8080, nodePort: 30080}
    Use instead:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports:
            - {port: 80, targetPort: 8080}
    Fix safety: no automatic fix; clients that use the node port must move to
    an Ingress, a Gateway or a load balancer first.
    References: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
    """
    spec = as_map(obj.data.get("spec"))
    if spec.get("type") != "NodePort":
        return
    ports = [str(p.get("nodePort")) for p in map(as_map, as_list(spec.get("ports"))) if p.get("nodePort") is not None]
    where = f" (node port {', '.join(ports)})" if ports else ""
    yield Problem(
        ("spec", "type"),
        f'type "NodePort" opens the Service on every node{where}',
        Fix("Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service.", "type: ClusterIP"),
    )


# annotation -> values that make a cloud load balancer internal (None: any
# value other than "false"), from the cloud providers' documentation and
# https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer
INTERNAL_LB_ANNOTATIONS: dict[str, frozenset[str] | None] = {
    "networking.gke.io/load-balancer-type": frozenset({"internal"}),
    "cloud.google.com/load-balancer-type": frozenset({"internal"}),
    # In-tree AWS provider: any value but "false" (commonly "true" or "0.0.0.0/0").
    "service.beta.kubernetes.io/aws-load-balancer-internal": None,
    "service.beta.kubernetes.io/aws-load-balancer-scheme": frozenset({"internal"}),
    "service.beta.kubernetes.io/azure-load-balancer-internal": frozenset({"true"}),
    "service.beta.kubernetes.io/oci-load-balancer-internal": frozenset({"true"}),
    "oci-network-load-balancer.oraclecloud.com/internal": frozenset({"true"}),
    "service.beta.kubernetes.io/openstack-internal-load-balancer": frozenset({"true"}),
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": frozenset({"private"}),
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": frozenset({"intranet"}),
    "service.beta.kubernetes.io/cce-load-balancer-internal-vpc": frozenset({"true"}),
    "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid": None,
}
OPEN_RANGES = frozenset({"0.0.0.0/0", "::/0"})


def load_balancer_internal(obj: K8sObject) -> bool:
    annotations = object_annotations(obj)
    for key, values in INTERNAL_LB_ANNOTATIONS.items():
        value = label_value(annotations.get(key))
        if value is None or value.strip() == "":
            continue
        value = value.strip().lower()
        if (values is None and value != "false") or (values is not None and value in values):
            return True
    # The AWS Load Balancer Controller makes internal NLBs unless told
    # otherwise (https://kubernetes-sigs.github.io/aws-load-balancer-controller/).
    spec = as_map(obj.data.get("spec"))
    aws_type = as_str(annotations.get("service.beta.kubernetes.io/aws-load-balancer-type")).lower()
    if spec.get("loadBalancerClass") == "service.k8s.aws/nlb" or aws_type in ("external", "nlb-ip"):
        scheme = as_str(annotations.get("service.beta.kubernetes.io/aws-load-balancer-scheme")).lower()
        return scheme != "internet-facing"
    return False


def source_ranges_restricted(obj: K8sObject) -> bool:
    spec = as_map(obj.data.get("spec"))
    ranges = [r.strip() for r in as_list(spec.get("loadBalancerSourceRanges")) if isinstance(r, str)]
    if not ranges:
        legacy = as_str(object_annotations(obj).get("service.beta.kubernetes.io/load-balancer-source-ranges"))
        ranges = [r.strip() for r in legacy.split(",") if r.strip()]
    return bool(ranges) and not any(r in OPEN_RANGES for r in ranges)


@rule(code="KL702", name="service-loadbalancer", severity="info", category="network", kinds={"Service"})
def service_loadbalancer(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A LoadBalancer Service gets a public address unless marked internal.

    Why: on most clouds a Service of type LoadBalancer provisions a load
    balancer with a public address, open to the internet.  That is often the
    intent (an ingress controller); when it is not, mark it internal with the
    provider's annotation (GKE `networking.gke.io/load-balancer-type:
    Internal`, AWS `service.beta.kubernetes.io/aws-load-balancer-internal:
    "true"` or `...aws-load-balancer-scheme: internal`, Azure
    `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`, OCI,
    OpenStack, IBM, Alibaba, Baidu and Tencent equivalents), or restrict
    `spec.loadBalancerSourceRanges` to the clients' ranges.  Not reported
    when either is present; kube-linter's `exposed-services` is similar.
    Example:
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec:
          type: LoadBalancer
          selector: {app: db}
          ports:
            - {port: 5432}
    Use instead:
        apiVersion: v1
        kind: Service
        metadata:
          name: db
          annotations:
            networking.gke.io/load-balancer-type: Internal
        spec:
          type: LoadBalancer
          selector: {app: db}
          ports:
            - {port: 5432}
    Fix safety: no automatic fix; whether the Service should be public, and
    which annotation your cloud reads, is yours to decide.
    References: https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer
    """
    if as_map(obj.data.get("spec")).get("type") != "LoadBalancer":
        return
    if load_balancer_internal(obj) or source_ranges_restricted(obj):
        return
    yield Problem(
        ("spec", "type"),
        'type "LoadBalancer" with no internal annotation or loadBalancerSourceRanges is likely reachable from the internet',
        Fix(
            "Mark the load balancer internal with your cloud's annotation, or restrict loadBalancerSourceRanges.",
            "loadBalancerSourceRanges:\n  - <client CIDR, e.g. 10.0.0.0/8>",
        ),
    )


@rule(code="KL703", name="service-selector-unmatched", severity="warning", category="network", kinds={"Service"})
def service_selector_unmatched(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A Service selects no pods of the workloads in its namespace.

    Why: a Service whose selector matches no pod has no endpoints; clients
    get connection refused or time out, with no error anywhere.  A typo in a
    label is the usual cause.  kube-linter's `dangling-service` and
    kube-score's `service-targets-pod` check the same.  To stay quiet on
    partial input, it is reported only when the input declares pod-bearing
    workloads in the Service's own namespace (objects without a namespace
    form one namespace for this), so a Service checked alone is not
    reported; a workload without a namespace still counts as a match in any
    namespace.  Not checked: Services without a selector (their endpoints
    are managed elsewhere), ExternalName Services, the namespace
    `kube-system` (where Services select control-plane static pods no
    manifest describes), and Services an operator may serve: when the
    namespace holds custom resources, or the Service's directory defines
    CustomResourceDefinitions.  Labels the controllers add
    (pod-template-hash, statefulset.kubernetes.io/pod-name, job-name...)
    match their workloads.
    Example:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: webb}
          ports:
            - {port: 80}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports:
            - {port: 80}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; correct the selector or the pod labels.
    References: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
    """
    namespace = obj.ref.namespace
    if namespace == "kube-system":
        return
    targets = service_targets(ctx, obj)
    if targets is None or targets[1]:
        return
    declared = [t for t in targets[0] if t.namespace == namespace]
    if not declared or operator_may_serve(ctx, obj):
        return
    selector = as_map(get_path(obj.data, ("spec", "selector")))
    shown = ", ".join(f"{k}={label_value(v)}" for k, v in selector.items())
    yield Problem(
        ("spec", "selector"),
        f"selector {shown} matches none of the {len(declared)} workload(s) in the namespace",
        Fix("Make the selector equal to labels of the pod template it should reach."),
        at="key",
    )


def operator_may_serve(ctx, service: K8sObject) -> bool:
    """Whether an operator may create the pods a Service selects: the input
    holds custom resources in its namespace (a Prometheus, a Rollout, a
    Kafka), or CustomResourceDefinitions in its directory (an operator's
    install bundle, whose Services front pods the operator makes)."""

    def build() -> tuple[set, set]:
        namespaces, directories = set(), set()
        for o in ctx.objects:
            if is_kind(o, "CustomResourceDefinition"):
                directories.add(os.path.dirname(o.file))
            elif o.group not in BUILTIN_GROUPS:
                namespaces.add(o.ref.namespace)
        return namespaces, directories

    namespaces, directories = ctx.memo(("network", "operator-signs"), build)
    return service.ref.namespace in namespaces or os.path.dirname(service.file) in directories


def declared_port_names(pod: PodSpec) -> set[str]:
    """Port names of a pod's containers (init containers included: a
    sidecar's ports count)."""
    names = set()
    for group in POD_CONTAINER_GROUPS:
        for container in as_list(pod.spec.get(group)):
            names.update(port_names(container))
    return names


@rule(
    code="KL704", name="service-target-port-unknown", severity="warning", category="network", kinds={"Service"},
    options={
        "numeric-ports": {
            "type": "boolean",
            "default": False,
            "description": "Also check numeric targetPorts against the containerPorts the selected pods declare.",
        }
    },
)
def service_target_port_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A Service's targetPort is a port name, or number, no selected container declares.

    Why: a named targetPort is looked up in the `ports` of each selected
    pod's containers; a pod that declares no such name gets no endpoint for
    that port, so the port of the Service reaches nothing.  Checked only
    when the Service selects at least one workload of the input, against the
    port names of all the workloads it selects.  With the `numeric-ports`
    option, a numeric targetPort (or the port itself when targetPort is
    unset) is checked against the containerPorts too, when every selected
    pod declares ports.  That is off by default: a container may listen on
    ports it does not declare (a controller's metrics port is the common
    case), and on ../shared/corpus most numeric mismatches were such ports,
    not mistakes.
    Example:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports:
            - {port: 80, targetPort: http}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: web, containerPort: 8080}
    Use instead:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports:
            - {port: 80, targetPort: http}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: http, containerPort: 8080}
    Fix safety: no automatic fix; rename the targetPort or the container port.
    References: https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
    """
    targets = service_targets(ctx, obj)
    if targets is None or not targets[1]:
        return
    matched = targets[1]

    def union() -> set[str]:
        names: set[str] = set()
        for template in matched:
            names |= declared_port_names(template.pod)
        return names

    names = ctx.memo(("network", "target-port-names", id(matched)), union)
    # Numbers are checked only on request, and only when every selected pod
    # declares its ports (a pod declaring none may listen anywhere).
    numbers: set[int] | None = set() if ctx.options.get("numeric-ports") else None
    for template in matched if numbers is not None else ():
        declared = declared_port_numbers(template.pod)
        if not declared:
            numbers = None
            break
        numbers |= declared
    for index, port in enumerate(as_list(get_path(obj.data, ("spec", "ports")))):
        port = as_map(port)
        target = port.get("targetPort", port.get("port"))
        if type(target) is int and target > 0 and numbers and target not in numbers:
            protocol = "" if as_str(port.get("protocol")) in ("", "TCP") else f"/{port['protocol']}"
            where = ("spec", "ports", index, "targetPort") if "targetPort" in port else ("spec", "ports", index, "port")
            shown = ", ".join(str(n) for n in sorted(numbers))
            yield Problem(
                where,
                f"{'targetPort' if 'targetPort' in port else 'port (targetPort unset)'} {target}{protocol}"
                f" is not a containerPort of the selected pods (declared: {shown})",
                Fix("Use a containerPort the selected containers declare, or declare the port."),
            )
            continue
        if not is_port_name(target) or target in names:
            continue
        declared = ", ".join(sorted(names)) or "none"
        yield Problem(
            ("spec", "ports", index, "targetPort"),
            f'targetPort "{target}" is not a port name of the selected pods (declared: {declared})',
            Fix("Use a port name the containers declare, or the container port number."),
        )


def declared_port_numbers(pod: PodSpec) -> set[int]:
    """containerPort numbers of a pod's containers (init containers
    included: a sidecar's ports count)."""
    numbers = set()
    for group in ("containers", "initContainers"):
        for container in as_list(pod.spec.get(group)):
            for port in as_list(as_map(container).get("ports")):
                number = as_map(port).get("containerPort")
                if type(number) is int:
                    numbers.add(number)
    return numbers


# Annotations through which TLS is terminated before the Ingress controller
# (a cloud load balancer holding the certificate).
TLS_ELSEWHERE_ANNOTATIONS = (
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "alb.ingress.kubernetes.io/certificate-arn",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
)


@rule(code="KL705", name="ingress-tls-missing", severity="info", category="network", kinds={"Ingress"})
def ingress_tls_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An Ingress has no tls section and serves plain HTTP.

    Why: without `spec.tls` the Ingress controller serves the hosts over
    plain HTTP; credentials and cookies cross the network readable.  Not
    reported when an annotation shows TLS is terminated by the cloud load
    balancer in front (GKE managed or pre-shared certificates, AWS ALB
    `certificate-arn`, Azure Application Gateway certificate).  Polaris
    (`tlsSettingsMissing`) checks the same.
    Example:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          rules:
            - host: shop.example.com
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: web, port: {number: 80}}
    Use instead:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          tls:
            - hosts: [shop.example.com]
              secretName: shop-tls
          rules:
            - host: shop.example.com
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: web, port: {number: 80}}
    Fix safety: no automatic fix; a certificate Secret (or cert-manager) must exist.
    References: https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
    """
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or as_list(spec.get("tls")):
        return
    annotations = object_annotations(obj)
    if any(annotations.get(a) for a in TLS_ELSEWHERE_ANNOTATIONS):
        return
    yield Problem(
        ("spec",),
        "no tls section: the hosts are served over plain HTTP",
        Fix("Add a tls section naming the hosts and a certificate Secret.", "tls:\n  - hosts: [<host>]\n    secretName: <host>-tls"),
        at="parent",
    )


# Policy kinds of network plugins that also isolate pods.  Their selectors are
# not Kubernetes label selectors; one in the namespace counts as covering it.
# Calico serves its API as projectcalico.org (apiserver) and crd.projectcalico.org (CRDs).
NAMESPACED_POLICY_KINDS = resolve(
    {"projectcalico.org/NetworkPolicy", "crd.projectcalico.org/NetworkPolicy", "cilium.io/CiliumNetworkPolicy"}
)
CLUSTER_POLICY_KINDS = resolve(
    {"cilium.io/CiliumClusterwideNetworkPolicy", "projectcalico.org/GlobalNetworkPolicy",
     "crd.projectcalico.org/GlobalNetworkPolicy", "policy.networking.k8s.io/AdminNetworkPolicy",
     "policy.networking.k8s.io/BaselineAdminNetworkPolicy"}
)


def network_policies(ctx) -> tuple[list[tuple[str | None, Any]], list[str | None], bool]:
    """(Kubernetes NetworkPolicies as (namespace, podSelector requirements), namespaces
    of plugin policies, whether a cluster-wide plugin policy exists)."""

    def build():
        policies, plugin_namespaces, cluster_wide = [], [], False
        for o in ctx.objects:
            if is_kind(o, "networking.k8s.io/NetworkPolicy"):
                reqs = requirements(get_path(o.data, ("spec", "podSelector")), strict=False)
                policies.append((o.ref.namespace, reqs))
            elif matches(o, NAMESPACED_POLICY_KINDS):
                plugin_namespaces.append(o.ref.namespace)
            elif matches(o, CLUSTER_POLICY_KINDS):
                cluster_wide = True
        return policies, plugin_namespaces, cluster_wide

    return ctx.memo(("network", "network-policies"), build)


@rule(
    code="KL706",
    name="networkpolicy-missing",
    severity="info",
    category="network",
    enabled=False,
    kinds=WORKLOAD_KINDS,
)
def networkpolicy_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """No NetworkPolicy of the input selects a workload's pods.  Off by default.

    Why: pods that no NetworkPolicy selects accept traffic from every pod of
    the cluster and may connect anywhere; one compromised pod can reach them
    all.  A pod is covered when a NetworkPolicy in its namespace selects it
    through `spec.podSelector` (an empty selector covers the namespace), for
    ingress or egress.  Calico and Cilium policies in the namespace, and
    cluster-wide policies (GlobalNetworkPolicy,
    CiliumClusterwideNetworkPolicy, AdminNetworkPolicy), count as covering
    it, since their selectors are not evaluated.  Off by default because the
    policies often live in another repository than the workloads; turn it on
    where they are linted together.  kube-score's `pod-networkpolicy` and
    kube-linter's `non-isolated-pod` check the same.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector:
            matchLabels: {app: web}
          policyTypes: [Ingress]
          ingress:
            - from:
                - podSelector: {matchLabels: {app: frontend}}
    Fix safety: no automatic fix; a policy must allow the traffic the
    application needs.
    References: https://kubernetes.io/docs/concepts/services-networking/network-policies/
    """
    policies, plugin_namespaces, cluster_wide = network_policies(ctx)
    if cluster_wide or any(same_namespace(ns, obj.ref.namespace) for ns in plugin_namespaces):
        return
    template = pod_template_of(ctx, obj)
    if template is None:
        return
    for namespace, reqs in policies:
        if same_namespace(namespace, obj.ref.namespace) and selected(reqs, template):
            return
    yield Problem(
        template.pod.metadata_path + ("labels",),
        "no NetworkPolicy selects the pods: they accept traffic from any pod",
        Fix(
            "Add a NetworkPolicy whose podSelector matches the pod labels.",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n"
            "  podSelector:\n    matchLabels: {<pod labels>}\n  policyTypes: [Ingress, Egress]",
        ),
        at="key",
    )


@rule(
    code="KL707", name="networkpolicy-selector-unmatched", severity="warning", category="network",
    kinds={"NetworkPolicy"}, options=STRICT_OPTION,
)
def networkpolicy_selector_unmatched(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A NetworkPolicy's podSelector selects no pods of the workloads in its namespace.

    Why: a policy that matches no pod isolates nothing; the pods it was
    written for stay open.  A label renamed in one place is the usual cause.
    kube-linter (`dangling-networkpolicy`) and kube-score
    (`networkpolicy-targets-pod`) check the same.  Reported only when the
    run defines workloads surely in the policy's namespace (see
    kubelint.references) and no operator may create the pods, unless
    `strict` is set; an empty podSelector selects every pod.
    Example:
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web}
        spec:
          podSelector: {matchLabels: {app: webb}}
          policyTypes: [Ingress]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
    Use instead:
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
    Fix safety: no automatic fix; correct the selector or the pod labels.
    References: https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
    """
    from kubelint.rules.availability import selector_unmatched

    selector = get_path(obj.data, ("spec", "podSelector"))
    if not isinstance(selector, dict) or not selector:
        return
    unmatched = selector_unmatched(ctx, obj, selector)
    if unmatched is not None:
        yield Problem(
            ("spec", "podSelector"),
            f"podSelector matches none of the {unmatched} workload(s) in the namespace: the policy isolates no pod",
            Fix("Make the podSelector match the labels of the pods the policy is for."),
            at="key",
        )


@rule(
    code="KL708", name="networkpolicy-peer-unmatched", severity="warning", category="network",
    kinds={"NetworkPolicy"}, options=STRICT_OPTION,
)
def networkpolicy_peer_unmatched(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A NetworkPolicy peer's podSelector selects no pods in the policy's namespace.

    Why: a `from` or `to` peer with only a podSelector means pods of the
    policy's own namespace; when it matches none, the traffic the rule was
    meant to allow is dropped.  kube-linter
    (`dangling-networkpolicypeer-podselector`) checks the same.  Peers with
    a namespaceSelector (other namespaces) or an ipBlock are not checked;
    reported only on sure ground, as networkpolicy-selector-unmatched.
    Example:
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db}
        spec:
          podSelector: {matchLabels: {app: db}}
          ingress:
            - from:
                - podSelector: {matchLabels: {app: api-server}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: db}
        spec:
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: "postgres:16"}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, image: "ghcr.io/acme/api:1.0"}]}
    Use instead:
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db}
        spec:
          podSelector: {matchLabels: {app: db}}
          ingress:
            - from:
                - podSelector: {matchLabels: {app: api}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: db}
        spec:
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: "postgres:16"}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: api, image: "ghcr.io/acme/api:1.0"}]}
    Fix safety: no automatic fix; correct the peer's selector or the pod labels.
    References: https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
    """
    from kubelint.rules.availability import selector_unmatched

    spec = as_map(obj.data.get("spec"))
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for index, entry in enumerate(as_list(spec.get(direction))):
            for peer_index, peer in enumerate(as_list(as_map(entry).get(peers_key))):
                peer = as_map(peer)
                selector = peer.get("podSelector")
                if "namespaceSelector" in peer or not isinstance(selector, dict) or not selector:
                    continue
                unmatched = selector_unmatched(ctx, obj, selector)
                if unmatched is not None:
                    yield Problem(
                        ("spec", direction, index, peers_key, peer_index, "podSelector"),
                        f"{direction}[{index}].{peers_key}[{peer_index}] podSelector matches none of the {unmatched} workload(s) in the namespace",
                        Fix("Make the peer's podSelector match the labels of the pods to allow."),
                        at="key",
                    )


def service_ports(service: K8sObject) -> tuple[set, set]:
    """(port numbers, port names) a Service exposes."""
    numbers, names = set(), set()
    for port in as_list(get_path(service.data, ("spec", "ports"))):
        port = as_map(port)
        if type(port.get("port")) is int:
            numbers.add(port["port"])
        if isinstance(port.get("name"), str):
            names.add(port["name"])
    return numbers, names


def services_by_name(ctx) -> dict:
    """(namespace, name) -> the Services of the run.  Reads of each
    Service: metadata name and namespace, spec.ports (port, name),
    spec.clusterIP, spec.selector (through the object)."""

    def build() -> dict:
        index: dict = {}
        for o in ctx.objects:
            if o.kind == "Service" and o.group == "" and not o.fragment and isinstance(o.ref.name, str):
                index.setdefault(o.ref.name, []).append(o)
        return index

    return ctx.memo(("network", "services-by-name"), build)


def _find_services(ctx, obj: K8sObject, name: str) -> list[K8sObject]:
    """The Services called `name` that may share the namespace of `obj`."""
    return [s for s in services_by_name(ctx).get(name, ()) if same_namespace(s.ref.namespace, obj.ref.namespace)]


def ingress_backends(obj: K8sObject) -> Iterator[tuple[tuple, dict]]:
    """(path of the backend, backend) of every backend of an Ingress."""
    spec = as_map(obj.data.get("spec"))
    for key in ("defaultBackend", "backend"):
        if isinstance(spec.get(key), dict):
            yield ("spec", key), spec[key]
    for r, rule_ in enumerate(as_list(spec.get("rules"))):
        for p, path in enumerate(as_list(get_path(rule_, ("http", "paths")))):
            backend = as_map(path).get("backend")
            if isinstance(backend, dict):
                yield ("spec", "rules", r, "http", "paths", p, "backend"), backend


@rule(
    code="KL709", name="ingress-backend-unknown", severity="warning", category="network",
    kinds={"Ingress"}, options=STRICT_OPTION,
)
def ingress_backend_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An Ingress backend names a Service the run does not define, or a port the Service does not expose.

    Why: the controller answers 503 (or 404) for a backend Service that does
    not exist or a port it does not have; the Ingress itself is accepted, so
    nothing fails until a user calls.  kube-linter (`dangling-ingress`) and
    kube-score (`ingress-targets-service`) check the same.  The Service is
    reported missing only when the run defines Services surely in the
    Ingress's namespace (see kubelint.references), with the nearest name,
    unless `strict` is set, and not where an operator may create Services
    (custom resources in the namespace, CRDs in the directory); a port is
    checked whenever the Service is in the run (`port.number` against its ports, `port.name` against their names).
    Resource backends are not checked.
    Example:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          rules:
            - http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: web, port: {number: 8080}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80}]
    Use instead:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          rules:
            - http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: web, port: {number: 80}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80}]
    Fix safety: no automatic fix; the "did you mean" name is a guess.
    References:
        https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
        https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressBackend
    """
    for path, backend in ingress_backends(obj):
        service = backend.get("service")
        if isinstance(service, dict):  # networking.k8s.io/v1
            name, port = service.get("name"), as_map(service.get("port"))
            name_path = path + ("service", "name")
            number, port_name = port.get("number"), port.get("name")
            port_path = path + ("service", "port", "number" if "number" in port else "name")
        elif "serviceName" in backend:  # extensions/v1beta1, networking.k8s.io/v1beta1
            name, name_path = backend.get("serviceName"), path + ("serviceName",)
            value = backend.get("servicePort")
            number, port_name = (value, None) if type(value) is int else (None, value)
            port_path = path + ("servicePort",)
        else:
            continue
        if not isinstance(name, str):
            continue
        targets = _find_services(ctx, obj, name)
        if not targets:
            found = lookup(ctx, obj, ("Service",), name)
            if found.missing(strict(ctx)) and (strict(ctx) or not operator_may_serve(ctx, obj)):
                yield Problem(
                    name_path,
                    f'backend Service "{name}" is not defined in the run{found.hint(name)}',
                    Fix("Name an existing Service in the backend."),
                )
            continue
        numbers, names = set(), set()
        for target in targets:
            more_numbers, more_names = service_ports(target)
            numbers, names = numbers | more_numbers, names | more_names
        if type(number) is int and numbers and number not in numbers:
            shown = ", ".join(str(n) for n in sorted(numbers))
            yield Problem(port_path, f'Service "{name}" has no port {number} (ports: {shown})', Fix("Use a port the Service exposes."))
        elif isinstance(port_name, str) and port_name not in names:
            close = difflib.get_close_matches(port_name, sorted(names), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else f" (port names: {', '.join(sorted(names)) or 'none'})"
            yield Problem(port_path, f'Service "{name}" has no port named "{port_name}"{hint}', Fix("Use a port name the Service exposes."))


@rule(
    code="KL710", name="statefulset-service-name-unknown", severity="warning", category="network",
    kinds={"StatefulSet"}, options=STRICT_OPTION,
)
def statefulset_service_name_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A StatefulSet's serviceName names no Service of the run, or one that is not headless or does not select its pods.

    Why: the governing Service gives each pod its stable DNS name
    (`web-0.web.shop.svc`); it must exist, be headless (`clusterIP: None`)
    and select the StatefulSet's pods, or peers cannot find each other by
    name.  kube-score (`statefulset-has-servicename`) checks the same.  A
    missing Service is reported only when the run defines Services surely
    in the namespace (see kubelint.references) and no operator may create
    it, unless `strict` is set.
    Example:
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: "postgres:16"}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec:
          selector: {app: db}
          ports: [{port: 5432}]
    Use instead:
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: "postgres:16"}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec:
          clusterIP: None
          selector: {app: db}
          ports: [{port: 5432}]
    Fix safety: no automatic fix; create or correct the headless Service.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
    """
    name = get_path(obj.data, ("spec", "serviceName"))
    if not isinstance(name, str) or not name:
        return
    path = ("spec", "serviceName")
    services = _find_services(ctx, obj, name)
    if not services:
        found = lookup(ctx, obj, ("Service",), name)
        if found.missing(strict(ctx)) and (strict(ctx) or not operator_may_serve(ctx, obj)):
            yield Problem(path, f'serviceName "{name}" names no Service of the run{found.hint(name)}', Fix("Name the StatefulSet's headless Service."))
        return
    service = services[0]
    spec = as_map(service.data.get("spec"))
    if spec.get("clusterIP") != "None":
        yield Problem(
            path, f'Service "{name}" is not headless (clusterIP: None): the pods get no stable DNS names',
            Fix("Make the governing Service headless with clusterIP: None."),
        )
        return
    selector = spec.get("selector")
    template = pod_template_of(ctx, obj)
    if isinstance(selector, dict) and selector and template is not None and not service_selects(selector, template):
        yield Problem(path, f'Service "{name}" does not select the StatefulSet\'s pods', Fix("Make the Service's selector match the pod labels."))
