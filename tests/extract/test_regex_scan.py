"""AnchoredRegex finds exactly what finditer finds, only faster."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpicoder.extract.entities import lower_pattern, same_length_lower
from tpicoder.extract.regex_scan import AnchoredRegex, AnchorIndex, anchor_text, anchors_of
from tpicoder.lexicon import load_extraction_lexicon

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("pattern", "anchors"),
    [
        (r"\bmyalgia", ("myalg",)),
        (r"\b(?:taut|tight)\s+bands?", ("taut ", "tight")),
        (r"(?<!\w)(?:local\s+)?twitch", ("local", "twitc")),
        (r"\bDOS\b", ("dos",)),
        (r"(\d+)\s*mg", tuple("0123456789")),
        (r"\b99(?:213|214)\b", ("99213", "99214")),
        (r"in\s+20\d\d", ("in ",)),  # spaces may repeat: the anchor stops after one
        (r"[a-z]+itis", None),  # any letter may begin it
        (r"\bin\b", None),  # two letters are found almost everywhere
        (r"x\s*\d", None),
        (r".*pain", None),
    ],
)
def test_anchors_of(pattern, anchors):
    assert anchors_of(pattern) == anchors


def _rules():
    # As the pipeline compiles them: fragments ({{spoken_number}}) expanded by the lexicon loader.
    out = []
    for rule in load_extraction_lexicon(str(ROOT / "lexicons")).patterns.rules:
        flags = re.MULTILINE if "MULTILINE" in rule.flags else 0
        on_lower = "IGNORECASE" in rule.flags
        pattern = lower_pattern(rule.pattern) if on_lower else rule.pattern
        out.append(pytest.param(re.compile(pattern, flags), on_lower, id=rule.id))
    return out


@pytest.mark.parametrize(
    "rule_id", ["concentration_ratio", "concentration_percent", "dose_mass", "volume", "inj_volume"]
)
def test_quantity_rules_are_anchored(rule_id):
    # Amounts are read in every note: a rule with no anchor is tried at every position (a dictated
    # "a\s+hundred" once made these five unanchorable and doubled the entity component's time).
    rule = next(r for r in load_extraction_lexicon(str(ROOT / "lexicons")).patterns.rules if r.id == rule_id)
    assert anchors_of(lower_pattern(rule.pattern)) is not None


def _spans(regex: re.Pattern[str], on_lower: bool, text: str) -> tuple[list, list]:
    """Matches of plain finditer, and of the anchored scan both lazily and from a prebuilt index.

    The second list holds the lazy scan's matches when both anchored forms agree, and a marker
    naming the index form when they differ, so a mismatch shows which path broke.
    """
    lowered = same_length_lower(text)
    subject = lowered if on_lower else text
    anchors_in = anchor_text(lowered)
    anchored = AnchoredRegex(regex)
    expected = [(m.span(), m.groups()) for m in regex.finditer(subject)]
    got = [(m.span(), m.groups()) for m in anchored.finditer(subject, anchors_in)]
    seen = _INDEX.places(anchors_in)
    indexed = [(m.span(), m.groups()) for m in anchored.finditer(subject, anchors_in, seen, complete=True)]
    if indexed != got:
        return expected, [("AnchorIndex differs", indexed)]
    return expected, got


_INDEX = AnchorIndex([AnchoredRegex(p.values[0]) for p in _rules()])
_NOTES = sorted((ROOT / "corpora").glob("*/notes/*.txt"))


@pytest.mark.parametrize(("regex", "on_lower"), _rules())
def test_every_pattern_rule_matches_as_finditer_on_the_corpus(regex, on_lower):
    for path in _NOTES:
        expected, got = _spans(regex, on_lower, path.read_text(encoding="utf-8"))
        assert got == expected, path.name


_PIECES = st.sampled_from(
    [
        "in 2024",
        "IN\t2025",
        "on 3/4",
        "DOS: 01/02/2025",
        "E/M",
        "99213-25",
        "myofascial pain",
        "Myalgia",
        "taut\nband",
        "TAUT  BANDS",
        "1% lidocaine",
        ".5 mL",
        "40 mg/ml",
        "x4 sites",
        "\u00a0",
        "\u2028",
        "İ",
        "ß",
        " ",
        "\n",
        ",",
        "-",
        "ultrasound-guided",
        "US guided",
        "u/s",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=25))
def test_anchored_scan_equals_finditer_on_arbitrary_text(parts):
    text = "".join(parts)
    for param in _rules():
        regex, on_lower = param.values
        expected, got = _spans(regex, on_lower, text)
        assert got == expected, param.id
