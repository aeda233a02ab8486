"""SigV4 for the requests ``st run`` sends."""

from __future__ import annotations

import requests

from harness import aws

#: Headers signed besides Host: the media type and AWS's own (awsJson's X-Amz-Target), not
#: Schemathesis's User-Agent and test-case ids, as an SDK leaves out User-Agent.
SIGNED_HEADERS = frozenset({"content-type"})
SIGNED_PREFIX = "x-amz-"


class SigV4(requests.auth.AuthBase):
    """SigV4 for a prepared request: its final bytes, after Schemathesis serialised the case.

    Given to ``requests`` for the requests ``st run`` sends, and only those (Schemathesis's
    ``before_call`` hook): a curl command Schemathesis renders for a failure carries no
    signature (its ``Authorization`` is filtered), so none reaches a report on disk.
    """

    def __init__(self, *, key: aws.SigningKey, service: str) -> None:
        self.key = key
        self.service = service

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            return request  # a stream has no bytes to sign yet: sent unsigned, its 403 is judged
        headers = {
            name: value.decode("latin-1") if isinstance(value, bytes) else str(value)
            for name, value in request.headers.items()
            if name.lower() in SIGNED_HEADERS or name.lower().startswith(SIGNED_PREFIX)
        }
        signed = aws.sign(
            key=self.key,
            service=self.service,
            method=str(request.method),
            url=str(request.url),
            headers=headers,
            body=body,
        )
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in signed:
                request.headers[name] = signed[name]
        return request


def signing_key() -> aws.SigningKey:
    """Credentials from botocore's chain and the region, as ``harness run`` finds them."""
    from harness.runner import signing_key as run_signing_key  # one place for "no AWS credentials found"

    return run_signing_key(None)
