"""Dates as written in notes ("03/14/2026", "Jan 5, 2026", "2026-02-03"), read to ISO (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime

# Earliest and latest plausible dates of service; anything else is a misread number.
_EARLIEST, _LATEST = date(1990, 1, 1), date(2100, 1, 1)
_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%m-%d-%Y",
    "%m-%d-%y",
    "%m.%d.%Y",
    "%m.%d.%y",
    "%Y-%m-%d",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y/%m/%d",
)


def parse_date(text: str) -> str | None:
    """Read an ISO date from the many header formats ("03/14/2026", "Jan 5, 2026", "2026-02-03")."""
    clean = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().replace(",", " "))
    clean = re.sub(r"\.(?=\s)", "", clean)
    clean = " ".join(clean.split())
    clean = clean.replace("Sept ", "Sep ").replace("sept ", "sep ")
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(clean, fmt).date()
        except ValueError:
            continue
        if _EARLIEST <= parsed <= _LATEST:
            return parsed.isoformat()
    return None


_NUMERIC_DATE = re.compile(
    r"\d{1,2}/\d{1,2}/\d{2,4}|\b(?:19|20)\d\d-[01]\d-[0-3]\d\b"
    r"|(?i:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+"
    r"\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d\b)"
)


def dates_in(text: str) -> set[str]:
    """Return the ISO dates written in ``text`` ("on 03/10/2026", "2026-01-22", "November 4, 2025")."""
    return {d for d in (parse_date(m) for m in _NUMERIC_DATE.findall(text)) if d}


def latest_date(text: str) -> str | None:
    """Return the latest numeric date written in ``text`` (the visit, when a note has no DOS field)."""
    found = dates_in(text)
    return max(found) if found else None
