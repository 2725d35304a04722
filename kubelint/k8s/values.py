"""Fields whose value must be one of a fixed set, as the API server checks it.

The OpenAPI schemas type most of these enumerations as plain strings, so the
schema stage cannot see a typo (`imagePullPolicy: always`); the API server's
Go validation refuses it with "Unsupported value".  Each entry says where the
field is (scope and path), what it accepts, and where upstream says so.
`invalid-value` walks this table; its documentation is generated from it.

Paths are dotted field names relative to the object, with two bases and one
wildcard:

* `$pod.` the pod spec (spec of a Pod, the template's spec of a controller,
  spec.jobTemplate.spec.template.spec of a CronJob);
* `$container.` each container, init container and ephemeral container;
* `[]` every item of a list (`spec.ports[].protocol`); a path ending in
  `[]` checks each item of a list of values (`spec.accessModes[]`).

Sources are functions of k8s.io/kubernetes pkg/apis/<group>/validation
(validation.go) unless the entry says otherwise.  restartPolicy of a
controller's pod template is not here: restart-policy-invalid-for-kind owns
it (one mistake, one finding).
"""

from __future__ import annotations

from dataclasses import dataclass

from kubelint.k8s.workloads import PROBES


@dataclass(frozen=True, slots=True)
class AllowedValues:
    scope: str  # a kinds= name: built-in kind, group/Kind or named set
    path: str  # field path pattern (see the module docstring)
    values: tuple[str, ...]
    source: str  # the upstream validation that enforces it


PROTOCOLS = ("TCP", "UDP", "SCTP")  # validation.go supportedPortProtocols
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
VOLUME_MODES = ("Filesystem", "Block")
PROFILE_TYPES = ("RuntimeDefault", "Localhost", "Unconfined")  # seccomp and AppArmor
NODE_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
HOST_PATH_TYPES = ("DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice")
HTTP_SCHEMES = ("HTTP", "HTTPS")
POD_RESTART_POLICIES = ("Always", "OnFailure", "Never")


def _entries() -> list[AllowedValues]:
    pods = "pod-kinds"
    e = []

    def add(scope: str, path: str, values: tuple[str, ...], source: str) -> None:
        e.append(AllowedValues(scope, path, values, source))

    # --- pods (core/validation) ---
    add("Pod", "spec.restartPolicy", POD_RESTART_POLICIES, "validateRestartPolicy")
    add("PodTemplate", "template.spec.restartPolicy", POD_RESTART_POLICIES, "validateRestartPolicy")
    add(pods, "$pod.dnsPolicy", ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"), "validateDNSPolicy")
    add(pods, "$pod.preemptionPolicy", ("PreemptLowerPriority", "Never"), "validatePreemptionPolicy")
    add(pods, "$pod.os.name", ("linux", "windows"), "validateOS")
    for profile in ("seccompProfile", "appArmorProfile"):
        add(pods, f"$pod.securityContext.{profile}.type", PROFILE_TYPES,
            "validateSeccompProfileType, validateAppArmorProfileField")
    add(pods, "$pod.securityContext.fsGroupChangePolicy", ("OnRootMismatch", "Always"), "validateFSGroupChangePolicy")
    add(pods, "$pod.securityContext.supplementalGroupsPolicy", ("Merge", "Strict"), "validateSupplementalGroupsPolicy")
    add(pods, "$pod.securityContext.seLinuxChangePolicy", ("MountOption", "Recursive"), "validateSELinuxChangePolicy")
    add(pods, "$pod.tolerations[].operator", ("Equal", "Exists"), "ValidateTolerations")
    add(pods, "$pod.tolerations[].effect", ("NoSchedule", "PreferNoSchedule", "NoExecute"), "validateTaintEffect")
    add(pods, "$pod.topologySpreadConstraints[].whenUnsatisfiable", ("DoNotSchedule", "ScheduleAnyway"),
        "validateTopologySpreadConstraints")
    for field in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
        add(pods, f"$pod.topologySpreadConstraints[].{field}", ("Honor", "Ignore"), "validateNodeInclusionPolicy")
    for field in ("matchExpressions", "matchFields"):
        add(pods, f"$pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[]"
                  f".{field}[].operator", NODE_SELECTOR_OPERATORS, "ValidateNodeSelectorRequirement")
        add(pods, f"$pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].preference"
                  f".{field}[].operator", NODE_SELECTOR_OPERATORS, "ValidateNodeSelectorRequirement")
    add(pods, "$pod.volumes[].hostPath.type", HOST_PATH_TYPES, "validateHostPathType")
    add(pods, "$pod.volumes[].ephemeral.volumeClaimTemplate.spec.accessModes[]", ACCESS_MODES,
        "ValidatePersistentVolumeClaimSpec")
    add(pods, "$pod.volumes[].ephemeral.volumeClaimTemplate.spec.volumeMode", VOLUME_MODES,
        "ValidatePersistentVolumeClaimSpec")
    # --- containers ---
    add(pods, "$container.imagePullPolicy", ("Always", "IfNotPresent", "Never"), "validatePullPolicy")
    add(pods, "$container.terminationMessagePolicy", ("File", "FallbackToLogsOnError"), "validateContainers")
    add(pods, "$pod.initContainers[].restartPolicy", ("Always",), "validateInitContainerRestartPolicy (sidecars)")
    add(pods, "$container.ports[].protocol", PROTOCOLS, "validateContainerPorts")
    add(pods, "$container.volumeMounts[].mountPropagation", ("None", "HostToContainer", "Bidirectional"),
        "validateMountPropagation")
    add(pods, "$container.volumeMounts[].recursiveReadOnly", ("Disabled", "IfPossible", "Enabled"),
        "validateMountRecursiveReadOnly")
    add(pods, "$container.resizePolicy[].resourceName", ("cpu", "memory"), "validateResizePolicy")
    add(pods, "$container.resizePolicy[].restartPolicy", ("NotRequired", "RestartContainer"), "validateResizePolicy")
    for profile in ("seccompProfile", "appArmorProfile"):
        add(pods, f"$container.securityContext.{profile}.type", PROFILE_TYPES,
            "validateSeccompProfileType, validateAppArmorProfileField")
    add(pods, "$container.securityContext.procMount", ("Default", "Unmasked"), "ValidateSecurityContext")
    for probe in PROBES:
        add(pods, f"$container.{probe}.httpGet.scheme", HTTP_SCHEMES, "validateHTTPGetAction")
    for hook in ("postStart", "preStop"):
        add(pods, f"$container.lifecycle.{hook}.httpGet.scheme", HTTP_SCHEMES, "validateHTTPGetAction")
    # --- Service (core/validation ValidateService) ---
    add("Service", "spec.type", ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"), "ValidateService")
    add("Service", "spec.sessionAffinity", ("ClientIP", "None"), "ValidateService")
    add("Service", "spec.externalTrafficPolicy", ("Cluster", "Local"), "validateServiceExternalTrafficPolicy")
    add("Service", "spec.internalTrafficPolicy", ("Cluster", "Local"), "validateServiceInternalTrafficPolicy")
    add("Service", "spec.ipFamilyPolicy", ("SingleStack", "PreferDualStack", "RequireDualStack"),
        "validateIPFamilyPolicy")
    add("Service", "spec.ipFamilies[]", ("IPv4", "IPv6"), "ValidateService (ipFamilies)")
    add("Service", "spec.trafficDistribution", ("PreferClose", "PreferSameZone", "PreferSameNode"),
        "validateServiceTrafficDistribution")
    add("Service", "spec.ports[].protocol", PROTOCOLS, "validateServicePort")
    # --- apps (apps/validation) ---
    add("apps/Deployment", "spec.strategy.type", ("Recreate", "RollingUpdate"), "ValidateDeploymentStrategy")
    add("apps/StatefulSet", "spec.podManagementPolicy", ("OrderedReady", "Parallel"), "ValidateStatefulSetSpec")
    for kind in ("apps/StatefulSet", "apps/DaemonSet"):
        add(kind, "spec.updateStrategy.type", ("RollingUpdate", "OnDelete"),
            "ValidateStatefulSetUpdateStrategy, ValidateDaemonSetUpdateStrategy")
    for field in ("whenDeleted", "whenScaled"):
        add("apps/StatefulSet", f"spec.persistentVolumeClaimRetentionPolicy.{field}", ("Retain", "Delete"),
            "ValidatePersistentVolumeClaimRetentionPolicyType")
    add("apps/StatefulSet", "spec.volumeClaimTemplates[].spec.accessModes[]", ACCESS_MODES,
        "ValidatePersistentVolumeClaimSpec")
    add("apps/StatefulSet", "spec.volumeClaimTemplates[].spec.volumeMode", VOLUME_MODES,
        "ValidatePersistentVolumeClaimSpec")
    # --- batch (batch/validation) ---
    for kind, base in (("Job", "spec"), ("CronJob", "spec.jobTemplate.spec")):
        add(kind, f"{base}.completionMode", ("NonIndexed", "Indexed"), "validateJobSpec")
        add(kind, f"{base}.podReplacementPolicy", ("TerminatingOrFailed", "Failed"), "validatePodReplacementPolicy")
        add(kind, f"{base}.podFailurePolicy.rules[].action", ("FailJob", "FailIndex", "Ignore", "Count"),
            "validatePodFailurePolicyRule")
        add(kind, f"{base}.podFailurePolicy.rules[].onExitCodes.operator", ("In", "NotIn"),
            "validatePodFailurePolicyRuleOnExitCodes")
    add("CronJob", "spec.concurrencyPolicy", ("Allow", "Forbid", "Replace"), "validateConcurrencyPolicy")
    # --- storage (core/validation) ---
    for kind in ("PersistentVolumeClaim", "PersistentVolume"):
        add(kind, "spec.accessModes[]", ACCESS_MODES, "ValidatePersistentVolumeClaimSpec, ValidatePersistentVolumeSpec")
        add(kind, "spec.volumeMode", VOLUME_MODES, "ValidatePersistentVolumeClaimSpec, ValidatePersistentVolumeSpec")
    add("PersistentVolume", "spec.persistentVolumeReclaimPolicy", ("Retain", "Delete", "Recycle"),
        "ValidatePersistentVolumeSpec")
    # --- networking (networking/validation), policy ---
    add("networking.k8s.io/Ingress", "spec.rules[].http.paths[].pathType", ("Exact", "Prefix", "ImplementationSpecific"),
        "validateHTTPIngressPath")
    add("networking.k8s.io/NetworkPolicy", "spec.policyTypes[]", ("Ingress", "Egress"), "ValidateNetworkPolicySpec")
    for direction in ("ingress", "egress"):
        add("networking.k8s.io/NetworkPolicy", f"spec.{direction}[].ports[].protocol", PROTOCOLS,
            "ValidateNetworkPolicyPort")
    add("PodDisruptionBudget", "spec.unhealthyPodEvictionPolicy", ("IfHealthyBudget", "AlwaysAllow"),
        "policy/validation ValidatePodDisruptionBudgetSpec")
    return e


ALLOWED_VALUES: tuple[AllowedValues, ...] = tuple(_entries())


def markdown_table() -> str:
    """The table as Markdown, for the rule's documentation."""
    rows = ["| kinds | field | allowed values | upstream |", "|---|---|---|---|"]
    for entry in ALLOWED_VALUES:
        values = ", ".join(f"`{v}`" for v in entry.values)
        rows.append(f"| {entry.scope} | `{entry.path}` | {values} | {entry.source} |")
    return "\n".join(rows)
