"""Which hosts are trusted: host names, normalised and matched strictly.

Pure functions over strings, with no network and no third-party import, so
rules over kustomizations and scripts can use them as cheaply as the fetcher.

A URL's host is taken the way an HTTP client connects to it (after
`user:password@`), lower-cased and IDNA-encoded.  A pattern is a host name
(`example.com`), a wildcard for its subdomains (`*.example.com`, which does
not match `example.com` itself) or an IP address (matched exactly).  These
never match a pattern `trusted.example`: `https://trusted.example@evil.example/`
(the host is evil.example), `trusted.example.evil.example`, `trusted.example.`
(a trailing dot), any URL with a userinfo part, and an IP literal.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

_LABEL_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def normalise_host(host: str) -> str | None:
    """The ASCII, lower-case form of a host name, or None when it is not a
    plain host name (empty, a trailing dot, bad labels)."""
    host = host.strip()
    if not host or host.endswith(".") or any(c.isspace() for c in host):
        return None
    if not host.isascii():
        try:
            import idna  # installed with requests; IDNA 2008 with UTS 46 mapping

            host = idna.encode(host, uts46=True).decode("ascii")
        except Exception:  # idna missing or an invalid name: not a host we can trust
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
    host = host.lower()
    if not all(_LABEL_RE.match(label) for label in host.split(".")):
        return None
    return host


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def url_host(url: str) -> str:
    """The host an HTTP client would connect to, as written (for messages)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return ""
    return host or ""


def has_userinfo(url: str) -> bool:
    try:
        return "@" in (urlsplit(url).netloc or "")
    except ValueError:
        return True


def host_trusted(host: str, patterns: Iterable[str]) -> bool:
    """True when `host` matches one of the trusted patterns."""
    if is_ip(host):
        address = ipaddress.ip_address(host.strip("[]"))
        return any(is_ip(p) and ipaddress.ip_address(p.strip("[]")) == address for p in patterns)
    name = normalise_host(host)
    if name is None:
        return False
    for pattern in patterns:
        pattern = pattern.strip()
        wildcard = pattern.startswith("*.")
        base = normalise_host(pattern[2:] if wildcard else pattern)
        if base is None or is_ip(base):
            continue
        if wildcard:
            if name.endswith("." + base):
                return True
        elif name == base:
            return True
    return False


def url_trusted(url: str, patterns: Iterable[str]) -> bool:
    """True when the URL's host is trusted and it carries no userinfo."""
    if has_userinfo(url):
        return False
    host = url_host(url)
    return bool(host) and host_trusted(host, patterns)


# ---- references to remote content in repositories ---------------------------

# Names that are branches (they move), not tags or commits.
BRANCH_REFS = frozenset({"main", "master", "head", "develop", "development", "trunk"})
# A host name at the start of a scheme-less kustomize reference
# (`github.com/org/repo//path?ref=v1`), as kustomize accepts them.
_HOSTLIKE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?/")
_SCP_RE = re.compile(r"^(?:[A-Za-z0-9._-]+@)([A-Za-z0-9.-]+):(?!//)")
# Hosts that serve files of a git repository at /<org>/<repo>/<ref>/path.
_RAW_HOSTS = ("raw.githubusercontent.com",)


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """A reference to content elsewhere: a URL or a remote git reference."""

    text: str  # as written
    scheme: str  # https, http, ssh, git, oci, s3 ...
    host: str
    userinfo: bool  # `user@` in an http(s) URL
    git: bool  # a git repository (kustomize remote target, GitOps source)
    ref: str | None  # the git ref or version, when there is one

    @property
    def insecure(self) -> bool:
        """Fetched without TLS (plain http, or the git:// protocol)."""
        return self.scheme in ("http", "git")

    def trusted(self, patterns: Iterable[str]) -> bool:
        return bool(self.host) and not self.userinfo and host_trusted(self.host, patterns)

    def unpinned(self) -> str | None:
        """Why the reference follows a moving target, or None."""
        if self.ref is None:
            return "no ref: it follows the default branch" if self.git else None
        if self.ref.lower() in BRANCH_REFS:
            return f'ref "{self.ref}" is a branch, not a tag or commit'
        return None


def parse_remote(text: str, scheme_less: bool = False) -> RemoteRef | None:
    """A remote reference, or None for a local path.

    `scheme_less` also accepts kustomize's `host.tld/org/repo//dir?ref=x`
    (a kustomization's resources); elsewhere a remote needs a scheme or the
    `git@host:` form.
    """
    from urllib.parse import parse_qs

    text = text.strip()
    # White space may only occur in a query built by the shell (`?v=$(kubectl version | base64)`).
    if not text or any(c.isspace() for c in re.split(r"\?|\$\(", text, maxsplit=1)[0]):
        return None
    git = False
    body = text
    if body.startswith("git::"):
        body, git = body[5:], True
    scp = _SCP_RE.match(body)
    if scp:
        host, scheme, git, path, query = scp.group(1), "ssh", True, body[scp.end():], ""
        path, _, query = path.partition("?")
        userinfo = False
    else:
        if "://" not in body.split("?", 1)[0]:
            if not (scheme_less and _HOSTLIKE_RE.match(body)):
                return None
            body, git = "https://" + body, True
        try:
            parts = urlsplit(body)
            host = parts.hostname or ""
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme in ("file", ""):
            return None
        path, query = parts.path, parts.query
        userinfo = "@" in parts.netloc and scheme in ("http", "https")
        if scheme in ("ssh", "git", "git+ssh") or path.endswith(".git") or ".git/" in path or "//" in path:
            git = True
    params = parse_qs(query)
    ref = (params.get("ref") or params.get("version") or [None])[0]
    segments = [s for s in path.split("/") if s]
    if ref is None and host.lower() in _RAW_HOSTS and len(segments) >= 4:
        ref = segments[2]  # raw.githubusercontent.com/<org>/<repo>/<ref>/<path>
    elif ref is None and len(segments) >= 5 and segments[2] in ("raw", "blob") and host.lower() == "github.com":
        ref = segments[3]  # github.com/<org>/<repo>/raw/<ref>/<path>
    return RemoteRef(text, scheme if scheme != "git+ssh" else "ssh", host, userinfo, git, ref)
