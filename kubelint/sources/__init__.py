"""Where manifests come from: paths (files and directories), stdin and URLs.

Each input becomes a `Source` (a display name and its bytes).  A URL is
fetched under a trust policy (kubelint/sources/remote.py, loaded only when a
URL is given); a source may carry findings about where it came from, which
the engine reports first.  Shell scripts, Makefiles, Dockerfiles, Markdown
and CI workflows named explicitly are scanned for remote applies
(kubelint/sources/scripts.py); nothing downstream needs to know where the
bytes came from.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Source:
    name: str  # what reports call the file: the path as given, "-", or the URL
    data: bytes
    # Findings about the source itself (kubelint.model.Finding): an untrusted
    # host, a remote apply in a script.  The engine reports them first.
    findings: tuple[Any, ...] = ()
    manifest: bool = True  # False: a script or document scanned as text only


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


class InputError(Exception):
    """An input that cannot be read; the message is one line naming it."""


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """True when a glob matches the path, its tail or its base name.

    `*` matches across `/`, so `vendor/*` excludes everything below any
    `vendor` directory and `*.tmpl.yaml` any file with that ending.
    """
    norm = path.replace(os.sep, "/")
    if norm.startswith("./"):
        norm = norm[2:]
    base = norm.rsplit("/", 1)[-1]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatchcase(norm, pattern) or fnmatch.fnmatchcase(base, pattern):
            return True
        if fnmatch.fnmatchcase(norm, "*/" + pattern) or fnmatch.fnmatchcase(norm, pattern + "/*"):
            return True
        if fnmatch.fnmatchcase(norm, "*/" + pattern + "/*"):
            return True
    return False


def expand(inputs: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """The files an input list names, in a stable order.

    Directories are walked recursively for .yaml, .yml and .json files,
    skipping hidden directories; a file named explicitly is always read.
    Raises InputError for a path that does not exist.
    """
    inputs, exclude = list(inputs), list(exclude)
    files: list[str] = []
    for item in inputs:
        if item == STDIN:
            files.append(STDIN)
            continue
        if os.path.isdir(item):
            found = []
            for root, dirs, names in os.walk(item):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and not excluded(os.path.join(root, d), exclude)
                )
                for name in names:
                    path = os.path.join(root, name)
                    if name.lower().endswith(MANIFEST_SUFFIXES) and not excluded(path, exclude):
                        found.append(path)
            files.extend(sorted(found))
        elif os.path.exists(item):
            if not excluded(item, exclude):
                files.append(item)
        else:
            raise InputError(f"{item}: no such file or directory")
    # The same file named twice (a pre-commit run, overlapping globs) is read
    # once.  One input cannot name a file twice (a walk lists each path once).
    if len(files) < 2 or len(inputs) < 2:
        return files
    seen: set[str] = set()
    unique = []
    for f in files:
        key = f if f == STDIN else os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def read(paths: Iterable[str], trusted_hosts: Iterable[str] = ()) -> Iterator[Source]:
    from kubelint.sources import scripts

    trusted = tuple(trusted_hosts)
    for path in paths:
        if path == STDIN:
            yield Source(STDIN, sys.stdin.buffer.read())
            continue
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
        # A script without a telling name still starts with `#!`; a .yaml file
        # that does is a manifest (ytt writes its comments as `#!`).
        is_manifest = path.lower().endswith(MANIFEST_SUFFIXES)
        kind = scripts.text_kind(path) or ("script" if data.startswith(b"#!") and not is_manifest else None)
        if kind is None:
            yield Source(path, data)
        else:
            found = tuple(scripts.scan(path, data.decode("utf-8", errors="replace"), trusted))
            yield Source(path, data, found, manifest=kind == "workflow")


def load(inputs: Iterable[str], exclude: Iterable[str] = (), policy: Any = None, trusted_hosts: Iterable[str] = ()) -> Iterator[Source]:
    """Sources for a run: URLs fetched (each once, with `policy`, a
    kubelint.sources.remote.FetchPolicy), then files and stdin, scripts
    scanned with `trusted_hosts`.  Fetching happens first, so a URL that
    cannot be fetched stops the run before any file is read."""
    inputs = list(inputs)
    urls = list(dict.fromkeys(i for i in inputs if is_url(i)))
    fetched = []
    if urls:
        from kubelint.sources.remote import FetchPolicy, fetch

        policy = policy or FetchPolicy()
        fetched = [fetch(url, policy) for url in urls]
    paths = expand([i for i in inputs if not is_url(i)], exclude)
    return itertools.chain((Source(f.url, f.data, f.findings) for f in fetched), read(paths, trusted_hosts))
