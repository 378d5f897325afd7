"""Stage boundary and style guards: coding runs with spaCy blocked, no payer branches, no bare numbers."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tpicoder.coding

CODING_DIR = Path(tpicoder.coding.__file__).parent
SOURCES = sorted(CODING_DIR.glob("*.py"))


def test_coding_imports_and_runs_with_spacy_and_extract_blocked():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["spacy"] = None              # any `import spacy` now raises ImportError
        sys.modules["tpicoder.extract"] = None   # nor may coding reach into stage 1
        from tpicoder.coding import code_findings, check_frequency, predicate_names
        from tpicoder.findings import Findings
        from tpicoder.schema import InjectedMuscle, Evidence
        muscle = InjectedMuscle(muscle="trapezius", side="left", is_group=False, region="neck",
                                evidence=[Evidence(start=0, end=4, text="trap")])
        result = code_findings(Findings(procedure_kind="injection", injected_muscles=[muscle]))
        assert [line.code for line in result.claim_lines] == ["20552"], result.claim_lines
        assert predicate_names()
        check_frequency([])
        loaded = [name for name in sys.modules if name.startswith(("spacy", "thinc", "tpicoder.extract"))]
        assert not [n for n in loaded if sys.modules[n] is not None], loaded
        print("ok")
        """
    )
    env = dict(os.environ)
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_import_of_spacy_or_extraction(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            assert not name.startswith(("spacy", "scispacy", "tpicoder.extract")), (
                f"{path.name} imports {name}"
            )


PAYER_IDS = {"cms", "commercial_example"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_branch_on_payer_name(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            literals = {o.value for o in operands if isinstance(o, ast.Constant)}
            assert not (literals & PAYER_IDS), f"{path.name}:{node.lineno} compares with a payer name"


ALLOWED_LITERALS = {0, 1, -1}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_bare_numbers_outside_named_constants(path):
    """Thresholds are data; the only numbers allowed in code are 0/1 and UPPER_CASE module constants."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) and t.id.lstrip("_").isupper() for t in targets):
                named.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and id(node) not in named:
            assert node.value in ALLOWED_LITERALS, f"{path.name}:{node.lineno} bare number {node.value}"
