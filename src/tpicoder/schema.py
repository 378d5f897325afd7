"""Public result models: the contract (CONTRACT.md) as pydantic classes.

This module is the only place where public field names live. Fields may be added; renaming or dropping
one requires bumping ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

Side = Literal["left", "right", "unspecified"]
Assertion = Literal["present", "negated", "hypothetical", "historical"]
MatchKind = Literal["exact", "abbreviation", "fuzzy", "pattern"]
Severity = Literal["error", "warning", "info"]
Procedure = Literal["trigger_point_injection", "dry_needling", "none"]
Guidance = Literal["ultrasound", "fluoroscopy", "mri"]
Outcome = Literal["failed", "partial_relief", "relief", "unknown"]
Region = Literal[
    "head",
    "neck",
    "upper_back",
    "low_back",
    "shoulder",
    "chest_wall",
    "upper_limb",
    "abdomen",
    "hip_buttock",
    "lower_limb",
]
"""Body regions of CONTRACT.md ("Regions")."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """A character span of the note: ``text[start:end] == evidence.text``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Quantity(_Model):
    """A number with its unit, e.g. 40 mg or 4 mL."""

    value: float
    unit: str


class InjectedMuscle(_Model):
    """One distinct (muscle, side) injected in this session."""

    muscle: str
    side: Side
    is_group: bool
    region: str
    evidence: list[Evidence]


class Substance(_Model):
    """One injectate given this session."""

    substance: str
    role: str
    concentration: str | None = None
    dose: Quantity | None = None
    volume: Quantity | None = None
    evidence: list[Evidence]


class PriorTreatment(_Model):
    """A conservative treatment tried before this visit."""

    treatment: str
    name: str
    duration: str | None = None
    outcome: Outcome = "unknown"
    evidence: list[Evidence]


class Diagnosis(_Model):
    """A diagnosis stated in the note, with its ICD-10-CM code when one is written or inferred."""

    code: str | None = None
    text: str
    valid: bool | None = None
    evidence: list[Evidence]
    description: str | None = None
    inferred: bool = False


class EMService(_Model):
    """A same-day evaluation and management service."""

    documented: bool
    separately_identifiable: bool
    code: str | None = None
    evidence: list[Evidence]
    rationale: str | None = None


class ClaimLine(_Model):
    """One line of the claim this note supports."""

    code: str
    units: int = Field(ge=1)
    modifiers: list[str] = Field(default_factory=list)
    description: str
    rationale: str
    rule_id: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Warning(_Model):
    """A documentation gap or claim problem."""

    code: str
    severity: Severity
    message: str
    evidence: list[Evidence] = Field(default_factory=list)
    rule_id: str | None = None
    source: str | None = None


class Mention(_Model):
    """Any span the extractor found, whatever its assertion."""

    label: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    normalized: str | None = None
    assertion: Assertion = "present"
    section: str = "unknown"
    match: MatchKind = "exact"
    score: float = 100.0
    side: Literal["left", "right", "bilateral", "unspecified"] | None = None
    injected: bool | None = None
    cue: str | None = None
    cue_rule: str | None = None
    rule_id: str | None = None
    alias: str | None = None


class ClaimLineIn(_Model):
    """One line of a claim a coder proposes for review."""

    code: str
    units: int = Field(default=1, ge=0)
    modifiers: list[str] = Field(default_factory=list)


class Claim(_Model):
    """A claim a coder proposes for this note; ``analyze(text, claim=...)`` reviews it."""

    lines: list[ClaimLineIn]


class NoteMeta(_Model):
    """Provenance of a result: tool and lexicon versions, payer, dates read from the note."""

    tool_version: str
    payer: str
    lexicon_versions: dict[str, str] = Field(default_factory=dict)
    date_of_service: str | None = None
    patient_id: str | None = None
    source_encoding: str | None = Field(
        default=None,
        description="How the CLI decoded the note file (utf-8, utf-16, cp1252 or latin-1); "
        "null when the caller passed text.",
    )


class NoteResult(_Model):
    """Everything tpicoder says about one note. ``model_dump(mode="json")`` is the CLI's JSON."""

    schema_version: str = SCHEMA_VERSION
    note_id: str | None = None
    procedure: Procedure = "none"
    injected_muscles: list[InjectedMuscle] = Field(default_factory=list)
    substances: list[Substance] = Field(default_factory=list)
    prior_treatments: list[PriorTreatment] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    guidance: Guidance | None = None
    em_service: EMService | None = None
    claim_lines: list[ClaimLine] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    meta: NoteMeta | None = None
