"""Pod Security Standards rules: levels, namespace labels, policy versions,
and the Windows and user-namespace relaxations of Pod Security Admission."""

from __future__ import annotations

import pytest
from helpers import found, run

from kubelint.rules import registry

PSS = [r.name for r in registry() if r.category == "pss"]

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
{namespace}spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27
"""


def _pod(namespace: str | None = None) -> str:
    return POD.format(namespace=f"  namespace: {namespace}\n" if namespace else "")


def _namespace(name: str, level: str | None = None, version: str | None = None) -> str:
    labels = ""
    if level is not None:
        labels += f"    pod-security.kubernetes.io/enforce: {level}\n"
    if version is not None:
        labels += f'    pod-security.kubernetes.io/enforce-version: "{version}"\n'
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n{labels}---\n"


def _severities(text: str, **settings) -> dict[str, set[str]]:
    result = run(text, select=PSS, **settings)
    out: dict[str, set[str]] = {}
    for f in result.findings:
        out.setdefault(f.name, set()).add(f.severity)
    return out


def test_default_level_baseline_errors_restricted_warnings():
    sev = _severities(_pod())
    assert sev["pss-host-namespaces"] == {"error"}
    for name in ("pss-run-as-non-root", "pss-privilege-escalation", "pss-seccomp-required", "pss-capabilities-drop-all"):
        assert sev[name] == {"warning"}, name


def test_pss_level_baseline_reports_only_baseline_controls():
    sev = _severities(_pod(), pss_level="baseline")
    assert sev == {"pss-host-namespaces": {"error"}}


def test_pss_level_restricted_makes_everything_an_error():
    sev = _severities(_pod(), pss_level="restricted")
    assert set(sev) >= {"pss-host-namespaces", "pss-run-as-non-root", "pss-seccomp-required"}
    assert all(s == {"error"} for s in sev.values())


def test_pss_level_none_turns_the_family_off_even_in_a_labelled_namespace():
    assert found(_pod(), select=PSS, pss_level="none") == []
    assert found(_namespace("prod", "restricted") + _pod("prod"), select=PSS, pss_level="none") == []


def test_restricted_namespace_label_makes_errors_and_says_so():
    result = run(_namespace("prod", "restricted") + _pod("prod"), select=PSS)
    assert {f.severity for f in result.findings} == {"error"}
    assert any(f.name == "pss-run-as-non-root" for f in result.findings)
    for f in result.findings:
        assert f.message.endswith('(namespace "prod" enforces restricted)'), f.message


def test_baseline_namespace_skips_restricted_controls():
    result = run(_namespace("prod", "baseline") + _pod("prod"), select=PSS)
    assert [(f.name, f.severity) for f in result.findings] == [("pss-host-namespaces", "error")]
    assert result.findings[0].message.endswith('(namespace "prod" enforces baseline)')


def test_privileged_namespace_reports_nothing():
    assert found(_namespace("kube-system", "privileged") + _pod("kube-system"), select=PSS) == []


def test_namespace_label_beats_pss_level():
    text = _namespace("sys", "privileged") + _pod("sys") + "---\n" + _pod("other")
    result = run(text, select=PSS, pss_level="restricted")
    assert {f.object.namespace for f in result.findings} == {"other"}


def test_label_applies_only_to_objects_in_that_namespace():
    # A workload without metadata.namespace goes wherever it is applied.
    assert ("pss-run-as-non-root", 15) in found(_namespace("sys", "privileged") + _pod(), select=PSS)


@pytest.mark.parametrize("label", ["Restricted", "strict", "''"])
def test_unparsable_level_label_fails_closed_to_restricted(label):
    result = run(_namespace("prod", label) + _pod("prod"), select=PSS)
    assert {f.severity for f in result.findings} == {"error"}
    assert any(f.name == "pss-seccomp-required" for f in result.findings)
    assert "is not a level)" in result.findings[0].message


SYSCTL_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
{namespace}spec:
  securityContext:
    sysctls:
      - {{name: net.ipv4.ip_local_reserved_ports, value: "8080"}}
      - {{name: net.ipv4.tcp_keepalive_time, value: "600"}}
      - {{name: net.ipv4.tcp_rmem, value: "4096 87380 6291456"}}
      - {{name: net.ipv4.tcp_notsent_lowat, value: "16384"}}
  containers:
    - name: web
      image: nginx:1.27
"""


def _sysctl_lines(text: str, **settings) -> list[int]:
    return [line for name, line in found(text, select=["pss-sysctls"], **settings)]


@pytest.mark.parametrize(
    ("version", "lines"),
    [("1.26", [8, 9, 10, 11]), ("1.27", [9, 10, 11]), ("1.29", [10, 11]), ("1.32", [11]), ("1.36", [11]), ("1.37", [])],
)
def test_safe_sysctls_follow_the_kubernetes_version(version, lines):
    assert _sysctl_lines(SYSCTL_POD.format(namespace=""), kubernetes_version=version) == lines


@pytest.mark.parametrize(
    ("label", "lines"),
    [("v1.29", [10, 11]), ("latest", []), ("v1.99", []), ("1.29", []), ("v1.029", [])],
)
def test_enforce_version_label_pins_the_policy(label, lines):
    # v1.99 is clamped to the cluster; "1.29" and "v1.029" are invalid, so latest.
    prefix = _namespace("prod", "baseline", label)
    text = prefix + SYSCTL_POD.format(namespace="  namespace: prod\n")
    # The namespace line of the pod shifts its lines by one more.
    assert _sysctl_lines(text) == [n + prefix.count("\n") + 1 for n in lines]


def test_pinned_version_is_clamped_to_the_cluster_version():
    text = _namespace("prod", "baseline", "v1.99") + SYSCTL_POD.format(namespace="  namespace: prod\n")
    assert _sysctl_lines(text, kubernetes_version="1.28") == [18, 19, 20]


def test_enforce_version_without_a_level_pins_the_version_only():
    text = _namespace("prod", None, "v1.28") + SYSCTL_POD.format(namespace="  namespace: prod\n")
    result = run(text, select=["pss-sysctls"])
    assert [(f.line, f.severity) for f in result.findings] == [(17, "error"), (18, "error"), (19, "error")]  # 7-line prefix
    assert "enforces" not in result.findings[0].message


PROBE_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}
"""


def test_host_probes_from_1_34():
    assert found(PROBE_POD, select=["pss-host-probes"], kubernetes_version="1.33") == []
    assert found(PROBE_POD, select=["pss-host-probes"], kubernetes_version="1.34") == [("pss-host-probes", 8)]


SELINUX_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  securityContext:
    seLinuxOptions: {type: container_engine_t}
  containers:
    - {name: web, image: "nginx:1.27"}
"""


def test_selinux_container_engine_t_from_1_31():
    assert found(SELINUX_POD, select=["pss-selinux"], kubernetes_version="1.30") == [("pss-selinux", 6)]
    assert found(SELINUX_POD, select=["pss-selinux"], kubernetes_version="1.31") == []


WINDOWS_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: win}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
    - {name: web, image: "mcr.microsoft.com/windows/nanoserver:ltsc2022"}
"""
WINDOWS_EXEMPT = ["pss-privilege-escalation", "pss-seccomp-required", "pss-capabilities-drop-all"]


def test_windows_pods_are_exempt_from_three_restricted_checks_from_1_25():
    assert found(WINDOWS_POD, select=WINDOWS_EXEMPT, kubernetes_version="1.25") == []
    pinned = _namespace("win", "restricted", "v1.24") + WINDOWS_POD
    assert sorted(name for name, _ in found(pinned, select=WINDOWS_EXEMPT)) == sorted(WINDOWS_EXEMPT)


def test_windows_pods_still_need_run_as_non_root():
    text = WINDOWS_POD.replace("  securityContext: {runAsNonRoot: true}\n", "")
    assert found(text, select=["pss-run-as-non-root"]) == [("pss-run-as-non-root", 7)]


USERNS_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  hostUsers: false
  securityContext: {runAsUser: 0}
  containers:
    - name: web
      image: "nginx:1.27"
      securityContext: {procMount: Unmasked}
"""


def test_user_namespace_relaxations_from_1_35():
    rules = ["pss-run-as-non-root", "pss-run-as-user", "pss-proc-mount"]
    before = run(USERNS_POD, select=rules, kubernetes_version="1.34")
    assert sorted((f.name, f.severity) for f in before.findings) == [
        ("pss-proc-mount", "error"),
        ("pss-run-as-non-root", "warning"),
        ("pss-run-as-user", "warning"),
    ]
    after = run(USERNS_POD, select=rules, kubernetes_version="1.35")
    # Baseline allows the unmasked /proc now; Restricted still does not.
    assert [(f.name, f.severity) for f in after.findings] == [("pss-proc-mount", "warning")]
    assert "Restricted does not" in after.findings[0].message
    assert found(USERNS_POD, select=rules, pss_level="baseline") == []


IMAGE_VOLUME_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - {name: web, image: "nginx:1.27"}
  volumes:
    - name: models
      image: {reference: "ghcr.io/acme/models:1.0"}
"""


def test_image_volumes_pass_restricted_on_1_33_clusters():
    assert found(IMAGE_VOLUME_POD, select=["pss-volume-types"], kubernetes_version="1.32") == [("pss-volume-types", 9)]
    assert found(IMAGE_VOLUME_POD, select=["pss-volume-types"], kubernetes_version="1.33") == []


def test_run_as_user_check_starts_at_policy_1_23():
    text = _namespace("old", "restricted", "v1.22") + USERNS_POD.replace("metadata: {name: web}", "metadata: {name: web, namespace: old}")
    assert found(text, select=["pss-run-as-user"]) == []
    assert found(text.replace("v1.22", "v1.23"), select=["pss-run-as-user"]) == [("pss-run-as-user", 14)]


def test_seccomp_annotations_below_policy_1_19():
    text = _namespace("old", "baseline", "v1.18") + """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: old
  annotations:
    container.seccomp.security.alpha.kubernetes.io/web: localhost/profile.json
    container.seccomp.security.alpha.kubernetes.io/gone: unconfined
spec:
  containers:
    - {name: web, image: "nginx:1.27"}
"""
    # Only annotations of containers the pod has count, as in PSA.
    assert found(text, select=["pss-seccomp", "pss-seccomp-required"]) == []


def test_user_severity_override_beats_the_level():
    result = run(_namespace("prod", "restricted") + _pod("prod"), select=["pss-run-as-non-root"], severity={"pss-run-as-non-root": "info"})
    assert {f.severity for f in result.findings} == {"info"}


def test_each_host_namespace_and_capability_at_its_own_line():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  hostNetwork: true
  hostPID: true
  hostIPC: true
  containers:
    - name: web
      image: "nginx:1.27"
      securityContext:
        capabilities:
          add:
            - SYS_ADMIN
            - NET_ADMIN
"""
    assert found(text, select=["pss-host-namespaces", "pss-capabilities"]) == [
        ("pss-host-namespaces", 5),
        ("pss-host-namespaces", 6),
        ("pss-host-namespaces", 7),
        ("pss-capabilities", 14),
        ("pss-capabilities", 15),
    ]


def test_fix_gives_the_security_context_snippet():
    result = run(_pod(), select=["pss-run-as-non-root", "pss-seccomp-required"])
    snippets = {f.name: f.fix.snippet for f in result.findings}
    assert snippets["pss-run-as-non-root"] == "securityContext:\n  runAsNonRoot: true"
    assert "type: RuntimeDefault" in snippets["pss-seccomp-required"]


GARBAGE = [
    "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: 3\n",
    "apiVersion: v1\nkind: Pod\nmetadata: [1]\nspec: {containers: 3, volumes: {a: 1}, securityContext: []}\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: x, annotations: [1]}\nspec:\n  securityContext: {sysctls: [1, {name: 3}], seccompProfile: 3, seLinuxOptions: [1]}\n"
    "  hostUsers: 0\n  os: 3\n  containers:\n    - 3\n    - {name: 1, securityContext: {capabilities: {add: 3, drop: {a: 1}}, runAsUser: false,"
    " seLinuxOptions: {type: 3, user: [1]}, appArmorProfile: {type: [1]}, procMount: 4}, ports: [3, {hostPort: '80'}],"
    " livenessProbe: {httpGet: 3}, lifecycle: {preStop: {tcpSocket: {host: 1}}}}\n  volumes: [3, {name: 1, nfs: null}, {hostPath: 3}]\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  securityContext: {runAsNonRoot: 'true', seccompProfile: {}}\n"
    "  containers: [{name: a, securityContext: {capabilities: {add: [[1], {a: 1}], drop: [[1]]}, allowPrivilegeEscalation: 'false'}}]\n",
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {pod-security.kubernetes.io/enforce: 3, pod-security.kubernetes.io/enforce-version: 1.3}}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: y, namespace: x}\nspec: {containers: [{name: a}]}\n",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_rules_never_raise_on_wrong_types(text):
    run(text, select=PSS)
