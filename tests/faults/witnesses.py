"""What the witnesses of :mod:`faults.variants` send: the one request (after any setup) that
shows a bug is real, and the documents and bodies they are made of.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from faults.building import CREATE_SCOPE, START_MONITORING
from faults.client import Client

TARGET = {
    "region": "us-east-1",
    "targetIdentifier": {"targetId": {"accountId": "123456789012"}, "targetType": "ACCOUNT"},
}
GRAPH = "arn:aws:detective:us-east-1:111122223333:graph:027c7c4610ea4aacaf0b883093cab899"
MEMBER = "444455556666"
ASTRAL = "\U0001f600"  # one code point, four bytes of UTF-8
TOKEN_VALUE = "5f0e4c2a-9b1d-4e8f-a3c7-1d2e3f4a5b6c"


def member(graph: str = GRAPH, account: Any = MEMBER) -> dict[str, Any]:
    return {"GraphArn": graph, "AccountId": account}


def sends(operation: str, document: Any, **options: Any) -> Callable[[Client], int]:
    return lambda client: client.call(operation, document, **options)


def declared(operation: str, document: Any) -> Callable[[Client], str]:
    """The Content-Type the answer to ``document`` is declared with."""
    return lambda client: client.declared(operation, document)


def enrolled_elsewhere(client: Client) -> int:
    """A graph that exists, with another member: the account asked for is not in it."""
    client.state("graph has member", {"GraphArn": GRAPH, "AccountId": "111111111111", "Status": "ENABLED"})
    return client.call(START_MONITORING, member())


def retried_at_quota(client: Client) -> int:
    """A scope made with a token, the quota reached, the same request retried."""
    document = {"targets": [TARGET], "clientToken": TOKEN_VALUE}
    client.call(CREATE_SCOPE, document)
    client.state("scope quota reached")
    return client.call(CREATE_SCOPE, document)


def conflicting_tags(client: Client) -> int:
    """The same token and targets, then other tags: another body."""
    client.call(CREATE_SCOPE, {"targets": [TARGET], "clientToken": TOKEN_VALUE})
    return client.call(CREATE_SCOPE, {"targets": [TARGET], "clientToken": TOKEN_VALUE, "tags": {"team": "net"}})


def quota_then_member(client: Client) -> int:
    """`scope quota reached` (CreateScope's), then StartMonitoringMember, which it does not concern."""
    client.state("scope quota reached")
    return client.call(START_MONITORING, member())


def member_limit_then_scope(client: Client) -> int:
    """`graph member limit reached` (StartMonitoringMember's), then CreateScope."""
    client.state("graph member limit reached", {"GraphArn": GRAPH, "AccountId": MEMBER})
    return client.call(CREATE_SCOPE, {"targets": [TARGET]})


def tokenless_at_quota(client: Client) -> int:
    client.state("scope quota reached")
    return client.call(CREATE_SCOPE, {"targets": [TARGET]})


def denied_elsewhere(client: Client) -> int:
    """`access denied` set for CreateScope; StartMonitoringMember is not concerned."""
    client.state("access denied", {"operation": CREATE_SCOPE})
    return client.call(START_MONITORING, member())


def other_member_torn_down(client: Client) -> int:
    """Two members set up, the other one torn down: this one is still there."""
    client.state("graph has member", {"GraphArn": GRAPH, "AccountId": MEMBER, "Status": "ACCEPTED_BUT_DISABLED"})
    other = {"GraphArn": GRAPH, "AccountId": "111111111111", "Status": "INVITED"}
    client.state("graph has member", other)
    client.state("graph has member", other, action="teardown")
    return client.call(START_MONITORING, member())


def retried_reserialised(client: Client) -> int:
    """The same document again, its members in another order (another byte string)."""
    client.call(CREATE_SCOPE, {"targets": [TARGET], "clientToken": TOKEN_VALUE})
    return client.call(CREATE_SCOPE, {"clientToken": TOKEN_VALUE, "targets": [TARGET]})


ESCAPED_ASTRAL = (
    b'{"targets":[{"region":"us-east-1","targetIdentifier":{"targetId":{"accountId":"123456789012"},'
    b'"targetType":"ACCOUNT"}}],"tags":{"mood":"\\ud83d\\ude00"}}'
)
LARGEST_TAGS = {f"{i:03d}{'k' * 125}": "v" * 256 for i in range(200)}
ASTRAL_TAGS = {f"{i:03d}{ASTRAL * 125}": ASTRAL * 256 for i in range(200)}  # 200 x 1,527 bytes in UTF-8


def member_with(account: bytes, *, twice: bool = False) -> bytes:
    """A StartMonitoringMember body whose AccountId is the JSON text ``account`` (given twice)."""
    member_text = b'"AccountId":' + account + b","
    return b"{" + member_text * (2 if twice else 1) + b'"GraphArn":"' + GRAPH.encode() + b'"}'


def utf8(document: Any) -> bytes:
    """``document`` as JSON in UTF-8, non-ASCII characters as they are (not ``\\u`` escapes)."""
    return json.dumps(document, ensure_ascii=False).encode()
