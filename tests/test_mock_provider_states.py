"""The provider-states endpoint (SPEC section 5) at ``/_harness/provider-states``.

``{"action": "setup" | "teardown", "state": NAME, "params": {...}}``, unsigned.  Setup of an
unknown state, or with missing params, gets 400 with a JSON error.  A teardown undoes the
setups of the same state and params, and only those; without params, every setup of that
state; one that matches nothing answers 200 with ``"undone": 0``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from mock_server import (
    CREATE_SCOPE,
    GRAPH_ARN,
    MEMBER,
    START_MONITORING,
    TARGET,
    call,
    call_signed,
    new_app,
    set_state,
)

from harness.mock import STATES_PATH, MockApp

VALID = {CREATE_SCOPE: {"targets": [TARGET]}, START_MONITORING: {"GraphArn": GRAPH_ARN, "AccountId": MEMBER}}


@pytest.fixture
def app() -> MockApp:
    app = new_app()
    params = {"GraphArn": GRAPH_ARN, "AccountId": MEMBER, "Status": "ENABLED"}
    assert set_state(app, "setup", "graph has member", params).status == 200
    return app


def status_of(app: MockApp, operation: str) -> int:
    return call_signed(app, operation, VALID[operation]).status


def test_the_mock_knows_every_state_of_spec_section_5(app: MockApp) -> None:
    assert set(app.states.names) == {
        "scope quota reached",
        "graph has member",
        "graph member limit reached",
        "throttled",
        "internal failure",
        "access denied",
    }


def test_setup_and_teardown_answer_200_with_json(app: MockApp) -> None:
    setup = set_state(app, "setup", "throttled", {"operation": CREATE_SCOPE})
    assert (setup.status, setup.headers["content-type"]) == (200, "application/json")
    assert setup.json()["state"] == "throttled"
    teardown = set_state(app, "teardown", "throttled", {"operation": CREATE_SCOPE})
    assert (teardown.status, teardown.json()["undone"]) == (200, 1)


FAULTS = [
    ("throttled", "ThrottlingException", 429, CREATE_SCOPE),
    ("internal failure", "InternalServerException", 500, CREATE_SCOPE),
    ("internal failure", "InternalServerException", 500, START_MONITORING),
    ("access denied", "AccessDeniedException", 403, CREATE_SCOPE),
    ("access denied", "AccessDeniedException", 403, START_MONITORING),
]


@pytest.mark.parametrize(("state", "error", "status", "operation"), FAULTS)
def test_a_fault_applies_to_its_operation_only_and_until_its_teardown(
    app: MockApp, state: str, error: str, status: int, operation: str
) -> None:
    other = START_MONITORING if operation == CREATE_SCOPE else CREATE_SCOPE
    set_state(app, "setup", state, {"operation": operation})
    answer = call_signed(app, operation, VALID[operation])
    assert (answer.status, answer.error) == (status, error)
    assert status_of(app, other) == 200
    set_state(app, "teardown", state, {"operation": operation})
    assert status_of(app, operation) == 200


def test_throttled_is_unknown_for_an_operation_that_documents_no_429(app: MockApp) -> None:
    answer = set_state(app, "setup", "throttled", {"operation": START_MONITORING})
    assert answer.status == 400
    assert "ThrottlingException" in answer.json()["message"]


def test_faults_apply_to_valid_requests_after_authentication_and_validation(app: MockApp) -> None:
    set_state(app, "setup", "internal failure", {"operation": CREATE_SCOPE})
    assert call(app, "POST", "/scopes", body=b"{}").status == 403
    assert call_signed(app, CREATE_SCOPE, {"targets": []}).status == 400
    assert status_of(app, CREATE_SCOPE) == 500


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "setup", "state": "no such state"},
        {"action": "setup", "state": "graph has member", "params": {"GraphArn": GRAPH_ARN}},
        {"action": "setup", "state": "graph has member", "params": {"GraphArn": GRAPH_ARN, "AccountId": MEMBER}},
        {"action": "setup", "state": "graph member limit reached", "params": {}},
        {"action": "setup", "state": "internal failure"},
        {"action": "setup", "state": "internal failure", "params": {"operation": "nope:Nope"}},
        {"action": "setup", "state": "internal failure", "params": {"operation": 7}},
        {"action": "setup", "state": "scope quota reached", "params": {"unexpected": "x"}},
        {"action": "setup", "state": "graph has member", "params": {"GraphArn": "a", "AccountId": "b", "Status": "X"}},
        {"action": "start", "state": "throttled", "params": {"operation": CREATE_SCOPE}},
        {"action": "setup", "params": {}},
        {"action": "setup", "state": "throttled", "params": ["operation"]},
        ["setup"],
    ],
)
def test_an_unusable_setup_is_a_400_with_a_json_message(app: MockApp, payload: Any) -> None:
    answer = call(app, "POST", STATES_PATH, body=json.dumps(payload).encode())
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["message"]


def test_an_unknown_state_suggests_the_closest_name(app: MockApp) -> None:
    answer = set_state(app, "setup", "throttle", {"operation": CREATE_SCOPE})
    assert "did you mean 'throttled'?" in answer.json()["message"]


def test_a_body_that_is_not_json_is_a_400(app: MockApp) -> None:
    answer = call(app, "POST", STATES_PATH, body=b"{oops")
    assert (answer.status, answer.error) == (400, "SerializationException")


def test_the_endpoint_takes_post_only(app: MockApp) -> None:
    answer = call(app, "GET", STATES_PATH)
    assert answer.status == 405
    assert answer.json()["message"]


def test_a_teardown_undoes_only_the_setup_with_the_same_params(app: MockApp) -> None:
    set_state(app, "setup", "access denied", {"operation": CREATE_SCOPE})
    set_state(app, "setup", "access denied", {"operation": START_MONITORING})
    assert set_state(app, "teardown", "access denied", {"operation": CREATE_SCOPE}).json()["undone"] == 1
    assert status_of(app, CREATE_SCOPE) == 200
    assert status_of(app, START_MONITORING) == 403


def test_a_teardown_without_params_undoes_every_setup_of_that_state(app: MockApp) -> None:
    set_state(app, "setup", "access denied", {"operation": CREATE_SCOPE})
    set_state(app, "setup", "access denied", {"operation": START_MONITORING})
    set_state(app, "setup", "internal failure", {"operation": CREATE_SCOPE})
    undone = call(app, "POST", STATES_PATH, body=b'{"action": "teardown", "state": "access denied"}')
    assert undone.json()["undone"] == 2
    assert status_of(app, START_MONITORING) == 200
    assert status_of(app, CREATE_SCOPE) == 500  # another state's setup stays


def test_a_state_set_up_twice_needs_both_teardowns_undone(app: MockApp) -> None:
    set_state(app, "setup", "scope quota reached")
    set_state(app, "setup", "scope quota reached")
    assert set_state(app, "teardown", "scope quota reached").json()["undone"] == 2
    assert status_of(app, CREATE_SCOPE) == 200


def test_a_teardown_of_what_is_not_set_up_is_harmless(app: MockApp) -> None:
    answer = set_state(app, "teardown", "throttled", {"operation": CREATE_SCOPE})
    assert (answer.status, answer.json()["undone"]) == (200, 0)


def test_a_teardown_of_an_unknown_state_is_a_400(app: MockApp) -> None:
    assert set_state(app, "teardown", "no such state").status == 400


def test_the_endpoint_needs_no_signature(app: MockApp) -> None:
    answer = call(app, "POST", STATES_PATH, body=b'{"action": "setup", "state": "scope quota reached"}')
    assert answer.status == 200
    assert status_of(app, CREATE_SCOPE) == 402
