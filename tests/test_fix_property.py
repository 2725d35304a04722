"""Property test of `--fix --unsafe-fixes` over generated manifests: the
output still parses, keeps every comment and the bytes of an untouched
document, and a re-check shows none of the findings it fixed (nor any new
one)."""

from __future__ import annotations

import re
from collections import Counter

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.fix.driver import fix_files, fix_until_stable, key
from kubelint.sources import Source

NAMES = st.sampled_from(["web", "api", "db", "proxy", "job"])
WORDS = st.text(alphabet="abcdefghij klm", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def manifests(draw) -> str:
    """A Deployment or Pod in one of several layouts, with comments."""
    indent = draw(st.sampled_from([2, 4]))
    indentless = draw(st.booleans())
    counter = iter(range(1000))

    def comment() -> str:
        # Numbered, so each generated comment can be found in the output.
        return f"c{next(counter)} " + draw(WORDS)

    def eol() -> str:
        return f"  # {comment()}" if draw(st.booleans()) else ""

    lines: list[str] = []

    def emit(level: int, text: str) -> None:
        if draw(st.integers(0, 5)) == 0:
            lines.append(" " * (level * indent) + "# " + comment())
        lines.append(" " * (level * indent) + text)

    pod_level = 0
    kind = draw(st.sampled_from(["Pod", "Deployment"]))
    emit(0, f"apiVersion: {'v1' if kind == 'Pod' else 'apps/v1'}{eol()}")
    emit(0, f"kind: {kind}")
    emit(0, "metadata:")
    emit(1, f"name: {draw(NAMES)}{eol()}")
    emit(0, "spec:")
    if kind == "Deployment":
        emit(1, "selector:")
        emit(2, "matchLabels: {app: web}")
        emit(1, "template:")
        emit(2, "metadata:")
        emit(3, "labels: {app: web}")
        emit(2, "spec:")
        pod_level = 3
    else:
        pod_level = 1
    if draw(st.booleans()):
        emit(pod_level, f"hostNetwork: true{eol()}")
    emit(pod_level, "containers:")
    item_level = pod_level if indentless else pod_level + 1
    for i in range(draw(st.integers(1, 3))):
        name = f"c{i}"
        if draw(st.booleans()):
            extra = draw(st.sampled_from(["", ", securityContext: {privileged: true}", ", imagePullPolicy: Always"]))
            emit(item_level, f'- {{name: {name}, image: "nginx:1.27"{extra}}}{eol()}')
            continue
        pad = " " * (item_level * indent)
        if draw(st.integers(0, 4)) == 0:
            lines.append(pad + "# " + comment())
        lines.append(pad + f"- name: {name}{eol()}")
        inner = " " * (item_level * indent + 2)
        lines.append(inner + f'image: "nginx:1.27"{eol()}')
        if draw(st.booleans()):
            lines.append(inner + f"securityContext:{eol()}")
            sc = inner + " " * indent
            for field in draw(st.lists(st.sampled_from(["privileged: true", "runAsNonRoot: false",
                                                        "allowPrivilegeEscalation: true",
                                                        "readOnlyRootFilesystem: false"]), unique=True, min_size=1)):
                lines.append(sc + field + eol())
        if draw(st.booleans()):
            lines.append(inner + "args:")
            dash = inner if indentless else inner + " " * indent
            for word in ("--a", "--b"):
                lines.append(dash + f"- {word}{eol()}")
        if draw(st.integers(0, 3)) == 0:
            lines.append(" " * (item_level * indent) + "# " + comment())
    if draw(st.booleans()):
        lines.append("# " + comment())
    manifest = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        # A document with nothing to fix, written oddly, before it.
        spaces = " " * draw(st.integers(1, 4))
        untouched = f"apiVersion: v1\nkind:{spaces}ConfigMap  # {comment()}\ndata: {{a:{spaces}'1'}}\n---\n"
        manifest = untouched + manifest
    return manifest


def _comments(text: str) -> Counter:
    return Counter(m.group(1).strip() for m in re.finditer(r"#\s*(c\d+ [^\n]*)", text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_fix_output_parses_keeps_comments_and_fixes_what_it_claims(text):
    source = Source("m.yaml", text.encode())
    result = check([source], Settings())
    outcomes = fix_files([source], Settings(), result, unsafe=True)
    if not outcomes:
        return
    [outcome] = outcomes
    fixed = outcome.after.decode()
    assert list(yaml.safe_load_all(fixed))  # still parses
    if "---\n" in text:
        head = text[: text.index("---\n") + 4]
        assert fixed.startswith(head)  # an untouched document keeps its bytes
    assert _comments(fixed) == _comments(text)  # every comment kept, none invented
    after = Counter(key(f) for f in check([Source("m.yaml", outcome.after)], Settings()).findings)
    before = Counter(key(f) for f in result.findings)
    for f in outcome.fixed:
        assert not after[key(f)], f
    assert not (after - before), after - before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests())
def test_fixing_until_stable_is_idempotent(text):
    source = Source("m.yaml", text.encode())
    fixes, result = fix_until_stable([source], Settings(), check([source], Settings()), unsafe=True)
    fixed = fixes[0].after if fixes else source.data
    again, _ = fix_until_stable([Source("m.yaml", fixed)], Settings(), result, unsafe=True)
    assert not [ff for ff in again if ff.changed]
