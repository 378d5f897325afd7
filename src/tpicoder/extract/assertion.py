"""Component ``tpi_context``: ConText-style assertion and the injected-this-session decision.

Algorithm (after Harkema et al. 2009 / medspaCy ConText): each CUE hit governs the target hits in
its direction, within its sentence, up to its ``max_scope`` tokens, and stops at a TERMINATE cue
(and, for historical and hypothetical cues, at a CURRENT cue such as "today"). A target takes
NEGATED over HYPOTHETICAL over HISTORICAL; otherwise a CURRENT cue makes it present, and failing
that its section's default applies. Cue data: ``lexicons/extraction/context_cues.yaml``.

A muscle (or injectate, or region) counts as injected this session when it is asserted present and
an INJECTION cue governs it (where the section allows it), or its section is a procedure section,
or a list it belongs to was introduced by an injection sentence ending in ":", or an injection
sentence that names no muscle points back to it ("Both were injected").
"""

from __future__ import annotations

import bisect
import itertools
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from tpicoder.extract.component import LexiconComponent
from tpicoder.extract.dates import dates_in, latest_date, parse_date
from tpicoder.extract.entities import letter_case
from tpicoder.extract.extensions import TARGET_LABELS, Hit, doc_text, hits, register_extensions, token_table
from tpicoder.extract.textio import hard_wrapped, is_dot_leader
from tpicoder.lexicon import ExtractionLexicon

ASSERTION_CATEGORIES = ("NEGATED", "HYPOTHETICAL", "HISTORICAL")
# A list after a colon: items at most this many tokens apart, the colon at most this far before.
COLON_LIST_GAP = 8
COLON_LIST_REACH = 40
# Tokens between a plan or negation cue and the injection word it turns ("consider injecting").
MODAL_INJECTION_GAP = 1
# Tokens (a space) between an injection word and a dash that introduces its list ("tpi x3 -- L trap").
DASH_LEAD_GAP = 1
_DASHES = frozenset({"-", "--", "–", "—", "---"})
# Words a bare list of muscles may hold besides names and sides ("R upper trap x2 sites, R levator").
_LIST_WORDS = frozenset({",", "+", "&", "and", "/", ".", "sites", "site", "points", "tps", "trps", ";"})
# Cues that name anatomy rather than targets: a back-reference ("each", "both") never injects what
# they decided.
_ANATOMY_CUES = frozenset({"LANDMARK", "IMAGING"})
_ASSERTION_OF = {"NEGATED": "negated", "HYPOTHETICAL": "hypothetical", "HISTORICAL": "historical"}
_INJECTABLE = frozenset({"MUSCLE", "REGIONAL", "NONSPECIFIC", "SUBSTANCE", "UNNAMED_INJECTATE"})
_SENT_END = frozenset({".", "!", "?"})


# Units and strengths after a number that carry a wrapped sentence on ("dexamethasone\n4 mg/mL (2 mg)").
_UNITS = frozenset({"mg", "ml", "cc", "mcg", "units", "u", "%", "mg/ml", "mg/cc", "mcg/ml", "units/ml"})


def _aside_start(texts: list[str], end: int, reach: int = 24) -> int | None:
    """Token index of the "(" opening a parenthesis that closes at ``end`` ("...(no EMG):"), or None."""
    if not texts[end].startswith(")"):
        return None
    for k in range(end - 1, max(-1, end - reach), -1):
        if texts[k].endswith("("):
            return k
        if texts[k].startswith(")") or "\n" in texts[k]:
            return None
    return None


def _next_on_line(texts: list[str], spaces: list[bool], j: int) -> int:
    """Return the first token from ``j`` on that is not a space within a line (may be a line break)."""
    while j < len(texts) and spaces[j] and "\n" not in texts[j]:
        j += 1
    return j


def _wrapped(texts: list[str], spaces: list[bool], idx: list[int], i: int, width: int) -> bool:
    """Tell whether the line break at token ``i`` wraps a long line whose text goes on in lower case."""
    if not width:
        return False
    j = _next_on_line(texts, spaces, i + 1)
    if j >= len(texts) or spaces[j]:
        return False
    # Lower case goes on ("... with no\nrelief"), and so does an amount ("+ ketorolac\n30 mg (1 mL)").
    amount = texts[j][:1].isdigit() and j + 1 < len(texts) and texts[j + 1].lower() in _UNITS
    # An aside goes on too ("... injections in this clinic\n(last 07/2025), each with ...").
    aside = texts[j] == "(" and j + 1 < len(texts) and texts[j + 1][:1].islower()
    if not (texts[j][:1].islower() or amount or aside):
        return False
    k = i - 1
    while k >= 0 and not (spaces[k] and "\n" in texts[k]):
        k -= 1
    line_start = idx[k] + len(texts[k]) if k >= 0 else 0
    prev = texts[i - 1] if i > 0 else ""
    return idx[i] - line_start >= width and prev not in _SENT_END and not prev.endswith(":")


def _open_to_back_reference(t: Hit) -> bool:
    """Tell whether "Both were injected" may make ``t`` injected: not yet, or by a section default only."""
    return not t.injected or bool(t.attrs.get("by_default"))


def _refer_back(t: Hit, cue: Hit) -> None:
    """Make ``t`` injected by a back-reference, or confirm an injection read from its section's default."""
    if t.injected:
        t.attrs = {k: v for k, v in t.attrs.items() if k != "by_default"}
        return
    t.injected = True
    t.cue = cue
    t.attrs = {**t.attrs, "anaphora": True}


def _empty_cell(table: Any, h: Hit) -> bool:
    """Tell whether a dash cue is a table's empty cell or a cell's bullet ("Levator scapulae   L   --").

    Columns are set apart by runs of spaces, which the tokenizer keeps as space tokens on both
    sides, or by pipes; a dash between words ("L trap -- R side deferred") still ends a clause.
    """
    if h.tok_end - h.tok_start != 1 or table.text[h.tok_start].strip("-\u2013\u2014"):
        return False
    before, after = h.tok_start - 1, h.tok_end
    if before < 0 or after >= len(table.text):
        return False
    if table.is_space[before] and table.is_space[after]:
        return True
    # "| R | -- | not injected this cycle |": a pipe table's empty cell.
    while before > 0 and table.is_space[before]:
        before -= 1
    while after < len(table.text) - 1 and table.is_space[after]:
        after += 1
    # "| Piriformis | L | -- not injected (nontender today) |": a dash that opens a cell is the
    # cell's bullet; the cell's words still speak of the row's muscle.
    return table.text[before] == "|"


def _name_continued(doc: Doc, all_hits: list[Hit]) -> frozenset[int]:
    """Return the line breaks right after a muscle name whose sentence goes on in lower case below.

    A line ending "... referred pain to scapula. serratus post sup" above "tender too, not injected."
    has said nothing of the muscle yet. A next line that begins with a name or a side of its own
    ("l trap" above "r levator") is a list instead.
    """
    table = token_table(doc)
    texts, spaces = table.text, table.is_space
    text = doc_text(doc)
    starts = {h.tok_start for h in all_hits if h.label in ("MUSCLE", "REGIONAL", "SIDE")}
    out = set()
    for h in all_hits:
        if h.label not in ("MUSCLE", "REGIONAL"):
            continue
        i = h.tok_end
        if i >= len(texts) or not spaces[i] or texts[i].count("\n") != 1:
            continue
        # A header's line ("PROCEDURE: trigger point injection, L piriformis") is complete.
        if ":" in text[text.rfind("\n", 0, h.start) + 1 : h.start]:
            continue
        j = _next_on_line(texts, spaces, i + 1)
        if j < len(texts) and texts[j][:1].islower() and texts[j].isalpha() and j not in starts:
            out.add(i)
    return frozenset(out)


def segment(
    doc: Doc,
    non_terminal: frozenset[str] = frozenset(),
    wrap_width: int = 0,
    continued: frozenset[int] | tuple[()] = (),
) -> tuple[list[int], list[int], list[int], list[bool]]:
    """Return the sentence, line and paragraph id of every token, and whether each sentence ends with ':'.

    Sentences end at '.', '!', '?' tokens, at a token ending in '.' before a capitalised word ("1 mL.
    Left masseter"), unless it is a known abbreviation ("Dr. Lee"), and at line breaks (dictation and
    templates put one item per line) except where a line of at least ``wrap_width`` characters was
    hard-wrapped and goes on in lower case, or the break is one of ``continued``; paragraphs end at
    blank lines.
    """
    table = token_table(doc)
    texts, spaces = table.text, table.is_space
    n = len(texts)
    sent_ids, line_ids, para_ids = [], [], []
    colon_end: list[bool] = []
    sent = line = para = 0
    last_real = ""
    for i in range(n):
        text = texts[i]
        sent_ids.append(sent)
        line_ids.append(line)
        para_ids.append(para)
        if spaces[i]:
            newlines = text.count("\n")
            if newlines == 1 and (i in continued or _wrapped(texts, spaces, table.idx, i, wrap_width)):
                continue  # a hard-wrapped line continues: same sentence, same line
            if newlines:
                colon_end.append(last_real.endswith(":"))
                sent += 1
                line += newlines
                if newlines > 1:
                    para += 1
                last_real = ""
            continue
        last_real = text
        # "Referred for ?trigger point injections": a query mark glued to the next word ends nothing.
        ends = text in _SENT_END and not (
            text == "?" and i + 1 < n and table.whitespace[i] == "" and texts[i + 1][:1].isalpha()
        )
        # "R ant. temporalis": the tokenizer split an abbreviation's period off it; a lower-case
        # word after it goes on with the sentence ("PT. Took Aleve" ends one).
        if (
            ends
            and text == "."
            and i > 0
            and table.whitespace[i - 1] == ""
            and f"{texts[i - 1].lower()}." in non_terminal
        ):
            j = _next_on_line(texts, spaces, i + 1)
            ends = not (j < n and texts[j][:1].islower())
        # A dot leader ("Trapezius ..... Right ..... 20") joins a field to its value.
        if (
            not ends
            and len(text) > 1
            and text.endswith(".")
            and text.lower() not in non_terminal
            and not is_dot_leader(text)
        ):
            j = _next_on_line(texts, spaces, i + 1)
            # "0.5 mL. (L temporalis not injected.)": an aside opening a new sentence.
            if j + 1 < n and texts[j] == "(":
                j += 1
            ends = j < n and not spaces[j] and texts[j][:1].isupper()
        if ends:
            colon_end.append(False)
            sent += 1
            last_real = ""
    colon_end.append(last_real.endswith(":"))
    return sent_ids, line_ids, para_ids, colon_end


class ContextAssertion(LexiconComponent):
    """Decides assertion, governing cue and injected flag of every target hit."""

    def data_from_lexicon(self, lex: ExtractionLexicon) -> dict[str, Any]:
        """Section defaults, scope settings and anaphora reach."""
        return {
            "section_defaults": {k: v.model_dump() for k, v in lex.cues.section_defaults.items()},
            "default_scope": lex.settings.context["default_scope"],
            "anaphora_reach": lex.cues.anaphora_reach,
            "anaphora_above_reach": lex.cues.anaphora_above_reach,
            "non_terminal": sorted(a.lower() for a in lex.cues.non_terminal_abbreviations),
            "checklist_instructions": sorted(w.lower() for w in lex.cues.checklist_instructions),
            "amount_rules": sorted(lex.cues.amount_rules),
            "wrap_width": lex.settings.context["wrap_width"],
            "list_lead_reach": lex.settings.context["list_lead_reach"],
            "max_scopes": sorted({r.max_scope for r in lex.cues.rules if r.max_scope}),
            "longest_cue": max(len(p.split()) for r in lex.cues.rules for p in r.phrases) * 3,
            # Where one phrase belongs to several rules of a category, the rule written first in the
            # lexicon stands for it (context_cues.yaml, then the CUE rules of patterns.yaml).
            "rule_order": [r.id for r in lex.cues.rules]
            + [r.id for r in lex.patterns.rules if r.label == "CUE"],
        }

    def compile(self) -> None:
        """Read the settings; the widest reach any cue can have bounds the per-target cue search."""
        self.defaults = self.data["section_defaults"]
        self.default_scope = self.data["default_scope"]
        self.max_reach = max([self.default_scope, *self.data.get("max_scopes", [])])
        self.longest_cue = self.data.get("longest_cue", 1)
        # Below this many cues in a sentence a plain scan is cheaper than bisecting.
        self.window_from = 2 * self.max_reach
        order = self.data.get("rule_order", [])
        self.rule_rank = {rule_id: k for k, rule_id in enumerate(order)}
        self.amount_rules = frozenset(self.data.get("amount_rules", []))
        self.unranked = len(order)

    def __call__(self, doc: Doc) -> Doc:
        """Annotate the target hits of ``doc`` in place."""
        self.ensure_ready()
        all_hits = hits(doc)
        # In a note typed without capitals every line begins in lower case, so that is no sign of a
        # wrapped line going on ("...last one 3/2025 gave relief\nbilat traps + bilat levator scap").
        # Nor is a line break in a note that is not hard-wrapped (see textio.hard_wrapped).
        text = doc_text(doc)
        table = token_table(doc)
        wraps = not letter_case(text)[1] and hard_wrapped(text)
        sent_ids, line_ids, para_ids, colon_end = segment(
            doc,
            frozenset(self.data["non_terminal"]),
            self.data["wrap_width"] if wraps else 0,
            () if wraps else _name_continued(doc, all_hits),
        )
        # A date equal to the date of service ("proc (03/10/2026):") is today, not history.
        service_dates = {parse_date(str(h.value)) for h in all_hits if h.label == "DOS"} - {None}
        if not service_dates:
            # No DOS field: earlier visits carry earlier dates, so the latest date is taken as today's.
            service_dates = {latest_date(doc_text(doc))} - {None}
        doc._.tpi_sents = sent_ids
        doc._.tpi_lines = line_ids
        sections = doc._.tpi_sections or []
        sec_starts = [s.start for s in sections]
        n = len(doc)

        def sent_of(tok: int) -> int:
            return sent_ids[min(tok, n - 1)] if n else 0

        outcome_toks: set[int] = set()
        for h in all_hits:
            if h.label == "OUTCOME":
                outcome_toks.update(range(h.tok_start, h.tok_end))
        cues: dict[int, list[Hit]] = {}
        blockers: dict[int, list[int]] = {}
        currents: dict[int, list[int]] = {}
        anaphora_sents: set[int] = set()
        anaphora_hits: list[Hit] = []
        # Cue words that are a section's own header ("Plan:") yield to a cue in the text itself
        # ("Plan: continue home stretching" is stretching done before).
        header_cues: set[int] = set()
        # A pseudo-cue hides the cues inside it, pattern cues too ("same three muscles as 12/2025").
        # Kept as starts with the furthest end reached so far, to test containment by bisection.
        pseudo_spans = sorted(
            (h.start, h.end)
            for h in all_hits
            if h.label == "CUE" and h.norm == "PSEUDO" and h.match == "pattern"
        )
        pseudo_starts = [a for a, _ in pseudo_spans]
        pseudo_reach = list(itertools.accumulate((b for _, b in pseudo_spans), max))
        # Sentences with a back-reference to an earlier paragraph ("the sites above").
        above_sents: set[int] = set()
        for h in all_hits:
            h.sent = sent_of(h.tok_start)
            idx = bisect.bisect_right(sec_starts, h.start) - 1
            if idx >= 0 and h.start >= sections[idx].end:
                idx = -1  # after a section, under a header of no kind ("Addendum 09/10/2025:")
            h.section = sections[idx].kind if idx >= 0 else "unknown"
            if h.label == "CUE":
                cat = h.norm
                if cat != "PSEUDO" and pseudo_spans:
                    k = bisect.bisect_right(pseudo_starts, h.start) - 1
                    if k >= 0 and pseudo_reach[k] >= h.end:
                        continue
                # Sections follow one another and each opens with its header: only the section the
                # cue stands in can hold it in its header.
                in_header = idx >= 0 and sections[idx].header_start <= h.start < sections[idx].header_end
                if h.match == "pattern" and (
                    (service_dates and dates_in(str(h.value)) & service_dates) or in_header
                ):
                    continue
                # A date after the visit ("Addendum 09/10/2025: L levator was also injected") dates
                # no earlier event.
                if cat == "HISTORICAL" and h.match == "pattern" and service_dates:
                    written = dates_in(str(h.value))
                    if written and min(written) > max(service_dates):
                        continue
                if cat == "NEGATED" and any(t in outcome_toks for t in range(h.tok_start, h.tok_end)):
                    continue
                if in_header:
                    header_cues.add(id(h))
                if cat == "TERMINATE":
                    if _empty_cell(table, h):
                        continue
                    blockers.setdefault(h.sent, []).append(h.tok_start)
                elif cat == "CURRENT":
                    currents.setdefault(h.sent, []).append(h.tok_start)
                if cat not in ("TERMINATE", "PSEUDO"):
                    stops = h.attrs.get("stop_words")
                    if stops and h.attrs.get("direction") == "backward":
                        # "the SCM, the internal jugular vein and the plexus were identified and
                        # avoided": a backward scope ends at the last stop word before the cue.
                        k = h.tok_start - 1
                        while k >= 0 and sent_ids[k] == h.sent and table.text[k].lower() not in stops:
                            k -= 1
                        h.attrs = {**h.attrs, "stop_before": k + 1}
                    elif stops:
                        # "traversing the paraspinals and the QL, into the psoas major": the scope
                        # ends at the first stop word after the cue.
                        k = h.tok_end
                        while k < n and sent_ids[k] == h.sent and table.text[k].lower() not in stops:
                            k += 1
                        h.attrs = {**h.attrs, "stop_at": k}
                    cues.setdefault(h.sent, []).append(h)
            elif h.label == "ANAPHORA":
                anaphora_sents.add(h.sent)
                anaphora_hits.append(h)
                if h.norm == "above":
                    above_sents.add(h.sent)
        # "tpi x3 -- L trap, L levator scap, L rhomboid min -- 1% lido 1cc each": a dash right after an
        # injection word introduces its list, as a colon does; it ends no scope.
        for sid, lst in blockers.items():
            injections = [c.tok_end for c in cues.get(sid, []) if c.norm == "INJECTION"]
            if injections:
                lst[:] = [
                    b
                    for b in lst
                    if not (
                        table.text[b].strip() in _DASHES
                        and any(0 <= b - end <= DASH_LEAD_GAP for end in injections)
                    )
                ]
        for lst in blockers.values():
            lst.sort()
        for lst in currents.values():
            lst.sort()
        # An injection word that a plan or a negation governs right before it ("will consider
        # injecting the L side next visit") is no injection event of this session.
        for sid, lst in cues.items():
            modal = [
                c
                for c in lst
                if c.norm in ("HYPOTHETICAL", "NEGATED") and c.attrs.get("direction") != "backward"
            ]
            if modal:
                cues[sid] = [
                    c
                    for c in lst
                    if not (
                        c.norm == "INJECTION"
                        and any(0 <= c.tok_start - m.tok_end <= MODAL_INJECTION_GAP for m in modal)
                    )
                ]

        # Lists introduced by a sentence ending in ':' inherit that sentence's cue categories.
        # Injection and this-session cues carry over whole; negation, plans and history only when the
        # cue stands just before the colon ("Not injected today:", "Consider next visit:").
        inherited: dict[int, set[str]] = {}
        # Cues restricted to some labels ("Instead:" plans only treatments) pass on to those labels.
        inherited_for: dict[int, set[tuple[str, frozenset[str]]]] = {}
        lead_cats: set[str] | None = None
        lead_restricted: set[tuple[str, frozenset[str]]] = set()
        sent_last_tok: dict[int, int] = {}
        spaces = table.is_space
        # Scopes count words: a line break or a run of spaces inside a hard-wrapped sentence is none.
        # A table's pipes set cells apart; they are no words either.
        self._words_before = list(
            itertools.accumulate(
                (not sp and t != "|" for sp, t in zip(spaces, table.text, strict=True)), initial=0
            )
        )
        self._colons = [i for i, t in enumerate(table.text) if t.endswith(":")]
        self._amounts = sorted(
            h.tok_start for lst in cues.values() for h in lst if h.rule_id in self.amount_rules
        )
        tok_texts = table.text
        for i, sid in enumerate(sent_ids):
            if not spaces[i]:
                sent_last_tok[sid] = i
        instructions = frozenset(self.data.get("checklist_instructions", ()))
        for s in range(len(colon_end)):
            if lead_cats is not None:
                inherited[s] = lead_cats
                if lead_restricted:
                    inherited_for[s] = lead_restricted
            if colon_end[s]:
                end = sent_last_tok.get(s, 0)
                lead_cats = set()
                lead_restricted = set()
                # "Injection sites (30g needle, no EMG):": a closing aside passes nothing on, unless
                # it tells how to fill in the list ("(check all injected):").
                aside = _aside_start(tok_texts, end)
                if aside is not None and tok_texts[aside + 1].lower() in instructions:
                    aside = None
                for c in cues.get(s, []):
                    if aside is not None and c.tok_start >= aside:
                        continue
                    if c.attrs.get("applies_to"):
                        if c.norm in ASSERTION_CATEGORIES and end - c.tok_end <= self.data["list_lead_reach"]:
                            lead_restricted.add((c.norm, frozenset(c.attrs["applies_to"])))
                        continue
                    if c.norm in ("INJECTION", "CURRENT") or (
                        c.norm in ASSERTION_CATEGORIES and end - c.tok_end <= self.data["list_lead_reach"]
                    ):
                        lead_cats.add(c.norm)
        lead_of: dict[int, int] = {}
        lead = None
        for s in range(len(colon_end)):
            if s in inherited and lead is not None:
                lead_of[s] = lead
            if colon_end[s]:
                lead = s
        # A list block ends at a blank line.
        if inherited:
            para_of_sent: dict[int, int] = {}
            for i, s in enumerate(sent_ids):
                para_of_sent.setdefault(s, para_ids[i])
            lead_para = None
            for s in sorted(inherited):
                if s - 1 >= 0 and colon_end[s - 1]:
                    lead_para = para_of_sent.get(s - 1)
                if para_of_sent.get(s) != lead_para:
                    del inherited[s]
                    inherited_for.pop(s, None)

        doc._.tpi_list_lead = {s: lead_of[s] for s in inherited if s in lead_of}
        targets = [h for h in all_hits if h.label in TARGET_LABELS]
        # Cues sorted per sentence, so each target looks only at the cues within the widest scope
        # (a run-on note can be one sentence of thousands of tokens).
        for lst in cues.values():
            lst.sort(key=lambda c: c.tok_start)
        cue_starts = {sid: [c.tok_start for c in lst] for sid, lst in cues.items()}
        reach = self.max_reach
        for t in targets:
            sent_cues = cues.get(t.sent, [])
            if len(sent_cues) > self.window_from:
                starts = cue_starts[t.sent]
                lo = bisect.bisect_left(starts, t.tok_start - reach - self.longest_cue)
                hi = bisect.bisect_right(starts, t.tok_end + reach)
                sent_cues = sent_cues[lo:hi]
            self._decide(
                t,
                sent_cues,
                blockers.get(t.sent, []),
                currents.get(t.sent, []),
                line_ids,
                inherited.get(t.sent, set())
                | {cat for cat, labels in inherited_for.get(t.sent, ()) if t.label in labels},
                header_cues,
            )
        self._anaphora(targets, cues, anaphora_sents, above_sents, para_ids)
        self._clause_anaphora(targets, cues, anaphora_hits, blockers)
        self._colon_list(targets, tok_texts, blockers)
        self._list_then_amount(targets, all_hits, cues, sent_ids, line_ids, tok_texts)
        self._earlier_events(targets)
        return doc

    def _list_then_amount(
        self,
        targets: list[Hit],
        all_hits: list[Hit],
        cues: dict[int, list[Hit]],
        sent_ids: list[int],
        line_ids: list[int],
        tokens: list[str],
    ) -> None:
        """Inject the muscles of a bare list that the next sentence gives its amount.

        "R upper trap x2 sites, R levator scap. 1cc 1% lido + 1cc 0.25% bupi per site." and "R glute
        med + R piriformis. 4cc 1% lido + 1cc Kenalog-40 split btwn.": terse notes write the muscles
        as a sentence of their own and the drug amount right after it on the same line. Only a
        sentence of nothing but muscles, sides and list words, with no cue of its own that decided
        them, is read so.
        """
        loose = [
            t
            for t in targets
            if t.label in ("MUSCLE", "REGIONAL")
            and t.cue is None
            and not t.injected
            and t.assertion == "present"
        ]
        if not loose:
            return
        named: dict[int, set[int]] = {}
        for h in all_hits:
            if h.label in ("MUSCLE", "REGIONAL", "SIDE") or (h.label == "CUE" and h.norm == "INJECTION"):
                named.setdefault(h.sent, set()).update(range(h.tok_start, h.tok_end))
        first_of: dict[int, int] = {}
        for k, sid in enumerate(sent_ids):
            first_of.setdefault(sid, k)
        for t in loose:
            amounts = [c for c in cues.get(t.sent + 1, []) if c.rule_id in self.amount_rules]
            if not amounts:
                continue
            amount = min(amounts, key=lambda c: c.tok_start)
            opening = first_of.get(t.sent + 1, amount.tok_start)
            if any(tokens[k].strip() for k in range(opening, amount.tok_start)):
                continue
            if line_ids[amount.tok_start] != line_ids[t.tok_start]:
                continue
            # Every word of the muscle's sentence is a name, a side, a count or a list word.
            covered = named.get(t.sent, set())
            words = [k for k in range(first_of[t.sent], opening) if tokens[k].strip()]
            if all(k in covered or tokens[k].lower() in _LIST_WORDS for k in words):
                t.injected, t.cue = True, amount

    @staticmethod
    def _earlier_events(targets: list[Hit]) -> None:
        """Make a target injected by an event that is itself earlier care earlier too.

        "Completed 10 PT sessions including 6 sessions of dry needling to the R adductors": the
        phrase "dry needling" is an injection cue for the adductors and a prior treatment that
        "Completed" makes historical; the adductors were needled then, not today.
        """
        # Not the injection words themselves ("Repeat TPI", "using trigger point injections"): their
        # history says an earlier one happened, and today's event is written with the same words.
        past = [
            h
            for h in targets
            if h.label == "PRIOR_TX"
            and h.assertion == "historical"
            and h.cue is not None
            and h.section != "procedure"
        ]
        if not past:
            return
        earlier = [h for h in past if not h.attrs.get("history_only")]
        # A drug that names the earlier injection itself ("three rounds of lidocaine trigger point
        # injections (last 07/2025)") was that injection's, whatever today's words are.
        named = {h.tok_start: h for h in past if h.attrs.get("history_only")}
        for t in targets:
            cue = t.cue
            if not t.injected or cue is None or cue.norm != "INJECTION":
                continue
            if t.label == "SUBSTANCE" and t.tok_end in named:
                t.assertion, t.injected, t.cue = "historical", False, named[t.tok_end].cue
                continue
            for h in earlier:
                if h.tok_start < cue.tok_end and cue.tok_start < h.tok_end:
                    t.assertion, t.injected, t.cue = "historical", False, h.cue
                    break

    def _default_of(self, section: str) -> dict[str, Any]:
        """Return what a section means for a mention no cue decides (context_cues.yaml section_defaults)."""
        return self.defaults.get(section) or self.defaults["unknown"]

    def _rank(self, cue: Hit) -> int:
        return self.rule_rank.get(cue.rule_id, self.unranked)

    # -- scope -------------------------------------------------------------------------------------
    def _governs(
        self, cue: Hit, t: Hit, blockers: list[int], currents: list[int], line_ids: list[int]
    ) -> int | None:
        """Token distance from cue to target when the cue governs it, else None."""
        attrs = cue.attrs
        applies = attrs.get("applies_to")
        if applies and t.label not in applies:
            return None
        direction = attrs.get("direction", "bidirectional")
        scope = attrs.get("max_scope") or self.default_scope
        if t.tok_start >= cue.tok_end and direction in ("forward", "bidirectional"):
            lo, hi = cue.tok_end, t.tok_start
        elif t.tok_end <= cue.tok_start and direction in ("backward", "bidirectional"):
            lo, hi = t.tok_end, cue.tok_start
        else:
            return None
        dist = self._words_before[hi] - self._words_before[lo]
        if dist > scope:
            return None
        # "- LEFT levator scapulae: transducer in short axis over ...": a muscle labelling its line is
        # the site that line tells about, not anatomy its image description names.
        if cue.norm == "IMAGING" and hi == cue.tok_start:
            k = bisect.bisect_left(self._colons, lo)
            if k < len(self._colons) and self._colons[k] < hi:
                return None
        # "R longissimus thoracis (T7-8): 2 mL - needle traversed the lower trapezius, not injected":
        # a negation looking back stops at the amount its row gave the muscle before it.
        if cue.norm == "NEGATED" and hi == cue.tok_start and self._amounts:
            k = bisect.bisect_left(self._amounts, lo)
            if k < len(self._amounts) and self._amounts[k] < hi:
                return None
        stop_at = attrs.get("stop_at")
        if stop_at is not None and t.tok_start >= stop_at:
            return None
        stop_before = attrs.get("stop_before")
        if stop_before is not None and t.tok_end <= stop_before:
            return None
        if attrs.get("line_only") and line_ids[cue.tok_start] != line_ids[t.tok_start]:
            return None
        # A cue whose rule says so passes the terminators of its line ("01/08/2025 - TPI L trap;
        # lidocaine 8 mL": the log entry's date governs its drugs too).
        if not attrs.get("crosses_terminators"):
            i = bisect.bisect_left(blockers, lo)
            if i < len(blockers) and blockers[i] < hi:
                return None
        if cue.norm in ("HISTORICAL", "HYPOTHETICAL"):
            j = bisect.bisect_left(currents, lo)
            if j < len(currents) and currents[j] < hi:
                return None
        return dist

    def _decide(
        self,
        t: Hit,
        cues: list[Hit],
        blockers: list[int],
        currents: list[int],
        line_ids: list[int],
        inherited: set[str],
        header_cues: set[int],
    ) -> None:
        best: dict[str, tuple[int, Hit]] = {}
        from_header: dict[str, tuple[int, Hit]] = {}
        for cue in cues:
            if cue.tok_start < t.tok_end and t.tok_start < cue.tok_end:
                continue
            dist = self._governs(cue, t, blockers, currents, line_ids)
            if dist is None:
                continue
            pool = from_header if id(cue) in header_cues else best
            known = pool.get(cue.norm)
            # Nearest first. One phrase in two rules of a category ("had": history in general and
            # history of a treatment) is one cue twice: the rule written first in the lexicon stands
            # for it, never the order the matcher happened to return the two in.
            if (
                known is None
                or dist < known[0]
                or (
                    dist == known[0]
                    and (cue.tok_start, cue.tok_end) == (known[1].tok_start, known[1].tok_end)
                    and self._rank(cue) < self._rank(known[1])
                )
            ):
                pool[cue.norm] = (dist, cue)
        if from_header and not any(cat in best for cat in ASSERTION_CATEGORIES):
            best.update({k: v for k, v in from_header.items() if k not in best})
        else:
            best.update(
                {k: v for k, v in from_header.items() if k not in best and k not in ASSERTION_CATEGORIES}
            )
        default = self._default_of(t.section)
        t.assertion = default["assertion"]
        decided: Hit | None = None
        # A cue of the target's own sentence whose rule says so (``over_lead_in``) decides before
        # one inherited from a list's lead-in: "Assessment and plan:" then "Failed PT and NSAID."
        # recounts history, while "Plan:" then "Continue stretching" stays a plan.
        own = next((cat for cat in ASSERTION_CATEGORIES if cat in best), None)
        lead = next((cat for cat in ASSERTION_CATEGORIES if cat in inherited), None)
        if own is not None and (
            lead is None
            or best[own][1].attrs.get("over_lead_in")
            or ASSERTION_CATEGORIES.index(own) <= ASSERTION_CATEGORIES.index(lead)
        ):
            t.assertion = _ASSERTION_OF[own]
            decided = best[own][1]
        elif lead is not None:
            t.assertion = _ASSERTION_OF[lead]
        else:
            if "CURRENT" in best or "CURRENT" in inherited:
                t.assertion = "present"
                decided = best["CURRENT"][1] if "CURRENT" in best else None
        if t.label in _INJECTABLE:
            injection_ok = (
                default.get("injection_cue", True)
                or t.label in default.get("injection_cue_for", ())
                or "CURRENT" in best
                or "CURRENT" in inherited
            )
            by_cue = ("INJECTION" in best or "INJECTION" in inherited) and injection_ok
            # Image description ("with a curvilinear transducer the gluteus maximus and piriformis
            # were seen") names anatomy: there a muscle is injected only by an injection cue, never by
            # the procedure section's default.
            imaging = "IMAGING" in best
            t.injected = t.assertion == "present" and (by_cue or (default["injected"] and not imaging))
            if t.injected and not by_cue:
                # Injected by the section's default alone; the findings step weighs it lower.
                t.attrs = {**t.attrs, "by_default": True}
            elif t.injected and "INJECTION" not in best:
                # Injected only as an item under a list's lead-in ("PROCEDURE 2 - Right-sided trigger
                # point injections, ...:"); the findings step checks the lead names it in a guided note.
                t.attrs = {**t.attrs, "by_lead": True}
            if "LANDMARK" in best:  # a landmark muscle, or a skin wheal of anaesthetic
                t.injected = False
                decided = best["LANDMARK"][1]
            if decided is None:
                if "INJECTION" in best and by_cue:
                    decided = best["INJECTION"][1]
                elif imaging and not t.injected:
                    decided = best["IMAGING"][1]
                elif "EXAM" in best:
                    decided = best["EXAM"][1]
        t.cue = decided

    def _anaphora(
        self,
        targets: list[Hit],
        cues: dict[int, list[Hit]],
        anaphora_sents: set[int],
        above_sents: set[int],
        para_ids: list[int],
    ) -> None:
        reach = self.data["anaphora_reach"]
        amounts = self.amount_rules
        muscle_sents = {t.sent for t in targets if t.label in ("MUSCLE", "REGIONAL")}
        for s in anaphora_sents:
            if s in muscle_sents and s not in above_sents:
                continue
            inj = [c for c in cues.get(s, []) if c.norm == "INJECTION" and c.rule_id not in amounts]
            if not inj or any(c.norm in ASSERTION_CATEGORIES for c in cues.get(s, [])):
                continue
            para = para_ids[inj[0].tok_start]
            # "TPI to the 3 sites above": the muscles of the paragraphs before (the exam) are meant.
            above = s in above_sents
            lo = s - (self.data["anaphora_above_reach"] if above else reach)
            for t in targets:
                if (
                    t.label in ("MUSCLE", "REGIONAL")
                    and lo <= t.sent < s
                    and t.assertion == "present"
                    and (above or para_ids[t.tok_start] == para)
                    and _open_to_back_reference(t)
                    # "The R deltoid was tender ...; not injected" is no site of "the points above".
                    and not (above and any(c.norm == "NEGATED" for c in cues.get(t.sent, [])))
                    and not (t.cue is not None and t.cue.norm in _ANATOMY_CUES)
                    # In a section where injection words inject nothing (another procedure's),
                    # "0.5 mL injected at each of the 6 targets" does not either.
                    and self._default_of(t.section).get("injection_cue", True)
                ):
                    _refer_back(t, inj[0])

    @staticmethod
    def _colon_list(targets: list[Hit], tokens: list[str], blockers: dict[int, list[int]]) -> None:
        """Carry an injection along a list after a colon, past the reach of its cue.

        "... using a mixture of ... (1 mL): right levator scapulae 1.3 mL, left levator scapulae
        1.3 mL, left splenius capitis 1.4 mL": an item no cue decided is injected like the one before it.
        """
        muscles = sorted((t for t in targets if t.label in ("MUSCLE", "REGIONAL")), key=lambda t: t.tok_start)
        for a, b in zip(muscles, muscles[1:], strict=False):
            if not (a.injected and a.assertion == "present" and b.cue is None and not b.injected):
                continue
            if a.sent != b.sent or b.assertion != "present" or b.tok_start - a.tok_end > COLON_LIST_GAP:
                continue
            if any(a.tok_end <= x < b.tok_start for x in blockers.get(a.sent, [])):
                continue
            if not any(
                tok.endswith(":") for tok in tokens[max(0, a.tok_start - COLON_LIST_REACH) : a.tok_start]
            ):
                continue
            b.injected = True
            b.cue = a.cue
            b.attrs = {**b.attrs, "colon_list": True}

    def _clause_anaphora(
        self,
        targets: list[Hit],
        cues: dict[int, list[Hit]],
        anaphora_hits: list[Hit],
        blockers: dict[int, list[int]],
    ) -> None:
        """Resolve "both" / "each" in a later clause of the same sentence.

        "taut bands in L infraspinatus, L teres major; TPI performed to both": the muscles of an
        exam clause are the ones injected when a later clause of the same
        sentence, after a terminator (";", "but"), injects "both" / "each" / "these" with no
        assertion cue of its own.
        """
        for ana in anaphora_hits:
            # "placed into the levator belly just above its insertion": a position, not a back-reference.
            if ana.norm == "above":
                continue
            sent_cues = cues.get(ana.sent, [])
            inj = [
                c
                for c in sent_cues
                if c.norm == "INJECTION" and c.tok_end <= ana.tok_start and c.rule_id not in self.amount_rules
            ]
            if not inj:
                continue
            event = inj[-1]
            stops = [b for b in blockers.get(ana.sent, []) if b < event.tok_start]
            if not stops:
                continue
            stop = stops[-1]
            if any(
                c.norm in ASSERTION_CATEGORIES and stop <= c.tok_start < ana.tok_end and c is not event
                for c in sent_cues
            ):
                continue
            for t in targets:
                if (
                    t.label in ("MUSCLE", "REGIONAL")
                    and t.sent == ana.sent
                    and t.tok_end <= stop
                    and t.assertion == "present"
                    and _open_to_back_reference(t)
                    and not (t.cue is not None and t.cue.norm in _ANATOMY_CUES)
                ):
                    _refer_back(t, event)


@Language.factory(
    "tpi_context",
    assigns=["doc._.tpi_hits", "doc._.tpi_sents", "doc._.tpi_lines", "doc._.tpi_list_lead"],
    requires=["doc._.tpi_hits", "doc._.tpi_sections"],
    default_config={"lexicons_dir": ""},
)
def make_context(nlp: Language, name: str, lexicons_dir: str) -> ContextAssertion:
    """Build the assertion component."""
    register_extensions()
    return ContextAssertion(nlp, name, lexicons_dir)
