"""The contract loader reads imported contracts: the new ``x-harness`` fields, the input
schema, requests without a JSON body, parameters and the success status; what is wrong in
them is a ``ContractError`` naming the pointer.  Curated contracts read as before."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from harness.contract import Contract, Imported, contract_from_document, load_contracts
from harness.errors import ContractError
from tests.import_models import imported, model

SHAPES: dict[str, Any] = {
    "DoThingInput": {
        "type": "structure",
        "required": ["Name"],
        "members": {
            "Name": {"shape": "String", "location": "uri", "locationName": "Name"},
            "ClientToken": {"shape": "String", "idempotencyToken": True},
        },
    },
    "DoThingOutput": {"type": "structure", "members": {"Arn": {"shape": "String"}}},
}
HTTP = {"method": "PUT", "requestUri": "/things/{Name}?create", "responseCode": 201}


@pytest.fixture
def document() -> dict[str, Any]:
    return imported(model(SHAPES, http=HTTP))[0]


def load(document: dict[str, Any]) -> Contract:
    return contract_from_document(copy.deepcopy(document), file=Path("example-DoThing.json"))


def test_an_imported_contract_exposes_what_binding_and_judging_need(document: dict[str, Any]) -> None:
    contract = load(document)
    assert (contract.protocol, contract.target_prefix, contract.signing_name) == ("restJson1", None, "example")
    assert contract.input_pointer == "/components/schemas/DoThingInput"
    assert contract.request_schema()["required"] == ["Name"]
    assert contract.success_status == 201
    assert contract.success_pointer == "/components/schemas/DoThingOutput"
    assert contract.bindings == {"Name": {"in": "path", "name": "Name"}}
    assert contract.static_query == (("create", ""),)
    assert isinstance(contract.imported, Imported) and contract.imported.service == "example"
    assert contract.idempotency is not None and str(contract.idempotency.token) == "/ClientToken"


@pytest.mark.parametrize("operation", ["networkflowmonitor:CreateScope", "detective:StartMonitoringMember"])
def test_a_curated_contract_has_the_defaults_of_a_rest_json_body_operation(operation: str) -> None:
    contract = load_contracts()[operation]
    assert (contract.protocol, contract.target_prefix, contract.success_status) == ("restJson1", None, 200)
    assert (contract.imported, contract.examples, contract.bindings, contract.static_query) == (None, (), {}, ())
    assert contract.input_pointer == contract.request_pointer
    assert contract.request_pointer.startswith("/components/schemas/")


def broken(document: dict[str, Any], change: Any) -> ContractError:
    changed = copy.deepcopy(document)
    change(changed)
    with pytest.raises(ContractError) as raised:
        load(changed)
    return raised.value


def test_an_aws_json_contract_needs_its_target_prefix(document: dict[str, Any]) -> None:
    error = broken(document, lambda d: d["x-harness"].update(protocol="awsJson1_1"))
    assert (error.pointer, error.message) == ("/x-harness", "'targetPrefix' is a required property")


def test_a_binding_names_a_place_the_page_knows(document: dict[str, Any]) -> None:
    error = broken(document, lambda d: d["x-harness"]["bindings"]["Name"].update({"in": "cookie"}))
    assert error.pointer == "/x-harness/bindings/Name/in"


def test_the_success_status_needs_its_response(document: dict[str, Any]) -> None:
    error = broken(document, lambda d: d["x-harness"].update(successStatus=202))
    assert "no response for the success status 202" in error.message


def test_the_input_pointer_must_resolve(document: dict[str, Any]) -> None:
    error = broken(document, lambda d: d["x-harness"].update(input="#/components/schemas/Nothing"))
    assert (error.pointer, error.message) == ("/x-harness/input", "dangling reference '#/components/schemas/Nothing'")


def test_the_idempotency_token_names_an_input_member(document: dict[str, Any]) -> None:
    error = broken(document, lambda d: d["x-harness"]["idempotency"].update(token="/Token"))
    assert (error.pointer, error.message) == (
        "/x-harness/idempotency/token",
        "/Token: the request has no member 'Token'",
    )


def test_a_curated_contract_names_its_idempotency_answers(document: dict[str, Any]) -> None:
    error = broken(document, lambda d: d["x-harness"].pop("imported"))
    assert error.pointer == "/x-harness/idempotency"
    assert "'sameResponse' is a required property" in error.message


def test_a_curated_contract_without_input_needs_a_json_request_body(document: dict[str, Any]) -> None:
    def change(d: dict[str, Any]) -> None:
        del d["x-harness"]["input"]
        del d["x-harness"]["idempotency"]
        d["x-harness"].pop("imported")
        del d["paths"]["/things/{Name}"]["put"]["requestBody"]

    error = broken(document, change)
    assert "no application/json request body: give its schema, or x-harness.input" in error.message


def test_a_parameter_s_schema_is_a_json_schema(document: dict[str, Any]) -> None:
    def change(d: dict[str, Any]) -> None:
        d["paths"]["/things/{Name}"]["put"]["parameters"][0]["schema"] = {"type": "text"}

    error = broken(document, change)
    assert error.pointer.startswith("/paths/~1things~1{Name}/put/parameters/0/schema")
    assert "not a valid JSON Schema 2020-12" in error.message
