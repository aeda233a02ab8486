"""Small botocore service models, written as ``service-2.json`` documents are, for the import
tests: each shows one trait of SPEC 7 on its own, whatever the installed botocore holds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.contract import Contract, contract_from_document, resolve_pointer
from harness.importer import ServiceImporter
from harness.rules import CONSTRAINT_KEYWORDS, walk_schema

SERVICE = "example"
API_VERSION = "2026-01-01"

#: A service's usual errors: a validation error with its status, and a server fault without one.
ERRORS: dict[str, Any] = {
    "ValidationException": {
        "type": "structure",
        "members": {"message": {"shape": "String"}},
        "error": {"httpStatusCode": 400, "senderFault": True},
        "exception": True,
        "documentation": "<p>The input fails to satisfy the constraints.</p>",
    },
    "InternalServerException": {
        "type": "structure",
        "members": {"message": {"shape": "String"}},
        "exception": True,
        "fault": True,
        "documentation": "<p>Something broke. Try again.</p>",
    },
}


def model(
    shapes: Mapping[str, Any],
    *,
    protocol: str = "rest-json",
    http: Mapping[str, Any] | None = None,
    operation: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    name: str = "DoThing",
) -> dict[str, Any]:
    """A service model with one operation, ``DoThing``, whose input is ``DoThingInput``."""
    spec = {
        "name": name,
        "http": dict(http or {"method": "POST", "requestUri": "/things"}),
        "errors": [{"shape": "ValidationException"}, {"shape": "InternalServerException"}],
    }
    if "DoThingInput" in shapes:
        spec["input"] = {"shape": "DoThingInput"}
    if "DoThingOutput" in shapes:
        spec["output"] = {"shape": "DoThingOutput"}
    spec.update(operation or {})
    meta = {
        "apiVersion": API_VERSION,
        "endpointPrefix": "example",
        "protocol": protocol,
        "protocols": [protocol],
        "serviceFullName": "Example Service",
        "signatureVersion": "v4",
        "signingName": "example",
    }
    if protocol == "json":
        meta.update(jsonVersion="1.1", targetPrefix="Example_20260101")
    meta.update(metadata or {})
    return {
        "version": "2.0",
        "metadata": meta,
        "operations": {name: spec},
        "shapes": {"String": {"type": "string"}, **ERRORS, **shapes},
    }


def imported(
    service_model: Mapping[str, Any], operation: str = "DoThing", *, examples: list[Any] | None = None
) -> tuple[dict[str, Any], Contract]:
    """The document of ``operation`` (with ``examples``, as examples-1.json has them) and the
    contract it loads as."""
    example_document = {"examples": {operation: examples or []}}
    importer = ServiceImporter(SERVICE, model=service_model, examples=example_document)
    document = importer.document(f"{SERVICE}:{operation}")
    return document, contract_from_document(document, file=Path(f"{SERVICE}-{operation}.json"))


def input_member(contract: Contract, member: str) -> dict[str, Any]:
    """The schema of one top-level member of the operation input."""
    schema: dict[str, Any] = dict(contract.request_schema()["properties"][member])
    while "$ref" in schema:
        schema = dict(resolve_pointer(contract.document, schema["$ref"][1:]))
    return schema


def rules_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema node's rules by id: keywords and sentence."""
    return {rule["id"]: (rule["keywords"], rule["doc"]) for rule in schema.get("x-rules", ())}


def unowned_constraints(contract: Contract) -> list[str]:
    """``pointer/keyword`` of every constraint keyword of the input that no rule of its node names."""
    found = []
    for node, pointer, _ in walk_schema(contract.request_schema(), contract.request_pointer, contract.resolve):
        owned = {keyword for rule in node.get("x-rules", ()) for keyword in rule["keywords"]}
        constraints = CONSTRAINT_KEYWORDS & node.keys()
        if isinstance(node.get("additionalProperties"), dict):
            constraints -= {"additionalProperties"}  # a map's values, not a constraint
        found += [f"{pointer}/{keyword}" for keyword in sorted(constraints - owned)]
    return found
