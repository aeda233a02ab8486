"""A fake transport for the engine's unit tests, as httpx's ``MockTransport``: a handler turns
each request into an answer, in memory, and every request is kept.  The signatures are the
real ones (botocore signs, the mock's verifier checks).

:class:`ContractFaithful` is a handler that answers as the contracts say, from the contracts'
own validators: 400 to a body they reject, 200 to one they accept (with a success body that
matches; an operation whose success body is empty, StartMonitoringMember, gets 404: the fake
holds no graph), the same answer again to the same idempotency token and body, 409 to the same token
with another body, 200 to every provider-state change (which it keeps).  Tests make a target
misbehave by wrapping it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from harness.binding import MalformedRequest, OperationBinding, decode
from harness.contract import Contract
from harness.mock.errors import ErrorAnswer
from harness.mock.sigv4 import Verifier
from harness.result import Response, SentRequest
from harness.routing import Router
from harness.target.http import TransportFailure

BASE_URL = "http://target.test"
CREDENTIALS = ("AKIDENGINEPHASES0001", "engine-phases-secret")
STATES_URL = BASE_URL + "/_states"

Handler = Callable[[SentRequest], Response]


def answer(status: int, body: Any = None, *, error: str | None = None, elapsed: float = 0.001) -> Response:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if error is not None:
        headers["x-amzn-ErrorType"] = error
    data = b"" if body is None else json.dumps(body).encode()
    return Response(status=status, headers=headers, body=data, elapsed=elapsed)


class FakeTransport:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sent: list[SentRequest] = []

    def send(self, request: SentRequest) -> Response:
        self.sent.append(request)
        return self.handler(request)

    def close(self) -> None:
        pass

    def to(self, contract: Contract) -> list[SentRequest]:
        return [r for r in self.sent if urlsplit(r.url).path == contract.path]


@dataclass
class ContractFaithful:
    """Answers as the contracts say (see the module's docstring)."""

    contracts: list[Contract]
    state_changes: list[dict[str, Any]] = field(default_factory=list)
    _by_token: dict[str, tuple[bytes, Response]] = field(default_factory=dict)
    _issued: int = 0

    def __call__(self, request: SentRequest) -> Response:
        if request.url == STATES_URL:
            self.state_changes.append(json.loads(request.body))
            return Response(status=200, headers={}, body=b"", elapsed=0.001)
        contract = next(c for c in self.contracts if urlsplit(request.url).path == c.path)
        refused = self._unauthenticated(contract, request)
        if refused is not None:
            return refused
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's json
            return answer(400, {contract.error_message_member: "not JSON"}, error="SerializationException")
        if not contract.request_validator.is_valid(body):
            return answer(400, {contract.error_message_member: "invalid"}, error="ValidationException")
        token = contract.idempotency.token.get_or(body) if contract.idempotency is not None else None
        if isinstance(token, str) and token in self._by_token:
            first_body, first_answer = self._by_token[token]
            if json.loads(first_body) == body:
                return first_answer
            return answer(409, {contract.error_message_member: "token reused"}, error="ConflictException")
        response = self._success(contract, body)
        if isinstance(token, str):
            self._by_token[token] = (request.body, response)
        return response

    def _unauthenticated(self, contract: Contract, request: SentRequest) -> Response | None:
        """403 unless signed with :data:`CREDENTIALS`, as the mock's own verifier judges it."""
        parts = urlsplit(request.url)
        headers = {"host": parts.netloc, **{name.lower(): value for name, value in request.headers.items()}}
        verifier = Verifier(credentials=dict([CREDENTIALS]))
        try:
            claim = verifier.check_headers(headers, service=contract.signing_name)
            verifier.verify(claim, method=request.method, raw_path=parts.path, query=parts.query,
                            headers=list(headers.items()), body=request.body)  # fmt: skip
        except ErrorAnswer as refusal:
            return answer(403, {"message": refusal.message}, error=refusal.name)
        return None

    def _success(self, contract: Contract, body: dict[str, Any]) -> Response:
        if contract.success_body == "empty":  # StartMonitoringMember: no graph exists here
            return answer(404, {contract.error_message_member: "no such graph"}, error="ResourceNotFoundException")
        self._issued += 1
        scope = f"scope-{self._issued:04d}"
        out: dict[str, Any] = {
            "scopeId": scope,
            "status": "SUCCEEDED",
            "scopeArn": f"arn:aws:networkflowmonitor:us-east-1:111122223333:scope/{scope}",
        }
        if body.get("tags"):
            out["tags"] = body["tags"]
        return answer(200, out)


def silent(request: SentRequest) -> Response:
    """A target that never answers in time."""
    raise TransportFailure("timeout", "no answer within 1 s")


@dataclass
class ImportedFaithful:
    """Answers imported contracts as their models say: routes a request by its path template or
    ``X-Amz-Target`` (:mod:`harness.routing`), reads it back as its operation input with the
    protocol binding (:func:`harness.binding.decode`), 400 to an input the contract refuses, the
    success status to one it accepts (with an empty body, or ``{}``).  Signatures are not looked
    at (as most emulators do): run it with ``unauthenticated_rejected`` left out."""

    contracts: list[Contract]
    inputs: list[tuple[str, Any]] = field(default_factory=list)  # (operation, input) of each valid request

    def __post_init__(self) -> None:
        self._bindings = {c.id: OperationBinding.from_document(c.document) for c in self.contracts}
        self._router = Router(self._bindings.values())

    def __call__(self, request: SentRequest) -> Response:
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        route = self._router.match(request.method, path, request.headers)
        if route is None:  # a request of no operation (no X-Amz-Target, say): AWS's common 400
            return answer(400, {"message": "no such operation"}, error="InvalidAction")
        contract = next(c for c in self.contracts if c.id == route.binding.operation)
        try:
            operation_input = decode(route.binding, request.method, path, request.headers, request.body)
        except MalformedRequest:
            return answer(400, {"message": "not an input"}, error="SerializationException")
        if not contract.request_validator.is_valid(operation_input):
            return answer(400, {"message": "invalid"}, error="ValidationException")
        self.inputs.append((contract.id, operation_input))
        if contract.success_body == "empty":
            return Response(status=contract.success_status, headers={}, body=b"", elapsed=0.001)
        return answer(contract.success_status, {})


def as_asgi(handler: Handler) -> Any:
    """``handler`` as an ASGI app, to serve over real HTTP (``harness.mock.server.serve_in_thread``)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        url = f"http://{headers.get('host', 'target.test')}{path}" + (f"?{query}" if query else "")
        response = handler(SentRequest(scope["method"], url, headers, body))
        await send({"type": "http.response.start", "status": response.status,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in response.headers.items()]})  # fmt: skip
        await send({"type": "http.response.body", "body": response.body})

    return app
