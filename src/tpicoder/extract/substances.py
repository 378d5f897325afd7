"""Concentration, dose and volume of injectates (pure functions over hit records)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tpicoder.extract.extensions import Hit
from tpicoder.extract.nearest import NearestIndex

UNIT_NORMAL = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "unit": "units",
    "units": "units",
    "u": "units",
    "iu": "units",
    "ml": "mL",
    "cc": "mL",
    "cm3": "mL",
    "milliliter": "mL",
    "milliliters": "mL",
    "mls": "mL",
}
# Number words as dictated (patterns.yaml ``spoken_number`` says which phrases are numbers).
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEEN_WORDS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
NUMBER_WORDS = {
    **{w: k for k, w in enumerate(_DIGIT_WORDS)},
    "oh": 0,
    **{w: 10 + k for k, w in enumerate(_TEEN_WORDS)},
    **{w: 20 + 10 * k for k, w in enumerate(_TENS_WORDS)},
}
# Words after a quantity that make it per site ("1 mL each", "0.5 cc per trigger point").
PER_SITE = frozenset({"each", "per"})


def parse_number(text: str) -> float | None:
    """Parse a decimal number or a number as dictated ("twenty five", "zero point two five")."""
    text = text.strip().strip("_").lower()
    try:
        return float(text)
    except ValueError:
        return spoken_number(text)


def spoken_number(text: str) -> float | None:
    """Read a dictated number, or return None if ``text`` is not one.

    "four", "twenty-five", "one hundred", "a hundred and twenty", "one and a half", "half",
    "point five", "zero point two five".
    """
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    if words == ["half"]:
        return 0.5
    fraction = 0.0
    if words[-3:] == ["and", "a", "half"]:
        words, fraction = words[:-3], 0.5
    decimals: list[str] = []
    if "point" in words:
        k = words.index("point")
        words, decimals = words[:k], words[k + 1 :]
        if not decimals or any(w not in ("oh", *_DIGIT_WORDS) for w in decimals):
            return None
    whole = 0
    for w in words:
        if w == "and":
            continue
        if w == "hundred":
            whole = (whole or 1) * 100
        elif w == "a":
            whole += 1 if not whole else 0
        elif w in NUMBER_WORDS:
            whole += NUMBER_WORDS[w]
        else:
            return None
    if not words and not decimals:
        return None
    digits = "".join(str(NUMBER_WORDS[w]) for w in decimals)
    return whole + fraction + (float("0." + digits) if digits else 0.0)


# Words that make a stated amount the total of the injection ("Total 2.1 mL", "2.5 mL total").
TOTAL_WORDS = frozenset({"total", "totaling", "totalling", "altogether", "overall"})
# Tokens through which an amount binds forward to the injectate after it ("2 mL of lidocaine").
# "1 mL (40 mg) methylprednisolone": a bracketed dose bridges too.
FORWARD_BRIDGE = frozenset({"of", "(", ")", "the", "mg", "mcg", "units", "ml", "cc"})
# Extra cost of binding an amount to an injectate that follows it other than through FORWARD_BRIDGE.
FORWARD_COST = 2.0
# Weight of the token gap of an amount bridged to the injectate after it, with and without "of": a
# bridged amount belongs to what follows it more than to an injectate the same distance before.
BRIDGED_WEIGHT = 0.5
OF_WEIGHT = 0.25
# A strength between an amount and its drug ("1 mL 0.5% bupivacaine") bridges like "of".
_STRENGTH = re.compile(r"(?i)\d*\.?\d+\s*(?:%|mg/ml|mg/cc)?|%|mg/ml|mg/cc")
# Words that start the next item of a mixture ("lidocaine + 1 mL bupivacaine").
JOINERS = frozenset({"+", "plus", "&", "and"})
# Extra cost of a concentration written after its injectate ("lidocaine 1%") over before ("1% lidocaine").
CONCENTRATION_AFTER_COST = 0.5
TOTAL_REACH = 5
# A stated total at most this many words after an injectate's name is that injectate's alone.
TOTAL_OWNER_GAP = 1


def _words_between(tokens: Sequence[str], start: int, end: int) -> int:
    """Count the word tokens from ``start`` to ``end`` (a large number when ``end`` comes first)."""
    if end < start:
        return 1 << 30
    return sum(1 for k in range(start, end) if tokens[k].strip())


def _is_total(q: Hit, tokens: Sequence[str], sent_ids: Sequence[int]) -> bool:
    lo = max(0, q.tok_start - TOTAL_REACH)
    before = [tokens[i].lower() for i in range(lo, q.tok_start) if sent_ids[i] == sent_ids[q.tok_start]]
    # "2.5 mL total": the word right after; "3 mL (total 6 mL)" is not a total itself.
    after = [
        tokens[i].lower()
        for i in range(q.tok_end, min(len(tokens), q.tok_end + 1))
        if sent_ids[i] == sent_ids[q.tok_start]
    ]
    return bool(TOTAL_WORDS.intersection(before) or TOTAL_WORDS.intersection(after))


def resolve_class_names(substances: list[Hit], class_names: frozenset[str]) -> None:
    """Give a drug-class name ("botulinum toxin") the id of the one product of its role given this session."""
    products: dict[Any, set[str | None]] = {}
    for s in substances:
        if s.assertion == "present" and (s.alias or "").lower() not in class_names:
            products.setdefault(s.attrs.get("role"), set()).add(s.norm)
    for s in substances:
        if (s.alias or "").lower() in class_names:
            named = products.get(s.attrs.get("role"), set())
            if len(named) == 1 and s.norm not in named:
                s.norm = next(iter(named))
                s.attrs = {**s.attrs, "class_name": True}


def bind_quantities(
    substances: list[Hit],
    quantities: list[Hit],
    multipliers: list[Hit],
    tokens: Sequence[str],
    sent_ids: Sequence[int],
    *,
    max_gap: int,
    site_count: int,
    list_lead: dict[int, int] | None = None,
) -> None:
    """Attach each DOSE/VOLUME/CONCENTRATION hit to its injectate.

    An amount binds to the nearest injectate of its sentence: written after it ("Kenalog 40 mg",
    "lidocaine 1% 2 mL"), or before it only through "of" ("2 mL of lidocaine"); a concentration
    preferably before it ("1% lidocaine"). A stated total ("Total 2.1 mL", "2.5 mL total") goes, after
    that, to the injected substances that have no amount of that kind: those of its sentence, or of
    the whole note when its sentence names none (a mixture's total goes to each of its parts). An
    amount in a list item whose sentence names no injectate goes to the one injectate the list's lead
    names ("3% mepivacaine plain:" over "R masseter 1.0 mL"). Amounts that bind to nothing go last to
    the injectates of their section, named this session, that have none.

    Results go to ``substance.attrs``: ``concentration`` (text), ``dose`` and ``volume``
    (``{"value", "unit"}``, summed over distinct stated amounts, multiplied per site when the note
    says "at each of 4 sites" or "1 mL each"), and ``quantity_hits`` for evidence.
    """
    for s in substances:
        s.attrs = {**s.attrs, "quantity_hits": []}
    index = NearestIndex(substances)
    by_sent: dict[int, list[Hit]] = {}
    for s in substances:
        by_sent.setdefault(sent_ids[s.tok_start], []).append(s)
    totals = []
    equals_totals: list[Hit] = []
    orphans: list[Hit] = []
    toxin_doses: list[Hit] = []
    sums: list[tuple[Hit, Hit]] = []
    # Tokens of strengths: "Sensorcaine zero point two five percent three mL" is one word away.
    strength_tokens = {
        k for q in quantities if q.label == "CONCENTRATION" for k in range(q.tok_start, q.tok_end)
    }
    row_volumes: list[Hit] = []
    for q in quantities:
        if q.attrs.get("row_amount"):
            # A number under a table's "Units" or "mL" column is its row's (one muscle's) amount: the
            # rows add up to the injectate's, below, when the note states no amount of that kind.
            (toxin_doses if _unit(q) == "units" else row_volumes).append(q)
            continue
        if q.label == "DOSE" and _wasted(q, tokens):
            # "20u wasted (JW)", "(0 U wasted)": what was thrown away is no dose given.
            continue
        if q.label != "CONCENTRATION" and _after_equals(q, tokens):
            # "A 3 mL + B 1 mL = 4 mL" sums a mixture, which no part takes; "ropivacaine 0.2% 2 mL
            # per site = 8 mL" is the one injectate's whole amount; "TOTAL  45 U  55 U  = 100 units"
            # under a grid that names no drug is the session's total, before any other total.
            named = {s.norm: s for s in by_sent.get(sent_ids[q.tok_start], ())}
            if len(named) > 1:
                continue
            if len(named) == 1:
                sums.append((next(iter(named.values())), q))
                continue
            # Only a sum is a total: two amounts of its kind before it ("L masseter 2 TPs = 1.0 mL" is
            # that row's amount).
            sid = sent_ids[q.tok_start]
            added = [
                o
                for o in quantities
                if o.label == q.label and sent_ids[o.tok_start] == sid and o.tok_end <= q.tok_start
            ]
            if len(added) >= 2:
                equals_totals.append(q)
                continue
        if q.label != "CONCENTRATION" and (
            _is_total(q, tokens, sent_ids)
            or _of_mixture(q, tokens)
            or _mixture_per_site(q, tokens, sent_ids, by_sent)
        ):
            totals.append(q)
            continue

        def cost(s: Hit, gap: int, q: Hit = q) -> float:
            before = q.tok_end <= s.tok_start
            if q.label == "CONCENTRATION":
                return gap + (0.0 if before else CONCENTRATION_AFTER_COST)
            if before and not all(
                tokens[k].lower() in FORWARD_BRIDGE or not tokens[k].strip() or _STRENGTH.fullmatch(tokens[k])
                for k in range(q.tok_end, s.tok_start)
            ):
                return gap + FORWARD_COST
            # Only a bracket, a strength or "of" between: "1 mL (40 mg) methylprednisolone" is the drug's
            # amount, "bupivacaine and 40 mg (1 mL) of triamcinolone" even more so.
            if before:
                of = any(tokens[k].lower() == "of" for k in range(q.tok_end, s.tok_start))
                return gap * (OF_WEIGHT if of else BRIDGED_WEIGHT)
            # "1 mL 1% lidocaine + 1 mL 0.5% bupivacaine": an amount after a joiner starts the next item.
            if not before and any(tokens[k].lower() in JOINERS for k in range(s.tok_end, q.tok_start)):
                return gap + FORWARD_COST + 0.5
            # A strength between the drug and its amount counts as one token however it is spelled.
            inside = sum(1 for k in range(s.tok_end, q.tok_start) if k in strength_tokens)
            return float(gap - inside + (1 if inside else 0))

        best = index.nearest(q, sent_ids, max_gap, cost)
        if best is None and q.label != "CONCENTRATION":
            best = _lead_substance(q, by_sent, sent_ids, list_lead or {})
        if best is not None:
            best.attrs["quantity_hits"].append(q)
        elif q.label == "VOLUME":
            orphans.append(q)
        elif q.label == "DOSE" and _unit(q) == "units":
            toxin_doses.append(q)
    for s in substances:
        _summarise(s, multipliers, tokens, site_count)
    # A form's "Amount: 4 mL total" under "Medication: lidocaine 1%" with no injection verb near the
    # drug: the injectates named this session take it.
    injected = [s for s in substances if s.injected] or [s for s in substances if s.assertion == "present"]
    for q in equals_totals + totals:
        kind = "volume" if _unit(q) == "mL" else "dose"
        # By drug, not by mention: "Naropin (ropivacaine) 0.5% 4 mL" already has its volume.
        stated = {s.norm for s in injected if s.attrs.get(kind) is not None}
        same = [s for s in by_sent.get(sent_ids[q.tok_start], ()) if s.injected]
        # "... and dexamethasone four milligrams total was divided among the sites": a total dose
        # written right after a drug's name is that drug's (a total volume may be a mixture's).
        # The name may be a later mention of it ("Total Kenalog ten milligrams").
        owner = {
            s.norm
            for s in by_sent.get(sent_ids[q.tok_start], ())
            if kind == "dose" and _words_between(tokens, s.tok_end, q.tok_start) <= TOTAL_OWNER_GAP
        }
        owned = [s for s in injected if s.norm in owner]
        takers = owned or same or injected
        if _unit(q) == "units":
            # Units measure a toxin: "TOTAL  100 units" is no dose of the saline it was mixed in.
            takers = [s for s in takers if s.attrs.get("role") == "botulinum_toxin"]
        for s in takers:
            if s.norm not in stated:
                stated.add(s.norm)
                s.attrs["quantity_hits"].append(q)
                _summarise(s, multipliers, tokens, site_count)
    # Amounts per site that no injectate's sentence holds ("1:1 mix lignocaine 1% / bupivacaine 0.5%."
    # over "R) hamstrings - 3 mL", "Gastrocnemius - 2 mL") are of the injectates named without any
    # amount of their own in that section: each part of the mixture gets them, as a total does.
    # By drug, not by mention: "triamcinolone (Kenalog-40) 40 mg/1 mL" has its amount on one name.
    measured = {
        s.norm for s in substances if s.attrs.get("volume") is not None or s.attrs.get("dose") is not None
    }
    bare = [s for s in substances if s.assertion == "present" and s.norm not in measured]
    if orphans and bare:
        for s in bare:
            mine = [q for q in orphans if q.section == s.section]
            if mine:
                s.attrs["quantity_hits"].extend(mine)
                _summarise(s, multipliers, tokens, site_count)
    # Toxin units per muscle that no drug's sentence holds ("Botox 100u vial reconstituted. Injected:
    # trapezius L 30u, trapezius R 30u, L splenius capitis 20u."): the one toxin given takes their
    # sum, each site counted (two sites of 30 units are 60), the units wasted left out.
    given = [s for s in substances if s.assertion == "present" and s.attrs.get("role") == "botulinum_toxin"]
    toxins = {s.norm for s in given}
    # Only units where the toxin was given: the procedure, or a section naming it this session.
    where = {"procedure"} | {s.section for s in given if s.injected}
    toxin_doses = [q for q in toxin_doses if q.section in where]
    if toxin_doses and len(toxins) == 1:
        dosed = [s for s in substances if s.norm in toxins and s.attrs.get("dose") is not None]
        values = [_value(q) for q in toxin_doses]
        if not dosed and None not in values:
            # A table's rows next to amounts written elsewhere ("Units injected .... 100" over a
            # "Units" column that adds up to 100) tell the same dose twice: the larger, never the sum.
            rows = rest = 0.0
            for q, v in zip(toxin_doses, values, strict=True):
                if q.attrs.get("row_amount"):
                    rows += v or 0.0
                else:
                    rest += v or 0.0
            total = round(max(rows, rest) if rows and rest else rows + rest, 3)
            for s in substances:
                if s.norm in toxins and s.assertion == "present":
                    s.attrs["quantity_hits"].extend(toxin_doses)
                    s.attrs["dose"] = {"value": total, "unit": "units"}
    _add_row_volumes(substances, row_volumes)
    for s, q in sums:
        value, unit = _value(q), _unit(q)
        if value is not None and unit is not None:
            s.attrs["quantity_hits"].append(q)
            s.attrs["volume" if unit == "mL" else "dose"] = {"value": value, "unit": unit}


def _add_row_volumes(substances: list[Hit], rows: list[Hit]) -> None:
    """Give the sum of a table's per-row volumes to the injectates of its section that have none.

    Each part of a mixture gets the whole, as with a stated total; an injectate whose volume is
    written elsewhere keeps it.
    """
    values = [_value(q) for q in rows]
    if not rows or None in values:
        return
    sections = {q.section for q in rows}
    present = [x for x in substances if x.assertion == "present" and x.attrs.get("role") != "botulinum_toxin"]
    # Those of the table's section, else those of the note ("Medication: bupivacaine 0.5%" above it).
    here = [x for x in present if x.section in sections]
    given = [x for x in here if x.injected] or here or [x for x in present if x.injected] or present
    measured = {x.norm for x in substances if x.attrs.get("volume") is not None}
    total = round(sum(v for v in values if v is not None), 3)
    for x in given:
        if x.norm not in measured:
            x.attrs["quantity_hits"].extend(rows)
            x.attrs["volume"] = {"value": total, "unit": "mL"}


# "3 mL of a 1:1 mixture of 1% lidocaine and 0.25% bupivacaine": an amount of a mixture is each part's.
MIXTURE_WORDS = frozenset({"mixture", "mix", "combination", "cocktail", "solution"})
_RATIO = re.compile(r"\d+\s*[:/]\s*\d+")


def _of_mixture(q: Hit, tokens: Sequence[str]) -> bool:
    """Tell whether an amount is of a mixture.

    "3 mL of a 1:1 mixture of ...", "2 cc of the mixture into each muscle".
    """
    words = [t.lower() for t in tokens[q.tok_end : q.tok_end + 8] if t.strip()][:5]
    if not words or words[0] != "of":
        return False
    back = len(words) > 1 and words[1] in ("the", "this", "that")
    rest = [w for w in words[1:] if w not in ("a", "the", "an", "this", "that") and not _RATIO.fullmatch(w)]
    return bool(rest) and rest[0] in MIXTURE_WORDS and (rest[1:2] == ["of"] or back)


# Words that mix the injectates of a sentence ("1 cc of dexamethasone mixed with 10 cc of lidocaine").
MIXING_WORDS = (MIXTURE_WORDS - {"solution"}) | {"mixed", "combined", "admixed"}


def _mixture_per_site(
    q: Hit, tokens: Sequence[str], sent_ids: Sequence[int], by_sent: dict[int, list[Hit]]
) -> bool:
    """Tell whether an amount per site is a mixture's.

    "ten cc of lido mixed with one cc of dexamethasone ..., approximately two cc per site" gives
    each site two cc of the mix, not two more of dexamethasone.
    """
    sid = sent_ids[q.tok_start]
    if len({s.norm for s in by_sent.get(sid, ())}) < 2:
        return False
    after = [t.lower() for t in tokens[q.tok_end : q.tok_end + 4] if t.strip()][:2]
    if not after or not (after[0] in PER_SITE or after[0] == "/"):
        return False
    k = q.tok_start - 1
    while k >= 0 and sent_ids[k] == sid:
        if tokens[k].lower() in MIXING_WORDS:
            return True
        k -= 1
    return False


# Tokens that end the clause an amount's waste word must stand in.
_CLAUSE_BREAKS = frozenset({"(", ")", ",", ";", ".", "[", "]"})
# Words that make a toxin's units the amount thrown away ("20u wasted (JW)", "wastage 30 units").
WASTE_WORDS = frozenset({"wasted", "waste", "wastage", "discarded", "discard", "jw"})


def _wasted(q: Hit, tokens: Sequence[str]) -> bool:
    """Tell whether an amount is what was wasted, by a waste word two words either side in its clause.

    "20u wasted (JW)", "(0 U wasted)", "wastage 30 units"; "100 units (wastage 0 units)" is the dose,
    its aside another amount.
    """

    def words(span: Sequence[str]) -> list[str]:
        out = []
        for t in span:
            # A column gap ("100 units     Wasted: 0 units") parts two fields.
            if "\n" in t or t in _CLAUSE_BREAKS or (len(t) > 1 and not t.strip()):
                break
            if t.strip():
                out.append(t.lower())
        return out[:2]

    # A clause ends at punctuation, also where it is written onto a word ("85 U. Discarded: 15 U").
    previous = list(tokens[max(0, q.tok_start - 4) : q.tok_start][::-1])
    cut = next((i for i, t in enumerate(previous) if t[-1:] in ".,;)"), len(previous))
    before = words(previous[:cut])
    after = [] if tokens[q.tok_end - 1][-1:] in ".,;" else words(tokens[q.tok_end : q.tok_end + 4])
    return not WASTE_WORDS.isdisjoint(before + after)


def _after_equals(q: Hit, tokens: Sequence[str]) -> bool:
    """Tell whether an amount is the right side of an '=' ("... = 8 mL")."""
    k = q.tok_start - 1
    while k >= 0 and not tokens[k].strip():
        k -= 1
    return k >= 0 and tokens[k] == "="


def _lead_substance(
    q: Hit, by_sent: dict[int, list[Hit]], sent_ids: Sequence[int], list_lead: dict[int, int]
) -> Hit | None:
    """Return the one injectate a list's lead names ("3% mepivacaine plain:" over "R masseter 1.0 mL").

    A lead naming a mixture gets none: its parts' shares of each site are not written.
    """
    lead = list_lead.get(sent_ids[q.tok_start])
    if lead is None:
        return None
    named = by_sent.get(lead, [])
    return named[0] if len({s.norm for s in named}) == 1 else None


def _value(q: Hit) -> float | None:
    """Return the number of an amount (its first group), or None when it has none."""
    return parse_number(q.groups[0]) if q.groups else None


def _unit(q: Hit) -> str | None:
    """Return the normal unit of an amount: its second group, or the unit its rule names."""
    if len(q.groups) > 1 and q.groups[1]:
        return UNIT_NORMAL.get(str(q.groups[1]).lower(), str(q.groups[1]))
    if q.label == "DOSE" and q.norm:
        return UNIT_NORMAL.get(str(q.norm).lower(), str(q.norm))
    return None


def _summarise(s: Hit, multipliers: list[Hit], tokens: Sequence[str], site_count: int) -> None:
    conc = None
    amounts: dict[str, dict[float, float]] = {"DOSE": {}, "VOLUME": {}}
    units: dict[str, str] = {}
    for q in s.attrs["quantity_hits"]:
        if q.label == "CONCENTRATION":
            # A rule may name the strength it stands for ("Kenalog 40" -> 40 mg/mL).
            conc = conc or _concentration_text(" ".join(str(q.norm or q.value).split()))
            continue
        value = _value(q)
        unit = _unit(q)
        if value is None or unit is None:
            continue
        factor = _multiplier(q, multipliers, tokens, site_count)
        kind = "VOLUME" if unit == "mL" else "DOSE"
        if kind == "DOSE" and units.get(kind, unit) != unit:
            continue
        units[kind] = unit
        amounts[kind][value * factor] = value * factor
    s.attrs["concentration"] = conc
    for kind, key in (("DOSE", "dose"), ("VOLUME", "volume")):
        s.attrs[key] = (
            {"value": round(sum(amounts[kind].values()), 3), "unit": units[kind]} if amounts[kind] else None
        )


_SPOKEN_RATIO = re.compile(r"(?i)(.+?)\s*(?:mg|milligrams?)\s*(?:/|per)\s*(?:ml|cc|milliliters?)")


def _concentration_text(text: str) -> str:
    """Write a strength in figures.

    "1 percent" -> "1%", "zero point two five percent" -> "0.25%", "ten milligrams per cc" ->
    "10 mg/mL"; a ratio written in figures stays as written ("40mg/ml").
    """
    ratio = _SPOKEN_RATIO.fullmatch(text)
    if ratio and not (text[:1].isdigit() or text[:1] == "."):
        value = parse_number(ratio.group(1))
        return f"{value:g} mg/mL" if value is not None else text
    if not text.lower().endswith("percent"):
        return text
    value = parse_number(text[: -len("percent")])
    return f"{value:g}%" if value is not None else text


def _multiplier(q: Hit, multipliers: list[Hit], tokens: Sequence[str], site_count: int) -> float:
    for m in multipliers:
        if 0 <= m.tok_start - q.tok_end <= 3:
            n = parse_number(str(m.value))
            if n:
                return n
    nxt = [tokens[i].lower() for i in range(q.tok_end, min(len(tokens), q.tok_end + 3)) if tokens[i].strip()]
    if nxt and nxt[0] == "x" and len(nxt) > 1 and parse_number(nxt[1]):
        return parse_number(nxt[1]) or 1.0
    if nxt and nxt[0].startswith("x") and parse_number(nxt[0][1:]):
        return parse_number(nxt[0][1:]) or 1.0
    if nxt and nxt[0] in PER_SITE and site_count > 1 and not (len(nxt) > 1 and nxt[1] == "of"):
        return float(site_count)
    return 1.0
