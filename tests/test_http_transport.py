"""The HTTP transport: threads may share it, and it keeps ``connections`` connections per target open.

Requests sent from many threads at once each get their own answer; as many requests in flight
together as the transport keeps connections need no new connection the next time; requests
one after another reuse one connection.  (Timeouts, truncated and oversized answers, resets:
``test_broken_targets.py``.)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.result import SentRequest
from harness.target.http import HttpTransport
from tests.bad_targets import bad_server


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
