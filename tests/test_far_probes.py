"""Far past a limit (issue 14, item 1): every count and length rule also gets a value ten times
its maximum and at least 1,000 over it; every number rule, and every string member, numbers
past every machine width (2^63, 2^64, 1e309, 5,000 digits).  Each is an invalid case: 400,
never 5xx, and each request stays within the body bound.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from harness.aws import SigningKey
from harness.case import Case, Intent
from harness.checks import default_registry
from harness.contract import Contract, load_contract, load_contracts
from harness.engine import Engine
from harness.engine.operation import OperationRun
from harness.engine.options import Listener, RunOptions
from harness.engine.phases.probes import Probes, head_size
from harness.engine.tokens import Tokens
from harness.generation.boundaries import BoundaryProbes, Probe
from harness.generation.far import BODY_BOUND, HEAD_BOUND, STAND_IN, Literal, far_count, with_literal
from harness.mock.server import running_mock
from harness.result import CaseResult
from harness.rules import value_at
from harness.target.http import HttpTransport

CONTRACTS = load_contracts()
CREATE_SCOPE = CONTRACTS["networkflowmonitor:CreateScope"]
START_MONITORING = CONTRACTS["detective:StartMonitoringMember"]
REPO = Path(__file__).resolve().parent.parent


def far(contract: Contract) -> dict[str, Probe]:
    """The far probes of ``contract``, by rule."""
    return {p.rule or "": p for p in BoundaryProbes(contract).all() if "far past the maximum" in p.description}


def test_ten_times_the_maximum_and_at_least_a_thousand_over_it() -> None:
    assert [far_count(n) for n in (1, 12, 100, 128, 200, 256, 1000)] == [1001, 1012, 1100, 1280, 2000, 2560, 10000]


@pytest.mark.parametrize(
    ("rule", "location", "size"),
    [
        ("targets.items", ("targets",), 1100),
        ("tags.entries", ("tags",), 2000),
        ("clientToken.length", ("clientToken",), 1036),
        ("tags.value.length", ("tags", "x"), 2560),
    ],
)
def test_create_scope_counts_and_lengths_far_past_their_maximum(rule: str, location: tuple[str, ...], size: int
                                                                 ) -> None:  # fmt: skip
    probe = far(CREATE_SCOPE)[rule]
    assert probe.intent is Intent.INVALID
    value = probe.body
    for step in location:
        value = next(iter(value.values())) if step == "x" else value[step]
    assert len(value) == size
    assert rule in {v.rule.id for v in CREATE_SCOPE.request_validator.violations(probe.body) if v.rule}
    assert f"{size:,}" in probe.description


def test_every_count_and_length_rule_has_a_far_probe() -> None:
    for contract in CONTRACTS.values():
        bounded = {r.id for r in contract.request_rules if {"maxLength", "maxItems", "maxProperties"} & set(r.keywords)}
        assert bounded and bounded == set(far(contract)), contract.id


def test_far_probes_stay_within_the_body_bound() -> None:
    for contract in CONTRACTS.values():
        for probe in BoundaryProbes(contract).all():
            assert len(Case.encode(probe.body)) <= BODY_BOUND, probe.description


def numbers(contract: Contract, rule: str) -> dict[str, Probe]:
    return {p.description.split(": ", 1)[1]: p for p in BoundaryProbes(contract).all()
            if p.rule == rule and any(n in p.description for n in ("2^6", "1e309", "5,000 digits"))}  # fmt: skip


def test_a_string_member_gets_numbers_past_every_machine_width() -> None:
    found = numbers(START_MONITORING, "AccountId.type")
    assert sorted(found) == [
        "1e309 (past float64's range) instead of string",
        "2^63 (past int64) instead of string",
        "2^64 (past uint64) instead of string",
        "a number of 5,000 digits (Python converts at most 4,300) instead of string",
    ]
    assert value_at(("AccountId",), found["2^63 (past int64) instead of string"].body) == 2**63
    digits = found["a number of 5,000 digits (Python converts at most 4,300) instead of string"]
    assert digits.literal == Literal("9" * 5000, STAND_IN)
    assert value_at(("AccountId",), digits.body) == STAND_IN  # what the validator judges in its place


def operation(contract: Contract) -> OperationRun:
    options = RunOptions(base_url="http://target.test", key=SigningKey("AKID", "secret", "us-east-1"))
    return OperationRun(contract=contract, options=options, checks=default_registry(), listener=Listener(),
                        tokens=Tokens(contract, seed="far"))  # fmt: skip


def test_a_number_python_cannot_write_is_sent_as_its_json_text() -> None:
    cases = [c for c in Probes().cases(operation(START_MONITORING)) if c.rule == "AccountId.type"]
    sent = {c.description.split(": ", 1)[1]: c.body for c in cases if c.body is not None}
    digits = sent["a number of 5,000 digits (Python converts at most 4,300) instead of string"]
    assert digits is not None and b'"AccountId":' + b"9" * 5000 + b"," in digits
    overflow = sent["1e309 (past float64's range) instead of string"]
    assert overflow is not None and b'"AccountId":1e309,' in overflow
    assert json.loads(overflow)["AccountId"] == float("inf")
    with pytest.raises(ValueError, match="4300 digits"):
        json.loads(digits)  # what a Python server that lets the error escape answers 500 to


def test_a_literal_needs_its_stand_in_once_in_the_body() -> None:
    literal = Literal("1e309", STAND_IN)
    assert with_literal(b'{"a":%d}' % STAND_IN, literal) == b'{"a":1e309}'
    assert with_literal(b'{"a":1}', literal) is None  # the member went elsewhere (a header, the path)
    negative = Literal("-1e309", -STAND_IN)
    assert with_literal(b'{"a":%d}' % -STAND_IN, negative) == b'{"a":-1e309}'


def with_a_range(tmp_path: Path) -> Contract:
    """CreateScope with an integer member of range 1 to 100 (no contract has one yet)."""
    document: dict[str, Any] = json.loads((REPO / "contracts" / "networkflowmonitor-CreateScope.json").read_text())
    document["components"]["schemas"]["CreateScopeRequest"]["properties"]["maxResults"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "x-rules": [
            {"id": "maxResults.type", "keywords": ["type"], "doc": "maxResults: integer.", "source": "seed"},
            {"id": "maxResults.range", "keywords": ["minimum", "maximum"],
             "doc": "Valid Range: Minimum value of 1. Maximum value of 100.", "source": "seed"},
        ],
    }  # fmt: skip
    path = tmp_path / "networkflowmonitor-CreateScope.json"
    path.write_text(json.dumps(document))
    return load_contract(path)


def test_a_number_rule_gets_its_bounds_and_numbers_past_every_width_on_both_sides(tmp_path: Path) -> None:
    contract = with_a_range(tmp_path)
    found = [p for p in BoundaryProbes(contract).all() if p.rule == "maxResults.range"]
    valid = {value_at(("maxResults",), p.body) for p in found if p.intent is Intent.VALID}
    invalid = [(p.description.split(": ", 1)[1], p.literal.text[:6] if p.literal else value_at(("maxResults",), p.body))
               for p in found if p.intent is Intent.INVALID]  # fmt: skip
    assert valid >= {1, 100}
    assert invalid == [
        ("0 (one below the minimum)", 0),
        ("-2^63 - 1 (below int64) (below the minimum)", -(2**63) - 1),
        ("-2^64 (below every 64-bit integer) (below the minimum)", -(2**64)),
        ("-1e309 (past float64's range) (below the minimum)", "-1e309"),
        ("-a number of 5,000 digits (Python converts at most 4,300) (below the minimum)", "-99999"),
        ("101 (one above the maximum)", 101),
        ("2^63 (past int64) (above the maximum)", 2**63),
        ("2^64 (past uint64) (above the maximum)", 2**64),
        ("1e309 (past float64's range) (above the maximum)", "1e309"),
        ("a number of 5,000 digits (Python converts at most 4,300) (above the maximum)", "999999"),
    ]


def test_the_reference_mock_refuses_each_with_400_within_its_body_limit() -> None:
    results: list[CaseResult] = []
    credentials = ("AKIDFARPROBES0000001", "far-probes-secret")
    with running_mock(credentials=credentials) as url:
        options = RunOptions(base_url=url, key=SigningKey(*credentials, "us-east-1"))
        transport = HttpTransport()
        Engine(contracts=list(CONTRACTS.values()), transport=transport, options=options, phases=[Probes()],
               listener=Listener(on_result=results.append)).run()  # fmt: skip
        transport.close()
    far = [r for r in results if "far past the maximum" in r.case.description or "(past " in r.case.description
           or "5,000 digits" in r.case.description]  # fmt: skip
    assert len(far) == (2 + 5) * 4 + 1 + 6  # 4 numbers for each string member; each count and length rule
    assert {(r.response.status if r.response else None, r.failed) for r in far} == {(400, False)}
    assert max(len(r.request.body) for r in far) < 1024 * 1024  # the mock's limit


def with_members_in_headers() -> Contract:
    """CreateScope with its clientToken in a header and its tags in a header map (a copy: the
    contract loader does not take bindings for a curated contract yet)."""
    document = copy.deepcopy(dict(CREATE_SCOPE.document))
    document["x-harness"] = {**document["x-harness"], "bindings": {
        "clientToken": {"in": "header", "name": "X-Client-Token"},
        "tags": {"in": "headerMap", "name": "x-amz-meta-"},
    }}  # fmt: skip
    return dataclasses.replace(CREATE_SCOPE, document=document)


def test_an_invalid_value_in_a_header_stays_within_the_head_bound() -> None:
    """A request head past 8 KB is refused by HTTP servers before any member is read: an
    invalid case's head stays within it, and a documented valid one is sent whatever its size."""
    op = operation(with_members_in_headers())
    cases = Probes().cases(op)
    far_probes = {c.rule: c for c in cases if "far past the maximum" in c.description}
    assert "clientToken.length" in far_probes  # 1,036 characters in a header: within 8 KB
    assert "tags.entries" not in far_probes  # 2,000 headers: past it
    assert "tags.value.length" in far_probes  # one header of 2,560 characters
    heads = {c.description: head_size(op, c) for c in cases}
    assert max(size for c in cases if c.intent is Intent.INVALID and (size := heads[c.description])) <= HEAD_BOUND
    largest = next(c for c in cases if c.description.startswith("the largest valid body:"))
    assert heads[largest.description] > HEAD_BOUND  # 200 tags of 128 + 256 characters, as documented
