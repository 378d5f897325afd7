"""Modifiers by payer profile: none on TPI/needling/guidance under cms; LT/RT in the commercial example."""

from __future__ import annotations

import pytest

from tpicoder.coding import code_findings

from .conftest import em, good_findings, guidance

# (muscles, procedure kind, payer, expected modifiers on the per-session line)
CASES = [
    pytest.param([("trapezius", "left")], "injection", "cms", [], id="cms-one-side-no-LT"),
    pytest.param(
        [("trapezius", "left"), ("trapezius", "right")], "injection", "cms", [], id="cms-bilateral-no-50"
    ),
    pytest.param([("trapezius", "right")], "needling", "cms", [], id="cms-needling-no-modifier"),
    pytest.param(
        [("trapezius", "left"), ("levator_scapulae", "left")],
        "injection",
        "commercial_example",
        ["LT"],
        id="all-left-LT",
    ),
    pytest.param([("trapezius", "right")], "needling", "commercial_example", ["RT"], id="needling-right-RT"),
    pytest.param(
        [("trapezius", "left"), ("trapezius", "right")],
        "injection",
        "commercial_example",
        [],
        id="both-sides-none",
    ),
    pytest.param(
        [("trapezius", "left"), ("levator_scapulae", "unspecified")],
        "injection",
        "commercial_example",
        [],
        id="unsided-muscle-blocks-LT",
    ),
    pytest.param([], "injection", "commercial_example", [], id="no-muscle-no-side-modifier"),
]


@pytest.mark.parametrize(("muscles", "kind", "payer", "expected"), CASES)
def test_per_session_line_modifiers(note, muscles, kind, payer, expected):
    changes = {"injected_muscles": [note.muscle(m, s) for m, s in muscles]}
    if kind == "needling":
        changes.update(procedure_kind="needling", substances=[])
    findings = good_findings(note, **changes)
    result = code_findings(findings, payer=payer)
    assert result.claim_lines[0].modifiers == expected
    if expected:
        assert expected[0] in result.claim_lines[0].rationale


def test_region_only_site_blocks_side_modifier(note):
    findings = good_findings(
        note, injected_muscles=[note.muscle("trapezius", "left")], nonspecific_sites=[note("neck")]
    )
    assert code_findings(findings, payer="commercial_example").claim_lines[0].modifiers == []


@pytest.mark.parametrize("payer", ["cms", "commercial_example"])
def test_guidance_and_drug_lines_carry_no_modifier(note, payer):
    steroid = note.substance("triamcinolone", "corticosteroid", dose=(40, "mg"))
    findings = good_findings(note, guidance=guidance(note, "ultrasound", reason=True), substances=[steroid])
    result = code_findings(findings, payer=payer)
    assert [(x.code, x.modifiers) for x in result.claim_lines[1:]] == [("76942", []), ("J3301", [])]


@pytest.mark.parametrize("payer", ["cms", "commercial_example"])
def test_separate_em_gets_25(note, payer):
    result = code_findings(good_findings(note, em=em(note, "99214", separate=True)), payer=payer)
    assert next(x for x in result.claim_lines if x.code == "99214").modifiers == ["25"]
