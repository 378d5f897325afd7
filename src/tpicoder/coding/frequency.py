"""Frequency limits across the notes of one patient (FREQUENCY_EXCEEDED).

The limit (sessions per rolling window, and which procedures count) is the payer profile's
``frequency`` block; the rule is the ``history``-scope rule of ``rules.yaml``.
"""

from __future__ import annotations

import os
from datetime import date, datetime

from tpicoder.coding.bundle import load_bundle
from tpicoder.coding.engine import evaluate, render_warnings
from tpicoder.coding.predicates import HistoryContext, evaluate_predicates
from tpicoder.schema import Warning

Visit = tuple[str, str | None, str | None, str]
"""(note_id, patient_id, date of service as ISO text, procedure as in NoteResult.procedure)."""


def parse_date(text: str | None) -> date | None:
    """Parse an ISO date (or the date part of an ISO date-time); None when absent or unreadable."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        return None


def check_frequency(
    visits: list[Visit], *, payer: str = "cms", lexicons_dir: str | os.PathLike[str] | None = None
) -> dict[str, list[Warning]]:
    """Flag sessions beyond the payer's limit of sessions per rolling window.

    Visits are grouped by patient; notes of one patient on one date are one session. A session is
    flagged when the earlier sessions less than ``window_days`` days before it already reach the limit,
    so with 3 per 365 days the 4th session inside a year is the first flagged. Visits with no patient id,
    no readable date, or a procedure the payer does not count are ignored.

    Args:
        visits: (note_id, patient_id, date_of_service ISO, procedure) tuples.
        payer: payer profile id.
        lexicons_dir: lexicon folder override.

    Returns:
        FREQUENCY_EXCEEDED warnings keyed by note id, only for the notes flagged (evidence is empty; the
        message names the earlier dates).

    Raises:
        UnknownPayerError: no such payer profile.

    """
    bundle = load_bundle(payer, lexicons_dir)
    policy = bundle.payer.frequency
    rules = bundle.rules_for("history")
    sessions: dict[str, dict[date, list[str]]] = {}
    for note_id, patient_id, dos_text, procedure in visits:
        day = parse_date(dos_text)
        if not patient_id or day is None or procedure not in policy.counts_procedures:
            continue
        sessions.setdefault(patient_id, {}).setdefault(day, []).append(note_id)

    flagged: dict[str, list[Warning]] = {}
    for patient_id, by_day in sessions.items():
        days = sorted(by_day)
        for day in days:
            earlier = [d for d in days if d < day and (day - d).days < policy.window_days]
            context = HistoryContext(
                note_ids=by_day[day],
                patient_id=patient_id,
                dos=day,
                earlier=earlier,
                policy=policy,
                payer=bundle.payer,
                bundle=bundle,
            )
            hits = evaluate(rules, evaluate_predicates(context, "history"))
            warnings = render_warnings(
                hits, bundle.rules, bundle.warnings, {"payer": bundle.payer.name, "dos": day.isoformat()}
            )
            if warnings:
                for note_id in by_day[day]:
                    flagged.setdefault(note_id, []).extend(warnings)
    return flagged
