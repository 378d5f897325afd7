"""Property tests: offsets exact and no crash on arbitrary text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import assert_offsets
from tpicoder.api import analyze
from tpicoder.schema import NoteResult

WORDS = [
    "left",
    "right",
    "L",
    "R",
    "B/L",
    "bilat",
    "upper",
    "trapezius",
    "trap",
    "levator",
    "scap",
    "SCM",
    "QL",
    "rhomboid",
    "major",
    "paraspinals",
    "injected",
    "TPI",
    "not",
    "deferred",
    "consider",
    "previously",
    "1%",
    "lidocaine",
    "2",
    "mL",
    "Kenalog",
    "40",
    "mg",
    "PT",
    "failed",
    "M79.18",
    "M54.5",
    ".",
    ",",
    ":",
    "\n",
    "Procedure:",
    "Exam:",
    "tender",
    "taut",
    "band",
    "[ ]",
    "[x]",
    "|",
    "99213-25",
    "ultrasound",
    "guided",
    "\u00a0",
    "\u2013",
    "\t",
    "\r\n",
    "trapezuis",
    "dry",
    "needling",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join))
def test_offsets_exact_on_note_like_text(text):
    result = analyze(text)
    assert_offsets(result, text)
    # Mentions and evidence are built without validation: they must still pass it.
    assert NoteResult.model_validate_json(result.model_dump_json()) == result


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_unicode_text_gives_a_valid_result(text):
    result = analyze(text)
    assert_offsets(result, text)
    assert result.schema_version == "1"
