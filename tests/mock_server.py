"""Helpers of the mock's tests: an in-process ASGI driver, a real server, signed requests.

- :func:`call` drives the ASGI app directly (no sockets), with any bytes as headers and
  body, optionally in chunks: for unit tests and Hypothesis.
- :func:`serve` starts the real uvicorn server on a free loopback port in a thread, and
  :class:`Server` sends signed requests to it, sets provider states and makes boto3
  clients for it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import boto3
import urllib3
from botocore.config import Config

from harness.aws import SigningKey, sign
from harness.contract import Contract, load_contracts
from harness.mock import STATES_PATH, MockApp, create_app
from harness.mock.server import serve_in_thread

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
CREDENTIALS = ("AKIDMOCKTESTS0000001", "mock-tests-secret-key")
KEY = SigningKey(access_key=CREDENTIALS[0], secret_key=CREDENTIALS[1], region="us-east-1")
IN_PROCESS_HOST = "mock.test"

TARGET = {
    "region": "us-east-1",
    "targetIdentifier": {"targetId": {"accountId": "123456789012"}, "targetType": "ACCOUNT"},
}
GRAPH_ARN = "arn:aws:detective:us-east-1:111122223333:graph:027c7c4610ea4aacaf0b883093cab899"
MEMBER = "444455556666"


@cache
def contracts() -> dict[str, Contract]:
    return load_contracts()


def contract(operation: str) -> Contract:
    return contracts()[operation]


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> str | None:
        return self.headers.get("x-amzn-errortype")


# --------------------------------------------------------------------------- signing


def signed_headers(
    operation: str,
    body: bytes,
    *,
    base_url: str = f"http://{IN_PROCESS_HOST}",
    key: SigningKey = KEY,
    at: datetime | None = None,
    headers: Mapping[str, str] | None = None,
    query: str = "",
    service: str | None = None,
) -> dict[str, str]:
    """The headers of a request of ``operation`` once SigV4-signed with ``key`` (Host included)."""
    target = contract(operation)
    url = f"{base_url}{target.path}" + (f"?{query}" if query else "")
    extra = {"Content-Type": "application/json"} if headers is None else dict(headers)
    signed = sign(
        key=key, service=service or target.signing_name, method=target.method, url=url, headers=extra, body=body, at=at
    )
    return {"Host": base_url.split("://", 1)[1], **signed}


# --------------------------------------------------------------------------- in process


def call(
    app: MockApp,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    chunks: Sequence[bytes] | None = None,
    query: bytes = b"",
    raw_path: bytes | None = None,
) -> Answer:
    """One request through the ASGI app, without a server; ``chunks`` splits the body."""
    pairs = (
        [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if isinstance(headers, Mapping)
        else list(headers)
    )
    parts = list(chunks) if chunks is not None else [body]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode("utf-8"),
        "query_string": query,
        "headers": pairs,
        "server": (IN_PROCESS_HOST, 80),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[Mapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if parts:
            chunk = parts.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(parts)}
        return {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *bodies = sent
    return Answer(
        status=start["status"],
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]},
        body=b"".join(m.get("body", b"") for m in bodies),
    )


def call_signed(app: MockApp, operation: str, document: Any, **sign_options: Any) -> Answer:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    target = contract(operation)
    return call(app, target.method, target.path, headers=signed_headers(operation, body, **sign_options), body=body)


def set_state(app: MockApp, action: str, state: str, params: Mapping[str, Any] | None = None) -> Answer:
    payload = {"action": action, "state": state, "params": dict(params or {})}
    return call(app, "POST", STATES_PATH, body=json.dumps(payload).encode())


# --------------------------------------------------------------------------- real server


@dataclass
class Server:
    """The real mock under uvicorn, and ways to talk to it."""

    url: str
    app: MockApp
    http: urllib3.PoolManager = field(default_factory=lambda: urllib3.PoolManager(retries=False, timeout=10))
    clients: list[Any] = field(default_factory=list)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        response = self.http.request(method, self.url + path, body=body, headers=dict(headers or {}))
        return Answer(
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=response.data,
        )

    def signed(self, operation: str, document: Any, **sign_options: Any) -> Answer:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        target = contract(operation)
        headers = signed_headers(operation, body, base_url=self.url, **sign_options)
        return self.send(target.method, target.path, body=body, headers=headers)

    def state(self, action: str, state: str, params: Mapping[str, Any] | None = None) -> Answer:
        payload = {"action": action, "state": state, "params": dict(params or {})}
        return self.send("POST", STATES_PATH, body=json.dumps(payload).encode())

    @contextmanager
    def provider_state(self, state: str, params: Mapping[str, Any] | None = None) -> Iterator[None]:
        """``state`` set up for the block, torn down after it."""
        answer = self.state("setup", state, params)
        assert answer.status == 200, answer.body
        try:
            yield
        finally:
            self.state("teardown", state, params)

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client of ``service`` for the mock; ``config``: botocore Config options."""
        options = {"retries": {"total_max_attempts": 1}, **config}
        client = boto3.client(
            service,
            endpoint_url=self.url,
            region_name=KEY.region,
            aws_access_key_id=KEY.access_key,
            aws_secret_access_key=KEY.secret_key,
            config=Config(**options),
        )
        self.clients.append(client)
        return client

    def close(self) -> None:
        self.http.clear()
        for client in self.clients:
            client.close()


@contextmanager
def serve(**app_options: Any) -> Iterator[Server]:
    """The real mock on 127.0.0.1 and a free port, in a thread, for the block."""
    app = create_app(credentials=CREDENTIALS, **app_options)
    with serve_in_thread(app) as url:
        server = Server(url=url, app=app)
        try:
            yield server
        finally:
            server.close()


def new_app(**app_options: Any) -> MockApp:
    return create_app(credentials=CREDENTIALS, **app_options)
