"""Checks: the assertions of SPEC section 4, each a small named object.

Two kinds, as Schemathesis separates response checks from run checks:

- a *response check* (:class:`Check`) judges one answer: it receives a :class:`Judgement` (the
  contract, the case and the answer) and yields what it finds, a message or a :class:`Finding`;
- a *run check* (:class:`RunCheck`) judges what no single answer shows: that the target
  answered at all, that a retry got the first answer again, that a provider state was set.
  The engine's phases call it with the answers it concerns.

Each is made by a decorator (:func:`response_check`, :func:`run_check`) that writes its name
once; nothing is registered at import.  :class:`CheckRegistry` holds the checks of one run, both
kinds; :func:`default_registry` builds one of every check of this module.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, ParamSpec

from harness import aws
from harness.case import Auth, Case, Intent
from harness.contract import Contract, Idempotency
from harness.errors import UsageError
from harness.pointer import Pointer
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
        except (ValueError, UnicodeDecodeError, RecursionError):  # nested past Python's limit: not usable JSON
            return _NOT_JSON

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.response.headers.items() if k.lower() == lowered), None)


_NOT_JSON = object()


@dataclass(frozen=True)
class Finding:
    """What a check found, when a bare message does not say all of it."""

    message: str
    rule: str | None = None
    severity: Severity = Severity.FAILURE


Found = Iterable["str | Finding"]
P = ParamSpec("P")


@dataclass(frozen=True)
class _Named:
    name: str
    doc: str  # the sentence of SPEC (section 4, 3 or 5) it enforces

    def failure(self, message: str, *, rule: str | None = None, severity: Severity = Severity.FAILURE) -> Failure:
        return Failure(check=self.name, message=message, doc=self.doc, rule=rule, severity=severity)

    def _failures(self, found: Found) -> list[Failure]:
        return [
            self.failure(item) if isinstance(item, str) else self.failure(item.message, rule=item.rule,
                                                                          severity=item.severity)
            for item in found
        ]  # fmt: skip


@dataclass(frozen=True)
class Check(_Named):
    """A response check: judges one answer to one case."""

    function: Callable[[Judgement], Found]
    intents: frozenset[Intent] | None = None  # the cases it judges; None: every case

    def applies_to(self, case: Case) -> bool:
        return self.intents is None or case.intent in self.intents

    def run(self, judgement: Judgement) -> list[Failure]:
        """Every failure of the answer (none when the check does not apply to its case)."""
        return self._failures(self.function(judgement)) if self.applies_to(judgement.case) else []


@dataclass(frozen=True)
class RunCheck(_Named, Generic[P]):
    """A run check: judges what the phase that calls it gives (several answers, or none)."""

    function: Callable[P, Found]

    def judge(self, *args: P.args, **kwargs: P.kwargs) -> list[Failure]:
        return self._failures(self.function(*args, **kwargs))


def response_check(name: str, doc: str, *intents: Intent) -> Callable[[Callable[[Judgement], Found]], Check]:
    def make(function: Callable[[Judgement], Found]) -> Check:
        return Check(name=name, doc=doc, function=function, intents=frozenset(intents) or None)

    return make


def run_check(name: str, doc: str) -> Callable[[Callable[P, Found]], RunCheck[P]]:
    def make(function: Callable[P, Found]) -> RunCheck[P]:
        return RunCheck(name=name, doc=doc, function=function)

    return make


class CheckRegistry:
    """The checks of one run, both kinds, in order."""

    def __init__(self, checks: Iterable[Check | RunCheck[Any]] = ()) -> None:
        self._checks: dict[str, Check | RunCheck[Any]] = {}
        for check in checks:
            self.register(check)

    def register(self, check: Check | RunCheck[Any]) -> None:
        self._checks[check.name] = check

    def __iter__(self) -> Iterator[Check | RunCheck[Any]]:
        return iter(self._checks.values())

    def __contains__(self, check: object) -> bool:
        return isinstance(check, Check | RunCheck) and self._checks.get(check.name) is check

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    @property
    def response_checks(self) -> list[Check]:
        return [c for c in self._checks.values() if isinstance(c, Check)]

    def docs(self) -> dict[str, str]:
        return {name: check.doc for name, check in self._checks.items()}

    def judge(self, judgement: Judgement) -> tuple[list[Failure], list[str]]:
        """Every failure of the answer, and the names of the response checks that applied."""
        failures: list[Failure] = []
        ran: list[str] = []
        for check in self.response_checks:
            if check.applies_to(judgement.case):
                failures.extend(check.run(judgement))
                ran.append(check.name)
        return failures, ran

    def run(self, check: RunCheck[P], *args: P.args, **kwargs: P.kwargs) -> list[Failure] | None:
        """The failures of a run check, or ``None`` when this run leaves the check out."""
        return check.judge(*args, **kwargs) if check in self else None

    def select(self, *, only: Sequence[str] | None = None, leave_out: Sequence[str] = ()) -> CheckRegistry:
        """The checks named by ``only`` (all when ``None``) but those of ``leave_out``, in this
        registry's order; a :class:`~harness.errors.UsageError` naming an unknown name, with
        the closest ones."""
        for name in [*(only or ()), *leave_out]:
            if name not in self._checks:
                close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.5)
                hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                raise UsageError(
                    f"unknown check {name!r}{hint} Checks (as `harness list` prints them): {', '.join(self.names)}"
                )
        wanted = set(self.names if only is None else only) - set(leave_out)
        return CheckRegistry(check for check in self if check.name in wanted)


# ------------------------------------------------------------------ response checks


def _allowed_statuses(j: Judgement) -> set[int]:
    allowed = set(j.contract.statuses)
    if j.case.intent is Intent.MEDIA_TYPE:
        allowed.add(MEDIA_TYPE_STATUS)
    return allowed


@response_check("status_documented", "Every response's status is in the operation's list (SPEC 4.3).")
def status_documented(j: Judgement) -> Iterator[Finding]:
    if j.response.status not in _allowed_statuses(j):
        documented = ", ".join(str(s) for s in sorted(_allowed_statuses(j)))
        yield Finding(
            f"answered {j.response.status}, which {j.contract.id} does not document (documented: {documented})"
        )


@response_check("error_named", "An error names an error that matches its status (SPEC 3 and 4.3).")
def error_named(j: Judgement) -> Iterator[Finding]:
    status = j.response.status
    if status < 400 or status not in _allowed_statuses(j):
        return
    name = j.error_name
    if name is None:
        yield Finding(f"a {status} answer names no error (no x-amzn-ErrorType, code or __type)")
        return
    if status == MEDIA_TYPE_STATUS and j.case.intent is Intent.MEDIA_TYPE:
        return
    if status == 403 and name in aws.AUTH_ERROR_NAMES:
        return
    expected = j.contract.errors.get(name)
    if expected != status:
        names = sorted(n for n, s in j.contract.errors.items() if s == status)
        where = f"documented with status {expected}" if expected else "not documented for this operation"
        yield Finding(f"a {status} answer names {name!r}, {where}; a {status} is one of {names}")


@response_check("body_matches_contract", "Every body matches the contract's schema for that status (SPEC 4.3).")
def body_matches_contract(j: Judgement) -> Iterator[Finding]:
    status = j.response.status
    if status == j.contract.success_status:
        yield from _success_body(j)
        return
    if status < 400 or status not in _allowed_statuses(j):
        return
    body = j.json_body
    if body is _NOT_JSON or not isinstance(body, dict):
        yield Finding(f"a {status} error body is not a JSON object (SPEC 3: also on a 5xx)")
        return
    name = j.error_name
    if name in aws.AUTH_ERROR_NAMES:
        if not isinstance(body.get("message"), str):
            yield Finding(f"{name} must carry a string `message`")
        return
    error_validator = j.contract.error_validator(name) if name else None
    if error_validator is not None:
        for violation in error_validator.violations(body)[:5]:
            yield Finding(f"{name} body: {violation.path}: {violation.message}")


def _success_body(j: Judgement) -> Iterator[Finding]:
    """The success body as the contract's ``successBody`` says: ``empty``; ``json``, an object;
    ``jsonOrEmpty``, an object or nothing (read as ``{}``, as botocore reads it); ``raw``, a
    payload of its own, not judged."""
    kind, status = j.contract.success_body, j.response.status
    if kind == "raw":
        return
    if kind == "empty":
        if j.response.body.strip():
            yield Finding(f"a {status} of {j.contract.id} must have an empty body; got {len(j.response.body)} bytes")
        return
    body: Any = {} if kind == "jsonOrEmpty" and not j.response.body.strip() else j.json_body
    if body is _NOT_JSON or not isinstance(body, dict):
        yield Finding(f"a {status} body is not a JSON object")
        return
    validator = j.contract.success_validator
    if validator is not None:
        for violation in validator.violations(body)[:5]:
            yield Finding(
                f"{status} body: {violation.path}: {violation.message}",
                rule=violation.rule.id if violation.rule else None,
            )


@response_check(
    "response_echoes_request",
    "Members of a 200 body that repeat the request are as sent (the contract's echo list).",
    Intent.VALID,
    Intent.SCENARIO,
)
def response_echoes_request(j: Judgement) -> Iterator[Finding]:
    if j.response.status != j.contract.success_status or not j.contract.echoes:
        return
    request = j.case.document()
    body = j.json_body
    if not isinstance(request, dict) or not isinstance(body, dict):
        return
    for echo in j.contract.echoes:
        sent = _echoed(request, echo.request)
        got = _echoed(body, echo.response)
        if sent != got:
            member = str(echo.request)[1:]
            yield Finding(f"{echo.doc} Sent {member}={_short(sent)}, the 200 body has {_short(got)}")


def _echoed(document: Any, pointer: Pointer) -> Any:
    """The member at ``pointer``; ``None`` when absent, null or empty (an empty map echoed
    as absent is not held against the target)."""
    value = pointer.get_or(document)
    return value if value not in ({}, []) else None


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


@response_check(
    "invalid_rejected",
    "Invalid input (breaks any rule of SPEC section 2) gets 400: never 2xx, never 5xx (SPEC 4.1).",
    Intent.INVALID,
    Intent.MALFORMED,
)
def invalid_rejected(j: Judgement) -> Iterator[Finding]:
    if j.case.intent in (Intent.INVALID, Intent.MALFORMED) and j.response.status != 400:
        yield Finding(f"{j.case.description}: answered {j.response.status}, not 400", rule=j.case.rule)


@response_check(
    "valid_accepted",
    "Valid input is never answered 400, nor 5xx unless the `internal failure` state is set (SPEC 4.2); for an "
    "imported contract, whose model's constraints are necessary, not sufficient, it gets the success status or a "
    "documented error, never 5xx (SPEC 7.2).",
    Intent.VALID,
)
def valid_accepted(j: Judgement) -> Iterator[Finding]:
    if j.case.intent is not Intent.VALID:
        return
    status = j.response.status
    refused = status == 400 and j.contract.imported is None  # SPEC 7.2: a 400 may be owed to what no model says
    if refused or status >= 500:
        named = f" ({j.error_name})" if j.error_name else ""
        yield Finding(f"{j.case.description}: a valid body answered {status}{named}", rule=j.case.rule)
    elif status == 403 and j.case.auth is Auth.WITHIN_SKEW:
        yield Finding(
            "a correct signature dated 14 minutes ago was refused with 403 (SPEC 4.5: within 15 minutes is accepted)"
        )


@response_check(
    "stateless_status",
    "Status codes that depend on the server's state are set up through provider states (SPEC 5): with "
    "--provider-states, a valid request sent while no state concerns it gets none of the statuses only a state gives.",
    Intent.VALID,
)
def stateless_status(j: Judgement) -> Iterator[Finding]:
    status = j.response.status
    if j.case.intent is not Intent.VALID or not j.states_managed or status >= 500:
        return  # a 5xx is valid_accepted's
    if status in j.contract.state_only_statuses:
        named = f" ({j.error_name})" if j.error_name else ""
        yield Finding(
            f"{j.case.description}: a valid body, with no provider state for it, answered {status}{named}; "
            f"the contract gives {status} only in a provider state",
            rule=j.case.rule,
        )


@response_check(
    "media_type_tolerated",
    "A request with another Content-Type may be read as JSON or rejected with 400 or 415, but never 5xx (SPEC 3).",
    Intent.MEDIA_TYPE,
)
def media_type_tolerated(j: Judgement) -> Iterator[Finding]:
    if j.case.intent is Intent.MEDIA_TYPE and j.response.status >= 500:
        yield Finding(f"{j.case.description}: answered {j.response.status}")


@response_check(
    "null_member_tolerated",
    "A JSON null for an optional member means the member is absent: accepted, or rejected with 400 (SPEC 2); "
    "never 5xx.",
    Intent.TOLERATED,
)
def null_member_tolerated(j: Judgement) -> Iterator[Finding]:
    if j.response.status >= 500:
        yield Finding(f"{j.case.description}: answered {j.response.status}")


@response_check(
    "unauthenticated_rejected",
    "A request with no signature, a wrong one, or one dated more than 15 minutes from the server's clock "
    "gets 403, whatever its body (SPEC 4.5).",
    Intent.UNAUTHENTICATED,
)
def unauthenticated_rejected(j: Judgement) -> Iterator[Finding]:
    if j.case.intent is Intent.UNAUTHENTICATED and j.response.status != 403:
        yield Finding(f"{j.case.description}: answered {j.response.status}")


@response_check("scenario_outcome", "Each provider state gets its outcome (SPEC 4.6 and section 5).", Intent.SCENARIO)
def scenario_outcome(j: Judgement) -> Iterator[Finding]:
    if j.case.intent is not Intent.SCENARIO:
        return
    if j.response.status not in j.case.expected_statuses:
        wanted = " or ".join(str(s) for s in j.case.expected_statuses)
        yield Finding(f"{j.case.description}: answered {j.response.status}, expected {wanted}")
    elif j.case.expected_error and j.response.status >= 400 and j.error_name != j.case.expected_error:
        yield Finding(f"{j.case.description}: named {j.error_name!r}, expected {j.case.expected_error!r}")


#: The media types a JSON body is declared as (SPEC 4.3), compared without parameters and case.
JSON_MEDIA_TYPES = frozenset({"application/json", "application/x-amz-json-1.0", "application/x-amz-json-1.1"})


def declared_as_json(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` value declares JSON as SPEC 4.3 says (``charset`` and other
    parameters allowed)."""
    return (content_type or "").split(";")[0].strip().lower() in JSON_MEDIA_TYPES


@response_check(
    "json_media_type",
    "A JSON body is declared as JSON: `Content-Type: application/json`, `application/x-amz-json-1.0` or "
    "`application/x-amz-json-1.1` (a parameter such as `charset` allowed; header names in any case); a JSON "
    "error body sent as `text/plain`, or with no Content-Type, breaks this rule (SPEC 4.3).",
)
def json_media_type(j: Judgement) -> Iterator[Finding]:
    if not j.response.body.strip():
        return
    declared = j.header("content-type")
    if not declared_as_json(declared):
        shown = repr(declared[:100]) if declared is not None else "no Content-Type"
        yield Finding(
            f"a {j.response.status} JSON body declared with {shown}; JSON is declared as one of "
            f"{', '.join(sorted(JSON_MEDIA_TYPES))}"
        )


@response_check("answer_time", f"Answers within {SLOW_ANSWER_SECONDS:g} s; a warning, never a failure.")
def answer_time(j: Judgement) -> Iterator[Finding]:
    if j.response.elapsed > SLOW_ANSWER_SECONDS:
        yield Finding(f"answered after {j.response.elapsed:.1f} s", severity=Severity.WARNING)


# ------------------------------------------------------------------ run checks


@run_check(
    "target_answers",
    "The target answers every request with a complete HTTP response, within the timeout and the size bound.",
)
def target_answers(response: Response | None, problem: str | None) -> Iterator[str]:
    """``problem``: why no answer came (the transport's failure), when none did."""
    if response is None:
        yield problem or "no answer"
    elif response.truncated:
        yield f"the answer was larger than {len(response.body)} bytes"


@run_check(
    "idempotency",
    "The same clientToken with an identical body gets 200 with the same response members; "
    "with a different body, 409 ConflictException (SPEC 4.4).",
)
def idempotency(idem: Idempotency, first: Response | None, again: Response | None, success: int = 200) -> Iterator[str]:
    """A retry's answer against the first: when both got the ``success`` status, the members
    that must repeat are equal."""
    if first is None or again is None or not first.status == again.status == success:
        return
    before, after = _members(first, idem.same_response), _members(again, idem.same_response)
    if before != after:
        yield f"the same clientToken and body answered {after} the second time, {before} the first"


def _members(response: Response, pointers: Sequence[Pointer]) -> dict[str, Any]:
    try:
        body = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return {str(pointer)[1:]: pointer.get_or(body) for pointer in pointers}


@run_check("provider_state_setup", "A provider-state setup and teardown are answered 200 or 204 (SPEC 5).")
def provider_state_setup(action: str, state: str, response: Response | None, problem: str | None) -> Iterator[str]:
    if response is None:
        yield f"provider state {action} of {state!r} got no answer: {problem}"
    elif response.status not in (200, 204):
        yield f"provider state {action} of {state!r} answered {response.status}: {response.body[:200]!r}"


@run_check(
    "accepted_start",
    "An invalid input aimed at one constraint of an imported contract starts from an input the target accepted "
    "(SPEC 7.5); one that had none, or that is refused as that input is when sent again, is exercised without an "
    "accepted input, a warning.",
)
def accepted_start(accepted: bool | None, *, refused_again: str | None = None) -> Iterator[Finding]:
    """``accepted``: whether the case's start was accepted (``None``: a curated contract);
    ``refused_again``: the answer the start got when it was sent again, which the case got too."""
    if accepted is False:
        yield Finding(
            "no valid input of this run got the success status, so this invalid input starts from one the target "
            "refused as well: its rejection may be owed to something other than the rule it aims at",
            severity=Severity.WARNING,
        )
    elif refused_again is not None:
        yield Finding(
            f"the accepted input this invalid input changes in one place was refused when sent again "
            f"({refused_again}: a name it creates is taken now, say), and this one got the same answer: its "
            "rejection may be owed to that, not to the rule it aims at",
            severity=Severity.WARNING,
        )


RESPONSE_CHECKS: tuple[Check, ...] = (
    status_documented,
    error_named,
    body_matches_contract,
    response_echoes_request,
    invalid_rejected,
    valid_accepted,
    stateless_status,
    media_type_tolerated,
    null_member_tolerated,
    unauthenticated_rejected,
    scenario_outcome,
    json_media_type,
    answer_time,
)
RUN_CHECKS: tuple[RunCheck[Any], ...] = (target_answers, idempotency, provider_state_setup, accepted_start)
#: Every check of a run, response checks first, in the order reports list them.
DEFAULT_CHECKS: tuple[Check | RunCheck[Any], ...] = (*RESPONSE_CHECKS, *RUN_CHECKS)


def default_registry() -> CheckRegistry:
    return CheckRegistry(DEFAULT_CHECKS)


def check_docs() -> Mapping[str, str]:
    """What each check asserts, by name."""
    return {check.name: check.doc for check in DEFAULT_CHECKS}
