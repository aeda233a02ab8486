"""Bad input never breaks the mock: every answer is a JSON error or a documented answer.

Malformed JSON, a body that is not an object, wrong types, invalid UTF-8, a huge body, a
wrong ``Content-Type``, unknown paths and methods, garbage headers: none gets a 5xx (no
fault state is set here), none crashes the app, none hangs.  Generated inputs drive the app
in process; the limits that only a socket shows (a body too large to read, one that stops
arriving, a client that goes away) are tested against the real server.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mock_server import (
    CREATE_SCOPE,
    GRAPH_ARN,
    MEMBER,
    START_MONITORING,
    TARGET,
    Answer,
    Server,
    call,
    call_signed,
    contract,
    new_app,
    serve,
    signed_headers,
)

from harness.aws import AUTH_ERROR_NAMES
from harness.mock import MockApp
from harness.mock.body import MAX_BODY_BYTES, MAX_DEPTH

APP = new_app()  # no state is ever set up on it: the answers below depend on input alone
OPERATIONS = [CREATE_SCOPE, START_MONITORING]
OUTSIDE_CONTRACTS = {413: "RequestEntityTooLargeException", 415: "UnsupportedMediaTypeException"}
MEMBER_NAMES = ["targets", "region", "targetIdentifier", "targetId", "accountId", "targetType", "clientToken", "tags"]
MEMBER_NAMES += ["GraphArn", "AccountId"]
VALUES = [GRAPH_ARN, MEMBER, "ACCOUNT", "us-east-1", "123456789012", "12345678-1234-1234-1234-123456789012"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.sampled_from(VALUES),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(MEMBER_NAMES) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


def assert_well_formed(answer: Answer, operation: str | None) -> None:
    """A documented status (or 404/405/413/415 outside the contracts) and, for an error, a JSON body."""
    assert answer.status < 500, answer.body
    if operation is not None and answer.status not in OUTSIDE_CONTRACTS:
        assert answer.status in contract(operation).statuses
    if answer.status >= 400:
        assert answer.headers["content-type"] == "application/json"
        document = answer.json()
        assert isinstance(document, dict)
        assert any(isinstance(document.get(m), str) for m in ("message", "Message"))
        assert answer.error
        if operation is not None and answer.status not in OUTSIDE_CONTRACTS:
            assert contract(operation).errors[answer.error] == answer.status


@settings(max_examples=150, deadline=None)
@given(operation=st.sampled_from(OPERATIONS), document=json_values)
def test_any_json_body_gets_a_documented_answer_and_400_exactly_when_invalid(operation: str, document: Any) -> None:
    answer = call_signed(APP, operation, document)
    assert_well_formed(answer, operation)
    valid = contract(operation).request_validator.is_valid(document)
    assert (answer.status == 400) == (not valid)


@settings(max_examples=150, deadline=None)
@given(operation=st.sampled_from(OPERATIONS), body=st.binary(max_size=200) | st.text().map(str.encode))
def test_any_bytes_as_a_body_get_a_documented_answer(operation: str, body: bytes) -> None:
    assert_well_formed(call_signed(APP, operation, body), operation)


@settings(max_examples=100, deadline=None)
@given(
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS"]) | st.text(min_size=1, max_size=8),
    path=st.sampled_from(["/scopes", "/graph/member/monitoringstate", "/", "/_harness/provider-states"])
    | st.text(max_size=20).map(lambda p: "/" + p),
    headers=st.lists(st.tuples(st.binary(min_size=1, max_size=20), st.binary(max_size=60)), max_size=6),
    body=st.binary(max_size=100),
)
def test_garbage_requests_get_a_json_error_never_a_5xx(
    method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    answer = call(APP, method, path, headers=[(name.lower(), value) for name, value in headers], body=body)
    assert_well_formed(answer, None)


@settings(max_examples=100, deadline=None)
@given(operation=st.sampled_from(OPERATIONS), authorization=st.text(max_size=300))
def test_any_authorization_header_that_is_not_a_signature_gets_403(operation: str, authorization: str) -> None:
    body = b'{"targets": []}'
    headers = {**signed_headers(operation, body), "Authorization": authorization}
    target = contract(operation)
    answer = call(APP, target.method, target.path, headers=headers, body=body)
    assert answer.status == 403
    assert answer.error in AUTH_ERROR_NAMES
    assert answer.json()["message"]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.lists(st.integers(min_value=0, max_value=120), max_size=5))
def test_a_body_arriving_in_pieces_is_read_whole(cuts: list[int]) -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    bounds = [0, *sorted(cuts), len(body)]
    chunks = [body[a:b] for a, b in itertools.pairwise(bounds)]
    target = contract(CREATE_SCOPE)
    answer = call(APP, target.method, target.path, headers=signed_headers(CREATE_SCOPE, body), chunks=chunks)
    assert answer.status == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"\xff\xfe{}", "SerializationException"),
        (b'{"targets": [', "SerializationException"),
        (b'{"targets": NaN}', "SerializationException"),
        (b'{"targets": [{"region": "\\ud800"}]}', "SerializationException"),
        (b'{"x": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}", "SerializationException"),
        (b"[" * 100_000, "SerializationException"),
        (b'{"targets": 1' + b"0" * 5000 + b"}", "SerializationException"),
        (b'"a string"', "ValidationException"),
        (b'{"targets": "not an array"}', "ValidationException"),
        (b"", "ValidationException"),
    ],
)
def test_malformed_or_mistyped_bodies_get_400(body: bytes, error: str) -> None:
    answer = call_signed(APP, CREATE_SCOPE, body)
    assert (answer.status, answer.error) == (400, error)
    assert_well_formed(answer, CREATE_SCOPE)


def test_a_large_invalid_body_is_refused_quickly_without_listing_every_violation() -> None:
    body = json.dumps({"targets": [{}] * 200_000}).encode()
    answer = call_signed(APP, CREATE_SCOPE, body)
    assert (answer.status, answer.error) == (400, "ValidationException")
    assert "harness validate" in answer.json()["message"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-amz-json-1.1", None])
def test_a_body_that_is_not_declared_json_gets_415(content_type: str | None) -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = call(APP, "POST", "/scopes", headers=signed_headers(CREATE_SCOPE, body, headers=headers), body=body)
    assert (answer.status, answer.error) == (415, "UnsupportedMediaTypeException")


def test_a_json_content_type_may_carry_parameters() -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    headers = signed_headers(CREATE_SCOPE, body, headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert call(APP, "POST", "/scopes", headers=headers, body=body).status == 200


def test_a_body_growing_past_the_limit_is_refused_when_it_does() -> None:
    chunk = b" " * (256 * 1024)
    chunks = [chunk] * (MAX_BODY_BYTES // len(chunk) + 1)
    headers = signed_headers(CREATE_SCOPE, b"".join(chunks))
    answer = call(APP, "POST", "/scopes", headers=headers, chunks=chunks)
    assert (answer.status, answer.error) == (413, "RequestEntityTooLargeException")
    assert answer.headers["connection"] == "close"


@pytest.mark.parametrize("declared", ["\u00b2", "9" * 5000, "-1", "12abc", " 5 "])
def test_a_strange_content_length_is_no_reason_to_fail(declared: str) -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    headers = {**signed_headers(CREATE_SCOPE, body), "Content-Length": declared}
    answer = call(APP, "POST", "/scopes", headers=headers, body=body)
    assert answer.status in (200, 413)


def test_an_unknown_path_is_a_json_404_and_a_wrong_method_a_json_405() -> None:
    unknown = call(APP, "POST", "/nowhere")
    assert (unknown.status, unknown.error) == (404, "UnknownOperationException")
    wrong = call(APP, "GET", "/scopes")
    assert (wrong.status, wrong.error, wrong.headers["allow"]) == (405, "MethodNotAllowedException", "POST")


def test_lifespan_and_websocket_scopes_are_handled() -> None:
    import asyncio

    async def run(app: MockApp) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

        async def receive() -> dict[str, Any]:
            return inbox.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app({"type": "lifespan"}, receive, send)
        inbox.append({"type": "websocket.connect"})
        await app({"type": "websocket", "path": "/scopes"}, receive, send)
        return sent

    sent = asyncio.run(run(APP))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete", "websocket.close"]


# --------------------------------------------------------------------------- real server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve(body_timeout=0.3) as running:
        yield running


def exchange(server: Server, data: bytes, *, then_close: bool = False) -> http.client.HTTPResponse | None:
    """Send raw bytes on a new connection; the response, or None after closing at once."""
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
    try:
        sock.sendall(data)
        if then_close:
            return None
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
        response.close()
        return response
    finally:
        sock.close()


def head(server: Server, operation: str, body: bytes, **extra: str) -> bytes:
    target = contract(operation)
    headers = {**signed_headers(operation, body, base_url=server.url), "Content-Length": str(len(body)), **extra}
    lines = [f"{target.method} {target.path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def still_serving(server: Server) -> bool:
    return server.signed(CREATE_SCOPE, {"targets": [TARGET]}).status == 200


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(server: Server) -> None:
    huge = b" " * (MAX_BODY_BYTES + 1)
    response = exchange(server, head(server, CREATE_SCOPE, huge))  # the body itself is never sent
    assert response is not None
    assert (response.status, response.getheader("x-amzn-ErrorType")) == (413, "RequestEntityTooLargeException")
    assert still_serving(server)


def test_a_body_that_stops_arriving_gets_408(server: Server) -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    response = exchange(server, head(server, CREATE_SCOPE, body) + body[:10])
    assert response is not None
    assert (response.status, response.getheader("x-amzn-ErrorType")) == (408, "RequestTimeoutException")
    assert still_serving(server)


def test_a_client_that_leaves_mid_body_does_not_disturb_the_server(server: Server) -> None:
    body = json.dumps({"targets": [TARGET]}).encode()
    exchange(server, head(server, CREATE_SCOPE, body) + body[:10], then_close=True)
    assert still_serving(server)


def test_garbage_on_the_socket_does_not_disturb_the_server(server: Server) -> None:
    response = exchange(server, b"\x00\xffNOT HTTP AT ALL\r\n\r\n")
    assert response is not None and response.status == 400
    assert still_serving(server)


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"\xc3\x28", 400), (b"{", 400), (b"[]", 400), (b'{"GraphArn": 1, "AccountId": []}', 400), (b"{}", 400)],
)
def test_bad_bodies_over_http_get_json_errors(server: Server, body: bytes, status: int) -> None:
    answer = server.signed(START_MONITORING, body)
    assert answer.status == status
    assert_well_formed(answer, START_MONITORING)


def test_unknown_paths_and_methods_over_http_get_json_errors(server: Server) -> None:
    for method, path, status in [("GET", "/", 404), ("DELETE", "/scopes", 405), ("PUT", "/x/y?z=1", 404)]:
        answer = server.send(method, path)
        assert answer.status == status
        assert_well_formed(answer, None)
