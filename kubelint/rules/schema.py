"""What the Kubernetes OpenAPI schemas say about an object: unknown fields,
invalid values, kinds with no schema, and removed or deprecated APIs.

The machinery (bundled schemas, CRDs, the removal table) lives in
`kubelint.schema`; these rules turn its answers into problems.  One
validation per object serves both `unknown-field` and `schema-invalid`.
"""

from __future__ import annotations

import difflib
from typing import Iterator

from kubelint.model import Edit, Fix, K8sObject, Problem
from kubelint.registry import rule


def _errors(obj: K8sObject, ctx):
    def validate():
        from kubelint.schema.validate import validation_errors

        return validation_errors(obj.data, obj.api_version, obj.kind, ctx.kubernetes_version, ctx.settings.strict, ctx.crds)

    return ctx.memo_object(("schema",), validate)


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
    if not ctx.settings.strict or (removed is not None and removed[0] == "removed"):
        return
    for e in _errors(obj, ctx) or ():
        if obj.fragment and str(e.path[-1] if e.path else "").startswith("$"):
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
    (`port: "80"`), corrects the case of an enumerated value
    (`Tcp` -> `TCP`), and removes white space inside a quantity (`1 Gi` ->
    `1Gi`); the API server would refuse the object as it is.  No
    automatic fix otherwise: a quantity such as `512MB` may mean 512M or
    512Mi, and a missing required field needs a value only you know.
    References: https://kubernetes.io/docs/reference/kubernetes-api/
    """
    removed = _removed(obj, ctx)
    if removed is not None and removed[0] == "removed":
        return  # api-removed says what matters; the old schema is gone
    for e in _errors(obj, ctx) or ():
        if obj.fragment and e.at == "parent":
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
    if not obj.api_version or not obj.kind or _kind_unknown(obj, ctx) is not None:
        return  # api-version-missing, kind-missing, kind-unknown say it
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


@rule(code="KL015", name="api-version-missing", severity="error", category="schema")
def api_version_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An object has a kind but no apiVersion.

    Why: the API server cannot decode an object without its apiVersion
    ("Object 'apiVersion' is missing"), so `kubectl apply` fails; a linter
    that skips the document hides the mistake (kubeconform fails it too).
    Documents are judged objects when they have `kind` and a `metadata`
    mapping.
    Example:
        kind: ConfigMap
        metadata: {name: web}
        data: {LOG_LEVEL: info}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web}
        data: {LOG_LEVEL: info}
    Fix safety: no automatic fix; the group and version of the kind are yours to name.
    References:
        https://kubernetes.io/docs/concepts/overview/working-with-objects/#required-fields
        https://github.com/kubernetes/apimachinery/blob/master/pkg/runtime/serializer/json/json.go
    """
    if not obj.api_version and obj.kind:
        yield Problem(
            ("kind",),
            f"kind {obj.kind} has no apiVersion: the API server cannot decode the object",
            Fix("Add the apiVersion of the kind (e.g. apiVersion: apps/v1 for a Deployment)."),
            at="key",
        )


@rule(code="KL016", name="kind-missing", severity="error", category="schema")
def kind_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An object has an apiVersion but no kind.

    Why: the API server cannot decode an object without its kind ("Object
    'Kind' is missing"), so `kubectl apply` fails; kubeconform fails the
    document too.  Documents are judged objects when they have `apiVersion`
    and a `metadata` mapping (a Helm Chart.yaml has no metadata).
    Example:
        apiVersion: v1
        metadata: {name: web}
        data: {LOG_LEVEL: info}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web}
        data: {LOG_LEVEL: info}
    Fix safety: no automatic fix.
    References:
        https://kubernetes.io/docs/concepts/overview/working-with-objects/#required-fields
        https://github.com/kubernetes/apimachinery/blob/master/pkg/runtime/serializer/json/json.go
    """
    if obj.api_version and not obj.kind:
        yield Problem(
            ("apiVersion",),
            f"apiVersion {obj.api_version} has no kind: the API server cannot decode the object",
            Fix("Add the kind of the object."),
            at="key",
        )


def _served(kinds: dict) -> tuple[dict, set]:
    """(apiVersion -> kinds, the API groups) of the bundled schemas."""
    return kinds, {v.rpartition("/")[0] for v in kinds}


def _kind_unknown(obj: K8sObject, ctx) -> tuple[tuple, str, Fix] | None:
    """(path, message, fix) when the object's apiVersion is a built-in group
    that does not serve its kind, or a version a built-in group does not
    have; None otherwise (a custom group, a removed API, a CRD of the run)."""

    def compute():
        from kubelint.schema.validate import builtin_kinds

        api_version, kind = obj.api_version, obj.kind
        if not api_version or not kind or _removed(obj, ctx) is not None:
            return None
        if not isinstance(obj.data.get("metadata"), dict):
            return None  # a component's configuration file (kube-scheduler Policy), not an API object
        if ctx.crds and ctx.crds.entries_for(api_version, kind):
            return None
        served, groups = ctx.memo(("schema", "built-in kinds"), lambda: _served(builtin_kinds(ctx.kubernetes_version)))
        group = api_version.rpartition("/")[0]
        if group not in groups:
            return None  # a custom or aggregated API group
        if api_version in served:
            kinds = served[api_version]
            if kind in kinds:
                return None
            by_lower = {k.lower(): k for k in kinds}
            close = [by_lower[kind.lower()]] if kind.lower() in by_lower else difflib.get_close_matches(kind, sorted(kinds), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            return (
                ("kind",),
                f'{api_version} has no kind "{kind}"{hint}',
                Fix(f"Use the kind's exact name ({close[0]})." if close else "Use a kind this apiVersion serves.",
                    edits=[Edit("set", ("kind",), close[0])] if close and close[0].lower() == kind.lower() else ()),
            )
        versions = sorted(v for v, kinds in served.items() if v.rpartition("/")[0] == group and kind in kinds)
        hint = f'; did you mean "{versions[-1]}"?' if versions else ""
        return (
            ("apiVersion",),
            f'Kubernetes {ctx.kubernetes_version} serves no {api_version}{hint}',
            Fix(f"Use apiVersion: {versions[-1]}." if versions else "Use an apiVersion the group serves."),
        )

    return ctx.memo_object(("kind-unknown",), compute)


@rule(code="KL017", name="kind-unknown", severity="error", category="schema", fix="safe")
def kind_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A built-in API group and version does not serve the object's kind, or the group has no such version.

    Why: the API server answers `no matches for kind "configmap" in version
    "v1"` and the apply fails.  Kinds are case-sensitive (`ConfigMap`, not
    `configmap` or `Configmap`), and a built-in group serves a fixed list of
    versions; a kind in a group kubelint does not know (a custom resource)
    is schema-missing's, and so is a document without metadata (a
    component's configuration file such as a kube-scheduler Policy).  The finding names the nearest kind, or the
    version that serves the kind.
    Example:
        apiVersion: v1
        kind: configmap
        metadata: {name: web}
        data: {LOG_LEVEL: info}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web}
        data: {LOG_LEVEL: info}
    Fix safety: safe when only the case differs (the kind is set to its
    exact name); otherwise no automatic fix.
    References:
        https://kubernetes.io/docs/reference/using-api/#api-groups
        https://kubernetes.io/docs/reference/kubernetes-api/
    """
    found = _kind_unknown(obj, ctx)
    if found is not None:
        path, message, fix = found
        if not fix.edits:
            fix = Fix(fix.title, safety="none")
        yield Problem(path, message, fix)


# The types a structural schema may name (OpenAPI v3 without "null"; the
# API server answers `Unsupported value` for any other).
SCHEMA_TYPES = ("array", "boolean", "integer", "number", "object", "string")


def _crd_schema_problems(node, path: tuple, level: str, depth: int = 0) -> Iterator[tuple[tuple, str, str]]:
    """(path, message, anchor) for each rule of
    ValidateCustomResourceDefinitionOpenAPISchema and the structural schema
    checks (apiextensions-apiserver pkg/apiserver/schema/validation.go) that
    `node` breaks.  `level`: root, field or item."""
    if not isinstance(node, dict) or depth > 60:
        return
    if "$ref" in node:
        yield path + ("$ref",), "$ref is not supported in a CRD schema", "key"
    kind = node.get("type")
    open_ended = node.get("x-kubernetes-int-or-string") is True or node.get("x-kubernetes-preserve-unknown-fields") is True
    if isinstance(kind, str) and kind not in SCHEMA_TYPES:
        close = difflib.get_close_matches(kind, SCHEMA_TYPES, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        yield path + ("type",), f'type "{kind}" is not one of {", ".join(SCHEMA_TYPES)}{hint}', "value"
    elif kind is None and not open_ended:
        where = {"root": "at the root", "field": "for a field", "item": "for array items"}[level]
        yield path, f"type must not be empty {where} (a structural schema names every type)", "key"
    if level == "root" and isinstance(kind, str) and kind != "object":
        yield path + ("type",), f'type must be "object" at the root, not "{kind}"', "value"
    properties = node.get("properties")
    extra = node.get("additionalProperties")
    if isinstance(properties, dict) and properties and extra is not None and extra is not True:
        yield path + ("additionalProperties",), "additionalProperties and properties are mutually exclusive", "key"
    if node.get("uniqueItems") is True:
        yield path + ("uniqueItems",), "uniqueItems cannot be true (its cost is quadratic)", "key"
    if node.get("x-kubernetes-preserve-unknown-fields") is False:
        yield path + ("x-kubernetes-preserve-unknown-fields",), "x-kubernetes-preserve-unknown-fields must be true or absent", "value"
    if kind == "array" and "items" not in node:
        yield path, "an array schema must specify items", "key"
    required = node.get("required")
    if isinstance(required, list) and not open_ended and extra in (None, False):
        declared = properties if isinstance(properties, dict) else {}
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in declared:
                close = difflib.get_close_matches(name, [k for k in declared if isinstance(k, str)], n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                yield path + ("required", index), f'required property "{name}" is not declared in properties{hint}', "value"
    if node.get("x-kubernetes-list-type") == "map":
        keys = node.get("x-kubernetes-list-map-keys")
        item_properties = as_dict(as_dict(node.get("items")).get("properties"))
        if not keys:
            yield path, "x-kubernetes-list-type map needs x-kubernetes-list-map-keys", "key"
        elif isinstance(keys, list):
            for index, key in enumerate(keys):
                if key not in item_properties:
                    yield path + ("x-kubernetes-list-map-keys", index), f'list map key "{key}" is not a property of the items', "value"
    if isinstance(properties, dict):
        for name, sub in properties.items():
            yield from _crd_schema_problems(sub, path + ("properties", name), "field", depth + 1)
    if isinstance(extra, dict):
        yield from _crd_schema_problems(extra, path + ("additionalProperties",), "field", depth + 1)
    if isinstance(node.get("items"), dict):
        yield from _crd_schema_problems(node["items"], path + ("items",), "item", depth + 1)


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


@rule(code="KL018", name="crd-schema-invalid", severity="error", category="schema", kinds={"CustomResourceDefinition"})
def crd_schema_invalid(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A CustomResourceDefinition's schema breaks a rule the API server enforces.

    Why: the API server refuses the CRD (or marks it NonStructuralSchema),
    so neither it nor any of its custom resources can be applied; and since
    the CRD's schema is also what kubelint checks the custom resources
    against, a broken one hides their mistakes.  Checked in each version's
    `openAPIV3Schema`: a `type` outside array, boolean, integer, number,
    object, string (`strign`); a node without a type where a structural
    schema needs one (every property and array item, unless
    `x-kubernetes-int-or-string` or `x-kubernetes-preserve-unknown-fields`);
    a root that is not an object; `$ref`; `properties` next to
    `additionalProperties`; `uniqueItems: true`;
    `x-kubernetes-preserve-unknown-fields: false`; an array without
    `items`; a list map without keys or with keys the items do not declare;
    and a `required` property that `properties` does not declare (pruning
    drops such a field, so no custom resource could ever be valid).
    Example:
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [size]
                      properties:
                        color: {type: strign}
    Use instead:
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [size]
                      properties:
                        color: {type: string}
                        size: {type: integer}
    Fix safety: no automatic fix; the schema is the API of the resource.
    References:
        https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go
    """
    if obj.api_version != "apiextensions.k8s.io/v1":
        return
    versions = as_dict(obj.data.get("spec")).get("versions")
    if not isinstance(versions, list):
        return  # (schema-invalid says so)
    for index, version in enumerate(versions):
        schema = as_dict(as_dict(version).get("schema")).get("openAPIV3Schema")
        if not isinstance(schema, dict):
            continue
        base = ("spec", "versions", index, "schema", "openAPIV3Schema")
        name = as_dict(version).get("name")
        for path, message, at in _crd_schema_problems(schema, base, "root"):
            yield Problem(path, f"version {name}: {message}", Fix("Correct the schema as the message says."), at=at)
