import subprocess
import sys

from conftest import ROOT


def test_generated_docs_are_up_to_date():
    proc = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
