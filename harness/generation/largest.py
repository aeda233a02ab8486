"""The largest valid body a contract allows, for the limits a target puts on body size.

Every optional member present, every array and map at its maximum count, every bounded
string at its maximum length.  A value with no upper bound (an unbounded string, an array
or map with no maximum) is kept small: the largest body is meant to be the documented
limit, not an arbitrary one.  Strings are ASCII: four-byte characters would make the body
four times larger still, but recorded runs keep every body, and YAML writes such a
character in ten bytes; the common limits (8, 16 and 64 KiB) are passed either way.  The
result is ``None`` when the contract's validator does not accept it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from harness import ecma
from harness.contract import Contract
from harness.generation.values import single_class_alphabet

Schema = Mapping[str, Any]

FILLER = "a"


class LargestBody:
    """Builds the largest valid body of one contract; ``simplest`` gives an unbounded value."""

    def __init__(self, contract: Contract, simplest: Callable[[Schema], Any]) -> None:
        self.contract = contract
        self.simplest = simplest

    def build(self) -> Any | None:
        body = self.value(self.contract.request_schema())
        return body if self.contract.request_validator.is_valid(body) else None

    def value(self, schema: Schema) -> Any:
        while "$ref" in schema:
            schema, _ = self.contract.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return max(schema["enum"], key=lambda v: len(str(v)))
        kind = schema.get("type")
        if (
            kind == "object"
            and not schema.get("properties")
            and isinstance(schema.get("additionalProperties"), Mapping)
        ):
            return self.map(schema)
        if kind == "object":
            return self.object(schema)
        if kind == "array":
            count = schema.get("maxItems", max(schema.get("minItems", 0), 1))
            return [self.value(schema.get("items", {}))] * count
        if kind == "string":
            return self.string(schema)
        if kind in ("integer", "number") and "maximum" in schema:
            return schema["maximum"]
        return self.simplest(schema)

    def object(self, schema: Schema) -> dict[str, Any]:
        properties: Mapping[str, Schema] = schema.get("properties", {})
        required = list(schema.get("required", ()))
        # a union (one member of several) keeps its required members; others take every member
        names = required if schema.get("x-union") else [*required, *(n for n in properties if n not in required)]
        names = names[: schema.get("maxProperties", len(names))]
        return {name: self.value(properties[name]) for name in names}

    def map(self, schema: Schema) -> dict[str, Any]:
        count = schema.get("maxProperties", schema.get("minProperties", 0))
        keys = self.distinct_strings(schema.get("propertyNames", {}), count)
        value = self.value(schema["additionalProperties"])
        return dict.fromkeys(keys, value)

    def string(self, schema: Schema) -> str:
        longest = self.longest_string(schema)
        return longest if longest is not None else self.simplest(schema)

    def longest_string(self, schema: Schema) -> str | None:
        high: int | None = schema.get("maxLength")
        if high is None:
            return None
        pattern = schema.get("pattern")
        if pattern is None:
            return FILLER * high
        alphabet = single_class_alphabet(pattern)
        if alphabet is None:
            return None
        filler = FILLER if FILLER in alphabet else alphabet[0]
        text = filler * high
        return text if ecma.matches(pattern, text) else None

    def distinct_strings(self, schema: Schema, count: int) -> list[str]:
        """``count`` different strings of the schema, as long as it allows: a counter in front
        of the longest string (fewer when the counter breaks the schema)."""
        longest = self.longest_string(schema)
        if longest is None:
            return [self.simplest(schema)][:count]
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
