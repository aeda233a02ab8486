"""Examples: botocore's ``examples-1.json`` inputs in the operation input's form, valid under
the contract; one that breaks it is left out with a note, and a contract file whose example
breaks it does not load (a ``ContractError`` naming the example and the member)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from harness.contract import contract_from_document, load_contract
from harness.errors import ContractError
from harness.importer import operation_document
from tests.import_models import imported, model

SHAPES: dict[str, Any] = {
    "DoThingInput": {
        "type": "structure",
        "required": ["Name"],
        "members": {
            "Name": {"shape": "Name", "location": "uri", "locationName": "Name"},
            "Since": {"shape": "Stamp", "location": "querystring", "locationName": "since"},
            "Until": {"shape": "Stamp", "location": "header", "locationName": "X-Until"},
            "Config": {"shape": "Config"},
        },
    },
    "Name": {"type": "string", "min": 1, "max": 64, "pattern": "^[a-z]+$"},
    "Stamp": {"type": "timestamp"},
    "Config": {
        "type": "structure",
        "members": {
            "StartAt": {"shape": "Stamp", "locationName": "startAt"},
            "Secret": {"shape": "Data", "locationName": "secret"},
        },
    },
    "Data": {"type": "blob"},
}
HTTP = {"method": "POST", "requestUri": "/things/{Name}"}


def example(title: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, "id": title.lower().replace(" ", "-"), "input": value, "output": {}}


def test_an_example_is_translated_to_the_input_s_form() -> None:
    given = {
        "Name": "nightly",
        "Since": "2026-12-01T10:00:00Z",
        "Until": 1764583200,
        "Config": {"StartAt": "2026-12-01T10:00:00Z", "Secret": "hi"},
    }
    document, contract = imported(model(SHAPES, http=HTTP), examples=[example("To do a thing", given)])
    assert document["x-harness"]["examples"] == [
        {
            "title": "To do a thing",
            "input": {
                "Name": "nightly",
                "Since": "2026-12-01T10:00:00Z",  # query: ISO 8601
                "Until": "Mon, 01 Dec 2025 10:00:00 GMT",  # header: an HTTP-date
                "Config": {"startAt": 1796119200, "secret": base64.b64encode(b"hi").decode()},  # body: epoch, base64
            },
        }
    ]
    assert [e.title for e in contract.examples] == ["To do a thing"]


def test_an_example_that_breaks_the_contract_is_left_out_with_a_note() -> None:
    examples = [
        example("Good", {"Name": "nightly"}),
        example("Placeholder", {"Name": "<your-name>"}),
        example("Unknown member", {"Name": "a", "Colour": "red"}),
    ]
    document, contract = imported(model(SHAPES, http=HTTP), examples=examples)
    assert [e["title"] for e in document["x-harness"]["examples"]] == ["Good"]
    notes = contract.import_notes
    assert any(note.startswith("example 'Placeholder' left out: $.Name:") for note in notes)
    assert "example 'Unknown member' left out: member 'Colour' is not in the model" in notes


def test_botocore_s_examples_are_imported() -> None:
    document = operation_document("lambda:Invoke")
    titles = [e["title"] for e in document["x-harness"]["examples"]]
    assert "To invoke a Lambda function" in titles
    first = document["x-harness"]["examples"][0]["input"]
    assert first["FunctionName"] == "my-function"


def test_a_contract_whose_example_breaks_it_does_not_load(tmp_path: Path) -> None:
    document, _ = imported(model(SHAPES, http=HTTP), examples=[example("Good", {"Name": "nightly"})])
    document["x-harness"]["examples"].append({"title": "Too long", "input": {"Name": "a" * 65}})
    file = tmp_path / "example-DoThing.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contract(file)
    error = raised.value
    assert error.pointer == "/x-harness/examples/1/input"
    assert "example 'Too long' breaks the contract at member $.Name" in error.message
    assert "Length Constraints: Minimum length of 1. Maximum length of 64." in error.message


def test_an_example_must_be_an_object_with_a_title() -> None:
    document, _ = imported(model(SHAPES, http=HTTP))
    document["x-harness"]["examples"] = [{"input": {"Name": "a"}}]
    with pytest.raises(ContractError, match="'title' is a required property") as raised:
        contract_from_document(document, file=Path("example-DoThing.json"))
    assert raised.value.pointer == "/x-harness/examples/0"
