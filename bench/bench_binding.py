r"""Protocol bindings and routing on the hot path: binds, decodes and matches per second.

Run:  .venv/bin/python bench/bench_binding.py [--seconds 2]

The bindings are those of every operation of a few services of the installed botocore
(restJson1 ones with labels, greedy labels, query lists and maps, headers, payloads, static
queries; awsJson ones), built here straight from the model (the importer writes the same
bindings into contract documents); each operation's input sets every top-level member.
botocore's own ``serialize_to_request`` (validation off) on the same inputs is the yardstick
for ``bind``.  ``match``: one router per service, each request's path and headers.

Figures (2-core machine shared with four other engineers, load average about 2.4,
--seconds 3; 718 operations of 8 services, the requests of every one of them routed back):

    harness.binding.bind                171,604 /s   (about 6 us a request)
    harness.binding.decode              128,569 /s
    harness.routing.Router.match        208,204 /s   (about 5 us, label decoding included)
    botocore serialize_to_request       113,202 /s   (the yardstick: bind is 1.5 times faster)

Templates are parsed once per binding, the router is a trie of literal and label segments
with the greedy templates at the node where their greedy label starts, and text that
percent-encoding leaves alone is not re-encoded.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape
from botocore.serialize import create_serializer

from harness.binding import Location, MemberBinding, OperationBinding, Protocol, bind, decode
from harness.routing import Router
from harness.uri import PathTemplate

SERVICES = ["lambda", "apigateway", "iot", "workspaces-web", "mediastore-data", "glacier", "dynamodb", "kms"]
LOCATIONS = {"uri": Location.PATH, "querystring": Location.QUERY, "header": Location.HEADER}
TYPES = {"string": "string", "integer": "integer", "long": "integer", "float": "number", "double": "number"}
AT = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def kind(shape: Shape) -> tuple[str, ...]:
    if shape.type_name == "list":
        return ("array", *kind(shape.member))  # type: ignore[attr-defined]
    if shape.type_name == "map":
        return ("object", *kind(shape.value))  # type: ignore[attr-defined]
    return (TYPES.get(shape.type_name, "boolean" if shape.type_name == "boolean" else "string"),)


def member_binding(name: str, shape: Shape, greedy: str | None, payload: str | None) -> MemberBinding:
    location = shape.serialization.get("location")
    wire = shape.serialization.get("name", name)
    if name == payload:
        where = Location.PAYLOAD
    elif location == "querystring" and shape.type_name == "map":
        where = Location.QUERY_MAP
    elif location == "headers":
        where = Location.HEADER_MAP
    else:
        where = LOCATIONS.get(str(location), Location.BODY)
    return MemberBinding(
        member=name,
        location=where,
        name="" if where in (Location.QUERY_MAP, Location.PAYLOAD) else wire,
        greedy=where is Location.PATH and wire == greedy,
        jsonvalue=bool(shape.serialization.get("jsonvalue")),
        kind=kind(shape),
    )


def operation_binding(service: str, operation: OperationModel) -> OperationBinding:
    metadata = operation.service_model.metadata
    shape = operation.input_shape
    if metadata["protocol"] == "json":
        protocol = Protocol.AWS_JSON_1_0 if metadata["jsonVersion"] == "1.0" else Protocol.AWS_JSON_1_1
        members = tuple(
            MemberBinding(n, Location.BODY, n, kind=kind(s)) for n, s in (shape.members.items() if shape else [])
        )
        return OperationBinding(
            operation=f"{service}:{operation.name}",
            protocol=protocol,
            method="POST",
            template=PathTemplate.parse("/"),
            target=f"{metadata['targetPrefix']}.{operation.name}",
            members=members,
        )
    path, _, query = operation.http["requestUri"].partition("?")
    template = PathTemplate.parse(path)
    payload = shape.serialization.get("payload") if shape else None
    members = tuple(member_binding(n, s, template.greedy, payload) for n, s in (shape.members.items() if shape else []))
    return OperationBinding(
        operation=f"{service}:{operation.name}",
        protocol=Protocol.REST_JSON_1,
        method=operation.http["method"],
        template=template,
        static_query=tuple((k, v) for k, _, v in (p.partition("=") for p in query.split("&") if p)),
        members=members,
        has_body_members=any(m.location is Location.BODY for m in members),
    )


def value(shape: Shape, where: Location, *, python: bool) -> Any:
    """A value of ``shape``: the operation input's wire form, or botocore's (``python``)."""
    kind = shape.type_name
    if kind == "timestamp":
        if python:
            return AT
        return {Location.HEADER: "Tue, 01 Dec 2026 10:00:00 GMT", Location.BODY: 1796119200}.get(
            where, "2026-12-01T10:00:00Z"
        )
    if kind == "blob":
        return (
            (b"payload bytes" if where is Location.PAYLOAD else b"hello")
            if python
            else ("payload bytes" if where is Location.PAYLOAD else "aGVsbG8=")
        )
    if kind == "list":
        return [value(shape.member, where, python=python)] * 2  # type: ignore[attr-defined]
    if kind == "map":
        return {"key-1": value(shape.value, where, python=python)}  # type: ignore[attr-defined]
    if kind == "structure":
        return {}
    if kind == "boolean":
        return True
    if kind in ("integer", "long"):
        return 42
    if kind in ("float", "double"):
        return 2.5
    return "value/é 1" if where is not Location.HEADER else "value-1"


def inputs(binding: OperationBinding, operation: OperationModel, *, python: bool) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    return {
        name: value(member_shape, binding.member(name).location, python=python)
        for name, member_shape in shape.members.items()
        if not member_shape.metadata.get("document")
    }


def rate(work: Callable[[], int], seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        done += work()
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    seconds = parser.parse_args().seconds
    session = botocore.session.get_session()
    cases: list[tuple[OperationBinding, dict[str, Any], dict[str, Any], OperationModel]] = []
    routers: dict[str, Router] = {}
    for service in SERVICES:
        model = session.get_service_model(service)
        bindings = []
        for name in model.operation_names:
            operation = model.operation_model(name)
            if operation.has_event_stream_input:
                continue
            binding = operation_binding(service, operation)
            bindings.append(binding)
            cases.append(
                (binding, inputs(binding, operation, python=False), inputs(binding, operation, python=True), operation)
            )
        routers[service] = Router(bindings)
    requests = [(binding, bind(binding, wire)) for binding, wire, _, _ in cases]
    routed = [(routers[b.operation.split(":")[0]], r) for b, r in requests]
    assert all(router.match(r.method, r.path, r.headers) is not None for router, r in routed)
    print(f"{len(cases)} operations of {len(SERVICES)} services, {seconds:g} s per figure")

    def binds() -> int:
        for binding, wire, _, _ in cases:
            bind(binding, wire)
        return len(cases)

    def decodes() -> int:
        for binding, request in requests:
            decode(binding, request.method, request.path, request.headers, request.body)
        return len(requests)

    def matches() -> int:
        for router, request in routed:
            router.match(request.method, request.path, request.headers)
        return len(routed)

    serializers = {p: create_serializer(p, include_validation=False) for p in ("rest-json", "json")}

    def botocore_serializes() -> int:
        for binding, _, python, operation in cases:
            serializers["json" if binding.protocol.is_aws_json else "rest-json"].serialize_to_request(python, operation)
        return len(cases)

    for label, work in [
        ("harness.binding.bind", binds),
        ("harness.binding.decode", decodes),
        ("harness.routing.Router.match", matches),
        ("botocore serialize_to_request", botocore_serializes),
    ]:
        print(f"  {label:32} {rate(work, seconds):>10,.0f} /s")


if __name__ == "__main__":
    main()
