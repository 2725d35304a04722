"""RBAC rules: what fixtures do not pin down (severities per finding, the
Kubernetes version, bindings across documents, wrong types, matching)."""

from __future__ import annotations

import pytest
from helpers import found, run

from kubelint.rules.rbac import PolicyRule, _resource_matches, grant

RBAC = [
    "rbac-wildcard", "rbac-cluster-admin-binding", "rbac-secrets-access", "rbac-escalation-verbs", "rbac-pod-exec",
    "rbac-node-proxy", "rbac-create-workloads-cluster-wide", "rbac-webhook-manage", "rbac-token-create",
    "rbac-csr-approve", "rbac-persistent-volume-create", "rbac-default-service-account-binding",
    "rbac-anonymous-binding",
]


def _role(rules: str, kind: str = "ClusterRole", name: str = "r") -> str:
    ns = "\n  namespace: shop" if kind == "Role" else ""
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {name}{ns}\nrules:\n{rules}"


def _severities(text: str, rule: str, **settings) -> list[str]:
    return [f.severity for f in run(text, select=[rule], **settings).findings]


def test_resource_matching_follows_the_rbac_authorizer():
    assert _resource_matches("*", "pods/exec")
    assert _resource_matches("pods/exec", "pods/exec")
    assert _resource_matches("*/exec", "pods/exec")
    assert not _resource_matches("pods/*", "pods/exec")
    assert not _resource_matches("pods", "pods/exec")
    assert not _resource_matches("*/exec", "pods")


def test_grant_needs_group_resource_and_verb():
    r = PolicyRule(0, [""], ["secrets"], ["get"], [], [])
    assert grant(r, {""}, {"secrets"}, {"get", "list"}) is not None
    assert grant(r, {"apps"}, {"secrets"}, {"get"}) is None
    assert grant(r, {""}, {"configmaps"}, {"get"}) is None
    assert grant(r, {""}, {"secrets"}, {"delete"}) is None
    everything = PolicyRule(0, ["*"], ["*"], ["*"], [], [])
    g = grant(everything, {"rbac.authorization.k8s.io"}, {"clusterroles"}, {"escalate"})
    assert g is not None and (g.resource, g.verb) == (0, 0)


def test_full_wildcard_is_an_error_other_wildcards_warnings():
    text = _role('  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}\n  - {apiGroups: [apps], resources: ["*"], verbs: [get]}\n')
    assert _severities(text, "rbac-wildcard") == ["error", "warning"]


def test_one_wildcard_finding_per_rule_at_the_verb():
    text = _role('  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n')
    assert found(text, select=["rbac-wildcard"]) == [("rbac-wildcard", 8)]


def test_cluster_admin_role_binding_is_a_warning():
    crb = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: x, namespace: shop}}\n"
        "roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\n"
        "subjects: [{{kind: User, name: bob}}]\n"
    )
    assert _severities(crb.format(kind="ClusterRoleBinding"), "rbac-cluster-admin-binding") == ["error"]
    assert _severities(crb.format(kind="RoleBinding"), "rbac-cluster-admin-binding") == ["warning"]


def test_authenticated_group_is_a_warning_anonymous_an_error():
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: x}\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n"
        "subjects:\n  - {kind: Group, name: 'system:authenticated'}\n  - {kind: User, name: 'system:anonymous'}\n"
    )
    assert _severities(text, "rbac-anonymous-binding") == ["warning", "error"]


@pytest.mark.parametrize(("version", "fires"), [("1.34", True), ("1.35", False), ("1.37", False)])
def test_get_on_pods_exec_is_exec_before_1_35(version, fires):
    text = _role('  - {apiGroups: [""], resources: [pods/exec], verbs: [get]}\n', kind="Role")
    assert bool(found(text, select=["rbac-pod-exec"], kubernetes_version=version)) == fires


def test_node_proxy_ignores_list_and_watch():
    text = _role('  - {apiGroups: [""], resources: ["*"], verbs: [list, watch]}\n')
    assert found(text, select=["rbac-node-proxy"]) == []


BIND = """---
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: b-{kind}, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}}
subjects: [{{kind: ServiceAccount, name: ci, namespace: ci}}]
"""


@pytest.mark.parametrize(
    ("bindings", "fires"),
    [((), True), (("RoleBinding",), False), (("RoleBinding", "ClusterRoleBinding"), True), (("ClusterRoleBinding",), True)],
)
def test_create_workloads_skips_cluster_roles_bound_only_per_namespace(bindings, fires):
    text = _role('  - {apiGroups: [apps], resources: [deployments], verbs: [create]}\n', name="deployer")
    text += "".join(BIND.format(kind=k) for k in bindings)
    assert bool(found(text, select=["rbac-create-workloads-cluster-wide"])) == fires


def test_aggregated_cluster_role_is_not_checked():
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: agg}\n"
        "aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}\n"
        'rules:\n  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}\n'
    )
    assert found(text, select=RBAC) == []


def test_escalation_through_wildcard_names_the_verbs():
    text = _role('  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: ["*"]}\n')
    [finding] = run(text, select=["rbac-escalation-verbs"]).findings
    assert '"escalate", "bind" (through "*")' in finding.message


def test_wildcard_resource_says_what_it_covers():
    text = _role('  - {apiGroups: [""], resources: ["*"], verbs: [list]}\n')
    [finding] = run(text, select=["rbac-secrets-access"]).findings
    assert finding.message.endswith('("list" on "*", which covers "secrets")')


@pytest.mark.parametrize(
    "body",
    [
        "rules: 3",
        "rules: [null, 1, text, {verbs: 3, resources: {a: b}, apiGroups: null}]",
        "rules: [{apiGroups: [1, null], resources: [[secrets]], verbs: [{get: 1}]}]",
        "aggregationRule: text\nrules: [{apiGroups: ['*'], resources: [null, '*'], verbs: ['*']}]",
        "roleRef: [1]\nsubjects: text",
        "roleRef: {kind: ClusterRole, name: 5}\nsubjects: [null, {kind: 1, name: [default]}, {kind: ServiceAccount}]",
    ],
)
@pytest.mark.parametrize("kind", ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"])
def test_wrong_types_never_crash(kind, body):
    text = f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: x}}\n{body}\n"
    found(text, select=RBAC)


def test_escalation_verbs_option_allows_one_verb_and_names_the_rest():
    text = _role('  - apiGroups: ["rbac.authorization.k8s.io"]\n    resources: ["clusterroles"]\n    verbs: ["bind", "escalate"]\n')
    allow_bind = {"rbac-escalation-verbs": {"verbs": ["escalate", "impersonate"]}}
    result = run(text, select=["rbac-escalation-verbs"], rule_options=allow_bind)
    assert [f.message for f in result.findings] == [
        'ClusterRole r: rules[0] grants "escalate": the holder can raise its own privileges'
    ]
    assert result.findings[0].fix.title == "Remove the escalate verb, or limit it with resourceNames."
    only_escalate = {"rbac-escalation-verbs": {"verbs": ["impersonate"]}}
    assert found(text, select=["rbac-escalation-verbs"], rule_options=only_escalate) == []
    assert len(found(text, select=["rbac-escalation-verbs"])) == 1


def test_binding_to_a_role_granting_everything_is_a_cluster_admin_binding():
    role = _role('  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n', kind="Role", name="all")
    binding = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: b\n  namespace: shop\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: all}\n"
        "subjects:\n  - {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n"
    )
    result = run(role + "\n---\n" + binding, select=["rbac-cluster-admin-binding"])
    assert [(f.severity, f.message) for f in result.findings] == [
        ("warning", 'RoleBinding shop/b: grants Role "all", which allows every read and write verb on every resource, to User "alice": full control of namespace "shop"')
    ]
    # The same Role in another namespace is another role.
    other = binding.replace("namespace: shop", "namespace: web")
    assert found(role + "\n---\n" + other, select=["rbac-cluster-admin-binding"]) == []


def test_every_read_and_write_verb_counts_as_everything():
    role = _role('  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]\n', name="all")
    binding = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all}\n"
        "subjects:\n  - {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n"
    )
    assert [n for n, _ in found(role + "\n---\n" + binding, select=["rbac-cluster-admin-binding"])] == ["rbac-cluster-admin-binding"]
    fewer = role.replace('"patch", ', "")
    assert found(fewer + "\n---\n" + binding, select=["rbac-cluster-admin-binding"]) == []
