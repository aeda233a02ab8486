"""The largest valid body a contract allows, for the limits a target puts on body size.

Every optional member present, every array and map at its maximum count, every bounded
string at its maximum length.  A value with no upper bound (an unbounded string, an array
or map with no maximum) is kept small: the largest body is meant to be the documented
limit, not an arbitrary one.  Strings are filled with ``filler``: ASCII (:data:`FILLER`), or a
character of four UTF-8 bytes (:data:`ASTRAL_FILLER`, one code point) where the string's pattern
allows it, which makes the same documented maximum four times as many bytes (a limit on bytes
that the documentation does not state, such as a framework's 100 KB, is passed by the first and
met by the second).  The result is ``None`` when the contract's validator does not accept it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from harness import ecma
from harness.contract import Contract
from harness.generation.values import single_class_alphabet

Schema = Mapping[str, Any]

FILLER = "a"
ASTRAL_FILLER = "\U0001f600"  # four bytes in UTF-8, one code point: a length counts it once
ABSENT: Any = object()  # no value of the minimal body at this place


class LargestBody:
    """Builds the largest valid body of one contract.  A value with no upper bound is the
    minimal body's value at the same place, else what ``simplest`` gives for its schema."""

    def __init__(
        self, contract: Contract, minimal_body: Any, simplest: Callable[..., Any], *, filler: str = FILLER
    ) -> None:
        self.contract = contract
        self.minimal_body = minimal_body
        self.simplest = simplest
        self.filler = filler

    def build(self) -> Any | None:
        body = self.value(self.contract.request_schema(), self.minimal_body)
        return body if self.contract.request_validator.is_valid(body) else None

    def value(self, schema: Schema, minimal: Any = ABSENT) -> Any:
        while "$ref" in schema:
            schema, _ = self.contract.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return max(schema["enum"], key=lambda v: len(str(v)))
        kind = schema.get("type")
        is_map = not schema.get("properties") and isinstance(schema.get("additionalProperties"), Mapping)
        if kind == "object" and is_map:
            return self.map(schema)
        if kind == "object":
            return self.object(schema, minimal if isinstance(minimal, dict) else {})
        if kind == "array":
            count = schema.get("maxItems", max(schema.get("minItems", 0), 1))
            first = minimal[0] if isinstance(minimal, list) and minimal else ABSENT
            return [self.value(schema.get("items", {}), first)] * count
        if kind == "string":
            longest = self.longest_string(schema)
            if longest is not None:
                return longest
        if kind in ("integer", "number") and "maximum" in schema:
            return schema["maximum"]
        return minimal if minimal is not ABSENT else self.simplest(schema)

    def object(self, schema: Schema, minimal: Mapping[str, Any]) -> dict[str, Any]:
        properties: Mapping[str, Schema] = schema.get("properties", {})
        required = list(schema.get("required", ()))
        # a union (one member of several) keeps its required members; others take every member
        names = required if schema.get("x-union") else [*required, *(n for n in properties if n not in required)]
        names = names[: schema.get("maxProperties", len(names))]
        return {name: self.value(properties[name], minimal.get(name, ABSENT)) for name in names}

    def map(self, schema: Schema) -> dict[str, Any]:
        count = schema.get("maxProperties", schema.get("minProperties", 0))
        keys = self.distinct_strings(schema.get("propertyNames", {}), count)
        value = self.value(schema["additionalProperties"])
        return dict.fromkeys(keys, value)

    def longest_string(self, schema: Schema) -> str | None:
        high: int | None = schema.get("maxLength")
        if high is None:
            return None
        pattern = schema.get("pattern")
        if pattern is None:
            return self.filler * high
        alphabet = single_class_alphabet(pattern)
        if alphabet is None:
            return None
        filler = next((ch for ch in (self.filler, FILLER) if ch in alphabet), alphabet[0])
        text = filler * high
        return text if ecma.matches(pattern, text) else None

    def distinct_strings(self, schema: Schema, count: int) -> list[str]:
        """``count`` different strings of the schema, as long as it allows: a counter in front
        of the longest string (fewer when the counter breaks the schema)."""
        longest = self.longest_string(schema)
        if longest is None:
            return [self.simplest(schema, key=True)][:count]
        low = schema.get("minLength", 0)
        out: list[str] = []
        for index in range(count):
            counter = str(index)
            text = counter + longest[len(counter) :]
            pattern = schema.get("pattern")
            if len(text) < low or (pattern is not None and not ecma.matches(pattern, text)):
                break
            out.append(text)
        return out
