"""FREQUENCY_EXCEEDED across a patient's notes, per payer profile."""

from __future__ import annotations

import pytest

from tpicoder.coding import check_frequency
from tpicoder.errors import UnknownPayerError

TPI = "trigger_point_injection"


def visits(*dates: str, patient: str | None = "p1", procedure: str = TPI):
    return [(f"n{i}", patient, day, procedure) for i, day in enumerate(dates, 1)]


# (visits, payer, flagged note ids)
CASES = [
    pytest.param(visits("2024-01-01", "2024-03-01", "2024-06-01"), "cms", [], id="three-in-a-year-ok"),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01"),
        "cms",
        ["n4"],
        id="fourth-in-a-year-flagged",
    ),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01", "2024-10-01"),
        "cms",
        ["n4", "n5"],
        id="every-session-beyond-limit",
    ),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2025-01-01"), "cms", [], id="oldest-left-the-window"
    ),
    pytest.param(
        visits("2024-09-01", "2024-01-01", "2024-06-01", "2024-03-01"),
        "cms",
        ["n1"],
        id="input-order-does-not-matter",
    ),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01"),
        "commercial_example",
        [],
        id="commercial-allows-four",
    ),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01", "2024-11-01"),
        "commercial_example",
        ["n5"],
        id="commercial-fifth-flagged",
    ),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01", procedure="dry_needling"),
        "cms",
        [],
        id="dry-needling-not-counted",
    ),
    pytest.param(
        visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01", patient=None),
        "cms",
        [],
        id="no-patient-skipped",
    ),
    pytest.param(
        [
            ("a", "p1", "2024-01-01", TPI),
            ("b", "p1", "2024-03-01", TPI),
            ("c", "p2", "2024-06-01", TPI),
            ("d", "p2", "2024-09-01", TPI),
        ],
        "cms",
        [],
        id="patients-kept-apart",
    ),
    pytest.param(
        [
            ("a", "p1", "2024-01-01", TPI),
            ("b", "p1", "2024-03-01", TPI),
            ("c", "p1", "2024-03-01", TPI),
            ("d", "p1", "2024-06-01", TPI),
            ("e", "p1", "not a date", TPI),
            ("f", "p1", None, TPI),
        ],
        "cms",
        [],
        id="same-day-notes-one-session-bad-dates-skipped",
    ),
]


@pytest.mark.parametrize(("given", "payer", "flagged"), CASES)
def test_frequency_limit(given, payer, flagged):
    result = check_frequency(given, payer=payer)
    assert sorted(result) == sorted(flagged)
    for warnings in result.values():
        assert [w.code for w in warnings] == ["FREQUENCY_EXCEEDED"]
        assert warnings[0].rule_id == "FREQ-001"
        assert warnings[0].evidence == []


def test_frequency_message_names_earlier_dates_and_limit():
    result = check_frequency(visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01"))
    message = result["n4"][0].message
    for day in ("2024-01-01", "2024-03-01", "2024-06-01"):
        assert day in message
    assert "at most 3" in message and "session 4" in message


def test_same_day_notes_share_the_warning():
    given = visits("2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01") + [
        ("n4b", "p1", "2024-09-01", TPI)
    ]
    assert sorted(check_frequency(given)) == ["n4", "n4b"]


def test_unknown_payer_lists_profiles():
    with pytest.raises(UnknownPayerError, match="cms.*commercial_example|commercial_example.*cms"):
        check_frequency([], payer="aetna")
