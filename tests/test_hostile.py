"""Hostile input (issue 8): no internal error, no hang, bounded memory, no
injection.  Each test is a defect found by trying kubelint as an attacker."""

from __future__ import annotations

import time

import pytest
from helpers import run

from kubelint.config import Settings
from kubelint.engine import check
from kubelint.registry import Registry, rule
from kubelint.rules import registry
from kubelint.sources import Source

# An integer Python cannot turn into decimal text (more than 4,300 digits).
HUGE = "0x" + "f" * 4000


# ---------------------------------------------------------------------------
# 1. One bad value costs a finding on its document, never the whole run.

HUGE_INT_CASES = {
    "apiVersion": f"apiVersion: {HUGE}\nkind: Pod\nmetadata: {{name: a}}\n",
    "cpu-limit": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
        f"spec: {{containers: [{{name: c, image: 'x:1', resources: {{limits: {{cpu: {HUGE}}}}}}}]}}\n"
    ),
    "allowPrivilegeEscalation": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
        f"spec: {{containers: [{{name: c, image: 'x:1', securityContext: {{allowPrivilegeEscalation: {HUGE}}}}}]}}\n"
    ),
    "targetPort": (
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        f"spec: {{ports: [{{port: 80, targetPort: {HUGE}}}]}}\n"
    ),
    "selector": (
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        f"spec: {{selector: {{app: {HUGE}}}, ports: [{{port: 80}}]}}\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: a}}\n"
    ),
    "octal": f"apiVersion: v1\nkind: Pod\nmetadata: {{name: a, labels: {{a: 0{'7' * 6000}}}}}\n",
    "binary": f"apiVersion: v1\nkind: Pod\nmetadata: {{name: a, labels: {{a: 0b{'1' * 20000}}}}}\n",
    # found by scripts/fuzz.py: an old Ingress's servicePort, migrated
    "servicePort": (
        "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: a}\n"
        f"spec: {{backend: {{serviceName: s, servicePort: 0{'7' * 5000}}}}}\n"
    ),
    # digits that are not ASCII: "²".isdigit() is true, int("²") raises
    "unicode-digit-percent": (
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: a}\n"
        "spec: {maxUnavailable: '\u00b2%', selector: {matchLabels: {a: b}}}\n"
    ),
    "unicode-digit-servicePort": (
        "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: a}\n"
        "spec: {backend: {serviceName: s, servicePort: '\u00b2'}}\n"
    ),
    # found by scripts/fuzz.py: kept as text, then offered "remove the quotes"
    # with the number as the fix's value
    "integer-field": (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\n"
        f"spec: {{defaultBackend: {{service: {{name: s, port: {{number: 0{'7' * 5000}}}}}}}}}\n"
    ),
}


@pytest.mark.parametrize("case", HUGE_INT_CASES, ids=str)
def test_huge_integers_do_not_end_the_run(case):
    result = run(HUGE_INT_CASES[case], select=["ALL"])
    assert not [f for f in result.findings if f.name == "check-failed"]
    if case == "integer-field":
        [invalid] = [f for f in result.findings if f.name == "schema-invalid"]
        assert invalid.message.startswith("Ingress a: spec.defaultBackend.service.port.number: expected integer, got string \"0777") and invalid.fix is None


def _web_and_autoscaler(spec: str) -> str:
    """A Deployment `web` and an autoscaler (line 8) whose spec is `spec`."""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        "spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: 'x:1'}]}}}\n"
        f"---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: h}}\nspec: {spec}\n"
    )


@pytest.mark.parametrize("kind", ["{a: 1}", "[Resource]"])
def test_an_autoscaler_metric_whose_type_is_not_a_string(kind):
    """Found by scripts/fuzz.py: a metric `type: {a: 1}` looked up in a dict."""
    text = _web_and_autoscaler(
        "{scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3,\n"
        f"  metrics: [{{type: {kind}, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}}}]}}"
    )
    result = run(text, select=["ALL"])
    assert not [f for f in result.findings if f.name == "check-failed"]
    assert ("schema-invalid", 10) in {(f.name, f.line) for f in result.findings}


@pytest.mark.parametrize("versions", ["1.5", "v1", "{a: 1}"])
def test_a_crd_whose_versions_is_not_a_list(versions):
    """Found by scripts/fuzz.py: `versions: 1.5` ended crd-schema-invalid in a TypeError."""
    text = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: pizzas.example.com}\n"
        f"spec: {{group: example.com, names: {{kind: Pizza, plural: pizzas}}, scope: Namespaced, versions: {versions}}}\n"
    )
    result = run(text, select=["ALL"])
    assert not [f for f in result.findings if f.name == "check-failed"]
    assert "schema-invalid" in {f.name for f in result.findings}


@pytest.mark.parametrize("value", ["!!int -", "!!int +", "!!int _", "!!int ''", "!!int -_"])
def test_the_int_tag_on_a_text_with_no_digits_is_text(value):
    """Found by scripts/fuzz.py: `!!int -` was an IndexError that ended the run."""
    result = run(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata: {{k: {value}}}\n", select=["ALL"])
    assert not [f for f in result.findings if f.name == "check-failed"]
    assert [f.name for f in result.findings if f.severity == "error"] == []


def test_a_huge_integer_is_read_as_text_like_a_huge_decimal():
    from kubelint.parse.loader import resolve_scalar

    assert resolve_scalar(HUGE, None, (True, False), None) == HUGE
    assert resolve_scalar("1" * 5000, None, (True, False), None) == "1" * 5000
    assert resolve_scalar("0x10", None, (True, False), None) == 16


@pytest.mark.parametrize("kind", ["[Deployment]", "{a: 1}"])
def test_an_autoscaler_whose_target_kind_is_not_a_string(kind):
    """Found by scripts/fuzz.py: `kind in SCALABLE_KINDS` with a list."""
    text = _web_and_autoscaler(f"{{scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: web}}, maxReplicas: 3}}")
    result = run(text, select=["ALL"])
    assert not [f for f in result.findings if f.name == "check-failed"]
    assert ("schema-invalid", 9) in {(f.name, f.line) for f in result.findings}


@pytest.mark.parametrize("protocol", ["[TCP]", "{a: 1}"])
def test_service_node_port_with_a_protocol_that_is_not_a_string(protocol):
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        "spec:\n  type: NodePort\n  ports:\n"
        f"    - {{port: 80, nodePort: 30000, protocol: {protocol}}}\n"
        f"    - {{port: 81, nodePort: 30000, protocol: {protocol}}}\n"
    )
    result = run(text, select=["ALL"])
    assert not [f for f in result.findings if f.name == "check-failed"]
    assert {(f.name, f.line) for f in result.findings if f.name in ("schema-invalid", "invalid-port")} == {
        ("schema-invalid", 7), ("schema-invalid", 8), ("invalid-port", 8)
    }


def _crashing_registry():
    @rule(code="KL999", name="always-crashes", severity="warning", category="x")
    def always_crashes(obj, ctx):
        """Crash on the object named boom."""
        if obj.ref.name == "boom":
            raise TypeError("unhashable type: 'list'")
        yield from ()

    return Registry([always_crashes, registry().get("check-failed")])


def test_a_rule_that_raises_is_a_finding_on_that_object_only():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: boom\n"
    )
    result = check([Source("a.yaml", text.encode()), Source("b.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")],
                   Settings(select=["ALL"]), _crashing_registry())
    assert result.files == 2 and result.objects == 3
    [finding] = result.findings
    assert (finding.name, finding.rule, finding.severity, finding.file, finding.line, finding.column) == (
        "check-failed", registry().get("check-failed").code, "error", "a.yaml", 5, 1,
    )
    assert finding.message == (
        'ConfigMap boom: kubelint could not check rule always-crashes on this object '
        "(TypeError: unhashable type: 'list'); please report it"
    )


# ---------------------------------------------------------------------------
# 4. Every stage is linear in its input: doubling the input roughly doubles
# the time.  A ratio, not an absolute time, so a slow machine passes too.


def _seconds(fn, arg) -> float:
    """Per-call CPU time over calls adding up to at least 20 ms (CPU time, so
    other processes on a shared machine do not count)."""
    import time

    calls, start = 0, time.process_time()
    while True:
        fn(arg)
        calls += 1
        elapsed = time.process_time() - start
        if elapsed > 0.02:
            return elapsed / calls


def _doubling_ratio(fn, make, n: int) -> float:
    """Time on an input twice as large over time on the input: about 2 when
    linear, 4 when quadratic.  The best of five interleaved rounds, with the
    cyclic collector off (as `kubelint check` runs), so a busy machine barely
    moves it (three let a noisy stretch of a shared VM read 3.2 for a linear
    millisecond-long case)."""
    import gc

    small, large = make(n), make(2 * n)
    fn(small)  # warm up caches and imports
    gc.collect()
    gc.disable()
    try:
        best_small = best_large = float("inf")
        for _ in range(5):
            best_small = min(best_small, _seconds(fn, small))
            best_large = min(best_large, _seconds(fn, large))
        return best_large / best_small
    finally:
        gc.enable()


def _directives(text: str) -> list[tuple[int, int, tuple | None]]:
    """The `# kubelint: ignore` comments the parse stage finds."""
    from kubelint.parse import parse_file

    return [(d.line, d.column, d.names) for d in parse_file("x.yaml", text.encode()).directives]


def test_suppression_comments_are_located_in_linear_time():
    def make(n):
        return "apiVersion: v1\nkind: ConfigMap\n" + "# kubelint: ignore[x] reason\n" * n

    assert _directives(make(3))[0] == (3, 1, ("x",))
    # Quadratic once: 20,000 lines took 5 s and 40,000 took 21 s (ratio 4).
    assert _doubling_ratio(_directives, make, 20_000) < 3


def test_unclosed_suppression_brackets_are_linear():
    def make(n):
        return "# kubelint: ignore[a\n" * n

    # An unclosed bracket names no rule: the comment suppresses every rule.
    assert _directives("x: 1  # kubelint: ignore[a\ny: 2  # kubelint: ignore[b]\n") == [(1, 7, None), (2, 7, ("b",))]
    # Quadratic once: each "[" without "]" scanned to the end of the text;
    # 10,000 lines took 8 s and 20,000 took 33 s.
    assert _doubling_ratio(_directives, make, 2_000) < 3


def test_the_whole_run_is_linear_on_a_large_input():
    def make(n):
        doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: a}  # kubelint: ignore\ndata: {a: b}\n"
        return b"".join((doc % i).encode() + b"---\n" for i in range(n))

    ratio = _doubling_ratio(lambda data: run(data), make, 400)
    assert ratio < 3


def test_the_parser_is_linear_on_a_large_input():
    from kubelint.parse import parse_file

    def make(n):
        return ("items:\n" + "  - {name: x, value: 'y', n: 1}  # comment\n" * n).encode()

    assert _doubling_ratio(lambda data: parse_file("a.yaml", data), make, 2_000) < 3


def test_template_control_lines_inside_block_scalars_are_skipped_in_linear_time():
    from kubelint.parse import parse_file

    def make(n):
        return ("a: |\n" + "  {{ if x }}\n" * n + "---\nb: [\n").encode()

    assert [h.name for h in parse_file("a.yaml", make(3)).hazards] == ["yaml-syntax"]
    # Quadratic: 10,000 lines took 0.2 s and 20,000 took 0.8 s.
    assert _doubling_ratio(lambda data: parse_file("a.yaml", data), make, 10_000) < 3


# ---------------------------------------------------------------------------
# 2, 3, 8. Inputs: only regular files are read from directories; a special
# file named explicitly is an input error; what is read per input is capped;
# an input that cannot be read is exit 2 with the real reason.

import os
import subprocess
import sys

from conftest import ROOT

CM = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {a: b}\n"


def _kubelint(*args, stdin=None, timeout=15):
    """`kubelint ARGS` in a fresh process, so a hang is a failed test."""
    proc = subprocess.run(
        [sys.executable, "-m", "kubelint", *map(str, args)], stdin=stdin, capture_output=True,
        timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


@pytest.fixture
def fifo_dir(tmp_path):
    (tmp_path / "ok.yaml").write_bytes(CM)
    os.mkfifo(tmp_path / "x.yaml")
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    return tmp_path


def test_special_files_in_a_directory_are_not_read(fifo_dir):
    code, out, err = _kubelint("check", "--config", "/dev/null", fifo_dir)
    assert (code, err) == (0, "")
    assert out.startswith("1 file, 1 object checked")


@pytest.mark.parametrize("name", ["x.yaml", "zero.yaml"])
def test_a_special_file_named_explicitly_is_an_input_error(fifo_dir, name):
    code, out, err = _kubelint("check", "--config", "/dev/null", fifo_dir / name)
    assert code == 2 and out == ""
    kind = "a FIFO" if name == "x.yaml" else "a character device"
    assert err == f"kubelint: error: {fifo_dir / name}: not a regular file ({kind}); use - to read standard input\n"


def test_a_fifo_as_the_configuration_is_an_error(fifo_dir):
    code, out, err = _kubelint("check", "-c", fifo_dir / "x.yaml", fifo_dir / "ok.yaml")
    assert code == 2 and out == ""
    assert err == f"kubelint: error: {fifo_dir / 'x.yaml'}: cannot read configuration: not a regular file (a FIFO)\n"


def test_a_fifo_in_a_crd_directory_is_not_read(fifo_dir):
    code, out, err = _kubelint("check", "--config", "/dev/null", "--crd", fifo_dir, fifo_dir / "ok.yaml")
    assert (code, err) == (0, "")


def test_standard_input_is_capped():
    with open("/dev/zero", "rb") as zero:
        code, out, err = _kubelint("check", "--config", "/dev/null", "--max-file-size", "1MiB", "-", stdin=zero)
    assert code == 2 and out == ""
    assert err == "kubelint: error: -: larger than the 1 MiB limit (--max-file-size)\n"


def test_the_configuration_file_is_capped():
    code, out, err = _kubelint("check", "-c", "/dev/zero", "-")
    assert code == 2
    assert err == "kubelint: error: /dev/zero: cannot read configuration: not a regular file (a character device)\n"


def test_a_file_over_the_limit_is_an_input_error(tmp_path, run_cli):
    big = tmp_path / "big.yaml"
    big.write_bytes(CM + b"#" * 2048 + b"\n")
    code, out, err = run_cli("check", "--config", "/dev/null", "--max-file-size", "1KiB", big)
    assert code == 2
    assert err == f"kubelint: error: {big}: larger than the 1 KiB limit (--max-file-size)\n"
    assert run_cli("check", "--config", "/dev/null", "--max-file-size", "4096", big)[0] == 0


def test_the_limit_comes_from_the_configuration_too(tmp_path, run_cli):
    big = tmp_path / "big.yaml"
    big.write_bytes(CM + b"#" * 2048 + b"\n")
    config = tmp_path / "k.yaml"
    config.write_text("max-file-size: 1KiB\n")
    code, _, err = run_cli("check", "--config", config, big)
    assert code == 2 and "larger than the 1 KiB limit" in err
    config.write_text("max-file-size: 1 fortnight\n")
    code, _, err = run_cli("check", "--config", config, big)
    assert code == 2 and err.startswith(f"kubelint: error: {config}:1:16: max-file-size:")


def test_the_size_limit_reads_units():
    from kubelint.sources import parse_size

    assert [parse_size(s) for s in ("100", "1KiB", "16MiB", "1GiB", "2k", "3M")] == [100, 1024, 16 << 20, 1 << 30, 2000, 3_000_000]
    with pytest.raises(ValueError):
        parse_size("-1")


def test_a_directory_that_cannot_be_read_is_an_input_error(tmp_path, run_cli, monkeypatch):
    # Tests may run as root, who reads everything: the denial is simulated
    # where the operating system would give it.
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.yaml").write_bytes(CM)
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if os.fspath(path).startswith(str(locked) + os.sep):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    code, out, err = run_cli("check", "--config", "/dev/null", tmp_path)
    assert code == 2 and out == ""
    assert err == f"kubelint: error: {locked}: cannot read directory: Permission denied\n"
    code, out, err = run_cli("check", "--config", "/dev/null", locked / "a.yaml")
    assert code == 2
    assert err == f"kubelint: error: {locked / 'a.yaml'}: cannot read: Permission denied\n"


def test_a_symlink_loop_named_explicitly_says_so(tmp_path, run_cli):
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    code, out, err = run_cli("check", "--config", "/dev/null", tmp_path / "loop.yaml")
    assert code == 2
    assert err == f"kubelint: error: {tmp_path / 'loop.yaml'}: cannot read: Too many levels of symbolic links\n"


# ---------------------------------------------------------------------------
# 12. Bytes that were read but are not a manifest are findings (exit 1); an
# input that cannot be read is exit 2.  The README says which is which.


@pytest.mark.parametrize(
    "data, rule",
    [(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "yaml-encoding"), (b"a: [\n", "yaml-syntax"), (b"{{ .Values.x }}\n", "template-unrendered")],
)
def test_input_that_is_not_a_manifest_is_a_finding(tmp_path, run_cli, data, rule):
    (tmp_path / "a.yaml").write_bytes(data)
    (tmp_path / "b.yaml").write_bytes(CM)
    code, out, err = run_cli("check", "--config", "/dev/null", "-f", "json", tmp_path)
    import json

    doc = json.loads(out)
    assert (code, err) == (1, "")
    assert [f["name"] for f in doc["findings"]] == [rule]
    assert doc["summary"]["files"] == 2 and doc["summary"]["objects"] == 1


def test_the_readme_says_which_inputs_are_findings_and_which_are_errors():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Bytes that were read but are not\na manifest" in readme
    assert "--max-file-size" in readme


# ---------------------------------------------------------------------------
# 5. `-o FILE` writes atomically over regular files only, and never leaves a
# temporary file behind.

BAD_POD = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'nginx:latest'}]}\n"


def _leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".kubelint-tmp"))


def test_output_through_a_symlink_writes_its_target(tmp_path, run_cli):
    (tmp_path / "pod.yaml").write_bytes(BAD_POD)
    target = tmp_path / "reports" / "report.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    code, out, err = run_cli("check", "--config", "/dev/null", "-f", "json", "-o", link, tmp_path / "pod.yaml")
    assert (code, out, err) == (1, "", "")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert '"image-tag-latest"' in target.read_text()
    assert _leftovers(tmp_path) == [] and _leftovers(target.parent) == []


def test_output_to_a_fifo_writes_into_it(tmp_path, run_cli):
    import threading

    (tmp_path / "pod.yaml").write_bytes(BAD_POD)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run_cli("check", "--config", "/dev/null", "-f", "github", "-o", fifo, tmp_path / "pod.yaml")
    reader.join(10)
    assert (code, err) == (1, "")
    assert fifo.is_fifo()
    assert received and received[0].startswith(b"::warning file=")
    assert _leftovers(tmp_path) == []


def test_output_to_a_character_device_is_not_replaced(tmp_path, run_cli):
    import stat

    (tmp_path / "pod.yaml").write_bytes(BAD_POD)
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    code, _, err = run_cli("check", "--config", "/dev/null", "-o", null, tmp_path / "pod.yaml")
    assert (code, err) == (1, "")
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_no_temporary_file(tmp_path, run_cli):
    (tmp_path / "pod.yaml").write_bytes(BAD_POD)
    (tmp_path / "out").mkdir()
    code, out, err = run_cli("check", "--config", "/dev/null", "-o", tmp_path / "out", tmp_path / "pod.yaml")
    assert code == 2
    assert err.startswith(f"kubelint: error: Could not open file '{tmp_path / 'out'}'")
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# 6. No injection through the human-readable formats.

FORGED = (
    "apiVersion: v1\nkind: Pod\n"
    'metadata: {name: "p\\e]0;owned\\a\\e[2J\\rclean\\u2028x\\x85y\\u202e"}\n'
    'spec: {containers: [{name: "c\\r\\n::error file=evil.yaml,line=1::FORGED", image: "nginx:latest"}]}\n'
)


def test_text_report_escapes_control_characters(tmp_path, run_cli):
    path = tmp_path / "pod.yaml"
    path.write_text(FORGED)
    code, out, err = run_cli("check", "--config", "/dev/null", "--color", "never", "--select", "image-tag-latest", path)
    assert code == 1
    assert out.splitlines()[0] == (
        f"{path}:4:81: warning [image-tag-latest] Pod p\\x1b]0;owned\\x07\\x1b[2J\\rclean\\u2028x\\x85y\\u202e: "
        'container "c\\r\\n::error file=evil.yaml,line=1::FORGED" uses image "nginx:latest" with the "latest" tag'
    )
    assert not any(line.startswith("::") for line in out.splitlines())
    for ch in "\x1b\x07\r\x85\u2028\u202e":
        assert ch not in out


def test_github_report_escapes_control_characters(tmp_path, run_cli):
    path = tmp_path / "pod.yaml"
    path.write_text(FORGED)
    code, out, err = run_cli("check", "--config", "/dev/null", "-f", "github", "--select", "image-tag-latest", path)
    assert code == 1
    [line] = out.splitlines()
    assert line.startswith("::warning file=")
    assert "Pod p\\x1b]0;owned\\x07\\x1b[2J%0Dclean\\u2028x\\x85y\\u202e: " in line
    assert 'container "c%0D%0A::error file=evil.yaml,line=1::FORGED"' in line
    for ch in "\x1b\x07\r\x85\u2028\u202e":
        assert ch not in out


def test_error_messages_escape_file_names(tmp_path, run_cli):
    code, out, err = run_cli("check", "--config", "/dev/null", str(tmp_path / "a\x1b[2J\nb.yaml"))
    assert code == 2
    assert err == f"kubelint: error: {tmp_path}/a\\x1b[2J\\nb.yaml: no such file or directory\n"


# ---------------------------------------------------------------------------
# 7. File names that are not UTF-8 are escaped, losslessly, in every format.


@pytest.fixture
def latin1_file(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.yaml"
    with open(raw, "wb") as fh:
        fh.write(BAD_POD)
    return os.fsdecode(raw)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_a_file_name_that_is_not_utf8_in_every_format(latin1_file, tmp_path, fmt):
    import json
    import xml.etree.ElementTree as ET

    code, out, err = _kubelint("check", "--config", "/dev/null", "--select", "image-tag-latest", "-f", fmt, tmp_path)
    assert (code, err) == (1, "")
    shown = f"{tmp_path}/caf\\xe9.yaml"
    if fmt == "json":
        assert json.loads(out)["findings"][0]["file"] == shown
    elif fmt == "sarif":
        uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == f"file://{tmp_path}/caf%E9.yaml"
    elif fmt == "junit":
        assert ET.fromstring(out.encode()).find("testsuite").get("name") == shown
    elif fmt == "github":
        assert out.startswith(f"::warning file={shown},line=4,")
    else:
        assert out.startswith(f"{shown}:4:")


def test_a_json_report_for_such_a_name_written_with_o(latin1_file, tmp_path):
    import json

    out = tmp_path / "r.json"
    code, _, err = _kubelint("check", "--config", "/dev/null", "--select", "image-tag-latest", "-f", "json", "-o", out, latin1_file)
    assert (code, err) == (1, "")
    assert json.loads(out.read_bytes().decode("utf-8"))["findings"][0]["file"] == f"{tmp_path}/caf\\xe9.yaml"
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# 10. A character YAML refuses is reported where it is, on one line, in
# kubelint's words; a broken UTF-16 or UTF-32 file says so.

POD_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"


@pytest.mark.parametrize(
    "char, shown",
    [("\x00", "U+0000 (NUL)"), ("\x1b", "U+001B (ESC)"), ("\x07", "U+0007 (BEL)"), ("\ufffe", "U+FFFE (noncharacter)")],
)
def test_a_refused_character_is_reported_where_it_is(char, shown):
    text = POD_HEAD + f'data: {{é: "x{char}y"}}\n'
    [finding] = run(text).findings
    assert (finding.name, finding.line, finding.column) == ("yaml-syntax", 4, 13)
    assert finding.message == (
        f"invalid YAML: character {shown} is not allowed in YAML text; write it as an escape in a double-quoted string"
    )


def test_a_refused_character_after_carriage_returns_counts_lines_as_yaml_does():
    [finding] = run("a: 1\rb: \x07\n").findings
    assert (finding.line, finding.column) == (2, 4)


@pytest.mark.parametrize(
    "data, message, line, column",
    [
        (b"\xff\xfea\x00:\x00 \x00\n\x00\x00\xd8", "invalid UTF-16 (bytes 00 d8); Kubernetes manifests must be UTF-8", 2, 1),
        (b"\xff\xfe\x00\x00a\x00\x00\x00\x00\xd8\x00\x00", "invalid UTF-32 (bytes 00 d8 00 00); Kubernetes manifests must be UTF-8", 1, 2),
        ("café: 1\nb: éé".encode() + b"\xff", "invalid UTF-8 (byte 0xff); Kubernetes manifests must be UTF-8", 2, 6),
    ],
)
def test_bad_bytes_are_named_in_their_encoding_at_their_character(data, message, line, column):
    findings = [f for f in run(data).findings if f.message.startswith("invalid")]
    assert [(f.message, f.line, f.column) for f in findings] == [(message, line, column)]


# ---------------------------------------------------------------------------
# 9. Configuration mistakes are FILE:LINE:COL: message, exit 2.


@pytest.mark.parametrize(
    "text, message",
    [
        ("{1: 2}\n", "1:2: key 1 is not a string"),
        ("{null: 2}\n", "1:2: key null is not a string"),
        ("per-file-ignores: {1: [ALL]}\n", "1:20: per-file-ignores: key 1 is not a string"),
        ('kubernetes-version: "2.0"\n', '1:21: kubernetes-version: unsupported Kubernetes version "2.0"; supported: '),
        ('kubernetes-version: ""\n', '1:21: kubernetes-version: unsupported Kubernetes version ""; supported: '),
        ("crds: [nope/]\n", "1:8: crds: nope/: no such file or directory"),
    ],
)
def test_configuration_mistakes_name_the_file(tmp_path, run_cli, text, message):
    (tmp_path / "a.yaml").write_bytes(CM)
    config = tmp_path / ".kubelint.yaml"
    config.write_text(text)
    code, out, err = run_cli("check", "--config", config, tmp_path / "a.yaml")
    assert code == 2 and out == ""
    assert err.startswith(f"kubelint: error: {config}:{message}")
    assert len(err.splitlines()) == 1


def test_a_toml_date_is_a_configuration_error(tmp_path, run_cli):
    (tmp_path / "a.yaml").write_bytes(CM)
    config = tmp_path / "pyproject.toml"
    config.write_text("[project]\nname = 'x'\n[tool.kubelint]\nkubernetes-version = 1979-05-27\n")
    code, out, err = run_cli("check", "--config", config, tmp_path / "a.yaml")
    assert code == 2
    assert err == f"kubelint: error: {config}:3:1: kubernetes-version: expected a string, number, list or mapping, got a date\n"


def test_a_pyproject_mentioning_kubelint_only_in_a_comment(tmp_path, run_cli, monkeypatch):
    (tmp_path / "a.yaml").write_bytes(CM)
    (tmp_path / "pyproject.toml").write_text("# see [tool.kubelint] one day\ntool = 5\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", "a.yaml")
    assert (code, err) == (0, "")
    (tmp_path / "pyproject.toml").write_text("[tool]\nkubelint = 5\n# [tool.kubelint]\n")
    code, out, err = run_cli("check", "a.yaml")
    assert code == 2
    assert err == f"kubelint: error: {tmp_path / 'pyproject.toml'}:3:1: tool.kubelint must be a table ([tool.kubelint])\n"


# ---------------------------------------------------------------------------
# 11. Small ones.


def test_keys_equal_in_python_but_distinct_in_yaml_are_not_duplicates():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  1: x\n  true: y\n  1.0: z\n  0x1: w\n"
    assert [(f.name, f.line) for f in run(text).findings if f.name == "duplicate-key"] == [("duplicate-key", 8)]


def test_closed_standard_input_is_an_input_error():
    # `kubelint check - <&-`: the process starts with no file descriptor 0.
    import shlex

    command = f"{shlex.quote(sys.executable)} -m kubelint check --config /dev/null - <&-"
    proc = subprocess.run(["sh", "-c", command], capture_output=True, timeout=30, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr.decode() == "kubelint: error: -: cannot read standard input: it is closed\n"


@pytest.mark.parametrize("version", ["", " ", "1." + "9" * 5000])
def test_bad_kubernetes_versions_on_the_command_line(run_cli, version, tmp_path):
    (tmp_path / "a.yaml").write_bytes(CM)
    code, out, err = run_cli("check", "--config", "/dev/null", "-k", version, tmp_path / "a.yaml")
    assert code == 2
    shown = version if len(version) <= 40 else version[:40] + "..."
    assert err.startswith(f'kubelint: error: unsupported Kubernetes version "{shown}"; supported: 1.25,')
    assert "integer string conversion" not in err


def _deep_crd(depth: int) -> str:
    import json

    node = {"type": "object", "properties": {"leaf": {"type": "integer"}}}
    value = {"leaf": "not-an-int"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"a": node}}
        value = {"a": value}
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "deeps.x.io"},
        "spec": {"group": "x.io", "names": {"kind": "Deep", "plural": "deeps"}, "scope": "Namespaced",
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": node}}}}]},
    }
    cr = {"apiVersion": "x.io/v1", "kind": "Deep", "metadata": {"name": "d", "namespace": "n"}, "spec": value}
    return json.dumps(crd) + "\n---\n" + json.dumps(cr) + "\n"


@pytest.mark.parametrize("depth, rule", [(100, "schema-invalid"), (245, "schema-missing")])
def test_a_very_deep_crd_schema_never_silently_accepts(depth, rule):
    names = [f.name for f in run(_deep_crd(depth), select=["schema"]).findings if f.line == 3]
    assert names == [rule]


def test_output_to_dev_stdout_writes_to_the_pipe(tmp_path):
    (tmp_path / "pod.yaml").write_bytes(BAD_POD)
    code, out, err = _kubelint("check", "--config", "/dev/null", "-f", "github", "-o", "/dev/stdout", tmp_path / "pod.yaml")
    assert (code, err) == (1, "")
    assert out.startswith("::warning file=")


def test_services_selecting_the_same_workloads_are_linear():
    # n Services with one selector over n workloads: matched once, not n times.
    pair = (
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d, namespace: a}\n"
        "spec: {selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}},"
        " spec: {containers: [{name: c, image: 'x:1', ports: [{name: http, containerPort: 80}]}]}}}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d, namespace: a}\n"
        "spec: {selector: {app: a}, ports: [{port: 80, targetPort: web}]}\n"
    )

    def make(n):
        return "".join(pair % (i, i) for i in range(n)).encode()

    found = {f.name for f in run(make(2), select=["network"]).findings}
    assert "service-target-port-unknown" in found
    # Quadratic: 300 pairs took 0.7 s and 600 pairs 2.6 s.
    assert _doubling_ratio(lambda data: run(data, select=["network"]), make, 150) < 3


def test_a_long_sexagesimal_integer_is_text_in_linear_time():
    from kubelint.parse.loader import resolve_scalar

    def make(n):
        return "1" + ":1" * n

    assert resolve_scalar("1:30", None, (True, False), None) == 90
    assert resolve_scalar(make(5000), None, (True, False), None) == make(5000)
    # Quadratic: 20,000 parts took 0.05 s and 40,000 took 0.2 s.
    assert _doubling_ratio(lambda text: resolve_scalar(text, None, (True, False), None), make, 20_000) < 3


def test_aliases_may_not_make_more_of_a_document_than_kubectl_allows():
    """Under the 5,000,000-node cap a small document could still stand for
    millions of nodes that every rule walks; the Go YAML library kubectl
    uses refuses more than 99% of a document's nodes coming from aliases
    (less above 400,000 nodes), and so does kubelint."""
    from kubelint.parse.loader import allowed_alias_share

    assert allowed_alias_share(1_000) == allowed_alias_share(400_000) == 0.99
    assert allowed_alias_share(2_200_000) == pytest.approx(0.545)
    assert allowed_alias_share(4_000_000) == allowed_alias_share(10**9) == 0.10
    block = "&a {" + ", ".join(f"k{i}: [x, y, z, w, v, u, t, s, r]" for i in range(100)) + "}"  # 1,101 nodes
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  first: " + block + "\n" + "".join(
        f"  k{i}: *a\n" for i in range(2000)  # 2,000 aliases: 2.2 million nodes, under the old cap
    )
    start = time.perf_counter()
    result = run(text)
    assert time.perf_counter() - start < 2
    bombs = [(f.line, f.column, f.message) for f in result.findings if f.name == "yaml-alias-bomb"]
    # the 110th alias (line 115, `k109: *a`): 110 * 1,101 nodes through
    # aliases of 110 * 1,102 + 1,113 is past 99%
    assert bombs == [(
        115, 9,
        'aliases make 121,110 of the 122,333 nodes this document expands to (alias "a"); '
        'kubectl refuses it ("document contains excessive aliasing"), and so does kubelint',
    )]
    # A manifest that reuses a block a few times is fine.
    env = "&env [{name: A, value: '1'}, {name: B, value: '2'}]"
    reuse = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  containers:\n"
        f"  - {{name: a, image: 'nginx:1.27', env: {env}}}\n"
        + "".join(f"  - {{name: c{i}, image: 'nginx:1.27', env: *env}}\n" for i in range(200))
    )
    assert "yaml-alias-bomb" not in {f.name for f in run(reuse).findings}


def test_alias_expansion_is_bounded_per_file_not_per_document(monkeypatch):
    from kubelint.parse import loader

    monkeypatch.setattr(loader, "MAX_EXPANDED_NODES", 10_000)
    # Each document expands to about 6,000 nodes: alone under the limit,
    # together over it.
    anchor = "&a {" + ", ".join(f"k{i}: v" for i in range(30)) + "}"
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\ndata:\n  k: " + anchor + "\n" + "".join(
        f"  k{i}: *a\n" for i in range(100)
    )
    assert "yaml-alias-bomb" not in {f.name for f in run(doc % 0).findings}
    many = run("---\n".join(doc % i for i in range(3)))
    bombs = [(f.line, f.column, f.message) for f in many.findings if f.name == "yaml-alias-bomb"]
    assert bombs == [(
        175, 8,  # the 64th alias of the second document: 6,100 + 64 * 61 > 10,000
        'aliases expand the documents of this file to more than 10,000 nodes (alias "a"); refusing to expand it',
    )]
    assert many.objects == 1


def test_a_planted_temporary_name_cannot_redirect_the_report(tmp_path, run_cli):
    (tmp_path / "pod.yaml").write_bytes(BAD_POD)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / ".report.txt.kubelint-tmp").symlink_to(victim)
    code, _, err = run_cli("check", "--config", "/dev/null", "-o", tmp_path / "report.txt", tmp_path / "pod.yaml")
    assert (code, err) == (1, "")
    assert victim.read_text() == "precious"
    assert "image-tag-latest" in (tmp_path / "report.txt").read_text()
    assert (tmp_path / "report.txt").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_huge_size_limit_is_just_a_large_limit(tmp_path, run_cli):
    (tmp_path / "a.yaml").write_bytes(CM)
    code, out, err = run_cli("check", "--config", "/dev/null", "--max-file-size", "99999999999999999999999GiB", tmp_path / "a.yaml")
    assert (code, err) == (0, "")
