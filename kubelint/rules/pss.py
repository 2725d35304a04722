"""Pod Security Standards: one rule per control of the Baseline and Restricted profiles.

The controls are those of https://kubernetes.io/docs/concepts/security/pod-security-standards/
as Pod Security Admission (PSA) implements them: kubernetes/kubernetes
staging/src/k8s.io/pod-security-admission/policy/check_*.go.  Where the page and
the code differ, the code wins, because it decides what a cluster admits:

- Every check visits init, regular and ephemeral containers (policy/visitor.go).
- Each check has versioned revisions (`MinimumVersion`); the policy version is
  the namespace's `pod-security.kubernetes.io/enforce-version`, or the cluster's
  version for `latest`, and a pinned version newer than the cluster is clamped
  to it (policy/registry.go).  The revisions kubelint follows: sysctls gain
  entries at 1.27, 1.29, 1.32 and 1.37; SELinux type `container_engine_t` from
  1.31; probe and lifecycle `host` forbidden from 1.34; seccomp fields from
  1.19 (annotations before); allowPrivilegeEscalation from 1.8; Restricted
  capabilities from 1.22; runAsUser from 1.23; Windows pods (`spec.os.name:
  windows`) exempt from allowPrivilegeEscalation, Restricted seccomp and
  Restricted capabilities from 1.25; user-namespace pods (`hostUsers: false`)
  exempt from runAsNonRoot and runAsUser, and from the Baseline procMount check,
  from 1.35 (the Restricted procMount check still applies).
- Two behaviours are not versioned in PSA and follow the cluster version
  instead: `image` volumes pass Restricted on 1.33+ clusters
  (kubernetes/kubernetes#130394), and the AppArmor field is checked at every
  policy version (check_appArmorProfile.go).
- Where a Restricted check replaces a Baseline one (`OverrideCheckIDs`), kubelint
  keeps one finding per cause: a hostPath volume is reported by pss-host-path
  only, an added capability outside the Baseline set by pss-capabilities only,
  an Unconfined seccomp profile by pss-seccomp only.

Levels.  `--pss-level` (ctx.settings.pss_level) chooses the profile: unset, Baseline
controls are errors and Restricted controls warnings; `baseline` reports only
Baseline controls, as errors; `restricted` reports both as errors; `none`
turns every pss rule off.  A Namespace of the run labelled
`pod-security.kubernetes.io/enforce` decides for the workloads in it, because
that is what the cluster will enforce: `privileged` reports nothing,
`baseline` and `restricted` as above, and the message names the namespace.  A
label value PSA cannot parse falls back the way PSA does (api/helpers.go): an
unknown level means restricted, an unknown version means latest.  `--pss-level
none` still wins: it is the switch that turns the family off.  Cluster-wide
exemptions (users, runtime classes, namespaces in the AdmissionConfiguration)
are not visible in manifests and are not modelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from kubelint.model import Edit, Fix, K8sObject, Problem
from kubelint.registry import rule
from kubelint.k8s.kinds import POD_KINDS, is_kind
from kubelint.k8s.values import PROFILE_TYPES
from kubelint.k8s.workloads import PROBES, PodSpec, as_list, as_map, as_str, containers, deepest_mapping, is_windows, pod_spec

BASELINE = "baseline"
RESTRICTED = "restricted"
_LEVELS = ("privileged", "baseline", "restricted")

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"
# api/helpers.go versionRegexp
_VERSION_RE = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")

# check_capabilities_baseline.go capabilities_allowed_1_0
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)
# check_sysctls.go: sysctlsAllowedV1Dot0, V1Dot27, V1Dot29, V1Dot32, V1Dot37
# (1.37: kubernetes/kubernetes#138389).
SAFE_SYSCTLS: tuple[tuple[tuple[int, int], frozenset[str]], ...] = (
    ((1, 0), frozenset({
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
    })),
    ((1, 27), frozenset({"net.ipv4.ip_local_reserved_ports"})),
    ((1, 29), frozenset({
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    })),
    ((1, 32), frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})),
    ((1, 37), frozenset({"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"})),
)
# check_seLinuxOptions.go selinuxAllowedTypes1_0 and 1_31
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES | {"container_engine_t"}
# check_seccompProfile_baseline.go validSeccomp; check_appArmorProfile.go allowedProfileType
SAFE_PROFILE_TYPES = ("RuntimeDefault", "Localhost")
# The profile types the API accepts but Baseline refuses (Unconfined).  A type
# outside the API's enum is invalid-value's finding, not a Pod Security one.
UNSAFE_PROFILE_TYPES = tuple(t for t in PROFILE_TYPES if t not in SAFE_PROFILE_TYPES)
# check_restrictedVolumes.go: the inline volume sources Restricted allows ...
RESTRICTED_ALLOWED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
# ... and the ones it names as forbidden (hostPath is pss-host-path's).
RESTRICTED_FORBIDDEN_VOLUMES = (
    "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte",
    "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The Pod Security level and policy version that apply to one workload."""

    level: str | None  # None: the default (Baseline errors, Restricted warnings)
    version: tuple[int, int]  # the policy version whose check revisions apply
    note: str  # appended to messages: ' (namespace "prod" enforces restricted)'

    def severity(self, control: str) -> str | None:
        """The severity of a violation of a `control` (BASELINE or RESTRICTED)
        control, or None when this level does not check it."""
        if self.level is None:
            return "error" if control == BASELINE else "warning"
        if self.level == RESTRICTED:
            return "error"
        if self.level == BASELINE:
            return "error" if control == BASELINE else None
        return None  # privileged, none

    def at_least(self, major: int, minor: int) -> bool:
        return self.version >= (major, minor)


def _namespace_policies(ctx) -> dict[str, tuple[str | None, str | None]]:
    """Namespace name -> (enforce label, enforce-version label), for the
    Namespaces of the run that carry either label."""

    def build() -> dict[str, tuple[str | None, str | None]]:
        index: dict[str, tuple[str | None, str | None]] = {}
        for o in ctx.objects:
            if not is_kind(o, "Namespace") or not o.ref.name:
                continue
            labels = as_map(as_map(o.data.get("metadata")).get("labels"))
            level, version = labels.get(ENFORCE_LABEL), labels.get(ENFORCE_VERSION_LABEL)
            if (level is not None or version is not None) and o.ref.name not in index:
                index[o.ref.name] = (
                    None if level is None else str(level),
                    None if version is None else str(version),
                )
        return index

    return ctx.memo(("pss-namespace-policies",), build)


def _parse_version(text: str, cluster: tuple[int, int]) -> tuple[tuple[int, int], bool]:
    """(policy version, pinned?) for an enforce-version label, as PSA reads
    it: `latest` or anything invalid is the cluster's newest policy; a pinned
    version newer than the cluster is clamped to it (policy/registry.go)."""
    match = _VERSION_RE.match(text)
    if match is None:
        return cluster, False
    return min((1, int(match.group(1))), cluster), True


def policy(obj: K8sObject, ctx) -> Policy:
    """The Pod Security policy that applies to a workload (memoised per object)."""
    return ctx.memo_object(("pss-policy",), lambda: _resolve(obj, ctx))


def _resolve(obj: K8sObject, ctx) -> Policy:
    if ctx.settings.pss_level == "none":
        return Policy("none", ctx.version, "")
    namespace = obj.ref.namespace
    labels = _namespace_policies(ctx).get(namespace) if namespace else None
    if labels is None:
        return Policy(ctx.settings.pss_level, ctx.version, "")
    raw_level, raw_version = labels
    version, pinned = _parse_version(raw_version, ctx.version) if raw_version is not None else (ctx.version, False)
    if raw_level is None:
        # Only the version is pinned; the level is the run's.
        return Policy(ctx.settings.pss_level, version, "")
    level = raw_level if raw_level in _LEVELS else RESTRICTED  # api.ParseLevel fails closed
    shown = f"{level}:v{version[0]}.{version[1]}" if pinned else level
    if raw_level not in _LEVELS:
        shown += f', as its enforce label "{raw_level}" is not a level'
    return Policy(level, version, f' (namespace "{namespace}" enforces {shown})')


def _problem(pol: Policy, control: str, path: tuple, message: str, fix: Fix, at: str = "value") -> Problem:
    return Problem(path, message + pol.note, fix, at, pol.severity(control))


def _active(obj: K8sObject, ctx, control: str) -> tuple[Policy, PodSpec] | None:
    """The policy and pod spec when `control` applies to this workload."""
    pod = pod_spec(obj)
    if pod is None:
        return None
    pol = policy(obj, ctx)
    if pol.severity(control) is None:
        return None
    return pol, pod


def _user_namespace(pod: PodSpec) -> bool:
    """hostUsers: false (KEP-127), which relaxes some checks from policy 1.35."""
    return pod.spec.get("hostUsers") is False


def _pod_context(pod: PodSpec) -> dict:
    return as_map(pod.spec.get("securityContext"))


def _int(value) -> int | None:
    return value if type(value) is int else None


# --------------------------------------------------------------------- Baseline


@rule(code="KL401", name="pss-host-process", severity="error", category="pss", kinds=POD_KINDS)
def pss_host_process(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod or container runs as a Windows HostProcess container.

    Why: Baseline control "HostProcess": a Windows HostProcess container runs
    directly on the node with the node's privileges, outside any container
    isolation.  PSA check windowsHostProcess forbids
    `securityContext.windowsOptions.hostProcess: true` on the pod and on
    every container.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: agent}
        spec:
          os: {name: windows}
          hostNetwork: true
          securityContext:
            windowsOptions: {hostProcess: true}
          containers:
            - {name: agent, image: "mcr.microsoft.com/windows/nanoserver:ltsc2022"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: agent}
        spec:
          os: {name: windows}
          containers:
            - {name: agent, image: "mcr.microsoft.com/windows/nanoserver:ltsc2022"}
    Fix safety: no automatic fix; a HostProcess workload must be redesigned or
    run in a namespace that enforces the privileged level.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_windowsHostProcess.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    fix = Fix("Remove windowsOptions.hostProcess or set it to false.", "securityContext:\n  windowsOptions:\n    hostProcess: false")
    if as_map(_pod_context(pod).get("windowsOptions")).get("hostProcess") is True:
        yield _problem(pol, BASELINE, pod.path + ("securityContext", "windowsOptions", "hostProcess"),
                       "pod runs as a Windows HostProcess pod (windowsOptions.hostProcess: true)", fix)
    for c in containers(obj):
        if as_map(c.security_context.get("windowsOptions")).get("hostProcess") is True:
            yield _problem(pol, BASELINE, c.path + ("securityContext", "windowsOptions", "hostProcess"),
                           f"{c.label} runs as a Windows HostProcess container (windowsOptions.hostProcess: true)", fix)


@rule(code="KL402", name="pss-host-namespaces", severity="error", category="pss", kinds=POD_KINDS, fix="unsafe")
def pss_host_namespaces(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod shares the node's network, PID or IPC namespace.

    Why: Baseline control "Host Namespaces": with `hostNetwork` a pod sees and
    binds the node's interfaces (and reaches services bound to localhost),
    with `hostPID` it sees and can signal every process of the node, with
    `hostIPC` it shares the node's shared memory.  PSA check hostNamespaces
    allows only false or unset; each field is reported on its own line.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          hostNetwork: true
          hostPID: true
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: unsafe: `--unsafe-fixes` removes the field (false is the
    default); a workload that needs the node's namespaces (a CNI agent, a
    node exporter) stops working, and belongs in a namespace that enforces
    the privileged level instead.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_hostNamespaces.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    what = {"hostNetwork": "network", "hostPID": "process (PID)", "hostIPC": "IPC"}
    for field, namespace in what.items():
        if pod.spec.get(field) is True:
            yield _problem(pol, BASELINE, pod.path + (field,),
                           f"pod shares the host {namespace} namespace ({field}: true)",
                           Fix(f"Remove {field} or set it to false.", f"{field}: false",
                               (Edit("remove", pod.path + (field,)),)))


@rule(code="KL403", name="pss-privileged", severity="error", category="pss", kinds=POD_KINDS, fix="unsafe")
def pss_privileged(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container runs privileged.

    Why: Baseline control "Privileged Containers": a privileged container
    gets every capability and every device of the node and no seccomp,
    AppArmor or SELinux confinement; escaping it is trivial.  PSA check
    privileged allows only false or unset, on init, regular and ephemeral
    containers.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext: {privileged: true}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext: {privileged: false}
    Fix safety: unsafe: `--unsafe-fixes` sets privileged: false; a container
    that needs a device or capability stops working until you grant the
    specific capabilities or devices it needs.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_privileged.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, _ = found
    for c in containers(obj):
        if c.security_context.get("privileged") is True:
            yield _problem(pol, BASELINE, c.path + ("securityContext", "privileged"),
                           f"{c.label} is privileged (securityContext.privileged: true)",
                           Fix("Remove privileged or set it to false; add only the capabilities the container needs.",
                               "securityContext:\n  privileged: false",
                               (Edit("set", c.path + ("securityContext", "privileged"), False),)))


@rule(code="KL404", name="pss-capabilities", severity="error", category="pss", kinds=POD_KINDS)
def pss_capabilities(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container adds a Linux capability beyond the Baseline default set.

    Why: Baseline control "Capabilities": a container may add back only
    capabilities of the runtime's default set (AUDIT_WRITE, CHOWN,
    DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP,
    SETGID, SETPCAP, SETUID, SYS_CHROOT).  Others such as SYS_ADMIN,
    NET_ADMIN, NET_RAW or SYS_PTRACE open known escapes.  PSA check
    capabilities_baseline compares names exactly, so `CAP_SYS_ADMIN` or a
    lower-case name is not in the set either.  Each added capability is
    reported at its list item.  Under Restricted, adding anything but
    NET_BIND_SERVICE is reported by pss-capabilities-drop-all.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext:
                capabilities: {add: [NET_ADMIN, SYS_TIME]}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext:
                capabilities: {add: [NET_BIND_SERVICE]}
    Fix safety: no automatic fix; removing a capability the process uses
    breaks it.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_capabilities_baseline.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, _ = found
    for c in containers(obj):
        add = as_list(as_map(c.security_context.get("capabilities")).get("add"))
        for index, capability in enumerate(add):
            if isinstance(capability, str) and capability not in BASELINE_CAPABILITIES:
                yield _problem(pol, BASELINE, c.path + ("securityContext", "capabilities", "add", index),
                               f'{c.label} adds capability "{capability}", which is not in the Baseline default set',
                               Fix(f"Remove {capability} from capabilities.add.",
                                   'securityContext:\n  capabilities:\n    drop: ["ALL"]\n    add: ["NET_BIND_SERVICE"]  # only if needed'))


@rule(code="KL405", name="pss-host-path", severity="error", category="pss", kinds=POD_KINDS)
def pss_host_path(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod mounts a hostPath volume.

    Why: Baseline control "HostPath Volumes": a hostPath volume gives the pod
    the node's files (kubelet credentials, other pods' data, the container
    runtime socket); even read-only it leaks secrets.  PSA check
    hostPathVolumes forbids any `spec.volumes[*].hostPath`, whatever its path
    or type.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              volumeMounts: [{name: logs, mountPath: /var/log/nginx}]
          volumes:
            - name: logs
              hostPath: {path: /var/log/web}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              volumeMounts: [{name: logs, mountPath: /var/log/nginx}]
          volumes:
            - name: logs
              emptyDir: {}
    Fix safety: no automatic fix; use an emptyDir, a PersistentVolumeClaim or
    a CSI driver for the data instead.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_hostPathVolumes.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    for index, volume in enumerate(as_list(pod.spec.get("volumes"))):
        volume = as_map(volume)
        if volume.get("hostPath") is None:
            continue
        host = as_str(as_map(volume.get("hostPath")).get("path"))
        shown = f' "{host}"' if host else ""
        yield _problem(pol, BASELINE, pod.path + ("volumes", index, "hostPath"),
                       f'volume "{as_str(volume.get("name"))}" mounts host path{shown}',
                       Fix("Replace the hostPath volume with an emptyDir, a PersistentVolumeClaim or a CSI volume.",
                           "volumes:\n  - name: <name>\n    emptyDir: {}"), at="key")


@rule(code="KL406", name="pss-host-ports", severity="error", category="pss", kinds=POD_KINDS)
def pss_host_ports(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container binds a port of the node (hostPort).

    Why: Baseline control "Host Ports": a hostPort exposes the container on
    the node's address, bypassing Services and NetworkPolicies that select
    pod addresses, and limits scheduling to one such pod per node.  PSA check
    hostPorts allows only 0 or unset, on every container.  A hostPort
    outside 1-65535 is invalid-port's finding (one mistake, one finding).
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports: [{containerPort: 80, hostPort: 8080}]
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              ports: [{containerPort: 80}]
    Fix safety: no automatic fix; expose the port through a Service instead.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_hostPorts.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, _ = found
    for c in containers(obj):
        for index, port in enumerate(as_list(c.spec.get("ports"))):
            host_port = _int(as_map(port).get("hostPort"))
            # Outside 1-65535 the port is invalid (invalid-port's finding), not a host port.
            if host_port and 0 < host_port <= 65535:
                yield _problem(pol, BASELINE, c.path + ("ports", index, "hostPort"),
                               f"{c.label} binds host port {host_port}",
                               Fix("Remove hostPort and expose the port through a Service.",
                                   "ports:\n  - containerPort: <port>"))


_HOOKS = ("postStart", "preStop")


@rule(code="KL407", name="pss-host-probes", severity="error", category="pss", kinds=POD_KINDS)
def pss_host_probes(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A probe or lifecycle hook sends its request to another host.

    Why: Baseline control "Host Probes / Lifecycle Hooks" (policy v1.34+): the
    kubelet runs probes and hooks from the node, so a `host` in `httpGet` or
    `tcpSocket` makes the kubelet connect wherever the pod author says,
    including node-local and cloud metadata endpoints.  PSA check
    hostProbesAndHostLifecycle allows only an empty or unset host, for
    liveness, readiness and startup probes and postStart and preStop hooks.
    Not checked for a namespace pinned below v1.34 or `--kubernetes-version`
    below 1.34.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              livenessProbe:
                httpGet: {host: 169.254.169.254, path: /, port: 80}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              livenessProbe:
                httpGet: {path: /healthz, port: 80}
    Fix safety: no automatic fix; a probe checks the pod's own address by
    default, which is almost always what you want.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_hostProbesAndhostLifecycle.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, _ = found
    if not pol.at_least(1, 34):
        return
    fix = Fix("Remove the host field; the kubelet then connects to the pod's own IP.")
    for c in containers(obj):
        handlers = [((probe,), as_map(c.spec.get(probe))) for probe in PROBES]
        lifecycle = as_map(c.spec.get("lifecycle"))
        handlers += [(("lifecycle", hook), as_map(lifecycle.get(hook))) for hook in _HOOKS]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = as_map(handler.get(action)).get("host")
                if isinstance(host, str) and host:
                    yield _problem(pol, BASELINE, c.path + where + (action, "host"),
                                   f'{c.label} {".".join(where)} connects to host "{host}"', fix)


_APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


@rule(code="KL408", name="pss-apparmor", severity="error", category="pss", kinds=POD_KINDS)
def pss_apparmor(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod or container overrides the default AppArmor profile with an unconfined one.

    Why: Baseline control "AppArmor": on hosts with AppArmor the runtime's
    default profile confines every container; `Unconfined` removes it.  PSA
    check appArmorProfile allows the field `appArmorProfile.type` (pod and
    containers) only as RuntimeDefault or Localhost, and the deprecated
    annotation `container.apparmor.security.beta.kubernetes.io/<container>`
    only as `runtime/default`, `localhost/<profile>` or empty; both are
    checked at every policy version.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext:
                appArmorProfile: {type: Unconfined}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext:
                appArmorProfile: {type: RuntimeDefault}
    Fix safety: no automatic fix; a workload that needs to run unconfined
    needs a custom Localhost profile.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_appArmorProfile.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    fix = Fix("Use the RuntimeDefault AppArmor profile, or a Localhost profile made for the workload.",
              "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault")
    kind = as_str(as_map(_pod_context(pod).get("appArmorProfile")).get("type"))
    if kind in UNSAFE_PROFILE_TYPES:
        yield _problem(pol, BASELINE, pod.path + ("securityContext", "appArmorProfile", "type"),
                       f'pod sets AppArmor profile type "{kind}"', fix)
    for c in containers(obj):
        kind = as_str(as_map(c.security_context.get("appArmorProfile")).get("type"))
        if kind in UNSAFE_PROFILE_TYPES:
            yield _problem(pol, BASELINE, c.path + ("securityContext", "appArmorProfile", "type"),
                           f'{c.label} sets AppArmor profile type "{kind}"', fix)
    for key, value in as_map(pod.metadata.get("annotations")).items():
        if not isinstance(key, str) or not key.startswith(_APPARMOR_PREFIX):
            continue
        text = value if isinstance(value, str) else str(value)
        if text and text != "runtime/default" and not text.startswith("localhost/"):
            yield _problem(pol, BASELINE, pod.metadata_path + ("annotations", key),
                           f'annotation {key} sets AppArmor profile "{text}"',
                           Fix("Set the annotation to runtime/default, or use securityContext.appArmorProfile (Kubernetes 1.30+).",
                               "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault"))


@rule(code="KL409", name="pss-selinux", severity="error", category="pss", kinds=POD_KINDS)
def pss_selinux(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod or container sets a custom SELinux type, user or role.

    Why: Baseline control "SELinux": a custom SELinux type such as `spc_t`
    (super-privileged container) lifts the confinement of the container
    domain, and a custom user or role changes its identity.  PSA check
    seLinuxOptions allows the type only unset, `container_t`,
    `container_init_t`, `container_kvm_t` or, from policy v1.31,
    `container_engine_t`; `user` and `role` must be unset.  `level` is not
    restricted.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext:
            seLinuxOptions: {type: spc_t}
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext:
            seLinuxOptions: {level: "s0:c123,c456"}
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; the workload may need the custom label.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_seLinuxOptions.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    allowed = SELINUX_TYPES_1_31 if pol.at_least(1, 31) else SELINUX_TYPES
    sources = [("pod", pod.path + ("securityContext",), _pod_context(pod))]
    sources += [(c.label, c.path + ("securityContext",), c.security_context) for c in containers(obj)]
    for who, base, context in sources:
        options = context.get("seLinuxOptions")
        if not isinstance(options, dict):
            continue
        kind = options.get("type")
        if isinstance(kind, str) and kind not in allowed:
            yield _problem(pol, BASELINE, base + ("seLinuxOptions", "type"), f'{who} sets SELinux type "{kind}"',
                           Fix("Remove seLinuxOptions.type or use container_t.", "seLinuxOptions:\n  type: container_t"))
        for field in ("user", "role"):
            value = options.get(field)
            if isinstance(value, str) and value:
                yield _problem(pol, BASELINE, base + ("seLinuxOptions", field), f'{who} sets SELinux {field} "{value}"',
                               Fix(f"Remove seLinuxOptions.{field}."))


@rule(code="KL410", name="pss-proc-mount", severity="error", category="pss", kinds=POD_KINDS)
def pss_proc_mount(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container unmasks /proc (procMount other than Default).

    Why: Baseline control "/proc Mount Type": the default /proc masks hide
    kernel interfaces that leak host information or allow escapes.  PSA
    check procMount allows only `Default` or unset.  From policy v1.35 a pod
    in a user namespace (`hostUsers: false`) may set any value under
    Baseline, but Restricted (check procMount_restricted) still forbids it,
    so such a finding is a Restricted one (a warning by default).
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: builder}
        spec:
          containers:
            - name: builder
              image: "moby/buildkit:v0.16.0"
              securityContext: {procMount: Unmasked}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: builder}
        spec:
          containers:
            - name: builder
              image: "moby/buildkit:v0.16.0"
              securityContext: {procMount: Default}
    Fix safety: no automatic fix; a nested container runtime may need it.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_procMount_baseline.go
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_procMount_restricted.go
    """
    pod = pod_spec(obj)
    if pod is None:
        return
    pol = policy(obj, ctx)
    # check_procMount_baseline.go procMount1_35baseline; check_procMount_restricted.go
    control = RESTRICTED if pol.at_least(1, 35) and _user_namespace(pod) else BASELINE
    if pol.severity(control) is None:
        return
    for c in containers(obj):
        value = c.security_context.get("procMount")
        if isinstance(value, str) and value != "Default":
            why = " (Baseline allows it for a user-namespace pod, Restricted does not)" if control == RESTRICTED else ""
            yield _problem(pol, control, c.path + ("securityContext", "procMount"),
                           f'{c.label} sets procMount "{value}"{why}',
                           Fix("Remove procMount or set it to Default.", "securityContext:\n  procMount: Default"))


_SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


@rule(code="KL411", name="pss-seccomp", severity="error", category="pss", kinds=POD_KINDS, fix="unsafe")
def pss_seccomp(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod or container runs without seccomp confinement (Unconfined).

    Why: Baseline control "Seccomp": the runtime's default seccomp profile
    blocks dangerous system calls; `Unconfined` opens them all.  PSA check
    seccompProfile_baseline allows `seccompProfile.type` only RuntimeDefault,
    Localhost or unset, on the pod and every container (for a namespace
    pinned below v1.19, the seccomp annotations instead).  Restricted also
    requires a profile to be set: see pss-seccomp-required.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext:
            seccompProfile: {type: Unconfined}
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext:
            seccompProfile: {type: RuntimeDefault}
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: unsafe: `--unsafe-fixes` sets the profile type to
    RuntimeDefault where the field says Unconfined (not the annotations of
    old policy versions); a workload that makes system calls the default
    profile blocks fails, and needs a Localhost profile made for it.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_seccompProfile_baseline.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    fix = Fix("Use the RuntimeDefault seccomp profile, or a Localhost profile made for the workload.",
              "securityContext:\n  seccompProfile:\n    type: RuntimeDefault")
    if not pol.at_least(1, 19):
        yield from _seccomp_annotations(obj, pol, pod, fix)
        return
    kind = as_str(as_map(_pod_context(pod).get("seccompProfile")).get("type"))
    if kind in UNSAFE_PROFILE_TYPES:
        path = pod.path + ("securityContext", "seccompProfile", "type")
        yield _problem(pol, BASELINE, path, f'pod sets seccomp profile type "{kind}"', _runtime_default(fix, path, kind))
    for c in containers(obj):
        kind = as_str(as_map(c.security_context.get("seccompProfile")).get("type"))
        if kind in UNSAFE_PROFILE_TYPES:
            path = c.path + ("securityContext", "seccompProfile", "type")
            yield _problem(pol, BASELINE, path, f'{c.label} sets seccomp profile type "{kind}"',
                           _runtime_default(fix, path, kind))


def _runtime_default(fix: Fix, path: tuple, kind: str) -> Fix:
    """Unconfined becomes RuntimeDefault; another (unknown) type is a typo
    whose intent is not known."""
    if kind != "Unconfined":
        return fix
    return Fix(fix.title, fix.snippet, (Edit("set", path, "RuntimeDefault"),))


def _seccomp_annotations(obj: K8sObject, pol: Policy, pod: PodSpec, fix: Fix) -> Iterator[Problem]:
    """check_seccompProfile_baseline.go seccompProfileBaseline_1_0 (policy below v1.19)."""
    annotations = as_map(pod.metadata.get("annotations"))
    keys = [_SECCOMP_POD_ANNOTATION] + [_SECCOMP_CONTAINER_PREFIX + c.name for c in containers(obj)]
    for key in keys:
        value = annotations.get(key)
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        if text not in ("runtime/default", "docker/default") and not text.startswith("localhost/"):
            yield _problem(pol, BASELINE, pod.metadata_path + ("annotations", key),
                           f'annotation {key} sets seccomp profile "{text}"', fix)


@rule(code="KL412", name="pss-sysctls", severity="error", category="pss", kinds=POD_KINDS)
def pss_sysctls(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod sets a sysctl outside the safe set.

    Why: Baseline control "Sysctls": only sysctls that are namespaced and
    isolated from other pods are safe; others change the whole node (and
    the kubelet refuses them unless allowed).  PSA check sysctls allows
    kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,
    net.ipv4.tcp_syncookies, net.ipv4.ping_group_range and
    net.ipv4.ip_unprivileged_port_start; from policy v1.27 also
    net.ipv4.ip_local_reserved_ports; from v1.29 net.ipv4.tcp_keepalive_time,
    tcp_fin_timeout, tcp_keepalive_intvl and tcp_keepalive_probes; from v1.32
    net.ipv4.tcp_rmem and tcp_wmem; from v1.37
    net.ipv4.tcp_slow_start_after_idle and tcp_notsent_lowat.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext:
            sysctls: [{name: net.core.somaxconn, value: "1024"}]
          containers:
            - {name: web, image: "nginx:1.27"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          securityContext:
            sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65535"}]
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; set the sysctl on the nodes instead, or run
    the pod in a namespace that enforces the privileged level.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_sysctls.go
    """
    found = _active(obj, ctx, BASELINE)
    if found is None:
        return
    pol, pod = found
    safe = frozenset().union(*(names for since, names in SAFE_SYSCTLS if pol.version >= since))
    shown = f"v{pol.version[0]}.{pol.version[1]}"
    for index, sysctl in enumerate(as_list(_pod_context(pod).get("sysctls"))):
        name = as_map(sysctl).get("name")
        if isinstance(name, str) and name not in safe:
            yield _problem(pol, BASELINE, pod.path + ("securityContext", "sysctls", index, "name"),
                           f'pod sets sysctl "{name}", which is not in the safe set of policy {shown}',
                           Fix("Remove the sysctl, or set it on the nodes (kubelet --allowed-unsafe-sysctls) "
                               "and run the pod where the privileged level is enforced."))


# ------------------------------------------------------------------- Restricted


@rule(code="KL420", name="pss-volume-types", severity="warning", category="pss", kinds=POD_KINDS)
def pss_volume_types(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod uses a volume type the Restricted profile does not allow.

    Why: Restricted control "Volume Types": a pod may use only configMap, csi,
    downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and
    secret volumes (and `image` volumes on Kubernetes 1.33+, which PSA
    allows since kubernetes/kubernetes#130394); other in-line sources (nfs,
    iscsi, rbd, gitRepo, ...) reach storage directly, bypassing the
    PersistentVolume layer the administrator controls.  PSA check
    restrictedVolumes; hostPath is reported by pss-host-path.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              volumeMounts: [{name: site, mountPath: /usr/share/nginx/html}]
          volumes:
            - name: site
              nfs: {server: nfs.example.com, path: /exports/site}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              volumeMounts: [{name: site, mountPath: /usr/share/nginx/html}]
          volumes:
            - name: site
              persistentVolumeClaim: {claimName: site}
    Fix safety: no automatic fix; define a PersistentVolume for the storage
    and claim it.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_restrictedVolumes.go
    """
    found = _active(obj, ctx, RESTRICTED)
    if found is None:
        return
    pol, pod = found
    allowed = RESTRICTED_ALLOWED_VOLUMES | ({"image"} if ctx.version >= (1, 33) else set())
    forbidden = RESTRICTED_FORBIDDEN_VOLUMES + (() if ctx.version >= (1, 33) else ("image",))
    for index, volume in enumerate(as_list(pod.spec.get("volumes"))):
        volume = as_map(volume)
        if any(volume.get(kind) is not None for kind in allowed) or volume.get("hostPath") is not None:
            continue
        for kind in forbidden:
            if volume.get(kind) is not None:
                yield _problem(pol, RESTRICTED, pod.path + ("volumes", index, kind),
                               f'volume "{as_str(volume.get("name"))}" uses volume type "{kind}"',
                               Fix("Define a PersistentVolume for the storage and mount it through a persistentVolumeClaim volume.",
                                   "volumes:\n  - name: <name>\n    persistentVolumeClaim:\n      claimName: <claim>"), at="key")
                break


@rule(code="KL421", name="pss-privilege-escalation", severity="warning", category="pss", kinds=POD_KINDS, fix="safe")
def pss_privilege_escalation(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container does not set allowPrivilegeEscalation: false.

    Why: Restricted control "Privilege Escalation": unless
    `allowPrivilegeEscalation` is false, a process can gain more privileges
    than its parent (set-user-ID binaries, file capabilities); the default
    is to allow it.  PSA check allowPrivilegeEscalation requires false on
    every container; from policy v1.25 Windows pods (`spec.os.name:
    windows`) are exempt.
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
              securityContext: {allowPrivilegeEscalation: false}
    Fix safety: safe: `--fix` sets allowPrivilegeEscalation: false on each
    container; the container runs as before, only unable to gain privileges
    its process did not start with (a set-user-ID binary such as sudo no
    longer raises them).  Not applied to a container that is privileged or
    adds CAP_SYS_ADMIN: the API server rejects false together with either.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_allowPrivilegeEscalation.go
    """
    found = _active(obj, ctx, RESTRICTED)
    if found is None:
        return
    pol, pod = found
    if not pol.at_least(1, 8) or (pol.at_least(1, 25) and is_windows(pod)):
        return
    for c in containers(obj):
        value = c.security_context.get("allowPrivilegeEscalation")
        if value is False:
            continue
        # validation.go ValidateSecurityContext: false is refused with
        # privileged: true or CAP_SYS_ADMIN added.
        blocked = c.security_context.get("privileged") is True or "SYS_ADMIN" in [
            str(a).upper().removeprefix("CAP_") for a in as_list(as_map(c.security_context.get("capabilities")).get("add"))]
        if blocked:
            fix = Fix("Set securityContext.allowPrivilegeEscalation: false on the container once it is neither "
                      "privileged nor adds SYS_ADMIN.", "securityContext:\n  allowPrivilegeEscalation: false")
        else:
            fix = Fix("Set securityContext.allowPrivilegeEscalation: false on the container.",
                      "securityContext:\n  allowPrivilegeEscalation: false",
                      (Edit("set", c.path + ("securityContext", "allowPrivilegeEscalation"), False),))
        if value is None:
            yield _problem(pol, RESTRICTED, deepest_mapping(c.spec, c.path, ("securityContext",)),
                           f"{c.label} allows privilege escalation (allowPrivilegeEscalation is not set to false)",
                           fix, at="parent")
        else:
            yield _problem(pol, RESTRICTED, c.path + ("securityContext", "allowPrivilegeEscalation"),
                           f"{c.label} allows privilege escalation (allowPrivilegeEscalation: {_yaml(value)})", fix)


def _yaml(value) -> str:
    """A scalar as YAML writes it (`true`, not Python's `True`)."""
    return "true" if value is True else "false" if value is False else repr(value)


@rule(code="KL422", name="pss-run-as-non-root", severity="warning", category="pss", kinds=POD_KINDS, fix="unsafe")
def pss_run_as_non_root(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container may run as root (runAsNonRoot is not true).

    Why: Restricted control "Running as Non-root": with `runAsNonRoot: true`
    the kubelet refuses to start a container whose user is root (UID 0), so
    an image that forgot its USER line cannot run as root on the node.  PSA
    check runAsNonRoot: the pod-level `runAsNonRoot: true` covers every
    container that does not set its own; a container may not set false, nor
    may the pod.  From policy v1.35 pods in a user namespace (`hostUsers:
    false`) are exempt, because their root is not the node's root.
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
          securityContext: {runAsNonRoot: true, runAsUser: 101}
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: unsafe: `--unsafe-fixes` sets runAsNonRoot: true on the pod
    (or replaces a false); an image whose user is root no longer starts;
    give it a non-root user (runAsUser or the image's USER).
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_runAsNonRoot.go
    """
    found = _active(obj, ctx, RESTRICTED)
    if found is None:
        return
    pol, pod = found
    if pol.at_least(1, 35) and _user_namespace(pod):
        return
    title = "Set securityContext.runAsNonRoot: true on the pod (and a non-root runAsUser if the image's user is root)."
    snippet = "securityContext:\n  runAsNonRoot: true"
    fix = Fix(title, snippet, (Edit("set", pod.path + ("securityContext", "runAsNonRoot"), True),))
    pod_value = _pod_context(pod).get("runAsNonRoot")
    if pod_value is False:
        yield _problem(pol, RESTRICTED, pod.path + ("securityContext", "runAsNonRoot"),
                       "pod sets runAsNonRoot: false", fix)
    for c in containers(obj):
        value = c.security_context.get("runAsNonRoot")
        if value is False:
            yield _problem(pol, RESTRICTED, c.path + ("securityContext", "runAsNonRoot"),
                           f"{c.label} sets runAsNonRoot: false",
                           Fix(title, snippet, (Edit("set", c.path + ("securityContext", "runAsNonRoot"), True),)))
        elif value is not True and pod_value is not True and pod_value is not False:
            # A pod-level false is reported above; fixing it fixes this container.
            yield _problem(pol, RESTRICTED, deepest_mapping(c.spec, c.path, ("securityContext",)),
                           f"{c.label} may run as root (runAsNonRoot is not true for the pod or the container)",
                           fix, at="parent")


@rule(code="KL423", name="pss-run-as-user", severity="warning", category="pss", kinds=POD_KINDS)
def pss_run_as_user(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A pod or container sets runAsUser: 0 (root).

    Why: Restricted control "Running as Non-root user" (policy v1.23+): UID 0
    is root on the node once a process escapes.  PSA check runAsUser forbids
    `runAsUser: 0` on the pod and on every container (unset is allowed; see
    pss-run-as-non-root).  From policy v1.35 pods in a user namespace
    (`hostUsers: false`) are exempt.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext: {runAsUser: 0}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext: {runAsUser: 101}
    Fix safety: no automatic fix (the UID depends on the image): the process may need files only root can read; give
    them to the new user.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_runAsUser.go
    """
    found = _active(obj, ctx, RESTRICTED)
    if found is None:
        return
    pol, pod = found
    if not pol.at_least(1, 23) or (pol.at_least(1, 35) and _user_namespace(pod)):
        return
    fix = Fix("Set runAsUser to a non-zero UID the image can run as.", "securityContext:\n  runAsUser: <non-zero uid>\n  runAsNonRoot: true")
    if _int(_pod_context(pod).get("runAsUser")) == 0:
        yield _problem(pol, RESTRICTED, pod.path + ("securityContext", "runAsUser"), "pod sets runAsUser: 0 (root)", fix)
    for c in containers(obj):
        if _int(c.security_context.get("runAsUser")) == 0:
            yield _problem(pol, RESTRICTED, c.path + ("securityContext", "runAsUser"),
                           f"{c.label} runs as root (runAsUser: 0)", fix)


@rule(code="KL424", name="pss-seccomp-required", severity="warning", category="pss", kinds=POD_KINDS, fix="safe")
def pss_seccomp_required(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no seccomp profile (neither its own nor the pod's).

    Why: Restricted control "Seccomp" (policy v1.19+): the profile must be set
    explicitly to RuntimeDefault or Localhost, on the pod (inherited by every
    container) or on each container; unset means Unconfined unless the
    kubelet runs with --seccomp-default.  PSA check
    seccompProfile_restricted; from policy v1.25 Windows pods are exempt.
    An Unconfined profile is reported by pss-seccomp.
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
          securityContext:
            seccompProfile: {type: RuntimeDefault}
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: safe: `--fix` sets seccompProfile.type: RuntimeDefault on
    the pod, the profile the container runtime applies to most workloads
    anyway (kubelet --seccomp-default).  A workload that makes a system call
    the default profile blocks (rare: mostly kernel and debugging tools)
    needs a Localhost profile instead.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_seccompProfile_restricted.go
    """
    found = _active(obj, ctx, RESTRICTED)
    if found is None:
        return
    pol, pod = found
    if not pol.at_least(1, 19) or (pol.at_least(1, 25) and is_windows(pod)):
        return
    pod_profile = _pod_context(pod).get("seccompProfile")
    if pod_profile is not None:
        # Valid: it covers every container.  Invalid: pss-seccomp reports it.
        return
    fix = Fix("Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
              "securityContext:\n  seccompProfile:\n    type: RuntimeDefault",
              (Edit("set", pod.path + ("securityContext", "seccompProfile", "type"), "RuntimeDefault"),))
    for c in containers(obj):
        if c.security_context.get("seccompProfile") is None:
            yield _problem(pol, RESTRICTED, deepest_mapping(c.spec, c.path, ("securityContext",)),
                           f"{c.label} has no seccomp profile (set seccompProfile.type RuntimeDefault on the pod or the container)",
                           fix, at="parent")


@rule(code="KL425", name="pss-capabilities-drop-all", severity="warning", category="pss", kinds=POD_KINDS, fix="unsafe")
def pss_capabilities_drop_all(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container does not drop ALL capabilities, or adds one besides NET_BIND_SERVICE.

    Why: Restricted control "Capabilities" (policy v1.22+): every container
    must drop ALL capabilities and may add back only NET_BIND_SERVICE, so a
    compromised process holds no kernel privileges.  PSA check
    capabilities_restricted matches `ALL` exactly (`all` does not count).
    From policy v1.25 Windows pods are exempt.  Added capabilities outside
    the Baseline default set are reported by pss-capabilities.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext:
                capabilities: {add: [CHOWN]}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              securityContext:
                capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
    Fix safety: unsafe: `--unsafe-fixes` adds ALL to capabilities.drop; a
    process that uses a default capability (CHOWN, SETUID, ...) fails
    without it.  Removing an added capability is left to you.
    References:
        https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/pod-security-admission/policy/check_capabilities_restricted.go
    """
    found = _active(obj, ctx, RESTRICTED)
    if found is None:
        return
    pol, pod = found
    if not pol.at_least(1, 22) or (pol.at_least(1, 25) and is_windows(pod)):
        return
    for c in containers(obj):
        drop_fix = Fix('Add "ALL" to securityContext.capabilities.drop.', 'securityContext:\n  capabilities:\n    drop: ["ALL"]',
                       (Edit("add", c.path + ("securityContext", "capabilities", "drop"), "ALL"),))
        capabilities = as_map(c.security_context.get("capabilities"))
        drop = capabilities.get("drop")
        if "ALL" not in as_list(drop):
            lower = " (PSA matches \"ALL\" exactly)" if any(isinstance(d, str) and d.upper() == "ALL" for d in as_list(drop)) else ""
            if drop is not None:
                yield _problem(pol, RESTRICTED, c.path + ("securityContext", "capabilities", "drop"),
                               f'{c.label} does not drop "ALL" capabilities{lower}', drop_fix, at="key")
            else:
                yield _problem(pol, RESTRICTED, deepest_mapping(c.spec, c.path, ("securityContext", "capabilities")),
                               f'{c.label} does not drop "ALL" capabilities', drop_fix, at="parent")
        for index, capability in enumerate(as_list(capabilities.get("add"))):
            if isinstance(capability, str) and capability in BASELINE_CAPABILITIES and capability != "NET_BIND_SERVICE":
                yield _problem(pol, RESTRICTED, c.path + ("securityContext", "capabilities", "add", index),
                               f'{c.label} adds capability "{capability}"; Restricted allows only NET_BIND_SERVICE',
                               Fix(f"Remove {capability} from capabilities.add.", safety="none"))
