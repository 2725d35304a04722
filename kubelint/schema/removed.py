"""API versions that Kubernetes deprecated and stopped serving.

The table follows the Deprecated API Migration Guide,
https://kubernetes.io/docs/reference/using-api/deprecation-guide/ ("Removed APIs by
release"), whose latest section, as read for this table, is v1.32.  Each entry cites
its section.  The guide gives removals; `deprecated_in` comes from the API types'
`+k8s:prerelease-lifecycle-gen` tags (zz_generated.prerelease-lifecycle.go in
k8s.io/api), which also drive the API server's warning "<apiVersion> <Kind> is
deprecated in v1.X+, unavailable in v1.Y+".  Without a tag, a beta API is deprecated
three minor releases after it was introduced and removed three after that.  Only
entries removed after 1.25 depend on it: every older removal is "removed" in all
the versions kubelint supports.

Removals after v1.32 are not in the guide yet; the entries at the end come from the
bundled upstream OpenAPI definitions (a kind served in 1.N-1 and gone in 1.N;
tests/test_schema.py checks every entry from 1.26 on against them).  Alpha APIs are
left out: they are off by default and removed without deprecation.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubelint.schema.versions import as_tuple


@dataclass(frozen=True, slots=True)
class ApiChange:
    api_version: str  # e.g. "extensions/v1beta1"
    kind: str  # e.g. "Deployment"
    deprecated_in: str | None  # e.g. "1.9"
    removed_in: str  # e.g. "1.16"
    replacement: str | None  # e.g. "apps/v1"; None when the API is gone for good
    notes: str  # what changes besides apiVersion; "" when nothing notable


def _changes(api_versions: tuple[str, ...], kinds: tuple[str, ...], deprecated_in: str | None,
             removed_in: str, replacement: str | None, notes: str = "") -> list[ApiChange]:
    return [ApiChange(av, kind, deprecated_in, removed_in, replacement, notes)
            for av in api_versions for kind in kinds]


_SELECTOR_REQUIRED = ("spec.selector is now required and immutable after creation "
                      "(use the existing template labels as the selector)")
_DAEMONSET = ("spec.templateGeneration is removed; " + _SELECTOR_REQUIRED
              + "; spec.updateStrategy.type now defaults to RollingUpdate (extensions/v1beta1: OnDelete)")
_DEPLOYMENT = ("spec.rollbackTo is removed; " + _SELECTOR_REQUIRED
               + "; spec.progressDeadlineSeconds now defaults to 600; spec.revisionHistoryLimit now defaults to 10; "
               "maxSurge and maxUnavailable now default to 25%")
_STATEFULSET = _SELECTOR_REQUIRED + "; spec.updateStrategy.type now defaults to RollingUpdate (apps/v1beta1: OnDelete)"
_INGRESS = ("spec.backend is renamed to spec.defaultBackend; backend serviceName becomes service.name; a numeric "
            "servicePort becomes service.port.number and a named one service.port.name; pathType is required "
            "for each path (ImplementationSpecific matches the old behaviour)")

CHANGES: tuple[ApiChange, ...] = tuple([
    # --- v1.16: guide section "v1.16" ------------------------------------------
    # "NetworkPolicy": extensions/v1beta1 -> networking.k8s.io/v1 (available since v1.8).
    *_changes(("extensions/v1beta1",), ("NetworkPolicy",), "1.9", "1.16", "networking.k8s.io/v1"),
    # "PodSecurityPolicy": extensions/v1beta1 -> policy/v1beta1 (since v1.10), itself
    # removed in v1.25 with no replacement (see below).
    *_changes(("extensions/v1beta1",), ("PodSecurityPolicy",), "1.11", "1.16", None,
              "policy/v1beta1 replaced it until v1.25, when PodSecurityPolicy was removed; "
              "use Pod Security Admission or a third-party admission webhook"),
    # "DaemonSet": extensions/v1beta1 and apps/v1beta2 -> apps/v1 (since v1.9).
    # extensions/v1beta1 was deprecated in 1.8 and apps/v1beta1 in 1.8 (both for
    # apps/v1beta2), apps/v1beta2 in 1.9 (for apps/v1).
    *_changes(("extensions/v1beta1",), ("DaemonSet",), "1.8", "1.16", "apps/v1", _DAEMONSET),
    *_changes(("apps/v1beta2",), ("DaemonSet",), "1.9", "1.16", "apps/v1", _DAEMONSET),
    # "Deployment": extensions/v1beta1, apps/v1beta1 and apps/v1beta2 -> apps/v1 (since v1.9).
    *_changes(("extensions/v1beta1", "apps/v1beta1"), ("Deployment",), "1.8", "1.16", "apps/v1", _DEPLOYMENT),
    *_changes(("apps/v1beta2",), ("Deployment",), "1.9", "1.16", "apps/v1", _DEPLOYMENT),
    # "StatefulSet": apps/v1beta1 and apps/v1beta2 -> apps/v1 (since v1.9).
    *_changes(("apps/v1beta1",), ("StatefulSet",), "1.8", "1.16", "apps/v1", _STATEFULSET),
    *_changes(("apps/v1beta2",), ("StatefulSet",), "1.9", "1.16", "apps/v1", _STATEFULSET),
    # "ReplicaSet": extensions/v1beta1, apps/v1beta1 and apps/v1beta2 -> apps/v1 (since v1.9).
    *_changes(("extensions/v1beta1", "apps/v1beta1"), ("ReplicaSet",), "1.8", "1.16", "apps/v1", _SELECTOR_REQUIRED),
    *_changes(("apps/v1beta2",), ("ReplicaSet",), "1.9", "1.16", "apps/v1", _SELECTOR_REQUIRED),

    # --- v1.22: guide section "v1.22" ------------------------------------------
    # "Webhook resources": admissionregistration.k8s.io/v1beta1 -> v1 (since v1.16).
    *_changes(("admissionregistration.k8s.io/v1beta1",),
              ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "1.16", "1.22",
              "admissionregistration.k8s.io/v1",
              "webhooks[*].failurePolicy defaults to Fail (was Ignore); webhooks[*].matchPolicy defaults to "
              "Equivalent (was Exact); webhooks[*].timeoutSeconds defaults to 10s (was 30s); "
              "webhooks[*].sideEffects is required and must be None or NoneOnDryRun; "
              "webhooks[*].admissionReviewVersions is required; webhooks[*].name must be unique"),
    # "CustomResourceDefinition": apiextensions.k8s.io/v1beta1 -> v1 (since v1.16).
    *_changes(("apiextensions.k8s.io/v1beta1",), ("CustomResourceDefinition",), "1.16", "1.22",
              "apiextensions.k8s.io/v1",
              "spec.scope must be set; spec.version, spec.validation, spec.subresources and "
              "spec.additionalPrinterColumns move into spec.versions[*]; spec.conversion.webhookClientConfig "
              "moves to spec.conversion.webhook.clientConfig; spec.versions[*].schema.openAPIV3Schema is required "
              "and must be structural; spec.preserveUnknownFields: true is not allowed (use "
              "x-kubernetes-preserve-unknown-fields in the schema); additionalPrinterColumns JSONPath is now jsonPath"),
    # "APIService": apiregistration.k8s.io/v1beta1 -> v1 (since v1.10).
    *_changes(("apiregistration.k8s.io/v1beta1",), ("APIService",), "1.19", "1.22", "apiregistration.k8s.io/v1"),
    # "TokenReview": authentication.k8s.io/v1beta1 -> v1 (since v1.6).
    *_changes(("authentication.k8s.io/v1beta1",), ("TokenReview",), "1.19", "1.22", "authentication.k8s.io/v1"),
    # "SubjectAccessReview resources": authorization.k8s.io/v1beta1 -> v1 (since v1.6).
    *_changes(("authorization.k8s.io/v1beta1",),
              ("LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectRulesReview"),
              "1.19", "1.22", "authorization.k8s.io/v1", "spec.group is renamed to spec.groups"),
    # "CertificateSigningRequest": certificates.k8s.io/v1beta1 -> v1 (since v1.19).
    *_changes(("certificates.k8s.io/v1beta1",), ("CertificateSigningRequest",), "1.19", "1.22",
              "certificates.k8s.io/v1",
              "spec.signerName is required (kubernetes.io/legacy-unknown is not allowed); spec.usages is required "
              "and may only hold known, distinct usages"),
    # "Lease": coordination.k8s.io/v1beta1 -> v1 (since v1.14).
    *_changes(("coordination.k8s.io/v1beta1",), ("Lease",), "1.19", "1.22", "coordination.k8s.io/v1"),
    # "Ingress": extensions/v1beta1 and networking.k8s.io/v1beta1 -> networking.k8s.io/v1 (since v1.19).
    *_changes(("extensions/v1beta1",), ("Ingress",), "1.14", "1.22", "networking.k8s.io/v1", _INGRESS),
    *_changes(("networking.k8s.io/v1beta1",), ("Ingress",), "1.19", "1.22", "networking.k8s.io/v1", _INGRESS),
    # "IngressClass": networking.k8s.io/v1beta1 -> v1 (since v1.19).
    *_changes(("networking.k8s.io/v1beta1",), ("IngressClass",), "1.19", "1.22", "networking.k8s.io/v1"),
    # "RBAC resources": rbac.authorization.k8s.io/v1beta1 -> v1 (since v1.8).
    *_changes(("rbac.authorization.k8s.io/v1beta1",), ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
              "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    # "PriorityClass": scheduling.k8s.io/v1beta1 -> v1 (since v1.14).
    *_changes(("scheduling.k8s.io/v1beta1",), ("PriorityClass",), "1.14", "1.22", "scheduling.k8s.io/v1"),
    # "Storage resources": storage.k8s.io/v1beta1 -> v1 (CSIDriver since v1.19, CSINode
    # since v1.17, StorageClass since v1.6, VolumeAttachment since v1.13).
    *_changes(("storage.k8s.io/v1beta1",), ("CSINode",), "1.17", "1.22", "storage.k8s.io/v1"),
    *_changes(("storage.k8s.io/v1beta1",), ("CSIDriver", "StorageClass", "VolumeAttachment"), "1.19", "1.22",
              "storage.k8s.io/v1"),

    # --- v1.25: guide section "v1.25" ------------------------------------------
    # "CronJob": batch/v1beta1 -> batch/v1 (since v1.21).
    *_changes(("batch/v1beta1",), ("CronJob",), "1.21", "1.25", "batch/v1"),
    # "EndpointSlice": discovery.k8s.io/v1beta1 -> v1 (since v1.21).
    *_changes(("discovery.k8s.io/v1beta1",), ("EndpointSlice",), "1.21", "1.25", "discovery.k8s.io/v1",
              'use endpoints[*].nodeName instead of topology["kubernetes.io/hostname"] and endpoints[*].zone '
              'instead of topology["topology.kubernetes.io/zone"]; topology becomes deprecatedTopology, '
              "which is not writable"),
    # "Event": events.k8s.io/v1beta1 -> v1 (since v1.19).
    *_changes(("events.k8s.io/v1beta1",), ("Event",), "1.22", "1.25", "events.k8s.io/v1",
              "type is Normal or Warning; involvedObject is renamed to regarding; action, reason, "
              "reportingController and reportingInstance are required for new events; "
              "use eventTime, series.lastObservedTime "
              "and series.count instead of firstTimestamp, lastTimestamp and count"),
    # "HorizontalPodAutoscaler": autoscaling/v2beta1 -> autoscaling/v2 (since v1.23).
    *_changes(("autoscaling/v2beta1",), ("HorizontalPodAutoscaler",), "1.22", "1.25", "autoscaling/v2",
              "targetAverageUtilization is replaced with target.averageUtilization and target.type: Utilization"),
    # "PodDisruptionBudget": policy/v1beta1 -> policy/v1 (since v1.21).
    *_changes(("policy/v1beta1",), ("PodDisruptionBudget",), "1.21", "1.25", "policy/v1",
              "an empty spec.selector ({}) now selects every pod in the namespace (policy/v1beta1 selected none)"),
    # "PodSecurityPolicy": policy/v1beta1, no replacement.
    *_changes(("policy/v1beta1",), ("PodSecurityPolicy",), "1.21", "1.25", None,
              "PodSecurityPolicy is gone; use Pod Security Admission or a third-party admission webhook"),
    # "RuntimeClass": node.k8s.io/v1beta1 -> v1 (since v1.20).
    *_changes(("node.k8s.io/v1beta1",), ("RuntimeClass",), "1.22", "1.25", "node.k8s.io/v1"),

    # --- v1.26: guide section "v1.26" ------------------------------------------
    # "Flow control resources": flowcontrol.apiserver.k8s.io/v1beta1 -> v1beta2 (since
    # v1.23) or v1beta3 (since v1.26); v1 (since v1.29) is the one still served today.
    *_changes(("flowcontrol.apiserver.k8s.io/v1beta1",), ("FlowSchema", "PriorityLevelConfiguration"),
              "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1",
              "before v1.29 use flowcontrol.apiserver.k8s.io/v1beta3 (v1.26+) or v1beta2 (v1.23+)"),
    # "HorizontalPodAutoscaler": autoscaling/v2beta2 -> autoscaling/v2 (since v1.23).
    # v2beta2 already has the metric `target` blocks of v2, so the fields stay as they are.
    *_changes(("autoscaling/v2beta2",), ("HorizontalPodAutoscaler",), "1.23", "1.26", "autoscaling/v2"),

    # --- v1.27: guide section "v1.27" ------------------------------------------
    # "CSIStorageCapacity": storage.k8s.io/v1beta1 -> v1 (since v1.24).
    *_changes(("storage.k8s.io/v1beta1",), ("CSIStorageCapacity",), "1.24", "1.27", "storage.k8s.io/v1"),

    # --- v1.29: guide section "v1.29" ------------------------------------------
    # "Flow control resources": flowcontrol.apiserver.k8s.io/v1beta2 -> v1 (since v1.29)
    # or v1beta3 (since v1.26).
    *_changes(("flowcontrol.apiserver.k8s.io/v1beta2",), ("FlowSchema", "PriorityLevelConfiguration"),
              "1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1",
              "PriorityLevelConfiguration spec.limited.assuredConcurrencyShares is renamed to "
              "spec.limited.nominalConcurrencyShares, which defaults to 30 only when unset (an explicit 0 stays 0)"),

    # --- v1.32: guide section "v1.32" ------------------------------------------
    # "Flow control resources": flowcontrol.apiserver.k8s.io/v1beta3 -> v1 (since v1.29).
    *_changes(("flowcontrol.apiserver.k8s.io/v1beta3",), ("FlowSchema", "PriorityLevelConfiguration"),
              "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1",
              "PriorityLevelConfiguration spec.limited.nominalConcurrencyShares defaults to 30 only when unset "
              "(an explicit 0 stays 0)"),

    # --- after v1.32: not in the guide; from the bundled upstream OpenAPI ---------
    # Beta lifecycle default (introduced + 3 = deprecated, + 6 = removed) matches each.
    # authentication.k8s.io/v1beta1 SelfSubjectReview: beta in v1.27, v1 since v1.28.
    *_changes(("authentication.k8s.io/v1beta1",), ("SelfSubjectReview",), "1.30", "1.33", "authentication.k8s.io/v1"),
    # admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy(Binding): beta in
    # v1.28, v1 since v1.30.
    *_changes(("admissionregistration.k8s.io/v1beta1",),
              ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"), "1.31", "1.34",
              "admissionregistration.k8s.io/v1"),
    # networking.k8s.io/v1beta1 IPAddress and ServiceCIDR: beta in v1.31, v1 since v1.33.
    *_changes(("networking.k8s.io/v1beta1",), ("IPAddress", "ServiceCIDR"), "1.34", "1.37", "networking.k8s.io/v1"),
    # storage.k8s.io/v1beta1 VolumeAttributesClass: beta in v1.31, v1 since v1.34.
    *_changes(("storage.k8s.io/v1beta1",), ("VolumeAttributesClass",), "1.34", "1.37", "storage.k8s.io/v1"),
])

_BY_KEY = {(c.api_version, c.kind): c for c in CHANGES}


def lookup(api_version: str, kind: str) -> ApiChange | None:
    """The deprecation or removal of (api_version, kind), whatever the target version."""
    return _BY_KEY.get((api_version, kind))


def status(api_version: str, kind: str, version: str) -> tuple[str, ApiChange] | None:
    """("removed", change) when `version` no longer serves (api_version, kind);
    ("deprecated", change) when it serves it with a deprecation warning; else None."""
    change = _BY_KEY.get((api_version, kind))
    if change is None:
        return None
    target = as_tuple(version)
    if target >= as_tuple(change.removed_in):
        return "removed", change
    if change.deprecated_in is not None and target >= as_tuple(change.deprecated_in):
        return "deprecated", change
    return None
