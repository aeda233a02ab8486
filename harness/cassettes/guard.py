"""The socket guard of a replay: nothing may reach the network while it is on.

vcrpy answers every recorded request without a connection and refuses (raises) on any other,
so a replay needs no network; the guard makes that a checked fact rather than a hope.  While it
is on, opening a TCP connection or resolving a name raises :class:`NetworkAttempt`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn


class NetworkAttempt(BaseException):
    """Something tried to use the network while the guard was on.

    A ``BaseException``, so that no ``except Exception`` or ``except OSError`` on the way (urllib3
    turns ``OSError`` into "cannot connect", Hypothesis would shrink on an ``Exception``) can
    mistake it for an unreachable target.
    """


def _refusal(what: str, address_at: int) -> Callable[..., NoReturn]:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        address = args[address_at] if len(args) > address_at else kwargs
        raise NetworkAttempt(f"{what} {address!r} while the network is off")

    return refuse


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse every connection and name lookup of this process (all threads) inside the block."""
    patches: list[tuple[Any, str, Callable[..., NoReturn]]] = [
        (socket.socket, "connect", _refusal("a connection to", 1)),
        (socket.socket, "connect_ex", _refusal("a connection to", 1)),
        (socket.socket, "sendto", _refusal("a datagram to", 2)),
        (socket, "create_connection", _refusal("a connection to", 0)),
        (socket, "getaddrinfo", _refusal("a name lookup of", 0)),
        (socket, "gethostbyname", _refusal("a name lookup of", 0)),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    try:
        for owner, name, refuse in patches:
            setattr(owner, name, refuse)
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
