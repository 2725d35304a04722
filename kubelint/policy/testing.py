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
    from kubelint.policy.rego import test_rules

    # Data files beside the policies are part of what the tests see; Gatekeeper
    # documents are not (suites test those).
    data_files = [f for f in files if f.endswith((".json", ".yaml", ".yml")) and _is_data_file(f)]
    options = PolicyOptions(all_namespaces=True, rego_version=rego_version, timeout=timeout)
    policies = load_policies(rego + data_files, options=options)
    tests = []
    for name, module in policies.modules.items():
        for rule in test_rules(module):
            tests.append((module, rule))
    if not tests:
        return []
    entrypoints = sorted({f"{m.package.replace('.', '/')}/{rule}" for m, rule in tests})
    engine = policies.engine((), extra_entrypoints=entrypoints)
    jobs = [(f"{m.package.replace('.', '/')}/{rule}", {}) for m, rule in tests]
    outcomes = []
    for (module, rule), answer in zip(tests, run_jobs(engine, jobs, timeout)):
        where = f"{module.file}:{module.rules[rule]}"
        name = f"data.{module.package}.{rule}"
        if isinstance(answer, Failure):
            outcomes.append(Outcome(where, name, False, answer.reason))
        elif answer is True:
            outcomes.append(Outcome(where, name, True))
        else:
            outcomes.append(Outcome(where, name, False, "undefined" if answer is None else f"got {answer!r}"))
    return outcomes


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
    if isinstance(value, str) and value.isdigit():
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
                entry = template.package.replace(".", "/") + "/violation"
                answer = run_jobs(engine, [(entry, {"review": review, "parameters": constraint.parameters})], timeout)[0]
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
