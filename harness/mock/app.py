"""The reference mock as a plain ASGI application, built from the contracts.

Each contract gives a route (its method and path) and is served by the handler registered
for its operation id.  A request of an operation goes through these steps, each of which
may answer with an error and stop:

1. route: an unknown path gets 404 ``UnknownOperationException``, a known path with another
   method 405 ``MethodNotAllowedException``;
2. SigV4, the headers' part (:meth:`Verifier.check_headers`): 403;
3. the body, read within its limits (:func:`body.read_body`): 413, 408;
4. SigV4, the signature itself (:meth:`Verifier.verify`): 403;
5. media type (415), JSON (400 ``SerializationException``), the contract's request schema
   through the harness' own validator (400 ``ValidationException``);
6. the fault states (``access denied``, ``throttled``, ``internal failure``);
7. the operation's handler.

``/_harness/provider-states`` (unsigned, ``POST`` only) sets up and tears down the provider
states of SPEC section 5.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from harness.aws import AUTH_ERROR_NAMES
from harness.binding import OperationBinding
from harness.contract import Contract, load_contracts
from harness.errors import ContractError, UsageError
from harness.mock import body
from harness.mock.errors import ErrorAnswer, render_error
from harness.mock.faults import Faults
from harness.mock.graphs import StartMonitoringMember
from harness.mock.handler import Call, Handler, HandlerFactory
from harness.mock.reply import Reply
from harness.mock.scopes import CreateScope
from harness.mock.sigv4 import Verifier, credentials_from_environment
from harness.mock.state import ProviderStates
from harness.routing import Router

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STATES_PATH = "/_harness/provider-states"
MAX_STATES_BODY_BYTES = 64 * 1024

#: The handler of each operation the mock implements, by operation id.
DEFAULT_HANDLERS: Mapping[str, HandlerFactory] = MappingProxyType(
    {
        "networkflowmonitor:CreateScope": CreateScope,
        "detective:StartMonitoringMember": StartMonitoringMember,
    }
)

#: Errors the pipeline answers with on its own; every served contract must declare them.
PIPELINE_ERRORS = frozenset({"ValidationException", "SerializationException", *AUTH_ERROR_NAMES})


@dataclass(frozen=True)
class Route:
    contract: Contract
    handler: Handler


class MockApp:
    """The ASGI application; build it with :func:`create_app`."""

    def __init__(
        self,
        *,
        routes: Mapping[str, Route],
        verifier: Verifier,
        faults: Faults,
        max_body: int,
        body_timeout: float,
    ) -> None:
        self._routes = routes  # by operation id
        # which operation a request is for: its path template and method (harness.routing)
        self._router = Router(
            OperationBinding.from_document(r.contract.document, source=str(r.contract.file)) for r in routes.values()
        )
        self._verifier = verifier
        self._faults = faults
        self._max_body = max_body
        self._body_timeout = body_timeout
        self.handlers = {operation: r.handler for operation, r in routes.items()}
        definitions = [*faults.definitions()]
        for handler in self.handlers.values():
            definitions.extend(handler.states())
        self.states = ProviderStates(definitions)
        # x-amzn-RequestId: UUID-shaped, unique per app; a counter behind a random prefix
        # costs less than a fresh uuid4 (a system call) per answer.
        self._request_prefix = str(uuid.uuid4())[:24]
        self._request_numbers = itertools.count()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                reply = await self._answer(scope, receive)
            except body.Disconnected:
                return
            request_id = f"{self._request_prefix}{next(self._request_numbers) % 16**12:012x}"
            await _send_reply(send, reply, request_id)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        else:  # a websocket: refuse it
            await receive()
            await send({"type": "websocket.close", "code": 1003})

    async def _answer(self, scope: Scope, receive: Receive) -> Reply:
        path, method = scope["path"], scope["method"]
        if path == STATES_PATH:
            return await self._provider_states(method, receive)
        raw = scope.get("raw_path") or path.encode()
        query = scope.get("query_string") or b""
        found = self._router.match(method, (raw + b"?" + query if query else raw).decode("latin-1"))
        if found is None:
            allowed = self._router.allowed_methods(raw.decode("latin-1"))
            if not allowed:
                known = ", ".join(f"{r.contract.method} {r.contract.path}" for r in self._routes.values())
                error = ErrorAnswer(
                    "UnknownOperationException", f"No operation at {path[:200]!r}; the mock serves {known}."
                )
                return render_error(error, None)
            names = ", ".join(sorted(allowed))
            error = ErrorAnswer("MethodNotAllowedException", f"{path} accepts {names}, not {method[:20]}.")
            reply = render_error(error, None)
            return replace(reply, headers=(*reply.headers, (b"allow", names.encode())))
        route = self._routes[found.operation]
        try:
            return await self._operation(route, scope, receive)
        except ErrorAnswer as error:
            return render_error(error, route.contract)

    async def _operation(self, route: Route, scope: Scope, receive: Receive) -> Reply:
        contract = route.contract
        headers = [(n.decode("latin-1").lower(), v.decode("latin-1")) for n, v in scope["headers"]]
        lookup = dict(headers)
        auth = self._verifier.check_headers(lookup, service=contract.signing_name)
        content = await body.read_body(
            receive,
            content_length=lookup.get("content-length"),
            limit=self._max_body,
            timeout=self._body_timeout,
        )
        raw_path = scope.get("raw_path") or scope["path"].encode()
        self._verifier.verify(
            auth,
            method=scope["method"],
            raw_path=raw_path.decode("latin-1"),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=content,
        )
        body.check_media_type(lookup.get("content-type"), content)
        parsed = body.parse_json(content)
        document = body.validate(contract, route.handler, parsed, raw=content)
        self._faults.check(contract.id)
        return route.handler.answer(Call(document=document, region=auth.region))

    async def _provider_states(self, method: str, receive: Receive) -> Reply:
        try:
            if method != "POST":
                raise ErrorAnswer("MethodNotAllowedException", f"{STATES_PATH} accepts POST, not {method[:20]}.")
            content = await body.read_body(
                receive, content_length=None, limit=MAX_STATES_BODY_BYTES, timeout=self._body_timeout
            )
            return self.states.answer(body.parse_json(content))
        except ErrorAnswer as error:
            return render_error(error, None)


async def _send_reply(send: Send, reply: Reply, request_id: str) -> None:
    headers = [
        (b"content-length", str(len(reply.body)).encode()),
        (b"x-amzn-requestid", request_id.encode()),
        *reply.headers,
    ]
    if reply.close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(
    *,
    contracts: Mapping[str, Contract] | None = None,
    credentials: tuple[str, str] | None = None,
    clock: Callable[[], float] = time.time,
    handlers: Mapping[str, HandlerFactory] | None = None,
    ignore_unhandled: bool = False,
    max_body: int = body.MAX_BODY_BYTES,
    body_timeout: float = body.BODY_TIMEOUT_SECONDS,
) -> MockApp:
    """The mock as an ASGI app.

    ``contracts``: the operations to serve (default: :func:`~harness.contract.load_contracts`).
    ``credentials``: the ``(access key, secret key)`` requests must be signed with (default:
    ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``).  ``clock``: seconds since the epoch,
    against which ``X-Amz-Date`` is checked.  ``handlers``: handler factories by operation id,
    over :data:`DEFAULT_HANDLERS`.  The mock implements the curated operations: an imported
    contract (``harness import`` into the same folder) is left out; a curated one with no
    handler is an error unless ``ignore_unhandled``, which leaves that operation out too.
    """
    contracts = load_contracts() if contracts is None else contracts
    factories = {**DEFAULT_HANDLERS, **(handlers or {})}
    routes: dict[str, Route] = {}
    served: dict[str, Contract] = {}
    for contract in contracts.values():
        factory = factories.get(contract.id)
        if factory is None:
            if ignore_unhandled or contract.imported is not None:
                continue
            raise UsageError(
                f"the mock has no handler for {contract.id} ({contract.file}); it implements "
                f"{', '.join(sorted(factories))}. Add a handler, or pass ignore_unhandled=True "
                "to serve the other operations."
            )
        handler = factory(contract)
        undeclared = sorted((PIPELINE_ERRORS | handler.errors) - set(contract.errors))
        if undeclared:
            raise ContractError(
                file=contract.file,
                pointer="/paths",
                message=f"the mock answers {', '.join(undeclared)}, which no response declares (x-aws-errors)",
            )
        routes[contract.id] = Route(contract, handler)
        served[contract.id] = contract
    access_key, secret_key = credentials if credentials is not None else credentials_from_environment()
    return MockApp(
        routes=routes,
        verifier=Verifier(credentials={access_key: secret_key}, clock=clock),
        faults=Faults(served),
        max_body=max_body,
        body_timeout=body_timeout,
    )
