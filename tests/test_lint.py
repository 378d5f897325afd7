"""Style is enforced, not hoped for: ruff (pycodestyle, pyflakes, isort, docstrings) over the project."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed (it is in the test extras)")
def test_ruff_check_passes():
    proc = subprocess.run(
        ["ruff", "check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
