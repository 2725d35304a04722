"""The pods of a run: every pod-bearing workload's labels and pod spec,
indexed once per run, and the label-selector matching that relates Services,
PodDisruptionBudgets, NetworkPolicies and autoscalers to them.

Namespaces: an object without `metadata.namespace` lands wherever it is
applied (`kubectl apply -n`, kustomize `namespace:`), so it may share a
namespace with every object; objects that both name a namespace share it only
when the names are equal.  Rules using this stay quiet when in doubt: a
possible match clears a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubelint.k8s.kinds import WORKLOAD_KINDS
from kubelint.k8s.workloads import PodSpec, as_list, as_map, pod_spec
from kubelint.model import K8sObject

# Labels a controller adds to the pods it creates, with values the manifest
# cannot know (pod-template-hash, a StatefulSet pod's name, a Job's uid...).
# A selector on one of them is taken to match the workload's pods.
CONTROLLER_LABELS = frozenset(
    {
        "pod-template-hash",
        "controller-revision-hash",
        "pod-template-generation",
        "controller-uid",
        "job-name",
        "batch.kubernetes.io/controller-uid",
        "batch.kubernetes.io/job-name",
        "batch.kubernetes.io/job-completion-index",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
    }
)


def same_namespace(a: str | None, b: str | None) -> bool:
    """Whether two objects may share a namespace (None: wherever applied)."""
    return a is None or b is None or a == b


def label_value(value: Any) -> str | None:
    """A label or selector value as the API reads it; None if it cannot be one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """The pods one object runs: their labels and spec."""

    obj: K8sObject
    namespace: str | None
    labels: dict  # str -> str
    pod: PodSpec
    controlled: bool  # made by a controller (not a bare Pod)

    def has_label(self, key: str, value: str | None = None) -> bool:
        if key in self.labels:
            return value is None or self.labels[key] == value
        return self.controlled and key in CONTROLLER_LABELS


def pod_templates(ctx) -> list[PodTemplate]:
    """Every pod-bearing workload of the run, computed once."""

    def build() -> list[PodTemplate]:
        out = []
        for obj in ctx.objects:
            pod = pod_spec(obj) if obj.kind in WORKLOAD_KINDS else None
            if pod is None:
                continue
            labels = {}
            for key, value in as_map(pod.metadata.get("labels")).items():
                text = label_value(value)
                if isinstance(key, str) and text is not None:
                    labels[key] = text
            out.append(PodTemplate(obj, obj.ref.namespace, labels, pod, obj.kind != "Pod"))
        return out

    return ctx.memo(("pods", "templates"), build)


def pod_template_of(ctx, obj: K8sObject) -> PodTemplate | None:
    index = ctx.memo(("pods", "template-by-object"), lambda: {id(t.obj): t for t in pod_templates(ctx)})
    return index.get(id(obj))


def pods_in_namespace(ctx, namespace: str | None) -> list[PodTemplate]:
    """The workloads that may share `namespace` (see the module docstring)."""

    def build() -> dict:
        by_namespace: dict = {}
        for t in pod_templates(ctx):
            by_namespace.setdefault(t.namespace, []).append(t)
        return by_namespace

    if namespace is None:
        return pod_templates(ctx)
    by_namespace = ctx.memo(("pods", "templates-by-namespace"), build)
    return by_namespace.get(namespace, []) + by_namespace.get(None, [])


def service_selects(selector: dict, template: PodTemplate) -> bool:
    """A Service selector (a plain map, all pairs must match)."""
    for key, value in selector.items():
        text = label_value(value)
        if not isinstance(key, str) or text is None:
            return True  # not a valid selector: the schema stage reports it
        if not template.has_label(key, text):
            return False
    return True


def label_selector_matches(selector: Any, template: PodTemplate) -> bool:
    """A LabelSelector (matchLabels and matchExpressions, ANDed); an empty
    selector matches every pod.  A part that cannot be read (a wrong type, an
    unknown operator) is taken to match: the rules using this report an
    absence and must not invent one."""
    selector = as_map(selector)
    for key, value in as_map(selector.get("matchLabels")).items():
        text = label_value(value)
        if isinstance(key, str) and text is not None and not template.has_label(key, text):
            return False
    for expression in map(as_map, as_list(selector.get("matchExpressions"))):
        key, operator = expression.get("key"), expression.get("operator")
        if not isinstance(key, str):
            continue
        values = {label_value(v) for v in as_list(expression.get("values"))}
        # None when a controller sets the label: its value is unknown.
        current = template.labels.get(key)
        if operator == "In" and not (template.has_label(key) and (current is None or current in values)):
            return False
        if operator == "NotIn" and current is not None and current in values:
            return False
        if operator == "Exists" and not template.has_label(key):
            return False
        if operator == "DoesNotExist" and key in template.labels:
            return False
    return True


def templates_by_label(ctx) -> dict:
    """(label key, value) -> ids of the pod templates that carry it."""

    def build() -> dict:
        index: dict = {}
        for t in pod_templates(ctx):
            for pair in t.labels.items():
                index.setdefault(pair, set()).add(id(t))
        return index

    return ctx.memo(("pods", "templates-by-label"), build)
