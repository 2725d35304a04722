"""Which objects a rule looks at: (API group, kind) pairs.

A kind name alone is ambiguous: Knative's `serving.knative.dev/v1` Service
is not a core Service, and a CRD may call itself `Deployment`.  A rule's
`kinds=` therefore names:

* a built-in kind, bare: "Service", "Deployment".  It means that kind in the
  built-in group(s) that serve or served it (Deployment: apps and the old
  extensions; Ingress: networking.k8s.io and extensions; Service: core "").
  The table is `builtin_kinds.BUILTIN_KINDS`, generated from the bundled
  upstream OpenAPI definitions and the removed APIs;
* any other kind with its group: "argoproj.io/Application",
  "keda.sh/ScaledObject";
* or a named set below ("pod-controllers"), the way kube-linter's
  `objectKinds` names sets such as DeploymentLike.

`resolve()` turns those names into a frozenset of (group, kind) pairs once,
when the rule is defined; `matches()` is the one place that tests an object.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from kubelint.k8s.builtin_kinds import BUILTIN_KINDS

# Every API group Kubernetes itself serves or served; any other group is a
# custom resource or an aggregated API.
BUILTIN_GROUPS: frozenset[str] = frozenset(g for groups in BUILTIN_KINDS.values() for g in groups)

# --- named sets of kinds ------------------------------------------------------
# Kinds whose objects carry a pod spec (a Pod) or a pod template
# (https://kubernetes.io/docs/concepts/workloads/).
POD_CONTROLLERS = frozenset(
    {"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet", "Job", "CronJob"}
)
POD_KINDS = POD_CONTROLLERS | {"Pod", "PodTemplate"}  # everything with a pod spec
WORKLOAD_KINDS = POD_KINDS - {"PodTemplate"}  # pods that run (a PodTemplate only describes them)
# Workloads whose pods are meant to run until stopped (probes make sense);
# their pod templates accept only restartPolicy Always.
LONG_RUNNING_KINDS = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"})
ALWAYS_RESTART_KINDS = LONG_RUNNING_KINDS - {"Pod"}
RUN_TO_COMPLETION_KINDS = frozenset({"Job", "CronJob"})
ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})

# Namespaced kinds of the Kubernetes API (and the Gateway API), by API group.
# Cluster-scoped kinds (Namespace, Node, PersistentVolume, StorageClass,
# ClusterRole, ClusterRoleBinding, CustomResourceDefinition, webhooks,
# PriorityClass, IngressClass, RuntimeClass, ...) are not listed.
NAMESPACED_BY_GROUP: dict[str, frozenset[str]] = {
    "": frozenset({
        "Pod", "Service", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim",
        "ReplicationController", "Endpoints", "LimitRange", "ResourceQuota", "PodTemplate", "Event",
    }),
    "apps": frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"}),
    "extensions": frozenset({"Deployment", "DaemonSet", "ReplicaSet", "Ingress", "NetworkPolicy"}),
    "batch": frozenset({"Job", "CronJob"}),
    "autoscaling": frozenset({"HorizontalPodAutoscaler"}),
    "policy": frozenset({"PodDisruptionBudget"}),
    "networking.k8s.io": frozenset({"Ingress", "NetworkPolicy"}),
    "rbac.authorization.k8s.io": frozenset({"Role", "RoleBinding"}),
    "discovery.k8s.io": frozenset({"EndpointSlice"}),
    "coordination.k8s.io": frozenset({"Lease"}),
    "storage.k8s.io": frozenset({"CSIStorageCapacity"}),
    "events.k8s.io": frozenset({"Event"}),
    "resource.k8s.io": frozenset({"ResourceClaim", "ResourceClaimTemplate"}),
    "gateway.networking.k8s.io": frozenset({"Gateway", "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute", "ReferenceGrant"}),
}


# The same as group/Kind names, for `kinds=` and `is_kind(obj, "namespaced")`.
NAMESPACED_KINDS = frozenset(f"{g}/{k}" if g else k for g, kinds in NAMESPACED_BY_GROUP.items() for k in kinds)

KIND_SETS: dict[str, frozenset[str]] = {
    "pod-controllers": POD_CONTROLLERS,
    "pod-kinds": POD_KINDS,
    "workloads": WORKLOAD_KINDS,
    "long-running": LONG_RUNNING_KINDS,
    "run-to-completion": RUN_TO_COMPLETION_KINDS,
    "roles": ROLE_KINDS,
    "role-bindings": BINDING_KINDS,
    "namespaced": NAMESPACED_KINDS,
}

GroupKind = tuple  # (group, kind)


@lru_cache(maxsize=1024)
def group_of(api_version: str) -> str:
    """The API group of an apiVersion: `apps` for apps/v1, "" for v1
    (cached: rules ask for the same few apiVersions many times)."""
    group, slash, _ = api_version.rpartition("/")
    return group if slash else ""


def resolve(names: Iterable[str]) -> frozenset[GroupKind]:
    """(group, kind) pairs for a rule's `kinds=` (see the module docstring).
    Raises ValueError for a bare kind that Kubernetes does not define, so a
    typo or a custom kind without its group fails when the rule is loaded."""
    if isinstance(names, str):
        names = (names,)
    pairs: set[GroupKind] = set()
    for name in names:
        if name in KIND_SETS:
            pairs |= resolve(KIND_SETS[name])
        elif "/" in name:
            group, _, kind = name.rpartition("/")
            if not group or not kind:
                raise ValueError(f"kind {name!r}: write a custom kind as group/Kind")
            pairs.add((group, kind))
        elif name in BUILTIN_KINDS:
            pairs.update((group, name) for group in BUILTIN_KINDS[name])
        else:
            raise ValueError(f"kind {name!r} is not a built-in kind; write a custom kind as group/Kind")
    return frozenset(pairs)


def matches(obj, pairs: frozenset[GroupKind]) -> bool:
    """Whether an object (anything with `group` and `kind`) is one of `pairs`."""
    return (group_of(obj.api_version), obj.kind) in pairs


def is_kind(obj, *names: str) -> bool:
    """`is_kind(o, "Service")`: the object is one of the named kinds, read as
    `resolve` reads them (for cross-object lookups; rules get their own
    object scoped by `kinds=`)."""
    return (group_of(obj.api_version), obj.kind) in _resolved(names)


_CACHE: dict[tuple[str, ...], frozenset[GroupKind]] = {}


def _resolved(names: tuple[str, ...]) -> frozenset[GroupKind]:
    try:
        return _CACHE[names]
    except KeyError:
        pairs = _CACHE[names] = resolve(names)
        return pairs
