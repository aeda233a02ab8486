"""Cases about the wire rather than the schema: malformed bodies, parsers' limits, media types,
signatures.

Each keeps a valid operation input for what its case is not about (the path, query and
headers of an operation that binds members there); the body cases are for operations whose
body is JSON.

Parsers have limits of their own that no documentation states: Python's ``json`` gives up near
1,000 levels of nesting (a ``RecursionError``, not a ``ValueError``), .NET's at 64, others
elsewhere or never; buffers, counters and hash tables are sized for what the author thought
large.  :func:`parser_limit_cases` sends bodies past them, each within
:data:`~harness.generation.far.BODY_BOUND`: 10,000 and 100,000 levels of arrays and of objects,
one very long string, a member given twice, and more members than 16 bits count.  SPEC 3 and
4.1: such a body is malformed or invalid, so 400, never 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from harness.case import Auth, Case, Intent
from harness.generation.far import BODY_BOUND

MALFORMED_BODIES: tuple[tuple[str, bytes], ...] = (
    ("an empty body", b""),
    ("an unterminated object", b'{"'),
    ("a truncated document", b'{"a": [1, 2'),
    ("trailing garbage after the object", b"{}}"),
    ("a JSON array instead of an object", b"[]"),
    ("a JSON string instead of an object", b'"text"'),
    ("a JSON number instead of an object", b"42"),
    ("JSON null instead of an object", b"null"),
    ("invalid UTF-8", b'{"\xff\xfe": 1}'),
    ("a NaN literal", b'{"a": NaN}'),
    ("single-quoted JSON", b"{'a': 1}"),
    ("an array nested 200 levels deep (a recursive parser's stack)", b"[" * 200 + b"]" * 200),
    ("an object nested 200 levels deep", b'{"a":' * 200 + b"1" + b"}" * 200),
)

NESTING_LEVELS = (10_000, 100_000)
LONG_STRING_CHARS = 2**18 + 1  # past 256 KiB: a common buffer and message size
MANY_MEMBERS = 2**16 + 1  # past what a 16-bit count holds


def nested_arrays(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def nested_objects(levels: int) -> bytes:
    return b'{"":' * levels + b"0" + b"}" * levels


def many_members(count: int) -> bytes:
    """An object of ``count`` members named ``"0"``, ``"1"``, ...: none an operation's."""
    return b"{" + b",".join(b'"%d":0' % index for index in range(count)) + b"}"


def parser_limit_bodies(valid_body: dict[str, Any], required: list[str]) -> Iterator[tuple[str, bytes]]:
    """(label, body) of each body past a parser's limits.  The objects among them lack the body's
    ``required`` members, so they are invalid whatever a parser makes of them: with none
    required, only the arrays and the string are sent."""
    for levels in NESTING_LEVELS:
        yield f"arrays nested {levels:,} levels deep", nested_arrays(levels)
    yield f"one JSON string of {LONG_STRING_CHARS:,} characters", b'"' + b"a" * LONG_STRING_CHARS + b'"'
    if not required:
        return
    for levels in NESTING_LEVELS:
        yield f"objects nested {levels:,} levels deep", nested_objects(levels)
    members = b",".join(
        json.dumps(name).encode() + b":" + json.dumps(value, ensure_ascii=False).encode()
        for name, value in valid_body.items()
        if name != required[0]
    )
    twice = json.dumps(required[0]).encode() + b":null"
    yield (
        f"the required member {required[0]!r} given twice, null both times (RFC 8259: names should be unique)",
        b"{" + twice + b"," + twice + (b"," + members if members else b"") + b"}",
    )
    yield f"an object of {MANY_MEMBERS:,} members, none of them the operation's", many_members(MANY_MEMBERS)


def parser_limit_cases(
    operation: str, valid_input: Any, valid_body: dict[str, Any], required: list[str], media_type: str
) -> Iterator[Case]:
    """:func:`parser_limit_bodies` as cases (``valid_input`` gives the path, query and headers),
    each declared as the protocol's JSON."""
    for label, body in parser_limit_bodies(valid_body, required):
        assert len(body) <= BODY_BOUND, label
        yield Case(
            operation=operation,
            intent=Intent.MALFORMED,
            origin="wire",
            description=f"{label} ({len(body):,} bytes), past a parser's limits: 400 "
            "(ValidationException or SerializationException), never 5xx",
            input=valid_input,
            body=body,
            content_type=media_type,
            expected_statuses=(400,),
        )


OTHER_MEDIA_TYPES: tuple[str | None, ...] = (None, "text/plain", "application/x-www-form-urlencoded")
# the protocol's JSON media type as HTTP clients also write it: a parameter is not another
# media type (RFC 9110 8.3.1)
JSON_PARAMETERS: tuple[str, ...] = ("; charset=utf-8",)

SIGNATURE_TRICKS: tuple[tuple[Auth, str], ...] = (
    (Auth.MISSING, "no Authorization header"),
    (Auth.WRONG_SIGNATURE, "a signature that does not match the request"),
    (Auth.UNKNOWN_KEY, "signed with an access key the target does not know"),
    (Auth.EXPIRED, "signed 16 minutes before now (more than 15 minutes of skew)"),
    (Auth.FUTURE, "signed 16 minutes after now (more than 15 minutes of skew)"),
    (Auth.WRONG_SERVICE, "signed correctly, but for another service (credential scope .../sts/aws4_request)"),
)


def malformed_cases(operation: str, valid_input: Any, media_type: str) -> Iterator[Case]:
    """Bodies that are not a JSON object, each declared as the protocol's JSON (``media_type``)."""
    for label, body in MALFORMED_BODIES:
        yield Case(
            operation=operation,
            intent=Intent.MALFORMED,
            origin="wire",
            description=f"{label}: 400 (ValidationException or SerializationException)",
            input=valid_input,
            body=body,
            content_type=media_type,
            expected_statuses=(400,),
        )


def media_type_cases(operation: str, valid_input: Any, media_type: str) -> Iterator[Case]:
    """``media_type``: the protocol's JSON media type (``application/json``, ``application/x-amz-json-1.1``)."""
    for parameter in JSON_PARAMETERS:
        spelling = media_type + parameter
        yield Case(
            operation=operation,
            intent=Intent.VALID,
            origin="wire",
            description=f"a valid body sent with Content-Type {spelling} ({media_type} with a parameter): accepted",
            input=valid_input,
            content_type=spelling,
        )
    for media in OTHER_MEDIA_TYPES:
        yield Case(
            operation=operation,
            intent=Intent.MEDIA_TYPE,
            origin="wire",
            description=f"a valid body sent with Content-Type {media or '(none)'}: anything but a 5xx",
            input=valid_input,
            content_type=media,
        )


def escaped(value: Any) -> bytes:
    """``value`` as JSON with every character of every string, keys included, written as a
    ``\\uXXXX`` escape (characters beyond the BMP as a UTF-16 surrogate pair): the same
    document as :meth:`Case.encode` gives, in other bytes."""
    if isinstance(value, str):
        units = value.encode("utf-16-be")
        return b'"' + b"".join(b"\\u%02x%02x" % (units[i], units[i + 1]) for i in range(0, len(units), 2)) + b'"'
    if isinstance(value, dict):
        return b"{" + b",".join(escaped(key) + b":" + escaped(item) for key, item in value.items()) + b"}"
    if isinstance(value, list):
        return b"[" + b",".join(escaped(item) for item in value) + b"]"
    return json.dumps(value).encode()


def escaped_cases(operation: str, valid: list[tuple[Any, Any]]) -> Iterator[Case]:
    """Valid inputs whose JSON body (given beside each input) has every string character
    escaped: a parser that reads escapes (surrogate pairs in particular) must take them as the
    characters they stand for."""
    for valid_input, json_body in valid:
        yield Case(
            operation=operation,
            intent=Intent.VALID,
            origin="wire",
            description="a valid body with every string character written as a \\u escape "
            "(astral characters as surrogate pairs): accepted as the same document",
            input=valid_input,
            body=escaped(json_body),
        )


def null_member_cases(operation: str, input_with_optionals: Any, optional_members: list[str]) -> Iterator[Case]:
    """A JSON null for each optional member of the body: absent (accepted) or refused with
    400, never 5xx (SPEC section 2)."""
    for name in optional_members:
        yield Case(
            operation=operation,
            intent=Intent.TOLERATED,
            origin="wire",
            description=f"a JSON null for the optional member {name!r}: taken as absent, or 400; never 5xx",
            input={**input_with_optionals, name: None},
        )


def signature_cases(operation: str, valid_input: Any, invalid_input: Any) -> Iterator[Case]:
    for auth, label in SIGNATURE_TRICKS:
        yield Case(
            operation=operation,
            intent=Intent.UNAUTHENTICATED,
            origin="auth",
            description=f"a valid body, {label}: 403",
            input=valid_input,
            auth=auth,
            expected_statuses=(403,),
        )
    yield Case(
        operation=operation,
        intent=Intent.UNAUTHENTICATED,
        origin="auth",
        description="an invalid body with no Authorization header: 403, whatever the body",
        input=invalid_input,
        auth=Auth.MISSING,
        expected_statuses=(403,),
    )
    yield Case(
        operation=operation,
        intent=Intent.VALID,
        origin="auth",
        description="a correct signature dated 14 minutes ago (within 15 minutes): accepted",
        input=valid_input,
        auth=Auth.WITHIN_SKEW,
    )
