"""Container images: where they come from and how they are pinned."""

from __future__ import annotations

from typing import Iterator

from kubelint.imageref import parse_image, registry_allowed
from kubelint.model import Fix, K8sObject, Problem
from kubelint.registry import rule
from kubelint.workloads import POD_KINDS, as_str, containers


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
    Options: registries (list of registries or registry/path prefixes).
    References: https://github.com/distribution/reference
    """
    allowed = list(ctx.options.get("registries") or [])
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
