"""The curated contracts stay docs-first: importing their operations from botocore yields every
rule of theirs, except the differences each records under ``x-harness.drift``.

Both sides are reduced to facts by :mod:`harness.drift` (the one place that compares a
contract with the model): a curated fact is either the imported one, or a drift note records
that botocore's value, the imported one, differs from it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contract import Contract, contract_from_document, load_contracts
from harness.drift import contract_facts
from harness.importer import find_contract, operation_document
from harness.rules import Rule, format_location

CURATED = load_contracts()


def imported(operation: str) -> Contract:
    return contract_from_document(operation_document(operation), file=Path(f"{operation}.json"))


@pytest.mark.parametrize("operation", sorted(CURATED))
def test_importing_a_curated_operation_yields_its_rules_but_the_recorded_drift(operation: str) -> None:
    curated = CURATED[operation]
    ours, theirs = contract_facts(curated), contract_facts(imported(operation))
    notes = {note.fact: note for note in curated.drift}
    unexplained = {
        fact: (value, theirs.get(fact))
        for fact, value in ours.items()
        if value != theirs.get(fact) and not (fact in notes and notes[fact].botocore == theirs.get(fact))
    }
    assert unexplained == {}


@pytest.mark.parametrize("operation", sorted(CURATED))
def test_every_rule_of_a_curated_contract_is_a_compared_fact(operation: str) -> None:
    curated = CURATED[operation]
    facts = contract_facts(curated)
    missing = [
        (rule.id, keyword, fact)
        for rule in curated.request_rules
        for keyword in rule.keywords
        if (fact := _fact_of(rule, keyword)) is not None and fact not in facts
    ]
    assert missing == []


def _fact_of(rule: Rule, keyword: str) -> str | None:
    """The drift fact of one keyword of a rule (``None``: a minimum of 0, which is no constraint)."""
    place = "request" + format_location(rule.location)[1:]
    if keyword in ("minLength", "minItems", "minProperties") and rule.schema[keyword] == 0:
        return None
    named = {"type": place, "additionalProperties": f"{place}.union", "const": f"{place}.enum"}
    return named.get(keyword, f"{place}.{keyword}")


def test_the_recorded_drift_is_what_the_import_differs_in() -> None:
    create_scope = CURATED["networkflowmonitor:CreateScope"]
    theirs = contract_facts(imported(create_scope.id))
    assert theirs["request.targets.maxItems"] == 1000  # the documentation says 100
    assert contract_facts(create_scope)["request.targets.maxItems"] == 100


@pytest.mark.parametrize("operation", sorted(CURATED))
def test_a_curated_contract_wins_over_the_import(operation: str) -> None:
    told: list[str] = []
    found = find_contract(CURATED, operation, on_import=lambda contract: told.append(contract.id))
    assert found is CURATED[operation]
    assert found.imported is None
    assert told == []
