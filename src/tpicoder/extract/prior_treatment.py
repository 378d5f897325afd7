"""Outcome and duration of prior treatments (pure functions over hit records)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tpicoder.extract.extensions import Hit
from tpicoder.extract.nearest import NearestIndex


def bind_outcomes(
    treatments: list[Hit], outcomes: list[Hit], sent_ids: Sequence[int], *, max_gap: int
) -> None:
    """Give each treatment the nearest outcome cue of its sentence (``attrs['outcome']``)."""
    index = NearestIndex(outcomes)
    for t in treatments:
        best = index.nearest(t, sent_ids, max_gap)
        t.attrs = {**t.attrs, "outcome": best.norm if best else "unknown", "outcome_hit": best}


_FOLLOW_UP = re.compile(r"(?i)\b(?:rtc|f/u|follow[\s-]*up|return|recheck|reassess|see)\b")


def bind_durations(
    text: str,
    treatments: list[Hit],
    sentence_bounds: dict[int, tuple[int, int]],
    pattern: re.Pattern[str],
    *,
    max_chars: int,
) -> None:
    """Give each treatment the nearest duration phrase of its sentence (``attrs['duration']``)."""
    cache: dict[int, list[re.Match[str]]] = {}
    for t in treatments:
        lo, hi = sentence_bounds.get(t.sent, (t.start, t.end))
        if t.sent not in cache:  # scan each sentence once, however many treatments it names
            cache[t.sent] = list(pattern.finditer(text, lo, hi))
        found = cache[t.sent]
        best, best_d = None, None
        for m in found:
            d = m.start() - t.end if m.start() >= t.end else t.start - m.end()
            # A duration before the treatment must lead straight into it ("8 weeks of PT").
            if d < 0 or d > max_chars or (m.end() <= t.start and d > len(" of ")):
                continue
            # "continue home stretching; RTC 6 wk": a later clause's interval is no treatment's length.
            if m.start() >= t.end and (
                ";" in text[t.end : m.start()]
                or _FOLLOW_UP.search(text, max(t.end, m.start() - 12), m.start())
            ):
                continue
            if best_d is None or d < best_d:
                best, best_d = m, d
        t.attrs = {
            **t.attrs,
            "duration": " ".join(best.group(0).split()) if best else None,
            "duration_span": (best.start(), best.end()) if best else None,
        }


def mark_details(
    treatments: list[Hit],
    tokens: Sequence[str],
    sent_ids: Sequence[int],
    *,
    detail_ids: frozenset[str],
    markers: frozenset[str],
    max_gap: int,
    exempt: frozenset[str] = frozenset(),
) -> None:
    """Mark treatments named as part of an earlier one ("PT (…, pec stretching)") in ``attrs['detail_of']``.

    Names in ``exempt`` ("home exercise program", "HEP") are treatments of their own wherever they stand.

    A treatment whose id is in ``detail_ids`` is a detail when, in the same sentence and within
    ``max_gap`` tokens before it, a marker ("(", "including") follows another treatment mention, and no
    ")" closes the parenthesis in between.
    """
    ordered = sorted(treatments, key=lambda h: h.tok_start)
    for i, t in enumerate(ordered):
        if t.norm not in detail_ids or (t.alias or "") in exempt:
            continue
        for prev in reversed(ordered[:i]):
            if sent_ids[prev.tok_start] != sent_ids[t.tok_start] or t.tok_start - prev.tok_end > max_gap:
                break
            if prev.norm == t.norm:
                continue
            between = [tokens[k].lower() for k in range(prev.tok_end, t.tok_start)]
            if ";" in between:  # "massage with partial improvement; ice packs at home"
                break
            opens = [k for k, w in enumerate(between) if w in markers]
            if opens and ")" not in between[opens[0] :]:
                t.attrs = {**t.attrs, "detail_of": prev.norm}
                break


# Tokens that join the treatments of one list ("chiropractic adjustments and massage", "PT, chiro, NSAIDs").
# Sections that recount care already had; elsewhere "continue X" may be today's advice.
_RECOUNTING_SECTIONS = frozenset({"history", "medications", "indication"})
TREATMENT_LIST_SEP = frozenset({",", "and", "or", "/", "+", "&", "as", "well", "plus"})


def share_list_assertion(
    treatments: list[Hit],
    tokens: Sequence[str],
    sent_ids: Sequence[int],
    ongoing: frozenset[str] = frozenset(),
) -> None:
    """Give a treatment with no deciding cue the historical/negated reading of the list item before it.

    "Continues weekly chiropractic adjustments and massage": the cue governs the first item; the items
    coordinated with it share it. Outside the history, an ``ongoing`` cue ("continue") is not shared:
    in "Plan: continue exercises and meloxicam, heat after work" the heat is today's advice.
    """
    ordered = sorted(treatments, key=lambda h: h.tok_start)
    for prev, t in zip(ordered, ordered[1:], strict=False):
        if (
            t.cue is None
            and prev.cue is not None
            and prev.assertion in ("historical", "negated")
            and not (prev.cue.rule_id in ongoing and t.section not in _RECOUNTING_SECTIONS)
            and sent_ids[prev.tok_start] == sent_ids[t.tok_start]
            and all(
                tokens[k].lower() in TREATMENT_LIST_SEP or not tokens[k].strip()
                for k in range(prev.tok_end, t.tok_start)
            )
        ):
            t.assertion = prev.assertion
            t.cue = prev.cue
