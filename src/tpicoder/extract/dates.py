"""Dates as written in notes ("03/14/2026", "Jan 5, 2026", "2026-02-03"), read to ISO (pure)."""

from __future__ import annotations

import re
from datetime import date

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
"""The formats read, in the order tried; ``parse_date`` gives what ``datetime.strptime`` would.

``strptime`` itself looks up the locale on every call (about 70 us), which made date reading a
tenth of the pipeline's time; the regexes below read the same formats without it.
"""

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)} | {
    name: i for i, name in enumerate(_MONTH_NAMES, 1)
}
# strptime's own field patterns (CPython _strptime.TimeRE): %m and %d take one or two digits (or a
# space and one digit for %d), %Y four, %y two.
_M = r"(1[0-2]|0[1-9]|[1-9])"
_D = r"(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])"
_MDY = re.compile(_M + r"([/.-])" + _D + r"\2(\d\d\d\d|\d\d)")
_YMD = re.compile(r"(\d\d\d\d)([/-])" + _M + r"\2" + _D)
_NAMED_MONTH = r"([a-z]+)"
_MONTH_FIRST = re.compile(_NAMED_MONTH + r"\s+" + _D + r"\s+(\d\d\d\d)", re.IGNORECASE)
_DAY_FIRST = re.compile(_D + r"\s+" + _NAMED_MONTH + r"\s+(\d\d\d\d)", re.IGNORECASE)


def _two_digit_year(value: str) -> int:
    # POSIX and strptime: 69-99 are 1969-1999, 00-68 are 2000-2068.
    year = int(value)
    return year + (1900 if year >= 69 else 2000)


def _read(clean: str) -> date | None:
    """Read ``clean`` by the first of ``_DATE_FORMATS`` that fits it whole, as strptime would."""
    fields: tuple[int, int, int] | None = None
    if m := _MDY.fullmatch(clean):
        year = m.group(4)
        fields = (int(year) if len(year) == 4 else _two_digit_year(year), int(m.group(1)), int(m.group(3)))
    elif m := _YMD.fullmatch(clean):
        fields = (int(m.group(1)), int(m.group(3)), int(m.group(4)))
    elif (m := _MONTH_FIRST.fullmatch(clean)) and m.group(1).lower() in _MONTHS:
        fields = (int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    elif (m := _DAY_FIRST.fullmatch(clean)) and m.group(2).lower() in _MONTHS:
        fields = (int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    if fields is None:
        return None
    try:
        return date(*fields)
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """Read an ISO date from the many header formats ("03/14/2026", "Jan 5, 2026", "2026-02-03")."""
    clean = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().replace(",", " "))
    clean = re.sub(r"\.(?=\s)", "", clean)
    clean = " ".join(clean.split())
    clean = clean.replace("Sept ", "Sep ").replace("sept ", "sep ")
    parsed = _read(clean)
    if parsed is not None and _EARLIEST <= parsed <= _LATEST:
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
