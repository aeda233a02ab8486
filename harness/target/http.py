"""Sending requests over HTTP with bounded time and size.

No retries, a connect and read timeout per request, and at most ``max_body`` bytes read of
an answer, so a target that hangs, floods or cuts a body short is reported, not waited on or
buffered without bound.  The transport is safe to share between threads, and keeps up to
``connections`` idle connections open to each target, so that as many requests can be in
flight at once without a new connection, and a round trip, each.

The client is the standard library's ``http.client``, with a pool of keep-alive connections
of its own.  urllib3, which the transport used until issue 15 measured it, cost about 200
microseconds of CPU per request in a run against the bundled mock, half of the transport's
cost and a tenth of the harness' CPU, for what the harness never asks of it (retries,
redirects, proxies).  What it did that matters is kept: the URL goes through urllib3's own
``parse_url`` (dot segments removed and characters a URL may not carry percent-encoded, so
the request line is what it was), an idle connection that the target has closed is not used
again, ``TCP_NODELAY`` is set, a body shorter than its ``Content-Length`` is truncated, and a
``gzip`` or ``deflate`` answer is decoded.
"""

from __future__ import annotations

import contextlib
import http.client
import select
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Protocol

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from harness import __version__
from harness.result import Response, SentRequest

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BODY = 1024 * 1024
#: Idle connections kept open to one target: requests in flight at once without a new connection.
DEFAULT_CONNECTIONS = 4
USER_AGENT = f"aws-contract-harness/{__version__}"
_CHUNK = 65536


class TransportFailure(Exception):
    """The target did not give a complete answer."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind  # unreachable, timeout, reset, truncated, protocol
        super().__init__(message)


class Transport(Protocol):
    def send(self, request: SentRequest) -> Response: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int


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
        self._connect_timeout = min(5.0, timeout)
        self._connections = connections
        self._idle: dict[_Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    def send(self, request: SentRequest) -> Response:
        started = time.monotonic()
        origin, target = _split(request.url)
        connection = self._checkout(origin, request.url)
        headers = dict(request.headers)
        if not any(name.lower() == "user-agent" for name in headers):
            headers["User-Agent"] = USER_AGENT
        try:
            # A target may answer (413, say) and close before the whole body is in: read that answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.request(request.method, target, body=request.body, headers=headers)
            answer = connection.getresponse()
        except TimeoutError:
            connection.close()
            raise TransportFailure("timeout", f"no answer within {self.timeout:g} s") from None
        except (http.client.HTTPException, OSError) as exc:
            connection.close()
            raise TransportFailure("reset", f"the connection broke before an answer: {_reason(exc)}") from None
        try:
            body, truncated = self._read(answer)
        except TransportFailure:
            answer.close()
            connection.close()
            raise
        if truncated or answer.will_close:
            answer.close()  # the rest is never read (or the target closes): not to be used again
            connection.close()
        else:
            self._checkin(origin, connection)
        return Response(
            status=answer.status,
            headers=_headers(answer),
            body=body,
            elapsed=time.monotonic() - started,
            truncated=truncated,
        )

    def close(self) -> None:
        with self._lock:
            idle = [connection for connections in self._idle.values() for connection in connections]
            self._idle.clear()
        for connection in idle:
            connection.close()

    # ------------------------------------------------------------------ connections

    def _checkout(self, origin: _Origin, url: str) -> http.client.HTTPConnection:
        """An idle connection to ``origin`` that the target has not closed, else a new one."""
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                connection = idle.pop() if idle else None
            if connection is None:
                return self._connect(origin, url)
            if not _dropped(connection):
                return connection
            connection.close()

    def _checkin(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self._connections:
                idle.append(connection)
                return
        connection.close()

    def _connect(self, origin: _Origin, url: str) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if origin.scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                origin.host, origin.port, timeout=self._connect_timeout, context=self._tls
            )
        else:
            connection = http.client.HTTPConnection(origin.host, origin.port, timeout=self._connect_timeout)
        try:
            connection.connect()
        except TimeoutError:
            connection.close()
            raise TransportFailure(
                "unreachable", f"cannot connect to {url}: no connection within {self._connect_timeout:g} s"
            ) from None
        except OSError as exc:  # refused, no route, no such host, a TLS handshake refused
            connection.close()
            raise TransportFailure("unreachable", f"cannot connect to {url}: {_reason(exc)}") from None
        assert connection.sock is not None
        connection.sock.settimeout(self.timeout)
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    # ------------------------------------------------------------------ the answer

    def _read(self, answer: http.client.HTTPResponse) -> tuple[bytes, bool]:
        """The body (decoded when ``gzip`` or ``deflate``), and whether it was cut at ``max_body``."""
        encoding = (answer.getheader("Content-Encoding") or "").strip().lower()
        decoder = _decoder(encoding)
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                raw = answer.read(_CHUNK)
                if not raw:
                    break
                chunk = decoder.decompress(raw) if decoder is not None else raw
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_body:
                    return b"".join(chunks)[: self.max_body], True
        except TimeoutError:
            raise TransportFailure("timeout", f"the body did not arrive within {self.timeout:g} s") from None
        except (http.client.HTTPException, OSError, zlib.error) as exc:
            raise TransportFailure("truncated", f"the body was cut short: {_reason(exc)}") from None
        if answer.length:  # http.client leaves a body shorter than its Content-Length to its reader
            raise TransportFailure(
                "truncated", f"the body was cut short: {answer.length} bytes of its Content-Length never came"
            )
        if decoder is not None:
            chunks.append(decoder.flush())
        return b"".join(chunks), False


def _split(url: str) -> tuple[_Origin, str]:
    """Where ``url`` goes, and its request target, as urllib3 normalises them."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise TransportFailure("unreachable", f"cannot connect to {url}: not a URL") from None
    scheme = (parsed.scheme or "http").lower()
    if scheme not in ("http", "https") or not parsed.host:
        raise TransportFailure("unreachable", f"cannot connect to {url}: only http:// and https:// URLs with a host")
    port = parsed.port or (443 if scheme == "https" else 80)
    return _Origin(scheme, parsed.host, port), parsed.request_uri


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection was closed by the target (readable while idle: its end, or junk)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _Decoder(Protocol):
    def decompress(self, data: bytes, /) -> bytes: ...

    def flush(self) -> bytes: ...


def _decoder(encoding: str) -> _Decoder | None:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def _headers(answer: http.client.HTTPResponse) -> dict[str, str]:
    """The answer's headers: a repeated one under its first spelling, with its last value; a
    value folded over lines (obsolete, still sent) on one line."""
    headers: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for name, value in answer.getheaders():
        if "\n" in value:
            value = " ".join(part.strip(" \t\r") for part in value.split("\n"))
        headers[spelling.setdefault(name.lower(), name)] = value
    return headers


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
    return text.split(": ", 1)[-1] if "object at 0x" in text else text
