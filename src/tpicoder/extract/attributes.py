"""Component ``tpi_attributes``: sides of muscles, quantities of injectates, outcomes of treatments.

A thin wrapper: the decisions are the pure functions of :mod:`laterality`, :mod:`substances` and
:mod:`prior_treatment`; this component gathers the hits and settings they need.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from tpicoder.extract.component import LexiconComponent
from tpicoder.extract.extensions import Hit, doc_text, hits, register_extensions, token_table
from tpicoder.extract.laterality import assign_sides, grid_sides, resolve_same_side
from tpicoder.extract.prior_treatment import bind_durations, bind_outcomes, mark_details, share_list_assertion
from tpicoder.extract.substances import bind_quantities, resolve_class_names
from tpicoder.extract.tables import apply_empty_amounts, apply_injected_column, column_amounts
from tpicoder.lexicon import ExtractionLexicon


class AttributeBinder(LexiconComponent):
    """Binds sides, quantities, outcomes and durations to their hits."""

    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:
        """Gap settings and the duration regex."""
        return {
            "laterality": dict(lex.settings.laterality),
            "direction_words": sorted(w.lower() for w in lex.laterality.direction_words),
            "motion_words": sorted(w.lower() for w in lex.laterality.motion_words),
            "position_words": sorted(w.lower() for w in lex.laterality.position_words),
            "side_fields": sorted(w.lower() for w in lex.laterality.side_columns),
            "same_side_dominance": lex.laterality.same_side_dominance,
            "grid_checked": lex.laterality.grid_checked,
            "grid_unchecked": lex.laterality.grid_unchecked,
            "injected_columns": sorted(c.lower() for c in lex.sections.injected_columns),
            "injected_yes": sorted(c.lower() for c in lex.sections.injected_yes),
            "injected_no": sorted(c.lower() for c in lex.sections.injected_no),
            "amount_columns": {
                name.lower(): unit for unit, names in lex.sections.amount_columns.items() for name in names
            },
            "grid_injection_words": sorted(w.lower() for w in lex.laterality.grid_injection_words),
            "grid_empty_values": sorted(v.lower() for v in lex.laterality.grid_empty_values),
            "grid_side_words": {
                w.lower(): side for side, words in lex.laterality.grid_side_words.items() for w in words
            },
            "substances": dict(lex.settings.substances),
            "class_names": sorted(n.lower() for n in lex.substances.class_names),
            "duration_pattern": lex.treatments.duration_pattern,
            "detail_ids": sorted(lex.treatments.detail_ids),
            "detail_markers": sorted(m.lower() for m in lex.treatments.detail_markers),
            "detail_max_gap": lex.treatments.detail_max_gap,
            "detail_exempt": sorted(w.lower() for w in lex.treatments.detail_exempt),
            "ongoing_rules": sorted(lex.treatments.ongoing_cues),
        }

    def compile(self) -> None:
        """Compile the duration and checkbox-grid regexes."""
        self._duration = re.compile(self.data["duration_pattern"])
        self._checked = re.compile(self.data["grid_checked"])
        self._unchecked = re.compile(self.data["grid_unchecked"])
        self._ongoing = frozenset(self.data.get("ongoing_rules", ()))

    def __call__(self, doc: Doc) -> Doc:
        """Bind attributes in place."""
        self.ensure_ready()
        all_hits = hits(doc)
        table = token_table(doc)
        tokens = table.text
        sent_ids = doc._.tpi_sents or [0] * len(doc)
        line_ids = doc._.tpi_lines or [0] * len(doc)
        muscles = sorted(
            (h for h in all_hits if h.label in ("MUSCLE", "REGIONAL")), key=lambda h: h.tok_start
        )
        sides = sorted((h for h in all_hits if h.label == "SIDE"), key=lambda h: h.tok_start)
        sections = [(s.tok_start, s.tok_end) for s in (doc._.tpi_sections or [])]
        lat = self.data["laterality"]
        resolve_same_side(sides, dominance=self.data["same_side_dominance"])
        sides = [s for s in sides if s.norm is not None]
        apply_injected_column(
            doc_text(doc),
            muscles,
            columns=frozenset(self.data["injected_columns"]),
            yes=frozenset(self.data["injected_yes"]),
            no=frozenset(self.data["injected_no"]),
        )
        apply_empty_amounts(
            doc_text(doc),
            muscles,
            columns=self.data["amount_columns"],
            empty=frozenset(v for v in self.data["grid_empty_values"] if v),
        )
        grid_sides(
            doc_text(doc),
            muscles,
            checked=self._checked,
            unchecked=self._unchecked,
            side_words=self.data["grid_side_words"],
            injection_words=frozenset(self.data["grid_injection_words"]),
            empty_values=frozenset(self.data["grid_empty_values"]),
        )
        assign_sides(
            muscles,
            sides,
            tokens,
            sent_ids,
            line_ids,
            sections,
            max_prefix_gap=lat["max_prefix_gap"],
            max_suffix_gap=lat["max_suffix_gap"],
            direction_words=frozenset(self.data["direction_words"]),
            motion_words=frozenset(self.data.get("motion_words", [])),
            position_words=tuple(self.data.get("position_words", [])),
            list_lead=doc._.tpi_list_lead or {},
            side_fields=frozenset(self.data["side_fields"]),
        )
        all_hits.extend(self._column_amounts(doc_text(doc), muscles, table.idx, sent_ids))
        substances = [h for h in all_hits if h.label == "SUBSTANCE"]
        resolve_class_names(substances, frozenset(self.data["class_names"]))
        quantities = [h for h in all_hits if h.label in ("DOSE", "VOLUME", "CONCENTRATION")]
        multipliers = [h for h in all_hits if h.label == "SITE_MULTIPLIER"]
        site_count = len({(m.norm, m.side) for m in muscles if m.injected})
        bind_quantities(
            substances,
            quantities,
            multipliers,
            tokens,
            sent_ids,
            max_gap=self.data["substances"]["max_quantity_gap"],
            site_count=site_count,
            list_lead=doc._.tpi_list_lead or {},
        )
        treatments = [h for h in all_hits if h.label == "PRIOR_TX"]
        outcomes = [h for h in all_hits if h.label == "OUTCOME"]
        gap = self.data["substances"]["max_quantity_gap"]
        bind_outcomes(treatments, outcomes, sent_ids, max_gap=2 * gap)
        bounds = sentence_bounds(table.idx, table.text, sent_ids)
        share_list_assertion(treatments, tokens, sent_ids, ongoing=self._ongoing)
        mark_details(
            treatments,
            tokens,
            sent_ids,
            detail_ids=frozenset(self.data["detail_ids"]),
            markers=frozenset(self.data["detail_markers"]),
            max_gap=self.data["detail_max_gap"],
            exempt=frozenset(self.data.get("detail_exempt", [])),
        )
        bind_durations(doc_text(doc), treatments, bounds, self._duration, max_chars=6 * gap)
        return doc

    def _column_amounts(
        self, text: str, muscles: list[Hit], idx: Sequence[int], sent_ids: Sequence[int]
    ) -> list[Hit]:
        """DOSE and VOLUME hits for the bare numbers of amount columns (``tables.column_amounts``)."""
        out = []
        for c in column_amounts(text, muscles, columns=self.data["amount_columns"]):
            k = max(0, bisect.bisect_right(idx, c.start) - 1)
            out.append(
                Hit(
                    label="DOSE" if c.unit == "units" else "VOLUME",
                    start=c.start,
                    end=c.end,
                    tok_start=k,
                    tok_end=max(k + 1, bisect.bisect_left(idx, c.end)),
                    norm=c.unit,
                    rule_id="amount_column",
                    value=c.number,
                    groups=(c.number, c.unit),
                    section=c.muscle.section,
                    sent=sent_ids[k] if k < len(sent_ids) else c.muscle.sent,
                    attrs={"row_amount": True},
                )
            )
        return out


def sentence_bounds(
    idx: Sequence[int], texts: Sequence[str], sent_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Character extent of each sentence id, read at the points where the id changes."""
    bounds: dict[int, tuple[int, int]] = {}
    n = min(len(idx), len(sent_ids))
    k = 0
    while k < n:
        sid = sent_ids[k]
        j = k
        while j + 1 < n and sent_ids[j + 1] == sid:
            j += 1
        lo, hi = idx[k], idx[j] + len(texts[j])
        if sid in bounds:
            lo, hi = min(lo, bounds[sid][0]), max(hi, bounds[sid][1])
        bounds[sid] = (lo, hi)
        k = j + 1
    return bounds


@Language.factory(
    "tpi_attributes",
    assigns=["doc._.tpi_hits"],
    requires=["doc._.tpi_hits", "doc._.tpi_sents"],
    default_config={"lexicons_dir": ""},
)
def make_attributes(nlp: Language, name: str, lexicons_dir: str) -> AttributeBinder:
    """Build the attribute binder."""
    register_extensions()
    return AttributeBinder(nlp, name, lexicons_dir)
