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
from kubelint.k8s.names import label_value
from kubelint.k8s.selectors import Requirement, first_unmatched, requirements
from kubelint.k8s.workloads import PodSpec, as_map, pod_spec
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


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """The pods one object runs: their labels and spec."""

    obj: K8sObject
    namespace: str | None
    labels: dict  # str -> str
    pod: PodSpec
    controlled: bool  # made by a controller (not a bare Pod)

    @property
    def unknown(self) -> frozenset[str]:
        """Label keys the pods carry with values the manifest cannot know."""
        return CONTROLLER_LABELS if self.controlled else frozenset()


def pod_templates(ctx) -> list[PodTemplate]:
    """Every pod-bearing workload of the run, computed once."""

    def build() -> list[PodTemplate]:
        return [t for t in map(_template, ctx.objects) if t is not None]

    return ctx.memo(("pods", "templates"), build)


def _template(obj) -> PodTemplate | None:
    """The pod template of an object (checked, or facts of the run)."""
    pod = pod_spec(obj) if obj.kind in WORKLOAD_KINDS else None
    if pod is None:
        return None
    labels = {}
    for key, value in as_map(pod.metadata.get("labels")).items():
        text = label_value(value)
        if isinstance(key, str) and text is not None:
            labels[key] = text
    return PodTemplate(obj, obj.ref.namespace, labels, pod, obj.kind != "Pod")


def pod_template_of(ctx, obj: K8sObject) -> PodTemplate | None:
    return _template(obj)


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
    return ctx.memo(
        ("pods", "templates-in-namespace", namespace),
        lambda: by_namespace.get(namespace, []) + by_namespace.get(None, []),
    )


def selected(reqs: list[Requirement], template: PodTemplate) -> bool:
    """Whether a template's pods meet requirements read leniently (parse a
    selector once with `requirements(selector, strict=False)`, then test
    each template)."""
    return first_unmatched(reqs, template.labels, template.unknown) is None


def service_selects(selector: dict, template: PodTemplate) -> bool:
    """A Service selector (a plain map, all pairs must match), read
    leniently (kubelint.k8s.selectors)."""
    return label_selector_matches({"matchLabels": selector}, template)


def label_selector_matches(selector: Any, template: PodTemplate) -> bool:
    """A LabelSelector (matchLabels and matchExpressions, ANDed); an empty
    selector matches every pod.  Read leniently: a part that cannot be read
    is taken to match, since the rules using this report an absence and must
    not invent one; a controller's own labels are present with unknown values."""
    reqs = requirements(selector, strict=False)
    return first_unmatched(reqs, template.labels, template.unknown) is None


def templates_by_label(ctx) -> dict:
    """(label key, value) -> the pod templates that carry it, in run order."""

    def build() -> dict:
        index: dict = {}
        for t in pod_templates(ctx):
            for pair in t.labels.items():
                index.setdefault(pair, []).append(t)
        return index

    return ctx.memo(("pods", "templates-by-label"), build)


def templates_with_labels(ctx, match_labels: Any, namespace: str | None) -> list[PodTemplate] | None:
    """The workloads that may share `namespace` and carry one of the
    selector's label pairs (the first that is not a controller's own label),
    from the label index; None when the selector names no such pair (then
    every workload of the namespace is a candidate).  A narrowing, not a
    match: callers still test the whole selector."""
    for key, value in as_map(match_labels).items():
        text = label_value(value)
        if isinstance(key, str) and text is not None and key not in CONTROLLER_LABELS:
            having = templates_by_label(ctx).get((key, text), [])
            return having if namespace is None else [t for t in having if t.namespace in (namespace, None)]
    return None
