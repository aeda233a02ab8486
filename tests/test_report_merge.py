"""Merging results documents: operations concatenated, the same operation's results added
up, a failure anywhere stays a failure, and the verdict is recomputed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import report_fixtures as fx

from harness.reporting import merge


def by_id(items: list[dict[str, Any]], key: str = "id") -> dict[Any, dict[str, Any]]:
    return {item[key]: item for item in items}


def test_one_document_merges_into_itself() -> None:
    document = fx.failing_document()
    assert merge([document]) == document


def test_operations_of_different_files_are_concatenated_and_counts_summed() -> None:
    create = fx.document([fx.create_scope(failing=True)], seed=1)
    detective = fx.document([fx.start_monitoring()], seed=2, target="http://other:9000")
    merged = merge([create, detective])
    fx.validate(merged)
    assert [op["id"] for op in merged["operations"]] == [fx.CREATE_SCOPE, fx.START_MONITORING]
    for key in ("cases", "passed", "failed", "warnings", "not_exercised"):
        assert merged["counts"][key] == create["counts"][key] + detective["counts"][key]
    assert merged["verdict"] == "nonconformant"
    assert merged["target"] == "http://127.0.0.1:8080, http://other:9000"
    assert merged["seed"] == 1
    assert merged["duration_s"] == pytest.approx(85.4)
    assert [run["seed"] for run in merged["merged_from"]] == [1, 2]


def test_the_verdict_is_recomputed() -> None:
    conformant = fx.conformant_document()
    assert merge([conformant, conformant])["verdict"] == "conformant"
    assert merge([conformant, fx.failing_document()])["verdict"] == "nonconformant"
    wrong = copy.deepcopy(conformant)
    wrong["verdict"] = "nonconformant"  # a stale verdict is not carried over
    assert merge([wrong, conformant])["verdict"] == "conformant"


def test_the_same_operation_in_two_files_adds_counts_and_combines_verdicts() -> None:
    failing = fx.document([fx.create_scope(failing=True)])
    passing = fx.document([fx.create_scope(failing=False)])
    merged = merge([passing, failing])
    fx.validate(merged)
    (op,) = merged["operations"]
    assert op["counts"]["cases"] == 790 * 2
    assert op["counts"]["failed"] == failing["counts"]["failed"]
    rules = by_id(op["rules"])
    assert rules["clientToken.pattern"]["verdict"] == "fail"  # fail over pass
    assert rules["clientToken.pattern"]["valid_cases"] == 240
    assert rules["clientToken.pattern"]["failures"] == 37
    assert rules["targetId.union"]["verdict"] == "not-exercised"
    checks = by_id(op["checks"])
    assert checks["valid_accepted"] == {**checks["valid_accepted"], "cases": 1100, "failures": 3, "verdict": "fail"}
    statuses = by_id(op["statuses"], "status")
    assert statuses[500]["verdict"] == "fail" and statuses[500]["responses"] == 4
    assert statuses[409]["verdict"] == "not-exercised"
    assert merged["verdict"] == "nonconformant"


def test_a_rule_keeps_the_reproduction_of_a_part_it_failed_in_and_an_unaccepted_start() -> None:
    """A split run over an imported operation: the part where a rule failed gives its
    reproduction; a part whose invalid cases had no accepted start makes the rule's so."""
    passing, failing = fx.create_scope(failing=False), fx.create_scope(failing=True)
    reproduction = {
        "check": "invalid_rejected",
        "message": "answered 200, not 400",
        "description": "d",
        "curl": "curl x",
    }
    for op, started in ((passing, False), (failing, True)):
        for rule in op["rules"]:
            rule["accepted_start"] = started
    next(r for r in failing["rules"] if r["id"] == "clientToken.pattern")["reproduction"] = reproduction
    (op,) = merge([fx.document([passing]), fx.document([failing])])["operations"]
    rule = by_id(op["rules"])["clientToken.pattern"]
    assert rule["reproduction"] == reproduction
    assert rule["accepted_start"] is False


def test_a_pass_in_one_file_covers_not_exercised_in_another() -> None:
    without_states = fx.document([fx.start_monitoring(provider_states=False)])
    with_states = fx.document([fx.start_monitoring(provider_states=True)])
    (op,) = merge([without_states, with_states])["operations"]
    scenarios = by_id(op["scenarios"], "name")
    assert scenarios["member invited"]["verdict"] == "pass"
    assert scenarios["member invited"]["reason"] == ""
    assert op["counts"]["not_exercised"] == 0


def test_statuses_merge_their_error_names_and_rules_new_in_one_file_are_added() -> None:
    first = fx.document([fx.start_monitoring()])
    second = fx.document([fx.start_monitoring()])
    op = second["operations"][0]
    op["statuses"][0]["errors"] = ["ValidationException", "UnsupportedMediaTypeException"]
    op["rules"].append(fx.rule("GraphArn.type", "Type: String", keywords=("type",)))
    (merged,) = merge([first, second])["operations"]
    assert by_id(merged["statuses"], "status")[400]["errors"] == [
        "SerializationException",
        "UnsupportedMediaTypeException",
        "ValidationException",
    ]
    assert [rule["id"] for rule in merged["rules"]][-1] == "GraphArn.type"


def test_failure_groups_of_the_same_check_and_rule_are_joined_with_at_most_five_examples() -> None:
    one = fx.document([fx.create_scope(failing=True)])
    two = fx.document([fx.create_scope(failing=True)])
    extra = two["operations"][0]["failures"][0]
    extra["examples"] = [fx.example(minimal=False, description=f"long {n}") for n in range(4)] + [
        fx.example(minimal=True, description="short")
    ]
    (op,) = merge([one, two])["operations"]
    assert len(op["failures"]) == 3
    group = op["failures"][0]
    assert (group["check"], group["rule"], group["count"]) == ("invalid_rejected", "clientToken.pattern", 74)
    assert len(group["examples"]) == 5
    assert [e["minimal"] for e in group["examples"]] == [True, True, False, False, False]
    assert [e["case"]["description"] for e in group["examples"]][:2] == [
        "clientToken with upper-case hex",
        "short",
    ]


def test_groups_of_different_checks_or_rules_are_concatenated() -> None:
    one = fx.document([fx.create_scope(failing=True)])
    two = fx.document([fx.create_scope(failing=True)])
    two["operations"][0]["failures"][0]["rule"] = "clientToken.length"
    (op,) = merge([one, two])["operations"]
    assert [(g["check"], g["rule"]) for g in op["failures"]] == [
        ("invalid_rejected", "clientToken.pattern"),
        ("valid_accepted", "targets.items"),
        ("status_documented", None),
        ("invalid_rejected", "clientToken.length"),
    ]


def test_the_inputs_are_left_alone() -> None:
    documents = [fx.failing_document(), fx.failing_document()]
    before = copy.deepcopy(documents)
    merged = merge(documents)
    merged["operations"][0]["failures"][0]["examples"].clear()
    assert documents == before


def test_nothing_to_merge_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one results document"):
        merge([])
