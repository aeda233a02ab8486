"""The HTTP transport: threads may share it, and it keeps ``connections`` connections per target open.

Requests sent from many threads at once each get their own answer; as many requests in flight
together as the transport keeps connections need no new connection the next time; requests
one after another reuse one connection, unless the target has closed it meanwhile.  An
answer given before the whole body is sent (the mock's 413) is read; a ``gzip`` answer is
decoded; a URL with no host is unreachable.  (Timeouts, truncated and oversized answers,
resets, an unreachable target in a run: ``test_broken_targets.py``.)
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.aws import SigningKey, sign
from harness.mock import create_app
from harness.mock.server import serve_in_thread
from harness.result import SentRequest
from harness.target.http import HttpTransport, TransportFailure
from tests.bad_targets import bad_server, read_request


class Echo:
    """A keep-alive HTTP/1.1 server behaviour: every request on a connection is answered with
    its own body, 5 ms later (so that the requests of several threads are in flight at once);
    ``connections`` counts the connections it was given."""

    def __init__(self) -> None:
        self.connections = 0
        self._lock = threading.Lock()

    def __call__(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
        conn.settimeout(5)
        pending = b""
        while True:
            while b"\r\n\r\n" not in pending:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                pending += chunk
            head, _, pending = pending.partition(b"\r\n\r\n")
            lines = head.lower().split(b"\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in lines if line.startswith(b"content-length:"))
            while len(pending) < length:
                pending += conn.recv(65536)
            body, pending = pending[:length], pending[length:]
            time.sleep(0.005)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


@pytest.fixture
def echo() -> Iterator[tuple[Echo, str]]:
    behaviour = Echo()
    with bad_server(behaviour) as url:
        yield behaviour, url


def post(transport: HttpTransport, url: str, body: bytes) -> bytes:
    request = SentRequest(method="POST", url=f"{url}/echo", headers={"Content-Type": "text/plain"}, body=body)
    response = transport.send(request)
    assert response.status == 200
    return response.body


def test_requests_from_many_threads_get_their_own_answers(echo: tuple[Echo, str]) -> None:
    _, url = echo
    transport = HttpTransport(connections=8)
    bodies = [f"request {n}".encode() for n in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda body: post(transport, url, body), bodies))
    transport.close()
    assert answers == bodies


def test_connections_in_flight_together_stay_open_for_the_next_requests(echo: tuple[Echo, str]) -> None:
    server, url = echo
    transport = HttpTransport(connections=8)
    start = threading.Barrier(8)

    def together(body: bytes) -> bytes:
        start.wait(timeout=10)
        return post(transport, url, body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for burst in range(3):  # eight requests at once, three times over
            bodies = [f"{burst}.{n}".encode() for n in range(8)]
            assert list(pool.map(together, bodies)) == bodies
    transport.close()
    assert server.connections == 8  # a transport keeping fewer would have opened new ones for each burst


def test_requests_one_after_another_reuse_one_connection(echo: tuple[Echo, str]) -> None:
    server, url = echo
    transport = HttpTransport(connections=1)
    assert [post(transport, url, b"%d" % n) for n in range(20)] == [b"%d" % n for n in range(20)]
    transport.close()
    assert server.connections == 1


def test_a_connection_the_target_closed_while_idle_is_not_used_again() -> None:
    connections = 0

    def one_answer_then_close(conn: socket.socket) -> None:
        nonlocal connections
        connections += 1
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")  # keep-alive, as far as it says

    with bad_server(one_answer_then_close) as url:
        transport = HttpTransport()
        assert post(transport, url, b"first") == b"ok"
        time.sleep(0.1)  # the target's end of the connection arrives
        assert post(transport, url, b"second") == b"ok"  # on a new connection, not a reset
        transport.close()
    assert connections == 2


def test_an_answer_before_the_whole_body_is_sent_is_read() -> None:
    credentials = ("AKIDTRANSPORT0000001", "transport-secret")
    key = SigningKey(*credentials, region="us-east-1")
    body = b'{"targets": [' + b" " * (2 * 1024 * 1024) + b"]}"  # over the mock's 1 MiB
    with serve_in_thread(create_app(credentials=credentials)) as url:
        headers = sign(
            key=key,
            service="networkflowmonitor",
            method="POST",
            url=f"{url}/scopes",
            headers={"Content-Type": "application/json"},
            body=body,
        )
        transport = HttpTransport()
        response = transport.send(SentRequest("POST", f"{url}/scopes", headers, body))
        transport.close()
    assert response.status == 413


def test_a_gzip_answer_is_decoded() -> None:
    compressed = gzip.compress(b'{"message": "compressed"}')

    def gzipped(conn: socket.socket) -> None:
        read_request(conn)
        head = b"HTTP/1.1 400 Bad Request\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(compressed)
        conn.sendall(head + compressed)

    with bad_server(gzipped) as url:
        transport = HttpTransport()
        response = transport.send(SentRequest("POST", f"{url}/x", {}, b"{}"))
        transport.close()
    assert (response.status, response.body) == (400, b'{"message": "compressed"}')


def test_a_url_without_a_host_is_unreachable() -> None:
    with pytest.raises(TransportFailure) as failure:
        HttpTransport().send(SentRequest("POST", "http:///scopes", {}, b"{}"))
    assert failure.value.kind == "unreachable"
    assert "cannot connect to http:///scopes" in str(failure.value)
