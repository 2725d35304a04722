"""The run: what one `kubelint check` reads and knows, before any rule runs.

`load(sources, settings, context)` reads every input once and returns a
`Run`:

* the files to report on, in order, each with its parse (kept in memory
  while the parses kept stay under a budget; past it, set aside on disk
  until the file's turn comes (kubelint.parse.spill), so memory does not
  grow with the number of files);
* the facts of every object known to the run: those of the files checked
  and those of the project context (kubelint.project), which are used by
  cross-object rules and never reported on (kubelint.facts);
* the CustomResourceDefinitions (from the inputs, the context and `--crd`);
* the kustomizations: which files are patches (fragments) and which label
  transformers apply to which files.

Which objects are fragments is decided here and only here: an object is a
fragment when a kustomization of the run or the context lists its file as a
patch, or when a `fragments` glob of the configuration matches its file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any, Callable, Iterable, Iterator

from kubelint.k8s.names import label_value
from kubelint.k8s.workloads import as_list
from kubelint.model import Document, K8sObject, ObjectFacts
from kubelint.parse import ParsedFile, parse_file
from kubelint.sources import Source, excluded

# Documents of these API groups live in a repository, not in a cluster.
NOT_CLUSTER_GROUPS = ("kustomize.config.k8s.io/", "config.kubernetes.io/", "kpt.dev/")
CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
CRD_KIND = CRD[1]
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# A kustomization is checked as an object of this kind, by the rules that name
# it (remote resources); it is not a cluster object.
KUSTOMIZATION_KIND = "Kustomization"
KUSTOMIZE_API_VERSION = "kustomize.config.k8s.io/v1beta1"
# Parses kept in memory between loading and checking, in bytes as _cost
# estimates them.  64 MiB holds the parses of about 16 MiB of typical
# manifests (a repository of about 2,000 files); a larger run sets the
# documents past it aside on disk one at a time (kubelint.parse.spill: reading
# one back costs about a third of parsing it again), so memory grows neither
# with the number of files nor with the number of documents in one file.
PARSE_BUDGET = 64 * 1024 * 1024


def _cost(doc: Document) -> int:
    """About how many bytes a document's parse takes in memory: its
    containers and their entries (data and source map), and the document."""
    tables = doc.source_map.tables
    return 600 + 350 * len(tables) + 120 * sum(map(len, tables.values()))


@dataclass(slots=True)
class CheckedFile:
    """A file (or stdin, or a URL) whose findings are reported."""

    name: str
    parsed: ParsedFile | None  # None once checked
    # Findings about the source itself (an untrusted host, a remote apply in
    # a script), reported before its content.
    findings: tuple = ()
    # Past the budget: where its documents were set aside (Run.spill); the
    # parse above keeps its hazards and comments.
    spilled: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class LabelTransform:
    """A kustomization's `commonLabels` or `labels` entry."""

    labels: tuple[tuple[str, str], ...]
    selectors: bool  # also added to selectors (commonLabels, includeSelectors)
    templates: bool  # also added to pod templates


@dataclass(slots=True)
class Run:
    settings: Any  # kubelint.config.Settings
    files: list[CheckedFile] = field(default_factory=list)
    facts: list[ObjectFacts] = field(default_factory=list)
    crds: Any = None  # kubelint.schema.crd.CrdIndex
    # normalised file path -> why its objects are fragments
    fragments: dict[str, str] = field(default_factory=dict)
    # normalised file path -> label transforms kustomize applies to it
    labels: dict[str, list[LabelTransform]] = field(default_factory=dict)
    spill: Any = None  # kubelint.parse.spill.Spill, once a parse is past the budget

    @property
    def objects(self) -> int:
        """How many objects the files checked hold."""
        return sum(1 for f in self.facts if not f.context)

    def parsed(self, checked: CheckedFile) -> tuple[ParsedFile, Iterable[Document]]:
        """The parse of a checked file (its hazards and comments) and its
        documents: those kept in memory, then those set aside on disk, read
        one at a time.  The run lets go of them (each file is checked once)."""
        parsed, checked.parsed = checked.parsed, None
        where, checked.spilled = checked.spilled, None
        documents, parsed.documents = parsed.documents, []
        if where is None:
            return parsed, documents
        return parsed, chain(documents, self._set_aside(checked.name, where))

    def _set_aside(self, name: str, where: tuple[int, int]) -> Iterator[Document]:
        try:
            yield from self.spill.take(name, where)
        except OSError as e:
            from kubelint.sources import InputError

            raise InputError(f"{name}: {e}") from None

    def close(self) -> None:
        """Delete what the run set aside on disk."""
        if self.spill is not None:
            self.spill.close()

    def objects_of(self, documents: Iterable[Document]) -> Iterator[K8sObject]:
        """The objects of a file's documents, as rules see them: fragments
        marked and kustomize's labels applied."""
        for doc in documents:
            if is_kustomization(doc):
                yield from kustomization_objects(doc)
                continue
            for obj in objects_of(doc):
                self._settle(obj)
                yield obj

    def _settle(self, obj: K8sObject) -> None:
        path = os.path.normpath(obj.file)
        obj.fragment = self.fragments.get(path)
        for transform in self.labels.get(path, ()):
            apply_labels(obj.data, obj.kind, transform)


def objects_of(doc: Document) -> Iterator[K8sObject]:
    """The Kubernetes objects of a document: the document itself, or each
    item of a `kind: List` (or `*List`) with its own path."""
    data = doc.data
    if not isinstance(data, dict):
        return
    kind, api_version = data.get("kind"), data.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str) or not kind or not api_version:
        # An object missing one of the two is a mistake to report
        # (api-version-missing, kind-missing), not a document to skip.
        if _half_object(kind, api_version) and isinstance(data.get("metadata"), dict) \
                and not str(api_version or "").startswith(NOT_CLUSTER_GROUPS):
            yield K8sObject(data, doc)
        return
    if api_version.startswith(NOT_CLUSTER_GROUPS):
        return
    items = data.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("kind"), str) and isinstance(item.get("apiVersion"), str):
                yield K8sObject(item, doc, ("items", index))
            elif isinstance(item, dict) and _half_object(item.get("kind"), item.get("apiVersion")) \
                    and isinstance(item.get("metadata"), dict):
                yield K8sObject(item, doc, ("items", index))
        return
    yield K8sObject(data, doc)


def _half_object(kind: Any, api_version: Any) -> bool:
    """One of kind and apiVersion is a non-empty string, the other absent."""
    return (isinstance(kind, str) and bool(kind) and api_version is None) or (
        isinstance(api_version, str) and bool(api_version) and kind is None
    )


def kustomization_objects(doc: Document) -> list[K8sObject]:
    """A kustomization document as an object of kind Kustomization (in
    kustomize's group even when the file leaves apiVersion out), for the
    rules that name that kind."""
    from kubelint.model import ObjectRef

    data = doc.data
    if not isinstance(data, dict):
        return []
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) else None
    api_version = data.get("apiVersion") if isinstance(data.get("apiVersion"), str) and data.get("apiVersion") else KUSTOMIZE_API_VERSION
    return [K8sObject(data, doc, ref=ObjectRef(api_version, KUSTOMIZATION_KIND, None, name))]


def in_cluster(obj) -> bool:
    """False for objects that live only in a repository (kustomizations,
    kpt and KRM function configs): only rules that name their kind see them."""
    return not obj.api_version.startswith(NOT_CLUSTER_GROUPS)


def is_kustomization(doc: Document) -> bool:
    if os.path.basename(doc.file) in KUSTOMIZATION_FILES:
        return True
    data = doc.data
    return isinstance(data, dict) and str(data.get("apiVersion", "")).startswith("kustomize.config.k8s.io/")


def is_crd(obj) -> bool:
    return (obj.group, obj.kind) == CRD


@dataclass(slots=True)
class FileFacts:
    """What one file contributes to what the run knows: its objects' facts,
    its CRDs, its kustomizations."""

    objects: list[ObjectFacts] = field(default_factory=list)
    crds: list[dict] = field(default_factory=list)
    kustomizations: list[Any] = field(default_factory=list)


def gather(doc: Document, out: FileFacts, context: bool = False, shared: dict | None = None) -> bool:
    """Add what one document contributes to `out`; whether a later stage
    reads the document (it holds objects, or it is a kustomization)."""
    from kubelint.facts import facts_of

    if is_kustomization(doc):
        k = read_kustomization(doc)
        if k is not None:
            out.kustomizations.append(k)
        return True
    found = False
    for obj in objects_of(doc):
        if is_crd(obj):
            out.crds.append(obj.data)
        out.objects.append(facts_of(obj, context, shared))
        found = True
    return found


@dataclass(slots=True)
class Kustomization:
    directory: str
    patches: set[str]
    resources: list[str]  # normalised paths: files or directories
    transforms: list[LabelTransform]


def read_kustomization(doc: Document) -> Kustomization | None:
    """What a kustomization says about other files (kustomize's
    api/types/kustomization.go): patches, resources, label transformers."""
    data = doc.data
    if not isinstance(data, dict):
        return None
    base = os.path.dirname(doc.file)

    def norm(p: str) -> str:
        return os.path.normpath(os.path.join(base, p))

    patches = set()
    for entry in as_list(data.get("patchesStrategicMerge")):
        if isinstance(entry, str) and "\n" not in entry:
            patches.add(norm(entry))
    for key in ("patches", "patchesJson6902"):
        for entry in as_list(data.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                patches.add(norm(entry["path"]))
    resources = [
        norm(r) for key in ("resources", "bases") for r in as_list(data.get(key))
        if isinstance(r, str) and "://" not in r and not r.startswith(("github.com/", "git@"))
    ]
    transforms = []
    common = data.get("commonLabels")
    if isinstance(common, dict) and common:
        transforms.append(LabelTransform(_pairs(common), True, True))
    for entry in as_list(data.get("labels")):
        if isinstance(entry, dict) and isinstance(entry.get("pairs"), dict) and entry["pairs"]:
            selectors = entry.get("includeSelectors") is True
            templates = selectors or entry.get("includeTemplates") is True
            transforms.append(LabelTransform(_pairs(entry["pairs"]), selectors, templates))
    return Kustomization(base, patches, resources, transforms)


def _pairs(labels: dict) -> tuple[tuple[str, str], ...]:
    texts = ((k, label_value(v)) for k, v in labels.items())
    return tuple((k, v) for k, v in texts if isinstance(k, str) and v is not None)


# Where kustomize's label transformer writes, by kind (kustomize
# api/internal/konfig/builtinpluginconsts/commonlabels.go): selectors and pod
# template labels are created when missing.
_SELECTOR_MAPS = {
    "Service": [("spec", "selector")],
    "ReplicationController": [("spec", "selector")],
    "Deployment": [("spec", "selector", "matchLabels")],
    "ReplicaSet": [("spec", "selector", "matchLabels")],
    "DaemonSet": [("spec", "selector", "matchLabels")],
    "StatefulSet": [("spec", "selector", "matchLabels")],
}
_TEMPLATE_MAPS = {
    "ReplicationController": [("spec", "template", "metadata", "labels")],
    "Deployment": [("spec", "template", "metadata", "labels")],
    "ReplicaSet": [("spec", "template", "metadata", "labels")],
    "DaemonSet": [("spec", "template", "metadata", "labels")],
    "StatefulSet": [("spec", "template", "metadata", "labels")],
    "Job": [("spec", "template", "metadata", "labels")],
    "CronJob": [("spec", "jobTemplate", "spec", "template", "metadata", "labels")],
}


def apply_labels(data: dict, kind: str, transform: LabelTransform) -> None:
    """Add a kustomization's labels where kustomize would; a label the
    object already sets keeps its value (kustomize would override it, but
    the object's own value is what its author wrote and sees)."""
    paths = [("metadata", "labels")]
    if transform.selectors:
        paths += _SELECTOR_MAPS.get(kind, [])
    if transform.templates:
        paths += _TEMPLATE_MAPS.get(kind, [])
    for path in paths:
        node = data
        for key in path:
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            if not isinstance(child, dict):
                break
            node = child
        else:
            for k, v in transform.labels:
                node.setdefault(k, v)


def load(sources: Iterable[Source], settings, context: Callable[[set], Iterable[tuple[str, Any]]] | None = None) -> Run:
    """Read and parse the inputs, gather the facts of every object they and
    the context hold, and decide fragments and kustomize labels.

    `context`, given the (apiVersion, kind) pairs of the objects checked,
    yields (file name, FileFacts) pairs for the project's other files
    (kubelint.project); they add facts, CRDs and kustomizations, and are
    never reported on.
    """
    def add_crd(found: dict, crd: dict) -> None:  # the CRD module loads only when a run has CRDs
        from kubelint.schema.crd import add_crd as add

        add(found, crd)

    run = Run(settings)
    kustomizations: list[Kustomization] = []
    crds: dict = {}
    left = PARSE_BUDGET
    shared: dict = {}  # equal parts of facts are one object (kubelint.facts)
    for source in sources:
        findings, manifest = getattr(source, "findings", ()), getattr(source, "manifest", True)
        if not manifest:
            # A script or document scanned as text: its findings came with it;
            # its `# kubelint: ignore` comments are all real comments.
            from kubelint.parse import directives_in_text

            text = source.data.decode("utf-8", errors="replace")
            run.files.append(CheckedFile(source.name, ParsedFile(source.name, text, directives=directives_in_text(text)), tuple(findings)))
            continue
        gathered = FileFacts()
        in_memory: list[Document] = []
        on_disk = 0
        budget = left

        def keep(doc: Document) -> None:
            """One document, as soon as it is read: its facts, then the
            document itself in memory while the budget lasts, else on disk."""
            nonlocal budget, on_disk
            if not gather(doc, gathered, shared=shared):
                return  # no object: no later stage reads it
            cost = _cost(doc)
            if not on_disk and cost <= budget:
                budget -= cost
                in_memory.append(doc)
                return
            if run.spill is None:
                from kubelint.parse.spill import Spill

                run.spill = Spill()
            if not on_disk:
                run.spill.start()
            if run.spill.put(doc):
                on_disk += 1
            else:
                in_memory.append(doc)  # (findings are sorted: order does not matter)

        parsed = parse_file(source.name, source.data, sink=keep)
        if parsed.template:  # its documents are not manifests
            gathered, in_memory, on_disk, budget = FileFacts(), [], 0, left
        left = budget
        run.facts.extend(gathered.objects)
        for crd in gathered.crds:
            add_crd(crds, crd)
        kustomizations.extend(gathered.kustomizations)
        parsed.text = None  # read by no later stage
        parsed.documents = in_memory
        run.files.append(CheckedFile(source.name, parsed, tuple(findings), spilled=run.spill.region() if on_disk else None))

    kinds = {(f.api_version, f.kind) for f in run.facts}
    for _, file_facts in context(kinds) if context is not None else ():
        run.facts.extend(file_facts.objects)
        for crd in file_facts.crds:
            add_crd(crds, crd)
        kustomizations.extend(file_facts.kustomizations)

    if settings.crds:
        for crd in load_crds(settings.crds, settings.max_file_size):
            add_crd(crds, crd)
    if crds:
        from kubelint.schema.crd import CrdIndex

        run.crds = CrdIndex.from_found(crds)

    for k in kustomizations:
        for patch in k.patches:
            run.fragments.setdefault(patch, "a kustomization lists the file as a patch")
    if settings.fragments:
        for f in {fact.file for fact in run.facts} | {c.name for c in run.files}:
            if excluded(f, settings.fragments):
                run.fragments.setdefault(os.path.normpath(f), "the configuration's fragments globs match the file")
    run.labels = _label_targets(kustomizations)
    if run.fragments or run.labels:
        run.facts = [_settled(f, run) for f in run.facts]
    return run


def _settled(fact: ObjectFacts, run: Run) -> ObjectFacts:
    path = os.path.normpath(fact.file)
    fragment = run.fragments.get(path)
    transforms = run.labels.get(path)
    if fragment is None and not transforms:
        return fact
    if not transforms:
        return replace(fact, fragment=fragment)
    from kubelint.facts import prune

    data = prune(fact.data, True)  # a copy: facts share their parts
    for t in transforms:
        apply_labels(data, fact.kind, t)
    return replace(fact, data=data, fragment=fragment)


def _label_targets(kustomizations: list[Kustomization]) -> dict[str, list[LabelTransform]]:
    """File -> the label transforms of every kustomization that includes it,
    directly or through the kustomization of a directory it lists."""
    by_dir = {k.directory: k for k in kustomizations}
    targets: dict[str, list[LabelTransform]] = {}

    def files_of(k: Kustomization, seen: set[str]) -> Iterator[str]:
        for resource in k.resources:
            inner = by_dir.get(resource)
            if inner is not None:
                if resource not in seen:
                    seen.add(resource)
                    yield from files_of(inner, seen)
            else:
                yield resource

    for k in kustomizations:
        if not k.transforms:
            continue
        for f in files_of(k, {k.directory}):
            targets.setdefault(f, []).extend(k.transforms)
    return targets


def load_crds(paths: Iterable[str], max_size: int | str | None = None) -> list[dict]:
    """CustomResourceDefinitions from `--crd` files and directories (they are
    schemas for the run, not checked themselves)."""
    from kubelint.sources import DEFAULT_MAX_FILE_SIZE, expand, parse_size, read

    crds = []
    for source in read(expand(paths), parse_size(max_size or DEFAULT_MAX_FILE_SIZE)):
        for doc in parse_file(source.name, source.data).documents:
            for obj in objects_of(doc):
                if is_crd(obj):
                    crds.append(obj.data)
    return crds
