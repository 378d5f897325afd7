"""Drug-supply lines: HCPCS code by date of service, units from dose or volume x concentration.

Unit sizes, unit words, the rounding rule and which injectates are bundled all live in
``lexicons/coding/drugs.yaml``; JW/JZ policy lives in the payer profile.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.coding.data import Drug, DrugCode, DrugsFile, PayerProfile
from tpicoder.schema import ClaimLine, Evidence, Quantity, Substance

BOTULINUM_ROLE = "botulinum_toxin"
"""CONTRACT.md substance role of botulinum toxins."""

_ROUND_DIGITS = 6
"""Decimal places kept before rounding units up, so 40 / 10 stays 4 despite binary floating point."""

_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_PERCENT = re.compile(rf"^\s*{_NUMBER}\s*%\s*$")
_RATIO = re.compile(rf"^\s*{_NUMBER}\s*([a-z]+)\s*(?:/|per|in)\s*{_NUMBER}?\s*([a-z]+)\s*$", re.IGNORECASE)

AmountUnit = Literal["mg", "units"]


class DrugAssessment(BaseModel):
    """How one named injectate is billed.

    Attributes:
        substance: the finding.
        drug: its billing record, None when the substance id is not in drugs.yaml.
        billing: ``separate``, ``bundled``, ``unlisted`` or ``unknown`` (not in drugs.yaml).
        amount: amount given, in ``amount_unit``, when it could be computed.
        amount_unit: ``mg`` or ``units`` (the unit of the drug's HCPCS codes).
        amount_source: how the amount was read (``dose`` or ``volume x concentration``).
        problem: why the amount could not be turned into units (separately billable drugs only).

    """

    model_config = ConfigDict(extra="forbid")

    substance: Substance
    drug: Drug | None = None
    billing: Literal["separate", "bundled", "unlisted", "unknown"]
    amount: float | None = None
    amount_unit: AmountUnit | None = None
    amount_source: str | None = None
    problem: str | None = None


class DrugLines(BaseModel):
    """Drug assessments and the claim lines they produce."""

    model_config = ConfigDict(extra="forbid")

    assessments: list[DrugAssessment] = Field(default_factory=list)
    lines: list[ClaimLine] = Field(default_factory=list)
    not_billed: list[str] = Field(default_factory=list)


def _norm_unit(word: str) -> str:
    return word.strip().lower().rstrip(".")


def _to_target(quantity: Quantity, target: AmountUnit, drugs: DrugsFile) -> float | None:
    """Convert a dose to the target unit (mg or units); None when the unit does not fit."""
    unit = _norm_unit(quantity.unit)
    if target == "mg" and unit in drugs.units.mass:
        return quantity.value * drugs.units.mass[unit]
    if target == "units" and unit in drugs.units.count:
        return quantity.value
    return None


def _volume_ml(quantity: Quantity | None, drugs: DrugsFile) -> float | None:
    if quantity is None:
        return None
    unit = _norm_unit(quantity.unit)
    return quantity.value * drugs.units.volume[unit] if unit in drugs.units.volume else None


def concentration_per_ml(text: str | None, target: AmountUnit, drugs: DrugsFile) -> float | None:
    """Parse a concentration such as ``40 mg/mL``, ``100 units/2 mL`` or ``1%`` into target units per mL.

    Args:
        text: the concentration as written.
        target: ``mg`` or ``units``.
        drugs: unit tables.

    Returns:
        Amount per mL, or None when the text cannot be read in the target unit.

    """
    if not text:
        return None
    percent = _PERCENT.match(text)
    if percent:
        return float(percent.group(1)) * drugs.units.percent_mg_per_ml if target == "mg" else None
    ratio = _RATIO.match(text)
    if not ratio:
        return None
    amount, unit, per, volume_unit = ratio.groups()
    volume = _volume_ml(Quantity(value=float(per) if per else 1.0, unit=volume_unit), drugs)
    numerator = _to_target(Quantity(value=float(amount), unit=unit), target, drugs)
    if volume is None or numerator is None or volume <= 0:
        return None
    return numerator / volume


def _amount(
    substance: Substance, target: AmountUnit, drugs: DrugsFile
) -> tuple[float | None, str | None, str | None]:
    """Return (amount, how it was read, problem)."""
    volume_quantity = substance.volume
    if substance.dose is not None:
        converted = _to_target(substance.dose, target, drugs)
        if converted is not None:
            return converted, "dose", None
        if _volume_ml(substance.dose, drugs) is not None and volume_quantity is None:
            # A dose written in mL is a volume.
            volume_quantity = substance.dose
    volume = _volume_ml(volume_quantity, drugs)
    if volume is not None:
        per_ml = concentration_per_ml(substance.concentration, target, drugs)
        if per_ml is not None:
            return volume * per_ml, "volume x concentration", None
        return None, None, f"volume {volume:g} mL given without a concentration in {target} per mL"
    if substance.dose is not None:
        return None, None, f"dose unit {substance.dose.unit!r} cannot be converted to {target}"
    return None, None, None


def _codes_on(drug: Drug, day: date) -> list[DrugCode]:
    return sorted((c for c in drug.codes if c.active_on(day)), key=lambda c: c.per.value, reverse=True)


def _round_up(value: float) -> int:
    return math.ceil(round(value, _ROUND_DIGITS))


def split_units(amount: float, codes: list[DrugCode]) -> list[tuple[DrugCode, int]]:
    """Split an amount over the codes valid on the date of service.

    One code: units = amount / unit size, rounded up. Several codes of one drug (methylprednisolone
    20/40/80 mg before 2024-04-01): the largest sizes first, the remainder rounded up on the smallest.

    Args:
        amount: the amount given, in the codes' unit.
        codes: valid codes, largest unit first.

    Returns:
        (code, units) pairs with units >= 1.

    """
    result: list[tuple[DrugCode, int]] = []
    remaining = round(amount, _ROUND_DIGITS)
    for code in codes[:-1]:
        units = int(remaining // code.per.value)
        if units:
            result.append((code, units))
            remaining = round(remaining - units * code.per.value, _ROUND_DIGITS)
    smallest = codes[-1]
    if remaining > 0:
        result.append((smallest, _round_up(remaining / smallest.per.value)))
    return result


def assess_drugs(substances: list[Substance], drugs: DrugsFile, payer: PayerProfile, day: date) -> DrugLines:
    """Assess every injectate and build the drug-supply lines.

    Several entries of one substance are summed (one Substance per administered amount is expected).

    Args:
        substances: ``Findings.substances``.
        drugs: the drug table.
        payer: for JW/JZ policy.
        day: date of service (chooses the code).

    Returns:
        Assessments, lines, and notes on injectates not billed on their own line.

    """
    result = DrugLines()
    totals: dict[str, list[DrugAssessment]] = {}
    for substance in substances:
        drug = drugs.drug(substance.substance)
        if drug is None:
            result.assessments.append(DrugAssessment(substance=substance, billing="unknown"))
            continue
        if drug.billing != "separate":
            result.assessments.append(DrugAssessment(substance=substance, drug=drug, billing=drug.billing))
            note = f"{substance.substance.replace('_', ' ')}: {drug.reason.rstrip('.')}"
            if note not in result.not_billed:
                result.not_billed.append(note)
            continue
        codes = _codes_on(drug, day)
        target: AmountUnit = codes[0].per.unit if codes else drug.codes[0].per.unit
        amount, how, problem = _amount(substance, target, drugs)
        if not codes:
            problem = f"no HCPCS code for {substance.substance} is valid on {day.isoformat()}"
            amount = None
        assessment = DrugAssessment(
            substance=substance,
            drug=drug,
            billing="separate",
            amount=amount,
            amount_unit=target,
            amount_source=how,
            problem=problem,
        )
        result.assessments.append(assessment)
        if amount is not None and amount > 0:
            totals.setdefault(drug.substance, []).append(assessment)
    for entries in totals.values():
        result.lines.extend(_lines_for(entries, drugs, payer, day))
    return result


def _lines_for(
    entries: list[DrugAssessment], drugs: DrugsFile, payer: PayerProfile, day: date
) -> list[ClaimLine]:
    drug = entries[0].drug
    if drug is None:  # only separately billed drugs reach here
        return []
    unit = entries[0].amount_unit
    total = sum(e.amount or 0.0 for e in entries)
    evidence: list[Evidence] = [span for e in entries for span in e.substance.evidence]
    how = ", ".join(sorted({e.amount_source or "" for e in entries}))
    wastage = _wastage_note(drug, payer, day)
    lines = []
    for code, units in split_units(total, _codes_on(drug, day)):
        rationale = (
            f"{drug.substance} {total:g} {unit} (from {how}) at {code.per.value:g} {unit} per unit"
            f" = {units} unit(s), partial units rounded {drugs.rounding}."
        )
        if wastage:
            rationale += f" {wastage}"
        lines.append(
            ClaimLine(
                code=code.code,
                units=units,
                modifiers=[],
                description=code.description,
                rationale=rationale,
                rule_id=f"DRUG-{code.code}",
                evidence=evidence,
            )
        )
    return lines


def _wastage_note(drug: Drug, payer: PayerProfile, day: date) -> str | None:
    policy = payer.drug_wastage
    if drug.container != "single_dose" or not policy.required:
        return None
    if policy.required_from is not None and day < policy.required_from:
        return None
    return (
        f"{payer.name}: {policy.policy} {policy.discarded_modifier}/{policy.none_discarded_modifier} is not "
        "added automatically."
    )


def is_botulinum(assessment: DrugAssessment) -> bool:
    """Return whether an injectate is a botulinum toxin (by the drug table, else by its role)."""
    role = assessment.drug.role if assessment.drug else assessment.substance.role
    return role == BOTULINUM_ROLE
