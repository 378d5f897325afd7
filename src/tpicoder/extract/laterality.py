"""Side assignment for muscle hits (pure functions over hit records and token texts).

Order of evidence, strongest first:
1. a side word just before the muscle ("left upper trapezius", "L-trap", "| L | trapezius");
2. a side word just after it on the same line ("trapezius, left", "trapezius (R)", "| Trapezius | L |");
3. the side of its neighbour in a coordinated list ("left trapezius, levator scapulae and rhomboid
   major"; "trapezius and levator on the right");
4. a side stated once in the sentence, the list's lead line, the section or a "Side:" field and
   bound to no muscle ("Left-sided TPI to trapezius and levator", "Left:" over a list);
5. the one side that the note's other mentions of the same muscle carry.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from tpicoder.extract.extensions import Hit

# Tokens that may stand between a side word and its muscle.
BRIDGE = frozenset(
    {
        "the",
        "|",
        ":",
        "-",
        "(",
        ")",
        "upper",
        "middle",
        "mid",
        "lower",
        "of",
        "fibers",
        "portion",
        "\t",
        "side",
        "sided",
        "aspect",
        "on",
        "in",
        "muscle",
        "belly",
        "superior",
        "inferior",
        "deep",
        "superficial",
        "anterior",
        "posterior",
        "medial",
        "lateral",
        "=",
        "–",
        "—",
        "at",
        "into",
    }
)
SUFFIX_BRIDGE = BRIDGE | {","}
# Tokens that may join the muscles of one list.
LIST_SEP = frozenset(
    {
        ",",
        "and",
        "&",
        "/",
        "+",
        "plus",
        "the",
        "as",
        "well",
        "with",
        "also",
        "then",
        "or",
        "including",
        "both",
        "muscles",
        "muscle",
        "-",
        "–",
        "—",
    }
)


def _gap_ok(tokens: Sequence[str], lo: int, hi: int, allowed: frozenset[str]) -> bool:
    return all(
        tokens[i].strip() == "" and "\n" not in tokens[i] or tokens[i].lower() in allowed
        for i in range(lo, hi)
    )


def _line_label(tokens: Sequence[str], line_ids: Sequence[int], i: int) -> str:
    """The field label of token ``i``'s line ("side" for "Side: [x] Right"), or ""."""
    line = line_ids[i]
    j = i
    while j > 0 and line_ids[j - 1] == line:
        j -= 1
    words = [tokens[k].lower() for k in range(j, i) if tokens[k].strip()]
    return words[0] if len(words) >= 2 and words[1] == ":" else ""


def _previous_word(tokens: Sequence[str], i: int) -> str:
    i -= 1
    while i >= 0 and not tokens[i].strip():
        i -= 1
    return tokens[i].lower() if i >= 0 else ""


def assign_sides(
    muscles: list[Hit],
    sides: list[Hit],
    tokens: Sequence[str],
    sent_ids: Sequence[int],
    line_ids: Sequence[int],
    sections: Sequence[tuple[int, int]],
    *,
    max_prefix_gap: int,
    max_suffix_gap: int,
    direction_words: frozenset[str] = frozenset(),
    list_lead: dict[int, int] | None = None,
    side_fields: frozenset[str] = frozenset(),
) -> None:
    """Set ``hit.side`` (left/right/bilateral) on muscle hits and record how in ``hit.attrs['side_rule']``.

    Args:
        muscles: MUSCLE/REGIONAL hits sorted by position (their ``attrs`` are copied before writing).
        sides: SIDE hits sorted by position.
        tokens: token texts of the doc.
        sent_ids: sentence id per token.
        line_ids: line id per token.
        sections: (tok_start, tok_end) of each section, for side-stated-once-per-section.
        max_prefix_gap: tokens allowed between a side and the muscle after it.
        max_suffix_gap: tokens allowed between a muscle and the side after it.
        direction_words: words after which an abbreviated side with a period ("to the R.") ends a
            direction phrase, so it is no prefix of the next muscle.
        list_lead: sentence id -> the sentence ending in ":" that introduced its list ("Left:",
            "RIGHT-SIDED TRIGGER POINT INJECTIONS:"); a side stated there applies to the list.
        side_fields: field labels whose line states the side of the whole note ("Side: [x] Right").
    """
    if not muscles:
        return
    starts = [m.tok_start for m in muscles]
    side_starts = [s.tok_start for s in sides]
    bound: set[int] = set()
    rule: dict[int, str] = {}
    # 1. prefixes: the first muscle after each side word
    for si, s in enumerate(sides):
        if tokens[s.tok_end - 1].endswith(".") and _previous_word(tokens, s.tok_start) in direction_words:
            bound.add(si)  # a direction, not a side of any muscle: not free for the sentence either
            continue
        for mi in range(bisect.bisect_left(starts, s.tok_end), len(muscles)):
            m = muscles[mi]
            gap = m.tok_start - s.tok_end
            if gap > max_prefix_gap:
                break
            if (
                sent_ids[s.tok_start] == sent_ids[m.tok_start]
                and line_ids[s.tok_start] == line_ids[m.tok_start]
                and _gap_ok(tokens, s.tok_end, m.tok_start, BRIDGE)
                and m.side is None
            ):
                m.side = s.norm
                rule[mi] = "prefix"
                bound.add(si)
            break
    # 2. suffixes
    for mi, m in enumerate(muscles):
        if m.side is not None:
            continue
        next_start = starts[mi + 1] if mi + 1 < len(muscles) else 10**9
        for si in range(bisect.bisect_left(side_starts, m.tok_end), len(sides)):
            s = sides[si]
            if si in bound:
                continue
            if s.tok_start - m.tok_end > max_suffix_gap or s.tok_start >= next_start:
                break
            if (
                sent_ids[s.tok_start] == sent_ids[m.tok_start]
                and line_ids[s.tok_start] == line_ids[m.tok_start]
                and _gap_ok(tokens, m.tok_end, s.tok_start, SUFFIX_BRIDGE)
            ):
                m.side = s.norm
                rule[mi] = "suffix"
                bound.add(si)
            break
    # 3. lists: forward, then backward from a suffix side
    for mi in range(1, len(muscles)):
        m, prev = muscles[mi], muscles[mi - 1]
        if (
            m.side is None
            and prev.side is not None
            and sent_ids[prev.tok_start] == sent_ids[m.tok_start]
            and _gap_ok(tokens, prev.tok_end, m.tok_start, LIST_SEP)
        ):
            m.side = prev.side
            rule[mi] = "list"
    for mi in range(len(muscles) - 2, -1, -1):
        m, nxt = muscles[mi], muscles[mi + 1]
        if (
            m.side is None
            and nxt.side is not None
            and rule.get(mi + 1) in ("suffix", "list_back")
            and sent_ids[nxt.tok_start] == sent_ids[m.tok_start]
            and _gap_ok(tokens, m.tok_end, nxt.tok_start, LIST_SEP)
        ):
            m.side = nxt.side
            rule[mi] = "list_back"
    # 4. one free side in the sentence, its list lead, the section, or a side field of the note.
    # A negated side ("[ ] Left") is never a free side.
    free = [s for si, s in enumerate(sides) if si not in bound and s.assertion != "negated"]
    by_sent: dict[int, set[str]] = {}
    for s in free:
        by_sent.setdefault(sent_ids[s.tok_start], set()).add(s.norm)
    for mi, m in enumerate(muscles):
        if m.side is None:
            vals = by_sent.get(sent_ids[m.tok_start])
            if vals and len(vals) == 1:
                m.side = next(iter(vals))
                rule[mi] = "sentence"
    for mi, m in enumerate(muscles):
        lead = (list_lead or {}).get(sent_ids[m.tok_start])
        if m.side is None and lead is not None:
            vals = by_sent.get(lead)
            if vals and len(vals) == 1:
                m.side = next(iter(vals))
                rule[mi] = "list_lead"
    for lo, hi in sections:
        vals = {s.norm for s in free if lo <= s.tok_start < hi}
        if len(vals) != 1:
            continue
        for mi, m in enumerate(muscles):
            if m.side is None and m.injected and lo <= m.tok_start < hi:
                m.side = next(iter(vals))
                rule[mi] = "section"
    field_vals = {s.norm for s in free if _line_label(tokens, line_ids, s.tok_start) in side_fields}
    if len(field_vals) == 1:
        for mi, m in enumerate(muscles):
            if m.side is None and m.injected:
                m.side = next(iter(field_vals))
                rule[mi] = "side_field"
    # 5. the side every other mention of the same muscle carries ("tender bands in the right
    #    trapezius ... 2 cc into the trapezius" in run-on dictation).
    known: dict[str | None, set[str]] = {}
    for m in muscles:
        if m.side is not None:
            known.setdefault(m.norm, set()).add(m.side)
    for mi, m in enumerate(muscles):
        if m.side is None and m.injected and len(known.get(m.norm, ())) == 1:
            m.side = next(iter(known[m.norm]))
            rule[mi] = "same_muscle"
    for mi, how in rule.items():
        muscles[mi].attrs = {**muscles[mi].attrs, "side_rule": how}
