"""Modifiers the payer profile puts on the lines this note supports.

Every convention comes from the payer file (``lexicons/coding/payers/<id>.yaml``); there is no branch on
a payer's name. Under the default Medicare profile no modifier goes on 20552/20553/20560/20561 or on
guidance codes, and a separately identifiable E/M takes 25.
"""

from __future__ import annotations

from tpicoder.coding.cpt import SIDED, ProcedurePlan
from tpicoder.coding.data import PayerProfile
from tpicoder.findings import Findings


def procedure_modifiers(
    plan: ProcedurePlan, findings: Findings, payer: PayerProfile
) -> tuple[list[str], str | None]:
    """Return the modifiers of the per-session line and the reason for them.

    LT or RT is added only when the payer lists the family under ``modifiers.laterality.families`` and
    every counted muscle is on that one side, with no unsided muscle and no region-only site.

    Args:
        plan: the procedure plan.
        findings: for region-only sites.
        payer: the payer profile.

    Returns:
        (modifiers, reason); reason is None when no modifier is added.

    """
    policy = payer.modifiers.laterality
    if plan.family is None or plan.family.id not in policy.families or not plan.counted:
        return [], None
    if findings.nonspecific_sites:
        return [], None
    sides = {m.side for m in plan.counted}
    if len(sides) != 1 or not sides <= set(SIDED):
        return [], None
    side = sides.pop()
    modifier = policy.left if side == SIDED[0] else policy.right
    return [modifier], f"{payer.name} takes {modifier} when every injected muscle is on the {side} side."


def em_modifiers(plan: ProcedurePlan, payer: PayerProfile) -> list[str]:
    """Return the modifiers of a separately identifiable E/M line beside this note's procedure."""
    return [payer.modifiers.em.separate_modifier] if plan.performed else []
