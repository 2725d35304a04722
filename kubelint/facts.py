"""The facts a run keeps of every object: its data pruned to what
cross-object rules read.

A run checks files one at a time, but some rules look across objects (a
Service's selector and the pod templates it should reach, a Namespace's Pod
Security labels and its workloads, a binding and the role it names).  The run
keeps, for every object it knows (those checked and those of the project
context), a pruned copy of its data: the same shape as the manifest, so a
rule reads facts with the same helpers it reads objects with, without the
parts no cross-object rule reads (everything not named in KEEP below:
probes, commands, security contexts, ConfigMap values, CRD schemas,
annotations).  That keeps the run's memory
proportional to the number of objects times a small constant, not to the
size of the manifests.

The pruned data is plain JSON (strings for keys, no YAML-only types), so the
project cache (kubelint.project) can store it as it is.

Rules that read facts of other objects must read only fields kept here; the
test `tests/test_run.py::test_facts_keep_what_cross_object_rules_read` runs
the whole corpus both ways and compares the findings.
"""

from __future__ import annotations

import datetime
import sys
from typing import Any

from kubelint.model import K8sObject, ObjectFacts

# What is kept, as a tree: a key maps to True (keep the value whole, made
# JSON-safe) or to a subtree (keep those keys of a mapping, or of each
# mapping in a list).  Everything else is dropped.
META = {"name": True, "namespace": True, "labels": True}
CONTAINER = {"name": True, "ports": True, "resources": True}
POD = {
    "metadata": META,
    "spec": {
        "serviceAccountName": True, "serviceAccount": True, "automountServiceAccountToken": True,
        "containers": CONTAINER, "initContainers": CONTAINER,
    },
}
WORKLOAD_SPEC = {"replicas": True, "selector": True, "serviceName": True, "template": POD}
KEEP: dict[str, dict] = {
    # pod-bearing kinds (kubelint.k8s.workloads.POD_TEMPLATE_PATHS)
    "Pod": POD,
    "Deployment": {"spec": WORKLOAD_SPEC},
    "ReplicaSet": {"spec": WORKLOAD_SPEC},
    "ReplicationController": {"spec": WORKLOAD_SPEC},
    "StatefulSet": {"spec": WORKLOAD_SPEC},
    "DaemonSet": {"spec": WORKLOAD_SPEC},
    "Job": {"spec": WORKLOAD_SPEC},
    "CronJob": {"spec": {"jobTemplate": {"spec": WORKLOAD_SPEC}}},
    "PodTemplate": {"template": POD},
    # small objects other objects refer to, or that refer to others
    "Service": {"spec": {"selector": True, "type": True, "clusterIP": True,
                         "ports": {"name": True, "port": True, "targetPort": True, "protocol": True}}},
    "Ingress": {"spec": True},
    "HorizontalPodAutoscaler": {"spec": True},
    "ScaledObject": {"spec": True},
    "PodDisruptionBudget": {"spec": True},
    "NetworkPolicy": {"spec": True},
    "ServiceAccount": {"automountServiceAccountToken": True, "secrets": True, "imagePullSecrets": True},
    "Role": {"rules": True},
    "ClusterRole": {"rules": True, "aggregationRule": True},
    "RoleBinding": {"roleRef": True, "subjects": True},
    "ClusterRoleBinding": {"roleRef": True, "subjects": True},
    "Secret": {"type": True},
    # objects that make a Secret of another name
    "SealedSecret": {"spec": {"template": {"metadata": META}}},
    "ExternalSecret": {"spec": {"target": True}},
    # CRDs: names and scope; the run's CrdIndex holds their schemas
    "CustomResourceDefinition": {"spec": {"group": True, "names": True, "scope": True}},
}
COMMON = {"apiVersion": True, "kind": True, "metadata": META}
# ConfigMaps and Secrets hold content, not configuration: keys only.
CONTENT_KINDS = {("", "ConfigMap"), ("", "Secret")}
CONTENT_FIELDS = ("data", "binaryData", "stringData")


def facts_of(obj: K8sObject, context: bool = False, shared: dict | None = None) -> ObjectFacts:
    """The facts of an object.  `shared`: a table kept for the run, through
    which equal parts of facts are one object (see `_one`)."""
    keep = {**COMMON, **KEEP.get(obj.kind, {})}
    # The object's own mapping is its own (changed below); its parts are shared.
    data = {_key(k): prune(v, keep[k], shared) for k, v in obj.data.items() if k in keep}
    if (obj.group, obj.kind) in CONTENT_KINDS:
        for key in CONTENT_FIELDS:
            value = obj.data.get(key)
            if isinstance(value, dict):
                data[key] = _one({_key(k): None for k in value}, shared)
    return ObjectFacts(
        data,
        obj.ref,
        obj.file,
        obj.document.index,
        obj.prefix,
        obj.position(("metadata", "name")),
        obj.fragment,
        context,
    )


def prune(value: Any, keep: Any, shared: dict | None = None) -> Any:
    """The parts of `value` that `keep` names, JSON-safe."""
    if keep is True:
        return _json(value, shared)
    if isinstance(value, dict):
        return _one({_key(k): prune(v, keep[k], shared) for k, v in value.items() if k in keep}, shared)
    if isinstance(value, list):
        return _one([prune(v, keep, shared) for v in value if isinstance(v, dict)], shared)
    return _json(value, shared)


def _json(value: Any, shared: dict | None = None) -> Any:
    if isinstance(value, dict):
        return _one({_key(k): _json(v, shared) for k, v in value.items()}, shared)
    if isinstance(value, list):
        return _one([_json(v, shared) for v in value], shared)
    if isinstance(value, str):
        # Facts repeat the same short strings (keys, label values, "TCP")
        # thousands of times: one copy of each.
        return sys.intern(value) if len(value) <= 64 else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return ""
    return str(value)


def _one(value: dict | list, shared: dict | None) -> Any:
    """One object for equal mappings and lists of a run's facts.

    Facts repeat themselves: a workload's labels are its selector's
    matchLabels and its pod template's labels, every container of a chart has
    the same resources, overlays and vendored copies hold the same objects.
    Built bottom up, a container's parts are already the one copy of
    themselves, so it is equal to another exactly when their keys, scalar
    values and the identities of their parts are.  Facts are read-only (a
    change must copy first: see kubelint.run._settled)."""
    if shared is None or not value:
        return value
    # A flat tuple: keys and strings as they are, parts by identity (a bare
    # int), other scalars with their type (1, 1.0 and True are equal in Python).
    key: list = [type(value) is dict]
    for k, v in value.items() if type(value) is dict else enumerate(value):
        t = type(v)
        key.append(k)
        key.append(v if t is str or v is None else id(v) if t is dict or t is list else (t, v))
    key = tuple(key)
    one = shared.get(key)
    if one is None:
        shared[key] = one = value
    return one


def _key(k: Any) -> str:
    return sys.intern(k) if isinstance(k, str) else str(_json(k))
