"""Options shared by the commands that may fetch URLs (check, apply, lock):
trust, limits, pinning.  Turned into a FetchPolicy only when a URL is given."""

from __future__ import annotations

import functools
import re

import click

HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
OPTIONS = (
    click.option("--trusted-host", "trusted_hosts", multiple=True, metavar="HOST",
                 help="Trust this host for remote content (repeatable; *.example.com for subdomains)."),
    click.option("--sha256", "pins", multiple=True, metavar="[URL=]HEX",
                 help="Pin the content of a URL to this sha256 (HEX alone when one URL is given)."),
    click.option("--lock", "lock_file", default="kubelint.lock", show_default=True, metavar="FILE",
                 help="Lock file of URL digests (written by kubelint lock)."),
    click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="CA certificates (PEM) to verify https servers with, for a private CA."),
    click.option("--connect-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
                 metavar="SECONDS", help="Seconds to wait for a connection."),
    click.option("--read-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
                 metavar="SECONDS", help="Seconds to wait for data."),
    click.option("--fetch-deadline", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
                 metavar="SECONDS", help="Seconds for a whole fetch, redirects included."),
    click.option("--max-fetch-size", type=click.IntRange(min=1), default=5 * 1024 * 1024, show_default=True,
                 metavar="BYTES", help="Largest response accepted."),
)
NAMES = ("trusted_hosts", "pins", "lock_file", "ca_bundle", "connect_timeout", "read_timeout", "fetch_deadline", "max_fetch_size")


def remote_options(fn):
    """Add the fetch options to a command; they arrive as one `remote` dict."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        kwargs["remote"] = {name: kwargs.pop(name) for name in NAMES}
        return fn(*args, **kwargs)

    for option in reversed(OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def fetch_policy(remote: dict, urls: list[str], trusted_hosts: list[str], use_lock: bool = True, force: bool = False):
    """The FetchPolicy for these URLs, or None when there are none and
    `force` is false (then nothing about fetching is imported or read)."""
    if not urls and not force:
        return None
    from kubelint.sources.remote import FetchPolicy, read_lock

    pins = {}
    for value in remote["pins"]:
        url, sep, digest = value.rpartition("=") if "://" in value else ("", "", value)
        if not sep:
            if len(urls) != 1:
                raise click.BadParameter("give URL=HEX when more than one URL is checked", param_hint="--sha256")
            url = urls[0]
        if not HEX64.match(digest):
            raise click.BadParameter(f'"{digest}" is not a sha256 (64 hex digits)', param_hint="--sha256")
        if url not in urls:
            raise click.BadParameter(f"{url} is not one of the URLs given", param_hint="--sha256")
        pins[url] = digest.lower()
    return FetchPolicy(
        trusted_hosts=tuple(trusted_hosts),
        connect_timeout=remote["connect_timeout"],
        read_timeout=remote["read_timeout"],
        deadline=remote["fetch_deadline"],
        max_bytes=remote["max_fetch_size"],
        ca_bundle=remote["ca_bundle"],
        pins=pins,
        locked=read_lock(remote["lock_file"]) if use_lock else {},
    )
