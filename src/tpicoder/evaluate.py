"""Scoring against the gold format of CONTRACT.md (``gold.jsonl`` + ``notes/<id>.txt``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tpicoder.errors import InputError
from tpicoder.schema import NoteResult

PROCEDURE_CODES = frozenset({"20552", "20553", "20560", "20561", "76942", "77002", "77021"})
TPI_RANK = {"20552": 1, "20553": 2, "20560": 1, "20561": 2}


@dataclass
class FieldScore:
    """Micro-averaged counts of one set-valued field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Tp / (tp + fn); 1.0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Scores over a corpus plus the per-note differences."""

    notes: int = 0
    fields: dict[str, FieldScore] = field(default_factory=dict)
    exact: dict[str, list[int]] = field(default_factory=dict)
    upcodes: int = 0
    diffs: dict[str, list[str]] = field(default_factory=dict)

    def add_set(self, name: str, note_id: str, gold: set, pred: set) -> None:
        """Score one set-valued field of one note."""
        score = self.fields.setdefault(name, FieldScore())
        score.tp += len(gold & pred)
        score.fp += len(pred - gold)
        score.fn += len(gold - pred)
        if gold != pred:
            missing = sorted(map(_fmt, gold - pred))
            extra = sorted(map(_fmt, pred - gold))
            self.diffs.setdefault(note_id, []).append(f"{name}: missing {missing} extra {extra}")

    def add_exact(self, name: str, note_id: str, gold: Any, pred: Any) -> None:
        """Score one exactly-compared field of one note."""
        ok, total = self.exact.setdefault(name, [0, 0])
        self.exact[name] = [ok + (gold == pred), total + 1]
        if gold != pred:
            self.diffs.setdefault(note_id, []).append(f"{name}: gold {gold!r} got {pred!r}")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "notes": self.notes,
            "fields": {
                k: {
                    "precision": round(v.precision, 4),
                    "recall": round(v.recall, 4),
                    "f1": round(v.f1, 4),
                    "tp": v.tp,
                    "fp": v.fp,
                    "fn": v.fn,
                }
                for k, v in sorted(self.fields.items())
            },
            "exact": {
                k: {"accuracy": round(ok / total, 4) if total else 1.0, "right": ok, "total": total}
                for k, (ok, total) in sorted(self.exact.items())
            },
            "upcodes": self.upcodes,
            "diffs": self.diffs,
        }


def _fmt(x: Any) -> str:
    return "/".join(x) if isinstance(x, tuple) else str(x)


def load_gold(corpus_dir: str | Path) -> list[tuple[dict[str, Any], str]]:
    """Read every ``*.jsonl`` gold file of a corpus folder with its note texts.

    Raises:
        InputError: a missing note file or a gold line that is not JSON, naming file and line.

    """
    root = Path(corpus_dir)
    gold_files = sorted(root.glob("*.jsonl"))
    if not gold_files:
        raise InputError(f"{root}: no gold .jsonl file found")
    out = []
    for gf in gold_files:
        for lineno, line in enumerate(gf.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{gf}:{lineno}: not JSON ({exc.msg})") from exc
            note = root / "notes" / f"{rec['id']}.txt"
            if not note.is_file():
                raise InputError(f"{gf}:{lineno}: note file {note} is missing")
            out.append((rec, note.read_bytes().decode("utf-8")))
    return out


def score_note(report: Report, gold: dict[str, Any], result: NoteResult) -> None:
    """Compare one result with its gold record."""
    nid = gold["id"]
    report.notes += 1
    report.add_exact("procedure", nid, gold["procedure"], result.procedure)
    report.add_set(
        "muscle_side",
        nid,
        {tuple(x) for x in gold["injected_muscles"]},
        {(m.muscle, m.side) for m in result.injected_muscles},
    )
    report.add_set("substances", nid, set(gold["substances"]), {s.substance for s in result.substances})
    report.add_set(
        "prior_treatments", nid, set(gold["prior_treatments"]), {p.treatment for p in result.prior_treatments}
    )
    report.add_set(
        "diagnosis_codes",
        nid,
        {c.upper() for c in gold["diagnosis_codes"]},
        {d.code.upper() for d in result.diagnoses if d.code and not d.inferred},
    )
    report.add_set(
        "invalid_codes",
        nid,
        {c.upper() for c in gold["invalid_codes"]},
        {d.code.upper() for d in result.diagnoses if d.code and d.valid is False and not d.inferred},
    )
    pred_cpt = sorted(line.code for line in result.claim_lines if line.code in PROCEDURE_CODES)
    report.add_exact("cpt", nid, sorted(gold["cpt"]), pred_cpt)
    g_tpi = [TPI_RANK[c] for c in gold["cpt"] if c in TPI_RANK]
    p_tpi = [TPI_RANK[c] for c in pred_cpt if c in TPI_RANK]
    if g_tpi and p_tpi and max(p_tpi) > max(g_tpi):
        report.upcodes += 1
        report.diffs.setdefault(nid, []).append("UPCODE")
    pred_mods = {
        line.code: sorted(line.modifiers) for line in result.claim_lines if line.code in PROCEDURE_CODES
    }
    gold_mods = {k: sorted(v) for k, v in gold["modifiers"].items()}
    report.add_exact("modifiers", nid, gold_mods, pred_mods)
    pred_25 = None
    if result.em_service is not None and result.em_service.documented:
        pred_25 = bool(result.em_service.separately_identifiable)
    report.add_exact("em_modifier_25", nid, gold["em_modifier_25"], pred_25)
    raised = {w.code for w in result.warnings}
    req, forb = set(gold["warnings_required"]), set(gold["warnings_forbidden"])
    report.add_set("warnings_required", nid, req, raised & req)
    hits = raised & forb
    score = report.fields.setdefault("warnings_forbidden_raised", FieldScore())
    score.fp += len(hits)
    score.tp += len(forb - hits)
    if hits:
        report.diffs.setdefault(nid, []).append(f"forbidden warnings raised: {sorted(hits)}")


def evaluate(
    corpus_dir: str | Path,
    analyze: Callable[..., NoteResult],
    *,
    payer: str = "cms",
    progress: Callable[[Iterable], Iterable] | None = None,
) -> Report:
    """Analyze every gold note of ``corpus_dir`` and score it."""
    report = Report()
    items = load_gold(corpus_dir)
    for gold, text in progress(items) if progress else items:
        score_note(report, gold, analyze(text, note_id=gold["id"], payer=payer))
    return report
