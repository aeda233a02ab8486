"""The nouns of the request model: protocols, member locations, bindings, bound requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.uri import PathTemplate, encode_component, format_static_query


class Protocol(StrEnum):
    REST_JSON_1 = "restJson1"
    AWS_JSON_1_0 = "awsJson1_0"
    AWS_JSON_1_1 = "awsJson1_1"

    @property
    def is_aws_json(self) -> bool:
        return self is not Protocol.REST_JSON_1

    @property
    def media_type(self) -> str:
        """The Content-Type of a JSON body in this protocol."""
        if self is Protocol.AWS_JSON_1_0:
            return "application/x-amz-json-1.0"
        if self is Protocol.AWS_JSON_1_1:
            return "application/x-amz-json-1.1"
        return "application/json"


class Location(StrEnum):
    """Where a top-level input member goes (``in`` of a binding, docs/imported-contracts.md)."""

    PATH = "path"
    QUERY = "query"
    QUERY_MAP = "queryMap"
    HEADER = "header"
    HEADER_MAP = "headerMap"
    BODY = "body"
    PAYLOAD = "payload"


#: The JSON type of a member, then of its items (lists) or values (maps), from the input
#: schema: ``("integer",)``, ``("array", "string")``, ``("object", "array", "string")``;
#: ``()`` where the schema does not say.  Only :func:`decode` needs it: a server reads text.
Kind = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberBinding:
    """Where one top-level member of the operation input goes on the wire."""

    member: str
    location: Location
    name: str = ""  # the label, query key, header name, header prefix or body key
    greedy: bool = False  # a path label written {Name+}
    jsonvalue: bool = False  # a header holding any JSON, sent as base64 of its JSON text
    kind: Kind = ()


class Unsendable(ValueError):
    """An operation input that HTTP cannot carry (an empty path label, CR/LF in a header).

    Not a case: the caller drops it.  ``reason`` says why, naming the member.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class MalformedRequest(ValueError):
    """A request that has no operation input: a body that is not JSON, a path off the template."""


@dataclass(frozen=True, slots=True)
class BoundRequest:
    """An operation input on the wire.

    ``path`` holds the percent-encoded query string after ``?`` when there is one.  Header
    values are *wire strings*: one character per byte on the wire (a non-ASCII value is its
    UTF-8 bytes read as Latin-1), which is how http.client, urllib3 and ASGI servers carry
    ``str`` headers.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    def url(self, base: str) -> str:
        return base.rstrip("/") + self.path


@dataclass(frozen=True, slots=True)
class _Plan:
    """What :func:`bind` and :func:`decode` look up per request, computed once per binding."""

    by_member: Mapping[str, MemberBinding]  # every member not in the body under its own name
    by_body_name: Mapping[str, str]  # a renamed body member's wire name -> member
    query_keys: Mapping[str, str]  # a query member -> its key, percent-encoded
    query_names: frozenset[str]  # the keys query members and the static query take (a query map may not)
    header_names: frozenset[str]  # lower-cased: the headers members and the protocol set (a header map may not)
    base_headers: Mapping[str, str]
    static_query: str
    payload: MemberBinding | None
    streaming: bool  # the payload is a string or blob: the body is its bytes, not JSON
    json_body: bool  # the operation sends a JSON body (members, or a structure payload)
    simple: bool  # every member is a body member under its own name: the body is the input


@dataclass(frozen=True)
class OperationBinding:
    """The protocol binding of one operation: how an operation input becomes a request.

    Built from a contract document by :meth:`from_document`; :func:`harness.binding.bind`
    and :func:`harness.binding.decode` apply it.
    """

    operation: str  # service:Operation
    protocol: Protocol
    method: str
    template: PathTemplate
    static_query: tuple[tuple[str, str], ...] = ()
    target: str | None = None  # awsJson: the X-Amz-Target value
    members: tuple[MemberBinding, ...] = ()  # every member the contract names
    has_body_members: bool = True  # restJson1: a JSON body is sent even for an input without them
    source: str = "<contract>"  # the file it was read from, for error messages
    plan: _Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", _plan(self))

    @classmethod
    def from_document(cls, document: Mapping[str, Any], *, source: str = "<contract>") -> OperationBinding:
        """The binding a contract document describes (docs/imported-contracts.md).

        A curated contract (no ``bindings``) is restJson1 with every member in the body. A
        field that cannot be used raises :class:`harness.errors.ContractError` naming its
        JSON pointer.
        """
        # Imported here: the reader builds this module's classes, so it imports this module.
        from harness.binding._document import read_binding

        return read_binding(document, source=source)

    @property
    def path(self) -> str:
        return self.template.text

    @property
    def sends_json(self) -> bool:
        """The operation's body is JSON (its members, or a structure payload): the wire cases
        about JSON bodies apply to it."""
        return self.plan.json_body

    @property
    def body_only(self) -> bool:
        """Every member goes in the JSON body under its own name: the body is the input."""
        return self.plan.simple

    def in_body(self, member: str) -> bool:
        """Member ``member`` of the input goes in the JSON body."""
        return self.member(member).location is Location.BODY

    def member(self, name: str) -> MemberBinding:
        """The binding of input member ``name`` (a member the contract does not name goes in the body)."""
        return self.plan.by_member.get(name) or MemberBinding(member=name, location=Location.BODY, name=name)


def _plan(binding: OperationBinding) -> _Plan:
    by_member: dict[str, MemberBinding] = {}
    by_body_name: dict[str, str] = {}
    payload = None
    for member in binding.members:
        if member.location is Location.BODY and member.name == member.member:
            continue
        by_member[member.member] = member
        if member.location is Location.BODY:
            by_body_name[member.name] = member.member
        elif member.location is Location.PAYLOAD:
            payload = member
    streaming = payload is not None and payload.kind[:1] == ("string",)
    base: dict[str, str] = {}
    if binding.protocol.is_aws_json:
        base["X-Amz-Target"] = binding.target or ""
        base["Content-Type"] = binding.protocol.media_type
    json_body = binding.protocol.is_aws_json or (payload is not None and not streaming) or binding.has_body_members
    return _Plan(
        by_member=by_member,
        by_body_name=by_body_name,
        query_keys={m.member: encode_component(m.name) for m in by_member.values() if m.location is Location.QUERY},
        query_names=frozenset(
            [m.name for m in by_member.values() if m.location is Location.QUERY] + [k for k, _ in binding.static_query]
        ),
        header_names=frozenset(
            [m.name.lower() for m in by_member.values() if m.location is Location.HEADER]
            + [name.lower() for name in base]
            + ["content-type"]
        ),
        base_headers=base,
        static_query=format_static_query(binding.static_query),
        payload=payload,
        streaming=streaming,
        json_body=json_body,
        simple=not by_member and not binding.template.labels and json_body,
    )
