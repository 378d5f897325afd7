"""Diagnoses: code validity on the date of service, headers, phrase hints, regions, specificity."""

from __future__ import annotations

from datetime import date

import pytest

from tpicoder.coding import code_findings, load_bundle
from tpicoder.coding.diagnosis import match_phrase, normalize_code

from .conftest import good_findings, rule_ids, warning_codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("M79.18", "M79.18", id="already-normal"),
        pytest.param("m79.18", "M79.18", id="lower-case"),
        pytest.param("M7918", "M79.18", id="dot-missing"),
        pytest.param(" M54.5. ", "M54.5", id="spaces-and-trailing-dot"),
        pytest.param("R52", "R52", id="three-characters"),
        pytest.param("S16.1XXA", "S16.1XXA", id="seventh-character"),
    ],
)
def test_normalize_code(raw, expected):
    assert normalize_code(raw) == expected


# (code, date of service, expected valid, expected replacements subset)
VALIDITY_CASES = [
    pytest.param("M79.18", "2025-01-15", True, [], id="M79.18-valid"),
    pytest.param("M79.12", "2022-10-01", True, [], id="M79.12-valid-from-split"),
    pytest.param("M79.18", "2022-09-30", False, [], id="M79.18-before-split-invalid"),
    pytest.param("M79.1", "2022-09-30", True, [], id="M79.1-valid-before-split"),
    pytest.param(
        "M79.1", "2022-10-01", False, ["M79.10", "M79.11", "M79.12", "M79.18"], id="M79.1-header-after-split"
    ),
    pytest.param("M54.5", "2021-09-30", True, [], id="M54.5-valid-until-2021-09-30"),
    pytest.param(
        "M54.5", "2021-10-01", False, ["M54.50", "M54.51", "M54.59"], id="M54.5-invalid-from-2021-10-01"
    ),
    pytest.param("M54.50", "2025-01-15", True, [], id="M54.50-valid"),
    pytest.param("M79.6", "2025-01-15", False, ["M79.601", "M79.609"], id="M79.6-header"),
    pytest.param("M54.1", "2025-01-15", False, ["M54.12", "M54.16"], id="M54.1-header"),
    pytest.param("M62.83", "2025-01-15", False, ["M62.830", "M62.838"], id="M62.83-header"),
    pytest.param("M25.51", "2025-01-15", False, ["M25.511", "M25.512", "M25.519"], id="M25.51-header"),
    pytest.param("M54.3", "2025-01-15", False, ["M54.30", "M54.31", "M54.32"], id="M54.3-header"),
    pytest.param("M54.4", "2025-01-15", False, ["M54.40", "M54.41", "M54.42"], id="M54.4-header"),
    pytest.param("G44.2", "2025-01-15", False, ["G44.209", "G44.229"], id="G44.2-header"),
    pytest.param("G44.20", "2025-01-15", False, ["G44.201", "G44.209"], id="G44.20-header"),
    pytest.param("G44.21", "2025-01-15", False, ["G44.211", "G44.219"], id="G44.21-header"),
    pytest.param("G44.22", "2025-01-15", False, ["G44.221", "G44.229"], id="G44.22-header"),
    pytest.param("G44.229", "2025-01-15", True, [], id="G44.229-valid"),
    pytest.param("R51", "2021-01-01", False, ["R51.9"], id="R51-deleted-2020"),
    pytest.param("M47.8", "2025-01-15", False, ["M47.812", "M47.816"], id="header-inferred-from-children"),
    pytest.param("S16.1", "2025-01-15", False, ["S16.1XXA"], id="injury-needs-seventh-character"),
]


@pytest.mark.parametrize(("code", "dos", "valid", "replacements"), VALIDITY_CASES)
def test_code_validity_on_date_of_service(note, code, dos, valid, replacements):
    findings = good_findings(note, diagnoses=[note.diagnosis("diagnosis", code)], date_of_service=dos)
    result = code_findings(findings)
    assert result.diagnoses[0].valid is valid
    invalid = [w for w in result.warnings if w.code == "DIAGNOSIS_CODE_INVALID"]
    assert len(invalid) == (0 if valid else 1)
    if not valid:
        assert invalid[0].severity == "error"
        assert invalid[0].evidence == findings.diagnoses[0].evidence
        assert code in invalid[0].message
        for replacement in replacements:
            assert replacement in invalid[0].message


def test_unknown_code_is_not_judged(note):
    result = code_findings(
        good_findings(note, diagnoses=[note.diagnosis("long term drug therapy", "Z79.899")])
    )
    assert result.diagnoses[0].valid is None
    assert "DIAGNOSIS_CODE_INVALID" not in warning_codes(result)


def test_code_is_normalised_in_output(note):
    result = code_findings(good_findings(note, diagnoses=[note.diagnosis("myalgia", "m7918")]))
    assert (result.diagnoses[0].code, result.diagnoses[0].valid) == ("M79.18", True)
    assert result.diagnoses[0].description == "Myalgia, other site"


def test_invalid_code_judged_on_today_without_date(note):
    result = code_findings(
        good_findings(note, diagnoses=[note.diagnosis("low back pain", "M54.5")], date_of_service=None)
    )
    assert result.diagnoses[0].valid is False
    assert result.trace["date_of_service_source"] == "today"
    assert result.trace["date_of_service"] == date.today().isoformat()


def test_several_invalid_codes_one_error_each(note):
    dx = [note.diagnosis("myalgia", "M79.1"), note.diagnosis("lbp", "M54.5")]
    result = code_findings(good_findings(note, diagnoses=dx))
    assert [w.rule_id for w in result.warnings].count("DX-INVALID-001") == 2


# (diagnosis text, muscles, expected inferred code or None)
PHRASE_CASES = [
    pytest.param("Myofascial pain syndrome", [("trapezius", "left")], "M79.12", id="myofascial-neck-M79.12"),
    pytest.param("myofascial pain", [("masseter", "left")], "M79.11", id="myofascial-jaw-M79.11"),
    pytest.param("myofascial pain", [("gluteus_medius", "left")], "M79.18", id="myofascial-gluteal-M79.18"),
    pytest.param(
        "myofascial pain",
        [("trapezius", "left"), ("gluteus_medius", "left")],
        "M79.18",
        id="myofascial-mixed-M79.18",
    ),
    pytest.param("Low back pain", [("quadratus_lumborum", "left")], "M54.50", id="low-back-pain-M54.50"),
    pytest.param(
        "chronic tension-type headache", [("trapezius", "left")], "G44.229", id="chronic-tth-G44.229"
    ),
    pytest.param("neck pain", [("trapezius", "left")], "M54.2", id="neck-pain-M54.2"),
    pytest.param("hip pain", [("gluteus_medius", "left")], None, id="unknown-phrase-no-code"),
    pytest.param("pain", [("trapezius", "left")], None, id="vague-pain-no-code"),
]


@pytest.mark.parametrize(("text", "muscles", "expected"), PHRASE_CASES)
def test_phrase_hint_infers_code(note, text, muscles, expected):
    injected = [note.muscle(m, s) for m, s in muscles]
    result = code_findings(good_findings(note, injected_muscles=injected, diagnoses=[note.diagnosis(text)]))
    dx = result.diagnoses[0]
    assert dx.code == expected
    assert dx.inferred is (expected is not None)
    assert dx.text == text
    if expected:
        assert dx.valid is True


def test_inferred_code_must_be_valid_on_date(note):
    # G44.86 (cervicogenic headache) starts 2022-10-01: no inference for an older date of service.
    result = code_findings(
        good_findings(note, diagnoses=[note.diagnosis("cervicogenic headache")], date_of_service="2021-05-01")
    )
    assert result.diagnoses[0].code is None


def test_longest_phrase_wins():
    phrases = load_bundle("cms").phrases
    assert match_phrase("chronic tension type headache", phrases).id == "chronic_tension_headache"
    assert match_phrase("Pain", phrases).id == "vague_pain"
    assert match_phrase("left hip pain", phrases) is None


# (diagnoses as (text, code), muscles, expect DIAGNOSIS_NONSPECIFIC)
NONSPECIFIC_CASES = [
    pytest.param([("pain", None)], True, id="pain-alone-vague"),
    pytest.param([("pain, unspecified", "R52")], True, id="R52-alone-vague"),
    pytest.param([("other chronic pain", "G89.29")], True, id="G89.29-alone-vague"),
    pytest.param([("pain", "R52"), ("chronic pain", "G89.29")], True, id="only-vague-codes"),
    pytest.param([("pain", "R52"), ("myalgia", "M79.12")], False, id="one-specific-is-enough"),
    pytest.param([("cervicalgia", "M54.2")], True, id="site-pain-alone-is-nonspecific"),
    pytest.param([("upper back pain", None)], True, id="uncoded-site-pain-alone-is-nonspecific"),
    pytest.param([("back pain", None)], True, id="uncoded-back-pain-alone-is-nonspecific"),
    pytest.param(
        [("cervicalgia", "M54.2"), ("muscle spasm", "M62.838")], False, id="site-pain-with-disorder"
    ),
    pytest.param(
        [("cervicalgia", "M54.2"), ("myofascial pain", None)], False, id="site-pain-with-myofascial"
    ),
    pytest.param([("something odd", None)], False, id="unknown-text-is-not-vague"),
    pytest.param([("odd", "Z99.89")], False, id="unknown-code-is-not-vague"),
]


@pytest.mark.parametrize(("diagnoses", "expected"), NONSPECIFIC_CASES)
def test_diagnosis_nonspecific(note, diagnoses, expected):
    dx = [note.diagnosis(text, code) for text, code in diagnoses]
    result = code_findings(good_findings(note, diagnoses=dx))
    assert ("DIAGNOSIS_NONSPECIFIC" in warning_codes(result)) is expected


# (diagnoses, muscles, expect DIAGNOSIS_SITE_MISMATCH)
SITE_CASES = [
    pytest.param([("low back pain", "M54.50")], [("trapezius", "left")], True, id="low-back-dx-neck-muscle"),
    pytest.param([("cervicalgia", "M54.2")], [("gastrocnemius", "left")], True, id="neck-dx-calf-muscle"),
    pytest.param([("cervicalgia", "M54.2")], [("trapezius", "left")], False, id="neck-dx-neck-muscle"),
    pytest.param(
        [("cervicalgia", "M54.2")], [("rhomboid_major", "left")], False, id="neck-adjoins-upper-back"
    ),
    pytest.param([("shoulder pain", "M25.512")], [("trapezius", "left")], False, id="shoulder-adjoins-neck"),
    pytest.param(
        [("tension headache", "G44.209")], [("trapezius", "left")], False, id="headache-with-neck-muscles"
    ),
    pytest.param(
        [("myalgia", "M79.18")], [("gastrocnemius", "left")], False, id="any-site-code-never-mismatches"
    ),
    pytest.param(
        [("cervicalgia", "M54.2")], [("multifidus", "left")], False, id="spinal-muscle-spans-regions"
    ),
    pytest.param(
        [("low back pain", "M54.50"), ("cervicalgia", "M54.2")],
        [("trapezius", "left")],
        False,
        id="one-match-enough",
    ),
    pytest.param(
        [("low back pain", "M54.50"), ("something", None)],
        [("trapezius", "left")],
        False,
        id="unknown-region-blocks",
    ),
    pytest.param(
        [("low back pain", "M54.5")], [("trapezius", "left")], True, id="invalid-code-still-has-region"
    ),
]


@pytest.mark.parametrize(("diagnoses", "muscles", "expected"), SITE_CASES)
def test_diagnosis_site_mismatch(note, diagnoses, muscles, expected):
    injected = [note.muscle(m, s) for m, s in muscles]
    dx = [note.diagnosis(text, code) for text, code in diagnoses]
    result = code_findings(good_findings(note, injected_muscles=injected, diagnoses=dx))
    assert ("DX-SITE-001" in rule_ids(result)) is expected


def test_site_mismatch_needs_a_named_muscle(note):
    result = code_findings(
        good_findings(note, injected_muscles=[], diagnoses=[note.diagnosis("low back pain", "M54.50")])
    )
    assert "DIAGNOSIS_SITE_MISMATCH" not in warning_codes(result)


@pytest.mark.parametrize(
    ("payer", "code", "covered"),
    [
        pytest.param("cms", "M79.12", True, id="cms-lcd-list-covers-M79.12"),
        pytest.param("cms", "G44.229", True, id="cms-lcd-list-covers-G44.229"),
        pytest.param("cms", "M54.2", False, id="cms-lcd-list-lacks-M54.2"),
        pytest.param("commercial_example", "M54.2", None, id="commercial-no-list"),
    ],
)
def test_payer_covered_list_in_trace(note, payer, code, covered):
    result = code_findings(good_findings(note, diagnoses=[note.diagnosis("dx", code)]), payer=payer)
    assert result.trace["diagnoses"][0]["covered_by_payer_list"] is covered


def test_lcd_covered_list_is_exactly_the_ten_codes():
    icd = load_bundle("cms").icd
    covered = sorted(c.code for c in icd.table.codes if "lcd_2024_tpi" in c.covered_in)
    assert covered == sorted(
        [
            "G44.201",
            "G44.209",
            "G44.211",
            "G44.219",
            "G44.221",
            "G44.229",
            "M79.10",
            "M79.11",
            "M79.12",
            "M79.18",
        ]
    )


@pytest.mark.parametrize(
    "code",
    [
        "M54.5",
        "M79.1",
        "M79.6",
        "M54.1",
        "M62.83",
        "M25.51",
        "M54.3",
        "M54.4",
        "G44.2",
        "G44.20",
        "G44.21",
        "G44.22",
    ],
)
def test_common_invalid_headers_are_in_the_table_and_not_billable_today(code):
    record = load_bundle("cms").icd.get(code)
    assert record is not None
    assert not record.billable_on(date(2025, 1, 15))
