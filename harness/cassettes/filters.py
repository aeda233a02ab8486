"""What never reaches a cassette: credentials and signatures.

Requests lose their credentials as vcrpy records them (``before_record_request``), so they are
never in a cassette, in memory or on disk:

- the headers :data:`SECRET_HEADERS` (``Authorization`` carries the access key and the signature)
  are kept, with the value :data:`REDACTED`: whether a request was signed is not a secret, and
  it tells the signature cases apart (:mod:`~harness.cassettes.matchers`);
- presigned query parameters (:data:`SECRET_QUERY_PARAMETERS`) likewise.

Answers lose, before they are kept, any ``Signature=<hex>`` (replaced whole) and the very
signature of the request they answer, wherever the target echoes it.  Last, as each interaction is written
(vcrpy's ``filter_sensitive_data``), the run's access key, secret key and session token are
replaced by placeholders wherever they appear, in requests and answers alike.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from vcr.filters import replace_headers, replace_query_parameters
from vcr.request import Request

from harness.aws import SigningKey

REDACTED = "<redacted>"
SECRET_HEADERS = ("Authorization", "X-Amz-Security-Token", "Proxy-Authorization")
SECRET_QUERY_PARAMETERS = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")
#: Placeholders of the credentials, as vcrpy's ``filter_sensitive_data`` writes them.
PLACEHOLDERS = {
    "access_key": "<AWS_ACCESS_KEY_ID>",
    "secret_key": "<AWS_SECRET_ACCESS_KEY>",
    "token": "<AWS_SESSION_TOKEN>",
}
#: The ``elapsed`` member added to each recorded response: seconds the answer took.
ELAPSED = "elapsed"

_SIGNATURE_IN_AUTHORIZATION = re.compile(r"Signature=([0-9A-Fa-f]{16,})")
_SIGNATURE_IN_TEXT = re.compile(r"Signature=[0-9A-Fa-f]{16,}")
_SIGNATURE_IN_BYTES = re.compile(rb"Signature=[0-9A-Fa-f]{16,}")


def redact_request(request: Request) -> Request:
    """``request`` with every credential header and query parameter replaced by :data:`REDACTED`."""
    request = replace_headers(request, [(name, REDACTED) for name in SECRET_HEADERS])
    if any(name in SECRET_QUERY_PARAMETERS for name, _ in request.query):
        request = replace_query_parameters(request, [(name, REDACTED) for name in SECRET_QUERY_PARAMETERS])
    return request


def sensitive_data(key: SigningKey) -> list[tuple[str, str]]:
    """``(placeholder, value)`` of each credential of ``key``, for ``filter_sensitive_data``."""
    values = {"access_key": key.access_key, "secret_key": key.secret_key, "token": key.token}
    return [(PLACEHOLDERS[name], value) for name, value in values.items() if value]


class RecordingFilters:
    """The before-record hooks of one recording: redaction, and the time each answer took.

    vcrpy calls the request hook when an exchange starts (to see whether it could be played
    back), again when it keeps the exchange, and then the response hook.  So the first request
    call since the last answer starts the exchange's clock, and the last signature seen is the
    one of the request the answer is for.  (So vcrpy 9 does it; were that to change, only
    ``elapsed`` and the removal of an echoed bare signature would be off, never the rest.)
    """

    def __init__(self) -> None:
        self._started: float | None = None
        self._signature: str | None = None

    def request(self, request: Request) -> Request:
        if self._started is None:
            self._started = time.monotonic()
        authorization = request.headers.get("Authorization")
        if isinstance(authorization, str):
            found = _SIGNATURE_IN_AUTHORIZATION.search(authorization)
            self._signature = found.group(1) if found else None
        return redact_request(request)

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        if self._started is not None:
            response[ELAPSED] = round(time.monotonic() - self._started, 4)
        self._started = None
        response["headers"] = {
            name: [scrub_text(value, self._signature) for value in _as_list(values)]
            for name, values in response.get("headers", {}).items()
        }
        body = response.get("body")
        if isinstance(body, dict) and isinstance(body.get("string"), bytes | str):
            body["string"] = scrub(body["string"], self._signature)
        return response


def scrub(body: bytes | str, signature: str | None) -> bytes | str:
    if isinstance(body, str):
        return scrub_text(body, signature)
    if signature:
        body = body.replace(signature.encode("ascii"), REDACTED.encode("ascii"))
    return _SIGNATURE_IN_BYTES.sub(REDACTED.encode("ascii"), body)


def scrub_text(text: str, signature: str | None) -> str:
    if signature:
        text = text.replace(signature, REDACTED)
    return _SIGNATURE_IN_TEXT.sub(REDACTED, text)


def _as_list(values: str | Iterable[str]) -> list[str]:
    return [values] if isinstance(values, str) else list(values)
