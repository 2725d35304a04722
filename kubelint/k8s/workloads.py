"""Helpers rules use to read objects: pod specs, containers, tolerant access.

Every pod-bearing kind keeps its pod spec at a known path
(https://kubernetes.io/docs/concepts/workloads/); CronJob reaches it through
`spec.jobTemplate`.  Rules never index raw data directly where a wrong type
could crash them: `as_map`, `as_list` and `as_str` turn anything unexpected
into an empty value (the schema stage reports the wrong type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from kubelint.k8s.kinds import POD_KINDS, group_of, resolve
from kubelint.model import K8sObject, Path

# kind -> path of the pod template (metadata + spec) within the object.
POD_TEMPLATE_PATHS: dict[str, Path] = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}
_POD_PAIRS = resolve(POD_KINDS)  # POD_TEMPLATE_PATHS and Pod, in their built-in groups
CONTAINER_GROUPS = ("initContainers", "containers", "ephemeralContainers")
# The containers a pod is created with: ephemeral containers (added later
# for debugging) may not have ports, probes or resources (core/v1
# EphemeralContainerCommon).
POD_CONTAINER_GROUPS = ("initContainers", "containers")
# A container's probes (core/v1 Container: livenessProbe, readinessProbe, startupProbe).
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def as_map(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def get_path(data: Any, path: Path, default: Any = None) -> Any:
    for seg in path:
        if isinstance(seg, int):
            if not isinstance(data, list) or not 0 <= seg < len(data):
                return default
        elif not isinstance(data, dict) or seg not in data:
            return default
        data = data[seg]
    return data


@dataclass(frozen=True, slots=True)
class PodSpec:
    """A pod spec and its metadata (the pod's own for a Pod, else the template's)."""

    spec: dict
    path: Path  # path of `spec` within the object
    metadata: dict
    metadata_path: Path


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    spec: dict
    path: Path  # e.g. ("spec", "template", "spec", "containers", 0)
    group: str  # containers, initContainers or ephemeralContainers
    pod: PodSpec

    @property
    def label(self) -> str:
        """`container "web"`, `init container "setup"`, `ephemeral container "debug"`."""
        prefix = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}
        return f'{prefix.get(self.group, "container")} "{self.name}"'

    @property
    def security_context(self) -> dict:
        return as_map(self.spec.get("securityContext"))


def pod_spec(obj: K8sObject) -> PodSpec | None:
    """The pod spec of a pod-bearing object, or None for other kinds."""
    if not isinstance(obj, K8sObject):  # facts of another object
        return _pod_spec(obj)
    if obj.pod is False:  # an object being checked keeps it
        obj.pod = _pod_spec(obj)
    return obj.pod


def _pod_spec(obj: K8sObject) -> PodSpec | None:
    kind = obj.kind
    if kind not in POD_KINDS or (group_of(obj.api_version), kind) not in _POD_PAIRS:
        return None  # not a built-in pod-bearing kind (a CRD may reuse the name)
    if kind == "Pod":
        return PodSpec(as_map(obj.data.get("spec")), ("spec",), as_map(obj.data.get("metadata")), ("metadata",))
    base = POD_TEMPLATE_PATHS.get(kind)
    if base is None:
        return None
    template = as_map(get_path(obj.data, base))
    return PodSpec(as_map(template.get("spec")), base + ("spec",), as_map(template.get("metadata")), base + ("metadata",))


def containers(obj: K8sObject, groups: tuple[str, ...] = CONTAINER_GROUPS) -> Iterator[Container]:
    """Every container of a pod-bearing object, init and ephemeral ones
    included unless `groups` narrows it, each with its path."""
    pod = pod_spec(obj)
    if pod is None:
        return
    for group in groups:
        for index, spec in enumerate(as_list(pod.spec.get(group))):
            if isinstance(spec, dict):
                name = spec.get("name")
                yield Container(str(name) if name is not None else f"#{index}", spec, pod.path + (group, index), group, pod)


def port_names(container: Any) -> dict:
    """name -> containerPort of the named ports a container declares."""
    names = {}
    for port in as_list(as_map(container).get("ports")):
        port = as_map(port)
        if isinstance(port.get("name"), str):
            names[port["name"]] = port.get("containerPort")
    return names


def object_annotations(obj: K8sObject) -> dict:
    return as_map(as_map(obj.data.get("metadata")).get("annotations"))


def is_windows(pod: PodSpec) -> bool:
    """spec.os.name: windows (the API then forbids Linux-only securityContext fields)."""
    return as_str(as_map(pod.spec.get("os")).get("name")) == "windows"


def deepest_mapping(spec: dict, base: tuple, keys: tuple) -> tuple:
    """The path of the deepest existing mapping along `keys` below `base`,
    where a missing field is reported (e.g. the container's securityContext,
    or the container itself when it has none)."""
    path, node = base, spec
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            break
        path = path + (key,)
    return path
