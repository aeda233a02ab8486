"""Rules: each documented constraint, with the sentence of the documentation that states it.

A contract marks the schema node that enforces a constraint with ``x-rules``::

    "x-rules": [{"id": "clientToken.length", "keywords": ["minLength", "maxLength"],
                 "doc": "Length Constraints: Fixed length of 36.", "source": "seed"}]

:func:`collect_rules` walks a request or response schema and returns each rule together
with where it applies: its JSON pointer in the contract file and the *location* of the
values it constrains inside a body (a tuple of steps such as ``("targets", ITEM, "region")``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.pointer import Missing, Pointer

#: Keywords that constrain a value; each occurrence in a contract must belong to a rule.
CONSTRAINT_KEYWORDS = frozenset(
    {
        "type", "enum", "const", "pattern", "minLength", "maxLength", "minItems", "maxItems",
        "minProperties", "maxProperties", "required", "additionalProperties", "minimum",
        "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems",
    }
)  # fmt: skip


class Step:
    """A step of a location that is not a member name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ITEM = Step("[]")  # every item of an array
VALUE = Step("{}")  # every value of a map
KEY = Step("<key>")  # every key of a map

Location = tuple[str | Step, ...]


def first_place(location: Location, body: Any) -> Pointer:
    """The first place of ``body`` that ``location`` names: the first item of every array, the
    first entry of every map (for a location ending in a map's key, the entry whose key it is).
    :class:`~harness.pointer.Missing` when the body has none."""
    parts: list[str] = []
    node = body
    for step in location:
        if step is ITEM:
            if not isinstance(node, list) or not node:
                raise Missing(format_location(location))
            parts.append("0")
            node = node[0]
        elif step is VALUE or step is KEY:
            if not isinstance(node, dict) or not node:
                raise Missing(format_location(location))
            key = next(iter(node))
            parts.append(key)
            node = node[key]
        else:
            if not isinstance(node, dict) or not isinstance(step, str) or step not in node:
                raise Missing(format_location(location))
            parts.append(step)
            node = node[step]
    return Pointer(tuple(parts))


def value_at(location: Location, body: Any) -> Any:
    """The value at the first place of ``location`` in ``body``; for a map's key, the key."""
    place = first_place(location, body)
    return place.last if location[-1:] == (KEY,) else place.get(body)


def with_value(location: Location, body: Any, value: Any) -> Any:
    """A copy of ``body`` with ``value`` at the first place of ``location``; for a map's key,
    that entry renamed to ``value``, its value kept."""
    place = first_place(location, body)
    return place.rename(body, value) if location[-1:] == (KEY,) else place.set(body, value)


def format_location(location: Location) -> str:
    """``$.targets[].targetIdentifier`` style text of a location."""
    text = "$"
    for step in location:
        if step is ITEM:
            text += "[]"
        elif step is VALUE:
            text += ".*"
        elif step is KEY:
            text += ".<key>"
        else:
            text += f".{step}"
    return text


@dataclass(frozen=True)
class Rule:
    """One documented constraint of an operation."""

    operation: str
    id: str
    keywords: tuple[str, ...]
    doc: str
    source: str
    pointer: str
    location: Location = field(compare=False)
    schema: Mapping[str, Any] = field(compare=False, repr=False)

    @property
    def qualified_id(self) -> str:
        return f"{self.operation}/{self.id}"


Resolver = Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], str]]


def walk_schema(
    schema: Mapping[str, Any],
    pointer: str,
    resolve: Resolver,
    location: Location = (),
    _within: frozenset[str] = frozenset(),
) -> Iterator[tuple[Mapping[str, Any], str, Location]]:
    """Yield every schema node reachable for a body, with its pointer and location.

    ``resolve`` follows a ``$ref`` node to its target and the target's pointer.  A schema
    that contains itself (through a ``$ref``) is walked once, at its outermost location.
    """
    while "$ref" in schema:
        schema, pointer = resolve(schema)
    if pointer in _within:
        return
    within = _within | {pointer}
    yield schema, pointer, location
    for name, sub in schema.get("properties", {}).items():
        yield from walk_schema(sub, f"{pointer}/properties/{_escape(name)}", resolve, (*location, name), within)
    if isinstance(schema.get("items"), Mapping):
        yield from walk_schema(schema["items"], f"{pointer}/items", resolve, (*location, ITEM), within)
    if isinstance(schema.get("additionalProperties"), Mapping):
        yield from walk_schema(
            schema["additionalProperties"], f"{pointer}/additionalProperties", resolve, (*location, VALUE), within
        )
    if isinstance(schema.get("propertyNames"), Mapping):
        yield from walk_schema(schema["propertyNames"], f"{pointer}/propertyNames", resolve, (*location, KEY), within)


def collect_rules(*, operation: str, schema: Mapping[str, Any], pointer: str, resolve: Resolver) -> list[Rule]:
    rules: list[Rule] = []
    for node, node_pointer, location in walk_schema(schema, pointer, resolve):
        for index, raw in enumerate(node.get("x-rules", ())):
            rules.append(
                Rule(
                    operation=operation,
                    id=raw["id"],
                    keywords=tuple(raw["keywords"]),
                    doc=raw["doc"],
                    source=raw.get("source", "seed"),
                    pointer=f"{node_pointer}/x-rules/{index}",
                    location=location,
                    schema=node,
                )
            )
    return rules


def rule_for(node: Mapping[str, Any], keyword: str, rules: Mapping[int, list[Rule]]) -> Rule | None:
    """The rule of ``node`` (a schema object) that owns ``keyword``, if any."""
    for rule in rules.get(id(node), ()):
        if keyword in rule.keywords:
            return rule
    return None


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
