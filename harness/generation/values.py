"""Hypothesis strategies of valid values, compiled from a contract's request schema.

``hypothesis-jsonschema`` is not used: it generates with Python ``re`` semantics (Unicode
``\\d``, ``$`` before a newline), so its "valid" strings may break an ECMA-262 pattern.
This compiler covers the JSON Schema subset contracts use (imported ones too: recursive
``$ref``, ``{}`` for any JSON value, unions of exactly one member) and says so when a
contract uses a keyword it cannot generate for.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, find, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from harness import ecma
from harness.contract import Contract
from harness.errors import ContractError

Schema = Mapping[str, Any]

#: Keywords the compiler understands (or that do not restrict valid values).
SUPPORTED = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "propertyNames", "items",
        "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength",
        "pattern", "enum", "const", "minimum", "maximum", "$ref", "description", "title",
    }
)  # fmt: skip

#: Every character but a lone surrogate (which no UTF-8 body holds): the text Hypothesis draws
#: by default, named, so that it does not build its table of the UTF-8 codec's characters in
#: every fresh working directory (a second of CPU at the first run of every CI checkout).
ANY_CHARACTER = st.characters(exclude_categories=["Cs"])
#: Any JSON value, for a schema that constrains nothing (an imported document member).
#: (No null: a null member is an absent one, SPEC 2, and a required document must be there.)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.booleans() | st.integers(-(2**31), 2**31) | st.text(ANY_CHARACTER, max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(ANY_CHARACTER, max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)

# arrays and maps of generated bodies hold at most this many entries (more when the schema's
# minimum asks): the boundary probes send the largest ones, and every entry costs Hypothesis
# draws (CreateScope: 100 bodies in 0.44 s with 10, 0.20 s with 5) and the target validation
BULK_ITEMS = 5
_SAMPLE_CHARS = string.printable + "éßΩж中😀٣３\u00a0"
_QUIET = settings(
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.generate, Phase.shrink),
    verbosity=Verbosity.quiet,  # a value that cannot be drawn is the caller's to handle, not a seed to print
)


class ValueStrategies:
    """Strategies for the values of one contract's request body."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._by_pointer: dict[str, st.SearchStrategy[Any]] = {}

    def body(self) -> st.SearchStrategy[Any]:
        return self.for_schema(self.contract.request_schema(), self.contract.request_pointer)

    def for_schema(self, schema: Schema, pointer: str) -> st.SearchStrategy[Any]:
        if "$ref" not in schema:
            return self._compile(schema, pointer)
        while "$ref" in schema:
            schema, pointer = self.contract.resolve(schema)
        # one strategy per referenced schema, deferred: a recursive schema refers to itself
        if pointer not in self._by_pointer:
            self._by_pointer[pointer] = st.deferred(lambda: compiled)
            compiled = self._compile(schema, pointer)
        return self._by_pointer[pointer]

    def _compile(self, schema: Schema, pointer: str) -> st.SearchStrategy[Any]:
        unknown = {k for k in schema if not k.startswith("x-")} - SUPPORTED
        if unknown:
            raise ContractError(
                file=self.contract.file,
                pointer=pointer,
                message=f"cannot generate values for keyword(s) {sorted(unknown)}",
            )
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        kind = schema.get("type")
        if kind == "object":
            return self._object(schema, pointer)
        if kind == "array":
            items = self.for_schema(schema.get("items", {}), f"{pointer}/items")
            low = schema.get("minItems", 0)
            return st.lists(items, min_size=low, max_size=max(low, min(schema.get("maxItems", BULK_ITEMS), BULK_ITEMS)))
        if kind == "string":
            return string_strategy(schema)
        if kind == "integer":
            return st.integers(schema.get("minimum"), schema.get("maximum"))
        if kind == "number":
            return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
        if kind == "boolean":
            return st.booleans()
        if not (schema.keys() - {"description", "title"} - {k for k in schema if k.startswith("x-")}):
            return JSON_VALUES
        raise ContractError(
            file=self.contract.file, pointer=pointer, message=f"cannot generate values of type {kind!r}"
        )

    def _object(self, schema: Schema, pointer: str) -> st.SearchStrategy[Any]:
        properties: Mapping[str, Schema] = schema.get("properties", {})
        if not properties and isinstance(schema.get("additionalProperties"), Mapping):
            return self._map(schema, pointer)
        if schema.get("maxProperties") == 1 and schema.get("additionalProperties") is False:
            return self._union(schema, pointer)
        required = set(schema.get("required", ()))
        members = {name: self._member(name, sub, pointer) for name, sub in properties.items()}
        fixed = {name: strategy for name, strategy in members.items() if name in required}
        optional = {name: strategy for name, strategy in members.items() if name not in required}
        return st.fixed_dictionaries(fixed, optional=optional)

    def _member(self, name: str, schema: Schema, pointer: str) -> st.SearchStrategy[Any]:
        strategy = self.for_schema(schema, f"{pointer}/properties/{name}")
        if pointer == self.contract.request_pointer and self._in_path(name):
            # HTTP cannot carry an empty path label: such an input is no case, so none is drawn
            return strategy.filter(lambda value: value != "")
        return strategy

    def _in_path(self, name: str) -> bool:
        binding = self.contract.bindings.get(name)
        return isinstance(binding, Mapping) and binding.get("in") == "path"

    def _union(self, schema: Schema, pointer: str) -> st.SearchStrategy[Any]:
        """Exactly one member of a union."""
        members = [
            st.fixed_dictionaries({name: self.for_schema(sub, f"{pointer}/properties/{name}")})
            for name, sub in schema.get("properties", {}).items()
        ]
        if not members:
            raise ContractError(file=self.contract.file, pointer=pointer, message="a union without members")
        return st.one_of(members)

    def _map(self, schema: Schema, pointer: str) -> st.SearchStrategy[Any]:
        keys = string_strategy(schema.get("propertyNames", {}))
        values = self.for_schema(schema["additionalProperties"], f"{pointer}/additionalProperties")
        low = schema.get("minProperties", 0)
        high = max(low, min(schema.get("maxProperties", BULK_ITEMS), BULK_ITEMS))
        return st.dictionaries(keys, values, min_size=low, max_size=high)


def string_strategy(schema: Schema) -> st.SearchStrategy[str]:
    """Valid strings for a string schema (length in code points, ECMA-262 pattern); a map's
    ``propertyNames`` too, whose ``enum`` names its keys."""
    if "enum" in schema:
        return st.sampled_from([v for v in schema["enum"] if isinstance(v, str)])
    min_size = schema.get("minLength", 0)
    max_size = schema.get("maxLength")
    pattern = schema.get("pattern")
    if pattern is None:
        return st.text(ANY_CHARACTER, min_size=min_size, max_size=max_size if max_size is not None else 40)
    alphabet = single_class_alphabet(pattern)
    if alphabet is not None:
        strategy: st.SearchStrategy[str] = st.text(
            alphabet=alphabet, min_size=max(min_size, 1), max_size=max_size if max_size is not None else 40
        )
    else:
        strategy = st.from_regex(ecma.python_equivalent(pattern), fullmatch=True, alphabet=ANY_CHARACTER)
        if min_size > 1:
            strategy = strategy.map(lambda s: _padded(s, min_size, pattern))
    upper = max_size if max_size is not None else float("inf")
    return strategy.filter(lambda s: min_size <= len(s) <= upper and ecma.matches(pattern, s))


def _padded(text: str, min_size: int, pattern: str) -> str:
    """``text``, or ``text`` lengthened to ``min_size`` where the pattern still matches: a
    pattern without ``^`` or ``$`` matches in a longer string too (``arn:.*`` with a minimum
    length of 20 seldom gets 20 characters from ``from_regex`` alone)."""
    if len(text) >= min_size:
        return text
    filler = (text[-1:] or "a") * (min_size - len(text))
    for candidate in (text + filler, filler + text, text + "a" * (min_size - len(text))):
        if ecma.matches(pattern, candidate):
            return candidate
    return text


@cache
def single_class_alphabet(pattern: str) -> str | None:
    """For ``^[...]+$``-shaped patterns, the characters of the class (so lengths are easy).

    Without ``^`` or ``$`` the pattern matches more strings, among them every string of the
    class's characters, so the alphabet serves it too (a large class such as
    ``[\\u0020-\\uD7FF...]*`` costs ``from_regex`` seconds per string)."""
    body = pattern.removeprefix("^").removesuffix("$")
    if not (body.startswith("[") and body.endswith(("]+", "]*")) and body.count("[") == 1):
        return None
    cls = body[:-1]
    chars = "".join(ch for ch in _SAMPLE_CHARS if ecma.matches(f"^{cls}$", ch))
    return chars or None


def minimal(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool] = lambda _: True) -> Any:
    """The simplest value of ``strategy`` satisfying ``condition`` (deterministic).

    Hypothesis tries the simplest example first: when it satisfies ``condition``, it is the
    answer, with no shrinking (which costs a hundred milliseconds for a body); else the search
    goes on, shrinking to the simplest that does.
    """
    try:
        return find(strategy, condition, settings=settings(_QUIET, max_examples=1, phases=(Phase.generate,)))
    except NoSuchExample:
        return find(strategy, condition, settings=settings(_QUIET, max_examples=2000))


def draw(strategy: st.SearchStrategy[Any], *, seed_value: int, index: int = 8) -> Any:
    """A deterministic, non-trivial value of ``strategy`` for ``seed_value``."""
    drawn: list[Any] = []

    @settings(_QUIET, max_examples=index + 1, phases=(Phase.generate,))
    @seed(seed_value)
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn[-1]
