"""Helpers of the binding and routing tests: contract documents, and a loopback server.

- :func:`document` writes the contract document of an imported operation as
  docs/imported-contracts.md fixes it (the OpenAPI path and method, ``x-harness`` with the
  protocol, target prefix, bindings and static query, and the input schema).
- :func:`serve` runs, on 127.0.0.1 in a thread, a real HTTP server (uvicorn) that routes each
  request with :class:`harness.routing.Router` and answers with what
  :func:`harness.binding.decode` reads from it, as JSON; :class:`Loopback` sends bound
  requests there, SigV4-signed, through the engine's own HTTP transport.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from harness.aws import SigningKey, sign
from harness.binding import BoundRequest, MalformedRequest, OperationBinding, decode
from harness.mock.server import serve_in_thread
from harness.result import SentRequest
from harness.routing import Router
from harness.target.http import HttpTransport

KEY = SigningKey(access_key="AKIDLOOPBACK00000001", secret_key="loopback-secret", region="us-east-1")


def document(
    operation: str,
    *,
    method: str = "post",
    path: str = "/",
    protocol: str = "restJson1",
    properties: Mapping[str, Any] | None = None,
    bindings: Mapping[str, Any] | None = None,
    static_query: list[list[str]] | None = None,
    target_prefix: str | None = None,
) -> dict[str, Any]:
    """An imported contract document; ``properties``: the input schema's (member -> schema)."""
    extension: dict[str, Any] = {
        "operation": operation,
        "protocol": protocol,
        "signingName": operation.split(":")[0],
        "input": "#/components/schemas/Input",
    }
    if target_prefix is not None:
        extension["targetPrefix"] = target_prefix
    if bindings is not None:
        extension["bindings"] = dict(bindings)
    if static_query is not None:
        extension["staticQuery"] = static_query
    return {
        "openapi": "3.1.0",
        "info": {"title": operation, "version": "1"},
        "x-harness": extension,
        "paths": {path: {method: {"operationId": operation.split(":")[1], "responses": {"200": {}}}}},
        "components": {"schemas": {"Input": {"type": "object", "properties": dict(properties or {})}}},
    }


def binding(operation: str, **fields: Any) -> OperationBinding:
    return OperationBinding.from_document(document(operation, **fields), source=f"{operation}.json")


@dataclass(frozen=True)
class Echo:
    """What the loopback server read from a request."""

    status: int
    operation: str | None
    labels: Mapping[str, str]
    input: Any  # the decoded operation input, or the reason it could not be decoded


class _App:
    """An ASGI app: route, decode, answer the decoded input as JSON."""

    def __init__(self, router: Router) -> None:
        self.router = router

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()  # lifespan.startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw = scope["raw_path"].decode("latin-1")
        query = scope["query_string"].decode("latin-1")
        path = f"{raw}?{query}" if query else raw
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        route = self.router.match(scope["method"], path, dict(headers))
        if route is None:
            answer: dict[str, Any] = {"operation": None, "labels": {}, "input": "no route"}
            status = 404
        else:
            try:
                decoded: Any = decode(route.binding, scope["method"], path, headers, body)
                status = 200
            except MalformedRequest as exc:
                decoded, status = str(exc), 400
            answer = {"operation": route.operation, "labels": dict(route.labels), "input": decoded}
        payload = json.dumps(answer).encode()
        start = {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        await send(start)
        await send({"type": "http.response.body", "body": payload})


@dataclass
class Loopback:
    url: str
    transport: HttpTransport

    def send(self, request: BoundRequest, *, signing_name: str = "loopback") -> Echo:
        url = request.url(self.url)
        headers = sign(
            key=KEY, service=signing_name, method=request.method, url=url, headers=request.headers, body=request.body
        )
        answer = self.transport.send(SentRequest(request.method, url, headers, request.body))
        parsed = json.loads(answer.body)
        return Echo(answer.status, parsed["operation"], parsed["labels"], parsed["input"])


@contextmanager
def serve(bindings: Iterable[OperationBinding]) -> Iterator[Loopback]:
    """The loopback server routing to ``bindings``, for the block."""
    transport = HttpTransport(timeout=5.0)
    with serve_in_thread(_App(Router(bindings))) as url:
        try:
            yield Loopback(url, transport)
        finally:
            transport.close()
