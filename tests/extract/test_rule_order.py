"""Adding a cue rule elsewhere in the lexicon changes no decision about text it does not match."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tpicoder.api import extract

ROOT = Path(__file__).resolve().parents[2]
NOTES = sorted((ROOT / "corpora" / "dev" / "notes").glob("d2*.txt"))


def _decisions(text: str, lexicons_dir: str | None) -> tuple:
    f = extract(text, lexicons_dir=lexicons_dir)
    return (
        f.procedure_kind,
        sorted((m.muscle, m.side) for m in f.injected_muscles),
        sorted(p.treatment for p in f.prior_treatments),
        sorted(s.substance for s in f.substances),
        sorted((m.start, m.label, m.assertion, str(m.injected)) for m in f.mentions),
    )


@pytest.mark.parametrize("where", [0, 5, 10])
def test_a_rule_added_elsewhere_changes_no_decision(tmp_path, where):
    # The new rule shifts the matcher keys of the rules after it; decisions must not depend on them
    # (one phrase in two rules of a category is represented by the rule written first).
    copy = tmp_path / "lexicons"
    shutil.copytree(ROOT / "lexicons", copy)
    path = copy / "extraction" / "context_cues.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unused = {"id": "test_unused", "category": "PSEUDO", "direction": "bidirectional", "phrases": ["zzqx"]}
    data["rules"].insert(where, unused)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for note in NOTES:
        text = note.read_text(encoding="utf-8")
        assert _decisions(text, str(copy)) == _decisions(text, None), note.name


def _with_shared_phrase(tmp_path, swap: bool) -> str:
    # "zzqa" joins two HISTORICAL rules: hist_bidirectional (makes a bare "TPI" earlier care) and
    # hist_treatment (does not); the one written first in the lexicon must stand for the phrase.
    copy = tmp_path / ("swapped" if swap else "plain")
    shutil.copytree(ROOT / "lexicons", copy)
    path = copy / "extraction" / "context_cues.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = data["rules"]
    for rule in rules:
        if rule["id"] in ("hist_bidirectional", "hist_treatment"):
            rule["phrases"].append("zzqa")
    if swap:
        i = next(k for k, r in enumerate(rules) if r["id"] == "hist_bidirectional")
        j = next(k for k, r in enumerate(rules) if r["id"] == "hist_treatment")
        rules[i], rules[j] = rules[j], rules[i]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return str(copy)


def test_a_phrase_in_two_rules_is_the_rule_written_first(tmp_path):
    text = "HPI: neck pain. zzqa TPI with relief.\nProcedure: TPI to L trapezius, lidocaine 1 mL."
    plain = extract(text, lexicons_dir=_with_shared_phrase(tmp_path, swap=False))
    swapped = extract(text, lexicons_dir=_with_shared_phrase(tmp_path, swap=True))
    assert "prior_injection" in {p.treatment for p in plain.prior_treatments}
    assert "prior_injection" not in {p.treatment for p in swapped.prior_treatments}
