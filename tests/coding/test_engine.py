"""The rule engine on synthetic rules and predicate values: all/any/none, each, evidence, rendering."""

from __future__ import annotations

import json

import pytest

from tpicoder.coding import code_findings, load_bundle, predicate_catalog
from tpicoder.coding.data import Rule, RulesFile
from tpicoder.coding.engine import RuleHit, evaluate, render_warnings, rule_holds, validate_rules
from tpicoder.coding.predicates import Fact, FactItem
from tpicoder.errors import LexiconError
from tpicoder.schema import Evidence

from .conftest import good_findings

A = Evidence(start=0, end=1, text="a")
B = Evidence(start=2, end=3, text="b")


def facts(**values) -> dict[str, Fact]:
    return {name: value if isinstance(value, Fact) else Fact(value=value) for name, value in values.items()}


def rule(**fields) -> Rule:
    base = {"id": "TEST-RULE-001", "warning": "DOSE_MISSING", "description": "test", "source": "test"}
    return Rule(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "values", "holds"),
    [
        pytest.param({"all": ["p", "q"]}, {"p": True, "q": True}, True, id="all-true"),
        pytest.param({"all": ["p", "q"]}, {"p": True, "q": False}, False, id="all-one-false"),
        pytest.param({"any": ["p", "q"]}, {"p": False, "q": True}, True, id="any-one-true"),
        pytest.param({"any": ["p", "q"]}, {"p": False, "q": False}, False, id="any-none-true"),
        pytest.param({"all": ["p"], "none": ["q"]}, {"p": True, "q": True}, False, id="none-blocks"),
        pytest.param({"all": ["p"], "none": ["q"]}, {"p": True, "q": False}, True, id="none-false-passes"),
        pytest.param(
            {"all": ["p"], "any": ["q", "r"]}, {"p": True, "q": False, "r": False}, False, id="all-and-any"
        ),
    ],
)
def test_rule_holds(fields, values, holds):
    assert rule_holds(rule(**fields), facts(**values)) is holds


def test_each_gives_one_hit_per_item_with_item_evidence_and_params():
    items = [
        FactItem(evidence=[A], params={"substance": "x"}),
        FactItem(evidence=[B], params={"substance": "y"}),
    ]
    hits = evaluate(
        [rule(all=["p", "q"], each="q")],
        facts(p=Fact(value=True, evidence=[B]), q=Fact(value=True, items=items)),
    )
    assert [(h.params["substance"], h.evidence) for h in hits] == [("x", [A]), ("y", [B])]


def test_evidence_only_from_listed_predicates():
    values = facts(p=Fact(value=True, evidence=[A]), q=Fact(value=True, evidence=[B]))
    assert evaluate([rule(all=["p", "q"], evidence=["q"])], values)[0].evidence == [B]
    assert evaluate([rule(all=["p", "q"])], values)[0].evidence == []


def test_hit_records_predicate_values():
    hit = evaluate([rule(all=["p"], none=["q"])], facts(p=True, q=False))[0]
    assert hit == RuleHit(rule_id="TEST-RULE-001", warning="DOSE_MISSING", predicates={"p": True, "q": False})


def test_render_uses_rule_message_override_and_dedupes():
    bundle = load_bundle("cms")
    custom = rule(all=["p"], message="Custom {substance} on {dos}.")
    rules = RulesFile(version="1", source="t", settings=bundle.rules.settings, rules=[custom])
    hit = RuleHit(
        rule_id=custom.id, warning="DOSE_MISSING", predicates={"p": True}, params={"substance": "kenalog"}
    )
    warnings = render_warnings([hit, hit], rules, bundle.warnings, {"payer": "P", "dos": "2025-01-01"})
    assert [(w.message, w.severity, w.rule_id) for w in warnings] == [
        ("Custom kenalog on 2025-01-01.", "warning", "TEST-RULE-001")
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"all": ["no_such"]}, "unknown predicate", id="unknown-predicate"),
        pytest.param({"all": ["sessions_exceed_frequency_limit"]}, "scope", id="wrong-scope"),
        pytest.param(
            {"all": ["procedure_performed"], "each": "procedure_performed"}, "does not return", id="each"
        ),
        pytest.param({"all": ["procedure_performed"]}, "placeholders ['substance']", id="placeholder"),
        pytest.param({"all": ["procedure_performed"], "warning": "NO_SUCH"}, "not defined", id="warning"),
    ],
)
def test_validate_rules_errors(fields, expected):
    bundle = load_bundle("cms")
    rules = RulesFile(version="1", source="t", settings=bundle.rules.settings, rules=[rule(**fields)])
    with pytest.raises(LexiconError) as info:
        validate_rules(rules, bundle.warnings, "rules.yaml")
    assert expected in str(info.value) and "TEST-RULE-001" in str(info.value)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({}, "at least one predicate", id="no-predicates"),
        pytest.param({"all": ["p"], "each": "q"}, "must also be listed", id="each-not-in-all"),
        pytest.param({"all": ["p"], "evidence": ["q"]}, "not in 'all' or 'any'", id="evidence-stray"),
        pytest.param({"all": ["p"], "message": "{0}"}, "snake_case", id="positional-placeholder"),
        pytest.param({"all": ["p"], "id": "lower-case"}, "pattern", id="bad-id"),
    ],
)
def test_rule_model_rejects_bad_shapes(fields, expected):
    with pytest.raises(ValueError) as info:
        rule(**fields)
    assert expected in str(info.value)


def test_catalog_describes_every_predicate():
    catalog = predicate_catalog()
    assert all(entry["description"] for entry in catalog)
    assert {entry["scope"] for entry in catalog} == {"note", "history"}


def test_trace_is_json_and_holds_predicate_values(note):
    result = code_findings(good_findings(note))
    dumped = json.loads(json.dumps(result.model_dump(mode="json")))
    assert dumped["trace"]["predicates"]["procedure_performed"]["value"] is True
    assert dumped["trace"]["procedure"]["code"] == "20552"
    assert "coding/payers/cms.yaml" in dumped["trace"]["lexicon_versions"]
