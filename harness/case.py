"""Cases: one request the harness will send, and why.

A case carries the body exactly as it goes on the wire (bytes: malformed JSON is a case
too), what the answer must be judged as (its :class:`Intent`), the rule it aims at, and a
sentence for people saying why it exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Intent(StrEnum):
    VALID = "valid"  # a body the contract accepts: never 400, never 5xx
    INVALID = "invalid"  # a well-formed body breaking a rule: 400
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
    body: bytes
    rule: str | None = None
    content_type: str | None = "application/json"
    auth: Auth = Auth.SIGNED
    expected_statuses: tuple[int, ...] = ()
    expected_error: str | None = None
    scenario: str | None = None

    @staticmethod
    def encode(value: Any) -> bytes:
        """The wire form of a JSON value: compact, UTF-8, non-ASCII kept as is."""
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def json_body(self) -> Any:
        """The body as JSON, or ``None`` when it is not JSON."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None
