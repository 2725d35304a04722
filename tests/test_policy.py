"""The policy stage: conftest and Gatekeeper policies in Rego (kubelint/policy)."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from kubelint.policy.rego import read_module

ROOT = Path(__file__).resolve().parents[1]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.25
"""

# Rego v0 (no `if`, `deny[msg]`): upgraded before regopy reads it.
OWNER_V0 = """\
package main

deny[msg] {
  input.kind == "Deployment"
  not input.metadata.labels.owner
  msg := sprintf("%s has no owner label", [input.metadata.name])
}

warn[result] {
  input.spec.replicas > 3
  result := {
    "msg": "more than 3 replicas",
    "path": ["spec", "replicas"],
    "fix": {"title": "Set replicas to 3.", "edits": [{"op": "set", "path": ["spec", "replicas"], "value": 3}]},
  }
}
"""

IMAGES_V1 = """\
package images
import rego.v1

deny_latest contains {"msg": sprintf("container %s has no tag", [c.name]), "path": ["spec", "template", "spec", "containers", i, "image"]} if {
  some i, c in input.spec.template.spec.containers
  not contains(c.image, ":")
}

deny_registry contains {"msg": "image from docker.io", "path": "/spec/template/spec/containers/0/image"} if {
  startswith(input.spec.template.spec.containers[0].image, "nginx")
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def findings(run_cli, *args):
    code, out, err = run_cli("check", "--config", "/dev/null", "--select", "policy", "-f", "json", "--fail-on", "none", *args)
    assert code == 0, err
    return [(f["name"], f["line"], f["column"], f["severity"], f["message"]) for f in json.loads(out)["findings"]]


@pytest.fixture
def manifest(tmp_path):
    return write(tmp_path / "deploy.yaml", DEPLOYMENT)


# --- Rego syntax ------------------------------------------------------------


def test_v0_module_is_upgraded_and_keeps_its_lines():
    module = read_module("p.rego", OWNER_V0)
    assert module.version == "v0"
    lines = module.v1_source.splitlines()
    assert lines[2] == "deny contains msg if {"
    assert lines[8] == "warn contains result if {"
    assert len(lines) == len(OWNER_V0.splitlines())
    assert module.rules["deny"] == 3


def test_v1_module_is_not_upgraded():
    module = read_module("p.rego", IMAGES_V1)
    assert module.version == "v1"
    # only the rewrites regopy needs (see the rewrite tests below): the
    # binding under `not`, the sprintf read piecewise
    assert module.v1_source == IMAGES_V1.replace('not contains(c.image, ":")', '__kln0 := c.image; not contains(__kln0, ":")').replace(
        'sprintf("container %s has no tag", [c.name])', 'concat("", ["container ", sprintf("%s", [c.name]), " has no tag"])'
    )


def test_module_that_says_nothing_and_reads_the_same_is_v1():
    assert read_module("p.rego", "package x\n\nallow := true\n").version == "v1"
    assert read_module("p.rego", "package x\n\nallow := true\n", "v0").version == "v0"


def test_v0_else_functions_and_object_values():
    src = 'package x\n\nf(a) = "big" {\n  a > 1\n} else = "small" {\n  true\n}\n\nlimits := {"a": 1}\n\np[k] = v {\n  v := limits[k]\n}\n'
    out = read_module("p.rego", src).v1_source
    assert 'f(a) = "big" if {' in out and '} else = "small" if {' in out
    assert 'limits := {"a": 1}' in out  # an object value is not a body
    assert "p[k] = v if {" in out  # a partial object keeps its brackets


def test_v0_further_bodies_and_bare_function_heads():
    src = 'package x\n\nsa(obj) = s {\n  s := obj.a\n} {\n  s := obj.b\n}\n\naccept("Any", _)\n'
    out = read_module("p.rego", src).v1_source.splitlines()
    assert out[2:5] == ["sa(obj) = s if {", "  s := obj.a", "} {"]
    assert out[8] == 'accept("Any", _) := true'


def test_iterated_call_arguments_are_bound_first_for_regopy():
    src = (
        "package x\nimport rego.v1\n\ndeny contains msg if {\n"
        "  startswith(input.image, input.repos[_])\n"
        "  not startswith(input.image, input.bad[_])\n"
        "  msg := \"x\"\n}\n"
    )
    out = read_module("p.rego", src).v1_source.splitlines()
    assert out[4] == "  __kl0 := input.repos[_]; startswith(input.image, __kl0)"
    # an iterated argument inside `not` stays (binding it would change the
    # meaning); a plain reference is bound before the `not`, as OPA does
    assert out[5] == "  __kln0 := input.image; not startswith(__kln0, input.bad[_])"


def test_undefined_argument_under_not_leaves_the_body_undefined(run_cli, tmp_path, manifest):
    # OPA: `not f(x.missing)` is undefined when x.missing is (gatekeeper-library
    # users template); regopy alone would read `not undefined` as true.
    policy = write(tmp_path / "p.rego", """\
        package main
        import rego.v1
        ok(_, _) := false
        deny contains "missing" if {
          params := {"rule": "RunAsAny"}
          not ok(params.rule, params.ranges)
        }
        deny contains "present" if {
          params := {"rule": "RunAsAny", "ranges": []}
          not ok(params.rule, params.ranges)
        }
        """)
    assert [f[4] for f in findings(run_cli, "--policy", policy, manifest)] == ["Deployment shop/web: present"]


def test_a_line_opening_with_a_parenthesis_is_a_new_expression():
    src = "package x\nimport rego.v1\n\np if {\n  input.a\n  (input.b - 1) > 0\n}\n"
    assert read_module("p.rego", src).v1_source.splitlines()[4] == "  input.a;"


def test_sprintf_with_more_than_one_verb_is_read_piecewise():
    src = (
        "package x\nimport rego.v1\n\n"
        'p := sprintf("at %v; 100%% %5d", [a,\n  b])\n'
        'q := sprintf("%v", [a])\n'
        'r := sprintf("%v and %v", [a])\n'
        's := sprintf("%v", [a, b])\n'
        't := sprintf("%[1]v and %v", [a, b])\n'
    )
    out = read_module("p.rego", src).v1_source.splitlines()
    assert out[3:5] == ['p := concat("", ["at ", sprintf("%v", [a]), "; 100% ", sprintf("%5d", [', "  b])])"]
    assert out[5] == 'q := sprintf("%v", [a])'  # one verb alone: as it is
    assert out[6] == 'r := concat("", [sprintf("%v", [a]), " and %!v(MISSING)"])'
    assert out[7:9] == ['s := sprintf("%v", [a, b])', 't := sprintf("%[1]v and %v", [a, b])']  # Go's EXTRA, indexes: as they are


def test_sprintf_prints_strings_bare_and_missing_arguments_as_go_does(run_cli, tmp_path, manifest):
    # regopy 1.5.2 alone: `replicas at "spec/replicas"` (quotes around a
    # string made by a builtin or passed as a function argument) and, for
    # the verb with no argument, no finding at all.
    policy = write(tmp_path / "p.rego", """\
        package main
        import rego.v1
        where(field) := concat("/", ["spec", field])
        named(kind) := sprintf("a %v", [kind])
        deny contains msg if {
          msg := sprintf("%v: replicas at %v (%v)", [named("Deployment"), where("replicas")])
        }
        """)
    assert [f[4] for f in findings(run_cli, "--policy", policy, manifest)] == [
        "Deployment shop/web: a Deployment: replicas at spec/replicas (%!v(MISSING))"
    ]


def test_input_strings_with_backslashes_quotes_and_newlines_reach_regopy_as_written(run_cli, tmp_path):
    # regopy 1.5.2 reads an input string as the inside of a JSON string:
    # given as it is, `^web\.shop$` was "Invalid escape sequence", the
    # comparisons never held, and the message's JSON was broken.
    annotations = (
        "  annotations:\n"
        "    pattern: '^web\\.shop$'\n"
        "    note: 'say \"hi\"'\n"
        '    lines: "one\\ntwo"\n'
        "    path: 'C:\\web'\n"
    )
    manifest = write(tmp_path / "deploy.yaml", DEPLOYMENT.replace("  namespace: shop\n", "  namespace: shop\n" + annotations))
    policy = write(tmp_path / "p.rego", """\
        package main
        import rego.v1
        a := input.metadata.annotations
        deny contains "pattern" if regex.match(a.pattern, "web.shop")
        deny contains "note" if a.note == "say \\"hi\\""
        deny contains "lines" if split(a.lines, "\\n") == ["one", "two"]
        deny contains a.path if endswith(a.path, "\\\\web")
        """)
    assert sorted(f[4] for f in findings(run_cli, "--policy", policy, manifest)) == [
        "Deployment shop/web: C:\\web",
        "Deployment shop/web: lines",
        "Deployment shop/web: note",
        "Deployment shop/web: pattern",
    ]


def test_error_columns_map_back_through_the_upgrade(run_cli, tmp_path, manifest):
    # `if ` is inserted before the `{` on line 3; the error on that line is
    # reported at its column in the file.
    policy = write(tmp_path / "bad.rego", "package main\n\ndeny[msg] { msg := input.a ++ 1 }\n")
    code, _, err = run_cli("check", "--config", "/dev/null", "--policy", policy, manifest)
    assert code == 2
    assert err.startswith(f"kubelint: error: {policy}:3:")
    column = int(err.split(":")[4])
    assert "deny[msg] { msg := input.a ++ 1 }"[column - 1] == "+"


# --- conftest policies --------------------------------------------------------


def test_conftest_findings_have_rule_names_lines_and_severities(run_cli, tmp_path, manifest):
    policy = write(tmp_path / "policy" / "owner.rego", OWNER_V0)
    got = findings(run_cli, "--policy", policy.parent, manifest)
    assert got == [
        ("main.deny", 1, 1, "error", "Deployment shop/web: web has no owner label"),
        ("main.warn", 7, 13, "warning", "Deployment shop/web: more than 3 replicas"),
    ]


def test_result_fix_becomes_a_fix_with_edits(run_cli, tmp_path, manifest):
    policy = write(tmp_path / "owner.rego", OWNER_V0)
    code, out, _ = run_cli("check", "--config", "/dev/null", "--select", "main.warn", "-f", "json", "--policy", policy, manifest)
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["fix"] == {
        "title": "Set replicas to 3.",
        "snippet": None,
        "applicability": "unsafe",  # a policy's edits are unsafe unless the result says "safety": "safe"
        "edits": [{"op": "set", "path": "/spec/replicas", "value": 3}],
    }
    assert finding["path"] == "/spec/replicas"


def test_namespaces_select_packages(run_cli, tmp_path, manifest):
    write(tmp_path / "p" / "owner.rego", OWNER_V0)
    write(tmp_path / "p" / "images.rego", IMAGES_V1)
    policies = str(tmp_path / "p")
    assert {f[0] for f in findings(run_cli, "--policy", policies, manifest)} == {"main.deny", "main.warn"}
    assert findings(run_cli, "--policy", policies, "--namespace", "images", manifest) == [
        ("images.deny_registry", 14, 18, "error", "Deployment shop/web: image from docker.io"),
    ]
    assert {f[0] for f in findings(run_cli, "--policy", policies, "--all-namespaces", manifest)} == {
        "main.deny", "main.warn", "images.deny_registry",
    }


def test_select_and_ignore_take_policy_rule_names(run_cli, tmp_path, manifest):
    policy = write(tmp_path / "owner.rego", OWNER_V0)
    assert [f[0] for f in findings(run_cli, "--policy", policy, "--ignore", "main.warn", manifest)] == ["main.deny"]
    code, out, err = run_cli("check", "--config", "/dev/null", "-f", "json", "--select", "main.warn", "--policy", policy, manifest)
    assert [f["name"] for f in json.loads(out)["findings"]] == ["main.warn"]


def test_policy_findings_honour_annotation_and_comment_suppressions(run_cli, tmp_path):
    policy = write(tmp_path / "owner.rego", OWNER_V0)
    annotated = write(tmp_path / "a.yaml", DEPLOYMENT.replace("  namespace: shop\n", "  namespace: shop\n  annotations:\n    kubelint.io/ignore: main.deny\n"))
    assert [f[0] for f in findings(run_cli, "--policy", policy, annotated)] == ["main.warn"]
    commented = write(tmp_path / "c.yaml", DEPLOYMENT.replace("  replicas: 5", "  replicas: 5  # kubelint: ignore[main.warn] load test"))
    assert [f[0] for f in findings(run_cli, "--policy", policy, commented)] == ["main.deny"]


def test_config_policies_key_is_relative_to_the_config(run_cli, tmp_path, manifest):
    write(tmp_path / "rego" / "owner.rego", OWNER_V0)
    config = write(tmp_path / ".kubelint.yaml", "policies: [rego]\nignore: [main.warn]\nselect: [policy]\nseverity: {main.deny: info}\n")
    code, out, err = run_cli("check", "--config", config, "-f", "json", "--fail-on", "none", manifest)
    assert code == 0, err
    assert [(f["name"], f["severity"]) for f in json.loads(out)["findings"]] == [("main.deny", "info")]


def test_data_files_are_loaded_under_data(run_cli, tmp_path, manifest):
    write(tmp_path / "p" / "registry.rego", """\
        package main
        import rego.v1
        deny contains msg if {
          some c in input.spec.template.spec.containers
          not startswith(c.image, data.company.registry)
          msg := concat("", ["image ", c.image, " is not from ", data.company.registry])
        }
        """)
    write(tmp_path / "p" / "data.yaml", "company:\n  registry: ghcr.io/acme/\n")
    assert findings(run_cli, "--policy", tmp_path / "p", manifest) == [
        ("main.deny", 1, 1, "error", "Deployment shop/web: image nginx:1.25 is not from ghcr.io/acme/"),
    ]


def test_combine_gives_the_list_of_objects(run_cli, tmp_path):
    policy = write(tmp_path / "unique.rego", """\
        package main
        import rego.v1
        deny contains {"msg": concat("", ["duplicate name ", name]), "index": j} if {
          some i, a in input
          some j, b in input
          i < j
          a.contents.kind == b.contents.kind
          name := a.contents.metadata.name
          name == b.contents.metadata.name
        }
        """)
    manifests = write(tmp_path / "m.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n")
    assert findings(run_cli, "--policy", policy, "--combine", manifests) == [
        ("main.deny", 5, 1, "error", "Service a: duplicate name a"),
    ]


def test_compile_error_is_one_line_with_file_line_column(run_cli, tmp_path, manifest):
    policy = write(tmp_path / "bad.rego", "package main\n\ndeny[msg] {\n  input.kind ==\n}\n")
    code, out, err = run_cli("check", "--config", "/dev/null", "--policy", policy, manifest)
    assert code == 2
    assert err == f"kubelint: error: {policy}:4:14: Invalid boolean operator\n"


def test_a_call_to_an_undefined_function_is_a_load_error(run_cli, tmp_path, manifest):
    """regopy compiles it (and fails each evaluation that reaches it); OPA
    refuses the policy, and so does kubelint, at the first such call.  An
    upgraded v0 module is placed in its own text, not the upgraded one."""
    policy = write(tmp_path / "p" / "typo.rego", "package main\n\ndeny[msg] {\n  input.kind == \"Deployment\"\n  msg := titel(input.metadata.name)\n}\n")
    code, out, err = run_cli("check", "--config", "/dev/null", "--policy", policy.parent, manifest)
    assert (code, out) == (2, "")
    assert err == (f"kubelint: error: {policy}:5:10: undefined function titel: no rule of its package defines it, "
                   "and the embedded engine (regopy 1.5.2) has no builtin of that name\n")


def test_functions_of_the_package_imports_and_print_are_defined(run_cli, tmp_path, manifest):
    write(tmp_path / "p" / "lib.rego", "package main\nimport rego.v1\ntitle(name) := concat(\" \", [\"Deployment\", name])\n")
    write(tmp_path / "p" / "helpers.rego", "package helpers\nimport rego.v1\nshout(s) := upper(s)\n")
    write(tmp_path / "p" / "deny.rego", """\
        package main
        import rego.v1
        import data.helpers.shout
        deny contains msg if {
          input.kind == "Deployment"
          print("checking", input.metadata.name)
          msg := shout(title(input.metadata.name))
        }
        """)
    got = [(f[0], f[4]) for f in findings(run_cli, "--policy", tmp_path / "p", manifest)]
    assert got == [("main.deny", "Deployment shop/web: DEPLOYMENT WEB")]


def test_network_builtins_are_refused_without_allow_net(run_cli, tmp_path, manifest):
    policy = write(tmp_path / "net.rego", 'package main\nimport rego.v1\nx := http.send({"method": "get", "url": "http://127.0.0.1:9"})\n')
    code, _, err = run_cli("check", "--config", "/dev/null", "--policy", policy, manifest)
    assert (code, err) == (2, f"kubelint: error: {policy}:3:6: http.send reaches the network; network builtins are disabled unless --allow-net is given\n")
    code, _, err = run_cli("check", "--config", "/dev/null", "--policy", policy, "--allow-net", manifest)
    assert code == 2 and "evaluate on an OPA server with --opa-url" in err


def test_runaway_policy_is_an_error_finding_not_a_hang(run_cli, tmp_path, manifest):
    policy = write(tmp_path / "slow.rego", 'package main\nimport rego.v1\ndeny contains "slow" if {\n  count([i | i := numbers.range(1, 50000000)[_]]) > 1\n}\n')
    started = time.monotonic()
    got = findings(run_cli, "--policy", policy, "--policy-timeout", "0.3", manifest)
    assert time.monotonic() - started < 10
    assert got == [("policy-error", 1, 1, "error", "Deployment shop/web: conftest policies: evaluation took longer than 0.3s")]


# --- Gatekeeper -------------------------------------------------------------

TEMPLATE = """\
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredlabels
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredLabels
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredlabels

        import data.lib.labels.missing

        violation[{"msg": msg, "path": ["metadata"]}] {
          some key
          missing[key]
          msg := concat("", ["missing label ", key, " on ", input.review.kind.kind, " ", input.review.name])
        }
      libs:
        - |
          package lib.labels

          missing[key] {
            key := input.parameters.labels[_]
            not input.review.object.metadata.labels[key]
          }
"""


def constraint(name: str, action: str = "deny", match: str = "") -> str:
    return f"""\
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: {name}
spec:
  enforcementAction: {action}
  match:
{textwrap.indent(match or "kinds: [{apiGroups: [apps], kinds: [Deployment]}]", "    ")}
  parameters:
    labels: [owner]
"""


def test_gatekeeper_constraint_with_lib_and_enforcement_action(run_cli, tmp_path, manifest):
    write(tmp_path / "gk" / "template.yaml", TEMPLATE)
    write(tmp_path / "gk" / "deny.yaml", constraint("owner"))
    write(tmp_path / "gk" / "warn.yaml", constraint("owner-warn", "warn"))
    write(tmp_path / "gk" / "dryrun.yaml", constraint("owner-dry", "dryrun"))
    assert findings(run_cli, "--policy", tmp_path / "gk", manifest) == [
        ("K8sRequiredLabels/owner", 4, 3, "error", "Deployment shop/web: missing label owner on Deployment web"),
        ("K8sRequiredLabels/owner-dry", 4, 3, "info", "Deployment shop/web: missing label owner on Deployment web"),
        ("K8sRequiredLabels/owner-warn", 4, 3, "warning", "Deployment shop/web: missing label owner on Deployment web"),
    ]


@pytest.mark.parametrize(
    "match, fires",
    [
        ("kinds: [{apiGroups: ['*'], kinds: [Service]}]", False),
        ("namespaces: [shop]", True),
        ("namespaces: [sh*]", True),
        ("namespaces: [other]", False),
        ("excludedNamespaces: [shop]", False),
        ("labelSelector: {matchLabels: {tier: web}}", False),
        ("labelSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}", True),
        ("name: web", True),
        ("name: api", False),
        ("scope: Cluster", False),
        ("scope: Namespaced", True),
        ("namespaceSelector: {matchLabels: {env: prod}}", True),  # the Namespace is in the run
        ("namespaceSelector: {matchLabels: {env: dev}}", False),
    ],
)
def test_gatekeeper_match(run_cli, tmp_path, match, fires):
    write(tmp_path / "gk" / "template.yaml", TEMPLATE)
    write(tmp_path / "gk" / "c.yaml", constraint("owner", match=match))
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {env: prod, owner: ops}\n---\n"
    objects = write(tmp_path / "m.yaml", namespace + DEPLOYMENT)
    got = [f[0] for f in findings(run_cli, "--policy", tmp_path / "gk", objects) if "Deployment" in f[4]]
    assert got == (["K8sRequiredLabels/owner"] if fires else [])


def test_gatekeeper_inventory_for_referential_templates(run_cli, tmp_path):
    write(tmp_path / "gk" / "template.yaml", """\
        apiVersion: templates.gatekeeper.sh/v1
        kind: ConstraintTemplate
        metadata: {name: k8suniqueingresshost}
        spec:
          crd: {spec: {names: {kind: K8sUniqueIngressHost}}}
          targets:
            - target: admission.k8s.gatekeeper.sh
              rego: |
                package k8suniqueingresshost

                violation[{"msg": msg}] {
                  host := input.review.object.spec.rules[_].host
                  other := data.inventory.namespace[ns]["networking.k8s.io/v1"]["Ingress"][name]
                  name != input.review.name
                  other.spec.rules[_].host == host
                  msg := concat("", ["host ", host, " is also used by ", ns, "/", name])
                }
        """)
    write(tmp_path / "gk" / "c.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sUniqueIngressHost\nmetadata: {name: unique}\n")
    ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {0}, namespace: shop}}\nspec:\n  rules: [{{host: {1}}}]\n"
    objects = write(tmp_path / "m.yaml", ingress.format("a", "x.example.com") + "---\n" + ingress.format("b", "x.example.com") + "---\n" + ingress.format("c", "y.example.com"))
    assert findings(run_cli, "--policy", tmp_path / "gk", objects) == [
        ("K8sUniqueIngressHost/unique", 1, 1, "error", "Ingress shop/a: host x.example.com is also used by shop/b"),
        ("K8sUniqueIngressHost/unique", 7, 1, "error", "Ingress shop/b: host x.example.com is also used by shop/a"),
    ]


def test_cel_only_template_is_reported_once(run_cli, tmp_path, manifest):
    write(tmp_path / "gk" / "template.yaml", """\
        apiVersion: templates.gatekeeper.sh/v1
        kind: ConstraintTemplate
        metadata: {name: celonly}
        spec:
          crd: {spec: {names: {kind: CelOnly}}}
          targets:
            - target: admission.k8s.gatekeeper.sh
              code:
                - engine: K8sNativeValidation
                  source:
                    validations: [{expression: "true", message: "never"}]
        """)
    write(tmp_path / "gk" / "a.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: CelOnly\nmetadata: {name: a}\n")
    write(tmp_path / "gk" / "b.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: CelOnly\nmetadata: {name: b}\n")
    code, out, err = run_cli("check", "--config", "/dev/null", "--select", "policy", "-f", "json", "--fail-on", "none",
                             "--policy", tmp_path / "gk", manifest)
    got = [(f["name"], f["file"], f["message"]) for f in json.loads(out)["findings"]]
    assert got == [("policy-not-evaluated", str(tmp_path / "gk" / "template.yaml"),
                    "ConstraintTemplate celonly has no Rego code (CEL only); its constraints were not evaluated")]


def test_constraint_without_template_is_a_load_error(run_cli, tmp_path, manifest):
    c = write(tmp_path / "c.yaml", constraint("owner"))
    code, _, err = run_cli("check", "--config", "/dev/null", "--policy", c, manifest)
    assert (code, err) == (2, f"kubelint: error: {c}:1:1: constraint K8sRequiredLabels/owner: no ConstraintTemplate defines kind K8sRequiredLabels\n")


# --- kubelint policy test / list -----------------------------------------------


def test_the_shipped_policy_pack_passes_its_tests(run_cli):
    code, out, err = run_cli("policy", "test", ROOT / "policies")
    assert code == 0, out + err
    passed = int(out.strip().splitlines()[-1].split()[0])
    assert out.strip().splitlines()[-1] == f"{passed} passed, 0 failed" and passed >= 30


def test_policy_test_reports_a_failing_test(run_cli, tmp_path):
    write(tmp_path / "t.rego", "package t\nimport rego.v1\n\ntest_ok if { 1 == 1 }\n\ntest_broken if { 1 == 2 }\n")
    code, out, _ = run_cli("policy", "test", "-v", tmp_path)
    assert code == 1
    assert out.splitlines() == [
        f"PASS {tmp_path / 't.rego'}:4 data.t.test_ok",
        f"FAIL {tmp_path / 't.rego'}:6 data.t.test_broken: undefined",
        "1 passed, 1 failed",
    ]


def test_policy_test_runs_gatekeeper_suites(run_cli, tmp_path):
    write(tmp_path / "template.yaml", TEMPLATE)
    write(tmp_path / "constraint.yaml", constraint("owner"))
    write(tmp_path / "good.yaml", DEPLOYMENT.replace("  namespace: shop\n", "  namespace: shop\n  labels: {owner: ops}\n"))
    write(tmp_path / "bad.yaml", DEPLOYMENT)
    write(tmp_path / "suite.yaml", """\
        kind: Suite
        apiVersion: test.gatekeeper.sh/v1alpha1
        tests:
          - name: owner
            template: template.yaml
            constraint: constraint.yaml
            cases:
              - {name: good, object: good.yaml, assertions: [{violations: no}]}
              - {name: bad, object: bad.yaml, assertions: [{violations: 1, message: owner}]}
              - {name: wrong, object: bad.yaml, assertions: [{violations: no}]}
        """)
    code, out, _ = run_cli("policy", "test", tmp_path / "suite.yaml")
    assert code == 1
    assert out.splitlines() == [
        f"FAIL {tmp_path / 'suite.yaml'} owner/wrong: expected 0 violations, got 1: missing label owner on Deployment web",
        "2 passed, 1 failed",
    ]


def test_policy_list_shows_the_pack(run_cli):
    code, out, _ = run_cli("policy", "list", ROOT / "policies")
    assert code == 0
    lines = out.splitlines()
    assert "main.deny_default_namespace  error  conftest  " + str(ROOT / "policies/conftest/namespaces.rego") + ":25" in lines
    assert any(line.startswith("KubelintContainerLimits/memory-limit  warning  constraint (warn)") for line in lines)
    assert lines[-1] == "9 conftest rules, 1 templates, 1 constraints, 37 tests"


def test_policy_subcommands_have_help(run_cli):
    for args in (("policy", "--help"), ("policy", "test", "--help"), ("policy", "list", "--help")):
        code, out, _ = run_cli(*args)
        assert code == 0 and "Usage:" in out


# --- an OPA server ------------------------------------------------------------


def test_opa_server_gives_the_same_findings_as_the_embedded_engine(run_cli, tmp_path, manifest):
    """--opa-url is tested against tests/opa_stub.py, a loopback server that
    implements OPA's REST policy and data API backed by regopy (the OPA
    binary cannot be installed from the registries this project uses)."""
    from opa_stub import OpaStub

    write(tmp_path / "p" / "owner.rego", OWNER_V0)
    write(tmp_path / "p" / "template.yaml", TEMPLATE)
    write(tmp_path / "p" / "constraint.yaml", constraint("owner"))
    embedded = findings(run_cli, "--policy", tmp_path / "p", manifest)
    with OpaStub() as stub:
        remote = findings(run_cli, "--policy", tmp_path / "p", "--opa-url", stub.url, manifest)
    assert remote == embedded
    assert {name for name, _, _, _, _ in embedded} == {"main.deny", "main.warn", "K8sRequiredLabels/owner"}
    assert ("POST", "/v1/data/kubelint_run/results") in stub.requests
    assert any(method == "PUT" and path.startswith("/v1/policies/") for method, path in stub.requests)


def test_opa_server_with_preloaded_policies(run_cli, tmp_path, manifest):
    """--opa-preloaded: the policies are on the server already (there as
    bundles); kubelint reads the local copy for rule names and pushes
    nothing, querying each conftest package (tests/opa_stub.py stands in
    for OPA)."""
    from opa_stub import OpaStub

    policy = write(tmp_path / "owner.rego", OWNER_V0)
    with OpaStub() as stub:
        stub.policies["bundle/owner.rego"] = read_module(str(policy), OWNER_V0).v1_source
        got = findings(run_cli, "--policy", policy, "--opa-url", stub.url, "--opa-preloaded", manifest)
    assert [f[0] for f in got] == ["main.deny", "main.warn"]
    assert not any(method == "PUT" for method, _ in stub.requests)
    assert ("POST", "/v1/data/main") in stub.requests


def test_conftest_style_tests_with_input_as(run_cli, tmp_path):
    """regopy crashes on `with input as`; the runner sets the input itself
    (a literal, a rule, or a local assigned a literal) and runs the body."""
    write(tmp_path / "p.rego", """\
        package main

        name := input.metadata.name

        deny[msg] {
          input.kind == "Deployment"
          not input.metadata.labels.owner
          msg := sprintf("%s has no owner", [name])
        }

        test_denied {
          deny["web has no owner"] with input as {"kind": "Deployment", "metadata": {"name": "web"}}
        }

        test_local {
          obj := {"kind": "Deployment", "metadata": {"name": "x", "labels": {"owner": "a"}}}
          count(deny) == 0 with input as obj
        }

        test_wrong {
          count(deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "web"}}
        }
        """)
    code, out, _ = run_cli("policy", "test", "-v", tmp_path)
    assert code == 1
    assert out.splitlines() == [
        f"PASS {tmp_path / 'p.rego'}:11 data.main.test_denied",
        f"PASS {tmp_path / 'p.rego'}:15 data.main.test_local",
        f"FAIL {tmp_path / 'p.rego'}:20 data.main.test_wrong: undefined",
        "2 passed, 1 failed",
    ]


def test_a_check_leaves_unit_tests_out(run_cli, tmp_path, manifest):
    # a test regopy cannot compile does not stop a check
    write(tmp_path / "p" / "owner.rego", OWNER_V0)
    write(tmp_path / "p" / "owner_test.rego", "package main\n\ntest_x {\n  x := {\"kind\": \"Pod\"}\n  y := x\n  count(deny) == 0 with input as y\n}\n")
    assert [f[0] for f in findings(run_cli, "--policy", tmp_path / "p", manifest)] == ["main.deny", "main.warn"]


def test_a_check_without_policies_loads_no_policy_machinery(tmp_path, manifest):
    import subprocess
    import sys

    script = (
        "import sys\nfrom kubelint.cli import main\n"
        "try:\n    main(['check', '--config', '/dev/null', '--fail-on', 'none', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith(('regopy', 'opa_client', 'kubelint.policy')))), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(manifest)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stderr.strip() == ""


def test_templates_are_kept_apart(run_cli, tmp_path, manifest):
    """Two templates defining helpers of one name (regopy crashes when one
    interpreter holds both) and libs of one package name, as in the
    gatekeeper-library: each template gets its own interpreter and data.lib."""
    for kind, arity in (("KA", "(a)"), ("KB", "(a, b)")):
        args = "a" if arity == "(a)" else "a, b"
        call = "msg(1)" if arity == "(a)" else "msg(1, 2)"
        write(tmp_path / "gk" / f"{kind}.yaml", f"""\
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata: {{name: {kind.lower()}}}
            spec:
              crd: {{spec: {{names: {{kind: {kind}}}}}}}
              targets:
                - target: admission.k8s.gatekeeper.sh
                  rego: |
                    package {kind.lower()}
                    import data.lib.common
                    msg({args}) = m {{
                      m := concat("", [common.prefix, "{kind}"])
                    }}
                    violation[{{"msg": m}}] {{
                      m := {call}
                    }}
                  libs:
                    - |
                      package lib.common
                      prefix := "{kind.lower()}: "
            """)
        write(tmp_path / "gk" / f"c{kind}.yaml", f"apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: {kind}\nmetadata: {{name: x}}\n")
    assert [(f[0], f[4]) for f in findings(run_cli, "--policy", tmp_path / "gk", manifest)] == [
        ("KA/x", "Deployment shop/web: ka: KA"),
        ("KB/x", "Deployment shop/web: kb: KB"),
    ]


def test_a_second_constraint_of_one_name_is_a_load_error(run_cli, tmp_path, manifest):
    write(tmp_path / "gk" / "template.yaml", TEMPLATE)
    first = write(tmp_path / "gk" / "a.yaml", constraint("owner"))
    second = write(tmp_path / "gk" / "b.yaml", constraint("owner", "warn"))
    code, _, err = run_cli("check", "--config", "/dev/null", "--policy", tmp_path / "gk", manifest)
    assert (code, err) == (2, f"kubelint: error: {second}:1:1: a second constraint K8sRequiredLabels/owner (the first is at {first}:1)\n")


def _objects(*paths):
    from kubelint.run import objects_of
    from kubelint.parse import parse_file

    objects = []
    for path in paths:
        for doc in parse_file(str(path), Path(path).read_bytes()).documents:
            objects.extend(objects_of(doc))
    return objects


def test_per_object_session_gives_the_batch_findings(tmp_path):
    """The per-object path (a run that lets each file's objects go) finds
    what the batch path finds: conftest and Gatekeeper per object, the
    inventory template once the run's objects are known."""
    from kubelint.policy import PolicyOptions, load_policies

    write(tmp_path / "p" / "owner.rego", OWNER_V0)
    write(tmp_path / "p" / "template.yaml", TEMPLATE)
    write(tmp_path / "p" / "constraint.yaml", constraint("owner"))
    write(tmp_path / "p" / "unique.yaml", """\
        apiVersion: templates.gatekeeper.sh/v1
        kind: ConstraintTemplate
        metadata: {name: k8suniquename}
        spec:
          crd: {spec: {names: {kind: K8sUniqueName}}}
          targets:
            - target: admission.k8s.gatekeeper.sh
              rego: |
                package k8suniquename
                violation[{"msg": "name used twice"}] {
                  other := data.inventory.namespace[_][_]["Service"][input.review.name]
                  other.metadata.namespace != input.review.namespace
                }
        """)
    write(tmp_path / "p" / "unique-c.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sUniqueName\nmetadata: {name: u}\n")
    manifests = write(tmp_path / "m.yaml", DEPLOYMENT + "---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a, labels: {x: '1'}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: b}\n")
    objects = _objects(manifests)
    policies = load_policies([tmp_path / "p"], options=PolicyOptions())
    rules = {r.name: r for r in policies.rules()}
    batch = sorted(f.sort_key() for f in policies.evaluate(objects, rules))
    session = policies.session(rules)
    per_object = [f for obj in objects for f in session.check_object(obj)] + session.check_run(objects)
    session.close()
    assert sorted(f.sort_key() for f in per_object) == batch
    assert {k[3] for k in batch} == {"main.deny", "main.warn", "K8sRequiredLabels/owner", "K8sUniqueName/u"}


def test_per_object_session_time_limit(tmp_path, manifest):
    from kubelint.policy import PolicyOptions, load_policies

    write(tmp_path / "slow.rego", 'package main\nimport rego.v1\ndeny contains "slow" if {\n  count([i | i := numbers.range(1, 50000000)[_]]) > 1\n}\n')
    write(tmp_path / "fast.rego", 'package fast\nimport rego.v1\ndeny contains "fast" if input.kind == "Deployment"\n')
    policies = load_policies([tmp_path], options=PolicyOptions(timeout=0.3, all_namespaces=True))
    session = policies.session({r.name: r for r in policies.rules()})
    (obj,) = _objects(manifest)
    started = time.monotonic()
    first = [(f.name, f.message) for f in session.check_object(obj)]
    assert first == [("policy-error", "Deployment shop/web: conftest policies: evaluation took longer than 0.3s")]
    assert time.monotonic() - started < 5
    session.close()


# --- the worker compiles (load_policies(fork=True), as `check` loads) ------------


def test_the_worker_reports_a_compile_error_as_the_load_error(run_cli, tmp_path, manifest):
    from kubelint.policy import PolicyLoadError, PolicyOptions, load_policies

    policy = write(tmp_path / "bad.rego", "package main\n\ndeny[msg] {\n  input.kind ==\n}\n")
    with pytest.raises(PolicyLoadError) as in_process:
        load_policies([str(policy)], options=PolicyOptions())
    with pytest.raises(PolicyLoadError) as from_worker:
        load_policies([str(policy)], options=PolicyOptions(), fork=True)
    assert str(from_worker.value) == str(in_process.value) == f"{policy}:4:14: Invalid boolean operator"
    code, out, err = run_cli("check", "--config", "/dev/null", "--policy", policy, manifest)
    assert (code, out, err) == (2, "", f"kubelint: error: {policy}:4:14: Invalid boolean operator\n")


def test_the_worker_reports_a_crash_while_compiling(tmp_path, manifest):
    # regopy 1.5.2 aborts on two packages of one interpreter defining
    # functions of one name
    write(tmp_path / "p" / "a.rego", 'package a\nimport rego.v1\nf(x) := x\ndeny contains m if { m := f("a") }\n')
    write(tmp_path / "p" / "b.rego", 'package main\nimport rego.v1\nf(x, y) := x\ndeny contains m if { m := f("b", 1) }\n')
    import subprocess
    import sys

    # (in a process of its own: pytest's fault handler would report the crash)
    out = subprocess.run([sys.executable, "-m", "kubelint", "check", "--config", "/dev/null", "--all-namespaces",
                          "--policy", str(tmp_path / "p"), str(manifest)], capture_output=True, text=True, cwd=ROOT)
    assert (out.returncode, out.stdout, out.stderr) == (2, "", "kubelint: error: regopy crashed compiling the policies\n")


def test_a_check_compiles_the_policies_in_its_worker_only(tmp_path, manifest):
    """`check` does not import regopy: its worker compiles the policies."""
    import subprocess
    import sys

    write(tmp_path / "p" / "owner.rego", OWNER_V0)
    script = (
        "import sys\nfrom kubelint.cli import main\n"
        "try:\n    main(['check', '--config', '/dev/null', '--fail-on', 'none', '-f', 'json', '--select', 'policy', '--policy', sys.argv[1], sys.argv[2]])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('regopy')), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "p"), str(manifest)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stderr.strip() == "[]"
    assert [f["name"] for f in json.loads(out.stdout)["findings"]] == ["main.deny", "main.warn"]


def test_after_a_time_out_a_worker_forked_without_compiling_goes_on(tmp_path):
    """A worker that compiled its own policies is killed on a time-out; the
    next one is forked from policies compiled in the parent then."""
    from kubelint.policy import PolicyOptions, load_policies

    write(tmp_path / "slow.rego", 'package main\nimport rego.v1\ndeny contains "slow" if {\n  input.metadata.name == "slow"\n  count([i | i := numbers.range(1, 50000000)[_]]) > 1\n}\n')
    write(tmp_path / "fast.rego", 'package fast\nimport rego.v1\ndeny contains "fast" if input.kind == "ConfigMap"\n')
    objs = write(tmp_path / "m.yaml", "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n" for name in ("slow", "quick", "other")
    ))
    policies = load_policies([str(tmp_path / "slow.rego"), str(tmp_path / "fast.rego")], options=PolicyOptions(timeout=0.3, all_namespaces=True), fork=True)
    assert policies.compiled is None and policies._server.compiled
    session = policies.session({r.name: r for r in policies.rules()})
    got = []
    for obj in _objects(objs):
        got += session.submit(obj)
    got += session.check_run([])
    session.close()
    assert [(f.name, f.message) for f in got] == [
        ("policy-error", "ConfigMap slow: conftest policies: evaluation took longer than 0.3s"),
        ("fast.deny", "ConfigMap quick: fast"),
        ("fast.deny", "ConfigMap other: fast"),
    ]
    assert session.server.engine is not None  # compiled here for the second worker
