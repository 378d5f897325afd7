"""The section-header regex: its prefix-tree form and candidate-start scan find what a plain scan finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tpicoder.extract import sections as S
from tpicoder.lexicon import load_extraction_lexicon

_SECTIONS = [s.model_dump() for s in load_extraction_lexicon().sections.sections]


def _plain_alternation(names: list[str]) -> str:
    """The alternation as first written: every name, longest first."""
    escaped = sorted(
        {re.escape(n.strip()).replace(r"\ ", r"\s+") for n in names if n.strip()}, key=len, reverse=True
    )
    return "|".join(escaped)


def _regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    tree, _, _ = S.compile_header_regex(_SECTIONS)
    original = S._alternation
    try:
        S._alternation = _plain_alternation
        plain, _, _ = S.compile_header_regex(_SECTIONS)
    finally:
        S._alternation = original
    return plain, tree


PLAIN, TREE = _regexes()
LETTERS = S.compile_header_regex(_SECTIONS)[1]
NAMES = sorted({n for s in _SECTIONS for n in s["names"] if len(n) > 1})


def _found(matches) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in matches]


_PIECES = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(str.upper),
    st.sampled_from(["S:", "O:", "A:", "P:", "s:", "S :"]),
    st.sampled_from(
        [": ", ":", " - ", "\n", "\n\n", ". ", ".  ", "|", " ", "  ", "\t", "1. ", "- ", "(R):", "#2:"]
    ),
    st.sampled_from(["pain", "trapezius", "today", "Today's ", "x", "note", "...... ", "?"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_header_scan_finds_what_a_plain_scan_finds(text):
    assert _found(S.header_matches(TREE, text)) == _found(PLAIN.finditer(text))
    assert _found(S.header_matches(LETTERS, text)) == _found(LETTERS.finditer(text))


def test_header_scan_on_a_note():
    text = "Procedure note\nHPI: neck pain. Exam: tender.  PLAN - recheck\n| Assessment | x |\nprocedure\n"
    assert _found(S.header_matches(TREE, text)) == _found(PLAIN.finditer(text))
    assert [m.group("name").lower() for m in S.header_matches(TREE, text)][:4] == [
        "procedure note",
        "hpi",
        "exam",
        "plan",
    ]
