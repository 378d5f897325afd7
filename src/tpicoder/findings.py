"""The hand-off between the two stages: what extraction found, in character offsets.

Extraction (``tpicoder.extract``) ends by building a :class:`Findings`; coding (``tpicoder.coding``)
reads nothing else. Public sub-models (evidence, muscles, substances...) are reused from
:mod:`tpicoder.schema` so a finding passes to the result unchanged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.schema import (
    Diagnosis,
    Evidence,
    Guidance,
    InjectedMuscle,
    Mention,
    PriorTreatment,
    Substance,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GuidanceFinding(_Model):
    """Imaging guidance used this session, and whether the note says why."""

    modality: Guidance
    evidence: list[Evidence]
    reason: list[Evidence] = Field(default_factory=list)


class EMFinding(_Model):
    """A same-day E/M service as documented.

    ``separate_problem`` holds evidence of a significant problem worked up or managed apart from the
    injection (a new complaint, management of another condition); empty when the visit was only the
    scheduled procedure and its pre-procedure work.
    """

    code: str | None = None
    modifiers: list[str] = Field(default_factory=list)
    evidence: list[Evidence]
    separate_problem: list[Evidence] = Field(default_factory=list)


class Findings(_Model):
    """Everything stage 1 found in one note, ready for coding.

    Attributes:
        text_length: length of the note text, for bounds checks.
        procedure_kind: ``injection`` when something was injected into muscle this session,
            ``needling`` when needles were inserted with no injectate, ``none`` otherwise.
        procedure_evidence: spans of the injection/needling event (verbs such as "injected", "TPI").
        injected_muscles: one entry per distinct (muscle, side) injected this session.
        nonspecific_sites: injected sites named only by region ("neck muscles", "upper back").
        substances: injectates given this session.
        prior_treatments: conservative care tried before this visit.
        diagnoses: diagnoses and ICD-10-CM codes as written.
        exam_findings: trigger point examination findings (taut band, twitch, referred pain, tenderness).
        indication: statements of why injections were chosen (medical necessity).
        guidance: imaging guidance used, if any.
        em: same-day E/M service, if documented.
        date_of_service: ISO date read from the note header, if any.
        patient_id: patient identifier (MRN) from the header, if any.
        repeat_relief: evidence of response to an earlier TPI (percent relief), for repeat sessions.
        mentions: every span found, with assertion, for review.

    """

    text_length: int = 0
    procedure_kind: Literal["injection", "needling", "none"] = "none"
    procedure_evidence: list[Evidence] = Field(default_factory=list)
    injected_muscles: list[InjectedMuscle] = Field(default_factory=list)
    nonspecific_sites: list[Evidence] = Field(default_factory=list)
    substances: list[Substance] = Field(default_factory=list)
    prior_treatments: list[PriorTreatment] = Field(default_factory=list)
    diagnoses: list[Diagnosis] = Field(default_factory=list)
    exam_findings: list[Evidence] = Field(default_factory=list)
    indication: list[Evidence] = Field(default_factory=list)
    guidance: GuidanceFinding | None = None
    em: EMFinding | None = None
    date_of_service: str | None = None
    patient_id: str | None = None
    repeat_relief: list[Evidence] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
