"""Generation: both sides of every rule, and only bodies the validator agrees with."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from harness.case import Intent
from harness.contract import Contract, load_contracts
from harness.generation.boundaries import BoundaryProbes, Probe
from harness.generation.mutations import invalid_bodies
from harness.generation.patterns import near_misses, quantifier_variants
from harness.generation.values import ValueStrategies, draw, minimal
from harness.generation.wire import escaped
from harness.rules import value_at

CONTRACTS = load_contracts()
CREATE_SCOPE = CONTRACTS["networkflowmonitor:CreateScope"]
START_MONITORING = CONTRACTS["detective:StartMonitoringMember"]


@pytest.fixture(scope="module", params=sorted(CONTRACTS), ids=str)
def probes(request: pytest.FixtureRequest) -> tuple[Contract, list[Probe]]:
    contract = CONTRACTS[request.param]
    return contract, BoundaryProbes(contract).all()


def by_rule(probes: list[Probe]) -> dict[str | None, dict[Intent, list[Probe]]]:
    table: dict[str | None, dict[Intent, list[Probe]]] = defaultdict(lambda: defaultdict(list))
    for probe in probes:
        table[probe.rule][probe.intent].append(probe)
    return table


def test_every_rule_has_an_invalid_side(probes: tuple[Contract, list[Probe]]) -> None:
    contract, found = probes
    table = by_rule(found)
    missing = [rule.id for rule in contract.request_rules if not table[rule.id][Intent.INVALID]]
    assert missing == []


def test_valid_probes_are_valid_and_invalid_probes_break_their_rule(probes: tuple[Contract, list[Probe]]) -> None:
    contract, found = probes
    for probe in found:
        violations = contract.request_validator.violations(probe.body)
        if probe.intent is Intent.VALID:
            assert violations == [], probe.description
        else:
            assert probe.rule in {v.rule.id for v in violations if v.rule}, probe.description


def test_probes_are_deterministic() -> None:
    first = [(p.rule, p.description, p.body) for p in BoundaryProbes(START_MONITORING).all()]
    second = [(p.rule, p.description, p.body) for p in BoundaryProbes(START_MONITORING).all()]
    assert first == second


def sizes(found: list[Probe], rule: str, intent: Intent, location: tuple[Any, ...]) -> set[int]:
    return {len(value_at(location, p.body)) for p in by_rule(found)[rule][intent]}


@pytest.mark.parametrize(
    ("rule", "location", "valid", "invalid"),
    [
        ("targets.items", ("targets",), {1, 100}, {0, 101}),
        ("tags.entries", ("tags",), {0, 200}, {201}),
        ("clientToken.length", ("clientToken",), {36}, {35, 37}),
    ],
)
def test_create_scope_counts_and_lengths_on_both_sides(
    rule: str, location: tuple[Any, ...], valid: set[int], invalid: set[int]
) -> None:
    found = BoundaryProbes(CREATE_SCOPE).all()
    assert valid <= sizes(found, rule, Intent.VALID, location)
    assert invalid <= sizes(found, rule, Intent.INVALID, location)


def test_tag_keys_and_values_on_both_sides() -> None:
    found = BoundaryProbes(CREATE_SCOPE).all()
    table = by_rule(found)
    key_lengths = {
        intent: {len(next(iter(p.body["tags"]))) for p in table["tags.key.length"][intent]}
        for intent in (Intent.VALID, Intent.INVALID)
    }
    assert {1, 128} <= key_lengths[Intent.VALID]
    assert {0, 129} <= key_lengths[Intent.INVALID]
    value_lengths = {
        intent: {len(next(iter(p.body["tags"].values()))) for p in table["tags.value.length"][intent]}
        for intent in (Intent.VALID, Intent.INVALID)
    }
    assert {0, 256} <= value_lengths[Intent.VALID]
    assert 257 in value_lengths[Intent.INVALID]


def test_account_ids_of_11_and_13_digits_are_invalid_and_12_valid() -> None:
    found = BoundaryProbes(START_MONITORING).all()
    invalid = {
        p.body["AccountId"]
        for p in found
        if p.intent is Intent.INVALID and isinstance(p.body, dict) and isinstance(p.body.get("AccountId"), str)
    }
    assert "0" * 11 in invalid
    assert "0" * 13 in invalid
    assert all(len(p.body["AccountId"]) == 12 for p in found if p.intent is Intent.VALID)


def test_near_misses_include_the_ecma_traps() -> None:
    labels = dict(near_misses("444455556666"))
    assert labels["a trailing newline ($ must not match before it)"] == "444455556666\n"
    assert labels["an Arabic-Indic digit (\\d is ASCII)"] == "\u0664" + "44455556666"
    assert labels["full-width digits (\\d is ASCII)"].startswith("\uff14")
    assert "é" in labels["a non-ASCII letter (\\w is ASCII)"]


def test_quantifier_variants_cover_each_graph_arn_part() -> None:
    pattern = CONTRACTS["detective:StartMonitoringMember"].request_schema()["properties"]["GraphArn"]["pattern"]
    labels = [label for label, _ in quantifier_variants(pattern)]
    for part in ("{0,10}", "{2,20}", "{12}", "{32}"):
        assert any(part in label and "one above" in label for label in labels), part
    assert any("{2,20}" in label and "one below" in label for label in labels)


def test_the_targetid_union_gets_a_second_member_and_no_member() -> None:
    found = by_rule(BoundaryProbes(CREATE_SCOPE).all())["targetId.union"][Intent.INVALID]
    unions = [p.body["targets"][0]["targetIdentifier"]["targetId"] for p in found]
    assert {} in unions
    assert any(len(u) == 2 and "accountId" in u for u in unions)


def test_generated_valid_bodies_are_valid_by_ecma_rules() -> None:
    strategy = ValueStrategies(CREATE_SCOPE).body()
    for salt in range(5):
        body = draw(strategy, seed_value=salt)
        assert CREATE_SCOPE.request_validator.violations(body) == []
    assert minimal(strategy) == {
        "targets": [{"region": "", "targetIdentifier": {"targetId": {"accountId": "0" * 12}, "targetType": "ACCOUNT"}}]
    }


def test_random_invalid_bodies_are_invalid_mutations_of_the_given_bases() -> None:
    base = minimal(ValueStrategies(CREATE_SCOPE).body())
    tagged = {**base, "tags": {"team": "network"}}
    strategy = invalid_bodies(CREATE_SCOPE, [base, tagged])
    bodies = [draw(strategy, seed_value=salt, index=3) for salt in range(20)]
    assert all(CREATE_SCOPE.request_validator.violations(body) for body in bodies)
    # most mutations keep some of their base: a member or an account id of the bases survives
    kept = [b for b in bodies if isinstance(b, dict) and ("targets" in b or b.get("tags") == {"team": "network"})]
    assert len(kept) >= 10


def test_random_invalid_bodies_need_a_base() -> None:
    with pytest.raises(ValueError, match="at least one valid body"):
        invalid_bodies(CREATE_SCOPE, [])


def test_escaped_bodies_are_the_same_document_in_ascii_escapes() -> None:
    body = {"tags": {"k": "é😀"}, "targets": [{"n": 1, "ok": True, "none": None}]}
    wire = escaped(body)
    assert wire.isascii()
    assert b'"\\u0074\\u0061\\u0067\\u0073"' in wire  # keys too
    assert b"\\u00e9\\ud83d\\ude00" in wire  # an astral character as a surrogate pair
    assert json.loads(wire) == body


def test_the_largest_valid_body_has_every_count_and_length_at_its_maximum() -> None:
    probes = BoundaryProbes(CREATE_SCOPE).all()
    largest = next(p for p in probes if p.description.startswith("the largest valid body"))
    body = largest.body
    assert (largest.intent, largest.rule) == (Intent.VALID, None)
    assert CREATE_SCOPE.request_validator.is_valid(body)
    assert len(body["targets"]) == 100
    assert len(body["tags"]) == 200
    assert {len(key) for key in body["tags"]} == {128}
    assert {len(value) for value in body["tags"].values()} == {256}
    assert len(body["clientToken"]) == 36
    assert len(json.dumps(body)) > 64 * 1024  # past the common body limits of proxies and firewalls
