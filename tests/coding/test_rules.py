"""One case per coding rule (it fires), plus precision cases (it stays quiet)."""

from __future__ import annotations

import pytest

from tpicoder.coding import code_findings, load_bundle
from tpicoder.schema import Claim, ClaimLineIn

from .conftest import DOS, Note, assert_evidence_in, em, good_findings, guidance


def claim(*lines: tuple[str, int, list[str]]) -> Claim:
    return Claim(lines=[ClaimLineIn(code=code, units=units, modifiers=mods) for code, units, mods in lines])


# Each builder returns (findings, claim or None). `good_findings` is a fully documented 20552 note.
def no_muscle(n: Note):
    return good_findings(n, injected_muscles=[]), None


def region_only_site(n: Note):
    return good_findings(n, injected_muscles=[], nonspecific_sites=[n("neck muscles")]), None


def group_muscle(n: Note):
    return good_findings(n, injected_muscles=[n.muscle("cervical_paraspinals", "left")]), None


def unsided_muscle(n: Note):
    return good_findings(n, injected_muscles=[n.muscle("levator_scapulae", "unspecified")]), None


def needling(n: Note):
    return good_findings(n, procedure_kind="needling", substances=[]), None


def no_exam(n: Note):
    return good_findings(n, exam_findings=[]), None


def no_prior_care(n: Note):
    return good_findings(n, prior_treatments=[]), None


def no_reason_at_all(n: Note):
    return good_findings(n, indication=[], prior_treatments=[], exam_findings=[]), None


def no_substance(n: Note):
    return good_findings(n, substances=[]), None


def no_dose(n: Note):
    return good_findings(n, substances=[n.substance("lidocaine", "anesthetic")]), None


def steroid_volume_only(n: Note):
    return good_findings(
        n, substances=[n.substance("triamcinolone", "corticosteroid", volume=(1, "mL"))]
    ), None


def botox(n: Note):
    toxin = n.substance("onabotulinumtoxina", "botulinum_toxin", dose=(100, "units"))
    return good_findings(n, substances=[toxin]), None


def guidance_no_reason(n: Note):
    return good_findings(n, guidance=guidance(n, "fluoroscopy")), None


def em_not_separate(n: Note):
    return good_findings(n, em=em(n, "99213", separate=False)), None


def no_diagnosis(n: Note):
    return good_findings(n, diagnoses=[]), None


def invalid_code(n: Note):
    return good_findings(n, diagnoses=[n.diagnosis("low back pain", "M54.5")]), None


def vague_diagnosis(n: Note):
    return good_findings(n, diagnoses=[n.diagnosis("pain", "R52")]), None


def site_mismatch(n: Note):
    return good_findings(n, diagnoses=[n.diagnosis("low back pain", "M54.50")]), None


def claim_two_units(n: Note):
    return good_findings(n), claim(("20552", 2, []))


def claim_two_lines(n: Note):
    return good_findings(n), claim(("20552", 1, []), ("20552", 1, ["XS"]))


def claim_both_codes(n: Note):
    return good_findings(n), claim(("20552", 1, []), ("20553", 1, []))


def claim_mod_50(n: Note):
    return good_findings(n), claim(("20552", 1, ["50"]))


def claim_59_twice(n: Note):
    return good_findings(n), claim(("20552", 1, []), ("20552", 1, ["59"]))


def claim_59_alone(n: Note):
    return good_findings(n), claim(("20552", 1, ["59"]))


def claim_59_with_block(n: Note):
    return good_findings(n), claim(("20552", 1, ["XS"]), ("64405", 1, []))


def claim_wrong_code(n: Note):
    return good_findings(n), claim(("20553", 1, []))


# (rule id, builder, payer)
FIRES = [
    ("PROC-MUSCLES-001", no_muscle, "cms"),
    ("PROC-NONSPECIFIC-001", region_only_site, "cms"),
    ("PROC-NONSPECIFIC-001", group_muscle, "cms"),
    ("PROC-SIDE-001", unsided_muscle, "cms"),
    ("PROC-NEEDLING-001", needling, "cms"),
    ("DOC-EXAM-001", no_exam, "cms"),
    ("DOC-CONSERVATIVE-001", no_prior_care, "cms"),
    ("DOC-NECESSITY-001", no_reason_at_all, "cms"),
    ("DOC-SUBSTANCE-001", no_substance, "cms"),
    ("DOC-DOSE-001", no_dose, "cms"),
    ("DOC-DOSE-002", steroid_volume_only, "cms"),
    ("DRUG-BOTULINUM-001", botox, "cms"),
    ("GUIDANCE-NECESSITY-001", guidance_no_reason, "cms"),
    ("EM-SEPARATE-001", em_not_separate, "cms"),
    ("DX-MISSING-001", no_diagnosis, "cms"),
    ("DX-INVALID-001", invalid_code, "cms"),
    ("DX-NONSPECIFIC-001", vague_diagnosis, "cms"),
    ("DX-SITE-001", site_mismatch, "cms"),
    ("CLAIM-UNITS-001", claim_two_units, "cms"),
    ("CLAIM-UNITS-002", claim_two_lines, "cms"),
    ("CLAIM-BOTH-001", claim_both_codes, "cms"),
    ("CLAIM-50-001", claim_mod_50, "cms"),
    ("CLAIM-50-001", claim_mod_50, "commercial_example"),
    ("CLAIM-59-001", claim_59_twice, "cms"),
    ("CLAIM-59-002", claim_59_alone, "cms"),
    ("CLAIM-MISMATCH-001", claim_wrong_code, "cms"),
]


@pytest.mark.parametrize(
    ("rule_id", "build", "payer"),
    [pytest.param(*case, id=f"{case[0]}-{case[1].__name__}-{case[2]}") for case in FIRES],
)
def test_rule_fires(note, rule_id, build, payer):
    findings, proposed = build(note)
    result = code_findings(findings, payer=payer, claim=proposed)
    hits = [w for w in result.warnings if w.rule_id == rule_id]
    assert hits, f"{rule_id} did not fire; got {[w.rule_id for w in result.warnings]}"
    rule = next(r for r in load_bundle(payer).rules.rules if r.id == rule_id)
    definition = load_bundle(payer).warnings.get(rule.warning)
    for warning in hits:
        assert warning.code == rule.warning
        assert warning.severity == definition.severity
        assert warning.source == rule.source
        assert "{" not in warning.message and warning.message
        assert_evidence_in(note, warning.evidence)


def test_every_note_rule_has_a_firing_case():
    note_rules = {r.id for r in load_bundle("cms").rules_for("note")}
    # CLAIM-59-003 needs a payer that refuses 59 beside a distinct procedure: see test_claim_review.py.
    assert note_rules - {case[0] for case in FIRES} == {"CLAIM-59-003"}


# Documentation in the note that must keep a rule quiet (precision over recall).
def prior_care_unknown_outcome(n: Note):
    return good_findings(
        n, indication=[], exam_findings=[], prior_treatments=[n.prior("nsaid", "unknown")]
    ), None


def exam_only(n: Note):
    return good_findings(n, indication=[], prior_treatments=[]), None


def indication_only(n: Note):
    return good_findings(n, exam_findings=[], prior_treatments=[]), None


def prior_care_relief_only(n: Note):
    return good_findings(n, prior_treatments=[n.prior("massage", "relief")]), None


def guidance_with_reason(n: Note):
    return good_findings(n, guidance=guidance(n, "ultrasound", reason=True)), None


def em_separate(n: Note):
    return good_findings(n, em=em(n, "99213", separate=True)), None


def nothing_performed(n: Note):
    findings = good_findings(
        n,
        procedure_kind="none",
        procedure_evidence=[],
        injected_muscles=[],
        substances=[],
        prior_treatments=[],
        exam_findings=[],
        indication=[],
        diagnoses=[],
        em=em(n, "99213", separate=False),
    )
    return findings, None


def needling_without_substance(n: Note):
    return good_findings(n, procedure_kind="needling", substances=[]), None


def claim_correct(n: Note):
    return good_findings(n), claim(("20552", 1, []), ("J3301", 4, []), ("99213", 1, ["25"]))


def claim_59_with_block_cms(n: Note):
    return claim_59_with_block(n)


def bilateral_no_laterality_warning(n: Note):
    return good_findings(n), None


# (rule id that must stay quiet, builder)
QUIET = [
    ("DOC-NECESSITY-001", prior_care_unknown_outcome),
    ("DOC-NECESSITY-001", exam_only),
    ("DOC-NECESSITY-001", indication_only),
    ("DOC-CONSERVATIVE-001", prior_care_relief_only),
    ("GUIDANCE-NECESSITY-001", guidance_with_reason),
    ("EM-SEPARATE-001", em_separate),
    ("EM-SEPARATE-001", nothing_performed),
    ("DX-MISSING-001", nothing_performed),
    ("DOC-EXAM-001", nothing_performed),
    ("DOC-CONSERVATIVE-001", nothing_performed),
    ("DOC-SUBSTANCE-001", needling_without_substance),
    ("PROC-SIDE-001", bilateral_no_laterality_warning),
    ("PROC-NONSPECIFIC-001", bilateral_no_laterality_warning),
    ("CLAIM-59-002", claim_59_with_block_cms),
    ("CLAIM-59-003", claim_59_with_block_cms),
    ("CLAIM-MISMATCH-001", claim_correct),
    ("CLAIM-UNITS-001", claim_correct),
]


@pytest.mark.parametrize(
    ("rule_id", "build"), [pytest.param(*case, id=f"{case[0]}-{case[1].__name__}") for case in QUIET]
)
def test_rule_stays_quiet(note, rule_id, build):
    findings, proposed = build(note)
    result = code_findings(findings, claim=proposed)
    assert rule_id not in [w.rule_id for w in result.warnings]


def test_well_documented_note_has_no_warnings(note):
    result = code_findings(good_findings(note))
    assert result.warnings == []
    assert [x.code for x in result.claim_lines] == ["20552"]
    assert result.trace["date_of_service"] == DOS


def test_invalid_code_applies_without_procedure(note):
    findings = good_findings(
        note,
        procedure_kind="none",
        injected_muscles=[],
        substances=[],
        diagnoses=[note.diagnosis("lbp", "M54.5")],
    )
    result = code_findings(findings)
    assert [w.code for w in result.warnings] == ["DIAGNOSIS_CODE_INVALID"]


def test_muscles_not_named_message_asks_for_provider_query(note):
    findings, _ = no_muscle(note)
    warning = next(w for w in code_findings(findings).warnings if w.code == "MUSCLES_NOT_NAMED")
    assert warning.severity == "error"
    assert "provider query" in warning.message
    assert warning.evidence == findings.procedure_evidence


def test_laterality_warning_names_the_muscle_and_carries_its_span(note):
    findings, _ = unsided_muscle(note)
    warning = next(w for w in code_findings(findings).warnings if w.code == "LATERALITY_MISSING")
    assert "levator scapulae" in warning.message
    assert warning.evidence == findings.injected_muscles[0].evidence


def test_one_laterality_warning_per_unsided_muscle(note):
    muscles = [note.muscle("levator_scapulae", "unspecified"), note.muscle("infraspinatus", "unspecified")]
    result = code_findings(good_findings(note, injected_muscles=muscles))
    assert [w.code for w in result.warnings].count("LATERALITY_MISSING") == 2


def test_absent_documentation_warnings_have_no_evidence_and_say_what_was_looked_for(note):
    findings, _ = no_reason_at_all(note)
    result = code_findings(findings)
    for code in ("EXAM_FINDINGS_MISSING", "CONSERVATIVE_CARE_MISSING", "MEDICAL_NECESSITY_MISSING"):
        warning = next(w for w in result.warnings if w.code == code)
        assert warning.evidence == []
        assert "found" in warning.message


def test_botulinum_toxin_keeps_count_based_code_and_bills_drug(note):
    findings, _ = botox(note)
    result = code_findings(findings)
    assert [x.code for x in result.claim_lines] == ["20552", "J0585"]
    warning = next(w for w in result.warnings if w.code == "BOTULINUM_TOXIN")
    assert "J0585" in warning.message
    assert warning.evidence == findings.substances[0].evidence


def test_warnings_sorted_errors_then_warnings_then_info(note):
    findings = good_findings(
        note,
        injected_muscles=[],
        exam_findings=[],
        guidance=guidance(note),
        diagnoses=[note.diagnosis("lbp", "M54.5")],
    )
    severities = [w.severity for w in code_findings(findings).warnings]
    order = {"error": 0, "warning": 1, "info": 2}
    assert severities == sorted(severities, key=order.get)
    assert severities[0] == "error" and severities[-1] == "info"


def test_guidance_message_carries_payer_policy(note):
    findings, _ = guidance_no_reason(note)
    cms = next(w for w in code_findings(findings).warnings if w.code == "GUIDANCE_NECESSITY")
    commercial = next(
        w
        for w in code_findings(findings, payer="commercial_example").warnings
        if w.code == "GUIDANCE_NECESSITY"
    )
    assert "LCD" in cms.message
    assert "BCBSA" in commercial.message
