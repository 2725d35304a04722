"""The facts a run keeps of every object: its data pruned to what
cross-object rules read.

A run checks files one at a time, but some rules look across objects (a
Service's selector and the pod templates it should reach, a Namespace's Pod
Security labels and its workloads, a binding and the role it names).  The run
keeps, for every object it knows (those checked and those of the project
context), a pruned copy of its data: the same shape as the manifest, so a
rule reads facts with the same helpers it reads objects with, without the
parts no cross-object rule reads (probes, commands, status, ConfigMap
values, CRD schemas, long annotations).  That keeps the run's memory
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
from typing import Any

from kubelint.model import K8sObject, ObjectFacts

# Keys whose values no cross-object rule reads, at any depth.
DROPPED_KEYS = frozenset(
    {
        "status",
        "managedFields",
        "command",
        "args",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle",
        "openAPIV3Schema",  # CRD schemas: the run's CrdIndex holds them
        "schema",
        "validation",
    }
)
# Kinds whose values are content, not configuration: keep the keys only.
CONTENT_KINDS = {("", "ConfigMap"), ("", "Secret")}
CONTENT_FIELDS = ("data", "binaryData", "stringData")
LONG_STRING = 512  # longer strings (embedded files, certificates) are dropped


def facts_of(obj: K8sObject, context: bool = False) -> ObjectFacts:
    data = prune(obj.data)
    if (obj.group, obj.kind) in CONTENT_KINDS:
        for key in CONTENT_FIELDS:
            value = obj.data.get(key)
            if isinstance(value, dict):
                data[key] = {str(k): None for k in value}
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


def prune(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of `value` without DROPPED_KEYS and long strings."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in DROPPED_KEYS:
                continue
            out[k if isinstance(k, str) else _scalar_text(k)] = prune(v, depth + 1)
        return out
    if isinstance(value, list):
        return [prune(v, depth + 1) for v in value]
    if isinstance(value, str):
        return value if len(value) <= LONG_STRING else ""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return ""
    return str(value)
