#!/usr/bin/env python3
"""Generate kubelint's bundled Kubernetes schemas, one compact file per minor version.

Usage:
    python scripts/gen_schemas.py SOURCE [--out schemas/kubernetes]

SOURCE is the `kubernetes-validate` 1.37.0 wheel, or the `kubernetes-json-schema`
directory unzipped from it.  Get the wheel with:

    pip download --no-deps -d /tmp/kv kubernetes-validate==1.37.0

kubernetes-validate (Apache-2.0, https://github.com/willthames/kubernetes-validate)
ships JSON Schemas generated from the upstream Kubernetes OpenAPI definitions
(kubernetes/kubernetes `api/openapi-spec`).  Each `v1.NN.0-local/_definitions.json`
holds every definition under `$defs`; the `-strict` twin only adds
`"additionalProperties": false` to every schema that has `properties` (this script
checks that claim and fails if it stops holding), so we ship the loose variant and
kubelint derives the strict one when it loads a version.

For each version, the output `v1.NN.json.gz` is gzip'd, minified JSON:

    {"kubernetes": "1.31",
     "source": {package, version, wheel_sha256, file, file_sha256},
     "kinds": {"apps/v1": {"Deployment": "io.k8s.api.apps.v1.Deployment", ...}, ...},
     "defs": {"io.k8s.api.apps.v1.Deployment": {...}, ...}}

What is stripped or rewritten (nothing here changes which manifests are valid,
except where noted):
- `description`, `format`, `x-kubernetes-*` list/map/patch/union markers,
  `x-kubernetes-group-version-kind` (turned into `kinds`), `$schema`, `$id`.
- `apiVersion` and `kind` of top-level kinds become `{"type": "string"}`: the
  caller picks the schema by those two values, so they already match.
- `status` of top-level kinds becomes `{}`: users do not write status, and
  dropping its subtree halves the size.  A status in a manifest is accepted, unchecked.
- IntOrString becomes `{"type": ["integer", "string", "null"]}`.  Upstream has
  `oneOf` of two nullable types, which rejects `null` (it matches both branches)
  and yields two errors for one bad value.
- Quantity becomes `{"type": ["number", "string", "null"], "pattern": ...}`, the
  grammar of k8s.io/apimachinery/pkg/api/resource `ParseQuantity`; upstream
  accepts any string.  Numbers (`cpu: 0.5`) stay valid.
- Definitions no top-level kind reaches are dropped.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

PACKAGE = "kubernetes-validate"
PINNED_VERSION = "1.37.0"
# sha256 of kubernetes_validate-1.37.0-py3-none-any.whl as served by PyPI.
PINNED_WHEEL_SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
MINORS = range(25, 38)  # 1.25 .. 1.37, the versions the wheel carries

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# Sign, a decimal number, then one suffix: an exponent, a binary SI suffix or a
# decimal SI suffix.  The suffixes are those resource.ParseQuantity accepts
# (k8s.io/apimachinery/pkg/api/resource/quantity.go, suffix.go); note "k" is
# lower case and "K" is valid only in "Ki".
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$"

# Keywords that take part in validation; everything else is dropped.
KEEP = frozenset({"type", "properties", "items", "required", "additionalProperties", "$ref", "enum"})
REF_PREFIX = "#/$defs/"


def clean(schema: dict) -> dict:
    """The schema with only validating keywords, recursively."""
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: clean(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = clean(value)
        elif key in KEEP:
            out[key] = value
        elif key in ("oneOf", "anyOf", "allOf"):
            # Only IntOrString and Quantity use oneOf, and both are replaced below.
            out[key] = [clean(sub) for sub in value]
    return out


def strictify(schema: dict) -> dict:
    """What the `-strict` variant should be: additionalProperties: false wherever
    properties are listed and additionalProperties is not.  Kept in step with
    `kubelint.schema.validate._strict`."""
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: strictify(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = strictify(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [strictify(sub) for sub in value]
        else:
            out[key] = value
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def refs(schema: object) -> set[str]:
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                found.add(ref[len(REF_PREFIX):])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def api_version(gvk: dict) -> str:
    return f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]


def convert(upstream: dict, minor: int, source: dict) -> dict:
    kinds: dict[str, dict[str, str]] = {}
    defs: dict[str, dict] = {}
    for name, schema in upstream.items():
        out = clean(schema)
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        for gvk in gvks:
            kinds.setdefault(api_version(gvk), {})[gvk["kind"]] = name
        props = out.get("properties")
        if gvks and props:
            for field in ("apiVersion", "kind"):
                if field in props:
                    props[field] = {"type": "string"}
            if "status" in props:
                props["status"] = {}
        defs[name] = out
    defs[INT_OR_STRING] = {"type": ["integer", "string", "null"]}
    defs[QUANTITY] = {"type": ["number", "string", "null"], "pattern": QUANTITY_PATTERN}

    reachable: set[str] = set()
    stack = [name for by_kind in kinds.values() for name in by_kind.values()]
    while stack:
        name = stack.pop()
        if name not in reachable:
            reachable.add(name)
            stack.extend(refs(defs[name]))
    return {
        "kubernetes": f"1.{minor}",
        "source": source,
        "kinds": {av: dict(sorted(by_kind.items())) for av, by_kind in sorted(kinds.items())},
        "defs": {name: defs[name] for name in sorted(reachable)},
    }


class Source:
    """Reads `v1.NN.0-local*/_definitions.json` from the wheel or from the directory."""

    def __init__(self, path: Path):
        self.path = path
        self.wheel_sha256: str | None = None
        if path.is_file():
            data = path.read_bytes()
            self.wheel_sha256 = hashlib.sha256(data).hexdigest()
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.root = "kubernetes_validate/kubernetes-json-schema"
        else:
            self.zip = None
            self.root = str(path)

    def read(self, relative: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(f"{self.root}/{relative}")
        return (Path(self.root) / relative).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path,
                        help="the kubernetes-validate wheel or its kubernetes-json-schema directory")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "schemas" / "kubernetes")
    parser.add_argument("--wheel-sha256", default=None,
                        help="sha256 of the wheel the directory came from (default: the pinned one)")
    parser.add_argument("--check-strict", action="store_true",
                        help="verify that each -strict variant is the loose one plus additionalProperties: false")
    args = parser.parse_args(argv)

    source = Source(args.source)
    if source.wheel_sha256 is not None and source.wheel_sha256 != PINNED_WHEEL_SHA256:
        print(f"error: {args.source} has sha256 {source.wheel_sha256}, expected {PINNED_WHEEL_SHA256} "
              f"({PACKAGE} {PINNED_VERSION})", file=sys.stderr)
        return 2
    wheel_sha256 = source.wheel_sha256 or args.wheel_sha256 or PINNED_WHEEL_SHA256

    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for minor in MINORS:
        relative = f"v1.{minor}.0-local/_definitions.json"
        raw = source.read(relative)
        upstream = json.loads(raw)["$defs"]
        if args.check_strict:
            strict = json.loads(source.read(f"v1.{minor}.0-local-strict/_definitions.json"))["$defs"]
            if {name: strictify(s) for name, s in upstream.items()} != strict:
                print(f"error: v1.{minor} -strict is not -local plus additionalProperties: false", file=sys.stderr)
                return 1
        doc = convert(upstream, minor, {
            "package": PACKAGE,
            "version": PINNED_VERSION,
            "wheel_sha256": wheel_sha256,
            "file": f"kubernetes-json-schema/{relative}",
            "file_sha256": hashlib.sha256(raw).hexdigest(),
        })
        text = json.dumps(doc, separators=(",", ":"), sort_keys=False, ensure_ascii=False)
        # mtime=0 keeps the output byte-for-byte reproducible.
        blob = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
        target = args.out / f"v1.{minor}.json.gz"
        target.write_bytes(blob)
        total += len(blob)
        n_kinds = sum(len(k) for k in doc["kinds"].values())
        print(f"{target}: {len(blob):,} bytes ({len(text):,} uncompressed), "
              f"{n_kinds} kinds, {len(doc['defs'])} definitions")
    print(f"total: {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
