"""The values that flow between kubelint's stages: objects, problems, findings.

The values that cross stages (Fix, Edit, Problem, ObjectRef, Finding,
ObjectFacts, Context, RunResult) are frozen, slotted dataclasses, so a stage
cannot change what an earlier stage produced.  Document and K8sObject are
the parse of one file while it is checked: the run settles them (fragments,
kustomize labels) before any rule sees them, and rules only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

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


# How safe a fix is to apply without a person reading it (ruff's contract):
#   "safe"    keeps the object's meaning; `--fix` applies it
#   "unsafe"  can change behaviour at run time; needs `--unsafe-fixes`
#   "none"    nothing mechanical to apply; the title and snippet say what to do
FixSafety = Literal["safe", "unsafe", "none"]
FIX_SAFETIES: tuple[FixSafety, ...] = ("safe", "unsafe", "none")

# What an edit does at its path (relative to the object, like Problem.path):
#   "set"     set the value at the path, creating missing mappings on the way
#   "add"     append the value to the list at the path (created if missing),
#             unless an equal item is already there
#   "remove"  delete the key or list item at the path (nothing if absent)
#   "rename"  rename the mapping key at the path to `value` (a str)
#   "keep-last"  remove the earlier entries of a key the mapping repeats,
#             keeping the last (what kubectl keeps); for the duplicate-key
#             finding, whose path is relative to its document
EditOp = Literal["set", "add", "remove", "rename", "keep-last"]
EDIT_OPS: tuple[EditOp, ...] = ("set", "add", "remove", "rename", "keep-last")


@dataclass(frozen=True, slots=True)
class Edit:
    """One structured change inside an object, for `--fix` to apply.

    Edits of one fix apply in order; the path of a later edit sees the
    object as the earlier ones left it.  `apiVersion` is replaced by a
    "set" at ("apiVersion",).
    """

    op: EditOp
    path: "Path"
    value: Any = None

    def __post_init__(self) -> None:
        if self.op not in EDIT_OPS:
            raise ValueError(f"unknown edit op {self.op!r}")
        object.__setattr__(self, "path", tuple(self.path))


@dataclass(frozen=True, slots=True)
class Fix:
    """How to fix a problem: an imperative title ending with a period, a YAML
    snippet to add or change (for people), and for mechanical fixes the
    structured edits that `--fix` applies, with their safety.

    `safety` is None in a rule's Problem when the rule's declared safety
    applies; the engine fills it in, so every Finding's fix has one.
    """

    title: str
    snippet: str | None = None
    edits: tuple[Edit, ...] = ()
    safety: FixSafety | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "edits", tuple(self.edits))
        if self.safety is not None and self.safety not in FIX_SAFETIES:
            raise ValueError(f"unknown fix safety {self.safety!r}")

    @property
    def applicable(self) -> bool:
        """True when `--fix` has something to apply."""
        return bool(self.edits) and self.safety in ("safe", "unsafe")


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
    path: Path = ()  # relative to the object
    # Where the object sits in its file: the document number (0-based) and
    # the object's path within that document (("items", 3) for a List item).
    document: int | None = None
    object_path: Path = ()

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


# Where an object sits: (file, document index, path within the document).
ObjectKey = tuple


class _ObjectFields:
    """What every view of an object answers from its ref (mixin)."""

    __slots__ = ()

    @property
    def kind(self) -> str:
        return self.ref.kind  # type: ignore[attr-defined]

    @property
    def api_version(self) -> str:
        return self.ref.api_version  # type: ignore[attr-defined]

    @property
    def group(self) -> str:
        """The API group: `apps` for apps/v1, "" for the core group (v1)."""
        group, slash, _ = self.ref.api_version.rpartition("/")  # type: ignore[attr-defined]
        return group if slash else ""


def object_ref(data: dict) -> ObjectRef:
    meta = data.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    ns, name = meta.get("namespace"), meta.get("name")
    return ObjectRef(
        api_version=str(data.get("apiVersion", "")),
        kind=str(data.get("kind", "")),
        namespace=ns if isinstance(ns, str) else None,
        name=name if isinstance(name, str) else None,
    )


@dataclass(slots=True)
class K8sObject(_ObjectFields):
    """A Kubernetes object being checked: a document, or an item of a
    `kind: List`, with its full data and the source map of its file."""

    data: dict
    document: Document
    prefix: Path = ()  # path of the object within its document (List items)
    ref: ObjectRef = field(default=None)  # type: ignore[assignment]
    # Why the object is a fragment (a kustomize patch, a configured glob),
    # or None for a whole object.  A fragment is checked only for what it
    # contains, never for what it lacks.
    fragment: str | None = None
    # What kubelint.k8s.workloads.pod_spec found, once per object (rules ask
    # it about fifteen times an object); False until asked.
    pod: Any = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.ref is None:
            self.ref = object_ref(self.data)

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def key(self) -> ObjectKey:
        return (self.document.file, self.document.index, self.prefix)

    def position(self, path: Path, at: Anchor = "value") -> tuple[int, int]:
        """1-based (line, column) of `path` within this object."""
        return self.document.source_map.position(self.prefix + tuple(path), at)


@dataclass(frozen=True, slots=True)
class ObjectFacts(_ObjectFields):
    """What the whole run keeps of an object for cross-object rules: its
    identity, where it is, and its data pruned to the fields such rules read
    (see kubelint.facts).  Objects of the context (files not reported on)
    exist only as facts."""

    data: dict
    ref: ObjectRef
    file: str
    document: int
    prefix: Path
    name_position: tuple[int, int]  # of metadata.name (or the object)
    fragment: str | None = None
    context: bool = False  # from the project context: known, never reported on

    @property
    def key(self) -> ObjectKey:
        return (self.file, self.document, self.prefix)


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may read besides the object: its options, the settings
    of the run, and the facts of every object known to the run (the files
    checked and the project context).  Read-only for rules.

    A rule reports only on the object it is given; other objects are facts
    (`ObjectFacts`), not full objects.
    """

    options: Mapping[str, Any]
    settings: Any  # kubelint.config.Settings; read it, never change it
    kubernetes_version: str  # "1.31"
    version: tuple[int, int]  # (1, 31)
    objects: Sequence[ObjectFacts]
    crds: Any  # kubelint.schema.crd.CrdIndex or None
    cache: dict = field(default_factory=dict)  # run-wide, shared by every rule
    object_cache: dict = field(default_factory=dict)  # emptied before each object

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value computed once per run (an index over `objects`)."""
        try:
            return self.cache[key]
        except KeyError:
            value = self.cache[key] = compute()
            return value

    def memo_object(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value computed once for the object being checked (one schema
        validation shared by the two schema rules)."""
        try:
            return self.object_cache[key]
        except KeyError:
            value = self.object_cache[key] = compute()
            return value

    def with_options(self, options: Mapping[str, Any]) -> "Context":
        from dataclasses import replace

        return replace(self, options=options)


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
