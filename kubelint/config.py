"""Settings: from `.kubelint.yaml`, `[tool.kubelint]` in pyproject.toml, or
`--config FILE`; the command line beats the file.

The file is validated against `schemas/config.schema.json` extended with each
rule's options, and a mistake names the file, line and key.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

CONFIG_NAMES = (".kubelint.yaml", ".kubelint.yml")
# kubelint/schemas links to the top-level schemas/ (and is a real folder in a wheel).
SCHEMA_FILE = FsPath(__file__).parent / "schemas" / "config.schema.json"


class ConfigError(Exception):
    """A mistake in the configuration: one line, naming file, line and key."""


@dataclass(slots=True)
class Settings:
    kubernetes_version: str | None = None  # None: the newest supported
    select: list[str] | None = None  # None: the rules on by default
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # rule -> severity
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule -> options
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    strict: bool = True
    crds: list[str] = field(default_factory=list)
    # None: Baseline controls are errors and Restricted controls warnings.
    pss_level: str | None = None
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    allowed_registries: list[str] = field(default_factory=list)
    # Globs of files that hold fragments (patches merged elsewhere), checked
    # only for what they contain.
    fragments: list[str] = field(default_factory=list)
    # The project context for runs given files (kubelint.project): the
    # folder (None: the configuration's folder, else the git work tree),
    # whether to use it, and whether to keep its cache on disk.
    context: str | None = None
    use_context: bool = True
    cache: bool = True
    trusted_hosts: list[str] = field(default_factory=list)  # hosts remote content may come from
    config_file: str | None = None
    # Rego policies (kubelint/policy): paths, and the command line's policy
    # options (kubelint.policy.PolicyOptions fields by name).
    policies: list[str] = field(default_factory=list)
    policy_options: dict[str, Any] = field(default_factory=dict)
    max_file_size: int | str = 16 * 1024 * 1024  # bytes read per input at most (kubelint.sources)


# config file key -> Settings attribute
_KEYS = {
    "kubernetes-version": "kubernetes_version",
    "select": "select",
    "extend-select": "extend_select",
    "ignore": "ignore",
    "severity": "severity",
    "rules": "rule_options",
    "exclude": "exclude",
    "fail-on": "fail_on",
    "strict": "strict",
    "crds": "crds",
    "pss-level": "pss_level",
    "per-file-ignores": "per_file_ignores",
    "allowed-registries": "allowed_registries",
    "fragments": "fragments",
    "trusted-hosts": "trusted_hosts",
    "policies": "policies",
    "max-file-size": "max_file_size",
}


def find_config(start: str | os.PathLike | None = None) -> FsPath | None:
    """The nearest `.kubelint.yaml` or pyproject.toml with [tool.kubelint],
    walking up from `start` (the working directory)."""
    here = FsPath(start or os.getcwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_section(pyproject):
            return pyproject
    return None


def _has_tool_section(path: FsPath) -> bool:
    try:
        return "[tool.kubelint" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load_settings(path: str | os.PathLike) -> Settings:
    """Read and validate a configuration file."""
    from kubelint.sources import DEFAULT_MAX_FILE_SIZE, InputError, read_capped

    path = FsPath(path)
    if str(path) == os.devnull:  # `--config /dev/null`: no configuration
        return Settings(config_file=str(path))
    try:
        raw = read_capped(str(path), DEFAULT_MAX_FILE_SIZE)
    except InputError as e:
        raise ConfigError(f"{path}: cannot read configuration: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read configuration: {e.strerror or e}") from None
    if path.name == "pyproject.toml":
        data, locate = _read_pyproject(path, raw)
    else:
        data, locate = _read_yaml(path, raw)
    _check_plain(data, path, locate)
    _validate(data, path, locate)
    _check_values(data, path, locate)
    settings = Settings(config_file=str(path))
    for key, value in data.items():
        setattr(settings, _KEYS[key], value)
    if settings.kubernetes_version is not None:
        settings.kubernetes_version = str(settings.kubernetes_version)
    # Relative paths in a config file are relative to the file.
    settings.crds = [str((path.parent / p)) if not os.path.isabs(p) else p for p in settings.crds]
    settings.policies = [str((path.parent / p)) if not os.path.isabs(p) else p for p in settings.policies]
    return settings


def _read_yaml(path: FsPath, raw: bytes):
    from kubelint.parse import parse_file

    parsed = parse_file(str(path), raw)
    for hazard in parsed.hazards:
        if hazard.name not in ("yaml-tab-whitespace",):
            raise ConfigError(f"{path}:{hazard.line}:{hazard.column}: {hazard.message}")
    if not parsed.documents:
        return {}, lambda p: (1, 1)
    doc = parsed.documents[0]
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}:{doc.line}:1: the configuration must be a mapping")
    return doc.data, lambda p, at="value": doc.source_map.position(tuple(p), at)


def _read_pyproject(path: FsPath, raw: bytes):
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    text = raw.decode("utf-8")
    section = text.find("[tool.kubelint]")
    line = text.count("\n", 0, section) + 1 if section >= 0 else 1
    tool = doc.get("tool", {})
    # `[tool.kubelint]` found only in a comment: no configuration here.
    data = tool.get("kubelint", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:{line}:1: tool.kubelint must be a table ([tool.kubelint])")
    return data, lambda p, at="value": (line, 1)


def _check_plain(data: Any, path: FsPath, locate, where: tuple = ()) -> None:
    """Keys must be strings and values plain data: YAML allows `1:` and
    `null:` as keys, TOML has dates; the schema speaks of neither."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                line, col = locate(list(where) + [key], "key")
                scope = ".".join(map(str, where))
                shown = "null" if key is None else json.dumps(key) if isinstance(key, (bool, int, float)) else repr(key)
                raise ConfigError(f"{path}:{line}:{col}: {scope + ': ' if scope else ''}key {shown} is not a string")
            _check_plain(value, path, locate, where + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _check_plain(value, path, locate, where + (index,))
    elif not isinstance(data, (str, int, float, bool, type(None))):
        line, col = locate(list(where))
        what = type(data).__name__.replace("datetime", "date and time")
        raise ConfigError(f"{path}:{line}:{col}: {'.'.join(map(str, where))}: expected a string, number, list or mapping, got a {what}")


def _check_values(data: dict, path: FsPath, locate) -> None:
    """What the schema cannot say: a version kubelint knows, CRD paths that exist."""
    from kubelint.schema.versions import parse_version

    if data.get("kubernetes-version") is not None:
        try:
            parse_version(str(data["kubernetes-version"]))
        except ValueError as e:
            line, col = locate(["kubernetes-version"])
            raise ConfigError(f"{path}:{line}:{col}: kubernetes-version: {e}") from None
    for index, crd in enumerate(data.get("crds") or []):
        full = crd if os.path.isabs(crd) else str(path.parent / crd)
        if not os.path.exists(full):
            line, col = locate(["crds", index])
            raise ConfigError(f"{path}:{line}:{col}: crds: {crd}: no such file or directory")


def _schema() -> dict:
    from kubelint.rules import registry

    with open(SCHEMA_FILE, encoding="utf-8") as fh:
        schema = json.load(fh)
    rule_props = {}
    for r in registry():
        rule_props[r.name] = {
            "type": "object",
            "properties": dict(r.options),
            "additionalProperties": False,
        }
    schema["properties"]["rules"]["properties"] = rule_props
    schema["properties"]["rules"]["additionalProperties"] = False
    return schema


def _validate(data: Any, path: FsPath, locate) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1:1: the configuration must be a mapping")
    schema = _schema()
    import jsonschema_rs

    if jsonschema_rs.validator_for(schema).is_valid(data):
        # The common case, fast: jsonschema_rs is loaded for the manifests anyway.
        _check_rule_names(data, path, locate)
        return
    # A mistake: the pure-Python validator's best_match explains it best.
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        _check_rule_names(data, path, locate)
        return
    error = jsonschema.exceptions.best_match(errors)
    where = list(error.absolute_path)
    key = ".".join(str(p) for p in where) or "(top level)"
    if error.validator == "additionalProperties":
        parent = where
        known = list(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in known] if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        line, col = locate(parent + [name], "key")
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        scope = ".".join(str(p) for p in parent)
        what = f'unknown key "{name}"' + (f" in {scope}" if scope else "")
        raise ConfigError(f"{path}:{line}:{col}: {what}{hint}")
    line, col = locate(where)
    raise ConfigError(f"{path}:{line}:{col}: {key}: {_expectation(error)}")


def _expectation(error) -> str:
    got = json.dumps(error.instance) if not isinstance(error.instance, (dict, list)) else type(error.instance).__name__
    if error.validator == "type":
        expected = error.validator_value
        if expected == "array":
            items = error.schema.get("items", {}).get("type")
            expected = f"a list of {items}s" if items else "a list"
        elif expected == "object":
            expected = "a mapping"
        else:
            expected = f"a {expected}"
        return f"expected {expected}, got {got}"
    if error.validator == "enum":
        return f"expected one of {', '.join(map(str, error.validator_value))}, got {got}"
    return error.message


def _check_rule_names(data: dict, path: FsPath, locate) -> None:
    """Rule selectors must name real rules, categories or code prefixes."""
    from kubelint.registry import UnknownRule
    from kubelint.rules import registry

    reg = registry()
    for key in ("select", "extend-select", "ignore"):
        for index, selector in enumerate(data.get(key) or []):
            try:
                reg.select(selector)
            except UnknownRule as e:
                line, col = locate([key, index])
                raise ConfigError(f"{path}:{line}:{col}: {key}: {e}") from None
    from kubelint.registry import is_policy_selector

    for index_key in ("severity",):
        for name in data.get(index_key) or {}:
            if is_policy_selector(name):
                continue  # a policy rule: known once its policies are loaded
            try:
                reg.get(name)
            except UnknownRule as e:
                line, col = locate([index_key, name], "key")
                raise ConfigError(f"{path}:{line}:{col}: {index_key}: {e}") from None
    for pattern, names in (data.get("per-file-ignores") or {}).items():
        for index, selector in enumerate(names):
            try:
                reg.select(selector)
            except UnknownRule as e:
                line, col = locate(["per-file-ignores", pattern, index])
                raise ConfigError(f"{path}:{line}:{col}: per-file-ignores: {e}") from None
