"""Manifests from URLs: fetched once, under a trust policy, within limits.

`fetch(url, policy)` returns the bytes to check and the findings about where
they came from (an untrusted host, plain HTTP, content that changed since it
was locked).  What cannot be fetched safely is an `InputError`: one line,
exit 2.  `requests` is imported here only, and only when a URL is fetched, so
a run over files never loads it (nor opens a socket).

The limits:
- every redirect is followed by hand and checked again: its host must be
  trusted (else a finding naming it), https never downgrades to http, at most
  `max_redirects` hops, and a URL seen twice is a loop;
- connect and read timeouts, and a deadline for the whole fetch;
- a size cap enforced while streaming (on the decoded bytes, so a compressed
  bomb stops too): an endless body costs at most `max_bytes` and the deadline;
- HTTP errors, and HTML or binary content, are refused;
- `--sha256` pins the content (a mismatch refuses it); `kubelint.lock` holds
  the digests recorded by `kubelint lock` (a mismatch is a finding).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urljoin, urlsplit

from kubelint.model import Finding, Fix
from kubelint.sources import InputError
from kubelint.sources.trust import has_userinfo, parse_remote, url_host, url_trusted

LOCK_FILE = "kubelint.lock"
MiB = 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)
# Content types that are never a manifest.
BINARY_TYPES = ("image/", "audio/", "video/", "font/", "application/zip", "application/gzip",
                "application/x-gzip", "application/x-tar", "application/pdf", "application/wasm")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    trusted_hosts: tuple[str, ...] = ()
    connect_timeout: float = 10.0
    read_timeout: float = 10.0
    deadline: float = 30.0  # seconds for the whole fetch, redirects included
    max_bytes: int = 5 * MiB
    max_redirects: int = 5
    ca_bundle: str | None = None
    pins: Mapping[str, str] = field(default_factory=dict)  # URL -> sha256 (--sha256)
    locked: Mapping[str, str] = field(default_factory=dict)  # URL -> sha256 (kubelint.lock)


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    data: bytes
    sha256: str
    findings: tuple[Finding, ...]
    hops: tuple[str, ...]  # every URL requested, the first and each redirect


def _finding(rule, message: str, url: str, fix: str) -> Finding:
    return Finding(rule.code, rule.name, rule.severity, message, url, 1, 1, Fix(fix))


def source_findings(hop: str, trusted: tuple[str, ...], url: str | None = None) -> list[Finding]:
    """Findings about one hop of fetching `url`: the URL itself, or a redirect
    to `hop`.  They name `url`, the input the user gave."""
    from kubelint.rules import remote

    url = url or hop
    where = "" if hop == url else f"redirected to {hop}: "
    findings = []
    host = url_host(hop)
    if not url_trusted(hop, trusted):
        why = "carries a user name" if has_userinfo(hop) else "is not a trusted host"
        findings.append(_finding(
            remote.remote_untrusted_host, f'{where}host "{host}" {why}', url,
            f"Review what {host} serves, then trust it with --trusted-host {host} or trusted-hosts in the configuration.",
        ))
    if urlsplit(hop).scheme.lower() == "http":
        findings.append(_finding(
            remote.remote_insecure_transport, f"{where}fetched over plain http: anyone on the path can change it", url,
            "Use an https:// URL.",
        ))
    ref = parse_remote(hop)
    why = ref.unpinned() if ref is not None and hop == url else None
    if why:  # raw.githubusercontent.com/org/repo/main/...: a branch, not a tag or commit
        findings.append(_finding(remote.remote_unpinned_ref, why, url, "Use the URL of a tag or a commit, or pin the content with --sha256 or kubelint lock."))
    return findings


def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """Fetch a manifest; raises InputError when it cannot be done safely."""
    if any(c.isspace() or ord(c) < 32 for c in url) or "\\" in url:
        raise InputError(f"{url}: not a valid URL (white space, control characters or a backslash)")
    import requests

    started = time.monotonic()
    findings = source_findings(url, policy.trusted_hosts)
    hops = [url]
    current = url
    with requests.Session() as session:
        while True:
            response = _get(session, current, url, policy, started)
            try:
                if response.status_code in REDIRECTS and "Location" in response.headers:
                    target = urljoin(current, response.headers["Location"])
                    scheme = urlsplit(target).scheme.lower()
                    if scheme not in ("http", "https"):
                        raise InputError(f"{url}: refused a redirect to {target}: not http or https")
                    if urlsplit(current).scheme.lower() == "https" and scheme == "http":
                        raise InputError(f"{url}: refused a redirect from https to http ({target})")
                    if target in hops:
                        raise InputError(f"{url}: redirect loop at {target}")
                    if len(hops) > policy.max_redirects:
                        raise InputError(f"{url}: more than {policy.max_redirects} redirects")
                    findings.extend(source_findings(target, policy.trusted_hosts, url))
                    hops.append(target)
                    current = target
                    continue
                if response.status_code >= 400:
                    raise InputError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
                _refuse_content_type(url, response.headers.get("Content-Type", ""))
                data = _read_body(response, url, policy, started)
            finally:
                response.close()
            break
    _refuse_content(url, data)
    digest = hashlib.sha256(data).hexdigest()
    pin = policy.pins.get(url)
    if pin is not None and pin.lower() != digest:
        raise InputError(f"{url}: sha256 mismatch: expected {pin.lower()}, got {digest}; nothing was checked")
    locked = policy.locked.get(url)
    if locked is not None and locked.lower() != digest:
        from kubelint.rules import remote

        findings.append(_finding(
            remote.remote_content_changed,
            f"content changed since it was locked: sha256 {digest}, the lock file has {locked.lower()}",
            url, f"Review the new content, then record it with `kubelint lock {url}`.",
        ))
    return Fetched(url, data, digest, tuple(findings), tuple(hops))


def _remaining(policy: FetchPolicy, started: float, url: str) -> float:
    left = policy.deadline - (time.monotonic() - started)
    if left <= 0:
        raise InputError(f"{url}: fetch took longer than {policy.deadline:g} s")
    return left


def _get(session, current: str, url: str, policy: FetchPolicy, started: float):
    """The response to one request, headers read, body not yet.

    The request runs in a helper thread so the deadline holds even against a
    server that sends its headers a byte at a time (each byte within the read
    timeout); past the deadline the thread is abandoned (it ends with its
    socket's timeout, or with the process)."""
    import requests

    left = _remaining(policy, started, url)
    timeout = (min(policy.connect_timeout, left), min(policy.read_timeout, left))
    outcome: dict = {}

    def request() -> None:
        try:
            outcome["response"] = session.get(
                current, stream=True, allow_redirects=False, timeout=timeout, verify=policy.ca_bundle or True,
                headers={"Accept": "application/yaml, application/json;q=0.9, text/plain;q=0.8, */*;q=0.1"},
            )
        except BaseException as e:  # handed to the caller's thread below
            outcome["error"] = e

    worker = threading.Thread(target=request, name="kubelint-fetch", daemon=True)
    worker.start()
    worker.join(left)
    if worker.is_alive():
        raise InputError(f"{url}: fetch took longer than {policy.deadline:g} s")
    if "response" in outcome:
        return outcome["response"]
    try:
        raise outcome["error"]
    except requests.exceptions.SSLError as e:
        raise InputError(f"{url}: TLS failed for {url_host(current)}: {_reason(e)} (for a private CA use --ca-bundle)") from None
    except requests.exceptions.ConnectTimeout:
        raise InputError(f"{url}: no connection to {url_host(current)} within {timeout[0]:g} s") from None
    except requests.exceptions.ReadTimeout:
        raise InputError(f"{url}: no answer from {url_host(current)} within {timeout[1]:g} s") from None
    except requests.exceptions.RequestException as e:
        raise InputError(f"{url}: cannot fetch: {_reason(e)}") from None


def _read_body(response, url: str, policy: FetchPolicy, started: float) -> bytes:
    import requests

    length = response.headers.get("Content-Length", "")
    if length.isascii() and length.isdigit() and (len(length) > 18 or int(length) > policy.max_bytes):
        size = length if len(length) <= 18 else "more than 10**18"
        raise InputError(f"{url}: {size} bytes is more than the limit of {policy.max_bytes} bytes")
    chunks, size = [], 0
    raw = response.raw
    if hasattr(raw, "read1"):
        # read1 returns what one receive brings (urllib3 >= 2.3), so a server
        # that drips a byte at a time still meets the deadline check below.
        pieces = iter(lambda: raw.read1(64 * 1024, decode_content=True), b"")
    else:
        pieces = response.iter_content(64 * 1024)
    try:
        for chunk in pieces:
            size += len(chunk)
            if size > policy.max_bytes:
                raise InputError(f"{url}: more than the limit of {policy.max_bytes} bytes")
            chunks.append(chunk)
            _remaining(policy, started, url)
    except (requests.exceptions.RequestException, OSError, _urllib3_errors()) as e:
        if "timed out" in str(e).lower():
            raise InputError(f"{url}: no answer from {url_host(response.url)} within {policy.read_timeout:g} s") from None
        raise InputError(f"{url}: cannot fetch: {_reason(e)}") from None
    return b"".join(chunks)


def _urllib3_errors():
    import urllib3.exceptions

    return urllib3.exceptions.HTTPError


def _refuse_content_type(url: str, content_type: str) -> None:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in HTML_TYPES:
        raise InputError(f"{url}: the server sent HTML ({kind}), not YAML or JSON")
    if kind.startswith(BINARY_TYPES):
        raise InputError(f"{url}: the server sent {kind}, not YAML or JSON")


def _refuse_content(url: str, data: bytes) -> None:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        raise InputError(f"{url}: the server sent HTML, not YAML or JSON")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a byte order mark: text, the parser decodes it
    if b"\x00" in data[:8192]:
        raise InputError(f"{url}: the server sent binary content, not YAML or JSON")


def _reason(e: Exception) -> str:
    """The innermost reason of a requests error, on one line."""
    while e.args and isinstance(e.args[0], Exception):
        e = e.args[0]
    reason = getattr(e, "reason", None)
    text = str(reason if reason is not None else e)
    # urllib3 prefixes the connection object: keep what happened.
    text = re.sub(r"^.*Failed to establish a new connection: (\[Errno -?\d+\] )?", "cannot connect: ", text)
    return " ".join(text.split())[:300]


# ---- kubelint.lock ---------------------------------------------------------


def read_lock(path: str) -> dict[str, str]:
    """URL -> sha256 from a lock file; {} when there is none."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot read the lock file: {e}") from None
    urls = data.get("urls") if isinstance(data, dict) else None
    if not isinstance(urls, dict):
        raise InputError(f'{path}: not a kubelint lock file (no "urls" mapping)')
    return {u: v["sha256"] for u, v in urls.items() if isinstance(v, dict) and isinstance(v.get("sha256"), str)}


def write_lock(path: str, entries: Mapping[str, str]) -> None:
    """Write the lock file atomically, merged with what it already holds."""
    merged = read_lock(path)
    merged.update(entries)
    content = json.dumps(
        {"version": 1, "urls": {u: {"sha256": merged[u]} for u in sorted(merged)}}, indent=2
    ) + "\n"
    tmp = f"{path}.kubelint-tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except OSError as e:
        raise InputError(f"{path}: cannot write the lock file: {e.strerror or e}") from None


# ---- --follow-remote ---------------------------------------------------------


def follow_remote(sources: list, policy: FetchPolicy) -> list:
    """Sources for the remote file resources of the kustomizations among
    `sources` (`resources: [https://host/file.yaml]`), fetched with `policy`.

    Only https URLs on trusted hosts are followed: kubelint fetches nothing
    implicitly that a rule already reports (untrusted host, plain http).  Git
    references (`github.com/org/repo//dir?ref=v1`) need kustomize to build
    and are not followed.
    """
    from kubelint.parse import parse_file
    from kubelint.rules.remote import kustomization_refs
    from kubelint.run import is_kustomization
    from kubelint.sources import Source

    urls: list[str] = []
    for source in sources:
        if not source.manifest or not source.data:
            continue
        for doc in parse_file(source.name, source.data).documents:
            if not isinstance(doc.data, dict) or not is_kustomization(doc):
                continue
            for _, ref, _ in kustomization_refs(doc.data):
                if not ref.git and ref.scheme == "https" and ref.trusted(policy.trusted_hosts) and ref.text not in urls:
                    urls.append(ref.text)
    known = {s.name for s in sources}
    return [Source(f.url, f.data, f.findings) for f in (fetch(u, policy) for u in urls if u not in known)]
