"""Container image references, read the way the container runtime reads them.

The grammar is the distribution reference grammar used by Docker, containerd
and CRI-O (github.com/distribution/reference, `ParseNormalizedNamed`):

* the first path component is a registry host only when it contains a `.` or
  a `:`, or is `localhost`; otherwise the registry is `docker.io`;
* a single-component name on Docker Hub lives under `library/`;
* `:tag` follows the last path component; `@digest` follows everything;
* with neither tag nor digest, the runtime pulls `:latest`.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCKER_HUB = "docker.io"
# Names Docker Hub is also known by.
DOCKER_HUB_ALIASES = {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}


@dataclass(frozen=True, slots=True)
class ImageRef:
    registry: str  # docker.io, ghcr.io, localhost:5000
    repository: str  # library/nginx, myorg/app
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(reference: str) -> ImageRef:
    ref = reference.strip()
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, remainder = first.lower(), rest
    else:
        registry, remainder = DOCKER_HUB, ref
    if registry in DOCKER_HUB_ALIASES:
        registry = DOCKER_HUB
    tag = None
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1:]
    if registry == DOCKER_HUB and "/" not in remainder:
        remainder = f"library/{remainder}"
    return ImageRef(registry, remainder, tag, digest)


def registry_allowed(image: ImageRef, allowed: list[str]) -> bool:
    """True when an allowed entry matches the image.

    An entry is a registry (`myreg.acc.io`, matched exactly, so
    `myreg.acc.io.evil.example` does not match) or a registry with a path
    prefix (`ghcr.io/myorg/` or `ghcr.io/myorg`, matched at a path boundary,
    so `ghcr.io/myorg-evil/x` does not match).
    """
    for entry in allowed:
        entry = entry.strip()
        if not entry:
            continue
        host, _, prefix = entry.partition("/")
        host = host.lower()
        if host in DOCKER_HUB_ALIASES:
            host = DOCKER_HUB
        if host != image.registry:
            continue
        prefix = prefix.strip("/")
        if not prefix:
            return True
        if image.registry == DOCKER_HUB and "/" not in prefix:
            # "docker.io/bitnami" names an organisation, but "docker.io/nginx"
            # is the official image library/nginx.
            if image.repository == f"library/{prefix}" or image.repository.startswith(prefix + "/"):
                return True
            continue
        if image.repository == prefix or image.repository.startswith(prefix + "/"):
            return True
    return False
