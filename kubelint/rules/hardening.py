"""Workload hardening beyond the Pod Security Standards.

These rules do not repeat a PSS control (privileged containers, host
namespaces, hostPath, capabilities, root users are the pss rules'); they cover
what the standards leave out and other scanners check: kube-score
(score/security/security.go: read-only root filesystem, user and group IDs
above 10000), Polaris (notReadOnlyRootFilesystem), kube-linter (docker-sock,
use-namespace) and the CIS Kubernetes Benchmark (5.1.6, service account tokens
only where needed).  The ones that need a judgement
about the workload are off by default.
"""

from __future__ import annotations

import posixpath
from typing import Iterator

from kubelint.model import Edit, Fix, K8sObject, Problem
from kubelint.references import STRICT_OPTION, lookup, strict
from kubelint.registry import rule
from kubelint.k8s.kinds import POD_KINDS, is_kind
from kubelint.k8s.pods import same_namespace
from kubelint.k8s.workloads import POD_CONTAINER_GROUPS, as_list, as_map, as_str, containers, deepest_mapping, is_windows, pod_spec


@rule(code="KL450", name="read-only-root-filesystem", severity="warning", category="hardening", kinds=POD_KINDS, fix="unsafe")
def read_only_root_filesystem(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container can write to its root filesystem.

    Why: with `readOnlyRootFilesystem: true` an attacker who gets code
    execution cannot drop tools or modify the application's binaries and
    configuration, and the container's state stays what the image says.
    Writable paths the application needs (/tmp, caches) become emptyDir
    volumes.  kube-score (container-security-context-readonlyrootfilesystem)
    and Polaris (notReadOnlyRootFilesystem) check the same.  Checked for
    regular and init containers; not for Windows pods, which cannot set it.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext: {readOnlyRootFilesystem: true}
              volumeMounts: [{name: tmp, mountPath: /tmp}]
          volumes:
            - {name: tmp, emptyDir: {}}
    Fix safety: unsafe: `--unsafe-fixes` sets readOnlyRootFilesystem: true;
    an application that writes outside its volumes fails until the paths it
    writes become emptyDir volumes (not added: kubelint cannot know them).
    References:
        https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
        https://github.com/zegl/kube-score/blob/master/score/security/security.go
    """
    pod = pod_spec(obj)
    if pod is None or is_windows(pod):
        return
    for c in containers(obj, POD_CONTAINER_GROUPS):
        fix = Fix("Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the container writes.",
                  "securityContext:\n  readOnlyRootFilesystem: true",
                  (Edit("set", c.path + ("securityContext", "readOnlyRootFilesystem"), True),))
        value = c.security_context.get("readOnlyRootFilesystem")
        if value is True:
            continue
        if value is None:
            yield Problem(deepest_mapping(c.spec, c.path, ("securityContext",)),
                          f"{c.label} has a writable root filesystem (readOnlyRootFilesystem is not set)", fix, at="parent")
        else:
            shown = "false" if value is False else repr(value)
            yield Problem(c.path + ("securityContext", "readOnlyRootFilesystem"),
                          f"{c.label} has a writable root filesystem (readOnlyRootFilesystem: {shown})", fix)


def _service_accounts(ctx) -> dict[str, list[tuple[str | None, dict]]]:
    """Name -> [(namespace, data)] of the ServiceAccounts of the run."""

    def build() -> dict:
        index: dict[str, list] = {}
        for o in ctx.objects:
            if is_kind(o, "ServiceAccount") and o.ref.name:
                index.setdefault(o.ref.name, []).append((o.ref.namespace, o.data))
        return index

    return ctx.memo(("hardening-service-accounts",), build)


def _bound_service_accounts(ctx) -> dict[str, set[str | None]]:
    """Name -> namespaces of the ServiceAccounts a RoleBinding or
    ClusterRoleBinding of the run grants permissions to."""

    def build() -> dict:
        bound: dict[str, set] = {}
        for o in ctx.objects:
            if not is_kind(o, "role-bindings"):
                continue
            for subject in as_list(o.data.get("subjects")):
                subject = as_map(subject)
                name, namespace = subject.get("name"), subject.get("namespace")
                if subject.get("kind") == "ServiceAccount" and isinstance(name, str):
                    # A RoleBinding's subject without a namespace means the binding's.
                    bound.setdefault(name, set()).add(namespace if isinstance(namespace, str) and namespace else o.ref.namespace)
        return bound

    return ctx.memo(("hardening-bound-service-accounts",), build)


@rule(
    code="KL451",
    name="automount-service-account-token",
    severity="info",
    category="hardening",
    enabled=False,
    kinds=POD_KINDS,
)
def automount_service_account_token(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod gets a service account token mounted that it may not need.  Off by default.

    Why: every container of a pod gets an API token at
    /var/run/secrets/kubernetes.io/serviceaccount unless the pod or its
    ServiceAccount sets `automountServiceAccountToken: false`; a workload
    that never calls the Kubernetes API only hands an attacker a credential.
    The pod's setting wins over the ServiceAccount's.  Not reported when the
    pod or its ServiceAccount (in the run) sets the field either way (true
    is a deliberate choice), or when a RoleBinding or ClusterRoleBinding of the run grants
    the ServiceAccount permissions (the workload uses the API).  CIS
    Kubernetes Benchmark 5.1.6 asks for the same.  Off by default: only you
    know whether the workload calls the API.
    Example:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              automountServiceAccountToken: false
              containers:
                - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix: a workload that calls the Kubernetes API (client
    libraries, operators, sidecars) fails without its token.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
    """
    pod = pod_spec(obj)
    if pod is None or pod.spec.get("automountServiceAccountToken") is not None:
        return
    name = as_str(pod.spec.get("serviceAccountName")) or as_str(pod.spec.get("serviceAccount")) or "default"
    namespace = obj.ref.namespace
    for sa_namespace, data in _service_accounts(ctx).get(name, ()):
        if same_namespace(namespace, sa_namespace) and data.get("automountServiceAccountToken") is not None:
            return
    if any(same_namespace(namespace, ns) for ns in _bound_service_accounts(ctx).get(name, ())):
        return
    yield Problem(
        pod.path,
        f'pod mounts the API token of service account "{name}" (automountServiceAccountToken is not set)',
        Fix("Set automountServiceAccountToken: false in the pod spec (or the ServiceAccount) if the workload does not call the Kubernetes API.",
            "automountServiceAccountToken: false"),
        at="parent",
    )


# Container runtime API sockets.  Whoever can connect to one can start a
# privileged container on the node; a read-only mount does not prevent
# connecting to a socket.
_RUNTIME_SOCKETS = {
    "docker.sock": "Docker",
    "containerd.sock": "containerd",
    "crio.sock": "CRI-O",
    "cri-dockerd.sock": "cri-dockerd",
    "dockershim.sock": "dockershim",
    "podman.sock": "Podman",
}
# Directories that hold those sockets at their standard places (/var/run is
# /run on current distributions).  "/" and "/var" hold them too but are a
# broader exposure, reported by pss-host-path.
_RUNTIME_DIRECTORIES = {
    "/run": "the container runtime sockets",
    "/run/containerd": "the containerd socket",
    "/run/crio": "the CRI-O socket",
    "/run/docker": "the Docker socket",
    "/run/k3s": "the k3s containerd socket",
    "/run/k3s/containerd": "the k3s containerd socket",
    "/run/podman": "the Podman socket",
    "/run/cri-dockerd": "the cri-dockerd socket",
}


def runtime_socket(path: str) -> str | None:
    """How a hostPath path exposes a runtime socket ("is the Docker socket",
    "holds the containerd socket"), or None.

    >>> runtime_socket("/var/run//docker.sock/")
    'is the Docker socket'
    """
    normal = posixpath.normpath("/" + path.strip().lstrip("/"))
    if normal == "/var/run" or normal.startswith("/var/run/"):
        normal = normal[len("/var") :]
    base = posixpath.basename(normal)
    if base in _RUNTIME_SOCKETS:
        return f"is the {_RUNTIME_SOCKETS[base]} socket"
    if normal in _RUNTIME_DIRECTORIES:
        return f"holds {_RUNTIME_DIRECTORIES[normal]}"
    return None


@rule(code="KL452", name="runtime-socket-mount", severity="error", category="hardening", kinds=POD_KINDS)
def runtime_socket_mount(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod mounts the container runtime socket (Docker, containerd, CRI-O) from the node.

    Why: whoever can talk to the runtime socket can start a privileged
    container with the node's root filesystem mounted: this is node
    takeover, whatever the pod's own security context or Pod Security
    level.  Mounting the socket read-only does not help; connecting to a
    socket is not a write.  Reported for hostPath volumes of
    /var/run/docker.sock, /run/containerd/containerd.sock,
    /var/run/crio/crio.sock (and cri-dockerd, dockershim, Podman, k3s
    sockets) and of the directories that hold them (/var/run, /run,
    /run/containerd, /var/run/crio, ...).  kube-linter's docker-sock check
    checks the Docker socket alone.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: ci}
        spec:
          containers:
            - name: ci
              image: "docker:27-cli"
              volumeMounts: [{name: docker, mountPath: /var/run/docker.sock}]
          volumes:
            - name: docker
              hostPath: {path: /var/run/docker.sock, type: Socket}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: ci}
        spec:
          containers:
            - name: ci
              image: "gcr.io/kaniko-project/executor:v1.23.2"
    Fix safety: no automatic fix; build images without a daemon (kaniko,
    buildkit rootless) or run the agent that needs the socket as a
    deliberately privileged, isolated node component.
    References: https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    """
    pod = pod_spec(obj)
    if pod is None:
        return
    for index, volume in enumerate(as_list(pod.spec.get("volumes"))):
        volume = as_map(volume)
        host = as_str(as_map(volume.get("hostPath")).get("path"))
        exposed = runtime_socket(host) if host else None
        if exposed:
            yield Problem(
                pod.path + ("volumes", index, "hostPath", "path"),
                f'volume "{as_str(volume.get("name"))}" mounts host path "{host}", which {exposed}: control of the node',
                Fix("Remove the hostPath volume; build images without a daemon, or isolate the agent that needs the runtime API."),
            )


def _namespaced_custom_kinds(ctx) -> frozenset[tuple[str, str]]:
    """(group, kind) of the custom resources whose CRD (in the run) is Namespaced."""

    def build() -> frozenset:
        found = set()
        for o in ctx.objects:
            if not is_kind(o, "CustomResourceDefinition"):
                continue
            spec = as_map(o.data.get("spec"))
            kind = as_map(spec.get("names")).get("kind")
            if spec.get("scope") == "Namespaced" and isinstance(kind, str) and isinstance(spec.get("group"), str):
                found.add((spec["group"], kind))
        return frozenset(found)

    return ctx.memo(("hardening-namespaced-custom-kinds",), build)


@rule(code="KL453", name="default-namespace", severity="info", category="hardening", enabled=False)
def default_namespace(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A namespaced object has no namespace or uses the `default` namespace.  Off by default.

    Why: the `default` namespace is where everything lands by accident; it
    usually has no Pod Security labels, ResourceQuota or NetworkPolicies,
    and its `default` ServiceAccount is shared by whatever runs there.
    Putting each application in its own namespace scopes RBAC, quotas and
    network policies to it.  An object without `metadata.namespace` goes to
    the namespace of the kubectl context (often `default`).  Cluster-scoped
    kinds (Namespace, ClusterRole, ClusterRoleBinding, CRDs, StorageClass,
    PersistentVolume, ...) are exempt; custom resources are checked when
    their CRD is in the run.  Off by default: Helm, Kustomize and `kubectl
    -n` set the namespace at deploy time, so manifests rightly leave it out.
    Example:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: default}
        data: {mode: prod}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: shop}
        data: {mode: prod}
    Fix safety: no automatic fix; choose the application's namespace.
    References: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
    """
    if not is_kind(obj, "namespaced") and (obj.group, obj.kind) not in _namespaced_custom_kinds(ctx):
        return
    metadata = obj.data.get("metadata")
    namespace = as_map(metadata).get("namespace")
    fix = Fix("Set metadata.namespace to the application's own namespace.", "metadata:\n  namespace: <app namespace>")
    unset = "(it goes to the kubectl context's, often \"default\")"
    if namespace == "default":
        yield Problem(("metadata", "namespace"), 'object is in the "default" namespace', fix)
    elif isinstance(metadata, dict) and "namespace" in metadata and not namespace:
        yield Problem(("metadata", "namespace"), f"object has an empty namespace {unset}", fix)
    elif not namespace:
        path = ("metadata",) if isinstance(metadata, dict) else ()
        yield Problem(path, f"object has no namespace {unset}", fix, at="parent")


@rule(
    code="KL454",
    name="run-as-high-uid",
    severity="info",
    category="hardening",
    enabled=False,
    kinds=POD_KINDS,
    options={
        "min-id": {
            "type": "integer",
            "minimum": 1,
            "default": 10000,
            "description": "Lowest user and group ID considered safe from collisions with the node's users.",
        }
    },
)
def run_as_high_uid(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container runs with a user or group ID below 10000.  Off by default.

    Why: without user namespaces a container's UID is the node's UID; a low
    one (1000, 999, 101) usually belongs to a real user or service on the
    node, whose files an escaped process could then read or change.  kube-score
    (container-security-context-user-group-id) asks for IDs above 10000.
    Only IDs the manifest sets are checked (an unset ID comes from the
    image); UID 0 is pss-run-as-user's, GID 0 (the root group) is reported
    here.  Pods with `hostUsers: false` and Windows pods are exempt.  Off by
    default: many images own their files as a fixed low UID (nginx 101,
    Bitnami 1001) and changing it breaks them; turn it on as defence in depth
    for clusters without user namespaces.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext: {runAsUser: 1000, runAsGroup: 1000}
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext: {runAsUser: 10001, runAsGroup: 10001}
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix (the ID is yours to choose): files in the
    image owned by the old UID become unreadable to the process.
    References:
        https://github.com/zegl/kube-score/blob/master/score/security/security.go
        https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/
    """
    pod = pod_spec(obj)
    if pod is None or pod.spec.get("hostUsers") is False or is_windows(pod):
        return
    low = ctx.options.get("min-id") or 10000
    pod_context = as_map(pod.spec.get("securityContext"))
    for field, what, smallest in (("runAsUser", "user", 1), ("runAsGroup", "group", 0)):
        fix = Fix(f"Set {field} to an ID of {low} or more that the image can run as.", f"securityContext:\n  {field}: <id >= {low}>")
        inherited = False
        for c in containers(obj):
            value = c.security_context.get(field)
            if value is None:
                inherited = True
            elif type(value) is int and smallest <= value < low:
                yield Problem(c.path + ("securityContext", field), f"{c.label} runs with {what} ID {value}, below {low}", fix)
        value = pod_context.get(field)
        if inherited and type(value) is int and smallest <= value < low:
            yield Problem(pod.path + ("securityContext", field), f"pod runs with {what} ID {value}, below {low}", fix)


def _service_account_field(obj: K8sObject) -> tuple[str, tuple] | None:
    """(name, path) of the ServiceAccount a pod names: serviceAccountName,
    else the deprecated serviceAccount (the API copies one into the other)."""
    pod = pod_spec(obj)
    if pod is None:
        return None
    for field in ("serviceAccountName", "serviceAccount"):
        name = pod.spec.get(field)
        if isinstance(name, str) and name:
            return name, pod.path + (field,)
    return None


@rule(
    code="KL455", name="service-account-unknown", severity="warning", category="hardening",
    kinds=POD_KINDS, options=STRICT_OPTION,
)
def service_account_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod names a ServiceAccount the run does not define.

    Why: the API server refuses to create a pod whose ServiceAccount does
    not exist (the ServiceAccount admission plugin), so a Deployment's
    ReplicaSet keeps failing with `serviceaccount "x" not found` while the
    Deployment itself was accepted.  kube-linter
    (`non-existent-service-account`) checks the same.  Reported only when
    the run defines ServiceAccounts surely in the pod's namespace (see
    kubelint.references), with the nearest name, unless `strict` is set;
    `default` exists in every namespace.
    Example:
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: catalog}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          serviceAccountName: catalog-reader
          containers: [{name: web, image: "nginx:1.27"}]
    Use instead:
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: catalog}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          serviceAccountName: catalog
          containers: [{name: web, image: "nginx:1.27"}]
    Fix safety: no automatic fix; the "did you mean" name is a guess.
    References:
        https://kubernetes.io/docs/concepts/security/service-accounts/#assign-to-pod
        https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount
    """
    field = _service_account_field(obj)
    if field is None or field[0] == "default":
        return
    name, path = field
    found = lookup(ctx, obj, ("ServiceAccount",), name)
    if found.missing(strict(ctx)):
        yield Problem(
            path,
            f'ServiceAccount "{name}" is not defined in the run{found.hint(name)}: the pods will not be created',
            Fix("Name an existing ServiceAccount, or add it to the manifests."),
        )


@rule(code="KL456", name="service-account-field-deprecated", severity="warning", category="hardening", kinds=POD_KINDS, fix="safe")
def service_account_field_deprecated(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod spec uses the deprecated `serviceAccount` field.

    Why: `serviceAccount` is a deprecated alias of `serviceAccountName`
    ("DeprecatedServiceAccount: Deprecated: Use serviceAccountName
    instead", core/v1 PodSpec).  When both are set and differ, the API
    server rejects the pod; tools and people reading the manifest look at
    `serviceAccountName`.  kube-linter (`deprecated-service-account-field`)
    checks the same.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          serviceAccount: web
          containers: [{name: web, image: "nginx:1.27"}]
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          serviceAccountName: web
          containers: [{name: web, image: "nginx:1.27"}]
    Fix safety: safe; the API server treats both fields as one.
    References: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security
    """
    pod = pod_spec(obj)
    if pod is None or "serviceAccount" not in pod.spec:
        return
    name, current = pod.spec.get("serviceAccount"), pod.spec.get("serviceAccountName")
    path = pod.path + ("serviceAccount",)
    if current is None:
        edits = [Edit("rename", path, "serviceAccountName")]
        title = "Rename serviceAccount to serviceAccountName."
    elif current == name:
        edits, title = [Edit("remove", path)], "Remove serviceAccount; serviceAccountName says the same."
    else:
        edits, title = [], "Remove serviceAccount and keep the intended serviceAccountName."
    yield Problem(path, f'the deprecated serviceAccount field is set ("{name}"); use serviceAccountName', Fix(title, edits=edits, safety=None if edits else "none"), at="key")
