"""Diagnoses: ICD-10-CM validity on the date of service, region, specificity and phrase hints.

The code table (``lexicons/coding/icd10/icd10cm.yaml``) is curated, not the whole code set. A code it
lacks is judged unknown (``valid: None``), unless a longer code in the table starts with it: in
ICD-10-CM a code with children is a header and never billable, so such a code is invalid.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.coding.data import ICD10_PATTERN, IcdCode, IcdFile, PhraseFile, PhraseHint, Region, Specificity
from tpicoder.schema import Diagnosis, InjectedMuscle

_CATEGORY_LENGTH = 3
"""Characters before the dot of an ICD-10-CM code (M79 in M79.18)."""

_ICD10 = re.compile(ICD10_PATTERN)
_NON_WORD = re.compile(r"[^a-z0-9]+")


class IcdIndex:
    """The code table indexed by code, with header (children) lookup."""

    def __init__(self, table: IcdFile) -> None:
        """Index ``table``."""
        self.table = table
        self.by_code: dict[str, IcdCode] = {c.code: c for c in table.codes}
        self._sorted = sorted(self.by_code)

    def get(self, code: str) -> IcdCode | None:
        """Return the record of a code."""
        return self.by_code.get(code)

    def descendants(self, code: str) -> list[IcdCode]:
        """Return every table code that extends ``code`` (M79.1 -> M79.10, M79.11...)."""
        prefix = code if "." in code else code + "."
        return [self.by_code[c] for c in self._sorted if c != code and c.startswith(prefix)]


class DiagnosisAssessment(BaseModel):
    """What one diagnosis means for coding.

    Attributes:
        diagnosis: the output diagnosis (code normalised or inferred, valid and description filled).
        status: ``valid`` (billable on the date of service), ``invalid``, ``unknown`` (code not in the
            table) or ``uncoded`` (no code written or inferred).
        reason: why an invalid code is invalid.
        replacements: complete codes to suggest for an invalid one.
        regions: regions the diagnosis names (None: any site, or unknown).
        specificity: specificity class (None: unknown).
        covered: whether the payer's covered list holds the code (None: no list, or no code).
        hint: id of the phrase hint used, if any.

    """

    model_config = ConfigDict(extra="forbid")

    diagnosis: Diagnosis
    status: Literal["valid", "invalid", "unknown", "uncoded"]
    reason: str | None = None
    replacements: list[str] = Field(default_factory=list)
    regions: list[Region] | None = None
    specificity: Specificity | None = None
    covered: bool | None = None
    hint: str | None = None


def normalize_code(raw: str) -> str:
    """Return an ICD-10-CM code upper-cased, without spaces, with its dot (``m7918`` -> ``M79.18``)."""
    code = re.sub(r"\s+", "", raw).upper().rstrip(".")
    if "." not in code and len(code) > _CATEGORY_LENGTH:
        code = f"{code[:_CATEGORY_LENGTH]}.{code[_CATEGORY_LENGTH:]}"
    return code


def normalize_phrase(text: str) -> str:
    """Lower-case a phrase and reduce punctuation and spacing to single spaces."""
    return _NON_WORD.sub(" ", text.lower()).strip()


@functools.cache
def _normalized_pattern(pattern: str) -> str:
    # Lexicon patterns are a bounded set: normalised once per process, not once per diagnosis.
    return normalize_phrase(pattern)


def match_phrase(text: str, phrases: PhraseFile) -> PhraseHint | None:
    """Return the hint whose pattern matches ``text``, the longest pattern winning."""
    norm = normalize_phrase(text)
    if not norm:
        return None
    padded = f" {norm} "
    best: tuple[int, PhraseHint] | None = None
    for hint in phrases.phrases:
        for pattern in hint.patterns:
            pat = _normalized_pattern(pattern)
            hit = norm == pat if hint.match == "exact" else f" {pat} " in padded
            if hit and (best is None or len(pat) > best[0]):
                best = (len(pat), hint)
    return best[1] if best else None


def _choose_code(hint: PhraseHint, muscles: list[InjectedMuscle]) -> str | None:
    for choice in hint.choices:
        if choice.when_muscles and not (muscles and all(m.muscle in choice.when_muscles for m in muscles)):
            continue
        if choice.when_regions and not (muscles and all(m.region in choice.when_regions for m in muscles)):
            continue
        return choice.code
    return None


def _union_regions(records: list[IcdCode]) -> list[Region] | None:
    regions: list[Region] = []
    for record in records:
        if record.region is None:
            return None
        regions.extend(r for r in record.region if r not in regions)
    return regions or None


def _covered(record: IcdCode | None, covered_list: str | None) -> bool | None:
    if record is None or covered_list is None:
        return None
    return covered_list in record.covered_in


def _invalid_reason(record: IcdCode, day: date, has_children: bool) -> str:
    if not record.billable:
        return "it is a header (category), not a complete code"
    if record.end is not None and day > record.end:
        more = "; it now has more specific codes" if has_children else ""
        return f"it was valid only until {record.end.isoformat()}{more}"
    return f"it takes effect on {record.effective.isoformat()}"


def _valid(
    out: Diagnosis, record: IcdCode, covered_list: str | None, hint: str | None = None
) -> DiagnosisAssessment:
    """Return the assessment of a code billable on the date of service."""
    return DiagnosisAssessment(
        diagnosis=out,
        status="valid",
        regions=record.region,
        specificity=record.specificity,
        covered=_covered(record, covered_list),
        hint=hint,
    )


def assess_code(
    diagnosis: Diagnosis, code: str, index: IcdIndex, day: date, covered_list: str | None
) -> DiagnosisAssessment:
    """Judge a written code on the date of service.

    Args:
        diagnosis: the finding.
        code: the normalised code.
        index: the code table.
        day: date of service.
        covered_list: the payer's covered-diagnosis list id, if any.

    Returns:
        The assessment.

    """
    record = index.get(code)
    children = [c for c in index.descendants(code) if c.billable_on(day)]
    if record is not None:
        valid = record.billable_on(day)
        out = diagnosis.model_copy(update={"code": code, "valid": valid, "description": record.description})
        if valid:
            return _valid(out, record, covered_list)
        suggested = [c for c in record.replacements if (r := index.get(c)) is not None and r.billable_on(day)]
        return DiagnosisAssessment(
            diagnosis=out,
            status="invalid",
            reason=_invalid_reason(record, day, bool(children)),
            replacements=suggested or [c.code for c in children],
            regions=record.region,
            specificity=record.specificity,
            covered=False if covered_list else None,
        )
    if children:
        # Not in the table, but longer codes start with it: a header.
        out = diagnosis.model_copy(update={"code": code, "valid": False})
        return DiagnosisAssessment(
            diagnosis=out,
            status="invalid",
            reason="it is a header (category), not a complete code",
            replacements=[c.code for c in children],
            regions=_union_regions(children),
            covered=False if covered_list else None,
        )
    return DiagnosisAssessment(
        diagnosis=diagnosis.model_copy(
            update={"code": code if _ICD10.match(code) else diagnosis.code, "valid": None}
        ),
        status="unknown",
    )


def assess_text(
    diagnosis: Diagnosis,
    index: IcdIndex,
    phrases: PhraseFile,
    day: date,
    muscles: list[InjectedMuscle],
    covered_list: str | None,
) -> DiagnosisAssessment:
    """Read a diagnosis written without a code through the phrase hints.

    Args:
        diagnosis: the finding (no code).
        index: the code table.
        phrases: phrase hints.
        day: date of service (an inferred code must be billable on it).
        muscles: the counted injected muscles (for region-dependent codes).
        covered_list: the payer's covered-diagnosis list id, if any.

    Returns:
        The assessment; status ``valid`` with ``inferred`` set when a code was inferred, else ``uncoded``.

    """
    hint = match_phrase(diagnosis.text, phrases)
    if hint is None:
        return DiagnosisAssessment(diagnosis=diagnosis, status="uncoded")
    if not hint.choices:
        return DiagnosisAssessment(
            diagnosis=diagnosis,
            status="uncoded",
            regions=hint.region,
            specificity=hint.specificity,
            hint=hint.id,
        )
    code = _choose_code(hint, muscles)
    record = index.get(code) if code else None
    if record is None or not record.billable_on(day):
        return DiagnosisAssessment(
            diagnosis=diagnosis,
            status="uncoded",
            regions=record.region if record else None,
            specificity=record.specificity if record else None,
            hint=hint.id,
        )
    out = diagnosis.model_copy(
        update={"code": record.code, "valid": True, "description": record.description, "inferred": True}
    )
    return _valid(out, record, covered_list, hint=hint.id)


def assess_diagnoses(
    diagnoses: list[Diagnosis],
    index: IcdIndex,
    phrases: PhraseFile,
    day: date,
    muscles: list[InjectedMuscle],
    covered_list: str | None,
) -> list[DiagnosisAssessment]:
    """Assess every diagnosis of a note.

    A written code is judged against the table; a diagnosis already marked ``inferred`` by extraction,
    or written without a code, goes through the phrase hints only when it has no code.

    Args:
        diagnoses: ``Findings.diagnoses``.
        index: the code table.
        phrases: phrase hints.
        day: date of service.
        muscles: counted injected muscles.
        covered_list: the payer's covered-diagnosis list id, if any.

    Returns:
        One assessment per diagnosis, in order.

    """
    out = []
    for diagnosis in diagnoses:
        if diagnosis.code and diagnosis.code.strip():
            out.append(assess_code(diagnosis, normalize_code(diagnosis.code), index, day, covered_list))
        else:
            out.append(assess_text(diagnosis, index, phrases, day, muscles, covered_list))
    return out
