"""Gatekeeper: ConstraintTemplates, constraints, and what Gatekeeper gives a
template's Rego: `input.review`, `input.parameters`, `data.inventory`.

Sources: the Gatekeeper docs "How to use Gatekeeper" (constraint `spec.match`:
kinds, namespaces, excludedNamespaces, labelSelector, namespaceSelector,
scope, name; enforcementAction) and "Replicating data" (`data.inventory`),
and the frameworks' input shape (`input.review` is an AdmissionRequest).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from kubelint.k8s.workloads import as_list, as_map

TEMPLATE_GROUP = "templates.gatekeeper.sh"
CONSTRAINT_GROUP = "constraints.gatekeeper.sh"
TARGET = "admission.k8s.gatekeeper.sh"
# enforcementAction -> kubelint severity (the mapping).
ACTIONS = {"deny": "error", "warn": "warning", "dryrun": "info"}


@dataclass(slots=True)
class Template:
    name: str  # metadata.name
    kind: str  # spec.crd.spec.names.kind
    file: str
    line: int
    rego: str | None  # None: no Rego code (CEL only)
    rego_line: int  # line of the Rego source in the file (for errors)
    libs: list[str] = field(default_factory=list)
    version: str = "v0"  # Gatekeeper reads template Rego as v0 unless source.version says v1
    package: str = ""
    uses_inventory: bool = False


@dataclass(slots=True)
class Constraint:
    kind: str
    name: str
    file: str
    line: int
    match: dict
    parameters: Any
    action: str  # deny, warn, dryrun

    @property
    def rule_name(self) -> str:
        return f"{self.kind}/{self.name}"


def is_template(doc: dict) -> bool:
    return doc.get("kind") == "ConstraintTemplate" and str(doc.get("apiVersion", "")).startswith(TEMPLATE_GROUP + "/")


def is_constraint(doc: dict) -> bool:
    return str(doc.get("apiVersion", "")).startswith(CONSTRAINT_GROUP + "/")


def read_template(doc: dict, file: str, line: int) -> Template:
    spec = as_map(doc.get("spec"))
    kind = as_map(as_map(as_map(spec.get("crd")).get("spec")).get("names")).get("kind")
    name = as_map(doc.get("metadata")).get("name") or str(kind).lower()
    rego, libs, version = None, [], "v0"
    for target in map(as_map, as_list(spec.get("targets"))):
        if target.get("target") not in (None, TARGET):
            continue
        if isinstance(target.get("rego"), str):
            rego = target["rego"]
            libs = [lib for lib in as_list(target.get("libs")) if isinstance(lib, str)]
        for code in map(as_map, as_list(target.get("code"))):
            if code.get("engine") == "Rego":
                source = as_map(code.get("source"))
                if isinstance(source.get("rego"), str):
                    rego = source["rego"]
                    libs = [lib for lib in as_list(source.get("libs")) if isinstance(lib, str)]
                    version = "v1" if source.get("version") == "v1" else "v0"
    return Template(str(name), str(kind), file, line, rego, line, libs, version)


def read_constraint(doc: dict, file: str, line: int) -> Constraint:
    spec = as_map(doc.get("spec"))
    action = spec.get("enforcementAction") or "deny"
    return Constraint(
        kind=str(doc.get("kind")),
        name=str(as_map(doc.get("metadata")).get("name") or "unnamed"),
        file=file,
        line=line,
        match=as_map(spec.get("match")),
        parameters=spec.get("parameters", {}),
        action=action if action in ACTIONS else "deny",
    )


# --- matching -----------------------------------------------------------


def _glob(pattern: Any, value: str) -> bool:
    # Gatekeeper's namespace and name globs: a leading or trailing `*`.
    return isinstance(pattern, str) and fnmatch.fnmatchcase(value, pattern)


def selector_matches(selector: Any, labels: dict) -> bool:
    """A LabelSelector over a label mapping (matchLabels and matchExpressions
    ANDed; an empty selector matches everything)."""
    selector = as_map(selector)
    for key, value in as_map(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for expr in map(as_map, as_list(selector.get("matchExpressions"))):
        key, op, values = expr.get("key"), expr.get("operator"), as_list(expr.get("values"))
        if op == "In" and (key not in labels or labels[key] not in values):
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def group_version(api_version: str) -> tuple[str, str]:
    group, slash, version = api_version.rpartition("/")
    return (group, version) if slash else ("", api_version)


def is_namespaced(obj: dict) -> bool:
    from kubelint.k8s.kinds import NAMESPACED_BY_GROUP

    meta = as_map(obj.get("metadata"))
    if meta.get("namespace"):
        return True
    group, _ = group_version(str(obj.get("apiVersion", "")))
    return obj.get("kind") in NAMESPACED_BY_GROUP.get(group, ())


def matches(constraint: Constraint, review: dict, namespaces: dict[str, dict]) -> bool:
    """Whether a constraint's spec.match selects the object under review.
    `namespaces`: Namespace objects of the run, by name (for namespaceSelector)."""
    match = constraint.match
    obj = as_map(review.get("object")) or as_map(review.get("oldObject"))
    kind = as_map(review.get("kind"))
    group, kind_name = kind.get("group", ""), kind.get("kind", "")
    kinds = as_list(match.get("kinds"))
    if kinds and not any(
        any(g in ("*", group) for g in as_list(k.get("apiGroups")) or ["*"])
        and any(x in ("*", kind_name) for x in as_list(k.get("kinds")) or ["*"])
        for k in map(as_map, kinds)
    ):
        return False
    namespaced = is_namespaced(obj)
    scope = match.get("scope", "*")
    if scope == "Cluster" and namespaced or scope == "Namespaced" and not namespaced:
        return False
    # A namespaced object whose manifest names no namespace lands in the
    # kubectl context's namespace; gator verify matches it as `default`.
    ns = review.get("namespace") or as_map(obj.get("metadata")).get("namespace") or ("default" if namespaced else "")
    if kind_name == "Namespace" and group == "":
        ns = as_map(obj.get("metadata")).get("name") or ""
        namespaced = True
    if namespaced:
        if "namespaces" in match and not any(_glob(p, ns) for p in as_list(match.get("namespaces"))):
            return False
        if any(_glob(p, ns) for p in as_list(match.get("excludedNamespaces"))):
            return False
    name = review.get("name") or ""
    if "name" in match and not _glob(match.get("name"), name):
        return False
    labels = as_map(as_map(obj.get("metadata")).get("labels"))
    if "labelSelector" in match and not selector_matches(match["labelSelector"], labels):
        return False
    if "namespaceSelector" in match and namespaced:
        if kind_name == "Namespace" and group == "":
            ns_labels = labels
        elif ns in namespaces:
            ns_labels = as_map(as_map(namespaces[ns].get("metadata")).get("labels"))
        else:
            return False  # the Namespace is not in the run: its labels are unknown
        if not selector_matches(match["namespaceSelector"], ns_labels):
            return False
    return True


# --- what a template sees -----------------------------------------------


def review_of(obj: dict) -> dict:
    """`input.review` for an object, as Gatekeeper builds it for a CREATE
    (an AdmissionReview document gives its own request)."""
    if obj.get("kind") == "AdmissionReview" and isinstance(obj.get("request"), dict):
        request = dict(obj["request"])
        target = as_map(request.get("object")) or as_map(request.get("oldObject"))
        if "kind" not in request:
            g, v = group_version(str(target.get("apiVersion", "")))
            request["kind"] = {"group": g, "version": v, "kind": target.get("kind", "")}
        meta = as_map(target.get("metadata"))
        request.setdefault("name", meta.get("name", ""))
        request.setdefault("namespace", meta.get("namespace", ""))
        request.setdefault("operation", "CREATE")
        return request
    group, version = group_version(str(obj.get("apiVersion", "")))
    meta = as_map(obj.get("metadata"))
    return {
        "kind": {"group": group, "version": version, "kind": obj.get("kind", "")},
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", "") if obj.get("kind") != "Namespace" else "",
        "operation": "CREATE",
        "object": obj,
        "userInfo": {"username": "kubelint", "groups": []},
        "dryRun": False,
    }


def inventory(objects: list[dict]) -> dict:
    """`data.inventory` as Gatekeeper's sync gives it:
    cluster[apiVersion][kind][name] and namespace[ns][apiVersion][kind][name]."""
    cluster: dict = {}
    namespaced: dict = {}
    for obj in objects:
        meta = as_map(obj.get("metadata"))
        name = meta.get("name")
        if not isinstance(name, str):
            continue
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        ns = meta.get("namespace")
        if isinstance(ns, str) and ns:
            namespaced.setdefault(ns, {}).setdefault(api_version, {}).setdefault(kind, {})[name] = obj
        elif is_namespaced(obj):
            # No namespace in the manifest: kubectl would apply it to `default`.
            namespaced.setdefault("default", {}).setdefault(api_version, {}).setdefault(kind, {})[name] = obj
        else:
            cluster.setdefault(api_version, {}).setdefault(kind, {})[name] = obj
    return {"cluster": cluster, "namespace": namespaced}
