"""Pydantic models of the extraction lexicon files, and their cross-file checks.

Every model forbids unknown keys, so a typo in a YAML field fails at load with the file and field
named (see :func:`tpicoder.resources.load`). Coding-stage lexicon models live in
:mod:`tpicoder.coding.data`.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tpicoder import resources
from tpicoder.errors import LexiconError
from tpicoder.schema import Region

CueCategory = Literal[
    "NEGATED",
    "HYPOTHETICAL",
    "HISTORICAL",
    "INJECTION",
    "EXAM",
    "TERMINATE",
    "PSEUDO",
    "CURRENT",
    "LANDMARK",
    "IMAGING",
]
SectionKind = Literal[
    "history",
    "medications",
    "exam",
    "indication",
    "procedure",
    "other_procedure",
    "assessment",
    "plan",
    "billing",
    "unknown",
]


def _check_regex(value: str) -> str:
    """Check that a regex field compiles (shared validator body)."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"regex does not compile: {exc}") from exc
    return value


def _check_group_regex(value: str | None, group: str) -> str | None:
    """Check that a regex compiles and captures the named ``group`` its reader takes."""
    if value is not None and group not in re.compile(_check_regex(value)).groupindex:
        raise ValueError(f"regex has no (?P<{group}>...) group")
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Versioned(_Record):
    version: str
    source: str


class MuscleEntry(_Record):
    """One muscle or group id with its names."""

    id: str
    region: Region
    group: bool = False
    names: list[str]
    abbreviations: list[str] = Field(default_factory=list)
    abbreviations_cs: list[str] = Field(default_factory=list)
    abbreviations_sided: list[str] = Field(default_factory=list)
    portions: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)


class RegionalEntry(_Record):
    """A name whose muscle id depends on the body region the note gives ("paraspinals")."""

    id: str
    names: list[str]
    by_region: dict[Region, str]
    default: str


class MuscleLexicon(_Versioned):
    """``extraction/muscles.yaml``."""

    entries: list[MuscleEntry]
    regional: list[RegionalEntry] = Field(default_factory=list)
    region_cues: dict[Region, list[str]] = Field(default_factory=dict)
    nonspecific_sites: list[str] = Field(default_factory=list)
    fuzzy_ignore: list[str] = Field(default_factory=list)


class SubstanceEntry(_Record):
    """One injectate id."""

    id: str
    role: Literal["anesthetic", "corticosteroid", "nsaid", "saline", "botulinum_toxin", "other"]
    names: list[str]
    abbreviations: list[str] = Field(default_factory=list)
    abbreviations_cs: list[str] = Field(default_factory=list)


class SubstanceLexicon(_Versioned):
    """``extraction/substances.yaml``."""

    entries: list[SubstanceEntry]
    unnamed_injectate: list[str] = Field(default_factory=list)
    class_names: list[str] = Field(default_factory=list)
    not_injectates: list[str] = Field(default_factory=list)
    implied_concentration: dict[str, str] = Field(default_factory=dict)
    sound_alike_not: list[str] = Field(default_factory=list)


class TreatmentEntry(_Record):
    """One prior-treatment id. ``history_only`` names count only under a historical cue."""

    id: str
    names: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    abbreviations_cs: list[str] = Field(default_factory=list)
    history_only: bool = False


class TreatmentLexicon(_Versioned):
    """``extraction/prior_treatments.yaml``."""

    entries: list[TreatmentEntry]
    outcome_cues: dict[Literal["failed", "partial_relief", "relief"], list[str]]
    duration_pattern: str
    caps_ambiguous: dict[str, list[str]] = Field(default_factory=dict)
    not_treatments: list[str] = Field(default_factory=list)
    history_only_cues: list[str] = Field(default_factory=list)
    same_visit_phrases: list[str] = Field(default_factory=list)
    state_phrases: list[str] = Field(default_factory=list)
    dated_cues: list[str] = Field(default_factory=list)
    dated_reach: int = 40
    repeat_cues: list[str] = Field(default_factory=list)
    ongoing_cues: list[str] = Field(default_factory=list)
    detail_exempt: list[str] = Field(default_factory=list)
    detail_ids: list[str] = Field(default_factory=list)
    practice_name_words: list[str] = Field(default_factory=list)
    title_lines: int = Field(default=0, ge=0)
    title_line_max_chars: int = Field(default=100, ge=0)
    detail_markers: list[str] = Field(default_factory=list)
    detail_max_gap: int = 8
    credential_pattern: str | None = None

    _compiles = field_validator("duration_pattern")(classmethod(lambda cls, value: _check_regex(value)))
    _credentials = field_validator("credential_pattern")(
        classmethod(lambda cls, value: _check_group_regex(value, "credentials"))
    )

    @field_validator("outcome_cues")
    @classmethod
    def _one_outcome_per_phrase(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        # A phrase under two outcomes would take whichever the matcher happened to list first.
        owner: dict[str, str] = {}
        for outcome, phrases in value.items():
            for phrase in phrases:
                key = " ".join(phrase.lower().split())
                if owner.get(key, outcome) != outcome:
                    raise ValueError(f"{phrase!r} is listed under both {owner[key]!r} and {outcome!r}")
                owner[key] = outcome
        return value


class LateralityLexicon(_Versioned):
    """``extraction/laterality.yaml``."""

    left: list[str]
    left_cs: list[str] = Field(default_factory=list)
    right: list[str]
    right_cs: list[str] = Field(default_factory=list)
    bilateral: list[str]
    bilateral_cs: list[str] = Field(default_factory=list)
    bilateral_prefix_only: list[str] = Field(default_factory=list)
    glued_prefixes: dict[Literal["left", "right", "bilateral"], list[str]] = Field(default_factory=dict)
    side_columns: list[str] = Field(default_factory=list)
    direction_words: list[str] = Field(default_factory=list)
    motion_words: list[str] = Field(default_factory=list)
    position_words: list[str] = Field(default_factory=list)
    same_side: list[str] = Field(default_factory=list)
    same_side_dominance: float = 2.0
    other_side: list[str] = Field(default_factory=list)
    other_side_reach: int = 300
    grid_checked: str = r"\[\s*[xX]\s*\]"
    grid_unchecked: str = r"\[\s*\]"
    grid_side_words: dict[Literal["left", "right", "bilateral"], list[str]] = Field(default_factory=dict)
    grid_injection_words: list[str] = Field(default_factory=list)
    grid_empty_values: list[str] = Field(default_factory=list)
    _grid_checked = field_validator("grid_checked")(classmethod(lambda cls, value: _check_regex(value)))
    _grid_unchecked = field_validator("grid_unchecked")(classmethod(lambda cls, value: _check_regex(value)))


class SectionEntry(_Record):
    """A section kind and its header names."""

    kind: SectionKind
    names: list[str]


class HeaderPattern(_Record):
    """A regex that opens a section at the start of a line."""

    kind: SectionKind
    pattern: str

    _compiles = field_validator("pattern")(classmethod(lambda cls, value: _check_regex(value)))


class SectionLexicon(_Versioned):
    """``extraction/sections.yaml``."""

    sections: list[SectionEntry]
    single_letter_requires_colon: bool = True
    header_patterns: list[HeaderPattern] = Field(default_factory=list)
    procedure_table_columns: list[str] = Field(default_factory=list)
    procedure_table_columns_spaced: list[str] = Field(default_factory=list)
    diagnosis_sections: list[SectionKind] = Field(default_factory=list)
    diagnosis_lead_words: list[str] = Field(default_factory=list)
    diagnosis_lead_reach: int = 60
    injected_columns: list[str] = Field(default_factory=list)
    injected_yes: list[str] = Field(default_factory=list)
    injected_no: list[str] = Field(default_factory=list)
    amount_columns: dict[Literal["units", "mL"], list[str]] = Field(default_factory=dict)
    exam_subheaders: list[str] = Field(default_factory=list)
    copied_block_start: str | None = None
    copied_block_end: str | None = None
    other_procedure_header: str | None = None
    other_procedure_title: str | None = None
    other_procedure_names: str | None = None
    other_procedure_unless: str | None = None
    other_procedure_blocks: list[str] = Field(default_factory=list)
    other_procedure_block_needs: str | None = None
    other_procedure_block_not: str | None = None
    _blocks = field_validator("other_procedure_blocks")(
        classmethod(lambda cls, value: [_check_group_regex(v, "title") for v in value])
    )
    _title = field_validator("other_procedure_title")(
        classmethod(lambda cls, value: _check_group_regex(value, "title"))
    )
    _optional_regexes = field_validator(
        "copied_block_start",
        "copied_block_end",
        "other_procedure_header",
        "other_procedure_names",
        "other_procedure_unless",
        "other_procedure_block_needs",
        "other_procedure_block_not",
    )(classmethod(lambda cls, value: value if value is None else _check_regex(value)))


class CueRule(_Record):
    """A ConText rule: phrases of one category with a direction and scope."""

    id: str
    category: CueCategory
    direction: Literal["forward", "backward", "bidirectional"]
    phrases: list[str]
    max_scope: int | None = None
    line_only: bool = False
    applies_to: list[str] | None = None
    over_lead_in: bool = False
    stop_words: list[str] = Field(default_factory=list)


class SectionDefault(_Record):
    """What a section means for a mention when no cue decides."""

    injected: bool
    assertion: Literal["present", "negated", "hypothetical", "historical"]
    injection_cue: bool = True
    # Labels an injection cue still injects when ``injection_cue`` is false (another procedure's drugs).
    injection_cue_for: list[str] = Field(default_factory=list)


class CueLexicon(_Versioned):
    """``extraction/context_cues.yaml``."""

    rules: list[CueRule]
    section_defaults: dict[SectionKind, SectionDefault]
    anaphora: list[str] = Field(default_factory=list)
    anaphora_reach: int = 3
    anaphora_above: list[str] = Field(default_factory=list)
    anaphora_above_reach: int = 12
    non_terminal_abbreviations: list[str] = Field(default_factory=list)
    checklist_instructions: list[str] = Field(default_factory=list)
    retracting_rules: list[str] = Field(default_factory=list)
    reporting_rules: list[str] = Field(default_factory=list)
    amount_rules: list[str] = Field(default_factory=list)


class PatternRule(_Record):
    """A regular-expression rule with an id (codes, quantities, header fields, events)."""

    id: str
    label: str
    pattern: str
    value: str | None = None
    flags: list[Literal["IGNORECASE", "MULTILINE"]] = Field(default_factory=lambda: ["IGNORECASE"])
    requires: list[str] = Field(default_factory=list)
    # CUE rules only: how far and which way the cue reaches, and what it governs (as in
    # context_cues.yaml); by default both ways, the default scope, every target.
    direction: Literal["forward", "backward", "bidirectional"] = "bidirectional"
    max_scope: int | None = None
    applies_to: list[str] | None = None
    # Words that end a forward cue's reach, and whether the reach ends with the line (as in
    # context_cues.yaml).
    stop_words: list[str] = Field(default_factory=list)
    line_only: bool = False
    # Whether the cue reaches past the terminators (";") of its line (a dated log entry's date).
    crosses_terminators: bool = False
    # The group whose span the hit covers (0: the whole match), for rules that read context.
    span_group: int = 0

    _compiles = field_validator("pattern")(classmethod(lambda cls, value: _check_regex(value)))

    def compiled(self) -> re.Pattern[str]:
        """Compile with the rule's flags."""
        flags = 0
        for name in self.flags:
            flags |= getattr(re, name)
        return re.compile(self.pattern, flags)


_FRAGMENT_REF = re.compile(r"\{\{(\w+)\}\}")


class PatternLexicon(_Versioned):
    """``extraction/patterns.yaml``.

    ``fragments`` name regex parts several rules share (a spoken number); a rule's pattern uses one
    as ``{{name}}``, and a fragment may use fragments defined above it.
    """

    fragments: dict[str, str] = Field(default_factory=dict)
    rules: list[PatternRule]

    @model_validator(mode="before")
    @classmethod
    def _expand_fragments(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fragments = data.get("fragments") or {}
        if not isinstance(fragments, dict):
            return data  # the field's own validation reports it
        done: dict[str, str] = {}

        def expand(text: str, where: str) -> str:
            def one(m: re.Match[str]) -> str:
                if m.group(1) not in done:
                    raise ValueError(
                        f"{where}: unknown fragment {{{{{m.group(1)}}}}} (fragments: {sorted(done)})"
                    )
                return done[m.group(1)]

            return _FRAGMENT_REF.sub(one, text)

        for name, text in fragments.items():
            done[name] = f"(?:{expand(str(text), f'fragment {name}')})"
            _check_regex(done[name])
        rules = [
            {**r, "pattern": expand(r["pattern"], f"rule {r.get('id')}")}
            if isinstance(r, dict) and isinstance(r.get("pattern"), str)
            else r
            for r in data.get("rules") or []
        ]
        return {**data, "rules": rules}


class FuzzySettings(_Record):
    """Named fuzzy-matching thresholds."""

    min_score: float
    min_length: int
    max_length_delta: int
    min_alias_length: int
    join_min_score: float = 92.0


class Settings(_Versioned):
    """``extraction/settings.yaml``."""

    fuzzy: FuzzySettings
    abbreviations: dict[str, int]
    context: dict[str, int]
    laterality: dict[str, int]
    substances: dict[str, int]
    input: dict[str, int]


class ExtractionLexicon(_Record):
    """All extraction data, validated and cross-checked."""

    muscles: MuscleLexicon
    substances: SubstanceLexicon
    treatments: TreatmentLexicon
    laterality: LateralityLexicon
    sections: SectionLexicon
    cues: CueLexicon
    patterns: PatternLexicon
    settings: Settings

    def versions(self) -> dict[str, str]:
        """Version of every file, for result metadata."""
        return {
            "muscles": self.muscles.version,
            "substances": self.substances.version,
            "prior_treatments": self.treatments.version,
            "laterality": self.laterality.version,
            "sections": self.sections.version,
            "context_cues": self.cues.version,
            "patterns": self.patterns.version,
            "settings": self.settings.version,
        }


FILES = {
    "muscles": ("extraction/muscles.yaml", MuscleLexicon),
    "substances": ("extraction/substances.yaml", SubstanceLexicon),
    "treatments": ("extraction/prior_treatments.yaml", TreatmentLexicon),
    "laterality": ("extraction/laterality.yaml", LateralityLexicon),
    "sections": ("extraction/sections.yaml", SectionLexicon),
    "cues": ("extraction/context_cues.yaml", CueLexicon),
    "patterns": ("extraction/patterns.yaml", PatternLexicon),
    "settings": ("extraction/settings.yaml", Settings),
}

# Contract vocabularies (CONTRACT.md). Lexicon ids are checked against these at load.
CONTRACT_MUSCLES = frozenset(
    """temporalis masseter lateral_pterygoid medial_pterygoid frontalis occipitalis sternocleidomastoid
    anterior_scalene middle_scalene posterior_scalene splenius_capitis splenius_cervicis semispinalis_capitis
    semispinalis_cervicis levator_scapulae trapezius longus_colli multifidus iliocostalis longissimus
    quadratus_lumborum serratus_posterior_superior serratus_posterior_inferior latissimus_dorsi rhomboid_major
    rhomboid_minor supraspinatus infraspinatus teres_major teres_minor subscapularis serratus_anterior
    pectoralis_major pectoralis_minor deltoid biceps_brachii triceps_brachii brachialis brachioradialis
    extensor_carpi_radialis_longus extensor_carpi_radialis_brevis extensor_carpi_ulnaris extensor_digitorum
    flexor_carpi_radialis flexor_carpi_ulnaris pronator_teres supinator rectus_abdominis external_oblique
    internal_oblique iliopsoas psoas_major iliacus gluteus_maximus gluteus_medius gluteus_minimus piriformis
    tensor_fasciae_latae rectus_femoris vastus_lateralis vastus_medialis adductor_longus adductor_magnus
    gracilis sartorius biceps_femoris semitendinosus semimembranosus gastrocnemius soleus tibialis_anterior
    tibialis_posterior fibularis_longus fibularis_brevis extensor_digitorum_longus
    abductor_hallucis""".split()
)
CONTRACT_GROUPS = frozenset(
    """cervical_paraspinals thoracic_paraspinals lumbar_paraspinals erector_spinae scalenes suboccipitals
    rhomboids hamstrings quadriceps adductors forearm_extensors forearm_flexors rotator_cuff""".split()
)
CONTRACT_SUBSTANCES = frozenset(
    """lidocaine bupivacaine ropivacaine mepivacaine procaine triamcinolone methylprednisolone dexamethasone
    betamethasone ketorolac sodium_chloride onabotulinumtoxina abobotulinumtoxina incobotulinumtoxina sarapin
    dextrose""".split()
)
CONTRACT_TREATMENTS = frozenset(
    """physical_therapy home_exercise chiropractic massage acupuncture dry_needling tens heat_ice nsaid
    acetaminophen muscle_relaxant neuropathic_agent opioid topical_analgesic oral_steroid prior_injection
    activity_modification osteopathic_manipulation cognitive_behavioral_therapy""".split()
)


def _check(lex: ExtractionLexicon) -> None:
    """Cross-file checks: ids against the contract, unique aliases, regional targets exist."""
    mfile = FILES["muscles"][0]
    seen: dict[str, str] = {}
    for entry in lex.muscles.entries:
        if entry.group and entry.id not in CONTRACT_GROUPS:
            raise LexiconError(mfile, f"entries.{entry.id}: group id not in CONTRACT.md groups")
        if not entry.group and entry.id not in CONTRACT_MUSCLES:
            raise LexiconError(mfile, f"entries.{entry.id}: muscle id not in CONTRACT.md vocabulary")
        for name in (*entry.names, *entry.abbreviations):
            key = name.lower()
            if key in seen and seen[key] != entry.id:
                raise LexiconError(mfile, f"entries.{entry.id}: alias {name!r} also belongs to {seen[key]}")
            seen[key] = entry.id
    missing = (CONTRACT_MUSCLES | CONTRACT_GROUPS) - {e.id for e in lex.muscles.entries}
    if missing:
        raise LexiconError(mfile, f"entries: contract ids without an entry: {sorted(missing)}")
    for reg in lex.muscles.regional:
        for target in (*reg.by_region.values(), reg.default):
            if target not in CONTRACT_GROUPS | CONTRACT_MUSCLES:
                raise LexiconError(mfile, f"regional.{reg.id}: unknown target {target!r}")
    for entry in lex.substances.entries:
        if entry.id not in CONTRACT_SUBSTANCES:
            raise LexiconError(FILES["substances"][0], f"entries.{entry.id}: not a CONTRACT.md substance id")
    for entry in lex.treatments.entries:
        if entry.id not in CONTRACT_TREATMENTS:
            raise LexiconError(FILES["treatments"][0], f"entries.{entry.id}: not a CONTRACT.md treatment id")
    for rule in lex.patterns.rules:
        rule.compiled()
    rule_ids = {r.id for r in lex.cues.rules} | {r.id for r in lex.patterns.rules if r.label == "CUE"}
    tfile = FILES["treatments"][0]
    for field in ("history_only_cues", "dated_cues", "ongoing_cues", "repeat_cues"):
        for cue_id in getattr(lex.treatments, field):
            if cue_id not in rule_ids:
                raise LexiconError(tfile, f"{field}: {cue_id!r} is not a cue rule id")
    for field in ("retracting_rules", "reporting_rules", "amount_rules"):
        for cue_id in getattr(lex.cues, field):
            if cue_id not in rule_ids:
                raise LexiconError(FILES["cues"][0], f"{field}: {cue_id!r} is not a cue rule id")
    for tid in lex.treatments.detail_ids:
        if tid not in CONTRACT_TREATMENTS:
            raise LexiconError(tfile, f"detail_ids: {tid!r} is not a treatment id")


@functools.lru_cache(maxsize=8)
def _load(folder: str) -> ExtractionLexicon:
    parts = {key: resources.load(path, model, folder) for key, (path, model) in FILES.items()}
    lex = ExtractionLexicon(**parts)
    _check(lex)
    return lex


def load_extraction_lexicon(lexicons_dir: str | os.PathLike[str] | None = None) -> ExtractionLexicon:
    """Load, validate and cross-check the extraction lexicons (once per process and folder).

    Raises:
        LexiconError: naming the file and field at fault.

    """
    return _load(str(resources.lexicon_dir(lexicons_dir)))
