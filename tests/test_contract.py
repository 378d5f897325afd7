"""The public contract: entry points, field names, JSON equality, schema export, bad input."""

from __future__ import annotations

import json

import pytest

import tpicoder
from tpicoder.errors import InputError
from tpicoder.extract.textio import decode_bytes
from tpicoder.schema import NoteResult

NOTE = (
    "DOS: 03/14/2026\nHPI: neck pain 6 months, failed PT.\nExam: taut band L upper trapezius with twitch.\n"
    "Assessment: myofascial pain M79.12.\nProcedure: TPI to left upper trapezius and B/L levator scapulae with "
    "1% lidocaine 2 mL each."
)


def test_analyze_returns_contract_fields():
    r = tpicoder.analyze(NOTE, note_id="n1")
    d = r.model_dump(mode="json")
    for key in (
        "schema_version",
        "note_id",
        "procedure",
        "injected_muscles",
        "substances",
        "prior_treatments",
        "diagnoses",
        "guidance",
        "em_service",
        "claim_lines",
        "warnings",
        "mentions",
    ):
        assert key in d
    assert d["procedure"] == "trigger_point_injection"
    assert {(m["muscle"], m["side"]) for m in d["injected_muscles"]} == {
        ("trapezius", "left"),
        ("levator_scapulae", "left"),
        ("levator_scapulae", "right"),
    }
    assert [(c["code"], c["units"], c["modifiers"]) for c in d["claim_lines"]] == [("20553", 1, [])]
    assert NoteResult.model_validate_json(json.dumps(d)) == r


def test_analyze_many_streams_in_order():
    texts = [NOTE, "", "Procedure: TPI to R rhomboid major with 1% lidocaine 1 mL."]
    results = list(tpicoder.analyze_many(texts, batch_size=2))
    assert [r.procedure for r in results] == ["trigger_point_injection", "none", "trigger_point_injection"]


@pytest.mark.parametrize("stage", ["doc_to_findings", "_result"])
def test_analyze_many_on_error_skips_the_failing_note_and_goes_on(monkeypatch, stage):
    import tpicoder.api as api

    real = getattr(api, stage)

    def flaky(*args, **kwargs):
        text = args[2] if stage == "doc_to_findings" else args[0]
        if "BOOM" in text:
            raise ValueError("simulated bug")
        return real(*args, **kwargs)

    monkeypatch.setattr(api, stage, flaky)
    texts = [(NOTE, "a"), ("BOOM " + NOTE, "b"), ("Procedure: TPI R rhomboid major, lidocaine 1 mL.", "c")]
    errors: list[tuple[str | None, str]] = []
    results = list(
        tpicoder.analyze_many(texts, batch_size=3, on_error=lambda nid, why: errors.append((nid, why)))
    )
    assert [r.note_id for r in results] == ["a", "c"]
    assert results[1].injected_muscles[0].muscle == "rhomboid_major"
    assert errors == [("b", "internal error, please report it: ValueError: simulated bug")]
    with pytest.raises(ValueError, match="simulated bug"):  # without on_error the error propagates
        list(tpicoder.analyze_many(texts, batch_size=3))


def test_analyze_many_leaves_the_garbage_collector_as_it_found_it():
    import gc

    before = gc.get_threshold()
    stream = tpicoder.analyze_many(["Procedure: TPI L trapezius, lidocaine 1 mL."] * 3, batch_size=2)
    next(stream)
    assert gc.get_threshold() == before  # suspended between results: the caller's settings
    assert len(list(stream)) == 2
    assert gc.get_threshold() == before


def test_empty_text_gives_valid_empty_result():
    r = tpicoder.analyze("")
    assert r.procedure == "none" and r.injected_muscles == [] and r.claim_lines == []


def test_non_string_input_is_a_clear_error():
    with pytest.raises(TypeError, match="text must be str"):
        tpicoder.analyze(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"Procedure: TPI L trapezius", "utf-8"),
        ("Procédure: TPI L trapezius".encode("latin-1"), "cp1252"),
        ("\ufeffProcedure".encode(), "utf-8"),
    ],
    ids=["utf8", "latin1", "bom"],
)
def test_decode_bytes(data, encoding):
    assert decode_bytes(data, max_chars=10_000).encoding == encoding


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", bytes(range(256)) * 4], ids=["nul", "all-bytes"])
def test_binary_is_refused_with_reason(data):
    with pytest.raises(InputError, match="binary"):
        decode_bytes(data, max_chars=10_000)


def test_crlf_tabs_nbsp_and_dashes_keep_offsets():
    text = "Procedure:\r\n\tTPI to left\u00a0upper trapezius \u2013 right levator scapulae\r\n"
    r = tpicoder.analyze(text)
    assert {(m.muscle, m.side) for m in r.injected_muscles} == {
        ("trapezius", "left"),
        ("levator_scapulae", "right"),
    }
    for m in r.mentions:
        assert text[m.start : m.end] == m.text


def test_big_note_is_processed():
    text = "Procedure: TPI to left trapezius with 1% lidocaine 2 mL. " * 2000
    r = tpicoder.analyze(text)
    assert {(m.muscle, m.side) for m in r.injected_muscles} == {("trapezius", "left")}


def test_json_schema_exports():
    schema = NoteResult.model_json_schema()
    assert "injected_muscles" in schema["properties"]
