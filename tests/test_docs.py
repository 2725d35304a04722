import subprocess
import sys

from conftest import ROOT


def test_generated_docs_are_up_to_date():
    proc = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_parity_names_only_existing_rules():
    import re
    from pathlib import Path

    from kubelint.rules import registry

    text = (Path(__file__).resolve().parent.parent / "docs" / "parity.md").read_text()
    names = {r.name for r in registry()}
    kubelint_cells = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 4:
            kubelint_cells.append(cells[2])
    mentioned = {n for cell in kubelint_cells for n in re.findall(r"`([a-z0-9-]+)`", cell)}
    assert mentioned, "no kubelint column found"
    assert mentioned - names == set()
    # Every rule of issue 11 is mapped somewhere on the page.
    issue_11 = (
        "hpa-min-replicas-above-max pdb-min-and-max-set pdb-eviction-blocked replicas-with-hpa spread-selector-unmatched "
        "cronjob-starting-deadline-missing ephemeral-storage-request-missing ephemeral-storage-limit-missing "
        "hpa-target-unknown pdb-selector-unmatched networkpolicy-selector-unmatched networkpolicy-peer-unmatched "
        "ingress-backend-unknown statefulset-service-name-unknown service-account-unknown service-account-field-deprecated "
        "rbac-role-ref-unknown env-reference-unknown api-version-missing kind-missing kind-unknown image-missing "
        "list-key-duplicate crd-schema-invalid hpa-target-requests-missing"
    ).split()
    for name in issue_11:
        assert f"`{name}`" in text
