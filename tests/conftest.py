"""Test set-up: read the checkout's lexicons when the installed package carries none (editable installs)."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"

if not (Path(str(importlib.resources.files("tpicoder"))) / "lexicons").is_dir():
    os.environ.setdefault("TPICODER_LEXICONS", str(ROOT / "lexicons"))


@pytest.fixture(scope="session")
def nlp():
    from tpicoder.extract.pipeline import shared_nlp

    return shared_nlp()
