"""Shared helpers for coding tests: small hand-made Findings with real character offsets.

``Note`` builds a note text piece by piece and hands out Evidence spans whose text equals the slice, so
the contract invariant holds in every fixture. ``good_findings`` is a fully documented TPI note; each
test changes one thing of it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tpicoder import resources
from tpicoder.coding import CodingResult, clear_cache
from tpicoder.findings import EMFinding, Findings, GuidanceFinding
from tpicoder.schema import Diagnosis, Evidence, InjectedMuscle, PriorTreatment, Quantity, Substance

# Regions of the muscles the tests use (CONTRACT.md regions; same as the extraction lexicon).
REGIONS = {
    "trapezius": "neck",
    "levator_scapulae": "neck",
    "sternocleidomastoid": "neck",
    "splenius_capitis": "neck",
    "masseter": "head",
    "temporalis": "head",
    "rhomboid_major": "upper_back",
    "infraspinatus": "shoulder",
    "quadratus_lumborum": "low_back",
    "multifidus": "low_back",
    "gluteus_medius": "hip_buttock",
    "piriformis": "hip_buttock",
    "gastrocnemius": "lower_limb",
    "extensor_carpi_radialis_brevis": "upper_limb",
    "cervical_paraspinals": "neck",
    "lumbar_paraspinals": "low_back",
    "scalenes": "neck",
    "rhomboids": "upper_back",
}
GROUPS = {"cervical_paraspinals", "lumbar_paraspinals", "scalenes", "rhomboids"}
DOS = "2025-01-15"


class Note:
    """A note text grown phrase by phrase; every phrase becomes an Evidence span."""

    def __init__(self) -> None:
        self.text = ""

    def __call__(self, phrase: str) -> Evidence:
        if self.text:
            self.text += " "
        start = len(self.text)
        self.text += phrase
        return Evidence(start=start, end=len(self.text), text=phrase)

    def muscle(self, name: str, side: str = "left", *, phrase: str | None = None) -> InjectedMuscle:
        label = phrase or f"{side} {name.replace('_', ' ')}"
        return InjectedMuscle(
            muscle=name, side=side, is_group=name in GROUPS, region=REGIONS[name], evidence=[self(label)]
        )

    def substance(
        self,
        name: str,
        role: str,
        *,
        dose: tuple[float, str] | None = None,
        volume: tuple[float, str] | None = None,
        concentration: str | None = None,
    ) -> Substance:
        return Substance(
            substance=name,
            role=role,
            concentration=concentration,
            dose=Quantity(value=dose[0], unit=dose[1]) if dose else None,
            volume=Quantity(value=volume[0], unit=volume[1]) if volume else None,
            evidence=[self(name)],
        )

    def diagnosis(self, text: str, code: str | None = None) -> Diagnosis:
        return Diagnosis(code=code, text=text, evidence=[self(f"{text} {code or ''}".strip())])

    def prior(self, treatment: str, outcome: str = "failed") -> PriorTreatment:
        return PriorTreatment(
            treatment=treatment, name=treatment.replace("_", " "), outcome=outcome, evidence=[self(treatment)]
        )


@pytest.fixture
def note() -> Note:
    return Note()


def good_findings(note: Note, **changes) -> Findings:
    """A fully documented TPI of left and right trapezius (20552) with lidocaine, then ``changes``."""
    values = dict(
        procedure_kind="injection",
        procedure_evidence=[note("trigger point injections performed")],
        injected_muscles=[note.muscle("trapezius", "left"), note.muscle("trapezius", "right")],
        substances=[note.substance("lidocaine", "anesthetic", volume=(3, "mL"), concentration="1%")],
        prior_treatments=[note.prior("physical_therapy", "failed")],
        diagnoses=[note.diagnosis("myalgia of auxiliary muscles, head and neck", "M79.12")],
        exam_findings=[note("taut band with local twitch response")],
        indication=[note("injections chosen after failed physical therapy")],
        date_of_service=DOS,
        patient_id="MRN1",
    )
    values.update(changes)
    values["text_length"] = len(note.text)
    return Findings(**values)


def guidance(note: Note, modality: str = "ultrasound", reason: bool = False) -> GuidanceFinding:
    return GuidanceFinding(
        modality=modality,
        evidence=[note(f"{modality} guidance")],
        reason=[note("deep muscle near the pleura")] if reason else [],
    )


def em(note: Note, code: str | None = "99213", separate: bool = False) -> EMFinding:
    return EMFinding(
        code=code,
        evidence=[note(f"E/M {code}")],
        separate_problem=[note("hypertension reviewed, lisinopril adjusted")] if separate else [],
    )


def warning_codes(result: CodingResult) -> list[str]:
    return [w.code for w in result.warnings]


def rule_ids(result: CodingResult) -> list[str]:
    return [w.rule_id for w in result.warnings]


def line_codes(result: CodingResult) -> list[str]:
    return [line.code for line in result.claim_lines]


def line(result: CodingResult, code: str):
    matches = [item for item in result.claim_lines if item.code == code]
    assert len(matches) == 1, f"expected one {code} line, got {line_codes(result)}"
    return matches[0]


def assert_evidence_in(note: Note, spans: list[Evidence]) -> None:
    for span in spans:
        assert note.text[span.start : span.end] == span.text


@pytest.fixture(autouse=True)
def _lexicons_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point resources at the repository lexicons unless the environment already names a folder."""
    if not os.environ.get(resources.ENV_VAR):
        monkeypatch.setenv(resources.ENV_VAR, str(Path(__file__).resolve().parents[2] / "lexicons"))


@pytest.fixture
def lexicon_copy(tmp_path: Path) -> Callable[[], Path]:
    """Return a function that copies the lexicon folder into tmp_path (edit it, then pass it on)."""

    def make() -> Path:
        target = tmp_path / "lexicons"
        shutil.copytree(resources.lexicon_dir(), target)
        clear_cache()
        return target

    yield make
    clear_cache()
