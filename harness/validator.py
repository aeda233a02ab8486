"""JSON Schema 2020-12 validation with ECMA-262 ``pattern``, reporting broken rules.

``jsonschema``'s own ``pattern`` keyword uses Python's ``re`` (see :mod:`harness.ecma`);
this module extends ``Draft202012Validator`` with a ``pattern`` backed by ``regress``,
the one replaceable keyword ``jsonschema`` is designed for.  Every error is collected
(not only the first), mapped to the contract rule that owns the failing keyword, and
ranked so that the most specific (deepest) violation comes first.

Speed: ``jsonschema`` takes about 8 ms for a CreateScope body of 100 targets and 200 tags.
When ``jsonschema-rs`` is installed, :meth:`SchemaValidator.is_valid` (and
:meth:`~SchemaValidator.violations` of a valid value) asks it first, with the same
``regress``-backed ``pattern`` keyword: the same verdict 10 to 50 times faster, large bodies
gaining most (``bench/bench_validation.py``; ``tests/test_validator.py`` checks they agree).
A value it cannot take (a lone surrogate, a key that is not a string) goes to ``jsonschema``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness import ecma
from harness.rules import Rule, rule_for


def _optional_jsonschema_rs() -> ModuleType | None:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an optional accelerator; the `dev` extra installs it
        return None
    return jsonschema_rs


_JSONSCHEMA_RS = _optional_jsonschema_rs()


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma.matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = jsonschema.validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


class _RegressPattern:
    """The ``pattern`` keyword for ``jsonschema-rs``: its own regex engine is not ECMA-262."""

    def __init__(self, parent_schema: Mapping[str, Any], value: str, schema_path: Any) -> None:
        self._pattern = value
        ecma.compile_pattern(value)

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not ecma.matches(self._pattern, instance):
            raise ValueError(f"{instance!r} does not match {self._pattern!r}")


def _fast_validator(document: Mapping[str, Any], uri: str, pointer: str) -> Any:
    """A ``jsonschema-rs`` validator of the same schema, or ``None`` (not installed, or it refuses)."""
    if _JSONSCHEMA_RS is None:
        return None
    try:
        registry = _JSONSCHEMA_RS.Registry([(uri, dict(document))])
        return _JSONSCHEMA_RS.Draft202012Validator(
            {"$ref": f"{uri}#{pointer}"}, registry=registry, keywords={"pattern": _RegressPattern}
        )
    except Exception:  # any schema it cannot compile is left to jsonschema, which judges it alike
        return None


_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def fast_schema_verdict(schema: Any) -> bool | None:
    """Whether ``schema`` is a valid JSON Schema 2020-12, asked of ``jsonschema-rs`` (about a
    hundred times faster than ``jsonschema`` on the meta-schema); ``None`` when it cannot say.
    Callers ask ``jsonschema`` for the message of an invalid one, so messages have one source."""
    if _JSONSCHEMA_RS is None or not isinstance(schema, dict):
        return None
    try:
        return bool(_JSONSCHEMA_RS.meta.is_valid({**schema, "$schema": _DRAFT_2020_12}))
    except Exception:  # anything it cannot take is left to jsonschema
        return None


#: Characters of a value a violation's message quotes.
MAX_QUOTED = 80


@dataclass(frozen=True)
class Violation:
    """One broken constraint of one value."""

    path: str
    keyword: str
    message: str
    rule: Rule | None

    def describe(self) -> str:
        if self.rule is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}: {self.message} [{self.rule.id}: {self.rule.doc}]"


class SchemaValidator:
    """Validates values against one schema of a contract document."""

    def __init__(self, *, document: Mapping[str, Any], uri: str, pointer: str, rules: list[Rule]) -> None:
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        registry: Registry[Any] = Registry().with_resource(uri, resource)
        self._validator = EcmaValidator({"$ref": f"{uri}#{pointer}"}, registry=registry)
        self._fast = _fast_validator(document, uri, pointer)
        self._rules_by_node: dict[int, list[Rule]] = {}
        for rule in rules:
            self._rules_by_node.setdefault(id(rule.schema), []).append(rule)

    def violations(self, instance: Any) -> list[Violation]:
        """Every violation of ``instance``, most specific first; empty when valid."""
        normalised = _absent_nulls(instance)
        if self._fast_verdict(normalised) is True:
            return []
        found = [self._to_violation(error) for error in _leaf_errors(self._validator, normalised)]
        found.sort(key=lambda v: (-v.path.count(".") - v.path.count("["), v.path, v.keyword))
        return _unique(found)

    def is_valid(self, instance: Any, *, nulls_removed: bool = False) -> bool:
        """Whether ``instance`` breaks no constraint, a ``null`` member counting as absent.

        ``nulls_removed``: the caller vouches that no object member of ``instance`` is ``null``
        (it comes from :func:`without_null_members`, or from JSON text without ``null``), so
        they are not looked for: the walk costs as much as the verdict of a small body.
        """
        normalised = instance if nulls_removed else _absent_nulls(instance)
        verdict = self._fast_verdict(normalised)
        return bool(self._validator.is_valid(normalised)) if verdict is None else verdict

    def _fast_verdict(self, instance: Any) -> bool | None:
        if self._fast is None:
            return None
        try:
            return bool(self._fast.is_valid(instance))
        except (ValueError, TypeError, OverflowError):  # a value jsonschema-rs cannot take
            return None

    def _to_violation(self, error: ValidationError) -> Violation:
        keyword = str(error.validator)
        node = error.schema if isinstance(error.schema, Mapping) else {}
        rule = rule_for(node, keyword, self._rules_by_node)
        return Violation(path=error.json_path, keyword=keyword, message=_message(error), rule=rule)


def _message(error: ValidationError) -> str:
    """jsonschema's message, with a long value it quotes cut to :data:`MAX_QUOTED` characters
    and its size (it quotes the whole value: an 8,193-character string would fill a terminal)."""
    quoted = repr(error.instance)
    if len(quoted) <= MAX_QUOTED or quoted not in error.message:
        return error.message
    instance: Any = error.instance
    if isinstance(instance, str):
        size = f"{len(instance):,} characters"
    elif isinstance(instance, (list, dict)):
        size = f"{len(instance):,} items"
    else:
        size = f"{len(quoted):,} characters"
    cut = f"{quoted[: MAX_QUOTED - 2]}…{quoted[-1]}" if isinstance(instance, str) else f"{quoted[: MAX_QUOTED - 1]}…"
    return error.message.replace(quoted, f"{cut} ({size})", 1)


def without_null_members(instance: Any) -> Any:
    """A copy of ``instance`` where object members whose value is ``null`` are absent.

    SPEC section 2 (as in Smithy): a JSON ``null`` for a member stands for the member being
    absent.  Map values are treated alike (lenient: the generator never sends them, so no
    verdict depends on it).  Array items are kept as they are.
    """
    if isinstance(instance, dict):
        return {k: without_null_members(v) for k, v in instance.items() if v is not None}
    if isinstance(instance, list):
        return [without_null_members(item) for item in instance]
    return instance


def _absent_nulls(instance: Any) -> Any:
    """:func:`without_null_members`, but ``instance`` itself when it has no null member."""
    return without_null_members(instance) if _has_null_member(instance) else instance


def _has_null_member(instance: Any) -> bool:
    stack = [instance]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for value in node.values():
                if value is None:
                    return True
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, (dict, list)))  # a null item stays
    return False


def _leaf_errors(validator: Any, instance: Any) -> Iterator[ValidationError]:
    for error in validator.iter_errors(instance):
        if error.context:
            yield from error.context
        else:
            yield error


def _unique(violations: list[Violation]) -> list[Violation]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for v in violations:
        key = (v.path, v.keyword, v.message)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out
