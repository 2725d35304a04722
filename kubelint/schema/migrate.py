"""The mechanical part of moving an object off a removed or deprecated API
version, as structured edits for `--fix`.

Each migration follows the Deprecated API Migration Guide
(https://kubernetes.io/docs/reference/using-api/deprecation-guide/) and the
conversion functions of the API server (k8s.io/kubernetes pkg/apis/*/v*/
conversion.go).  A migration returns the edits and their safety: "safe" when
the object means the same under the new version, "unsafe" when a default or a
meaning changes.  When part of a migration cannot be done mechanically there
is no edit at all and the fix title says what to change by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubelint.model import Edit
from kubelint.k8s.workloads import as_list, as_map


@dataclass(frozen=True, slots=True)
class Migration:
    edits: tuple[Edit, ...]
    safety: str  # "safe" or "unsafe"
    note: str = ""  # what the user should know about the result ("" when nothing)


def migrate(change, data: dict) -> Migration | None:
    """The edits that move `data` (an object of change.api_version/kind) to
    change.replacement, or None when that cannot be done mechanically."""
    if change.replacement is None:
        return None
    to = (Edit("set", ("apiVersion",), change.replacement),)
    handler = _HANDLERS.get(change.kind)
    if handler is not None:
        found = handler(change, data)
        if found is None:
            return None
        edits, safety, note = found
        return Migration(to + tuple(edits), safety, note)
    if change.notes:
        return None  # fields change in ways not modelled here; the title lists them
    return Migration(to, "safe")


def _workload(change, data: dict):
    """extensions/v1beta1 and apps/v1beta1/v1beta2 workloads -> apps/v1.

    apps/v1 requires spec.selector; the old versions defaulted it to the
    template labels, so those labels are the selector that keeps the object's
    meaning.  rollbackTo and templateGeneration are gone.  The defaults of
    the old versions differ (extensions/v1beta1: no progress deadline, an
    unlimited revision history, OnDelete DaemonSet updates; apps/v1beta1
    Deployment: two revisions kept), so only apps/v1beta2 is safe."""
    spec = as_map(data.get("spec"))
    edits: list[Edit] = []
    if spec.get("selector") is None:
        labels = as_map(as_map(as_map(spec.get("template")).get("metadata")).get("labels"))
        if not labels or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            return None
        edits.append(Edit("set", ("spec", "selector"), {"matchLabels": dict(labels)}))
    for gone in ("rollbackTo", "templateGeneration"):
        if gone in spec:
            edits.append(Edit("remove", ("spec", gone)))
    safe = change.api_version == "apps/v1beta2"
    return edits, "safe" if safe else "unsafe", "" if safe else "defaults of the new version apply"


def _backend_edits(backend: Any, path: tuple) -> list[Edit] | None:
    """serviceName/servicePort -> service.name/port.number|name."""
    backend = as_map(backend)
    if "serviceName" not in backend and "servicePort" not in backend:
        return []
    name, port = backend.get("serviceName"), backend.get("servicePort")
    if not isinstance(name, str):
        return None
    if isinstance(port, bool):
        return None
    if isinstance(port, int):
        port_value: dict = {"number": port}
    elif isinstance(port, str) and port.isascii() and port.isdigit():
        if len(port) > 5:
            return None  # no port has that many digits
        port_value = {"number": int(port)}
    elif isinstance(port, str) and port:
        port_value = {"name": port}
    else:
        return None
    # Renaming serviceName keeps its place and its comment.
    return [
        Edit("remove", path + ("servicePort",)),
        Edit("rename", path + ("serviceName",), "service"),
        Edit("set", path + ("service",), {"name": name, "port": port_value}),
    ]


def _ingress(change, data: dict):
    """extensions/v1beta1 and networking.k8s.io/v1beta1 Ingress -> v1.

    spec.backend becomes spec.defaultBackend; a backend's serviceName and
    servicePort become service.name and service.port.number (or .name for a
    named port); every path needs a pathType, and ImplementationSpecific is
    what v1beta1 did without one (the API server's conversion sets it)."""
    spec = as_map(data.get("spec"))
    edits: list[Edit] = []
    backend_key = "backend"
    if "backend" in spec:
        if "defaultBackend" in spec:
            return None
        edits.append(Edit("rename", ("spec", "backend"), "defaultBackend"))
        backend_key = "defaultBackend"
    if backend_key in spec or "backend" in spec:
        found = _backend_edits(spec.get("backend"), ("spec", backend_key))
        if found is None:
            return None
        edits += found
    for i, ingress_rule in enumerate(as_list(spec.get("rules"))):
        for j, path in enumerate(as_list(as_map(as_map(ingress_rule).get("http")).get("paths"))):
            where = ("spec", "rules", i, "http", "paths", j)
            found = _backend_edits(as_map(path).get("backend"), where + ("backend",))
            if found is None:
                return None
            edits += found
            if as_map(path).get("pathType") is None:
                edits.append(Edit("set", where + ("pathType",), "ImplementationSpecific"))
    return edits, "safe", ""


def _target(kind: str, value: Any) -> dict:
    key = {"Utilization": "averageUtilization", "AverageValue": "averageValue", "Value": "value"}[kind]
    return {"type": kind, key: value}


def _hpa(change, data: dict):
    """autoscaling/v2beta1 and v2beta2 HorizontalPodAutoscaler -> v2.

    v2beta2 has the metric blocks of v2 already.  v2beta1's flat targets
    (targetAverageUtilization, targetAverageValue, targetValue, metricName,
    metricSelector) become the `metric` and `target` blocks, as the API
    server's conversion does (pkg/apis/autoscaling/v2beta1/conversion.go)."""
    if change.api_version == "autoscaling/v2beta2":
        return [], "safe", ""
    edits: list[Edit] = []
    for i, metric in enumerate(as_list(as_map(data.get("spec")).get("metrics"))):
        metric = as_map(metric)
        kind = metric.get("type")
        field = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                 "Object": "object", "External": "external"}.get(kind)
        if field is None:
            return None
        block = as_map(metric.get(field))
        base = ("spec", "metrics", i, field)
        if "target" in block and isinstance(block.get("target"), dict) and "metricName" not in block:
            continue  # already in the v2 shape
        if field in ("resource", "containerResource"):
            if "targetAverageUtilization" in block:
                target = _target("Utilization", block["targetAverageUtilization"])
            elif "targetAverageValue" in block:
                target = _target("AverageValue", block["targetAverageValue"])
            else:
                return None
            edits += [Edit("remove", base + ("targetAverageUtilization",)),
                      Edit("remove", base + ("targetAverageValue",)),
                      Edit("set", base + ("target",), target)]
            continue
        name = block.get("metricName")
        if not isinstance(name, str):
            return None
        selector_key = "metricSelector" if field == "external" else "selector"
        metric_id: dict = {"name": name}
        if block.get(selector_key) is not None:
            metric_id["selector"] = block[selector_key]
        if field == "pods":
            if "targetAverageValue" not in block:
                return None
            target = _target("AverageValue", block["targetAverageValue"])
            gone = ("metricName", "selector", "targetAverageValue")
        elif field == "external":
            if "targetValue" in block:
                target = _target("Value", block["targetValue"])
            elif "targetAverageValue" in block:
                target = _target("AverageValue", block["targetAverageValue"])
            else:
                return None
            gone = ("metricName", "metricSelector", "targetValue", "targetAverageValue")
        else:  # object: `target` was the described object
            if "averageValue" in block:
                target = _target("AverageValue", block["averageValue"])
            elif "targetValue" in block:
                target = _target("Value", block["targetValue"])
            else:
                return None
            if not isinstance(block.get("target"), dict):
                return None
            edits.append(Edit("rename", base + ("target",), "describedObject"))
            gone = ("metricName", "selector", "targetValue", "averageValue")
        edits += [Edit("remove", base + (g,)) for g in gone]
        edits += [Edit("set", base + ("metric",), metric_id), Edit("set", base + ("target",), target)]
    return edits, "safe", ""


def _pdb(change, data: dict):
    """policy/v1beta1 -> policy/v1: an empty selector ({}) selected no pod and
    now selects every pod of the namespace, so that case is unsafe."""
    selector = as_map(data.get("spec")).get("selector")
    if isinstance(selector, dict) and not any(selector.values()):
        return [], "unsafe", "an empty selector now selects every pod in the namespace"
    return [], "safe", ""


def _flow_control(change, data: dict):
    """FlowSchema and PriorityLevelConfiguration -> flowcontrol.apiserver.k8s.io/v1.

    v1beta2 assuredConcurrencyShares is v1's nominalConcurrencyShares.  Before
    v1, 0 (or unset) meant the default of 30; in v1 an explicit 0 stays 0, so
    an explicit 0 is removed to keep the default."""
    if change.kind != "PriorityLevelConfiguration":
        return [], "safe", ""
    limited = as_map(as_map(data.get("spec")).get("limited"))
    base = ("spec", "limited")
    edits: list[Edit] = []
    for key in ("assuredConcurrencyShares", "nominalConcurrencyShares"):
        if key not in limited:
            continue
        if limited[key] == 0:
            edits.append(Edit("remove", base + (key,)))
        elif key == "assuredConcurrencyShares":
            if "nominalConcurrencyShares" in limited:
                return None
            edits.append(Edit("rename", base + (key,), "nominalConcurrencyShares"))
    return edits, "safe", ""


def _cronjob(change, data: dict):
    """batch/v1beta1 -> batch/v1: the same fields."""
    return [], "safe", ""


_HANDLERS = {
    "Deployment": _workload,
    "DaemonSet": _workload,
    "ReplicaSet": _workload,
    "StatefulSet": _workload,
    "Ingress": _ingress,
    "HorizontalPodAutoscaler": _hpa,
    "PodDisruptionBudget": _pdb,
    "FlowSchema": _flow_control,
    "PriorityLevelConfiguration": _flow_control,
    "CronJob": _cronjob,
}
