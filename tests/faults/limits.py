"""Limits the documentation does not state, as a server's code would have them (issue 14).

Each is a ``before`` hook of :class:`faults.middleware.Faulty`: the limit is found on the raw
request, and answered with the 500 an unhandled exception gives.

- far past a documented limit: right at the boundary (200 tags fine, 201 refused), but a
  collection or a string far beyond it crashes (:func:`crashing_on_tags_past`,
  :func:`crashing_on_strings_longer_than`);
- a parser's own limits: nesting (:func:`crashing_on_nesting_deeper_than`), numbers past a
  machine width (:func:`crashing_on_integers_past_int64`, :func:`crashing_on_infinite_numbers`,
  :func:`crashing_on_numbers_python_cannot_convert`), a member given twice
  (:func:`crashing_on_duplicate_members`), too many members (:func:`crashing_on_members_past`);
- a size quota of the service, answered with a 500 instead of a refusal (:func:`crashing_on_bodies_past`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from faults.building import CREATE_SCOPE, is_operation
from faults.middleware import Before, Outcome, Request, json_answer


def _crash(what: str) -> Outcome:
    return json_answer(500, {"message": f"Internal error: {what}", "Message": f"Internal error: {what}"},
                       error="InternalServerException")  # fmt: skip


def depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body`` (strings skipped), without parsing it."""
    deepest = level = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            level += 1
            deepest = max(deepest, level)
        elif byte in (0x5D, 0x7D):  # ] }
            level -= 1
    return deepest


def crashing_on_nesting_deeper_than(levels: int) -> Before:
    """A recursive parser with a stack of ``levels`` (Python's ``json`` gives up near 1,000, with
    a ``RecursionError`` that a handler of ``ValueError`` does not catch)."""

    def before(request: Request) -> Outcome:
        if is_operation(request) and depth(request.body) > levels:
            return _crash("maximum recursion depth exceeded while decoding a JSON document")
        return request

    return before


def _parsed(request: Request, **hooks: Any) -> Outcome | None:
    """A crash when parsing the body with ``hooks`` raises what ``json.JSONDecodeError`` is not."""
    if not is_operation(request):
        return None
    try:
        json.loads(request.body, **hooks)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return None  # the mock's own answer: 400
    except Exception as exc:  # what escapes a handler that catches only JSONDecodeError
        return _crash(f"{type(exc).__name__}: {str(exc)[:80]}")
    return None


def _parse_hook(check: Callable[[Any], None]) -> Before:
    def before(request: Request) -> Outcome:
        return _parsed(request, object_pairs_hook=check) or request

    return before


def crashing_on_numbers_python_cannot_convert(request: Request) -> Outcome:
    """``json.loads`` of a number of more than 4,300 digits raises ``ValueError``, which is not a
    ``JSONDecodeError``: a handler catching only the latter lets it escape."""
    return _parsed(request) or request


def _int64(text: str) -> int:
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise OverflowError(f"{text[:20]} does not fit a 64-bit integer")
    return value


def crashing_on_integers_past_int64(request: Request) -> Outcome:
    """Every JSON integer read into a 64-bit word, before the schema is looked at."""
    return _parsed(request, parse_int=_int64) or request


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"Out of range float values are not JSON compliant: {text[:20]}")
    return value


def crashing_on_infinite_numbers(request: Request) -> Outcome:
    """1e309 read as infinity, which the error's own serializer (``allow_nan=False``) refuses."""
    return _parsed(request, parse_float=_finite) or request


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise KeyError(f"duplicate member {next(n for n in names if names.count(n) > 1)!r}")
    return dict(pairs)


crashing_on_duplicate_members = _parse_hook(_unique)
crashing_on_duplicate_members.__doc__ = "A strict parser's exception for a member given twice, not caught."


def crashing_on_members_past(count: int) -> Before:
    """A table of members that holds ``count`` and raises past it."""

    def check(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(pairs) > count:
            raise MemoryError(f"more than {count} members")
        return dict(pairs)

    return _parse_hook(check)


def crashing_on_tags_past(count: int) -> Before:
    """The tag count is checked against 200, but a map of more than ``count`` tags overflows the
    index that holds them before the check runs."""

    def before(request: Request) -> Outcome:
        document = request.json()
        tags = document.get("tags") if is_operation(request, CREATE_SCOPE) and isinstance(document, dict) else None
        if isinstance(tags, dict) and len(tags) > count:
            return _crash(f"tag index overflow ({len(tags)} tags)")
        return request

    return before


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((max(len(k), _longest_string(v)) for k, v in value.items()), default=0)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    return 0


def crashing_on_strings_longer_than(length: int) -> Before:
    """Strings are copied into buffers of ``length`` characters before their lengths are checked."""

    def before(request: Request) -> Outcome:
        if is_operation(request) and _longest_string(request.json()) > length:
            return _crash(f"buffer overflow (a string of more than {length} characters)")
        return request

    return before


def crashing_on_bodies_past(size: int) -> Before:
    """The service's quota on a request's size, enforced by code that raises instead of refusing."""

    def before(request: Request) -> Outcome:
        if is_operation(request) and len(request.body) > size:
            return _crash(f"request of {len(request.body)} bytes exceeds the {size}-byte quota")
        return request

    return before
