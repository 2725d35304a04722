"""Schemas of custom resources, from the CustomResourceDefinitions in the input.

`CrdIndex.from_objects(docs)` reads `apiextensions.k8s.io/v1` and `v1beta1` CRDs and
keeps, for every served version, the `openAPIV3Schema` under (group/version, kind).
`to_json_schema` turns one into JSON Schema 2020-12 the way the API server reads it:

- Unknown fields follow pruning (k8s.io/apiextensions-apiserver
  pkg/apiserver/schema/pruning/algorithm.go): in an object, a field that is neither in
  `properties` nor covered by `additionalProperties` is dropped by the API server, so
  in strict mode it is an unknown field.  `x-kubernetes-preserve-unknown-fields: true`
  keeps the unknown fields of that object (and of the items of that list); fields
  it does specify are pruned again below it, as upstream does.
- `apiVersion`, `kind` and `metadata` are never pruned at the resource root, nor in
  an `x-kubernetes-embedded-resource`; `metadata` is checked only loosely (a mapping,
  with string labels and annotations).
- apiextensions.k8s.io/v1beta1 CRDs keep unknown fields unless they set
  `spec.preserveUnknownFields: false` (KEP-2332 "Pruning for Custom Resources"),
  so they never report unknown fields.
- null is always admitted: the API server drops a null that `nullable` does not allow
  before it validates.  `x-kubernetes-int-or-string: true` admits integers and
  strings; draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers.
- Value validations inside `allOf`/`anyOf`/`oneOf`/`not` are kept (`oneOf` as `anyOf`);
  they never decide what is an unknown field (structural schemas forbid types there).
- `status` is accepted unchecked, as for built-in kinds.
- `x-kubernetes-validations` (CEL), `format`, `default` and `$ref` are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from kubelint.schema.validate import jsonable

_CRD_VERSIONS = ("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")
_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean"})
_META = {
    "type": ["object", "null"],
    "properties": {
        "name": {"type": ["string", "null"]},
        "namespace": {"type": ["string", "null"]},
        "labels": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}},
        "annotations": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}},
    },
}
_TYPE_META = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": _META}


@dataclass(frozen=True, slots=True, eq=False)
class CrdSchema:
    """The schema of one served version of one CRD.  Compared and hashed by
    identity, so a compiled validator is cached per entry."""

    crd: str  # metadata.name of the CRD, e.g. "prometheuses.monitoring.coreos.com"
    api_version: str  # e.g. "monitoring.coreos.com/v1"
    kind: str  # e.g. "Prometheus"
    schema: dict | None  # openAPIV3Schema as written; None when the CRD gives none
    prune: bool  # whether the API server drops unknown fields for this CRD


@dataclass(frozen=True, slots=True)
class CrdIndex:
    entries: Mapping[tuple[str, str], tuple[CrdSchema, ...]] = field(default_factory=dict)

    @classmethod
    def from_objects(cls, crds: Iterable[Any]) -> "CrdIndex":
        """Index every CustomResourceDefinition in `crds`; other documents are skipped."""
        found: dict[tuple[str, str], list[CrdSchema]] = {}
        for obj in crds:
            add_crd(found, obj)
        return cls.from_found(found)

    @classmethod
    def from_found(cls, found: dict[tuple[str, str], list[CrdSchema]]) -> "CrdIndex":
        return cls(MappingProxyType({key: tuple(value) for key, value in found.items()}))

    def entries_for(self, api_version: str, kind: str) -> tuple[CrdSchema, ...]:
        return self.entries.get((api_version, kind), ())

    def schema_for(self, api_version: str, kind: str) -> dict | None:
        """The openAPIV3Schema of the first CRD serving (api_version, kind); `{}` when
        that CRD declares no schema; None when no CRD serves it."""
        entries = self.entries_for(api_version, kind)
        if not entries:
            return None
        return entries[0].schema if entries[0].schema is not None else {}

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def add_crd(found: dict[tuple[str, str], list[CrdSchema]], obj: Any) -> None:
    """Add one CRD's schemas to an index being built, one at a time, so a
    run keeps each distinct schema once however often it is vendored."""
    for entry in _entries(obj):
        same = found.setdefault((entry.api_version, entry.kind), [])
        # The same CRD is often vendored twice; keep one copy of each schema.
        if not any(_same(e, entry) for e in same):
            same.append(entry)


def _same(a: CrdSchema, b: CrdSchema) -> bool:
    try:
        return a.prune == b.prune and a.schema == b.schema
    except RecursionError:  # a YAML alias that contains itself
        return False


def _entries(obj: Any) -> Iterable[CrdSchema]:
    if not isinstance(obj, dict) or obj.get("kind") != "CustomResourceDefinition":
        return
    if obj.get("apiVersion") not in _CRD_VERSIONS:
        return
    spec = _map(obj.get("spec"))
    group = spec.get("group")
    kind = _map(spec.get("names")).get("kind")
    if not isinstance(group, str) or not group or not isinstance(kind, str) or not kind:
        return
    name = _map(obj.get("metadata")).get("name")
    name = name if isinstance(name, str) else f"{_plural(spec)}.{group}"
    v1beta1 = obj["apiVersion"].endswith("v1beta1")
    # v1beta1: one schema for all versions in spec.validation, per-version schemas
    # allowed; pruning only with preserveUnknownFields: false.  v1: pruning, unless a
    # CRD created through v1beta1 kept preserveUnknownFields: true (v1 can still show it).
    shared = _map(_map(spec.get("validation")).get("openAPIV3Schema")) if v1beta1 else {}
    keep_unknown = spec.get("preserveUnknownFields")
    prune = keep_unknown is False if v1beta1 else keep_unknown is not True
    versions = [v for v in _list(spec.get("versions")) if isinstance(v, dict)]
    if not versions and v1beta1 and isinstance(spec.get("version"), str):
        versions = [{"name": spec["version"], "served": True}]
    for version in versions:
        vname = version.get("name")
        if not isinstance(vname, str) or version.get("served") is False:
            continue
        schema = _map(_map(version.get("schema")).get("openAPIV3Schema")) or shared
        yield CrdSchema(name, f"{group}/{vname}", kind, schema or None, prune)


def _plural(spec: dict) -> str:
    plural = _map(spec.get("names")).get("plural")
    return plural if isinstance(plural, str) else "unknown"


def _map(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


# --- to JSON Schema ------------------------------------------------------------


def to_json_schema(entry: CrdSchema, strict: bool, patterns: bool = True) -> dict:
    """The JSON Schema (2020-12) jsonschema_rs validates a custom resource against.
    With strict, fields the API server would prune are rejected."""
    if entry.schema is None:
        return {"type": "object", "properties": dict(_TYPE_META)}
    schema = entry.schema
    if isinstance(schema.get("properties"), dict) and "status" in schema["properties"]:
        # As for built-in kinds (scripts/gen_schemas.py), status is accepted and not
        # checked: users do not write it, and it is often half of a CRD's schema.
        schema = {**schema, "properties": {**schema["properties"], "status": {}}}
    root = _convert(schema, strict and entry.prune, patterns, keep=False, depth=0)
    # Pruning treats the resource root as an embedded resource: TypeMeta and
    # ObjectMeta are skipped (pruning/algorithm.go `Prune(..., isResourceRoot)`).
    root["properties"] = {**root.get("properties", {}), **_TYPE_META}
    return root


# Deeper than any real CRD (the parser refuses documents nested more than 500
# levels, so a schema cannot get here); a schema this deep is refused whole, never
# cut off (a cut-off node would accept anything below it).
_MAX_DEPTH = 500


_COUNTS = frozenset({"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"})
_JUNCTORS = frozenset({"allOf", "anyOf", "oneOf"})


def _convert(node: Any, prune: bool, patterns: bool, keep: bool, depth: int) -> dict:
    """One structural-schema node as JSON Schema.  `keep`: unknown fields of this
    node are preserved (it is the item of a preserve-unknown-fields list)."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"CustomResourceDefinition schema nested more than {_MAX_DEPTH} levels")
    if not isinstance(node, dict):
        return {}
    down = depth + 1
    out: dict[str, Any] = {}
    types: list[str] = []
    # int-or-string: anyOf/oneOf there only spells out "integer or string".
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    preserve = keep or node.get("x-kubernetes-preserve-unknown-fields") is True
    for key, value in node.items():
        if key == "description":
            continue
        if key == "type":
            if value in _TYPES:
                types = [value]
        elif key == "properties":
            if isinstance(value, dict):
                out["properties"] = {str(k): _convert(v, prune, patterns, False, down) for k, v in value.items()}
        elif key == "items":
            if isinstance(value, dict):
                out["items"] = _convert(value, prune, patterns, preserve, down)
            elif isinstance(value, list):
                out["prefixItems"] = [_convert(i, prune, patterns, preserve, down) for i in value]
        elif key == "additionalProperties":
            if isinstance(value, dict):
                out["additionalProperties"] = _convert(value, prune, patterns, False, down)
            elif value is True:
                out["additionalProperties"] = True
        elif key == "required":
            if isinstance(value, list) and value and all(isinstance(r, str) for r in value):
                out["required"] = value
        elif key == "enum":
            if isinstance(value, list) and value:
                values = jsonable(value)
                out["enum"] = values if None in values else values + [None]
        elif key == "pattern":
            if patterns and isinstance(value, str):
                out["pattern"] = value
        elif key in _COUNTS:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                out[key] = value
        elif key == "minimum" or key == "maximum":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                # OpenAPI v3.0 (draft 4): exclusiveMinimum is a flag on minimum.
                exclusive = "exclusiveMinimum" if key == "minimum" else "exclusiveMaximum"
                out[exclusive if node.get(exclusive) is True else key] = value
        elif key == "multipleOf":
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                out["multipleOf"] = value
        elif key == "uniqueItems":
            if value is True:
                out["uniqueItems"] = True
        elif key in _JUNCTORS:
            if isinstance(value, list) and value and not int_or_string:
                # oneOf is read as anyOf: the API server applies `default`s and checks
                # `format`s before this step, neither of which happens here, so two
                # branches can both match here where only one does there.
                target = "anyOf" if key == "oneOf" else key
                converted = [_convert(b, False, patterns, True, down) for b in value]
                if target in out:
                    out.setdefault("allOf", []).append({"anyOf": converted})
                else:
                    out[target] = converted
        elif key == "not":
            if isinstance(value, dict) and not int_or_string:
                out["not"] = _convert(value, False, patterns, True, down)
        # Not checked: format, default, example, nullable (see below),
        # x-kubernetes-validations (CEL) and the list/map markers.

    if int_or_string:
        types = ["integer", "string"]
    if types:
        # null is accepted whatever `nullable` says: the API server removes a null it
        # may not keep before validating (defaulting.PruneNonNullableNullsWithoutDefaults
        # in apiextensions-apiserver pkg/apiserver/schema/defaulting).
        out["type"] = types + ["null"]
    if node.get("x-kubernetes-embedded-resource") is True:
        out["properties"] = {**out.get("properties", {}), **_TYPE_META}
    if prune and not preserve and "additionalProperties" not in out and ("properties" in out or "object" in types):
        # An empty `properties` keeps jsonschema_rs reporting the field names.
        out.setdefault("properties", {})
        out["additionalProperties"] = False
    return out
