"""Import cost: the CLI and a pre-commit run load only what they use."""

import subprocess
import sys

from conftest import ROOT

HEAVY = ("jsonschema", "jsonschema_rs", "ruamel", "regopy", "requests", "yaml", "kubelint.schema.validate")


def loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return set(out.split())


def test_importing_the_cli_loads_nothing_heavy():
    modules = loaded_after("import kubelint.cli")
    assert not {m for m in modules if m.split(".")[0] in {h.split(".")[0] for h in HEAVY} - {"kubelint"}}


def test_rules_listing_loads_no_schema_machinery():
    modules = loaded_after("from kubelint.rules import registry; registry()")
    assert not {m for m in modules if m.startswith(("jsonschema", "ruamel", "regopy", "requests", "kubelint.schema"))}
