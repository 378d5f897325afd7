"""Procedure, guidance and E/M codes from Findings: muscle counting and the lines it supports.

The muscle-count thresholds live in ``lexicons/coding/cpt.yaml``; this module only counts and looks up.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.coding.data import CptFile, PayerProfile, ProcedureFamily
from tpicoder.findings import Findings
from tpicoder.schema import ClaimLine, EMService, Evidence, InjectedMuscle, Procedure

SIDED = ("left", "right")
"""Sides that make two copies of a muscle count twice (CONTRACT.md; facts §2)."""


class ProcedurePlan(BaseModel):
    """What the documentation supports for the per-session procedure.

    Attributes:
        family: the procedure family coded, None when nothing was performed.
        procedure: the contract's procedure value.
        counted: the (muscle, side) entries that count, one per distinct pair.
        code: the supported CPT code, None when nothing was performed.
        fallback: True when the procedure is documented but no muscle is named (lowest code).
        rule_id: id of the tier (or fallback) that chose the code.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    family: ProcedureFamily | None = None
    procedure: Procedure = "none"
    counted: list[InjectedMuscle] = Field(default_factory=list)
    code: str | None = None
    fallback: bool = False
    rule_id: str | None = None

    @property
    def count(self) -> int:
        """Number of muscles counted for the code."""
        return len(self.counted)

    @property
    def performed(self) -> bool:
        """Whether a per-session procedure (injection or needling) was performed."""
        return self.family is not None


def muscle_label(muscle: InjectedMuscle) -> str:
    """Return a short human label such as ``trapezius (left)``."""
    return f"{muscle.muscle.replace('_', ' ')} ({muscle.side})"


def _merge_evidence(*groups: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    merged: list[Evidence] = []
    for group in groups:
        for span in group:
            if (span.start, span.end) not in seen:
                seen.add((span.start, span.end))
                merged.append(span)
    return merged


def count_muscles(muscles: list[InjectedMuscle]) -> list[InjectedMuscle]:
    """Return the distinct (muscle, side) entries that count toward the code.

    Duplicates of a pair merge (their evidence joins). A muscle listed with side ``unspecified`` counts
    once, and only when the same muscle has no left or right entry: an unsided mention cannot prove a
    second copy, and the code must never rise on weak evidence. Groups count once per side, like muscles.

    Args:
        muscles: ``Findings.injected_muscles``.

    Returns:
        The counted entries in first-seen order.

    """
    by_muscle: dict[str, dict[str, InjectedMuscle]] = {}
    for entry in muscles:
        sides = by_muscle.setdefault(entry.muscle, {})
        if entry.side in sides:
            known = sides[entry.side]
            sides[entry.side] = known.model_copy(
                update={"evidence": _merge_evidence(known.evidence, entry.evidence)}
            )
        else:
            sides[entry.side] = entry
    counted: list[InjectedMuscle] = []
    for sides in by_muscle.values():
        sided = [entry for side, entry in sides.items() if side in SIDED]
        counted.extend(sided or list(sides.values()))
    return counted


def plan_procedure(findings: Findings, cpt: CptFile) -> ProcedurePlan:
    """Choose the per-session code the documentation supports.

    Args:
        findings: what extraction found.
        cpt: the procedure code table.

    Returns:
        The plan; ``code`` is the family's fallback (lowest) code when no muscle is named.

    """
    family = cpt.family_for_kind(findings.procedure_kind)
    if family is None:
        return ProcedurePlan()
    counted = count_muscles(findings.injected_muscles)
    if not counted:
        return ProcedurePlan(
            family=family,
            procedure=family.procedure,
            code=family.fallback_code,
            fallback=True,
            rule_id=f"CPT-{family.id.upper().replace('_', '-')}-FALLBACK",
        )
    tier = cpt.tier_for(family.id, len(counted))
    return ProcedurePlan(
        family=family, procedure=family.procedure, counted=counted, code=tier.code, rule_id=f"CPT-{tier.code}"
    )


def _tier_range(cpt: CptFile, code: str) -> str:
    tier = cpt.code(code)
    if tier is None:
        return ""
    if tier.max_muscles is None:
        return f"{tier.min_muscles} or more muscles"
    return f"{tier.min_muscles} to {tier.max_muscles} muscles"


def procedure_line(
    plan: ProcedurePlan,
    findings: Findings,
    cpt: CptFile,
    modifiers: list[str],
    modifier_reason: str | None,
    not_billed: list[str],
) -> ClaimLine | None:
    """Build the one per-session line of the plan.

    Args:
        plan: the procedure plan.
        findings: for evidence.
        cpt: code table.
        modifiers: modifiers the payer profile puts on the line.
        modifier_reason: why those modifiers (None when there are none).
        not_billed: notes on injectates billed with the procedure rather than on their own line.

    Returns:
        The line, or None when nothing was performed.

    """
    if plan.family is None or plan.code is None:
        return None
    tier = cpt.code(plan.code)
    description = tier.description if tier else plan.code
    if plan.fallback:
        rationale = (
            f"{plan.family.procedure.replace('_', ' ').capitalize()} documented but no muscle is named; "
            f"{plan.code} is the lowest code and the claim waits for a provider query."
        )
    else:
        muscles = ", ".join(muscle_label(m) for m in plan.counted)
        rationale = (
            f"{plan.count} distinct muscle(s) counted: {muscles}. "
            f"{plan.code} covers {_tier_range(cpt, plan.code)}; "
            f"one line with {plan.family.units_per_session} unit per session."
        )
    if modifier_reason:
        rationale += f" {modifier_reason}"
    if not_billed:
        rationale += " Not billed on their own line: " + "; ".join(not_billed) + "."
    evidence = _merge_evidence(findings.procedure_evidence, *(m.evidence for m in plan.counted))
    return ClaimLine(
        code=plan.code,
        units=plan.family.units_per_session,
        modifiers=modifiers,
        description=description,
        rationale=rationale,
        rule_id=plan.rule_id,
        evidence=evidence,
    )


def guidance_line(
    plan: ProcedurePlan, findings: Findings, cpt: CptFile, payer: PayerProfile
) -> ClaimLine | None:
    """Build the imaging guidance line (one unit per encounter) when a procedure used guidance.

    Args:
        plan: the procedure plan (guidance is coded only with a procedure).
        findings: for the guidance finding.
        cpt: code table.
        payer: for the coverage note.

    Returns:
        The line, or None.

    """
    if not plan.performed or findings.guidance is None:
        return None
    record = cpt.guidance_for(findings.guidance.modality)
    if record is None:
        return None
    rationale = f"{findings.guidance.modality.capitalize()} guidance documented; one unit per encounter."
    if not findings.guidance.reason:
        rationale += " The note does not say why guidance was needed."
    if not payer.guidance.covered:
        rationale += f" {payer.name}: {payer.guidance.policy}"
    return ClaimLine(
        code=record.code,
        units=record.units,
        modifiers=[],
        description=record.description,
        rationale=rationale,
        rule_id=f"GUIDANCE-{record.code}",
        evidence=_merge_evidence(findings.guidance.evidence, findings.guidance.reason),
    )


def em_service(
    plan: ProcedurePlan, findings: Findings, cpt: CptFile, modifiers: list[str]
) -> tuple[EMService | None, ClaimLine | None]:
    """Judge a same-day E/M service and build its line.

    With a procedure, the E/M is separately identifiable only when the note shows a separate significant
    problem (``EMFinding.separate_problem``); without one it is the visit itself. A line is written only
    when the note names the E/M code (CONTRACT.md).

    Args:
        plan: the procedure plan.
        findings: for the E/M finding.
        cpt: E/M code descriptions.
        modifiers: the modifiers the payer puts on a separate E/M beside a procedure.

    Returns:
        The E/M service (None when none is documented) and its line (None when not billable or uncoded).

    """
    em = findings.em
    if em is None:
        return None, None
    separate = bool(em.separate_problem) or not plan.performed
    if not plan.performed:
        rationale = "E/M documented with no same-day procedure: the visit itself."
    elif em.separate_problem:
        rationale = "A significant problem apart from the injection was evaluated: separately identifiable."
    else:
        rationale = (
            "Only the pre-procedure assessment of the injected area was documented: part of the procedure."
        )
    service = EMService(
        documented=True,
        separately_identifiable=separate,
        code=em.code,
        evidence=_merge_evidence(em.evidence, em.separate_problem),
        rationale=rationale,
    )
    if not separate or em.code is None:
        return service, None
    record = next((c for c in cpt.em.codes if c.code == em.code), None)
    line = ClaimLine(
        code=em.code,
        units=cpt.em.units,
        modifiers=modifiers if plan.performed else [],
        description=record.description if record else cpt.em.unknown_description,
        rationale=rationale,
        rule_id=f"EM-{em.code}",
        evidence=_merge_evidence(em.evidence, em.separate_problem),
    )
    return service, line
