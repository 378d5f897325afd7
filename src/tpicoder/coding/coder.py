"""Stage 2 entry point: Findings (+ payer, + optional proposed claim) -> :class:`CodingResult`."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.coding import cpt, drugs, modifiers
from tpicoder.coding.bundle import load_bundle
from tpicoder.coding.claim_review import review_claim
from tpicoder.coding.diagnosis import assess_diagnoses
from tpicoder.coding.engine import evaluate, render_warnings
from tpicoder.coding.frequency import parse_date
from tpicoder.coding.predicates import NoteContext, evaluate_predicates
from tpicoder.findings import Findings
from tpicoder.schema import Claim, ClaimLine, Diagnosis, EMService, Procedure, Warning


class CodingResult(BaseModel):
    """What coding says about one note.

    Attributes:
        procedure: the contract's procedure value.
        claim_lines: lines to bill under the payer profile (procedure, guidance, E/M, drugs).
        warnings: documentation gaps and claim problems, errors first, each with rule id and evidence.
        diagnoses: the note's diagnoses with code (normalised or inferred), validity and description.
        em_service: the same-day E/M service, if documented.
        trace: predicate values and intermediate facts, for explanations (JSON-ready).

    """

    model_config = ConfigDict(extra="forbid")

    procedure: Procedure = "none"
    claim_lines: list[ClaimLine] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    em_service: EMService | None = None
    trace: dict[str, Any] = Field(default_factory=dict)


def code_findings(
    findings: Findings,
    *,
    payer: str = "cms",
    claim: Claim | None = None,
    lexicons_dir: str | os.PathLike[str] | None = None,
) -> CodingResult:
    """Code one note's findings: claim lines, warnings, diagnoses and E/M judgement.

    Args:
        findings: what extraction found.
        payer: payer profile id (``lexicons/coding/payers/<id>.yaml``).
        claim: a claim the coder proposes, to review against the documentation.
        lexicons_dir: lexicon folder override.

    Returns:
        The coding result.

    Raises:
        UnknownPayerError: no such payer profile (the message lists the available ones).
        LexiconError: a coding lexicon file is invalid.

    """
    bundle = load_bundle(payer, lexicons_dir)
    profile = bundle.payer
    note_date = parse_date(findings.date_of_service)
    day = note_date or date.today()

    plan = cpt.plan_procedure(findings, bundle.cpt)
    injected = plan.family is not None and plan.family.procedure_kind == "injection"
    drug_result = drugs.assess_drugs(findings.substances if injected else [], bundle.drugs, profile, day)
    assessments = assess_diagnoses(
        findings.diagnoses, bundle.icd, bundle.phrases, day, plan.counted, profile.diagnoses.covered_list
    )

    mods, mod_reason = modifiers.procedure_modifiers(plan, findings, profile)
    lines: list[ClaimLine] = []
    procedure = cpt.procedure_line(plan, findings, bundle.cpt, mods, mod_reason, drug_result.not_billed)
    if procedure is not None:
        lines.append(procedure)
    guidance = cpt.guidance_line(plan, findings, bundle.cpt, profile)
    if guidance is not None:
        lines.append(guidance)
    em_service, em_line = cpt.em_service(plan, findings, bundle.cpt, modifiers.em_modifiers(plan, profile))
    if em_line is not None:
        lines.append(em_line)
    lines.extend(drug_result.lines)

    review = review_claim(claim, plan, findings, bundle.cpt, profile) if claim is not None else None
    context = NoteContext(
        findings=findings,
        bundle=bundle,
        payer=profile,
        dos=day,
        plan=plan,
        diagnoses=assessments,
        drugs=drug_result.assessments,
        review=review,
    )
    facts = evaluate_predicates(context, "note")
    hits = evaluate(bundle.rules_for("note"), facts)
    warnings = render_warnings(
        hits, bundle.rules, bundle.warnings, {"payer": profile.name, "dos": day.isoformat()}
    )

    trace: dict[str, Any] = {
        "payer": profile.id,
        "date_of_service": day.isoformat(),
        "date_of_service_source": "note" if note_date else "today",
        "lexicon_versions": bundle.versions(),
        "procedure": {
            "family": plan.family.id if plan.family else None,
            "code": plan.code,
            "rule_id": plan.rule_id,
            "muscle_count": plan.count,
            "counted": [cpt.muscle_label(m) for m in plan.counted],
            "fallback": plan.fallback,
        },
        "predicates": {
            name: {
                "value": fact.value,
                "params": fact.params,
                "items": len(fact.items),
                "evidence": len(fact.evidence),
            }
            for name, fact in sorted(facts.items())
        },
        "rule_hits": [hit.model_dump(mode="json", exclude={"evidence"}) for hit in hits],
        "drugs": [
            {
                "substance": a.substance.substance,
                "billing": a.billing,
                "amount": a.amount,
                "unit": a.amount_unit,
                "from": a.amount_source,
                "problem": a.problem,
                "reason": a.drug.reason if a.drug else "not in drugs.yaml",
            }
            for a in drug_result.assessments
        ],
        "diagnoses": [
            {
                "text": a.diagnosis.text,
                "code": a.diagnosis.code,
                "status": a.status,
                "reason": a.reason,
                "replacements": a.replacements,
                "regions": a.regions,
                "specificity": a.specificity,
                "covered_by_payer_list": a.covered,
                "hint": a.hint,
            }
            for a in assessments
        ],
    }
    return CodingResult(
        procedure=plan.procedure,
        claim_lines=lines,
        warnings=warnings,
        diagnoses=[a.diagnosis for a in assessments],
        em_service=em_service,
        trace=trace,
    )
