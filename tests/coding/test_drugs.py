"""Drug-supply lines: HCPCS code by date of service, units, bundling, JW/JZ notes."""

from __future__ import annotations

import pytest

from tpicoder.coding import code_findings, load_bundle
from tpicoder.coding.drugs import concentration_per_ml, split_units

from .conftest import good_findings, line_codes, rule_ids, warning_codes

ROLE = {
    "triamcinolone": "corticosteroid",
    "methylprednisolone": "corticosteroid",
    "dexamethasone": "corticosteroid",
    "betamethasone": "corticosteroid",
    "ketorolac": "nsaid",
    "onabotulinumtoxina": "botulinum_toxin",
    "abobotulinumtoxina": "botulinum_toxin",
    "incobotulinumtoxina": "botulinum_toxin",
    "lidocaine": "anesthetic",
    "bupivacaine": "anesthetic",
    "ropivacaine": "anesthetic",
    "sodium_chloride": "saline",
    "sarapin": "other",
    "dextrose": "other",
}

# (substance, dose, volume, concentration, date of service, expected [(code, units)])
UNIT_CASES = [
    pytest.param(
        "triamcinolone", (40, "mg"), None, None, "2025-01-15", [("J3301", 4)], id="triamcinolone-40mg-J3301x4"
    ),
    pytest.param(
        "triamcinolone",
        (15, "mg"),
        None,
        None,
        "2025-01-15",
        [("J3301", 2)],
        id="triamcinolone-15mg-rounds-up",
    ),
    pytest.param(
        "triamcinolone",
        None,
        (1, "mL"),
        "40mg/mL",
        "2025-01-15",
        [("J3301", 4)],
        id="triamcinolone-1mL-of-40mg-per-mL",
    ),
    pytest.param(
        "triamcinolone",
        None,
        (0.5, "ml"),
        "40 mg / mL",
        "2025-01-15",
        [("J3301", 2)],
        id="triamcinolone-half-mL",
    ),
    pytest.param(
        "methylprednisolone",
        (80, "mg"),
        None,
        None,
        "2024-04-01",
        [("J1010", 80)],
        id="methylpred-80mg-J1010-from-2024-04",
    ),
    pytest.param(
        "methylprednisolone",
        (80, "mg"),
        None,
        None,
        "2024-03-31",
        [("J1040", 1)],
        id="methylpred-80mg-J1040-before",
    ),
    pytest.param(
        "methylprednisolone",
        (40, "mg"),
        None,
        None,
        "2023-06-01",
        [("J1030", 1)],
        id="methylpred-40mg-J1030-before",
    ),
    pytest.param(
        "methylprednisolone",
        (60, "mg"),
        None,
        None,
        "2023-06-01",
        [("J1030", 1), ("J1020", 1)],
        id="methylpred-60mg-split-before",
    ),
    pytest.param(
        "methylprednisolone",
        (50, "mg"),
        None,
        None,
        "2023-06-01",
        [("J1030", 1), ("J1020", 1)],
        id="methylpred-50mg-remainder-rounds-up",
    ),
    pytest.param(
        "dexamethasone", (4, "mg"), None, None, "2025-01-15", [("J1100", 4)], id="dexamethasone-4mg-J1100x4"
    ),
    pytest.param(
        "dexamethasone",
        None,
        (1, "mL"),
        "10 mg/mL",
        "2025-01-15",
        [("J1100", 10)],
        id="dexamethasone-1mL-10mg-per-mL",
    ),
    pytest.param(
        "betamethasone", (6, "mg"), None, None, "2025-01-15", [("J0702", 1)], id="betamethasone-6mg-J0702x1"
    ),
    pytest.param(
        "betamethasone", (9, "mg"), None, None, "2025-01-15", [("J0702", 2)], id="betamethasone-9mg-rounds-up"
    ),
    pytest.param(
        "ketorolac", (30, "mg"), None, None, "2025-01-15", [("J1885", 2)], id="ketorolac-30mg-J1885x2"
    ),
    pytest.param(
        "ketorolac", (60, "mg"), None, None, "2025-01-15", [("J1885", 4)], id="ketorolac-60mg-J1885x4"
    ),
    pytest.param(
        "onabotulinumtoxina",
        (100, "units"),
        None,
        None,
        "2025-01-15",
        [("J0585", 100)],
        id="botox-100u-J0585x100",
    ),
    pytest.param(
        "abobotulinumtoxina",
        (500, "U"),
        None,
        None,
        "2025-01-15",
        [("J0586", 100)],
        id="dysport-500u-J0586x100",
    ),
    pytest.param(
        "abobotulinumtoxina",
        (7, "units"),
        None,
        None,
        "2025-01-15",
        [("J0586", 2)],
        id="dysport-7u-rounds-up",
    ),
    pytest.param(
        "incobotulinumtoxina",
        (50, "units"),
        None,
        None,
        "2025-01-15",
        [("J0588", 50)],
        id="xeomin-50u-J0588x50",
    ),
    pytest.param(
        "onabotulinumtoxina",
        None,
        (2, "mL"),
        "100 units/2 mL",
        "2025-01-15",
        [("J0585", 100)],
        id="botox-from-volume",
    ),
    pytest.param(
        "triamcinolone", (40000, "mcg"), None, None, "2025-01-15", [("J3301", 4)], id="micrograms-converted"
    ),
    pytest.param(
        "triamcinolone", (1, "mL"), None, "40mg/mL", "2025-01-15", [("J3301", 4)], id="dose-in-mL-is-a-volume"
    ),
]


@pytest.mark.parametrize(("substance", "dose", "volume", "concentration", "dos", "expected"), UNIT_CASES)
def test_drug_code_and_units(note, substance, dose, volume, concentration, dos, expected):
    given = note.substance(substance, ROLE[substance], dose=dose, volume=volume, concentration=concentration)
    result = code_findings(good_findings(note, substances=[given], date_of_service=dos))
    drug_lines = [(x.code, x.units) for x in result.claim_lines if x.code.startswith("J")]
    assert drug_lines == expected
    assert "DOSE_MISSING" not in warning_codes(result)


@pytest.mark.parametrize(
    "substance",
    ["lidocaine", "bupivacaine", "ropivacaine", "sodium_chloride", "sarapin", "dextrose"],
)
def test_bundled_or_unlisted_injectates_get_no_line(note, substance):
    given = note.substance(substance, ROLE[substance], dose=(20, "mg"))
    result = code_findings(good_findings(note, substances=[given]))
    assert line_codes(result) == ["20552"]
    assert substance.replace("_", " ") in result.claim_lines[0].rationale


def test_several_entries_of_one_drug_are_summed(note):
    left = note.substance("triamcinolone", "corticosteroid", dose=(20, "mg"))
    right = note.substance("triamcinolone", "corticosteroid", dose=(20, "mg"))
    result = code_findings(good_findings(note, substances=[left, right]))
    drug = [x for x in result.claim_lines if x.code == "J3301"]
    assert [(x.units, len(x.evidence)) for x in drug] == [(4, 2)]


def test_drug_lines_only_for_injection(note):
    given = note.substance("triamcinolone", "corticosteroid", dose=(40, "mg"))
    findings = good_findings(note, procedure_kind="none", injected_muscles=[], substances=[given])
    assert code_findings(findings).claim_lines == []


@pytest.mark.parametrize(
    ("dose", "volume", "concentration", "detail"),
    [
        pytest.param(None, (1, "mL"), None, "without a concentration", id="volume-without-concentration"),
        pytest.param(None, (1, "mL"), "Kenalog-40", "without a concentration", id="unreadable-concentration"),
        pytest.param((2, "tablets"), None, None, "cannot be converted", id="unknown-dose-unit"),
    ],
)
def test_billable_drug_without_computable_units_raises_dose_missing(
    note, dose, volume, concentration, detail
):
    given = note.substance(
        "triamcinolone", "corticosteroid", dose=dose, volume=volume, concentration=concentration
    )
    result = code_findings(good_findings(note, substances=[given]))
    assert "J3301" not in line_codes(result)
    assert "DOC-DOSE-002" in rule_ids(result)
    warning = next(w for w in result.warnings if w.rule_id == "DOC-DOSE-002")
    assert detail in warning.message
    assert warning.evidence == given.evidence


def test_jw_jz_policy_note_on_single_dose_drug_under_cms(note):
    given = note.substance("onabotulinumtoxina", "botulinum_toxin", dose=(100, "units"))
    cms = code_findings(good_findings(note, substances=[given]))
    commercial = code_findings(good_findings(note, substances=[given]), payer="commercial_example")
    cms_line = next(x for x in cms.claim_lines if x.code == "J0585")
    commercial_line = next(x for x in commercial.claim_lines if x.code == "J0585")
    assert "JW" in cms_line.rationale and "JZ" in cms_line.rationale
    assert cms_line.modifiers == []  # the discarded amount is not in Findings: never added automatically
    assert "JW" not in commercial_line.rationale


def test_jw_jz_note_not_before_payer_requirement_date(note):
    given = note.substance("onabotulinumtoxina", "botulinum_toxin", dose=(100, "units"))
    result = code_findings(good_findings(note, substances=[given], date_of_service="2023-01-10"))
    assert "JZ" not in next(x for x in result.claim_lines if x.code == "J0585").rationale


def test_steroid_from_varied_containers_gets_no_jw_jz_note(note):
    given = note.substance("triamcinolone", "corticosteroid", dose=(40, "mg"))
    result = code_findings(good_findings(note, substances=[given]))
    assert "JZ" not in next(x for x in result.claim_lines if x.code == "J3301").rationale


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        pytest.param("40mg/mL", "mg", 40.0, id="mg-per-mL"),
        pytest.param("40 mg per ml", "mg", 40.0, id="mg-per-ml-words"),
        pytest.param("1%", "mg", 10.0, id="one-percent-is-10mg-per-mL"),
        pytest.param("0.5 %", "mg", 5.0, id="half-percent"),
        pytest.param("100 units/2 mL", "units", 50.0, id="units-per-2mL"),
        pytest.param("100 units in 2.5 mL", "units", 40.0, id="units-in-volume"),
        pytest.param("1%", "units", None, id="percent-not-units"),
        pytest.param("40 mg/mL", "units", None, id="mg-not-units"),
        pytest.param("strong", "mg", None, id="unreadable"),
        pytest.param(None, "mg", None, id="absent"),
    ],
)
def test_concentration_parsing(text, target, expected):
    drugs = load_bundle("cms").drugs
    value = concentration_per_ml(text, target, drugs)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_split_units_greedy_then_round_up():
    drug = load_bundle("cms").drugs.drug("methylprednisolone")
    old = sorted((c for c in drug.codes if c.end is not None), key=lambda c: c.per.value, reverse=True)
    assert [(c.code, n) for c, n in split_units(120, old)] == [("J1040", 1), ("J1030", 1)]
    assert [(c.code, n) for c, n in split_units(10, old)] == [("J1020", 1)]
