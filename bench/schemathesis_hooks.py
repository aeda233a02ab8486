"""Schemathesis hooks for the benchmark: SigV4-sign every request Schemathesis sends.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS=bench/schemathesis_hooks.py`` (see
``bench/bench_vs_schemathesis.py``).  The signature must cover the body exactly as it goes
on the wire, so it is not added to the generated case (whose body is still a Python value
then) but through ``schemathesis.auth.set_from_requests``: a ``requests`` auth object is
called with the *prepared* request, after Schemathesis has serialized the body (valid JSON,
a negative case's odd bytes, or no body at all), just before it is sent.

Credentials and region come from the environment as for any AWS client
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``); the SigV4 signing name
of each request comes from the contract whose path the request targets.  Only
``Content-Type`` (when present), ``Host`` and ``X-Amz-Date`` are signed: Schemathesis' own
headers (``User-Agent``, ``X-Schemathesis-TestCaseId``...) are left out of the signature, as
an AWS SDK leaves out ``User-Agent``.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import requests
import schemathesis

from harness import aws
from harness.contract import load_contracts

#: SigV4 signing name by operation path (``/scopes`` -> ``networkflowmonitor``).
SIGNING_NAMES = {contract.path: contract.signing_name for contract in load_contracts().values()}


def _signing_key() -> aws.SigningKey:
    try:
        access_key = os.environ["AWS_ACCESS_KEY_ID"]
        secret_key = os.environ["AWS_SECRET_ACCESS_KEY"]
    except KeyError as missing:
        raise RuntimeError(f"bench/schemathesis_hooks.py: {missing.args[0]} is not set") from None
    return aws.SigningKey(access_key, secret_key, aws.region_from(None))


class SigV4(requests.auth.AuthBase):
    """Adds ``Authorization`` and ``X-Amz-Date`` for the prepared request's final body."""

    def __init__(self, key: aws.SigningKey) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = str(request.url)
        path = urlsplit(url).path
        service = next((name for suffix, name in SIGNING_NAMES.items() if path.endswith(suffix)), None)
        if service is None:  # not an operation of the contracts: leave it unsigned
            return request
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):  # a stream: there are no bytes to sign yet
            raise TypeError(f"cannot SigV4-sign a streamed request body ({type(body).__name__})")
        headers = {}
        content_type = request.headers.get("Content-Type")
        if content_type is not None:
            headers["Content-Type"] = (
                content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
            )
        signed = aws.sign(
            key=self.key, service=service, method=str(request.method), url=url, headers=headers, body=body
        )
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in signed:
                request.headers[name] = signed[name]
        return request


# Schemathesis attaches `set_from_requests` to the `auth` function at runtime, untyped.
schemathesis.auth.set_from_requests(SigV4(_signing_key()))  # type: ignore[attr-defined]
