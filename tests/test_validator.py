"""The validator: every violation of a body, each traced to its rule, most specific first.

Also: a JSON ``null`` member is an absent member (SPEC section 2), and the fast path
(``jsonschema-rs`` with the same ECMA-262 ``pattern``) gives the very verdicts of
``jsonschema``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import validator as validator_module
from harness.contract import Contract, load_contracts
from harness.validator import SchemaValidator, Violation, without_null_members

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
ACCOUNT = "444455556666"
TOKEN = "0123abcd-4567-89ef-0123-456789abcdef"
GRAPH_ARN = "arn:aws:detective:us-east-1:111122223333:graph:027c7c4610ea4aacaf0b883093cab899"


def target(account: Any = ACCOUNT) -> dict[str, Any]:
    return {"region": "us-east-1", "targetIdentifier": {"targetId": {"accountId": account}, "targetType": "ACCOUNT"}}


@pytest.fixture(scope="module")
def contracts() -> dict[str, Contract]:
    return load_contracts()


@pytest.fixture(scope="module")
def scope_validator(contracts: dict[str, Contract]) -> SchemaValidator:
    return contracts[CREATE_SCOPE].request_validator


def rule_ids(violations: list[Violation]) -> list[str]:
    return [v.rule.id if v.rule else "(none)" for v in violations]


# --------------------------------------------------------------------------- every violation, ranked


def test_every_violation_is_collected_not_only_the_first(scope_validator: SchemaValidator) -> None:
    body = {"targets": [target("1"), target(ACCOUNT), target("x" * 12)], "clientToken": "X", "tags": {"": "v"}}
    violations = scope_validator.violations(body)
    assert [(v.path, v.rule.id if v.rule else None) for v in violations] == [
        ("$.targets[0].targetIdentifier.targetId.accountId", "accountId.length"),
        ("$.targets[0].targetIdentifier.targetId.accountId", "accountId.pattern"),
        ("$.targets[2].targetIdentifier.targetId.accountId", "accountId.pattern"),
        ("$.clientToken", "clientToken.length"),
        ("$.clientToken", "clientToken.pattern"),
        ("$.tags", "tags.key.length"),
    ]


def test_the_deepest_violation_comes_first(contracts: dict[str, Contract]) -> None:
    violations = contracts[START_MONITORING].request_validator.violations({"GraphArn": "arn"})
    assert [(v.path, v.keyword) for v in violations] == [("$.GraphArn", "pattern"), ("$", "required")]


def test_a_violation_carries_its_rule_and_keyword(scope_validator: SchemaValidator) -> None:
    (violation,) = scope_validator.violations({"targets": [target()] * 101})
    assert violation.path == "$.targets"
    assert violation.keyword == "maxItems"
    assert violation.rule is not None
    assert violation.rule.qualified_id == f"{CREATE_SCOPE}/targets.items"
    assert violation.rule.pointer == "/components/schemas/CreateScopeRequest/properties/targets/x-rules/1"
    assert violation.describe() == (
        f"$.targets: {violation.message} [targets.items: "
        "Array Members: Minimum number of 1 item. Maximum number of 100 items.]"
    )


def test_a_violation_quotes_a_long_value_cut_with_its_size(scope_validator: SchemaValidator) -> None:
    """jsonschema quotes the whole value ("'aaa...' is too long"): an 8,193-character
    description of an example would fill a terminal, so a message quotes the start of it."""
    long_token = [v for v in scope_validator.violations({"targets": [target()], "clientToken": "a" * 5000})
                  if v.keyword == "maxLength"]  # fmt: skip
    (violation,) = long_token
    assert violation.message == f"'{'a' * 77}…' (5,000 characters) is too long"
    (many,) = scope_validator.violations({"targets": [target()] * 101})
    assert "(101 items)" in many.message and len(many.message) < 160
    (short,) = scope_validator.violations({"targets": []})
    assert short.message == "[] should be non-empty"


def test_a_violation_without_a_rule_describes_itself_plainly(contracts: dict[str, Contract]) -> None:
    validator = contracts[CREATE_SCOPE].error_validator("ValidationException")
    assert validator is not None
    (violation,) = [v for v in validator.violations({"message": 5}) if v.rule is None]
    assert violation.describe() == "$.message: 5 is not of type 'string'"


def test_a_valid_body_has_no_violations(scope_validator: SchemaValidator) -> None:
    body = {"targets": [target()] * 100, "clientToken": TOKEN, "tags": {f"k{i}": "v" * 256 for i in range(200)}}
    assert scope_validator.violations(body) == []
    assert scope_validator.is_valid(body)


# --------------------------------------------------------------------------- null members


def test_a_null_optional_member_is_absent(scope_validator: SchemaValidator) -> None:
    body = {"targets": [target()], "clientToken": None, "tags": None}
    assert scope_validator.is_valid(body)
    assert scope_validator.violations(body) == []


def test_a_null_required_member_is_missing(scope_validator: SchemaValidator) -> None:
    assert rule_ids(scope_validator.violations({"targets": None})) == ["targets.required"]
    body = {"targets": [{"region": None, "targetIdentifier": target()["targetIdentifier"]}]}
    assert rule_ids(scope_validator.violations(body)) == ["targetResource.required"]


def test_a_null_array_item_is_kept_and_is_not_an_object(scope_validator: SchemaValidator) -> None:
    assert rule_ids(scope_validator.violations({"targets": [None]})) == ["targetResource.type"]


def test_a_caller_that_has_removed_the_nulls_has_the_instance_judged_as_it_is(
    scope_validator: SchemaValidator,
) -> None:
    body = {"targets": [target()], "clientToken": None}
    assert scope_validator.is_valid(without_null_members(body), nulls_removed=True)
    # the caller's word is taken: a null left in is judged as a value (not a string)
    assert not scope_validator.is_valid(body, nulls_removed=True)


def test_without_null_members_copies_and_keeps_array_items() -> None:
    body = {"a": None, "b": {"c": None, "d": [None, {"e": None}]}}
    assert without_null_members(body) == {"b": {"d": [None, {}]}}
    assert body == {"a": None, "b": {"c": None, "d": [None, {"e": None}]}}  # unchanged


# --------------------------------------------------------------------------- responses and errors


def test_the_success_body_is_validated_with_its_rules(contracts: dict[str, Contract]) -> None:
    validator = contracts[CREATE_SCOPE].success_validator
    assert validator is not None
    good = {"scopeId": "s-1", "status": "SUCCEEDED", "scopeArn": "arn:aws:networkflowmonitor::1:scope/s-1"}
    assert validator.is_valid(good)
    bad = {**good, "status": "DONE", "scopeArn": "urn:x"}
    assert set(rule_ids(validator.violations(bad))) == {
        "response.status.enum",
        "response.scopeArn.length",
        "response.scopeArn.pattern",
    }


def test_an_operation_with_an_empty_success_body_has_no_success_validator(contracts: dict[str, Contract]) -> None:
    assert contracts[START_MONITORING].success_validator is None


def test_error_bodies_carry_their_message_member(contracts: dict[str, Contract]) -> None:
    detective = contracts[START_MONITORING].error_validator("ValidationException")
    assert detective is not None
    assert detective.is_valid({"Message": "no", "ErrorCode": "INVALID_GRAPH_ARN"})
    assert not detective.is_valid({"message": "no"})
    assert not detective.is_valid({"Message": "no", "ErrorCode": "SOMETHING_ELSE"})
    assert contracts[START_MONITORING].error_validator("NoSuchException") is None


# --------------------------------------------------------------------------- values outside JSON's reach


def test_a_lone_surrogate_is_judged_not_a_crash(contracts: dict[str, Contract]) -> None:
    """JSON text may escape a lone surrogate (``"\\ud800"``); UTF-8, and so regress, cannot hold one."""
    body = json.loads('{"AccountId": "44445555666\\ud800", "GraphArn": "' + GRAPH_ARN + '"}')
    validator = contracts[START_MONITORING].request_validator
    assert rule_ids(validator.violations(body)) == ["AccountId.pattern"]
    assert not validator.is_valid(body)
    tag = json.loads('{"targets": [], "tags": {"k": "\\udc00"}}')
    assert rule_ids(contracts[CREATE_SCOPE].request_validator.violations(tag)) == ["targets.items"]


def test_a_huge_integer_is_judged_not_a_crash(contracts: dict[str, Contract]) -> None:
    validator = contracts[START_MONITORING].request_validator
    assert rule_ids(validator.violations({"AccountId": 10**40, "GraphArn": GRAPH_ARN})) == ["AccountId.type"]


# --------------------------------------------------------------------------- the fast path agrees


@pytest.fixture(scope="module")
def slow_contracts() -> Iterator[dict[str, Contract]]:
    """The contracts again, their validators built without jsonschema-rs: jsonschema alone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validator_module, "_JSONSCHEMA_RS", None)
        contracts = load_contracts()
        for contract in contracts.values():
            assert contract.request_validator._fast is None
        yield contracts


def mostly(valid: Any, *invalid: Any) -> st.SearchStrategy[Any]:
    """``valid`` three times in four, else one of ``invalid``: both verdicts come up."""
    return st.sampled_from([valid] * 3 * len(invalid) + list(invalid))


ACCOUNTS = mostly(ACCOUNT, "44445555666\n", "\u0664" * 12, "\uff14" * 12, "1", 444455556666, None)
TARGETS = st.builds(
    lambda account, region, kind: {
        "region": region,
        "targetIdentifier": {"targetId": {"accountId": account}, "targetType": kind},
    },
    ACCOUNTS,
    mostly("us-east-1", 5, None),
    mostly("ACCOUNT", "account", None),
)
NEAR_VALID_SCOPES = st.fixed_dictionaries(
    {"targets": st.lists(TARGETS, min_size=1, max_size=2) | st.sampled_from([[], None, "x"])},
    optional={
        "clientToken": mostly(TOKEN, TOKEN.upper(), TOKEN + "0", 36),
        "tags": st.dictionaries(
            st.text(min_size=1, max_size=3) | st.sampled_from(["", "\U0001f600" * 128, "\U0001f600" * 129]),
            st.text(max_size=3) | st.sampled_from([None, 1, "\U0001f600" * 256, "\U0001f600" * 257]),
            max_size=3,
        ),
    },
)
NEAR_VALID_MEMBERS = st.fixed_dictionaries(
    {
        "AccountId": ACCOUNTS,
        "GraphArn": mostly(
            GRAPH_ARN, GRAPH_ARN + "\n", GRAPH_ARN.upper(), GRAPH_ARN.replace("us-east-1", "eu-w\u00e9st-1"), None
        ),
    },
)


@pytest.mark.skipif(validator_module._JSONSCHEMA_RS is None, reason="jsonschema-rs is not installed")
class TestTheFastPathAgrees:
    def test_it_is_in_use(self, scope_validator: SchemaValidator) -> None:
        assert scope_validator._fast is not None

    @pytest.mark.parametrize(
        "body",
        [
            {"targets": [target()]},
            {"targets": [target("44445555666\n")]},
            {"targets": [target("\u0664" * 12)]},
            {"targets": [target()], "tags": {"\U0001f600" * 128: "v"}},
            {"targets": [target()], "tags": {"\U0001f600" * 129: "v"}},
            {"targets": [target()], "clientToken": TOKEN.upper()},
            {"targets": [target()] * 101},
            {"targets": [{"region": "x", "targetIdentifier": {"targetId": {}, "targetType": "ACCOUNT"}}]},
            {"targets": [target()], "extra": None},
            {"targets": [target()], 1: "a key that is not a string"},
            [],
            "targets",
            None,
        ],
    )
    def test_on_chosen_bodies(
        self, scope_validator: SchemaValidator, slow_contracts: dict[str, Contract], body: Any
    ) -> None:
        slow = slow_contracts[CREATE_SCOPE].request_validator
        assert scope_validator.is_valid(body) == slow.is_valid(body)
        assert scope_validator.violations(body) == slow.violations(body)

    @settings(max_examples=300, deadline=None)
    @given(body=NEAR_VALID_SCOPES)
    def test_on_generated_scopes(
        self, contracts: dict[str, Contract], slow_contracts: dict[str, Contract], body: Any
    ) -> None:
        fast, slow = contracts[CREATE_SCOPE].request_validator, slow_contracts[CREATE_SCOPE].request_validator
        assert fast.is_valid(body) == slow.is_valid(body)
        assert fast.violations(body) == slow.violations(body)

    @settings(max_examples=100, deadline=None)
    @given(body=NEAR_VALID_MEMBERS)
    def test_on_generated_members(
        self, contracts: dict[str, Contract], slow_contracts: dict[str, Contract], body: Any
    ) -> None:
        fast = contracts[START_MONITORING].request_validator
        slow = slow_contracts[START_MONITORING].request_validator
        assert fast.is_valid(body) == slow.is_valid(body)
        assert fast.violations(body) == slow.violations(body)
