"""The project context: what the rest of the repository says, for runs that
check only some of its files (a pre-commit hook passes the changed files).

A Service committed without its Deployment must not be reported as
selecting nothing, and a workload must be judged by the Pod Security labels
of its Namespace even when the Namespace file did not change.  So when
kubelint is given files (not directories, not stdin), the other manifests of
the project are loaded as context: their objects become facts that
cross-object rules use (selectors, Namespace labels, CRDs, PDB/HPA/Ingress
targets, ServiceAccounts, ConfigMaps, Secrets) and are never reported on.

The project is `--context DIR`, else the directory of the configuration
file, else the git work tree around the working directory.  `--no-context`
turns this off.

A cache keeps the context fast in a large repository: per file, keyed by
the sha256 of its content, the facts kubelint.facts keeps (and, per path,
the modification time and size it had, so an unchanged file is not even
read again), in
`.kubelint_cache/` at the project root (like ruff's `.ruff_cache`).  It is
plain JSON, ignores itself for git (it holds a `.gitignore` of `*`), is
rebuilt when absent or unreadable, and is safe to delete at any time.
CRD schemas are stored one file per CRD and read only when a checked object
is of a kind the CRD serves.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from kubelint.model import ObjectFacts, ObjectRef

if TYPE_CHECKING:
    from kubelint.run import FileFacts

CACHE_DIR = ".kubelint_cache"
FACTS_FORMAT = 1  # bump when kubelint.facts keeps other fields


def project_root(settings, files: Iterable[str]) -> str | None:
    """The folder whose manifests are context: `--context`, else the
    configuration file's directory when the files are inside it, else the
    git work tree that holds the files."""
    if settings.context:
        return settings.context
    dirs = [os.path.dirname(os.path.abspath(f)) for f in files]
    if not dirs:
        return None
    start = os.path.commonpath(dirs)
    config = settings.config_file
    if config and os.path.basename(config) in (".kubelint.yaml", ".kubelint.yml", "pyproject.toml"):
        config_dir = os.path.dirname(os.path.abspath(config))
        if os.path.commonpath([config_dir, start]) == config_dir:
            return config_dir
    here = start
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def wants_context(inputs: Iterable[str]) -> bool:
    """Context is for runs given files; directories and stdin are whole."""
    inputs = list(inputs)
    return bool(inputs) and all(i != "-" and "://" not in i and os.path.isfile(i) for i in inputs)


def context_files(root: str, checked: Iterable[str], exclude: Iterable[str]) -> list[str]:
    from kubelint.sources import expand

    # Compared by absolute path (and the checked files' real paths): a
    # realpath() of every file of a large repository costs more than the
    # rest of the context.
    skip = {os.path.abspath(p) for p in checked} | {os.path.realpath(p) for p in checked}
    return [p for p in expand([root], exclude) if os.path.abspath(p) not in skip]


def file_facts(name: str, data: bytes) -> FileFacts:
    """Parse a context file and keep its facts (one document at a time)."""
    from kubelint.parse import parse_file
    from kubelint.run import FileFacts, gather

    out = FileFacts()
    parsed = parse_file(name, data, sink=lambda doc: gather(doc, out, context=True))
    return FileFacts() if parsed.template else out


class Cache:
    """Facts of files by content hash, on disk under the project root."""

    def __init__(self, root: str):
        self.dir = os.path.join(root, CACHE_DIR)
        self.path = os.path.join(self.dir, f"facts-{FACTS_FORMAT}.json")
        self.entries: dict[str, Any] = {}
        # path -> [mtime_ns, size, sha256] when last read: a file whose
        # modification time and size are unchanged is not read again.
        self.stats: dict[str, list] = {}
        self.new_stats: dict[str, list] = {}
        self.used: set[str] = set()
        self.dirty = False
        try:
            with open(self.path, "rb") as fh:
                doc = json.loads(fh.read())
            if isinstance(doc, dict) and doc.get("format") == FACTS_FORMAT and isinstance(doc.get("files"), dict):
                self.entries = doc["files"]
                if isinstance(doc.get("stats"), dict):
                    self.stats = doc["stats"]
        except (OSError, ValueError):
            pass  # no cache yet, or not ours: rebuilt

    def digest_of(self, path: str, st: os.stat_result) -> str | None:
        """The content hash recorded for a file unchanged since (same
        modification time and size), or None."""
        known = self.stats.get(path)
        if isinstance(known, list) and len(known) == 3 and known[:2] == [st.st_mtime_ns, st.st_size] and known[2] in self.entries:
            self.new_stats[path] = known
            return known[2]
        return None

    def record(self, path: str, st: os.stat_result, digest: str) -> None:
        self.new_stats[path] = [st.st_mtime_ns, st.st_size, digest]
        if self.stats.get(path) != self.new_stats[path]:
            self.dirty = True

    def get(self, digest: str, name: str, kinds_wanted: set[tuple[str, str]]) -> FileFacts | None:
        entry = self.entries.get(digest)
        if not isinstance(entry, dict):
            return None
        try:
            from kubelint.run import FileFacts

            facts = FileFacts(
                [_facts_from_json(o, name) for o in entry["objects"]],
                [c for c in (self._crd(d) for d, served in entry["crds"] if _serves(served, kinds_wanted)) if c is not None],
                [_kustomization_from_json(k, name) for k in entry["kustomizations"]],
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        self.used.add(digest)
        return facts

    def put(self, digest: str, facts: FileFacts) -> None:
        from kubelint.schema.crd import _entries

        crds = []
        for crd in facts.crds:
            text = json.dumps(crd, default=str, sort_keys=True)
            crd_digest = hashlib.sha256(text.encode()).hexdigest()
            self._write(os.path.join(self.dir, "crds", crd_digest + ".json"), text)
            crds.append([crd_digest, sorted({(e.api_version, e.kind) for e in _entries(crd)})])
        self.entries[digest] = {
            "objects": [_facts_to_json(o) for o in facts.objects],
            "crds": crds,
            "kustomizations": [_kustomization_to_json(k) for k in facts.kustomizations],
        }
        self.used.add(digest)
        self.dirty = True

    def _crd(self, digest: str) -> dict | None:
        try:
            with open(os.path.join(self.dir, "crds", os.path.basename(digest) + ".json"), "rb") as fh:
                value = json.loads(fh.read())
            return value if isinstance(value, dict) else None
        except (OSError, ValueError):
            return None

    def save(self) -> None:
        """Write the entries of the files seen in this run (so the cache
        does not grow with every version of every file)."""
        stale = set(self.entries) - self.used
        if not self.dirty and not stale and len(self.new_stats) == len(self.stats):
            return
        files = {d: e for d, e in self.entries.items() if d in self.used}
        document = {"format": FACTS_FORMAT, "files": files, "stats": self.new_stats}
        self._write(self.path, json.dumps(document, separators=(",", ":")))

    def _write(self, path: str, text: str) -> None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            ignore = os.path.join(self.dir, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w") as fh:
                    fh.write("# Made by kubelint; safe to delete.\n*\n")
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only checkout: run without writing the cache


def _serves(served: Any, wanted: set[tuple[str, str]]) -> bool:
    return any(tuple(pair) in wanted for pair in served)


def _facts_to_json(o: ObjectFacts) -> list:
    r = o.ref
    return [o.data, r.api_version, r.kind, r.namespace, r.name, o.document, list(o.prefix), list(o.name_position)]


def _facts_from_json(v: list, name: str) -> ObjectFacts:
    data, api_version, kind, namespace, obj_name, document, prefix, position = v
    if not isinstance(data, dict):
        raise ValueError("facts")
    return ObjectFacts(
        data, ObjectRef(str(api_version), str(kind), namespace, obj_name), name, int(document),
        tuple(prefix), (int(position[0]), int(position[1])), None, True,
    )


def _kustomization_to_json(k) -> dict:
    return {
        "directory": k.directory, "patches": sorted(k.patches), "resources": k.resources,
        "transforms": [[list(map(list, t.labels)), t.selectors, t.templates] for t in k.transforms],
    }


def _kustomization_from_json(v: dict, name: str):
    from kubelint.run import Kustomization, LabelTransform

    # Paths are stored as they were resolved for this file's path; the same
    # content elsewhere resolves elsewhere, so resolve again from `name`.
    base = os.path.dirname(name)
    old = v["directory"]

    def moved(p: str) -> str:
        return os.path.normpath(os.path.join(base, os.path.relpath(p, old))) if old != base else p

    return Kustomization(
        base, {moved(p) for p in v["patches"]}, [moved(p) for p in v["resources"]],
        [LabelTransform(tuple((str(a), str(b)) for a, b in t[0]), bool(t[1]), bool(t[2])) for t in v["transforms"]],
    )


def load_context(root: str, checked: list[str], settings, kinds_wanted: set[tuple[str, str]],
                 use_cache: bool = True) -> Iterator[tuple[str, FileFacts]]:
    """(file, facts) for every manifest of the project except those checked."""
    from kubelint.sources import InputError, read

    cache = Cache(root) if use_cache else None
    try:
        try:
            paths = context_files(root, checked, settings.exclude)
        except InputError:
            return  # context is best effort: a tree that cannot be walked adds nothing
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                continue
            digest = cache.digest_of(path, st) if cache else None
            facts = cache.get(digest, path, kinds_wanted) if digest else None
            if facts is None:
                try:
                    (source,) = read([path], settings.max_file_size)
                except InputError:
                    continue  # unreadable or too large: not the user's input, skipped
                digest = hashlib.sha256(source.data).hexdigest()
                facts = cache.get(digest, path, kinds_wanted) if cache else None
                if facts is None:
                    facts = file_facts(source.name, source.data)
                    if cache is not None:
                        cache.put(digest, facts)
                if cache is not None:
                    cache.record(path, st, digest)
            yield path, facts
    finally:
        if cache is not None:
            cache.save()
