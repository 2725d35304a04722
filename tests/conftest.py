import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "fixtures"

for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))


class _Main:
    """Lets CliRunner drive kubelint.cli.main, which owns error handling and
    exit codes (the click group alone would not show them)."""

    name = "kubelint"

    def main(self, args=None, prog_name=None, **extra):
        from kubelint.cli import main

        main(list(args or []))


@pytest.fixture
def run_cli():
    """Invoke `kubelint ARGS...` in-process; returns (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    def invoke(*args, input=None):
        result = CliRunner().invoke(_Main(), [str(a) for a in args], input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke
