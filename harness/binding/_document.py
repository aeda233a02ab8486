"""Reading an :class:`OperationBinding` from a contract document (docs/imported-contracts.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.binding._model import Kind, Location, MemberBinding, OperationBinding, Protocol
from harness.errors import ContractError
from harness.uri import PathTemplate, SegmentKind, TemplateError

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
BINDING_FIELDS = frozenset({"in", "name", "greedy", "jsonvalue"})
#: RFC 9110 token: what a header name may hold.
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: The HTTP header names a member may not take: the protocol and signing set them.
RESERVED_HEADERS = frozenset({"host", "content-length", "authorization", "x-amz-date", "x-amz-target"})


class _Reader:
    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self.document = document
        self.source = source

    def fail(self, pointer: str, message: str) -> ContractError:
        return ContractError(file=self.source, pointer=pointer, message=message)

    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """``node`` with its local ``$ref`` chain followed, and the pointer it ends at."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#") or ref in seen:
                raise self.fail(pointer + "/$ref", f"{ref!r} is not a local reference this binding can follow")
            seen.add(ref)
            node, pointer = self.at(ref[1:], pointer + "/$ref"), ref[1:]
        return node, pointer

    def at(self, pointer: str, where: str) -> Any:
        node: Any = self.document
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise self.fail(where, f"the reference #{pointer} points at nothing")
        return node

    def kind(self, schema: Any, pointer: str, depth: int = 0) -> Kind:
        schema, pointer = self.resolve(schema, pointer)
        if not isinstance(schema, Mapping) or depth > 3:
            return ()
        declared = schema.get("type")
        if isinstance(declared, list):
            declared = next((t for t in declared if t != "null"), None)
        if declared is None and "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
            declared = "string"
        if not isinstance(declared, str):
            return ()
        if declared == "array":
            return ("array", *self.kind(schema.get("items"), pointer + "/items", depth + 1))
        if declared == "object" and isinstance(schema.get("additionalProperties"), Mapping):
            return ("object", *self.kind(schema["additionalProperties"], pointer + "/additionalProperties", depth + 1))
        return (declared,)


def read_binding(document: Mapping[str, Any], *, source: str) -> OperationBinding:
    reader = _Reader(document, source)
    if not isinstance(document, Mapping):
        raise reader.fail("", "a contract document is a JSON object")
    path, method, operation_pointer = _operation(reader)
    ext = document.get("x-harness")
    if not isinstance(ext, Mapping):
        raise reader.fail("/x-harness", "missing: the x-harness object names the operation and its protocol")
    operation = ext.get("operation")
    if not isinstance(operation, str) or operation.count(":") != 1 or not all(operation.split(":")):
        raise reader.fail(
            "/x-harness/operation", f"{operation!r} is not an operation id such as 'scheduler:CreateSchedule'"
        )
    protocol = _protocol(reader, ext)
    static_query = _static_query(reader, ext)
    properties, input_pointer = _input_properties(reader, ext, operation_pointer)
    raw_bindings = ext.get("bindings", {})
    if not isinstance(raw_bindings, Mapping):
        raise reader.fail("/x-harness/bindings", "bindings is an object: input member -> binding")
    members = [_member(reader, name, raw, properties, input_pointer) for name, raw in raw_bindings.items()]
    bound = {m.member for m in members}
    members += [
        MemberBinding(name, Location.BODY, name, kind=reader.kind(schema, f"{input_pointer}/{name}"))
        for name, schema in properties.items()
        if name not in bound
    ]
    greedy = frozenset(m.name for m in members if m.location is Location.PATH and m.greedy)
    try:
        template = PathTemplate.parse(path, greedy=greedy)
    except TemplateError as exc:
        raise reader.fail(_paths_pointer(path), str(exc)) from None
    members = [_with_template_greedy(m, template) for m in members]
    target = _check_protocol(reader, protocol, ext, operation, method, template, members)
    _check_locations(reader, template, static_query, members)
    return OperationBinding(
        operation=operation,
        protocol=protocol,
        method=method.upper(),
        template=template,
        static_query=static_query,
        target=target,
        members=tuple(members),
        has_body_members=any(m.location is Location.BODY for m in members),
        source=source,
    )


def _paths_pointer(path: str) -> str:
    return "/paths/" + path.replace("~", "~0").replace("/", "~1")


def _operation(reader: _Reader) -> tuple[str, str, str]:
    paths = reader.document.get("paths")
    if not isinstance(paths, Mapping) or len(paths) != 1:
        raise reader.fail("/paths", "a contract holds exactly one path")
    ((path, item),) = paths.items()
    methods = [key for key in item if key in HTTP_METHODS] if isinstance(item, Mapping) else []
    if len(methods) != 1 or not isinstance(path, str):
        raise reader.fail(_paths_pointer(str(path)), f"the path has {len(methods)} operations; a contract holds one")
    return path, methods[0], f"{_paths_pointer(path)}/{methods[0]}"


def _protocol(reader: _Reader, ext: Mapping[str, Any]) -> Protocol:
    raw = ext.get("protocol", Protocol.REST_JSON_1.value)
    try:
        return Protocol(raw)
    except ValueError:
        known = ", ".join(p.value for p in Protocol)
        raise reader.fail("/x-harness/protocol", f"{raw!r} is not a JSON protocol; expected one of {known}") from None


def _static_query(reader: _Reader, ext: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = ext.get("staticQuery", [])
    if not isinstance(raw, list):
        raise reader.fail("/x-harness/staticQuery", "staticQuery is a list of [name, value] pairs")
    for index, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair) and pair[0]):
            raise reader.fail(f"/x-harness/staticQuery/{index}", f"{pair!r} is not a [name, value] pair of strings")
    return tuple((name, value) for name, value in raw)


def _input_properties(reader: _Reader, ext: Mapping[str, Any], operation_pointer: str) -> tuple[Mapping[str, Any], str]:
    """The properties of the input schema and their pointer (``{}`` when there is none)."""
    if "input" in ext:
        ref = ext["input"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise reader.fail("/x-harness/input", f"{ref!r} is not a local $ref such as '#/components/schemas/X'")
        schema, pointer = reader.resolve(reader.at(ref[1:], "/x-harness/input"), ref[1:])
    else:
        operation = reader.resolve(reader.at(operation_pointer, "/paths"), operation_pointer)[0]
        content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, Mapping) else {}
        media = next(iter(content.values()), None) if isinstance(content, Mapping) else None
        if not isinstance(media, Mapping) or "schema" not in media:
            return {}, ""
        schema, pointer = reader.resolve(media["schema"], f"{operation_pointer}/requestBody")
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    if not isinstance(properties, Mapping):
        raise reader.fail(pointer + "/properties", "the input schema's properties is not an object")
    return properties, pointer + "/properties"


def _member(reader: _Reader, member: str, raw: Any, properties: Mapping[str, Any], input_pointer: str) -> MemberBinding:
    pointer = "/x-harness/bindings/" + member.replace("~", "~0").replace("/", "~1")
    if not isinstance(raw, Mapping):
        raise reader.fail(pointer, 'a binding is an object such as {"in": "query", "name": "maxResults"}')
    unknown = sorted(set(raw) - BINDING_FIELDS)
    if unknown:
        known = ", ".join(sorted(BINDING_FIELDS))
        raise reader.fail(f"{pointer}/{unknown[0]}", f"unknown field; a binding has {known}")
    try:
        location = Location(str(raw.get("in")))
    except ValueError:
        known = ", ".join(loc.value for loc in Location)
        raise reader.fail(f"{pointer}/in", f"{raw.get('in')!r} is not a location; expected one of {known}") from None
    needs_name = location not in (Location.QUERY_MAP, Location.PAYLOAD, Location.BODY)
    name = raw.get("name", member if location is Location.BODY else "")
    if not isinstance(name, str) or (needs_name and not name and location is not Location.HEADER_MAP):
        raise reader.fail(f"{pointer}/name", f"a {location.value} binding needs the name it goes under, a string")
    if location in (Location.HEADER, Location.HEADER_MAP) and name and not HEADER_NAME.fullmatch(name):
        raise reader.fail(f"{pointer}/name", f"{name!r} is not an HTTP header name (RFC 9110 token)")
    if location is Location.HEADER and name.lower() in RESERVED_HEADERS:
        raise reader.fail(f"{pointer}/name", f"{name} is set by the protocol or the signature, not by a member")
    for flag in ("greedy", "jsonvalue"):
        if not isinstance(raw.get(flag, False), bool):
            raise reader.fail(f"{pointer}/{flag}", f"{flag} is true or false")
    if raw.get("greedy", False) and location is not Location.PATH:
        raise reader.fail(f"{pointer}/greedy", "only a path label is greedy")
    if raw.get("jsonvalue", False) and location is not Location.HEADER:
        raise reader.fail(f"{pointer}/jsonvalue", "only a header member is a jsonvalue")
    return MemberBinding(
        member=member,
        location=location,
        name=name,
        greedy=raw.get("greedy", False),
        jsonvalue=raw.get("jsonvalue", False),
        kind=reader.kind(properties.get(member), f"{input_pointer}/{member}") if member in properties else (),
    )


def _with_template_greedy(member: MemberBinding, template: PathTemplate) -> MemberBinding:
    if member.location is Location.PATH and not member.greedy and member.name == template.greedy:
        return MemberBinding(member.member, member.location, member.name, True, member.jsonvalue, member.kind)
    return member


def _check_protocol(
    reader: _Reader,
    protocol: Protocol,
    ext: Mapping[str, Any],
    operation: str,
    method: str,
    template: PathTemplate,
    members: list[MemberBinding],
) -> str | None:
    """The X-Amz-Target of an awsJson operation (``None`` for restJson1), once its shape is checked."""
    if not protocol.is_aws_json:
        if "targetPrefix" in ext:
            raise reader.fail("/x-harness/targetPrefix", "only an awsJson operation has a target prefix")
        return None
    prefix = ext.get("targetPrefix")
    if not isinstance(prefix, str) or not prefix:
        raise reader.fail("/x-harness/targetPrefix", "an awsJson operation needs the model's targetPrefix, a string")
    if method != "post" or template.text != "/":
        raise reader.fail(_paths_pointer(template.text), f"an awsJson operation is POST /, not {method.upper()}")
    if ext.get("staticQuery"):
        raise reader.fail("/x-harness/staticQuery", "an awsJson operation has no query")
    for member in members:
        if member.location is not Location.BODY:
            raise reader.fail(
                f"/x-harness/bindings/{member.member}/in", "an awsJson operation sends every member in the body"
            )
    return f"{prefix}.{operation.split(':', 1)[1]}"


def _check_locations(
    reader: _Reader, template: PathTemplate, static_query: tuple[tuple[str, str], ...], members: list[MemberBinding]
) -> None:
    def pointer(member: MemberBinding) -> str:
        return "/x-harness/bindings/" + member.member.replace("~", "~0").replace("/", "~1")

    labels = {s.text for s in template.segments if s.kind is not SegmentKind.LITERAL}
    claimed: dict[tuple[Location, str], str] = {}
    for key, _ in static_query:
        claimed[(Location.QUERY, key)] = "the static query"
    for member in members:
        place = member.location
        name = member.name.lower() if place in (Location.HEADER, Location.HEADER_MAP) else member.name
        if place is Location.PATH and member.name not in labels:
            raise reader.fail(pointer(member) + "/name", f"the path {template.text} has no label {{{member.name}}}")
        if place in (Location.QUERY_MAP, Location.PAYLOAD, Location.BODY):
            name = member.name if place is Location.BODY else ""
        if place is not Location.HEADER_MAP and (place, name) in claimed:
            raise reader.fail(pointer(member), f"{place.value} {name!r} is already taken by {claimed[(place, name)]}")
        claimed[(place, name)] = f"member {member.member}"
    for label in labels:
        if (Location.PATH, label) not in claimed:
            raise reader.fail(_paths_pointer(template.text), f"the label {{{label}}} has no member bound to it")
    payload = next((m for m in members if m.location is Location.PAYLOAD), None)
    if payload is not None and payload.kind[:1] not in (("string",), ("object",)):
        raise reader.fail(
            pointer(payload),
            f"the input schema must say whether {payload.member} is a string (a blob or string payload, "
            "sent as its bytes) or an object (a structure payload, sent as JSON)",
        )
    body = next((m for m in members if m.location is Location.BODY), None)
    if payload is not None and body is not None:
        raise reader.fail(
            pointer(payload),
            f"the body is the payload member's, so member {body.member} cannot go in the body; bind it elsewhere",
        )
