"""SigV4 verification (SPEC 4.5): the mock recomputes each signature with botocore.

A request with no signature, a malformed one, an unknown access key, a wrong signature, or
an ``X-Amz-Date`` more than 15 minutes from the server's clock gets 403 with one of AWS's
common authentication error names, whatever its body.  A correct signature within 15
minutes is accepted, from any region.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mock_server import (
    CREATE_SCOPE,
    CREDENTIALS,
    IN_PROCESS_HOST,
    KEY,
    START_MONITORING,
    TARGET,
    Answer,
    call,
    call_signed,
    contract,
    new_app,
    signed_headers,
)

from harness.aws import SigningKey, sign
from harness.mock import MockApp

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
VALID = json.dumps({"targets": [TARGET]}).encode()


@pytest.fixture
def app() -> MockApp:
    return new_app(clock=NOW.timestamp)


def send(app: MockApp, headers: dict[str, str], body: bytes = VALID, *, query: bytes = b"") -> Answer:
    return call(app, "POST", "/scopes", headers=headers, body=body, query=query)


def signed(**options: Any) -> dict[str, str]:
    return signed_headers(CREATE_SCOPE, VALID, at=NOW, **options)


def test_a_correct_signature_is_accepted(app: MockApp) -> None:
    assert send(app, signed()).status == 200


def test_a_request_without_authorization_is_refused_whatever_its_body(app: MockApp) -> None:
    answer = send(app, {"Content-Type": "application/json"}, body=b'{"targets": "invalid"}')
    assert (answer.status, answer.error) == (403, "MissingAuthenticationTokenException")


def test_auth_is_decided_before_the_body_is_read(app: MockApp) -> None:
    huge = b"x" * (2 * 1024 * 1024)
    answer = send(app, {"Content-Length": str(len(huge))}, body=huge)
    assert (answer.status, answer.error) == (403, "MissingAuthenticationTokenException")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-east-1/networkflowmonitor/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/us-east-1, SignedHeaders=host;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-east-1/networkflowmonitor/aws4_request, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-east-1/networkflowmonitor/aws5_request, "
        "SignedHeaders=host;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-east-1/networkflowmonitor/aws4_request SignedHeaders=host",
    ],
)
def test_a_malformed_authorization_header_is_an_incomplete_signature(app: MockApp, authorization: str) -> None:
    answer = send(app, {**signed(), "Authorization": authorization})
    assert (answer.status, answer.error) == (403, "IncompleteSignatureException")
    assert answer.json()["message"]


def test_the_host_header_must_be_signed(app: MockApp) -> None:
    headers = signed()
    headers["Authorization"] = headers["Authorization"].replace("host;", "")
    answer = send(app, headers)
    assert (answer.status, answer.error) == (403, "IncompleteSignatureException")
    assert "'host'" in answer.json()["message"]


def test_an_unknown_access_key_is_an_unrecognized_client(app: MockApp) -> None:
    stranger = SigningKey(access_key="AKIDSTRANGER", secret_key=CREDENTIALS[1], region="us-east-1")
    answer = send(app, signed(key=stranger))
    assert (answer.status, answer.error) == (403, "UnrecognizedClientException")


def test_a_wrong_secret_is_an_invalid_signature(app: MockApp) -> None:
    wrong = SigningKey(access_key=CREDENTIALS[0], secret_key="not-the-secret", region="us-east-1")
    answer = send(app, signed(key=wrong))
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")
    assert "does not match" in answer.json()["message"]


def test_a_body_changed_after_signing_is_an_invalid_signature(app: MockApp) -> None:
    answer = send(app, signed(), body=VALID.replace(b"us-east-1", b"us-west-2"))
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")


def test_a_signed_header_changed_after_signing_is_an_invalid_signature(app: MockApp) -> None:
    answer = send(app, {**signed(), "Content-Type": "application/json; charset=utf-8"})
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")


def test_headers_outside_signed_headers_may_change(app: MockApp) -> None:
    answer = send(app, {**signed(), "User-Agent": "added-after-signing", "X-Extra": "1"})
    assert answer.status == 200


def test_a_signed_header_missing_from_the_request_is_an_invalid_signature(app: MockApp) -> None:
    headers = signed()
    del headers["Content-Type"]
    answer = send(app, headers)
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")
    assert "content-type" in answer.json()["message"]


@pytest.mark.parametrize("skew", [timedelta(minutes=-14, seconds=-59), timedelta(minutes=14, seconds=59)])
def test_a_signature_within_fifteen_minutes_of_the_server_clock_is_accepted(app: MockApp, skew: timedelta) -> None:
    answer = send(app, signed_headers(CREATE_SCOPE, VALID, at=NOW + skew))
    assert answer.status == 200


@pytest.mark.parametrize("skew", [timedelta(minutes=-15, seconds=-1), timedelta(minutes=15, seconds=1)])
def test_a_signature_more_than_fifteen_minutes_off_has_expired(app: MockApp, skew: timedelta) -> None:
    answer = send(app, signed_headers(CREATE_SCOPE, VALID, at=NOW + skew))
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")
    assert "Signature expired" in answer.json()["message"]


@pytest.mark.parametrize("date", [None, "2024-05-01T12:00:00Z", "20241301T120000Z", "20240501T250000Z"])
def test_a_missing_or_malformed_x_amz_date_is_refused(app: MockApp, date: str | None) -> None:
    headers = signed()
    del headers["X-Amz-Date"]
    if date is not None:
        headers["X-Amz-Date"] = date
    answer = send(app, headers)
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")


def test_the_credential_scope_must_name_the_operations_signing_name(app: MockApp) -> None:
    answer = send(app, signed(service="detective"))
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")
    assert "networkflowmonitor" in answer.json()["message"]


def test_any_region_is_accepted_and_named_in_the_arn(app: MockApp) -> None:
    elsewhere = SigningKey(access_key=KEY.access_key, secret_key=KEY.secret_key, region="eu-west-3")
    answer = send(app, signed(key=elsewhere))
    assert answer.status == 200
    assert answer.json()["scopeArn"].startswith("arn:aws:networkflowmonitor:eu-west-3:")


def test_the_query_string_is_part_of_the_signature(app: MockApp) -> None:
    headers = signed(query="b=2&a=1")
    assert send(app, headers, query=b"b=2&a=1").status == 200
    answer = send(app, headers, query=b"b=3&a=1")
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")


def test_the_signature_covers_the_raw_path_as_sent(app: MockApp) -> None:
    url = f"http://{IN_PROCESS_HOST}/%73copes"  # "/scopes" with its "s" percent-encoded
    headers = sign(
        key=KEY,
        service="networkflowmonitor",
        method="POST",
        url=url,
        headers={"Content-Type": "application/json"},
        body=VALID,
        at=NOW,
    )
    answer = call(
        app, "POST", "/scopes", raw_path=b"/%73copes", headers={**headers, "Host": IN_PROCESS_HOST}, body=VALID
    )
    assert answer.status == 200


def test_a_payload_hash_header_must_match_the_body(app: MockApp) -> None:
    good = {"Content-Type": "application/json", "X-Amz-Content-SHA256": hashlib.sha256(VALID).hexdigest()}
    assert send(app, signed(headers=good)).status == 200
    lying = {**good, "X-Amz-Content-SHA256": hashlib.sha256(b"other").hexdigest()}
    answer = send(app, signed(headers=lying))
    assert (answer.status, answer.error) == (403, "InvalidSignatureException")


def test_detective_requests_are_verified_alike(app: MockApp) -> None:
    body = {"GraphArn": "arn:aws:detective:us-east-1:111122223333:graph:" + "a" * 32, "AccountId": "444455556666"}
    target = contract(START_MONITORING)
    unsigned = call(app, target.method, target.path, body=json.dumps(body).encode())
    assert (unsigned.status, unsigned.error) == (403, "MissingAuthenticationTokenException")
    assert call_signed(app, START_MONITORING, body, at=NOW).status == 404  # signed: on to the (empty) graphs
