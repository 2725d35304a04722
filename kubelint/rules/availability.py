"""Availability and reliability of workloads: replicas, disruption budgets,
spreading, restart policies, Job hygiene.

Rules that relate objects (an HPA to its target, a PodDisruptionBudget to
the pods it selects) follow the namespace convention of network.py: an
object without a namespace shares every namespace.
"""

from __future__ import annotations

from typing import Iterator

from kubelint.model import Fix, K8sObject, Problem
from kubelint.registry import rule
from kubelint.k8s.kinds import ALWAYS_RESTART_KINDS, RUN_TO_COMPLETION_KINDS, is_kind
from kubelint.k8s.pods import pod_template_of, same_namespace, selected
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


def autoscalers(ctx) -> list[tuple[str | None, str, str, int, str]]:
    """(namespace, target kind, target name, minimum replicas, label) of
    every HorizontalPodAutoscaler and KEDA ScaledObject of the run."""

    def build():
        out = []
        for o in ctx.objects:
            spec = as_map(o.data.get("spec"))
            target = as_map(spec.get("scaleTargetRef"))
            name = target.get("name")
            if not isinstance(name, str):
                continue
            if is_kind(o, "HorizontalPodAutoscaler"):
                minimum = spec.get("minReplicas", 1)
                kind = as_str(target.get("kind"))
                out.append((o.ref.namespace, kind, name, minimum if type(minimum) is int else 1, o.ref.label()))
            elif is_kind(o, "keda.sh/ScaledObject"):
                minimum = spec.get("minReplicaCount", 0)
                kind = as_str(target.get("kind")) or "Deployment"
                out.append((o.ref.namespace, kind, name, minimum if type(minimum) is int else 0, o.ref.label()))
        return out

    return ctx.memo(("availability", "autoscalers"), build)


def autoscaler_of(ctx, obj: K8sObject, exact: bool = False) -> tuple[int, str] | None:
    """(minimum replicas, label) of an autoscaler targeting `obj`, or None.

    `exact`: the autoscaler must name the same namespace (both none counts).
    A rule that stays quiet because of an autoscaler takes any that may
    share the namespace; a rule that reports because of one takes only an
    autoscaler surely beside the workload."""
    for namespace, kind, name, minimum, label in autoscalers(ctx):
        if kind != obj.kind or name != obj.ref.name:
            continue
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


def is_fragment(obj: K8sObject) -> bool:
    """A pod template whose containers name no image: a kustomize patch or
    another fragment merged elsewhere, not an object the API will see."""
    pod = pod_spec(obj)
    containers = as_list(pod.spec.get("containers")) if pod else []
    return any(isinstance(c, dict) and not c.get("image") for c in containers)


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
    input targeting them from the same namespace); a budget covers the workload when it is in its
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
    if policy is None and not is_fragment(obj):
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
    if any(annotations.get(a) for a in HOOK_DELETE_ANNOTATIONS) or is_fragment(obj):
        return
    yield Problem(
        ("spec",),
        "no ttlSecondsAfterFinished: the finished Job and its pods are never cleaned up",
        Fix("Set spec.ttlSecondsAfterFinished.", "ttlSecondsAfterFinished: 86400  # one day"),
        at="parent",
    )
