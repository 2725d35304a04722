"""The values that flow between kubelint's stages: objects, problems, findings.

Everything here is a frozen, slotted dataclass so a stage cannot change what an
earlier stage produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
# Lower rank is more severe; used by --fail-on and sorting.
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

# Where in the source a problem points:
#   "value"  the value at the path (a bad value)
#   "key"    the key of the path (an unknown or repeated field)
#   "parent" the nearest existing mapping (a missing field)
Anchor = Literal["value", "key", "parent"]

Path = tuple  # of str (mapping keys) and int (list indexes), relative to the object


@dataclass(frozen=True, slots=True)
class Fix:
    """How to fix a problem: an imperative title ending with a period, and
    optionally a YAML snippet to add or change."""

    title: str
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule yields: where (a path in the object) and what.  The engine
    adds the file, the position, the object and the rule's metadata."""

    path: Path
    message: str
    fix: Fix | None = None
    at: Anchor = "value"
    # A rule whose severity depends on the case (a Pod Security level set by
    # a namespace label) may say so; a user's severity override still wins.
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class ObjectRef:
    api_version: str
    kind: str
    namespace: str | None
    name: str | None

    def label(self) -> str:
        """`Deployment prod/web`, the way a user names an object."""
        name = self.name or "<unnamed>"
        if self.namespace:
            name = f"{self.namespace}/{name}"
        return f"{self.kind} {name}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem with everything a report needs."""

    rule: str  # the code, e.g. KL101
    name: str  # e.g. image-tag-latest
    severity: Severity
    message: str
    file: str
    line: int  # 1-based
    column: int  # 1-based
    fix: Fix | None = None
    object: ObjectRef | None = None
    path: Path = ()

    @property
    def pointer(self) -> str:
        """The path as a JSON pointer (RFC 6901), relative to the object."""
        return json_pointer(self.path)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule, self.message)


def json_pointer(path: Path) -> str:
    if not path:
        return ""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(slots=True)
class Document:
    """One YAML or JSON document of a file, as plain data plus its positions."""

    file: str
    index: int  # 0-based document number within the file
    data: Any
    source_map: Any  # kubelint.parse.sourcemap.SourceMap
    line: int  # 1-based line where the document starts


@dataclass(slots=True)
class K8sObject:
    """A Kubernetes object: a document, or an item of a `kind: List`."""

    data: dict
    document: Document
    prefix: Path = ()  # path of the object within its document (List items)
    ref: ObjectRef = field(default=None)  # type: ignore[assignment]
    # A kustomize patch: a fragment merged into a base, not a whole object.
    partial: bool = False

    def __post_init__(self) -> None:
        if self.ref is None:
            meta = self.data.get("metadata")
            meta = meta if isinstance(meta, dict) else {}
            ns, name = meta.get("namespace"), meta.get("name")
            self.ref = ObjectRef(
                api_version=str(self.data.get("apiVersion", "")),
                kind=str(self.data.get("kind", "")),
                namespace=ns if isinstance(ns, str) else None,
                name=name if isinstance(name, str) else None,
            )

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def api_version(self) -> str:
        return self.ref.api_version

    @property
    def group(self) -> str:
        """The API group: `apps` for apps/v1, "" for the core group (v1)."""
        group, slash, _ = self.ref.api_version.rpartition("/")
        return group if slash else ""

    @property
    def file(self) -> str:
        return self.document.file

    def position(self, path: Path, at: Anchor = "value") -> tuple[int, int]:
        """1-based (line, column) of `path` within this object."""
        return self.document.source_map.position(self.prefix + tuple(path), at)


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run of `kubelint check` found; every reporter renders one."""

    findings: tuple[Finding, ...]
    files: int
    objects: int
    kubernetes_version: str
    rules: tuple  # the kubelint.registry.Rule values that were active

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
