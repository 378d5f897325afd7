"""Named, typed facts about a note (or a patient's visits): the vocabulary coding rules are written in.

Each predicate is a plain function of a context that returns a :class:`Fact` (a boolean value, the
evidence spans behind it, and message parameters). Itemised predicates also return one
:class:`FactItem` per thing found (per muscle, per code...), so a rule can raise one warning each.
Predicates register themselves with :func:`predicate`; :func:`predicate_names` exports the vocabulary so
rule files are checked against it at load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from tpicoder.coding.cpt import muscle_label
from tpicoder.coding.drugs import is_botulinum
from tpicoder.findings import Findings
from tpicoder.schema import Evidence

if TYPE_CHECKING:
    from tpicoder.coding.bundle import CodingBundle
    from tpicoder.coding.claim_review import ClaimReview, ReviewItem
    from tpicoder.coding.cpt import ProcedurePlan
    from tpicoder.coding.data import FrequencyPolicy, PayerProfile
    from tpicoder.coding.diagnosis import DiagnosisAssessment
    from tpicoder.coding.drugs import DrugAssessment

Scope = Literal["note", "history"]

GLOBAL_PARAMS = ("payer", "dos")
"""Message parameters every rule may use: the payer's name and the date of service."""


@dataclass(slots=True)
class FactItem:
    """One thing an itemised predicate found, with its evidence and message parameters."""

    evidence: list[Evidence] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Fact:
    """The value of one predicate for one context.

    A plain dataclass, not a pydantic model: some 35 are made per note and none leaves the engine.
    """

    value: bool
    evidence: list[Evidence] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    items: list[FactItem] = field(default_factory=list)


@dataclass(frozen=True)
class NoteContext:
    """Everything a note-scope predicate may read: the Findings and what coding derived from them."""

    findings: Findings
    bundle: CodingBundle
    payer: PayerProfile
    dos: date
    plan: ProcedurePlan
    diagnoses: list[DiagnosisAssessment]
    drugs: list[DrugAssessment]
    review: ClaimReview | None = None


@dataclass(frozen=True)
class HistoryContext:
    """One session of one patient, with the earlier sessions inside the payer's window."""

    note_ids: list[str]
    patient_id: str
    dos: date
    earlier: list[date]
    policy: FrequencyPolicy
    payer: PayerProfile
    bundle: CodingBundle = field(repr=False)


@dataclass(frozen=True)
class PredicateSpec:
    """A registered predicate.

    Attributes:
        name: the name rules use.
        scope: ``note`` or ``history``.
        params: message parameters it provides (per item when ``itemised``).
        itemised: whether it returns items (usable as a rule's ``each``).
        description: first line of its docstring.
        func: the function.

    """

    name: str
    scope: Scope
    params: tuple[str, ...]
    itemised: bool
    description: str
    func: Callable[..., Fact]


_REGISTRY: dict[str, PredicateSpec] = {}


def predicate(*, scope: Scope = "note", params: tuple[str, ...] = (), itemised: bool = False) -> Callable:
    """Register a function as a named predicate (its name is the function's name).

    Args:
        scope: the context it reads.
        params: message parameters it provides.
        itemised: whether it returns one item per thing found.

    """

    def register(func: Callable[..., Fact]) -> Callable[..., Fact]:
        doc = (func.__doc__ or "").strip().splitlines()
        _REGISTRY[func.__name__] = PredicateSpec(
            name=func.__name__,
            scope=scope,
            params=params,
            itemised=itemised,
            description=doc[0] if doc else "",
            func=func,
        )
        return func

    return register


def predicate_names() -> list[str]:
    """Return the names of every predicate, sorted (the rule vocabulary)."""
    return sorted(_REGISTRY)


def predicate_catalog() -> list[dict[str, object]]:
    """Return every predicate's name, scope, parameters and description, for docs and rule authors."""
    return [
        {
            "name": s.name,
            "scope": s.scope,
            "params": list(s.params),
            "itemised": s.itemised,
            "description": s.description,
        }
        for s in sorted(_REGISTRY.values(), key=lambda s: s.name)
    ]


def get_predicate(name: str) -> PredicateSpec | None:
    """Return a registered predicate by name."""
    return _REGISTRY.get(name)


def evaluate_predicates(context: NoteContext | HistoryContext, scope: Scope) -> dict[str, Fact]:
    """Evaluate every predicate of ``scope`` on ``context`` (each once)."""
    return {s.name: s.func(context) for s in _REGISTRY.values() if s.scope == scope}


def _items_fact(items: list[FactItem]) -> Fact:
    return Fact(value=bool(items), evidence=[e for item in items for e in item.evidence], items=items)


def _review_items(items: list[ReviewItem]) -> Fact:
    return _items_fact([FactItem(evidence=list(i.evidence), params=dict(i.params)) for i in items])


def _join(values: list[str]) -> str:
    return ", ".join(values)


def _region_label(region: str) -> str:
    return region.replace("_", " ")


# ------------------------------------------------------------------------------------- procedure facts


@predicate(params=("procedure", "code"))
def procedure_performed(ctx: NoteContext) -> Fact:
    """Check that a trigger point injection or dry needling was performed this session."""
    plan = ctx.plan
    return Fact(
        value=plan.performed,
        evidence=list(ctx.findings.procedure_evidence) if plan.performed else [],
        params={"procedure": plan.procedure.replace("_", " "), "code": plan.code or ""},
    )


@predicate(params=("code",))
def injection_performed(ctx: NoteContext) -> Fact:
    """Something was injected into muscle this session (Findings.procedure_kind == injection)."""
    performed = (
        ctx.plan.performed and ctx.plan.family is not None and ctx.plan.family.procedure_kind == "injection"
    )
    return Fact(
        value=performed,
        evidence=list(ctx.findings.procedure_evidence) if performed else [],
        params={"code": ctx.plan.code or ""},
    )


@predicate(params=("code",))
def needling_performed(ctx: NoteContext) -> Fact:
    """Needles were inserted with no injectate (Findings.procedure_kind == needling)."""
    performed = (
        ctx.plan.performed and ctx.plan.family is not None and ctx.plan.family.procedure_kind == "needling"
    )
    return Fact(
        value=performed,
        evidence=list(ctx.findings.procedure_evidence) if performed else [],
        params={"code": ctx.plan.code or ""},
    )


@predicate(params=("code",))
def no_muscle_identified(ctx: NoteContext) -> Fact:
    """Check that a procedure was performed but no specific muscle (nor group) is named."""
    value = ctx.plan.performed and ctx.plan.fallback
    evidence = [*ctx.findings.procedure_evidence, *ctx.findings.nonspecific_sites] if value else []
    return Fact(value=value, evidence=evidence, params={"code": ctx.plan.code or ""})


@predicate(params=("groups",))
def group_muscle_injected(ctx: NoteContext) -> Fact:
    """Check for a muscle group id (cervical_paraspinals, scalenes...) among the injected muscles."""
    groups = [m for m in ctx.findings.injected_muscles if m.is_group]
    return Fact(
        value=bool(groups),
        evidence=[e for m in groups for e in m.evidence],
        params={"groups": _join([muscle_label(m) for m in groups])},
    )


@predicate(params=("sites",))
def nonspecific_site_injected(ctx: NoteContext) -> Fact:
    """Check for an injected site named only by region ("neck muscles", "upper back")."""
    sites = ctx.findings.nonspecific_sites
    return Fact(value=bool(sites), evidence=list(sites), params={"sites": _join([s.text for s in sites])})


@predicate(params=("sites",))
def muscle_or_site_nonspecific(ctx: NoteContext) -> Fact:
    """Check for a group or a region-only site where a muscle should be named (either of the above)."""
    groups = group_muscle_injected(ctx)
    sites = nonspecific_site_injected(ctx)
    labels = [label for label in (groups.params["groups"], sites.params["sites"]) if label]
    return Fact(
        value=groups.value or sites.value,
        evidence=[*groups.evidence, *sites.evidence],
        params={"sites": "; ".join(labels)},
    )


@predicate(params=("muscle",), itemised=True)
def muscle_side_unspecified(ctx: NoteContext) -> Fact:
    """One item per counted injected muscle whose side is unspecified."""
    items = [
        FactItem(evidence=list(m.evidence), params={"muscle": m.muscle.replace("_", " ")})
        for m in ctx.plan.counted
        if m.side == "unspecified"
    ]
    return _items_fact(items)


# --------------------------------------------------------------------------------- documentation facts


@predicate()
def exam_findings_absent(ctx: NoteContext) -> Fact:
    """No trigger point examination finding (taut band, twitch, referred pain, tenderness) was found."""
    return Fact(value=not ctx.findings.exam_findings)


@predicate()
def prior_treatment_absent(ctx: NoteContext) -> Fact:
    """No earlier conservative treatment of any kind or outcome was found."""
    return Fact(value=not ctx.findings.prior_treatments)


@predicate()
def failed_prior_treatment_absent(ctx: NoteContext) -> Fact:
    """No earlier treatment with an outcome counted as failure (rules.yaml settings.failure_outcomes)."""
    outcomes = set(ctx.bundle.rules.settings.failure_outcomes)
    return Fact(value=not any(t.outcome in outcomes for t in ctx.findings.prior_treatments))


@predicate()
def indication_absent(ctx: NoteContext) -> Fact:
    """No statement of why injections were chosen was found."""
    return Fact(value=not ctx.findings.indication)


@predicate()
def substance_absent(ctx: NoteContext) -> Fact:
    """No injectate is named."""
    return Fact(value=not ctx.findings.substances)


@predicate(params=("substance",), itemised=True)
def substance_amount_absent(ctx: NoteContext) -> Fact:
    """One item per injectate named with neither dose nor volume."""
    items = [
        FactItem(evidence=list(s.evidence), params={"substance": s.substance.replace("_", " ")})
        for s in ctx.findings.substances
        if s.dose is None and s.volume is None
    ]
    return _items_fact(items)


@predicate(params=("substance", "code", "detail", "unit"), itemised=True)
def billable_drug_units_unknown(ctx: NoteContext) -> Fact:
    """One item per separately billable drug whose amount cannot be turned into HCPCS units."""
    items = []
    for drug in ctx.drugs:
        if drug.billing != "separate" or drug.problem is None or drug.drug is None:
            continue
        valid = [c.code for c in drug.drug.codes if c.active_on(ctx.dos)]
        items.append(
            FactItem(
                evidence=list(drug.substance.evidence),
                params={
                    "substance": drug.substance.substance.replace("_", " "),
                    "code": "/".join(valid) or "no code valid on the date of service",
                    "detail": drug.problem,
                    "unit": drug.amount_unit or "mg",
                },
            )
        )
    return _items_fact(items)


@predicate(params=("substances", "drug_codes"))
def botulinum_toxin_injected(ctx: NoteContext) -> Fact:
    """Check for a botulinum toxin among the injectates."""
    toxins = [d for d in ctx.drugs if is_botulinum(d)]
    codes = [c.code for d in toxins if d.drug for c in d.drug.codes if c.active_on(ctx.dos)]
    return Fact(
        value=bool(toxins),
        evidence=[e for d in toxins for e in d.substance.evidence],
        params={
            "substances": _join([d.substance.substance for d in toxins]),
            "drug_codes": _join(list(dict.fromkeys(codes))) or "an unlisted drug code",
        },
    )


@predicate(params=("modality", "code", "policy"))
def guidance_documented(ctx: NoteContext) -> Fact:
    """Imaging guidance was used with the procedure (and is coded)."""
    guidance = ctx.findings.guidance
    if guidance is None or not ctx.plan.performed:
        return Fact(value=False)
    record = ctx.bundle.cpt.guidance_for(guidance.modality)
    return Fact(
        value=record is not None,
        evidence=list(guidance.evidence),
        params={
            "modality": guidance.modality.capitalize(),
            "code": record.code if record else "",
            "policy": ctx.payer.guidance.policy.strip(),
        },
    )


@predicate()
def guidance_reason_absent(ctx: NoteContext) -> Fact:
    """Guidance was used and the note gives no reason for it."""
    guidance = ctx.findings.guidance
    return Fact(value=guidance is not None and not guidance.reason)


@predicate(params=("em_code",))
def em_documented(ctx: NoteContext) -> Fact:
    """Check that a same-day E/M service is documented."""
    em = ctx.findings.em
    return Fact(
        value=em is not None,
        evidence=list(em.evidence) if em else [],
        params={"em_code": f" ({em.code})" if em and em.code else ""},
    )


@predicate()
def em_separate_problem_absent(ctx: NoteContext) -> Fact:
    """Check that an E/M is documented with no significant problem apart from the injection."""
    em = ctx.findings.em
    return Fact(value=em is not None and not em.separate_problem)


# ------------------------------------------------------------------------------------------ diagnoses


@predicate()
def diagnosis_absent(ctx: NoteContext) -> Fact:
    """No diagnosis (statement or code) was found."""
    return Fact(value=not ctx.findings.diagnoses)


@predicate(params=("code", "description", "reason", "replacements"), itemised=True)
def diagnosis_code_invalid(ctx: NoteContext) -> Fact:
    """One item per written ICD-10-CM code not billable on the date of service (header or deleted)."""
    items = []
    for a in ctx.diagnoses:
        if a.status != "invalid":
            continue
        items.append(
            FactItem(
                evidence=list(a.diagnosis.evidence),
                params={
                    "code": a.diagnosis.code or "",
                    "description": a.diagnosis.description or a.diagnosis.text,
                    "reason": a.reason or "",
                    "replacements": _join(a.replacements)
                    or "none in the tpicoder table; check the ICD-10-CM code set",
                },
            )
        )
    return _items_fact(items)


@predicate(params=("diagnoses",))
def all_diagnoses_nonspecific(ctx: NoteContext) -> Fact:
    """Check that every diagnosis is in rules.yaml ``nonspecific_specificities`` (unknown ones never are)."""
    vague = set(ctx.bundle.rules.settings.nonspecific_specificities)
    value = bool(ctx.diagnoses) and all(a.specificity in vague for a in ctx.diagnoses)
    labels = [a.diagnosis.code or a.diagnosis.text for a in ctx.diagnoses]
    return Fact(
        value=value,
        evidence=[e for a in ctx.diagnoses for e in a.diagnosis.evidence] if value else [],
        params={"diagnoses": _join(labels)},
    )


def muscle_regions(ctx: NoteContext) -> set[str]:
    """Regions a diagnosis may name to match the counted muscles.

    Each muscle's own region and its ``adjacent_regions`` (rules.yaml), plus the extra regions
    ``muscle_regions`` lists for long muscles (not widened again: one hop only).
    """
    settings = ctx.bundle.rules.settings
    own = {m.region for m in ctx.plan.counted}
    regions = set(own)
    for a, b in settings.adjacent_regions:
        if a in own:
            regions.add(b)
        if b in own:
            regions.add(a)
    for m in ctx.plan.counted:
        regions.update(settings.muscle_regions.get(m.muscle, []))
    return regions


@predicate(params=("diagnosis_regions", "muscle_regions"))
def diagnosis_region_mismatch(ctx: NoteContext) -> Fact:
    """Every diagnosis names a region and none matches or adjoins a region of the injected muscles.

    False whenever a diagnosis has no region (any-site codes such as M79.18, unknown codes, uncoded text)
    or no muscle is counted: the check needs region data on both sides.
    """
    if not ctx.plan.counted or not ctx.diagnoses or any(a.regions is None for a in ctx.diagnoses):
        return Fact(value=False)
    allowed = muscle_regions(ctx)
    dx_regions = {r for a in ctx.diagnoses for r in (a.regions or [])}
    if dx_regions & allowed:
        return Fact(value=False)
    own = list(dict.fromkeys(m.region for m in ctx.plan.counted))
    return Fact(
        value=True,
        evidence=[e for a in ctx.diagnoses for e in a.diagnosis.evidence],
        params={
            "diagnosis_regions": _join([_region_label(r) for r in sorted(dx_regions)]),
            "muscle_regions": _join([_region_label(r) for r in own]),
        },
    )


# ---------------------------------------------------------------------------------------- claim review


def _review(ctx: NoteContext) -> ClaimReview | None:
    return ctx.review


@predicate(params=("code", "units", "limit"), itemised=True)
def claim_per_session_code_units_over_limit(ctx: NoteContext) -> Fact:
    """One item per proposed per-session line (2055x/2056x) with more units than a session allows."""
    review = _review(ctx)
    return _review_items(review.units_over_limit) if review else Fact(value=False)


@predicate(params=("count", "codes"), itemised=True)
def claim_per_session_code_on_several_lines(ctx: NoteContext) -> Fact:
    """One item per per-session family the proposed claim bills on several lines."""
    review = _review(ctx)
    return _review_items(review.several_lines) if review else Fact(value=False)


@predicate(params=("codes", "supported"), itemised=True)
def claim_several_tier_codes(ctx: NoteContext) -> Fact:
    """One item per family with two of its codes on the proposed claim (20552 with 20553)."""
    review = _review(ctx)
    return _review_items(review.several_tier_codes) if review else Fact(value=False)


@predicate(params=("code", "modifier"), itemised=True)
def claim_bilateral_modifier_disallowed(ctx: NoteContext) -> Fact:
    """One item per per-session line with modifier 50 where the payer profile does not allow it."""
    review = _review(ctx)
    return _review_items(review.bilateral_disallowed) if review else Fact(value=False)


@predicate(params=("code", "modifier"), itemised=True)
def claim_distinct_modifier_on_per_session_code(ctx: NoteContext) -> Fact:
    """One item per 59/XE/XS/XP/XU modifier on a proposed per-session line."""
    review = _review(ctx)
    return _review_items(review.distinct_modifier_lines) if review else Fact(value=False)


@predicate()
def claim_bills_procedure_more_than_once(ctx: NoteContext) -> Fact:
    """Check that the proposed claim bills a per-session family beyond one session (lines or units)."""
    review = _review(ctx)
    return Fact(value=bool(review and review.bills_more_than_once))


@predicate(params=("other_procedures",))
def claim_has_distinct_other_procedure(ctx: NoteContext) -> Fact:
    """Check for a distinct other procedure on the claim (nerve block, joint or tendon injection)."""
    review = _review(ctx)
    others = review.other_procedures if review else []
    return Fact(value=bool(others), params={"other_procedures": _join(others)})


@predicate()
def payer_allows_distinct_modifier_with_other_procedure(ctx: NoteContext) -> Fact:
    """Check that the payer accepts 59/X{EPSU} on a per-session code beside a distinct procedure."""
    return Fact(value=ctx.payer.modifiers.distinct_procedure.allowed_with_other_procedure)


@predicate(params=("claimed", "supported", "basis"), itemised=True)
def claim_code_mismatch(ctx: NoteContext) -> Fact:
    """One item per proposed per-session code other than the one the documentation supports."""
    review = _review(ctx)
    return _review_items(review.mismatches) if review else Fact(value=False)


# ------------------------------------------------------------------------------------- patient history


@predicate(scope="history", params=("count", "limit", "window_days", "earlier_dates"))
def sessions_exceed_frequency_limit(ctx: HistoryContext) -> Fact:
    """Check that the payer's sessions-per-window limit is already reached before this session."""
    return Fact(
        value=len(ctx.earlier) >= ctx.policy.sessions,
        params={
            "count": str(len(ctx.earlier) + 1),
            "limit": str(ctx.policy.sessions),
            "window_days": str(ctx.policy.window_days),
            "earlier_dates": _join([d.isoformat() for d in ctx.earlier]),
        },
    )
