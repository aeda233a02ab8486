"""The AWS side of the wire: SigV4 signing and reading error names as botocore does.

Both the engine (which signs requests and judges answers) and the reference mock (which
verifies signatures and names its errors) use this module, so the two agree by
construction on every rule of SPEC sections 1 and 3.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

#: AWS's common authentication errors: a 403 may carry any of these names (SPEC section 3).
AUTH_ERROR_NAMES = frozenset(
    {
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
    }
)

DEFAULT_REGION = "us-east-1"


def region_from(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--region``, else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else us-east-1 (SPEC 1)."""
    return explicit or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


@dataclass(frozen=True)
class SigningKey:
    """Credentials and scope to sign with."""

    access_key: str
    secret_key: str
    region: str
    token: str | None = None

    def credentials(self) -> Credentials:
        return Credentials(self.access_key, self.secret_key, self.token)


def sign(
    *,
    key: SigningKey,
    service: str,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    at: datetime | None = None,
) -> dict[str, str]:
    """The headers of the request once SigV4-signed by botocore (Authorization, X-Amz-Date...).

    ``at`` signs as of another moment (to test clock-skew handling); botocore's ``add_auth``
    always uses the current time, so that path assembles the same steps from SigV4Auth's
    public methods.
    """
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    auth = SigV4Auth(key.credentials(), service, key.region)
    if at is None:
        auth.add_auth(request)
    else:
        timestamp = at.astimezone(UTC).strftime(SIGV4_TIMESTAMP)
        request.context["timestamp"] = timestamp
        request.headers["X-Amz-Date"] = timestamp
        if key.token:
            request.headers["X-Amz-Security-Token"] = key.token
        canonical = auth.canonical_request(request)
        signature = auth.signature(auth.string_to_sign(request, canonical), request)
        signed = auth.signed_headers(auth.headers_to_sign(request))
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={key.access_key}/{auth.credential_scope(request)}, "
            f"SignedHeaders={signed}, Signature={signature}"
        )
    return {name: str(value) for name, value in request.headers.items()}


def normalise_error_name(raw: str) -> str:
    """What is before the first ``:``, then what is after the last ``#`` (SPEC section 3)."""
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


def error_name(headers: Mapping[str, str], body: bytes) -> str | None:
    """The error an answer names, read in botocore's order; ``None`` when it names none.

    ``x-amzn-ErrorType`` first (ignored on a 5xx with an empty body, as botocore does: the
    caller passes such answers with an empty body), then the body's ``code`` or ``Code``,
    then ``__type``.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    header = lowered.get("x-amzn-errortype")
    if header:
        return normalise_error_name(header)
    try:
        parsed = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(parsed, dict):
        return None
    for member in ("code", "Code", "__type"):
        value = parsed.get(member)
        if isinstance(value, str) and value:
            return normalise_error_name(value)
    return None
