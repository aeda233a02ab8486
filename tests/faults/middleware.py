"""ASGI plumbing for faulty mocks: wrap the correct mock, change what goes in or comes out.

:class:`Faulty` reads the whole request, lets a ``before`` hook rewrite it (or answer in the
mock's place), sends it on to the correct mock, collects the mock's whole answer and lets an
``after`` hook rewrite that.  Hooks are plain functions of :class:`Request` and
:class:`Answer`, so each fault in :mod:`faults.variants` is a few lines.

A rewritten request body is signed again with the mock's credentials by :class:`Resigner`,
but only when the original request was correctly signed: a fault that normalises bodies
must not, as a side effect, accept requests the correct mock refuses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any

from harness import aws
from harness.contract import Contract
from harness.mock.errors import ErrorAnswer
from harness.mock.sigv4 import Verifier

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATES_PATH = "/_harness/provider-states"


# --------------------------------------------------------------------------- the exchange


@dataclass(frozen=True)
class Request:
    """A whole request as the wrapped mock will see it (header names lower-case)."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def json(self) -> Any:
        """The body as JSON; ``None`` when it is not JSON, or more than Python's ``json`` reads
        (nested deeper than its recursion limit)."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None

    @property
    def is_state_change(self) -> bool:
        return self.path == STATES_PATH

    def with_header(self, name: str, value: str | None) -> Request:
        kept = tuple((k, v) for k, v in self.headers if k != name)
        return replace(self, headers=kept if value is None else (*kept, (name, value)))


@dataclass(frozen=True)
class Answer:
    """A whole answer (header names lower-case; ``content-length`` is set when sent)."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None

    @property
    def error_name(self) -> str | None:
        return aws.error_name(dict(self.headers), self.body) if self.status >= 400 else None

    def with_header(self, name: str, value: str | None) -> Answer:
        kept = tuple((k, v) for k, v in self.headers if k != name)
        return replace(self, headers=kept if value is None else (*kept, (name, value)))

    def with_json(self, document: Any) -> Answer:
        return replace(self, body=json.dumps(document).encode())


def json_answer(status: int, document: Any, *, error: str | None = None) -> Answer:
    headers = [("content-type", "application/json")]
    if error is not None:
        headers.append(("x-amzn-errortype", error))
    return Answer(status, tuple(headers), json.dumps(document).encode())


@dataclass(frozen=True)
class Hang:
    """Answer nothing until the client gives up (a deadlock, from the outside)."""


@dataclass(frozen=True)
class Flood:
    """A 200 of ``size`` bytes, streamed: far more than any client should read."""

    size: int
    chunk: bytes = field(default=b" " * 65536, repr=False)


@dataclass(frozen=True)
class CutShort:
    """``answer`` with a ``Content-Length`` larger than its body, then the connection closed."""

    answer: Answer
    missing: int = 100


Outcome = Request | Answer | Hang
Final = Answer | Flood | CutShort
Before = Callable[[Request], Outcome]
After = Callable[[Request, Answer], Final]


def unchanged(request: Request) -> Outcome:
    return request


def as_is(request: Request, answer: Answer) -> Final:
    return answer


class Faulty:
    """The wrapped mock with ``before`` applied to each request and ``after`` to each answer."""

    def __init__(self, app: ASGIApp, *, before: Before = unchanged, after: After = as_is) -> None:
        self.app = app
        self.before = before
        self.after = after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away
        request = Request(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]),
            body=body,
        )
        outcome = self.before(request)
        if isinstance(outcome, Hang):
            await _until_disconnected(receive)
            return
        if isinstance(outcome, Answer):
            await _send(send, outcome)
            return
        answer = await _call(self.app, scope, outcome)
        if answer is not None:
            await _send(send, self.after(outcome, answer))


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _until_disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _call(app: ASGIApp, scope: Scope, request: Request) -> Answer | None:
    """The wrapped app's whole answer to ``request``; ``None`` when it sent none."""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers if k != "content-length"]
    headers.append((b"content-length", str(len(request.body)).encode()))
    inner_scope = {
        **scope,
        "method": request.method,
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query.encode("latin-1"),
        "headers": headers,
    }
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects while the mock answers
        raise AssertionError("unreachable")

    start: Message = {}
    parts: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            parts.append(bytes(message.get("body", b"")))

    await app(inner_scope, receive, send)
    if not start:
        return None
    return Answer(
        status=start["status"],
        headers=tuple(
            (k.decode("latin-1").lower(), v.decode("latin-1"))
            for k, v in start.get("headers", [])
            if k.lower() != b"content-length"
        ),
        body=b"".join(parts),
    )


async def _send(send: Send, final: Final) -> None:
    if isinstance(final, Flood):
        await _start(send, 200, (("content-type", "application/json"),), final.size)
        for _ in range(final.size // len(final.chunk)):
            await send({"type": "http.response.body", "body": final.chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    if isinstance(final, CutShort):
        answer = final.answer
        await _start(send, answer.status, answer.headers, len(answer.body) + final.missing)
        await send({"type": "http.response.body", "body": answer.body, "more_body": True})
        return  # uvicorn closes a connection whose answer is left incomplete
    await _start(send, final.status, final.headers, len(final.body))
    await send({"type": "http.response.body", "body": final.body, "more_body": False})


async def _start(send: Send, status: int, headers: Iterable[tuple[str, str]], length: int) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers if k != "content-length"]
    raw.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})


# --------------------------------------------------------------------------- one server, many apps


class Stage:
    """An ASGI app that hands each request to whichever app is on stage now.

    One uvicorn server can then serve variant after variant: starting and stopping a server
    costs more than a short run of the harness.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if self.app is None:
            await _send(send, json_answer(503, {"message": "no app on stage"}))
            return
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- signing again


class Resigner:
    """Signs a rewritten request again, when the original was correctly signed.

    ``contracts`` give each path's signing name; the original signature is checked with the
    mock's own :class:`~harness.mock.sigv4.Verifier`, so anything the correct mock would
    refuse with 403 is left as it is (and refused).
    """

    def __init__(self, *, credentials: tuple[str, str], contracts: Mapping[str, Contract]) -> None:
        self.credentials = credentials
        self.verifier = Verifier(credentials={credentials[0]: credentials[1]})
        self.services = {c.path: c.signing_name for c in contracts.values()}

    def correctly_signed(
        self, request: Request, *, service: str | None = None, now: Callable[[], float] | None = None
    ) -> bool:
        """Whether the correct mock would take ``request``'s signature: for ``service`` (another
        service than the path's), with its clock at ``now()`` (another time)."""
        service = service or self.services.get(request.path)
        if service is None:
            return False
        verifier = self.verifier if now is None else Verifier(credentials=dict([self.credentials]), clock=now)
        try:
            auth = verifier.check_headers(dict(request.headers), service=service)
            verifier.verify(
                auth,
                method=request.method,
                raw_path=request.path,
                query=request.query,
                headers=list(request.headers),
                body=request.body,
            )
        except ErrorAnswer:
            return False
        return True

    def region(self, request: Request) -> str:
        credential = (request.header("authorization") or "").partition("Credential=")[2]
        parts = credential.split("/")
        return parts[2] if len(parts) > 2 else aws.DEFAULT_REGION

    def sign(self, request: Request, body: bytes) -> Request:
        """``request`` with ``body``, signed now with the mock's credentials."""
        host = request.header("host") or "localhost"
        unsigned = {"Content-Type": request.header("content-type") or "application/json"}
        key = aws.SigningKey(self.credentials[0], self.credentials[1], self.region(request))
        signed = aws.sign(
            key=key,
            service=self.services[request.path],
            method=request.method,
            url=f"http://{host}{request.path}",
            headers=unsigned,
            body=body,
        )
        kept = tuple((k, v) for k, v in request.headers if k not in {"authorization", "x-amz-date", "content-type"})
        return replace(request, headers=(*kept, *((k.lower(), v) for k, v in signed.items())), body=body)

    def rewriting(self, rewrite: Callable[[Any], Any]) -> Before:
        """A ``before`` hook: correctly signed JSON bodies become ``rewrite(body)``, signed again."""

        def before(request: Request) -> Outcome:
            document = request.json()
            if request.is_state_change or document is None or not self.correctly_signed(request):
                return request
            changed = rewrite(document)
            if changed == document:
                return request
            return self.sign(request, json.dumps(changed).encode())

        return before
