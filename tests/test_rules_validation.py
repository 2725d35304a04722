"""The validation rules' logic that the fixtures do not pin down."""

from __future__ import annotations

import pytest
from helpers import found

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.k8s.names import (
    dns1035_label_error,
    dns1123_label_error,
    dns1123_subdomain_error,
    label_key_error,
    label_value_error,
    port_name_error,
)
from kubelint.rules.validation import cron_error, time_zone_error
from kubelint.sources import Source


@pytest.mark.parametrize(
    "schedule",
    [
        "* * * * *",
        "0 3 * * 1",
        "*/15 0-6,22-23 1,15 * *",
        "0 0 1 JAN-MAR,oct *",
        "0 9 * * Mon-Fri",
        "5/15 * * * *",  # N/step means N-max/step
        "0 0 ? * *",
        "0 0 1,,2 * *",  # getField skips empty list entries
        "*-5 * * * *",  # robfig ignores what follows a star before the slash
        "+5 * * * *",  # strconv.Atoi accepts a plus sign
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
        "@every 5m", "@every 1h30m", "@every 1.5h",
    ],
)
def test_cron_accepts(schedule):
    assert cron_error(schedule) is None


@pytest.mark.parametrize(
    "schedule, reason",
    [
        ("", "empty"),
        ("* * * *", "exactly 5 fields"),
        ("0 * * * * *", "exactly 5 fields"),
        ("60 * * * *", "above maximum (59)"),
        ("0 24 * * *", "above maximum (23)"),
        ("0 0 0 * *", "below minimum (1)"),
        ("0 0 * 13 *", "above maximum (12)"),
        ("0 0 * * 7", "above maximum (6)"),
        ("0 0 * * MONDAY", "not a number"),
        ("5-1 * * * *", "beyond end of range"),
        ("*/0 * * * *", "positive number"),
        ("1-2-3 * * * *", "too many hyphens"),
        ("*/2/3 * * * *", "too many slashes"),
        ("-5 * * * *", "not a number"),
        ("@daily ", "unrecognized descriptor"),
        ("@every 5 minutes", "failed to parse duration"),
        ("@reboot", "unrecognized descriptor"),
    ],
)
def test_cron_rejects(schedule, reason):
    assert reason in cron_error(schedule)


def test_time_zones():
    assert time_zone_error("Europe/Berlin") is None
    assert time_zone_error("UTC") is None
    assert time_zone_error("Etc/GMT+5") is None
    assert "Local" in time_zone_error("Local")
    assert time_zone_error("") is not None
    assert time_zone_error("../etc/passwd") is not None
    assert time_zone_error("Mars/Olympus_Mons") is not None


def test_name_syntax():
    assert dns1123_label_error("web-1") is None
    assert dns1123_label_error("web.1") == "must not contain dots"
    assert dns1123_label_error("a" * 64) is not None
    assert dns1123_subdomain_error("web.example.com") is None
    assert dns1123_subdomain_error("Web") is not None
    assert dns1123_subdomain_error("a" * 254) is not None
    assert dns1035_label_error("web") is None
    assert dns1035_label_error("1web") is not None
    assert dns1123_label_error("1web") is None


def test_port_names():
    for ok in ("http", "grpc-web", "h2c", "a1"):
        assert port_name_error(ok) is None
    for bad in ("8080", "HTTP", "-http", "http-", "a--b", "http-metrics-port", "my_port"):
        assert port_name_error(bad) is not None


def test_label_syntax():
    for ok in ("app", "app.kubernetes.io/name", "Example_Key", "a", "x/y"):
        assert label_key_error(ok) is None, ok
    for bad in ("", "/app", "app/", "a/b/c", "Example.com/app", "-app", "a" * 64, "a" * 254 + "/x"):
        assert label_key_error(bad) is not None, bad
    for ok in ("", "v1.2", "A_b-c", "x" * 63):
        assert label_value_error(ok) is None, ok
    for bad in ("x" * 64, "a b", "-a", "a/b", "a:"):
        assert label_value_error(bad) is not None, bad


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db.primary}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "postgres:16"}]
"""


def test_statefulset_names_became_labels_in_1_26():
    assert found(STATEFULSET, select=["invalid-name"], kubernetes_version="1.25") == []
    assert found(STATEFULSET, select=["invalid-name"], kubernetes_version="1.26") == [("invalid-name", 3)]


CRON_TZ = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "TZ=Europe/Berlin 0 6 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: r, image: "busybox:1.36"}]}}}}
"""


def test_tz_in_schedule_is_refused_from_1_27():
    assert found(CRON_TZ, select=["invalid-cron"], kubernetes_version="1.26") == []
    assert found(CRON_TZ, select=["invalid-cron"], kubernetes_version="1.27") == [("invalid-cron", 5)]


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
"""


def _duplicates(scope: str | None, names: tuple[str, str]) -> list[tuple[str, int]]:
    options = {"duplicate-object": {"scope": scope}} if scope else {}
    sources = [Source(name, CONFIGMAP.encode()) for name in names]
    result = check(sources, Settings(select=["duplicate-object"], rule_options=options))
    return [(f.file, f.line) for f in result.findings]


def test_duplicate_object_scope():
    # By default only one file counts: directories often hold alternatives.
    assert _duplicates(None, ("a/one.yaml", "a/two.yaml")) == []
    assert _duplicates("directory", ("a/one.yaml", "a/two.yaml")) == [("a/two.yaml", 3)]
    assert _duplicates("directory", ("a/one.yaml", "b/two.yaml")) == []
    assert _duplicates("run", ("a/one.yaml", "b/two.yaml")) == [("b/two.yaml", 3)]


def test_duplicate_object_names_the_first_definition():
    result = check([Source("x.yaml", (CONFIGMAP + "---\n" + CONFIGMAP).encode())], Settings(select=["duplicate-object"]))
    [finding] = result.findings
    assert finding.line == 8
    assert finding.message.endswith("is already defined at line 3")


PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          volumeMounts: [{name: certs, mountPath: /certs}]
"""


def test_a_file_name_does_not_make_a_fragment():
    # Issue 9: "dispatch-patcher.yaml" used to lose every non-schema rule.
    for name in ("deployment.yaml", "overlays/prod/deployment-patch.yaml", "deploy/dispatch-patcher.yaml"):
        assert found(PATCH, name=name, select=["volume-mount-unknown"]) == [("volume-mount-unknown", 10)], name


def test_kustomize_patches_are_not_whole_objects():
    kustomization = "resources: [../../base]\npatches:\n  - path: deployment-patch.yaml\n"
    result = check(
        [Source("overlays/prod/kustomization.yaml", kustomization.encode()),
         Source("overlays/prod/deployment-patch.yaml", PATCH.encode())],
        Settings(select=["volume-mount-unknown"]),
    )
    assert result.findings == ()


def test_fragments_glob_in_the_configuration():
    assert found(PATCH, name="patches/web.yaml", select=["volume-mount-unknown"], fragments=["patches/*"]) == []


def test_selector_expressions():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchExpressions:
      - {key: tier, operator: NotIn, values: [db]}
  template:
    metadata:
      labels: {tier: db}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""
    assert found(text, select=["selector-mismatch"]) == [("selector-mismatch", 10)]
    assert found(text.replace("[db]}", "[cache]}"), select=["selector-mismatch"]) == []


def test_request_above_limit_compares_exact_values():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: "nginx:1.27"
      resources:
        requests: {cpu: 1001m, memory: 1Gi}
        limits: {cpu: "1", memory: 1073741824}
"""
    assert found(text, select=["invalid-quantity"]) == [("invalid-quantity", 9)]


def test_values_of_the_wrong_type_are_left_to_the_schema():
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {enabled: true, version: 1.0}
spec:
  restartPolicy: 1
  containers:
    - name: web
      image: "nginx:1.27"
      imagePullPolicy: [Always]
      ports: [{containerPort: "80"}]
      resources: {limits: {cpu: [1]}}
"""
    assert found(text, select=["validation"]) == []


def test_rules_never_raise_on_odd_shapes():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: [1, 2]
spec:
  selector: "app=web"
  strategy: {rollingUpdate: [1]}
  template:
    metadata: {labels: [x]}
    spec:
      volumes: {a: b}
      containers:
        - null
        - name: 5
          ports: {a: 1}
          volumeMounts: [null, {name: null}]
          resources: {requests: null}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [null, 5, {port: "x"}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: x}
spec: {schedule: 5, timeZone: 7, jobTemplate: []}
"""
    found(text, select=["validation"])  # must not raise
