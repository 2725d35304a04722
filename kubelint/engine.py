"""One run of `kubelint check`: sources -> parse -> objects -> rules ->
suppressions -> a RunResult.  No printing, no exit codes: that is the CLI's."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Mapping, Sequence

from kubelint.config import Settings
from kubelint.model import SEVERITY_RANK, Document, Finding, Fix, K8sObject, RunResult
from kubelint.parse import parse_file
from kubelint.registry import Registry, Rule
from kubelint.sources import Source, excluded
from kubelint.suppress import comment_ignores, matches, object_ignores
from kubelint.workloads import as_list

# Documents of these API groups live in a repository, not in a cluster.
NOT_CLUSTER_GROUPS = ("kustomize.config.k8s.io/", "config.kubernetes.io/", "kpt.dev/")
CRD_KIND = "CustomResourceDefinition"


class UsageError(Exception):
    """A setting that cannot work (unknown version, rule or level)."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may read besides the object: its options and the run."""

    options: Mapping[str, Any]
    kubernetes_version: str  # "1.31"
    version: tuple[int, int]  # (1, 31)
    strict: bool
    pss_level: str | None
    objects: Sequence[K8sObject]  # every object of the run, for cross-object rules
    crds: Any  # kubelint.schema.crd.CrdIndex
    settings: Settings
    cache: dict = field(default_factory=dict)  # shared per run, keyed by the caller

    def memo(self, key: Any, compute) -> Any:
        """A value computed once per run (e.g. one schema validation of an
        object shared by the two schema rules)."""
        try:
            return self.cache[key]
        except KeyError:
            value = self.cache[key] = compute()
            return value


def objects_of(doc: Document) -> Iterator[K8sObject]:
    """The Kubernetes objects of a document: the document itself, or each
    item of a `kind: List` (or `*List`) with its own path."""
    data = doc.data
    if not isinstance(data, dict):
        return
    kind, api_version = data.get("kind"), data.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str) or not kind or not api_version:
        return
    if api_version.startswith(NOT_CLUSTER_GROUPS):
        return
    items = data.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("kind"), str) and isinstance(item.get("apiVersion"), str):
                yield K8sObject(item, doc, ("items", index))
        return
    yield K8sObject(data, doc)


KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomize_patch_files(doc: Document) -> set[str]:
    """Files a kustomization uses as patches (strategic merge or JSON 6902),
    normalised; their objects are fragments, not whole objects."""
    data = doc.data
    if not isinstance(data, dict):
        return set()
    base = os.path.dirname(doc.file)
    paths = []
    for entry in as_list(data.get("patchesStrategicMerge")):
        if isinstance(entry, str) and "\n" not in entry:
            paths.append(entry)
    for key in ("patches", "patchesJson6902"):
        for entry in as_list(data.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                paths.append(entry["path"])
    return {os.path.normpath(os.path.join(base, p)) for p in paths}


def _is_kustomization(doc: Document) -> bool:
    if os.path.basename(doc.file) in KUSTOMIZATION_FILES:
        return True
    data = doc.data
    return isinstance(data, dict) and str(data.get("apiVersion", "")).startswith("kustomize.config.k8s.io/")


def load_crds(paths: Iterable[str], max_size: int | str | None = None) -> list[dict]:
    """CustomResourceDefinitions from `--crd` files and directories (they are
    schemas for the run, not checked themselves)."""
    from kubelint.sources import DEFAULT_MAX_FILE_SIZE, expand, parse_size, read

    crds = []
    for source in read(expand(paths), parse_size(max_size or DEFAULT_MAX_FILE_SIZE)):
        for doc in parse_file(source.name, source.data).documents:
            for obj in objects_of(doc):
                if obj.kind == CRD_KIND:
                    crds.append(obj.data)
    return crds


def resolve_version(settings: Settings) -> str:
    from kubelint.schema.versions import DEFAULT, parse_version

    try:
        return parse_version(DEFAULT if settings.kubernetes_version is None else settings.kubernetes_version)
    except ValueError as e:
        raise UsageError(str(e)) from None


def active_rules(registry: Registry, settings: Settings) -> list[Rule]:
    from kubelint.registry import UnknownRule

    try:
        rules = registry.active(settings.select, settings.extend_select, settings.ignore)
        severity = {registry.get(k).code: v for k, v in settings.severity.items()}
    except UnknownRule as e:
        raise UsageError(str(e)) from None
    return [
        replace(r, severity=severity[r.code], fixed_severity=True) if r.code in severity else r
        for r in sorted(rules, key=lambda r: r.code)
    ]


def rule_options(rule: Rule, settings: Settings) -> dict[str, Any]:
    options = rule.default_options()
    options.update(settings.rule_options.get(rule.name, {}))
    if rule.name == "image-registry-not-allowed" and settings.allowed_registries:
        options["registries"] = list(settings.allowed_registries)
    return options


def check(sources: Iterable[Source], settings: Settings, registry: Registry | None = None) -> RunResult:
    if registry is None:
        from kubelint.rules import registry as load_registry

        registry = load_registry()
    version = resolve_version(settings)
    rules = active_rules(registry, settings)
    by_name = {r.name: r for r in rules}

    findings: list[Finding] = []
    objects: list[K8sObject] = []
    comments: dict[str, dict[int, frozenset[str]]] = {}
    patches: set[str] = set()
    files = 0
    for source in sources:
        files += 1
        parsed = parse_file(source.name, source.data)
        comments[source.name] = comment_ignores(parsed.text)
        for hazard in parsed.hazards:
            r = by_name.get(hazard.name)
            if r is not None:
                findings.append(
                    Finding(
                        r.code, r.name, r.severity, hazard.message, source.name, hazard.line, hazard.column,
                        Fix(hazard.fix) if hazard.fix else None,
                    )
                )
        for doc in parsed.documents:
            if _is_kustomization(doc):
                patches |= kustomize_patch_files(doc)
            else:
                objects.extend(objects_of(doc))
    for obj in objects:
        # A patch of a kustomization in the run, or a file named as a patch
        # (`patch.yaml`, `increase-replicas.patch.yaml`) checked without it.
        if os.path.normpath(obj.file) in patches or "patch" in os.path.basename(obj.file).lower():
            obj.partial = True

    crds = None
    crd_docs = [o.data for o in objects if o.kind == CRD_KIND]
    if settings.crds:
        crd_docs.extend(load_crds(settings.crds, settings.max_file_size))
    if crd_docs:
        from kubelint.schema.crd import CrdIndex

        crds = CrdIndex.from_objects(crd_docs)

    major, minor = (int(p) for p in version.split("."))
    base = Context({}, version, (major, minor), settings.strict, settings.pss_level, objects, crds, settings)
    object_rules = [(r, replace(base, options=rule_options(r, settings))) for r in rules if r.check is not None]

    for obj in objects:
        ignored = object_ignores(obj)
        kind = obj.kind
        for r, ctx in object_rules:
            if r.kinds is not None and kind not in r.kinds:
                continue
            if obj.partial and r.category != "schema":
                continue  # a patch lacks most of what rules look for, by design
            try:
                for problem in r.check(obj, ctx):
                    line, column = obj.position(problem.path, problem.at)
                    severity = problem.severity if problem.severity and not r.fixed_severity else r.severity
                    finding = Finding(
                        r.code, r.name, severity, f"{obj.ref.label()}: {problem.message}", obj.file, line, column,
                        problem.fix, obj.ref, tuple(problem.path),
                    )
                    if not matches(finding, ignored):
                        findings.append(finding)
            except Exception as e:  # a bug in a rule costs a finding on this object, not the run
                findings.append(_check_failed(registry, r, obj, e))

    per_file = [(pattern, _codes(registry, selectors)) for pattern, selectors in settings.per_file_ignores.items()]
    findings = [f for f in findings if not _suppressed(f, comments, per_file)]
    findings.sort(key=Finding.sort_key)
    return RunResult(tuple(findings), files, len(objects), version, tuple(rules))


def _check_failed(registry: Registry, r: Rule, obj: K8sObject, error: Exception) -> Finding:
    failed = registry.by_name.get("check-failed") or r
    detail = f"{type(error).__name__}: {error}"
    if len(detail) > 200:
        detail = detail[:200] + "..."
    line, column = obj.position(())
    return Finding(
        failed.code, failed.name, "error",
        f"{obj.ref.label()}: kubelint could not check rule {r.name} on this object ({detail}); please report it",
        obj.file, line, column, None, obj.ref, (),
    )


def _codes(registry: Registry, selectors: Iterable[str]) -> frozenset[str]:
    from kubelint.registry import UnknownRule

    try:
        return frozenset(r.code for s in selectors for r in registry.select(s))
    except UnknownRule as e:
        raise UsageError(str(e)) from None


def _suppressed(finding: Finding, comments: dict[str, dict[int, frozenset[str]]], per_file) -> bool:
    names = comments.get(finding.file, {}).get(finding.line)
    if names and matches(finding, names):
        return True
    return any(finding.rule in codes and excluded(finding.file, [pattern]) for pattern, codes in per_file)


def exit_code(result: RunResult, fail_on: str) -> int:
    """1 when a finding is at or above `fail_on` (error, warning, info; none
    never fails), else 0."""
    if fail_on == "none":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] <= threshold for f in result.findings) else 0
