"""The mock's answers on the wire, as SPEC section 3 fixes them.

Every error names itself in ``x-amzn-ErrorType`` and has a JSON object body carrying the
message in the operation's casing (``message`` for Network Flow Monitor and for AWS's
common authentication errors, ``Message`` for Detective), with the status the contract
declares; every body matches the contract's schema for its status.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mock_server import (
    CREATE_SCOPE,
    GRAPH_ARN,
    MEMBER,
    START_MONITORING,
    TARGET,
    Answer,
    call,
    call_signed,
    contract,
    new_app,
    set_state,
)

from harness.mock import MockApp


@pytest.fixture
def app() -> MockApp:
    return new_app()


@pytest.fixture
def graph(app: MockApp) -> Iterator[None]:
    params = {"GraphArn": GRAPH_ARN, "AccountId": MEMBER, "Status": "INVITED"}
    assert set_state(app, "setup", "graph has member", params).status == 200
    yield


def assert_documented_error(answer: Answer, operation: str, name: str) -> None:
    """``answer`` is error ``name`` exactly as the contract of ``operation`` declares it."""
    target = contract(operation)
    assert answer.error == name
    assert answer.status == target.errors[name]
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-amzn-requestid"]
    document = answer.json()
    validator = target.error_validator(name)
    assert validator is not None
    assert validator.violations(document) == []


def test_create_scope_success_is_json_matching_the_success_schema(app: MockApp) -> None:
    answer = call_signed(app, CREATE_SCOPE, {"targets": [TARGET]})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-amzn-requestid"]
    validator = contract(CREATE_SCOPE).success_validator
    assert validator is not None
    assert validator.violations(answer.json()) == []


def test_start_monitoring_member_success_has_an_empty_body(app: MockApp) -> None:
    params = {"GraphArn": GRAPH_ARN, "AccountId": MEMBER, "Status": "ACCEPTED_BUT_DISABLED"}
    set_state(app, "setup", "graph has member", params)
    answer = call_signed(app, START_MONITORING, {"GraphArn": GRAPH_ARN, "AccountId": MEMBER})
    assert (answer.status, answer.body, answer.headers["content-length"]) == (200, b"", "0")
    assert "content-type" not in answer.headers


@pytest.mark.parametrize(
    ("operation", "document", "error"),
    [
        (CREATE_SCOPE, {"targets": []}, "ValidationException"),
        (CREATE_SCOPE, b"{not json", "SerializationException"),
        (START_MONITORING, {"GraphArn": "arn:nope", "AccountId": MEMBER}, "ValidationException"),
        (START_MONITORING, b"[1,", "SerializationException"),
        (START_MONITORING, {"GraphArn": GRAPH_ARN, "AccountId": "000000000000"}, "ResourceNotFoundException"),
    ],
)
def test_errors_carry_the_operations_message_member(app: MockApp, operation: str, document: Any, error: str) -> None:
    answer = call_signed(app, operation, document)
    assert_documented_error(answer, operation, error)
    member = contract(operation).error_message_member
    assert isinstance(answer.json()[member], str)


@pytest.mark.parametrize("operation", [CREATE_SCOPE, START_MONITORING])
def test_authentication_errors_carry_lower_case_message_whatever_the_service(app: MockApp, operation: str) -> None:
    target = contract(operation)
    answer = call(app, target.method, target.path, body=b"{}", headers={"Content-Type": "application/json"})
    assert_documented_error(answer, operation, "MissingAuthenticationTokenException")
    assert "message" in answer.json()


@pytest.mark.parametrize("operation", [CREATE_SCOPE, START_MONITORING])
@pytest.mark.parametrize(
    ("state", "error"),
    [("internal failure", "InternalServerException"), ("access denied", "AccessDeniedException")],
)
def test_fault_states_answer_documented_errors_with_a_json_body(
    app: MockApp, operation: str, state: str, error: str, graph: None
) -> None:
    set_state(app, "setup", state, {"operation": operation})
    valid = {"targets": [TARGET]} if operation == CREATE_SCOPE else {"GraphArn": GRAPH_ARN, "AccountId": MEMBER}
    answer = call_signed(app, operation, valid)
    assert_documented_error(answer, operation, error)
    assert answer.body  # botocore ignores the error name of a 5xx with an empty body


def test_detective_validation_names_the_bad_graph_arn(app: MockApp) -> None:
    answer = call_signed(app, START_MONITORING, {"GraphArn": "arn:aws:detective:x", "AccountId": MEMBER})
    assert answer.json()["ErrorCode"] == "INVALID_GRAPH_ARN"
    assert "GraphArn.pattern" in answer.json()["Message"]


@pytest.mark.parametrize(
    "document",
    [
        {"GraphArn": GRAPH_ARN, "AccountId": "12"},
        {"GraphArn": GRAPH_ARN},
        {"GraphArn": 7, "AccountId": MEMBER},
        ["GraphArn"],
    ],
)
def test_detective_validation_of_anything_else_is_an_invalid_request_body(app: MockApp, document: Any) -> None:
    answer = call_signed(app, START_MONITORING, document)
    assert_documented_error(answer, START_MONITORING, "ValidationException")
    assert answer.json()["ErrorCode"] == "INVALID_REQUEST_BODY"


def test_a_validation_message_names_each_broken_rule_with_its_sentence(app: MockApp) -> None:
    bad_target = {**TARGET, "region": 5}
    answer = call_signed(app, CREATE_SCOPE, {"targets": [bad_target], "clientToken": "not-a-uuid"})
    message = answer.json()["message"]
    assert message.startswith("3 validation errors detected:")
    for rule in ("region.type", "clientToken.length", "clientToken.pattern"):
        assert rule in message


def test_a_json_null_member_stands_for_an_absent_member(app: MockApp) -> None:
    answer = call_signed(app, CREATE_SCOPE, {"targets": [TARGET], "tags": None, "clientToken": None})
    assert answer.status == 200
    assert "tags" not in answer.json()


def test_non_error_responses_carry_no_error_name(app: MockApp) -> None:
    answer = call_signed(app, CREATE_SCOPE, {"targets": [TARGET]})
    assert answer.error is None
