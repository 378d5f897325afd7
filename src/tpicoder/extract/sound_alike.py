"""Drug names that speech recognition wrote as sound-alike words ("lie Dokaine", "toe Radol 30 mg").

Dictation software writes a drug it did not know as ordinary words that sound like it: "1% lie
Dokaine", "0.25 percent mark Kane", "lidocaine and can a log", "toe Radol 30 mg". Words that no name
matched, run together, are compared with the drug names by a rough sound key (first letter, then
consonants) and a rapidfuzz ratio, and read as the drug only beside an amount or a named drug on the
same line. Thresholds: ``settings.yaml`` ``substances.sound_alike_*``; words that never belong to a
drug name: ``substances.yaml`` ``sound_alike_not``. Pure Python over the token table; no spaCy.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from tpicoder.extract.extensions import Hit

# An amount beside a drug name ("1%", "3 mL", "30 mg", "one percent", "two milliliters", "one cc"); the
# spelled forms are read from the lower-cased text (faster than a case-blind word alternation).
_AMOUNT = re.compile(r"\d\s*(?:%|(?:mg|ml|cc|mcg|units?)\b)", re.IGNORECASE)
_AMOUNT_SPELLED = re.compile(
    r"\b(?:percent|milligrams?|milliliters?|millilitres?|units"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|half)\s+(?:cc|ml|mg))\b"
)
# Spoken numbers between a drug and its amount ("rope a vacaine zero point two percent") are part of
# the amount, not words that part them.
_SPOKEN_NUMBERS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
    "fifty hundred point half quarter".split()
)
_NUMBER_WORDS = _SPOKEN_NUMBERS | {"and", "a"}
# Tokens per word between a drug and its amount, spaces and punctuation included ("toe Radol, 30 mg").
_MAX_TOKENS_PER_WORD = 3


_SOUND_SPELLINGS = (("ph", "f"), ("gh", ""), ("ck", "k"), ("qu", "kw"), ("x", "ks"), ("z", "s"), ("y", "i"))
# Voiced and voiceless pairs a recogniser confuses ("lie to Cain" for lidocaine) share a key letter.
_VOICING = str.maketrans("dbgv", "tpkf")
_SOFT_C = re.compile(r"c(?=[eiy])")
_QUIET = re.compile(r"[aeiouh]")
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def sound_spelling(text: str) -> str:
    """Return ``text`` as letters, with spellings of one sound written one way ("lidokaine")."""
    word = "".join(ch for ch in text.lower() if "a" <= ch <= "z")
    if word.startswith("x"):  # "Xylocaine" is said "zylocaine"
        word = "z" + word[1:]
    for spelled, said in _SOUND_SPELLINGS:
        word = word.replace(spelled, said)
    return _SOFT_C.sub("s", word).replace("c", "k")


@lru_cache(maxsize=65536)
def sound_key(text: str) -> str:
    """Return a rough sound-alike key of ``text``: its first letter, then its consonants.

    Speech recognition writes drug names as words that sound like them ("lie Dokaine", "mark Kane",
    "can a log", "toe Radol"); run together, they keep the name's consonants. Spellings that sound
    alike are written one way first (c as k or s, ph as f, x as ks or z), then vowels and h after the
    first letter go, voiced letters become voiceless (d as t, b as p) and doubled letters merge:
    "lidocaine", "lie Dokaine" and "lie to Cain" are all ``ltkn``.
    """
    word = sound_spelling(text).translate(_VOICING)
    if not word:
        return ""
    return _DOUBLED.sub(r"\1", word[0] + _QUIET.sub("", word[1:]))


def sound_alike_index(names: dict[str, str], min_key: int) -> dict[str, tuple[str, list[str]]]:
    """Map sound keys of ``names`` (name -> id) to (id, its names with that key, letters only).

    Keys shared by two ids are left out.
    """
    found: dict[str, dict[str, list[str]]] = {}
    for name, id_ in names.items():
        key = sound_key(name)
        if len(key) >= min_key:
            letters = "".join(ch for ch in name.lower() if ch.isalpha())
            found.setdefault(key, {}).setdefault(id_, []).append(letters)
    return {key: next(iter(ids.items())) for key, ids in found.items() if len(ids) == 1}


def sounds_like(heard: str, names: list[str], min_score: float) -> float | None:
    """Return the best ``fuzz.ratio`` of ``heard`` to ``names`` (both in sound spelling), if high enough.

    The sound key alone is loose ("buttocks" has the key of "botox"); the words must also be spelled
    somewhat like the name.
    """
    heard = sound_spelling(heard)
    score = max(fuzz.ratio(heard, sound_spelling(name)) for name in names)
    return score if score >= min_score else None


def _amounts(text: str, lowered: str) -> list[re.Match[str]]:
    return [*_AMOUNT.finditer(text), *_AMOUNT_SPELLED.finditer(lowered)]


class SoundAlikeDrugs:
    """Finds drug names written as sound-alike words, from the substance name records."""

    def __init__(
        self,
        patterns: list[dict[str, Any]],
        settings: dict[str, int],
        not_words: list[str],
        entity_labels: frozenset[str],
    ) -> None:
        drugs = [rec for rec in patterns if rec["label"] == "SUBSTANCE" and rec["kind"] == "exact"]
        names = {p.lower(): rec["id"] for rec in drugs for p in rec["phrases"]}
        self.records = {rec["id"]: rec for rec in drugs}
        self.index = sound_alike_index(names, settings.get("sound_alike_min_key", 4)) if settings else {}
        self.max_words = settings.get("sound_alike_max_words", 1)
        self.gap = settings.get("sound_alike_gap", 0)
        self.min_score = settings.get("sound_alike_min_score", 100)
        self.min_score_one_word = settings.get("sound_alike_min_score_one_word", 100)
        self.not_words = frozenset(w.lower() for w in not_words)
        self.entity_labels = entity_labels
        # The shortest drug name, less what a misheard ending may drop.
        self.min_chars = min((len(n) for _, ns in self.index.values() for n in ns), default=0) - 2

    @property
    def active(self) -> bool:
        """Whether any drug name can be heard (the settings are present)."""
        return bool(self.index)

    def find(self, table: Any, text: str, lowered: str, found: list[Hit]) -> list[Hit]:
        """Return drug names that speech recognition wrote as sound-alike words.

        "1% lie Dokaine", "0.25 percent mark Kane", "toe Radol 30 mg", "lidocaine and can a log":
        one to ``sound_alike_max_words`` words that no name matched, run together, with the sound
        key of a drug name (:func:`tpicoder.extract.fuzzy.sound_key`), read as that drug when an
        amount or a named drug stands near them on the same line. An ordinary phrase with a drug's
        key ("park in") has no amount beside it.
        """
        idx, lower, alpha, spaces = table.idx, table.lower, table.is_alpha, table.whitespace
        n, gap, index = len(idx), self.gap, self.index
        # Amounts and drug names as token spans, in order.
        anchors = sorted(
            [
                (max(0, bisect.bisect_right(idx, m.start()) - 1), bisect.bisect_left(idx, m.end()))
                for m in _amounts(text, lowered)
            ]
            + [(h.tok_start, h.tok_end) for h in found if h.label == "SUBSTANCE"]
        )
        if not anchors:
            return []
        taken: set[int] = set()
        for h in found:
            if h.label in self.entity_labels:
                taken.update(range(h.tok_start, h.tok_end))
        stop = self.not_words
        # A drug's sound-alike words are never a stop word ("the radial" is no "Toradol") nor a
        # spoken number ("lie to Cain one percent").

        def free(t: int) -> bool:
            return alpha[t] and t not in taken and lower[t] not in stop and lower[t] not in _SPOKEN_NUMBERS

        # Where a window may start: up to ``gap`` words after an anchor, or close enough before one.
        near = bytearray(n)
        reach = gap + self.max_words
        for a_start, a_end in anchors:
            lo, hi = max(0, a_start - reach), min(n, a_end + reach)
            near[lo:hi] = b"\x01" * (hi - lo)
        heard: list[Hit] = []
        i = near.find(1)
        while 0 <= i < n:
            if not near[i]:
                i = near.find(1, i)
                continue
            if not free(i):
                i += 1
                continue
            # The widest run of free words joined by single spaces.
            last = i + 1
            while last < n and last - i < self.max_words and free(last) and spaces[last - 1] == " ":
                last += 1
            hit = None
            for j in range(last, i, -1):
                heard_as = "".join(lower[i:j])
                if len(heard_as) < self.min_chars:
                    break
                entry = index.get(sound_key(heard_as))
                if entry is None:
                    continue
                drug, names = entry
                score = sounds_like(heard_as, names, self.min_score if j - i > 1 else self.min_score_one_word)
                if score is None:
                    continue
                if not self._beside_anchor(i, j, anchors, table):
                    continue
                start, end = idx[i], idx[j - 1] + len(lower[j - 1])
                hit = Hit(
                    "SUBSTANCE",
                    start,
                    end,
                    i,
                    j,
                    norm=drug,
                    match="fuzzy",
                    score=round(score, 1),
                    alias=" ".join(text[start:end].lower().split()),
                    rule_id="substance_sound_alike",
                    attrs=self.records[drug],
                )
                break
            if hit is None:
                i += 1
                continue
            heard.append(hit)
            i = hit.tok_end
        return heard

    def _beside_anchor(self, i: int, j: int, anchors: list[tuple[int, int]], table: Any) -> bool:
        """Tell whether an amount or a drug name stands at most ``gap`` words from tokens i..j.

        Only words count toward the gap, and the line must not break in between ("1% lie Dokaine",
        "toe Radol 30 mg", "lidocaine and can a log").
        """
        gap = self.gap
        for a_start, a_end in anchors:
            if a_end <= i:
                between = range(a_end, i)
            elif a_start >= j:
                between = range(j, a_start)
            else:
                continue
            if len(between) > _MAX_TOKENS_PER_WORD * gap + 2:
                continue
            if any("\n" in table.text[t] or "\n" in table.whitespace[t] for t in between):
                continue
            if sum(1 for t in between if table.is_alpha[t] and table.lower[t] not in _NUMBER_WORDS) <= gap:
                return True
        return False
