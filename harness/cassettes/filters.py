"""What never reaches a cassette: credentials and signatures.

Each exchange is cleaned before it is kept, in memory or on disk:

- a request's headers :data:`SECRET_HEADERS` (``Authorization`` carries the access key and the
  signature) are kept with the value :data:`REDACTED`: whether a request was signed is not a
  secret, and it tells the signature cases apart (:mod:`~harness.cassettes.matchers`); presigned
  query parameters (:data:`SECRET_QUERY_PARAMETERS`) likewise;
- an answer loses any ``Signature=<hex>`` (replaced whole) and the very signature of the request
  it answers, wherever the target echoes it;
- last, the run's access key, secret key and session token are replaced by placeholders
  (:data:`PLACEHOLDERS`) wherever they appear, in requests and answers alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from harness.aws import SigningKey

REDACTED = "<redacted>"
SECRET_HEADERS = ("Authorization", "X-Amz-Security-Token", "Proxy-Authorization")
SECRET_QUERY_PARAMETERS = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")
#: Placeholders of the credentials, where a request or an answer carries one.
PLACEHOLDERS = {
    "access_key": "<AWS_ACCESS_KEY_ID>",
    "secret_key": "<AWS_SECRET_ACCESS_KEY>",
    "token": "<AWS_SESSION_TOKEN>",
}
#: The ``elapsed`` member added to each recorded response: seconds the answer took.
ELAPSED = "elapsed"

_SECRET_HEADERS = {name.lower() for name in SECRET_HEADERS}
_SIGNATURE_IN_AUTHORIZATION = re.compile(r"Signature=([0-9A-Fa-f]{16,})")
_SIGNATURE_IN_TEXT = re.compile(r"Signature=[0-9A-Fa-f]{16,}")
_SIGNATURE_IN_BYTES = re.compile(rb"Signature=[0-9A-Fa-f]{16,}")


class Secrets:
    """The credentials of one run, and how to take them out of what is written."""

    def __init__(self, key: SigningKey) -> None:
        values = {"access_key": key.access_key, "secret_key": key.secret_key, "token": key.token}
        self._pairs = [(value, PLACEHOLDERS[name]) for name, value in values.items() if value]

    def text(self, text: str) -> str:
        for value, placeholder in self._pairs:
            text = text.replace(value, placeholder)
        return text

    def data(self, data: bytes) -> bytes:
        for value, placeholder in self._pairs:
            data = data.replace(value.encode("utf-8"), placeholder.encode("utf-8"))
        return data


def signature_of(headers: Mapping[str, str]) -> str | None:
    """The hex signature of a signed request's ``Authorization`` header."""
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    found = _SIGNATURE_IN_AUTHORIZATION.search(authorization) if authorization else None
    return found.group(1) if found else None


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if name.lower() in _SECRET_HEADERS else value for name, value in headers.items()}


def redacted_url(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name in SECRET_QUERY_PARAMETERS for name, _ in query):
        return url
    cleaned = [(name, REDACTED if name in SECRET_QUERY_PARAMETERS else value) for name, value in query]
    return urlunsplit(parts._replace(query=urlencode(cleaned)))


def scrub(body: bytes, signature: str | None) -> bytes:
    if signature:
        body = body.replace(signature.encode("ascii"), REDACTED.encode("ascii"))
    return _SIGNATURE_IN_BYTES.sub(REDACTED.encode("ascii"), body)


def scrub_text(text: str, signature: str | None) -> str:
    if signature:
        text = text.replace(signature, REDACTED)
    return _SIGNATURE_IN_TEXT.sub(REDACTED, text)
