"""Misbehaving HTTP servers on loopback, one socket-level fault each, for the engine's tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Behaviour = Callable[[socket.socket], None]


def read_request(conn: socket.socket) -> bytes:
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head


def html_page(conn: socket.socket) -> None:
    read_request(conn)
    body = b"<html><body><h1>It works!</h1></body></html>"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def deeply_nested_error(conn: socket.socket) -> None:
    """A 400 whose JSON body nests 100,000 levels deep (past Python's ``json``)."""
    read_request(conn)
    body = b'{"message":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    conn.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nx-amzn-ErrorType: ValidationException\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def xml_error(conn: socket.socket) -> None:
    """A query-protocol or restXml error page, as an emulator of another protocol answers."""
    read_request(conn)
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
        b"<Code>InvalidAction</Code><Message>Could not find operation</Message></Error></ErrorResponse>"
    )
    conn.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def empty_answer(conn: socket.socket) -> None:
    """200 and nothing else, whatever was asked."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


def not_implemented(conn: socket.socket) -> None:
    """501, as an emulator answers an operation it does not implement."""
    read_request(conn)
    body = b"The CreateCluster action has not been implemented"
    conn.sendall(
        b"HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def closed(conn: socket.socket) -> None:
    """The request read, the connection closed without a word."""
    read_request(conn)


def reset(conn: socket.socket) -> None:
    read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def short_body(conn: socket.socket) -> None:
    read_request(conn)
    conn.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mess')


def huge_body(conn: socket.socket) -> None:
    read_request(conn)
    size = 50 * 1024 * 1024
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
    chunk = b" " * 65536
    try:
        for _ in range(size // len(chunk)):
            conn.sendall(chunk)
    except OSError:
        pass  # the client stopped reading, as it should


@contextmanager
def bad_server(behaviour: Behaviour) -> Iterator[str]:
    """A server on a free loopback port answering every connection with ``behaviour``."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn, suppress(OSError):
            behaviour(conn)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=handle, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
        for worker in workers:
            worker.join(timeout=10)
