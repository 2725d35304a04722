"""kubelint.k8s: rule scope by (API group, kind) and the Kubernetes facts
that have one owner there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import found

from kubelint.k8s.builtin_kinds import BUILTIN_KINDS
from kubelint.k8s.kinds import BUILTIN_GROUPS, KIND_SETS, resolve
from kubelint.rules import registry

ROOT = Path(__file__).resolve().parents[1]

KNATIVE_SERVICE = """\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  type: NodePort
  template:
    spec:
      containers:
        - image: ghcr.io/knative/helloworld-go:1.0
          ports:
            - containerPort: 8080
"""


def test_knative_service_is_not_a_core_service():
    """A Knative Service with `type: NodePort` under spec gets no Service rule."""
    names = {name for name, _ in found(KNATIVE_SERVICE, select=["ALL"])}
    core_service_rules = {r.name for r in registry() if r.kinds and ("", "Service") in r.kinds}
    assert "service-nodeport" in core_service_rules
    assert names & core_service_rules == set()


def test_core_service_still_gets_service_rules():
    text = KNATIVE_SERVICE.replace("serving.knative.dev/v1", "v1").split("  template:")[0]
    text += "  selector: {app: hello}\n  ports:\n    - port: 80\n"
    assert ("service-nodeport", 6) in found(text, select=["service-nodeport"])


def test_bare_kind_means_its_builtin_groups():
    assert resolve(["Deployment"]) == {("apps", "Deployment"), ("extensions", "Deployment")}
    assert resolve(["Ingress"]) == {("networking.k8s.io", "Ingress"), ("extensions", "Ingress")}
    assert resolve(["CronJob"]) == {("batch", "CronJob")}
    assert resolve(["Service"]) == {("", "Service")}
    assert resolve(["Event"]) == {("", "Event"), ("events.k8s.io", "Event")}


def test_group_slash_kind_names_a_custom_kind():
    assert resolve(["argoproj.io/Application"]) == {("argoproj.io", "Application")}
    assert resolve(["keda.sh/ScaledObject", "Service"]) == {("keda.sh", "ScaledObject"), ("", "Service")}


def test_named_sets_expand():
    pairs = resolve(["pod-controllers"])
    assert ("apps", "Deployment") in pairs and ("batch", "CronJob") in pairs
    assert ("", "Pod") not in pairs
    assert all(resolve(names) for names in KIND_SETS.values())
    assert ("gateway.networking.k8s.io", "HTTPRoute") in resolve(["namespaced"])
    assert ("", "Namespace") not in resolve(["namespaced"])


@pytest.mark.parametrize("name", ["Deploymnet", "ScaledObject", "/Service", "apps/"])
def test_unknown_bare_kind_is_refused(name):
    with pytest.raises(ValueError, match="group/Kind"):
        resolve([name])


def test_builtin_groups_come_from_the_table():
    assert {"", "apps", "batch", "extensions", "networking.k8s.io", "policy"} <= BUILTIN_GROUPS
    assert "serving.knative.dev" not in BUILTIN_GROUPS


def test_builtin_kinds_table_is_current():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_kinds.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_rule_scope_resolves_to_pairs():
    for r in registry():
        if r.kinds is not None:
            assert r.kinds and all(isinstance(p, tuple) and len(p) == 2 for p in r.kinds), r.name


# --- one matcher for label selectors ---------------------------------------------

from kubelint.k8s.names import is_port_name, label_value  # noqa: E402
from kubelint.k8s.pods import CONTROLLER_LABELS  # noqa: E402
from kubelint.k8s.selectors import InvalidSelector, first_unmatched, requirements  # noqa: E402


def test_strict_reading_refuses_what_the_api_server_refuses():
    for bad in (
        {"matchLabels": {"app": 1}},
        {"matchExpressions": [{"key": "app", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]},
        {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["x"]}]},
        {"matchLabels": {"bad key!": "x"}},
    ):
        with pytest.raises(InvalidSelector):
            requirements(bad, strict=True)


def test_lenient_reading_drops_what_it_cannot_read():
    reqs = requirements({"matchLabels": {"app": 1, "tier": ["x"]},
                         "matchExpressions": [{"key": "x", "operator": "Equals"}]}, strict=False)
    assert [str(r) for r in reqs] == ["app=1"]


def test_one_evaluation_with_explicit_unknown_labels():
    reqs = requirements({"matchLabels": {"app": "web"},
                         "matchExpressions": [{"key": "pod-template-hash", "operator": "In", "values": ["abc"]},
                                              {"key": "tier", "operator": "NotIn", "values": ["db"]}]}, strict=True)
    assert first_unmatched(reqs, {"app": "web"}, CONTROLLER_LABELS) is None
    assert str(first_unmatched(reqs, {"app": "web"})) == "pod-template-hash in (abc)"
    assert str(first_unmatched(reqs, {"app": "web", "pod-template-hash": "x", "tier": "db"})) == "pod-template-hash in (abc)"
    assert str(first_unmatched(reqs, {"app": "web", "pod-template-hash": "abc", "tier": "db"})) == "tier notin (db)"


def test_label_value_reads_yaml_scalars_as_text():
    assert label_value(True) == "true" and label_value(3) == "3" and label_value("x") == "x"
    assert label_value(None) is None and label_value({"a": 1}) is None


@pytest.mark.parametrize("name,ok", [("http", True), ("h2c-web", True), ("a--b", False), ("8080", False),
                                     ("-http", False), ("a" * 16, False), (8080, False)])
def test_one_port_name_check(name, ok):
    assert is_port_name(name) is ok


def test_probe_port_with_consecutive_hyphens_is_one_finding():
    """`port: a--b` is not a port name: invalid-port says so, and the probe
    rule does not also call it an undeclared name."""
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: "nginx:1.27"
      readinessProbe: {httpGet: {path: /, port: a--b}}
"""
    names = [name for name, _ in found(text, select=["ALL"]) if name in ("invalid-port", "probe-port-unknown")]
    assert names == ["invalid-port"]


# --- invalid-value: the table and its walker ------------------------------------

from kubelint.k8s.values import ALLOWED_VALUES  # noqa: E402

_API_VERSIONS = {"": "v1", "apps": "apps/v1", "batch": "batch/v1", "networking.k8s.io": "networking.k8s.io/v1",
                 "policy": "policy/v1"}


def _object_with(entry, bad):
    """A minimal object of the entry's scope with `bad` at the entry's path,
    and the concrete path expected in the finding."""
    group, kind = min(p for p in resolve([entry.scope]) if p[0] in _API_VERSIONS)
    if kind not in ("Pod",) and entry.path.startswith("$"):
        group, kind = "", "Pod"
    path = entry.path.replace("$container.", "$pod.containers[].").replace("$pod.", "spec.")
    obj = {"apiVersion": _API_VERSIONS[group], "kind": kind, "metadata": {"name": "x"}}
    node, concrete = obj, []
    parts = path.split(".")
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        items = part.endswith("[]")
        key = part[:-2] if items else part
        concrete.append(key)
        if items:
            concrete.append(0)
            if last:
                node[key] = [bad]
            else:
                node[key] = [{}]
                node = node[key][0]
        elif last:
            node[key] = bad
        else:
            node = node.setdefault(key, {})
    return obj, tuple(concrete)


@pytest.mark.parametrize("entry", ALLOWED_VALUES, ids=lambda e: f"{e.scope}:{e.path}")
def test_every_table_entry_is_walked(entry):
    import json as _json

    from kubelint.config import Settings
    from kubelint.engine import check
    from kubelint.sources import Source

    bad = "Not-" + entry.values[0] + "-x"
    obj, path = _object_with(entry, bad)
    result = check([Source("t.json", _json.dumps(obj).encode())], Settings(select=["invalid-value"]))
    assert [(f.name, f.path) for f in result.findings] == [("invalid-value", path)]
    assert f'"{bad}" is not one of {", ".join(entry.values)}' in result.findings[0].message
    good, _ = _object_with(entry, entry.values[-1])
    clean = check([Source("t.json", _json.dumps(good).encode())], Settings(select=["invalid-value"]))
    assert clean.findings == ()


def test_invalid_value_names_the_field_and_fixes_a_case_slip():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: "nginx:1.27", imagePullPolicy: always}
"""
    from helpers import run

    (finding,) = run(text, select=["invalid-value"]).findings
    assert finding.pointer == "/spec/template/spec/containers/0/imagePullPolicy"
    assert (finding.line, finding.column) == (10, 61)
    assert finding.message == ('Deployment web: container "web" imagePullPolicy "always" is not one of '
                               'Always, IfNotPresent, Never (did you mean "Always"?)')
    assert finding.fix.safety == "safe"
    assert [(e.op, e.path, e.value) for e in finding.fix.edits] == [
        ("set", ("spec", "template", "spec", "containers", 0, "imagePullPolicy"), "Always")]
