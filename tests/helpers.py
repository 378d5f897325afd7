"""Shared assertions for tests."""

from __future__ import annotations

from tpicoder.schema import NoteResult


def all_evidence(result: NoteResult):
    """Every evidence span and mention of a result."""
    for group in (result.injected_muscles, result.substances, result.prior_treatments, result.diagnoses):
        for item in group:
            yield from item.evidence
    for w in result.warnings:
        yield from w.evidence
    for line in result.claim_lines:
        yield from line.evidence
    if result.em_service:
        yield from result.em_service.evidence
    yield from result.mentions


def assert_offsets(result: NoteResult, text: str) -> None:
    """The contract invariant: text[start:end] equals every evidence span."""
    for ev in all_evidence(result):
        assert 0 <= ev.start <= ev.end <= len(text), ev
        assert text[ev.start : ev.end] == ev.text, (ev, text[ev.start : ev.end])


def injected(result_or_findings) -> set[tuple[str, str]]:
    """(muscle, side) pairs injected."""
    return {(m.muscle, m.side) for m in result_or_findings.injected_muscles}
