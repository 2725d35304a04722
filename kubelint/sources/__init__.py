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

import errno
import fnmatch
import itertools
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
# What is read of one input at most (--max-file-size, `max-file-size`): the
# largest manifest of ../shared/corpus is 2.4 MB (a CRD bundle).
DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024
_SIZE_RE = re.compile(r"^\s*(\d+)\s*(|[kKMG]i?B?|[kKMG])\s*$")
_UNITS = {"": 1, "k": 1000, "K": 1000, "M": 1000**2, "G": 1000**3, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}


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


def parse_size(value: str | int) -> int:
    """Bytes from `16777216`, `16MiB`, `512KiB`, `1GiB` or `2M` (powers of 1000)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    m = _SIZE_RE.match(str(value))
    if m is None or int(m.group(1)) <= 0:
        raise ValueError(f'"{value}" is not a size; write bytes or a number with KiB, MiB or GiB')
    unit = m.group(2).removesuffix("B")
    return int(m.group(1)) * _UNITS[unit]


def format_size(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


_SPECIAL = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
            (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def not_regular(mode: int) -> str | None:
    """What a file is when it is not a regular file ("a FIFO"), else None."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _SPECIAL if test(mode)), "not a regular file")


def read_capped(path: str, max_size: int) -> bytes:
    """The bytes of a regular file, at most `max_size` of them.

    Opened without blocking, so a FIFO that took a file's place after the
    directory walk cannot hang the run; then checked on the open descriptor.
    Raises OSError, or InputError for a special file or one over the limit.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        what = not_regular(info.st_mode)
        if what is not None:
            raise InputError(f"not a regular file ({what})")
        if info.st_size > max_size:
            raise InputError(f"larger than the {format_size(max_size)} limit (--max-file-size)")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return read_limited(fh, max_size)
    finally:
        os.close(fd)


def read_limited(stream, max_size: int) -> bytes:
    """At most `max_size` bytes of a stream, read a chunk at a time (never a
    buffer of the limit's size up front); InputError when there is more."""
    chunks, total = [], 0
    while True:
        chunk = stream.read(min(1 << 20, max_size + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > max_size:
            raise InputError(f"larger than the {format_size(max_size)} limit (--max-file-size)")
    return b"".join(chunks)


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

    def unreadable(error: OSError) -> None:
        raise InputError(f"{error.filename}: cannot read directory: {error.strerror or error}")

    for item in inputs:
        if item == STDIN:
            files.append(STDIN)
            continue
        try:
            mode = os.stat(item).st_mode
        except OSError as e:
            if e.errno == errno.ENOENT:
                raise InputError(f"{item}: no such file or directory") from None
            raise InputError(f"{item}: cannot read: {e.strerror or e}") from None
        if stat.S_ISDIR(mode):
            found = []
            for root, dirs, names in os.walk(item, onerror=unreadable):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and not excluded(os.path.join(root, d), exclude)
                )
                for name in names:
                    path = os.path.join(root, name)
                    if name.lower().endswith(MANIFEST_SUFFIXES) and not excluded(path, exclude) and _regular(path):
                        found.append(path)
            files.extend(sorted(found))
        elif not excluded(item, exclude):
            what = not_regular(mode)
            if what is not None:
                raise InputError(f"{item}: not a regular file ({what}); use - to read standard input")
            files.append(item)
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


def _regular(path: str) -> bool:
    """Whether a directory entry is a file to read: regular files (through
    symlinks) only; a FIFO, a device or a link to one is skipped.  An entry
    that cannot be examined is kept, so reading it reports the reason."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def read(paths: Iterable[str], max_size: int = DEFAULT_MAX_FILE_SIZE, trusted_hosts: Iterable[str] = ()) -> Iterator[Source]:
    from kubelint.sources import scripts

    trusted = tuple(trusted_hosts)
    for path in paths:
        if path == STDIN:
            try:
                data = read_limited(sys.stdin.buffer, max_size)
            except InputError as e:
                raise InputError(f"-: {e}") from None
            except (OSError, ValueError, AttributeError) as e:
                raise InputError(f"-: cannot read standard input: {getattr(e, 'strerror', None) or 'it is closed'}") from None
            yield Source(STDIN, data)
            continue
        try:
            data = read_capped(path, max_size)
        except InputError as e:
            raise InputError(f"{path}: {e}") from None
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


def load(inputs: Iterable[str], exclude: Iterable[str] = (), policy: Any = None, trusted_hosts: Iterable[str] = (),
         max_size: int = DEFAULT_MAX_FILE_SIZE) -> Iterator[Source]:
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
    return itertools.chain((Source(f.url, f.data, f.findings) for f in fetched), read(paths, max_size, trusted_hosts))
