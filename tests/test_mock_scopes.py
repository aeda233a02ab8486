"""CreateScope: new scopes, idempotency by ``clientToken`` (SPEC 4.4), the scope quota state.

The same token with an identical body gets the same ``scopeId`` and ``scopeArn`` again,
also when many requests race with it; the same token with a different body gets 409.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from mock_server import CREATE_SCOPE, TARGET, Server, call_signed, contract, new_app, serve, set_state

from harness import ecma
from harness.mock import MockApp
from harness.mock.scopes import ACCOUNT_ID


@pytest.fixture
def app() -> MockApp:
    return new_app()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def token() -> str:
    return str(uuid.uuid4())


def create(app: MockApp, **members: Any) -> Any:
    answer = call_signed(app, CREATE_SCOPE, {"targets": [TARGET], **members})
    return answer.status, answer.json()


def test_a_scope_gets_an_id_a_status_and_an_arn_of_the_documented_shape(app: MockApp) -> None:
    status, scope = create(app)
    assert status == 200
    assert scope["status"] == "SUCCEEDED"
    assert scope["scopeArn"] == f"arn:aws:networkflowmonitor:us-east-1:{ACCOUNT_ID}:scope/{scope['scopeId']}"
    assert 20 <= len(scope["scopeArn"]) <= 2048
    assert ecma.matches("arn:.*", scope["scopeArn"])


def test_each_request_without_a_token_makes_a_new_scope(app: MockApp) -> None:
    assert create(app)[1]["scopeId"] != create(app)[1]["scopeId"]


def test_tags_are_echoed_when_given_and_absent_otherwise(app: MockApp) -> None:
    assert create(app, tags={"team": "net", "empty": ""})[1]["tags"] == {"team": "net", "empty": ""}
    assert create(app, tags={})[1]["tags"] == {}
    assert "tags" not in create(app)[1]


def test_the_same_token_and_body_get_the_same_scope_again(app: MockApp) -> None:
    same = token()
    first, again = create(app, clientToken=same), create(app, clientToken=same)
    assert first == again
    assert first[0] == 200


def test_an_identical_body_may_differ_in_member_order_and_in_null_members(app: MockApp) -> None:
    same = token()
    first = call_signed(app, CREATE_SCOPE, {"clientToken": same, "targets": [TARGET]}).json()
    again = call_signed(app, CREATE_SCOPE, {"targets": [TARGET], "clientToken": same, "tags": None}).json()
    assert first["scopeId"] == again["scopeId"]


@pytest.mark.parametrize(
    "change",
    [
        {"targets": [TARGET, TARGET]},
        {"targets": [{**TARGET, "region": "eu-west-1"}]},
        {"tags": {"a": "b"}},
    ],
)
def test_the_same_token_with_a_different_body_is_a_conflict(app: MockApp, change: dict[str, Any]) -> None:
    same = token()
    assert create(app, clientToken=same)[0] == 200
    status, error = create(app, clientToken=same, **change)
    assert status == 409
    assert contract(CREATE_SCOPE).errors["ConflictException"] == 409
    assert same in error["message"]


def test_a_refused_request_does_not_claim_its_token(app: MockApp) -> None:
    same = token()
    set_state(app, "setup", "scope quota reached")
    assert create(app, clientToken=same)[0] == 402
    set_state(app, "teardown", "scope quota reached")
    assert create(app, clientToken=same, tags={"now": "different"})[0] == 200


def test_while_the_quota_is_reached_new_tokens_and_no_token_get_402(app: MockApp) -> None:
    set_state(app, "setup", "scope quota reached")
    assert create(app)[0] == 402
    assert create(app, clientToken=token())[0] == 402
    set_state(app, "teardown", "scope quota reached")
    assert create(app)[0] == 200


def test_while_the_quota_is_reached_a_replayed_token_still_gets_its_recorded_answer(app: MockApp) -> None:
    same = token()
    recorded = create(app, clientToken=same)
    set_state(app, "setup", "scope quota reached")
    assert create(app, clientToken=same) == recorded
    assert create(app, clientToken=same, tags={"x": "y"})[0] == 409


def test_concurrent_requests_with_one_token_make_one_scope(server: Server) -> None:
    same = token()
    document = {"targets": [TARGET], "clientToken": same}
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: server.signed(CREATE_SCOPE, document), range(48)))
    assert {answer.status for answer in answers} == {200}
    assert len({answer.json()["scopeId"] for answer in answers}) == 1
    assert len({answer.json()["scopeArn"] for answer in answers}) == 1


def test_concurrent_requests_with_one_token_and_different_bodies_make_one_scope_and_conflicts(
    server: Server,
) -> None:
    same = token()
    bodies = [{"targets": [TARGET], "clientToken": same, "tags": {"n": str(i % 2)}} for i in range(32)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda body: server.signed(CREATE_SCOPE, body), bodies))
    winners = [a for a in answers if a.status == 200]
    assert len({a.json()["scopeId"] for a in winners}) == 1
    assert {a.json()["tags"]["n"] for a in winners} == {winners[0].json()["tags"]["n"]}
    assert {a.status for a in answers} == {200, 409}
