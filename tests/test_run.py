"""The run model: load -> lint -> suppress, the project context for runs
given files (pre-commit), its cache, fragments and kustomize labels."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import pytest

from kubelint.parse.spill import Spill
from conftest import FIXTURES
from helpers import found, run

from kubelint import facts, run as run_module
from kubelint.config import Settings
from kubelint.engine import active_rules, check, lint, resolve_version
from kubelint.rules import registry
from kubelint.run import load
from kubelint.sources import Source, expand, read

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          ports: [{containerPort: 8080}]
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()  # a git work tree, as far as kubelint looks
    (tmp_path / "deploy").mkdir()
    return tmp_path


def _check(run_cli, *args):
    code, out, err = run_cli("check", "--config", "/dev/null", "-f", "json", "--fail-on", "none", *args)
    assert code == 0, err
    return [(f["name"], os.path.basename(f["file"]), f["line"]) for f in json.loads(out)["findings"]]


def test_a_service_committed_alone_sees_its_deployment_in_the_repository(repo, run_cli):
    (repo / "deploy" / "deployment.yaml").write_text(DEPLOYMENT)
    service = repo / "deploy" / "service.yaml"
    service.write_text(SERVICE)
    select = ("--select", "service-selector-unmatched")
    assert _check(run_cli, *select, str(service)) == []
    # Without the context the Deployment is unknown: silent too (nothing of
    # that kind is visible), but a selector that matches nothing among the
    # workloads the repository does hold is reported.
    service.write_text(SERVICE.replace("app: web}", "app: wbe}"))
    assert _check(run_cli, *select, str(service)) == [("service-selector-unmatched", "service.yaml", 5)]
    # The context is never reported on.
    (repo / "deploy" / "other.yaml").write_text(SERVICE.replace("name: web,", "name: other,").replace("app: web}", "app: nope}"))
    assert _check(run_cli, *select, str(service)) == [("service-selector-unmatched", "service.yaml", 5)]


def test_no_context_restores_the_files_alone(repo, run_cli):
    (repo / "deploy" / "deployment.yaml").write_text(DEPLOYMENT)
    service = repo / "deploy" / "service.yaml"
    service.write_text(SERVICE.replace("app: web}", "app: wbe}"))
    assert _check(run_cli, "--select", "service-selector-unmatched", "--no-context", str(service)) == []


def test_a_namespace_label_in_another_file_sets_the_pod_security_level(repo, run_cli):
    (repo / "deploy" / "namespace.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
        "  labels: {pod-security.kubernetes.io/enforce: privileged}\n"
    )
    workload = repo / "deploy" / "deployment.yaml"
    workload.write_text(DEPLOYMENT.replace("ports:", "securityContext: {privileged: true}\n          ports:"))
    assert _check(run_cli, "--select", "pss", str(workload)) == []
    assert ("pss-privileged", "deployment.yaml", 13) in _check(run_cli, "--select", "pss", "--no-context", str(workload))


def test_the_context_cache_is_reused_and_safe_to_delete(repo, run_cli):
    (repo / "deploy" / "deployment.yaml").write_text(DEPLOYMENT)
    service = repo / "deploy" / "service.yaml"
    service.write_text(SERVICE)
    select = ("--select", "service-selector-unmatched")
    assert _check(run_cli, *select, str(service)) == []
    cache = repo / ".kubelint_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    (entry,) = json.loads((cache / "facts-1.json").read_text())["files"].values()
    assert entry["objects"][0][1:5] == ["apps/v1", "Deployment", "shop", "web"]
    # Warm: the same verdict from the cache alone.
    assert _check(run_cli, *select, str(service)) == []
    # A cache that is not ours is ignored and rebuilt.
    (cache / "facts-1.json").write_text("{not json")
    assert _check(run_cli, *select, str(service)) == []
    assert json.loads((cache / "facts-1.json").read_text())["format"] == 1
    # --no-cache neither reads nor writes it.
    for p in cache.rglob("*"):
        if p.is_file():
            p.unlink()
    assert _check(run_cli, *select, "--no-cache", str(service)) == []
    assert not (cache / "facts-1.json").exists()


def test_the_cache_follows_file_content_not_names(repo, run_cli):
    deployment = repo / "deploy" / "deployment.yaml"
    deployment.write_text(DEPLOYMENT)
    service = repo / "deploy" / "service.yaml"
    service.write_text(SERVICE)
    select = ("--select", "service-selector-unmatched")
    assert _check(run_cli, *select, str(service)) == []
    deployment.write_text(DEPLOYMENT.replace("app: web", "app: api"))
    assert _check(run_cli, *select, str(service)) == [("service-selector-unmatched", "service.yaml", 5)]


def test_text_that_looks_like_a_suppression_inside_a_string_suppresses_nothing():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      args: ["# kubelint: ignore"]
      image: nginx:latest
    - name: sidecar
      command:
        - sh
        - -c
        - |
          echo hi  # kubelint: ignore[image-tag-latest]
      image: redis:latest
"""
    assert found(text, select=["image-tag-latest"]) == [("image-tag-latest", 8), ("image-tag-latest", 15)]
    # A real comment does.
    assert found(text.replace("nginx:latest\n", "nginx:latest  # kubelint: ignore\n"), select=["image-tag-latest"]) == [
        ("image-tag-latest", 15)
    ]


def test_an_unknown_rule_in_a_suppression_is_reported_with_a_suggestion():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x  # kubelint: ignore[invalid-nmae]\n"
    result = run(text, select=["suppression-rule-unknown"])
    (f,) = result.findings
    assert (f.name, f.line, f.column) == ("suppression-rule-unknown", 4, 12)
    assert f.message == 'comment suppresses no such rule: "invalid-nmae"; did you mean "invalid-name"?'


def test_findings_know_their_document_and_place_in_a_list():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: 'nginx:latest'}]}}\n"
    )
    (f,) = run(text, select=["image-tag-latest"]).findings
    assert (f.document, f.object_path, f.path) == (1, ("items", 0), ("spec", "containers", 0, "image"))


def test_kustomize_common_labels_fill_the_selector_before_it_is_required():
    # metrics-server's base: the Deployment has no selector; kustomize's
    # commonLabels adds it (and the template labels).
    kustomization = "commonLabels: {k8s-app: metrics-server}\nresources: [deployment.yaml]\n"
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: metrics-server}\n"
        "spec:\n  template:\n    spec:\n      containers: [{name: m, image: 'registry.k8s.io/metrics-server:v0.7.2'}]\n"
    )
    alone = check([Source("base/deployment.yaml", deployment.encode())], Settings(select=["schema-invalid"]))
    assert [f.message for f in alone.findings] == ["Deployment metrics-server: spec.selector: required field is missing"]
    with_kustomization = check(
        [Source("base/kustomization.yaml", kustomization.encode()), Source("base/deployment.yaml", deployment.encode())],
        Settings(select=["schema-invalid", "selector-mismatch"]),
    )
    assert with_kustomization.findings == ()


def test_equal_parts_of_facts_are_one_object_and_kustomize_labels_stay_where_they_belong():
    deployment = DEPLOYMENT.replace("namespace: shop", "namespace: shop, labels: {app: web}")
    run = load([
        Source("a/kustomization.yaml", b"commonLabels: {team: a}\nresources: [deployment.yaml]\n"),
        Source("a/deployment.yaml", deployment.encode()),
        Source("b/deployment.yaml", deployment.encode()),
        Source("b/service.yaml", SERVICE.encode()),
    ], Settings())
    a, b, service = (next(f for f in run.facts if f.file == name) for name in ("a/deployment.yaml", "b/deployment.yaml", "b/service.yaml"))
    # one object for the equal parts of two objects' facts
    assert b.data["spec"]["selector"]["matchLabels"] is service.data["spec"]["selector"]
    assert b.data["metadata"]["labels"] is service.data["spec"]["selector"]
    # kustomize's labels go to the file it lists, and to no part it shares
    assert a.data["metadata"]["labels"] == {"app": "web", "team": "a"}
    assert a.data["spec"]["selector"]["matchLabels"] == {"app": "web", "team": "a"}
    assert b.data["metadata"]["labels"] == b.data["spec"]["selector"]["matchLabels"] == {"app": "web"}
    assert service.data["spec"]["selector"] == {"app": "web"}


def test_the_run_leaves_the_cyclic_collector_as_it_found_it(run_cli, tmp_path):
    path = tmp_path / "cm.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    assert gc.isenabled()
    run_cli("check", "--config", "/dev/null", str(path))
    assert gc.isenabled()


def test_statistics_and_fixes_in_the_text_report(run_cli, tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
        "    - {name: a, image: 'nginx:latest'}\n    - {name: b, image: 'redis:latest'}\n"
    )
    args = ("check", "--config", "/dev/null", "--select", "image-tag-latest,liveness-probe-missing", str(path))
    _, out, _ = run_cli(*args, "--statistics")
    assert out.splitlines()[:2] == ["2  KL102  image-tag-latest  warning", "2  KL301  liveness-probe-missing  warning"]
    _, out, _ = run_cli(*args, "--show-fixes")
    assert "    fix: Pin the image to a version tag or a digest." in out.splitlines()
    _, full, _ = run_cli(*args, "--output-format", "full")
    assert full == out


def _corpus_findings(paths, monkeypatch=None, **changes):
    settings = Settings()
    rules = active_rules(registry(), settings)
    loaded = load(read(expand(paths)), settings)
    linted = lint(loaded, rules, settings, resolve_version(settings))
    return sorted((f.name, f.file, f.line, f.column, f.message) for f in linted.findings)


@pytest.mark.parametrize("where", ["fixtures", "corpus"])
def test_facts_keep_what_cross_object_rules_read(where, monkeypatch):
    """Rules see other objects as pruned facts: with full data instead, every
    finding is the same."""
    path = FIXTURES if where == "fixtures" else CORPUS
    if not path.is_dir():
        pytest.skip("no corpus")
    pruned = _corpus_findings([str(path)])
    monkeypatch.setattr(facts, "prune", lambda value, keep, shared=None: facts._json(value))
    full = _corpus_findings([str(path)])
    assert pruned == full


def test_files_past_the_parse_budget_are_set_aside_with_the_same_findings(monkeypatch):
    kept = _corpus_findings([str(FIXTURES)])
    monkeypatch.setattr(run_module, "PARSE_BUDGET", 0)
    taken = []
    original = Spill.take
    monkeypatch.setattr(Spill, "take", lambda self, name, where: taken.append(name) or original(self, name, where))
    assert _corpus_findings([str(FIXTURES)]) == kept
    assert len(taken) > 100


def test_a_file_of_many_documents_is_set_aside_one_document_at_a_time(monkeypatch):
    """Past the budget, the documents of one file go to disk as they are
    read: the parse of the whole file is never in memory at once."""
    text = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: n}}\ndata: {{a: '1'}}\n" for i in range(300))
    text += "---\na: 1\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'nginx:latest'}]}\n"
    settings = Settings(select=["image-tag-latest", "duplicate-object"])
    rules = active_rules(registry(), settings)
    expected = lint(load([Source("many.yaml", text.encode())], settings), rules, settings, resolve_version(settings)).findings
    monkeypatch.setattr(run_module, "PARSE_BUDGET", 5_000)
    held = []
    original = Spill.put
    monkeypatch.setattr(Spill, "put", lambda self, d: held.append(d.index) or original(self, d))
    loaded = load([Source("many.yaml", text.encode())], settings)
    assert loaded.files[0].spilled is not None
    assert 250 < len(held) < 300  # the first few stay in memory
    assert held == list(range(301 - len(held), 300)) + [301]  # `a: 1` (300) is no object: dropped
    assert lint(loaded, rules, settings, resolve_version(settings)).findings == expected
    assert [(f.name, f.line, f.column) for f in expected] == [("image-tag-latest", 1507, 38)]


def test_documents_that_cannot_be_set_aside_stay_in_memory_with_the_same_findings(monkeypatch):
    kept = _corpus_findings([str(FIXTURES)])
    monkeypatch.setattr(run_module, "PARSE_BUDGET", 0)
    monkeypatch.setattr(Spill, "put", lambda self, document: False)
    assert _corpus_findings([str(FIXTURES)]) == kept


def test_a_parse_set_aside_keeps_aliases_shared_and_every_position():
    from kubelint.parse import parse_file

    text = (
        "base: &b {name: web, ports: [{containerPort: 80}]}\n"
        "copies:\n  - *b\n  - *b\n"
        "---\n"
        "kind: ConfigMap\ndata:\n  a: '1'\n"
    )
    parsed = parse_file("x.yaml", text.encode())
    spill = Spill()
    spill.put(parse_file("other.yaml", b"a: 1\n").documents[0])
    spill.start()
    assert all(spill.put(d) for d in parsed.documents)
    back = list(spill.take("x.yaml", spill.region()))
    spill.close()
    assert [d.index for d in back] == [d.index for d in parsed.documents] == [0, 1]
    first = back[0].data
    assert first["copies"][0] is first["copies"][1] is first["base"]
    for old, new in zip(parsed.documents, back):
        assert new.line == old.line
        for path in [(), ("base",), ("base", "ports", 0, "containerPort"), ("copies", 1, "name"), ("data", "a")]:
            for at in ("value", "key"):
                assert new.source_map.position(path, at) == old.source_map.position(path, at)


def test_a_warm_cache_does_not_read_unchanged_context_files(repo, run_cli, monkeypatch):
    import kubelint.sources as sources

    (repo / "deploy" / "deployment.yaml").write_text(DEPLOYMENT)
    service = repo / "deploy" / "service.yaml"
    service.write_text(SERVICE)
    select = ("--select", "service-selector-unmatched")
    assert _check(run_cli, *select, str(service)) == []
    reads = []
    real = sources.read_capped
    monkeypatch.setattr(sources, "read_capped", lambda path, *a: reads.append(os.path.basename(path)) or real(path, *a))
    assert _check(run_cli, *select, str(service)) == []
    assert reads == ["service.yaml"]  # the checked file only
    # A changed file (new size) is read again, and its new facts count.
    (repo / "deploy" / "deployment.yaml").write_text(DEPLOYMENT.replace("app: web", "app: api"))
    assert _check(run_cli, *select, str(service)) == [("service-selector-unmatched", "service.yaml", 5)]
    assert reads.count("deployment.yaml") == 1
