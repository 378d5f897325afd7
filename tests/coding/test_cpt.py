"""Procedure code selection: muscle counting, tiers, fallback, needling, guidance and E/M lines."""

from __future__ import annotations

import pytest
import yaml

from tpicoder.coding import code_findings
from tpicoder.coding.cpt import count_muscles

from .conftest import em, good_findings, guidance, line, line_codes, warning_codes

# (muscles as (id, side), expected code, expected count)
COUNT_CASES = [
    pytest.param([("trapezius", "left")], "20552", 1, id="one-muscle-20552"),
    pytest.param(
        [("trapezius", "left"), ("trapezius", "right")], "20552", 2, id="bilateral-trapezius-counts-two"
    ),
    pytest.param(
        [("trapezius", "left"), ("trapezius", "right"), ("levator_scapulae", "left")],
        "20553",
        3,
        id="three-muscles-20553",
    ),
    pytest.param(
        [
            ("trapezius", "left"),
            ("trapezius", "right"),
            ("levator_scapulae", "left"),
            ("levator_scapulae", "right"),
        ],
        "20553",
        4,
        id="bilateral-trap-and-levator-four",
    ),
    pytest.param(
        [("trapezius", "left"), ("trapezius", "left")], "20552", 1, id="same-muscle-twice-counts-once"
    ),
    pytest.param(
        [("trapezius", "left"), ("trapezius", "unspecified"), ("levator_scapulae", "left")],
        "20552",
        2,
        id="unsided-copy-never-adds-to-sided-muscle",
    ),
    pytest.param([("trapezius", "unspecified")], "20552", 1, id="unsided-muscle-counts-once"),
    pytest.param(
        [("cervical_paraspinals", "left"), ("cervical_paraspinals", "right"), ("trapezius", "left")],
        "20553",
        3,
        id="group-counts-once-per-side",
    ),
    pytest.param(
        [("scalenes", "unspecified"), ("trapezius", "left")], "20552", 2, id="unsided-group-counts-once"
    ),
]


@pytest.mark.parametrize(("muscles", "code", "count"), COUNT_CASES)
def test_procedure_code_from_muscle_count(note, muscles, code, count):
    findings = good_findings(note, injected_muscles=[note.muscle(m, side) for m, side in muscles])
    result = code_findings(findings)
    assert line_codes(result)[0] == code
    assert result.trace["procedure"]["muscle_count"] == count
    assert line(result, code).units == 1


def test_count_muscles_merges_evidence_of_duplicates(note):
    first, second = note.muscle("trapezius", "left"), note.muscle("trapezius", "left", phrase="L upper trap")
    counted = count_muscles([first, second])
    assert len(counted) == 1
    assert [e.text for e in counted[0].evidence] == ["left trapezius", "L upper trap"]


def test_tpi_is_one_line_one_unit_with_no_modifiers_under_cms(note):
    muscles = [
        note.muscle(m, s)
        for m in ("trapezius", "levator_scapulae", "rhomboid_major")
        for s in ("left", "right")
    ]
    result = code_findings(good_findings(note, injected_muscles=muscles))
    tpi_lines = [x for x in result.claim_lines if x.code in {"20552", "20553"}]
    assert [(x.code, x.units, x.modifiers) for x in tpi_lines] == [("20553", 1, [])]
    assert result.procedure == "trigger_point_injection"
    assert tpi_lines[0].rule_id == "CPT-20553"


def test_no_muscle_named_bills_lowest_code_with_query_error(note):
    result = code_findings(good_findings(note, injected_muscles=[]))
    assert line_codes(result) == ["20552"]
    assert "MUSCLES_NOT_NAMED" in warning_codes(result)
    assert result.warnings[0].severity == "error"
    assert "provider query" in result.warnings[0].message


@pytest.mark.parametrize(
    ("muscles", "code"),
    [
        pytest.param([("trapezius", "left")], "20560", id="needling-one-muscle-20560"),
        pytest.param(
            [("trapezius", "left"), ("trapezius", "right"), ("gluteus_medius", "left")],
            "20561",
            id="needling-three-20561",
        ),
        pytest.param([], "20560", id="needling-no-muscle-fallback-20560"),
    ],
)
def test_needling_codes(note, muscles, code):
    findings = good_findings(
        note,
        procedure_kind="needling",
        substances=[],
        injected_muscles=[note.muscle(m, s) for m, s in muscles],
    )
    result = code_findings(findings)
    assert line_codes(result) == [code]
    assert result.procedure == "dry_needling"
    assert "DRY_NEEDLING" in warning_codes(result)
    assert "SUBSTANCE_MISSING" not in warning_codes(result)


def test_nothing_performed_gives_no_lines_and_no_procedure_warnings(note):
    findings = good_findings(
        note,
        procedure_kind="none",
        procedure_evidence=[],
        injected_muscles=[],
        substances=[],
        prior_treatments=[],
        exam_findings=[],
        indication=[],
        diagnoses=[],
    )
    result = code_findings(findings)
    assert result.claim_lines == []
    assert result.warnings == []
    assert result.procedure == "none"


@pytest.mark.parametrize(
    ("modality", "code"),
    [
        pytest.param("ultrasound", "76942", id="ultrasound-76942"),
        pytest.param("fluoroscopy", "77002", id="fluoroscopy-77002"),
        pytest.param("mri", "77021", id="mri-77021"),
    ],
)
def test_guidance_line_one_unit(note, modality, code):
    result = code_findings(good_findings(note, guidance=guidance(note, modality)))
    assert line(result, code).units == 1
    assert line(result, code).modifiers == []
    assert "GUIDANCE_NECESSITY" in warning_codes(result)


def test_guidance_not_coded_without_procedure(note):
    findings = good_findings(note, procedure_kind="none", injected_muscles=[], guidance=guidance(note))
    assert code_findings(findings).claim_lines == []


@pytest.mark.parametrize(
    ("code", "separate", "expected_line", "separately_identifiable"),
    [
        pytest.param("99213", True, ("99213", ["25"]), True, id="separate-problem-line-with-25"),
        pytest.param("99213", False, None, False, id="no-separate-problem-no-line"),
        pytest.param(None, True, None, True, id="separate-but-uncoded-no-line"),
    ],
)
def test_em_line_and_modifier_25(note, code, separate, expected_line, separately_identifiable):
    result = code_findings(good_findings(note, em=em(note, code, separate)))
    em_lines = [(x.code, x.modifiers) for x in result.claim_lines if x.code.startswith("99")]
    assert em_lines == ([expected_line] if expected_line else [])
    assert result.em_service is not None
    assert result.em_service.documented is True
    assert result.em_service.separately_identifiable is separately_identifiable
    assert result.em_service.code == code


def test_em_without_procedure_is_the_visit_no_25(note):
    findings = good_findings(note, procedure_kind="none", injected_muscles=[], substances=[], em=em(note))
    result = code_findings(findings)
    assert [(x.code, x.modifiers) for x in result.claim_lines] == [("99213", [])]
    assert "EM_NOT_SEPARATE" not in warning_codes(result)


def test_em_service_none_when_not_documented(note):
    assert code_findings(good_findings(note)).em_service is None


def test_thresholds_are_data(note, lexicon_copy):
    folder = lexicon_copy()
    path = folder / "coding" / "cpt.yaml"
    data = yaml.safe_load(path.read_text())
    for record in data["codes"]:
        if record["code"] == "20552":
            record["max_muscles"] = 3
        if record["code"] == "20553":
            record["min_muscles"] = 4
    path.write_text(yaml.safe_dump(data))
    muscles = [
        note.muscle("trapezius", "left"),
        note.muscle("trapezius", "right"),
        note.muscle("infraspinatus"),
    ]
    result = code_findings(good_findings(note, injected_muscles=muscles), lexicons_dir=str(folder))
    assert line_codes(result)[0] == "20552"
