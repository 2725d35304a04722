"""Validate one Kubernetes object against the OpenAPI schema of its kind.

`validation_errors(data, api_version, kind, version)` returns one `SchemaError`
per bad field, with a path relative to the object root, a message that names the
field and quotes the value, and a fix title.

How it works:
- The built-in kinds of each minor version come from `schemas/kubernetes/v1.NN.json.gz`
  (see `schemas/README.md`), loaded on first use.  One jsonschema_rs `Registry` per
  (version, strict) holds all definitions; a kind's validator is a `$ref` into it,
  compiled once per (version, apiVersion, kind, strict).  Measured on the 524
  Deployments of ../shared/corpus: 4.6 ms with jsonschema-rs 0.60 against 248 ms with
  python-jsonschema 4.26 and the same schema; a kind compiles in under a millisecond.
- Strict mode is upstream's `-strict` variant: `additionalProperties: false` on every
  object schema that lists `properties`.  That is how the API server's strict field
  validation (`kubectl apply --validate=strict`) sees an unknown field.
- jsonschema_rs yields every failing keyword, including every branch of a
  `oneOf`/`anyOf`.  As jsonschema's `best_match` does, we keep one error per field:
  a type error wins over the value checks of the same field, and a `oneOf`/`anyOf`
  is explained by the one branch whose type fits the value, when there is one.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from kubelint.k8s.quantity import QUANTITY_PATTERN  # kept identical to scripts/gen_schemas.py
from kubelint.schema.versions import SUPPORTED

if TYPE_CHECKING:
    from kubelint.schema.crd import CrdIndex, CrdSchema

# The schema files live at the repository root (schemas/kubernetes); an installed
# wheel may carry them inside the package instead.
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
SCHEMA_DIRS = (
    _PACKAGE_DIR / "schemas" / "kubernetes",
    _PACKAGE_DIR.parent / "schemas" / "kubernetes",
)


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One problem with one field.

    kind: "unknown-field" or "invalid".
    path: str keys and int indexes from the object root.  For an unknown field, the
        field itself; for a missing required field, the mapping that lacks it.
    at: "key" (unknown field), "value" (bad value) or "parent" (missing field).
    edits: for `--fix`, where the intended value is certain (kubelint.model.Edit).
    """

    kind: str
    path: tuple
    message: str
    fix: str | None
    at: str
    edits: tuple = ()


def validation_errors(
    data: dict,
    api_version: str,
    kind: str,
    version: str,
    strict: bool = True,
    crds: "CrdIndex | None" = None,
) -> list[SchemaError] | None:
    """Errors of `data` against the schema of (api_version, kind) in Kubernetes `version`.

    None when no schema is known for (apiVersion, kind) in that version, neither
    built-in nor from `crds`; otherwise the list of errors, empty when valid.  With
    strict=False, unknown fields are not reported.  Never raises on bad data.
    """
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    compiled = _builtin_validator(version, api_version, kind, bool(strict)) if version in SUPPORTED else None
    if compiled is not None:
        return _errors(compiled, data)
    candidates = crds.entries_for(api_version, kind) if crds else ()
    if not candidates:
        return None
    # Two CRDs may define the same kind (e.g. a project's standard and experimental
    # channels).  A custom resource valid under either is valid; otherwise report
    # against the schema it fits best.
    best: list[SchemaError] | None = None
    for entry in candidates:
        compiled = _crd_validator(entry, bool(strict))
        if compiled is None:
            continue
        errors = _errors(compiled, data)
        if not errors:
            return []
        if best is None or len(errors) < len(best):
            best = errors
    return best


# --- loading and compiling -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    validator: Any  # a jsonschema_rs validator
    root: dict  # the document schema paths point into, for property-name suggestions


@dataclass(frozen=True, slots=True)
class _Bundle:
    kinds: dict  # apiVersion -> kind -> definition name
    defs: dict  # definition name -> schema


@functools.cache
def _bundle(version: str) -> _Bundle:
    import gzip

    name = f"v{version}.json.gz"
    for directory in SCHEMA_DIRS:
        path = directory / name
        if path.is_file():
            doc = json.loads(gzip.decompress(path.read_bytes()))
            return _Bundle(kinds=doc["kinds"], defs=doc["defs"])
    raise FileNotFoundError(f"no bundled schemas for Kubernetes {version} (looked for {name} in "
                            + ", ".join(str(d) for d in SCHEMA_DIRS) + ")")


_DEFS_URI = "urn:kubelint:kubernetes"


@functools.cache
def _registry(version: str, strict: bool) -> Any:
    import jsonschema_rs

    defs = _bundle(version).defs
    if strict:
        defs = {name: _strict(schema) for name, schema in defs.items()}
    return jsonschema_rs.Registry([(_DEFS_URI, {"$defs": defs})])


@functools.cache
def _builtin_validator(version: str, api_version: str, kind: str, strict: bool) -> _Compiled | None:
    bundle = _bundle(version)
    name = bundle.kinds.get(api_version, {}).get(kind)
    if name is None:
        return None
    import jsonschema_rs

    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": f"{_DEFS_URI}#/$defs/{name}"}, registry=_registry(version, strict),
        pattern_options=jsonschema_rs.RegexOptions(),
    )
    return _Compiled(validator, {"$defs": bundle.defs})


def _strict(schema: dict) -> dict:
    """The schema with additionalProperties: false wherever it lists properties and
    allows no additional ones; upstream's -strict variant (kept in step with
    scripts/gen_schemas.py `strictify`)."""
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: _strict(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _strict(value)
        else:
            out[key] = value
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@functools.lru_cache(maxsize=1024)
def _crd_validator(entry: "CrdSchema", strict: bool) -> _Compiled | None:
    """Compiled once per CRD version schema (entries hash by identity)."""
    import jsonschema_rs

    from kubelint.schema.crd import to_json_schema

    # The API server matches CRD patterns with Go's RE2 engine; the `regex` crate
    # (RegexOptions) has the same syntax and linear-time matching, where the default
    # fancy-regex would accept lookarounds the API server rejects.
    regex = jsonschema_rs.RegexOptions()
    # Without patterns the second time: a pattern the regex engine rejects should
    # not cost the rest of the schema.
    for patterns in (True, False):
        try:
            schema = to_json_schema(entry, strict, patterns=patterns)
            return _Compiled(jsonschema_rs.Draft202012Validator(schema, pattern_options=regex), schema)
        except (ValueError, RecursionError):
            continue
    # Unusable (nested deeper than jsonschema_rs compiles): the kind has no
    # schema, so schema-missing says the object was not validated, rather than
    # an empty schema silently accepting anything.
    return None


# --- running -------------------------------------------------------------------


def _errors(compiled: _Compiled, data: Any) -> list[SchemaError]:
    validator = compiled.validator
    original = None
    try:
        valid = validator.is_valid(data)
    except (ValueError, OverflowError):
        # A value JSON cannot carry: a YAML timestamp or binary, a set, a non-string
        # key.  Convert it the way the Kubernetes YAML-to-JSON step would and retry.
        original = data
        try:
            data = jsonable(data)
            valid = validator.is_valid(data)
        except (ValueError, OverflowError, RecursionError):
            return [SchemaError("invalid", (), "the object cannot be read as JSON", None, "value")]
    if valid:
        return []
    try:
        raw = list(validator.iter_errors(data))
    except (ValueError, OverflowError, RecursionError):
        # jsonschema_rs hands each error's instance back to Python and gives up on
        # very deep nesting ("Recursion limit reached").
        return [SchemaError("invalid", (), "the object is nested too deeply to report its schema errors",
                            None, "value")]
    errors = _best_errors(raw, compiled.root)
    if original is not None:
        errors = [_with_original_path(e, original) for e in errors]
    return errors


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data.  Timestamps become their ISO text (sigs.k8s.io/yaml
    reads an unquoted timestamp as a string), binary becomes base64, mapping keys
    become strings as in YAML-to-JSON (true -> "true", 1 -> "1")."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_json_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(jsonable(key))


def _with_original_path(error: SchemaError, original: Any) -> SchemaError:
    """Map a path through converted keys back to the keys the document has."""
    path = []
    node = original
    for segment in error.path:
        if isinstance(node, dict) and segment not in node:
            segment = next((k for k in node if _json_key(k) == segment), segment)
        path.append(segment)
        try:
            node = node[segment]
        except (KeyError, IndexError, TypeError):
            node = None
    path = tuple(path)
    return error if path == error.path else SchemaError(error.kind, path, error.message, error.fix, error.at)


# --- from jsonschema_rs errors to SchemaError ----------------------------------

# Lower is preferred when one field has several errors: the type first, then the
# keywords that explain a value best.
_PRIORITY = {"type": 0, "required": 1, "enum": 2, "const": 2, "pattern": 3}


def _best_errors(raw: Iterable[Any], root: dict) -> list[SchemaError]:
    chosen: dict[tuple, tuple[int, int, SchemaError]] = {}
    for order, err in enumerate(raw):
        for priority, error in _convert(err, root):
            if error.kind == "unknown-field":
                key = ("key", error.path)
            elif error.at == "parent":
                key = ("parent", error.path, error.message)
            else:
                key = ("value", error.path)
            previous = chosen.get(key)
            if previous is None or priority < previous[0]:
                chosen[key] = (priority, previous[1] if previous else order, error)
    return [error for _, _, error in sorted(chosen.values(), key=lambda item: item[1])]


def _convert(err: Any, root: dict) -> list[tuple[int, SchemaError]]:
    name = err.kind.name
    path = tuple(err.instance_path)
    where = format_path(path)

    if name == "additionalProperties":
        node = _schema_at(root, err.schema_path[:-1])
        defined = sorted(node.get("properties", {})) if isinstance(node, dict) else []
        present = err.instance if isinstance(err.instance, dict) else {}
        return [(0, _unknown_field(path, str(field), defined, present)) for field in err.kind.unexpected]

    if name == "required":
        field = str(err.kind.property)
        full = format_path(path + (field,))
        fix = f'Add "{field}" to {where}.' if path else f'Add "{field}".'
        return [(1, SchemaError("invalid", path, f"{full}: required field is missing", fix, "parent"))]

    if name == "type":
        return [(0, _type_error(path, list(err.kind.types), err.instance))]

    if name in ("anyOf", "oneOf"):
        return _explain_alternatives(err, root)

    return [(_PRIORITY.get(name, 4), _value_error(err, name, path))]


def _unknown_field(path: tuple, field: str, defined: list[str], present: dict) -> SchemaError:
    import difflib

    parent = f"in {format_path(path)}" if path else "at the top level"
    candidates = [p for p in defined if p not in present]
    suggestion = next((p for p in candidates if p.lower() == field.lower()), None)
    if suggestion is None:
        close = difflib.get_close_matches(field, candidates, n=1, cutoff=0.75)
        suggestion = close[0] if close else None
    if suggestion:
        from kubelint.model import Edit

        # `--fix` renames only when exactly one absent field is a typo away
        # (contianers -> containers, protocl -> protocol).
        typos = [p for p in candidates if _typo_distance(field.lower(), p.lower()) <= 2]
        return SchemaError(
            "unknown-field", path + (field,),
            f'unknown field "{field}" {parent} (did you mean "{suggestion}"?)',
            f'Rename "{field}" to "{suggestion}".', "key",
            (Edit("rename", path + (field,), typos[0]),) if len(typos) == 1 and len(field) >= 4 else (),
        )
    return SchemaError(
        "unknown-field", path + (field,), f'unknown field "{field}" {parent}',
        f'Remove "{field}", or fix its indentation if it belongs elsewhere.', "key",
    )


def _typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b:
    the optimal string alignment distance."""
    if abs(len(a) - len(b)) > 2:
        return 3
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


_TYPE_WORDS = {"object": "mapping", "array": "list"}


def _type_error(path: tuple, types: list[str], value: Any) -> SchemaError:
    wanted = [t for t in types if t != "null"] or types
    expected = " or ".join(_TYPE_WORDS.get(t, t) for t in wanted)
    message = f"expected {expected}, got {describe(value)}"
    if path:
        message = f"{format_path(path)}: {message}"
    fix = None
    edits: tuple = ()
    integer_only = "integer" in wanted and "number" not in wanted
    if isinstance(value, str) and ("integer" in wanted or "number" in wanted) and _looks_numeric(value, integer_only) \
            and len(value.strip()) <= 20:  # (a longer number fits no Kubernetes field, nor int(): no fix)
        fix = f"Remove the quotes around {value.strip()}."
        if integer_only and path:
            from kubelint.model import Edit

            edits = (Edit("set", path, int(value.strip())),)
    elif "string" in wanted and isinstance(value, (bool, int, float)) and value is not None:
        fix = "Quote the value so YAML reads it as a string."
    elif wanted == ["array"] and value is not None:
        fix = 'Write the value as a list (items starting with "- ").'
    elif wanted == ["object"] and isinstance(value, list):
        fix = 'Remove the "- ": this field takes a mapping, not a list.'
    return SchemaError("invalid", path, message, fix, "value", edits)


def _looks_numeric(text: str, integer: bool) -> bool:
    pattern = r"[+-]?\d+" if integer else r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
    return re.fullmatch(pattern, text.strip()) is not None


def _value_error(err: Any, name: str, path: tuple) -> SchemaError:
    where = format_path(path)
    prefix = f"{where}: " if path else ""
    value = err.instance
    fix = None
    edits: tuple = ()
    if name == "pattern":
        pattern = err.kind.pattern
        if pattern == QUANTITY_PATTERN:
            from kubelint.k8s.quantity import syntax_error

            # ParseQuantity's reason, when the value reads as a number at all.
            numeric = isinstance(value, str) and value.strip()[:1] in tuple("+-.0123456789")
            reason = syntax_error(value) if numeric else None
            message = f"invalid quantity {describe_value(value)}" + (f": {reason}" if reason else "")
            unit = re.fullmatch(r"\s*([0-9.]+)\s*([KMGTPE])(i?)B\s*", value) if isinstance(value, str) else None
            if unit:
                number, prefix_letter = unit.group(1), unit.group(2)
                fix = (f'Write "{number}{prefix_letter}i" (or "{number}{prefix_letter}" for powers of ten): '
                       'quantities have no "B".')
            else:
                fix = 'Write a quantity such as "500m", "1.5", "128Mi" or "2Gi".'
            compact = re.sub(r"\s+", "", value) if isinstance(value, str) else None
            if compact and compact != value and re.fullmatch(pattern, compact) and path:
                from kubelint.model import Edit

                # Spaces are the only mistake ("1 Gi"): the intended value is certain.
                fix = f'Write "{compact}": a quantity has no spaces.'
                edits = (Edit("set", path, compact),)
        else:
            message = f'{describe_value(value)} does not match the pattern "{pattern}"'
    elif name == "enum":
        options = list(err.kind.options)
        shown = ", ".join(json.dumps(o) for o in options if o is not None)
        message = f"unsupported value {describe_value(value)}; expected one of {shown}"
        if isinstance(value, str):
            import difflib

            match = next((o for o in options if isinstance(o, str) and o.lower() == value.lower()), None)
            if match is not None and path:
                from kubelint.model import Edit

                # Only the case differs: the intended value is certain.
                edits = (Edit("set", path, match),)
            if match is None:
                strings = [o for o in options if isinstance(o, str)]
                close = difflib.get_close_matches(value, strings, n=1, cutoff=0.6)
                match = close[0] if close else None
            if match is not None:
                fix = f'Use "{match}".'
    elif name == "const":
        message = f"expected {json.dumps(err.kind.expected_value)}, got {describe_value(value)}"
    elif name in ("minimum", "exclusiveMinimum"):
        message = f"{describe_value(value)} is less than the minimum {err.kind.limit}" if name == "minimum" \
            else f"{describe_value(value)} must be greater than {err.kind.limit}"
    elif name in ("maximum", "exclusiveMaximum"):
        message = f"{describe_value(value)} is greater than the maximum {err.kind.limit}" if name == "maximum" \
            else f"{describe_value(value)} must be less than {err.kind.limit}"
    elif name == "minLength":
        message = f"{describe_value(value)} is shorter than {err.kind.limit} characters"
    elif name == "maxLength":
        message = f"{describe_value(value)} is longer than {err.kind.limit} characters"
    elif name == "minItems":
        message = f"expected at least {err.kind.limit} items, got {len(value) if isinstance(value, list) else 0}"
    elif name == "maxItems":
        message = f"expected at most {err.kind.limit} items, got {len(value) if isinstance(value, list) else 0}"
    elif name == "minProperties":
        message = f"expected at least {err.kind.limit} fields"
    elif name == "maxProperties":
        message = f"expected at most {err.kind.limit} fields"
    elif name == "uniqueItems":
        message = "list items must be unique"
    elif name == "multipleOf":
        message = f"{describe_value(value)} is not a multiple of {err.kind.multiple_of}"
    else:
        message = _plain(err.message)
    return SchemaError("invalid", path, prefix + message, fix, "value", edits)


def _explain_alternatives(err: Any, root: dict) -> list[tuple[int, SchemaError]]:
    """One error for a failed oneOf/anyOf, after jsonschema's best_match: follow the
    single branch the value's type fits; otherwise say what the choices were."""
    path = tuple(err.instance_path)
    prefix = f"{format_path(path)}: " if path else ""
    name = err.kind.name
    branches = _schema_at(root, err.schema_path)
    required_only = isinstance(branches, list) and branches and all(
        isinstance(b, dict) and set(b) == {"required"} for b in branches
    )
    if required_only:
        fields = ", ".join(f'"{f}"' for b in branches for f in b["required"])
        how = "exactly one" if name == "oneOf" else "at least one"
        return [(4, SchemaError("invalid", path, f"{prefix}set {how} of {fields}", None, "parent"))]

    context = getattr(err.kind, "context", None) or []
    if name == "oneOf" and not any(context):
        message = f"{prefix}matches more than one of the allowed forms"
        return [(4, SchemaError("invalid", path, message, None, "value"))]
    fitting, wanted_types = [], []
    for branch in context:
        mismatch = [e for e in branch if e.kind.name == "type" and tuple(e.instance_path) == path]
        if mismatch:
            wanted_types.extend(t for e in mismatch for t in e.kind.types)
        else:
            fitting.append(branch)
    if not fitting and wanted_types:
        types = list(dict.fromkeys(wanted_types))
        return [(0, _type_error(path, types, err.instance))]
    if len(fitting) > 1:
        # The branch the value got furthest into explains it best; a tie explains nothing.
        depth = [max((len(e.instance_path) for e in branch), default=0) for branch in fitting]
        deepest = max(depth)
        fitting = [b for b, d in zip(fitting, depth) if d == deepest]
    if len(fitting) == 1:
        out = []
        for sub in fitting[0]:
            out.extend(_convert(sub, root))
        if out:
            return out
    return [(4, SchemaError("invalid", path, f"{prefix}does not match any of the allowed forms", None, "value"))]


def _schema_at(root: Any, schema_path: Iterable[Any]) -> Any:
    node = root
    for segment in schema_path:
        try:
            node = node[segment]
        except (KeyError, IndexError, TypeError):
            return None
    return node


# --- text ----------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def format_path(path: Iterable[Any]) -> str:
    """`("spec", "containers", 0, "image")` -> `spec.containers[0].image`; keys that
    are not plain names are quoted: `metadata.labels["app.kubernetes.io/name"]`."""
    out = ""
    for segment in path:
        if isinstance(segment, int) and not isinstance(segment, bool):
            out += f"[{segment}]"
        elif _PLAIN_KEY.match(str(segment)):
            out += f".{segment}" if out else str(segment)
        else:
            out += f"[{json.dumps(str(segment))}]"
    return out


def describe(value: Any) -> str:
    """A value with its type: `string "3"`, `boolean true`, `list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value:g}"
    if isinstance(value, str):
        return f"string {_quote(value)}"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def describe_value(value: Any) -> str:
    """A value as the user wrote it: `"500 m"`, `3`, `true`."""
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else str(value)


def _quote(text: str, limit: int = 60) -> str:
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return json.dumps(text, ensure_ascii=False)


def _plain(message: str) -> str:
    """jsonschema_rs's message in our style: first word lower case, one line, no period."""
    message = message.strip().splitlines()[0] if message.strip() else "invalid value"
    message = message[:1].lower() + message[1:]
    return message.rstrip(".")


def builtin_kinds(version: str) -> dict:
    """apiVersion -> set of kinds the bundled schemas of `version` define
    (the built-in API groups and versions); empty for an unknown version."""
    if version not in SUPPORTED:
        return {}
    return {api_version: set(kinds) for api_version, kinds in _bundle(version).kinds.items()}


def kind_definition(version: str, api_version: str, kind: str) -> tuple[str, dict] | None:
    """(definition name, all definitions) of a built-in kind, for walkers
    that follow an object along its schema; None when unknown."""
    if version not in SUPPORTED:
        return None
    bundle = _bundle(version)
    name = bundle.kinds.get(api_version, {}).get(kind)
    return (name, bundle.defs) if name is not None else None
