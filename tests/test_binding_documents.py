"""Reading a protocol binding from a contract document (docs/imported-contracts.md).

A curated contract is restJson1 with every member in its body; an imported one says where
each member goes in ``x-harness.bindings``, with the input schema giving each member's type.
A field that cannot be used is a :class:`harness.errors.ContractError` naming its pointer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from loopback import binding, document

from harness.binding import Location, OperationBinding, Protocol, bind
from harness.case import Case
from harness.errors import ContractError

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"
STRING = {"type": "string"}
INTEGER = {"type": "integer"}
STRINGS = {"type": "array", "items": STRING}
OBJECT = {"type": "object", "properties": {"Policy": STRING}}


@pytest.mark.parametrize("file", sorted(CONTRACTS.glob("*.json")), ids=lambda p: p.stem)
def test_a_curated_contract_is_rest_json_with_every_member_in_its_body(file: Path) -> None:
    curated = OperationBinding.from_document(json.loads(file.read_text()), source=str(file))
    assert curated.protocol is Protocol.REST_JSON_1
    assert curated.members and all(m.location is Location.BODY and m.name == m.member for m in curated.members)
    body = {"clientToken": "t-é", "anything": [1, {"x": None}]}
    request = bind(curated, body)
    assert (request.method, request.path) == (curated.method, curated.path)
    assert request.headers == {"Content-Type": "application/json"}
    assert request.body == Case.encode(body)


def test_an_imported_document_gives_each_member_its_location_name_and_type() -> None:
    contract = document(
        "svc:GetThing",
        method="get",
        path="/things/{Id}/{Key}",
        properties={
            "Id": {"$ref": "#/components/schemas/Id"},
            "Key": STRING,
            "Ids": STRINGS,
            "Filters": {"type": "object", "additionalProperties": STRINGS},
            "Mode": {"enum": ["A", "B"]},
            "Note": STRING,
        },
        bindings={
            "Id": {"in": "path", "name": "Id"},
            "Key": {"in": "path", "name": "Key", "greedy": True},
            "Ids": {"in": "query", "name": "id"},
            "Filters": {"in": "queryMap"},
            "Mode": {"in": "header", "name": "X-Mode"},
        },
        static_query=[["versions", ""]],
    )
    contract["components"]["schemas"]["Id"] = {"type": "integer"}
    imported = OperationBinding.from_document(contract)
    members = {m.member: (m.location, m.name, m.kind) for m in imported.members}
    assert members == {
        "Id": (Location.PATH, "Id", ("integer",)),  # through its $ref
        "Key": (Location.PATH, "Key", ("string",)),
        "Ids": (Location.QUERY, "id", ("array", "string")),
        "Filters": (Location.QUERY_MAP, "", ("object", "array", "string")),
        "Mode": (Location.HEADER, "X-Mode", ("string",)),
        "Note": (Location.BODY, "Note", ("string",)),  # unbound: in the body under its own name
    }
    assert (imported.method, imported.path, imported.template.greedy) == ("GET", "/things/{Id}/{Key}", "Key")
    assert imported.static_query == (("versions", ""),)
    aws = binding("svc:PutItem", protocol="awsJson1_0", target_prefix="Svc_20120810")
    assert (aws.protocol, aws.method, aws.path, aws.target) == (
        Protocol.AWS_JSON_1_0,
        "POST",
        "/",
        "Svc_20120810.PutItem",
    )


def _broken(change: Any) -> dict[str, Any]:
    base = document(
        "svc:Op",
        path="/things/{Id}",
        properties={"Id": STRING, "Max": INTEGER},
        bindings={"Id": {"in": "path", "name": "Id"}, "Max": {"in": "query", "name": "max"}},
    )
    change(base)
    return base


def _set(pointer: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = pointer.strip("/").split("/")
        node = doc
        for key in parents:
            node = node[key.replace("~1", "/")]
        node[last.replace("~1", "/")] = value

    return change


def _payload_beside_a_body_member(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Input"]["properties"].update(Body=OBJECT, Extra=STRING)
    doc["x-harness"]["bindings"]["Body"] = {"in": "payload"}


BROKEN = {
    "unknown protocol": (_set("/x-harness/protocol", "awsQuery"), "/x-harness/protocol", "not a JSON protocol"),
    "unknown location": (
        _set("/x-harness/bindings/Max", {"in": "cookie", "name": "m"}),
        "/x-harness/bindings/Max/in",
        "not a location",
    ),
    "unknown binding field": (
        _set("/x-harness/bindings/Max", {"in": "query", "name": "m", "style": "form"}),
        "/x-harness/bindings/Max/style",
        "unknown field",
    ),
    "label with no member": (
        _set("/x-harness/bindings/Id", {"in": "query", "name": "id"}),
        "/paths/~1things~1{Id}",
        "the label {Id} has no member",
    ),
    "member bound to a missing label": (
        _set("/x-harness/bindings/Max", {"in": "path", "name": "Other"}),
        "/x-harness/bindings/Max/name",
        "has no label {Other}",
    ),
    "two members, one query key": (
        _set("/x-harness/bindings/Id2", {"in": "query", "name": "max"}),
        "/x-harness/bindings/Id2",
        "already taken by member Max",
    ),
    "query key of the static query": (
        _set("/x-harness/staticQuery", [["max", ""]]),
        "/x-harness/bindings/Max",
        "already taken by the static query",
    ),
    "static query not pairs": (_set("/x-harness/staticQuery", ["tagging"]), "/x-harness/staticQuery/0", "pair"),
    "greedy query": (
        _set("/x-harness/bindings/Max", {"in": "query", "name": "m", "greedy": True}),
        "/x-harness/bindings/Max/greedy",
        "only a path label",
    ),
    "header name with a space": (
        _set("/x-harness/bindings/Max", {"in": "header", "name": "X Max"}),
        "/x-harness/bindings/Max/name",
        "not an HTTP header name",
    ),
    "header the signature sets": (
        _set("/x-harness/bindings/Max", {"in": "header", "name": "Authorization"}),
        "/x-harness/bindings/Max/name",
        "set by the protocol or the signature",
    ),
    "payload beside a body member": (
        _payload_beside_a_body_member,
        "/x-harness/bindings/Body",
        "member Extra cannot go in the body",
    ),
    "payload of no known type": (
        _set("/x-harness/bindings/Max", {"in": "payload"}),
        "/x-harness/bindings/Max",
        "must say whether Max is a string",
    ),
    "query in the path": (
        _set("/paths", {"/things/{Id}?tagging": {"post": {}}}),
        "/paths/~1things~1{Id}?tagging",
        "staticQuery",
    ),
    "two operations": (
        _set("/paths/~1things~1{Id}/get", {}),
        "/paths/~1things~1{Id}",
        "a contract holds one",
    ),
    "dangling input": (_set("/x-harness/input", "#/components/schemas/Nope"), "/x-harness/input", "points at nothing"),
    "awsJson without a target prefix": (
        _set("/x-harness/protocol", "awsJson1_1"),
        "/x-harness/targetPrefix",
        "needs the model's targetPrefix",
    ),
}


@pytest.mark.parametrize(("change", "pointer", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_field_that_cannot_be_used_is_a_contract_error_naming_its_pointer(
    change: Any, pointer: str, message: str
) -> None:
    doc = _broken(change)
    with pytest.raises(ContractError) as caught:
        OperationBinding.from_document(doc, source="svc-Op.json")
    assert caught.value.file == "svc-Op.json"
    assert caught.value.pointer == pointer
    assert message in caught.value.message


def test_an_aws_json_operation_is_post_slash_with_every_member_in_the_body() -> None:
    doc = document("svc:Op", protocol="awsJson1_0", target_prefix="Svc", properties={"A": STRING})
    doc["x-harness"]["bindings"] = {"A": {"in": "header", "name": "X-A"}}
    with pytest.raises(ContractError, match="every member in the body"):
        OperationBinding.from_document(doc)
    moved = document("svc:Op", path="/op", protocol="awsJson1_0", target_prefix="Svc")
    with pytest.raises(ContractError, match="is POST /"):
        OperationBinding.from_document(moved)
