"""Cases: one request the harness will send, and why.

A case carries the **operation input** it sends (member -> value, each value in its JSON wire
form: docs/imported-contracts.md), which the operation's protocol binding turns into the
method, path, query, headers and body; a wire case also carries the ``body`` it sends instead
of the input's body members (malformed JSON is a case too).  It says what the answer must be
judged as (its :class:`Intent`), the rule it aims at, and a sentence for people saying why it
exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from harness.binding import PROTOCOL_DEFAULT, ContentType, encode_json


class Intent(StrEnum):
    VALID = "valid"  # an input the contract accepts: never 400, never 5xx
    INVALID = "invalid"  # a well-formed input breaking a rule: 400
    MALFORMED = "malformed"  # not JSON, not an object: 400
    MEDIA_TYPE = "media-type"  # a valid body with another Content-Type: no 5xx
    TOLERATED = "tolerated"  # SPEC lets the target accept or refuse with 400: no 5xx
    UNAUTHENTICATED = "unauthenticated"  # missing, wrong or expired signature: 403
    SCENARIO = "scenario"  # judged by a scenario's expectation


class Auth(StrEnum):
    SIGNED = "signed"
    MISSING = "missing"
    WRONG_SIGNATURE = "wrong-signature"
    EXPIRED = "expired"  # dated more than 15 minutes before the target's clock
    FUTURE = "future"  # dated more than 15 minutes after it
    WITHIN_SKEW = "within-skew"  # correctly signed, dated 14 minutes ago: must be accepted
    WRONG_SERVICE = "wrong-service"  # correctly signed, but for another service's signing name
    UNKNOWN_KEY = "unknown-key"


@dataclass(frozen=True)
class Case:
    operation: str
    intent: Intent
    origin: str  # boundary, near-miss, generated, random-invalid, wire, auth, scenario, idempotency
    description: str
    input: Any = None  # the operation input; a wire case's gives the path, query and headers
    body: bytes | None = None  # sent as the body instead of the input's body members
    rule: str | None = None
    content_type: ContentType = PROTOCOL_DEFAULT  # None: no Content-Type header
    auth: Auth = Auth.SIGNED
    expected_statuses: tuple[int, ...] = ()
    expected_error: str | None = None
    scenario: str | None = None

    @staticmethod
    def encode(value: Any) -> bytes:
        """The wire form of a JSON value: compact, UTF-8, non-ASCII kept as is."""
        return encode_json(value)

    def document(self) -> Any:
        """What the case sends as JSON: its input, or its own body read as JSON (``None``
        when that is not JSON)."""
        if self.body is None:
            return self.input
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested past Python's json
            return None
