"""Remote applies hidden in scripts, Makefiles, Dockerfiles, Markdown and CI
workflows: `kubectl apply -f URL` and its relatives, found in the text with
the exact line and column of the URL.

What is recognised (across `\\` line continuations, with the URL quoted or
carrying `$(...)`):
- `kubectl apply|create|replace -f URL` (also `--filename URL`, `-f=URL`,
  `-k URL` for a remote kustomization);
- `curl|wget ... URL | kubectl apply|create|replace -f -`;
- `kubectl kustomize URL`;
- `helm install|upgrade ... --repo URL` and `helm repo add NAME URL`.
A URL whose host is trusted, and any local path, is never reported; a URL
whose host is a shell variable (`https://$HOST/...`) cannot be judged and is
left alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from kubelint.model import Finding, Fix
from kubelint.sources.trust import RemoteRef, is_ip, normalise_host, parse_remote

SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh", ".mk")
SHELL_NAMES = ("makefile", "gnumakefile", "dockerfile", "containerfile", "jenkinsfile")
MARKDOWN_SUFFIXES = (".md", ".markdown")
# CI definitions that are YAML but not Kubernetes objects; their steps are shell.
WORKFLOW_NAMES = (".gitlab-ci.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", ".travis.yml",
                  "cloudbuild.yaml", "cloudbuild.yml")
WORKFLOW_DIRS = (".github/workflows/", ".circleci/", ".gitea/workflows/", ".forgejo/workflows/")
APPLY_VERBS = ("apply", "create", "replace")
# kubectl subcommands, to find the verb past global flags (`kubectl -n ns apply`).
KUBECTL_VERBS = frozenset(APPLY_VERBS + (
    "kustomize", "get", "delete", "describe", "diff", "edit", "patch", "label", "annotate", "logs", "exec",
    "run", "expose", "scale", "rollout", "set", "wait", "version", "config", "cp", "port-forward", "debug",
))
# kubectl global flags that take a value (`kubectl -n web apply`), so the verb is found past them.
KUBECTL_VALUE_FLAGS = frozenset({
    "-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server", "--token",
    "--as", "--as-group", "--request-timeout", "-v", "--v",
})
_OPERATORS = ("|", ";", "&", "`", "(", ")")


def text_kind(path: str) -> str | None:
    """"script", "markdown" or "workflow" for a file scanned as text, else None."""
    norm = path.replace(os.sep, "/")
    base = norm.rsplit("/", 1)[-1].lower()
    if base.endswith(SHELL_SUFFIXES) or base in SHELL_NAMES or base.endswith((".dockerfile", ".containerfile")):
        return "script"
    if base.startswith(("dockerfile.", "containerfile.")):
        return "script"
    if base.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    if base.endswith((".yml", ".yaml")) and (base in WORKFLOW_NAMES or any(d in "/" + norm for d in WORKFLOW_DIRS)):
        return "workflow"
    return None


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # the word with its quotes removed
    offset: int  # offset of the word's first character in the logical line
    op: bool = False  # |, ;, &, `, ( or )


def _logical_lines(text: str) -> Iterator[tuple[str, list[tuple[int, int, int]]]]:
    """Lines with `\\` continuations joined, each with its pieces: (offset in
    the logical line, 1-based line number, 0-based column of that offset)."""
    pieces: list[tuple[int, int, int]] = []
    buf = ""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        pieces.append((len(buf), number, 0))
        if line.endswith("\\") and not line.endswith("\\\\"):
            buf += line[:-1]
            continue
        buf += line
        yield buf, pieces
        buf, pieces = "", []
    if buf:
        yield buf, pieces


def _position(pieces: list[tuple[int, int, int]], offset: int) -> tuple[int, int]:
    for start, number, col in reversed(pieces):
        if offset >= start:
            return number, offset - start + col + 1
    return pieces[0][1], offset + 1


def tokenize(line: str, comments: bool = True) -> list[Token]:
    """Shell words and operators, roughly: quotes and `$(...)` keep a word
    together; a `#` at the start of a word starts a comment."""
    tokens: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
            continue
        if c in _OPERATORS:
            tokens.append(Token(c, i, op=True))
            i += 1
            continue
        if c == "#" and comments:
            break
        start, word, first = i, [], None
        quote, depth = "", 0
        while i < n:
            c = line[i]
            if quote:
                if c == quote and depth == 0:
                    quote = ""
                    i += 1
                    continue
                if c == "\\" and quote == '"' and line[i + 1:i + 2] in ('"', "\\", "$", "`"):
                    word.append(line[i + 1])
                    i += 2
                    continue
            elif c in "'\"":
                quote = c
                if first is None:
                    first = i + 1
                i += 1
                continue
            if c == "$" and line[i + 1:i + 2] == "(":
                depth += 1
            elif c == ")" and depth:
                depth -= 1
            elif not quote and depth == 0 and (c.isspace() or c in _OPERATORS):
                break
            if first is None:
                first = i
            word.append(c)
            i += 1
        tokens.append(Token("".join(word), first if first is not None else start))
    return tokens


def _commands(tokens: list[Token]) -> list[tuple[list[Token], str]]:
    """Simple commands, each with the operator that ends it."""
    out, current = [], []
    for t in tokens:
        if t.op:
            out.append((current, t.text))
            current = []
        else:
            current.append(t)
    out.append((current, ""))
    return [(c, op) for c, op in out if c]


def _program(word: str) -> str:
    """`kubectl` for kubectl, /usr/local/bin/kubectl, and Make's $(KUBECTL) or ${KUBECTL}."""
    if word[:2] in ("$(", "${") and word[-1:] in (")", "}"):
        return word[2:-1].lower()
    return word.rsplit("/", 1)[-1]


def _start(command: list[Token]) -> int:
    """Index of the program word, past `sudo`, `$`, `RUN`, `run:`, `-` and env assignments."""
    for i, t in enumerate(command):
        w = t.text
        if w in ("$", ">", "RUN", "run:", "-", "sudo", "exec", "time", "command") or ("=" in w and not w.startswith("-")):
            continue
        return i
    return len(command)


def _kubectl_verb(words: list[str]) -> str:
    """The subcommand: the first word that is not a global flag or its value
    ("" for a plugin such as `kubectl kubelint apply`)."""
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w.startswith("-"):
            skip = w in KUBECTL_VALUE_FLAGS
        else:
            return w if w in KUBECTL_VERBS else ""
    return ""


def _flag_values(args: list[Token], names: tuple[str, ...]) -> Iterator[Token]:
    """Values of -f/--filename style flags: `-f X`, `-f=X`, `--filename=X`, `-fX`."""
    for i, t in enumerate(args):
        for name in names:
            if t.text == name and i + 1 < len(args):
                yield args[i + 1]
            elif t.text.startswith(name + "="):
                yield Token(t.text[len(name) + 1:], t.offset + len(name) + 1)
            elif len(name) == 2 and t.text.startswith(name) and len(t.text) > 2 and not t.text.startswith("--"):
                yield Token(t.text[2:], t.offset + 2)


def remote_applies(line: str, comments: bool = True) -> Iterator[tuple[Token, RemoteRef, str]]:
    """(URL token, reference, what command uses it) in one logical line."""
    commands = _commands(tokenize(line, comments))
    for index, (command, op) in enumerate(commands):
        start = _start(command)
        if start >= len(command):
            continue
        program, args = _program(command[start].text), command[start + 1:]
        words = [a.text for a in args]
        if program == "kubectl":
            verb = _kubectl_verb(words)
            if verb in APPLY_VERBS:
                for value in _flag_values(args, ("-f", "--filename")):
                    ref = parse_remote(value.text)
                    if ref is not None:
                        yield value, ref, f"kubectl {verb} -f"
                for value in _flag_values(args, ("-k", "--kustomize")):
                    ref = parse_remote(value.text, scheme_less=True)
                    if ref is not None:
                        yield value, ref, f"kubectl {verb} -k"
            elif verb == "kustomize":
                rest = args[words.index("kustomize") + 1:]
                for value in rest:
                    if not value.text.startswith("-"):
                        ref = parse_remote(value.text, scheme_less=True)
                        if ref is not None:
                            yield value, ref, "kubectl kustomize"
                        break
        elif program in ("curl", "wget") and op == "|":
            # Piped into `kubectl apply -f -` (possibly through other filters).
            for later, later_op in commands[index + 1:]:
                s = _start(later)
                if s < len(later) and _program(later[s].text) == "kubectl":
                    verb = _kubectl_verb([t.text for t in later[s + 1:]])
                    if verb in APPLY_VERBS and "-" in [v.text for v in _flag_values(later[s + 1:], ("-f", "--filename"))]:
                        for value in args:
                            ref = parse_remote(value.text) if "://" in value.text else None
                            if ref is not None and ref.scheme in ("http", "https"):
                                yield value, ref, f"{program} | kubectl {verb} -f -"
                    break
                if later_op != "|":
                    break
        elif program == "helm":
            verb = next((w for w in words if not w.startswith("-")), "")
            if verb in ("install", "upgrade", "template"):
                for value in _flag_values(args, ("--repo",)):
                    ref = parse_remote(value.text)
                    if ref is not None:
                        yield value, ref, f"helm {verb} --repo"
            elif verb == "repo" and len(words) >= 4 and words[words.index("repo") + 1] == "add":
                positional = [a for a in args[words.index("repo") + 2:] if not a.text.startswith("-")]
                if len(positional) >= 2:
                    ref = parse_remote(positional[1].text)
                    if ref is not None:
                        yield positional[1], ref, "helm repo add"


def scan(name: str, text: str, trusted: Iterable[str]) -> Iterator[Finding]:
    """Findings for the remote applies of a script, Markdown or CI file."""
    from kubelint.rules import remote

    lowered = text.lower()
    if "kubectl" not in lowered and "helm" not in lowered:
        return
    trusted = tuple(trusted)
    comments = text_kind(name) != "markdown"  # `#` starts a heading in Markdown, not a comment
    for line, pieces in _logical_lines(text):
        lowered = line.lower()
        if "kubectl" not in lowered and "helm" not in lowered:
            continue
        for token, ref, how in remote_applies(line, comments):
            if not ref.host or not (normalise_host(ref.host) or is_ip(ref.host)):
                continue  # a host in a variable or a placeholder (`https://...`): nothing to judge
            at = _position(pieces, token.offset)
            if not ref.trusted(trusted):
                why = "carries a user name" if ref.userinfo else "is not a trusted host"
                yield Finding(
                    remote.remote_untrusted_host.code, remote.remote_untrusted_host.name, "error",
                    f'`{how}` installs from "{ref.host}", which {why}: {ref.text}', name, *at,
                    Fix(f"Review {ref.host}, then trust it with trusted-hosts, or vendor and pin the manifest (kubelint lock, kubelint apply)."),
                )
            if ref.insecure:
                yield Finding(
                    remote.remote_insecure_transport.code, remote.remote_insecure_transport.name, "error",
                    f"`{how}` fetches over {ref.scheme}, without TLS: {ref.text}", name, *at, Fix("Use an https:// URL."),
                )
            why = ref.unpinned()
            if why:
                yield Finding(
                    remote.remote_unpinned_ref.code, remote.remote_unpinned_ref.name, "warning",
                    f"`{how}` {ref.text}: {why}", name, *at, Fix("Pin a tag or a commit in the URL."),
                )
