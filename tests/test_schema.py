"""The schema stage: bundled Kubernetes schemas, CRDs, removed APIs."""

from __future__ import annotations

import copy
import datetime
import gzip
import json

import pytest

from kubelint.model import Edit
from kubelint.schema import removed, validate
from kubelint.schema.crd import CrdIndex
from kubelint.schema.validate import SchemaError, validation_errors
from kubelint.schema.versions import DEFAULT, SUPPORTED, as_tuple, parse_version

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "prod", "creationTimestamp": None,
                 "labels": {"app.kubernetes.io/name": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [{
                    "name": "web",
                    "image": "nginx:1.27",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "resources": {"requests": {"cpu": 0.5, "memory": "64Mi"},
                                  "limits": {"cpu": "500m", "memory": "1Gi", "ephemeral-storage": 1}},
                    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                }],
            },
        },
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
    },
    "status": {},
}


DELETE = object()


def deployment(**changes):
    """DEPLOYMENT with `changes` applied: keys are dotted paths; DELETE removes."""
    obj = copy.deepcopy(DEPLOYMENT)
    for dotted, value in changes.items():
        *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
        node = obj
        for p in parents:
            node = node[p]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return obj


def errors(obj, version=DEFAULT, **kwargs):
    return validation_errors(obj, obj["apiVersion"], obj["kind"], version, **kwargs)


CONTAINER = ("spec", "template", "spec", "containers", 0)


# --- versions ------------------------------------------------------------------


def test_supported_versions():
    assert SUPPORTED[0] == "1.25" and SUPPORTED[-1] == "1.37" and len(SUPPORTED) == 13
    assert DEFAULT == "1.37"


@pytest.mark.parametrize("text", ["1.31", "v1.31", "1.31.4", "v1.31.4", " 1.31 "])
def test_parse_version_accepts(text):
    assert parse_version(text) == "1.31"


@pytest.mark.parametrize("text", ["1.99", "1.24", "2.0", "latest", "1", "", "v1.31.4.1"])
def test_parse_version_rejects(text):
    with pytest.raises(ValueError) as info:
        parse_version(text)
    assert str(info.value) == (f'unsupported Kubernetes version "{text}"; supported: '
                               "1.25, 1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37")


def test_as_tuple():
    assert as_tuple("1.31") == (1, 31)
    assert as_tuple("1.9") < as_tuple("1.16")


def test_every_version_has_a_schema_file_with_provenance():
    for version in SUPPORTED:
        path = next(d / f"v{version}.json.gz" for d in validate.SCHEMA_DIRS if (d / f"v{version}.json.gz").is_file())
        doc = json.loads(gzip.decompress(path.read_bytes()))
        assert doc["kubernetes"] == version
        assert doc["source"]["package"] == "kubernetes-validate" and doc["source"]["version"] == "1.37.0"
        assert len(doc["source"]["wheel_sha256"]) == 64
        assert doc["kinds"]["apps/v1"]["Deployment"] == "io.k8s.api.apps.v1.Deployment"


# --- built-in kinds --------------------------------------------------------------


def test_valid_deployment():
    assert errors(DEPLOYMENT) == []
    for version in SUPPORTED:
        assert errors(DEPLOYMENT, version) == [], version


def test_unknown_field_with_suggestion():
    obj = deployment(**{"spec.replica": 3, "spec.replicas": DELETE})
    assert errors(obj) == [SchemaError(
        kind="unknown-field",
        path=("spec", "replica"),
        message='unknown field "replica" in spec (did you mean "replicas"?)',
        fix='Rename "replica" to "replicas".',
        at="key",
        edits=(Edit("rename", ("spec", "replica"), "replicas"),),
    )]


def test_unknown_field_without_suggestion_names_the_parent():
    obj = deployment(**{"spec.template.spec.containers.0.colour": "blue"})
    (error,) = errors(obj)
    assert error.kind == "unknown-field" and error.at == "key"
    assert error.path == CONTAINER + ("colour",)
    assert error.message == 'unknown field "colour" in spec.template.spec.containers[0]'
    assert error.fix.endswith(".")


def test_unknown_field_at_the_top_level():
    (error,) = errors(deployment(metdata={"name": "web"}, metadata=DELETE))
    assert error.path == ("metdata",)
    assert error.message == 'unknown field "metdata" at the top level (did you mean "metadata"?)'
    # A suggestion never names a field the mapping already has.
    (error,) = errors(deployment(specs={}))
    assert error.message == 'unknown field "specs" at the top level'


def test_strict_false_ignores_unknown_fields():
    obj = deployment(**{"spec.replica": 3, "metadata.labelz": {}})
    assert len(errors(obj)) == 2
    assert errors(obj, strict=False) == []


def test_wrong_type():
    (error,) = errors(deployment(**{"spec.replicas": "3"}))
    assert error == SchemaError(
        kind="invalid",
        path=("spec", "replicas"),
        message='spec.replicas: expected integer, got string "3"',
        fix="Remove the quotes around 3.",
        at="value",
        edits=(Edit("set", ("spec", "replicas"), 3),),
    )


def test_missing_required_field_points_at_the_parent():
    (error,) = errors(deployment(**{"spec.selector": DELETE}))
    assert error.kind == "invalid" and error.at == "parent"
    assert error.path == ("spec",)
    assert error.message == "spec.selector: required field is missing"
    assert error.fix == 'Add "selector" to spec.'


def test_container_port_must_be_an_integer():
    (error,) = errors(deployment(**{"spec.template.spec.containers.0.ports.0.containerPort": "http"}))
    assert error.path == CONTAINER + ("ports", 0, "containerPort")
    assert error.message == ('spec.template.spec.containers[0].ports[0].containerPort: '
                             'expected integer, got string "http"')
    assert error.at == "value"


def test_int_or_string():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}}
    assert errors(service) == []
    service["spec"]["ports"][0]["targetPort"] = True
    (error,) = errors(service)  # one error, not one per oneOf branch
    assert error.path == ("spec", "ports", 0, "targetPort")
    assert error.message == "spec.ports[0].targetPort: expected integer or string, got boolean true"


@pytest.mark.parametrize("cpu", [0.5, 1, "500m", "1", "1.5", "2e3", ".5"])
def test_quantities_accept_numbers_and_strings(cpu):
    assert errors(deployment(**{"spec.template.spec.containers.0.resources.limits.cpu": cpu})) == []


_SUFFIXES = "use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3"


@pytest.mark.parametrize("memory,reason", [
    ("1GB", f'unknown suffix "GB"; {_SUFFIXES}'),
    ("500 m", "contains white space between the number and the suffix"),
    ("1K", f'unknown suffix "K"; {_SUFFIXES}'),
    ("", None),  # not a number at all (a placeholder, a word): no reason to give
    ("lots", None),
])
def test_bad_quantities(memory, reason):
    """schema-invalid owns quantity syntax, with ParseQuantity's reason (the
    one invalid-quantity used to give in a second finding)."""
    (error,) = errors(deployment(**{"spec.template.spec.containers.0.resources.limits.memory": memory}))
    assert error.path == CONTAINER + ("resources", "limits", "memory")
    tail = f": {reason}" if reason else ""
    assert error.message == ("spec.template.spec.containers[0].resources.limits.memory: "
                             f"invalid quantity {json.dumps(memory)}{tail}")


def test_quantity_fix_for_a_byte_suffix():
    (error,) = errors(deployment(**{"spec.template.spec.containers.0.resources.limits.memory": "1GB"}))
    assert error.fix.startswith('Write "1Gi"')


def test_nulls_the_api_server_accepts():
    obj = deployment(**{"metadata.creationTimestamp": None, "spec.template.spec.containers.0.resources": {},
                        "spec.strategy": None, "spec.template.metadata.annotations": None})
    assert errors(obj) == []


def test_yaml_boolean_where_a_string_is_expected():
    obj = deployment(**{"spec.template.spec.containers.0.env": [{"name": "DEBUG", "value": True}]})
    (error,) = errors(obj)
    assert error.message == "spec.template.spec.containers[0].env[0].value: expected string, got boolean true"
    assert error.fix == "Quote the value so YAML reads it as a string."


def test_keys_that_are_not_plain_names_are_quoted():
    (error,) = errors(deployment(**{"metadata.labels": {"app.kubernetes.io/name": 1}}))
    assert error.path == ("metadata", "labels", "app.kubernetes.io/name")
    assert error.message.startswith('metadata.labels["app.kubernetes.io/name"]: expected string, got integer 1')


def test_unknown_kind_is_none():
    assert validation_errors({}, "example.com/v1", "Widget", DEFAULT) is None
    assert validation_errors({}, "apps/v1", "Deploymnet", DEFAULT) is None


def test_kinds_follow_the_version():
    hpa = {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"},
           "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 3}}
    assert errors(hpa, "1.25") == []
    assert errors(hpa, "1.26") is None


def test_never_raises_on_odd_data():
    odd = [
        deployment(**{"metadata.creationTimestamp": datetime.datetime(2024, 1, 2, 3, 4, 5)}),
        deployment(**{"metadata.labels": {1: "one", True: "yes", None: "null"}}),
        deployment(**{"spec.template.spec.containers": {"not": "a list"}}),
        deployment(**{"spec.template.spec.containers.0.args": {1, 2}}),
        deployment(**{"spec.template.spec.containers.0.image": b"\x00binary"}),
        deployment(**{"spec.replicas": float("nan")}),
        deployment(**{"spec.replicas": 10**40}),
        deployment(spec="text"),
        deployment(spec=[1, 2, 3]),
    ]
    for obj in odd:
        result = errors(obj)
        assert isinstance(result, list)
    for value in ([], "text", None, 3):
        assert isinstance(validation_errors(value, "apps/v1", "Deployment", DEFAULT), list)
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    assert errors(deployment(**{"metadata.annotations": deep}))


def test_converted_keys_map_back_to_the_document():
    (error,) = errors(deployment(**{"metadata.labels": {1: 2}}))
    assert error.path == ("metadata", "labels", 1)


def test_validators_are_compiled_once():
    errors(DEPLOYMENT)
    before = validate._builtin_validator.cache_info()
    errors(deployment(**{"spec.replicas": 5}))
    after = validate._builtin_validator.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1


# --- CRDs ----------------------------------------------------------------------

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "required": ["size"],
                        "properties": {
                            "size": {"type": "integer", "minimum": 1},
                            "colour": {"type": "string", "enum": ["red", "blue"]},
                            "port": {"x-kubernetes-int-or-string": True,
                                     "anyOf": [{"type": "integer"}, {"type": "string"}]},
                            "note": {"type": "string", "nullable": True},
                            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                                      "properties": {"inner": {"type": "object",
                                                               "properties": {"known": {"type": "string"}}}}},
                            "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                                         "properties": {"spec": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}},
                        },
                    },
                },
            }}},
            {"name": "v0", "served": False, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}}},
        ],
    },
}


def widget(**spec):
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "b"}},
            "spec": {"size": 3, **spec}}


def crd_errors(obj, crds, **kwargs):
    return validation_errors(obj, obj["apiVersion"], obj["kind"], DEFAULT, crds=crds, **kwargs)


def test_crd_index():
    index = CrdIndex.from_objects([WIDGET_CRD, DEPLOYMENT, "junk", None, {"kind": "CustomResourceDefinition"}])
    assert len(index) == 1 and index
    assert index.schema_for("example.com/v1", "Widget")["type"] == "object"
    assert index.schema_for("example.com/v0", "Widget") is None  # not served
    assert not CrdIndex.from_objects([])


def test_custom_resource_valid():
    index = CrdIndex.from_objects([WIDGET_CRD])
    obj = widget(colour="red", port="http", note=None, extra={"anything": [1, 2]},
                 template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}})
    assert crd_errors(obj, index) == []
    assert crd_errors(widget(port=8080), index) == []


def test_custom_resource_typo():
    index = CrdIndex.from_objects([WIDGET_CRD])
    (error,) = crd_errors(widget(color="red"), index)
    assert error.kind == "unknown-field" and error.path == ("spec", "color") and error.at == "key"
    assert error.message == 'unknown field "color" in spec (did you mean "colour"?)'
    assert crd_errors(widget(color="red"), index, strict=False) == []


def test_custom_resource_values():
    index = CrdIndex.from_objects([WIDGET_CRD])
    messages = {e.path: e.message for e in crd_errors(widget(size=0, colour="Red", port=True), index)}
    assert messages == {
        ("spec", "size"): "spec.size: 0 is less than the minimum 1",
        ("spec", "colour"): 'spec.colour: unsupported value "Red"; expected one of "red", "blue"',
        ("spec", "port"): "spec.port: expected integer or string, got boolean true",
    }
    (missing,) = crd_errors({**widget(), "spec": {}}, index)
    assert missing.path == ("spec",) and missing.at == "parent"
    assert missing.message == "spec.size: required field is missing"


def test_preserve_unknown_fields():
    index = CrdIndex.from_objects([WIDGET_CRD])
    assert crd_errors(widget(extra={"whatever": {"deep": 1}}), index) == []
    # As the API server prunes (apiextensions-apiserver pruning/algorithm.go), fields
    # a preserved object does specify are checked again below it.
    (error,) = crd_errors(widget(extra={"inner": {"knwn": "x"}}), index)
    assert error.path == ("spec", "extra", "inner", "knwn")


def test_preserve_unknown_fields_at_the_root():
    crd = copy.deepcopy(WIDGET_CRD)
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"] = True
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "x-kubernetes-preserve-unknown-fields"] = True
    index = CrdIndex.from_objects([crd])
    assert crd_errors({**widget(color="red"), "other": 1}, index) == []


def test_v1beta1_crd_keeps_unknown_fields_unless_asked():
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1beta1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "version": "v1", "names": {"kind": "Gadget", "plural": "gadgets"},
                 "validation": {"openAPIV3Schema": {"properties": {"spec": {"properties": {
                     "size": {"type": "integer"}}}}}}},
    }
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"},
              "spec": {"size": "big", "sise": 1}}
    (error,) = crd_errors(gadget, CrdIndex.from_objects([crd]))
    assert error.path == ("spec", "size")
    crd["spec"]["preserveUnknownFields"] = False
    kinds = sorted(e.kind for e in crd_errors(gadget, CrdIndex.from_objects([crd])))
    assert kinds == ["invalid", "unknown-field"]


def test_v1_crd_that_kept_preserve_unknown_fields():
    crd = copy.deepcopy(WIDGET_CRD)
    crd["spec"]["preserveUnknownFields"] = True  # possible for CRDs created through v1beta1
    assert crd_errors(widget(color="red"), CrdIndex.from_objects([crd])) == []


def test_duplicate_crds_accept_either_schema():
    wider = copy.deepcopy(WIDGET_CRD)
    wider["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["shape"] = {
        "type": "string"}
    index = CrdIndex.from_objects([WIDGET_CRD, wider, WIDGET_CRD])
    assert len(index.entries_for("example.com/v1", "Widget")) == 2
    assert crd_errors(widget(shape="round"), index) == []


def test_builtin_schemas_win_over_crds():
    index = CrdIndex.from_objects([WIDGET_CRD])
    assert errors(DEPLOYMENT, crds=index) == []
    assert crd_errors(widget(), CrdIndex.from_objects([])) is None


def test_crd_with_a_bad_pattern_still_validates():
    crd = copy.deepcopy(WIDGET_CRD)
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["colour"] = {
        "type": "string", "pattern": "(?<=look)behind"}
    index = CrdIndex.from_objects([crd])
    (error,) = crd_errors(widget(size="3"), index)
    assert error.path == ("spec", "size")


# --- removed APIs --------------------------------------------------------------


def test_removed_deployment():
    state, change = removed.status("extensions/v1beta1", "Deployment", "1.25")
    assert state == "removed"
    assert change.replacement == "apps/v1" and change.removed_in == "1.16"
    assert "spec.selector" in change.notes


def test_flowcontrol_v1beta3_is_deprecated_then_removed():
    assert removed.status("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.28") is None
    state, change = removed.status("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.30")
    assert state == "deprecated" and change.replacement == "flowcontrol.apiserver.k8s.io/v1"
    assert removed.status("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", "1.32")[0] == "removed"


def test_current_apis_are_not_in_the_table():
    assert removed.lookup("apps/v1", "Deployment") is None
    assert removed.status("apps/v1", "Deployment", "1.37") is None


def test_every_release_of_the_guide_is_covered():
    releases = {c.removed_in for c in removed.CHANGES}
    assert {"1.16", "1.22", "1.25", "1.26", "1.27", "1.29", "1.32"} <= releases
    for c in removed.CHANGES:
        assert c.deprecated_in is None or as_tuple(c.deprecated_in) < as_tuple(c.removed_in)
        assert c.replacement != c.api_version


def known(api_version, kind, version):
    return validation_errors({}, api_version, kind, version, strict=False) is not None


@pytest.mark.parametrize("change", [c for c in removed.CHANGES if as_tuple(c.removed_in) >= (1, 26)],
                         ids=lambda c: f"{c.api_version}/{c.kind}")
def test_removals_match_the_bundled_schemas(change):
    """A removal in 1.N means 1.N-1 serves the kind and 1.N does not."""
    major, minor = as_tuple(change.removed_in)
    before = f"{major}.{minor - 1}"
    assert known(change.api_version, change.kind, before)
    assert not known(change.api_version, change.kind, change.removed_in)


@pytest.mark.parametrize("change", removed.CHANGES, ids=lambda c: f"{c.api_version}/{c.kind}")
def test_removed_apis_stay_removed_and_replacements_exist(change):
    for version in SUPPORTED:
        if as_tuple(version) >= as_tuple(change.removed_in):
            assert not known(change.api_version, change.kind, version), version
    if change.replacement:
        assert known(change.replacement, change.kind, DEFAULT)


def test_kustomize_patches_are_fragments(tmp_path):
    """Files a kustomization lists as patches lack required fields by design."""
    from kubelint.config import Settings
    from kubelint.engine import check
    from kubelint.sources import expand, read

    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deploy.yaml]\n"
        "patches:\n  - path: patch.yaml\n"
    )
    (tmp_path / "patch.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  replica: 2\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n          $patch: delete\n"
    )
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n")
    result = check(read(expand([str(tmp_path)])), Settings(select=["ALL"]))
    got = sorted((f.file.rsplit("/", 1)[1], f.name, f.line) for f in result.findings)
    # the patch: only what is present and wrong; the base: what is missing too
    assert ("patch.yaml", "unknown-field", 6) in got
    assert [g for g in got if g[0] == "patch.yaml"] == [("patch.yaml", "unknown-field", 6)]
    assert ("deploy.yaml", "schema-invalid", 4) in got
