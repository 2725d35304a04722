"""The policy stage: organisations' own rules in Rego, run in the same pass as
the built-in rules and reported in the same shape.

    policies = load_policies(paths, settings)     # once per run; PolicyLoadError
    registry = policies.extend(registry)          # the run's policy rules, selectable
    pending = policies.start(objects, rules)      # forked workers, beside the built-in rules
    findings = pending.findings()                 # after them

or, for a run that checks one file at a time and lets its objects go:

    session = policies.session(rules, namespaces)
    findings = session.check_object(obj)          # per object: one evaluation per
                                                  # object (all conftest packages) and
                                                  # per matching constraint
    findings = session.submit(obj)                # the same, not waiting: findings of
                                                  # earlier objects whose answers are in
    findings = session.check_run(objects)         # --combine, data.inventory, CEL-only,
                                                  # and what submit has not returned
    session.close()

Both paths give the same findings (tests/test_policy.py), with a time limit
per evaluation (engines.py).  An object is sent only the input fields its
rules name, and only for the conftest rules that can fire on its kind
(inputs.py, `plan()`); with pure policies, objects that send the same
fields are evaluated once.

Two kinds of policy are read from the same paths:

* conftest policies: `.rego` files whose packages (`main`, or `--namespace`,
  or every package with `--all-namespaces`) define `deny`, `violation`, `warn`
  or `deny_<suffix>` rules over `input` (one object; with `--combine` the list
  of `{path, contents}` of every object).  Rule name: `<package>.<rule>`.
* Gatekeeper: ConstraintTemplate and constraint documents (YAML or JSON),
  evaluated as Gatekeeper would.  Rule name: `<constraint kind>/<name>`.

`.json`, `.yaml` and `.yml` files that are not Kubernetes objects are data,
merged at the root of `data` as conftest does.

A result is a string or an object with `msg`; it may carry `path` (a list of
keys and indexes, a JSON pointer or `a.b[0].c`; the finding points at that
node) and `fix` (a title, or `{title, snippet, edits: [{op, path, value}],
safety}`).

Policy rules are not in the static registry: `extend()` returns a registry
that also holds the run's policy rules (category `policy`), so `--select`,
`--ignore`, `severity` and every suppression treat them like built-in rules.
"""

from __future__ import annotations

import json
import os
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from kubelint.policy.engines import UNSET, Failure, PolicyLoadError
from kubelint.policy.gatekeeper import Constraint, Template

__all__ = ["PolicyLoadError", "PolicyOptions", "PolicySet", "load_policies"]

POLICY_CATEGORY = "policy"
ERROR_RULE = "policy-error"
NOT_EVALUATED_RULE = "policy-not-evaluated"
WRAPPER_PACKAGE = "kubelint_run"
POLICY_SUFFIXES = (".rego", ".yaml", ".yml", ".json")
DEFAULT_TIMEOUT = 10.0  # seconds per evaluation
MEMO_SIZE = 4096  # answers kept for reuse in a run
PENDING_OBJECTS = 256  # objects submitted and not yet answered, at most


@dataclass(slots=True)
class PolicyOptions:
    namespaces: tuple[str, ...] = ("main",)
    all_namespaces: bool = False
    combine: bool = False
    allow_net: bool = False
    rego_version: str = "auto"  # auto, v0, v1: the syntax of a module that does not say
    timeout: float | None = DEFAULT_TIMEOUT
    opa_url: str | None = None
    opa_push: bool = True  # False: the policies are already loaded on the server

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> "PolicyOptions":
        options = cls()
        for key, value in values.items():
            if value is not None and value != () and hasattr(options, key):
                setattr(options, key, tuple(value) if key == "namespaces" else value)
        return options


@dataclass(slots=True)
class ConftestRule:
    package: str
    rule: str
    file: str
    line: int

    @property
    def name(self) -> str:
        return f"{self.package}.{self.rule}"

    @property
    def severity(self) -> str:
        return "warning" if self.rule.startswith("warn") else "error"


@dataclass(slots=True)
class PolicySet:
    options: PolicyOptions
    modules: dict = field(default_factory=dict)  # module name -> kubelint.policy.rego.Module
    data: dict = field(default_factory=dict)
    conftest: list[ConftestRule] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)  # by constraint kind
    constraints: list[Constraint] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    compiled: Any = None  # the engine compiled at load (reused when no inventory is needed)
    _plan: Any = None  # kubelint.policy.inputs.Plan, once asked for
    _server: Any = None  # a worker forked at load (small then), for session()

    # --- the run's rules -------------------------------------------------

    def rules(self) -> list:
        from kubelint.registry import Rule

        rules = []
        for c in self.conftest:
            rules.append(
                Rule(c.name, c.name, c.severity, POLICY_CATEGORY, True,
                     f"Conftest rule `{c.rule}` of package `{c.package}` ({c.file}:{c.line}).")
            )
        for k in self.constraints:
            from kubelint.policy.gatekeeper import ACTIONS

            rules.append(
                Rule(k.rule_name, k.rule_name, ACTIONS[k.action], POLICY_CATEGORY, True,
                     f"Gatekeeper constraint {k.rule_name} ({k.file}:{k.line}), template "
                     f"{self.templates[k.kind].name}; enforcementAction {k.action}.")
            )
        rules.append(Rule(ERROR_RULE, ERROR_RULE, "error", POLICY_CATEGORY, True,
                          "A policy failed on an object: a runtime error, or it ran past the time limit."))
        rules.append(Rule(NOT_EVALUATED_RULE, NOT_EVALUATED_RULE, "info", POLICY_CATEGORY, True,
                          "A ConstraintTemplate has no Rego code (CEL only); kubelint does not evaluate CEL."))
        return rules

    def extend(self, registry):
        """The registry plus this run's policy rules."""
        from kubelint.registry import Registry

        return Registry([*registry.rules, *self.rules()])

    # --- evaluation --------------------------------------------------------

    def _constraints_in_use(self) -> list[Constraint]:
        return [k for k in self.constraints if self.templates[k.kind].rego is not None]

    def engine(self, objects: Sequence[dict] = (), extra_entrypoints: Sequence[str] = (), probe: bool = True):
        """The compiled policies (inventory built from `objects`); `probe`:
        compile in a forked child first (False: this is a forked worker)."""
        from kubelint.policy import engines
        from kubelint.policy.gatekeeper import inventory

        modules = [(name, m.v1_source) for name, m in self.modules.items() if m.package]
        entrypoints = []
        if self.conftest:
            # One rule per conftest rule, with a default (a complete rule may
            # be undefined), gathered in one object: one query per object.
            lines = [f"package {WRAPPER_PACKAGE}", "import rego.v1", ""]
            for i, c in enumerate(self.conftest):
                lines.append(f"default r{i} := []")
                lines.append(f"r{i} := data.{_ref(c.package)}.{c.rule}")
            entries = ", ".join(f"{json.dumps(c.name)}: r{i}" for i, c in enumerate(self.conftest))
            lines.append(f"results := {{{entries}}}")
            entrypoints.append(f"{WRAPPER_PACKAGE}/results")
            # and the rules that can fire on a kind, for the kinds their
            # bodies test (inputs.py): `results_<n>`
            for n, subset in enumerate(self.plan().subsets):
                entries = ", ".join(f"{json.dumps(self.conftest[i].name)}: r{i}" for i in subset)
                lines.append(f"results_{n} := {{{entries}}}")
                entrypoints.append(f"{WRAPPER_PACKAGE}/results_{n}")
            modules.append((f"{WRAPPER_PACKAGE}.rego", "\n".join(lines) + "\n"))
        for template in {self.templates[k.kind].package: self.templates[k.kind] for k in self._constraints_in_use()}.values():
            entrypoints.append(template.package.replace(".", "/") + "/violation")
        entrypoints.extend(extra_entrypoints)
        data = dict(self.data)
        if any(t.uses_inventory for t in self.templates.values()):
            data["inventory"] = inventory(list(objects))
        if self.options.opa_url:
            return engines.OpaEngine(self.options.opa_url, modules, data, entrypoints, self.options.timeout or 60.0,
                                     self.options.opa_push, [(c.package, c.rule, c.name) for c in self.conftest])
        if not entrypoints:
            return None
        # Embedded: each ConstraintTemplate (with its libs) in an interpreter
        # of its own, as Gatekeeper keeps templates apart (and regopy 1.5.2
        # crashes on two packages defining functions of one name), and the
        # conftest policies in another.
        template_of = {}  # module name -> template package
        for t in self.templates.values():
            if t.rego is not None:
                for name in self.modules:
                    if name == f"{t.file}#{t.name}" or name.startswith(f"{t.file}#{t.name}#lib"):
                        template_of[name] = t.package
        groups: dict[str, tuple[list, list]] = {}
        for name, source in modules:
            group = groups.setdefault(template_of.get(name, ""), ([], []))
            group[0].append((name, source))
        for entry in entrypoints:
            package = entry.rsplit("/", 1)[0].replace("/", ".")
            key = package if package in groups and package != "" else ""
            groups.setdefault(key, ([], []))[1].append(entry)
        built = {}
        for key, (group_modules, group_entries) in groups.items():
            if group_entries:
                group_data = data if key == "" or "inventory" not in data else {**self.data, "inventory": data["inventory"]}
                built[key] = engines.RegopyEngine(group_modules, group_data, group_entries, self.describe_error, probe,
                                                  self._undefined_calls(group_modules))
            elif group_modules and key == "":
                # nothing to evaluate, but a mistake is still an error
                engines.RegopyEngine(group_modules, data, [], self.describe_error, probe, self._undefined_calls(group_modules))
        return engines.RoutedEngine(built) if len(built) != 1 else next(iter(built.values()))

    def _undefined_calls(self, modules: Sequence[tuple[str, str]]) -> dict[str, str]:
        """The names the modules call bare (`f(x)`) that no rule of their
        package defines and no import binds, with where each is first called:
        each must be a builtin (the engine checks)."""
        from kubelint.policy.rego import bare_calls

        defined: dict[str, set[str]] = {}
        for m in self.modules.values():
            defined.setdefault(m.package, set()).update(m.rules)
        out: dict[str, str] = {}
        for name, _ in modules:
            m = self.modules.get(name)
            if m is None:
                continue  # (the wrapper kubelint writes)
            for call, (line, column) in bare_calls(m).items():
                if call not in out and call not in defined.get(m.package, ()) and call not in m.import_names:
                    out[call] = f"{m.file}:{line}:{column}"
        return out

    def plan(self):
        """What to evaluate for an object and what of it to send
        (kubelint.policy.inputs): the conftest rules that can fire on its
        kind, and the fields the rules (and each template) read."""
        if self._plan is None:
            from kubelint.policy import inputs

            known = not (self.options.opa_url and not self.options.opa_push)  # else: the server's own policies
            self._plan = inputs.plan(
                [(name, m.package, m.v1_source) for name, m in self.modules.items() if m.package] if known else None,
                [(c.package, c.rule) for c in self.conftest],
                {t.kind: t.package for t in self.templates.values() if t.rego is not None},
                self.data,
            )
        return self._plan

    def conftest_job(self, data: Any) -> tuple | None:
        """The (entrypoint, input) of the conftest rules for one object, or
        None when none of them can fire on it (its kind, its field values)."""
        entry, tree = self.plan().for_object(data)
        if entry is None:
            return None
        from kubelint.policy.inputs import prune

        return f"{WRAPPER_PACKAGE}/{entry}", prune(data, tree)

    def gatekeeper_job(self, constraint: Constraint, review: dict) -> tuple:
        """The (entrypoint, input) of a constraint on one review: the fields
        its template reads."""
        from kubelint.policy.inputs import prune

        template = self.templates[constraint.kind]
        entry = template.package.replace(".", "/") + "/violation"
        tree = self.plan().templates.get(template.kind)
        return entry, prune({"review": review, "parameters": constraint.parameters}, tree)

    def describe_error(self, text: str) -> str:
        from kubelint.policy.rego import error_location, error_message

        where = error_location(text, self.modules)
        message = error_message(text)
        if where:
            return f"{where[0]}:{where[1]}:{where[2]}: {message}"
        return f"policy: {message}"

    def evaluate(self, objects: Sequence, rules: dict) -> list:
        """Findings of the policies over the run's objects (K8sObject values).
        `rules`: the active policy rules by name (others are not reported)."""
        return self.start(objects, rules).findings()

    def start(self, objects: Sequence, rules: dict) -> "PendingFindings":
        """Start evaluating in forked workers, which run while the caller goes
        on (with the built-in rules); `.findings()` waits for them."""
        from kubelint.policy import engines
        from kubelint.policy.gatekeeper import matches, review_of

        objects = [o for o in objects if not o.fragment]
        findings: list = []
        for template in self.templates.values():
            if template.rego is None and any(k.kind == template.kind for k in self.constraints):
                rule = rules.get(NOT_EVALUATED_RULE)
                if rule is not None:
                    findings.append(_file_finding(rule, template.file, template.line,
                                                  f"ConstraintTemplate {template.name} has no Rego code (CEL only); its constraints were not evaluated"))
        if not objects or not (self.conftest or self._constraints_in_use()):
            return PendingFindings(findings, objects, rules, [], engines.PendingJobs(None, [], None))
        engine = self.compiled
        if engine is None or any(t.uses_inventory for t in self.templates.values()):
            engine = self.engine([o.data for o in objects])
        jobs: list = []
        owners: list = []  # (kind, object index or None, constraint)
        conftest_entry = f"{WRAPPER_PACKAGE}/results"
        if self.conftest and any(c.name in rules for c in self.conftest):
            if self.options.combine:
                jobs.append((conftest_entry, [{"path": o.file, "contents": o.data} for o in objects]))
                owners.append(("combine", None, None))
            else:
                for index, obj in enumerate(objects):
                    job = self.conftest_job(obj.data)
                    if job is not None:
                        jobs.append(job)
                        owners.append(("conftest", index, None))
        constraints = [k for k in self._constraints_in_use() if k.rule_name in rules]
        if constraints:
            namespaces = {
                o.ref.name: o.data for o in objects if o.kind == "Namespace" and o.group == "" and o.ref.name
            }
            for index, obj in enumerate(objects):
                review = review_of(obj.data)
                for k in constraints:
                    if matches(k, review, namespaces):
                        jobs.append(self.gatekeeper_job(k, review))
                        owners.append(("gatekeeper", index, k))
        return PendingFindings(findings, objects, rules, owners, engines.PendingJobs(engine, jobs, self.options.timeout))


    def needs_whole_run(self) -> bool:
        """Whether some policy reads every object at once (--combine, or a
        template reading data.inventory)."""
        return self.options.combine or any(t.uses_inventory for t in self.templates.values())

    def session(self, rules: dict, namespaces: dict | None = None) -> "PolicySession":
        """The per-object path, for a run that checks objects one file at a
        time and lets them go:

            session = policies.session(rules, namespaces)
            for obj in objects_of_this_file:
                findings += session.check_object(obj)   # conftest, Gatekeeper
            findings += session.check_run(objects)       # --combine, data.inventory
            session.close()

        `namespaces`: Namespace objects of the run by name (for
        namespaceSelector).  check_run wants the run's objects; it evaluates
        only what needs all of them at once."""
        from kubelint.policy import engines

        server, self._server = self._server, None
        if server is None:
            engine = self.compiled if self.compiled is not None else self.engine(())
            server = engines.Server(engine, self.options.timeout)
        memo = {} if self.plan().pure else None
        return PolicySession(self, rules, namespaces or {}, server, memo)

    def fork_worker(self) -> None:
        """Fork the worker of the next session now, while the process is
        small (before the run reads its files): forking later copies the
        page tables of every parsed file, and each page the run then writes
        is copied again."""
        from kubelint.policy import engines

        if self.compiled is not None and self._server is None:
            self._server = engines.Server(self.compiled, self.options.timeout)
            self._server.start()


@dataclass(slots=True)
class PolicySession:
    policies: PolicySet
    rules: dict
    namespaces: dict
    server: Any  # kubelint.policy.engines.Server
    # answers by job (pure policies only): objects that send the same fields
    # (copies of one manifest, or alike once pruned) are evaluated once
    memo: dict | None = None
    # submitted objects whose findings are not taken yet: (object, owners, tickets)
    pending: deque = field(default_factory=deque)
    _per_object: tuple | None = None  # (conftest rules on?, constraints per object), once


    def send(self, job: tuple):
        """A Ticket for the job's answer (one already sent for the same job
        when the policies are pure)."""
        if self.memo is None:
            return self.server.send(job)
        import pickle

        # The bytes sent are the key: equal bytes, equal input (a copy of a
        # manifest gives the same; a difference in key order only misses).
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        ticket = self.memo.get(payload)
        if ticket is None:
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            ticket = self.memo[payload] = self.server.send(job, payload)
        return ticket

    def _send_object(self, obj) -> tuple[list, list]:
        """Send the jobs of one object: conftest policies (without --combine)
        and constraints whose template does not read data.inventory."""
        from kubelint.policy.gatekeeper import matches, review_of

        p = self.policies
        owners, tickets = [], []
        if obj.fragment:
            return owners, tickets
        if self._per_object is None:
            self._per_object = (
                bool(p.conftest) and not p.options.combine and any(c.name in self.rules for c in p.conftest),
                [k for k in p._constraints_in_use() if k.rule_name in self.rules and not p.templates[k.kind].uses_inventory],
            )
        conftest, constraints = self._per_object
        if conftest:
            job = p.conftest_job(obj.data)
            if job is not None:
                owners.append(("conftest", 0, None))
                tickets.append(self.send(job))
        if constraints:
            review = review_of(obj.data)
            for k in constraints:
                if matches(k, review, self.namespaces):
                    owners.append(("gatekeeper", 0, k))
                    tickets.append(self.send(p.gatekeeper_job(k, review)))
        return owners, tickets

    def _findings(self, obj, owners: list, tickets: list) -> list:
        for ticket in tickets:
            self.server.wait(ticket)
        return _collect(owners, [t.answer for t in tickets], [obj], self.rules)

    def check_object(self, obj) -> list:
        """Findings of the conftest policies (without --combine) and of the
        constraints whose template does not read data.inventory, for one
        object (waiting for them)."""
        return self._findings(obj, *self._send_object(obj))

    def submit(self, obj) -> list:
        """check_object without waiting: send the object's jobs, and return
        the findings of the objects submitted before whose answers are in
        (the worker evaluates while the caller goes on).  `flush()` (or
        check_run) returns the rest."""
        owners, tickets = self._send_object(obj)
        if tickets:
            self.pending.append((obj, owners, tickets))
        self.server.poll()
        out: list = []
        pending = self.pending
        while pending:
            if len(pending) <= PENDING_OBJECTS:
                for ticket in pending[0][2]:
                    if ticket.answer is UNSET:
                        return out
            out.extend(self._findings(*pending.popleft()))
        return out

    def flush(self) -> list:
        """The findings of every object submitted and not yet returned."""
        out: list = []
        while self.pending:
            out.extend(self._findings(*self.pending.popleft()))
        return out

    def check_run(self, objects: Sequence) -> list:
        """Findings that need the whole run: --combine, templates reading
        data.inventory, and CEL-only templates (reported once); and those of
        the objects submitted whose findings are not taken yet."""
        p = self.policies
        run_rules = {name: r for name, r in self.rules.items() if name in (ERROR_RULE, NOT_EVALUATED_RULE)}
        if p.options.combine:
            run_rules.update({c.name: self.rules[c.name] for c in p.conftest if c.name in self.rules})
        for k in p._constraints_in_use():
            if p.templates[k.kind].uses_inventory and k.rule_name in self.rules:
                run_rules[k.rule_name] = self.rules[k.rule_name]
        if not p.options.combine:
            # conftest rules are per object here; keep them out of the run-wide pass
            pass
        whole = PolicySet(p.options, p.modules, p.data, p.conftest if p.options.combine else [],
                          {kind: t for kind, t in p.templates.items()}, [k for k in p.constraints if k.rule_name in run_rules or p.templates[k.kind].rego is None],
                          p.files)
        return self.flush() + whole.evaluate(objects, run_rules)

    def close(self) -> None:
        self.server.close()


def _collect(owners: list, answers: list, objects: Sequence, rules: dict) -> list:
    return PendingFindings([], objects, rules, owners, _Answered(answers)).findings()


@dataclass(slots=True)
class _Answered:
    answers: list

    def results(self) -> list:
        return self.answers


@dataclass(slots=True)
class PendingFindings:
    """Policy findings being computed; `findings()` collects them."""

    ready: list
    objects: Sequence
    rules: dict
    owners: list  # per job: (kind, object index or None, constraint)
    pending: Any  # kubelint.policy.engines.PendingJobs

    def findings(self) -> list:
        from kubelint.model import Finding
        from kubelint.suppress import matches as suppressed, object_ignores

        findings = list(self.ready)
        rules, objects = self.rules, self.objects
        seen: dict[int, tuple] = {}  # per target: (ignored rules, label)
        for (kind, index, constraint), answer in zip(self.owners, self.pending.results()):
            obj = objects[index] if index is not None else objects[0]
            produced: list = []  # (rule, target, message, path, fix)
            if isinstance(answer, Failure):
                rule = rules.get(ERROR_RULE)
                what = constraint.rule_name if constraint else "conftest policies"
                if rule is not None:
                    produced.append((rule, obj, f"{what}: {answer.reason}", (), None))
            elif kind == "gatekeeper":
                rule = rules[constraint.rule_name]
                for item in _as_items(answer):
                    produced.append((rule, obj, *result_item(item)))
            else:
                for name, value in (answer or {}).items():
                    rule = rules.get(name)
                    if rule is None:
                        continue
                    for item in _as_items(value):
                        target = obj
                        if kind == "combine":
                            target = _combine_target(item, objects)
                        produced.append((rule, target, *result_item(item)))
            for rule, target, message, path, fix in produced:
                known = seen.get(id(target))
                if known is None:
                    known = seen[id(target)] = (object_ignores(target), f"{target.ref.label()}: ")
                ignored, label = known
                line, column = target.position(path)
                finding = Finding(rule.code, rule.name, rule.severity, label + message, target.file, line, column,
                                  fix, target.ref, tuple(path), target.document.index, target.prefix)
                if not ignored or not suppressed(finding, ignored):
                    findings.append(finding)
        return findings


def _ref(package: str) -> str:
    return ".".join(part if part.isidentifier() else json.dumps(part) for part in package.split("."))


def _as_items(value: Any) -> list:
    if value is None or value is False or value is True:
        return []
    if isinstance(value, dict):
        # a v0 partial set read as an object of `item: true` never reaches
        # here (modules are upgraded); a partial object gives its values.
        return list(value.values())
    if isinstance(value, list):
        return value
    return [value]


def _combine_target(item: Any, objects: Sequence):
    """With --combine, a result may say which object it is about: `index`
    (into the input list) or `object: {kind, name, namespace}`."""
    if isinstance(item, dict):
        index = item.get("index")
        if isinstance(index, int) and 0 <= index < len(objects):
            return objects[index]
        ref = item.get("object")
        if isinstance(ref, dict):
            for o in objects:
                if o.kind == ref.get("kind") and o.ref.name == ref.get("name") and (
                    "namespace" not in ref or o.ref.namespace == ref.get("namespace")
                ):
                    return o
    return objects[0]


def result_item(item: Any) -> tuple[str, tuple, Any]:
    """(message, path, fix) of one policy result."""
    if isinstance(item, str):
        return item, (), None
    if not isinstance(item, dict):
        return json.dumps(item, sort_keys=True), (), None
    message = item["msg"] if "msg" in item else item.get("message")
    if not isinstance(message, str):
        message = json.dumps(item, sort_keys=True)
    path = item.get("path")
    path = parse_path(path) if path is not None else ()
    raw = item.get("fix")
    if raw is None:
        return message, path, None
    from kubelint.model import Edit, Fix, FIX_SAFETIES

    fix = None
    if isinstance(raw, str) and raw:
        fix = Fix(raw, safety="none")
    elif isinstance(raw, dict):
        edits = []
        for e in raw.get("edits") or []:
            try:
                edits.append(Edit(e["op"], parse_path(e.get("path")), e.get("value")))
            except (KeyError, TypeError, ValueError):
                edits = []
                break
        safety = raw.get("safety")
        if safety not in FIX_SAFETIES:
            safety = "unsafe" if edits else "none"
        snippet = raw.get("snippet")
        fix = Fix(str(raw.get("title") or "Apply the policy's fix."), snippet if isinstance(snippet, str) else None, tuple(edits), safety)
    return message, path, fix


def parse_path(value: Any) -> tuple:
    """A result's `path`: a list, a JSON pointer (`/spec/replicas`), or
    dotted (`spec.template.spec.containers[0].image`)."""
    if isinstance(value, list):
        return tuple(p if isinstance(p, (str, int)) and not isinstance(p, bool) else str(p) for p in value)
    if not isinstance(value, str) or not value:
        return ()
    if value.startswith("/"):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in value[1:].split("/")]
    else:
        import re

        parts = [p for p in re.split(r"\.|\[(\d+)\]", value) if p]
    return tuple(int(p) if p.isascii() and p.isdigit() and len(p) <= 18 else p for p in parts)


def _file_finding(rule, file: str, line: int, message: str):
    from kubelint.model import Finding

    return Finding(rule.code, rule.name, rule.severity, message, file, line, 1)


# --- loading -------------------------------------------------------------


def policy_files(paths: Iterable[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(os.path.join(root, n) for n in sorted(names) if n.lower().endswith(POLICY_SUFFIXES))
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise PolicyLoadError(f"{path}: no such file or directory")
    return files


def load_policies(paths: Iterable[str], settings: Any = None, options: PolicyOptions | None = None,
                  keep_tests: bool = False, fork: bool = False) -> PolicySet:
    """Read policies from files and directories; compile errors and unusable
    policies raise PolicyLoadError (one line: file:line:col: what).  Unit
    tests (`test_*` rules) are left out unless `keep_tests`: a check never
    runs them, and regopy cannot compile some of them.  `fork`: fork the
    worker of the next session now (see fork_worker); it compiles the
    policies, and this process does not (nor imports regopy) unless a
    path without that worker needs them (`compiled` is None then)."""
    if options is None:
        options = PolicyOptions.from_mapping(getattr(settings, "policy_options", None) or {})
    from kubelint.policy.rego import conftest_rules, read_module

    policies = PolicySet(options)
    rego_files = []
    for file in policy_files(paths):
        policies.files.append(file)
        if file.lower().endswith(".rego"):
            rego_files.append(file)
        else:
            _load_document_file(policies, file)
    for file in rego_files:
        text = _read_text(file)
        module = read_module(file, text, options.rego_version)
        _check_module(module, options)
        if not keep_tests:
            from kubelint.policy.rego import blank_rules, test_rules

            blank_rules(module, set(test_rules(module)))
        if not module.package:
            raise PolicyLoadError(f"{file}:1:1: no package declaration")
        policies.modules[file] = module
    for template in list(policies.templates.values()):
        if template.rego is None:
            continue
        name = f"{template.file}#{template.name}"
        module = read_module(name, template.rego, template.version)
        module.file = template.file
        module.line_offset = template.rego_line - 1
        _check_module(module, options)
        template.package = module.package
        template.uses_inventory = "data.inventory" in template.rego
        if "violation" not in module.rules:
            raise PolicyLoadError(f"{template.file}:{template.line}:1: ConstraintTemplate {template.name}: its Rego defines no violation rule")
        policies.modules[name] = module
        if template.libs:
            # Gatekeeper gives each template its own `data.lib`; two templates
            # often ship different libs of one name (lib.exempt_container).
            prefix = "kl_lib_" + "".join(c if c.isalnum() else "_" for c in template.kind.lower())
            module.v1_source = _rename_lib(module.v1_source, prefix)
        for i, lib in enumerate(template.libs):
            lib_module = read_module(f"{name}#lib{i}", lib, template.version)
            lib_module.file = template.file
            _check_module(lib_module, options)
            lib_module.v1_source = _rename_lib(lib_module.v1_source, prefix)
            lib_module.package = prefix + lib_module.package[3:] if lib_module.package.startswith("lib.") else lib_module.package
            policies.modules[f"{name}#lib{i}"] = lib_module
            template.uses_inventory = template.uses_inventory or "data.inventory" in lib
    seen: dict[str, Any] = {}
    for constraint in policies.constraints:
        first = seen.setdefault(constraint.rule_name, constraint)
        if first is not constraint:
            raise PolicyLoadError(
                f"{constraint.file}:{constraint.line}:1: a second constraint {constraint.rule_name} (the first is at {first.file}:{first.line})"
            )
        if constraint.kind not in policies.templates:
            raise PolicyLoadError(
                f"{constraint.file}:{constraint.line}:1: constraint {constraint.rule_name}: no ConstraintTemplate defines kind {constraint.kind}"
            )
    template_modules = {f"{t.file}#{t.name}" for t in policies.templates.values()}
    packages: dict[str, list] = {}
    for name, module in policies.modules.items():
        if name in template_modules or "#lib" in name:
            continue
        for rule in conftest_rules(module):
            packages.setdefault(module.package, [])
            if all(c.rule != rule for c in packages[module.package]):
                packages[module.package].append(ConftestRule(module.package, rule, module.file, module.rules[rule]))
    wanted = packages if options.all_namespaces else {p: packages[p] for p in options.namespaces if p in packages}
    for rules in wanted.values():
        policies.conftest.extend(rules)
    if not options.opa_url and options.allow_net:
        raise PolicyLoadError("--allow-net: the embedded engine (regopy) has no network builtins; evaluate on an OPA server with --opa-url")
    if not options.opa_url and policies.modules and not keep_tests:
        # Compile now, so a mistake is a load error (exit 2), not a finding;
        # the run compiles again with its inventory.
        if fork and options.timeout is not None and hasattr(os, "fork"):
            from kubelint.policy import engines

            if policies.conftest:
                policies.plan()  # (once, here: the worker inherits it)
            view = replace(policies)  # (not `policies`: no cycle through its _server)
            server = engines.Server(None, options.timeout, build=lambda probe=True: view.engine((), probe=probe))
            server.start()  # the worker compiles: PolicyLoadError
            policies._server = server
        else:
            policies.compiled = policies.engine(())
    return policies


def _rename_lib(source: str, prefix: str) -> str:
    """`data.lib.x` -> `data.<prefix>.x` and `package lib.x` -> `package <prefix>.x`
    (same length changes on one line only; positions of other lines stay)."""
    import re

    source = re.sub(r"\bdata\.lib\.", f"data.{prefix}.", source)
    return re.sub(r"(?m)^(\s*package\s+)lib\.", lambda m: f"{m.group(1)}{prefix}.", source)


def _check_module(module, options: PolicyOptions) -> None:
    if not options.allow_net:
        for name, (line, column) in module.calls.items():
            raise PolicyLoadError(
                f"{module.file}:{line + module.line_offset}:{column}: {name} reaches the network; "
                "network builtins are disabled unless --allow-net is given"
            )


def _read_text(file: str) -> str:
    try:
        with open(file, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyLoadError(f"{file}: cannot read: {getattr(e, 'strerror', None) or e}") from None


def _load_document_file(policies: PolicySet, file: str) -> None:
    from kubelint.parse import parse_file
    from kubelint.policy import gatekeeper

    text = _read_text(file)
    parsed = parse_file(file, text.encode("utf-8"))
    for hazard in parsed.hazards:
        if hazard.name in ("yaml-syntax", "json-syntax", "yaml-encoding"):
            raise PolicyLoadError(f"{file}:{hazard.line}:{hazard.column}: {hazard.message}")
    for doc in parsed.documents:
        data = doc.data
        if not isinstance(data, dict):
            continue
        if gatekeeper.is_template(data):
            template = gatekeeper.read_template(data, file, doc.line)
            if template.rego is not None:
                first = next((l for l in template.rego.splitlines() if l.strip()), "")
                offset = text.find(first.strip()) if first else -1
                template.rego_line = text.count("\n", 0, offset) + 1 - _leading_blank(template.rego) if offset >= 0 else doc.line
            if template.kind in policies.templates:
                raise PolicyLoadError(f"{file}:{doc.line}:1: a second ConstraintTemplate for kind {template.kind}")
            policies.templates[template.kind] = template
        elif gatekeeper.is_constraint(data):
            policies.constraints.append(gatekeeper.read_constraint(data, file, doc.line))
        elif "kind" in data and "apiVersion" in data:
            continue  # a Kubernetes object (a sample, a kustomization): not data
        else:
            try:
                _merge(policies.data, data, file)
            except PolicyLoadError:
                raise


def _leading_blank(text: str) -> int:
    count = 0
    for line in text.splitlines():
        if line.strip():
            break
        count += 1
    return count


def _merge(into: dict, data: dict, file: str, where: str = "data") -> None:
    for key, value in data.items():
        if key in into and isinstance(into[key], dict) and isinstance(value, dict):
            _merge(into[key], value, file, f"{where}.{key}")
        elif key in into and into[key] != value:
            raise PolicyLoadError(f"{file}: {where}.{key} is already set by another data file")
        else:
            into[key] = value
