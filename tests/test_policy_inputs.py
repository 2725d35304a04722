"""What kubelint sends a policy: the input fields it names, and no
evaluation for a kind none of its rules is about (kubelint/policy/inputs.py).
Findings stay what they were with the whole object."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from kubelint.policy import PolicyOptions, load_policies
from kubelint.policy import inputs

ROOT = Path(__file__).resolve().parents[1]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web, tier: front}
spec:
  replicas: 5
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25
status: {replicas: 5}
"""

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def objects(path: Path) -> list:
    from kubelint.parse import parse_file
    from kubelint.run import objects_of

    return [o for doc in parse_file(str(path), path.read_bytes()).documents for o in objects_of(doc)]


def findings(run_cli, *args):
    code, out, err = run_cli("check", "--config", "/dev/null", "--select", "policy", "-f", "json", "--fail-on", "none", *map(str, args))
    assert code == 0, err
    return [(f["name"], f["line"], f["column"], f["message"]) for f in json.loads(out)["findings"]]


def tree(source: str, rule: str = "deny", package: str = "main"):
    prog = inputs.program([("m.rego", package, source)])
    return inputs.rule_tree(prog, package, rule)


# --- the analysis -------------------------------------------------------------


def test_named_fields_are_the_tree_and_a_quoted_key_is_a_name():
    source = textwrap.dedent("""\
        package main
        import rego.v1
        deny contains msg if {
          input.metadata.labels["app.kubernetes.io/name"] == "web"
          some c in input.spec.template.spec.containers
          msg := concat(" ", [input["metadata"]["name"], c.image])
        }
        """)
    assert tree(source) == {
        "metadata": {"labels": {"app.kubernetes.io/name": True}, "name": True},
        "spec": {"template": {"spec": {"containers": True}}},
    }


@pytest.mark.parametrize("use", ["f(input)", "x := input", "input[k] == 1", "some k, v in input", "walk(input, [p, v])"])
def test_bare_input_reads_everything(use):
    source = f"package main\nimport rego.v1\nf(x) := x\ndeny contains 1 if {{\n  input.metadata.name\n  {use}\n}}\n"
    assert tree(source) is inputs.EVERYTHING


def test_the_tree_follows_the_rules_and_functions_a_rule_calls():
    """Through a helper of the same package in another module, and through
    an imported package; a rule nobody calls adds nothing."""
    prog = inputs.program([
        ("a.rego", "main", "package main\nimport rego.v1\nimport data.helpers\ndeny contains 1 if { owner; helpers.big }\n"),
        ("b.rego", "main", "package main\nimport rego.v1\nowner if not input.metadata.labels.owner\nunused := input\n"),
        ("c.rego", "helpers", "package helpers\nimport rego.v1\nbig if input.spec.replicas > 3\n"),
    ])
    assert inputs.rule_tree(prog, "main", "deny") == {"metadata": {"labels": {"owner": True}}, "spec": {"replicas": True}}
    assert inputs.rule_tree(prog, "main", "unused") is inputs.EVERYTHING


def test_a_package_read_whole_reads_everything():
    prog = inputs.program([
        ("a.rego", "main", "package main\nimport rego.v1\ndeny contains x if { some x in data.helpers }\n"),
        ("c.rego", "helpers", "package helpers\nimport rego.v1\nall := input\n"),
    ])
    assert inputs.rule_tree(prog, "main", "deny") is inputs.EVERYTHING


def test_prune_keeps_named_fields_only():
    value = {"kind": "X", "metadata": {"name": "a", "labels": {"x": "1"}}, "spec": [1], 3: "three"}
    assert inputs.prune(value, {"metadata": {"name": True}, "3": True, "missing": True}) == {"metadata": {"name": "a"}, 3: "three"}
    assert inputs.prune(value, inputs.EVERYTHING) is value


@pytest.mark.parametrize(
    "body, kinds",
    [
        ('input.kind == "Ingress"', {"Ingress"}),
        ('"Ingress" == input.kind', {"Ingress"}),
        ('input.kind in {"Pod", "Job"}', {"Pod", "Job"}),
        ("kinds[input.kind]", {"Deployment", "StatefulSet"}),
        ("workloads[input.kind]", {"Pod", "CronJob"}),
        ('not input.kind == "Ingress"', None),
        ('input.kind != "Ingress"', None),
        ("computed[input.kind]", None),
        ('input.kind in {"Pod": 1}', None),  # `in` an object tests values
    ],
)
def test_kind_guards(body, kinds):
    source = textwrap.dedent(f"""\
        package main
        import rego.v1
        kinds := {{"Deployment", "StatefulSet"}}
        workloads := {{"Pod": ["spec"], "CronJob": ["spec", "jobTemplate"]}}
        computed := {{k | some k in ["Pod"]}}
        deny contains 1 if {{
          input.metadata.name
          {body}
        }}
        """)
    prog = inputs.program([("m.rego", "main", source)])
    got = inputs.kind_guard(prog, "main", "deny")
    assert (set(got) if got is not None else None) == kinds


def test_every_body_must_be_guarded():
    source = 'package main\nimport rego.v1\ndeny contains 1 if input.kind == "Pod"\ndeny contains 2 if input.metadata.name\n'
    prog = inputs.program([("m.rego", "main", source)])
    assert inputs.kind_guard(prog, "main", "deny") is None
    source = 'package main\nimport rego.v1\ndeny contains 1 if input.kind == "Pod"\ndeny contains 2 if { input.kind == "Job" }\n'
    prog = inputs.program([("m.rego", "main", source)])
    assert inputs.kind_guard(prog, "main", "deny") == {"Pod", "Job"}
    source = 'package main\nimport rego.v1\ndefault deny := "x"\ndeny := "y" if input.kind == "Pod"\n'
    prog = inputs.program([("m.rego", "main", source)])
    assert inputs.kind_guard(prog, "main", "deny") is None


# --- what a check sends -------------------------------------------------------

METADATA_ONLY = """\
package main
import rego.v1
deny contains {"msg": concat("", ["no owner on ", input.metadata.name]), "path": ["metadata", "labels"]} if {
  not input.metadata.labels.owner
}
warn contains msg if {
  name := input.metadata.labels["app.kubernetes.io/name"]
  msg := concat("", ["app ", name])
}
"""


def test_a_policy_reading_metadata_is_sent_metadata_and_finds_the_same(run_cli, tmp_path):
    write(tmp_path / "p" / "meta.rego", METADATA_ONLY)
    manifest = write(tmp_path / "deploy.yaml", DEPLOYMENT)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    (obj,) = objects(manifest)
    assert policies.conftest_job(obj.data) == (
        "kubelint_run/results",
        {"metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"}}},  # (no owner label to send)
    )
    assert findings(run_cli, "--policy", tmp_path / "p", manifest) == [
        ("main.warn", 1, 1, "Deployment shop/web: app web"),
        ("main.deny", 6, 11, "Deployment shop/web: no owner on web"),
    ]


def test_a_policy_with_bare_input_sees_the_whole_object(run_cli, tmp_path):
    write(tmp_path / "p" / "meta.rego", METADATA_ONLY)
    write(tmp_path / "p" / "whole.rego", 'package main\nimport rego.v1\ndeny contains msg if {\n  obj := input\n  msg := concat(",", sort(object.keys(obj)))\n}\n')
    manifest = write(tmp_path / "deploy.yaml", DEPLOYMENT)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    (obj,) = objects(manifest)
    assert policies.conftest_job(obj.data)[1] is obj.data
    assert ("main.deny", 1, 1, "Deployment shop/web: apiVersion,kind,metadata,spec,status") in findings(
        run_cli, "--policy", tmp_path / "p", manifest
    )


def test_an_object_of_a_kind_no_rule_is_about_is_not_evaluated(run_cli, tmp_path):
    write(tmp_path / "p" / "kinds.rego", textwrap.dedent("""\
        package main
        import rego.v1
        workloads := {"Deployment": true, "StatefulSet": true}
        deny contains "replicas" if {
          workloads[input.kind]
          input.spec.replicas > 3
        }
        warn contains "ingress" if input.kind == "Ingress"
        """))
    manifest = write(tmp_path / "m.yaml", DEPLOYMENT + "---\n" + CONFIGMAP)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    deployment, configmap = objects(manifest)
    assert policies.conftest_job(configmap.data) is None
    entry, sent = policies.conftest_job(deployment.data)
    assert sent == {"kind": "Deployment", "spec": {"replicas": 5}}
    assert entry != "kubelint_run/results"  # the rules about Deployments only
    assert findings(run_cli, "--policy", tmp_path / "p", manifest) == [("main.deny", 1, 1, "Deployment shop/web: replicas")]


GATEKEEPER = """\
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sownerlabel}
spec:
  crd: {spec: {names: {kind: K8sOwnerLabel}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sownerlabel
        import data.lib.owner.missing
        violation[{"msg": msg}] {
          missing
          msg := concat("", [input.review.kind.kind, " ", input.review.object.metadata.name, " has no ", input.parameters.label])
        }
      libs:
        - |
          package lib.owner
          missing {
            not input.review.object.metadata.labels[input.parameters.label]
          }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sOwnerLabel
metadata: {name: owner}
spec:
  parameters: {label: owner}
"""


def test_gatekeeper_review_object_is_pruned_to_what_the_template_reads(run_cli, tmp_path):
    from kubelint.policy.gatekeeper import review_of

    write(tmp_path / "p" / "gk.yaml", GATEKEEPER)
    manifest = write(tmp_path / "deploy.yaml", DEPLOYMENT)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    (obj,) = objects(manifest)
    entry, sent = policies.gatekeeper_job(policies.constraints[0], review_of(obj.data))
    assert entry == "k8sownerlabel/violation"
    assert sent == {
        "review": {
            "kind": {"kind": "Deployment"},
            "object": {"metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web", "tier": "front"}}},
        },
        "parameters": {"label": "owner"},
    }
    assert findings(run_cli, "--policy", tmp_path / "p", manifest) == [
        ("K8sOwnerLabel/owner", 1, 1, "Deployment shop/web: Deployment web has no owner"),
    ]


def test_objects_that_send_the_same_fields_are_evaluated_once(tmp_path):
    write(tmp_path / "p" / "meta.rego", METADATA_ONLY)
    one = write(tmp_path / "a.yaml", DEPLOYMENT)
    two = write(tmp_path / "b.yaml", DEPLOYMENT.replace("replicas: 5", "replicas: 2"))
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    rules = {r.name: r for r in policies.rules()}
    session = policies.session(rules)
    asked = []
    send = session.server.send
    session.server.send = lambda job, *rest: asked.append(job) or send(job, *rest)
    try:
        got = [(f.file, f.name, f.line) for o in objects(one) + objects(two) for f in session.check_object(o)]
    finally:
        session.close()
    assert len(asked) == 1
    assert got == [(str(one), "main.deny", 6), (str(one), "main.warn", 1), (str(two), "main.deny", 6), (str(two), "main.warn", 1)]


def test_answers_of_impure_policies_are_not_reused(tmp_path):
    write(tmp_path / "p" / "clock.rego", 'package main\nimport rego.v1\ndeny contains "late" if time.now_ns() > 0\n')
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    session = policies.session({r.name: r for r in policies.rules()})
    session.close()
    assert session.memo is None


def test_the_pack_sends_a_crd_its_header_and_skips_rules_about_other_kinds():
    """The shipped pack names its fields (policies/README.md): a
    CustomResourceDefinition is sent its kind and metadata, and is
    evaluated for the rules about every kind only (and not for
    deny_required_annotations: the settings ask for no annotation; nor
    deny_default_namespace: it is not in the default namespace)."""
    policies = load_policies([str(ROOT / "policies"), str(ROOT / "scripts" / "bench_policy_data.yaml")])
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"}, "spec": {"versions": [{"name": "v1", "schema": {}}]},
    }
    entry, sent = policies.conftest_job(crd)
    assert sent == {"kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"}}
    answer = policies.compiled.evaluate((entry, sent))
    assert sorted(answer) == [
        "main.deny_namespace_not_allowed", "main.deny_required_labels",  # (deny_default_namespace: not in default)
    ]
    assert answer["main.deny_required_labels"] == [
        {"fix": "Add the label app to metadata.labels.", "msg": 'CustomResourceDefinition widgets.example.com has no label "app"', "path": ["metadata"]},
    ]


# --- the worker answers while the caller goes on --------------------------------


class _Engine:
    """Answers ("double", n) with 2n; ("crash", _) kills the worker, ("slow", s) sleeps s seconds."""

    def evaluate(self, job):
        import os
        import time

        what, value = job
        if what == "crash":
            os._exit(3)
        if what == "slow":
            time.sleep(value)
        return value * 2


def test_sent_jobs_are_answered_in_order_while_the_caller_goes_on():
    from kubelint.policy.engines import UNSET, Server

    server = Server(_Engine(), timeout=5)
    try:
        tickets = [server.send(("double", n)) for n in range(2000)]  # more than a pipe holds
        server.wait(tickets[-1])
        assert [t.answer for t in tickets] == [2 * n for n in range(2000)]
        late = server.send(("double", 7))
        assert late.answer is UNSET
        assert server.ask(("double", 8)) == 16 and late.answer == 14
    finally:
        server.close()


@pytest.mark.parametrize("bad, reason", [(("slow", 30), "evaluation took longer than 0.5s"), (("crash", 0), "the policy engine crashed on this input")])
def test_a_failing_job_fails_alone_and_the_jobs_after_it_are_answered(bad, reason):
    import time

    from kubelint.policy.engines import Failure, Server

    server = Server(_Engine(), timeout=0.5)
    started = time.monotonic()
    try:
        tickets = [server.send(("double", 1)), server.send(bad), server.send(("double", 2)), server.send(("double", 3))]
        for t in tickets:
            server.wait(t)
    finally:
        server.close()
    assert [t.answer for t in tickets] == [2, Failure(reason), 4, 6]
    assert time.monotonic() - started < 10


def test_submitted_objects_give_the_findings_of_check_object(tmp_path):
    """The run submits each object and takes its findings later (check_run
    returns those not taken yet); they are the findings check_object gives."""
    write(tmp_path / "p" / "meta.rego", METADATA_ONLY)
    write(tmp_path / "p" / "gk.yaml", GATEKEEPER)
    manifest = write(tmp_path / "m.yaml", "---\n".join(
        DEPLOYMENT.replace("name: web", f"name: web{i}") for i in range(300)
    ) + "---\n" + CONFIGMAP)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    rules = {r.name: r for r in policies.rules()}
    objs = objects(manifest)
    session = policies.session(rules)
    try:
        one_by_one = [f.sort_key() for o in objs for f in session.check_object(o)]
    finally:
        session.close()
    session = policies.session(rules)
    try:
        submitted = [f for o in objs for f in session.submit(o)]
        before_run = len(submitted)
        submitted += session.check_run(objs)
    finally:
        session.close()
    assert sorted(f.sort_key() for f in submitted) == sorted(one_by_one)
    assert len(one_by_one) == 300 * 3 + 2 and before_run < len(one_by_one)


@pytest.mark.parametrize("value", ["input.a +\n  input.b", "input.a\n  + input.b", "concat(\"\", [\n  input.a,\n  input.b])"])
def test_a_value_over_several_lines_is_read_whole(value):
    source = f"package main\nimport rego.v1\ndeny contains x if x := p\np := {value}\n"
    assert tree(source) == {"a": True, "b": True}


def test_a_line_that_opens_no_rule_is_read_with_every_rule():
    # (not valid Rego, but kubelint's reading must not lose a reference it cannot place)
    source = "package main\nimport rego.v1\ndeny contains 1 if input.a\ninput.b\n"
    assert tree(source) == {"a": True, "b": True}


def test_an_index_that_is_not_a_name_keeps_that_field_of_every_element():
    source = textwrap.dedent("""\
        package main
        import rego.v1
        deny contains msg if {
          some i
          image := input.spec.containers[i].image
          input.spec.containers[_].securityContext.privileged
          input.metadata.labels[k]
          msg := concat(" ", [input.spec.containers[i].name, image, k])
        }
        """)
    W = inputs.WILD
    assert tree(source) == {
        "spec": {"containers": {W: {"image": True, "name": True, "securityContext": {"privileged": True}}}},
        "metadata": {"labels": {W: {}}},  # (a statement alone: each label, its value as it is)
    }
    pod = {"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "a", "image": "x", "env": [1], "securityContext": {"privileged": True, "runAsUser": 0}}, "odd"]}}
    assert inputs.prune(pod, tree(source)) == {
        "metadata": {"labels": {"a": "1"}},
        "spec": {"containers": [{"name": "a", "image": "x", "securityContext": {"privileged": True}}, "odd"]},
    }


@pytest.mark.parametrize(
    "use, read",
    [
        ('object.get(input, ["metadata", "labels"], {})', {"metadata": {"labels": True}}),
        ('object.get(input.spec, "replicas", 1)', {"spec": {"replicas": True}}),
        ('object.get(input.spec.containers[i], "image", "")', {"spec": {"containers": {inputs.WILD: {"image": True}}}}),
        ("object.get(input, key, 1)", inputs.EVERYTHING),
        ('object.get(input.spec, [], 1)', {"spec": True}),
    ],
)
def test_object_get_reads_the_key_it_names(use, read):
    source = f"package main\nimport rego.v1\nkey := \"x\"\ndeny contains v if {{\n  some i\n  v := {use}\n}}\n"
    assert tree(source) == read


def test_an_index_bound_to_constant_strings_reads_those_keys_only():
    """`some field in ["containers", "initContainers"]` (or a rule of the
    package that is such a literal): `input.spec[field]` reads those two
    fields of spec, not every field."""
    source = textwrap.dedent("""\
        package main
        import rego.v1
        fields := ["containers", "initContainers"]
        deny contains image if {
          some field in fields
          image := input.spec[field][_].image
        }
        warn contains name if {
          some field in {"containers"}
          some i
          input.spec[field][i]
          name := input.spec[field][i].name
        }
        """)
    W = inputs.WILD
    assert tree(source) == {"spec": {"containers": {W: {"image": True}}, "initContainers": {W: {"image": True}}}}
    assert tree(source, "warn") == {"spec": {"containers": {W: {"name": True}}}}
    pod = {"spec": {"containers": [{"image": "a", "env": []}], "volumes": [{"name": "v", "image": "no"}], "initContainers": [{"image": "b"}]}}
    assert inputs.prune(pod, tree(source)) == {"spec": {"containers": [{"image": "a"}], "initContainers": [{"image": "b"}]}}


@pytest.mark.parametrize(
    "binding",
    [
        "some field in [\"containers\", input.x]",  # not every element a constant string
        "some field in fields\n  some field",  # declared again
        "some field in fields\n  field := \"volumes\"",  # assigned again
        "some field in {\"containers\": \"volumes\"}",  # `in` an object: its values
    ],
)
def test_an_index_bound_otherwise_reads_every_key(binding):
    source = f"package main\nimport rego.v1\nfields := [\"containers\"]\ndeny contains image if {{\n  {binding}\n  image := input.spec[field][_].image\n}}\n"
    assert tree(source)["spec"] == {inputs.WILD: {inputs.WILD: {"image": True}}}


def test_a_reference_alone_in_a_body_binds_without_reading_the_elements():
    """`input.a[i]` as a statement of its own tests each element for being
    there: the elements are sent, with only the fields other references name."""
    source = textwrap.dedent("""\
        package main
        import rego.v1
        deny contains image if {
          some i
          input.spec.containers[i]
          image := object.get(input.spec.containers[i], "image", "")
        }
        """)
    W = inputs.WILD
    assert tree(source) == {"spec": {"containers": {W: {"image": True}}}}
    pod = {"spec": {"containers": [{"name": "a"}, {"image": "x", "env": []}]}}
    assert inputs.prune(pod, tree(source)) == {"spec": {"containers": [{}, {"image": "x"}]}}


@pytest.mark.parametrize("use", ["x := {\n    input.spec.containers[i]\n  }", "x := [\n    input.spec.containers[i]\n  ]", "x := input.spec.containers[i]"])
def test_a_reference_in_a_value_reads_the_elements_whole(use):
    source = f"package main\nimport rego.v1\ndeny contains x if {{\n  some i\n  {use}\n}}\n"
    assert tree(source) == {"spec": {"containers": True}}


WORKLOADS = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop, labels: {app: p, owner: me}}
spec:
  containers:
    - name: a
      image: evil.io/a:1
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop, labels: {app: d, owner: me}}
spec:
  replicas: 80
  template:
    spec:
      initContainers:
        - name: init
          image: busybox
      containers:
        - name: b
          image: ghcr.io/ok/b:1
        - image: evil.io/nameless
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: shop, labels: {app: c, owner: me}}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: evil.io/c
"""


def test_the_pack_finds_images_and_replicas_through_its_views(run_cli, tmp_path):
    """The pack's rules about workloads read containers and replicas by
    name (kl_input_images, max_replicas_object): same findings as reading
    the whole object, in each place a pod spec lives."""
    settings = write(tmp_path / "settings.yaml", "kubelint:\n  allowed_registries: [ghcr.io/]\n  max_replicas: 10\n")
    manifest = write(tmp_path / "w.yaml", WORKLOADS)
    got = findings(run_cli, "--policy", ROOT / "policies", "--policy", settings, manifest)
    # (what the pack found before it read fields by name)
    assert [(name, line, column) for name, line, column, _ in got] == [
        ("KubelintContainerLimits/memory-limit", 6, 7),
        ("main.deny_registry_not_allowed", 7, 14),
        ("main.warn_max_replicas", 13, 13),
        ("KubelintContainerLimits/memory-limit", 17, 11),
        ("main.deny_registry_not_allowed", 18, 18),
        ("KubelintContainerLimits/memory-limit", 20, 11),
        ("main.deny_registry_not_allowed", 22, 18),
        ("main.deny_registry_not_allowed", 34, 22),
    ]
    assert got[6][3] == 'Deployment shop/d: container "" uses image "evil.io/nameless" from a registry that is not allowed (ghcr.io/)'
    assert got[2][3] == "Deployment shop/d: Deployment d asks for 80 replicas, more than the maximum of 10"


SETTINGS_GUARDED = """\
package main
import rego.v1
default settings := {}
settings := data.company
deny contains "annotation" if {
  settings.annotations
  input.kind == "Deployment"
}
warn contains "direct" if {
  data.company.strict
  input.metadata.name
}
violation contains "shadowed" if {
  settings := {"annotations": true}
  settings.annotations
}
deny_assigned contains "assigned" if {
  value := data.company.assigned
  value != 0
}
"""


@pytest.mark.parametrize(
    "company, evaluated",
    [
        ({}, ["main.violation"]),
        ({"annotations": False, "strict": False}, ["main.violation"]),
        ({"annotations": [], "strict": 0, "assigned": False}, ["main.deny", "main.deny_assigned", "main.violation", "main.warn"]),  # (true in Rego; false is a value to assign)
        ({"strict": "yes"}, ["main.violation", "main.warn"]),
    ],
)
def test_a_rule_whose_setting_is_absent_is_not_evaluated(run_cli, tmp_path, company, evaluated):
    write(tmp_path / "p" / "guarded.rego", SETTINGS_GUARDED)
    (tmp_path / "p" / "data.json").write_text(json.dumps({"company": company}))
    manifest = write(tmp_path / "deploy.yaml", DEPLOYMENT)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions(all_namespaces=True))
    (obj,) = objects(manifest)
    entry, _ = policies.conftest_job(obj.data)
    answer = policies.compiled.evaluate((entry, policies.conftest_job(obj.data)[1]))
    assert sorted(answer) == evaluated
    # and the findings are those of every rule evaluated
    got = sorted(name for name, *_ in findings(run_cli, "--all-namespaces", "--policy", tmp_path / "p", manifest))
    assert got == evaluated


def test_a_reference_to_a_rule_is_not_read_as_data():
    prog = inputs.program([("m.rego", "main", "package main\nimport rego.v1\nflag := input.x\ndeny contains 1 if { data.main.flag }\n")])
    assert inputs.kind_guard(prog, "main", "deny", {}) is None
    assert inputs.kind_guard(prog, "main", "deny", {"main": {}}) is None


@pytest.mark.parametrize("test", ['input.metadata.namespace == "default"', '"default" == input.metadata.namespace'])
def test_a_rule_about_one_value_of_a_field_is_evaluated_for_that_value_only(run_cli, tmp_path, test):
    write(tmp_path / "p" / "ns.rego", textwrap.dedent(f"""\
        package main
        import rego.v1
        deny contains "in default" if {{
          {test}
        }}
        warn contains "anything" if input.kind == "ConfigMap"
        """))
    objs = "---\n".join(CONFIGMAP.replace("namespace: shop", f"namespace: {ns}") for ns in ("default", "shop", "'2020-01-01'"))
    objs += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dated, namespace: 2020-01-01}\n"
    manifest = write(tmp_path / "m.yaml", objs)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    assert policies.plan().values == ((("metadata", "namespace"), "default"),)
    default, shop, quoted, dated = objects(manifest)
    assert policies.conftest_job(default.data)[0] == "kubelint_run/results"
    assert policies.conftest_job(shop.data)[0] != "kubelint_run/results"
    assert policies.compiled.evaluate(policies.conftest_job(shop.data)) == {"main.warn": ["anything"]}
    assert [(n, line) for n, line, *_ in findings(run_cli, "--policy", tmp_path / "p", manifest)] == [
        ("main.deny", 1), ("main.warn", 1), ("main.warn", 6), ("main.warn", 11), ("main.warn", 16),
    ]


def test_a_worker_forked_ahead_ends_with_its_policies(tmp_path):
    """A run that stops before its session (a usage error after the policies
    loaded) leaves no worker behind."""
    import gc
    import os

    write(tmp_path / "p" / "meta.rego", METADATA_ONLY)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    policies.fork_worker()
    pid = policies._server.pid
    assert pid and os.waitpid(pid, os.WNOHANG) == (0, 0)  # running
    del policies
    gc.collect()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped


def test_two_rules_on_one_line_are_read_apart():
    source = "package main\nimport rego.v1\na := input.x; b := input.y\ndeny contains 1 if b\n"
    assert tree(source) == {"y": True}


def test_a_test_that_goes_on_over_a_line_is_not_a_guard():
    source = 'package main\nimport rego.v1\ndeny contains 1 if {\n  input.kind == "Pod"\n    != true\n}\n'
    prog = inputs.program([("m.rego", "main", source)])
    assert inputs.kind_guard(prog, "main", "deny") is None


def test_pruned_inputs_answer_as_whole_objects_on_the_corpus():
    """Every object of the shared corpus (one file in three), through
    policies written as users write them: the answer to what kubelint sends
    (the fields named, the rules about the object) is the answer to the
    whole object, rule by rule.  Skipped where the corpus is absent."""
    from conftest import SHARED

    from kubelint.parse import parse_file
    from kubelint.run import objects_of

    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not here")
    policies = load_policies([str(ROOT / "tests" / "policy_inputs")], options=PolicyOptions(all_namespaces=True))
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))[::3]
    compared = pruned = skipped = 0
    for path in files:
        try:
            parsed = parse_file(str(path), path.read_bytes())
        except Exception:
            continue
        for doc in parsed.documents:
            for obj in objects_of(doc):
                whole = policies.compiled.evaluate(("kubelint_run/results", obj.data))
                job = policies.conftest_job(obj.data)
                if job is None:
                    skipped += 1
                    sent = {}
                else:
                    sent = policies.compiled.evaluate(job)
                    pruned += job[1] != obj.data
                assert {k: v for k, v in whole.items() if v} == {k: v for k, v in sent.items() if v}, (path, obj.ref)
                compared += 1
    assert compared > 500 and pruned > compared / 2


def test_the_input_document_keeps_every_scalar_as_the_engine_reads_it():
    """make_input calls regopy without ctypes' conversions and encodes each
    key once: the document is the one regopy's typed calls built."""
    import datetime

    from kubelint.policy.engines import RegopyEngine

    engine = RegopyEngine([("a.rego", "package a\nx := input\n")], {}, ["a/x"], str)
    value = {
        "big": 2**64 + 5, "low": -(2**63) - 1, "max": 2**63 - 1, 7: "seven", 2.5: None, False: [],
        "date": datetime.date(2020, 1, 2), "float": 1.5, "whole": 1.0, "list": [True, False, None, "x\u00e9", {}],
    }
    expected = {
        "big": 5, "low": 2**63 - 1, "max": 2**63 - 1, "7": "seven", "2.5": None, "False": [],
        "date": "2020-01-02", "float": 1.5, "whole": 1, "list": [True, False, None, "x\u00e9", {}],
    }
    assert engine.evaluate(("a/x", value)) == expected
    assert engine.evaluate(("a/x", value)) == expected  # (keys encoded the first time)
    assert engine.evaluate(("a/x", {1: "a", "1": "b"})) == {"1": "a"}  # (regopy keeps the first of equal keys)


def test_answers_of_any_size_are_read_whole():
    """The engine reads each answer into one buffer it grows: a long answer,
    then a short one, each read whole (none of the first left over)."""
    from kubelint.policy.engines import RegopyEngine, _Silenced

    engine = RegopyEngine([("a.rego", 'package a\nimport rego.v1\nx := [sprintf("%d", [i]) | some i in numbers.range(1, input.n)]\n')],
                          {}, ["a/x"], str)
    with _Silenced():
        long = engine.evaluate(("a/x", {"n": 40000}))
        short = engine.evaluate(("a/x", {"n": 2}))
    assert long == [str(i) for i in range(1, 40001)]
    assert short == ["1", "2"]


def test_a_worker_forked_at_load_ends_with_its_policies(tmp_path):
    """load_policies(fork=True) (as `check` loads) forks the worker that
    compiles the policies; a run that stops before its session leaves none
    behind, without waiting for the cyclic collector."""
    import os

    write(tmp_path / "p" / "meta.rego", METADATA_ONLY)
    policies = load_policies([str(tmp_path / "p")], options=PolicyOptions(), fork=True)
    pid = policies._server.pid
    assert pid and os.waitpid(pid, os.WNOHANG) == (0, 0)  # running
    assert policies.compiled is None
    del policies
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped
