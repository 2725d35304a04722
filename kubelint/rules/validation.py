"""What the API server would reject, beyond what the schemas can say.

kubeconform and the OpenAPI schemas stop at types and required fields.  The
API server also runs Go validation code on every create, and `kubectl apply`
fails with `... is invalid` when it finds a problem.  These rules port the
parts a manifest can get wrong, each next to its source:

* k8s.io/kubernetes pkg/apis/core/validation/validation.go (pods, services,
  volumes, resources), pkg/apis/apps/validation, pkg/apis/batch/validation;
* k8s.io/apimachinery pkg/util/validation/validation.go and
  pkg/api/validate/content (name, label and port name syntax),
  pkg/api/validation (ObjectMeta, name functions),
  pkg/apis/meta/v1/validation (label selectors);
* k8s.io/apimachinery pkg/api/resource (quantities, see kubelint.k8s.quantity);
* github.com/robfig/cron/v3 (CronJob schedules, `cron.ParseStandard`).

Values holding an unrendered placeholder (`{{ }}`, `${VAR}`, `$(VAR)`, or a
whole-value `PV_NAME` or `<your-name>` token) are left alone; so are values of
the wrong type, which the schema rules report.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterator

from kubelint.model import Edit, Fix, K8sObject, Problem
from kubelint.k8s.names import (
    dns1123_label_error,
    key_text,
    label_key_error,
    RBAC_GROUP,
    label_value_error,
    name_required,
    name_rule,
    not_stored,
    path_segment_error,
    port_name_error,
)
from kubelint.k8s.quantity import QUANTITY_PATTERN, parse_quantity
from kubelint.k8s.values import ALLOWED_VALUES, markdown_table
from kubelint.k8s.selectors import InvalidSelector, first_unmatched, requirements
from kubelint.registry import rule
from kubelint.k8s.kinds import POD_KINDS, is_kind, resolve
from kubelint.k8s.workloads import (
    POD_CONTAINER_GROUPS,
    POD_TEMPLATE_PATHS,
    CONTAINER_GROUPS,
    PROBES,
    PodSpec,
    as_list,
    as_map,
    as_str,
    containers,
    get_path,
    pod_spec,
)

# ---------------------------------------------------------------------------
# Placeholders and percentages (name and label syntax: kubelint.k8s.names).

_PERCENT_RE = re.compile(r"[0-9]+%")

_SED_PLACEHOLDER_RE = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+|<[^<>]+>")


def _placeholder(value: str) -> bool:
    """An unrendered template or variable that a tool replaces before apply:
    `{{ .x }}`, `${VAR}`, `$(VAR)`, and whole-value `PV_NAME` or `<your-name>`
    tokens that sample manifests ask you to substitute."""
    return "{{" in value or "${" in value or "$(" in value or bool(_SED_PLACEHOLDER_RE.fullmatch(value))




# ---------------------------------------------------------------------------
# invalid-name


@rule(code="KL901", name="invalid-name", severity="error", category="validation")
def invalid_name(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A name the API server rejects: object, container, volume or port name.

    Why: names are part of URLs, DNS records and hostnames, and the API server
    checks their syntax per kind (validation.go `ValidateObjectMeta` with the
    kind's name function).  Most objects need a DNS-1123 subdomain (lower
    case, digits, `-`, `.`, at most 253 characters); a Namespace a DNS-1123
    label (no dots, at most 63); a Service a DNS-1035 label (must also start
    with a letter); a StatefulSet a DNS-1123 label since 1.26; a CronJob at
    most 52 characters (its Jobs add an 11-character suffix).  RBAC objects
    only may not contain `/` or `%` (`system:controller:x` is fine).  Custom
    resources need a DNS-1123 subdomain.  A built-in object needs
    `metadata.name` or `metadata.generateName`.  Container and volume names
    are DNS-1123 labels; container port names are IANA service names (at most
    15 characters, lower case, digits and `-`, at least one letter, no `--`);
    Service port names are DNS-1123 labels and required when a Service has
    several ports.
    Example:
        apiVersion: v1
        kind: Service
        metadata: {name: 1st_web}
        spec:
          selector: {app: web}
          ports:
            - {port: 80}
    Use instead:
        apiVersion: v1
        kind: Service
        metadata: {name: first-web}
        spec:
          selector: {app: web}
          ports:
            - {port: 80}
    Fix safety: no automatic fix; renaming changes how other objects refer to it.
    References: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
    """
    group, kind = obj.group, obj.kind
    meta = obj.data.get("metadata")
    if isinstance(meta, dict) or meta is None:
        yield from _object_name(obj, as_map(meta), group, kind, ctx.version)
    pod = pod_spec(obj)
    if pod is not None:
        yield from _pod_names(obj, pod)
    if is_kind(obj, "Service"):
        yield from _service_port_names(obj)


def _object_name(obj: K8sObject, meta: dict, group: str, kind: str, version: tuple[int, int]) -> Iterator[Problem]:
    if not_stored(group, kind):
        return
    described = name_rule(group, kind, version)
    rbac = group == RBAC_GROUP
    name, generate = meta.get("name"), meta.get("generateName")
    if "name" not in meta and "generateName" not in meta:
        # A `name:` key without a value is a template slot (ytt's `#@`), not a
        # forgotten name.
        if name_required(group, kind) and not obj.fragment:
            path = ("metadata",) if "metadata" in obj.data else ()
            yield Problem(
                path,
                f"{kind} has no metadata.name (or metadata.generateName)",
                Fix("Set metadata.name.", "metadata:\n  name: <name>"),
                at="parent",
            )
        return
    for field, value, prefix in (("name", name, False), ("generateName", generate, True)):
        if not isinstance(value, str) or _placeholder(value):
            continue
        if not value:
            if field == "name" and not generate and name_required(group, kind):
                yield Problem(("metadata", "name"), f"{kind} name is empty", Fix("Set metadata.name."))
            continue
        checked = value
        if prefix and checked.endswith("-"):
            # maskTrailingDash: generated names get a suffix after the dash.
            checked = checked[: max(len(checked) - 2, 0)] + "a"
        reason = path_segment_error(value)
        what = "a valid name"
        if reason is None and described is not None and not rbac:
            what, checker = f"a valid {described[0]}", described[1]
            reason = checker(checked)
        if reason is None and field == "name" and (group, kind) == ("batch", "CronJob") and len(value) > 52:
            # ValidateCronJobCreate: the controller appends an 11-character
            # suffix to name each Job, whose name is limited to 63 characters.
            reason, what = "must be no more than 52 characters", "a valid CronJob name"
        if reason:
            yield Problem(
                ("metadata", field),
                f'{field} "{value}" is not {what}: {reason}',
                Fix(f"Rename the {kind} to a valid name, e.g. lower case with '-'."),
            )


def _pod_names(obj: K8sObject, pod: PodSpec) -> Iterator[Problem]:
    # validateContainerCommon: container names are DNS-1123 labels.
    for c in containers(obj):
        name = c.spec.get("name")
        if isinstance(name, str) and name and not _placeholder(name):
            reason = dns1123_label_error(name)
            if reason:
                yield Problem(
                    c.path + ("name",),
                    f'{c.label} has an invalid name: {reason}',
                    Fix("Rename the container: lower case letters, digits and '-'."),
                )
        # validateContainerPorts: port names are IANA_SVC_NAMEs.
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            pname = as_map(port).get("name")
            if isinstance(pname, str) and pname and not _placeholder(pname):
                reason = port_name_error(pname)
                if reason:
                    yield Problem(
                        c.path + ("ports", i, "name"),
                        f'{c.label} port name "{pname}" is not a valid IANA service name: {reason}',
                        Fix("Use a short lower case port name such as http or metrics (at most 15 characters)."),
                    )
    # ValidateVolumes: volume names are DNS-1123 labels.
    for i, volume in enumerate(as_list(pod.spec.get("volumes"))):
        vname = as_map(volume).get("name")
        if isinstance(vname, str) and vname and not _placeholder(vname):
            reason = dns1123_label_error(vname)
            if reason:
                yield Problem(
                    pod.path + ("volumes", i, "name"),
                    f'volume name "{vname}" is not a valid DNS-1123 label: {reason}',
                    Fix("Rename the volume and its volumeMounts: lower case letters, digits and '-'."),
                )
    # ValidatePodSpec: hostname and subdomain are DNS-1123 labels.
    for field in ("hostname", "subdomain"):
        value = pod.spec.get(field)
        if isinstance(value, str) and value and not _placeholder(value):
            reason = dns1123_label_error(value)
            if reason:
                yield Problem(pod.path + (field,), f'{field} "{value}" is not a valid DNS-1123 label: {reason}',
                              Fix(f"Set {field} to a DNS-1123 label."))


def _service_port_names(obj: K8sObject) -> Iterator[Problem]:
    ports = as_list(get_path(obj.data, ("spec", "ports")))
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        name = port.get("name")
        path = ("spec", "ports", i)
        if (name is None or name == "") and len(ports) > 1:
            # validateServicePort: requireName when the Service has several ports.
            yield Problem(
                path,
                "Service port has no name; a Service with several ports must name each",
                Fix("Name every port of the Service.", "name: http"),
                at="parent",
            )
        elif isinstance(name, str) and name and not _placeholder(name):
            reason = dns1123_label_error(name)
            if reason:
                yield Problem(
                    path + ("name",),
                    f'Service port name "{name}" is not a valid DNS-1123 label: {reason}',
                    Fix("Rename the port: lower case letters, digits and '-'."),
                )


# ---------------------------------------------------------------------------
# invalid-label

_ANNOTATIONS_LIMIT = 256 * 1024  # TotalAnnotationSizeLimitB in objectmeta.go
_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _labels(labels: Any, path: tuple, what: str) -> Iterator[Problem]:
    """unversionedvalidation.ValidateLabels: keys are qualified names, values label values."""
    for key, value in as_map(labels).items():
        text = key_text(key)
        if text is None or _placeholder(text):
            continue
        reason = label_key_error(text)
        if reason:
            yield Problem(path + (key,), f'{what} key "{text}" is invalid: {reason}',
                          Fix("Use a key like app or example.com/name."), at="key")
        if isinstance(value, str) and not _placeholder(value):
            reason = label_value_error(value)
            if reason:
                yield Problem(path + (key,), f'{what} "{text}" has an invalid value "{value}": {reason}',
                              Fix("Use at most 63 letters, digits, '-', '_' or '.'; put longer text in an annotation."))


def _annotations(annotations: Any, path: tuple) -> Iterator[Problem]:
    """ValidateAnnotations: keys are qualified names compared in lower case;
    keys and values together at most 256 KiB."""
    mapping = as_map(annotations)
    total = 0
    for key, value in mapping.items():
        text = key_text(key)
        if text is None:
            continue
        total += len(text.encode("utf-8"))
        if isinstance(value, str):
            total += len(value.encode("utf-8"))
        if _placeholder(text):
            continue
        reason = label_key_error(text.lower())
        if reason:
            yield Problem(path + (key,), f'annotation key "{text}" is invalid: {reason}',
                          Fix("Use a key like example.com/name."), at="key")
    if total > _ANNOTATIONS_LIMIT:
        yield Problem(path, f"annotations total {total} bytes, more than the 262144 (256 KiB) the API server accepts",
                      Fix("Move large content out of annotations, e.g. into a ConfigMap."), at="key")


def _selector(selector: Any, path: tuple) -> Iterator[Problem]:
    """ValidateLabelSelector and ValidateLabelSelectorRequirement."""
    if not isinstance(selector, dict):
        return
    yield from _labels(selector.get("matchLabels"), path + ("matchLabels",), "selector label")
    for i, expr in enumerate(as_list(selector.get("matchExpressions"))):
        if not isinstance(expr, dict):
            continue
        epath = path + ("matchExpressions", i)
        key = expr.get("key")
        if isinstance(key, str) and not _placeholder(key):
            reason = label_key_error(key)
            if reason:
                yield Problem(epath + ("key",), f'selector key "{key}" is invalid: {reason}',
                              Fix("Use a label key like app or example.com/name."))
        operator = expr.get("operator")
        values = expr.get("values")
        if isinstance(operator, str):
            if operator not in _SELECTOR_OPERATORS:
                yield Problem(epath + ("operator",),
                              f'selector operator "{operator}" is not one of In, NotIn, Exists, DoesNotExist',
                              Fix("Use In, NotIn, Exists or DoesNotExist."))
            elif operator in ("In", "NotIn") and not as_list(values):
                yield Problem(epath + ("values",) if "values" in expr else epath,
                              f"selector operator {operator} needs at least one value",
                              Fix("List the values to match.", "values: [<value>]"),
                              at="key" if "values" in expr else "parent")
            elif operator in ("Exists", "DoesNotExist") and as_list(values):
                yield Problem(epath + ("values",), f"selector operator {operator} takes no values",
                              Fix("Remove values."), at="key")
        if operator in ("In", "NotIn"):
            for j, value in enumerate(as_list(values)):
                if isinstance(value, str) and not _placeholder(value):
                    reason = label_value_error(value)
                    if reason:
                        yield Problem(epath + ("values", j), f'selector value "{value}" is invalid: {reason}',
                                      Fix("Use a valid label value."))


_SELECTOR_PAIRS = resolve(("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"))
_SERVICE, _PDB, _NETWORK_POLICY = resolve(["Service"]), resolve(["PodDisruptionBudget"]), resolve(["NetworkPolicy"])


def _pod_selectors(pod: PodSpec) -> Iterator[Problem]:
    spec = pod.spec
    yield from _labels(spec.get("nodeSelector"), pod.path + ("nodeSelector",), "nodeSelector label")
    affinity = as_map(spec.get("affinity"))
    for kind in ("podAffinity", "podAntiAffinity"):
        block = as_map(affinity.get(kind))
        base = pod.path + ("affinity", kind)
        for i, term in enumerate(as_list(block.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            tpath = base + ("requiredDuringSchedulingIgnoredDuringExecution", i)
            for field in ("labelSelector", "namespaceSelector"):
                yield from _selector(as_map(term).get(field), tpath + (field,))
        for i, weighted in enumerate(as_list(block.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            term = as_map(as_map(weighted).get("podAffinityTerm"))
            tpath = base + ("preferredDuringSchedulingIgnoredDuringExecution", i, "podAffinityTerm")
            for field in ("labelSelector", "namespaceSelector"):
                yield from _selector(term.get(field), tpath + (field,))
    for i, constraint in enumerate(as_list(spec.get("topologySpreadConstraints"))):
        yield from _selector(as_map(constraint).get("labelSelector"),
                             pod.path + ("topologySpreadConstraints", i, "labelSelector"))


@rule(code="KL902", name="invalid-label", severity="error", category="validation")
def invalid_label(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A label, annotation or selector the API server rejects.

    Why: label keys are qualified names: an optional DNS subdomain prefix (at
    most 253 characters) and `/`, then a name of at most 63 letters, digits,
    `-`, `_` or `.` that starts and ends with a letter or digit.  Label values
    follow the same name syntax or are empty.  Annotation keys follow the key
    syntax (case does not matter) and all annotations together must stay
    within 256 KiB.  Selector expressions take the operators In, NotIn (with
    values), Exists and DoesNotExist (without).  The API server checks these
    on objects, pod templates, selectors, Service selectors and nodeSelectors
    (apimachinery `ValidateLabels`, `ValidateAnnotations`,
    `ValidateLabelSelector`).
    Example:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels:
            app.kubernetes.io/version: "release 1.2 (stable)"
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels:
            app.kubernetes.io/version: "1.2"
    Fix safety: no automatic fix; selectors and tools may depend on the label.
    References: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
    """
    meta = as_map(obj.data.get("metadata"))
    yield from _labels(meta.get("labels"), ("metadata", "labels"), "label")
    yield from _annotations(meta.get("annotations"), ("metadata", "annotations"))
    kind = obj.kind
    spec = as_map(obj.data.get("spec"))
    if is_kind(obj, "CronJob"):
        jmeta = as_map(get_path(obj.data, ("spec", "jobTemplate", "metadata")))
        yield from _labels(jmeta.get("labels"), ("spec", "jobTemplate", "metadata", "labels"), "label")
        yield from _annotations(jmeta.get("annotations"), ("spec", "jobTemplate", "metadata", "annotations"))
    pod = pod_spec(obj)
    if pod is not None:
        if kind != "Pod":
            yield from _labels(pod.metadata.get("labels"), pod.metadata_path + ("labels",), "label")
            yield from _annotations(pod.metadata.get("annotations"), pod.metadata_path + ("annotations",))
        yield from _pod_selectors(pod)
    group_kind = (obj.group, kind)
    if group_kind in _SELECTOR_PAIRS:
        yield from _selector(spec.get("selector"), ("spec", "selector"))
    elif group_kind in _SERVICE:
        yield from _labels(spec.get("selector"), ("spec", "selector"), "selector label")
    elif group_kind in _PDB:
        yield from _selector(spec.get("selector"), ("spec", "selector"))
    elif group_kind in _NETWORK_POLICY:
        yield from _selector(spec.get("podSelector"), ("spec", "podSelector"))
        for direction, peers in (("ingress", "from"), ("egress", "to")):
            for i, item in enumerate(as_list(spec.get(direction))):
                for j, peer in enumerate(as_list(as_map(item).get(peers))):
                    for field in ("podSelector", "namespaceSelector"):
                        yield from _selector(as_map(peer).get(field), ("spec", direction, i, peers, j, field))


# ---------------------------------------------------------------------------
# selector-mismatch


def _template_labels(obj: K8sObject) -> tuple[dict | None, tuple]:
    """The pod template's labels as strings (None when one is not a string)
    and the path to point at."""
    base = POD_TEMPLATE_PATHS[obj.kind]
    template = as_map(get_path(obj.data, base))
    meta = template.get("metadata")
    labels = as_map(as_map(meta).get("labels"))
    if "labels" in as_map(meta):
        path = base + ("metadata", "labels")
    elif isinstance(meta, dict):
        path = base + ("metadata",)
    else:
        path = base
    result = {}
    for key, value in labels.items():
        text = key_text(key)
        if text is None or not isinstance(value, str):
            return None, path
        result[text] = value
    return result, path


@rule(
    code="KL903",
    name="selector-mismatch",
    severity="error",
    category="validation",
    kinds=("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"),
)
def selector_mismatch(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A workload's selector does not match its own pod template's labels.

    Why: a controller owns the pods its selector matches, so the API server
    refuses a Deployment, ReplicaSet, StatefulSet, DaemonSet,
    ReplicationController or Job (with `manualSelector: true`) whose selector
    does not select its pod template: "`selector` does not match template
    `labels`" (apps `ValidatePodTemplateSpecForReplicaSet`, batch
    `ValidateJobSpec`, core `ValidatePodTemplateSpecForRC`).  Every
    matchLabels entry must be a template label with the same value, and every
    matchExpressions requirement must hold.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: frontend}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; the selector of an existing workload is immutable.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector
    """
    spec = as_map(obj.data.get("spec"))
    if obj.fragment:
        return
    labels, path = _template_labels(obj)
    if labels is None or any(_placeholder(k) or _placeholder(v) for k, v in labels.items()):
        return
    if obj.kind == "ReplicationController":
        selector = spec.get("selector")
        if not isinstance(selector, dict) or not selector:
            return  # defaulted from the template's labels
        selector = {"matchLabels": selector}
    else:
        if obj.kind == "Job" and spec.get("manualSelector") is not True:
            return  # the API server generates the selector
        selector = spec.get("selector")
        if not isinstance(selector, dict):
            return
        if not as_map(selector.get("matchLabels")) and not as_list(selector.get("matchExpressions")):
            return  # an empty selector is a different error
    try:
        reqs = requirements(selector, strict=True)
    except InvalidSelector:
        return  # invalid-label reports the selector itself
    failed = first_unmatched(reqs, labels)
    if failed is None or _placeholder(unmatched := str(failed)):
        return
    shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "none"
    yield Problem(
        path,
        f'selector requirement "{unmatched}" does not match the pod template labels ({shown})',
        Fix("Make the pod template labels satisfy the selector."),
        at="key" if path[-1] == "labels" else "parent",
    )


# ---------------------------------------------------------------------------
# invalid-rolling-update


def _int_or_percent(value: Any, field: str, path: tuple, allow_over_100: bool) -> tuple[int | None, Problem | None]:
    """(the value as getIntOrPercentValue reads it, a problem) for an
    IntOrString of a rolling update (apps ValidatePositiveIntOrPercent and
    IsNotMoreThan100Percent)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, None  # a schema error
    if isinstance(value, int):
        if value < 0:
            return value, Problem(path, f"{field} {value} must be greater than or equal to 0",
                                  Fix(f"Set {field} to a non-negative number or a percentage such as 25%."))
        return value, None
    if _placeholder(value):
        return None, None
    if not _PERCENT_RE.fullmatch(value):
        # IntValue() of a malformed string is strconv.Atoi of it, 0 on error.
        number = int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else 0
        hint = ""
        if re.fullmatch(r"[0-9]+", value):
            hint = f' (write {value} without quotes for a count, or "{value}%" for a percentage)'
        return number, Problem(path, f'{field} "{value}" is not a valid percentage such as "25%"{hint}',
                               Fix(f"Set {field} to a whole number or a percentage such as 25%."))
    number = int(value[:-1])
    if number > 100 and not allow_over_100:
        return number, Problem(path, f'{field} "{value}" must not be greater than 100%',
                               Fix(f"Set {field} to at most 100%."))
    return number, None


@rule(
    code="KL904",
    name="invalid-rolling-update",
    severity="error",
    category="validation",
    kinds=("apps/Deployment", "apps/DaemonSet", "apps/StatefulSet"),
)
def invalid_rolling_update(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A rolling update setting the API server rejects.

    Why: maxSurge and maxUnavailable take a non-negative whole number or a
    percentage string such as "25%"; "25" in quotes is neither.  A Deployment
    may not set both to 0 (nothing could ever be replaced; each defaults to
    25%), nor maxUnavailable above 100%, nor `rollingUpdate` with the Recreate
    strategy.  A DaemonSet must have exactly one of them non-zero
    (maxUnavailable defaults to 1, maxSurge to 0, so setting maxSurge alone
    is refused), neither above 100%.  A StatefulSet's maxUnavailable may not
    be 0 or above 100%, its partition not negative, and OnDelete takes no
    `rollingUpdate` (apps validation `ValidateRollingUpdateDeployment`,
    `ValidateRollingUpdateDaemonSet`, `validateRollingUpdateStatefulSet`).
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector:
            matchLabels: {app: web}
          strategy:
            rollingUpdate: {maxSurge: 0, maxUnavailable: 0}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector:
            matchLabels: {app: web}
          strategy:
            rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; the right pace of a rollout is a choice.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
    """
    spec = as_map(obj.data.get("spec"))
    if obj.kind == "Deployment":
        yield from _deployment_strategy(spec)
    elif obj.kind == "DaemonSet":
        yield from _daemonset_strategy(spec)
    else:
        yield from _statefulset_strategy(spec)


def _or_default(rolling: dict, field: str, default: int | str) -> Any:
    """A rolling update field, or the value apps/v1 defaulting gives a missing (or null) one."""
    value = rolling.get(field)
    return default if value is None else value


def _deployment_strategy(spec: dict) -> Iterator[Problem]:
    strategy = as_map(spec.get("strategy"))
    kind = strategy.get("type") or "RollingUpdate"
    base = ("spec", "strategy", "rollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if isinstance(rolling, dict):
            yield Problem(base, "rollingUpdate may not be set when the strategy type is Recreate",
                          Fix("Remove rollingUpdate, or use type RollingUpdate."), at="key")
        return
    if kind != "RollingUpdate" or not isinstance(rolling, dict):
        return
    # apps/v1 defaults: maxUnavailable 25%, maxSurge 25%.
    unavailable, problem = _int_or_percent(_or_default(rolling, "maxUnavailable", "25%"), "maxUnavailable",
                                           base + ("maxUnavailable",), allow_over_100=False)
    if problem:
        yield problem
    surge, problem = _int_or_percent(_or_default(rolling, "maxSurge", "25%"), "maxSurge", base + ("maxSurge",),
                                     allow_over_100=True)
    if problem:
        yield problem
    if unavailable == 0 and surge == 0:
        yield Problem(base + ("maxUnavailable",),
                      "maxUnavailable and maxSurge are both 0, so no pod could ever be replaced",
                      Fix("Allow a surge (maxSurge: 1) or unavailability (maxUnavailable: 1)."))


def _daemonset_strategy(spec: dict) -> Iterator[Problem]:
    strategy = as_map(spec.get("updateStrategy"))
    if (strategy.get("type") or "RollingUpdate") != "RollingUpdate":
        return
    rolling = strategy.get("rollingUpdate")
    if not isinstance(rolling, dict):
        return
    base = ("spec", "updateStrategy", "rollingUpdate")
    # apps/v1 defaults: maxUnavailable 1, maxSurge 0.
    unavailable, problem = _int_or_percent(_or_default(rolling, "maxUnavailable", 1), "maxUnavailable",
                                           base + ("maxUnavailable",), allow_over_100=False)
    if problem:
        yield problem
    surge, problem = _int_or_percent(_or_default(rolling, "maxSurge", 0), "maxSurge", base + ("maxSurge",),
                                     allow_over_100=False)
    if problem:
        yield problem
    if unavailable is None or surge is None:
        return
    if unavailable != 0 and surge != 0:
        implicit = "" if rolling.get("maxUnavailable") is not None else " (maxUnavailable defaults to 1)"
        yield Problem(base + ("maxSurge",), f"maxSurge may not be set when maxUnavailable is non-zero{implicit}",
                      Fix("Set maxUnavailable: 0 when you use maxSurge."))
    elif unavailable == 0 and surge == 0:
        yield Problem(base + ("maxUnavailable",), "maxUnavailable cannot be 0 when maxSurge is 0",
                      Fix("Set maxUnavailable or maxSurge above 0."))


def _statefulset_strategy(spec: dict) -> Iterator[Problem]:
    strategy = as_map(spec.get("updateStrategy"))
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    base = ("spec", "updateStrategy", "rollingUpdate")
    if kind == "OnDelete":
        if isinstance(rolling, dict):
            yield Problem(base, "rollingUpdate is only allowed with updateStrategy type RollingUpdate",
                          Fix("Remove rollingUpdate, or use type RollingUpdate."), at="key")
        return
    if kind != "RollingUpdate" or not isinstance(rolling, dict):
        return
    partition = rolling.get("partition")
    if isinstance(partition, int) and not isinstance(partition, bool) and partition < 0:
        yield Problem(base + ("partition",), f"partition {partition} must be greater than or equal to 0",
                      Fix("Set partition to 0 or more."))
    if "maxUnavailable" in rolling:
        value, problem = _int_or_percent(rolling["maxUnavailable"], "maxUnavailable", base + ("maxUnavailable",),
                                         allow_over_100=False)
        if problem:
            yield problem
        elif value == 0:
            yield Problem(base + ("maxUnavailable",), "maxUnavailable cannot be 0",
                          Fix("Set maxUnavailable to 1 or more, or remove it."))


# ---------------------------------------------------------------------------
# invalid-port


def _port_number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _out_of_range(value: int) -> bool:
    return not 1 <= value <= 65535  # IsValidPortNum


def _port_ref(value: Any, what: str, path: tuple, zero_ok: bool = False) -> Iterator[Problem]:
    """ValidatePortNumOrName: a number 1-65535 or an IANA service name."""
    number = _port_number(value)
    if number is not None:
        if _out_of_range(number) and not (zero_ok and number == 0):
            yield Problem(path, f"{what} {number} is outside 1-65535",
                          Fix(f"Set {what} to a port number from 1 to 65535."))
    elif isinstance(value, str) and value and not _placeholder(value):
        reason = port_name_error(value)
        if reason:
            hint = " (write the number without quotes)" if value.isdigit() else ""
            yield Problem(path, f'{what} "{value}" is neither a port number nor a valid port name: {reason}{hint}',
                          Fix(f"Set {what} to a port number or the name of a container port."))


@rule(code="KL905", name="invalid-port", severity="error", category="validation", kinds=POD_KINDS | {"Service"})
def invalid_port(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container, probe or Service port the API server rejects.

    Why: port numbers are 1-65535 (a containerPort is required; hostPort
    and nodePort only when set), named ports are IANA service names, a
    ClusterIP Service may not set nodePort, one Service may not list the same
    port (or nodePort) and protocol twice, with hostNetwork a hostPort must
    equal its containerPort, and two containers may not claim the same
    hostPort (validation.go `validateContainerPorts`, `ValidatePortNumOrName`,
    `validateServicePort`, `ValidateService`, `validatePodHostNetworkDeps`,
    `checkHostPortConflicts`).  The cluster may restrict nodePort further
    (30000-32767 by default); that is not checked.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {containerPort: 80800}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {containerPort: 8080}
    Fix safety: no automatic fix; only you know the port the program listens on.
    References: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports
    """
    pod = pod_spec(obj)
    if pod is not None:
        yield from _container_ports(obj, pod)
    if is_kind(obj, "Service"):
        yield from _service_ports(obj)


def _container_ports(obj: K8sObject, pod: PodSpec) -> Iterator[Problem]:
    host_network = pod.spec.get("hostNetwork") is True
    claimed: dict[tuple, str] = {}
    for c in containers(obj):
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            if not isinstance(port, dict):
                continue
            ppath = c.path + ("ports", i)
            cport = _port_number(port.get("containerPort"))
            if cport is not None and _out_of_range(cport):
                yield Problem(ppath + ("containerPort",), f"{c.label} containerPort {cport} is outside 1-65535",
                              Fix("Set containerPort to the port the container listens on (1-65535)."))
            hport = _port_number(port.get("hostPort"))
            if hport is None or hport == 0:
                continue
            if _out_of_range(hport):
                yield Problem(ppath + ("hostPort",), f"{c.label} hostPort {hport} is outside 1-65535",
                              Fix("Set hostPort to 1-65535, or remove it."))
                continue
            if host_network and cport is not None and hport != cport and c.group == "containers":
                yield Problem(ppath + ("hostPort",),
                              f"{c.label} hostPort {hport} must equal containerPort {cport} when hostNetwork is true",
                              Fix("Remove hostPort, or set it to the containerPort."))
            if c.group != "containers":
                continue  # init containers run one at a time; checked one by one upstream
            protocol = port.get("protocol") or "TCP"
            key = (protocol, as_str(port.get("hostIP")), hport)
            if key in claimed:
                owner = "another port of the container" if claimed[key] == c.label else claimed[key]
                yield Problem(ppath + ("hostPort",),
                              f"{c.label} hostPort {hport}/{protocol} is already used by {owner}",
                              Fix("Give each port its own hostPort."))
            else:
                claimed[key] = c.label
        for probe in PROBES:
            handler = as_map(c.spec.get(probe))
            for action in ("httpGet", "tcpSocket"):
                if action in handler and isinstance(handler[action], dict) and "port" in handler[action]:
                    yield from _port_ref(handler[action]["port"], f"{c.label} {probe} port",
                                         c.path + (probe, action, "port"))
            grpc = as_map(handler.get("grpc"))
            if "grpc" in handler and _port_number(grpc.get("port")) is not None:
                yield from _port_ref(grpc["port"], f"{c.label} {probe} grpc port", c.path + (probe, "grpc", "port"))
        lifecycle = as_map(c.spec.get("lifecycle"))
        for hook in ("postStart", "preStop"):
            handler = as_map(lifecycle.get(hook))
            for action in ("httpGet", "tcpSocket"):
                if action in handler and isinstance(handler[action], dict) and "port" in handler[action]:
                    yield from _port_ref(handler[action]["port"], f"{c.label} {hook} port",
                                         c.path + ("lifecycle", hook, action, "port"))


def _service_ports(obj: K8sObject) -> Iterator[Problem]:
    spec = as_map(obj.data.get("spec"))
    service_type = spec.get("type") or "ClusterIP"
    seen: dict[tuple, int] = {}
    seen_node: dict[tuple, int] = {}
    for i, port in enumerate(as_list(spec.get("ports"))):
        if not isinstance(port, dict):
            continue
        ppath = ("spec", "ports", i)
        protocol = port.get("protocol") or "TCP"
        number = _port_number(port.get("port"))
        if number is not None:
            if _out_of_range(number):
                yield Problem(ppath + ("port",), f"Service port {number} is outside 1-65535",
                              Fix("Set port to 1-65535."))
            key = (protocol if isinstance(protocol, str) else repr(protocol), number)
            if key in seen:
                yield Problem(ppath + ("port",), f"Service port {number}/{protocol} is listed twice",
                              Fix("Remove the duplicate port or change its number or protocol."))
            seen.setdefault(key, i)
        # targetPort 0 or "" is defaulted to port (SetDefaults_Service).
        if "targetPort" in port and port["targetPort"] not in (0, ""):
            yield from _port_ref(port["targetPort"], "targetPort", ppath + ("targetPort",))
        node = _port_number(port.get("nodePort"))
        if node is None or node == 0:
            continue
        if _out_of_range(node):
            yield Problem(ppath + ("nodePort",), f"nodePort {node} is outside 1-65535",
                          Fix("Set nodePort within the cluster's node port range, or remove it."))
        elif service_type == "ClusterIP":
            yield Problem(ppath + ("nodePort",), "nodePort may not be set when the Service type is ClusterIP",
                          Fix("Remove nodePort, or set type: NodePort."))
        else:
            key = (protocol if isinstance(protocol, str) else repr(protocol), node)
            if key in seen_node:
                yield Problem(ppath + ("nodePort",), f"nodePort {node}/{protocol} is listed twice",
                              Fix("Give each port its own nodePort."))
            seen_node.setdefault(key, i)


# ---------------------------------------------------------------------------
# invalid-quantity

_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def _native(name: str) -> bool:
    # helper.IsNativeResource: no domain, or a kubernetes.io/ one.
    return "/" not in name or "kubernetes.io/" in name


def _extended(name: str) -> bool:
    # helper.IsExtendedResourceName
    if _native(name) or name.startswith("requests."):
        return False
    return label_key_error("requests." + name) is None


def _overcommit_allowed(name: str) -> bool:
    # helper.IsOvercommitAllowed: native and not huge pages.
    return _native(name) and not name.startswith("hugepages-")


_QUANTITY_RE = re.compile(QUANTITY_PATTERN)


def _quantity(value: Any) -> tuple[Any, str | None]:
    """(parsed value or None, reason it is invalid or None); None, None when
    the value is not for this rule (wrong type, placeholder)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, None
    if isinstance(value, str) and _placeholder(value):
        return None, None
    if isinstance(value, str) and not _QUANTITY_RE.fullmatch(value):
        return None, None  # schema-invalid reports the syntax (one mistake, one finding)
    try:
        return parse_quantity(value), None
    except ValueError as e:
        return None, str(e)


def _resource_list(
    values: Any, path: tuple, what: str, container: bool, positive: tuple = ()
) -> tuple[dict, list[Problem]]:
    """Parse a ResourceList: problems for unknown container resources,
    malformed, negative and fractional-extended quantities; returns the
    valid values by name."""
    parsed: dict = {}
    problems: list[Problem] = []
    for name, value in as_map(values).items():
        if not isinstance(name, str):
            continue
        vpath = path + (name,)
        standard = name in _STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-")
        if container and "/" not in name and not standard and not _placeholder(name):
            # validateContainerResourceName: a standard name or a domain-prefixed one.
            problems.append(Problem(
                vpath,
                f'{what} names unknown resource "{name}"; containers take cpu, memory, ephemeral-storage, '
                "hugepages-<size> or a domain-prefixed extended resource",
                Fix("Use a standard resource name such as cpu or memory."),
                at="key",
            ))
            continue
        amount, reason = _quantity(value)
        if reason:
            # White space is the one mistake with a certain meaning ("1 Gi");
            # "1GB" may mean 1G or 1Gi.
            compact = "".join(value.split()) if isinstance(value, str) else value
            parsed_compact, compact_reason = _quantity(compact)
            certain = compact != value and compact_reason is None and parsed_compact is not None
            problems.append(Problem(vpath, f'{what} {name} "{value}" is not a valid quantity: {reason}',
                                    Fix("Write a quantity such as 500m, 2, 256Mi or 1Gi (no space).",
                                        edits=(Edit("set", vpath, compact),) if certain else ()), at="value"))
            continue
        if amount is None:
            continue
        if name in positive and amount <= 0:
            problems.append(Problem(vpath, f'{what} {name} "{value}" must be greater than zero',
                                    Fix(f"Request a positive amount of {name}.")))
            continue
        if amount < 0:
            # ValidateResourceQuantityValue -> ValidateNonnegativeQuantity
            problems.append(Problem(vpath, f'{what} {name} "{value}" must be greater than or equal to 0',
                                    Fix(f"Set a non-negative {name}.")))
            continue
        if container and _extended(name) and amount.denominator != 1:
            # IsIntegerResourceName: extended resources are whole units.
            problems.append(Problem(vpath, f'{what} {name} "{value}" must be a whole number',
                                    Fix(f"Request whole units of {name}.")))
            continue
        parsed[name] = amount
    return parsed, problems


def _requirements(resources: Any, path: tuple, label: str, container: bool) -> Iterator[Problem]:
    """validateResourceRequirements: each list, then request <= limit (and
    request == limit for resources that cannot be overcommitted)."""
    resources = as_map(resources)
    limits, problems = _resource_list(resources.get("limits"), path + ("limits",), f"{label} limit", container)
    yield from problems
    requests, problems = _resource_list(resources.get("requests"), path + ("requests",), f"{label} request", container)
    yield from problems
    raw_requests = as_map(resources.get("requests"))
    raw_limits = as_map(resources.get("limits"))
    for name, amount in requests.items():
        rpath = path + ("requests", name)
        if name in limits:
            if not _overcommit_allowed(name) and amount != limits[name]:
                yield Problem(rpath, f'{label} request {name} "{raw_requests[name]}" must equal its limit '
                                     f'"{raw_limits[name]}" ({name} cannot be overcommitted)',
                              Fix(f"Set the {name} request equal to the limit."))
            elif amount > limits[name]:
                yield Problem(rpath,
                              f'{label} request {name} "{raw_requests[name]}" is above its limit "{raw_limits[name]}"',
                              Fix(f"Lower the {name} request to at most the limit, or raise the limit."))
        elif container and not _overcommit_allowed(name) and name not in raw_limits:
            yield Problem(rpath, f"{label} requests {name} without a limit; {name} cannot be overcommitted, "
                                 "so the limit must be set (and equal)",
                          Fix(f"Set limits.{name} to the same value."), at="key")


@rule(
    code="KL906",
    name="invalid-quantity",
    severity="error",
    category="validation",
    kinds=POD_KINDS | {"PersistentVolumeClaim", "ResourceQuota", "LimitRange"},
)
def invalid_quantity(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A resource quantity the API server rejects, or a request above its limit.

    Why: quantities follow one grammar: a number, then an optional suffix n,
    u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent e3
    (apimachinery `ParseQuantity`).  One mistake, one finding: a string
    outside that grammar ("1 Gi", "1GB") is schema-invalid's finding, since
    the schema stage checks every quantity field of every kind, with the
    reason given here; this rule reports what a schema cannot say.  Negative
    values are refused (validation.go `ValidateResourceQuantityValue`).  A
    container request may not exceed its limit; huge pages and extended
    resources (example.com/gpu) cannot be overcommitted, so their request must
    equal the limit, and extended resources are whole units.  Container
    resource names must be cpu, memory, ephemeral-storage, hugepages-<size> or
    domain-prefixed (`validateResourceRequirements`).  Also checked: pod-level
    resources, emptyDir sizeLimit, PersistentVolumeClaim and claim template
    storage (must be above 0), LimitRange and ResourceQuota values.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources:
                requests: {memory: 2Gi}
                limits: {memory: 1Gi}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              resources:
                requests: {memory: 1Gi}
    Fix safety: no automatic fix: "1GB" may mean 1G or 1Gi, and the amount a
    container needs is yours to state.  (White space inside a quantity,
    "1 Gi", is a syntax error that schema-invalid reports and fixes.)
    References: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
    """
    pod = pod_spec(obj)
    if pod is not None:
        for c in containers(obj, POD_CONTAINER_GROUPS):
            if "resources" in c.spec:
                yield from _requirements(c.spec["resources"], c.path + ("resources",), c.label, container=True)
        if "resources" in pod.spec:
            yield from _requirements(pod.spec["resources"], pod.path + ("resources",), "pod", container=False)
        for i, volume in enumerate(as_list(pod.spec.get("volumes"))):
            volume = as_map(volume)
            vpath = pod.path + ("volumes", i)
            empty_dir = as_map(volume.get("emptyDir"))
            if "sizeLimit" in empty_dir:
                _, problems = _resource_list({"sizeLimit": empty_dir["sizeLimit"]}, vpath + ("emptyDir",),
                                             "emptyDir", container=False)
                yield from problems
            template = as_map(get_path(volume, ("ephemeral", "volumeClaimTemplate", "spec")))
            if template:
                yield from _claim_resources(template, vpath + ("ephemeral", "volumeClaimTemplate", "spec"),
                                            "volumeClaimTemplate")
    spec = as_map(obj.data.get("spec"))
    if is_kind(obj, "PersistentVolumeClaim"):
        yield from _claim_resources(spec, ("spec",), "PersistentVolumeClaim")
    elif is_kind(obj, "StatefulSet"):
        for i, template in enumerate(as_list(spec.get("volumeClaimTemplates"))):
            yield from _claim_resources(as_map(as_map(template).get("spec")),
                                        ("spec", "volumeClaimTemplates", i, "spec"), "volumeClaimTemplate")
    elif is_kind(obj, "ResourceQuota"):
        _, problems = _resource_list(spec.get("hard"), ("spec", "hard"), "quota", container=False)
        yield from problems
    elif is_kind(obj, "LimitRange"):
        for i, limit in enumerate(as_list(spec.get("limits"))):
            for field in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
                _, problems = _resource_list(as_map(limit).get(field), ("spec", "limits", i, field),
                                             f"LimitRange {field}", container=False)
                yield from problems


def _claim_resources(spec: dict, path: tuple, what: str) -> Iterator[Problem]:
    resources = as_map(spec.get("resources"))
    # ValidatePersistentVolumeClaimSpec: requests.storage must be positive.
    _, problems = _resource_list(resources.get("requests"), path + ("resources", "requests"), f"{what} request",
                                 container=False, positive=("storage",))
    yield from problems
    _, problems = _resource_list(resources.get("limits"), path + ("resources", "limits"), f"{what} limit",
                                 container=False)
    yield from problems


# ---------------------------------------------------------------------------
# duplicate-name


@rule(code="KL907", name="duplicate-name", severity="error", category="validation", kinds=POD_KINDS | {"Service"})
def duplicate_name(obj: K8sObject, ctx) -> Iterator[Problem]:
    """Two containers, volumes or ports share one name.

    Why: the API server requires container names to be unique across init,
    regular and ephemeral containers of a pod, volume names to be unique in a
    pod, container port names to be unique within a container, and Service
    port names to be unique within a Service (validation.go
    `validateContainers`, `validateInitContainers`, `ValidateVolumes`,
    `validateContainerPorts`, `ValidateService`).  Duplicate environment
    variables are the `env-duplicate` rule.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          initContainers:
            - {name: web, image: "busybox:1.36"}
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          initContainers:
            - {name: setup, image: "busybox:1.36"}
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; references to the name (volumeMounts, targetPort) must change with it.
    References: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/
    """
    pod = pod_spec(obj)
    if pod is not None:
        yield from _duplicate_pod_names(obj, pod)
    if is_kind(obj, "Service"):
        seen: dict[str, int] = {}
        for i, port in enumerate(as_list(get_path(obj.data, ("spec", "ports")))):
            name = as_map(port).get("name")
            if isinstance(name, str) and name:
                if name in seen:
                    yield Problem(("spec", "ports", i, "name"), f'Service port name "{name}" is used twice',
                                  Fix("Give each Service port its own name."))
                seen.setdefault(name, i)


def _duplicate_pod_names(obj: K8sObject, pod: PodSpec) -> Iterator[Problem]:
    # Regular containers first: init and ephemeral containers are checked
    # against them (validateInitContainers, validateEphemeralContainers).
    order = ("containers", "initContainers", "ephemeralContainers")
    kinds = {"containers": "a container", "initContainers": "an init container",
             "ephemeralContainers": "an ephemeral container"}
    seen: dict[str, str] = {}
    for c in containers(obj, order):
        name = c.spec.get("name")
        if isinstance(name, str) and name:
            if name in seen:
                other = seen[name] if seen[name] != kinds[c.group] else f"another {kinds[c.group].split(' ', 1)[1]}"
                yield Problem(c.path + ("name",), f"{c.label} has the same name as {other}",
                              Fix("Give each container its own name."))
            else:
                seen[name] = kinds[c.group]
        port_names: set[str] = set()
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            pname = as_map(port).get("name")
            if isinstance(pname, str) and pname and port_name_error(pname) is None:
                if pname in port_names:
                    yield Problem(c.path + ("ports", i, "name"), f'{c.label} port name "{pname}" is used twice',
                                  Fix("Give each port of the container its own name."))
                port_names.add(pname)
    volumes: set[str] = set()
    for i, volume in enumerate(as_list(pod.spec.get("volumes"))):
        vname = as_map(volume).get("name")
        if isinstance(vname, str) and vname:
            if vname in volumes:
                yield Problem(pod.path + ("volumes", i, "name"), f'volume name "{vname}" is used twice',
                              Fix("Give each volume its own name."))
            volumes.add(vname)


# ---------------------------------------------------------------------------
# invalid-value: one walker over the table of kubelint.k8s.values.

Segment = tuple  # ("key", name) | ("items",) | ("pod",) | ("container",)


def _compile(path: str) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    for part in path.split("."):
        if part == "$pod":
            segments.append(("pod",))
            continue
        if part == "$container":
            segments.append(("container",))
            continue
        items = part.endswith("[]")
        name = part[:-2] if items else part
        if name:
            segments.append(("key", name))
        if items:
            segments.append(("items",))
    return tuple(segments)


_COMPILED = [(entry, _compile(entry.path)) for entry in ALLOWED_VALUES]


def _entries_for(group: str, kind: str) -> dict:
    """The table entries whose scope takes (group, kind), merged into a trie
    of path segments (a None key holds the entries ending there), so one
    walk of an object serves every entry; computed once per (group, kind)."""
    try:
        return _TRIE_BY_KIND[(group, kind)]
    except KeyError:
        trie: dict = {}
        for entry, segments in _COMPILED:
            if (group, kind) in resolve([entry.scope]):
                node = trie
                for segment in segments:
                    node = node.setdefault(segment, {})
                node.setdefault(None, []).append(entry)
        _TRIE_BY_KIND[(group, kind)] = trie
        return trie


_TRIE_BY_KIND: dict = {}


def _walk(bases: dict, node: Any, path: tuple, trie: dict, label: str) -> Iterator[tuple]:
    """(entry, path, value, who) for each value a table path reaches; `who`
    names the container for $container paths.  `bases` holds the object's
    pod spec and containers, found once per object."""
    for segment, child in trie.items():
        if segment is None:
            for entry in child:
                yield entry, path, node, label
        elif segment[0] == "key":
            if isinstance(node, dict) and segment[1] in node:
                yield from _walk(bases, node[segment[1]], path + (segment[1],), child, label)
        elif segment[0] == "items":
            if isinstance(node, list):
                for i, item in enumerate(node):
                    yield from _walk(bases, item, path + (i,), child, label)
        elif segment[0] == "pod":
            pod = bases["pod"]
            if pod is not None:
                yield from _walk(bases, pod.spec, pod.path, child, label)
        else:  # container
            for c in bases["containers"]:
                yield from _walk(bases, c.spec, c.path, child, c.label)


def _display(path: tuple, base_len: int) -> str:
    out = ""
    for seg in path[base_len:]:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else seg)
    return out


def _value_problems(obj: K8sObject) -> Iterator[Problem]:
    trie = _entries_for(obj.group, obj.kind)
    pod = pod_spec(obj) if trie else None
    bases = {"pod": pod, "containers": list(containers(obj)) if pod is not None else []}
    if trie:
        for entry, path, value, who in _walk(bases, obj.data, (), trie, ""):
            if not isinstance(value, str) or not value or value in entry.values or _placeholder(value):
                continue  # another type is the schema's; an empty value is defaulted
            if who:
                base = next(i for i in range(len(path), 0, -1) if isinstance(path[i - 1], int)
                            and path[i - 2] in CONTAINER_GROUPS)
                field = f"{who} {_display(path, base)}"
            elif entry.path.startswith("$pod."):
                field = _display(path, len(pod.path))
            else:
                field = _display(path, 0)
            choices = ", ".join(entry.values)
            hint = next((a for a in entry.values if a.lower() == value.lower()), None)
            extra = f' (did you mean "{hint}"?)' if hint else ""
            fix = Fix(f"Use one of: {choices}.")
            if hint:
                fix = Fix(f'Write "{hint}".', edits=(Edit("set", path, hint),), safety="safe")
            yield Problem(path, f'{field} "{value}" is not one of {choices}{extra}', fix)


def invalid_value(obj: K8sObject, ctx) -> Iterator[Problem]:
    return _value_problems(obj)


invalid_value.__doc__ = """A field holds a value outside the set the API server accepts.

    Why: many fields are enumerations that the OpenAPI schemas type only as
    strings, so a typo (`imagePullPolicy: always`, `protocol: tcp`,
    `type: Loadbalancer`) passes schema validation and fails on apply with
    "Unsupported value".  The fields checked, their kinds and allowed values
    are the table below (kubelint.k8s.values, from the upstream validation
    named in each row): `$pod` is the pod spec (a controller's template
    spec), `$container` each container, `[]` each item of a list.  A
    finding's path is the field itself (e.g.
    `/spec/template/spec/containers/0/imagePullPolicy`), so a suppression by
    rule and path can name one field.  One mistake, one finding: a controller's
    pod template restartPolicy (including a Job without one) belongs to
    restart-policy-invalid-for-kind, and a seccomp or AppArmor profile type
    outside the enum is reported here, not by the Pod Security rules.
    Checked:
{table}
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {{name: web}}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              imagePullPolicy: always
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {{name: web}}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              imagePullPolicy: Always
    Fix safety: safe where only the case differs from one allowed value:
    `--fix` writes that value (`always` -> `Always`, `tcp` -> `TCP`); the
    API server would refuse the object as it is.  No automatic fix for
    other misspellings: they may mean any of the allowed values.
    References: https://kubernetes.io/docs/reference/kubernetes-api/
    """.format(table="\n".join("    " + line for line in markdown_table().splitlines()))
invalid_value = rule(
    code="KL908",
    name="invalid-value",
    severity="error",
    category="validation",
    kinds=sorted({entry.scope for entry in ALLOWED_VALUES}),
    fix="safe",
)(invalid_value)
# ---------------------------------------------------------------------------
# invalid-cron: github.com/robfig/cron/v3 parser.go, as ParseStandard runs it.

_CRON_DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_MONTH_NAMES = {n: i for i, n in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DOW_NAMES = {n: i for i, n in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (name, min, max, names) per field of a standard spec.
_CRON_FIELDS = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, _MONTH_NAMES),
    ("day of week", 0, 6, _DOW_NAMES),
)
_GO_DURATION_RE = re.compile(r"[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)")
_TIME_ZONE_PART_RE = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


def _go_atoi(text: str) -> int:
    """strconv.Atoi: an optional sign and ASCII digits."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not all("0" <= ch <= "9" for ch in digits):
        raise ValueError(f'"{text}" is not a number')
    return int(text)


def _cron_number(text: str, names: dict | None) -> int:
    # parseIntOrName / mustParseInt
    if names is not None and text.lower() in names:
        return names[text.lower()]
    number = _go_atoi(text)
    if number < 0:
        raise ValueError(f"negative number ({number}) not allowed: {text}")
    return number


def _cron_range(expr: str, low: int, high: int, names: dict | None) -> None:
    """getRange: `*`, `?`, N, N-M, each with an optional /step."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _cron_number(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _cron_number(low_and_high[1], names)
        else:
            raise ValueError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _cron_number(range_and_step[1], None)
        if single:
            end = high  # "N/step" means "N-max/step"
    else:
        raise ValueError(f"too many slashes: {expr}")
    if start < low:
        raise ValueError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise ValueError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


def cron_error(schedule: str) -> str | None:
    """Why robfig/cron's ParseStandard refuses `schedule`, or None."""
    spec = schedule
    if not spec:
        return "empty spec string"
    if spec.startswith("@"):
        if spec in _CRON_DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            if _GO_DURATION_RE.fullmatch(spec[len("@every "):]):
                return None
            return f"failed to parse duration {spec}"
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {spec}"
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS):
        try:
            # getField: comma-separated ranges; empty ones are skipped.
            for expr in (part for part in text.split(",") if part):
                _cron_range(expr, low, high, names)
        except ValueError as e:
            return f"{name}: {e}"
    return None


def time_zone_error(zone: str) -> str | None:
    """batch validateTimeZone: an IANA name that time.LoadLocation finds."""
    if not zone:
        return "must be unset or a non-empty time zone name"
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TIME_ZONE_PART_RE.fullmatch(part):
            return "is not a known time zone"
    if zone.lower() == "local":
        return "must be an explicit time zone as defined in https://www.iana.org/time-zones, not Local"
    known = _time_zone_known(zone)
    if known is False:
        return "is not a known time zone (see the IANA time zone database)"
    return None


def _time_zone_known(zone: str) -> bool | None:
    """True or False, or None when this Python has no time zone database."""
    import zoneinfo

    if zone == "UTC":
        return True  # Go's LoadLocation knows UTC without a database
    try:
        zoneinfo.ZoneInfo(zone)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    return False if _have_tz_database() else None


def _have_tz_database() -> bool:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo("America/New_York")
        return True
    except Exception:  # no database at all: do not guess
        return False


@rule(code="KL909", name="invalid-cron", severity="error", category="validation", kinds=("CronJob",))
def invalid_cron(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A CronJob schedule or time zone the API server rejects.

    Why: the schedule is parsed with robfig/cron's `ParseStandard`: five
    fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC,
    day of week 0-6 or SUN-SAT; 7 is not Sunday), each a list of `*`, `?`,
    values and ranges with optional `/step`, or one of @yearly, @annually,
    @monthly, @weekly, @daily, @midnight, @hourly and `@every <duration>`.
    Since 1.27 a schedule may not carry `TZ=` or `CRON_TZ=`; set
    `spec.timeZone` instead, which must be an IANA time zone name such as
    Europe/Berlin (batch validation `validateScheduleFormat`,
    `validateTimeZone`).
    Example:
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "0 0 * * 7"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - {name: report, image: "busybox:1.36"}
    Use instead:
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "0 0 * * 0"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - {name: report, image: "busybox:1.36"}
    Fix safety: no automatic fix; only you know when the job should run.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
    """
    spec = as_map(obj.data.get("spec"))
    schedule = spec.get("schedule")
    if isinstance(schedule, str) and not _placeholder(schedule):
        if "TZ" in schedule and ctx.version >= (1, 27):
            yield Problem(("spec", "schedule"),
                          f'schedule "{schedule}" may not use TZ or CRON_TZ; set spec.timeZone instead',
                          Fix("Move the time zone to spec.timeZone.", "timeZone: <Area/City>"))
        else:
            text = re.sub(r"^(CRON_)?TZ=\S*\s*", "", schedule) if "TZ=" in schedule else schedule
            reason = cron_error(text)
            if reason:
                yield Problem(("spec", "schedule"), f'schedule "{schedule}" is not a valid cron expression: {reason}',
                              Fix('Write five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * 1".'))
    zone = spec.get("timeZone")
    if isinstance(zone, str) and not _placeholder(zone):
        reason = time_zone_error(zone)
        if reason:
            yield Problem(("spec", "timeZone"), f'timeZone "{zone}" {reason}',
                          Fix("Use an IANA time zone name such as Etc/UTC or Europe/Berlin."))


# ---------------------------------------------------------------------------
# volume-mount-unknown


@rule(code="KL910", name="volume-mount-unknown", severity="error", category="validation", kinds=POD_KINDS)
def volume_mount_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A volumeMount or volumeDevice names a volume the pod does not define.

    Why: each mount must name an entry of the pod's `volumes` (for a
    StatefulSet, also a `volumeClaimTemplates` entry); otherwise the API
    server rejects the pod with "Not found" (validation.go
    `ValidateVolumeMounts`, `ValidateVolumeDevices`).  A typo in either name
    is the usual cause.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          volumes:
            - {name: config, configMap: {name: web-config}}
          containers:
            - name: web
              image: "nginx:1.27"
              volumeMounts:
                - {name: configs, mountPath: /etc/web}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          volumes:
            - {name: config, configMap: {name: web-config}}
          containers:
            - name: web
              image: "nginx:1.27"
              volumeMounts:
                - {name: config, mountPath: /etc/web}
    Fix safety: no automatic fix; either the mount or the volume name is wrong.
    References: https://kubernetes.io/docs/concepts/storage/volumes/
    """
    pod = pod_spec(obj)
    if pod is None or obj.fragment:
        return
    volumes = pod.spec.get("volumes")
    if volumes is not None and not isinstance(volumes, list):
        return
    names = {as_str(as_map(v).get("name")) for v in as_list(volumes)} - {""}
    if obj.kind == "StatefulSet":
        templates = get_path(obj.data, ("spec", "volumeClaimTemplates"))
        if templates is not None and not isinstance(templates, list):
            return
        names |= {as_str(get_path(t, ("metadata", "name"))) for t in as_list(templates)} - {""}
    if any(isinstance(n, str) and _placeholder(n) for n in names):
        return
    known = sorted(n for n in names if isinstance(n, str))
    for c in containers(obj):
        for field in ("volumeMounts", "volumeDevices"):
            for i, mount in enumerate(as_list(c.spec.get(field))):
                name = as_map(mount).get("name")
                if not isinstance(name, str) or not name or name in names or _placeholder(name):
                    continue
                close = [n for n in known if n.lower() == name.lower() or n.rstrip("s") == name.rstrip("s")]
                if close:
                    hint = f'; did you mean "{close[0]}"?'
                else:
                    hint = f" (volumes: {', '.join(known)})" if known else "; the pod has no volumes"
                yield Problem(
                    c.path + (field, i, "name"),
                    f'{c.label} mounts volume "{name}", which the pod does not define{hint}',
                    Fix("Add the volume to the pod's volumes, or fix the name.",
                        f"volumes:\n  - name: {name}\n    <volume source>"),
                )


# ---------------------------------------------------------------------------
# duplicate-object


def _object_key(obj: K8sObject) -> tuple | None:
    meta = as_map(obj.data.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name or _placeholder(name):
        return None
    namespace = meta.get("namespace")
    namespace = namespace if isinstance(namespace, str) else ""
    return (obj.group, obj.kind, namespace, name)


def _scope_of(obj: K8sObject, scope: str) -> str:
    if scope == "run":
        return ""
    return obj.file if scope == "file" else os.path.dirname(obj.file)


def _object_index(objects, scope: str) -> dict:
    """(scope, key) -> the first object with it."""
    first: dict = {}
    for o in objects:
        if o.fragment:
            continue  # a patch names the object it changes
        key = _object_key(o)
        if key is not None:
            first.setdefault((_scope_of(o, scope), key), o)
    return first


@rule(
    code="KL911",
    name="duplicate-object",
    severity="error",
    category="validation",
    options={
        "scope": {
            "type": "string",
            "enum": ["file", "directory", "run"],
            "default": "file",
            "description": "Where two definitions count as one object: within a file, a directory, "
            "or everything checked together.",
        }
    },
)
def duplicate_object(obj: K8sObject, ctx) -> Iterator[Problem]:
    """The same object is defined twice in the files applied together.

    Why: two documents with the same API group, kind, namespace and name
    describe one object; `kubectl apply` applies both and the later one
    silently replaces the earlier, and `kubectl create` fails with
    AlreadyExists.  Usually a copy-paste leftover.  The second occurrence is
    reported, naming the first.  Objects without a namespace count as one
    namespace; objects with only `generateName` are skipped.  By default only
    one file counts as applied together: directories often hold alternative
    variants of one object (dev and prod, or a kustomize base and its
    patches).
    Example:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {mode: fast}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {mode: safe}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {mode: fast}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings-safe}
        data: {mode: safe}
    Fix safety: no automatic fix; decide which definition is the right one.
    References: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
    """
    key = _object_key(obj)
    if key is None or obj.fragment:
        return
    scope = ctx.options.get("scope", "file")
    index = ctx.memo(("validation", "duplicate-object", scope), lambda: _object_index(ctx.objects, scope))
    first = index.get((_scope_of(obj, scope), key))
    if first is None or first.key == obj.key:
        return
    line, _ = first.name_position
    where = f"line {line}" if first.file == obj.file else f"{first.file}:{line}"
    namespace = f"{key[2]}/" if key[2] else ""
    yield Problem(
        ("metadata", "name"),
        f'{obj.kind} "{namespace}{key[3]}" is already defined at {where}',
        Fix("Remove one of the definitions, or give them different names."),
    )


@rule(code="KL912", name="list-key-duplicate", severity="error", category="validation")
def list_key_duplicate(obj: K8sObject, ctx) -> Iterator[Problem]:
    """Two items of a list the API treats as a map share a key.

    Why: lists marked `x-kubernetes-list-type: map` in the Kubernetes
    OpenAPI are keyed by their `x-kubernetes-list-map-keys`: a container's
    ports by (containerPort, protocol), volumeMounts by mountPath,
    topologySpreadConstraints by (topologyKey, whenUnsatisfiable),
    imagePullSecrets by name, and so on.  Server-side apply refuses an
    object with two items of one key ("duplicate entries for key"), the API
    server rejects duplicate mount paths, and client-side apply merges the
    two items into one, dropping the other silently.  Keys come from the
    upstream OpenAPI (see kubelint/schema/listmaps.py); a missing protocol
    counts as TCP, the API default.  Custom resources are checked along
    their CRD's schema, with its key defaults.  Container, volume and env
    names and Service ports are duplicate-name, env-duplicate and
    invalid-port.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: http, containerPort: 88}
                - {name: alt, containerPort: 88, protocol: TCP}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports:
                - {name: http, containerPort: 88}
                - {name: alt, containerPort: 89}
    Fix safety: no automatic fix; decide which of the two items is meant.
    References:
        https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy
        https://github.com/kubernetes/kubernetes/tree/master/api/openapi-spec/v3
    """
    from kubelint.schema.listmaps import crd_list_maps, key_of, list_maps
    from kubelint.schema.validate import kind_definition

    found = kind_definition(ctx.kubernetes_version, obj.api_version, obj.kind)
    if found is not None:
        maps = list_maps(obj.data, *found)
    else:
        schema = ctx.crds.schema_for(obj.api_version, obj.kind) if ctx.crds else None
        if not schema:
            return
        maps = crd_list_maps(obj.data, schema)
    for listed in maps:
        seen: dict = {}
        for index, item in enumerate(listed.items):
            key = key_of(item, listed.keys, listed.defaults)
            if key is None:
                continue
            if key in seen:
                shown = ", ".join(f"{k}={v}" for k, v in zip(listed.keys, key))
                field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in listed.path).lstrip(".")
                yield Problem(
                    listed.path + (index,),
                    f"{field}[{index}] repeats the key {shown} of item {seen[key]}",
                    Fix("Remove the duplicate item, or change its key."),
                    at="value",
                )
            else:
                seen[key] = index
