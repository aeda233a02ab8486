"""Parsers' own limits (issue 14, item 2): bodies past them, each within the body bound, get
400 (malformed or invalid), never 5xx.

Nesting of 10,000 and 100,000 levels, arrays and objects (Python's ``json`` gives up near
1,000); one very long string; a member given twice; more members than 16 bits count.  The
objects lack the operation's required members, so whatever a parser makes of them they are
invalid; an operation that requires nothing gets only the arrays and the string.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from harness.aws import SigningKey
from harness.case import Intent
from harness.contract import Contract, load_contracts
from harness.engine import Engine, Listener, RunOptions
from harness.engine.phases.probes import Probes
from harness.generation.far import BODY_BOUND
from harness.generation.wire import MANY_MEMBERS, parser_limit_bodies
from harness.mock import STATES_PATH
from harness.mock.server import running_mock
from harness.result import CaseResult
from harness.target.http import HttpTransport

CONTRACTS = load_contracts()
CREATE_SCOPE = CONTRACTS["networkflowmonitor:CreateScope"]
START_MONITORING = CONTRACTS["detective:StartMonitoringMember"]
MEMBER = {"AccountId": "444455556666", "GraphArn": "arn:aws:detective:us-east-1:111122223333:graph:" + "a" * 32}
CREDENTIALS = ("AKIDPARSERLIMITS0001", "parser-limits-secret")


def depth(text: bytes) -> int:
    level = deepest = 0
    for byte in text:
        level += (byte in b"[{") - (byte in b"]}")
        deepest = max(deepest, level)
    return deepest


def bodies() -> dict[str, bytes]:
    return dict(parser_limit_bodies(MEMBER, ["AccountId", "GraphArn"]))


def test_nesting_of_ten_thousand_and_a_hundred_thousand_levels_arrays_and_objects() -> None:
    found = bodies()
    assert {label: depth(body) for label, body in found.items() if "nested" in label} == {
        "arrays nested 10,000 levels deep": 10_000,
        "arrays nested 100,000 levels deep": 100_000,
        "objects nested 10,000 levels deep": 10_000,
        "objects nested 100,000 levels deep": 100_000,
    }
    with pytest.raises(RecursionError):
        json.loads(found["objects nested 10,000 levels deep"])  # past Python's json: not a ValueError


def test_one_very_long_string_a_member_given_twice_and_many_members() -> None:
    found = bodies()
    assert len(json.loads(found["one JSON string of 262,145 characters"])) == 262_145
    twice = found["the required member 'AccountId' given twice, null both times (RFC 8259: names should be unique)"]
    assert twice.count(b'"AccountId":null') == 2
    pairs = json.loads(twice, object_pairs_hook=lambda p: p)
    assert [name for name, _ in pairs] == ["AccountId", "AccountId", "GraphArn"]
    many = json.loads(found[f"an object of {MANY_MEMBERS:,} members, none of them the operation's"])
    assert len(many) == MANY_MEMBERS == 2**16 + 1


def test_every_body_is_within_the_bound_and_invalid_whichever_way_it_is_read() -> None:
    validator = START_MONITORING.request_validator
    for label, body in bodies().items():
        assert len(body) <= BODY_BOUND, label
        try:
            document = json.loads(body)
        except RecursionError:
            document = {"": {}}  # what it is at the top: an object of one member, none required
        assert not validator.is_valid(document), label
    assert not validator.is_valid({"AccountId": None, "GraphArn": MEMBER["GraphArn"]})  # the first reading, too


def test_with_no_required_member_only_the_arrays_and_the_string_are_sent() -> None:
    labels = [label for label, _ in parser_limit_bodies({"a": 1}, [])]
    assert labels == ["arrays nested 10,000 levels deep", "arrays nested 100,000 levels deep",
                      "one JSON string of 262,145 characters"]  # fmt: skip


@pytest.fixture(scope="module")
def answered() -> Iterator[dict[str, list[CaseResult]]]:
    """The probes phase of each contract against the reference mock, by operation."""
    results: list[CaseResult] = []
    with running_mock(credentials=CREDENTIALS) as url:
        options = RunOptions(base_url=url, key=SigningKey(*CREDENTIALS, "us-east-1"),
                             provider_states=url + STATES_PATH)  # fmt: skip
        transport = HttpTransport()
        contracts: list[Contract] = [CREATE_SCOPE, START_MONITORING]
        engine = Engine(contracts=contracts, transport=transport, options=options, phases=[Probes()],
                        listener=Listener(on_result=results.append))  # fmt: skip
        engine.run()
        transport.close()
    yield {c.id: [r for r in results if r.case.operation == c.id and "past a parser's limits" in r.case.description]
           for c in contracts}  # fmt: skip


@pytest.mark.parametrize("operation", [CREATE_SCOPE.id, START_MONITORING.id])
def test_the_reference_mock_answers_each_with_400(answered: dict[str, list[CaseResult]], operation: str) -> None:
    results = answered[operation]
    assert len(results) == 7
    assert all(r.case.intent is Intent.MALFORMED and r.case.expected_statuses == (400,) for r in results)
    assert [(r.case.description.split(" (")[0], r.response and r.response.status) for r in results if r.failed
            or r.response is None or r.response.status != 400] == []  # fmt: skip
