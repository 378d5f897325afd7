"""The assembled pipeline: saved with to_disk, loaded with spacy.load, same hits; components round-trip."""

from __future__ import annotations

import spacy

from tpicoder.extract.pipeline import COMPONENTS, build_nlp
from tpicoder.extract.textio import tokenizer_view

TEXT = "Procedure: TPI to L-trapezius and right levator scapule with 1% lidocaine 2 mL. SCM tender, not injected."


def _hits(doc):
    return [(h.label, h.start, h.end, h.norm, h.assertion, h.injected, h.side) for h in doc._.tpi_hits]


def test_saved_pipeline_loads_with_spacy_load_and_gives_same_hits(tmp_path):
    nlp = build_nlp()
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == list(COMPONENTS)
    assert _hits(loaded(tokenizer_view(TEXT))) == _hits(nlp(tokenizer_view(TEXT)))


def test_component_bytes_round_trip_clears_and_restores():
    nlp = build_nlp()
    for name in COMPONENTS:
        comp = nlp.get_pipe(name)
        data = comp.to_bytes()
        comp.from_bytes(data)
        assert comp.to_bytes() == data
