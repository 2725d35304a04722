"""`kubelint policy test`: Rego unit tests and Gatekeeper suites.

* Rego unit tests, as `opa test` runs them: every rule named `test_*` in the
  `.rego` files under the paths passes when it is defined and true.
* Gatekeeper suites (`suite.yaml`, kind Suite, as `gator verify` reads them):
  each test names a template and a constraint (paths relative to the suite);
  each case an object (or an AdmissionReview), optional inventory files, and
  assertions `violations: yes | no | N`, optionally counting only the
  violations whose message matches `message` (a regular expression).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from kubelint.policy import PolicyLoadError, PolicyOptions, load_policies, policy_files
from kubelint.policy.engines import Failure, run_jobs


@dataclass(frozen=True, slots=True)
class Outcome:
    where: str  # file (and line)
    name: str
    passed: bool
    detail: str = ""


@dataclass(slots=True)
class Report:
    outcomes: list[Outcome] = field(default_factory=list)


def run_tests(paths: Iterable[str], rego_version: str = "auto", timeout: float | None = 10.0) -> Report:
    paths = list(paths)
    report = Report()
    files = policy_files(paths)
    rego = [f for f in files if f.endswith(".rego")]
    suites = [f for f in files if os.path.basename(f) in ("suite.yaml", "suite.yml")]
    if rego:
        report.outcomes.extend(_rego_tests(rego, files, rego_version, timeout))
    for suite in suites:
        report.outcomes.extend(run_suite(suite, timeout))
    return report


def _rego_tests(rego: list[str], files: list[str], rego_version: str, timeout) -> list[Outcome]:
    from kubelint.policy.rego import blank_rules, split_input_withs, test_rules

    # Data files beside the policies are part of what the tests see; Gatekeeper
    # documents are not (suites test those).
    data_files = [f for f in files if f.endswith((".json", ".yaml", ".yml")) and _is_data_file(f)]
    options = PolicyOptions(all_namespaces=True, rego_version=rego_version, timeout=timeout)
    policies = load_policies(rego + data_files, options=options, keep_tests=True)
    tests = []
    split: dict = {}  # (module name, test) -> (input rule, run rule)
    not_run: dict = {}  # (module name, test) -> why
    for name, module in policies.modules.items():
        for rule in test_rules(module):
            tests.append((module, rule))
        found = split_input_withs(module)
        for test, rules in found.items():
            split[(module.file, test)] = rules
        # the split tests run as __kl_run_<test>; their `with` form goes
        blank_rules(module, set(found))
    if not tests:
        return []
    from kubelint.policy.engines import CRASHED, probe_compile

    modules = [(n, m.v1_source) for n, m in policies.modules.items() if m.package]
    if probe_compile(modules, policies.data, []) == CRASHED:
        # regopy cannot compile some remaining `with`: leave those tests out
        for module, rule in tests:
            if (module.file, rule) not in split and _uses_with(module, rule):
                blank_rules(module, {rule})
                not_run[(module.file, rule)] = "not run: regopy 1.5.2 cannot compile this test's `with` (give the input as a literal or a rule)"

    def entry(module, rule: str) -> str:
        return f"{module.package.replace('.', '/')}/{rule}"

    entrypoints = {entry(m, rule) for m, rule in tests}
    for (file, test), (input_rule, run_rule) in split.items():
        module = next(m for m, r in tests if m.file == file and r == test)
        entrypoints |= {entry(module, input_rule), entry(module, run_rule)}
    try:
        engine = policies.engine((), extra_entrypoints=sorted(entrypoints))
    except PolicyLoadError:
        # the rewrite did not compile: run the tests as written
        for m in policies.modules.values():
            m.v1_source = m.v1_source.split("\n\n__kl_input_", 1)[0] + "\n"
        split = {}
        engine = policies.engine((), extra_entrypoints=sorted({entry(m, r) for m, r in tests}))
    # A test that gives its input with `with input as T`: T first, then its
    # body with T as the input (see kubelint.policy.rego.split_input_withs).
    inputs = {}
    keys = list(split)
    if keys:
        values = run_jobs(engine, [(entry(next(m for m, r in tests if m.file == f and r == t), split[(f, t)][0]), {}) for f, t in keys], timeout)
        inputs = {key: value for key, value in zip(keys, values) if value is not None and not isinstance(value, Failure)}
    jobs = []
    for module, rule in tests:
        key = (module.file, rule)
        if key in not_run:
            jobs.append(None)
        elif key in inputs:
            jobs.append((entry(module, split[key][1]), inputs[key]))
        else:
            jobs.append((entry(module, rule), {}))
    answers = iter(run_jobs(engine, [j for j in jobs if j is not None], timeout))
    outcomes = []
    for (module, rule), job in zip(tests, jobs):
        answer = next(answers) if job is not None else Failure(not_run[(module.file, rule)])
        where = f"{module.file}:{module.rules[rule]}"
        name = f"data.{module.package}.{rule}"
        if isinstance(answer, Failure):
            outcomes.append(Outcome(where, name, False, answer.reason))
        elif answer is True:
            outcomes.append(Outcome(where, name, True))
        else:
            outcomes.append(Outcome(where, name, False, "undefined" if answer is None else f"got {answer!r}"))
    return outcomes


def _uses_with(module, rule: str) -> bool:
    from kubelint.policy.rego import tokenize

    tokens = tokenize(module.v1_source)
    inside = False
    for i, t in enumerate(tokens):
        if t.kind == "ident" and t.text == rule and (i == 0 or tokens[i - 1].kind == "nl"):
            inside = True
        elif inside and t.kind == "ident" and (i > 0 and tokens[i - 1].kind == "nl") and t.text.startswith("test_"):
            inside = False
        if inside and t.text == "with":
            return True
    return False


def _is_data_file(path: str) -> bool:
    """A YAML or JSON file with no Kubernetes object in it (policy data)."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return False
    return bool(docs) and all(isinstance(d, dict) and not ("kind" in d and "apiVersion" in d) for d in docs)


def _objects(path: str) -> list[dict]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            return [d for d in yaml.safe_load_all(fh) if isinstance(d, dict)]
    except OSError as e:
        raise PolicyLoadError(f"{path}: cannot read: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise PolicyLoadError(f"{path}: invalid YAML: {' '.join(str(e).split())}") from None


def _expected(value: Any) -> tuple[str, int | None]:
    """('any', None) for yes, ('exact', n) for no / N."""
    if value is True or value == "yes":
        return "any", None
    if value is False or value == "no":
        return "exact", 0
    if isinstance(value, int):
        return "exact", value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return "exact", int(value)
    raise ValueError(f"violations: {value!r} is not yes, no or a number")


def run_suite(suite_path: str, timeout: float | None = 10.0) -> list[Outcome]:
    from kubelint.policy.gatekeeper import matches, review_of

    base = os.path.dirname(suite_path)
    outcomes: list[Outcome] = []
    docs = _objects(suite_path)
    suite = docs[0] if docs else {}
    if suite.get("kind") != "Suite":
        return []
    for test in suite.get("tests") or []:
        test_name = test.get("name", "?")
        template_file = os.path.join(base, test.get("template", ""))
        constraint_file = os.path.join(base, test.get("constraint", ""))
        cases = test.get("cases") or []
        try:
            policies = load_policies([template_file, constraint_file], options=PolicyOptions(timeout=timeout))
        except PolicyLoadError as e:
            for case in cases:
                outcomes.append(Outcome(suite_path, f"{test_name}/{case.get('name', '?')}", False, str(e)))
            continue
        template = next(iter(policies.templates.values()), None)
        if template is None or not policies.constraints:
            for case in cases:
                outcomes.append(Outcome(suite_path, f"{test_name}/{case.get('name', '?')}", False, "no template or constraint"))
            continue
        constraint = policies.constraints[0]
        engines: dict = {}
        for case in cases:
            name = f"{test_name}/{case.get('name', '?')}"
            if template.rego is None:
                outcomes.append(Outcome(suite_path, name, False, "template has no Rego code (CEL only): not evaluated"))
                continue
            try:
                objects = _objects(os.path.join(base, case.get("object", "")))
                inventory_files = tuple(case.get("inventory") or ())
                inventory = [o for f in inventory_files for o in _objects(os.path.join(base, f))]
                if inventory_files not in engines:
                    engines[inventory_files] = policies.engine(inventory)
                engine = engines[inventory_files]
            except PolicyLoadError as e:
                outcomes.append(Outcome(suite_path, name, False, str(e)))
                continue
            if not objects:
                outcomes.append(Outcome(suite_path, name, False, "no object"))
                continue
            review = review_of(objects[0])
            namespaces = {
                o.get("metadata", {}).get("name"): o for o in inventory if o.get("kind") == "Namespace"
            }
            violations: list = []
            if matches(constraint, review, namespaces):
                # (the fields the template reads, as a check sends them)
                answer = run_jobs(engine, [policies.gatekeeper_job(constraint, review)], timeout)[0]
                if isinstance(answer, Failure):
                    outcomes.append(Outcome(suite_path, name, False, answer.reason))
                    continue
                violations = answer if isinstance(answer, list) else []
            problems = []
            for assertion in case.get("assertions") or []:
                pattern = assertion.get("message")
                counted = [
                    v for v in violations
                    if pattern is None or re.search(str(pattern), str(v.get("msg", "") if isinstance(v, dict) else v))
                ]
                try:
                    mode, number = _expected(assertion.get("violations", "yes"))
                except ValueError as e:
                    problems.append(str(e))
                    continue
                if mode == "any" and not counted:
                    problems.append("expected violations, got none")
                elif mode == "exact" and len(counted) != number:
                    msgs = "; ".join(str(v.get("msg") if isinstance(v, dict) else v) for v in counted)[:300]
                    problems.append(f"expected {number} violations" + (f" matching {pattern!r}" if pattern else "")
                                    + f", got {len(counted)}" + (f": {msgs}" if msgs else ""))
            outcomes.append(Outcome(suite_path, name, not problems, "; ".join(problems)))
    return outcomes
