"""What the Kubernetes OpenAPI schemas say about an object: unknown fields,
invalid values, kinds with no schema, and removed or deprecated APIs.

The machinery (bundled schemas, CRDs, the removal table) lives in
`kubelint.schema`; these rules turn its answers into problems.  One
validation per object serves both `unknown-field` and `schema-invalid`.
"""

from __future__ import annotations

from typing import Iterator

from kubelint.model import K8sObject, Problem, Fix
from kubelint.registry import rule


def _errors(obj: K8sObject, ctx):
    def validate():
        from kubelint.schema.validate import validation_errors

        return validation_errors(obj.data, obj.api_version, obj.kind, ctx.kubernetes_version, ctx.strict, ctx.crds)

    return ctx.memo(("schema", id(obj)), validate)


def _removed(obj: K8sObject, ctx):
    from kubelint.schema.removed import status

    return ctx.memo(("removed", obj.api_version, obj.kind), lambda: status(obj.api_version, obj.kind, ctx.kubernetes_version))


@rule(code="KL010", name="unknown-field", severity="error", category="schema", fix="unsafe")
def unknown_field(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A field the Kubernetes schema does not define.

    Why: since 1.27 `kubectl apply` validates strictly and refuses unknown
    fields; older clients dropped them silently, so a typo such as `replica`
    or a field at the wrong level simply had no effect.  Custom resources are
    checked against their CRD's openAPIV3Schema.  `--no-strict` turns this off.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replica: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
    Fix safety: unsafe: `--unsafe-fixes` renames the field when exactly one
    field the schema defines, and the object lacks, is close to it
    (`contianers` -> `containers`, `protocl` -> `protocol`); the field then
    takes effect, which is what it was written for, but the match is a
    guess.  Otherwise no automatic fix.
    References: https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
    """
    removed = _removed(obj, ctx)
    if not ctx.strict or (removed is not None and removed[0] == "removed"):
        return
    for e in _errors(obj, ctx) or ():
        if obj.partial and str(e.path[-1] if e.path else "").startswith("$"):
            continue  # strategic merge directives ($patch, $retainKeys, ...) in a kustomize patch
        if e.kind == "unknown-field":
            yield Problem(e.path, e.message, Fix(e.fix, edits=e.edits) if e.fix else None, at=e.at)


@rule(code="KL011", name="schema-invalid", severity="error", category="schema", fix="safe")
def schema_invalid(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A value the Kubernetes schema rejects: a wrong type, a missing required
    field, a bad format.

    Why: the API server refuses the object, so the apply fails in the
    cluster instead of in review.  Quantities, int-or-string fields and null
    values are accepted as the API server accepts them.
    Example:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports:
            - port: "80"
    Use instead:
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports:
            - port: 80
    Fix safety: safe where the intended value is certain: `--fix` unquotes
    an integer written as a string where the schema wants an integer
    (`port: "80"`), and corrects the case of an enumerated value
    (`Tcp` -> `TCP`); the API server would refuse the object as it is.  No
    automatic fix otherwise: a quantity such as `512MB` may mean 512M or
    512Mi, and a missing required field needs a value only you know.
    References: https://kubernetes.io/docs/reference/kubernetes-api/
    """
    removed = _removed(obj, ctx)
    if removed is not None and removed[0] == "removed":
        return  # api-removed says what matters; the old schema is gone
    for e in _errors(obj, ctx) or ():
        if obj.partial and e.at == "parent":
            continue  # a kustomize patch leaves required fields to its base
        if e.kind != "unknown-field":
            yield Problem(e.path, e.message, Fix(e.fix, edits=e.edits) if e.fix else None, at=e.at)


@rule(code="KL012", name="schema-missing", severity="info", category="schema")
def schema_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """No schema is known for the object's kind, so it was not validated.

    Why: a custom resource is only checked when its CustomResourceDefinition
    is part of the run or passed with `--crd`; otherwise typos in it go
    unnoticed until the API server (or the operator) rejects them.
    Example:
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: web}
        spec: {endpoints: [{port: http}]}
    Use instead:
        # (or pass the ServiceMonitor CRD with --crd)
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web}
    Fix safety: nothing to change in the manifest; pass the CRD with `--crd PATH`.
    References: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
    """
    if _removed(obj, ctx) is not None:
        return  # api-removed / api-deprecated explain the missing schema
    if _errors(obj, ctx) is None:
        yield Problem(
            ("kind",),
            f'no schema for {obj.api_version} {obj.kind} in Kubernetes {ctx.kubernetes_version}; the object was not validated',
            Fix("Pass its CustomResourceDefinition with --crd PATH, or include the CRD in the run."),
        )


def _replacement_fix(change, data: dict | None = None) -> Fix:
    from kubelint.schema.migrate import migrate

    notes = f" {change.notes.rstrip('.')}." if change.notes else ""
    if change.replacement is None:
        return Fix(f"Stop using {change.api_version} {change.kind}; it has no replacement.{notes}")
    migration = migrate(change, data) if data is not None else None
    if migration is None:
        # Not mechanical: the title says what changes; --fix leaves it.
        return Fix(f"Change apiVersion to {change.replacement}.{notes} --fix leaves this migration to you.",
                   f"apiVersion: {change.replacement}", safety="none")
    return Fix(f"Change apiVersion to {change.replacement}.{notes}", f"apiVersion: {change.replacement}",
               migration.edits, migration.safety)


@rule(code="KL013", name="api-removed", severity="error", category="schema", fix="unsafe")
def api_removed(obj: K8sObject, ctx) -> Iterator[Problem]:
    """The target Kubernetes version no longer serves this apiVersion for
    this kind.

    Why: the API server answers "no matches for kind"; the apply fails.  The
    fix names the replacement version and what else changes with it (for
    `extensions/v1beta1` Deployments, `spec.selector` becomes required).
    Facts from the Kubernetes deprecated API migration guide.
    Example:
        apiVersion: extensions/v1beta1
        kind: Ingress
        metadata: {name: web}
        spec: {backend: {serviceName: web, servicePort: 80}}
    Use instead:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
    Fix safety: safe where the new version means the same (RBAC, CronJob
    batch/v1, NetworkPolicy, PodDisruptionBudget with a non-empty selector,
    HorizontalPodAutoscaler v2beta1/v2beta2 metric targets, Ingress with
    `pathType: ImplementationSpecific` for paths without one, flow control
    resources); unsafe where defaults change (extensions/v1beta1 and
    apps/v1beta1 workloads, which also get `spec.selector.matchLabels` from
    their template labels; a PodDisruptionBudget with an empty selector).
    Migrations that are not mechanical (webhooks, CRDs, EndpointSlice, Event,
    CertificateSigningRequest) are left to you; the fix lists what changes.
    References: https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    """
    state = _removed(obj, ctx)
    if state is not None and state[0] == "removed":
        change = state[1]
        yield Problem(
            ("apiVersion",),
            f"{change.api_version} {change.kind} was removed in Kubernetes {change.removed_in}"
            f" (target {ctx.kubernetes_version})" + (f"; use {change.replacement}" if change.replacement else ""),
            _replacement_fix(change, obj.data),
        )


@rule(code="KL014", name="api-deprecated", severity="warning", category="schema", fix="unsafe")
def api_deprecated(obj: K8sObject, ctx) -> Iterator[Problem]:
    """The apiVersion still works on the target version but is deprecated
    and will be removed.

    Why: the manifest breaks on the upgrade that removes it; migrating now is
    cheaper than during an upgrade.  The message names the removing release.
    Example:
        # kubelint check --kubernetes-version=1.30
        apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
        kind: FlowSchema
        metadata: {name: example}
        spec: {priorityLevelConfiguration: {name: workload-low}}
    Use instead:
        apiVersion: flowcontrol.apiserver.k8s.io/v1
        kind: FlowSchema
        metadata: {name: example}
        spec: {priorityLevelConfiguration: {name: workload-low}}
    Fix safety: as for api-removed: safe where the new version means the
    same, unsafe where defaults change, no fix where the migration is not
    mechanical.
    References: https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    """
    state = _removed(obj, ctx)
    if state is not None and state[0] == "deprecated":
        change = state[1]
        yield Problem(
            ("apiVersion",),
            f"{change.api_version} {change.kind} is deprecated and removed in Kubernetes {change.removed_in}"
            + (f"; use {change.replacement}" if change.replacement else ""),
            _replacement_fix(change, obj.data),
        )
