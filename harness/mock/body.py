"""The request body: read within limits, checked for its media type, parsed, validated.

Limits, each answered with a JSON error rather than unbounded work:

- :data:`MAX_BODY_BYTES` (1 MiB): a larger ``Content-Length`` is refused before anything is
  read, and a body that grows past it while arriving is refused at that point (413
  ``RequestEntityTooLargeException``; the connection is then closed).  No valid request of
  either contract comes near it.
- A body that stops arriving for ``timeout`` seconds: 408 ``RequestTimeoutException``.
- JSON nested deeper than :data:`MAX_DEPTH`: 400 ``SerializationException`` (no member of
  either contract nests deeper than 5).
- Strings with a lone UTF-16 surrogate (``"\\ud800"``) are not Unicode text: 400
  ``SerializationException``.
- Validation names every violation for a body up to :data:`DETAILED_BODY_BYTES`; above it,
  the answer is still a 400 ``ValidationException`` but without the list (collecting each
  of hundreds of thousands of violations would take seconds).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from harness.contract import Contract
from harness.mock.errors import ErrorAnswer
from harness.mock.handler import Handler
from harness.validator import Violation, without_null_members

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

MAX_BODY_BYTES = 1024 * 1024
BODY_TIMEOUT_SECONDS = 30.0
MAX_DEPTH = 64
DETAILED_BODY_BYTES = 16 * 1024
MAX_LISTED_VIOLATIONS = 10
_MAX_VIOLATION_TEXT = 300


class Disconnected(Exception):
    """The client went away before its body was in; there is no one to answer."""


async def read_body(receive: Receive, *, content_length: str | None, limit: int, timeout: float) -> bytes:
    """The whole body, or an :class:`ErrorAnswer` as soon as it is known to be too large."""
    declared = content_length.strip() if content_length is not None else ""
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise _too_large(limit)
    message = await receive()
    chunks = [_chunk(message)]
    size = len(chunks[0])
    if size > limit:
        raise _too_large(limit)
    if message.get("more_body", False):
        try:
            async with asyncio.timeout(timeout):
                while message.get("more_body", False):
                    message = await receive()
                    chunks.append(_chunk(message))
                    size += len(chunks[-1])
                    if size > limit:
                        raise _too_large(limit)
        except TimeoutError:
            raise ErrorAnswer(
                "RequestTimeoutException",
                f"The request body did not arrive within {timeout:g} seconds.",
                close=True,
            ) from None
    return b"".join(chunks)


def _chunk(message: Message) -> bytes:
    if message["type"] == "http.disconnect":
        raise Disconnected
    return bytes(message.get("body", b""))


def _too_large(limit: int) -> ErrorAnswer:
    return ErrorAnswer(
        "RequestEntityTooLargeException",
        f"The request body is larger than the mock's limit of {limit} bytes.",
        close=True,
    )


def check_media_type(content_type: str | None, body: bytes) -> None:
    """``application/json`` (with any parameters), or no type at all for an empty body."""
    if content_type is None:
        if body:
            raise ErrorAnswer(
                "UnsupportedMediaTypeException",
                "A request with a body needs 'Content-Type: application/json'.",
            )
        return
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise ErrorAnswer(
            "UnsupportedMediaTypeException",
            f"Content-Type must be application/json, got {content_type[:100]!r}.",
        )


def parse_json(body: bytes) -> Any:
    """The body's JSON value; an empty body is the empty object, as in Smithy's restJson1."""
    if not body:
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _serialization(f"The body is not UTF-8: {exc.reason} at byte {exc.start}.") from None
    if text.startswith("\ufeff"):  # what json.loads refuses, and JSONDecoder.decode does not check
        raise _serialization("The body is not JSON: it starts with a byte order mark.")
    try:
        document = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise _serialization(f"The body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise _serialization(f"The body is not usable JSON: {exc}.") from None
    except RecursionError:
        raise _serialization("The body's JSON is nested too deeply.") from None
    if "\\u" in text or text.count("[") + text.count("{") > MAX_DEPTH:
        _check_structure(document)
    return document


def _reject_constant(name: str) -> Any:
    raise _serialization(f"The body is not JSON: {name} is not a JSON value.")


# One decoder for every body: json.loads with an option builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _serialization(message: str) -> ErrorAnswer:
    return ErrorAnswer("SerializationException", message)


def _check_structure(document: Any) -> None:
    """Depth at most :data:`MAX_DEPTH` and no lone surrogate, checked without recursion."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _has_lone_surrogate(node):
                raise _serialization(f"The body has a string with a lone UTF-16 surrogate: {node[:60]!r}.")
        elif isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise _serialization(f"The body's JSON is nested deeper than {MAX_DEPTH} levels.")
            items = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def validate(contract: Contract, handler: Handler, document: Any, *, raw: bytes) -> Any:
    """``document`` without its null members when valid; else a 400 ``ValidationException``."""
    validator = contract.request_validator
    # Only a body with a null in it can have a null member to leave out.
    present = without_null_members(document) if b"null" in raw else document
    if validator.is_valid(present, nulls_removed=True):
        return present
    violations: list[Violation] = []
    if len(raw) <= DETAILED_BODY_BYTES:
        violations = validator.violations(document)
        listed = "; ".join(_clip(v.describe()) for v in violations[:MAX_LISTED_VIOLATIONS])
        more = len(violations) - MAX_LISTED_VIOLATIONS
        noun = "error" if len(violations) == 1 else "errors"
        message = f"{len(violations)} validation {noun} detected: {listed}"
        if more > 0:
            message += f"; and {more} more"
    else:
        message = (
            f"The request body breaks the contract of {contract.id}; violations are listed "
            f"only for bodies up to {DETAILED_BODY_BYTES} bytes (run 'harness validate "
            f"{contract.id} FILE' to see them all)."
        )
    raise ErrorAnswer("ValidationException", message, members=handler.invalid_members(violations))


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_VIOLATION_TEXT else text[: _MAX_VIOLATION_TEXT - 3] + "..."
