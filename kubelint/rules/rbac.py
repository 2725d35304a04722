"""RBAC: what Roles and ClusterRoles grant, and to whom bindings grant it.

A rule of a Role matches a request the way the API server's RBAC authorizer
matches it (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac, `RuleAllows`):
an API group matches when `apiGroups` holds it or `*`; a resource when
`resources` holds it, `*`, or `*/<subresource>` for a subresource (`pods/*`
matches nothing); a verb when `verbs` holds it or `*`.  So the privilege rules
below see a grant through wildcards too, as the cluster would.

Not checked: ClusterRoles with an `aggregationRule` (the controller manager
replaces their rules with those of the roles they select, and those roles are
checked themselves), and a Role's rules on cluster-scoped resources (nodes,
CSRs, persistent volumes, webhook configurations), which a Role cannot grant.

Sources: https://kubernetes.io/docs/concepts/security/rbac-good-practices/,
Trivy's KSV checks (aquasecurity/trivy-checks), Checkov's CKV_K8S_49 and
CKV_K8S_155 to 158, kube-linter's access-to-secrets, access-to-create-pods,
wildcard-in-rules and cluster-admin-role-binding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from kubelint.model import Fix, K8sObject, Path, Problem
from kubelint.references import STRICT_OPTION, lookup, strict
from kubelint.registry import rule
from kubelint.k8s.kinds import BINDING_KINDS, ROLE_KINDS, is_kind
from kubelint.k8s.workloads import as_list, as_map, as_str

CLUSTER_ROLE = frozenset({"ClusterRole"})

CORE = ""
RBAC_GROUP = "rbac.authorization.k8s.io"
WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One entry of a role's `rules`, its lists kept index for index (a
    non-string item is None) so a finding can point at the offending item."""

    index: int
    api_groups: list
    resources: list
    verbs: list
    resource_names: list
    non_resource_urls: list

    @property
    def path(self) -> Path:
        return ("rules", self.index)

    @property
    def label(self) -> str:
        return f"rules[{self.index}]"


@dataclass(frozen=True, slots=True)
class Grant:
    """Where a rule grants something: the index of the matching item of each list."""

    rule: PolicyRule
    resource: int
    verb: int

    @property
    def resource_path(self) -> Path:
        return self.rule.path + ("resources", self.resource)

    @property
    def verb_path(self) -> Path:
        return self.rule.path + ("verbs", self.verb)

    def verbs(self, wanted: Iterable[str] | None) -> list[str]:
        """The rule's verbs that grant one of `wanted` (None: any verb)."""
        wanted = None if wanted is None else set(wanted)
        return [v for v in self.rule.verbs if v and (wanted is None or v == WILDCARD or v in wanted)]


def _strings(value) -> list:
    return [v if isinstance(v, str) else None for v in as_list(value)]


def policy_rules(obj: K8sObject) -> Iterator[PolicyRule]:
    """The rules of a Role or ClusterRole; none for an aggregated ClusterRole."""
    if obj.kind == "ClusterRole" and isinstance(obj.data.get("aggregationRule"), dict):
        return
    for index, entry in enumerate(as_list(obj.data.get("rules"))):
        entry = as_map(entry)
        if entry:
            yield PolicyRule(
                index,
                _strings(entry.get("apiGroups")),
                _strings(entry.get("resources")),
                _strings(entry.get("verbs")),
                [n for n in _strings(entry.get("resourceNames")) if n],
                [u for u in _strings(entry.get("nonResourceURLs")) if u],
            )


def _first(items: list, match: Callable[[str], bool]) -> int | None:
    for index, item in enumerate(items):
        if item is not None and match(item):
            return index
    return None


def _resource_matches(item: str, resource: str) -> bool:
    if item == WILDCARD or item == resource:
        return True
    # `*/scale` matches the scale subresource of every resource.
    if item.startswith("*/") and "/" in resource:
        return resource.split("/", 1)[1] == item[2:]
    return False


def grant(
    rule: PolicyRule, groups: Iterable[str], resources: Iterable[str], verbs: Iterable[str] | None
) -> Grant | None:
    """Where `rule` allows one of `verbs` (None: any verb) on one of
    `resources` in one of `groups`, or None."""
    groups, resources = set(groups), tuple(resources)
    if _first(rule.api_groups, lambda g: g == WILDCARD or g in groups) is None:
        return None
    r = _first(rule.resources, lambda item: any(_resource_matches(item, res) for res in resources))
    if r is None:
        return None
    wanted = None if verbs is None else set(verbs)
    v = _first(rule.verbs, lambda verb: wanted is None or verb == WILDCARD or verb in wanted)
    if v is None:
        return None
    return Grant(rule, r, v)


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f'"{i}"' for i in items)


def _on(g: Grant, wanted: Iterable[str] | None, meant: Iterable[str] = ()) -> str:
    """`"get", "list" on "secrets"`: what a grant says, in the role's own words;
    a wildcard item is followed by what it covers (`on "*", which covers "secrets"`)."""
    item = g.rule.resources[g.resource]
    covered = [m for m in meant if m != item and _resource_matches(item, m)]
    tail = f", which covers {_quoted(covered)}" if covered else ""
    return f"{_quoted(g.verbs(wanted))} on \"{item}\"{tail}"


def _cluster_role_bindings(ctx) -> dict[str, set[str]]:
    """ClusterRole name -> the kinds of the bindings of the run that reference it."""

    def build() -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for o in ctx.objects:
            if is_kind(o, "role-bindings"):
                ref = as_map(o.data.get("roleRef"))
                if as_str(ref.get("kind")) == "ClusterRole" and as_str(ref.get("name")):
                    index.setdefault(as_str(ref.get("name")), set()).add(o.kind)
        return index

    return ctx.memo(("rbac", "cluster-role-bindings"), build)


def _subjects(obj: K8sObject) -> Iterator[tuple[int, str, str, str | None]]:
    """(index, kind, name, namespace) of each subject of a binding."""
    own_namespace = obj.ref.namespace
    for index, subject in enumerate(as_list(obj.data.get("subjects"))):
        subject = as_map(subject)
        kind, name = as_str(subject.get("kind")), as_str(subject.get("name"))
        if kind and name:
            namespace = as_str(subject.get("namespace")) or (own_namespace if obj.kind == "RoleBinding" else None)
            yield index, kind, name, namespace


def _subject_label(kind: str, name: str, namespace: str | None) -> str:
    if kind == "ServiceAccount" and namespace:
        return f'ServiceAccount "{namespace}/{name}"'
    return f'{kind} "{name}"'


def _role_ref(obj: K8sObject) -> tuple[str, str]:
    ref = as_map(obj.data.get("roleRef"))
    return as_str(ref.get("kind")), as_str(ref.get("name"))


# --- roles -------------------------------------------------------------------


@rule(code="KL501", name="rbac-wildcard", severity="warning", category="rbac", kinds=ROLE_KINDS)
def rbac_wildcard(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A role rule uses the `*` wildcard in its verbs, resources or API groups.

    Why: a wildcard grants what exists today and whatever is added later: new
    verbs, new resources, every CRD installed afterwards (RBAC good practices,
    "Least privilege"; CIS Benchmark 5.1.3; kube-linter wildcard-in-rules,
    Checkov CKV_K8S_49, Trivy KSV044-KSV046).  Reported once per rule, at its
    `*` in verbs, else in resources, else in apiGroups (a `*` in
    nonResourceURLs alone is not reported).  A rule with `*` in all three (every verb on every resource of
    every group, Trivy KSV044) is the resource half of cluster-admin and is an
    error; other wildcards are warnings.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: deployer}
        rules:
          - apiGroups: ["apps"]
            resources: ["deployments"]
            verbs: ["*"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: deployer}
        rules:
          - apiGroups: ["apps"]
            resources: ["deployments"]
            verbs: ["get", "list", "watch", "update", "patch"]
    Fix safety: no automatic fix; list the verbs, resources and groups the subject really uses.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    """
    for r in policy_rules(obj):
        fields = [
            (name, items.index(WILDCARD))
            for name, items in (("verbs", r.verbs), ("resources", r.resources), ("apiGroups", r.api_groups))
            if WILDCARD in items
        ]
        if not fields:
            continue
        names = [name for name, _ in fields]
        everything = len(fields) == 3
        if everything:
            what = "every verb on every resource of every API group, including resources added later"
        elif not any(x is not None for x in r.resources) and r.non_resource_urls:
            what = f"every verb on the non-resource URLs {_quoted(r.non_resource_urls)}"
        else:
            verbs = "every verb" if "verbs" in names else _quoted(v for v in r.verbs if v)
            resources = "every resource" if "resources" in names else _quoted(x for x in r.resources if x is not None)
            groups = (
                "every API group"
                if "apiGroups" in names
                else "API group " + ", ".join('"" (core)' if g == CORE else f'"{g}"' for g in r.api_groups if g is not None)
            )
            what = f"{verbs} on {resources} in {groups}"
        listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        name, item = fields[0]
        yield Problem(
            r.path + (name, item),
            f'{r.label} uses "*" in {listed}: it grants {what}',
            Fix("Replace the wildcard with the verbs, resources and API groups the subject needs."),
            severity="error" if everything else None,
        )


@rule(code="KL503", name="rbac-secrets-access", severity="warning", category="rbac", kinds=ROLE_KINDS)
def rbac_secrets_access(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A role can read Secrets (get, list or watch), directly or through `*`.

    Why: reading Secrets yields their contents, including other service
    accounts' tokens and credentials, which lead further; `list` and `watch`
    return every secret's data, not just names (RBAC good practices, "Listing
    secrets"; CIS 5.1.2; kube-linter access-to-secrets; Trivy KSV041/KSV113).
    Cluster-wide read of Secrets is close to cluster-admin.  A rule limited by
    `resourceNames` reads only the named Secrets and is not reported.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: app, namespace: shop}
        rules:
          - apiGroups: [""]
            resources: ["secrets"]
            verbs: ["get", "list", "watch"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: app, namespace: shop}
        rules:
          - apiGroups: [""]
            resources: ["secrets"]
            resourceNames: ["app-db-credentials"]
            verbs: ["get"]
    Fix safety: no automatic fix; restrict the rule with resourceNames, or mount the Secret into the pod instead.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
    """
    read = ("get", "list", "watch")
    for r in policy_rules(obj):
        g = grant(r, {CORE}, {"secrets"}, read)
        if g is None or r.resource_names:
            continue
        scope = "in its namespace" if obj.kind == "Role" else "in every namespace it is bound in"
        yield Problem(
            g.resource_path,
            f"{r.label} lets the holder read any Secret {scope} ({_on(g, read, ['secrets'])})",
            Fix(
                "Limit the rule to the Secrets the subject needs with resourceNames, or drop list and watch.",
                '- apiGroups: [""]\n  resources: ["secrets"]\n  resourceNames: ["<secret name>"]\n  verbs: ["get"]',
            ),
        )



def _escalations(r: PolicyRule) -> list[tuple[str, Grant]]:
    found = []
    for verb in ("escalate", "bind"):
        g = grant(r, {RBAC_GROUP}, {"roles", "clusterroles"}, {verb})
        if g:
            found.append((verb, g))
    g = grant(r, {CORE}, {"users", "groups", "serviceaccounts"}, {"impersonate"}) or grant(
        r, {"authentication.k8s.io"}, {"uids"}, {"impersonate"}
    )
    if g is None:
        # userextras/<key> is a resource per extra key: any such entry matches.
        if _first(r.api_groups, lambda x: x in (WILDCARD, "authentication.k8s.io")) is not None:
            ri = _first(r.resources, lambda x: x.startswith("userextras/"))
            vi = _first(r.verbs, lambda v: v in (WILDCARD, "impersonate"))
            if ri is not None and vi is not None:
                g = Grant(r, ri, vi)
    if g:
        found.append(("impersonate", g))
    return found


ESCALATION_VERBS = ("bind", "escalate", "impersonate")


@rule(
    code="KL504", name="rbac-escalation-verbs", severity="warning", category="rbac", kinds=ROLE_KINDS,
    options={
        "verbs": {
            "type": "array",
            "items": {"enum": list(ESCALATION_VERBS)},
            "uniqueItems": True,
            "default": list(ESCALATION_VERBS),
            "description": "The escalation verbs to report; leave one out to allow it (e.g. [escalate, impersonate] allows bind).",
        }
    },
)
def rbac_escalation_verbs(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A role grants `escalate`, `bind` or `impersonate`, directly or through `*`.

    Why: these verbs bypass RBAC's own privilege-escalation prevention.
    `escalate` on roles lets the holder write any permission into a role,
    `bind` lets it bind roles it does not hold (cluster-admin included), and
    `impersonate` lets it act as another user, group or service account (RBAC
    good practices, "Escalate verb", "Bind verb", "Impersonate verb"; CIS
    5.1.8; Checkov CKV_K8S_157/158; Trivy KSV050).  Counted only on the
    resources the verb applies to: roles and clusterroles for escalate and
    bind, users, groups, serviceaccounts, uids and userextras for impersonate.
    `resourceNames` narrows bind and impersonate to the named roles or
    identities; the finding lists them so you can judge.  The finding names
    the verbs found; the `verbs` option chooses which of the three to
    report, so a controller that must `bind` can be allowed that alone.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: role-manager}
        rules:
          - apiGroups: ["rbac.authorization.k8s.io"]
            resources: ["clusterroles", "clusterrolebindings"]
            verbs: ["create", "update", "bind", "escalate"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: role-manager}
        rules:
          - apiGroups: ["rbac.authorization.k8s.io"]
            resources: ["clusterroles", "clusterrolebindings"]
            verbs: ["create", "update"]
    Fix safety: no automatic fix; without these verbs the API server only lets the subject grant what it already holds.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb
    """
    reported = set(ctx.options.get("verbs") or ESCALATION_VERBS)
    for r in policy_rules(obj):
        found = [(verb, g) for verb, g in _escalations(r) if verb in reported]
        if not found:
            continue
        verbs = [verb for verb, _ in found]
        g = min((g for _, g in found), key=lambda g: g.verb)
        via = r.verbs[g.verb]
        how = ' (through "*")' if via == WILDCARD else ""
        limited = f" (limited to resourceNames {_quoted(r.resource_names)})" if r.resource_names else ""
        yield Problem(
            g.verb_path,
            f"{r.label} grants {_quoted(verbs)}{how}{limited}: the holder can raise its own privileges",
            Fix(
                f"Remove the {' and '.join(verbs)} verb{'s' if len(verbs) > 1 else ''}, "
                f"or limit {'them' if len(verbs) > 1 else 'it'} with resourceNames."
            ),
        )


@rule(code="KL505", name="rbac-pod-exec", severity="warning", category="rbac", kinds=ROLE_KINDS)
def rbac_pod_exec(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A role can run commands in existing pods (pods/exec, pods/attach, ephemeral containers).

    Why: exec or attach into a pod runs with that pod's service account, its
    mounted Secrets and any host access it has: a common path to cluster-admin
    (Trivy KSV053/KSV054).  Creating `pods/exec` or `pods/attach` grants it;
    so does update or patch of `pods/ephemeralcontainers`, which adds a
    container to a running pod (RBAC good practices, "Ephemeral containers").
    Before Kubernetes 1.35 `get` on `pods/exec` or `pods/attach` was enough
    too (a WebSocket exec is a GET; the AuthorizePodWebsocketUpgradeCreatePermission
    gate, beta and on in 1.35, requires create), so `get` counts when
    `--kubernetes-version` is below 1.35.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: debugger, namespace: shop}
        rules:
          - apiGroups: [""]
            resources: ["pods", "pods/exec"]
            verbs: ["get", "list", "create"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: debugger, namespace: shop}
        rules:
          - apiGroups: [""]
            resources: ["pods", "pods/log"]
            verbs: ["get", "list"]
    Fix safety: no automatic fix; grant exec only to the people who debug, through a separate role.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
    """
    exec_verbs = {"create"} if ctx.version >= (1, 35) else {"create", "get"}
    for r in policy_rules(obj):
        meant: tuple[str, ...] = ("pods/exec", "pods/attach")
        g = grant(r, {CORE}, meant, exec_verbs)
        verbs: Iterable[str] = exec_verbs
        if g is None:
            meant, verbs = ("pods/ephemeralcontainers",), ("update", "patch")
            g = grant(r, {CORE}, meant, verbs)
        if g is None:
            continue
        yield Problem(
            g.resource_path,
            f"{r.label} lets the holder run commands in existing pods ({_on(g, verbs, meant)})",
            Fix("Move exec, attach and ephemeral-container access into a separate role for the people who debug."),
        )


# A proxy request's verb comes from its HTTP method (GET get, POST create, ...);
# list and watch never apply to a proxy.
_PROXY_VERBS = ("get", "create", "update", "patch", "delete")


@rule(code="KL506", name="rbac-node-proxy", severity="warning", category="rbac", kinds=CLUSTER_ROLE)
def rbac_node_proxy(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A ClusterRole grants access to nodes/proxy, the kubelet's API.

    Why: nodes/proxy reaches the kubelet API of the nodes, which can run
    commands in every pod on them, outside audit logging and admission
    control (RBAC good practices, "Access to proxy subresource of Nodes";
    Trivy KSV047).  Even `get` is enough: the kubelet authorizes a WebSocket
    exec, which is a GET, as `get`.  Monitoring agents that need metrics
    should use nodes/metrics or nodes/stats instead.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: node-monitor}
        rules:
          - apiGroups: [""]
            resources: ["nodes", "nodes/proxy"]
            verbs: ["get", "list"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: node-monitor}
        rules:
          - apiGroups: [""]
            resources: ["nodes", "nodes/metrics", "nodes/stats"]
            verbs: ["get", "list"]
    Fix safety: no automatic fix; switch the agent to nodes/metrics or nodes/stats first.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes
    """
    for r in policy_rules(obj):
        g = grant(r, {CORE}, {"nodes/proxy"}, _PROXY_VERBS)
        if g:
            yield Problem(
                g.resource_path,
                f"{r.label} grants {_on(g, _PROXY_VERBS, ['nodes/proxy'])}:"
                " the kubelet API can run commands in every pod of a node",
                Fix("Grant nodes/metrics or nodes/stats instead of nodes/proxy."),
            )


# Kinds that create pods, by API group (pods themselves included).
_WORKLOADS = {
    CORE: ("pods", "replicationcontrollers"),
    "apps": ("deployments", "daemonsets", "statefulsets", "replicasets"),
    "extensions": ("deployments", "daemonsets", "replicasets"),
    "batch": ("jobs", "cronjobs"),
}


@rule(code="KL507", name="rbac-create-workloads-cluster-wide", severity="warning", category="rbac", kinds=CLUSTER_ROLE)
def rbac_create_workloads_cluster_wide(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A ClusterRole can create pods or workloads that create pods.

    Why: whoever can create a pod in a namespace can run it as any service
    account of that namespace and mount any of its Secrets, ConfigMaps and
    volumes, and, unless Pod Security admission stops it, run it privileged
    on the host (RBAC good practices, "Workload creation"; CIS 5.1.4;
    kube-linter access-to-create-pods).  Through a ClusterRoleBinding that is
    every namespace, kube-system included.  Counted: create on pods and
    replicationcontrollers (core), deployments, daemonsets, statefulsets,
    replicasets (apps, extensions), jobs and cronjobs (batch), also through
    `*`.  A ClusterRole that the run binds only with RoleBindings is granted
    per namespace and is not reported.  Roles are not reported, by design:
    a Role grants pod creation in its own namespace only, which is what
    deploying an application there needs (a CI deployer, an operator
    managing its namespace); the risk this rule is about is the same power
    in every namespace at once.  kube-linter's `access-to-create-pods` also
    flags Roles.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: ci-deployer}
        rules:
          - apiGroups: ["apps"]
            resources: ["deployments"]
            verbs: ["get", "list", "create", "update"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: ci-deployer, namespace: shop}
        rules:
          - apiGroups: ["apps"]
            resources: ["deployments"]
            verbs: ["get", "list", "create", "update"]
    Fix safety: no automatic fix; grant it per namespace (a Role, or a RoleBinding of the ClusterRole).
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
    """
    bound_by = _cluster_role_bindings(ctx).get(obj.ref.name or "")
    if bound_by and bound_by == {"RoleBinding"}:
        return
    for r in policy_rules(obj):
        grants = [g for group, kinds in _WORKLOADS.items() if (g := grant(r, {group}, kinds, {"create"}))]
        if not grants:
            continue
        g = min(grants, key=lambda g: g.resource)
        groups = [group for group in _WORKLOADS if _first(r.api_groups, lambda x: x in (WILDCARD, group)) is not None]
        resources = [
            x for x in r.resources
            if x and any(_resource_matches(x, res) for group in groups for res in _WORKLOADS[group])
        ]
        yield Problem(
            g.resource_path,
            f"{r.label} lets the holder create pods in every namespace it is bound in"
            f' ({_quoted(g.verbs(["create"]))} on {_quoted(resources)})',
            Fix("Grant workload creation with a Role, or bind this ClusterRole per namespace with RoleBindings."),
        )


_WEBHOOK_CONFIGS = ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")


@rule(code="KL508", name="rbac-webhook-manage", severity="warning", category="rbac", kinds=CLUSTER_ROLE)
def rbac_webhook_manage(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A ClusterRole can create, change or delete admission webhook configurations.

    Why: a mutating or validating webhook configuration decides which requests
    are sent to which service; whoever controls it can read every object
    admitted to the cluster (Secrets included), mutate it, or switch off the
    policy webhooks that guard the cluster (RBAC good practices, "Control
    admission webhooks"; Checkov CKV_K8S_155; Trivy KSV114).  `resourceNames`
    does not help much: changing one's own webhook's rules widens it to every
    resource.  Operators that patch their webhook's caBundle need it; review
    that they do.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: policy-admin}
        rules:
          - apiGroups: ["admissionregistration.k8s.io"]
            resources: ["validatingwebhookconfigurations"]
            verbs: ["get", "list", "update", "patch"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: policy-admin}
        rules:
          - apiGroups: ["admissionregistration.k8s.io"]
            resources: ["validatingwebhookconfigurations"]
            verbs: ["get", "list", "watch"]
    Fix safety: no automatic fix; let a deployment tool own the webhook configurations.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks
    """
    verbs = ("create", "update", "patch", "delete", "deletecollection")
    for r in policy_rules(obj):
        g = grant(r, {"admissionregistration.k8s.io"}, _WEBHOOK_CONFIGS, verbs)
        if g:
            yield Problem(
                g.resource_path,
                f"{r.label} lets the holder change admission webhooks ({_on(g, verbs, _WEBHOOK_CONFIGS)})",
                Fix("Limit webhook configuration access to get, list and watch."),
            )


@rule(code="KL509", name="rbac-token-create", severity="warning", category="rbac", kinds=ROLE_KINDS)
def rbac_token_create(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A role can create tokens for service accounts (serviceaccounts/token).

    Why: creating a TokenRequest issues a token for an existing service
    account, so the holder gains the permissions of every service account it
    may request tokens for (RBAC good practices, "Token request").  A rule
    limited by `resourceNames` to named service accounts is not reported.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: token-issuer, namespace: shop}
        rules:
          - apiGroups: [""]
            resources: ["serviceaccounts/token"]
            verbs: ["create"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: token-issuer, namespace: shop}
        rules:
          - apiGroups: [""]
            resources: ["serviceaccounts/token"]
            resourceNames: ["build-bot"]
            verbs: ["create"]
    Fix safety: no automatic fix; name the service accounts with resourceNames.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request
    """
    for r in policy_rules(obj):
        g = grant(r, {CORE}, {"serviceaccounts/token"}, {"create"})
        if g and not r.resource_names:
            yield Problem(
                g.resource_path,
                f"{r.label} lets the holder issue tokens for any service account"
                f" ({_on(g, ['create'], ['serviceaccounts/token'])})",
                Fix("Limit the rule with resourceNames to the service accounts it must issue tokens for."),
            )


# Signers whose certificates the API server accepts as client credentials
# (https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#kubernetes-signers);
# kubelet-serving issues serving certificates only.
_SAFE_SIGNERS = frozenset({"kubernetes.io/kubelet-serving"})


def _client_signer(name: str) -> bool:
    return name == WILDCARD or (name.startswith("kubernetes.io/") and name not in _SAFE_SIGNERS)


@rule(code="KL510", name="rbac-csr-approve", severity="warning", category="rbac", kinds=CLUSTER_ROLE)
def rbac_csr_approve(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A ClusterRole can approve certificate signing requests for client certificates.

    Why: approving a CSR for the kube-apiserver-client signer issues a client
    certificate for any user and group, `system:masters` included: a
    credential that cannot be revoked (RBAC good practices, "CSRs and
    certificate issuing"; Checkov CKV_K8S_156).  Approval needs both update
    or patch on `certificatesigningrequests/approval` and `approve` on
    `signers`; like Checkov, the rule reports a ClusterRole that has both.
    Approval limited by `resourceNames` to signers that issue no client
    certificates (kubernetes.io/kubelet-serving, or signers outside
    kubernetes.io) is not reported.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: csr-approver}
        rules:
          - apiGroups: ["certificates.k8s.io"]
            resources: ["certificatesigningrequests/approval"]
            verbs: ["update"]
          - apiGroups: ["certificates.k8s.io"]
            resources: ["signers"]
            verbs: ["approve"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: csr-approver}
        rules:
          - apiGroups: ["certificates.k8s.io"]
            resources: ["certificatesigningrequests/approval"]
            verbs: ["update"]
          - apiGroups: ["certificates.k8s.io"]
            resources: ["signers"]
            resourceNames: ["kubernetes.io/kubelet-serving"]
            verbs: ["approve"]
    Fix safety: no automatic fix; name the signers the approver serves with resourceNames.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing
    """
    rules = list(policy_rules(obj))
    signers = [
        r for r in rules
        if grant(r, {"certificates.k8s.io"}, {"signers"}, {"approve"})
        and (not r.resource_names or any(_client_signer(n) for n in r.resource_names))
    ]
    if not signers:
        return
    for r in rules:
        g = grant(r, {"certificates.k8s.io"}, {"certificatesigningrequests/approval"}, {"update", "patch"})
        if g:
            yield Problem(
                g.resource_path,
                f"{r.label} lets the holder approve client certificates"
                f" ({_on(g, ['update', 'patch'], ['certificatesigningrequests/approval'])};"
                f" \"approve\" on signers{'' if r in signers else ' in ' + signers[0].label})",
                Fix("Limit signer approval with resourceNames to the signers the approver serves."),
            )


@rule(
    code="KL511", name="rbac-persistent-volume-create", severity="warning", category="rbac", kinds=CLUSTER_ROLE,
    enabled=False,
)
def rbac_persistent_volume_create(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A ClusterRole can create PersistentVolumes (off by default).

    Why: whoever can create a PersistentVolume can create a hostPath volume
    and, by claiming it, give a pod the node's file system (RBAC good
    practices, "Persistent volume creation").  Storage provisioners need it,
    so the rule is off by default; turn it on to review who else has it.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: storage-admin}
        rules:
          - apiGroups: [""]
            resources: ["persistentvolumes"]
            verbs: ["get", "list", "create"]
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: storage-admin}
        rules:
          - apiGroups: [""]
            resources: ["persistentvolumes", "persistentvolumeclaims"]
            verbs: ["get", "list"]
    Fix safety: no automatic fix; let users claim volumes (PersistentVolumeClaims) from a StorageClass instead.
    References: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation
    """
    for r in policy_rules(obj):
        g = grant(r, {CORE}, {"persistentvolumes"}, {"create"})
        if g:
            yield Problem(
                g.resource_path,
                f"{r.label} lets the holder create PersistentVolumes, hostPath ones included"
                f" ({_on(g, ['create'], ['persistentvolumes'])})",
                Fix("Let users create PersistentVolumeClaims against a StorageClass instead of PersistentVolumes."),
            )


# --- bindings ----------------------------------------------------------------


@rule(code="KL502", name="rbac-cluster-admin-binding", severity="error", category="rbac", kinds=BINDING_KINDS)
def rbac_cluster_admin_binding(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A binding grants cluster-admin, or a role of the run that allows everything as cluster-admin does.

    Why: cluster-admin can do anything to any resource; through a
    ClusterRoleBinding it owns the whole cluster, through a RoleBinding the
    whole namespace, its Secrets, RBAC and pods included (RBAC good
    practices; CIS 5.1.1; kube-linter cluster-admin-role-binding; Trivy
    KSV111).  A role of the run with a rule granting `*` verbs (or every
    read and write verb: get, list, watch, create, update, patch, delete) on
    `*` resources in `*` API groups is the same, whatever it is called
    (Polaris `clusterrolebindingClusterAdmin` counts it so too).  A
    ClusterRoleBinding is an error, a RoleBinding a warning.  The built-in
    binding of the `system:masters` group is not reported.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: ci-admin}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects:
          - {kind: ServiceAccount, name: ci, namespace: ci}
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: ci-deployer, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
        subjects:
          - {kind: ServiceAccount, name: ci, namespace: ci}
    Fix safety: no automatic fix; write a role with the permissions the subject needs.
    References: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
    """
    kind, name = _role_ref(obj)
    if kind == "ClusterRole" and name == "cluster-admin":
        what = 'ClusterRole "cluster-admin"'
    elif kind in ROLE_KINDS and _grants_everything(ctx, obj, kind, name):
        what = f'{kind} "{name}", which allows every read and write verb on every resource,'
    else:
        return
    subjects = [_subject_label(k, n, ns) for _, k, n, ns in _subjects(obj)]
    if subjects and all(s == 'Group "system:masters"' for s in subjects):
        return
    scope = "the whole cluster" if obj.kind == "ClusterRoleBinding" else f'namespace "{obj.ref.namespace or "default"}"'
    to = f" to {', '.join(subjects)}" if subjects else ""
    yield Problem(
        ("roleRef", "name"),
        f"grants {what}{to}: full control of {scope}",
        Fix("Bind a role that grants only what the subjects need."),
        severity=None if obj.kind == "ClusterRoleBinding" else "warning",
    )


# Every verb that reads or writes an object (the API's standard verbs); a
# rule granting all of them on everything is cluster-admin but for the
# escalation verbs, which the role would not need to take the cluster.
READ_WRITE_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete"})


def allows_everything(role: K8sObject) -> bool:
    """A rule of the role allows `*` verbs (or every read and write verb) on
    `*` resources in `*` API groups: what cluster-admin grants on resources."""
    for r in policy_rules(role):
        if WILDCARD in r.api_groups and WILDCARD in r.resources and not r.resource_names:
            if WILDCARD in r.verbs or READ_WRITE_VERBS <= set(r.verbs):
                return True
    return False


def roles_granting_everything(ctx) -> set[tuple[str, str | None, str]]:
    """(kind, namespace, name) of the Roles and ClusterRoles of the run that
    allow everything.  Reads of each role: kind, metadata name and
    namespace, rules (apiGroups, resources, verbs, resourceNames),
    aggregationRule."""

    def build() -> set:
        return {
            (o.kind, o.ref.namespace if o.kind == "Role" else None, o.ref.name)
            for o in ctx.objects
            if o.kind in ROLE_KINDS and o.group == RBAC_GROUP and allows_everything(o)
        }

    return ctx.memo(("rbac", "roles-granting-everything"), build)


def _grants_everything(ctx, binding: K8sObject, kind: str, name: str) -> bool:
    everything = roles_granting_everything(ctx)
    if kind == "ClusterRole":
        return ("ClusterRole", None, name) in everything
    # A Role is in the binding's namespace; without one, any namespace may be it.
    namespace = binding.ref.namespace
    return any(k == "Role" and n == name and (namespace is None or ns is None or ns == namespace) for k, ns, n in everything)


@rule(code="KL512", name="rbac-default-service-account-binding", severity="warning", category="rbac", kinds=BINDING_KINDS)
def rbac_default_service_account_binding(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A binding grants a role to a namespace's `default` service account.

    Why: every pod that names no service account runs as `default`, so a
    role bound to it goes to every such pod of the namespace, today's and
    tomorrow's (https://kubernetes.io/docs/concepts/security/service-accounts/;
    RBAC good practices: give each workload its own service account).  The
    groups `system:serviceaccounts` and `system:serviceaccounts:<namespace>`
    include the default service accounts and are reported too.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: reader, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
          - {kind: ServiceAccount, name: default, namespace: shop}
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: reader, namespace: shop}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
          - {kind: ServiceAccount, name: dashboard, namespace: shop}
    Fix safety: no automatic fix; create a service account for the workload and set serviceAccountName.
    References: https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
    """
    kind, name = _role_ref(obj)
    role = f'{kind or "role"} "{name}"'
    for index, s_kind, s_name, namespace in _subjects(obj):
        if s_kind == "ServiceAccount" and s_name == "default":
            who = f'the default service account of namespace "{namespace}"' if namespace else "a default service account"
        elif s_kind == "Group" and (s_name == "system:serviceaccounts" or s_name.startswith("system:serviceaccounts:")):
            ns = s_name.removeprefix("system:serviceaccounts").lstrip(":")
            who = (
                f'group "{s_name}" (every service account of namespace "{ns}", default included)'
                if ns
                else f'group "{s_name}" (every service account of the cluster)'
            )
        else:
            continue
        yield Problem(
            ("subjects", index, "name"),
            f"grants {role} to {who}, which pods get unless they name another",
            Fix("Create a service account for the workload, bind the role to it and set serviceAccountName."),
        )


# Kubernetes binds these to system:authenticated and system:unauthenticated
# itself (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles).
_PUBLIC_ROLES = frozenset({"system:public-info-viewer"})
_AUTHENTICATED_ROLES = frozenset({"system:basic-user", "system:discovery", "system:public-info-viewer"})


@rule(code="KL513", name="rbac-anonymous-binding", severity="error", category="rbac", kinds=BINDING_KINDS)
def rbac_anonymous_binding(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A binding grants a role to anonymous or to all authenticated users.

    Why: `system:anonymous` (user) and `system:unauthenticated` (group) are
    every request that presents no credentials: anyone who can reach the API
    server (Trivy KSV122).  That is an error.  `system:authenticated` is every
    user with any valid credential, on some managed clusters any account of
    the identity provider (Trivy KSV123): a warning.  The discovery roles
    Kubernetes itself binds to these groups are not reported.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: public-read}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: public-read}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "ops-team"}
    Fix safety: no automatic fix; bind the role to the users or groups that need it.
    References: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
    """
    kind, name = _role_ref(obj)
    role = f'{kind or "role"} "{name}"'
    for index, s_kind, s_name, _ in _subjects(obj):
        if (s_kind, s_name) in (("User", "system:anonymous"), ("Group", "system:unauthenticated")):
            if name in _PUBLIC_ROLES:
                continue
            who, severity = "anyone who can reach the API server, without credentials", None
        elif (s_kind, s_name) == ("Group", "system:authenticated"):
            if name in _AUTHENTICATED_ROLES:
                continue
            who, severity = "every authenticated user", "warning"
        else:
            continue
        yield Problem(
            ("subjects", index, "name"),
            f'grants {role} to {s_kind} "{s_name}": {who}',
            Fix("Bind the role to the specific users, groups or service accounts that need it."),
            severity=severity,
        )


# ClusterRoles every cluster has: the user-facing roles and the `system:`
# ones the API server bootstraps (plugin/pkg/auth/authorizer/rbac/bootstrappolicy
# in k8s.io/kubernetes, policy.go ClusterRoles()).
BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
# Roles the API server bootstraps in kube-system and kube-public (policy.go
# NamespaceRoles()): extension-apiserver-authentication-reader and the
# `system:` ones.
BUILTIN_ROLES = frozenset({"extension-apiserver-authentication-reader"})


@rule(
    code="KL514", name="rbac-role-ref-unknown", severity="warning", category="rbac",
    kinds=BINDING_KINDS, options=STRICT_OPTION,
)
def rbac_role_ref_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A binding's roleRef names a Role or ClusterRole the run does not define.

    Why: the API server accepts a binding to a role that does not exist and
    it grants nothing; the subjects get `forbidden` errors until someone
    notices the name is wrong.  Reported only when the run defines roles of
    that kind surely in reach (Roles in the binding's namespace; ClusterRoles
    in the binding's directory tree, see kubelint.references), with the
    nearest name, unless `strict` is set.  The built-in ClusterRoles
    (`cluster-admin`, `admin`, `edit`, `view` and every `system:` role)
    and the bootstrap Roles (`extension-apiserver-authentication-reader`,
    `system:` ones) exist in every cluster.
    Example:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: pod-reader}
        rules:
          - apiGroups: [""]
            resources: ["pods"]
            verbs: ["get", "list"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: read-pods}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-reader}
        subjects:
          - {kind: ServiceAccount, name: web}
    Use instead:
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: pod-reader}
        rules:
          - apiGroups: [""]
            resources: ["pods"]
            verbs: ["get", "list"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: read-pods}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
        subjects:
          - {kind: ServiceAccount, name: web}
    Fix safety: no automatic fix; the "did you mean" name is a guess.
    References: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding
    """
    kind, name = _role_ref(obj)
    if kind not in ROLE_KINDS or not name:
        return
    if name.startswith("system:") or name in (BUILTIN_CLUSTER_ROLES if kind == "ClusterRole" else BUILTIN_ROLES):
        return
    found = lookup(ctx, obj, (kind,), name, cluster_scoped=kind == "ClusterRole")
    if found.missing(strict(ctx)):
        yield Problem(
            ("roleRef", "name"),
            f'roleRef names {kind} "{name}", which the run does not define{found.hint(name)}: the binding grants nothing',
            Fix("Name an existing role in roleRef."),
        )
