"""The syntax of names, label keys and values, and port names.

Ported from k8s.io/apimachinery pkg/util/validation/validation.go
(IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsValidPortName,
IsQualifiedName, IsValidLabelValue), pkg/api/validate/content and
pkg/api/validation/path (IsValidPathSegmentName).  Each `*_error` function
returns why a value is invalid, as the API server words it, or None.
`name_rule` says which of them the API server applies to an object's name.
"""

from __future__ import annotations

import re
from typing import Any

from kubelint.k8s.kinds import BUILTIN_GROUPS

_DNS1123_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL_RE = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_NAME_RE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PORT_NAME_RE = re.compile(r"[-a-z0-9]+")

_LABEL_SYNTAX = "lower case letters, digits and '-', starting and ending with a letter or digit"
_SUBDOMAIN_SYNTAX = "lower case letters, digits, '-' and '.', starting and ending with a letter or digit"
_LABEL_NAME_SYNTAX = "letters, digits, '-', '_' or '.', starting and ending with a letter or digit"

def dns1123_label_error(value: str) -> str | None:
    """Why `value` is not a DNS-1123 label (IsDNS1123Label), or None."""
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            return "must not contain dots"
        return f"must consist of {_LABEL_SYNTAX}"
    return None


def dns1123_subdomain_error(value: str) -> str | None:
    """Why `value` is not a DNS-1123 subdomain (IsDNS1123Subdomain), or None."""
    if len(value) > 253:
        return "must be no more than 253 characters"
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        return f"must consist of {_SUBDOMAIN_SYNTAX}"
    return None


def dns1035_label_error(value: str) -> str | None:
    """Why `value` is not a DNS-1035 label (IsDNS1035Label), or None."""
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _DNS1035_LABEL_RE.fullmatch(value):
        return "must consist of lower case letters, digits and '-', start with a letter and end with a letter or digit"
    return None


def path_segment_error(value: str) -> str | None:
    """Why `value` cannot be a name in a URL path (IsValidPathSegmentName), or None."""
    if value in (".", ".."):
        return f"may not be '{value}'"
    bad = [c for c in "/%" if c in value]
    if bad:
        return "may not contain " + " or ".join(f"'{c}'" for c in bad)
    return None


def port_name_error(value: str) -> str | None:
    """Why `value` is not an IANA_SVC_NAME (IsValidPortName), or None."""
    errors = []
    if len(value) > 15:
        errors.append("must be no more than 15 characters")
    if not _PORT_NAME_RE.fullmatch(value):
        errors.append("must contain only lower case letters, digits and '-'")
    if not re.search(r"[a-z]", value):
        errors.append("must contain at least one letter")
    if "--" in value:
        errors.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        errors.append("must not begin or end with a hyphen")
    return "; ".join(errors) or None


def label_key_error(key: str) -> str | None:
    """Why `key` is not a qualified name (content.IsLabelKey), or None."""
    parts = key.split("/")
    if len(parts) > 2:
        return "must be a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/my-name')"
    errors = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must not be empty")
        else:
            reason = dns1123_subdomain_error(prefix)
            if reason:
                errors.append(f"prefix part {reason}")
    if not name:
        errors.append("name part must not be empty")
    else:
        if len(name) > 63:
            errors.append("name part must be no more than 63 characters")
        if not _LABEL_NAME_RE.fullmatch(name):
            errors.append(f"name part must consist of {_LABEL_NAME_SYNTAX}")
    return "; ".join(errors) or None


def label_value_error(value: str) -> str | None:
    """Why `value` is not a label value (content.IsLabelValue), or None."""
    errors = []
    if len(value) > 63:
        errors.append("must be no more than 63 characters")
    if value and not _LABEL_NAME_RE.fullmatch(value):
        errors.append(f"must be empty or consist of {_LABEL_NAME_SYNTAX}")
    return "; ".join(errors) or None


def is_port_name(value: Any) -> bool:
    """A string that is a valid port name (IANA_SVC_NAME): what a named
    `port`/`targetPort` must be to refer to a container port."""
    return isinstance(value, str) and port_name_error(value) is None


def key_text(key: Any) -> str | None:
    """A mapping key as the JSON the API server receives names it (YAML
    `1:` or `true:` keys become the strings "1" and "true"), or None."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, str)):
        return str(key)
    return None


def label_value(value: Any) -> str | None:
    """A label or selector value as kubelint reads it, or None if it cannot be
    one.  A YAML boolean or number (`version: 1`) is read as its text, which
    is what the author meant; the schema stage reports that it is not a
    string.  Strict readers (what the API server accepts) take only str."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


# ---------------------------------------------------------------------------
# Which name rule applies to which kind (the Validate<Kind>Name functions).

# Documents that are request bodies or component configuration files, never
# stored objects with a name: reviews, kubeconfig, kubelet/kubeadm/audit config.
_NOT_STORED_GROUPS = frozenset(
    {
        "authentication.k8s.io", "authorization.k8s.io", "imagepolicy.k8s.io", "audit.k8s.io",
        "kubeadm.k8s.io", "apiserver.k8s.io", "client.authentication.k8s.io",
        "abac.authorization.kubernetes.io",
        # Tool configuration that borrows the manifest shape.
        "eksctl.io", "kind.x-k8s.io", "k3d.io", "ctlptl.dev", "kuttl.dev", "chainsaw.kyverno.io",
        "cli.kyverno.io", "kwok.x-k8s.io",
    }
)
_NOT_STORED_CORE_KINDS = frozenset({"Config", "Status", "DeleteOptions", "WatchEvent", "Binding"})
# Aggregated API servers with their own name rules (OpenShift's ImageStreamTag
# is "name:tag", its Identity "provider:user"), and read-only metrics APIs.
_AGGREGATED_GROUP_SUFFIXES = (".openshift.io", "metrics.k8s.io")

# Kinds whose validation uses NameIsDNSSubdomain (validation.go: ValidatePodName,
# ValidateSecretName, ...; apps, batch, networking, policy, storage, ...).
_SUBDOMAIN_KINDS = frozenset(
    [("", k) for k in ("Pod", "ReplicationController", "Secret", "ConfigMap", "Endpoints", "LimitRange",
                       "ResourceQuota", "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim",
                       "Node", "PodTemplate")]
    + [("apps", k) for k in ("Deployment", "ReplicaSet", "DaemonSet", "ControllerRevision")]
    + [("batch", "Job"), ("batch", "CronJob")]
    + [("networking.k8s.io", k) for k in ("Ingress", "IngressClass", "NetworkPolicy")]
    + [("policy", "PodDisruptionBudget")]
    + [("storage.k8s.io", k) for k in ("StorageClass", "VolumeAttachment", "CSIDriver")]
    + [("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"),
       ("discovery.k8s.io", "EndpointSlice"), ("apiextensions.k8s.io", "CustomResourceDefinition")]
    + [("admissionregistration.k8s.io", k) for k in ("ValidatingWebhookConfiguration",
                                                       "MutatingWebhookConfiguration",
                                                       "ValidatingAdmissionPolicy",
                                                       "ValidatingAdmissionPolicyBinding")]
)
RBAC_GROUP = "rbac.authorization.k8s.io"
_RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})


def not_stored(group: str, kind: str) -> bool:
    """A document that is never stored with a name (a request body or a
    component's configuration file)."""
    return (
        group in _NOT_STORED_GROUPS
        or group.endswith("config.k8s.io")
        or (group == "" and kind in _NOT_STORED_CORE_KINDS)
    )


def name_rule(group: str, kind: str, version: tuple[int, int]) -> tuple[str, Any] | None:
    """(description, checker) of the name syntax the API server enforces for a
    kind, or None when kubelint does not know it (then only the URL path rule,
    which every stored object must meet, applies)."""
    if (group, kind) == ("", "Namespace"):
        return "DNS-1123 label", dns1123_label_error  # ValidateNamespaceName = NameIsDNSLabel
    if (group, kind) == ("", "Service"):
        return "DNS-1035 label", dns1035_label_error  # ValidateServiceName = NameIsDNS1035Label
    if (group, kind) == ("apps", "StatefulSet"):
        # ValidateStatefulSetName became NameIsDNSLabel in 1.26 (kubernetes#114172):
        # the pods' hostnames are the StatefulSet name plus an ordinal.
        if version >= (1, 26):
            return "DNS-1123 label", dns1123_label_error
        return "DNS-1123 subdomain", dns1123_subdomain_error
    if (group, kind) in _SUBDOMAIN_KINDS:
        return "DNS-1123 subdomain", dns1123_subdomain_error
    if (
        group not in BUILTIN_GROUPS
        and "." in group
        and not group.endswith(_AGGREGATED_GROUP_SUFFIXES)
        and not not_stored(group, kind)
    ):
        # Custom resources: the apiextensions apiserver validates names with
        # NameIsDNSSubdomain (customResourceStrategy.Validate).
        return "DNS-1123 subdomain", dns1123_subdomain_error
    return None


def name_required(group: str, kind: str) -> bool:
    """Whether the API server requires metadata.name (or generateName) for a
    kind kubelint knows the name rule of."""
    return (
        (group, kind) in _SUBDOMAIN_KINDS
        or (group, kind) in {("", "Namespace"), ("", "Service"), ("apps", "StatefulSet")}
        or (group == RBAC_GROUP and kind in _RBAC_KINDS)
    )
