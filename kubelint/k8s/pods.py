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
    """(label key, value) -> ids of the pod templates that carry it."""

    def build() -> dict:
        index: dict = {}
        for t in pod_templates(ctx):
            for pair in t.labels.items():
                index.setdefault(pair, set()).add(id(t))
        return index

    return ctx.memo(("pods", "templates-by-label"), build)
