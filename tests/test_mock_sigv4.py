"""SigV4 verification (SPEC 4.5): the mock recomputes each signature of botocore's signing.

A request with no signature, a malformed one, an unknown access key, a wrong signature, or
an ``X-Amz-Date`` more than 15 minutes from the server's clock gets 403 with one of AWS's
common authentication error names, whatever its body.  A correct signature within 15
minutes is accepted, from any region.  The canonical request the mock signs is botocore's
``SigV4Auth.canonical_request`` of the request received, whatever the path, query and
headers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.auth import SIGNED_HEADERS_BLACKLIST, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st
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
from harness.mock.errors import ErrorAnswer
from harness.mock.sigv4 import canonical_request, parse_authorization

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


_PART = st.text(st.sampled_from([*"aZ09-_.;="]), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    credential=st.lists(_PART, min_size=4, max_size=6).map("/".join),
    signed=_PART,
    signature=_PART,
    space=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_the_parts_of_an_authorization_header_may_come_in_any_order(
    credential: str, signed: str, signature: str, space: str
) -> None:
    parts = [f"Credential={credential}", f"SignedHeaders={signed}", f"Signature={signature}"]
    usual = f"AWS4-HMAC-SHA256 {f',{space}'.join(parts)}{space}"
    reordered = f"AWS4-HMAC-SHA256 {f',{space}'.join(reversed(parts))}"

    def outcome(value: str) -> object:
        try:
            return parse_authorization(value)
        except ErrorAnswer as error:
            return error.name

    assert outcome(usual) == outcome(reordered)


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


# What can arrive: latin-1 text (the mock decodes bytes so), percent-escapes, dot segments,
# repeated and blank separators, runs of white space in header values, repeated headers,
# headers botocore never signs, and a claimed payload hash.
_WIRE_TEXT = st.text(st.sampled_from([*"/.%~?#&=+ ;,aZ09-_", "\t", "\xa0", "\xe9", "\x85"]), max_size=24)
_HEADER_NAMES = st.sampled_from(
    ["content-type", "x-amz-date", "x-amz-target", "x-amz-content-sha256", "x-custom", *SIGNED_HEADERS_BLACKLIST[:4]]
)


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["POST", "GET", "put", "DELETE"]),
    raw_path=st.one_of(st.just(""), _WIRE_TEXT.map(lambda text: "/" + text)),
    query=_WIRE_TEXT,
    headers=st.lists(st.tuples(_HEADER_NAMES, _WIRE_TEXT), max_size=6),
    host=st.sampled_from(["127.0.0.1:8080", "localhost", " mock  host "]),
    body=st.binary(max_size=20),
)
def test_the_canonical_request_is_botocores(
    method: str, raw_path: str, query: str, headers: list[tuple[str, str]], host: str, body: bytes
) -> None:
    received = [("host", host), *headers]
    url = f"http://mock{raw_path}?{query}" if query else f"http://mock{raw_path}"
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in received:
        request.headers[name] = value  # HTTPHeaders appends: a repeated header is kept
    botocore = SigV4Auth(Credentials("AKID", "secret"), "networkflowmonitor", "us-east-1").canonical_request(request)
    assert canonical_request(method=method, raw_path=raw_path, query=query, headers=received, body=body) == botocore
