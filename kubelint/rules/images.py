"""Container images: where they come from and how they are pinned."""

from __future__ import annotations

from typing import Iterator

from kubelint.k8s.imageref import parse_image, registry_allowed
from kubelint.model import Edit, Fix, K8sObject, Problem
from kubelint.registry import rule
from kubelint.k8s.kinds import POD_KINDS
from kubelint.k8s.workloads import as_str, containers


def _images(obj: K8sObject):
    """(container, image text) for each container that names an image."""
    for c in containers(obj):
        image = as_str(c.spec.get("image"))
        if image:
            yield c, image


@rule(
    code="KL101",
    name="image-registry-not-allowed",
    severity="error",
    category="images",
    kinds=POD_KINDS,
    options={
        "registries": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Allowed registries (myreg.acc.io) or registry path prefixes (ghcr.io/myorg/).",
        }
    },
)
def image_registry_not_allowed(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An image comes from a registry that is not on the allowed list.

    Why: images from unvetted registries bypass your scanning, signing and
    mirroring.  References are normalised as the container runtime reads
    them: `nginx` is `docker.io/library/nginx`, `localhost:5000/app` comes
    from `localhost:5000`, and a look-alike host such as
    `myreg.acc.io.evil.example` does not match `myreg.acc.io`.  Active when
    allowed registries are configured (`--allowed-registry`, or
    `allowed-registries` in the configuration).
    Example:
        # kubelint check --allowed-registry=ghcr.io/acme/
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "docker.io/acme/web:1.4.2"}
    Use instead:
        # kubelint check --allowed-registry=ghcr.io/acme/
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "ghcr.io/acme/web:1.4.2"}
    Fix safety: no automatic fix; mirror the image into an allowed registry.
    References: https://github.com/distribution/reference
    """
    # `--allowed-registry` / `allowed-registries` is the same list, set for
    # the whole run rather than as this rule's option; either works.
    allowed = list(ctx.options.get("registries") or ctx.settings.allowed_registries or [])
    if not allowed:
        return
    for c, image in _images(obj):
        ref = parse_image(image)
        if not registry_allowed(ref, allowed):
            yield Problem(
                c.path + ("image",),
                f'{c.label} uses image "{image}" from registry "{ref.registry}", which is not allowed'
                f" (allowed: {', '.join(allowed)})",
                Fix(f"Mirror the image into an allowed registry and reference it from there, e.g. {allowed[0].rstrip('/')}/{ref.repository.split('/')[-1]}."),
            )


@rule(code="KL102", name="image-tag-latest", severity="warning", category="images", kinds=POD_KINDS)
def image_tag_latest(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An image has no tag or the `latest` tag.

    Why: `latest` moves; two nodes may run different code under one spec, a
    rollback does not roll back, and with no tag the kubelet also defaults
    imagePullPolicy to Always.  A digest-pinned reference is fine.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: nginx}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27.2"}
    Fix safety: no automatic fix; choose the version to pin.
    References: https://kubernetes.io/docs/concepts/containers/images/#image-names
    """
    for c, image in _images(obj):
        ref = parse_image(image)
        if ref.digest:
            continue
        if ref.tag is None or ref.tag == "latest":
            what = "no tag (the runtime pulls latest)" if ref.tag is None else 'the "latest" tag'
            yield Problem(
                c.path + ("image",),
                f'{c.label} uses image "{image}" with {what}',
                Fix(
                    "Pin the image to a version tag or a digest.",
                    f"image: {ref.name.removeprefix('docker.io/library/')}:<version>  # or @sha256:<digest>",
                ),
            )


@rule(code="KL103", name="image-digest-missing", severity="warning", category="images", enabled=False, kinds=POD_KINDS)
def image_digest_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An image is not pinned by digest.  Off by default.

    Why: a tag, even a version tag, can be moved to another image by whoever
    can push to the repository; only a digest (`@sha256:...`) names one
    immutable image, so what was scanned and signed is what runs.  For
    supply-chain policies (SLSA, signed-image admission); off by default
    because digests need tooling (Renovate, kustomize `images`, a CD system)
    to stay current.  A `tag@digest` reference counts as pinned (the runtime
    uses the digest).  Checkov (CKV_K8S_43), KICS and Gatekeeper's
    `K8sImageDigests` check the same.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27.2"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27.2@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    Fix safety: no automatic fix; resolve the digest from the registry
    (`crane digest`, `docker buildx imagetools inspect`).
    References: https://kubernetes.io/docs/concepts/containers/images/#image-names
    """
    for c, image in _images(obj):
        ref = parse_image(image)
        if ref.digest:
            continue
        yield Problem(
            c.path + ("image",),
            f'{c.label} uses image "{image}", which is not pinned by digest',
            Fix(
                "Pin the image by digest.",
                f"image: {image.strip()}@sha256:<digest>",
            ),
        )


@rule(code="KL104", name="image-pull-policy-always", severity="info", category="images", kinds=POD_KINDS, fix="safe")
def image_pull_policy_always(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A digest-pinned image is pulled with imagePullPolicy Always.

    Why: a digest names one immutable image, so `Always` cannot fetch
    anything newer; it only makes every container start ask the registry,
    so a registry outage or rate limit stops pods from starting on nodes
    that already hold the image.  `IfNotPresent` (the default for an image
    with a digest or a version tag) gives the same image.  Keep `Always` if
    you rely on it to make each pod prove its registry credentials for a
    private image already cached on a shared node.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
              imagePullPolicy: Always
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
              imagePullPolicy: IfNotPresent
    Fix safety: safe: `--fix` sets imagePullPolicy: IfNotPresent; the digest
    fixes the image, so IfNotPresent runs the same one.
    References: https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
    """
    for c, image in _images(obj):
        if c.spec.get("imagePullPolicy") == "Always" and parse_image(image).digest:
            yield Problem(
                c.path + ("imagePullPolicy",),
                f'{c.label} pulls digest-pinned image "{image}" with imagePullPolicy "Always", which cannot fetch anything newer',
                Fix("Set imagePullPolicy to IfNotPresent (or remove it).", "imagePullPolicy: IfNotPresent",
                    (Edit("set", c.path + ("imagePullPolicy",), "IfNotPresent"),)),
            )


@rule(
    code="KL105",
    name="image-pull-policy-never",
    severity="warning",
    category="images",
    kinds=POD_KINDS,
    options={
        "development-namespaces": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["dev", "development", "local", "kind", "minikube"],
            "description": "Namespaces where imagePullPolicy Never is expected (images loaded into a local cluster).",
        }
    },
)
def image_pull_policy_never(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container uses imagePullPolicy Never outside a development namespace.

    Why: with `Never` the kubelet never pulls; the container starts only on
    a node where the image was loaded by hand (`kind load`, `minikube image
    load`) and fails with ErrImageNeverPull everywhere else.  It belongs to
    local clusters, and is usually a development setting that leaked into a
    shared manifest.  Not reported in the namespaces of the option
    `development-namespaces`; an object without a namespace is reported,
    since it lands in the namespace it is applied to.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          containers:
            - {name: web, image: "ghcr.io/acme/web:1.4.2", imagePullPolicy: Never}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          containers:
            - {name: web, image: "ghcr.io/acme/web:1.4.2", imagePullPolicy: IfNotPresent}
    Fix safety: no automatic fix; the image must be in a registry the nodes
    can pull from.
    References: https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
    """
    namespace = obj.ref.namespace
    if namespace is not None and namespace in set(ctx.options.get("development-namespaces") or ()):
        return
    where = f'namespace "{namespace}"' if namespace else "an object without a namespace"
    for c in containers(obj):
        if c.spec.get("imagePullPolicy") == "Never":
            yield Problem(
                c.path + ("imagePullPolicy",),
                f'{c.label} uses imagePullPolicy "Never" in {where}: it starts only where the image was loaded by hand',
                Fix("Push the image to a registry and use IfNotPresent (or remove the field).", "imagePullPolicy: IfNotPresent"),
            )


@rule(code="KL106", name="image-missing", severity="error", category="images", kinds=POD_KINDS)
def image_missing(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container has no image.

    Why: the API server rejects a pod, or a workload whose pod template has
    a container without an image (`spec.containers[0].image: Required
    value`, `validateContainerCommon` in k8s.io/kubernetes
    pkg/apis/core/validation/validation.go), even though the OpenAPI schema
    marks the field optional so that tools may fill it in.  A kustomize
    patch of the run (or a file named as a patch) is a fragment and is not
    checked; a whole object is.  An `image:` key with no value is taken for
    a template's placeholder (ytt, envsubst) and not reported.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - {name: web, image: "nginx:1.27"}
    Fix safety: no automatic fix; only you know which image runs there.
    References:
        https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
        https://kubernetes.io/docs/concepts/containers/images/
    """
    for c in containers(obj):
        image = c.spec.get("image")
        # `image:` with no value is how templates (ytt `#@`, envsubst)
        # leave the place for a tool to fill; only an absent or blank one counts.
        if "image" not in c.spec or (isinstance(image, str) and not image.strip()):
            yield Problem(
                c.path if image is None else c.path + ("image",),
                f"{c.label} has no image: the API server rejects the object",
                Fix("Set the container's image.", "image: <registry/name:tag>"),
                at="parent" if image is None else "value",
            )
