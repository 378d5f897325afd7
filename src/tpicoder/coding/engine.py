"""The rule engine: declarative rules over named predicates -> :class:`RuleHit` records -> warnings.

Evaluation has no side effects: :func:`evaluate` turns predicate values into hits, and
:func:`render_warnings` turns hits into contract warnings using ``warnings.yaml``. :func:`validate_rules`
checks a rule file against the predicate vocabulary and the warning definitions at load time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from tpicoder.coding.data import Rule, RulesFile, WarningsFile, template_fields
from tpicoder.coding.predicates import GLOBAL_PARAMS, Fact, PredicateSpec, get_predicate
from tpicoder.errors import LexiconError
from tpicoder.schema import Evidence, Warning

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
"""Warnings are listed errors first, then warnings, then info (CONTRACT.md severities)."""


class RuleHit(BaseModel):
    """One firing of one rule.

    Attributes:
        rule_id: the rule's id.
        warning: the warning code it raises.
        predicates: values of the predicates the rule read.
        evidence: spans behind the hit.
        params: message parameters.

    """

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    warning: str
    predicates: dict[str, bool]
    evidence: list[Evidence] = Field(default_factory=list)
    params: dict[str, str] = Field(default_factory=dict)


def _dedupe(spans: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    out = []
    for span in spans:
        if (span.start, span.end) not in seen:
            seen.add((span.start, span.end))
            out.append(span)
    return out


def rule_holds(rule: Rule, facts: Mapping[str, Fact]) -> bool:
    """Return whether all of ``rule.all``, one of ``rule.any`` (if any) and none of ``rule.none`` hold."""
    if not all(facts[name].value for name in rule.all):
        return False
    if rule.any and not any(facts[name].value for name in rule.any):
        return False
    return not any(facts[name].value for name in rule.none)


def evaluate(rules: Sequence[Rule], facts: Mapping[str, Fact]) -> list[RuleHit]:
    """Evaluate rules against predicate values.

    Args:
        rules: rules of one scope, in file order.
        facts: every predicate of that scope, evaluated.

    Returns:
        Hits in rule order; a rule with ``each`` gives one hit per item.

    """
    hits: list[RuleHit] = []
    for rule in rules:
        if not rule_holds(rule, facts):
            continue
        values = {name: facts[name].value for name in rule.predicates()}
        params: dict[str, str] = {}
        for name in [*rule.all, *(n for n in rule.any if facts[n].value)]:
            params.update(facts[name].params)
        evidence = [span for name in rule.evidence if facts[name].value for span in facts[name].evidence]
        if rule.each is None:
            hits.append(
                RuleHit(
                    rule_id=rule.id,
                    warning=rule.warning,
                    predicates=values,
                    evidence=_dedupe(evidence),
                    params=params,
                )
            )
            continue
        for item in facts[rule.each].items:
            hits.append(
                RuleHit(
                    rule_id=rule.id,
                    warning=rule.warning,
                    predicates=values,
                    evidence=_dedupe([*item.evidence, *evidence]),
                    params={**params, **item.params},
                )
            )
    return hits


def render_warnings(
    hits: Sequence[RuleHit],
    rules: RulesFile,
    warnings: WarningsFile,
    global_params: Mapping[str, str],
) -> list[Warning]:
    """Turn hits into contract warnings, sorted errors first, duplicates dropped.

    Args:
        hits: rule hits.
        rules: for each rule's message override and source.
        warnings: severities and default messages.
        global_params: ``payer`` and ``dos``.

    Returns:
        Warnings sorted by severity, then rule order.

    """
    by_id = {r.id: r for r in rules.rules}
    out: list[Warning] = []
    seen: set[tuple[str, str, tuple[tuple[int, int], ...]]] = set()
    for hit in hits:
        rule = by_id[hit.rule_id]
        definition = warnings.get(hit.warning)
        if definition is None:  # validate_rules makes this impossible for loaded bundles
            continue
        template = " ".join((rule.message or definition.message).split())
        message = template.format_map({**global_params, **hit.params})
        message = message[:1].upper() + message[1:]
        key = (hit.warning, message, tuple((e.start, e.end) for e in hit.evidence))
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Warning(
                code=hit.warning,
                severity=definition.severity,
                message=message,
                evidence=hit.evidence,
                rule_id=rule.id,
                source=rule.source,
            )
        )
    return sorted(out, key=lambda w: SEVERITY_ORDER[w.severity])


def validate_rules(rules: RulesFile, warnings: WarningsFile, rules_path: str) -> None:
    """Check a rule file against the predicate vocabulary and warnings.yaml.

    Every predicate must exist and belong to the rule's scope; ``each`` must be an itemised predicate;
    the warning code must be defined; every placeholder of the message must be a parameter of a
    predicate in ``all`` (or ``payer``/``dos``).

    Args:
        rules: the parsed rule file.
        warnings: the parsed warnings file.
        rules_path: the file path, for error messages.

    Raises:
        LexiconError: naming the file, the rule and the field at fault.

    """
    for index, rule in enumerate(rules.rules):
        where = f"rules[{index}] ({rule.id})"
        definition = warnings.get(rule.warning)
        if definition is None:
            raise LexiconError(
                rules_path, f"{where}.warning: {rule.warning!r} is not defined in warnings.yaml"
            )
        specs: dict[str, PredicateSpec] = {}
        for field_name in ("all", "any", "none"):
            for position, name in enumerate(getattr(rule, field_name)):
                spec = get_predicate(name)
                if spec is None:
                    raise LexiconError(
                        rules_path, f"{where}.{field_name}[{position}]: unknown predicate {name!r}"
                    )
                if spec.scope != rule.scope:
                    raise LexiconError(
                        rules_path,
                        f"{where}.{field_name}[{position}]: predicate {name!r} has scope {spec.scope!r}, "
                        f"the rule has scope {rule.scope!r}",
                    )
                specs[name] = spec
        if rule.each is not None and not specs[rule.each].itemised:
            raise LexiconError(rules_path, f"{where}.each: predicate {rule.each!r} does not return items")
        provided = set(GLOBAL_PARAMS)
        for name in rule.all:
            provided.update(specs[name].params)
        template = rule.message or definition.message
        missing = sorted(template_fields(template) - provided)
        if missing:
            field_name = "message" if rule.message else f"warning {rule.warning} message (warnings.yaml)"
            raise LexiconError(
                rules_path,
                f"{where}.{field_name}: placeholders {missing} are not parameters of the 'all' predicates",
            )
