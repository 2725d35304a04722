"""One run of `kubelint check`, as three stages anyone can call on their own:

    run = load(sources, settings, context)      # kubelint.run
    findings = lint(run, rules, settings)       # here
    kept, used = suppress(findings, run, ...)   # kubelint.suppress

`check()` composes them into a RunResult.  No printing, no exit codes: that
is the CLI's.

`lint` goes through the checked files one at a time: the parse of a file,
its objects and their per-object work live only while that file is checked;
what crosses files is the run's facts (kubelint.facts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from kubelint.config import Settings
from kubelint.model import SEVERITY_RANK, Context, Finding, Fix, K8sObject, RunResult
from kubelint.registry import Registry, Rule
from kubelint.run import Run, in_cluster, load
from kubelint.sources import Source


class UsageError(Exception):
    """A setting that cannot work (unknown version, rule or level)."""


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
    """A rule's options: the declared defaults, then the configuration."""
    options = rule.default_options()
    options.update(settings.rule_options.get(rule.name, {}))
    return options


@dataclass(slots=True)
class Linted:
    """What the lint stage hands the suppression stage besides findings:
    per file, the `# kubelint: ignore` comments; per object, the rules its
    annotation suppresses."""

    findings: list[Finding]
    directives: dict[str, list]  # file -> [Directive]
    annotations: dict[tuple, tuple[frozenset[str], str, int, int]]  # object key -> (names, file, line, column)


def finding(rule: Rule, message: str, file: str, line: int, column: int, fix: Fix | None = None,
            obj: K8sObject | None = None, path: tuple = (), severity: str | None = None,
            document: int | None = None, shared: dict | None = None) -> Finding:
    """The one way a Finding is made, for parse hazards and rule problems
    alike: the rule's severity (a problem's own severity unless the user
    fixed it), the rule's fix safety, the object's place in its file."""
    if severity is None or rule.fixed_severity:
        severity = rule.severity
    if fix is not None and fix.safety is None:
        fix = _one_copy(shared, (fix, rule.fix), lambda: replace(fix, safety=rule.fix))
    path = _one_copy(shared, tuple(path), lambda: tuple(path))
    if obj is None:
        return Finding(rule.code, rule.name, severity, message, file, line, column, fix, document=document)  # type: ignore[arg-type]
    return Finding(
        rule.code, rule.name, severity, f"{obj.ref.label()}: {message}", file, line, column,  # type: ignore[arg-type]
        fix, obj.ref, path, obj.document.index, obj.prefix,
    )


def _one_copy(shared: dict | None, key, make):
    """Findings of one rule repeat the same fix and the same paths thousands
    of times in a large run: within a run (`shared`, the lint stage's), one
    copy of each, so each finding costs little."""
    if shared is None:
        return make()
    try:
        value = shared.get(key)
        if value is None:
            value = shared[key] = make()
        return value
    except TypeError:  # an edit's value is a mapping or list: not hashable
        return make()


def lint(run: Run, rules: list[Rule], settings: Settings, version: str, policies=None) -> Linted:
    """Every finding of the active rules on the files of the run, in file
    order: parse hazards first, then each object's problems, then what the
    Rego policies (kubelint.policy, when given) say of it.  Policies that
    need every object at once (--combine, Gatekeeper's data.inventory) are
    evaluated after the last file."""
    from kubelint.parse import Hazard
    from kubelint.suppress import object_ignores

    major, minor = (int(p) for p in version.split("."))
    base = Context({}, settings, version, (major, minor), run.facts, run.crds)
    object_rules = [(r, base.with_options(rule_options(r, settings))) for r in rules if r.check is not None]
    by_name = {r.name: r for r in rules}
    check_failed = by_name.get("check-failed")
    shared: dict = {}  # one copy of repeated fixes and paths, for this run
    out = Linted([], {}, {})
    session, whole_run = None, None
    if policies is not None:
        # Namespaces by name, for namespaceSelector: facts keep their labels.
        namespaces = {f.ref.name: f.data for f in run.facts if f.kind == "Namespace" and f.group == "" and f.ref.name}
        session = policies.session({r.name: r for r in rules if r.category == "policy"}, namespaces)
        # Only policies that read every object at once make the run keep them
        # (and their files' parses) until the end: a cost such a policy asks for.
        whole_run = [] if policies.needs_whole_run() else None

    for checked in run.files:
        # Findings about the source itself (an untrusted host, a remote apply
        # in a script) come first, as the active rules say.
        for f in checked.findings:
            r = by_name.get(f.name)
            if r is not None:
                out.findings.append(finding(r, f.message, f.file, f.line, f.column, f.fix, severity=f.severity))
        parsed, documents = run.parsed(checked)
        if parsed.directives:
            out.directives[checked.name] = parsed.directives
        for hazard in parsed.hazards:
            r = by_name.get(hazard.name)
            if r is not None:
                h: Hazard = hazard
                fix = Fix(h.fix, edits=h.edits) if h.fix else None
                out.findings.append(finding(r, h.message, checked.name, h.line, h.column, fix, document=h.document))
        for obj in run.objects_of(documents):
            ignored = object_ignores(obj)
            if ignored:
                line, column = obj.position(("metadata", "annotations"), "key")
                out.annotations[obj.key] = (ignored, obj.file, line, column)
            base.object_cache.clear()
            scope = (obj.group, obj.kind)
            cluster = in_cluster(obj)
            for r, ctx in object_rules:
                if r.kinds is not None and scope not in r.kinds or r.kinds is None and not cluster:
                    continue
                if obj.fragment and r.category != "schema":
                    continue  # a fragment lacks most of what rules look for, by design
                try:
                    for problem in r.check(obj, ctx):
                        line, column = obj.position(problem.path, problem.at)
                        out.findings.append(finding(
                            r, problem.message, obj.file, line, column, problem.fix, obj, problem.path,
                            problem.severity, shared=shared,
                        ))
                except Exception as e:  # a bug in a rule costs a finding on this object, not the run
                    out.findings.append(_check_failed(check_failed or r, r, obj, e))
            if session is not None and cluster:
                out.findings.extend(session.submit(obj))  # (the rest come with check_run)
                if whole_run is not None:
                    whole_run.append(obj)
        del parsed, documents
    run.close()
    if session is not None:
        try:
            out.findings.extend(session.check_run(whole_run or []))
        finally:
            session.close()
    return out


def _check_failed(failed: Rule, r: Rule, obj: K8sObject, error: Exception) -> Finding:
    """The finding that says a rule could not check an object (a bug in the
    rule, never the user's input): on the object, with what went wrong."""
    detail = f"{type(error).__name__}: {error}"
    if len(detail) > 200:
        detail = detail[:200] + "..."
    line, column = obj.position(())
    return finding(
        replace(failed, fixed_severity=True),
        f"kubelint could not check rule {r.name} on this object ({detail}); please report it",
        obj.file, line, column, None, obj, (),
    )


def check(
    sources: Iterable[Source],
    settings: Settings,
    registry: Registry | None = None,
    context=None,
) -> RunResult:
    """load -> lint -> suppress, for callers that want the result only."""
    from kubelint.suppress import suppress

    if registry is None:
        from kubelint.rules import registry as load_registry

        registry = load_registry()
    policies = None
    if settings.policies:  # the policy stage (kubelint/policy): rules in Rego
        from kubelint.policy import PolicyLoadError, load_policies

        try:
            # the session's worker forked now, before the run's files fill
            # the process; it compiles the policies
            policies = load_policies(settings.policies, settings, fork=True)
        except PolicyLoadError as e:
            raise UsageError(str(e)) from None
        registry = policies.extend(registry)
        policies.fork_worker()  # (when load did not: before the run's files fill the process)
    version = resolve_version(settings)
    rules = active_rules(registry, settings)
    run = load(sources, settings, context)
    linted = lint(run, rules, settings, version, policies)
    try:
        kept, _used = suppress(linted, run, registry, rules, settings)
    except ValueError as e:
        raise UsageError(str(e)) from None
    kept.sort(key=Finding.sort_key)
    return RunResult(tuple(kept), len(run.files), run.objects, version, tuple(rules))


def exit_code(result: RunResult, fail_on: str) -> int:
    """1 when a finding is at or above `fail_on` (error, warning, info; none
    never fails), else 0."""
    if fail_on == "none":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] <= threshold for f in result.findings) else 0
