"""What a set of manifests would install, for `kubelint apply` to show
before anything reaches the cluster: objects by kind and namespace,
cluster-scoped objects, CRDs, RBAC grants (cluster-wide ones and those close
to cluster-admin first), privileged and host-level workloads, admission
webhooks, Services reachable from outside the cluster, and every image.

Pure data from the parsed objects; `render_text` turns it into lines.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, Iterable

from kubelint.run import CRD_KIND, objects_of
from kubelint.model import K8sObject
from kubelint.parse import parse_file
from kubelint.k8s.kinds import BUILTIN_GROUPS, NAMESPACED_BY_GROUP
from kubelint.k8s.workloads import as_list, as_map, as_str, containers, pod_spec

WEBHOOK_KINDS = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy")
# Roles that hold (nearly) every permission: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
ADMIN_ROLES = ("cluster-admin", "admin")
HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


def label(obj: K8sObject) -> str:
    return obj.ref.label()


def cluster_scoped(obj: K8sObject, custom_namespaced: set[tuple[str, str]]) -> bool:
    group = obj.group
    if obj.kind in NAMESPACED_BY_GROUP.get(group, ()) or (group, obj.kind) in custom_namespaced:
        return False
    # A custom kind without its CRD in the input: its namespace field says what the author meant.
    builtin = group in BUILTIN_GROUPS or group.endswith(".k8s.io") or "." not in group
    return builtin or obj.ref.namespace is None


def _rbac(objects: list[K8sObject]) -> list[dict[str, Any]]:
    roles = {(o.kind, o.ref.namespace if o.kind == "Role" else None, o.ref.name): o for o in objects if o.kind in ("Role", "ClusterRole")}
    entries = []
    for obj in objects:
        if obj.kind in ("Role", "ClusterRole"):
            wide = []
            for r in as_list(obj.data.get("rules")):
                r = as_map(r)
                verbs, resources = as_list(r.get("verbs")), as_list(r.get("resources"))
                if "*" in verbs or "*" in resources or as_list(r.get("nonResourceURLs")):
                    what = ",".join(map(str, resources or r.get("nonResourceURLs") or []))
                    wide.append(f"{','.join(map(str, verbs))} on {what}")
            if wide:
                entries.append({"object": obj.ref.as_dict(), "label": label(obj), "cluster_wide": obj.kind == "ClusterRole",
                                "admin_like": any(g.startswith("* on *") for g in wide), "grants": wide})
        elif obj.kind in ("RoleBinding", "ClusterRoleBinding"):
            ref = as_map(obj.data.get("roleRef"))
            role_kind, role_name = as_str(ref.get("kind")), as_str(ref.get("name"))
            role = roles.get((role_kind, obj.ref.namespace if role_kind == "Role" else None, role_name))
            admin = role_name in ADMIN_ROLES or (role is not None and any(
                "*" in as_list(as_map(r).get("verbs")) and "*" in as_list(as_map(r).get("resources"))
                for r in as_list(role.data.get("rules"))))
            subjects = []
            for s in as_list(obj.data.get("subjects")):
                s = as_map(s)
                ns = as_str(s.get("namespace"))
                subjects.append(f"{as_str(s.get('kind'))} {ns + '/' if ns else ''}{as_str(s.get('name'))}")
            entries.append({"object": obj.ref.as_dict(), "label": label(obj), "cluster_wide": obj.kind == "ClusterRoleBinding",
                            "admin_like": admin, "grants": [f"{role_kind} {role_name} to {', '.join(subjects) or 'nobody'}"]})
    entries.sort(key=lambda e: (not e["admin_like"], not e["cluster_wide"], e["label"]))
    return entries


def _host_access(obj: K8sObject) -> list[str]:
    pod = pod_spec(obj)
    if pod is None:
        return []
    why = [f"{key}" for key in HOST_NAMESPACES if pod.spec.get(key) is True]
    for c in containers(obj):
        sc = c.security_context
        if sc.get("privileged") is True:
            why.append(f"privileged {c.label}")
        added = [a for a in as_list(as_map(sc.get("capabilities")).get("add")) if isinstance(a, str)]
        if added:
            why.append(f"{c.label} adds {', '.join(added)}")
        if any(as_map(p).get("hostPort") for p in as_list(c.spec.get("ports"))):
            why.append(f"{c.label} uses a host port")
    for v in as_list(pod.spec.get("volumes")):
        host = as_map(as_map(v).get("hostPath"))
        if host:
            why.append(f"hostPath {as_str(host.get('path'))}")
    return why


def _exposure(obj: K8sObject) -> str | None:
    if obj.kind != "Service" or obj.group:
        return None
    spec = as_map(obj.data.get("spec"))
    kind = as_str(spec.get("type"))
    if kind in ("LoadBalancer", "NodePort"):
        return kind
    if as_list(spec.get("externalIPs")):
        return "externalIPs " + ", ".join(map(str, spec["externalIPs"]))
    return None


def build(sources: Iterable[Any]) -> dict[str, Any]:
    """The preview of what `sources` (kubelint.sources.Source values) would install."""
    objects: list[K8sObject] = []
    described = []
    for source in sources:
        described.append({"name": source.name, "sha256": hashlib.sha256(source.data).hexdigest(), "bytes": len(source.data)})
        for doc in parse_file(source.name, source.data).documents:
            objects.extend(objects_of(doc))
    custom_namespaced = set()
    for o in objects:
        if o.kind == CRD_KIND:
            spec = as_map(o.data.get("spec"))
            if spec.get("scope") == "Namespaced":
                custom_namespaced.add((as_str(spec.get("group")), as_str(as_map(spec.get("names")).get("kind"))))
    counts = Counter((o.kind, None if cluster_scoped(o, custom_namespaced) else (o.ref.namespace or "(the current namespace)")) for o in objects)
    images = sorted({as_str(c.spec.get("image")) for o in objects for c in containers(o) if as_str(c.spec.get("image"))})
    return {
        "sources": described,
        "objects": len(objects),
        "by_kind": [{"kind": k, "namespace": ns, "count": n} for (k, ns), n in sorted(counts.items(), key=lambda i: (i[0][0], i[0][1] or ""))],
        "cluster_scoped": [label(o) for o in objects if cluster_scoped(o, custom_namespaced)],
        "crds": [as_str(as_map(o.data.get("metadata")).get("name")) for o in objects if o.kind == CRD_KIND],
        "rbac": _rbac(objects),
        "host_access": [{"label": label(o), "why": why} for o in objects if (why := _host_access(o))],
        "webhooks": [label(o) for o in objects if o.kind in WEBHOOK_KINDS],
        "exposed_services": [{"label": label(o), "how": how} for o in objects if (how := _exposure(o))],
        "images": images,
    }


def render_text(preview: dict[str, Any]) -> str:
    lines = ["What would be installed:"]
    for s in preview["sources"]:
        lines.append(f"  from {s['name']} ({s['bytes']} bytes, sha256 {s['sha256']})")
    lines.append(f"  {preview['objects']} object{'s' if preview['objects'] != 1 else ''}:")
    for entry in preview["by_kind"]:
        where = f"in {entry['namespace']}" if entry["namespace"] else "cluster-wide"
        lines.append(f"    {entry['count']:>4} {entry['kind']} {where}")

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.append(f"  {title}:")
            lines.extend(f"    {item}" for item in items)

    section("cluster-scoped objects", preview["cluster_scoped"])
    section("custom resource definitions", preview["crds"])
    section("RBAC grants", [
        f"{e['label']}: {'; '.join(e['grants'])}"
        + (" [close to cluster-admin]" if e["admin_like"] else "") + (" [cluster-wide]" if e["cluster_wide"] else "")
        for e in preview["rbac"]
    ])
    section("privileged or host-level workloads", [f"{e['label']}: {', '.join(e['why'])}" for e in preview["host_access"]])
    section("admission webhooks and policies", preview["webhooks"])
    section("Services exposed outside the cluster", [f"{e['label']}: {e['how']}" for e in preview["exposed_services"]])
    section("images", preview["images"])
    return "\n".join(lines) + "\n"
