"""Checks judged on their own: ``stateless_status`` (SPEC 5: statuses that depend on the
server's state are set up through provider states).

The other checks are judged end to end, against the mock and its faulty variants
(``test_faults.py``, ``test_run_engine.py``).
"""

from __future__ import annotations

import json

import pytest

from harness.case import Case, Intent
from harness.checks import Judgement, default_registry
from harness.contract import load_contracts
from harness.result import Response

CONTRACTS = load_contracts()
CREATE_SCOPE = CONTRACTS["networkflowmonitor:CreateScope"]
START_MONITORING = CONTRACTS["detective:StartMonitoringMember"]


def judged(status: int, error: str, *, intent: Intent = Intent.VALID, states_managed: bool = True) -> set[str]:
    """The checks that fail a CreateScope answer of ``status`` named ``error``."""
    case = Case(operation=CREATE_SCOPE.id, intent=intent, origin="generated", description="a body", input={})
    body = json.dumps({"message": "no"}).encode()
    response = Response(status=status, headers={"x-amzn-ErrorType": error}, body=body, elapsed=0.01)
    failures, _ = default_registry().judge(Judgement(CREATE_SCOPE, case, response, states_managed=states_managed))
    return {f.check for f in failures}


def test_the_statuses_only_a_state_gives_come_from_the_contracts_scenarios() -> None:
    # CreateScope: 409 is idempotency's, so a state-free request can get it
    assert CREATE_SCOPE.state_only_statuses == {402, 403, 429, 500}
    # StartMonitoringMember: 404 is the `unknown graph` scenario's, which sets no state
    assert START_MONITORING.state_only_statuses == {402, 403, 409, 500}


@pytest.mark.parametrize(
    ("status", "error"),
    [(402, "ServiceQuotaExceededException"), (403, "AccessDeniedException"), (429, "ThrottlingException")],
)
def test_a_valid_request_outside_any_state_gets_no_status_only_a_state_gives(status: int, error: str) -> None:
    assert "stateless_status" in judged(status, error)


def test_a_5xx_is_left_to_valid_accepted() -> None:
    assert judged(500, "InternalServerException") >= {"valid_accepted"}
    assert "stateless_status" not in judged(500, "InternalServerException")


def test_statuses_a_request_without_state_may_get_pass() -> None:
    assert "stateless_status" not in judged(409, "ConflictException")  # a reused clientToken


def test_without_provider_states_the_target_may_have_state_of_its_own() -> None:
    """A real endpoint's quotas and permissions are not the harness's to set: no failure."""
    assert "stateless_status" not in judged(402, "ServiceQuotaExceededException", states_managed=False)


def test_only_valid_requests_are_judged() -> None:
    assert "stateless_status" not in judged(402, "ServiceQuotaExceededException", intent=Intent.INVALID)
