"""Review of proposed claims: units, both codes, modifiers 50 and 59/X{EPSU}, code mismatch."""

from __future__ import annotations

import pytest
import yaml

from tpicoder.coding import code_findings
from tpicoder.schema import Claim, ClaimLineIn

from .conftest import good_findings


def claim(*lines: tuple[str, int, list[str]]) -> Claim:
    return Claim(lines=[ClaimLineIn(code=code, units=units, modifiers=mods) for code, units, mods in lines])


def three_muscles(note):
    muscles = [
        note.muscle("trapezius", "left"),
        note.muscle("trapezius", "right"),
        note.muscle("infraspinatus"),
    ]
    return good_findings(note, injected_muscles=muscles)


# (proposed lines, expected claim warning codes, in any order; documentation supports 20553)
CLAIM_CASES = [
    pytest.param([("20553", 1, [])], [], id="correct-20553-clean"),
    pytest.param(
        [("20553", 1, []), ("J3301", 4, []), ("76942", 1, [])], [], id="correct-with-drug-and-guidance"
    ),
    pytest.param([("20553", 3, [])], ["CLAIM_UNITS"], id="one-line-three-units"),
    pytest.param(
        [("20552", 1, ["LT"]), ("20552", 1, ["RT"])],
        ["CLAIM_UNITS", "CLAIM_CODE_MISMATCH"],
        id="one-line-per-side",
    ),
    pytest.param(
        [("20552", 1, []), ("20553", 1, [])],
        ["CLAIM_UNITS", "CLAIM_BOTH_CODES", "CLAIM_CODE_MISMATCH"],
        id="both-codes",
    ),
    pytest.param([("20553", 1, ["50"])], ["CLAIM_MODIFIER_50"], id="modifier-50"),
    pytest.param([("20553", 1, ["59"])], ["CLAIM_MODIFIER_59"], id="59-with-nothing-to-separate"),
    pytest.param([("20553", 1, ["xu"])], ["CLAIM_MODIFIER_59"], id="lower-case-XU"),
    pytest.param(
        [("20553", 1, []), ("20553", 1, ["59"])],
        ["CLAIM_UNITS", "CLAIM_MODIFIER_59"],
        id="59-to-bill-twice",
    ),
    pytest.param([("20553", 1, ["XS"]), ("64405", 1, [])], [], id="XS-beside-occipital-block-allowed"),
    pytest.param([("20553", 1, ["XS"]), ("20610", 1, [])], [], id="XS-beside-joint-injection-allowed"),
    pytest.param(
        [("20553", 1, ["59"]), ("97140", 1, [])], ["CLAIM_MODIFIER_59"], id="59-beside-unlisted-procedure"
    ),
    pytest.param([("20552", 1, [])], ["CLAIM_CODE_MISMATCH"], id="undercoded-20552"),
    pytest.param([("20561", 1, [])], ["CLAIM_CODE_MISMATCH"], id="needling-code-for-injection"),
    pytest.param([("99213", 1, ["25"]), ("J1885", 2, [])], [], id="no-per-session-code-no-mismatch"),
]


@pytest.mark.parametrize(("lines", "expected"), CLAIM_CASES)
def test_claim_review(note, lines, expected):
    result = code_findings(three_muscles(note), claim=claim(*lines))
    got = [w.code for w in result.warnings if w.code.startswith("CLAIM_")]
    assert sorted(set(got)) == sorted(expected)
    assert all(w.severity == "error" for w in result.warnings if w.code.startswith("CLAIM_"))


def test_claim_does_not_change_the_supported_lines(note):
    findings = three_muscles(note)
    alone = code_findings(findings)
    reviewed = code_findings(findings, claim=claim(("20552", 2, ["50"])))
    assert reviewed.claim_lines == alone.claim_lines


def test_mismatch_message_names_both_codes_and_the_muscles(note):
    result = code_findings(three_muscles(note), claim=claim(("20552", 1, [])))
    warning = next(w for w in result.warnings if w.code == "CLAIM_CODE_MISMATCH")
    assert "20552" in warning.message and "20553" in warning.message
    assert "trapezius (left)" in warning.message
    assert warning.evidence  # the muscles' spans


def test_mismatch_when_no_muscle_named(note):
    findings = good_findings(note, injected_muscles=[])
    result = code_findings(findings, claim=claim(("20553", 1, [])))
    warning = next(w for w in result.warnings if w.code == "CLAIM_CODE_MISMATCH")
    assert "provider query" in warning.message


def test_mismatch_when_nothing_performed(note):
    findings = good_findings(note, procedure_kind="none", injected_muscles=[], substances=[])
    result = code_findings(findings, claim=claim(("20552", 1, [])))
    assert "CLAIM_CODE_MISMATCH" in [w.code for w in result.warnings]


def test_modifier_59_refused_with_distinct_procedure_when_payer_disallows(note, lexicon_copy):
    folder = lexicon_copy()
    path = folder / "coding" / "payers" / "cms.yaml"
    data = yaml.safe_load(path.read_text())
    data["modifiers"]["distinct_procedure"]["allowed_with_other_procedure"] = False
    path.write_text(yaml.safe_dump(data))
    result = code_findings(
        three_muscles(note), claim=claim(("20553", 1, ["XS"]), ("64405", 1, [])), lexicons_dir=str(folder)
    )
    warning = next(w for w in result.warnings if w.code == "CLAIM_MODIFIER_59")
    assert warning.rule_id == "CLAIM-59-003"
    assert "64405" in warning.message


def test_modifier_50_allowed_when_payer_lists_the_code(note, lexicon_copy):
    folder = lexicon_copy()
    path = folder / "coding" / "payers" / "commercial_example.yaml"
    data = yaml.safe_load(path.read_text())
    data["modifiers"]["bilateral"]["allowed_codes"] = ["20553"]
    path.write_text(yaml.safe_dump(data))
    result = code_findings(
        three_muscles(note),
        payer="commercial_example",
        claim=claim(("20553", 1, ["50"])),
        lexicons_dir=str(folder),
    )
    assert "CLAIM_MODIFIER_50" not in [w.code for w in result.warnings]
