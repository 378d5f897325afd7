"""Pydantic models of the coding lexicon files under ``lexicons/coding/``.

Every record forbids extra keys and is frozen, so a typo in a YAML file fails at start-up with the file
and field named (through :func:`tpicoder.resources.load`), never on the 500th note. Checks that need one
file only live here as validators; checks across files (a rule's warning code exists in warnings.yaml,
a payer names a known procedure family...) run in :mod:`tpicoder.coding.bundle`.
"""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tpicoder.schema import Guidance, Outcome, Procedure, Region, Severity

Specificity = Literal["myalgia", "specific", "site_pain", "vague"]
"""How well an ICD-10-CM code supports a trigger point procedure.

``myalgia``: the M79.1- myalgia family (what the 2024 Medicare LCD covers); ``specific``: a named disorder
(tension-type headache, muscle spasm, strain, radiculopathy...); ``site_pain``: pain of a named site
(cervicalgia, low back pain, shoulder pain); ``vague``: pain with no site or disorder (R52, G89.29).
"""

Status = Literal["VERIFIED", "LIKELY", "UNVERIFIED"]
"""Evidence grade of a fact, as in the research notes (tpi-coding-facts.md)."""

CPT_PATTERN = r"^[0-9]{4}[0-9A-Z]$"
HCPCS_PATTERN = r"^[A-Z][0-9]{4}$"
ICD10_PATTERN = r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"
MODIFIER_PATTERN = r"^[0-9A-Z]{2}$"
RULE_ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
WARNING_CODE_PATTERN = r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$"
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _File(_Record):
    """Fields every lexicon file carries."""

    version: str = Field(min_length=1)
    source: str = Field(min_length=1)


def template_fields(template: str) -> set[str]:
    """Return the ``{name}`` placeholders of a message template.

    Raises:
        ValueError: when the template is not a valid ``str.format`` template or uses positional or
            attribute/index placeholders.

    """
    names: set[str] = set()
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is None:
            continue
        if not re.fullmatch(r"[a-z][a-z0-9_]*", field_name):
            raise ValueError(f"placeholder {{{field_name}}} must be a snake_case name")
        names.add(field_name)
    return names


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


# ---------------------------------------------------------------------------------------------- cpt.yaml


class ProcedureFamily(_Record):
    """A per-session procedure family (trigger point injection, dry needling).

    Attributes:
        id: family id used by codes and payer profiles.
        procedure_kind: the ``Findings.procedure_kind`` this family codes.
        procedure: the contract's ``NoteResult.procedure`` value.
        units_per_session: units billed per session, whatever the number of muscles.
        fallback_code: code billed when the procedure is documented but no muscle is named.
        source: citation.

    """

    id: str = Field(pattern=ID_PATTERN)
    procedure_kind: Literal["injection", "needling"]
    procedure: Procedure
    units_per_session: int = Field(ge=1)
    fallback_code: str = Field(pattern=CPT_PATTERN)
    source: str


class ProcedureCode(_Record):
    """One muscle-count tier of a family: ``min_muscles`` to ``max_muscles`` (None = no upper bound)."""

    code: str = Field(pattern=CPT_PATTERN)
    family: str = Field(pattern=ID_PATTERN)
    description: str
    min_muscles: int = Field(ge=1)
    max_muscles: int | None = Field(default=None, ge=1)
    status: Status
    source: str

    @model_validator(mode="after")
    def _bounds(self) -> ProcedureCode:
        if self.max_muscles is not None and self.max_muscles < self.min_muscles:
            raise ValueError("max_muscles is below min_muscles")
        return self


class GuidanceCode(_Record):
    """The imaging guidance code for one modality."""

    code: str = Field(pattern=CPT_PATTERN)
    modality: Guidance
    description: str
    units: int = Field(ge=1)
    status: Status
    source: str


class EmCode(_Record):
    """An office/outpatient E/M code the note may name."""

    code: str = Field(pattern=CPT_PATTERN)
    description: str


class EmCodes(_Record):
    """E/M codes and the units billed for one."""

    units: int = Field(ge=1)
    unknown_description: str
    source: str
    codes: list[EmCode]


class CodeRange(_Record):
    """An inclusive range of CPT codes (same length), e.g. 20600-20611."""

    first: str = Field(pattern=CPT_PATTERN)
    last: str = Field(pattern=CPT_PATTERN)
    description: str
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> CodeRange:
        if self.last < self.first:
            raise ValueError("last is before first")
        return self

    def contains(self, code: str) -> bool:
        """Return whether ``code`` falls in this range."""
        return len(code) == len(self.first) and self.first <= code <= self.last


class CptFile(_File):
    """``coding/cpt.yaml``: procedure families, their muscle-count tiers, guidance and E/M codes."""

    families: list[ProcedureFamily]
    codes: list[ProcedureCode]
    guidance: list[GuidanceCode]
    em: EmCodes
    distinct_procedures: list[CodeRange]

    @model_validator(mode="after")
    def _consistent(self) -> CptFile:
        _unique([f.id for f in self.families], "family id")
        _unique([f.procedure_kind for f in self.families], "family procedure_kind")
        _unique([c.code for c in self.codes] + [g.code for g in self.guidance], "code")
        _unique([g.modality for g in self.guidance], "guidance modality")
        families = {f.id: f for f in self.families}
        for code in self.codes:
            if code.family not in families:
                raise ValueError(f"code {code.code}: unknown family {code.family!r}")
        for family in self.families:
            tiers = sorted((c for c in self.codes if c.family == family.id), key=lambda c: c.min_muscles)
            if not tiers:
                raise ValueError(f"family {family.id}: no codes")
            if family.fallback_code not in {c.code for c in tiers}:
                raise ValueError(
                    f"family {family.id}: fallback_code {family.fallback_code} is not one of its codes"
                )
            # Tiers must cover 1..infinity without gaps or overlaps, so every count gets exactly one code.
            expected = 1
            for tier in tiers:
                if tier.min_muscles != expected:
                    raise ValueError(
                        f"family {family.id}: code {tier.code} should start at {expected} muscles"
                    )
                if tier.max_muscles is None:
                    if tier is not tiers[-1]:
                        raise ValueError(f"family {family.id}: only the last tier may be open-ended")
                    break
                expected = tier.max_muscles + 1
            else:
                raise ValueError(f"family {family.id}: the last tier must be open-ended (max_muscles: null)")
        return self

    def family_for_kind(self, kind: str) -> ProcedureFamily | None:
        """Return the family coding ``Findings.procedure_kind`` ``kind``, if any."""
        return next((f for f in self.families if f.procedure_kind == kind), None)

    def family_of_code(self, code: str) -> ProcedureFamily | None:
        """Return the per-session family a CPT code belongs to, if any."""
        for tier in self.codes:
            if tier.code == code:
                return next(f for f in self.families if f.id == tier.family)
        return None

    def tier_for(self, family_id: str, count: int) -> ProcedureCode:
        """Return the code of ``family_id`` for ``count`` muscles (count >= 1)."""
        for tier in self.codes:
            if tier.family != family_id or count < tier.min_muscles:
                continue
            if tier.max_muscles is None or count <= tier.max_muscles:
                return tier
        raise KeyError(f"{family_id}: no tier for {count} muscles")

    def code(self, code: str) -> ProcedureCode | None:
        """Return the tier record of a procedure code."""
        return next((c for c in self.codes if c.code == code), None)

    def guidance_for(self, modality: str) -> GuidanceCode | None:
        """Return the guidance code of a modality."""
        return next((g for g in self.guidance if g.modality == modality), None)

    def is_distinct_procedure(self, code: str) -> bool:
        """Return whether ``code`` is a different same-day procedure that may justify 59/X{EPSU}."""
        return any(r.contains(code) for r in self.distinct_procedures)


# -------------------------------------------------------------------------------------------- drugs.yaml


class PerUnit(_Record):
    """The amount one HCPCS billing unit stands for."""

    value: float = Field(gt=0)
    unit: Literal["mg", "units"]


class DrugCode(_Record):
    """A HCPCS drug-supply code valid from ``effective`` (None: long-standing) to ``end`` (inclusive)."""

    code: str = Field(pattern=HCPCS_PATTERN)
    description: str
    per: PerUnit
    effective: date | None = None
    end: date | None = None
    status: Status
    source: str

    @model_validator(mode="after")
    def _dates(self) -> DrugCode:
        if self.effective and self.end and self.end < self.effective:
            raise ValueError("end is before effective")
        return self

    def active_on(self, day: date) -> bool:
        """Return whether the code may be billed for a service on ``day``."""
        return (self.effective is None or self.effective <= day) and (self.end is None or day <= self.end)


class Drug(_Record):
    """How one injectate (CONTRACT substance id) is billed.

    ``billing``: ``separate`` gets a drug-supply line; ``bundled`` is part of the procedure (no line);
    ``unlisted`` has no specific code and is left to the coder (no line; reason given).
    """

    substance: str = Field(pattern=ID_PATTERN)
    role: str = Field(pattern=ID_PATTERN)
    billing: Literal["separate", "bundled", "unlisted"]
    container: Literal["single_dose", "varies", "not_applicable"]
    reason: str
    codes: list[DrugCode] = Field(default_factory=list)
    status: Status
    source: str

    @model_validator(mode="after")
    def _codes(self) -> Drug:
        if self.billing == "separate" and not self.codes:
            raise ValueError(f"{self.substance}: billing 'separate' needs at least one code")
        if self.billing != "separate" and self.codes:
            raise ValueError(f"{self.substance}: only 'separate' drugs carry codes")
        return self


class UnitsTable(_Record):
    """Unit words of doses and concentrations, with factors to mg, mL or units."""

    mass: dict[str, float]
    volume: dict[str, float]
    count: list[str]
    percent_mg_per_ml: float = Field(gt=0)
    source: str


class DrugsFile(_File):
    """``coding/drugs.yaml``: HCPCS codes and unit sizes of injectates."""

    rounding: Literal["up"]
    units: UnitsTable
    drugs: list[Drug]

    @model_validator(mode="after")
    def _unique_drugs(self) -> DrugsFile:
        _unique([d.substance for d in self.drugs], "substance")
        return self

    def drug(self, substance: str) -> Drug | None:
        """Return the billing record of a substance id."""
        return next((d for d in self.drugs if d.substance == substance), None)


# ----------------------------------------------------------------------------------------- warnings.yaml


class WarningDef(_Record):
    """A contract warning code with its severity, default message template and citation."""

    code: str = Field(pattern=WARNING_CODE_PATTERN)
    severity: Severity
    message: str
    source: str

    @model_validator(mode="after")
    def _template(self) -> WarningDef:
        template_fields(self.message)
        return self


class WarningsFile(_File):
    """``coding/warnings.yaml``."""

    warnings: list[WarningDef]

    @model_validator(mode="after")
    def _unique_codes(self) -> WarningsFile:
        _unique([w.code for w in self.warnings], "warning code")
        return self

    def get(self, code: str) -> WarningDef | None:
        """Return the definition of a warning code."""
        return next((w for w in self.warnings if w.code == code), None)


# -------------------------------------------------------------------------------------------- rules.yaml


class Rule(_Record):
    """A declarative coding rule: when its predicates hold, raise ``warning``.

    Attributes:
        id: stable rule id, carried by the warning.
        warning: the contract warning code raised.
        scope: ``note`` rules read one note's Findings; ``history`` rules read one patient's visits.
        all: predicates that must all be true.
        any: predicates of which at least one must be true (ignored when empty).
        none: predicates that must all be false.
        each: an itemised predicate in ``all``: one warning per item (per muscle, per code...).
        evidence: predicates (in ``all``/``any``) whose evidence spans the warning carries.
        message: template overriding the warning's default message.
        description: what the rule checks, in words.
        source: citation.

    """

    id: str = Field(pattern=RULE_ID_PATTERN)
    warning: str = Field(pattern=WARNING_CODE_PATTERN)
    scope: Literal["note", "history"] = "note"
    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    each: str | None = None
    evidence: list[str] = Field(default_factory=list)
    message: str | None = None
    description: str
    source: str

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if not self.all and not self.any:
            raise ValueError("a rule needs at least one predicate in 'all' or 'any'")
        if self.each is not None and self.each not in self.all:
            raise ValueError(f"each: {self.each!r} must also be listed in 'all'")
        stray = [p for p in self.evidence if p not in self.all and p not in self.any]
        if stray:
            raise ValueError(f"evidence: {stray} are not in 'all' or 'any'")
        if self.message is not None:
            template_fields(self.message)
        return self

    def predicates(self) -> list[str]:
        """Return every predicate name the rule reads."""
        names = [*self.all, *self.any, *self.none]
        return list(dict.fromkeys(names))


class RuleSettings(_Record):
    """Named values the predicates read (no bare numbers or term lists in code).

    Attributes:
        failure_outcomes: prior-treatment outcomes that count as "tried and not enough".
        nonspecific_specificities: ICD specificity classes that are too vague to support the procedure.
        adjacent_regions: region pairs close enough that a diagnosis of one supports muscles of the other.
        muscle_regions: extra regions a muscle may lie in (a spinal muscle runs neck to sacrum), for
            diagnosis-site matching only.
        source: citation.

    """

    failure_outcomes: list[Outcome]
    nonspecific_specificities: list[Specificity]
    adjacent_regions: list[tuple[Region, Region]]
    muscle_regions: dict[str, list[Region]]
    source: str


class RulesFile(_File):
    """``coding/rules.yaml``."""

    settings: RuleSettings
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        _unique([r.id for r in self.rules], "rule id")
        return self


# ---------------------------------------------------------------------------------------- payers/*.yaml


class BilateralPolicy(_Record):
    """Modifier 50: which codes may carry it under this payer."""

    modifier: str = Field(pattern=MODIFIER_PATTERN)
    allowed_codes: list[str]
    source: str


class LateralityPolicy(_Record):
    """LT/RT on a per-session line when every injected muscle is on one side."""

    families: list[str]
    left: str = Field(pattern=MODIFIER_PATTERN)
    right: str = Field(pattern=MODIFIER_PATTERN)
    status: Status
    source: str


class DistinctProcedurePolicy(_Record):
    """59 and X{EPSU}: never to bill a per-session code twice; maybe with a distinct other procedure."""

    modifiers: list[str]
    allowed_with_other_procedure: bool
    source: str


class EmPolicy(_Record):
    """The modifier a significant, separately identifiable same-day E/M takes."""

    separate_modifier: str = Field(pattern=MODIFIER_PATTERN)
    source: str


class ModifierPolicy(_Record):
    """All modifier conventions of one payer."""

    bilateral: BilateralPolicy
    laterality: LateralityPolicy
    distinct_procedure: DistinctProcedurePolicy
    em: EmPolicy


class GuidancePolicy(_Record):
    """Coverage stance on imaging guidance for trigger point procedures."""

    covered: bool
    policy: str
    source: str


class WastagePolicy(_Record):
    """JW/JZ drug-wastage modifiers for drugs from single-dose containers."""

    required: bool
    discarded_modifier: str = Field(pattern=MODIFIER_PATTERN)
    none_discarded_modifier: str = Field(pattern=MODIFIER_PATTERN)
    required_from: date | None = None
    policy: str
    source: str


class FrequencyPolicy(_Record):
    """At most ``sessions`` sessions of the listed procedures per rolling ``window_days`` days."""

    sessions: int = Field(ge=1)
    window_days: int = Field(ge=1)
    counts_procedures: list[Procedure]
    source: str


class DiagnosisPolicy(_Record):
    """Which covered-diagnosis list (icd10cm.yaml ``covered_lists``) applies, if any."""

    covered_list: str | None = None
    source: str


class PayerProfile(_File):
    """``coding/payers/<id>.yaml``: one payer's conventions, as data (never ``if payer == ...``)."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    modifiers: ModifierPolicy
    guidance: GuidancePolicy
    drug_wastage: WastagePolicy
    frequency: FrequencyPolicy
    diagnoses: DiagnosisPolicy


# --------------------------------------------------------------------------------------- icd10/*.yaml


class IcdCode(_Record):
    """One ICD-10-CM code: billable between ``effective`` and ``end`` (inclusive), else invalid.

    A code billable until ``end`` and a header afterwards (M54.5, M79.1) has ``billable: true`` and an
    ``end``; a code that was never billable (M54.1, G44.2) has ``billable: false``.
    """

    code: str = Field(pattern=ICD10_PATTERN)
    description: str
    billable: bool
    effective: date
    end: date | None = None
    region: list[Region] | None = None
    specificity: Specificity
    replacements: list[str] = Field(default_factory=list)
    covered_in: list[str] = Field(default_factory=list)
    status: Status = "LIKELY"

    @model_validator(mode="after")
    def _dates(self) -> IcdCode:
        if self.end is not None and self.end < self.effective:
            raise ValueError(f"{self.code}: end is before effective")
        if self.region is not None and not self.region:
            raise ValueError(f"{self.code}: region must be null (any/unknown) or a non-empty list")
        return self

    def billable_on(self, day: date) -> bool:
        """Return whether the code is a complete, current code on ``day``."""
        return self.billable and self.effective <= day and (self.end is None or day <= self.end)


class CoveredList(_Record):
    """A named list of covered diagnoses (e.g. the 2024 Medicare TPI LCD list)."""

    id: str = Field(pattern=ID_PATTERN)
    description: str
    source: str


class IcdFile(_File):
    """``coding/icd10/icd10cm.yaml``: the curated code table."""

    covered_lists: list[CoveredList]
    codes: list[IcdCode]

    @model_validator(mode="after")
    def _consistent(self) -> IcdFile:
        _unique([c.code for c in self.codes], "ICD-10-CM code")
        lists = {c.id for c in self.covered_lists}
        known = {c.code: c for c in self.codes}
        for record in self.codes:
            for name in record.covered_in:
                if name not in lists:
                    raise ValueError(f"{record.code}: covered_in names unknown list {name!r}")
            for replacement in record.replacements:
                target = known.get(replacement)
                if target is None:
                    raise ValueError(f"{record.code}: replacement {replacement} is not in the table")
                if not target.billable:
                    raise ValueError(f"{record.code}: replacement {replacement} is not billable")
        return self


class CodeChoice(_Record):
    """Pick ``code`` when every injected muscle is one of ``when_muscles`` / in ``when_regions``."""

    code: str = Field(pattern=ICD10_PATTERN)
    when_muscles: list[str] = Field(default_factory=list)
    when_regions: list[Region] = Field(default_factory=list)


class PhraseHint(_Record):
    """A diagnosis phrase written without a code, and what it implies.

    With ``choices`` the first matching choice gives an inferred code (``Diagnosis.inferred``); without,
    ``specificity`` and ``region`` describe the phrase and no code is inferred.
    """

    id: str = Field(pattern=ID_PATTERN)
    patterns: list[str] = Field(min_length=1)
    match: Literal["exact", "contains"]
    choices: list[CodeChoice] = Field(default_factory=list)
    specificity: Specificity | None = None
    region: list[Region] | None = None
    status: Status
    source: str

    @model_validator(mode="after")
    def _shape(self) -> PhraseHint:
        if not self.choices and self.specificity is None:
            raise ValueError(f"{self.id}: give 'choices' or 'specificity'")
        if self.choices and (self.specificity is not None or self.region is not None):
            raise ValueError(f"{self.id}: with 'choices' specificity and region come from the code table")
        if self.choices and (self.choices[-1].when_muscles or self.choices[-1].when_regions):
            raise ValueError(f"{self.id}: the last choice must be unconditional")
        return self


class PhraseFile(_File):
    """``coding/icd10/phrases.yaml``: diagnosis phrases without codes."""

    phrases: list[PhraseHint]

    @model_validator(mode="after")
    def _unique_ids(self) -> PhraseFile:
        _unique([p.id for p in self.phrases], "phrase id")
        return self
