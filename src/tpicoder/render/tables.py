"""Flat tables: one row per note, for spreadsheets and the review index.

The CLI's ``--format csv`` and ``tpicoder review``'s ``index.csv`` both use :func:`flat_row`,
:data:`CSV_COLUMNS` and :func:`write_csv`, so a spreadsheet made from either has the same columns.
Multi-valued cells (codes, muscles, warnings) are joined with :data:`LIST_SEPARATOR`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from tpicoder.schema import ClaimLine, NoteResult, Quantity, Substance

LIST_SEPARATOR = "; "
"""Joins the values of a multi-valued cell."""

CSV_COLUMNS: tuple[str, ...] = (
    "note_id",
    "status",
    "procedure",
    "cpt_codes",
    "hcpcs_codes",
    "modifiers",
    "units",
    "claim",
    "muscle_count",
    "muscles",
    "substances",
    "prior_treatments",
    "diagnosis_codes",
    "invalid_diagnosis_codes",
    "guidance",
    "em_code",
    "em_modifier_25",
    "warning_codes",
    "errors",
    "warnings",
    "info",
    "payer",
    "date_of_service",
    "patient_id",
)
"""Column order of the flat table; every key :func:`flat_row` returns, in this order."""

# Cells starting with these characters are read as formulas by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

STATUS_HOLD = "hold"
"""At least one error: do not submit the claim as it stands (CONTRACT: severity ``error``)."""
STATUS_REVIEW = "review"
"""No error, but documentation warnings a coder should read."""
STATUS_OK = "ok"
"""No error and no warning (``info`` notes may remain)."""


def note_status(result: NoteResult) -> str:
    """Classify a note for triage: ``hold``, ``review`` or ``ok``.

    Args:
        result: The analysed note.

    Returns:
        ``hold`` when any warning has severity ``error``, ``review`` when any has severity
        ``warning``, ``ok`` otherwise.

    """
    severities = {w.severity for w in result.warnings}
    if "error" in severities:
        return STATUS_HOLD
    if "warning" in severities:
        return STATUS_REVIEW
    return STATUS_OK


def format_number(value: float) -> str:
    """Format a dose or volume without a trailing ``.0`` (``40.0`` -> ``40``, ``0.5`` -> ``0.5``).

    Args:
        value: The number.

    Returns:
        The shortest faithful decimal text.

    """
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"


def format_quantity(quantity: Quantity | None) -> str:
    """Format a quantity as ``"40 mg"``; empty text when there is none.

    Args:
        quantity: The quantity, or None.

    Returns:
        Value and unit separated by a space.

    """
    if quantity is None:
        return ""
    return f"{format_number(quantity.value)} {quantity.unit}"


def format_substance(substance: Substance) -> str:
    """Describe one injectate as ``"lidocaine 1% 4 mL"``.

    Args:
        substance: The substance given.

    Returns:
        The id followed by whatever of concentration, dose and volume the note documents.

    """
    parts = [substance.substance, substance.concentration or "", format_quantity(substance.dose)]
    parts.append(format_quantity(substance.volume))
    return " ".join(p for p in parts if p)


def format_claim_line(line: ClaimLine) -> str:
    """Describe one claim line as ``"99213-25 x1"``.

    Args:
        line: The claim line.

    Returns:
        Code, modifiers joined with ``-`` and the unit count.

    """
    code = "-".join([line.code, *line.modifiers])
    return f"{code} x{line.units}"


def is_cpt_code(code: str) -> bool:
    """Tell CPT (five digits, e.g. 20553, 76942, 99213) from HCPCS Level II codes (e.g. J3301).

    Args:
        code: A procedure or supply code.

    Returns:
        True for a five-digit numeric CPT code.

    """
    return len(code) == 5 and code.isdigit()


def _join(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(v for v in values if v)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _em_modifier_25(result: NoteResult) -> str:
    """``yes``/``no`` when an E/M is documented, empty when none is (gold ``em_modifier_25: null``)."""
    em = result.em_service
    if em is None or not em.documented:
        return ""
    if em.code is not None:
        for line in result.claim_lines:
            if line.code == em.code:
                return "yes" if "25" in line.modifiers else "no"
    return "yes" if em.separately_identifiable else "no"


def flat_row(result: NoteResult) -> dict[str, str | int]:
    """Flatten one result into a spreadsheet row.

    Args:
        result: The analysed note.

    Returns:
        A dict with exactly the keys of :data:`CSV_COLUMNS`, in that order. Text cells hold
        snake_case ids as in CONTRACT.md; multi-valued cells are joined with ``"; "``; counts are ints.

    """
    lines = result.claim_lines
    severities = [w.severity for w in result.warnings]
    meta = result.meta
    row: dict[str, str | int] = {
        "note_id": result.note_id or "",
        "status": note_status(result),
        "procedure": result.procedure,
        "cpt_codes": _join(_unique(line.code for line in lines if is_cpt_code(line.code))),
        "hcpcs_codes": _join(_unique(line.code for line in lines if not is_cpt_code(line.code))),
        "modifiers": _join("-".join([line.code, *line.modifiers]) for line in lines if line.modifiers),
        "units": _join(f"{line.code}={line.units}" for line in lines),
        "claim": _join(format_claim_line(line) for line in lines),
        "muscle_count": len(result.injected_muscles),
        "muscles": _join(f"{m.muscle} ({m.side})" for m in result.injected_muscles),
        "substances": _join(format_substance(s) for s in result.substances),
        "prior_treatments": _join(
            t.treatment if t.outcome == "unknown" else f"{t.treatment} ({t.outcome})"
            for t in result.prior_treatments
        ),
        "diagnosis_codes": _join(_unique(d.code or "" for d in result.diagnoses)),
        "invalid_diagnosis_codes": _join(_unique(d.code or "" for d in result.diagnoses if d.valid is False)),
        "guidance": result.guidance or "",
        "em_code": (result.em_service.code or "") if result.em_service else "",
        "em_modifier_25": _em_modifier_25(result),
        "warning_codes": _join(_unique(w.code for w in result.warnings)),
        "errors": severities.count("error"),
        "warnings": severities.count("warning"),
        "info": severities.count("info"),
        "payer": meta.payer if meta else "",
        "date_of_service": (meta.date_of_service or "") if meta else "",
        "patient_id": (meta.patient_id or "") if meta else "",
    }
    return row


def _safe_cell(value: str | int) -> str | int:
    """Keep spreadsheets from evaluating a cell as a formula (OWASP CSV injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(
    rows: Iterable[Mapping[str, str | int]],
    handle: TextIO,
    *,
    columns: Sequence[str] = CSV_COLUMNS,
    header: bool = True,
) -> int:
    """Write rows as CSV, streaming (rows may be a generator).

    Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``)
    are prefixed with an apostrophe. Open ``handle`` with ``newline=""`` as the csv module asks.

    Args:
        rows: Rows such as :func:`flat_row` returns; keys missing from a row are written empty.
        handle: A text file opened for writing.
        columns: Column order; defaults to :data:`CSV_COLUMNS`. Keys outside it are an error.
        header: Whether to write the header line first (False when appending to a started file).

    Returns:
        The number of data rows written.

    """
    writer = csv.DictWriter(handle, fieldnames=list(columns), restval="", extrasaction="raise")
    if header:
        writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: _safe_cell(value) for key, value in row.items()})
        count += 1
    return count
