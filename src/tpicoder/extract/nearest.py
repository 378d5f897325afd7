"""Nearest-hit search within a sentence, shared by the attribute binders (pure, no spaCy).

Candidates are sorted by token start once; each query looks only at the window ``max_gap`` tokens
around its target (found with ``bisect``), so binding stays linear in the number of mentions even
for very long notes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from tpicoder.extract.extensions import Hit


class NearestIndex:
    """Candidate hits sorted by position, for repeated nearest-in-sentence queries."""

    def __init__(self, candidates: Sequence[Hit]) -> None:
        self.items = sorted(candidates, key=lambda h: h.tok_start)
        self.starts = [h.tok_start for h in self.items]
        self.longest = max((h.tok_end - h.tok_start for h in self.items), default=0)

    def nearest(
        self,
        target: Hit,
        sent_ids: Sequence[int],
        max_gap: int,
        cost: Callable[[Hit, int], float] | None = None,
    ) -> Hit | None:
        """Return the candidate of ``target``'s sentence with the smallest token gap (at most ``max_gap``).

        ``cost(candidate, gap)`` may adjust the ranking; ties keep the earlier candidate.
        """
        lo = bisect.bisect_left(self.starts, target.tok_start - max_gap - self.longest)
        hi = bisect.bisect_right(self.starts, target.tok_end + max_gap)
        sent = sent_ids[target.tok_start]
        best, best_d = None, None
        for c in self.items[lo:hi]:
            if sent_ids[c.tok_start] != sent:
                continue
            gap = (
                c.tok_start - target.tok_end
                if c.tok_start >= target.tok_end
                else target.tok_start - c.tok_end
            )
            if gap < 0 or gap > max_gap:
                continue
            d = cost(c, gap) if cost else gap
            if best_d is None or d < best_d:
                best, best_d = c, d
        return best
