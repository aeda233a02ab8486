"""Both sides of every rule: boundary values and near misses, built deterministically.

For each rule of a contract, :class:`BoundaryProbes` starts from the minimal valid body
(with the rule's location filled in when it is optional) and replaces the value the rule
constrains: the largest and smallest valid values and the nearest invalid ones for lengths,
item and entry counts; quantifier bounds and one-character near misses for patterns (a
changed, added or removed character, flipped case, a trailing newline, Arabic-Indic and
full-width digits, a non-ASCII letter where ``\\w`` stands); other enum values, wrong JSON
types, missing required members and extra members of a closed object (a second union member).

A probe is kept only when the contract's validator agrees: a valid-side probe must be
valid, an invalid-side probe must break the very rule it aims at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from hypothesis.errors import NoSuchExample, Unsatisfiable

from harness import ecma
from harness.case import Intent
from harness.contract import Contract
from harness.generation.far import BODY_BOUND, Literal, encoded_size, far_count, past_widths
from harness.generation.largest import ASTRAL_FILLER, FILLER, LargestBody
from harness.generation.patterns import near_misses, quantifier_variants
from harness.generation.values import ValueStrategies, draw, minimal, string_strategy
from harness.pointer import Missing, Pointer
from harness.rules import ITEM, KEY, VALUE, Location, Rule, first_place, format_location, value_at, with_value

Schema = Mapping[str, Any]

WRONG_TYPES: dict[str, tuple[Any, ...]] = {
    "string": (12345, True, ["text"], {"text": "text"}),
    "object": ("text", 1, []),
    "array": ({}, "text", 1),
    "integer": ("1", 1.5),
    "number": ("1",),
    "boolean": ("true", 1),
}
ASTRAL = "\U0001f600"  # one code point, two UTF-16 units


@dataclass(frozen=True)
class Probe:
    intent: Intent
    rule: str | None  # None: a body valid under every rule
    origin: str  # "boundary" or "near-miss"
    description: str
    body: Any
    target: Pointer | None = None  # the member the probe changes (None: the body as a whole is the point)
    literal: Literal | None = None  # a number sent as this JSON text where ``body`` has its stand-in


class BoundaryProbes:
    """Probes on both sides of each request rule of one contract."""

    def __init__(self, contract: Contract, base: Any = None) -> None:
        """``base``: the valid input every probe starts from (an input the target accepted, for
        an imported contract); by default the minimal valid input."""
        self.contract = contract
        self.strategies = ValueStrategies(contract)
        self.base = minimal(self.strategies.body()) if base is None else base
        self._label = "the minimal valid body (required members only)" if base is None else "an accepted input"
        self._memos: dict[tuple[str, str], Any] = {}

    def all(self) -> list[Probe]:
        """The base (valid for every rule), then each rule's probes."""
        probes = [Probe(Intent.VALID, None, "boundary", self._label, self.base)]
        seen: set[tuple[str | None, str]] = {(None, Contract_key(self.base))}
        for filler, label in (
            (FILLER, "the largest valid body: every member, every count and length at its maximum"),
            (ASTRAL_FILLER, "the largest valid body in 4-byte characters: every member, every count and length at "
                            "its maximum, every string its pattern allows in U+1F600"),
        ):  # fmt: skip
            largest = LargestBody(self.contract, self.base, self._simplest, filler=filler).build()
            largest_key = (None, Contract_key(largest))
            if largest is not None and largest_key not in seen:
                seen.add(largest_key)
                size = len(json.dumps(largest, ensure_ascii=False).encode())
                probes.append(Probe(Intent.VALID, None, "boundary", f"{label} ({size:,} bytes)", largest))
        for rule in self.contract.request_rules:
            for probe in self.for_rule(rule):
                key = (probe.rule, Contract_key(probe.body) + (probe.literal.text if probe.literal else ""))
                if key not in seen:
                    seen.add(key)
                    probes.append(probe)
        return probes

    def _sample(self, schema: Schema) -> str:
        """A generated valid string of ``schema`` (the same for every rule on it)."""
        sample: str = self._memo("sample", schema, lambda: draw(string_strategy(schema), seed_value=0))
        return sample

    def _simplest(self, schema: Schema, *, key: bool = False) -> Any:
        """The simplest valid value of ``schema``, or of a map key (``propertyNames`` need not
        say they are strings)."""
        if key:
            return self._memo("key", schema, lambda: minimal(string_strategy(schema)))
        return self._memo("simplest", schema, lambda: minimal(self.strategies.for_schema(schema, "")))

    def _memo(self, kind: str, schema: Schema, make: Callable[[], Any]) -> Any:
        """``make()``, once per kind and schema: several rules share a location, and each value
        costs a Hypothesis run."""
        cache_key = (kind, Contract_key(schema))
        if cache_key not in self._memos:
            self._memos[cache_key] = make()
        return self._memos[cache_key]

    def for_rule(self, rule: Rule) -> Iterator[Probe]:
        try:
            base = self._filled(rule.location)
            target = first_place(rule.location, base)
        except Missing:
            return
        node = rule.schema
        if base != self.base:
            yield from self._aimed(target, self._accepted(rule, base, "the minimal body with this member present"))
        for keyword in rule.keywords:
            maker = getattr(self, f"_{keyword}", None)
            if maker is not None:
                yield from self._aimed(target, maker(rule, base, node))

    @staticmethod
    def _aimed(target: Pointer, probes: Iterator[Probe]) -> Iterator[Probe]:
        """``probes``, each aimed at ``target`` unless it names a member of its own."""
        for probe in probes:
            yield probe if probe.target is not None else replace(probe, target=target)

    # -------------------------------------------------------------- filling a location

    def _filled(self, location: Location) -> Any:
        """The minimal body, with optional members and map entries on ``location`` added."""
        body = self.base
        node: Schema = self.contract.request_schema()
        path: list[str | Any] = []
        for step in location:
            node = self._deref(node)
            if step is ITEM:
                node = node["items"]
            elif step in (VALUE, KEY):
                if not value_at(tuple(path), body):
                    entry_key = self._simplest(node.get("propertyNames", {}), key=True)
                    entry_value = self._simplest(node["additionalProperties"])
                    body = with_value(tuple(path), body, {entry_key: entry_value})
                node = node.get("propertyNames", {}) if step is KEY else node["additionalProperties"]
            else:
                assert isinstance(step, str)
                sub = node["properties"][step]
                parent = first_place(tuple(path), body)
                member = parent / step
                if member.get_or(body, _ABSENT) is _ABSENT:
                    body = member.set(body, self._simplest(sub))
                node = sub
            path.append(step)
        return body

    def _deref(self, node: Schema) -> Schema:
        while "$ref" in node:
            node, _ = self.contract.resolve(node)
        return node

    # -------------------------------------------------------------- acceptance by the validator

    def _accepted(self, rule: Rule, body: Any, label: str) -> Iterator[Probe]:
        if self.contract.request_validator.is_valid(body):
            yield Probe(Intent.VALID, rule.id, "boundary", f"{_where(rule)}: {label}", body)

    def _rejected(
        self,
        rule: Rule,
        body: Any,
        label: str,
        origin: str = "boundary",
        *,
        target: Pointer | None = None,
        literal: Literal | None = None,
    ) -> Iterator[Probe]:
        """An invalid-side probe, aimed at ``rule``; a near miss that breaks another rule of
        the same value instead (a trailing newline breaking a fixed length) is kept for it."""
        broken = [v.rule for v in self.contract.request_validator.violations(body) if v.rule]
        broken_rule = rule if rule in broken else None
        if broken_rule is None and origin == "near-miss":
            broken_rule = next((r for r in broken if r.location == rule.location), None)
        if broken_rule is not None:
            where = _where(broken_rule)
            yield Probe(Intent.INVALID, broken_rule.id, origin, f"{where}: {label}", body, target, literal)

    def _far(self, rule: Rule, base: Any, high: int, make: Callable[[int], Any], noun: str) -> Iterator[Probe]:
        """``make(n)`` items, entries or characters, ``n`` far past ``high`` (:func:`far_count`),
        fewer when the body would pass :data:`BODY_BOUND` (none when no more than ``high + 1`` fit)."""
        n = far_count(high)
        body = self._set(base, rule, make(n))
        size = encoded_size(body)
        if size > BODY_BOUND:
            rest = encoded_size(self._set(base, rule, make(0)))
            n = max(0, BODY_BOUND - rest) * n // max(size - rest, 1)
            if n <= high + 1:
                return
            body = self._set(base, rule, make(n))
        yield from self._rejected(rule, body, f"{n:,} {noun}, far past the maximum of {high:,}")

    def _numbers(
        self, rule: Rule, base: Any, *, negative: bool, beyond: Callable[[int], bool], what: str
    ) -> Iterator[Probe]:
        """The numbers past every machine width (:func:`past_widths`) that are ``beyond`` the rule."""
        for label, number in past_widths(negative=negative):
            literal = number if isinstance(number, Literal) else None
            value = literal.stand_in if literal is not None else number
            if isinstance(value, int) and beyond(value):
                yield from self._rejected(rule, self._set(base, rule, value), f"{label} {what}", literal=literal)

    def _set(self, base: Any, rule: Rule, value: Any) -> Any:
        return with_value(rule.location, base, value)

    # -------------------------------------------------------------- per keyword

    def _type(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        wrongs = list(WRONG_TYPES.get(str(node.get("type")), ()))
        if node.get("type") == "string":
            sample = self._sample(node)
            number = "1" + sample[1:] if sample.isdigit() else ""
            if number and self.contract.request_validator.is_valid(self._set(base, rule, number)):
                wrongs.append(int(number))  # a number a lenient parser would coerce into a valid string
        if rule.location[-1:] == (ITEM,):
            # a null item beside a valid one: a wrong type (only a null *member* means absent),
            # and dropping it would leave a valid array, so a server that drops nulls is seen
            items = first_place(rule.location[:-1], base)
            yield from self._rejected(rule, items.set(base, [None, *items.get(base)]), "a null item before a valid one")
        for wrong in wrongs:
            yield from self._rejected(
                rule, self._set(base, rule, wrong), f"{type(wrong).__name__} {wrong!r} instead of {node['type']}"
            )
        if node.get("type") == "string" and rule.location[-1:] != (KEY,):
            # a parser that reads every number into a machine word, before the type is looked at
            yield from self._numbers(rule, base, negative=False, beyond=lambda _: True, what="instead of string")

    def _minLength(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        seed = _text(value_at(rule.location, base))
        low = node.get("minLength", 0)
        for n, ok in ((low, True), (low - 1, False)):
            if n >= 0:
                yield from self._length_probe(rule, base, node, seed, n, ok)

    def _maxLength(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        seed = _text(value_at(rule.location, base))
        high = node["maxLength"]
        for n, ok in ((high, True), (high + 1, False)):
            yield from self._length_probe(rule, base, node, seed, n, ok)
        filler = seed or "a"
        yield from self._far(rule, base, high, lambda n: (filler * (n // len(filler) + 1))[:n], "characters")
        if "pattern" not in node and rule.location[-1:] != (KEY,):
            yield from self._accepted(
                rule, self._set(base, rule, ASTRAL * high), f"{high} astral characters (one code point each)"
            )
            yield from self._rejected(rule, self._set(base, rule, ASTRAL * (high + 1)), f"{high + 1} astral characters")
        elif "pattern" not in node:
            yield from self._accepted(rule, self._set(base, rule, ASTRAL * high), f"a key of {high} astral characters")
            yield from self._rejected(
                rule, self._set(base, rule, ASTRAL * (high + 1)), f"a key of {high + 1} astral characters"
            )

    def _length_probe(self, rule: Rule, base: Any, node: Schema, seed: str, n: int, ok: bool) -> Iterator[Probe]:
        filler = seed or "a"
        value = (filler * (n // len(filler) + 1))[:n]
        if ok and not self.contract.request_validator.is_valid(self._set(base, rule, value)):
            try:
                value = minimal(string_strategy(node).filter(lambda s: len(s) == n))
            except (Unsatisfiable, NoSuchExample):
                return  # no valid string of that length could be drawn: no probe on that side
        label = f"{n} characters"
        if ok:
            yield from self._accepted(rule, self._set(base, rule, value), label)
        else:
            yield from self._rejected(rule, self._set(base, rule, value), label)

    def _minItems(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        items = value_at(rule.location, base)
        low = node.get("minItems", 0)
        for n, ok in ((low, True), (low - 1, False)):
            if n >= 0:
                yield from self._count_probe(rule, base, (items * n)[:n] if items else [], n, ok, "items")

    def _maxItems(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        items = value_at(rule.location, base)
        high = node["maxItems"]
        for n, ok in ((high, True), (high + 1, False)):
            yield from self._count_probe(rule, base, [items[0]] * n if items else [], n, ok, "items")
        if items:
            yield from self._far(rule, base, high, lambda n: [items[0]] * n, "items")

    def _count_probe(self, rule: Rule, base: Any, value: Any, n: int, ok: bool, noun: str) -> Iterator[Probe]:
        body = self._set(base, rule, value)
        if ok:
            yield from self._accepted(rule, body, f"{n} {noun}")
        else:
            yield from self._rejected(rule, body, f"{n} {noun}")

    def _minProperties(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        low = node.get("minProperties", 0)
        for n, ok in ((low, True), (low - 1, False)):
            if n >= 0:
                yield from self._count_probe(rule, base, self._entries(base, rule, n), n, ok, "entries")

    def _maxProperties(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        high = node["maxProperties"]
        for n, ok in ((high, True), (high + 1, False)):
            yield from self._count_probe(rule, base, self._entries(base, rule, n), n, ok, "entries")
        yield from self._far(rule, base, high, lambda n: self._entries(base, rule, n), "entries")

    def _entries(self, base: Any, rule: Rule, n: int) -> dict[str, Any]:
        current = value_at(rule.location, base)
        value = next(iter(current.values())) if current else ""
        return {f"k{i}": value for i in range(n)}

    def _minimum(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        low = node["minimum"]
        yield from self._accepted(rule, self._set(base, rule, low), f"{low} (the minimum)")
        yield from self._rejected(rule, self._set(base, rule, low - 1), f"{low - 1} (one below the minimum)")
        yield from self._numbers(rule, base, negative=True, beyond=lambda v: v < low, what="(below the minimum)")

    def _maximum(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        high = node["maximum"]
        yield from self._accepted(rule, self._set(base, rule, high), f"{high} (the maximum)")
        yield from self._rejected(rule, self._set(base, rule, high + 1), f"{high + 1} (one above the maximum)")
        yield from self._numbers(rule, base, negative=False, beyond=lambda v: v > high, what="(above the maximum)")

    def _enum(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        allowed = list(node["enum"])
        for value in allowed:
            yield from self._accepted(rule, self._set(base, rule, value), f"documented value {value!r}")
        for value in allowed[:1]:
            if isinstance(value, str):
                for wrong in (value.lower(), value.capitalize(), value + "_", "", value + " "):
                    if wrong not in allowed:
                        yield from self._rejected(rule, self._set(base, rule, wrong), f"undocumented value {wrong!r}")

    def _const(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        yield from self._enum(rule, base, {"enum": [node["const"]]})

    def _required(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        for name in node["required"]:
            member = first_place(rule.location, base) / name
            yield from self._rejected(rule, member.remove(base), f"without required member {name!r}", target=member)
            renamed = name[0].swapcase() + name[1:]
            if renamed != name:
                yield from self._rejected(
                    rule,
                    member.rename(base, renamed),
                    f"required member {name!r} spelt {renamed!r} (member names are case-sensitive)",
                    target=member,
                )

    def _additionalProperties(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        if node.get("additionalProperties") is not False:
            return
        current = value_at(rule.location, base)
        value = next(iter(current.values()), "x") if current else "x"
        extra = "unexpectedMember"
        yield from self._rejected(rule, self._set(base, rule, {**current, extra: value}), f"a second member {extra!r}")
        yield from self._rejected(rule, self._set(base, rule, {extra: value}), f"only an undocumented member {extra!r}")
        yield from self._rejected(rule, self._set(base, rule, {}), "no member at all")

    def _pattern(self, rule: Rule, base: Any, node: Schema) -> Iterator[Probe]:
        pattern = node["pattern"]
        value = _text(value_at(rule.location, base))
        for label, variant in quantifier_variants(pattern):
            ok = ecma.matches(pattern, variant)
            if ok:
                yield from self._accepted(rule, self._set(base, rule, variant), label)
            else:
                yield from self._rejected(rule, self._set(base, rule, variant), label)
        samples = [value, self._sample(node)]
        for sample in dict.fromkeys(samples):
            for label, variant in near_misses(sample):
                yield from self._rejected(rule, self._set(base, rule, variant), label, origin="near-miss")


_ABSENT: Any = object()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _where(rule: Rule) -> str:
    return format_location(rule.location)


def Contract_key(body: Any) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=True)
