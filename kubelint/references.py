"""References between objects: does the object a field names exist in the run?

A dangling reference (an HPA targeting a Deployment that is not there, a pod
naming a ServiceAccount nobody creates) is reported only on sure ground:

* The run holds objects of the referenced kind in the referring object's
  namespace ("the repository manages that kind there"), and none of them has
  the name.  Then the reference is reported with the nearest existing name as
  a "did you mean".  When nothing of that kind is visible there, the object
  may live in the cluster and the rules stay silent, unless their `strict`
  option says the repository holds everything.
* Namespaces follow kubelint.pods: an object without `metadata.namespace`
  lands wherever it is applied.  A name matches when the namespaces may be
  equal (either unset, or equal).  For the decision to report, a candidate
  must surely share the namespace: both name the same one and their files
  sit in one directory tree (one directory contains the other), or neither
  names one and their files sit in the same directory.  So unrelated
  applications checked in one run (two repositories' `kube-system` objects,
  a kustomize overlay and its base) do not count as one namespace.

Each index below is a small named builder over `ctx.objects`, computed once
per run through `ctx.memo`; the docstring of each says which fields of the
other objects it reads.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from typing import Any, Iterable

from kubelint.model import K8sObject
from kubelint.k8s.workloads import as_list, as_map

# The option every dangling-reference rule takes.
STRICT_OPTION = {
    "strict": {
        "type": "boolean",
        "default": False,
        "description": (
            "Report a reference also when the run holds no object of the referenced kind in that "
            "namespace (for repositories that hold every object they use)."
        ),
    }
}


@dataclass(frozen=True, slots=True)
class Named:
    """What a reference check keeps of another object."""

    kind: str
    namespace: str | None
    name: str
    directory: str
    label: str


def related_directories(a: str, b: str) -> bool:
    """One directory is the other or contains it."""
    if a == b:
        return True
    a, b = a + os.sep, b + os.sep
    return a.startswith(b) or b.startswith(a)


def surely_together(namespace: str | None, directory: str, other: Named) -> bool:
    """Whether `other` is surely in the namespace of an object at
    (namespace, directory), see the module docstring."""
    return surely_in(namespace, directory, other.namespace, other.directory)


def surely_in(namespace: str | None, directory: str, other_namespace: str | None, other_directory: str) -> bool:
    """Both name the same namespace and sit in one directory tree, or
    neither names one and they sit in the same directory."""
    if namespace is not None or other_namespace is not None:
        return namespace == other_namespace and related_directories(directory, other_directory)
    return directory == other_directory


def named_objects(ctx) -> dict[str, list[Named]]:
    """kind -> the objects of that kind.  Reads of every object: kind,
    apiVersion (built-in groups only count for a built-in kind),
    metadata.name and metadata.namespace, and its file's directory."""

    def build() -> dict[str, list[Named]]:
        index: dict[str, list[Named]] = {}
        for o in ctx.objects:
            if o.fragment or not isinstance(o.ref.name, str):
                continue
            index.setdefault(o.kind, []).append(
                Named(o.kind, o.ref.namespace, o.ref.name, os.path.dirname(o.file), o.ref.label())
            )
        return index

    return ctx.memo(("references", "named"), build)


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer for one reference: found, or missing with candidates."""

    found: Named | None
    candidates: tuple[str, ...]  # names of that kind surely in the namespace

    def missing(self, strict: bool) -> bool:
        return self.found is None and (bool(self.candidates) or strict)

    def hint(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.candidates, n=1, cutoff=0.6)
        if close:
            return f'; did you mean "{close[0]}"?'
        if self.candidates:
            shown = sorted(self.candidates)[:3]
            more = ", ..." if len(self.candidates) > 3 else ""
            return f" (the run has {', '.join(repr(n) for n in shown)}{more})"
        return ""


def _lookup_index(ctx) -> dict:
    """The named objects by (kind, name), (kind, namespace) and
    (kind, directory), so that a lookup reads only what may answer it."""

    def build() -> dict:
        by_name: dict = {}
        by_namespace: dict = {}
        by_directory: dict = {}
        for kind, objects in named_objects(ctx).items():
            for other in objects:
                by_name.setdefault((kind, other.name), []).append(other)
                by_namespace.setdefault((kind, other.namespace), []).append(other)
                by_directory.setdefault((kind, other.directory), []).append(other)
        return {"name": by_name, "namespace": by_namespace, "directory": by_directory}

    return ctx.memo(("references", "lookup-index"), build)


def lookup(ctx, obj: K8sObject, kinds: Iterable[str], name: str, cluster_scoped: bool = False) -> Lookup:
    """Find an object of one of `kinds` called `name` that `obj` may see;
    when there is none, the names of that kind surely beside it."""
    index = _lookup_index(ctx)
    namespace, directory = obj.ref.namespace, os.path.dirname(obj.file)
    for kind in kinds:
        for other in index["name"].get((kind, name), ()):
            if cluster_scoped or namespace is None or other.namespace is None or namespace == other.namespace:
                return Lookup(other, ())
    candidates = set()
    for kind in kinds:
        if cluster_scoped:
            candidates.update(o.name for o in index["directory"].get((kind, directory), ()))
        elif namespace is None:
            candidates.update(o.name for o in index["directory"].get((kind, directory), ()) if o.namespace is None)
        else:
            candidates.update(
                o.name for o in index["namespace"].get((kind, namespace), ()) if related_directories(directory, o.directory)
            )
    return Lookup(None, tuple(sorted(candidates)))


def strict(ctx) -> bool:
    return bool(ctx.options.get("strict"))


def quoted(values: Iterable[Any]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def as_dicts(value: Any) -> list[dict]:
    return [v for v in as_list(value) if isinstance(v, dict)]


__all__ = ["STRICT_OPTION", "Lookup", "Named", "as_dicts", "as_map", "lookup", "named_objects", "quoted", "strict"]
