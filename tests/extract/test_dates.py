"""Date reading: the regex reader gives exactly what ``datetime.strptime`` gives for the same formats."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpicoder.extract import dates
from tpicoder.extract.dates import dates_in, latest_date, parse_date


def _reference(clean: str) -> str | None:
    """The reader as it was written first: each format in turn through ``strptime``."""
    for fmt in dates._DATE_FORMATS:
        try:
            parsed = datetime.strptime(clean, fmt).date()
        except ValueError:
            continue
        if dates._EARLIEST <= parsed <= dates._LATEST:
            return parsed.isoformat()
    return None


def _fast(clean: str) -> str | None:
    parsed = dates._read(clean)
    return parsed.isoformat() if parsed and dates._EARLIEST <= parsed <= dates._LATEST else None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("03/14/2026", "2026-03-14"),
        ("3/4/26", "2026-03-04"),
        ("03-14-2026", "2026-03-14"),
        ("3.4.26", "2026-03-04"),
        ("2026-02-03", "2026-02-03"),
        ("2026/1/2", "2026-01-02"),
        ("Jan 5, 2026", "2026-01-05"),
        ("Sept. 3, 2025", "2025-09-03"),
        ("March 3rd, 2026", "2026-03-03"),
        ("5 September 2026", "2026-09-05"),
        ("02/30/2026", None),  # no such day
        ("13/01/2026", None),  # no month 13
        ("3/4-26", None),  # mixed separators
        ("01/01/1985", None),  # before any plausible date of service
        ("Marc 3 2025", None),
        ("", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_dates_in_and_latest():
    text = "Seen 03/10/2026; last TPI on 2026-01-22 and November 4, 2025."
    assert dates_in(text) == {"2026-03-10", "2026-01-22", "2025-11-04"}
    assert latest_date(text) == "2026-03-10"
    assert latest_date("no dates here") is None


_PIECES = st.sampled_from(
    ["1", "01", "12", "13", "3", "30", "31", "29", "00", "26", "69", "2026", "1999", "1985", "2101", "0"]
    + ["/", "-", ".", " ", "  "]
    + ["Jan", "jan", "JAN", "Sep", "September", "sept", "Feb", "february", "May", "Mayo", "Dec"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=6).map("".join))
def test_reader_agrees_with_strptime(clean):
    assert _fast(clean) == _reference(clean)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(),
    st.sampled_from(dates._DATE_FORMATS),
)
def test_reader_agrees_with_strptime_on_written_dates(day, fmt):
    clean = day.strftime(fmt)
    assert _fast(clean) == _reference(clean)
