"""End-to-end over the annotated corpus: thresholds per field, on dev and on the held-out part."""

from __future__ import annotations

import pytest

from tests.conftest import CORPORA
from tests.helpers import assert_offsets
from tpicoder.api import analyze
from tpicoder.evaluate import Report, load_gold, score_note
from tpicoder.schema import NoteResult

# Regression floors, a little under the figures measured when last raised (2026-11-24); raise them as
# rules improve. Held-out floors guard against regressions only: rules are never tuned on held-out notes.
THRESHOLDS = {
    "dev": {
        "muscle_side": 0.98,
        "substances": 0.98,
        "prior_treatments": 0.95,
        "diagnosis_codes": 0.98,
        "invalid_codes": 0.99,
        "cpt": 0.98,
        "procedure": 0.98,
        "em_modifier_25": 0.97,
        "warnings_required": 0.97,
    },
    # A little below the figures of the day (README "Measured"): a fresh held-out part moves them.
    "heldout": {
        "muscle_side": 0.95,
        "substances": 0.97,
        "prior_treatments": 0.92,
        "diagnosis_codes": 0.97,
        "invalid_codes": 0.99,
        "cpt": 0.93,
        "procedure": 0.95,
        "em_modifier_25": 0.95,
        "warnings_required": 0.93,
    },
}


@pytest.fixture(scope="module", params=sorted(THRESHOLDS))
def scored(request):
    report = Report()
    texts = []
    for gold, text in load_gold(CORPORA / request.param):
        result = analyze(text, note_id=gold["id"])
        score_note(report, gold, result)
        texts.append((result, text))
    return request.param, report, texts


def test_corpus_scores_meet_thresholds(scored):
    split, report, _ = scored
    d = report.as_dict()
    floors = THRESHOLDS[split]
    for name, floor in floors.items():
        value = d["fields"][name]["f1"] if name in d["fields"] else d["exact"][name]["accuracy"]
        assert value >= floor, f"{split} {name} = {value:.3f} < {floor}"


def test_corpus_evidence_offsets_are_exact(scored):
    for result, text in scored[2]:
        assert_offsets(result, text)


def test_corpus_results_revalidate_against_the_schema(scored):
    for result, _ in scored[2]:
        assert NoteResult.model_validate_json(result.model_dump_json()) == result


def test_dev_corpus_has_no_upcode(scored):
    split, report, _ = scored
    if split == "dev":
        diffs = report.as_dict()["diffs"]
        upcoded = {note for note, lines in diffs.items() if "UPCODE" in lines}
        assert not upcoded, {note: diffs[note] for note in sorted(upcoded)}
