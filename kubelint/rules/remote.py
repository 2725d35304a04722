"""Where content comes from: remote applies, untrusted hosts, moving refs.

The sources stage reports these for a URL given to `kubelint check` or
`kubelint apply` (the host that served it and each redirect), and for
`kubectl apply -f URL` and the like in scripts, Makefiles, Dockerfiles,
Markdown and CI workflows (kubelint/sources/scripts.py).  The functions below
report them in the objects of a repository that pull content from elsewhere:
kustomizations (`resources`, `bases`, `components`, `patches`,
`helmCharts[].repo`, `openapi.path`), Argo CD `Application` and
`ApplicationSet`, and Flux `GitRepository`, `HelmRepository`,
`OCIRepository` and `Bucket`.

No host is trusted by default; trust hosts with `--trusted-host HOST` or
`trusted-hosts` in the configuration (`*.example.com` for subdomains).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from kubelint.model import Fix, K8sObject, Path, Problem
from kubelint.registry import declare, rule
from kubelint.sources.trust import RemoteRef, parse_remote
from kubelint.k8s.workloads import as_list, as_map, as_str

# The kind the engine gives a kustomization document (kustomization.yaml,
# or any document of apiVersion kustomize.config.k8s.io/*).
KUSTOMIZATION = "Kustomization"
KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
ARGO_GROUP = "argoproj.io"  # https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/
FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io"  # https://fluxcd.io/flux/components/source/
REMOTE_KINDS = frozenset(
    {
        f"{KUSTOMIZE_GROUP}/{KUSTOMIZATION}",
        f"{ARGO_GROUP}/Application",
        f"{ARGO_GROUP}/ApplicationSet",
        *(f"{FLUX_SOURCE_GROUP}/{kind}" for kind in ("GitRepository", "HelmRepository", "OCIRepository", "Bucket")),
    }
)


def remote_refs(obj: K8sObject) -> Iterator[tuple[Path, RemoteRef, str | None]]:
    """(path, reference, why it is unpinned or None) of every place the
    object pulls content from."""
    data, group = obj.data, obj.group
    if obj.kind == KUSTOMIZATION and (group == KUSTOMIZE_GROUP or not obj.api_version):
        yield from kustomization_refs(data)
    elif group == ARGO_GROUP and obj.kind == "Application":
        spec = as_map(data.get("spec"))
        yield from _argo_sources(spec, ("spec",))
    elif group == ARGO_GROUP and obj.kind == "ApplicationSet":
        spec = as_map(data.get("spec"))
        yield from _argo_sources(as_map(as_map(spec.get("template")).get("spec")), ("spec", "template", "spec"))
        yield from _argo_generators(as_list(spec.get("generators")), ("spec", "generators"))
    elif group == FLUX_SOURCE_GROUP:
        yield from _flux_refs(obj)


def _ref(value, scheme_less: bool = False) -> RemoteRef | None:
    return parse_remote(value, scheme_less) if isinstance(value, str) else None


def kustomization_refs(data: dict) -> Iterator[tuple[Path, RemoteRef, str | None]]:
    """Remote references of a kustomization's data (also for --follow-remote)."""
    # https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/resource/
    for key in ("resources", "bases", "components"):
        for index, entry in enumerate(as_list(data.get(key))):
            ref = _ref(entry, scheme_less=True)
            if ref is not None:
                yield (key, index), ref, ref.unpinned()
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        for index, entry in enumerate(as_list(data.get(key))):
            path: Path = (key, index, "path") if isinstance(entry, dict) else (key, index)
            ref = _ref(as_map(entry).get("path") if isinstance(entry, dict) else entry)
            if ref is not None:
                yield path, ref, ref.unpinned()
    for index, chart in enumerate(as_list(data.get("helmCharts"))):
        ref = _ref(as_map(chart).get("repo"))
        if ref is not None:
            yield ("helmCharts", index, "repo"), ref, None
    ref = _ref(as_map(data.get("openapi")).get("path"))
    if ref is not None:
        yield ("openapi", "path"), ref, ref.unpinned()


def _argo_sources(spec: dict, at: Path) -> Iterator[tuple[Path, RemoteRef, str | None]]:
    sources = [(at + ("source",), as_map(spec.get("source")))] if "source" in spec else []
    sources += [(at + ("sources", i), as_map(s)) for i, s in enumerate(as_list(spec.get("sources")))]
    for path, source in sources:
        ref = _ref(source.get("repoURL"), scheme_less=True)
        if ref is None and isinstance(source.get("repoURL"), str) and "/" in source["repoURL"]:
            ref = parse_remote("oci://" + source["repoURL"])  # a Helm OCI registry without scheme
        if ref is None:
            continue
        why = None
        if "chart" not in source:  # a git source; a Helm chart's targetRevision is its version
            revision = as_str(source.get("targetRevision"))
            if not revision or revision.lower() in ("head", "main", "master"):
                why = f'targetRevision "{revision}" is a branch' if revision else "no targetRevision: it follows HEAD"
        yield path + ("repoURL",), ref, why


def _argo_generators(generators: list, at: Path) -> Iterator[tuple[Path, RemoteRef, str | None]]:
    # https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators/
    for index, generator in enumerate(generators):
        for name, body in as_map(generator).items():
            body = as_map(body)
            if isinstance(body.get("repoURL"), str):
                ref = _ref(body["repoURL"], scheme_less=True)
                if ref is not None:
                    revision = as_str(body.get("revision"))
                    why = None
                    if not revision or revision.lower() in ("head", "main", "master"):
                        why = f'revision "{revision}" is a branch' if revision else "no revision: it follows HEAD"
                    yield at + (index, name, "repoURL"), ref, why
            if isinstance(body.get("generators"), list):  # matrix and merge nest generators
                yield from _argo_generators(body["generators"], at + (index, name, "generators"))


def _flux_refs(obj: K8sObject) -> Iterator[tuple[Path, RemoteRef, str | None]]:
    spec = as_map(obj.data.get("spec"))
    if obj.kind == "Bucket":
        # A Bucket names an endpoint (host[:port]); spec.insecure means plain http.
        endpoint = as_str(spec.get("endpoint"))
        if endpoint:
            scheme = "http" if spec.get("insecure") is True else "https"
            ref = parse_remote(endpoint if "://" in endpoint else f"{scheme}://{endpoint}/")
            if ref is not None:
                yield ("spec", "endpoint"), replace(ref, text=endpoint), None
        return
    if obj.kind not in ("GitRepository", "HelmRepository", "OCIRepository"):
        return
    ref = _ref(spec.get("url"))
    if ref is None:
        return
    if spec.get("insecure") is True and ref.scheme == "oci":
        ref = RemoteRef(ref.text, "http", ref.host, ref.userinfo, ref.git, ref.ref)
    why = None
    if obj.kind == "GitRepository":
        pin = as_map(spec.get("ref"))
        if not any(pin.get(k) for k in ("tag", "semver", "commit", "name")):
            branch = as_str(pin.get("branch"))
            why = f'spec.ref.branch "{branch}" is a branch' if branch else "no spec.ref: it follows the default branch"
    yield ("spec", "url"), ref, why


@rule(code="KL020", name="remote-untrusted-host", severity="error", category="remote", kinds=REMOTE_KINDS)
def remote_untrusted_host(obj: K8sObject, ctx) -> Iterator[Problem]:
    """Content comes from a host that is not trusted.

    Why: whoever controls the host decides what gets installed, and can change
    it at any moment: `kubectl apply -f https://...` is `curl | sh` for a
    cluster.  kubelint trusts no host by default; trusting one is a decision
    you write down.  Reported for URLs given to `kubelint check` and each
    redirect, for kustomize remote resources, GitOps sources, and remote
    applies in scripts and docs.  A URL with a user name
    (`https://trusted.example@evil.example/`) is never trusted.
    Example:
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - https://github.com/acme/deploy//base?ref=v1.4.2
    Use instead:
        # kubelint check --trusted-host github.com
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - https://github.com/acme/deploy//base?ref=v1.4.2
    Fix safety: no automatic fix; review the host, then add it to `trusted-hosts`
    (or `--trusted-host`), or vendor the content into the repository.
    References: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/resource/
    """
    trusted = ctx.settings.trusted_hosts
    for path, ref, _ in remote_refs(obj):
        if not ref.trusted(trusted):
            why = "carries a user name" if ref.userinfo else "is not a trusted host"
            yield Problem(
                path, f'{ref.text} comes from "{ref.host}", which {why}',
                Fix(f"Review {ref.host}, then add it to trusted-hosts, or vendor the content into the repository."),
            )


@rule(code="KL021", name="remote-insecure-transport", severity="error", category="remote", kinds=REMOTE_KINDS)
def remote_insecure_transport(obj: K8sObject, ctx) -> Iterator[Problem]:
    """Content is fetched without TLS (plain http or git://).

    Why: anyone on the network path can change what is installed; even a
    trusted host cannot vouch for bytes it sent in the clear.
    Example:
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - http://manifests.example.com/app.yaml
    Use instead:
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - app.yaml
    Fix safety: no automatic fix; use https:// (or ssh for git), or vendor the content.
    References: https://fluxcd.io/flux/components/source/buckets/#insecure
    """
    for path, ref, _ in remote_refs(obj):
        if ref.insecure:
            yield Problem(path, f"{ref.text} is fetched over {ref.scheme}, without TLS", Fix("Use an https:// URL."))


@rule(code="KL022", name="remote-unpinned-ref", severity="warning", category="remote", kinds=REMOTE_KINDS)
def remote_unpinned_ref(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A remote git reference follows a branch (or has no ref) instead of a tag or commit.

    Why: a branch moves, so the same repository renders something else
    tomorrow, and a review of today's content proves nothing about what is
    applied next.  main, master, HEAD, develop and trunk are taken as branches;
    a missing ref means the default branch.
    Example:
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - https://github.com/acme/deploy//base?ref=main
    Use instead:
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
          - https://github.com/acme/deploy//base?ref=v1.4.2
    Fix safety: no automatic fix; pick the tag or commit you reviewed.
    References: https://argo-cd.readthedocs.io/en/stable/user-guide/tracking_strategies/
    """
    for path, ref, why in remote_refs(obj):
        if why:
            yield Problem(path, f"{ref.text}: {why}", Fix("Pin a tag or a commit (e.g. ?ref=v1.4.2 or targetRevision: v1.4.2)."))


remote_content_changed = declare(
    code="KL023",
    name="remote-content-changed",
    severity="error",
    category="remote",
    doc="""
    A URL now serves something other than what kubelint.lock recorded.

    Why: `kubelint lock URL` records the sha256 of what a URL served when you
    reviewed it (trust on first use, like a package lockfile).  A different
    digest means the server changed the content since: a new release, or an
    attack.  The new content is still checked and reported.
    Example:
        kubelint check https://example.com/install.yaml   # kubelint.lock has another sha256
    Use instead:
        kubelint lock https://example.com/install.yaml    # after reviewing the change
    Fix safety: no automatic fix; review the new content, then run `kubelint lock URL`.
    References: https://pip.pypa.io/en/stable/topics/secure-installs/#hash-checking-mode
    """,
)
