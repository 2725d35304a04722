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
import re
from dataclasses import dataclass
from typing import Iterator

from kubelint.model import Fix, K8sObject, Problem
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
