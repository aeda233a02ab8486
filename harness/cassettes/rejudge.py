"""One recorded exchange judged again, under the contract as it is now.

The case comes from the recording (:mod:`~harness.cassettes.cases`), changed where the contract
decides it:

- a signed request that was meant valid or invalid is read back as its operation input by the
  contract's binding (:func:`harness.binding.decode`) and validated now: valid now is judged
  as valid, invalid now as invalid, aimed at the recorded rule when it still breaks it, else at
  the first rule it breaks.  A request no reader takes the same way (not JSON, a number Python
  cannot hold, nesting past Python's ``json``) keeps its recorded intent;
- a scenario's expectation is the contract's as it is now (:func:`~harness.cassettes.cases.expectation_now`);
- the rest (malformed bodies, other media types, signature tricks, null members) is what its
  bytes are, whatever the contract: it keeps its recorded intent.

Then the same checks as in a live run (:class:`~harness.checks.CheckRegistry`) judge the answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vcr.request import Request

from harness.binding import MalformedRequest, OperationBinding, decode
from harness.case import Auth, Case, Intent
from harness.cassettes.cases import Kept, RecordedCase, expectation_now
from harness.cassettes.filters import ELAPSED
from harness.cassettes.record import FAILURE, TRUNCATED
from harness.checks import CheckRegistry, Judgement, provider_state_setup, target_answers
from harness.contract import Contract
from harness.result import CaseResult, Response, SentRequest

_REVALIDATED = (Intent.VALID, Intent.INVALID)
_READ_AS_SENT = (Auth.SIGNED, Auth.WITHIN_SKEW)  # signed as usual: the body decides its fate
_UNREADABLE = (MalformedRequest, RecursionError, ValueError, UnicodeDecodeError)


@dataclass(frozen=True)
class Recorded:
    """One exchange of a cassette."""

    operation: str  # the operation whose cassette holds it
    request: Request
    response: Mapping[str, Any]
    kept: Kept | None  # what the run kept of it; None: a step of shrinking

    def sent(self) -> SentRequest:
        return SentRequest(self.request.method, self.request.uri, dict(self.request.headers), _bytes(self.request.body))

    def answer(self, max_body: int | None) -> Response | None:
        """The recorded answer (cut at ``max_body``); ``None`` when none came."""
        recorded = self.response
        if isinstance(recorded.get(FAILURE), dict):
            return None
        body = _bytes(recorded["body"]["string"])
        truncated = bool(recorded.get(TRUNCATED))
        if max_body is not None and len(body) > max_body:
            body, truncated = body[:max_body], True
        elapsed = recorded.get(ELAPSED)
        return Response(
            status=int(recorded["status"]["code"]),
            headers={name: ", ".join(values) for name, values in recorded["headers"].items()},
            body=body,
            elapsed=float(elapsed) if isinstance(elapsed, int | float) and not isinstance(elapsed, bool) else 0.0,
            truncated=truncated,
        )

    def failure(self) -> str:
        failure = self.response.get(FAILURE)
        assert isinstance(failure, dict)
        return f"{failure.get('kind', 'reset')}: {failure.get('message', 'no answer')}"


def case_now(recorded: RecordedCase, contract: Contract, binding: OperationBinding, request: SentRequest) -> Case:
    """The case of a recorded request under ``contract`` as it is now."""
    if recorded.intent is Intent.SCENARIO:
        expectation = expectation_now(recorded, contract)
        if expectation is None:  # the scenario is gone: judged as recorded
            return recorded.case(contract.id, body=request.body)
        operation_input = _input(binding, request)
        raw = None if operation_input is not None else request.body
        return recorded.case(contract.id, input=operation_input, body=raw,
                             expected_statuses=expectation.statuses, expected_error=expectation.error)  # fmt: skip
    if recorded.intent not in _REVALIDATED or recorded.auth not in _READ_AS_SENT:
        return recorded.case(contract.id, body=request.body)
    operation_input = _input(binding, request)
    if operation_input is None:
        return recorded.case(contract.id, body=request.body)
    rules = {rule.id for rule in contract.request_rules}
    kept_rule = recorded.rule if recorded.rule in rules else None
    validator = contract.request_validator
    if validator.is_valid(operation_input):
        note = "" if recorded.intent is Intent.VALID else " (recorded as invalid; valid under the contract now)"
        return recorded.case(contract.id, input=operation_input, intent=Intent.VALID, rule=kept_rule,
                             description=recorded.description + note, expected_statuses=())  # fmt: skip
    violations = validator.violations(operation_input)
    broken = [v.rule.id for v in violations if v.rule]
    rule = recorded.rule if recorded.rule in broken else next(iter(broken), None)
    note = ""
    if recorded.intent is Intent.VALID:
        note = f" (recorded as valid; invalid under the contract now: {violations[0].describe()})" if violations else ""
    return recorded.case(contract.id, input=operation_input, intent=Intent.INVALID, rule=rule,
                         description=recorded.description + note, expected_statuses=(400,))  # fmt: skip


def _input(binding: OperationBinding, request: SentRequest) -> dict[str, Any] | None:
    """The operation input ``request`` carries, as the binding reads it; ``None`` when it cannot."""
    parts = urlsplit(request.url)
    path_and_query = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        return decode(binding, request.method, path_and_query, request.headers, request.body)
    except _UNREADABLE:
        return None


def judged(
    exchange: Recorded,
    case: Case,
    contract: Contract,
    *,
    checks: CheckRegistry,
    states_managed: bool,
    max_body: int | None,
) -> CaseResult:
    """``case``'s recorded answer judged by ``checks``, as :class:`harness.engine.exchange.Exchange`
    judges a live one."""
    request = exchange.sent()
    response = exchange.answer(max_body)
    if response is None:
        problem = exchange.failure()
        return CaseResult(
            case=case,
            request=request,
            response=None,
            transport_error=problem,
            failures=checks.run(target_answers, None, problem) or [],
            checks=(target_answers.name,) if target_answers in checks else (),
        )
    failures, ran = checks.judge(Judgement(contract, case, response, states_managed=states_managed))
    answered = checks.run(target_answers, response, None)
    if answered is not None:
        failures += answered
        ran.append(target_answers.name)
    return CaseResult(case=case, request=request, response=response, failures=failures, checks=tuple(ran))


def refused_setup(exchange: Recorded, case: Case, max_body: int | None) -> CaseResult:
    """A provider-state setup the run kept as its scenario's result: judged by
    ``provider_state_setup`` (always, as the live run does: a refused setup stops its scenario)."""
    document = _json_object(exchange.sent().body)
    action, state = str(document.get("action")), str(document.get("state"))
    response = exchange.answer(max_body)
    problem = None if response is not None else exchange.failure()
    failures = provider_state_setup.judge(action, state, response, problem)
    return CaseResult(case=case, request=exchange.sent(), response=None, failures=failures)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body or b"")
