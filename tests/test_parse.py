"""The parse stage: data, positions, and YAML hazards as findings."""

from __future__ import annotations

import time

import pytest
from helpers import found, run

from kubelint.parse import parse_file


def positions(text: str, name: str = "t.yaml"):
    parsed = parse_file(name, text.encode())
    return parsed.documents[0].source_map, parsed


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
"""


def test_positions_of_values_keys_and_missing_fields():
    sm, _ = positions(DEPLOYMENT)
    path = ("spec", "template", "spec", "containers", 0, "image")
    assert sm.position(path) == (10, 18)
    assert sm.position(path, "key") == (10, 11)
    assert sm.position(("spec", "template", "spec", "containers", 0), "parent") == (9, 11)
    # a missing field resolves to the nearest existing ancestor
    assert sm.position(("spec", "selector", "matchLabels")) == (6, 3)


def test_json_positions():
    text = '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "p"},\n  "spec": {\n    "containers": [\n      {"name": "c", "image": "nginx"}\n    ]\n  }\n}\n'
    sm, _ = positions(text, "p.json")
    assert sm.position(("spec", "containers", 0, "image")) == (7, 30)


def test_tab_indented_json_is_read_and_reported():
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "c"}\n}\n'
    parsed = parse_file("c.json", text.encode())
    assert parsed.documents[0].data["kind"] == "ConfigMap"
    assert [(h.name, h.line, h.column) for h in parsed.hazards] == [
        ("yaml-tab-whitespace", 2, 1),
        ("yaml-tab-whitespace", 3, 1),
        ("yaml-tab-whitespace", 4, 1),
    ]


def test_list_items_have_their_own_lines():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      containers: [{name: a, image: "nginx:latest"}]
  - apiVersion: v1
    kind: Pod
    metadata: {name: b}
    spec:
      containers:
        - name: b
          image: nginx
"""
    result = run(text, select=["image-tag-latest"])
    assert [(f.object.name, f.line, f.column, f.pointer) for f in result.findings] == [
        ("a", 8, 37, "/spec/containers/0/image"),
        ("b", 15, 18, "/spec/containers/0/image"),
    ]


def test_yaml_1_1_scalars_as_kubectl_reads_them():
    sm, parsed = positions("a: yes\nb: 0755\nc: '0755'\nd: ~\ne: 1.5\nf: 2024-01-01\ng: 0x1F\nh: off\n")
    assert parsed.documents[0].data == {
        "a": True, "b": 493, "c": "0755", "d": None, "e": 1.5, "f": "2024-01-01", "g": 31, "h": False,
    }


def test_merge_keys_and_anchors():
    _, parsed = positions("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n")
    assert parsed.documents[0].data["derived"] == {"x": 1, "y": 3}


def test_duplicate_key_reported_at_the_repeat_and_last_wins():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
    parsed = parse_file("t.yaml", text.encode())
    assert parsed.documents[0].data["metadata"]["name"] == "b"
    assert [(h.name, h.line, h.column) for h in parsed.hazards] == [("duplicate-key", 5, 3)]
    assert "first at line 4" in parsed.hazards[0].message


def test_syntax_error_keeps_earlier_documents():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkey: [unclosed\n"
    result = run(text, select=["yaml-syntax", "image-tag-latest"])
    assert [(f.name, f.line) for f in result.findings] == [("yaml-syntax", 5)]
    assert result.objects == 1


def test_billion_laughs_is_refused_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghijklmnop":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    start = time.perf_counter()
    # Line 4 (d: 9**4 nodes, nearly all through aliases): past the 99% share
    # of aliases the Go YAML library allows, long before 5,000,000 nodes.
    assert found("\n".join(lines)) == [("yaml-alias-bomb", 4)]
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_nesting_is_a_finding_not_a_crash(depth):
    text = "x: " + "[" * depth + "]" * depth + "\n"
    assert found(text) == [("yaml-too-deep", 1)]


def test_deep_block_nesting():
    text = "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 700))
    assert found(text) == [("yaml-too-deep", 501)]


def test_invalid_utf8_bom_and_tabs():
    assert found(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n") == [("yaml-encoding", 3)]
    bom = "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n".encode("utf-8")
    assert found(bom) == [("yaml-encoding", 1)]
    assert found("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: c\n") == [("yaml-syntax", 4)]


def test_undefined_alias_is_a_syntax_finding():
    assert found("a: *nope\n") == [("yaml-syntax", 1)]


def test_empty_comment_only_and_non_kubernetes_documents_are_skipped():
    text = "# only a comment\n---\n---\nname: CI\non: push\njobs: {}\n---\nservices:\n  web: {image: nginx}\n"
    result = run(text)
    assert result.findings == () and result.objects == 0


def test_kustomization_is_not_a_cluster_object():
    result = run("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n")
    assert result.objects == 0 and result.findings == ()


HELM = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
"""


def test_helm_template_is_one_finding_with_a_hint():
    result = run(HELM)
    assert [(f.name, f.line, f.column) for f in result.findings] == [("template-unrendered", 4, 9)]
    assert result.findings[0].fix.title.startswith("Render the template first: `helm template")


def test_quoted_helm_values_are_templates_too():
    text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: "{{ .Values.image }}"\n'
    assert found(text) == [("template-unrendered", 7)]


@pytest.mark.parametrize(
    "value",
    [
        '"{{ $labels.pod }} in {{ $labels.namespace }} is down"',
        '"{{request.object.metadata.name}}"',
        "'{{ .path.basename }}'",
        '"{{instance}}"',
    ],
)
def test_rendered_manifests_with_braces_in_strings_are_not_templates(value):
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  text: {value}\n"
    assert found(text) == []


def test_ytt_template_is_unrendered():
    text = '#@ load("@ytt:data", "data")\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: #@ data.values.name\n'
    result = run(text)
    assert [(f.name, f.line, f.column) for f in result.findings] == [("template-unrendered", 1, 1)]
    assert result.findings[0].fix.title == "Render the template first: `ytt -f DIR | kubelint check -`."


@pytest.mark.parametrize("newline", ["\r", "\x85", "\u2028", "\u2029", "\r\n"])
def test_comments_and_tabs_are_found_on_their_line_whatever_ends_it(newline):
    """libyaml ends a line at a lone CR, NEL, LS and PS too: a suppression
    comment and a tab are placed on the line libyaml and the user see."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a # kubelint: ignore[x]", "data:", "  k: v\t"]
    parsed = parse_file("x.yaml", newline.join(lines).encode())
    assert [(d.line, d.column, d.names) for d in parsed.directives] == [(4, 11, ("x",))]
    assert [(h.name, h.line, h.column) for h in parsed.hazards] == [("yaml-tab-whitespace", 6, 7)]
    assert parsed.documents[0].data["data"] == {"k": "v"}


def test_a_file_of_many_documents_is_read_in_memory_proportional_to_its_text():
    """Handed over one at a time (`sink`), 40,000 tiny documents cost the
    text and one document, not 40,000 of anything (the scalar cache of the
    loader is bounded too)."""
    import tracemalloc

    raw = "".join(f"---\na: {i}\n" for i in range(40_000)).encode()
    seen = []
    tracemalloc.start()
    try:
        parsed = parse_file("many.yaml", raw, sink=lambda doc: seen.append(doc.index) if doc.index % 10_000 == 0 else None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == [0, 10_000, 20_000, 30_000] and parsed.documents == [] and parsed.hazards == []
    assert peak < 4 * len(raw), f"{peak:,} bytes at peak for {len(raw):,} bytes of text"
