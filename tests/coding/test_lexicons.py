"""Coding lexicon files: contract agreement, fail-fast validation naming file and field, payer lookup."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tpicoder import resources
from tpicoder.coding import available_payers, clear_cache, code_findings, load_bundle, predicate_names
from tpicoder.errors import LexiconError, UnknownPayerError
from tpicoder.findings import Findings

# The contract's warning table (CONTRACT.md "Warning codes"): code -> severity.
CONTRACT_WARNINGS = {
    "MUSCLES_NOT_NAMED": "error",
    "NONSPECIFIC_MUSCLE": "warning",
    "LATERALITY_MISSING": "warning",
    "EXAM_FINDINGS_MISSING": "warning",
    "CONSERVATIVE_CARE_MISSING": "warning",
    "SUBSTANCE_MISSING": "warning",
    "DOSE_MISSING": "warning",
    "MEDICAL_NECESSITY_MISSING": "warning",
    "DIAGNOSIS_MISSING": "warning",
    "DIAGNOSIS_CODE_INVALID": "error",
    "DIAGNOSIS_NONSPECIFIC": "warning",
    "DIAGNOSIS_SITE_MISMATCH": "warning",
    "EM_NOT_SEPARATE": "warning",
    "BOTULINUM_TOXIN": "warning",
    "DRY_NEEDLING": "info",
    "GUIDANCE_NECESSITY": "info",
    "FREQUENCY_EXCEEDED": "warning",
    "CLAIM_UNITS": "error",
    "CLAIM_BOTH_CODES": "error",
    "CLAIM_MODIFIER_50": "error",
    "CLAIM_MODIFIER_59": "error",
    "CLAIM_CODE_MISMATCH": "error",
}
CONTRACT_MD = Path(os.environ.get("TPICODER_CONTRACT", "/work/shared/CONTRACT.md"))


def contract_table() -> dict[str, str]:
    """The warning table parsed from CONTRACT.md when it is at hand, else the copy above."""
    if not CONTRACT_MD.is_file():
        return CONTRACT_WARNINGS
    text = CONTRACT_MD.read_text(encoding="utf-8").split("## Warning codes", 1)[1].split("\n## ", 1)[0]
    return dict(
        re.findall(r"^\|\s*([A-Z][A-Z0-9_]+)\s*\|\s*(error|warning|info)\s*\|", text, flags=re.MULTILINE)
    )


def test_contract_copy_matches_contract_md():
    assert contract_table() == CONTRACT_WARNINGS


def test_warnings_yaml_holds_exactly_the_contract_codes_with_their_severities():
    defined = {w.code: w.severity for w in load_bundle("cms").warnings.warnings}
    assert defined == contract_table()


def test_every_contract_code_is_raised_by_some_rule():
    raised = {r.warning for r in load_bundle("cms").rules.rules}
    assert raised == set(contract_table())


def test_every_rule_predicate_exists():
    names = set(predicate_names())
    for rule in load_bundle("cms").rules.rules:
        assert set(rule.predicates()) <= names, rule.id


def test_predicate_names_is_a_sorted_list_of_strings():
    names = predicate_names()
    assert names == sorted(names) and len(names) == len(set(names))
    assert {"procedure_performed", "diagnosis_code_invalid", "sessions_exceed_frequency_limit"} <= set(names)


@pytest.mark.parametrize(
    "relpath",
    [
        "coding/cpt.yaml",
        "coding/drugs.yaml",
        "coding/warnings.yaml",
        "coding/rules.yaml",
        "coding/icd10/icd10cm.yaml",
        "coding/icd10/phrases.yaml",
        "coding/payers/cms.yaml",
        "coding/payers/commercial_example.yaml",
    ],
)
def test_every_coding_file_has_version_and_source(relpath):
    data = resources.read_yaml(relpath)
    assert isinstance(data["version"], str) and data["version"]
    assert isinstance(data["source"], str) and data["source"]


def test_versions_reported_for_every_file():
    versions = load_bundle("cms").versions()
    assert "coding/payers/cms.yaml" in versions and "coding/rules.yaml" in versions


def test_icd_table_size():
    assert 150 <= len(load_bundle("cms").icd.table.codes) <= 300


def test_available_payers():
    assert {"cms", "commercial_example"} <= set(available_payers())


def test_unknown_payer_error_lists_available_profiles():
    with pytest.raises(UnknownPayerError) as info:
        code_findings(Findings(), payer="aetna")
    assert "aetna" in str(info.value)
    assert "cms" in str(info.value) and "commercial_example" in str(info.value)


def test_payer_path_tricks_are_unknown_payers():
    with pytest.raises(UnknownPayerError):
        code_findings(Findings(), payer="../coding/rules")


def _edit(folder: Path, relpath: str, change: Callable[[dict], None]) -> None:
    path = folder / relpath
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _set(path: list, value) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _rule(index: int, **fields) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["rules"][index].update(fields)

    return change


# (file edited, change, payer, text expected in the error besides the file name)
BROKEN = [
    pytest.param(
        "coding/payers/cms.yaml",
        _set(["frequency", "sessions"], "three"),
        "cms",
        "frequency.sessions",
        id="payer-bad-type",
    ),
    pytest.param(
        "coding/payers/cms.yaml",
        _set(["frequency", "sessions"], 0),
        "cms",
        "frequency.sessions",
        id="payer-zero-limit",
    ),
    pytest.param(
        "coding/payers/cms.yaml",
        _set(["modifiers", "bilateral", "allowed"], ["20552"]),
        "cms",
        "modifiers.bilateral.allowed",
        id="payer-extra-key-forbidden",
    ),
    pytest.param(
        "coding/payers/cms.yaml", _set(["id"], "medicare"), "cms", "id", id="payer-id-differs-from-file"
    ),
    pytest.param(
        "coding/payers/commercial_example.yaml",
        _set(["modifiers", "laterality", "families"], ["tpi", "acupuncture"]),
        "commercial_example",
        "modifiers.laterality.families[1]",
        id="payer-unknown-family",
    ),
    pytest.param(
        "coding/payers/cms.yaml",
        _set(["diagnoses", "covered_list"], "lcd_1999"),
        "cms",
        "diagnoses.covered_list",
        id="payer-unknown-covered-list",
    ),
    pytest.param(
        "coding/rules.yaml",
        _rule(0, all=["procedure_performed", "no_muscle_identified", "no_such_predicate"]),
        "cms",
        "rules[0] (PROC-MUSCLES-001).all[2]: unknown predicate 'no_such_predicate'",
        id="rule-unknown-predicate",
    ),
    pytest.param(
        "coding/rules.yaml",
        _rule(0, warning="NOT_A_WARNING"),
        "cms",
        "rules[0] (PROC-MUSCLES-001).warning",
        id="rule-unknown-warning",
    ),
    pytest.param(
        "coding/rules.yaml",
        _rule(0, all=["procedure_performed", "no_muscle_identified", "sessions_exceed_frequency_limit"]),
        "cms",
        "scope",
        id="rule-predicate-of-other-scope",
    ),
    pytest.param(
        "coding/rules.yaml",
        _rule(0, each="procedure_performed"),
        "cms",
        "each",
        id="rule-each-not-itemised",
    ),
    pytest.param(
        "coding/rules.yaml",
        _rule(0, message="Muscle {muscle} missing"),
        "cms",
        "placeholders ['muscle']",
        id="rule-message-unknown-placeholder",
    ),
    pytest.param(
        "coding/rules.yaml", _rule(0, colour="red"), "cms", "rules.0.colour", id="rule-extra-key-forbidden"
    ),
    pytest.param(
        "coding/rules.yaml", _rule(0, all=[], any=[]), "cms", "rules.0", id="rule-without-predicates"
    ),
    pytest.param(
        "coding/rules.yaml",
        _rule(1, id="PROC-MUSCLES-001"),
        "cms",
        "duplicate rule id",
        id="rule-duplicate-id",
    ),
    pytest.param(
        "coding/warnings.yaml",
        lambda d: d["warnings"][0].update(severity="fatal"),
        "cms",
        "warnings.0.severity",
        id="warning-bad-severity",
    ),
    pytest.param(
        "coding/cpt.yaml",
        lambda d: d["codes"][1].update(min_muscles=4),
        "cms",
        "should start at 3 muscles",
        id="cpt-tier-gap",
    ),
    pytest.param(
        "coding/drugs.yaml",
        lambda d: d["drugs"][0]["codes"][0]["per"].update(value=0),
        "cms",
        "drugs.0.codes.0.per.value",
        id="drug-zero-unit-size",
    ),
    pytest.param(
        "coding/icd10/icd10cm.yaml",
        lambda d: d["codes"][0].update(replacements=["Q99.99"]),
        "cms",
        "replacement Q99.99 is not in the table",
        id="icd-unknown-replacement",
    ),
    pytest.param(
        "coding/icd10/icd10cm.yaml",
        lambda d: d["codes"][0].update(region=["knee"]),
        "cms",
        "codes.0.region",
        id="icd-unknown-region",
    ),
    pytest.param(
        "coding/icd10/phrases.yaml",
        lambda d: d["phrases"][0]["choices"][0].update(code="G44.2"),
        "cms",
        "phrases[0] (myofascial_pain).choices[0].code",
        id="phrase-choice-not-billable",
    ),
]


@pytest.mark.parametrize(("relpath", "change", "payer", "expected"), BROKEN)
def test_broken_file_raises_lexicon_error_naming_file_and_field(
    lexicon_copy, relpath, change, payer, expected
):
    folder = lexicon_copy()
    _edit(folder, relpath, change)
    with pytest.raises(LexiconError) as info:
        code_findings(Findings(), payer=payer, lexicons_dir=str(folder))
    assert relpath.rsplit("/", 1)[-1] in info.value.file
    assert expected in str(info.value)


def test_broken_file_found_through_environment_variable(lexicon_copy, monkeypatch):
    folder = lexicon_copy()
    _edit(folder, "coding/payers/cms.yaml", _set(["frequency", "window_days"], "a year"))
    monkeypatch.setenv(resources.ENV_VAR, str(folder))
    clear_cache()
    with pytest.raises(LexiconError, match=r"cms\.yaml: frequency\.window_days"):
        code_findings(Findings())


def test_missing_rule_file_is_a_lexicon_error(lexicon_copy):
    folder = lexicon_copy()
    (folder / "coding" / "rules.yaml").unlink()
    with pytest.raises(LexiconError, match="rules.yaml: file not found"):
        code_findings(Findings(), lexicons_dir=str(folder))


def test_edited_copy_is_reread_after_clear_cache(lexicon_copy):
    folder = lexicon_copy()
    assert load_bundle("cms", folder).payer.frequency.sessions == 3
    _edit(folder, "coding/payers/cms.yaml", _set(["frequency", "sessions"], 5))
    clear_cache()
    assert load_bundle("cms", folder).payer.frequency.sessions == 5


def test_new_payer_profile_needs_no_code(lexicon_copy, note):
    from .conftest import good_findings

    folder = lexicon_copy()
    source = folder / "coding" / "payers" / "commercial_example.yaml"
    data = yaml.safe_load(source.read_text())
    data["id"] = "acme_health"
    data["modifiers"]["laterality"]["families"] = []
    (folder / "coding" / "payers" / "acme_health.yaml").write_text(yaml.safe_dump(data))
    assert "acme_health" in available_payers(folder)
    result = code_findings(good_findings(note), payer="acme_health", lexicons_dir=str(folder))
    assert result.trace["payer"] == "acme_health"


@pytest.mark.parametrize(
    ("relpath", "change", "expected"),
    [
        (
            "extraction/sections.yaml",
            _set(["other_procedure_blocks"], [r"^\s*\d[.)]\s+[^\n]+"]),
            "other_procedure_blocks",
        ),
        (
            "extraction/sections.yaml",
            _set(["other_procedure_title"], r"^procedure:(.*)"),
            "other_procedure_title",
        ),
        ("extraction/sections.yaml", _set(["other_procedure_names"], r"(?:joint"), "other_procedure_names"),
        (
            "extraction/patterns.yaml",
            lambda d: d["rules"][0].update(pattern="({{no_such_fragment}})"),
            "unknown fragment {{no_such_fragment}}",
        ),
        (
            "extraction/patterns.yaml",
            lambda d: d["fragments"].update(broken="(?:one"),
            "regex does not compile",
        ),
        (
            "extraction/patterns.yaml",
            lambda d: d.pop("fragments"),
            "rule concentration_ratio: unknown fragment {{spoken_number}}",
        ),
        (
            "extraction/prior_treatments.yaml",
            _set(["credential_pattern"], r"Dr\. \w+, (PT|DC)"),
            "credential_pattern",
        ),
    ],
    ids=[
        "block-without-title-group",
        "title-without-title-group",
        "names-do-not-compile",
        "unknown-fragment",
        "fragment-does-not-compile",
        "fragments-missing",
        "credentials-without-group",
    ],
)
def test_broken_extraction_rule_names_file_and_field(lexicon_copy, relpath, change, expected):
    from tpicoder.lexicon import load_extraction_lexicon

    folder = lexicon_copy()
    _edit(folder, relpath, change)
    with pytest.raises(LexiconError) as info:
        load_extraction_lexicon(str(folder))
    assert relpath.split("/")[-1] in info.value.file
    assert expected in str(info.value)


def test_outcome_phrase_under_two_outcomes_names_file_and_field(lexicon_copy):
    from tpicoder.lexicon import load_extraction_lexicon

    folder = lexicon_copy()
    _edit(
        folder,
        "extraction/prior_treatments.yaml",
        lambda d: d["outcome_cues"]["failed"].append("Partial Relief"),
    )
    with pytest.raises(LexiconError) as info:
        load_extraction_lexicon(str(folder))
    assert "prior_treatments.yaml" in info.value.file
    assert "outcome_cues" in str(info.value) and "'failed' and 'partial_relief'" in str(info.value)
