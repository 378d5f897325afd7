"""Review of a claim a coder proposes: the facts the CLAIM_* rules read.

This module only gathers facts (which lines carry which modifiers, how often a per-session code is
billed...); the rules in ``lexicons/coding/rules.yaml`` decide what is wrong.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.coding.cpt import ProcedurePlan, muscle_label
from tpicoder.coding.data import CptFile, PayerProfile
from tpicoder.findings import Findings
from tpicoder.schema import Claim, ClaimLineIn, Evidence


class ReviewItem(BaseModel):
    """One finding about the claim: message parameters and documentation evidence."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, str]
    evidence: list[Evidence] = Field(default_factory=list)


class ClaimReview(BaseModel):
    """Facts about a proposed claim.

    Attributes:
        units_over_limit: per-session lines with more units than one session allows.
        several_lines: per-session families billed on more than one line.
        several_tier_codes: per-session families with more than one of their codes (20552 + 20553).
        bilateral_disallowed: per-session lines carrying modifier 50 where the payer does not allow it.
        distinct_modifier_lines: per-session lines carrying 59 or X{EPSU}.
        bills_more_than_once: whether any per-session family is billed beyond one session's units.
        other_procedures: distinct other procedure codes on the claim (blocks, joint injections).
        mismatches: per-session codes other than the one the documentation supports.

    """

    model_config = ConfigDict(extra="forbid")

    units_over_limit: list[ReviewItem] = Field(default_factory=list)
    several_lines: list[ReviewItem] = Field(default_factory=list)
    several_tier_codes: list[ReviewItem] = Field(default_factory=list)
    bilateral_disallowed: list[ReviewItem] = Field(default_factory=list)
    distinct_modifier_lines: list[ReviewItem] = Field(default_factory=list)
    bills_more_than_once: bool = False
    other_procedures: list[str] = Field(default_factory=list)
    mismatches: list[ReviewItem] = Field(default_factory=list)


def _norm(code: str) -> str:
    return code.strip().upper()


def supported_basis(plan: ProcedurePlan) -> str:
    """Describe what the supported code rests on, for messages."""
    if plan.family is None:
        return "the note documents no injection or needling this session"
    if plan.fallback:
        return "no muscle is named; a provider query is needed"
    muscles = ", ".join(muscle_label(m) for m in plan.counted)
    return f"{plan.count} distinct muscle(s): {muscles}"


def review_claim(
    claim: Claim, plan: ProcedurePlan, findings: Findings, cpt: CptFile, payer: PayerProfile
) -> ClaimReview:
    """Gather the facts the claim rules read.

    Args:
        claim: the proposed claim.
        plan: what the documentation supports.
        findings: for evidence.
        cpt: code table (per-session families, distinct procedures).
        payer: modifier conventions.

    Returns:
        The review.

    """
    review = ClaimReview()
    per_session: dict[str, list[ClaimLineIn]] = {}
    for line in claim.lines:
        code = _norm(line.code)
        family = cpt.family_of_code(code)
        if family is None:
            if cpt.is_distinct_procedure(code) and code not in review.other_procedures:
                review.other_procedures.append(code)
            continue
        per_session.setdefault(family.id, []).append(line)
        mods = [_norm(m) for m in line.modifiers]
        if line.units > family.units_per_session:
            review.units_over_limit.append(
                ReviewItem(
                    params={"code": code, "units": str(line.units), "limit": str(family.units_per_session)}
                )
            )
        bilateral = payer.modifiers.bilateral
        if bilateral.modifier in mods and code not in bilateral.allowed_codes:
            review.bilateral_disallowed.append(
                ReviewItem(params={"code": code, "modifier": bilateral.modifier})
            )
        for modifier in mods:
            if modifier in payer.modifiers.distinct_procedure.modifiers:
                review.distinct_modifier_lines.append(ReviewItem(params={"code": code, "modifier": modifier}))

    documentation = [span for m in plan.counted for span in m.evidence] or list(findings.procedure_evidence)
    supported = plan.code or "no trigger point or needling code"
    for family_id, lines in per_session.items():
        family = next(f for f in cpt.families if f.id == family_id)
        codes = list(dict.fromkeys(_norm(line.code) for line in lines))
        if len(lines) > 1:
            review.several_lines.append(
                ReviewItem(params={"count": str(len(lines)), "codes": ", ".join(codes)})
            )
        if len(codes) > 1:
            review.several_tier_codes.append(
                ReviewItem(
                    params={"codes": " and ".join(codes), "supported": supported}, evidence=documentation
                )
            )
        if sum(line.units for line in lines) > family.units_per_session:
            review.bills_more_than_once = True
        for code in codes:
            if code != plan.code:
                review.mismatches.append(
                    ReviewItem(
                        params={"claimed": code, "supported": supported, "basis": supported_basis(plan)},
                        evidence=documentation,
                    )
                )
    return review
