"""Serving the mock with uvicorn: in a background thread, or in the foreground until a signal.

- :func:`running_mock`: the mock on a free loopback port for the length of a ``with``
  block; what ``harness run --target mock`` and the project's tests use.
- :func:`serve_in_thread`: the same for any ASGI app.
- :func:`serve_forever`: ``harness mock``; SIGINT (Ctrl-C) and SIGTERM stop it gracefully.

The listening socket is bound (and listening) before uvicorn starts, so the URL, with the
port the system chose for port 0, is known and reachable at once.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Any

import uvicorn

from harness.contract import Contract
from harness.errors import HarnessError, UsageError
from harness.mock.app import create_app

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 10.0
#: How long a stopping server waits for requests in flight.
GRACEFUL_SHUTDOWN_SECONDS = 5


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: a free port)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another port "
            "(0 lets the system pick a free one)"
        ) from None


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(app: Any, **overrides: Any) -> uvicorn.Config:
    settings: dict[str, Any] = {
        "lifespan": "on",
        "access_log": False,
        "proxy_headers": False,  # a mock on loopback has no proxy whose headers to trust
        "server_header": False,
        "log_level": "warning",
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
        **overrides,
    }
    return uvicorn.Config(app, **settings)


@contextmanager
def serve_in_thread(app: Any, *, host: str = LOOPBACK, port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yields its base URL."""
    sock = bind(host, port)
    # log_config=None: a server in a thread leaves the process' logging configuration alone.
    server = uvicorn.Server(_config(app, log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="harness-mock", daemon=True)
    try:
        thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise HarnessError(f"the mock did not start on {url_of(sock)}")
            time.sleep(0.005)
        yield url_of(sock)
    finally:
        server.should_exit = True
        if thread.is_alive():
            thread.join()
        sock.close()


@contextmanager
def running_mock(
    *,
    credentials: tuple[str, str],
    contracts: Mapping[str, Contract] | None = None,
    host: str = LOOPBACK,
    port: int = 0,
) -> Iterator[str]:
    """The reference mock, accepting requests signed with ``credentials``, on ``host``:``port``.

    Yields the base URL (``http://127.0.0.1:PORT``); provider states are at
    ``URL + "/_harness/provider-states"``.  The server stops when the block ends.
    """
    app = create_app(contracts=contracts, credentials=credentials)
    with serve_in_thread(app, host=host, port=port) as url:
        yield url


def serve_forever(app: Any, *, host: str, port: int, on_ready: Callable[[str], None] = lambda url: None) -> None:
    """Serve ``app`` in this thread until SIGINT or SIGTERM, then stop gracefully and return."""
    sock = bind(host, port)
    server = uvicorn.Server(_config(app))

    # uvicorn handles both signals while it runs, then raises the one it got again for the
    # previous handler; these handlers make that a clean return instead of an interrupt.
    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        on_ready(url_of(sock))
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
