"""Loading the coding lexicons as one validated bundle, with the checks that span files.

Each file is parsed and validated by :func:`tpicoder.resources.load` (cached per process and folder).
Cross-file checks run here, once per set of loaded files: every rule's warning code is defined and its
predicates exist, every payer field names known families and lists, every phrase hint names a known code.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from tpicoder import resources
from tpicoder.coding.data import (
    CptFile,
    DrugsFile,
    IcdFile,
    PayerProfile,
    PhraseFile,
    Rule,
    RulesFile,
    WarningsFile,
)
from tpicoder.coding.diagnosis import IcdIndex
from tpicoder.coding.engine import validate_rules
from tpicoder.coding.payer import load_payer, payer_path
from tpicoder.errors import LexiconError

CPT_FILE = "coding/cpt.yaml"
DRUGS_FILE = "coding/drugs.yaml"
WARNINGS_FILE = "coding/warnings.yaml"
RULES_FILE = "coding/rules.yaml"
ICD_FILE = "coding/icd10/icd10cm.yaml"
PHRASES_FILE = "coding/icd10/phrases.yaml"

_CACHE_SIZE = 16
"""Bundles kept per process (one per payer and lexicon folder in practice)."""


@dataclass(frozen=True)
class CodingBundle:
    """Every coding lexicon file for one payer, validated together."""

    directory: Path
    cpt: CptFile
    drugs: DrugsFile
    warnings: WarningsFile
    rules: RulesFile
    icd: IcdIndex
    phrases: PhraseFile
    payer: PayerProfile

    def rules_for(self, scope: str) -> list[Rule]:
        """Return the rules of one scope, in file order."""
        return [r for r in self.rules.rules if r.scope == scope]

    def versions(self) -> dict[str, str]:
        """Return the version of every file, keyed by its lexicon-relative path."""
        return {
            CPT_FILE: self.cpt.version,
            DRUGS_FILE: self.drugs.version,
            WARNINGS_FILE: self.warnings.version,
            RULES_FILE: self.rules.version,
            ICD_FILE: self.icd.table.version,
            PHRASES_FILE: self.phrases.version,
            payer_path(self.payer.id): self.payer.version,
        }


_bundles: OrderedDict[tuple[str, str], tuple[tuple[int, ...], CodingBundle]] = OrderedDict()


def load_bundle(payer: str, lexicons_dir: str | os.PathLike[str] | None = None) -> CodingBundle:
    """Load, validate and cross-check every coding file for ``payer``.

    Args:
        payer: payer profile id.
        lexicons_dir: lexicon folder override (else ``TPICODER_LEXICONS``, else the packaged copy).

    Raises:
        UnknownPayerError: no such payer profile.
        LexiconError: a file is missing or invalid (the message names the file and field).

    """
    directory = resources.lexicon_dir(lexicons_dir)
    models = (
        resources.load(CPT_FILE, CptFile, directory),
        resources.load(DRUGS_FILE, DrugsFile, directory),
        resources.load(WARNINGS_FILE, WarningsFile, directory),
        resources.load(RULES_FILE, RulesFile, directory),
        resources.load(ICD_FILE, IcdFile, directory),
        resources.load(PHRASES_FILE, PhraseFile, directory),
        load_payer(payer, directory),
    )
    key = (payer, str(directory))
    identity = tuple(id(m) for m in models)
    cached = _bundles.get(key)
    if cached is not None and cached[0] == identity:
        _bundles.move_to_end(key)
        return cached[1]
    cpt, drugs, warnings, rules, icd, phrases, profile = models
    bundle = CodingBundle(
        directory=directory,
        cpt=cpt,
        drugs=drugs,
        warnings=warnings,
        rules=rules,
        icd=IcdIndex(icd),
        phrases=phrases,
        payer=profile,
    )
    _cross_check(bundle)
    _bundles[key] = (identity, bundle)
    while len(_bundles) > _CACHE_SIZE:
        _bundles.popitem(last=False)
    return bundle


def clear_cache() -> None:
    """Forget loaded bundles and parsed files (tests that edit lexicon copies call this)."""
    _bundles.clear()
    resources.clear_cache()


def _cross_check(bundle: CodingBundle) -> None:
    directory = bundle.directory
    validate_rules(bundle.rules, bundle.warnings, str(directory / RULES_FILE))

    payer_file = str(directory / payer_path(bundle.payer.id))
    families = {f.id for f in bundle.cpt.families}
    for position, family in enumerate(bundle.payer.modifiers.laterality.families):
        if family not in families:
            raise LexiconError(
                payer_file, f"modifiers.laterality.families[{position}]: unknown procedure family {family!r}"
            )
    covered = bundle.payer.diagnoses.covered_list
    if covered is not None and covered not in {c.id for c in bundle.icd.table.covered_lists}:
        raise LexiconError(
            payer_file, f"diagnoses.covered_list: {covered!r} is not a covered_lists id of {ICD_FILE}"
        )

    phrase_file = str(directory / PHRASES_FILE)
    for index, hint in enumerate(bundle.phrases.phrases):
        for position, choice in enumerate(hint.choices):
            record = bundle.icd.get(choice.code)
            if record is None or not record.billable:
                raise LexiconError(
                    phrase_file,
                    f"phrases[{index}] ({hint.id}).choices[{position}].code: "
                    f"{choice.code} is not a billable code of {ICD_FILE}",
                )
