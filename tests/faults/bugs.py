"""The buggy behaviours of the variants: request hooks, clocks, state tricks, handlers, normalisers.

Each is written the way the bug would be written in a real implementation, as far as the
outside of the mock allows; :mod:`faults.variants` pairs each with the failure it must cause.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import time
import unicodedata
import uuid
from calendar import timegm
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from faults.building import CREATE_SCOPE, Builder, Credentials, contracts, is_operation, operation_at
from faults.middleware import (
    Answer,
    ASGIApp,
    Before,
    Faulty,
    Final,
    Flood,
    Hang,
    Outcome,
    Request,
    Resigner,
    json_answer,
)
from harness.contract import Contract
from harness.mock import create_app
from harness.mock.errors import ErrorAnswer
from harness.mock.graphs import StartMonitoringMember
from harness.mock.handler import Call
from harness.mock.reply import Reply
from harness.mock.scopes import CreateScope
from harness.mock.state import Params, StateDefinition, Undo

# --------------------------------------------------------------------------- crashes, limits, hangs


def answering_malformed_with_500(object_bodies_only: bool) -> Before:
    """Parse failures (or non-object documents) escape as an unhandled 500."""

    def before(request: Request) -> Outcome:
        if not is_operation(request) or not request.body:
            return request
        document = request.json()
        not_json = document is None
        not_object = document is not None and not isinstance(document, dict)
        if not_object if object_bodies_only else not_json:
            return json_answer(
                500, {"message": "Internal error", "Message": "Internal error"}, error="InternalServerException"
            )
        return request

    return before


def crashing_on_long_tag_values(request: Request) -> Outcome:
    """Tag values go to a 255-character column: a longer one raises, and the framework answers
    the unhandled exception with its default page (uvicorn's, as it is)."""
    document = request.json()
    tags = document.get("tags") if is_operation(request, CREATE_SCOPE) and isinstance(document, dict) else None
    if isinstance(tags, dict) and any(isinstance(value, str) and len(value) > 255 for value in tags.values()):
        return Answer(500, (("content-type", "text/plain; charset=utf-8"),), b"Internal Server Error")
    return request


def crashing_on_null_members(request: Request) -> Outcome:
    """``body.get("tags", {})`` is ``None`` for ``"tags": null``, and the next line raises: 500."""
    document = request.json()
    if is_operation(request) and isinstance(document, dict) and None in document.values():
        return Answer(500, (("content-type", "text/plain; charset=utf-8"),), b"Internal Server Error")
    return request


def crashing_on_deep_nesting(request: Request) -> Outcome:
    """A recursive parser without a depth limit: deeply nested JSON exhausts the stack (500)."""
    depth = deepest = 0
    for byte in request.body:
        depth += (byte in b"[{") - (byte in b"]}")
        deepest = max(deepest, depth)
    if is_operation(request) and deepest > 100:
        return Answer(500, (("content-type", "text/plain; charset=utf-8"),), b"Internal Server Error")
    return request


def body_limit(limit: int) -> Builder:
    """The mock refusing bodies over ``limit`` bytes with 413 (a web server's default limit)."""
    return lambda credentials: create_app(credentials=credentials, max_body=limit)


def validating_before_authenticating(request: Request) -> Outcome:
    """Bodies are validated first, so an unsigned invalid body gets 400 instead of 403."""
    operation = operation_at(request.path)
    if operation is None or request.header("authorization"):
        return request
    document = request.json()
    if document is not None and not contracts()[operation].request_validator.is_valid(document):
        message = "1 validation error detected"
        return json_answer(400, {"message": message, "Message": message}, error="ValidationException")
    return request


def hanging_on_large_tag_maps(request: Request) -> Outcome:
    """Indexing 200 tags or more deadlocks: no answer at all."""
    document = request.json()
    if is_operation(request, CREATE_SCOPE) and isinstance(document, dict):
        tags = document.get("tags")
        if isinstance(tags, dict) and len(tags) >= 200:
            return Hang()
    return request


def flooding_array_bodies(request: Request, answer: Answer) -> Final:
    """A debug dump sent for array bodies: a 50 MB answer."""
    if is_operation(request) and request.body.startswith(b"["):
        return Flood(size=50 * 1024 * 1024)
    return answer


# --------------------------------------------------------------------------- authentication


def unsigned_accepted(credentials: Credentials) -> ASGIApp:
    """A request without an Authorization header skips verification (an "anonymous" path)."""
    resigner = Resigner(credentials=credentials, contracts=contracts())

    def before(request: Request) -> Outcome:
        if is_operation(request) and not request.header("authorization"):
            return resigner.sign(request, request.body)
        return request

    return Faulty(create_app(credentials=credentials), before=before)


def signature_not_compared(credentials: Credentials) -> ASGIApp:
    """Only the access key and the date are checked; the signature itself is not compared."""
    resigner = Resigner(credentials=credentials, contracts=contracts())

    def before(request: Request) -> Outcome:
        auth = request.header("authorization") or ""
        fresh = abs(request_time(request) - time.time()) < 14 * 60
        if is_operation(request) and f"Credential={credentials[0]}/" in auth and fresh:
            return resigner.sign(request, request.body)
        return request

    return Faulty(create_app(credentials=credentials), before=before)


def skew_limit_19_minutes(credentials: Credentials) -> ASGIApp:
    """A skew limit of 19 minutes instead of 15: a request signed 16 to 19 minutes ago passes."""
    resigner = Resigner(credentials=credentials, contracts=contracts())

    def before(request: Request) -> Outcome:
        dated = request_time(request)
        late = 15 * 60 < abs(time.time() - dated) <= 19 * 60
        if is_operation(request) and late and resigner.correctly_signed(request, now=lambda: dated):
            return resigner.sign(request, request.body)
        return request

    return Faulty(create_app(credentials=credentials), before=before)


def credential_scope_service_unchecked(credentials: Credentials) -> ASGIApp:
    """The signature is verified for whatever service the credential scope names."""
    resigner = Resigner(credentials=credentials, contracts=contracts())

    def before(request: Request) -> Outcome:
        scope = (request.header("authorization") or "").partition("Credential=")[2].split(",")[0].split("/")
        service = resigner.services.get(request.path)
        foreign = len(scope) == 5 and service is not None and scope[3] != service
        if foreign and resigner.correctly_signed(request, service=scope[3]):
            return resigner.sign(request, request.body)
        return request

    return Faulty(create_app(credentials=credentials), before=before)


# --------------------------------------------------------------------------- statuses without a state


def targets_quota(credentials: Credentials) -> ASGIApp:
    """An account quota of 99 targets per scope, answered as a quota error: 100 targets get 402."""
    resigner = Resigner(credentials=credentials, contracts=contracts())
    validator = contracts()[CREATE_SCOPE].request_validator

    def before(request: Request) -> Outcome:
        document = request.json()
        targets = (
            document.get("targets") if is_operation(request, CREATE_SCOPE) and isinstance(document, dict) else None
        )
        large = isinstance(targets, list) and len(targets) > 99
        if large and validator.is_valid(document) and resigner.correctly_signed(request):
            message = "The scope has more targets than the account's quota of 99."
            return json_answer(402, {"message": message}, error="ServiceQuotaExceededException")
        return request

    return Faulty(create_app(credentials=credentials), before=before)


# --------------------------------------------------------------------------- controls


def other_media_types_read_as_json(credentials: Credentials) -> ASGIApp:
    """SPEC 3 allows it: a correctly signed body with another Content-Type is read as JSON."""
    resigner = Resigner(credentials=credentials, contracts=contracts())

    def before(request: Request) -> Outcome:
        media = (request.header("content-type") or "").split(";")[0].strip().lower()
        if is_operation(request) and media != "application/json" and resigner.correctly_signed(request):
            return resigner.sign(request.with_header("content-type", "application/json"), request.body)
        return request

    return Faulty(create_app(credentials=credentials), before=before)


def media_type_compared_exactly(request: Request) -> Outcome:
    """The Content-Type is compared as a string: ``application/json; charset=utf-8`` gets 415."""
    media = request.header("content-type")
    if is_operation(request) and media is not None and media != "application/json":
        message = f"Unsupported Content-Type {media}."
        return json_answer(415, {"message": message, "Message": message}, error="UnsupportedMediaTypeException")
    return request


def refusing_null_members(request: Request) -> Outcome:
    """SPEC 2 allows it: a JSON null for a member is refused with 400 rather than read as absent."""
    document = request.json()
    if is_operation(request) and isinstance(document, dict) and None in document.values():
        message = "1 validation error detected: a member is null"
        return json_answer(400, {"message": message, "Message": message}, error="ValidationException")
    return request


# --------------------------------------------------------------------------- clocks


_REQUEST_TIME: contextvars.ContextVar[float | None] = contextvars.ContextVar("request_time", default=None)


def request_time(request: Request) -> float:
    """When the request says it was signed (``X-Amz-Date``); now when it says nothing readable."""
    try:
        return float(timegm(time.strptime(request.header("x-amz-date") or "", "%Y%m%dT%H%M%SZ")))
    except ValueError:
        return time.time()


def noting_request_time(request: Request) -> Outcome:
    _REQUEST_TIME.set(request_time(request))
    return request


def clock_from_request() -> float:
    """The skew check compares the request's date with itself: it never fails."""
    noted = _REQUEST_TIME.get()
    return time.time() if noted is None else noted


def clock_ahead_of_past_requests() -> float:
    """Only requests dated in the past are checked for skew (``now - date > 15 min``)."""
    noted = _REQUEST_TIME.get()
    return time.time() if noted is None else max(time.time(), noted)


# --------------------------------------------------------------------------- provider states


def _state(request: Request) -> tuple[str, str] | None:
    """``(action, state)`` of a provider-state request."""
    document = request.json() if request.is_state_change else None
    if not isinstance(document, dict):
        return None
    return str(document.get("action")), str(document.get("state"))


def ignoring_setup_of(state: str) -> Before:
    def before(request: Request) -> Outcome:
        if _state(request) == ("setup", state):
            return json_answer(200, {"action": "setup", "state": state})
        return request

    return before


def ignoring_teardowns(request: Request) -> Outcome:
    found = _state(request)
    if found is not None and found[0] == "teardown":
        return json_answer(200, {"action": "teardown", "undone": 0})
    return request


def member_limit_as_plain_member(request: Request) -> Outcome:
    """The limit state is implemented as an ordinary ``ACCEPTED_BUT_DISABLED`` member."""
    found = _state(request)
    if found is None or found[1] != "graph member limit reached":
        return request
    document = request.json()
    params = {**document.get("params", {}), "Status": "ACCEPTED_BUT_DISABLED"}
    body = json.dumps({**document, "state": "graph has member", "params": params}).encode()
    return dataclasses.replace(request, body=body)


def teardowns_without_params(request: Request) -> Outcome:
    """A teardown forgets its params, so it undoes every setup of its state, not only its own."""
    document = request.json() if request.is_state_change else None
    if isinstance(document, dict) and document.get("action") == "teardown" and document.get("params"):
        return dataclasses.replace(request, body=json.dumps({**document, "params": {}}).encode())
    return request


class StateWatch:
    """Counts the setups of one provider state still in effect, as the requests go by."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.active = 0

    def note(self, request: Request) -> None:
        found = _state(request)
        if found == ("setup", self.state):
            self.active += 1
        elif found == ("teardown", self.state):
            self.active = 0


def access_denied_everywhere(credentials: Credentials) -> ASGIApp:
    """`access denied` is one flag for the whole service: set for one operation, it denies all."""
    resigner = Resigner(credentials=credentials, contracts=contracts())
    watch = StateWatch("access denied")

    def before(request: Request) -> Outcome:
        watch.note(request)
        operation = operation_at(request.path)
        if operation is None or not watch.active or not resigner.correctly_signed(request):
            return request
        document = request.json()
        if not contracts()[operation].request_validator.is_valid(document):
            return request
        member = contracts()[operation].error_message_member
        return json_answer(403, {member: "Access denied."}, error="AccessDeniedException")

    return Faulty(create_app(credentials=credentials), before=before)


def quota_only_with_token(credentials: Credentials) -> ASGIApp:
    """The quota is checked on the path that records tokens: a request without one makes a scope."""
    resigner = Resigner(credentials=credentials, contracts=contracts())
    watch = StateWatch("scope quota reached")
    validator = contracts()[CREATE_SCOPE].request_validator

    def before(request: Request) -> Outcome:
        watch.note(request)
        document = request.json()
        tokenless = isinstance(document, dict) and document.get("clientToken") is None
        if not (is_operation(request, CREATE_SCOPE) and watch.active and tokenless and validator.is_valid(document)):
            return request
        if not resigner.correctly_signed(request):
            return request
        scope_id = str(uuid.uuid4())
        arn = f"arn:aws:networkflowmonitor:us-east-1:123456789012:scope/{scope_id}"
        return json_answer(200, {"scopeId": scope_id, "status": "SUCCEEDED", "scopeArn": arn})

    return Faulty(create_app(credentials=credentials), before=before)


def idempotency_by_raw_bytes(credentials: Credentials) -> ASGIApp:
    """Retries are compared byte for byte: the same document re-serialised is a conflict (409)."""
    resigner = Resigner(credentials=credentials, contracts=contracts())
    validator = contracts()[CREATE_SCOPE].request_validator
    first_bodies: dict[str, bytes] = {}

    def before(request: Request) -> Outcome:
        document = request.json()
        token = document.get("clientToken") if isinstance(document, dict) else None
        if not (is_operation(request, CREATE_SCOPE) and isinstance(token, str) and validator.is_valid(document)):
            return request
        if not resigner.correctly_signed(request):
            return request
        first = first_bodies.setdefault(token, request.body)
        if first != request.body:
            message = f"clientToken {token} was already used with a different request body."
            return json_answer(409, {"message": message}, error="ConflictException")
        return request

    return Faulty(create_app(credentials=credentials), before=before)


def refusing_surrogate_escapes(request: Request) -> Outcome:
    """A JSON reader that refuses escaped UTF-16 surrogates, even as a valid pair (\\ud83d\\ude00)."""
    lowered = request.body.lower()
    if is_operation(request) and (b"\\ud8" in lowered or b"\\udb" in lowered):
        message = "Invalid escape sequence in JSON string."
        return json_answer(400, {"message": message, "Message": message}, error="SerializationException")
    return request


# --------------------------------------------------------------------------- handlers


class MembersAlwaysMissing(StartMonitoringMember):
    """The member lookup ignores the graph's members (a wrong key): always 404."""

    def answer(self, call: Call) -> Reply:
        raise ErrorAnswer("ResourceNotFoundException", f"Behavior graph {call.document['GraphArn']} does not exist.")


class DisabledMembersConflict(StartMonitoringMember):
    """Only ``ENABLED`` counts as enableable (the two statuses were swapped)."""

    def answer(self, call: Call) -> Reply:
        if self.member_status(call.document["GraphArn"], call.document["AccountId"]) == "ACCEPTED_BUT_DISABLED":
            raise ErrorAnswer("ConflictException", "The member is not in a state that can be enabled.")
        return super().answer(call)


class InvitedMembersEnabled(StartMonitoringMember):
    """Any member is enabled, whatever its status (no status check)."""

    def answer(self, call: Call) -> Reply:
        if self.member_status(call.document["GraphArn"], call.document["AccountId"]) is not None:
            return Reply(status=200)
        return super().answer(call)


class UnknownGraphInvalid(StartMonitoringMember):
    """A graph that does not exist is reported as a bad request (400) instead of 404."""

    def answer(self, call: Call) -> Reply:
        try:
            return super().answer(call)
        except ErrorAnswer as error:
            if error.name != "ResourceNotFoundException":
                raise
            raise ErrorAnswer(
                "ValidationException", error.message, members={"ErrorCode": "INVALID_GRAPH_ARN"}
            ) from None


class EnabledMembersConflict(StartMonitoringMember):
    """SPEC allows it: enabling an ``ENABLED`` member again gets 409."""

    def answer(self, call: Call) -> Reply:
        if self.member_status(call.document["GraphArn"], call.document["AccountId"]) == "ENABLED":
            raise ErrorAnswer("ConflictException", "The member is already enabled.")
        return super().answer(call)


def _without_token(call: Call) -> Call:
    return dataclasses.replace(call, document={k: v for k, v in call.document.items() if k != "clientToken"})


class ReplayMakesNewScope(CreateScope):
    """A repeated token and body is recognised, but the request is executed again."""

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self.seen: dict[str, Mapping[str, Any]] = {}

    def answer(self, call: Call) -> Reply:
        token = call.document.get("clientToken")
        if token is not None and self.seen.get(token) == call.document:
            return super().answer(_without_token(call))
        reply = super().answer(call)
        if token is not None:
            self.seen[token] = call.document
        return reply


class ConflictOnTargetsOnly(CreateScope):
    """The idempotency record keeps a hash of the targets only: the same token and targets with
    other tags replays the first answer instead of 409."""

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self.first: dict[str, tuple[Any, Reply]] = {}

    def answer(self, call: Call) -> Reply:
        token = call.document.get("clientToken")
        try:
            reply = super().answer(call)
        except ErrorAnswer as error:
            recorded = self.first.get(token) if token is not None and error.name == "ConflictException" else None
            if recorded is None or recorded[0] != call.document["targets"]:
                raise
            return recorded[1]
        if token is not None:
            self.first.setdefault(token, (call.document["targets"], reply))
        return reply


class ConflictIgnored(CreateScope):
    """Records are keyed by token and body: another body with the same token is a new scope."""

    def answer(self, call: Call) -> Reply:
        try:
            return super().answer(call)
        except ErrorAnswer as error:
            if error.name != "ConflictException":
                raise
            return super().answer(_without_token(call))


def observing(definitions: Sequence[StateDefinition], note: Callable[[Params], Undo]) -> tuple[StateDefinition, ...]:
    """``definitions`` whose setups also call ``note(params)``, and whose undos undo that too."""

    def wrap(setup: Callable[[Params], Undo]) -> Callable[[Params], Undo]:
        def observed(params: Params) -> Undo:
            undo, forget = setup(params), note(params)

            def undo_both() -> None:
                undo()
                forget()

            return undo_both

        return observed

    return tuple(dataclasses.replace(d, setup=wrap(d.setup)) for d in definitions)


class QuotaBeforeIdempotency(CreateScope):
    """The quota is checked before the token: a retry of a request that made a scope gets 402."""

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self.quota_reached = 0

    def states(self) -> Sequence[StateDefinition]:
        return observing(super().states(), self._note)

    def _note(self, params: Params) -> Undo:
        self.quota_reached += 1
        return lambda: setattr(self, "quota_reached", self.quota_reached - 1)

    def answer(self, call: Call) -> Reply:
        if self.quota_reached:
            raise ErrorAnswer("ServiceQuotaExceededException", "You have reached the maximum number of scopes.")
        return super().answer(call)


class MembersEnrolledOnDemand(StartMonitoringMember):
    """An account that is not a member of an existing graph is enrolled and enabled: 200, not 404."""

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self.graphs: Counter[str] = Counter()

    def states(self) -> Sequence[StateDefinition]:
        return observing(super().states(), self._note)

    def _note(self, params: Params) -> Undo:
        graph = params["GraphArn"]
        self.graphs[graph] += 1
        return lambda: self.graphs.subtract([graph])

    def answer(self, call: Call) -> Reply:
        graph, account = call.document["GraphArn"], call.document["AccountId"]
        if self.graphs[graph] > 0 and self.member_status(graph, account) is None:
            return Reply(status=200)
        return super().answer(call)


# --------------------------------------------------------------------------- body normalisations


def _strings(value: Any, change: Callable[[str], Any]) -> Any:
    if isinstance(value, dict):
        return {k: _strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v, change) for v in value]
    return change(value) if isinstance(value, str) else value


def trimmed(document: Any) -> Any:
    return _strings(document, str.strip)


def nfkc(document: Any) -> Any:
    return _strings(document, lambda s: unicodedata.normalize("NFKC", s))


def numbers_as_strings(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: numbers_as_strings(v) for k, v in document.items()}
    if isinstance(document, list):
        return [numbers_as_strings(v) for v in document]
    if isinstance(document, int | float) and not isinstance(document, bool):
        return str(document)
    return document


def without_null_items(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: without_null_items(v) for k, v in document.items()}
    if isinstance(document, list):
        return [without_null_items(v) for v in document if v is not None]
    return document


CREATE_SCOPE_MEMBERS = (
    "targets",
    "clientToken",
    "tags",
    "region",
    "targetIdentifier",
    "targetId",
    "targetType",
    "accountId",
)


def member_names_case_insensitive(document: Any) -> Any:
    """Binds CreateScope's members case-insensitively (``Targets`` for ``targets``), as lenient
    JSON binders do."""
    by_lower = {name.lower(): name for name in CREATE_SCOPE_MEMBERS}
    if isinstance(document, dict):
        return {by_lower.get(k.lower(), k): member_names_case_insensitive(v) for k, v in document.items()}
    if isinstance(document, list):
        return [member_names_case_insensitive(v) for v in document]
    return document
