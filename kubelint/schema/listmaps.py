"""Lists the API treats as maps: `x-kubernetes-list-type: map` with their
`x-kubernetes-list-map-keys`, and a walker that finds them in an object.

The table is upstream's (the Kubernetes 1.35 OpenAPI v3 documents,
api/openapi-spec/v3 in k8s.io/kubernetes, from the `+listType=map` and
`+listMapKey=` markers of the API types); status fields are left out, a
manifest does not set them.  The bundled schemas (schemas/kubernetes) drop
the `x-kubernetes-*` markers, so the walker follows the bundled definitions
and looks each (definition, property) up here.

Entries another rule already owns are marked so: container and volume names
(duplicate-name), env names (env-duplicate), Service ports (invalid-port).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

# definition -> property -> key fields
LIST_MAP_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "io.k8s.api.admissionregistration.v1.MutatingWebhook": {"matchConditions": ("name",)},
    "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration": {"webhooks": ("name",)},
    "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec": {"matchConditions": ("name",), "variables": ("name",)},
    "io.k8s.api.admissionregistration.v1.ValidatingWebhook": {"matchConditions": ("name",)},
    "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration": {"webhooks": ("name",)},
    "io.k8s.api.core.v1.Container": {
        "env": ("name",), "ports": ("containerPort", "protocol"), "volumeDevices": ("devicePath",), "volumeMounts": ("mountPath",),
    },
    "io.k8s.api.core.v1.EphemeralContainer": {
        "env": ("name",), "ports": ("containerPort", "protocol"), "volumeDevices": ("devicePath",), "volumeMounts": ("mountPath",),
    },
    "io.k8s.api.core.v1.PodSpec": {
        "containers": ("name",), "ephemeralContainers": ("name",), "hostAliases": ("ip",), "imagePullSecrets": ("name",),
        "initContainers": ("name",), "resourceClaims": ("name",), "schedulingGates": ("name",),
        "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"), "volumes": ("name",),
    },
    "io.k8s.api.core.v1.ResourceRequirements": {"claims": ("name",)},
    "io.k8s.api.core.v1.ServiceAccount": {"secrets": ("name",)},
    "io.k8s.api.core.v1.ServiceSpec": {"ports": ("port", "protocol")},
    "io.k8s.api.storage.v1.CSINodeSpec": {"drivers": ("name",)},
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"ownerReferences": ("uid",)},
}

# (definition, property) pairs whose duplicates another rule reports.
OWNED_ELSEWHERE = frozenset(
    {
        ("io.k8s.api.core.v1.PodSpec", "containers"),
        ("io.k8s.api.core.v1.PodSpec", "initContainers"),
        ("io.k8s.api.core.v1.PodSpec", "ephemeralContainers"),
        ("io.k8s.api.core.v1.PodSpec", "volumes"),
        ("io.k8s.api.core.v1.Container", "env"),
        ("io.k8s.api.core.v1.EphemeralContainer", "env"),
        ("io.k8s.api.core.v1.ServiceSpec", "ports"),
    }
)

# Key fields the API server defaults before it compares (SetDefaults_ContainerPort,
# SetDefaults_ServicePort: protocol TCP).
KEY_DEFAULTS = {"protocol": "TCP"}

_REF = "#/$defs/"


@dataclass(frozen=True, slots=True)
class ListMap:
    path: tuple  # of the list, relative to the object
    keys: tuple[str, ...]
    items: list
    defaults: Any = None  # key field -> default (None: the built-in KEY_DEFAULTS)


def _ref_name(schema: Any) -> str | None:
    """The definition a property schema points to, through `items` too."""
    if not isinstance(schema, dict):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF):
        return ref[len(_REF):]
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or ():
            name = _ref_name(sub)
            if name:
                return name
    return None


def list_maps(data: Any, definition: str, defs: dict, path: tuple = (), depth: int = 0) -> Iterator[ListMap]:
    """Every list-type map of `data` (an object of `definition`) not owned
    by another rule, with its path."""
    if depth > 40 or not isinstance(data, dict):
        return
    schema = defs.get(definition)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return
    table = LIST_MAP_KEYS.get(definition, {})
    for key, value in data.items():
        prop = properties.get(key)
        if not isinstance(prop, dict):
            continue
        if isinstance(value, list):
            keys = table.get(key)
            if keys and (definition, key) not in OWNED_ELSEWHERE:
                yield ListMap(path + (key,), keys, value)
            item = _ref_name(prop.get("items"))
            if item:
                for index, element in enumerate(value):
                    yield from list_maps(element, item, defs, path + (key, index), depth + 1)
        elif isinstance(value, dict):
            target = _ref_name(prop)
            if target:
                yield from list_maps(value, target, defs, path + (key,), depth + 1)


def key_of(item: Any, keys: tuple[str, ...], defaults: Any = None) -> tuple | None:
    """The key of a list item, defaults applied; None when it cannot be read
    (the schema stage reports a wrong type or a missing key)."""
    if not isinstance(item, dict):
        return None
    defaults = KEY_DEFAULTS if defaults is None else defaults
    out = []
    for k in keys:
        value = item.get(k, defaults.get(k))
        if value is None or isinstance(value, (dict, list)):
            return None
        out.append(value)
    return tuple(out)


def crd_list_maps(data: Any, schema: Any, path: tuple = (), depth: int = 0) -> Iterator[ListMap]:
    """Every list-type map of `data` along a CRD's openAPIV3Schema (which
    keeps its `x-kubernetes-list-type` markers).  Defaults of key fields
    come from the item schema (the API server defaults before comparing)."""
    if depth > 60 or not isinstance(schema, dict):
        return
    if isinstance(data, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, value in data.items():
            sub = properties.get(key) if isinstance(properties, dict) else None
            if sub is None and isinstance(extra, dict):
                sub = extra
            yield from crd_list_maps(value, sub, path + (key,), depth + 1)
    elif isinstance(data, list):
        keys = schema.get("x-kubernetes-list-map-keys")
        if schema.get("x-kubernetes-list-type") == "map" and isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            yield ListMap(path, tuple(keys), data, _item_defaults(schema.get("items"), keys))
        for index, element in enumerate(data):
            yield from crd_list_maps(element, schema.get("items"), path + (index,), depth + 1)


def _item_defaults(items: Any, keys: list) -> dict:
    properties = items.get("properties") if isinstance(items, dict) else None
    if not isinstance(properties, dict):
        return {}
    return {k: properties[k]["default"] for k in keys if isinstance(properties.get(k), dict) and "default" in properties[k]}
