"""Places in a JSON document: RFC 6901 JSON pointers.

Every place the harness names in a request, an answer or a contract (an idempotency token,
an echoed member, a scenario's ``$request`` parameter, the member a probe aims at) is a
:class:`Pointer`.  Reading is :meth:`Pointer.get`; writing never changes the document it is
given: :meth:`~Pointer.set`, :meth:`~Pointer.remove` and :meth:`~Pointer.rename` return a
changed document that shares the untouched parts with the one given (so values are never
changed in place anywhere in the harness).  A rule's *location* (``$.targets[].region``, every item of an array) names
many places; :func:`harness.rules.first_place` picks the first one of a body as a pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class Missing(LookupError):
    """The document has no value at the pointer."""


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


@dataclass(frozen=True, order=True)
class Pointer:
    """An RFC 6901 JSON pointer: ``Pointer.parse("/targets/0/region")``; ``Pointer()`` is the
    whole document."""

    parts: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Pointer:
        if text == "":
            return cls()
        if not text.startswith("/"):
            raise ValueError(f"a JSON pointer starts with '/': {text!r}")
        return cls(tuple(unescape(part) for part in text[1:].split("/")))

    @classmethod
    def of(cls, parts: Iterable[Any]) -> Pointer:
        """The pointer of a path of member names and array indices (``jsonschema``'s error paths)."""
        return cls(tuple(str(part) for part in parts))

    def __str__(self) -> str:
        return "".join(f"/{escape(part)}" for part in self.parts)

    def __truediv__(self, part: str | int) -> Pointer:
        return Pointer((*self.parts, str(part)))

    @property
    def parent(self) -> Pointer:
        return Pointer(self.parts[:-1])

    @property
    def last(self) -> str:
        return self.parts[-1]

    def startswith(self, other: Pointer) -> bool:
        """True when this place is ``other`` or inside it."""
        return self.parts[: len(other.parts)] == other.parts

    def get(self, document: Any) -> Any:
        node = document
        for part in self.parts:
            node = _child(node, part, self)
        return node

    def get_or(self, document: Any, default: Any = None) -> Any:
        try:
            return self.get(document)
        except Missing:
            return default

    def set(self, document: Any, value: Any) -> Any:
        """``document`` with ``value`` at this place (a new member of an object is added at its
        end; an array index must exist)."""
        if not self.parts:
            return value

        def put(parent: Any, part: str) -> Any:
            if isinstance(parent, list):
                changed = list(parent)
                changed[_index(parent, part, self)] = value
                return changed
            if isinstance(parent, dict):
                return {**parent, part: value}
            raise Missing(str(self))

        return self._rebuild(document, put)

    def remove(self, document: Any) -> Any:
        """``document`` without the member (or array item) at this place."""
        if not self.parts:
            raise Missing("the whole document cannot be removed")

        def drop(parent: Any, part: str) -> Any:
            if isinstance(parent, list):
                index = _index(parent, part, self)
                return parent[:index] + parent[index + 1 :]
            if isinstance(parent, dict) and part in parent:
                return {key: item for key, item in parent.items() if key != part}
            raise Missing(str(self))

        return self._rebuild(document, drop)

    def _rebuild(self, document: Any, change: Callable[[Any, str], Any]) -> Any:
        """``document`` with the parent of this place replaced by ``change(parent, last)``: the
        containers on the way are copied, everything else is shared with ``document``."""
        chain = [document]
        for part in self.parts[:-1]:
            chain.append(_child(chain[-1], part, self))
        node = change(chain[-1], self.parts[-1])
        for parent, part in zip(reversed(chain[:-1]), reversed(self.parts[:-1]), strict=True):
            if isinstance(parent, list):
                copied = list(parent)
                copied[int(part)] = node
                node = copied
            else:
                node = {**parent, part: node}
        return node

    def rename(self, document: Any, name: str) -> Any:
        """A copy of ``document`` where the member at this place is called ``name``, its value
        and its position among the members kept."""
        parent = self.parent.get(document)
        if not isinstance(parent, dict) or self.last not in parent:
            raise Missing(str(self))
        renamed = {(name if key == self.last else key): value for key, value in parent.items()}
        return self.parent.set(document, renamed)


def _child(node: Any, part: str, pointer: Pointer) -> Any:
    if isinstance(node, dict):
        if part in node:
            return node[part]
    elif isinstance(node, list):
        return node[_index(node, part, pointer)]
    raise Missing(str(pointer))


def _index(items: list[Any], part: str, pointer: Pointer) -> int:
    if part.isdigit() and (part == "0" or not part.startswith("0")) and int(part) < len(items):
        return int(part)
    raise Missing(str(pointer))
