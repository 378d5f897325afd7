"""Test set-up: shared fixtures and the corpus folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"


@pytest.fixture(scope="session")
def nlp():
    from tpicoder.extract.pipeline import shared_nlp

    return shared_nlp()
