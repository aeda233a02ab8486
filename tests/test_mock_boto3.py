"""Real clients against the real server: boto3 parses each answer into the modeled result.

For each operation, the success and every error its contract documents, each raised by
botocore as the service model's exception class (``client.exceptions.ConflictException``
...).  Client-side parameter validation is off where a test sends invalid input; a body
botocore cannot serialize is sent as a raw signed request (see test_mock_robustness.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mock_server import CREATE_SCOPE, CREDENTIALS, GRAPH_ARN, START_MONITORING, TARGET, Server, serve

from harness.mock.server import running_mock


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def monitor(server: Server) -> Any:
    return server.client("networkflowmonitor")


@pytest.fixture(scope="module")
def detective(server: Server) -> Any:
    return server.client("detective")


def account() -> str:
    """A member account id no other test uses."""
    return str(uuid.uuid4().int)[:12]


# --------------------------------------------------------------------------- CreateScope


def test_create_scope_succeeds(monitor: Any) -> None:
    scope = monitor.create_scope(targets=[TARGET], tags={"team": "net"})
    assert scope["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert scope["status"] == "SUCCEEDED"
    assert scope["scopeArn"].endswith(scope["scopeId"])
    assert scope["tags"] == {"team": "net"}
    assert scope["ResponseMetadata"]["RequestId"]


def test_create_scope_is_idempotent_and_a_reused_token_is_a_conflict(monitor: Any) -> None:
    token = str(uuid.uuid4())
    first = monitor.create_scope(targets=[TARGET], clientToken=token)
    again = monitor.create_scope(targets=[TARGET], clientToken=token)
    assert (first["scopeId"], first["scopeArn"]) == (again["scopeId"], again["scopeArn"])
    with pytest.raises(monitor.exceptions.ConflictException) as raised:
        monitor.create_scope(targets=[TARGET, TARGET], clientToken=token)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_create_scope_with_invalid_input_is_a_validation_exception(server: Server) -> None:
    unchecked = server.client("networkflowmonitor", parameter_validation=False)
    for targets in ([], [{"region": "us-east-1"}], [{**TARGET, "targetIdentifier": {"targetType": "ACCOUNT"}}]):
        with pytest.raises(unchecked.exceptions.ValidationException) as raised:
            unchecked.create_scope(targets=targets)
        assert raised.value.response["Error"]["Message"]


def test_create_scope_over_the_quota_is_a_service_quota_exceeded_exception(server: Server, monitor: Any) -> None:
    with server.provider_state("scope quota reached"), pytest.raises(monitor.exceptions.ServiceQuotaExceededException):
        monitor.create_scope(targets=[TARGET])


@pytest.mark.parametrize(
    ("state", "exception"),
    [
        ("access denied", "AccessDeniedException"),
        ("throttled", "ThrottlingException"),
        ("internal failure", "InternalServerException"),
    ],
)
def test_create_scope_faults_are_their_modeled_exceptions(
    server: Server, monitor: Any, state: str, exception: str
) -> None:
    with (
        server.provider_state(state, {"operation": CREATE_SCOPE}),
        pytest.raises(getattr(monitor.exceptions, exception)) as raised,
    ):
        monitor.create_scope(targets=[TARGET])
    assert raised.value.response["Error"]["Message"]


# --------------------------------------------------------------------------- StartMonitoringMember


def test_start_monitoring_member_enables_an_accepted_member(server: Server, detective: Any) -> None:
    member = account()
    params = {"GraphArn": GRAPH_ARN, "AccountId": member, "Status": "ACCEPTED_BUT_DISABLED"}
    with server.provider_state("graph has member", params):
        answer = detective.start_monitoring_member(GraphArn=GRAPH_ARN, AccountId=member)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(answer) == {"ResponseMetadata"}


def test_start_monitoring_member_of_no_graph_is_a_resource_not_found_exception(detective: Any) -> None:
    with pytest.raises(detective.exceptions.ResourceNotFoundException) as raised:
        detective.start_monitoring_member(GraphArn=GRAPH_ARN, AccountId=account())
    assert raised.value.response["Error"]["Message"]


def test_start_monitoring_member_of_an_invited_member_is_a_conflict_exception(server: Server, detective: Any) -> None:
    member = account()
    params = {"GraphArn": GRAPH_ARN, "AccountId": member, "Status": "INVITED"}
    with server.provider_state("graph has member", params), pytest.raises(detective.exceptions.ConflictException):
        detective.start_monitoring_member(GraphArn=GRAPH_ARN, AccountId=member)


def test_start_monitoring_member_of_a_full_graph_is_a_service_quota_exceeded_exception(
    server: Server, detective: Any
) -> None:
    member = account()
    with (
        server.provider_state("graph member limit reached", {"GraphArn": GRAPH_ARN, "AccountId": member}),
        pytest.raises(detective.exceptions.ServiceQuotaExceededException) as raised,
    ):
        detective.start_monitoring_member(GraphArn=GRAPH_ARN, AccountId=member)
    assert raised.value.response["Resources"] == [GRAPH_ARN]


def test_start_monitoring_member_with_a_bad_arn_is_a_validation_exception_with_its_code(server: Server) -> None:
    unchecked = server.client("detective", parameter_validation=False)
    with pytest.raises(unchecked.exceptions.ValidationException) as raised:
        unchecked.start_monitoring_member(GraphArn="arn:aws:detective:nope", AccountId="444455556666")
    assert raised.value.response["ErrorCode"] == "INVALID_GRAPH_ARN"
    with pytest.raises(unchecked.exceptions.ValidationException) as raised:
        unchecked.start_monitoring_member(GraphArn=GRAPH_ARN, AccountId="4444")
    assert raised.value.response["ErrorCode"] == "INVALID_REQUEST_BODY"


@pytest.mark.parametrize(
    ("state", "exception"),
    [("access denied", "AccessDeniedException"), ("internal failure", "InternalServerException")],
)
def test_start_monitoring_member_faults_are_their_modeled_exceptions(
    server: Server, detective: Any, state: str, exception: str
) -> None:
    member = account()
    with (
        server.provider_state("graph has member", {"GraphArn": GRAPH_ARN, "AccountId": member, "Status": "ENABLED"}),
        server.provider_state(state, {"operation": START_MONITORING}),
        pytest.raises(getattr(detective.exceptions, exception)),
    ):
        detective.start_monitoring_member(GraphArn=GRAPH_ARN, AccountId=member)


# --------------------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    ("access_key", "secret_key", "code"),
    [
        (CREDENTIALS[0], "wrong-secret", "InvalidSignatureException"),
        ("AKIDSOMEONEELSE", CREDENTIALS[1], "UnrecognizedClientException"),
    ],
)
def test_bad_credentials_are_refused_with_aws_names(
    server: Server, access_key: str, secret_key: str, code: str
) -> None:
    client = boto3.client(
        "networkflowmonitor",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )
    with closing(client), pytest.raises(ClientError) as raised:
        client.create_scope(targets=[TARGET])
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, 403)


def test_running_mock_serves_the_given_credentials_on_loopback() -> None:
    with running_mock(credentials=("AKIDRUNNINGMOCK", "its-secret")) as url:
        assert url.startswith("http://127.0.0.1:")
        client = boto3.client(
            "networkflowmonitor",
            endpoint_url=url,
            region_name="eu-central-1",
            aws_access_key_id="AKIDRUNNINGMOCK",
            aws_secret_access_key="its-secret",
        )
        with closing(client):
            assert ":eu-central-1:" in client.create_scope(targets=[TARGET])["scopeArn"]
