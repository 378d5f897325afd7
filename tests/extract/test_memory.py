"""Long batches keep spaCy's string store flat (memory_zone after the warm-up)."""

from __future__ import annotations

import shutil

from tests.conftest import ROOT
from tpicoder import resources
from tpicoder.api import _nlp, analyze_many


def test_string_store_stays_flat_after_warm_up(tmp_path):
    lex = tmp_path / "lexicons"
    shutil.copytree(ROOT / "lexicons", lex)
    settings = lex / "extraction" / "settings.yaml"
    settings.write_text(
        settings.read_text().replace("memory_zone_after_notes: 2000", "memory_zone_after_notes: 0")
    )
    resources.clear_cache()
    note = "Procedure: TPI to left trapezius with 1% lidocaine 2 mL. MRN {i}x{i} zq{i}word"
    list(analyze_many([note.format(i=i) for i in range(5)], lexicons_dir=lex))
    strings = len(_nlp(str(lex)).vocab.strings)
    results = list(analyze_many([note.format(i=i) for i in range(100, 160)], lexicons_dir=lex))
    assert len(_nlp(str(lex)).vocab.strings) == strings
    assert all({(m.muscle, m.side) for m in r.injected_muscles} == {("trapezius", "left")} for r in results)
