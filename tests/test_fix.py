"""`kubelint check --fix`, `--unsafe-fixes` and `--diff`.

tests/fix_corpus/<case>/ holds input.yaml (or .json), expected.yaml and an
optional `args` file (extra `kubelint check` arguments, one per line).  The
fixed file must equal expected exactly, comments and layout included, and a
second run must change nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import ROOT

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.fix.apply import apply_to_text, detect_indent
from kubelint.fix.merge import merge_lines
from kubelint.fix.driver import fix_files
from kubelint.model import Edit
from kubelint.sources import Source

CORPUS = ROOT / "tests" / "fix_corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


@pytest.fixture
def config(tmp_path) -> Path:
    """An empty configuration, so a .kubelint.yaml nearby cannot interfere."""
    path = tmp_path / "empty.kubelint.yaml"
    path.write_text("")
    return path


def _case(name: str) -> tuple[Path, Path, list[str]]:
    d = CORPUS / name
    given = next(d.glob("input.*"))
    expected = d / f"expected{given.suffix}"
    args = (d / "args").read_text().split() if (d / "args").exists() else []
    return given, expected, args


@pytest.mark.parametrize("case", CASES)
def test_fix_gives_the_expected_file_and_is_idempotent(case, run_cli, tmp_path, config):
    given, expected, args = _case(case)
    target = tmp_path / f"manifest{given.suffix}"
    shutil.copy(given, target)
    code, out, err = run_cli("check", "--fix", "--config", config, "--fail-on", "none", *args, target)
    assert code == 0, err
    assert target.read_bytes() == expected.read_bytes()
    assert "Not applied" not in out
    # A second run finds nothing more to fix.
    code, out, err = run_cli("check", "--diff", "--config", config, *args, target)
    assert (code, out) == (0, ""), out
    assert target.read_bytes() == expected.read_bytes()


def test_fixed_findings_are_gone_and_no_new_ones_appear(config):
    for case in CASES:
        given, expected, args = _case(case)
        before = {(f.name, f.message) for f in check([Source(given.name, given.read_bytes())], Settings()).findings}
        after = {(f.name, f.message) for f in check([Source(given.name, expected.read_bytes())], Settings()).findings}
        assert after <= before, (case, after - before)
        assert after != before, case


def test_diff_prints_a_unified_diff_writes_nothing_and_exits_1(run_cli, tmp_path, config):
    given, expected, args = _case("safe-only")
    target = tmp_path / "web.yaml"
    shutil.copy(given, target)
    code, out, err = run_cli("check", "--diff", "--config", config, *args, target)
    assert code == 1
    assert out.startswith(f"--- a{target}\n+++ b{target}\n@@ ")
    assert "+        seccompProfile:\n" in out
    assert "would fix 3 findings in 1 file" in err
    assert target.read_bytes() == given.read_bytes()
    # Nothing to fix: exit 0, no output.
    clean = tmp_path / "clean.yaml"
    clean.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    assert run_cli("check", "--diff", "--config", config, clean)[:2] == (0, "")


def test_safe_fixes_only_without_unsafe_fixes(run_cli, tmp_path, config):
    given, _, _ = _case("pss-comments")
    target = tmp_path / "web.yaml"
    shutil.copy(given, target)
    code, out, err = run_cli("check", "--fix", "--show-fixes", "--config", config, "--fail-on", "none", target)
    text = target.read_text()
    assert "seccompProfile:" in text and "allowPrivilegeEscalation: false" in text
    assert "runAsNonRoot" not in text and "readOnlyRootFilesystem" not in text and "hostNetwork: true" in text
    # What is left says so, and the summary counts the unsafe ones.
    assert "fix (unsafe): Set securityContext.runAsNonRoot: true" in out
    assert out.rstrip().endswith("fixable with --fix (5 more with --unsafe-fixes)") or "more with --unsafe-fixes" in out


def test_text_report_marks_fixable_findings_and_counts_them(run_cli, tmp_path, config):
    target = tmp_path / "pod.yaml"
    target.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
        "  containers:\n  - {name: web, image: \"nginx:1.27\", resources: {limits: {memory: 1Gi}, requests: {cpu: 1, memory: 1Gi}}}\n"
    )
    code, out, _ = run_cli("check", "--show-fixes", "--config", config, "--select", "pss-privilege-escalation,pss-run-as-non-root", target)
    lines = out.splitlines()
    assert lines[0] == (f"{target}:6:5: warning [pss-privilege-escalation] [*] Pod web: container \"web\" allows "
                        "privilege escalation (allowPrivilegeEscalation is not set to false)")
    assert lines[1] == "    fix: Set securityContext.allowPrivilegeEscalation: false on the container."
    assert "warning [pss-run-as-non-root] Pod web" in out  # unsafe: no [*]
    assert "    fix (unsafe): Set securityContext.runAsNonRoot: true" in out
    assert lines[-1] == "1 fixable with --fix (1 more with --unsafe-fixes)"


def test_stdin_fix_writes_the_fixed_text_to_stdout(run_cli, config):
    given, expected, args = _case("safe-only")
    code, out, err = run_cli("check", "--fix", "--config", config, "--fail-on", "none", *args, "-", input=given.read_text())
    assert code == 0
    assert out == expected.read_text()
    assert "fixed 3 findings in 1 file" in err
    assert "checked (Kubernetes" in err  # the report goes to stderr


def test_crlf_and_byte_order_mark_are_kept(run_cli, tmp_path, config):
    given, expected, args = _case("safe-only")
    target = tmp_path / "web.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + given.read_bytes().replace(b"\n", b"\r\n"))
    run_cli("check", "--fix", "--config", config, "--fail-on", "none", *args, target)
    assert target.read_bytes() == b"\xef\xbb\xbf" + expected.read_bytes().replace(b"\n", b"\r\n")


def test_permissions_kept_no_temporary_file_left_and_links_stay_links(run_cli, tmp_path, config):
    given, expected, args = _case("safe-only")
    real = tmp_path / "real.yaml"
    shutil.copy(given, real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    run_cli("check", "--fix", "--config", config, "--fail-on", "none", *args, link)
    assert link.is_symlink()
    assert real.read_bytes() == expected.read_bytes()
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.kubelint.yaml", "link.yaml", "real.yaml"]


def test_a_file_that_does_not_parse_is_never_written(run_cli, tmp_path, config):
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, image: \"nginx:1.27\"}\n"
        "---\nkey: [unclosed\n"
    )
    target = tmp_path / "broken.yaml"
    target.write_text(text)
    code, out, _ = run_cli("check", "--fix", "--unsafe-fixes", "--show-fixes", "--config", config, "--fail-on", "none", target)
    assert target.read_text() == text
    assert "Not applied: the file cannot be parsed." in out


def test_a_url_is_never_written():
    given, _, _ = _case("safe-only")
    name = "https://example.com/web.yaml"
    result = check([Source(name, given.read_bytes())], Settings())
    [outcome] = fix_files([Source(name, given.read_bytes())], Settings(), result)
    assert not outcome.changed
    assert set(outcome.refused.values()) == {"a URL is never rewritten"}


def test_a_fix_that_cannot_apply_says_why(run_cli, tmp_path, config):
    target = tmp_path / "pod.yaml"
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext: off\n"
    target.write_text(text)
    code, out, _ = run_cli("check", "--fix", "--show-fixes", "--config", config, "--select", "pss-privilege-escalation", target)
    assert target.read_text() == text
    assert ("Not applied: spec.containers.0.securityContext is not a mapping or list." in out), out


def test_two_rules_adding_to_one_security_context_give_one_mapping(tmp_path):
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web  # the app\n    image: nginx:1.27\n"
    result = check([Source("pod.yaml", text.encode())], Settings())
    [outcome] = fix_files([Source("pod.yaml", text.encode())], Settings(), result, unsafe=True)
    assert outcome.after.decode() == text + (
        "    securityContext:\n"
        "      allowPrivilegeEscalation: false\n"
        "      capabilities:\n"
        "        drop:\n"
        "        - ALL\n"
        "      readOnlyRootFilesystem: true\n"
        "  securityContext:\n"
        "    runAsNonRoot: true\n"
        "    seccompProfile:\n"
        "      type: RuntimeDefault\n"
    )
    assert sorted({f.name for f in outcome.fixed}) == [
        "pss-capabilities-drop-all", "pss-privilege-escalation", "pss-run-as-non-root", "pss-seccomp-required",
        "read-only-root-filesystem",
    ]


def test_privileged_then_privilege_escalation_in_one_run(run_cli, tmp_path, config):
    """privileged: true blocks allowPrivilegeEscalation: false; once the
    unsafe fix clears it, the next pass sets it, so a second run is idle."""
    target = tmp_path / "pod.yaml"
    target.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n"
                      "    image: nginx:1.27\n    securityContext: {privileged: true}\n")
    run_cli("check", "--fix", "--unsafe-fixes", "--config", config, "--select", "pss", target)
    assert "securityContext: {privileged: false, capabilities: {drop: [ALL]}, allowPrivilegeEscalation: false}\n" in target.read_text()
    assert run_cli("check", "--diff", "--unsafe-fixes", "--config", config, "--select", "pss", target)[0] == 0


# ------------------------------------------------------------- the pieces


def test_untouched_documents_keep_their_bytes():
    text = "a:   1   # odd\n---\nb: 2\n...\n---\n# c\nc:    [1,2]\n"
    new, reasons = apply_to_text("x.yaml", text, {1: [((), [Edit("set", ("b",), 3)])]})
    assert new == "a:   1   # odd\n---\nb: 3\n...\n---\n# c\nc:    [1,2]\n"
    assert reasons == {1: [""]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b:\n  - x\n", (2, 2, 0)),
        ("a:\n    b:\n      - x\n", (4, 4, 2)),
        ("a:\n  b:\n    -   x\n", (2, 6, 2)),
        ("a: 1\n", (2, 2, 0)),
    ],
)
def test_detect_indent(text, expected):
    from ruamel.yaml import YAML

    assert detect_indent(YAML().load(text)) == expected


def test_merge_keeps_lines_the_emitter_would_respace():
    original = "a:    1\nb:\n    - x\n"
    baseline = "a: 1\nb:\n- x\n"
    modified = "a: 1\nb:\n- x\n- y\n"
    assert merge_lines(original, baseline, modified) == "a:    1\nb:\n    - x\n    - y\n"


def test_rename_keeps_position_and_comment():
    text = "spec:\n  ports:\n  - protocl: TCP  # typo\n    port: 80\n"
    new, _ = apply_to_text("s.yaml", text, {0: [((), [Edit("rename", ("spec", "ports", 0, "protocl"), "protocol")])]})
    assert new == "spec:\n  ports:\n  - protocol: TCP  # typo\n    port: 80\n"


def test_json_keeps_inline_objects_and_indentation():
    text = '{\n    "kind": "Pod",\n    "metadata": {"name": "web"},\n    "spec": {\n        "x": 1\n    }\n}\n'
    new, _ = apply_to_text("p.json", text, {0: [((), [Edit("set", ("spec", "y"), {"z": True})])]})
    assert new == ('{\n    "kind": "Pod",\n    "metadata": {"name": "web"},\n    "spec": {\n        "x": 1,\n'
                   '        "y": {\n            "z": true\n        }\n    }\n}\n')
    assert json.loads(new)["spec"]["y"] == {"z": True}


def test_check_without_fix_never_loads_the_fix_stage(tmp_path):
    import subprocess
    import sys

    manifest = tmp_path / "pod.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx}]\n")
    script = (
        "import sys\nfrom kubelint.cli import main\ntry:\n"
        f"    main(['check', '--fail-on', 'none', {str(manifest)!r}])\nexcept SystemExit:\n    pass\n"
        "print([m for m in sys.modules if m.startswith(('ruamel', 'kubelint.fix'))], file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert run.stderr.strip().splitlines()[-1] == "[]"


def test_duplicate_key_hazard_carries_a_keep_last_edit_at_its_path():
    text = "a: 1\n---\nspec:\n  containers:\n  - resources:\n      requests: {cpu: 1}\n      requests: {cpu: 2}\n"
    [finding] = check([Source("d.yaml", text.encode())], Settings()).findings
    assert (finding.name, finding.line, finding.document) == ("duplicate-key", 7, 1)
    assert finding.fix.edits == (Edit("keep-last", ("spec", "containers", 0, "resources", "requests")),)
    assert finding.fix.safety == "unsafe"


def test_keep_last_removes_earlier_entries_and_keeps_comment_lines():
    from kubelint.fix.apply import keep_last

    body = "m:\n  k: 1  # first\n  # about the second\n  j: 0\n  k:\n    - 2\nn: 3\n"
    assert keep_last(body, ("m", "k")) == "m:\n  # about the second\n  j: 0\n  k:\n    - 2\nn: 3\n"
    with pytest.raises(Exception, match="flow mapping"):
        keep_last("m: {k: 1, k: 2}\n", ("m", "k"))


@pytest.mark.skipif(not (ROOT.parent / "shared" / "corpus").is_dir(), reason="../shared/corpus is not here")
def test_fix_on_a_sample_of_the_corpus_fixes_and_adds_nothing():
    """A sample of real manifests (every 25th file); scripts/fix_corpus.py
    runs the whole corpus."""
    from collections import Counter

    from kubelint.fix.driver import fix_until_stable, key
    from kubelint.sources import expand, read

    paths = expand([str(ROOT.parent / "shared" / "corpus")])[::25]
    sources = list(read(paths))
    before = check(sources, Settings())
    fixes, after = fix_until_stable(sources, Settings(), before, unsafe=True)
    changed = {ff.name: ff.after for ff in fixes if ff.changed}
    assert changed
    fixed_sources = [Source(s.name, changed.get(s.name, s.data)) for s in sources]
    recheck = check(fixed_sources, Settings())
    old = Counter((f.file,) + key(f) for f in before.findings)
    new = Counter((f.file,) + key(f) for f in recheck.findings)
    assert not (new - old)
    assert len(recheck.findings) < len(before.findings)
    again, _ = fix_until_stable(fixed_sources, Settings(), recheck, unsafe=True)
    assert not [ff.name for ff in again if ff.changed]


def test_items_of_a_list_are_fixed_at_their_own_path():
    text = (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n"
        "    containers:\n    - {name: a, image: \"nginx:1.27\"}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n"
        "  spec:\n    containers:\n    - name: b\n      image: nginx:1.27\n"
    )
    settings = Settings(select=["pss-privilege-escalation"])
    result = check([Source("list.yaml", text.encode())], settings)
    [outcome] = fix_files([Source("list.yaml", text.encode())], settings, result)
    assert outcome.after.decode() == text.replace(
        '{name: a, image: "nginx:1.27"}', '{name: a, image: "nginx:1.27", securityContext: {allowPrivilegeEscalation: false}}'
    ) + "      securityContext:\n        allowPrivilegeEscalation: false\n"


def test_a_comment_between_flow_items_is_kept():
    """ruamel.yaml drops a comment between two flow mappings of a block
    list; the line merge keeps it where it was."""
    text = ('containers:\n  - {name: a, image: "nginx:1.27"}\n  # about b\n  - {name: b, image: "nginx:1.27"}  # b\n'
            "other: 1\n")
    fixes = [((), [Edit("set", ("containers", i, "securityContext", "allowPrivilegeEscalation"), False)]) for i in (0, 1)]
    new, reasons = apply_to_text("c.yaml", text, {0: fixes + [((), [Edit("set", ("added",), True)])]})
    assert reasons == {0: ["", "", ""]}
    assert new == (
        'containers:\n  - {name: a, image: "nginx:1.27", securityContext: {allowPrivilegeEscalation: false}}\n'
        '  # about b\n  - {name: b, image: "nginx:1.27", securityContext: {allowPrivilegeEscalation: false}}  # b\n'
        "other: 1\nadded: true\n"
    )


def test_explain_and_docs_say_how_safe_the_fix_is(run_cli):
    assert "Fix: safe (--fix applies it)" in run_cli("explain", "pss-privilege-escalation")[1]
    assert "Fix: unsafe (--fix --unsafe-fixes applies it)" in run_cli("explain", "KL422")[1]
    assert "Fix: none (advice only)" in run_cli("explain", "image-tag-latest")[1]
    docs = (ROOT / "docs" / "rules.md").read_text()
    assert "| KL421 | [pss-privilege-escalation](#pss-privilege-escalation) | warning | on | safe |" in docs


def test_stdin_with_nothing_to_fix_echoes_the_text(run_cli, config):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}   # as it was\n"
    code, out, err = run_cli("check", "--fix", "--config", config, "-", input=text)
    assert (code, out) == (0, text)
    assert "fixed" not in err


def test_mixed_line_endings_are_not_rewritten():
    from kubelint.fix.write import NotFixable, decode

    with pytest.raises(NotFixable, match="mixes CRLF and LF"):
        decode(b"a: 1\r\nb: 2\n")
    assert decode(b"a: 1\r\nb: 2\r\n")[0] == "a: 1\nb: 2\n"


def test_new_strings_are_quoted_where_yaml_1_1_would_misread_them():
    text = "a: 1\n"
    new, _ = apply_to_text("x.yaml", text, {0: [((), [Edit("set", ("labels",), {"on": "yes", "mode": "0755", "app": "web"})])]})
    assert new == 'a: 1\nlabels:\n  "on": "yes"\n  mode: "0755"\n  app: web\n'
