"""Availability and reliability of workloads: replicas, disruption budgets,
spreading, restart policies, Job hygiene.

Rules that relate objects (an HPA to its target, a PodDisruptionBudget to
the pods it selects) follow the namespace convention of network.py: an
object without a namespace shares every namespace.
"""

from __future__ import annotations

import os
from typing import Iterator

from kubelint.model import Edit, Fix, K8sObject, Problem
from kubelint.references import STRICT_OPTION, Named, lookup, strict, surely_in, surely_together
from kubelint.registry import rule
from kubelint.k8s.kinds import ALWAYS_RESTART_KINDS, POD_KINDS, RUN_TO_COMPLETION_KINDS, is_kind
from kubelint.k8s.pods import label_selector_matches, pod_template_of, same_namespace, selected
from kubelint.k8s.selectors import requirements
from kubelint.k8s.workloads import as_list, as_map, as_str, get_path, object_annotations, pod_spec

REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet"})
# Controllers that keep pods running: the API accepts only restartPolicy
# Always in their pod templates (apps and core validation; the Deployment
# docs: "Only a .spec.template.spec.restartPolicy equal to Always is
# allowed, which is the default if not specified").  Jobs run to
# completion: only OnFailure or Never (the Job docs).
ALWAYS_KINDS, COMPLETION_KINDS = ALWAYS_RESTART_KINDS, RUN_TO_COMPLETION_KINDS


def _replicas(obj: K8sObject) -> int | None:
    value = get_path(obj.data, ("spec", "replicas"))
    # YAML `true` is a bool, which Python also counts as an int.
    return value if type(value) is int else None


def autoscalers(ctx) -> dict[tuple[str, str], list[tuple[str | None, int, str]]]:
    """(target kind, target name) -> [(namespace, minimum replicas, label)]
    of every HorizontalPodAutoscaler and KEDA ScaledObject of the run."""

    def build():
        out: dict = {}
        for o in ctx.objects:
            spec = as_map(o.data.get("spec"))
            target = as_map(spec.get("scaleTargetRef"))
            name = target.get("name")
            if not isinstance(name, str):
                continue
            if is_kind(o, "HorizontalPodAutoscaler"):
                minimum = spec.get("minReplicas", 1)
                kind = as_str(target.get("kind"))
                out.setdefault((kind, name), []).append((o.ref.namespace, minimum if type(minimum) is int else 1, o.ref.label()))
            elif is_kind(o, "keda.sh/ScaledObject"):
                minimum = spec.get("minReplicaCount", 0)
                kind = as_str(target.get("kind")) or "Deployment"
                out.setdefault((kind, name), []).append((o.ref.namespace, minimum if type(minimum) is int else 0, o.ref.label()))
        return out

    return ctx.memo(("availability", "autoscalers"), build)


def autoscaler_of(ctx, obj: K8sObject, exact: bool = False) -> tuple[int, str] | None:
    """(minimum replicas, label) of an autoscaler targeting `obj`, or None.

    `exact`: the autoscaler must name the same namespace (both none counts).
    A rule that stays quiet because of an autoscaler takes any that may
    share the namespace; a rule that reports because of one takes only an
    autoscaler surely beside the workload."""
    for namespace, minimum, label in autoscalers(ctx).get((obj.kind, obj.ref.name), ()):
        if namespace == obj.ref.namespace or (not exact and same_namespace(namespace, obj.ref.namespace)):
            return minimum, label
    return None


def effective_replicas(ctx, obj: K8sObject) -> tuple[int, str]:
    """(replicas, where the number comes from): the minimum of an
    autoscaler in the same namespace, else spec.replicas (default 1)."""
    scaler = autoscaler_of(ctx, obj, exact=True)
    if scaler is not None:
        return scaler[0], f"minimum of {scaler[1]}"
    replicas = _replicas(obj)
    return (1, "default") if replicas is None else (replicas, "spec.replicas")


def _replicas_path(obj: K8sObject) -> tuple[tuple, str]:
    if _replicas(obj) is not None:
        return ("spec", "replicas"), "value"
    return ("spec",), "parent"


@rule(code="KL801", name="replicas-single", severity="info", category="availability", kinds=REPLICATED_KINDS)
def replicas_single(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A Deployment or StatefulSet runs a single replica.

    Why: with `replicas: 1` every node drain, node failure or eviction takes
    the workload down until a new pod is scheduled and ready, and a
    StatefulSet is down during each rollout.  Polaris
    (`deploymentMissingReplicas`) and kube-linter (`minimum-three-replicas`,
    off) check similar.  Only an explicit `replicas: 1` is reported: a
    manifest without `replicas` usually hands scaling to an autoscaler, as
    the HorizontalPodAutoscaler docs recommend removing the field then.  Not
    reported when an HPA or KEDA ScaledObject of the input targets the
    workload, or for a Deployment with strategy Recreate (which declares
    that two pods must not run at once, e.g. over a ReadWriteOnce volume).
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
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
          replicas: 3
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; more replicas cost resources and the
    application must tolerate running in parallel.
    References: https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    """
    if _replicas(obj) != 1:
        return
    if get_path(obj.data, ("spec", "strategy", "type")) == "Recreate":
        return
    if autoscaler_of(ctx, obj) is not None:
        return
    yield Problem(
        ("spec", "replicas"),
        "replicas: 1 runs a single pod: a node drain or failure takes the workload down",
        Fix("Run at least 2 replicas, or let a HorizontalPodAutoscaler scale the workload.", "replicas: 2"),
    )


def disruption_budgets(ctx) -> list[tuple[str | None, object]]:
    """(namespace, selector requirements, read leniently) of every
    PodDisruptionBudget of the run (reads spec.selector)."""

    def build():
        return [
            (o.ref.namespace, requirements(get_path(o.data, ("spec", "selector")), strict=False))
            for o in ctx.objects
            if is_kind(o, "PodDisruptionBudget")
        ]

    return ctx.memo(("availability", "pdbs"), build)


@rule(
    code="KL802",
    name="pdb-missing",
    severity="info",
    category="availability",
    enabled=False,
    kinds=REPLICATED_KINDS,
)
def pdb_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """No PodDisruptionBudget of the input covers a multi-replica workload.  Off by default.

    Why: without a PodDisruptionBudget a node drain (a cluster upgrade, the
    autoscaler removing a node) may evict all replicas at once.  A budget
    makes voluntary evictions wait until enough pods are ready elsewhere.
    Checked for Deployments and StatefulSets with at least 2 replicas
    (`spec.replicas`, or the minimum of an HPA or KEDA ScaledObject of the
    input targeting them from the same namespace); a workload without
    `spec.replicas` and no autoscaler runs the API default of one replica
    and is not judged, since one pod cannot be drained without downtime
    whatever a budget says (replicas-single is about that); a budget covers the workload when it is in its
    namespace and its selector matches the pod template's labels.  Off by
    default because budgets often live apart from the workloads.  kube-score
    (`deployment-has-poddisruptionbudget`) and Polaris
    (`missingPodDisruptionBudget`) check the same.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector:
            matchLabels: {app: web}
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
          replicas: 3
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector:
            matchLabels: {app: web}
    Fix safety: no automatic fix; the budget must leave room for drains
    (a budget that allows no disruption blocks node maintenance).
    References: https://kubernetes.io/docs/tasks/run-application/configure-pdb/
    """
    replicas, source = effective_replicas(ctx, obj)
    if replicas < 2:
        return
    template = pod_template_of(ctx, obj)
    if template is None:
        return
    for namespace, reqs in disruption_budgets(ctx):
        if same_namespace(namespace, obj.ref.namespace) and selected(reqs, template):
            return
    path, at = _replicas_path(obj)
    yield Problem(
        path,
        f"{replicas} replicas ({source}) and no PodDisruptionBudget selects the pods",
        Fix(
            "Add a PodDisruptionBudget whose selector matches the pod labels.",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {<pod labels>}",
        ),
        at=at,
    )


@rule(
    code="KL803",
    name="anti-affinity-missing",
    severity="info",
    category="availability",
    enabled=False,
    kinds=REPLICATED_KINDS,
)
def anti_affinity_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A multi-replica workload neither spreads nor repels its pods.  Off by default.

    Why: without `podAntiAffinity` or `topologySpreadConstraints` the
    scheduler may put several replicas on one node or in one zone, and losing
    that node takes them together.  The scheduler's built-in default spreading
    is only a preference (`ScheduleAnyway`).  Checked for Deployments and
    StatefulSets with at least 2 replicas (`spec.replicas` or an autoscaler's
    minimum); any pod anti-affinity term or topology spread constraint
    counts.  kube-linter (`no-anti-affinity`), kube-score
    (`deployment-has-host-podantiaffinity`) and Polaris
    (`topologySpreadConstraint`) check similar.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector:
            matchLabels: {app: web}
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
          replicas: 3
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              topologySpreadConstraints:
                - maxSkew: 1
                  topologyKey: kubernetes.io/hostname
                  whenUnsatisfiable: ScheduleAnyway
                  labelSelector: {matchLabels: {app: web}}
              containers:
                - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; a required anti-affinity can leave pods
    unschedulable on a small cluster.
    References: https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
    """
    replicas, source = effective_replicas(ctx, obj)
    if replicas < 2:
        return
    pod = pod_spec(obj)
    if pod is None:
        return
    anti = as_map(as_map(pod.spec.get("affinity")).get("podAntiAffinity"))
    terms = as_list(anti.get("requiredDuringSchedulingIgnoredDuringExecution")) + as_list(
        anti.get("preferredDuringSchedulingIgnoredDuringExecution")
    )
    if terms or as_list(pod.spec.get("topologySpreadConstraints")):
        return
    yield Problem(
        pod.path,
        f"{replicas} replicas ({source}) with no podAntiAffinity or topologySpreadConstraints: they may share one node",
        Fix(
            "Spread the pods across nodes with topologySpreadConstraints (or podAntiAffinity).",
            "topologySpreadConstraints:\n  - maxSkew: 1\n    topologyKey: kubernetes.io/hostname\n"
            "    whenUnsatisfiable: ScheduleAnyway\n    labelSelector:\n      matchLabels: {<pod labels>}",
        ),
        at="parent",
    )


@rule(
    code="KL804",
    name="restart-policy-invalid-for-kind",
    severity="error",
    category="availability",
    kinds=ALWAYS_KINDS | COMPLETION_KINDS,
)
def restart_policy_invalid_for_kind(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod template's restartPolicy is one its controller does not accept.

    Why: the API server rejects the object.  Deployments, ReplicaSets,
    StatefulSets, DaemonSets and ReplicationControllers keep pods running and
    accept only `Always` (the default).  Jobs and CronJobs run pods to
    completion and accept only `OnFailure` or `Never`; a Job template without
    restartPolicy is defaulted to `Always` and refused ("Unsupported value:
    \"Always\": supported values: \"OnFailure\", \"Never\"").  Bare Pods may
    use any of the three.  Container-level `restartPolicy: Always` (sidecar
    init containers) is another field and not checked here.  A Job template
    whose containers name no image is taken for a kustomize patch (merged
    into a base that may set the policy), and a missing policy there is not
    reported.  One mistake, one finding: this rule owns a controller's pod
    template restartPolicy, a misspelled one included; invalid-value checks
    restartPolicy only for bare Pods and PodTemplates.
    Example:
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        spec:
          template:
            spec:
              containers:
                - {name: migrate, image: "ghcr.io/acme/migrate:1.0"}
    Use instead:
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - {name: migrate, image: "ghcr.io/acme/migrate:1.0"}
    Fix safety: no automatic fix for a Job (OnFailure retries in place,
    Never retries with new pods; choose); for the other kinds, removing the
    field is the only valid change.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template
    """
    pod = pod_spec(obj)
    if pod is None:
        return
    value = pod.spec.get("restartPolicy")
    policy = value if isinstance(value, str) else None
    if obj.kind in ALWAYS_KINDS:
        if policy is not None and policy != "Always":
            yield Problem(
                pod.path + ("restartPolicy",),
                f'restartPolicy "{policy}" is refused: a {obj.kind} accepts only "Always"',
                Fix("Remove restartPolicy (or set it to Always); use a Job for run-to-completion work.", "restartPolicy: Always"),
            )
        return
    if policy in ("OnFailure", "Never"):
        return
    if policy is None and not obj.fragment:
        yield Problem(
            pod.path,
            f'pod template has no restartPolicy: it defaults to "Always", which a {obj.kind} refuses',
            Fix("Set restartPolicy to OnFailure or Never.", "restartPolicy: Never"),
            at="parent",
        )
    elif policy is not None:
        yield Problem(
            pod.path + ("restartPolicy",),
            f'restartPolicy "{policy}" is refused: a {obj.kind} accepts only "OnFailure" or "Never"',
            Fix("Set restartPolicy to OnFailure or Never.", "restartPolicy: Never"),
        )


# Tools that delete the Jobs they run (hooks) by their own policy.
HOOK_DELETE_ANNOTATIONS = ("helm.sh/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy")


@rule(code="KL805", name="job-ttl-missing", severity="info", category="availability", enabled=False, kinds={"Job"})
def job_ttl_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A Job has no ttlSecondsAfterFinished and stays after it finishes.  Off by default.

    Why: a finished Job and its pods stay in the cluster until someone
    deletes them; they pile up in `kubectl get pods`, keep their logs and
    count against object quotas.  `ttlSecondsAfterFinished` lets the TTL
    controller delete them.  Only bare Jobs are checked: a CronJob cleans its
    Jobs by `successfulJobsHistoryLimit` and `failedJobsHistoryLimit`, and
    Helm and Argo CD hooks with a delete policy are cleaned by the tool.  Off
    by default because a GitOps tool that applies a plain Job re-creates it
    once the TTL controller deletes it.
    Example:
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - {name: migrate, image: "ghcr.io/acme/migrate:1.0"}
    Use instead:
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        spec:
          ttlSecondsAfterFinished: 86400
          template:
            spec:
              restartPolicy: Never
              containers:
                - {name: migrate, image: "ghcr.io/acme/migrate:1.0"}
    Fix safety: no automatic fix; the Job's status and logs disappear after
    the TTL, so choose how long to keep them.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/
    """
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or spec.get("ttlSecondsAfterFinished") is not None:
        return
    annotations = object_annotations(obj)
    if any(annotations.get(a) for a in HOOK_DELETE_ANNOTATIONS) or obj.fragment:
        return
    yield Problem(
        ("spec",),
        "no ttlSecondsAfterFinished: the finished Job and its pods are never cleaned up",
        Fix("Set spec.ttlSecondsAfterFinished.", "ttlSecondsAfterFinished: 86400  # one day"),
        at="parent",
    )


@rule(code="KL806", name="hpa-min-replicas-above-max", severity="error", category="availability", kinds={"HorizontalPodAutoscaler"})
def hpa_min_replicas_above_max(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A HorizontalPodAutoscaler's minReplicas is greater than its maxReplicas.

    Why: the API server rejects the autoscaler ("must be less than or equal
    to minReplicas" from `validateHorizontalPodAutoscalerSpec` in
    k8s.io/kubernetes pkg/apis/autoscaling/validation), so the apply fails.
    An unset minReplicas defaults to 1.
    Example:
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 5
          maxReplicas: 3
    Use instead:
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 3
          maxReplicas: 5
    Fix safety: no automatic fix; which bound is wrong is yours to say.
    References:
        https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/autoscaling/validation/validation.go
        https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
    """
    spec = as_map(obj.data.get("spec"))
    minimum, maximum = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if type(minimum) is not int or type(maximum) is not int or minimum <= maximum:
        return
    yield Problem(
        ("spec", "minReplicas") if "minReplicas" in spec else ("spec", "maxReplicas"),
        f"minReplicas {minimum} is greater than maxReplicas {maximum}: the API server rejects the autoscaler",
        Fix("Make minReplicas at most maxReplicas."),
    )


def _budget_kinds(obj: K8sObject) -> bool:
    return obj.api_version.startswith("policy/")


@rule(code="KL807", name="pdb-min-and-max-set", severity="error", category="availability", kinds={"PodDisruptionBudget"})
def pdb_min_and_max_set(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A PodDisruptionBudget sets both minAvailable and maxUnavailable.

    Why: the API server rejects it ("minAvailable and maxUnavailable cannot
    be both set", `ValidatePodDisruptionBudgetSpec` in k8s.io/kubernetes
    pkg/apis/policy/validation); a budget states one or the other.
    Example:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          minAvailable: 2
          maxUnavailable: 1
          selector: {matchLabels: {app: web}}
    Use instead:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector: {matchLabels: {app: web}}
    Fix safety: no automatic fix; keep the field that says what you mean.
    References:
        https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/policy/validation/validation.go
        https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
    """
    spec = as_map(obj.data.get("spec"))
    if not _budget_kinds(obj) or spec.get("minAvailable") is None or spec.get("maxUnavailable") is None:
        return
    yield Problem(
        ("spec", "maxUnavailable"),
        "minAvailable and maxUnavailable are both set: the API server rejects the budget",
        Fix("Keep only one of minAvailable and maxUnavailable."),
        at="key",
    )


def _percent(value) -> int | None:
    """The number of a percentage string ("100%"), else None."""
    if isinstance(value, str) and value.endswith("%") and value[:-1].isascii() and value[:-1].isdigit() and len(value) <= 10:
        return int(value[:-1])
    return None


def _budget_replicas(ctx, obj: K8sObject) -> tuple[int, str] | None:
    """The replicas of all the workloads of the run the budget surely
    selects (same namespace), with their labels, or None when there are
    none or one of them leaves its count open (no `spec.replicas` and no
    autoscaler: a kustomize overlay may set it)."""
    selector = get_path(obj.data, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector:
        return None
    total, labels = 0, []
    for template in selected_workloads(ctx, obj.ref.namespace, selector, exact=True):
        if template.obj.kind not in REPLICATED_KINDS | {"ReplicaSet"}:
            return None
        replicas, source = effective_replicas(ctx, template.obj)
        if source == "default":
            return None
        total += replicas
        labels.append(template.obj.ref.label())
    return (total, ", ".join(labels)) if labels else None


def selected_workloads(ctx, namespace: str | None, selector: dict, exact: bool) -> list:
    """Workloads of the run whose pod template a LabelSelector matches;
    `exact`: only those that name the same namespace (both none counts)."""
    from kubelint.k8s.pods import pods_in_namespace

    reqs = requirements(selector, strict=False)  # read once, tested against each template
    out = []
    for template in pods_in_namespace(ctx, namespace):
        if exact and template.namespace != namespace:
            continue
        if selected(reqs, template):
            out.append(template)
    return out


@rule(code="KL808", name="pdb-eviction-blocked", severity="warning", category="availability", kinds={"PodDisruptionBudget"})
def pdb_eviction_blocked(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A PodDisruptionBudget never allows a voluntary eviction.

    Why: with `maxUnavailable: 0` (or "0%"), `minAvailable: "100%"`, or an
    integer minAvailable at least the replicas of the workload it selects,
    the eviction API refuses every eviction of those pods, so `kubectl
    drain`, cluster upgrades and the cluster autoscaler hang on their nodes
    until someone deletes the budget.  kube-linter (`pdb-max-unavailable`,
    `pdb-min-available`) checks the same.  The replicas are compared only
    for Deployments, StatefulSets and ReplicaSets of the run in the budget's
    own namespace (the minimum of an autoscaler of the run when one targets
    them, else `spec.replicas`, default 1).
    Example:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 0
          selector: {matchLabels: {app: web}}
    Use instead:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector: {matchLabels: {app: web}}
    Fix safety: no automatic fix; choose how many pods may be down at once.
    References:
        https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
        https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    """
    spec = as_map(obj.data.get("spec"))
    if not _budget_kinds(obj):
        return
    if "minAvailable" in spec and "maxUnavailable" in spec:
        return  # pdb-min-and-max-set
    fix = Fix("Allow at least one pod to be evicted (e.g. maxUnavailable: 1).", "maxUnavailable: 1")
    most = spec.get("maxUnavailable")
    if (type(most) is int and most == 0) or _percent(most) == 0:
        yield Problem(("spec", "maxUnavailable"), f"maxUnavailable: {most} never allows an eviction: node drains block", fix)
        return
    least = spec.get("minAvailable")
    if _percent(least) is not None and _percent(least) >= 100:
        yield Problem(("spec", "minAvailable"), f"minAvailable: {least} never allows an eviction: node drains block", fix)
        return
    if type(least) is int and least > 0:
        selected = _budget_replicas(ctx, obj)
        if selected is not None and least >= selected[0]:
            yield Problem(
                ("spec", "minAvailable"),
                f"minAvailable: {least} is at least the {selected[0]} replica(s) of {selected[1]}: no eviction is ever allowed",
                fix,
            )


@rule(code="KL809", name="replicas-with-hpa", severity="warning", category="availability", kinds=REPLICATED_KINDS | {"ReplicaSet"}, fix="unsafe")
def replicas_with_hpa(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A workload sets spec.replicas while a HorizontalPodAutoscaler scales it.

    Why: every `kubectl apply` of the manifest resets the replicas to the
    written number, undoing the autoscaler until it scales again: a busy
    service drops to that number on each deploy.  The autoscaling docs say
    to remove `spec.replicas` from the manifest when an HPA manages it.
    kube-score (`deployment-targeted-by-hpa-does-not-have-replicas-configured`)
    checks the same.  Only HPAs of the run surely in the workload's
    namespace count (see kubelint.references).
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 3
          maxReplicas: 10
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          minReplicas: 3
          maxReplicas: 10
    Fix safety: unsafe; the first apply without the field sets the
    replicas to 1 for a moment unless the live object keeps its value
    (see the docs on migrating Deployments to autoscaling).
    References: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling
    """
    if _replicas(obj) is None:
        return
    directory = os.path.dirname(obj.file)
    for scaler in hpa_targets(ctx).get((obj.kind, obj.ref.name), ()):
        if surely_together(obj.ref.namespace, directory, scaler):
            yield Problem(
                ("spec", "replicas"),
                f"spec.replicas is set while {scaler.label} scales the workload: each apply resets the replica count",
                Fix("Remove spec.replicas and let the autoscaler own the count.", edits=[Edit("remove", ("spec", "replicas"))]),
                at="key",
            )
            return


def hpa_targets(ctx) -> dict:
    """(target kind, target name) -> the HorizontalPodAutoscalers of the run
    naming it.  Reads of each HPA: spec.scaleTargetRef kind and name,
    metadata name and namespace, its file's directory."""

    def build() -> dict:
        index: dict = {}
        for o in ctx.objects:
            if o.kind != "HorizontalPodAutoscaler":
                continue
            target = as_map(get_path(o.data, ("spec", "scaleTargetRef")))
            kind, name = target.get("kind"), target.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                named = Named(o.kind, o.ref.namespace, o.ref.name or "", os.path.dirname(o.file), o.ref.label())
                index.setdefault((kind, name), []).append(named)
        return index

    return ctx.memo(("availability", "hpa-targets"), build)


@rule(code="KL810", name="spread-selector-unmatched", severity="warning", category="availability", kinds=POD_KINDS)
def spread_selector_unmatched(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A topology spread constraint or pod anti-affinity does not select the pod's own labels.

    Why: a topology spread constraint counts the pods its `labelSelector`
    matches; when that does not match the pod itself, its replicas are never
    counted and nothing spreads them; a constraint without a labelSelector
    counts no pod at all (kube-score's `pod-topology-spread-constraints`
    reports that too).  The same holds for pod anti-affinity
    meant to keep replicas apart: when no anti-affinity term selects the
    pod's own labels, replicas may share a node (checked for Deployments,
    StatefulSets and ReplicaSets of 2 or more replicas).  Usually a label renamed in
    one place only.  Anti-affinity is reported only when none of its terms
    matches the pod (a term keeping the pod away from other applications is
    fine when another term spreads it) and the term looks in the pod's own
    namespace; labels the controller adds (pod-template-hash ...) count as
    present.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              topologySpreadConstraints:
                - maxSkew: 1
                  topologyKey: kubernetes.io/hostname
                  whenUnsatisfiable: ScheduleAnyway
                  labelSelector: {matchLabels: {app: frontend}}
              containers: [{name: web, image: "nginx:1.27"}]
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              topologySpreadConstraints:
                - maxSkew: 1
                  topologyKey: kubernetes.io/hostname
                  whenUnsatisfiable: ScheduleAnyway
                  labelSelector: {matchLabels: {app: web}}
              containers: [{name: web, image: "nginx:1.27"}]
    Fix safety: no automatic fix; make the selector match the pod template labels.
    References:
        https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#spread-constraint-definition
        https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
    """
    template = pod_template_of(ctx, obj)
    if template is None:
        return
    pod = template.pod
    fix = Fix("Make the labelSelector match the pod template's own labels.")
    yield from _spread_constraints_unmatched(template, fix)
    if obj.kind not in REPLICATED_KINDS | {"ReplicaSet"} or effective_replicas(ctx, obj)[0] < 2:
        return  # one pod: nothing to keep apart

    anti = as_map(as_map(pod.spec.get("affinity")).get("podAntiAffinity"))
    terms = []
    for index, term in enumerate(as_list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))):
        terms.append((("requiredDuringSchedulingIgnoredDuringExecution", index), as_map(term)))
    for index, weighted in enumerate(as_list(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        terms.append((("preferredDuringSchedulingIgnoredDuringExecution", index, "podAffinityTerm"), as_map(as_map(weighted).get("podAffinityTerm"))))
    own = [(path, term) for path, term in terms if "namespaces" not in term and "namespaceSelector" not in term]
    if not own or len(own) != len(terms):
        return
    if any(not isinstance(term.get("labelSelector"), dict) or label_selector_matches(term["labelSelector"], template) for _, term in own):
        return
    path, _ = own[0]
    yield Problem(
        pod.path + ("affinity", "podAntiAffinity") + path + ("labelSelector",),
        "no podAntiAffinity term selects the pod's own labels: replicas are not kept apart",
        fix,
        at="key",
    )


def _spread_constraints_unmatched(template, fix: Fix) -> Iterator[Problem]:
    pod = template.pod
    for index, constraint in enumerate(as_list(pod.spec.get("topologySpreadConstraints"))):
        if isinstance(constraint, dict) and constraint.get("labelSelector") is None:
            # The scheduler counts the pods the selector matches; without
            # one it counts none (PodTopologySpread plugin).
            yield Problem(
                pod.path + ("topologySpreadConstraints", index),
                "topology spread constraint has no labelSelector: it counts no pods and spreads nothing",
                Fix("Add a labelSelector matching the pod template's own labels."),
                at="parent",
            )
            continue
        selector = as_map(constraint).get("labelSelector")
        if isinstance(selector, dict) and selector and not label_selector_matches(selector, template):
            yield Problem(
                pod.path + ("topologySpreadConstraints", index, "labelSelector"),
                "topology spread labelSelector does not match the pod's own labels: its replicas are not spread",
                fix,
                at="key",
            )


@rule(code="KL811", name="cronjob-starting-deadline-missing", severity="info", category="availability", enabled=False, kinds={"CronJob"})
def cronjob_starting_deadline_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A CronJob sets no startingDeadlineSeconds.  Off by default.

    Why: without a deadline a run that missed its time (controller down,
    the CronJob suspended) is started late however late it is, and after
    more than 100 missed schedules the controller stops scheduling the
    CronJob altogether and logs an error.  A deadline bounds how late a run
    may start and how far back misses are counted.  kube-score
    (`cronjob-has-deadline`) checks the same.  Off by default: many jobs
    are fine to run late.
    Example:
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: report, image: "ghcr.io/acme/report:1.0"}]
    Use instead:
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "0 3 * * *"
          startingDeadlineSeconds: 600
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: report, image: "ghcr.io/acme/report:1.0"}]
    Fix safety: no automatic fix; pick how late a run may still start.
    References: https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation
    """
    spec = obj.data.get("spec")
    if isinstance(spec, dict) and spec.get("startingDeadlineSeconds") is None:
        yield Problem(
            ("spec",),
            "no startingDeadlineSeconds: missed runs start however late, and 100 misses stop the CronJob",
            Fix("Set spec.startingDeadlineSeconds to how late a run may still start.", "startingDeadlineSeconds: 600"),
            at="parent",
        )


# scaleTargetRef kinds that are built-in workloads (autoscaling/v2
# CrossVersionObjectReference); a custom kind (Argo Rollout) is not checked.
SCALABLE_KINDS = {"Deployment": "apps", "StatefulSet": "apps", "ReplicaSet": "apps", "ReplicationController": ""}


@rule(
    code="KL812", name="hpa-target-unknown", severity="warning", category="availability",
    kinds={"HorizontalPodAutoscaler"}, options=STRICT_OPTION,
)
def hpa_target_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A HorizontalPodAutoscaler targets a workload the run does not define.

    Why: an autoscaler whose scaleTargetRef names no object scales nothing
    and reports `FailedGetScale`; usually the workload was renamed and the
    autoscaler was not.  kube-linter (`dangling-horizontalpodautoscaler`)
    and kube-score (`horizontalpodautoscaler-has-target`) check the same.
    Reported only when the run defines objects of the target's kind in the
    autoscaler's namespace (the repository manages them there), with the
    nearest name; otherwise the target may live in the cluster, unless the
    `strict` option is set.  Built-in targets only (Deployment, StatefulSet,
    ReplicaSet, ReplicationController).
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web-frontend}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-fronted}
          maxReplicas: 5
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web-frontend}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-frontend}
          maxReplicas: 5
    Fix safety: no automatic fix; the "did you mean" name is a guess.
    References: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
    """
    target = as_map(get_path(obj.data, ("spec", "scaleTargetRef")))
    kind, name = target.get("kind"), target.get("name")
    if not isinstance(kind, str) or kind not in SCALABLE_KINDS or not isinstance(name, str):
        return
    group = as_str(target.get("apiVersion")).rpartition("/")[0]
    if "apiVersion" in target and group not in (SCALABLE_KINDS[kind], "extensions"):
        return
    found = lookup(ctx, obj, (kind,), name)
    if found.missing(strict(ctx)):
        yield Problem(
            ("spec", "scaleTargetRef", "name"),
            f'scaleTargetRef names {kind} "{name}", which the run does not define{found.hint(name)}',
            Fix("Name an existing workload in scaleTargetRef."),
        )


@rule(
    code="KL813", name="pdb-selector-unmatched", severity="warning", category="availability",
    kinds={"PodDisruptionBudget"}, options=STRICT_OPTION,
)
def pdb_selector_unmatched(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A PodDisruptionBudget selects no pods of the workloads in its namespace.

    Why: a budget that matches no pod protects nothing: a drain evicts the
    pods it was meant to keep, with no warning.  A label renamed in the
    workload and not in the budget is the usual cause.  kube-linter
    (`pdb-min-available` needs the match) and Polaris check budgets against
    workloads.  Reported only when the run defines pod-bearing workloads
    surely in the budget's namespace (see kubelint.references), and not
    where an operator may create the pods (custom resources in the
    namespace, or CRDs in the budget's directory), unless `strict` is set.
    An empty selector matches every pod.
    Example:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector: {matchLabels: {app: webb}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
    Use instead:
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector: {matchLabels: {app: web}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
    Fix safety: no automatic fix; correct the selector or the pod labels.
    References: https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
    """
    selector = get_path(obj.data, ("spec", "selector"))
    if not _budget_kinds(obj) or not isinstance(selector, dict) or not selector:
        return
    unmatched = selector_unmatched(ctx, obj, selector)
    if unmatched is not None:
        yield Problem(
            ("spec", "selector"),
            f"selector matches none of the {unmatched} workload(s) in the namespace: the budget protects no pod",
            Fix("Make the selector match the labels of the pods it should protect."),
            at="key",
        )


def selector_unmatched(ctx, obj: K8sObject, selector: dict, namespace: str | None = None) -> int | None:
    """How many workloads surely share the namespace when `selector` (a
    LabelSelector) matches none that may share it; None when it matches one,
    or when reporting is not on sure ground (no workload surely there, or an
    operator may make the pods).  Reads of other objects: the pod templates
    of kubelint.pods (kind, namespace, pod labels) and their files."""
    from kubelint.k8s.pods import pods_in_namespace, templates_with_labels
    from kubelint.rules.network import operator_may_serve

    namespace = obj.ref.namespace if namespace is None else namespace
    directory = os.path.dirname(obj.file)
    candidates = pods_in_namespace(ctx, namespace)
    narrowed = templates_with_labels(ctx, as_map(selector).get("matchLabels"), namespace)
    reqs = requirements(selector, strict=False)  # read once, tested against each template
    for template in candidates if narrowed is None else narrowed:
        if selected(reqs, template):
            return None
    sure = ctx.memo(
        ("availability", "workloads-surely-in", namespace, directory),
        lambda: sum(surely_in(namespace, directory, t.namespace, os.path.dirname(t.obj.file)) for t in candidates),
    )
    if strict(ctx):
        return sure
    if not sure or operator_may_serve(ctx, obj):
        return None
    return sure


def workloads_by_name(ctx) -> dict:
    """(kind, name) -> the scalable workloads of the run.  Reads of each
    Deployment, StatefulSet, ReplicaSet, ReplicationController: kind,
    metadata name and namespace, and its containers' resources."""

    def build() -> dict:
        index: dict = {}
        for o in ctx.objects:
            if o.kind in SCALABLE_KINDS and not o.fragment and isinstance(o.ref.name, str):
                index.setdefault((o.kind, o.ref.name), []).append(o)
        return index

    return ctx.memo(("availability", "workloads-by-name"), build)


def _utilization_metrics(obj: K8sObject) -> Iterator[tuple[tuple, str, str | None]]:
    """(path, resource, container or None) of each metric of the HPA that
    scales on a utilization of requests."""
    spec = as_map(obj.data.get("spec"))
    if type(spec.get("targetCPUUtilizationPercentage")) is int:  # autoscaling/v1
        yield ("spec", "targetCPUUtilizationPercentage"), "cpu", None
    for index, metric in enumerate(as_list(spec.get("metrics"))):
        metric = as_map(metric)
        kind = as_str(metric.get("type"))
        source = as_map(metric.get({"Resource": "resource", "ContainerResource": "containerResource"}.get(kind, "")))
        name = source.get("name")
        if as_map(source.get("target")).get("type") == "Utilization" and isinstance(name, str):
            container = source.get("container") if kind == "ContainerResource" else None
            yield ("spec", "metrics", index), name, container if isinstance(container, str) else None


@rule(code="KL814", name="hpa-target-requests-missing", severity="warning", category="availability", kinds={"HorizontalPodAutoscaler"})
def hpa_target_requests_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A HorizontalPodAutoscaler scales on resource utilization of containers that request none of it.

    Why: utilization is usage divided by the request; for a container
    without a request of that resource the autoscaler cannot compute it
    (`missing request for cpu`) and does not scale at all.  Checked when the
    target workload is in the run, for `Resource` metrics (every container
    of the pod; init containers do not count) and `ContainerResource`
    metrics (the named container), with target type Utilization, and for
    autoscaling/v1 `targetCPUUtilizationPercentage`.  A limit counts as a
    request (the API server copies it).
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
            - type: Resource
              resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: "nginx:1.27"
                  resources: {requests: {cpu: 250m}}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
            - type: Resource
              resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    Fix safety: no automatic fix; set requests that match what the containers use.
    References: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#how-does-a-horizontalpodautoscaler-work
    """
    from kubelint.k8s.workloads import containers

    target = as_map(get_path(obj.data, ("spec", "scaleTargetRef")))
    kind, name = target.get("kind"), target.get("name")
    if not isinstance(kind, str) or kind not in SCALABLE_KINDS or not isinstance(name, str):
        return
    workloads = [w for w in workloads_by_name(ctx).get((kind, name), ()) if same_namespace(w.ref.namespace, obj.ref.namespace)]
    if len(workloads) != 1:
        return  # absent, or ambiguous: say nothing
    workload = workloads[0]
    for path, resource, only in _utilization_metrics(obj):
        missing = []
        for c in containers(workload, ("containers",)):
            if only is not None and c.name != only:
                continue
            resources = as_map(c.spec.get("resources"))
            if resource not in as_map(resources.get("requests")) and resource not in as_map(resources.get("limits")):
                missing.append(c.label)
        if missing:
            yield Problem(
                path,
                f"scales on {resource} utilization, but {', '.join(missing)} of {workload.ref.label()} request no {resource}: the autoscaler cannot compute it",
                Fix(f"Set resources.requests.{resource} on the target's containers."),
            )
