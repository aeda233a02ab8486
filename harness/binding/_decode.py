"""A request read back as its operation input, the server's side: :func:`decode`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from harness.binding._model import Kind, Location, MalformedRequest, MemberBinding, OperationBinding
from harness.binding._text import (
    from_jsonvalue_header,
    from_text,
    header_text,
    split_header_list,
)
from harness.uri import decode_component, query_pairs

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def decode(
    binding: OperationBinding,
    method: str,
    path_and_query: str,
    headers: Headers,
    body: bytes,
) -> dict[str, Any]:
    """The operation input a request carries: for a valid ``x`` and ``r = bind(b, x)``,
    ``decode(b, r.method, r.path, r.headers, r.body) == x``.

    ``path_and_query`` is the raw (percent-encoded) path and query; header values are wire
    strings (bytes read as Latin-1, as ASGI and http.client give them).  A request of another
    method or path, or a JSON body that is not JSON, raises :class:`MalformedRequest`.
    """
    if method.upper() != binding.method:
        raise MalformedRequest(f"{binding.operation} is {binding.method}, not {method.upper()}")
    path, _, query = path_and_query.partition("?")
    labels = binding.template.match(path)
    if labels is None:
        raise MalformedRequest(f"the path {path} is not one of {binding.operation} ({binding.template.text})")
    plan = binding.plan
    found = _body(binding, body)
    if plan.simple:
        return found
    decoded: dict[str, Any] = {}
    lowered = _lowered(headers) if any(_reads_headers(m) for m in plan.by_member.values()) else {}
    values = _query_values(binding, query) if query else {}
    claimed: set[str] = set()  # query keys of query members
    named: set[str] = set()  # header names of header members, lower-cased
    header_maps: list[MemberBinding] = []
    query_map: MemberBinding | None = None
    for where in plan.by_member.values():
        location = where.location
        if location is Location.PATH:
            decoded[where.member] = from_text(where.kind, decode_component(labels[where.name]))
        elif location is Location.QUERY:
            claimed.add(where.name)
            if where.name in values:
                decoded[where.member] = _from_values(where.kind, values[where.name])
        elif location is Location.HEADER:
            named.add(where.name.lower())
            if where.name.lower() in lowered:
                decoded[where.member] = _header(where, lowered[where.name.lower()])
        elif location is Location.QUERY_MAP:
            query_map = where
        elif location is Location.HEADER_MAP:
            header_maps.append(where)
    if query_map is not None:
        entries = {key: _from_values(query_map.kind[1:], texts) for key, texts in values.items() if key not in claimed}
        if entries:
            decoded[query_map.member] = entries
    if header_maps:
        _header_maps(decoded, header_maps, lowered, named)
    for name, value in found.items():
        decoded.setdefault(plan.by_body_name.get(name, name), value)
    return decoded


def _reads_headers(member: MemberBinding) -> bool:
    return member.location in (Location.HEADER, Location.HEADER_MAP)


def _lowered(headers: Headers) -> dict[str, str]:
    """Header names lower-cased, values as text; a repeated header's values joined with ``,``."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    lowered: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        text = header_text(value)
        lowered[key] = f"{lowered[key]},{text}" if key in lowered else text
    return lowered


def _query_values(binding: OperationBinding, query: str) -> dict[str, list[str]]:
    """Each query key's values in order, the static query's pairs taken out."""
    static = list(binding.static_query)
    values: dict[str, list[str]] = {}
    for pair in query_pairs(query):
        if pair in static:
            static.remove(pair)
            continue
        values.setdefault(pair[0], []).append(pair[1])
    return values


def _from_values(kind: Kind, texts: list[str]) -> Any:
    if kind[:1] == ("array",):
        return [from_text(kind[1:], text) for text in texts]
    if len(texts) == 1:
        return from_text(kind, texts[0])
    return [from_text(kind, text) for text in texts]  # a repeated key where one value belongs


def _header(where: MemberBinding, text: str) -> Any:
    if where.jsonvalue:
        return from_jsonvalue_header(text)
    if where.kind[:1] == ("array",):
        return [from_text(where.kind[1:], item) for item in split_header_list(text)]
    return from_text(where.kind, text)


def _header_maps(
    decoded: dict[str, Any], maps: list[MemberBinding], lowered: Mapping[str, str], named: set[str]
) -> None:
    """Each header under a map's prefix (the longest that fits) as an entry, keyed lower-case."""
    prefixes = sorted(maps, key=lambda m: len(m.name), reverse=True)
    for name, text in lowered.items():
        if name in named:
            continue
        where = next((m for m in prefixes if name.startswith(m.name.lower())), None)
        if where is not None:
            if where.kind[1:2] == ("array",):
                entry: Any = [from_text(where.kind[2:], item) for item in split_header_list(text)]
            else:
                entry = from_text(where.kind[1:], text)
            decoded.setdefault(where.member, {})[name[len(where.name) :]] = entry


def _body(binding: OperationBinding, body: bytes) -> dict[str, Any]:
    """The members the body holds: the payload member, or the JSON object's members."""
    plan = binding.plan
    payload = plan.payload
    if payload is not None:
        if not body:
            return {}
        if plan.streaming:
            return {payload.member: body.decode("utf-8", errors="replace")}
        return {payload.member: _json(body)}
    if not body:
        return {}
    document = _json(body)
    if not isinstance(document, dict):
        raise MalformedRequest(f"the body is JSON but not an object: {body[:40]!r}")
    return document


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not UTF-8") from None
    except ValueError as exc:
        raise MalformedRequest(f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise MalformedRequest("the body nests deeper than a JSON parser of this process reads") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")
