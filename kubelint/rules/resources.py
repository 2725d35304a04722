"""Resource requests and limits of containers.

The API server defaults a missing request to the limit
(https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits),
so a container with a limit and no request is not missing a request.
"""

from __future__ import annotations

from typing import Iterator

from kubelint.model import Fix, K8sObject, Problem
from kubelint.registry import rule
from kubelint.k8s.kinds import POD_KINDS
from kubelint.k8s.workloads import POD_CONTAINER_GROUPS, as_map, containers, deepest_mapping

# Ephemeral containers may not set resources (the API rejects them).
_GROUPS = POD_CONTAINER_GROUPS


def missing_resource(obj: K8sObject, resource: str, kind: str) -> Iterator[Problem]:
    """Containers that set neither `resources.<kind>.<resource>` nor, for a
    request, a limit it would default from."""
    example = {"cpu": "250m", "memory": "256Mi", "ephemeral-storage": "1Gi"}[resource]
    for c in containers(obj, _GROUPS):
        resources = as_map(c.spec.get("resources"))
        if resource in as_map(resources.get(kind)):
            continue
        if kind == "requests" and resource in as_map(resources.get("limits")):
            continue
        singular = kind[:-1]
        yield Problem(
            deepest_mapping(c.spec, c.path, ("resources", kind)),
            f"{c.label} has no {resource} {singular}",
            Fix(
                f"Set resources.{kind}.{resource} for the container to what it needs.",
                f"resources:\n  {kind}:\n    {resource}: <{resource} {singular}, e.g. {example}>",
            ),
            at="parent",
        )




@rule(code="KL201", name="cpu-request-missing", severity="warning", category="resources", kinds=POD_KINDS)
def cpu_request_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no CPU request.

    Why: the scheduler places pods by their requests; without one the pod is
    BestEffort for CPU, can land on a full node and is starved first.  A CPU
    limit counts (the API server copies it into the request).
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources: {requests: {cpu: 250m}}
    Fix safety: no automatic fix; only you know what the container needs.
    References: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    """
    return missing_resource(obj, "cpu", "requests")


@rule(code="KL202", name="memory-request-missing", severity="warning", category="resources", kinds=POD_KINDS)
def memory_request_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no memory request.

    Why: without a memory request the scheduler cannot reserve memory for the
    pod, and under memory pressure it is among the first to be evicted.  A
    memory limit counts (the API server copies it into the request).
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources: {requests: {memory: 256Mi}}
    Fix safety: no automatic fix; only you know what the container needs.
    References: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    """
    return missing_resource(obj, "memory", "requests")


@rule(code="KL203", name="memory-limit-missing", severity="warning", category="resources", kinds=POD_KINDS)
def memory_limit_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no memory limit.

    Why: a leaking container with no memory limit grows until the node runs
    out of memory, and the kernel may kill other workloads first.  Memory,
    unlike CPU, cannot be throttled.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources: {limits: {memory: 256Mi}}
    Fix safety: no automatic fix; only you know what the container needs.
    References: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    """
    return missing_resource(obj, "memory", "limits")


@rule(code="KL204", name="cpu-limit-missing", severity="info", category="resources", enabled=False, kinds=POD_KINDS)
def cpu_limit_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no CPU limit.  Off by default.

    Why: some teams cap CPU so one workload cannot take a node's spare
    cycles.  Many deliberately set none: CPU limits throttle a container even
    when the node is idle, which hurts latency.  Turn this on only if your
    policy requires limits.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources: {limits: {cpu: "1"}}
    Fix safety: no automatic fix; only you know what the container needs.
    References: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    """
    return missing_resource(obj, "cpu", "limits")


@rule(code="KL205", name="ephemeral-storage-request-missing", severity="info", category="resources", enabled=False, kinds=POD_KINDS)
def ephemeral_storage_request_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no ephemeral-storage request.  Off by default.

    Why: logs, `emptyDir` volumes without a medium and the container's
    writable layer use the node's local disk.  The scheduler places pods by
    their ephemeral-storage requests; without one a pod can land on a node
    whose disk is nearly full, and under disk pressure the kubelet evicts
    pods using more than they requested first.  A limit counts (the API
    server copies it into the request).  kube-score
    (`container-ephemeral-storage-request-and-limit`) checks the same.  Off
    by default: most clusters do not account local storage.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources: {requests: {ephemeral-storage: 1Gi}}
    Fix safety: no automatic fix; only you know what the container writes.
    References: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage
    """
    return missing_resource(obj, "ephemeral-storage", "requests")


@rule(code="KL206", name="ephemeral-storage-limit-missing", severity="info", category="resources", enabled=False, kinds=POD_KINDS)
def ephemeral_storage_limit_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no ephemeral-storage limit.  Off by default.

    Why: a container without a limit can fill the node's local disk with
    logs or scratch files; the kubelet then evicts pods under disk pressure,
    other workloads' pods included.  With a limit only the offending pod is
    evicted.  kube-score (`container-ephemeral-storage-request-and-limit`)
    checks the same.  Off by default, as ephemeral-storage-request-missing.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources: {limits: {ephemeral-storage: 2Gi}}
    Fix safety: no automatic fix; a limit too low evicts the pod.
    References: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage
    """
    return missing_resource(obj, "ephemeral-storage", "limits")
