"""Component ``tpi_fuzzy_muscles``: misspelled muscle names in the text exact matching left.

Runs after ``tpi_entities``. Windows of one to three alphabetic tokens not covered by any exact hit
are scored against muscle names of the same word count (see :mod:`tpicoder.extract.fuzzy`); a
window reaching the named ``min_score`` becomes a MUSCLE hit with ``match="fuzzy"`` and its score.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from tpicoder.extract.aliases import fuzzy_targets
from tpicoder.extract.component import LexiconComponent
from tpicoder.extract.extensions import Hit, hits, register_extensions, token_table
from tpicoder.extract.fuzzy import FuzzyIndex
from tpicoder.lexicon import ExtractionLexicon

_BLOCKING_LABELS = frozenset(
    {
        "MUSCLE",
        "REGIONAL",
        "NONSPECIFIC",
        "SUBSTANCE",
        "PRIOR_TX",
        "SIDE",
        "CUE",
        "UNNAMED_INJECTATE",
        "REGION_CUE",
        "OUTCOME",
        "SECTION",
    }
)


class FuzzyMuscleMatcher(LexiconComponent):
    """Adds fuzzy MUSCLE hits over the residue of exact matching."""

    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:
        """Fuzzy targets, thresholds and the ignore list."""
        fz = lex.settings.fuzzy
        entries = {m.id: {"group": m.group, "region": m.region} for m in lex.muscles.entries}
        return {
            "targets": fuzzy_targets(lex, fz.min_alias_length),
            "settings": fz.model_dump(),
            "ignore": sorted({w.lower() for w in lex.muscles.fuzzy_ignore}),
            "entries": entries,
        }

    def compile(self) -> None:
        """Build the blocked fuzzy index."""
        st = self.data["settings"]
        self.index = FuzzyIndex(
            self.data["targets"],
            min_score=st["min_score"],
            min_length=st["min_length"],
            max_length_delta=st["max_length_delta"],
            ignore=frozenset(self.data["ignore"]),
            join_min_score=st.get("join_min_score", 100.0),
        )
        self.max_words = max((t["words"] for t in self.data["targets"]), default=1)

    def __call__(self, doc: Doc) -> Doc:
        """Score residue windows and add fuzzy hits."""
        self.ensure_ready()
        out = hits(doc)
        covered = set()
        for h in out:
            if h.label in _BLOCKING_LABELS:
                covered.update(range(h.tok_start, h.tok_end))
        n = len(doc)
        self._extend_exact(doc, out, covered)
        table = token_table(doc)
        texts, lowers, spaces = table.text, table.lower, table.whitespace
        # run[k]: how many residue words follow from k on (0 where k is taken or no word).
        run = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            if table.is_alpha[k] and k not in covered:
                run[k] = run[k + 1] + 1
        index = self.index
        min_len = index.min_length
        lookup = index.lookup
        width_max = min(self.max_words, 3)
        i = 0
        while i < n:
            if not run[i]:
                i += 1
                continue
            found = None
            for width in range(min(width_max, run[i]), 0, -1):
                j = i + width
                if width == 1:
                    result = lookup(texts[i]) if len(texts[i]) >= min_len else None
                else:
                    result = lookup(" ".join(texts[i:j])) if index.has_block(lowers[i][:1], width) else None
                    if (
                        result is None
                        and all(spaces[k] == " " for k in range(i, j - 1))
                        and index.may_join(lowers[i:j])
                    ):
                        result = index.lookup_joined(texts[i:j])
                if result is not None:
                    found = (doc[i:j], result)
                    break
            if found is None:
                i += 1
                continue
            span, result = found
            regional = result.id.startswith("@")
            norm = result.id[1:] if regional else result.id
            attrs = {"fuzzy_runner_up": result.runner_up}
            if not regional:
                attrs.update(self.data["entries"][norm])
            out.append(
                Hit(
                    "REGIONAL" if regional else "MUSCLE",
                    span.start_char,
                    span.end_char,
                    span.start,
                    span.end,
                    norm=norm,
                    match="fuzzy",
                    score=round(result.score, 1),
                    alias=result.alias,
                    rule_id="muscle_fuzzy",
                    attrs=attrs,
                )
            )
            i = span.end
        return doc

    def _extend_exact(self, doc: Doc, out: list[Hit], covered: set[int]) -> None:
        """Re-read an exact hit plus a misspelled next word ("rhomboid majr" is rhomboid_major)."""
        n = len(doc)
        for idx, h in enumerate(out):
            if h.label not in ("MUSCLE", "REGIONAL") or h.match == "fuzzy" or h.tok_end >= n:
                continue
            if h.tok_end in covered or not token_table(doc).is_alpha[h.tok_end]:
                continue
            span = doc[h.tok_start : h.tok_end + 1]
            result = self.index.lookup(span.text)
            if result is None or result.id.startswith("@") or result.id == h.norm and h.label == "MUSCLE":
                continue
            out[idx] = Hit(
                "MUSCLE",
                span.start_char,
                span.end_char,
                span.start,
                span.end,
                norm=result.id,
                match="fuzzy",
                score=round(result.score, 1),
                alias=result.alias,
                rule_id="muscle_fuzzy",
                attrs={"fuzzy_runner_up": result.runner_up, **self.data["entries"][result.id]},
            )
            covered.add(h.tok_end)


@Language.factory(
    "tpi_fuzzy_muscles",
    assigns=["doc._.tpi_hits"],
    requires=["doc._.tpi_hits"],
    default_config={"lexicons_dir": ""},
)
def make_fuzzy_muscles(nlp: Language, name: str, lexicons_dir: str) -> FuzzyMuscleMatcher:
    """Build the fuzzy muscle matcher."""
    register_extensions()
    return FuzzyMuscleMatcher(nlp, name, lexicons_dir)
