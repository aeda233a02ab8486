"""When a request of a replay is a recorded one.

Two requests are the same exchange when they agree on the method, the URL (scheme, host, port,
path and query), the body byte for byte, the ``Content-Type`` and whether they are signed.  Not
on the other headers: ``X-Amz-Date`` and the signature differ in every run, and the signature
never reaches a cassette anyway.

Requests alike in all of that (an idempotency repeat; the signature cases, which send one body
signed in several wrong ways) are answered in the order they were recorded: vcrpy plays each
recorded answer once (``allow_playback_repeats=False``), the first unplayed one that matches, and
the engine sends its cases in the same order in every run of the same seed.

One matcher compares one key per request (:func:`exchange_key`).  vcrpy's cassette finds the
recorded matches of a request by comparing it with every recorded request, twice per exchange,
which makes a run of n exchanges cost n² comparisons (seconds for a run of a thousand); since the
match is equality of keys, :class:`IndexedCassette` finds them through a dictionary instead.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from vcr.cassette import Cassette
from vcr.request import Request
from vcr.util import read_body

#: The name the matcher is registered under on a ``vcr.VCR``.
MATCHER = "harness_exchange"
MATCH_ON = (MATCHER,)

_PARTS = ("method", "URL", "Content-Type", "signature", "body")


class ExchangeKey(NamedTuple):
    method: str
    url: tuple[str, str, int | None, str, tuple[tuple[str, str], ...]]  # scheme, host, port, path, query
    content_type: str | None
    signed: bool
    body: bytes


_keys: WeakKeyDictionary[Request, ExchangeKey] = WeakKeyDictionary()


def exchange_key(request: Request) -> ExchangeKey:
    key = _keys.get(request)
    if key is None:
        content_type = request.headers.get("Content-Type")
        body = read_body(request)
        key = ExchangeKey(
            method=request.method.upper(),
            url=(request.scheme, request.host or "", request.port, request.path or "/", tuple(request.query)),
            content_type=content_type if isinstance(content_type, str) else None,
            signed="Authorization" in request.headers,
            body=body.encode("utf-8") if isinstance(body, str) else bytes(body or b""),
        )
        _keys[request] = key
    return key


def same_exchange(r1: Request, r2: Request) -> None:
    """vcrpy matcher: raises ``AssertionError`` naming the first part that differs."""
    k1, k2 = exchange_key(r1), exchange_key(r2)
    if k1 != k2:
        part = next(name for name, a, b in zip(_PARTS, k1, k2, strict=True) if a != b)
        raise AssertionError(f"the {part} differs")


class IndexedCassette(Cassette):  # type: ignore[misc]  # vcrpy is untyped
    """vcrpy's ``Cassette``, finding the recorded matches of a request through an index.

    For use with :data:`MATCH_ON` only.  It overrides ``Cassette._responses``, which vcrpy 9
    calls "internal API": every lookup of a cassette goes through it, and it yields the matching
    recorded interactions in order.  What is played, and when, stays vcrpy's; were vcrpy to stop
    calling it, lookups would be vcrpy's own again, slower and as correct.  It also keeps the
    recorded response it played last (``last_played``), whose ``elapsed`` the replay reports.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._index: dict[ExchangeKey, list[int]] = {}
        self._indexed = 0  # interactions of self.data in the index
        self.last_played: dict[str, Any] | None = None  # the recorded response played last

    def play_response(self, request: Request) -> dict[str, Any]:
        response: dict[str, Any] = super().play_response(request)
        self.last_played = response
        return response

    def _responses(self, request: Request) -> Iterator[tuple[int, dict[str, Any]]]:
        request = self._before_record_request(request)
        if request is None:
            return
        if self._indexed > len(self.data):  # vcrpy only ever appends; rebuild if that changes
            self._index, self._indexed = {}, 0
        for position in range(self._indexed, len(self.data)):
            self._index.setdefault(exchange_key(self.data[position][0]), []).append(position)
        self._indexed = len(self.data)
        for position in self._index.get(exchange_key(request), ()):
            yield position, self.data[position][1]


@dataclass(frozen=True)
class Recorded:
    """A recorded request close to one the cassette lacks."""

    likeness: float  # difflib ratio of the bodies, 0 to 1
    played: bool  # already answered earlier in the replay
    differs: tuple[str, ...]  # the parts other than the body that differ
    body: bytes

    def describe(self) -> str:
        state = "already answered earlier in this replay" if self.played else "not yet answered"
        others = f"; its {' and '.join(self.differs)} differ" if self.differs else ""
        percent = math.floor(self.likeness * 100)  # 100% only when identical
        return f"{percent}% alike, {state}{others}: {shorten(self.body)}"


def closest_recorded(
    request: Request, recorded: Sequence[Request], *, played: Collection[int], limit: int = 3
) -> list[Recorded]:
    """The recorded requests to the same method and path most like ``request``, by body."""
    key = exchange_key(request)
    text = _text(key.body)
    candidates: list[tuple[float, int, ExchangeKey]] = []
    for index, other in enumerate(recorded):
        other_key = exchange_key(other)
        if other_key.method != key.method or other_key.url[3] != key.url[3]:
            continue
        matcher = difflib.SequenceMatcher(None, text[:LIKENESS_CHARS], _text(other_key.body)[:LIKENESS_CHARS])
        candidates.append((matcher.quick_ratio(), index, other_key))
    candidates.sort(key=lambda c: -c[0])
    scored = [
        (_likeness(text, _text(other_key.body)), index, other_key) for _, index, other_key in candidates[: limit * 4]
    ]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        Recorded(
            likeness=ratio,
            played=index in played,
            differs=tuple(name for name, a, b in zip(_PARTS[:4], key[:4], other_key[:4], strict=True) if a != b),
            body=other_key.body,
        )
        for ratio, index, other_key in scored[:limit]
    ]


LIKENESS_CHARS = 2000  # difflib is quadratic: a 300 kB body would take minutes, so bodies are compared by their start


def _likeness(text: str, other: str) -> float:
    """difflib's ratio of the starts of two bodies; 1 only when the bodies are identical."""
    if text == other:
        return 1.0
    ratio = difflib.SequenceMatcher(None, text[:LIKENESS_CHARS], other[:LIKENESS_CHARS], autojunk=False).ratio()
    return min(ratio, 0.999)


def shorten(body: bytes, limit: int = 300) -> str:
    text = _text(body)
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown) if not shown.isprintable() else shown or "(empty body)"


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def describe_request(request: Any) -> str:
    """``POST /path (Content-Type ..., signed)`` of a vcrpy request."""
    key = exchange_key(request)
    signed = "signed" if key.signed else "unsigned"
    return f"{key.method} {request.uri} (Content-Type {key.content_type or '(none)'}, {signed})"
