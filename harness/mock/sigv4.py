"""SigV4 verification: recompute the signature of a received request and compare.

The canonical request is built over exactly what arrived: the method, the raw (still
percent-encoded) path, the raw query string, only the headers that ``SignedHeaders`` lists,
and the body (:func:`canonical_request`).  It is botocore's, step for step:
``tests/test_mock_sigv4.py`` holds it equal to ``SigV4Auth.canonical_request`` of the same
request over generated methods, paths, queries and headers.  The mock called botocore until
it measured the cost: two thirds of a verification, a fifth of the mock's CPU per request,
went to the ``email.message`` headers that botocore builds twice per request.  The path is
still normalised by botocore's ``normalize_url_path``, and the headers left out are
botocore's ``SIGNED_HEADERS_BLACKLIST``.  The string to sign is SigV4's four lines, and its
HMAC uses a signing key derived once per credential scope (see :func:`_signing_key`).

Checks run in two steps so that a request is refused before its body is read when its
headers already condemn it (SPEC 4.5: 403 "whatever its body"):

1. :meth:`Verifier.check_headers`: an ``Authorization`` header of the right shape, a known
   access key, a credential scope for the operation's signing name and the request's date,
   and an ``X-Amz-Date`` within 15 minutes of the server's clock;
2. :meth:`Verifier.verify`: the signature itself, once the body is in.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import os
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from botocore.auth import SIGNED_HEADERS_BLACKLIST
from botocore.utils import normalize_url_path

from harness.errors import UsageError
from harness.mock.errors import ErrorAnswer

ALGORITHM = "AWS4-HMAC-SHA256"
#: Largest difference between ``X-Amz-Date`` and the server's clock that is accepted.
MAX_SKEW_SECONDS = 15 * 60

_AMZ_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")
_PARAMETER = re.compile(r"\s*([A-Za-z]+)=([^,\s]*)\s*")
#: ``Credential=`` (five parts), ``SignedHeaders=`` and ``Signature=`` in that order, each once;
#: what :func:`parse_authorization` reads the same way, part by part, from any other order.
_USUAL = re.compile(
    ALGORITHM + r" Credential=([^,\s/]+)/([^,\s/]+)/([^,\s/]+)/([^,\s/]+)/([^,\s/]+)\s*,"
    r"\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([^,\s]+)"
)


@dataclass(frozen=True)
class Authorization:
    """The parts of a SigV4 ``Authorization`` header, with the request's ``X-Amz-Date``."""

    access_key: str
    date: str  # YYYYMMDD of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date


class Claim(NamedTuple):
    """What an ``Authorization`` header claims, before any of it is checked."""

    access_key: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Claim:
    """The parts of ``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``.

    Raises ``IncompleteSignatureException`` naming what is missing or malformed.
    """
    value = value.strip()
    usual = _USUAL.fullmatch(value)  # the form every SDK sends: one match instead of a parse
    if usual is not None:
        access_key, date, region, service, terminator, signed, signature = usual.groups()
        return Claim(access_key, date, region, service, terminator, tuple(signed.split(";")), signature)
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(f"Authorization header must start with '{ALGORITHM} ', got {value[:40]!r}")
    parameters: dict[str, str] = {}
    for part in rest.split(","):
        match = _PARAMETER.fullmatch(part)
        if match is None:
            raise _incomplete(f"Authorization header has a malformed part {part.strip()[:40]!r}")
        parameters[match[1]] = match[2]
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not parameters.get(name)]
    if missing:
        raise _incomplete(f"Authorization header requires {', '.join(missing)} (key=value, comma-separated)")
    scope = parameters["Credential"].split("/")
    if len(scope) != 5 or not all(scope):
        raise _incomplete(
            f"Credential must be ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request, got {parameters['Credential'][:80]!r}"
        )
    access_key, date, region, service, terminator = scope
    signed = tuple(parameters["SignedHeaders"].split(";"))
    return Claim(access_key, date, region, service, terminator, signed, parameters["Signature"])


def _incomplete(message: str) -> ErrorAnswer:
    return ErrorAnswer("IncompleteSignatureException", message)


def _invalid(message: str) -> ErrorAnswer:
    return ErrorAnswer("InvalidSignatureException", message)


@functools.lru_cache(maxsize=1024)  # requests of the same second share their X-Amz-Date
def _epoch(timestamp: str) -> int | None:
    """Seconds since the epoch of an ``X-Amz-Date`` value, or None when it is malformed."""
    match = _AMZ_DATE.fullmatch(timestamp)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    try:
        return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (OverflowError, ValueError):
        return None


class Verifier:
    """Verifies requests signed with one of the given credentials."""

    def __init__(self, *, credentials: Mapping[str, str], clock: Callable[[], float] = time.time) -> None:
        self._secrets = dict(credentials)  # access key -> secret key
        self._clock = clock

    def check_headers(self, headers: Mapping[str, str], *, service: str) -> Authorization:
        """Step 1: everything that the headers alone decide (see the module docstring)."""
        value = headers.get("authorization")
        if not value:
            raise ErrorAnswer(
                "MissingAuthenticationTokenException",
                "Missing Authentication Token: sign the request with AWS Signature Version 4.",
            )
        claim = parse_authorization(value)
        if claim.terminator != "aws4_request":
            raise _incomplete(f"Credential scope must end with 'aws4_request', got {claim.terminator[:40]!r}")
        if "host" not in claim.signed_headers:
            raise _incomplete("SignedHeaders must include 'host'")
        if "x-amz-date" not in claim.signed_headers:
            raise _incomplete("SignedHeaders must include 'x-amz-date'")
        if claim.access_key not in self._secrets:
            raise ErrorAnswer(
                "UnrecognizedClientException",
                f"The security token included in the request is invalid: unknown access key {claim.access_key[:40]!r}.",
            )
        if claim.service != service:
            raise _invalid(f"Credential should be scoped to correct service: '{service}', not {claim.service[:40]!r}.")
        timestamp = headers.get("x-amz-date", "")
        moment = _epoch(timestamp)
        if moment is None:
            raise _invalid(
                f"Signature expired or not yet valid: X-Amz-Date must be YYYYMMDD'T'HHMMSS'Z', got {timestamp[:40]!r}."
            )
        skew = moment - self._clock()
        if abs(skew) > MAX_SKEW_SECONDS:
            side = "later" if skew > 0 else "earlier"
            raise _invalid(
                f"Signature expired: {timestamp} is {abs(int(skew))} seconds {side} than the server's "
                f"clock (at most {MAX_SKEW_SECONDS} seconds of difference are accepted)."
            )
        if claim.date != timestamp[:8]:
            raise _invalid(f"Credential should be scoped to a valid date: {timestamp[:8]}, not {claim.date[:40]!r}.")
        return Authorization(
            access_key=claim.access_key,
            date=claim.date,
            region=claim.region,
            service=claim.service,
            signed_headers=claim.signed_headers,
            signature=claim.signature,
            timestamp=timestamp,
        )

    def verify(
        self,
        auth: Authorization,
        *,
        method: str,
        raw_path: str,
        query: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
    ) -> None:
        """Step 2: recompute the signature over the request and compare it with the claimed one."""
        wanted = set(auth.signed_headers)
        signed = [(name, value) for name, value in headers if name in wanted]
        absent = wanted.difference(name for name, _ in signed)
        if absent:
            raise _invalid(f"SignedHeaders lists {', '.join(sorted(absent))}, absent from the request.")
        claimed_checksum = next((value for name, value in signed if name == "x-amz-content-sha256"), None)
        if claimed_checksum is not None and claimed_checksum != hashlib.sha256(body).hexdigest():
            raise _invalid("The X-Amz-Content-SHA256 header does not match the SHA-256 of the body.")
        canonical = canonical_request(method=method, raw_path=raw_path, query=query, headers=signed, body=body)
        scope = f"{auth.timestamp[:8]}/{auth.region}/{auth.service}/aws4_request"
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        string_to_sign = f"{ALGORITHM}\n{auth.timestamp}\n{scope}\n{digest}"
        key = _signing_key(self._secrets[auth.access_key], auth.date, auth.region, auth.service)
        expected = hmac.digest(key, string_to_sign.encode(), "sha256").hex()  # one-shot: OpenSSL in one call
        if not hmac.compare_digest(expected.encode(), auth.signature.encode("latin-1")):
            dropped = wanted & _NEVER_SIGNED
            hint = f" (botocore never signs {', '.join(sorted(dropped))})" if dropped else ""
            raise _invalid(
                "The request signature we calculated does not match the signature you provided. "
                f"Check your AWS Secret Access Key and signing method{hint}. "
                f"The canonical request was:\n{canonical}"
            )


#: Headers botocore leaves out of a signature, whatever ``SignedHeaders`` says.
_NEVER_SIGNED = frozenset(SIGNED_HEADERS_BLACKLIST)


def canonical_request(
    *, method: str, raw_path: str, query: str, headers: Sequence[tuple[str, str]], body: bytes
) -> str:
    """The SigV4 canonical request of what arrived, as botocore's ``SigV4Auth.canonical_request``
    makes it of an ``AWSRequest`` with URL ``http://HOST{raw_path}?{query}``.

    ``headers``: the signed ones, ``host`` among them, lower-case names, in the order received
    (a repeated header's values are joined with ``,`` in that order).  ``x-amz-content-sha256``,
    when among them, stands for the body's hash (its first value, as sent), else the body is
    hashed.
    """
    url = urlsplit(f"http://mock{raw_path}?{query}" if query else f"http://mock{raw_path}")
    values: dict[str, list[str]] = {}
    for name, value in headers:
        if name not in _NEVER_SIGNED:
            values.setdefault(name, []).append(" ".join(value.split()))
    names = sorted(values)
    canonical_headers = "".join(f"{name}:{','.join(values[name])}\n" for name in names)
    checksum = next((value for name, value in headers if name == "x-amz-content-sha256"), None)
    payload = checksum if checksum is not None else hashlib.sha256(body).hexdigest()
    return "\n".join(
        (
            method.upper(),
            _canonical_path(url.path),
            _canonical_query(url.query),
            canonical_headers,
            ";".join(names),
            payload,
        )
    )


@functools.lru_cache(maxsize=1024)  # an operation's requests share a handful of paths
def _canonical_path(path: str) -> str:
    return quote(normalize_url_path(path), safe="/~")


def _canonical_query(query: str) -> str:
    """The pairs of the raw query, sorted, not re-encoded (botocore's ``_canonical_query_string_url``)."""
    if not query:
        return ""
    pairs = sorted(pair.partition("=")[::2] for pair in query.split("&"))
    return "&".join(f"{key}={value}" for key, value in pairs)


@functools.lru_cache(maxsize=256)
def _signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived SigV4 signing key, as ``SigV4Auth.signature`` derives it.

    botocore derives it from the secret with four HMACs on every call, though it depends only
    on the secret, the date, the region and the service; the mock derives it once per
    credential scope (in memory only).
    """
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def credentials_from_environment(environ: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """``(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)``; a clear error when either is unset."""
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if access_key and secret_key:
        return access_key, secret_key
    missing = " and ".join(
        name for name, value in (("AWS_ACCESS_KEY_ID", access_key), ("AWS_SECRET_ACCESS_KEY", secret_key)) if not value
    )
    raise UsageError(f"the mock verifies signatures against {missing}, which is not set: set both")


def make_up_credentials() -> tuple[str, str]:
    """A fresh ``(access key, secret key)`` pair, shaped like AWS's."""
    return "AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30)
