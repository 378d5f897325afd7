"""Concentration, dose and volume of injectates (pure functions over hit records)."""

from __future__ import annotations

from collections.abc import Sequence

from tpicoder.extract.extensions import Hit
from tpicoder.extract.nearest import NearestIndex

UNIT_NORMAL = {"mg": "mg", "milligram": "mg", "milligrams": "mg", "mcg": "mcg", "unit": "units", "units": "units",
               "u": "units", "iu": "units", "ml": "mL", "cc": "mL", "cm3": "mL", "milliliter": "mL",
               "milliliters": "mL", "mls": "mL"}
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# Words after a quantity that make it per site ("1 mL each", "0.5 cc per trigger point").
PER_SITE = frozenset({"each", "per"})


def parse_number(text: str) -> float | None:
    """A decimal number or a small number word."""
    text = text.strip().lower()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        return float(text)
    except ValueError:
        return None


def bind_quantities(substances: list[Hit], quantities: list[Hit], multipliers: list[Hit], tokens: Sequence[str],
                    sent_ids: Sequence[int], *, max_gap: int, site_count: int) -> None:
    """Attach each DOSE/VOLUME/CONCENTRATION hit to the nearest injectate in its sentence.

    Results go to ``substance.attrs``: ``concentration`` (text), ``dose`` and ``volume``
    (``{"value", "unit"}``, summed over distinct stated amounts, multiplied per site when the note
    says "at each of 4 sites" or "1 mL each"), and ``quantity_hits`` for evidence.
    """
    for s in substances:
        s.attrs = {**s.attrs, "quantity_hits": []}
    index = NearestIndex(substances)
    for q in quantities:
        # Prefer a substance after a concentration ("1% lidocaine"), before a dose ("Kenalog 40 mg").
        def cost(s: Hit, gap: int, q: Hit = q) -> float:
            return gap + (0.5 if (q.label == "CONCENTRATION") == (q.tok_start >= s.tok_end) else 0.0)

        best = index.nearest(q, sent_ids, max_gap, cost)
        if best is not None:
            best.attrs["quantity_hits"].append(q)
    for s in substances:
        conc = None
        amounts: dict[str, dict[float, float]] = {"DOSE": {}, "VOLUME": {}}
        units: dict[str, str] = {}
        for q in s.attrs["quantity_hits"]:
            if q.label == "CONCENTRATION":
                conc = conc or " ".join(str(q.value).split())
                continue
            value = parse_number(q.groups[0]) if q.groups else None
            unit = UNIT_NORMAL.get(str(q.groups[1]).lower(), str(q.groups[1])) if len(q.groups) > 1 else None
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
            s.attrs[key] = ({"value": round(sum(amounts[kind].values()), 3), "unit": units[kind]}
                            if amounts[kind] else None)


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
