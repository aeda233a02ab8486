"""SPEC 4.3: a JSON body is declared as JSON.

``application/json``, ``application/x-amz-json-1.0`` or ``application/x-amz-json-1.1``, a
parameter such as ``charset`` allowed, the header's name in any case; a JSON body sent as
``text/plain``, or with no ``Content-Type``, breaks the rule: a failure, not a warning.  One list
(``harness.checks.JSON_MEDIA_TYPES``) serves the harness's check and its reading of
Schemathesis's ``content_type_conformance``.
"""

from __future__ import annotations

import json

import pytest

from harness.case import Case, Intent
from harness.checks import JSON_MEDIA_TYPES, Judgement, declared_as_json, json_media_type
from harness.contract import load_contracts
from harness.result import Response, Severity

CREATE_SCOPE = load_contracts()["networkflowmonitor:CreateScope"]
ERROR = json.dumps({"message": "no"}).encode()


def failures(headers: dict[str, str], body: bytes = ERROR, status: int = 400) -> list[str]:
    case = Case(operation=CREATE_SCOPE.id, intent=Intent.INVALID, origin="boundary", description="a body", input={})
    response = Response(status=status, headers={"x-amzn-ErrorType": "ValidationException", **headers}, body=body,
                        elapsed=0.01)  # fmt: skip
    found = json_media_type.run(Judgement(CREATE_SCOPE, case, response))
    assert all(f.severity is Severity.FAILURE for f in found)
    return [f.message for f in found]


@pytest.mark.parametrize(
    "declared",
    [
        "application/json",
        "application/x-amz-json-1.0",
        "application/x-amz-json-1.1",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        " application/x-amz-json-1.1 ; charset=utf-8",
    ],
)
def test_json_is_declared_by_any_of_three_media_types_with_parameters(declared: str) -> None:
    assert declared_as_json(declared)
    assert failures({"Content-Type": declared}) == []


@pytest.mark.parametrize("name", ["content-type", "Content-Type", "CONTENT-TYPE", "cOnTeNt-TyPe"])
def test_the_header_name_is_read_in_any_case(name: str) -> None:
    assert failures({name: "application/json"}) == []
    assert failures({name: "text/plain"}) != []


@pytest.mark.parametrize(
    "declared", ["text/plain", "text/plain; charset=utf-8", "application/problem+json", "application/jsonx", ""]
)
def test_a_json_body_declared_otherwise_fails(declared: str) -> None:
    assert not declared_as_json(declared)
    [message] = failures({"Content-Type": declared}, status=500)
    assert f"a 500 JSON body declared with {declared!r}" in message


def test_a_json_body_with_no_content_type_fails() -> None:
    assert not declared_as_json(None)
    listed = ", ".join(sorted(JSON_MEDIA_TYPES))
    assert failures({}) == [f"a 400 JSON body declared with no Content-Type; JSON is declared as one of {listed}"]


def test_an_empty_body_declares_nothing() -> None:
    assert failures({}, body=b"") == []
    assert failures({"Content-Type": "text/plain"}, body=b"  ") == []
