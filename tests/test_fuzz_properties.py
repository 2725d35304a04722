"""Property-based tests: manifests generated from the bundled Kubernetes
schemas (right and wrong types, missing and extra fields, odd scalars, every
YAML style) through the whole pipeline and every report format, in-process.
tests/hostile_harness.py states the properties.

The example counts are small so the suite stays fast; `scripts/fuzz.py` runs
the long campaign.  Runs are derandomized (the same examples each time, as
CI needs); set KUBELINT_FUZZ_RANDOM=1 to explore new ones.
"""

from __future__ import annotations

import functools
import gzip
import json
import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hostile_harness import check_input  # noqa: E402

SETTINGS = dict(
    deadline=None,
    derandomize=not os.environ.get("KUBELINT_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

KINDS = [
    ("v1", "Pod"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"), ("batch/v1", "CronJob"), ("v1", "Service"), ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"), ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("v1", "ServiceAccount"), ("v1", "Secret"), ("v1", "ConfigMap"), ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"), ("v1", "Namespace"), ("v1", "PersistentVolumeClaim"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
]

ODD_SCALARS = st.sampled_from([
    None, True, False, 0, -1, 65536, 2**63, -(2**70), 10**40, 0.5, float("inf"), float("nan"), "", " ", "0",
    "true", "yes", "null", "~", "1e3", "0x1F", "0777", "100m", "1Gi", "-1", "latest", "nginx", "nginx:latest",
    "a/b:c@sha256:" + "0" * 64, "TCP", "UDP", "ALL", "*", "Always", "RuntimeDefault", "Unconfined", "host",
    "NET_RAW", "SYS_ADMIN", "/var/run/docker.sock", "kube-system", "default", "cluster-admin", "\x1b[2J",
    "a\r\nb", "\u2028", "\x85", "é", "\U0001f600", "{{ x }}", "# kubelint: ignore", "x" * 300,
])
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


@functools.cache
def _bundle() -> dict:
    from kubelint.schema.validate import SCHEMA_DIRS
    from kubelint.schema.versions import DEFAULT

    for directory in SCHEMA_DIRS:
        path = directory / f"v{DEFAULT}.json.gz"
        if path.is_file():
            return json.loads(gzip.decompress(path.read_bytes()))
    pytest.skip("no bundled schemas")


def _resolve(schema: dict) -> dict:
    defs = _bundle()["defs"]
    while isinstance(schema, dict) and "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema if isinstance(schema, dict) else {}


def _types(schema: dict) -> list[str]:
    t = schema.get("type", [])
    return [t] if isinstance(t, str) else [x for x in t if x != "null"]


def value_for(schema: dict, depth: int = 0) -> st.SearchStrategy:
    """Values shaped by a schema, with a fair share of wrong ones."""
    schema = _resolve(schema)
    wrong = ODD_SCALARS | st.lists(ODD_SCALARS, max_size=2) | st.dictionaries(TEXT, ODD_SCALARS, max_size=2)
    if depth > 7:
        return ODD_SCALARS
    types = _types(schema)
    if schema.get("x-kubernetes-int-or-string") or ("oneOf" in schema or "anyOf" in schema):
        right = st.integers(-5, 70000) | st.sampled_from(["http", "50%", "8080", "1.5", ""]) | TEXT
    elif "object" in types or "properties" in schema:
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        if props:
            right = st.lists(st.sampled_from(sorted(props)), unique=True, max_size=min(8, len(props))).flatmap(
                lambda keys: st.fixed_dictionaries({k: value_for(props[k], depth + 1) for k in keys})
            )
        elif isinstance(extra, dict):
            right = st.dictionaries(TEXT | st.sampled_from(["app", "cpu", "memory", "kubelint.io/ignore"]),
                                    value_for(extra, depth + 1), max_size=3)
        else:
            right = st.dictionaries(TEXT, ODD_SCALARS, max_size=2)
    elif "array" in types:
        right = st.lists(value_for(schema.get("items", {}), depth + 1), max_size=3)
    elif "integer" in types:
        right = st.integers(-(2**64), 2**64) | st.sampled_from([0, 1, 80, 443, 8080, 30000, 65535])
    elif "number" in types:
        right = st.floats(allow_nan=True) | st.integers()
    elif "boolean" in types:
        right = st.booleans()
    elif "string" in types:
        enum = schema.get("enum")
        right = (st.sampled_from(enum) if enum else st.nothing()) | TEXT | ODD_SCALARS.filter(lambda v: isinstance(v, str))
    else:
        right = ODD_SCALARS
    return st.one_of(right, right, right, wrong)


@st.composite
def manifest(draw) -> dict:
    api_version, kind = draw(st.sampled_from(KINDS))
    schema_name = _bundle()["kinds"][api_version][kind]
    body = draw(value_for({"$ref": f"#/$defs/{schema_name}"}, 1))
    if not isinstance(body, dict):
        body = {"spec": body}
    body = {k: v for k, v in body.items() if k not in ("apiVersion", "kind")}
    return {"apiVersion": api_version, "kind": kind, **body}


@st.composite
def manifest_file(draw) -> tuple[bytes, str]:
    """One to three manifests (sometimes as a `kind: List`), in a YAML style
    or as JSON."""
    import yaml

    docs = draw(st.lists(manifest(), min_size=1, max_size=3))
    if len(docs) > 1 and draw(st.booleans()):
        docs = [{"apiVersion": "v1", "kind": "List", "items": docs}]
    style = draw(st.sampled_from(["block", "flow", "mixed", "json", "single", "double", "literal", "folded"]))
    if style == "json":
        return "\n".join(json.dumps(d, default=str, ensure_ascii=draw(st.booleans())) for d in docs).encode(), "x.json"
    text = yaml.safe_dump_all(
        docs,
        default_flow_style={"block": False, "flow": True}.get(style),
        default_style={"single": "'", "double": '"', "literal": "|", "folded": ">"}.get(style),
        allow_unicode=draw(st.booleans()),
        explicit_start=draw(st.booleans()),
        width=draw(st.sampled_from([80, 20, 10**6])),
        sort_keys=False,
    )
    return text.encode("utf-8"), "x.yaml"


@settings(max_examples=30, **SETTINGS)
@given(manifest_file())
def test_generated_manifests_keep_every_property(case):
    data, name = case
    check_input(data, name)


BASE = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
    b"spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    b"    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
    b"          ports: [{containerPort: 8080}]\n"
)


@settings(max_examples=30, **SETTINGS)
@given(st.integers(0, len(BASE)), st.binary(max_size=8) | st.sampled_from(
    [b"\x00", b"\x1b", b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xff", b"\t", b"&a ", b"*a", b"{{", b": ", b"\n---\n"]
), st.integers(0, 16))
def test_byte_mutations_keep_every_property(at, insert, drop):
    data = BASE[:at] + insert + BASE[at + drop:]
    check_input(data, "x.yaml")


@settings(max_examples=10, **SETTINGS)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_keep_every_property(data):
    check_input(data, "x.yaml")
