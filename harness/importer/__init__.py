"""Contracts imported from botocore's service models (SPEC section 7).

Every operation of a service whose botocore protocol is restJson1 (``rest-json``), awsJson1.0
or awsJson1.1 (``json``; also a CBOR service that lists ``json``) becomes one contract document:
OpenAPI 3.1 as the curated contracts are, written down as docs/imported-contracts.md says.

    operation_document("scheduler:CreateSchedule")   # the document (a dict, JSON-ready)
    resolve(["scheduler", "dynamodb:CreateTable"])   # the operation ids arguments name
    find_contract(contracts, "scheduler:CreateSchedule")  # a file's contract, else imported
    ServiceImporter("example", model=service_2_json).document("example:GetThing")  # any model

Unknown services or operations, and services that speak no JSON protocol, raise
:class:`NotImported` (a :class:`~harness.errors.UsageError`) naming the closest ids or the
protocol.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from harness.importer._lookup import (
    ServiceImporter,
    find_contract,
    operation_document,
    resolve,
    service_operation_ids,
    unknown_operation_message,
)
from harness.importer._model import NotImported, botocore_version, json_service_names


def contract_file_name(operation_id: str) -> str:
    """``{service}-{Operation}.json``, as the curated contracts are named."""
    service, _, name = operation_id.partition(":")
    return f"{service}-{name}.json"


def document_bytes(document: Any) -> bytes:
    """The text of a contract file: JSON indented by 2, UTF-8, a newline at the end."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, which orjson refuses
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = [
    "NotImported",
    "ServiceImporter",
    "botocore_version",
    "contract_file_name",
    "document_bytes",
    "find_contract",
    "json_service_names",
    "operation_document",
    "resolve",
    "service_operation_ids",
    "unknown_operation_message",
]
