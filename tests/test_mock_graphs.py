"""StartMonitoringMember: behavior graphs and member accounts, made by provider states.

SPEC section 5: ``graph has member`` gives 200 for an ``ACCEPTED_BUT_DISABLED`` member (which
becomes ``ENABLED``) and 409 for an invited or verifying one; ``graph member limit reached``
gives 402; a graph, or a member of it, that does not exist gives 404.  The mock answers an
``ENABLED`` member 200 (enabling it again changes nothing).
"""

from __future__ import annotations

import pytest
from mock_server import GRAPH_ARN, MEMBER, START_MONITORING, Answer, call_signed, new_app, set_state

from harness.mock import MockApp

OTHER_GRAPH = GRAPH_ARN.replace("027c7c", "ffffff")


@pytest.fixture
def app() -> MockApp:
    return new_app()


def enable(app: MockApp, graph: str = GRAPH_ARN, account: str = MEMBER) -> Answer:
    return call_signed(app, START_MONITORING, {"GraphArn": graph, "AccountId": account})


def member(app: MockApp, status: str, graph: str = GRAPH_ARN, account: str = MEMBER) -> None:
    answer = set_state(app, "setup", "graph has member", {"GraphArn": graph, "AccountId": account, "Status": status})
    assert answer.status == 200


def test_an_accepted_but_disabled_member_is_enabled(app: MockApp) -> None:
    member(app, "ACCEPTED_BUT_DISABLED")
    assert enable(app).status == 200
    assert app.handlers[START_MONITORING].member_status(GRAPH_ARN, MEMBER) == "ENABLED"  # type: ignore[attr-defined]


def test_an_enabled_member_is_enabled_again(app: MockApp) -> None:
    member(app, "ENABLED")
    assert enable(app).status == 200
    assert enable(app).status == 200


@pytest.mark.parametrize("status", ["INVITED", "VERIFICATION_IN_PROGRESS", "VERIFICATION_FAILED"])
def test_a_member_that_has_not_accepted_is_a_conflict(app: MockApp, status: str) -> None:
    member(app, status)
    answer = enable(app)
    assert (answer.status, answer.error) == (409, "ConflictException")
    assert status in answer.json()["Message"]


def test_a_graph_that_does_not_exist_is_not_found(app: MockApp) -> None:
    member(app, "ACCEPTED_BUT_DISABLED")
    answer = enable(app, graph=OTHER_GRAPH)
    assert (answer.status, answer.error) == (404, "ResourceNotFoundException")
    assert "does not exist" in answer.json()["Message"]


def test_an_account_that_is_not_a_member_of_the_graph_is_not_found(app: MockApp) -> None:
    member(app, "ACCEPTED_BUT_DISABLED")
    answer = enable(app, account="000000000000")
    assert (answer.status, answer.error) == (404, "ResourceNotFoundException")
    assert "not a member" in answer.json()["Message"]


def test_a_full_graph_refuses_to_enable_another_member(app: MockApp) -> None:
    set_state(app, "setup", "graph member limit reached", {"GraphArn": GRAPH_ARN, "AccountId": MEMBER})
    answer = enable(app)
    assert (answer.status, answer.error) == (402, "ServiceQuotaExceededException")
    assert answer.json()["Resources"] == [GRAPH_ARN]
    assert enable(app).status == 402  # the account stays ACCEPTED_BUT_DISABLED


def test_a_full_graph_refuses_every_accepted_but_disabled_member(app: MockApp) -> None:
    set_state(app, "setup", "graph member limit reached", {"GraphArn": GRAPH_ARN, "AccountId": MEMBER})
    member(app, "ACCEPTED_BUT_DISABLED", account="000000000000")
    member(app, "ENABLED", account="111111111111")
    assert enable(app, account="000000000000").status == 402
    assert enable(app, account="111111111111").status == 200


def test_the_latest_setup_of_an_account_is_in_effect_until_its_teardown(app: MockApp) -> None:
    member(app, "ACCEPTED_BUT_DISABLED")
    member(app, "INVITED")
    assert enable(app).status == 409
    params = {"GraphArn": GRAPH_ARN, "AccountId": MEMBER, "Status": "INVITED"}
    assert set_state(app, "teardown", "graph has member", params).json()["undone"] == 1
    assert enable(app).status == 200


def test_teardown_removes_the_member_and_the_graph_it_made(app: MockApp) -> None:
    params = {"GraphArn": GRAPH_ARN, "AccountId": MEMBER, "Status": "ACCEPTED_BUT_DISABLED"}
    set_state(app, "setup", "graph has member", params)
    assert enable(app).status == 200
    set_state(app, "teardown", "graph has member", params)
    assert enable(app).status == 404
