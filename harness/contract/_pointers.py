"""Places in contract documents: RFC 6901 pointers (:mod:`harness.pointer`) over a document,
and a walk of every value with its pointer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from harness.pointer import Missing, Pointer, escape


def resolve_pointer(document: Mapping[str, Any], pointer: str) -> Any:
    """The node of a contract document at ``pointer`` (``KeyError`` when it has none)."""
    if pointer in ("", "/"):
        return document
    try:
        return Pointer.parse(pointer).get(document)
    except (Missing, ValueError):
        raise KeyError(pointer) from None


def json_pointer(path: Iterable[Any]) -> str:
    return str(Pointer.of(path))


def walk_json(node: Any, pointer: str = "") -> Iterator[tuple[Any, str]]:
    """Every value of ``node`` with its pointer, ``node`` first."""
    yield node, pointer
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_json(value, f"{pointer}/{escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_json(value, f"{pointer}/{index}")


__all__ = ["escape", "json_pointer", "resolve_pointer", "walk_json"]
