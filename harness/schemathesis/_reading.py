"""What a request Schemathesis sent is, to the harness: a call of the contract's operation,
valid or not, read from its bytes as they went on the wire."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import schemathesis

from harness.case import Case, Intent
from harness.contract import Contract, contract_from_document, resolve_pointer
from harness.result import Response
from harness.validator import without_null_members

#: The operations of an OpenAPI path item (its other keys are parameters, summary, servers...).
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class Wire:
    """What a contract document says of its operation's request on the wire (its OpenAPI fields).

    The harness's :class:`~harness.contract.Contract` models the JSON body; this is the rest
    an imported contract may have (docs/imported-contracts.md): other request media types
    (``application/x-amz-json-1.1``), fixed headers (awsJson's ``X-Amz-Target`` ``const``),
    and path, query or header members.
    """

    operation: str
    signing_name: str
    media_types: frozenset[str]
    fixed_headers: Mapping[str, str]  # lower-case name -> value
    other_members: tuple[str, ...]  # path, query and header members the body does not carry

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> Wire:
        """The wire of the one operation of a contract document (loaded: its shape is checked)."""
        ext = document["x-harness"]
        ((_, item),) = document["paths"].items()
        ((_, operation),) = ((k, v) for k, v in item.items() if k in HTTP_METHODS)
        fixed: dict[str, str] = {}
        others: list[str] = []
        for raw in (*item.get("parameters", ()), *operation.get("parameters", ())):
            parameter = _resolved(document, raw)
            schema = _resolved(document, parameter.get("schema", {}))
            name, where = str(parameter["name"]), str(parameter["in"])
            if where == "header" and isinstance(schema.get("const"), str):
                fixed[name.lower()] = schema["const"]
            else:
                others.append(f"{where} {name}")
        content = operation.get("requestBody", {}).get("content", {})
        return cls(
            operation=str(ext["operation"]),
            signing_name=str(ext["signingName"]),
            media_types=frozenset(str(media).lower() for media in content),
            fixed_headers=fixed,
            other_members=tuple(others),
        )


def _resolved(document: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        node = resolve_pointer(document, node["$ref"][1:])
    return node if isinstance(node, Mapping) else {}


def contract_of(document: Mapping[str, Any]) -> Contract:
    """The harness contract of a document Schemathesis loaded, checked as ``harness run`` checks
    it; a :class:`ContractError` names the operation (Schemathesis hands ``after_load_schema``
    the parsed document before it records where it came from)."""
    ext = document.get("x-harness")
    operation = ext.get("operation", "?") if isinstance(ext, Mapping) else "?"
    label = Path(f"(the schema of {operation} that st run loaded)")
    return contract_from_document(document, file=label)


@dataclass(frozen=True)
class Reading:
    """The harness's reading of one request Schemathesis sent.

    ``intent`` is ``None`` when the harness cannot tell whether the request is valid: it
    changes a fixed header, or the operation has path, query or header members (the
    harness reads back the JSON body only; the operation input needs the protocol
    bindings).  Then only the checks that judge every answer apply, and Schemathesis's own
    verdict on the request stands.  A request with another method than the operation's
    (Schemathesis's ``unsupported_method`` probes) is no call of it: no harness check judges it.
    """

    case: Case
    intent: Intent | None
    calls_operation: bool = True


def read_request(contract: Contract, wire: Wire, request: requests.PreparedRequest) -> Reading:
    body = _body_bytes(request)
    headers = {name.lower(): _text(value) for name, value in request.headers.items()}
    content_type = headers.get("content-type")
    media = (content_type or "").split(";")[0].strip().lower()

    def reading(intent: Intent | None, description: str, rule: str | None = None, *, calls: bool = True) -> Reading:
        case = Case(
            operation=contract.id,
            intent=intent or Intent.TOLERATED,  # not read: only the checks of every answer judge it
            origin="schemathesis",
            description=description,
            body=body,
            rule=rule,
            content_type=content_type,
        )
        return Reading(case=case, intent=intent, calls_operation=calls)

    if str(request.method).upper() != contract.method:
        return reading(None, f"a {request.method} request, not {contract.method}", calls=False)
    if media not in wire.media_types and (body or content_type):
        return reading(Intent.MEDIA_TYPE, f"a body sent as {content_type or 'no Content-Type'}")
    changed = [name for name, value in wire.fixed_headers.items() if headers.get(name) != value]
    if changed or wire.other_members:
        return reading(None, f"a request with {', '.join(changed or wire.other_members)} as Schemathesis chose")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return reading(Intent.MALFORMED, "a body that is not JSON")
    if not isinstance(document, dict):
        return reading(Intent.MALFORMED, f"a JSON {type(document).__name__} body, not an object")
    violations = contract.request_validator.violations(document)
    if violations:
        first = violations[0]
        rule = first.rule.id if first.rule else None
        return reading(Intent.INVALID, f"a body breaking {rule or first.keyword} ({first.path}: {first.message})", rule)
    if without_null_members(document) != document:
        return reading(Intent.TOLERATED, "a body with a null member (SPEC 2: absent, or refused with 400)")
    unnamed = _unnamed_member(contract, contract.request_schema(), document, "$")
    if unnamed is not None:
        return reading(Intent.TOLERATED, f"a body with {unnamed}, a member the contract does not name")
    return reading(Intent.VALID, "a valid body")


def _unnamed_member(contract: Contract, node: Mapping[str, Any], value: Any, path: str) -> str | None:
    """Where ``value`` has a member that its object schemas do not name (SPEC 2: ignored or 400)."""
    while isinstance(node.get("$ref"), str):
        node, _ = contract.resolve(node)
    if isinstance(value, dict):
        named = node.get("properties")
        each = node.get("additionalProperties")
        for key, item in value.items():
            if isinstance(named, Mapping) and key in named:
                found = _unnamed_member(contract, named[key], item, f"{path}.{key}")
            elif isinstance(each, Mapping):
                found = _unnamed_member(contract, each, item, f"{path}.{key}")
            elif isinstance(named, Mapping):
                return f"{path}.{key}"
            else:
                found = None  # an object schema that names no member (any JSON)
            if found is not None:
                return found
    elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
        for index, item in enumerate(value):
            found = _unnamed_member(contract, node["items"], item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _body_bytes(request: requests.PreparedRequest) -> bytes:
    body = request.body
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return b""


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def harness_response(response: schemathesis.Response) -> Response:
    """A Schemathesis response as the harness's checks read one."""
    return Response(
        status=response.status_code,
        headers={name: ", ".join(values) for name, values in response.headers.items()},
        body=response.content,
        elapsed=response.elapsed,
        truncated=response.content_size > len(response.content),
    )
