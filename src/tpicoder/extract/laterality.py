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
import re
from collections.abc import Sequence

from tpicoder.extract.aliases import PREFIX_ONLY_SIDE_RULE
from tpicoder.extract.extensions import Hit
from tpicoder.extract.tables import lines_above
from tpicoder.extract.textio import is_dot_leader

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
        # abbreviated portions ("R ant. temporalis", "L post. scalene")
        "ant",
        "ant.",
        "post",
        "post.",
        "sup",
        "sup.",
        "inf",
        "inf.",
        "med",
        "med.",
        "lat.",
    }
)
SUFFIX_BRIDGE = BRIDGE | {","}
# What fills a checkbox cell besides its side word: dot leaders, colons, dashes, spaces.
_CELL_FILL = re.compile(r"[.:\-\u2013\u2014_]+")
# Tokens that may join the muscles of one list.
LIST_SEP = frozenset(
    {
        ",",
        "(",
        ")",
        "and",
        "et",  # Latin lists: "Mm. pronator teres et flexor carpi radialis"
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


# Tokens between a row's two sides ("right 1.5 mL, left 1.5 mL", "right 4 TrPs, left 2 TrPs",
# "R (2 sites) and L (1 site)"): an amount and its unit.
_ROW_AMOUNT = re.compile(
    r"(?i)^(?:\d+(?:\.\d+)?|ml|cc|mg|u|units?|sites?|tps?|trps?|points?|x\d|[,;/()&+]|and"
    r"|\d+(?:\.\d+)?(?:ml|cc|u))$"
)
_ROW_REACH = 6
_ROW_COUNT = re.compile(r"(?i)^(?:\d|x\d)")
_ROW_SEPARATORS = frozenset({",", "/", "&", "and", "+"})


def _row_other_side(
    sides: Sequence[Hit],
    si: int,
    tokens: Sequence[str],
    line_ids: Sequence[int],
    next_start: int,
    bound: set[int],
) -> int | None:
    """Index of the opposite side word that follows side ``si`` on its row, or None.

    After an amount ("suboccipitals - right 1.5 mL, left 1.5 mL", "L x2, R x2") or only a separator
    ("Temporalis: L, R"), unless that side is already the prefix of a muscle after it.
    """
    s = sides[si]
    if si + 1 >= len(sides) or s.norm not in ("left", "right") or si + 1 in bound:
        return None
    o = sides[si + 1]
    if (
        o.norm not in ("left", "right")
        or o.norm == s.norm
        or o.tok_start >= next_start
        or o.tok_start - s.tok_end > _ROW_REACH
        or line_ids[o.tok_start] != line_ids[s.tok_start]
    ):
        return None
    gap = [tokens[i].lower() for i in range(s.tok_end, o.tok_start) if tokens[i].strip()]
    if gap and all(t in _ROW_SEPARATORS for t in gap):
        return si + 1
    if not gap or not any(_ROW_COUNT.match(t) for t in gap) or not all(_ROW_AMOUNT.match(t) for t in gap):
        return None
    return si + 1


_MEASURE_VALUE = re.compile(r"\d+(?:\.\d+)?[+-]?(?:/5|°|deg)?$")
_MEASURE_UNITS = frozenset({"deg", "deg.", "degrees", "°", "/5", "cm", "kg", "lb", "lbs"})


def _measurement_label(tokens: Sequence[str], after: int) -> bool:
    """Tell whether a side ending at token ``after`` labels a measurement ("L 80 deg", "R 4+/5")."""
    k = after
    while k < len(tokens) and not tokens[k].strip():
        k += 1
    if k >= len(tokens) or not _MEASURE_VALUE.match(tokens[k]):
        return False
    value = tokens[k]
    if value.endswith(("/5", "°", "deg")):
        return True
    k += 1
    while k < len(tokens) and tokens[k] == " ":
        k += 1
    return k < len(tokens) and tokens[k].lower() in _MEASURE_UNITS


def _gap_ok(tokens: Sequence[str], lo: int, hi: int, allowed: frozenset[str], wrapped: bool = False) -> bool:
    """Tell whether tokens lo..hi are only spaces and ``allowed`` words.

    A line break counts as a space only in a ``wrapped`` line (one the sentence splitter joined).
    """
    return all(
        tokens[i].strip() == "" and (wrapped or "\n" not in tokens[i]) or tokens[i].lower() in allowed
        for i in range(lo, hi)
    )


def _line_label(tokens: Sequence[str], line_ids: Sequence[int], i: int) -> str:
    """Return the field label of token ``i``'s line ("side" for "Side: [x] Right"), or "".

    A dot leader stands for the colon in printed forms ("Laterality ........ Bilateral").
    """
    line = line_ids[i]
    j = i
    while j > 0 and line_ids[j - 1] == line:
        j -= 1
    words = [tokens[k].lower() for k in range(j, i) if tokens[k].strip()]
    if len(words) < 2:
        return ""
    return words[0] if words[1] == ":" or is_dot_leader(words[1]) else ""


def _side_headings(
    muscles: list[Hit], sides: list[Hit], tokens: Sequence[str], line_ids: Sequence[int], rule: dict
) -> None:
    """Give unsided muscles the side heading the lines above them ("RIGHT", "Left side:").

    A heading is a line holding only a side word (and a colon); it governs the lines below it up to
    a blank line or the next heading.
    """
    line_tokens: dict[int, list[int]] = {}
    for k, tok in enumerate(tokens):
        if tok.strip():
            line_tokens.setdefault(line_ids[k], []).append(k)
    headings: dict[int, str] = {}
    for s in sides:
        if s.norm not in ("left", "right", "bilateral"):
            continue
        ks = line_tokens.get(line_ids[s.tok_start], [])
        rest = [k for k in ks if not s.tok_start <= k < s.tok_end and tokens[k] not in (":", "-")]
        if not rest:
            headings[line_ids[s.tok_start]] = s.norm
    if not headings:
        return
    blank_before: set[int] = set()  # lines that follow a blank line
    for k, tok in enumerate(tokens):
        if not tok.strip() and tok.count("\n") >= 2 and k + 1 < len(line_ids):
            blank_before.add(line_ids[k + 1])
    for mi, m in enumerate(muscles):
        if m.side is not None:
            continue
        line = line_ids[m.tok_start]
        if line in headings:
            continue
        for above in range(line - 1, max(-1, line - 40), -1):
            if above in headings:
                m.side = headings[above]
                rule[mi] = "side_heading"
                break
            if above + 1 in blank_before:
                break


def _previous_word(tokens: Sequence[str], i: int) -> str:
    i -= 1
    while i >= 0 and not tokens[i].strip():
        i -= 1
    return tokens[i].lower() if i >= 0 else ""


_MOTION_FILLERS = frozenset({"to", "the", "toward", "towards", "his", "her", "their", "slightly"})


def _before_position(tokens: Sequence[str], end: int, position_words: tuple[str, ...]) -> bool:
    """Tell whether a position phrase follows the side word ending at ``end`` ("right side-lying")."""
    if not position_words:
        return False
    words = []
    i = end
    while i < len(tokens) and len(words) < 3:
        if tokens[i].strip():
            words.append(tokens[i].lower())
        elif "\n" in tokens[i]:
            break
        i += 1
    following = " ".join(words)
    return any(following == p or following.startswith(p + " ") for p in position_words)


def _after_motion(tokens: Sequence[str], start: int, motion_words: frozenset[str]) -> bool:
    """Tell whether a motion word stands before ``start``, past "to the" ("head turned to the left")."""
    i, seen = start - 1, 0
    while i >= 0 and seen < 4:
        word = tokens[i].lower()
        if word.strip():
            if word in motion_words:
                return True
            if word not in _MOTION_FILLERS:
                return False
            seen += 1
        i -= 1
    return False


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
    motion_words: frozenset[str] = frozenset(),
    position_words: tuple[str, ...] = (),
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
        motion_words: words after which any side word is a direction ("head turned right").
        position_words: phrases before which a side word is the patient's position ("right side-lying").
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
    # 1. prefixes: the first muscle after each side word. A prefix-only word ("both") is a side
    #    only right before a muscle ("both lumbar paraspinal columns"), never of a muscle before it
    #    or of its sentence ("both target muscles lie over the ribs").
    for si, s in enumerate(sides):
        prefix_only = s.rule_id == PREFIX_ONLY_SIDE_RULE
        if prefix_only:
            bound.add(si)
        before = _previous_word(tokens, s.tok_start)
        if (
            (tokens[s.tok_end - 1].endswith(".") and before in direction_words)
            or _after_motion(tokens, s.tok_start, motion_words)
            or _before_position(tokens, s.tok_end, position_words)
        ):
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
                # "... to the left trapezius, right\ntrapezius and right SCM": a hard-wrapped line
                # (one line id) keeps its side with the muscle on the next.
                and _gap_ok(
                    tokens, s.tok_end, m.tok_start, frozenset() if prefix_only else BRIDGE, wrapped=True
                )
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
                # "suboccipitals - right 1.5 mL, left 1.5 mL": the row goes on to the other side.
                other = _row_other_side(sides, si, tokens, line_ids, next_start, bound)
                if other is not None:
                    m.side = "bilateral"
                    bound.add(other)
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
    # 4a. a side written alone on its line heads the list under it ("RIGHT" / "  - piriformis").
    _side_headings(muscles, sides, tokens, line_ids, rule)
    # 4. one free side in the sentence, or in its list lead.
    # A negated side ("[ ] Left") is never a free side, nor a side labelling a measurement ("ER
    # limited to 40 deg (L 80 deg)", "hip abd 4/5, L 5/5").
    free = [
        s
        for si, s in enumerate(sides)
        if si not in bound and s.assertion != "negated" and not _measurement_label(tokens, s.tok_end)
    ]
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
    # 5. the side every other mention of the same muscle carries ("tender bands in the right
    #    trapezius ... 2 cc into the trapezius" in run-on dictation); it is nearer evidence than a
    #    side written once somewhere in the section.
    known: dict[str | None, set[str]] = {}
    for m in muscles:
        if m.side is not None:
            known.setdefault(m.norm, set()).add(m.side)
    for mi, m in enumerate(muscles):
        if m.side is None and m.injected and len(known.get(m.norm, ())) == 1:
            m.side = next(iter(known[m.norm]))
            rule[mi] = "same_muscle"
    # 6. a side written once in the section, or in a side field of the note.
    free_starts = [s.tok_start for s in free]  # free and muscles are in text order
    for lo, hi in sections:
        in_section = free[bisect.bisect_left(free_starts, lo) : bisect.bisect_left(free_starts, hi)]
        vals = {s.norm for s in in_section}
        if len(vals) != 1:
            continue
        for mi in range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)):
            m = muscles[mi]
            if m.side is None and m.injected:
                m.side = next(iter(vals))
                rule[mi] = "section"
    field_vals = {s.norm for s in free if _line_label(tokens, line_ids, s.tok_start) in side_fields}
    if len(field_vals) == 1:
        for mi, m in enumerate(muscles):
            if m.side is None and m.injected:
                m.side = next(iter(field_vals))
                rule[mi] = "side_field"
    for mi, how in rule.items():
        muscles[mi].attrs = {**muscles[mi].attrs, "side_rule": how}


def resolve_same_side(sides: list[Hit], *, dominance: float) -> None:
    """Turn "ipsilateral" side hits into the side the note's other side words mostly name.

    A side wins when it is named at least ``dominance`` times as often as the other; otherwise the
    "ipsilateral" hit is left unresolved (``norm`` None) and gives no side.
    """
    same = [s for s in sides if s.norm == "same_side"]
    if not same:
        return
    counts = {"left": 0, "right": 0}
    for s in sides:
        if s.norm in counts and s.assertion != "negated":
            counts[s.norm] += 1
    left, right = counts["left"], counts["right"]
    winner = (
        "left"
        if left and left >= dominance * right
        else "right"
        if right and right >= dominance * left
        else None
    )
    for s in same:
        s.norm = winner


def grid_sides(
    text: str,
    muscles: list[Hit],
    *,
    checked: re.Pattern[str],
    unchecked: re.Pattern[str],
    side_words: dict[str, str],
    injection_words: frozenset[str] = frozenset(),
    empty_values: frozenset[str] = frozenset(),
) -> None:
    """Read checkbox grids: a header line of side words over rows "Muscle  [x]  [ ]".

    The k-th box of a row is the k-th side word of the nearest header line above it (same block,
    as many side words as boxes). A row with a checked box gets that side (two checked: both sides,
    as "bilateral"); a row whose boxes are all empty is not injected; a checked row under a header
    naming an injection ("Muscles injected  L  R") is injected.
    """
    if not muscles:
        return
    # Built once per note: any box, and a box preceded by its side word ("L [X]").
    any_box = re.compile(f"{checked.pattern}|{unchecked.pattern}")
    labelled_box = re.compile(rf"(?i)\b([a-z/]{{1,9}})\s*[:.]?\s*({checked.pattern}|{unchecked.pattern})")
    # ... or followed by it ("[x] L  [x] R"), the word a label of its own, not the start of the
    # next row item ("[x] Left gluteus medius    [x] Right gluteus medius").
    box_labelled = re.compile(
        rf"(?i)({checked.pattern}|{unchecked.pattern})\s*([a-z/]{{1,9}})\b(?=\s*$|\s*[\[(|,;]|\s{{2,}})"
    )
    words = {w.lower(): side for w, side in side_words.items()}
    own_box = re.compile(rf"(?:{checked.pattern}|{unchecked.pattern})[ \t]*$")
    for m in muscles:
        amount_grid = False
        line_end = text.find("\n", m.end)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[m.end : line_end]
        # "[X] Trapezius ...... R      [ ] Levator ...... L": a box before the name opens a cell of
        # its own, which ends at the next box; a lone side word in it is the cell's side. Boxes
        # labelled with sides ("[X] Trapezius ..... L [X]  R [X]") are the row's own, read below.
        own = own_box.search(text, text.rfind("\n", 0, m.start) + 1, m.start)
        if own is not None:
            nxt = any_box.search(rest)
            cell = _CELL_FILL.sub(" ", rest[: nxt.start()] if nxt else rest).split()
            after = _CELL_FILL.sub(" ", rest[nxt.end() :]).split() if nxt else []
            labels_boxes = bool(after) and after[0].lower() in words
            if len(cell) == 1 and cell[0].lower() in words and not labels_boxes:
                is_checked = checked.search(own.group(0)) is not None
                _mark_row(m, {words[cell[0].lower()]} if is_checked else set(), "grid_cell")
                continue
            # Two checklists side by side under a " Left        Right" header: the box's column says
            # the side ("[x] Trapezius         [ ] Trapezius").
            column = _column_side(text, own.start(), words)
            if column is not None:
                is_checked = checked.search(own.group(0)) is not None
                _mark_row(m, {column} if is_checked else set(), "grid_column")
                continue
        # "Paraspinals ......... [ ] cerv  [ ] thor  [ ] lumb": a row of boxes none of which is ticked,
        # whatever their labels, was not injected.
        if own is None and len(any_box.findall(rest)) >= 2 and not checked.search(rest):
            _mark_row(m, set(), "grid")
            continue
        # "[X] Trapezius ...... L [X]  R [X]": each box labelled with its side on the row itself.
        labelled = _labelled_boxes(rest, labelled_box, checked, any_box, words)
        if labelled is None:
            labelled = _labelled_boxes(rest, box_labelled, checked, any_box, words, word_first=False)
        if labelled is not None:
            _mark_row(m, {side for side, is_checked in labelled if is_checked}, "grid_row")
            continue
        # One box at the row's end under an "Injected" column ("Upper trapezius  R  Y  Y  ...  [ ]"):
        # checked, the muscle was injected; empty, it was not.
        injected_box = _injected_column_box(text, m.start, rest, checked, any_box, injection_words)
        if injected_box is not None:
            if not injected_box:
                _mark_row(m, set(), "grid")
            elif m.assertion == "present":
                m.injected = True
            continue
        # "[X] Trapezius (upper)   [X]   [X]": a qualifier after the name is no cell.
        rest = _QUALIFIER.sub(lambda q: " " * len(q.group(0)), rest, count=1)
        boxes = sorted(
            [(x.start(), True) for x in checked.finditer(rest)]
            + [(x.start(), False) for x in unchecked.finditer(rest)]
        )
        # Side boxes followed by plain cells ("[ ]  [X]   Y   3"): an "Injected" Y/N, an amount.
        tail = [c for c in _CELL_SPLIT.split(any_box.sub("  ", rest).strip(" \t|:-")) if c]
        said_no = False
        if len(boxes) >= 2 and tail and all(_PLAIN_CELL.fullmatch(c) for c in tail):
            said_no = any(c.lower() in ("n", "no") for c in tail)
            tail = []
        elif len(boxes) >= 2 and tail:
            # "Upper trapezius   [x] [ ] 0.25x40mm   pincer grip": the side boxes open the row; the
            # cells after them (needle, technique) are not sides.
            lead = _leading_boxes(rest, any_box, checked)
            if len(lead) >= 2:
                boxes, tail = lead, []
        if len(boxes) < 2 or tail:
            # Amount grid: "Frontalis   5 U   5 U" under "Site   R   L".
            # ... or a mark grid: "Lumbar paraspinals   X   X" under "Muscle   L   R".
            cells = [c.strip() for c in _CELL_SPLIT.split(rest.strip())]
            # A pipe row's outer bars open and close no cells ("| SCM | -- | -- |").
            if len(cells) > 2 and rest.strip().startswith("|") and not cells[0]:
                cells = cells[1:-1] if not cells[-1] else cells[1:]
            # Every cell must be an amount, a mark or an explicit "none" marker; a row of "none" markers
            # only ("| SCM | -- | -- |" under "| Muscle | L (units) | R (units) |") was not injected.
            lead = 0
            while lead < len(cells) and _side_cell(cells[lead], empty_values):
                lead += 1
            # "Rhomboid major   20   0   L not indicated": a remark after the side cells, words only.
            if lead >= 2 and all(_REMARK_CELL.fullmatch(c) for c in cells[lead:]):
                cells = cells[:lead]
            if len(cells) < 2 or lead < len(cells):
                continue
            if not any(cells):
                continue
            boxes = [(k, c.lower() not in empty_values) for k, c in enumerate(cells)]
            amount_grid = True
        found = _grid_header(text, m.start, len(boxes), side_words)
        if found is None:
            continue
        header, header_words = found
        # An amount grid's header is the side columns and at most a short label ("Site   R   L").
        if amount_grid and len(header_words - set(side_words)) > _AMOUNT_HEADER_LABEL_WORDS:
            continue
        marked = set() if said_no else {header[k] for k, (_, is_checked) in enumerate(boxes) if is_checked}
        _mark_row(m, marked, "grid")
        if marked and m.assertion == "present" and injection_words & header_words:
            m.injected = True


def _side_cell(cell: str, empty_values: frozenset[str]) -> bool:
    """Whether a grid cell marks its side column: an amount, a mark or an explicit "none" marker."""
    return bool(_AMOUNT.search(cell) or _MARK_CELL.fullmatch(cell) or cell.lower() in empty_values)


def _injected_column_box(
    text: str,
    pos: int,
    rest: str,
    checked: re.Pattern[str],
    any_box: re.Pattern[str],
    injection_words: frozenset[str],
) -> bool | None:
    """Read a row's one box under a header whose last column names the injection, or None."""
    boxes = list(any_box.finditer(rest))
    if len(boxes) != 1 or not injection_words:
        return None
    # The box ends the row (a comment in parentheses may follow); a box before a name is a list item.
    if not _ROW_END.fullmatch(rest[boxes[0].end() :]):
        return None
    for line in lines_above(text, pos, _GRID_HEADER_REACH):
        words = re.findall(r"[A-Za-z]+", line.lower())
        if (
            words
            and words[-1] in injection_words
            and not any_box.search(line)
            and len(_CELL_SPLIT.split(line.strip())) >= _MIN_HEADER_COLUMNS
        ):
            return checked.fullmatch(boxes[0].group(0)) is not None
        if any_box.search(line) is None and words:
            return None
    return None


def _leading_boxes(rest: str, any_box: re.Pattern[str], checked: re.Pattern[str]) -> list[tuple[int, bool]]:
    """Return the boxes that open a row's text, only spaces between them, as (offset, ticked)."""
    out = []
    pos = 0
    # In a pipe table each box is a cell of its own ("| [x] | [x] | 2 / 2 |"): one bar between boxes;
    # boxes sharing a cell ("| [X]  [X]   [X]  2   |") are another kind of grid.
    piped = "|" in rest
    for box in any_box.finditer(rest):
        gap = rest[pos : box.start()].strip(" \t")
        # Before the first box of a pipe row its opening bar may stand or not.
        apart = gap == "|" or (not out and not gap) if piped else not gap
        if not apart:
            break
        out.append((box.start(), checked.fullmatch(box.group(0)) is not None))
        pos = box.end()
    return out


# How far (characters) a box may stand from its column's side word.
COLUMN_SLACK = 6


def _column_side(text: str, box: int, words: dict[str, str]) -> str | None:
    """Return the side of the column a box stands in, from a header line of side words above it.

    The header is the nearest line above, in the same block (no blank line between), made only of
    side words naming two sides; the box takes the side word starting within :data:`COLUMN_SLACK`
    characters of its own column.
    """
    col = box - (text.rfind("\n", 0, box) + 1)
    for line in lines_above(text, box, _GRID_HEADER_REACH):
        cells = [(w.start(), w.group(0).lower()) for w in re.finditer(r"\S+", line)]
        if len(cells) >= 2 and all(c in words for _, c in cells):
            if len({words[c] for _, c in cells}) < 2:
                return None
            near = [(abs(k - col), words[c]) for k, c in cells if abs(k - col) <= COLUMN_SLACK]
            return min(near)[1] if near else None
    return None


def _mark_row(m: Hit, marked: set[str], how: str) -> None:
    """Give a grid row's muscle the sides its checked boxes name; with none checked it was not injected."""
    if not marked:
        m.injected = False
        m.assertion = "negated"
        m.attrs = {**m.attrs, "side_rule": "grid_empty"}
        return
    m.side = "bilateral" if {"left", "right"} <= marked or "bilateral" in marked else next(iter(marked))
    m.attrs = {**m.attrs, "side_rule": how}


def _labelled_boxes(
    rest: str,
    labelled_box: re.Pattern[str],
    checked: re.Pattern[str],
    any_box: re.Pattern[str],
    words: dict[str, str],
    *,
    word_first: bool = True,
) -> list[tuple[str, bool]] | None:
    """Boxes each labelled with a side word on the row, or None when the row has none.

    The word stands before its box ("L [X]  R [ ]"), or with ``word_first=False`` after it ("[x] L  [ ] R").
    """
    found = []
    word, box = (1, 2) if word_first else (2, 1)
    for mm in labelled_box.finditer(rest):
        side = words.get(mm.group(word).lower())
        if side is None:
            return None
        found.append((side, checked.fullmatch(mm.group(box)) is not None))
    return found if found and len(found) == len(any_box.findall(rest)) else None


_GRID_HEADER_REACH = 12  # lines above a row searched for its header
_QUALIFIER = re.compile(r"^\s*\([^()\n]{1,24}\)")
_CELL_SPLIT = re.compile(r"\s{2,}|\t+|\s*\|\s*")
_AMOUNT = re.compile(r"\d")
# A remark cell after a row's side cells ("exam only", "L not indicated"): words, no number.
_REMARK_CELL = re.compile(r"[^\d\n]*[A-Za-z]{2}[^\d\n]*")
# A cell that marks its column without a box ("X", a tick).
_MARK_CELL = re.compile(r"[xX\u2713\u2714]")
# A cell beside a row's side boxes: Y/N for "injected", a dash, or an amount ("2 + 2", "3 mL").
_PLAIN_CELL = re.compile(
    r"(?i)y|n|yes|no|-+|\u2014|\d+(?:\.\d+)?(?:\s*\+\s*\d+(?:\.\d+)?)*\s*(?:ml|cc|u|units)?"
)
_AMOUNT_HEADER_LABEL_WORDS = 2
_ROW_END = re.compile(r"\s*(?:\([^()\n]*\)\s*)?")
_MIN_HEADER_COLUMNS = 3


def _grid_header(
    text: str, pos: int, n_boxes: int, side_words: dict[str, str]
) -> tuple[list[str], set[str]] | None:
    for line in lines_above(text, pos, _GRID_HEADER_REACH):
        tokens = re.findall(r"[A-Za-z/]+", line.lower())
        words = [side_words[w] for w in tokens if w in side_words]
        if len(words) == n_boxes:
            return words, set(tokens)
    return None
