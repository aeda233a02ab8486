"""Sending requests over HTTP with bounded time and size.

urllib3 is used directly (it comes with botocore, and vcrpy can record and replay it):
no retries, a connect and read timeout per request, and at most ``max_body`` bytes read
of an answer, so a target that hangs, floods or cuts a body short is reported, not waited
on or buffered without bound.  The transport is safe to share between threads (urllib3's
pools are), and keeps up to ``connections`` connections open to each target, so that as
many requests can be in flight at once without a new connection, and a round trip, each.
"""

from __future__ import annotations

import time
from typing import Protocol

import urllib3
from urllib3.exceptions import (
    HTTPError,
    IncompleteRead,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from harness.result import Response, SentRequest

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BODY = 1024 * 1024
#: Connections kept open to one target: requests in flight at once without a new connection.
DEFAULT_CONNECTIONS = 4


class TransportFailure(Exception):
    """The target did not give a complete answer."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind  # unreachable, timeout, reset, truncated, protocol
        super().__init__(message)


class Transport(Protocol):
    def send(self, request: SentRequest) -> Response: ...

    def close(self) -> None: ...


class HttpTransport:
    """A real HTTP client for one target (and its provider-states URL); threads may share it."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_body: int = DEFAULT_MAX_BODY,
        connections: int = DEFAULT_CONNECTIONS,
    ) -> None:
        self.timeout = timeout
        self.max_body = max_body
        self._pool = urllib3.PoolManager(
            num_pools=4,
            maxsize=connections,
            retries=False,
            timeout=urllib3.Timeout(connect=min(5.0, timeout), read=timeout),
        )

    def send(self, request: SentRequest) -> Response:
        started = time.monotonic()
        try:
            answer = self._pool.request(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                preload_content=False,
                redirect=False,
            )
        except NewConnectionError as exc:
            raise TransportFailure("unreachable", f"cannot connect to {request.url}: {_reason(exc)}") from None
        except ReadTimeoutError:
            raise TransportFailure("timeout", f"no answer within {self.timeout:g} s") from None
        except (ProtocolError, HTTPError) as exc:
            raise TransportFailure("reset", f"the connection broke before an answer: {_reason(exc)}") from None
        try:
            body, truncated = self._read(answer)
        except TransportFailure:
            answer.close()
            raise
        if truncated:
            answer.close()  # the rest is never read: this connection cannot be reused
        else:
            answer.release_conn()
        headers = {name: value for name, value in answer.headers.items()}
        return Response(
            status=answer.status,
            headers=headers,
            body=body,
            elapsed=time.monotonic() - started,
            truncated=truncated,
        )

    def _read(self, answer: urllib3.BaseHTTPResponse) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = answer.read(65536)
                if not chunk:
                    return b"".join(chunks), False
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_body:
                    return b"".join(chunks)[: self.max_body], True
        except ReadTimeoutError:
            raise TransportFailure("timeout", f"the body did not arrive within {self.timeout:g} s") from None
        except (IncompleteRead, ProtocolError) as exc:
            raise TransportFailure("truncated", f"the body was cut short: {_reason(exc)}") from None

    def close(self) -> None:
        self._pool.clear()


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "reason", None) or exc)
    return text.split(": ", 1)[-1] if "object at 0x" in text else text
