"""An operation input on the wire: :func:`bind`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from harness.binding._model import BoundRequest, Location, MemberBinding, OperationBinding, Unsendable
from harness.binding._text import header_list, header_value, jsonvalue_header, scalar_text
from harness.uri import encode_component, encode_label


class _ProtocolDefault:
    def __repr__(self) -> str:
        return "PROTOCOL_DEFAULT"


#: ``content_type=`` default: the protocol's media type when a JSON body is sent.
PROTOCOL_DEFAULT: Final = _ProtocolDefault()
#: A request's Content-Type: a media type, :data:`PROTOCOL_DEFAULT` (the protocol's), or ``None`` (none).
ContentType = str | _ProtocolDefault | None

_HEADER_NAME_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def encode_json(value: Any) -> bytes:
    """The JSON body: compact, UTF-8, non-ASCII kept (``harness.case.Case.encode``'s form).

    A string holding a lone surrogate has no UTF-8 form; such a body is written with ``\\u``
    escapes instead, which is the same JSON.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def bind(
    binding: OperationBinding,
    operation_input: Mapping[str, Any],
    *,
    body: bytes | None = None,
    content_type: str | _ProtocolDefault | None = PROTOCOL_DEFAULT,
) -> BoundRequest:
    """The request that carries ``operation_input`` (member -> value in JSON wire form).

    ``body`` replaces the body with raw bytes (malformed JSON and other wire cases);
    ``content_type`` replaces the Content-Type (``None``: no Content-Type header).  An input
    HTTP cannot carry raises :class:`Unsendable`.
    """
    plan = binding.plan
    if plan.simple:
        headers = dict(plan.base_headers)
        payload = encode_json(operation_input) if body is None else body
        path = binding.template.text
        if plan.static_query:
            path += "?" + plan.static_query
        _content_type(binding, headers, payload, content_type)
        return BoundRequest(binding.method, path, headers, payload)
    return _bind_members(binding, operation_input, body, content_type)


def _bind_members(
    binding: OperationBinding,
    operation_input: Mapping[str, Any],
    raw_body: bytes | None,
    content_type: str | _ProtocolDefault | None,
) -> BoundRequest:
    plan = binding.plan
    by_member = plan.by_member
    labels: dict[str, str] = {}
    query: list[str] = [plan.static_query] if plan.static_query else []
    headers = dict(plan.base_headers)
    body: dict[str, Any] = {}
    payload: Any = _MISSING
    for member, value in operation_input.items():
        where = by_member.get(member)
        if where is None:
            body[member] = value
            continue
        location = where.location
        if location is Location.BODY:
            body[where.name] = value
        elif value is None:
            continue  # null is an absent member (SPEC section 2, as in Smithy and botocore)
        elif location is Location.PATH:
            labels[where.name] = _label(where, value)
        elif location is Location.QUERY:
            _query(query, member, plan.query_keys[member], value)
        elif location is Location.HEADER:
            _header(headers, where, value)
        elif location is Location.QUERY_MAP:
            _query_map(query, where, value, plan.query_names)
        elif location is Location.HEADER_MAP:
            _header_map(headers, where, value, plan.header_names)
        else:
            payload = value
    try:
        path = binding.template.render(labels)
    except KeyError as missing:
        label = missing.args[0]
        owner = next((m.member for m in binding.members if m.location is Location.PATH and m.name == label), label)
        raise Unsendable(f"{owner}: the path label {{{label}}} needs a value") from None
    if query:
        path += "?" + "&".join(query)
    if raw_body is not None:
        wire = raw_body
    elif plan.payload is not None:
        wire = _payload(plan.payload.member, plan.streaming, payload)
    elif body or plan.json_body:
        wire = encode_json(body)
    else:
        wire = b""
    _content_type(binding, headers, wire, content_type)
    return BoundRequest(binding.method, path, headers, wire)


class _Missing:
    pass


_MISSING = _Missing()


def _label(where: MemberBinding, value: Any) -> str:
    text = scalar_text(value)
    if not text:
        raise Unsendable(f"{where.member}: the path label {{{where.name}}} cannot be empty")
    try:
        return encode_label(text, greedy=where.greedy)
    except UnicodeEncodeError:
        raise Unsendable(f"{where.member}: a lone surrogate has no UTF-8 form to put in a path") from None


def _component(member: str, text: str) -> str:
    try:
        return encode_component(text)
    except UnicodeEncodeError:
        raise Unsendable(f"{member}: a lone surrogate has no UTF-8 form to put in a query string") from None


def _query(query: list[str], member: str, key: str, value: Any) -> None:
    if isinstance(value, list):
        query.extend(f"{key}={_component(member, scalar_text(item))}" for item in value)
    else:
        query.append(f"{key}={_component(member, scalar_text(value))}")


def _query_map(query: list[str], where: MemberBinding, value: Any, taken: frozenset[str]) -> None:
    if not isinstance(value, Mapping):
        raise Unsendable(f"{where.member}: a query map is an object; a {type(value).__name__} has no query keys")
    for key, entry in value.items():
        if key in taken:
            raise Unsendable(f"{where.member}: the query key {key!r} belongs to another member or the static query")
        _query(query, where.member, _component(where.member, key), entry)


def _header(headers: dict[str, str], where: MemberBinding, value: Any) -> None:
    if where.jsonvalue:
        headers[where.name] = jsonvalue_header(value)
    elif isinstance(value, list):
        if value:  # an empty list is no header, as botocore sends it
            headers[where.name] = header_value(where.member, header_list(value))
    else:
        headers[where.name] = header_value(where.member, scalar_text(value))


def _header_map(headers: dict[str, str], where: MemberBinding, value: Any, reserved: frozenset[str]) -> None:
    if not isinstance(value, Mapping):
        raise Unsendable(f"{where.member}: a header map is an object; a {type(value).__name__} has no header names")
    taken: set[str] = set()
    for key, entry in value.items():
        name = where.name + key
        if not name or not _HEADER_NAME_CHARS.issuperset(name):
            raise Unsendable(f"{where.member}: {name!r} is not an HTTP header name")
        lowered = name.lower()
        if lowered in taken or lowered in reserved:
            raise Unsendable(f"{where.member}: the header {name} is sent already (header names ignore case)")
        taken.add(lowered)
        text = header_list(entry) if isinstance(entry, list) else scalar_text(entry)
        headers[name] = header_value(where.member, text)


def _payload(member: str, streaming: bool, value: Any) -> bytes:
    if value is _MISSING:
        return b"" if streaming else b"{}"  # as botocore sends an absent payload
    if streaming and isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise Unsendable(f"{member}: a lone surrogate has no UTF-8 form to send as the body") from None
    return encode_json(value)


def _content_type(
    binding: OperationBinding, headers: dict[str, str], body: bytes, content_type: str | _ProtocolDefault | None
) -> None:
    if isinstance(content_type, _ProtocolDefault):
        if binding.protocol.is_aws_json:
            return  # set with X-Amz-Target
        if body and not binding.plan.streaming and not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        return
    for name in [n for n in headers if n.lower() == "content-type"]:
        del headers[name]
    if content_type is not None:
        headers["Content-Type"] = content_type
