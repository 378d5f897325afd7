"""Pure functions that turn lexicon records into phrase patterns (no spaCy here).

A pattern record is a dict: ``label`` (MUSCLE, REGIONAL, NONSPECIFIC, SUBSTANCE, PRIOR_TX, SIDE, CUE,
ANAPHORA, REGION_CUE, OUTCOME, UNNAMED_INJECTATE, NOT_TREATMENT, NOT_INJECTATE), ``id`` (normalized id
or cue category), ``kind`` (exact / abbreviation), ``case_sensitive``, ``rule`` (rule id) and ``phrases``.
"""

from __future__ import annotations

from typing import Any

from tpicoder.lexicon import ExtractionLexicon

_NO_PLURAL_ENDINGS = ("s", "ae", "i", "us", "x")
_LATIN_ENDINGS = ("or", "um", "is", "ii")
# Rule id of side words that count only right before a muscle ("both lumbar paraspinals").
PREFIX_ONLY_SIDE_RULE = "side_bilateral_prefix_only"


def plural(name: str) -> str | None:
    """Regular English plural of a name, or None when none should be generated.

    A name of several words takes the plural on its last word ("anterior scalenes"), except Latin
    forms ("rhomboid major", "quadratus lumborum").
    """
    last = name.rsplit(" ", 1)[-1]
    if "-" in name or last.endswith(_NO_PLURAL_ENDINGS) or len(last) < 3:
        return None
    if " " in name and last.endswith(_LATIN_ENDINGS):
        return None
    return name + "s"


def expand_names(names: list[str], portions: list[str]) -> list[str]:
    """Names, their generated plurals, and every portion + name combination."""
    out: list[str] = []
    for name in names:
        out.append(name)
        p = plural(name)
        if p:
            out.append(p)
    for portion in portions:
        out.extend(f"{portion} {name}" for name in list(out))
    seen: set[str] = set()
    return [n for n in out if not (n.lower() in seen or seen.add(n.lower()))]


def _rec(
    label: str,
    id_: str,
    kind: str,
    phrases: list[str],
    *,
    cs: bool = False,
    rule: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "label": label,
        "id": id_,
        "kind": kind,
        "case_sensitive": cs,
        "rule": rule or f"{label.lower()}_{id_}",
        "phrases": phrases,
        **extra,
    }


def entity_patterns(lex: ExtractionLexicon) -> list[dict[str, Any]]:
    """All phrase patterns of the entity, side and cue layers."""
    recs: list[dict[str, Any]] = []
    for m in lex.muscles.entries:
        forms: list[tuple[str, list[str], dict[str, Any]]] = [
            ("exact", expand_names(m.names, m.portions), {}),
            ("abbreviation", expand_names(m.abbreviations, m.portions), {}),
            ("abbreviation", m.abbreviations_cs, {"cs": True}),
            # Short forms that mean the muscle only right after a side ("L LS", "R UT", "bilat ES").
            (
                "abbreviation",
                m.abbreviations_sided,
                {"cs": True, "rule": f"muscle_{m.id}_sided", "needs_side": True},
            ),
        ]
        for k, (kind, phrases, extra) in enumerate(forms):
            if phrases or k == 0:  # the names' record always stands, the others when they have phrases
                recs.append(_rec("MUSCLE", m.id, kind, phrases, group=m.group, region=m.region, **extra))
    for r in lex.muscles.regional:
        recs.append(_rec("REGIONAL", r.id, "exact", expand_names(r.names, [])))
    for region, words in lex.muscles.region_cues.items():
        recs.append(_rec("REGION_CUE", region, "exact", words))
    recs.append(_rec("NONSPECIFIC", "nonspecific_site", "exact", lex.muscles.nonspecific_sites))
    for s in lex.substances.entries:
        recs.append(_rec("SUBSTANCE", s.id, "exact", s.names, role=s.role))
        if s.abbreviations:
            recs.append(_rec("SUBSTANCE", s.id, "abbreviation", s.abbreviations, role=s.role))
        if s.abbreviations_cs:
            recs.append(_rec("SUBSTANCE", s.id, "abbreviation", s.abbreviations_cs, cs=True, role=s.role))
    recs.append(_rec("UNNAMED_INJECTATE", "unnamed", "exact", lex.substances.unnamed_injectate))
    # Phrases that hold a drug's name but inject nothing ("saline rinses"): matched to hide it.
    recs.append(_rec("NOT_INJECTATE", "not_injectate", "exact", lex.substances.not_injectates))
    for t in lex.treatments.entries:
        tag = "_history" if t.history_only else ""
        extra = {"history_only": t.history_only}
        if t.names:
            recs.append(_rec("PRIOR_TX", t.id, "exact", t.names, rule=f"prior_tx_{t.id}{tag}", **extra))
        if t.abbreviations:
            recs.append(
                _rec("PRIOR_TX", t.id, "abbreviation", t.abbreviations, rule=f"prior_tx_{t.id}{tag}", **extra)
            )
        if t.abbreviations_cs:
            recs.append(
                _rec(
                    "PRIOR_TX",
                    t.id,
                    "abbreviation",
                    t.abbreviations_cs,
                    cs=True,
                    rule=f"prior_tx_{t.id}{tag}_cs",
                    **extra,
                )
            )
    # Phrases that hold a treatment word but name none ("slipped on the ice"): matched to hide it.
    recs.append(_rec("NOT_TREATMENT", "not_treatment", "exact", lex.treatments.not_treatments))
    for outcome, words in lex.treatments.outcome_cues.items():
        recs.append(_rec("OUTCOME", outcome, "exact", words))
    lat = lex.laterality
    for side in ("left", "right", "bilateral"):
        recs.append(_rec("SIDE", side, "exact", getattr(lat, side)))
        recs.append(_rec("SIDE", side, "abbreviation", getattr(lat, f"{side}_cs"), cs=True))
        recs.append(
            _rec("SIDE", side, "abbreviation", lat.glued_prefixes.get(side, []), rule=f"side_{side}_glued")
        )
    recs.append(_rec("SIDE", "bilateral", "exact", lat.bilateral_prefix_only, rule=PREFIX_ONLY_SIDE_RULE))
    recs.append(_rec("SIDE", "same_side", "exact", lat.same_side))
    recs.append(_rec("OTHER_SIDE", "other_side", "exact", lat.other_side))
    for rule in lex.cues.rules:
        recs.append(
            _rec(
                "CUE",
                rule.category,
                "exact",
                rule.phrases,
                rule=rule.id,
                direction=rule.direction,
                max_scope=rule.max_scope,
                line_only=rule.line_only,
                applies_to=rule.applies_to,
                over_lead_in=rule.over_lead_in,
                stop_words=[w.lower() for w in rule.stop_words],
            )
        )
    recs.append(_rec("ANAPHORA", "anaphora", "exact", lex.cues.anaphora))
    recs.append(_rec("ANAPHORA", "above", "exact", lex.cues.anaphora_above))
    return recs


def fuzzy_targets(lex: ExtractionLexicon, min_alias_length: int) -> list[dict[str, Any]]:
    """Muscle names (not abbreviations) long enough to be fuzzy-matched, with their ids."""
    out = []
    seen: set[str] = set()
    for m in lex.muscles.entries:
        for name in expand_names(m.names, []):
            key = name.lower()
            if len(key.replace(" ", "")) >= min_alias_length and key not in seen:
                seen.add(key)
                out.append(
                    {
                        "alias": key,
                        "id": m.id,
                        "words": len(key.split()),
                        "group": m.group,
                        "region": m.region,
                    }
                )
    for r in lex.muscles.regional:
        for name in r.names:
            key = name.lower()
            if len(key) >= min_alias_length and key not in seen:
                seen.add(key)
                out.append(
                    {"alias": key, "id": f"@{r.id}", "words": len(key.split()), "group": True, "region": None}
                )
    return out
