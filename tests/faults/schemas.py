"""Faulty request validation for the mock: edited contract copies and other regex or length semantics.

The mock validates requests with whatever contracts it is given, so a realistic validation
bug is a copy of a contract with one constraint changed (:func:`edited`: ``maxItems`` 101
instead of 100), or a copy whose validator reads ``pattern`` or lengths as some other
implementation would (:func:`revalidated`: Python's ``re``, UTF-16 code units).  Copies are
made with :func:`dataclasses.replace`; the loaded contracts are never changed.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness import ecma
from harness.contract import Contract, resolve_pointer
from harness.validator import Violation, without_null_members

Schema = dict[str, Any]
Matcher = Callable[[str, str], bool]  # (pattern, text) -> matches
Measure = Callable[[str], int]  # the length of a string, as some implementation counts it


def edited(contract: Contract, pointer: str, edit: Callable[[Schema], None]) -> Contract:
    """A copy of ``contract`` whose schema node at ``pointer`` went through ``edit``."""
    document = copy.deepcopy(dict(contract.document))
    edit(resolve_pointer(document, pointer))
    return dataclasses.replace(contract, document=document)


def setting(**values: Any) -> Callable[[Schema], None]:
    """An edit that sets keywords of a schema node (``None`` removes one)."""

    def edit(node: Schema) -> None:
        for keyword, value in values.items():
            if value is None:
                node.pop(keyword, None)
            else:
                node[keyword] = value

    return edit


# --------------------------------------------------------------------------- other semantics


class Revalidator:
    """A request validator with some keywords reimplemented (duck-types ``SchemaValidator``).

    Only the verdict (:meth:`is_valid`) follows the reimplemented keywords; the list of
    violations of a refused body is the contract's own, for the error message.
    """

    def __init__(self, contract: Contract, keywords: Mapping[str, Any]) -> None:
        kind = jsonschema.validators.extend(Draft202012Validator, dict(keywords))  # type: ignore[no-untyped-call]
        resource = Resource.from_contents(dict(contract.document), default_specification=DRAFT202012)
        registry: Registry[Any] = Registry().with_resource(contract.uri, resource)
        self._schema = kind({"$ref": f"{contract.uri}#{contract.request_pointer}"}, registry=registry)
        self._describe = contract.request_validator

    def is_valid(self, instance: Any) -> bool:
        return bool(self._schema.is_valid(without_null_members(instance)))

    def violations(self, instance: Any) -> list[Violation]:
        if self.is_valid(instance):
            return []
        return self._describe.violations(instance) or [Violation("$", "pattern", "refused", None)]


def revalidated(contract: Contract, **keywords: Any) -> Contract:
    """A copy of ``contract`` whose requests are judged with ``keywords`` reimplemented."""
    twin = dataclasses.replace(contract)
    # request_validator is a cached_property: filling this copy's cache gives it its own.
    vars(twin)["request_validator"] = Revalidator(contract, keywords)
    return twin


def pattern_keyword(matcher: Matcher) -> Any:
    def pattern(validator: Any, value: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and not matcher(value, instance):
            yield ValidationError(f"{instance!r} does not match {value!r}")

    return pattern


def length_keywords(measure: Measure) -> dict[str, Any]:
    def min_length(validator: Any, value: int, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and measure(instance) < value:
            yield ValidationError(f"{instance!r} is too short")

    def max_length(validator: Any, value: int, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and measure(instance) > value:
            yield ValidationError(f"{instance!r} is too long")

    return {"minLength": min_length, "maxLength": max_length}  # propertyNames descends into these


# --------------------------------------------------------------------------- regex dialects


def python_search(pattern: str, text: str) -> bool:
    """Python's ``re.search``: Unicode ``\\d`` and ``\\w``; ``$`` also before a final newline."""
    return re.search(pattern, text) is not None


def python_digits_fixed(pattern: str, text: str) -> bool:
    """``\\d`` written as ``[0-9]`` and ``$`` as ``\\Z``: only ``\\w`` is left Unicode-aware."""
    return re.search(_dollar_as_z(_ascii_digits(pattern)), text) is not None


def python_for(pattern_wanted: str) -> Matcher:
    """Python's ``re.search`` for one pattern (a hand-written check), ECMA-262 for the rest."""

    def matcher(pattern: str, text: str) -> bool:
        return python_search(pattern, text) if pattern == pattern_wanted else ecma.matches(pattern, text)

    return matcher


def _dollar_as_z(pattern: str) -> str:
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern


def _ascii_digits(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        if pattern.startswith(r"\d", i):
            out.append("0-9" if in_class else "[0-9]")
            i += 2
            continue
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        in_class = (in_class or pattern[i] == "[") and not (in_class and pattern[i] == "]")
        out.append(pattern[i])
        i += 1
    return "".join(out)


def utf16_units(text: str) -> int:
    """Length as Java or JavaScript counts it: an astral character counts twice."""
    return len(text.encode("utf-16-le")) // 2
