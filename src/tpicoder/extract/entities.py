"""Component ``tpi_entities``: exact phrase matching of every lexicon term, and the regex rules.

Two PhraseMatchers run over the Doc: one on lower-cased text for names, one on exact text for
case-sensitive abbreviations ("QL", "PT", "L"). Matches are kept per layer (entities, sides, cues,
region words, outcomes); inside a layer the longest match wins, so "lidocaine patch" (a prior
treatment) beats "lidocaine" (an injectate). Regex rules from ``patterns.yaml`` add codes,
quantities, header fields and events; each is tried only where its literal start occurs
(:mod:`tpicoder.extract.regex_scan`).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from tpicoder.extract.aliases import entity_patterns
from tpicoder.extract.component import LexiconComponent
from tpicoder.extract.extensions import Hit, doc_text, hits, register_extensions, token_table
from tpicoder.extract.regex_scan import AnchoredRegex, AnchorIndex, anchor_text
from tpicoder.extract.sound_alike import SoundAlikeDrugs
from tpicoder.extract.textio import hard_wrapped, letter_case, tokenizer_view
from tpicoder.lexicon import ExtractionLexicon

LAYERS = {
    "MUSCLE": "entity",
    "REGIONAL": "entity",
    "NONSPECIFIC": "entity",
    "SUBSTANCE": "entity",
    "PRIOR_TX": "entity",
    "UNNAMED_INJECTATE": "entity",
    "NOT_TREATMENT": "entity",
    "NOT_INJECTATE": "entity",
    "SIDE": "side",
    "OTHER_SIDE": "other_side",
    "CUE": "cue",
    "ANAPHORA": "anaphora",
    "REGION_CUE": "region",
    "OUTCOME": "outcome",
}
# Among equally long entity matches, the more specific reading wins.
_ENTITY_PRIORITY = {
    "MUSCLE": 0,
    "SUBSTANCE": 1,
    "PRIOR_TX": 2,
    "REGIONAL": 3,
    "NONSPECIFIC": 4,
    "UNNAMED_INJECTATE": 5,
}


# A line at least this long before a line break that splits a phrase is read as a hard wrap.
WRAP_MIN_LINE = 40

# Regex cues govern both ways with the default scope unless their rule says otherwise.
_PATTERN_CUE: dict[str, Any] = {
    "direction": "bidirectional",
    "max_scope": None,
    "line_only": False,
    "applies_to": None,
    "over_lead_in": False,
    "stop_words": [],
}


def longest_first(items: list[Hit], priority: dict[str, int] | None = None) -> list[Hit]:
    """Keep non-overlapping hits, longest first, ties by priority then position (spaCy filter_spans)."""
    pri = priority or {}
    ordered = sorted(items, key=lambda h: (-(h.tok_end - h.tok_start), pri.get(h.label, 9), h.tok_start))
    taken: set[int] = set()
    kept = []
    for h in ordered:
        span = range(h.tok_start, h.tok_end)
        if not any(i in taken for i in span):
            kept.append(h)
            taken.update(span)
    kept.sort(key=lambda h: h.tok_start)
    return kept


def same_length_lower(text: str) -> str:
    """Lower-case ``text``, keeping characters whose lower case is longer (e.g. 'İ') so offsets hold."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def lower_pattern(pattern: str) -> str:
    r"""Lower-case the literal letters of a regex (escapes such as \S, \B and \D keep their case).

    Used with :func:`same_length_lower` so a case-insensitive rule can run case-sensitively.
    """
    out, escaped = [], False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower())
    return "".join(out)


def _before_count(table: Any, end: int) -> bool:
    """Tell whether a count of injections follows token ``end`` ("TFL x1, VL x2")."""
    i = end
    while i < len(table.text) and table.is_space[i] and "\n" not in table.text[i]:
        i += 1
    return i < len(table.text) and _COUNT.fullmatch(table.lower[i]) is not None


_COUNT = re.compile(r"x\d{1,2}")


class EntityMatcher(LexiconComponent):
    """Exact matching of muscles, substances, treatments, sides, cues; regex patterns."""

    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:
        """Phrase pattern records, regex rules and the caps-ambiguity table."""
        return {
            "patterns": entity_patterns(lex),
            "sound_alike": {k: v for k, v in lex.settings.substances.items() if k.startswith("sound_alike_")},
            "sound_alike_not": sorted(w.lower() for w in lex.substances.sound_alike_not),
            "regex": [r.model_dump() for r in lex.patterns.rules],
            "caps_ambiguous": {
                k: sorted({w.lower() for w in v}) for k, v in lex.treatments.caps_ambiguous.items()
            },
            "side_words": sorted(
                {
                    w.lower()
                    for side in ("left", "right", "bilateral")
                    for w in getattr(lex.laterality, side) + getattr(lex.laterality, f"{side}_cs")
                }
            ),
        }

    def compile(self) -> None:
        """Build both PhraseMatchers and compile the regexes."""
        vocab = self.nlp.vocab
        self._lower = PhraseMatcher(vocab, attr="LOWER")
        self._orth = PhraseMatcher(vocab, attr="ORTH")
        self._records: dict[int, dict[str, Any]] = {}
        make_doc = self.nlp.make_doc
        for idx, rec in enumerate(self.data["patterns"]):
            if not rec["phrases"]:
                continue
            key = f"tpi_pattern_{idx}"
            docs = [make_doc(p) for p in rec["phrases"]]
            if rec["rule"].endswith("_glued"):
                # Glued side prefixes are split off as one token ("Rt." before "levator").
                docs += [Doc(vocab, words=[p]) for p in rec["phrases"]] + [
                    Doc(vocab, words=[p.upper()]) for p in rec["phrases"]
                ]
            (self._orth if rec["case_sensitive"] else self._lower).add(key, docs)
            self._records[vocab.strings[key]] = rec
        self._regex = []
        # A cue rule's reach, direction and targets, one dict per rule (shared by its hits).
        self._cue_attrs: dict[str, dict[str, Any]] = {
            rule["id"]: {
                **_PATTERN_CUE,
                "direction": rule.get("direction") or "bidirectional",
                "max_scope": rule.get("max_scope"),
                "applies_to": rule.get("applies_to"),
                "stop_words": [w.lower() for w in rule.get("stop_words") or []],
                "line_only": bool(rule.get("line_only")),
                "crosses_terminators": bool(rule.get("crosses_terminators")),
            }
            for rule in self.data["regex"]
            if rule["label"] == "CUE"
        }
        for rule in self.data["regex"]:
            names = rule.get("flags", [])
            flags = re.MULTILINE if "MULTILINE" in names else 0
            if "IGNORECASE" in names:
                # Case-insensitive rules run case-sensitively over a lower-cased copy of the text:
                # same matches, about twice as fast in Python's engine.
                regex = re.compile(lower_pattern(rule["pattern"]), flags)
                self._regex.append((rule, AnchoredRegex(regex), True))
            else:
                self._regex.append((rule, AnchoredRegex(re.compile(rule["pattern"], flags)), False))
        # The anchors of every rule are found in one pass over the note.
        self._anchor_index = AnchorIndex([regex for _, regex, _ in self._regex])
        # Notes typed all in lower case ("procedure: tpi r ql + r glute med") write sides that way too:
        # for them the case-sensitive side words are also matched in lower case.
        self._lowercase_sides = PhraseMatcher(vocab, attr="LOWER")
        for idx, rec in enumerate(self.data["patterns"]):
            if rec["label"] == "SIDE" and rec["case_sensitive"] and rec["phrases"]:
                key = f"tpi_pattern_{idx}"
                self._lowercase_sides.add(key, [make_doc(p.lower()) for p in rec["phrases"]])
        self._caps = {k: set(v) for k, v in self.data.get("caps_ambiguous", {}).items()}
        # Drug names misheard by speech recognition (extract/sound_alike.py).
        self._sound = SoundAlikeDrugs(
            self.data["patterns"],
            self.data.get("sound_alike") or {},
            self.data.get("sound_alike_not", []),
            frozenset(label for label, layer in LAYERS.items() if layer == "entity"),
        )
        self._side_words = frozenset(self.data.get("side_words", []))
        # Two-word muscle names, for names that share a word with the next ("anterior and middle scalene").
        self._muscle_alias = {
            p.lower(): rec
            for rec in self.data["patterns"]
            if rec["label"] == "MUSCLE" and not rec["case_sensitive"]
            for p in rec["phrases"]
            if len(p.split()) == 2
        }

    def __call__(self, doc: Doc) -> Doc:
        """Add entity, side, cue and pattern hits to ``doc._.tpi_hits``."""
        self.ensure_ready()
        by_layer: dict[str, list[Hit]] = {}
        text = doc_text(doc)
        table = token_table(doc)
        idx, toks = table.idx, table.text
        all_caps, no_caps = letter_case(text)
        caps = all_caps if self._caps else False
        found_labels: set[str] = set()
        matchers = [self._lower, self._orth]
        if no_caps:
            matchers.append(self._lowercase_sides)
        matches = [m for matcher in matchers for m in matcher(doc)]
        if "\n" in text and hard_wrapped(text):
            # A phrase split by a wrap counts only where its words matched nothing on their own, or
            # only phrases it holds whole: "middle scalene\nposterior." is not the posterior scalene,
            # but "left middle\nscalene" is the middle scalene, not the scalene group.
            matches += [
                m
                for m in self._across_wraps(doc, table, text)
                if all(m[1] <= a and b <= m[2] for _, a, b in matches if a < m[2] and m[1] < b)
            ]
        for match_id, start, end in matches:
            rec = self._records[match_id]
            start_char, end_char = idx[start], idx[end - 1] + len(toks[end - 1])
            surface = text[start_char:end_char]
            if (
                caps
                and rec["case_sensitive"]
                and surface in self._caps
                and not self._caps_context(doc, start, end, surface)
            ):
                continue
            if rec.get("needs_side") and not (self._after_side(table, start) or _before_count(table, end)):
                continue
            hit = Hit(
                rec["label"],
                start_char,
                end_char,
                start,
                end,
                norm=rec["id"],
                match=rec["kind"],
                # a phrase split by a wrap is named as if written on one line
                alias=" ".join(surface.lower().split()) if "\n" in surface else surface.lower(),
                rule_id=rec["rule"],
                attrs=rec,
            )
            by_layer.setdefault(LAYERS[rec["label"]], []).append(hit)
        out = hits(doc)
        for layer, items in by_layer.items():
            kept = longest_first(items, _ENTITY_PRIORITY if layer == "entity" else None)
            if layer == "cue":
                # One phrase may belong to several rules ("discussed" plans a procedure and is no
                # treatment history): every rule matching exactly a kept span stays.
                spans = {(h.tok_start, h.tok_end) for h in kept}
                chosen = {id(h) for h in kept}
                kept += [h for h in items if id(h) not in chosen and (h.tok_start, h.tok_end) in spans]
            if layer == "entity":
                kept += self._coordinated(kept, table, text)
            out.extend(kept)
            found_labels.update(h.label for h in kept)
        lowered = None
        if self._sound.active:
            lowered = same_length_lower(text)
            heard = self._sound.find(table, text, lowered, out)
            if heard:
                out.extend(heard)
                found_labels.add("SUBSTANCE")
        n = len(idx)
        seen = None
        for rule, regex, on_lower in self._regex:
            needs = rule.get("requires")
            if needs and found_labels.isdisjoint(needs):
                continue
            if seen is None:
                lowered = lowered if lowered is not None else same_length_lower(text)
                anchors_in = anchor_text(lowered)
                seen = self._anchor_index.places(anchors_in)
            span_group = rule.get("span_group") or 0
            for m in regex.finditer(lowered if on_lower else text, anchors_in, seen, complete=True):
                # A rule may read context around what it marks: the hit is then its group's span.
                start_char, end_char = m.span(span_group)
                if end_char <= start_char or not n:
                    continue
                # Token span covering the match (spaCy's char_span with alignment_mode="expand").
                tok_start = max(0, bisect.bisect_right(idx, start_char) - 1)
                tok_end = bisect.bisect_left(idx, end_char)
                found_labels.add(rule["label"])
                # Values are read from the original text, never from the lower-cased copy.
                groups = tuple(text[a:b] if a >= 0 else None for a, b in m.regs[1:])
                out.append(
                    Hit(
                        rule["label"],
                        start_char,
                        end_char,
                        tok_start,
                        tok_end,
                        norm=rule.get("value"),
                        match="pattern",
                        rule_id=rule["id"],
                        value=groups[0] if groups else text[start_char:end_char],
                        groups=groups,
                        attrs=self._cue_attrs.get(rule["id"], {}),
                    )
                )
        return doc

    def _coordinated(self, kept: list[Hit], table: Any, text: str) -> list[Hit]:
        """Muscles named by a shared word ("anterior and middle scalene", "rhomboid major and minor").

        For a muscle hit "Y HEAD" preceded by "X and", or "HEAD X" followed by "and Y", a hit is added
        for "X HEAD" / "HEAD Y" when that is a muscle name of its own.
        """
        lower, idx, texts = table.lower, table.idx, table.text
        taken = {k for h in kept for k in range(h.tok_start, h.tok_end)}
        extra: list[Hit] = []

        def word(k: int) -> int | None:
            # index of the next non-space token at or after k (None past the end)
            while 0 <= k < len(lower) and not lower[k].strip():
                k += 1
            return k if 0 <= k < len(lower) else None

        def back(k: int) -> int | None:
            while k >= 0 and not lower[k].strip():
                k -= 1
            return k if k >= 0 else None

        for h in kept:
            if h.label != "MUSCLE" or h.tok_end - h.tok_start != 2:
                continue
            first, head = h.tok_start, h.tok_end - 1
            # "X and Y HEAD"
            j = back(first - 1)
            x = back(j - 1) if j is not None and lower[j] in ("and", "&", "/") else None
            if x is not None and x not in taken and table.is_alpha[x]:
                rec = self._muscle_alias.get(f"{lower[x]} {lower[head]}")
                if rec is not None:
                    extra.append(self._alias_hit(rec, idx[x], idx[x] + len(texts[x]), x, x + 1, text))
            # "HEAD X and Y"
            j = word(h.tok_end)
            y = word(j + 1) if j is not None and lower[j] in ("and", "&", "/") else None
            if y is not None and y not in taken and table.is_alpha[y]:
                rec = self._muscle_alias.get(f"{lower[first]} {lower[y]}")
                if rec is not None:
                    extra.append(self._alias_hit(rec, idx[y], idx[y] + len(texts[y]), y, y + 1, text))
        return extra

    @staticmethod
    def _alias_hit(rec: dict, start: int, end: int, tok_start: int, tok_end: int, text: str) -> Hit:
        return Hit(
            rec["label"],
            start,
            end,
            tok_start,
            tok_end,
            norm=rec["id"],
            match="exact",
            alias=text[start:end].lower(),
            rule_id="muscle_coordinated",
            attrs=rec,
        )

    def _across_wraps(self, doc: Doc, table: Any, text: str) -> list[tuple[int, int, int]]:
        """Return the phrase matches a hard line wrap splits ("left gluteus / medius").

        A wrap is a single line break between two words, after a line of at least
        :data:`WRAP_MIN_LINE` characters (a typed list keeps short lines). The words are matched
        again with the wraps read as spaces; only matches that cross a wrap are returned, as
        ``(match_id, start, end)`` token indices of ``doc``.
        """
        lower, is_space, idx = table.lower, table.is_space, table.idx
        wraps = set()
        for i in range(1, len(lower) - 1):
            if (
                is_space[i]
                and lower[i].count("\n") == 1
                and table.is_alpha[i - 1]
                and table.is_alpha[i + 1]
                and idx[i] - (text.rfind("\n", 0, idx[i]) + 1) >= WRAP_MIN_LINE
            ):
                wraps.add(i)
        if not wraps:
            return []
        view = tokenizer_view(text)  # what the tokenizer saw (doc.text is rebuilt token by token)
        keep = [i for i in range(len(lower)) if i not in wraps]
        words = [view[idx[i] : idx[i] + len(lower[i])] for i in keep]
        spaces = [bool(table.whitespace[i]) or i + 1 in wraps for i in keep]
        joined = Doc(doc.vocab, words=words, spaces=spaces)
        out = []
        for matcher in (self._lower, self._orth):
            for match_id, start, end in matcher(joined):
                first, last = keep[start], keep[end - 1]
                if last - first != end - 1 - start:
                    out.append((match_id, first, last + 1))
        return out

    def _after_side(self, table: Any, start: int) -> bool:
        """Tell whether the token before ``start`` (spaces skipped) is a side word ("L", "rt", "bilat")."""
        i = start - 1
        while i >= 0 and (table.is_space[i] or table.text[i] == ":"):
            i -= 1
        return i >= 0 and table.lower[i] in self._side_words

    def _caps_context(self, doc: Doc, start: int, end: int, text: str) -> bool:
        words = self._caps[text]
        lo, hi = max(0, start - 2), min(len(doc), end + 2)
        lower = token_table(doc).lower
        return any(lower[i] in words for i in range(lo, hi) if not start <= i < end)


@Language.factory(
    "tpi_entities",
    assigns=["doc._.tpi_hits"],
    requires=["doc._.tpi_sections"],
    default_config={"lexicons_dir": ""},
)
def make_entities(nlp: Language, name: str, lexicons_dir: str) -> EntityMatcher:
    """Build the exact matcher."""
    register_extensions()
    return EntityMatcher(nlp, name, lexicons_dir)
