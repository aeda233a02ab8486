"""JSON pointers (RFC 6901) into contract documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


def resolve_pointer(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    if pointer in ("", "/"):
        return node
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(pointer)
    return node


def escape(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def json_pointer(path: Iterable[Any]) -> str:
    return "".join(f"/{escape(p)}" for p in path)


def walk_json(node: Any, pointer: str = "") -> Iterator[tuple[Any, str]]:
    """Every value of ``node`` with its pointer, ``node`` first."""
    yield node, pointer
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_json(value, f"{pointer}/{escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_json(value, f"{pointer}/{index}")
