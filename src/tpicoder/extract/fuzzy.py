"""Fuzzy candidate search for misspelled muscle names (rapidfuzz; pure functions, no spaCy).

Only words that exact matching left are scored. Candidates are blocked by first letter and length
so that each word is compared with a handful of aliases, and results are cached by the lower-cased
string, so a word seen in 10,000 notes is scored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process


@dataclass(frozen=True, slots=True)
class FuzzyHit:
    """Best alias for a string, with its score and the rejected runner-up (for traces)."""

    alias: str
    id: str
    score: float
    runner_up: tuple[str, float] | None = None


class FuzzyIndex:
    """Aliases blocked by (first letter, word count); scores with rapidfuzz ``ratio``."""

    def __init__(
        self,
        targets: list[dict],
        *,
        min_score: float,
        min_length: int,
        max_length_delta: int,
        ignore: frozenset[str] = frozenset(),
        join_min_score: float = 100.0,
    ) -> None:
        self.min_score = min_score
        self.join_min_score = join_min_score
        self.min_length = min_length
        self.max_length_delta = max_length_delta
        self.ignore = ignore
        self._ids = {t["alias"]: t["id"] for t in targets}
        # First three letters of the one-word aliases: words run together must start like one.
        self._starts = frozenset(t["alias"][:3] for t in targets if t["words"] == 1)
        self._blocks: dict[tuple[str, int], list[str]] = {}
        for t in targets:
            self._blocks.setdefault((t["alias"][0], t["words"]), []).append(t["alias"])
        self.lookup = lru_cache(maxsize=65536)(self._lookup)

    def _lookup(self, text: str) -> FuzzyHit | None:
        key = " ".join(text.lower().split())
        if len(key.replace(" ", "")) < self.min_length or key in self.ignore or key in self._ids:
            return None
        block = self._blocks.get((key[0], key.count(" ") + 1))
        if not block:
            return None
        choices = [a for a in block if abs(len(a) - len(key)) <= self.max_length_delta]
        if not choices:
            return None
        ranked = process.extract(key, choices, scorer=fuzz.ratio, limit=2, score_cutoff=self.min_score)
        if not ranked:
            return None
        best_alias, best_score, _ = ranked[0]
        runner = (ranked[1][0], ranked[1][1]) if len(ranked) > 1 else None
        return FuzzyHit(best_alias, self._ids[best_alias], float(best_score), runner)

    def has_block(self, first: str, words: int) -> bool:
        """Tell whether any alias of ``words`` words starts with the letter ``first``."""
        return (first, words) in self._blocks

    def may_join(self, lowered_pieces: list[str]) -> bool:
        """Cheap test before :meth:`lookup_joined`: the words run together start like an alias."""
        return "".join(lowered_pieces)[:3] in self._starts

    def lookup_joined(self, pieces: list[str]) -> FuzzyHit | None:
        """Best alias for words a dictation split ("trapeze ius"), written together, or None."""
        key = "".join(pieces).lower()
        if key[:3] not in self._starts or key in self.ignore:
            return None
        if key in self._ids:
            return FuzzyHit(key, self._ids[key], 100.0)
        hit = self.lookup(key)
        return hit if hit is not None and hit.score >= self.join_min_score else None
