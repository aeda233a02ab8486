"""When a request of a replay is a recorded one.

Two requests are the same exchange when they agree on the method, the URL (scheme, host, port,
path and query), the body byte for byte, their headers (``Content-Type``, ``X-Amz-Target``, the
headers an operation binds members to) and whether they are signed.  Not on the headers of
signing and transport (:data:`VOLATILE_HEADERS`): ``X-Amz-Date`` and the signature differ in
every run, and the signature never reaches a cassette anyway.  :func:`exchange_key` is that
comparison, one key per request, so a replay finds a request's recorded answers through a dictionary (:mod:`.replay`).

Requests alike in all of that (an idempotency repeat; the signature cases, which send one body
signed in several wrong ways) are answered in the order they were recorded, each recorded answer
once: the engine sends its cases in the same order in every run of the same seed.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from vcr.request import Request

from harness.result import SentRequest

_PARTS = ("method", "URL", "headers", "signature", "body")
#: Headers of signing and transport, which differ from run to run or say nothing of the case.
VOLATILE_HEADERS = frozenset(
    {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "host", "content-length",
     "user-agent", "accept-encoding", "accept", "connection"}
)  # fmt: skip


class ExchangeKey(NamedTuple):
    method: str
    url: tuple[str, str, int | None, str, tuple[tuple[str, str], ...]]  # scheme, host, port, path, query
    headers: tuple[tuple[str, str], ...]  # lower-cased names, sorted, but the volatile ones
    signed: bool
    body: bytes

    @property
    def content_type(self) -> str | None:
        return next((value for name, value in self.headers if name == "content-type"), None)


def exchange_key(method: str, uri: str, headers: Mapping[str, Any], body: Any) -> ExchangeKey:
    parts = urlsplit(uri)
    kept = []
    for name, value in headers.items():
        lowered = name.lower()
        if lowered not in VOLATILE_HEADERS:
            kept.append((lowered, ", ".join(value) if isinstance(value, list) else str(value)))
    return ExchangeKey(
        method=method.upper(),
        url=(parts.scheme, parts.hostname or "", parts.port, parts.path or "/",
             tuple(parse_qsl(parts.query, keep_blank_values=True))),
        headers=tuple(sorted(kept)),
        signed=any(k.lower() == "authorization" for k in headers),
        body=body.encode("utf-8") if isinstance(body, str) else bytes(body or b""),
    )  # fmt: skip


def key_of_recorded(request: Request) -> ExchangeKey:
    return exchange_key(request.method, request.uri, request.headers, request.body)


def key_of_sent(request: SentRequest) -> ExchangeKey:
    return exchange_key(request.method, request.url, request.headers, request.body)


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
    key: ExchangeKey, recorded: Sequence[ExchangeKey], *, played: Collection[int], limit: int = 3
) -> list[Recorded]:
    """The recorded requests to the same method and path most like the one of ``key``, by body."""
    text = _text(key.body)
    candidates: list[tuple[float, int, ExchangeKey]] = []
    for index, other_key in enumerate(recorded):
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


def describe_request(key: ExchangeKey, uri: str) -> str:
    """``POST /path (Content-Type ..., signed)`` of a request."""
    signed = "signed" if key.signed else "unsigned"
    return f"{key.method} {uri} (Content-Type {key.content_type or '(none)'}, {signed})"
