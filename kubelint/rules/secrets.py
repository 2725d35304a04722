"""Secrets and configuration: credentials where they do not belong, Secret
data the API server cannot decode, environment variables that hide others.

Credential detection has two parts.  A name test: the last word of an
environment variable or ConfigMap key names a secret (`DB_PASSWORD`,
`apiKey`, `client.secret`), so `TOKEN_PATH`, `SECRET_NAME`, `PASSWORD_FILE`
and `TOKEN_TTL` are references or settings, not secrets.  A value test: the
value has the shape of a known credential (private key blocks, AWS access key
IDs, JWTs, GitHub, GitLab, Slack, Google, Stripe, SendGrid, npm and Hugging
Face tokens; the patterns follow Trivy's built-in secret rules,
aquasecurity/trivy pkg/fanal/secret/builtin-rules.go).  Values are never
echoed in messages.
"""

from __future__ import annotations

import base64
import difflib
import os
import re
from dataclasses import dataclass
from typing import Iterator

from kubelint.model import Fix, K8sObject, Problem
from kubelint.references import STRICT_OPTION, lookup, related_directories, strict
from kubelint.registry import rule
from kubelint.k8s.kinds import POD_KINDS
from kubelint.k8s.workloads import as_list, as_map, as_str, containers

# --- names -------------------------------------------------------------------

# "<word> KEY" pairs that name a secret key (API_KEY, SECRET_ACCESS_KEY, ...);
# a lone KEY (CACHE_KEY, KEY_PREFIX) does not.
_KEY_PREFIXES = frozenset(
    {"API", "ACCESS", "SECRET", "PRIVATE", "ENCRYPTION", "SIGNING", "MASTER", "AUTH", "LICENSE", "HMAC", "SESSION"}
)
# Words that name a secret when they end a variable or key name.
_SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS"}
    | {prefix + "KEY" for prefix in _KEY_PREFIXES}
)
# Words that may follow the secret word and still name its value.
_VALUE_SUFFIXES = frozenset({"VALUE", "STRING", "STR", "B64", "BASE64", "PLAIN", "RAW", "BASE"})


def _words(name: str) -> list[str]:
    """`dbPassword` -> DB, PASSWORD; `SECRET_ACCESS_KEY` -> SECRET, ACCESSKEY;
    `apikey` -> APIKEY."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if w]
    merged: list[str] = []
    for word in words:
        if word == "KEY" and merged and merged[-1] in _KEY_PREFIXES:
            merged[-1] += "KEY"
        else:
            merged.append(word)
    return merged


def secret_name(name: str) -> bool:
    """Whether a variable or key name says its value is a secret."""
    words = _words(name)
    if words and words[-1] in _VALUE_SUFFIXES:
        words = words[:-1]
    if not words or words[-1] not in _SECRET_WORDS:
        return False
    # PWD alone is the shell's working directory.
    return words != ["PWD"]


# --- values ------------------------------------------------------------------

_NOT_SECRETS = frozenset(
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "none", "null", "nil", "enabled", "disabled",
        "enable", "disable", "required", "optional", "auto", "default", "empty", "unset", "undefined",
    }
)
_PLACEHOLDER_WORDS = ("changeme", "changeit", "replaceme", "placeholder", "redacted", "example", "todo", "fixme")
_REFERENCE_RE = re.compile(
    r"""\$\(|\$\{|\{\{|%\(|^\$[A-Za-z_]|^<.*>$|^\[.*\]$|^(/|\./|~/|file:)|^[a-z][a-z0-9+.-]*://[^@]*$
      |^(vault|ref\+|awssm|azkv|gcpsm|sm|secretsmanager|arn:aws:(secretsmanager|ssm)):""",
    re.X,
)


# A SCREAMING_SNAKE identifier or an upper-case secret word in a value is a
# placeholder for a deploy script to substitute (HF_TOKEN, INSERT_TOKEN, nvapi-NVKEY).
_SUBSTITUTED_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|KEY|TOKEN|SECRET|PASSWORD|PASSWD")
# A Kubernetes object name (DNS subdomain with a dash or dot): under a name
# ending in SECRET it names a Secret object, e.g. WEBHOOK_SECRET=webhook-cert.
_OBJECT_NAME_RE = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)+")


def literal_value(value: str, name: str = "") -> bool:
    """Whether `value` is a literal that could be a credential: not empty, not
    a flag or small number, not a reference ($(VAR), ${VAR}, {{ }}, a path,
    a secret-manager URI, a Secret's name) and not a placeholder (<...>,
    changeme, xxxx, HF_TOKEN)."""
    v = value.strip()
    if len(v) < 3 or v.lower() in _NOT_SECRETS or _REFERENCE_RE.search(v) or _SUBSTITUTED_RE.search(v):
        return False
    # 0, 1.0, xxxx, ****, ghp_xxxxxxxx...: a number or a filler.
    if re.fullmatch(r"[0-9.]{1,3}", v) or len(set(v.lower())) <= 2 or re.search(r"(.)\1{5}", v):
        return False
    squashed = re.sub(r"[^a-z]", "", v.lower())
    if any(word in squashed for word in _PLACEHOLDER_WORDS) or squashed.startswith(("your", "insert")):
        return False
    words = _words(name)
    if words and words[-1] in ("SECRET", "CREDENTIALS") and _OBJECT_NAME_RE.fullmatch(v):
        return False
    return True


def _b64_prefix(text: str) -> str:
    """The base64 text that every encoding of a string starting with `text` starts with."""
    return base64.b64encode(text.encode()).decode()[: len(text) // 3 * 4]


@dataclass(frozen=True, slots=True)
class Credential:
    what: str  # "an AWS access key ID"
    keywords: tuple[str, ...]  # one of them occurs in every match: a fast first test
    pattern: re.Pattern
    group: int = 0  # the group holding the secret part, checked for variety


_PEM_KINDS = ("", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ")
_PEM_B64 = tuple(_b64_prefix(f"-----BEGIN {kind}PRIVATE KEY-----") for kind in _PEM_KINDS)

_CREDENTIALS = (
    Credential("a private key", ("PRIVATE KEY",), re.compile(r"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY( BLOCK)?-----")),
    Credential("a base64-encoded private key", ("LS0tLS1CRUdJTi",), re.compile("|".join(map(re.escape, _PEM_B64)))),
    Credential(
        "an AWS access key ID", ("AKIA", "ASIA"), re.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])"), 1
    ),
    Credential("a JSON Web Token", ("eyJ",), re.compile(r"\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.([\w-]{10,})"), 1),
    Credential(
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        re.compile(r"\b(?:gh[pousr]_([A-Za-z0-9]{36,76})|github_pat_([A-Za-z0-9_]{82}))\b"),
        1,
    ),
    Credential("a GitLab token", ("glpat-",), re.compile(r"\bglpat-([\w-]{20})\b"), 1),
    Credential("a Slack token", ("xox",), re.compile(r"\bxox[baprs]-([0-9A-Za-z-]{10,})"), 1),
    Credential(
        "a Slack webhook URL",
        ("hooks.slack.com",),
        re.compile(r"https://hooks\.slack\.com/services/([A-Za-z0-9+/]{20,})"),
        1,
    ),
    Credential("a Google API key", ("AIza",), re.compile(r"\bAIza([0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"), 1),
    Credential("a Stripe secret key", ("k_live_",), re.compile(r"\b[rs]k_live_([0-9A-Za-z]{20,})"), 1),
    Credential("a SendGrid API key", ("SG.",), re.compile(r"\bSG\.[\w-]{22}\.([\w-]{43})"), 1),
    Credential("an npm token", ("npm_",), re.compile(r"\bnpm_([A-Za-z0-9]{36})\b"), 1),
    Credential("a Hugging Face token", ("hf_",), re.compile(r"\bhf_([A-Za-z0-9]{34,40})\b"), 1),
    Credential(
        "a URL with an embedded password",
        ("://",),
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]*:([^\s@/]+)@[\w.-]+"),
        1,
    ),
)


def credential(value: str) -> str | None:
    """What credential `value` contains, e.g. "an AWS access key ID", or None.
    Fillers (`ghp_xxxx...`, `AKIA...EXAMPLE`) and references do not count."""
    for cred in _CREDENTIALS:
        if not any(k in value for k in cred.keywords):
            continue
        if cred.what.startswith("a URL") and "@" not in value:
            continue
        for m in cred.pattern.finditer(value):
            secret = next((g for g in m.groups() if g), m.group(0)) if cred.group else m.group(0)
            if "EXAMPLE" in m.group(0).upper() or (cred.group and len(set(secret)) < 6):
                continue
            if cred.what.startswith("a URL") and not literal_value(secret):
                continue
            return cred.what
    return None


# --- rules -------------------------------------------------------------------


def _env(c) -> Iterator[tuple[int, dict]]:
    for index, var in enumerate(as_list(c.spec.get("env"))):
        if isinstance(var, dict):
            yield index, var


@rule(code="KL601", name="secret-in-env", severity="warning", category="secrets", kinds=POD_KINDS)
def secret_in_env(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An environment variable holds a literal credential.

    Why: a value written into the pod spec is readable by everyone who can
    read the workload (`view` can, Secrets it cannot), lands in Git, in
    `kubectl describe` and in the last-applied annotation, and cannot be
    rotated without a rollout (https://kubernetes.io/docs/concepts/security/secrets-good-practices/;
    kube-linter env-var-secret).  Reported: a variable
    whose name ends in PASSWORD, PASSWD, PASS, SECRET, TOKEN, CREDENTIALS,
    API_KEY, ACCESS_KEY, SECRET_KEY, PRIVATE_KEY and similar, with a literal
    value; and any variable whose value has the shape of a credential
    (private key, AWS access key ID, JWT, GitHub, Slack, Google API key ...).
    Not reported: names such as TOKEN_PATH, SECRET_NAME, PASSWORD_FILE,
    DB_SECRET_REF; empty values, flags, `$(VAR)` and `${VAR}` references,
    paths, and placeholders such as `<password>`, `changeme` or `xxxx`.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: api}
        spec:
          containers:
            - name: api
              image: "ghcr.io/acme/api:1.4.2"
              env:
                - {name: DB_PASSWORD, value: "s3cr3t-Pa55"}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: api}
        spec:
          containers:
            - name: api
              image: "ghcr.io/acme/api:1.4.2"
              env:
                - name: DB_PASSWORD
                  valueFrom: {secretKeyRef: {name: api-db, key: password}}
    Fix safety: no automatic fix; the value has to move into a Secret first.
    References: https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
    """
    for c in containers(obj):
        for index, var in _env(c):
            name, value = as_str(var.get("name")), var.get("value")
            if not isinstance(value, str) or "valueFrom" in var:
                continue
            what = credential(value)
            if what:
                message = f'{c.label} sets env var "{name}" to {what}'
            elif secret_name(name) and literal_value(value, name):
                message = f'{c.label} sets env var "{name}" to a literal value; it names a secret'
            else:
                continue
            yield Problem(
                c.path + ("env", index, "value"),
                message,
                Fix(
                    "Move the value into a Secret and reference it with valueFrom.secretKeyRef.",
                    f"- name: {name}\n  valueFrom:\n    secretKeyRef:\n      name: <secret name>\n      key: <key>",
                ),
            )


# Go's base64.StdEncoding, which decodes Secret data (a []byte in JSON): the
# standard alphabet with `=` padding; it skips \r and \n.
_STD_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def base64_problem(value: str) -> str | None:
    """Why the API server cannot decode `value` as Secret data, or None."""
    text = value.replace("\r", "").replace("\n", "")
    if _STD_BASE64.fullmatch(text):
        return None
    bad = sorted({ch for ch in text if not (ch.isascii() and (ch.isalnum() or ch in "+/="))})
    if bad and _STD_BASE64.fullmatch(text.replace("-", "+").replace("_", "/")):
        return 'is URL-safe base64 ("-", "_"); the API server decodes standard base64 ("+", "/")'
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:5])
        return f"is not base64: it has {shown} (plain text belongs in stringData)"
    if "=" in text.rstrip("="):
        return "is not base64: it has '=' padding in the middle"
    return f"is not base64: {len(text.rstrip('='))} characters without valid '=' padding (base64 comes in groups of 4)"


@rule(code="KL602", name="secret-invalid-base64", severity="error", category="secrets", kinds=frozenset({"Secret"}))
def secret_invalid_base64(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A Secret's `data` value is not valid base64.

    Why: `data` holds base64-encoded bytes and the API server decodes it with
    Go's standard encoding (padded, `+` and `/`; only line breaks are
    skipped), so `kubectl apply` fails with "illegal base64 data".  Plain text
    belongs in `stringData`, which the API server encodes for you
    (https://kubernetes.io/docs/concepts/configuration/secret/#restriction-names-data).
    Each bad key is reported at its value.
    Example:
        apiVersion: v1
        kind: Secret
        metadata: {name: api-db}
        data:
          password: s3cr3t-pass
    Use instead:
        apiVersion: v1
        kind: Secret
        metadata: {name: api-db}
        stringData:
          password: s3cr3t-pass
    Fix safety: no automatic fix; move plain text to stringData, or encode it with `base64 -w0`.
    References: https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/
    """
    for key, value in as_map(obj.data.get("data")).items():
        if not isinstance(value, str):
            continue  # the schema rules report a value of the wrong type
        problem = base64_problem(value)
        if problem:
            yield Problem(
                ("data", key),
                f'data key "{key}" {problem}',
                Fix("Put plain text under stringData, or base64-encode the value (base64 -w0).",
                    f"stringData:\n  {key}: <plain text>"),
            )


# A key's value is checked by its name only when it is one short line; longer
# values are configuration files, checked for credential shapes only.
_SHORT = 200


@rule(code="KL603", name="secret-in-configmap", severity="warning", category="secrets", kinds=frozenset({"ConfigMap"}))
def secret_in_configmap(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A ConfigMap holds what looks like a credential.

    Why: ConfigMaps are not meant for confidential data: the `view` role
    reads them (not Secrets), encryption at rest is usually configured for
    Secrets only, and `kubectl describe` prints them
    (https://kubernetes.io/docs/concepts/configuration/configmap/; Trivy's
    configMap_with_secrets and configmap_with_sensitive checks).  Reported: a value that contains
    a private key, an AWS access key ID, a JWT, a GitHub, Slack or other
    token shape anywhere (also inside configuration files); and a short
    single-line value whose key names a secret (`password`, `api_key`,
    `client.secret`, ...) and is a literal, not a reference or placeholder.
    Example:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: api-config}
        data:
          log_level: info
          db_password: s3cr3t-Pa55
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: api-config}
        data:
          log_level: info
          db_password_file: /etc/api/secrets/db-password
    Fix safety: no automatic fix; move the value into a Secret and mount or reference it.
    References: https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    """
    for key, value in as_map(obj.data.get("data")).items():
        if not isinstance(value, str) or not isinstance(key, str):
            continue
        what = credential(value)
        if what:
            message = f'data key "{key}" holds {what}'
        elif (
            secret_name(key)
            and len(value.strip()) <= _SHORT
            and "\n" not in value.strip()
            and literal_value(value, key)
        ):
            message = f'data key "{key}" holds a literal value; its name says it is a secret'
        else:
            continue
        yield Problem(
            ("data", key),
            message,
            Fix("Move the value into a Secret and mount or reference it from the pod."),
        )


@rule(code="KL604", name="env-duplicate", severity="warning", category="secrets", kinds=POD_KINDS)
def env_duplicate(obj: K8sObject, ctx) -> Iterator[Problem]:
    """A container defines the same environment variable twice.

    Why: the kubelet applies `env` in order, so the last definition silently
    wins and the first is dead configuration; the API server only warns
    ("hides previous definition of environment variable"), and `kubectl
    apply` merges `env` by name, so removing one copy later can remove both
    (kube-linter duplicate-env-var).  Each repeat is reported at its name.
    Example:
        apiVersion: v1
        kind: Pod
        metadata: {name: api}
        spec:
          containers:
            - name: api
              image: "ghcr.io/acme/api:1.4.2"
              env:
                - {name: LOG_LEVEL, value: info}
                - {name: LOG_LEVEL, value: debug}
    Use instead:
        apiVersion: v1
        kind: Pod
        metadata: {name: api}
        spec:
          containers:
            - name: api
              image: "ghcr.io/acme/api:1.4.2"
              env:
                - {name: LOG_LEVEL, value: debug}
    Fix safety: no automatic fix; decide which value the container should get.
    References: https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
    """
    for c in containers(obj):
        first: dict[str, int] = {}
        for index, var in _env(c):
            name = as_str(var.get("name"))
            if not name:
                continue
            if name in first:
                yield Problem(
                    c.path + ("env", index, "name"),
                    f'{c.label} defines env var "{name}" again (first at env[{first[name]}]); the last one wins',
                    Fix("Remove the duplicate definition, keeping the value the container should get."),
                )
            else:
                first[name] = index


@dataclass(frozen=True, slots=True)
class KeyedObject:
    """A ConfigMap or Secret of the run, as env references see it."""

    namespace: str | None
    keys: frozenset | None  # None: unknown (a Secret made by a controller)


# Custom resources that make a Secret: (group prefix, kind) -> where its
# name is (the object's own name when the path is absent).
SECRET_MAKERS = {
    ("bitnami.com", "SealedSecret"): ("spec", "template", "metadata", "name"),
    ("external-secrets.io", "ExternalSecret"): ("spec", "target", "name"),
    ("onepassword.com", "OnePasswordItem"): None,
}


def keyed_objects(ctx) -> dict:
    """(kind, name) -> the ConfigMaps and Secrets of the run, with their
    keys.  Reads of each ConfigMap: metadata name and namespace, the keys of
    data and binaryData; of each Secret: metadata name and namespace, the
    keys of data and stringData; of SealedSecrets and ExternalSecrets: the
    name of the Secret they make (their keys count as unknown)."""
    from kubelint.k8s.workloads import get_path

    def build() -> dict:
        index: dict = {}
        for o in ctx.objects:
            if o.fragment:
                continue
            if o.kind in ("ConfigMap", "Secret") and o.group == "" and isinstance(o.ref.name, str):
                fields = ("data", "binaryData") if o.kind == "ConfigMap" else ("data", "stringData")
                # An object with no data at all is a placeholder filled elsewhere.
                keys = frozenset(k for f in fields for k in as_map(o.data.get(f))) or None
                index.setdefault((o.kind, o.ref.name), []).append(KeyedObject(o.ref.namespace, keys))
                continue
            for (group, kind), path in SECRET_MAKERS.items():
                if o.kind == kind and o.group.startswith(group):
                    name = get_path(o.data, path) if path else None
                    name = name if isinstance(name, str) else o.ref.name
                    if isinstance(name, str):
                        index.setdefault(("Secret", name), []).append(KeyedObject(o.ref.namespace, None))
        return index

    return ctx.memo(("secrets", "keyed-objects"), build)


def env_references(obj: K8sObject) -> Iterator[tuple[str, str, str | None, bool, tuple, tuple, str]]:
    """(kind, name, key or None, optional, name path, key path, container
    label) of every env and envFrom reference of the pod's containers."""
    for c in containers(obj):
        for index, env in enumerate(as_list(c.spec.get("env"))):
            value_from = as_map(as_map(env).get("valueFrom"))
            for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = value_from.get(field)
                if isinstance(ref, dict) and isinstance(ref.get("name"), str) and isinstance(ref.get("key"), str):
                    base = c.path + ("env", index, "valueFrom", field)
                    yield kind, ref["name"], ref["key"], ref.get("optional") is True, base + ("name",), base + ("key",), c.label
        for index, source in enumerate(as_list(c.spec.get("envFrom"))):
            for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = as_map(source).get(field)
                if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                    base = c.path + ("envFrom", index, field)
                    yield kind, ref["name"], None, ref.get("optional") is True, base + ("name",), base, c.label


@rule(
    code="KL605", name="env-reference-unknown", severity="warning", category="secrets",
    kinds=POD_KINDS, options=STRICT_OPTION,
)
def env_reference_unknown(obj: K8sObject, ctx) -> Iterator[Problem]:
    """An env or envFrom reference names a ConfigMap, Secret or key the run does not define.

    Why: the kubelet does not start a container whose `configMapKeyRef`,
    `secretKeyRef`, `configMapRef` or `secretRef` names a missing object or
    key (`CreateContainerConfigError`), so the pod hangs in its first
    rollout.  Reported when the ConfigMap or Secret is in the run and lacks
    the key (with the nearest key), or when the run defines objects of that
    kind surely in the pod's namespace (see kubelint.references) and none
    has the name, unless `strict` is set.  `optional: true` references are
    fine.  Secrets made by SealedSecrets or ExternalSecrets of the run
    count as present, with keys unknown, and a ConfigMap or Secret with no
    data is a placeholder whose keys are unknown.  Secret names are not
    reported when a Role or ClusterRole in the pod's directory tree may
    create Secrets (a Job or controller of the application makes them at
    run time).
    Example:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config}
        data: {LOG_LEVEL: info}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              env:
                - name: LOG_LEVEL
                  valueFrom:
                    configMapKeyRef: {name: web-config, key: log-level}
    Use instead:
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config}
        data: {LOG_LEVEL: info}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: "nginx:1.27"
              env:
                - name: LOG_LEVEL
                  valueFrom:
                    configMapKeyRef: {name: web-config, key: LOG_LEVEL}
    Fix safety: no automatic fix; the "did you mean" name is a guess.
    References: https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#define-container-environment-variables-using-configmap-data
    """
    index = keyed_objects(ctx)
    for kind, name, key, optional, name_path, key_path, label in env_references(obj):
        if optional:
            continue
        if kind == "Secret" and not strict(ctx) and secrets_made_nearby(ctx, obj):
            continue
        present = [k for k in index.get((kind, name), ()) if k.namespace is None or obj.ref.namespace is None or k.namespace == obj.ref.namespace]
        if not present:
            found = lookup(ctx, obj, (kind,), name)
            if found.missing(strict(ctx)):
                yield Problem(
                    name_path,
                    f'{label} reads {kind} "{name}", which the run does not define{found.hint(name)}',
                    Fix(f"Name an existing {kind}, or mark the reference optional: true."),
                )
            continue
        if key is None or any(k.keys is None or key in k.keys for k in present):
            continue
        keys = sorted(set().union(*(k.keys for k in present)))
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else f" (keys: {', '.join(keys[:5]) or 'none'}{', ...' if len(keys) > 5 else ''})"
        yield Problem(
            key_path,
            f'{label} reads key "{key}" of {kind} "{name}", which has no such key{hint}',
            Fix(f"Use a key the {kind} defines, or add it."),
        )


def secret_creator_directories(ctx) -> set[str]:
    """Directories of the Roles and ClusterRoles of the run that may create
    Secrets.  Reads of each role: kind, rules (apiGroups, resources,
    verbs), its file's directory."""
    from kubelint.rules.rbac import grant, policy_rules

    def build() -> set[str]:
        out = set()
        for o in ctx.objects:
            if o.kind in ("Role", "ClusterRole") and any(grant(r, {""}, {"secrets"}, {"create"}) for r in policy_rules(o)):
                out.add(os.path.dirname(o.file))
        return out

    return ctx.memo(("secrets", "secret-creators"), build)


def secrets_made_nearby(ctx, obj: K8sObject) -> bool:
    directory = os.path.dirname(obj.file)
    return any(related_directories(directory, d) for d in secret_creator_directories(ctx))
