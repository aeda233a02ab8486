"""Checks: the assertions of SPEC section 4, each a small named callable.

A check receives a :class:`Judgement` (the contract, the case and the answer) and yields
every :class:`~harness.result.Failure` it finds.  :class:`CheckRegistry` holds the checks
of one run: the default set is :data:`DEFAULT_CHECKS`; a test or a plug-in builds its own
registry instead of mutating a global one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from harness import aws
from harness.case import Auth, Case, Intent
from harness.contract import Contract
from harness.result import Failure, Response, Severity

SLOW_ANSWER_SECONDS = 2.0
MEDIA_TYPE_STATUS = 415


@dataclass(frozen=True)
class Judgement:
    contract: Contract
    case: Case
    response: Response
    states_managed: bool = False  # the run sets provider states: outside a scenario, none is set

    @cached_property
    def error_name(self) -> str | None:
        body = self.response.body
        if self.response.status >= 500 and not body.strip():
            return None  # botocore ignores the header of a 5xx whose body is empty
        return aws.error_name(self.response.headers, body)

    @cached_property
    def json_body(self) -> Any:
        try:
            return json.loads(self.response.body)
        except (ValueError, UnicodeDecodeError):
            return _NOT_JSON

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.response.headers.items() if k.lower() == lowered), None)


_NOT_JSON = object()

CheckFunction = Callable[[Judgement], Iterable[Failure]]


@dataclass(frozen=True)
class Check:
    name: str
    doc: str  # the sentence of SPEC section 4 (or 3) it enforces
    run: CheckFunction
    intents: frozenset[Intent] | None = None  # the cases it judges; None: every case

    def failure(self, message: str, *, rule: str | None = None, severity: Severity = Severity.FAILURE) -> Failure:
        return Failure(check=self.name, message=message, doc=self.doc, rule=rule, severity=severity)


class CheckRegistry:
    """The checks of one run, in order."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        for check in checks:
            self.register(check)

    def register(self, check: Check) -> None:
        self._checks[check.name] = check

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def docs(self) -> dict[str, str]:
        return {name: check.doc for name, check in self._checks.items()}

    def judge(self, judgement: Judgement) -> tuple[list[Failure], list[str]]:
        """Every failure of the answer, and the names of the checks that applied."""
        failures: list[Failure] = []
        ran: list[str] = []
        for check in self._checks.values():
            if check.intents is not None and judgement.case.intent not in check.intents:
                continue
            found = list(check.run(judgement))
            ran.append(check.name)
            failures.extend(found)
        return failures, ran


# ------------------------------------------------------------------ the checks

_checks: list[Check] = []


def check(name: str, doc: str, *intents: Intent) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        _checks.append(Check(name=name, doc=doc, run=function, intents=frozenset(intents) or None))
        return function

    return register


def _this(name: str) -> Check:
    return next(c for c in _checks if c.name == name)


def _allowed_statuses(j: Judgement) -> set[int]:
    allowed = set(j.contract.statuses)
    if j.case.intent is Intent.MEDIA_TYPE:
        allowed.add(MEDIA_TYPE_STATUS)
    return allowed


@check("status_documented", "Every response's status is in the operation's list (SPEC 4.3).")
def status_documented(j: Judgement) -> Iterator[Failure]:
    if j.response.status not in _allowed_statuses(j):
        documented = ", ".join(str(s) for s in sorted(_allowed_statuses(j)))
        yield _this("status_documented").failure(
            f"answered {j.response.status}, which {j.contract.id} does not document (documented: {documented})"
        )


@check("error_named", "An error names an error that matches its status (SPEC 3 and 4.3).")
def error_named(j: Judgement) -> Iterator[Failure]:
    status = j.response.status
    if status < 400 or status not in _allowed_statuses(j):
        return
    name = j.error_name
    me = _this("error_named")
    if name is None:
        yield me.failure(f"a {status} answer names no error (no x-amzn-ErrorType, code or __type)")
        return
    if status == MEDIA_TYPE_STATUS and j.case.intent is Intent.MEDIA_TYPE:
        return
    if status == 403 and name in aws.AUTH_ERROR_NAMES:
        return
    expected = j.contract.errors.get(name)
    if expected != status:
        names = sorted(n for n, s in j.contract.errors.items() if s == status)
        where = f"documented with status {expected}" if expected else "not documented for this operation"
        yield me.failure(f"a {status} answer names {name!r}, {where}; a {status} is one of {names}")


@check("body_matches_contract", "Every body matches the contract's schema for that status (SPEC 4.3).")
def body_matches_contract(j: Judgement) -> Iterator[Failure]:
    me = _this("body_matches_contract")
    status = j.response.status
    if status == 200:
        if j.contract.success_body == "empty":
            if j.response.body.strip():
                yield me.failure(f"a 200 of {j.contract.id} must have an empty body; got {len(j.response.body)} bytes")
            return
        body = j.json_body
        if body is _NOT_JSON or not isinstance(body, dict):
            yield me.failure("a 200 body is not a JSON object")
            return
        validator = j.contract.success_validator
        if validator is not None:
            for violation in validator.violations(body)[:5]:
                yield me.failure(
                    f"200 body: {violation.path}: {violation.message}",
                    rule=violation.rule.id if violation.rule else None,
                )
        return
    if status < 400 or status not in _allowed_statuses(j):
        return
    body = j.json_body
    if body is _NOT_JSON or not isinstance(body, dict):
        yield me.failure(f"a {status} error body is not a JSON object (SPEC 3: also on a 5xx)")
        return
    name = j.error_name
    if name in aws.AUTH_ERROR_NAMES:
        if not isinstance(body.get("message"), str):
            yield me.failure(f"{name} must carry a string `message`")
        return
    error_validator = j.contract.error_validator(name) if name else None
    if error_validator is not None:
        for violation in error_validator.violations(body)[:5]:
            yield me.failure(f"{name} body: {violation.path}: {violation.message}")


@check(
    "response_echoes_request",
    "Members of a 200 body that repeat the request are as sent (the contract's echo list).",
    Intent.VALID,
    Intent.SCENARIO,
)
def response_echoes_request(j: Judgement) -> Iterator[Failure]:
    if j.response.status != 200 or not j.contract.echoes:
        return
    request = j.case.json_body()
    body = j.json_body
    if not isinstance(request, dict) or not isinstance(body, dict):
        return
    for echo in j.contract.echoes:
        sent = _pointer(request, echo.request)
        got = _pointer(body, echo.response)
        if sent != got:
            yield _this("response_echoes_request").failure(
                f"{echo.doc} Sent {echo.request[1:]}={_short(sent)}, the 200 body has {_short(got)}"
            )


def _pointer(document: Any, pointer: str) -> Any:
    """The member at ``pointer``; ``None`` when absent, null or empty (an empty map echoed
    as absent is not held against the target)."""
    value = document
    for part in pointer.lstrip("/").split("/"):
        if not isinstance(value, dict) or value.get(part) is None:
            return None
        value = value[part]
    return value if value not in ({}, []) else None


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


@check(
    "invalid_rejected",
    "Invalid input (breaks any rule of SPEC section 2) gets 400: never 2xx, never 5xx (SPEC 4.1).",
    Intent.INVALID,
    Intent.MALFORMED,
)
def invalid_rejected(j: Judgement) -> Iterator[Failure]:
    if j.case.intent in (Intent.INVALID, Intent.MALFORMED) and j.response.status != 400:
        yield _this("invalid_rejected").failure(
            f"{j.case.description}: answered {j.response.status}, not 400", rule=j.case.rule
        )


@check(
    "valid_accepted",
    "Valid input is never answered 400, nor 5xx unless the `internal failure` state is set (SPEC 4.2).",
    Intent.VALID,
)
def valid_accepted(j: Judgement) -> Iterator[Failure]:
    if j.case.intent is not Intent.VALID:
        return
    status = j.response.status
    if status == 400 or status >= 500:
        named = f" ({j.error_name})" if j.error_name else ""
        yield _this("valid_accepted").failure(
            f"{j.case.description}: a valid body answered {status}{named}", rule=j.case.rule
        )
    elif status == 403 and j.case.auth is Auth.WITHIN_SKEW:
        yield _this("valid_accepted").failure(
            "a correct signature dated 14 minutes ago was refused with 403 (SPEC 4.5: within 15 minutes is accepted)"
        )


@check(
    "stateless_status",
    "Status codes that depend on the server's state are set up through provider states (SPEC 5): with "
    "--provider-states, a valid request sent while no state concerns it gets none of the statuses only a state gives.",
    Intent.VALID,
)
def stateless_status(j: Judgement) -> Iterator[Failure]:
    status = j.response.status
    if j.case.intent is not Intent.VALID or not j.states_managed or status >= 500:
        return  # a 5xx is valid_accepted's
    if status in j.contract.state_only_statuses:
        named = f" ({j.error_name})" if j.error_name else ""
        yield _this("stateless_status").failure(
            f"{j.case.description}: a valid body, with no provider state for it, answered {status}{named}; "
            f"the contract gives {status} only in a provider state",
            rule=j.case.rule,
        )


@check(
    "media_type_tolerated",
    "A request with another Content-Type may be read as JSON or rejected with 400 or 415, but never 5xx (SPEC 3).",
    Intent.MEDIA_TYPE,
)
def media_type_tolerated(j: Judgement) -> Iterator[Failure]:
    if j.case.intent is Intent.MEDIA_TYPE and j.response.status >= 500:
        yield _this("media_type_tolerated").failure(f"{j.case.description}: answered {j.response.status}")


@check(
    "null_member_tolerated",
    "A JSON null for an optional member means the member is absent: accepted, or rejected with 400 (SPEC 2); "
    "never 5xx.",
    Intent.TOLERATED,
)
def null_member_tolerated(j: Judgement) -> Iterator[Failure]:
    if j.response.status >= 500:
        yield _this("null_member_tolerated").failure(f"{j.case.description}: answered {j.response.status}")


@check(
    "unauthenticated_rejected",
    "A request with no signature, a wrong one, or one dated more than 15 minutes from the server's clock "
    "gets 403, whatever its body (SPEC 4.5).",
    Intent.UNAUTHENTICATED,
)
def unauthenticated_rejected(j: Judgement) -> Iterator[Failure]:
    if j.case.intent is Intent.UNAUTHENTICATED and j.response.status != 403:
        yield _this("unauthenticated_rejected").failure(f"{j.case.description}: answered {j.response.status}")


@check("scenario_outcome", "Each provider state gets its outcome (SPEC 4.6 and section 5).", Intent.SCENARIO)
def scenario_outcome(j: Judgement) -> Iterator[Failure]:
    if j.case.intent is not Intent.SCENARIO:
        return
    me = _this("scenario_outcome")
    if j.response.status not in j.case.expected_statuses:
        wanted = " or ".join(str(s) for s in j.case.expected_statuses)
        yield me.failure(f"{j.case.description}: answered {j.response.status}, expected {wanted}")
    elif j.case.expected_error and j.response.status >= 400 and j.error_name != j.case.expected_error:
        yield me.failure(f"{j.case.description}: named {j.error_name!r}, expected {j.case.expected_error!r}")


@check("json_media_type", "Error bodies and JSON success bodies are `application/json` (SPEC 3); a warning.")
def json_media_type(j: Judgement) -> Iterator[Failure]:
    if not j.response.body.strip():
        return
    media = (j.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        yield _this("json_media_type").failure(
            f"a {j.response.status} JSON body came with Content-Type {media or '(none)'}", severity=Severity.WARNING
        )


@check("answer_time", f"Answers within {SLOW_ANSWER_SECONDS:g} s; a warning, never a failure.")
def answer_time(j: Judgement) -> Iterator[Failure]:
    if j.response.elapsed > SLOW_ANSWER_SECONDS:
        yield _this("answer_time").failure(f"answered after {j.response.elapsed:.1f} s", severity=Severity.WARNING)


DEFAULT_CHECKS: tuple[Check, ...] = tuple(_checks)

#: Checks the engine applies outside :class:`CheckRegistry` (they judge several answers).
ENGINE_CHECK_DOCS = {
    "target_answers": (
        "The target answers every request with a complete HTTP response, within the timeout and the size bound."
    ),
    "idempotency": (
        "The same clientToken with an identical body gets 200 with the same response members; "
        "with a different body, 409 ConflictException (SPEC 4.4)."
    ),
    "provider_state_setup": "A provider-state setup and teardown are answered 200 or 204 (SPEC 5).",
}


def default_registry() -> CheckRegistry:
    return CheckRegistry(DEFAULT_CHECKS)
