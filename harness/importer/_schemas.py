"""botocore shapes as JSON Schema 2020-12, each constraint with its rule (``x-rules``).

One :class:`Schemas` per service renders each structure once per *view* and every operation of
the service shares the result (``components/schemas``).  The views:

- ``input``: a structure inside the operation input, in its JSON wire form (SPEC 7 and
  docs/imported-contracts.md): timestamps are epoch seconds, blobs base64 text, unions exactly
  one member, members the model does not name allowed (SPEC 2: ignored or rejected, both fine);
- ``output``: the same structure in a success or error body, read as botocore's parsers read
  it, so that nothing the SDK accepts is called broken: a timestamp is a number or a string, a
  float may be ``"NaN"``/``"Infinity"``/``"-Infinity"``, a sparse list may hold ``null``, a union
  may carry a member the model does not name;
- ``input-root``: the operation input itself, keyed by member names, each member in the form of
  its location (path label, query string, header, body, payload);
- ``output-root``: the body members of an output or error shape (header and status-code members
  are not in the body).

Names are a function of the shape and the view alone, so an operation's document is the same
whether it is imported alone or with its whole service: a structure is ``Name`` in the input
view and also in the output view when the two renderings are the same (no timestamp, float,
blob, sparse list or union anywhere below it), else ``Name.output``; see :meth:`Schemas.name`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.importer import _text
from harness.importer._model import Service
from harness.importer._patterns import Untranslatable, to_ecma

INPUT, OUTPUT, INPUT_ROOT, OUTPUT_ROOT = "input", "output", "input-root", "output-root"

Schema = dict[str, Any]

#: ISO 8601 date-times as botocore writes them (``2026-12-01T10:00:00Z``, fractions and
#: offsets allowed): the syntax of RFC 3339's date-time, field by field.
ISO_8601 = (
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
    "(\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
#: HTTP-dates (RFC 9110's IMF-fixdate, ``Tue, 01 Dec 2026 10:00:00 GMT``), as botocore writes them.
HTTP_DATE = (
    "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (0[1-9]|[12][0-9]|3[01]) "
    "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} ([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60) GMT$"
)
#: Base64 text with its padding (RFC 4648 section 4), as botocore writes a blob.
BASE64 = "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
#: The float values Smithy's JSON protocols write as strings.
NON_FINITE = "^(NaN|Infinity|-Infinity)$"

_DEFAULT_TIMESTAMP = {"body": "unixTimestamp", "uri": "iso8601", "querystring": "iso8601", "header": "rfc822"}
_TYPE_NAMES = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "float": "Float",
    "double": "Double",
    "boolean": "Boolean",
    "timestamp": "Timestamp",
    "blob": "Base64-encoded binary data object",
}
#: Top-level members bound elsewhere than the body of a response.
NON_BODY_OUTPUT = frozenset({"header", "headers", "statusCode"})


@dataclass
class Component:
    schema: Schema
    refs: set[str] = field(default_factory=set)  # names of the components it references
    notes: list[str] = field(default_factory=list)  # what the importer left out, and why


@dataclass
class _Context:
    """Where a value is being rendered: its view, the component that collects its references
    and notes, and the location of the top-level member it belongs to."""

    view: str
    component: Component
    where: str = "body"  # body, uri, querystring, header, headers, payload


class Schemas:
    """The rendered components of one service, shared by its operations."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.components: dict[str, Component] = {}
        self._input_roots = {op["input"]["shape"] for op in service.operations.values() if "input" in op}
        self._differs = _differing_structures(service)

    # ------------------------------------------------------------------ names

    def name(self, shape: str, view: str) -> str:
        """The component name of ``shape`` rendered in ``view`` (unique within the service)."""
        if view == INPUT_ROOT:
            return shape
        if view == INPUT:
            return f"{shape}.body" if shape in self._input_roots else shape
        if view == OUTPUT:
            return f"{shape}.output" if shape in self._differs else self.name(shape, INPUT)
        if self.has_non_body_members(shape):  # OUTPUT_ROOT: the body members alone
            return f"{shape}.response"
        return self.name(shape, OUTPUT)

    def has_non_body_members(self, shape: str) -> bool:
        """Whether a response of ``shape`` binds members elsewhere than its body (restJson1 only)."""
        if self.service.protocol != "restJson1":
            return False
        members = self.service.shapes[shape].get("members", {})
        return any(m.get("location") in NON_BODY_OUTPUT for m in members.values())

    def ensure(self, shape: str, view: str) -> str:
        """The name of ``shape`` in ``view``, rendering it (and what it references) when new."""
        if view == OUTPUT_ROOT and not self.has_non_body_members(shape):
            return self.ensure(shape, OUTPUT)  # its body is the structure in the output view
        if view == OUTPUT and shape not in self._differs:
            return self.ensure(shape, INPUT)  # the same rendering in both views: one component
        name = self.name(shape, view)
        if name not in self.components:
            component = Component(schema={})
            self.components[name] = component  # before rendering: a recursive shape refers to itself
            component.schema.update(self._structure(shape, _Context(view=view, component=component)))
        return name

    def reachable(self, roots: Iterable[str]) -> list[str]:
        """Every component reachable from ``roots``, in the order first reached."""
        seen: dict[str, None] = {}
        stack = list(roots)[::-1]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen[name] = None
            stack.extend(sorted(self.components[name].refs, reverse=True))
        return list(seen)

    # ------------------------------------------------------------------ structures

    def _structure(self, shape_name: str, ctx: _Context) -> Schema:
        shape = self.service.shapes[shape_name]
        root = ctx.view in (INPUT_ROOT, OUTPUT_ROOT)
        located = root and self.service.protocol == "restJson1"  # awsJson: every member in the body
        prefix = "" if ctx.view == INPUT_ROOT else f"{self.name(shape_name, ctx.view)}."
        doc = _text.first_sentence(shape.get("documentation"))
        schema: Schema = {"type": "object"}
        properties: Schema = {}
        required: list[str] = []
        wanted = set(shape.get("required", ()))
        for member, ref in shape.get("members", {}).items():
            location = ref.get("location") if located else None
            if ctx.view == OUTPUT_ROOT and location in NON_BODY_OUTPUT:
                continue
            if self.service.shapes[ref["shape"]].get("eventstream"):
                ctx.component.notes.append(
                    f"{shape_name}.{member} is an event stream: the contract does not encode its events"
                )
                continue
            key = member if ctx.view == INPUT_ROOT else ref.get("locationName", member)
            where = "payload" if root and member == shape.get("payload") else (location or "body")
            member_ctx = _Context(view=_nested(ctx.view), component=ctx.component, where=where)
            properties[key] = self._value(ref, member_ctx, place=f"{prefix}{key}")
            if member in wanted:
                required.append(key)
        schema["properties"] = properties
        type_doc = f"Type: {shape_name} object" if not root else "Type: Object"
        rules = [self._rule(f"{prefix or 'input.'}type", ["type"], _text.sentence(doc, type_doc))]
        if shape.get("union"):
            names = list(properties)
            if ctx.view in (INPUT, INPUT_ROOT) and len(names) == 1:
                schema["required"] = names
                schema["additionalProperties"] = False
                keywords = ["required", "additionalProperties"]
            elif ctx.view in (INPUT, INPUT_ROOT):
                schema.update(minProperties=1, maxProperties=1, additionalProperties=False)
                keywords = ["minProperties", "maxProperties", "additionalProperties"]
            else:  # a union in a response may carry a member added after this model
                schema.update(minProperties=1, maxProperties=1)
                keywords = ["minProperties", "maxProperties"]
            schema["x-union"] = True
            union_doc = f"{_text.UNION_LINE} Members: {' | '.join(names)}."
            rules.append(self._rule(f"{prefix}union", keywords, _text.sentence(doc, union_doc)))
        elif required:
            schema["required"] = required
            line = _text.sentence(doc, _text.required_line(required))
            rules.append(self._rule(f"{prefix or 'input.'}required", ["required"], line))
        schema["x-rules"] = rules
        return schema

    # ------------------------------------------------------------------ values

    def _rule(self, rule_id: str, keywords: list[str], doc: str) -> Schema:
        return {"id": rule_id, "keywords": keywords, "doc": doc, "source": self.service.source}

    def _value(self, ref: Mapping[str, Any], ctx: _Context, *, place: str, doc: str | None = None) -> Schema:
        """The schema of the value ``ref`` names; ``doc``: the sentence to use when it has none."""
        traits = self.service.shape(ref)
        doc = _doc(ref, traits) or (doc or "")
        kind = traits["type"]
        if kind == "structure":
            if traits.get("document"):
                return {}  # any JSON value: no constraint, so no rule
            name = self.ensure(str(ref["shape"]), ctx.view)
            ctx.component.refs.add(name)
            return {"$ref": f"#/components/schemas/{name}"}
        if kind == "list":
            return self._list(traits, ctx, place=place, doc=doc)
        if kind == "map":
            return self._map(traits, ctx, place=place, doc=doc)
        return self._scalar(traits, ctx, place=place, doc=doc)

    def _list(self, traits: Mapping[str, Any], ctx: _Context, *, place: str, doc: str) -> Schema:
        member_ref = traits["member"]
        member = self.service.shapes[member_ref["shape"]]
        items = self._value(member_ref, ctx, place=f"{place}[]", doc=doc)
        if ctx.view == OUTPUT and traits.get("sparse"):
            items = {"anyOf": [items, {"type": "null"}]}
        schema: Schema = {"type": "array", "items": items}
        rules = [self._rule(f"{place}.type", ["type"], _text.sentence(doc, f"Type: {_array_of(member_ref, member)}"))]
        self._bounds(traits, schema, rules, ("minItems", "maxItems"), f"{place}.items", _text.items_line, doc)
        schema["x-rules"] = rules
        return schema

    def _map(self, traits: Mapping[str, Any], ctx: _Context, *, place: str, doc: str) -> Schema:
        key_traits = self.service.shape(traits["key"])
        value_ref = traits["value"]
        value_traits = self.service.shapes[value_ref["shape"]]
        values = self._value(value_ref, ctx, place=f"{place}.*", doc=doc)
        schema: Schema = {"type": "object", "additionalProperties": values}
        keys = self._key(key_traits, ctx, place=f"{place}.<key>", doc=doc)
        if keys:
            schema["propertyNames"] = keys
        value_type = _TYPE_NAMES.get(value_traits["type"], "").lower() or f"{value_ref['shape']} object"
        rules = [self._rule(f"{place}.type", ["type"], _text.sentence(doc, f"Type: String to {value_type} map"))]
        self._bounds(
            traits, schema, rules, ("minProperties", "maxProperties"), f"{place}.entries", _text.entries_line, doc
        )
        schema["x-rules"] = rules
        return schema

    def _key(self, traits: Mapping[str, Any], ctx: _Context, *, place: str, doc: str) -> Schema:
        """A map key's constraints (keys are JSON strings whatever the schema says)."""
        schema: Schema = {}
        rules: list[Schema] = []
        self._string_constraints(traits, schema, rules, ctx, place=place, doc=doc)
        if rules:
            schema["x-rules"] = rules
        return schema

    def _scalar(self, traits: Mapping[str, Any], ctx: _Context, *, place: str, doc: str) -> Schema:
        kind = traits["type"]
        schema: Schema = {}
        rules: list[Schema] = []
        type_line = f"Type: {_TYPE_NAMES.get(kind, kind)}"
        type_keywords = ["type"]
        if kind == "string" and traits.get("jsonvalue") and ctx.where == "header":
            return {}  # any JSON value, sent as base64 JSON text: no constraint, so no rule
        if kind == "string":
            schema["type"] = "string"
            self._string_constraints(traits, schema, rules, ctx, place=place, doc=doc)
        elif kind in ("integer", "long"):
            schema["type"] = "integer"
            self._bounds(traits, schema, rules, ("minimum", "maximum"), f"{place}.range", _text.range_line, doc)
        elif kind in ("float", "double"):
            if ctx.view == OUTPUT:
                schema.update(type=["number", "string"], pattern=NON_FINITE)
                type_keywords = ["type", "pattern"]
                type_line += " (NaN, Infinity and -Infinity are strings)"
            else:
                schema["type"] = "number"
            self._bounds(traits, schema, rules, ("minimum", "maximum"), f"{place}.range", _text.range_line, doc)
        elif kind == "boolean":
            schema["type"] = "boolean"
        elif kind == "timestamp":
            type_keywords, type_line = self._timestamp(traits, schema, ctx)
        elif kind == "blob":
            type_keywords, type_line = self._blob(traits, schema, rules, ctx, place=place, doc=doc)
        else:
            ctx.component.notes.append(f"{place}: botocore type {kind!r} is not encoded")
            return {}
        rules.insert(0, self._rule(f"{place}.type", type_keywords, _text.sentence(doc, type_line)))
        if traits.get("idempotencyToken"):
            schema["x-idempotency-token"] = True
        schema["x-rules"] = rules
        return schema

    def _string_constraints(
        self, traits: Mapping[str, Any], schema: Schema, rules: list[Schema], ctx: _Context, *, place: str, doc: str
    ) -> None:
        self._bounds(traits, schema, rules, ("minLength", "maxLength"), f"{place}.length", _text.length_line, doc)
        if "pattern" in traits:
            try:
                translated = to_ecma(str(traits["pattern"]))
            except Untranslatable as exc:
                ctx.component.notes.append(f"{place}: pattern left out: {exc}")
            else:
                schema["pattern"] = translated.pattern
                line = _text.pattern_line(str(traits["pattern"]))
                if translated.changed:
                    line += f" (as ECMA-262: {translated.pattern})"
                rules.append(self._rule(f"{place}.pattern", ["pattern"], _text.sentence(doc, line)))
        if traits.get("enum"):
            values = list(dict.fromkeys(traits["enum"]))
            schema["enum"] = values
            rules.append(self._rule(f"{place}.enum", ["enum"], _text.sentence(doc, _text.values_line(values))))

    def _bounds(
        self,
        traits: Mapping[str, Any],
        schema: Schema,
        rules: list[Schema],
        keywords: tuple[str, str],
        rule_id: str,
        line: Callable[[Any, Any], str],
        doc: str,
    ) -> None:
        """The model's ``min``/``max`` as ``keywords`` (lengths, counts or a range), one rule."""
        low, high = traits.get("min"), traits.get("max")
        if low is None and high is None:
            return
        owned: list[str] = []
        for keyword, value in zip(keywords, (low, high), strict=True):
            if value is not None:
                schema[keyword] = value
                owned.append(keyword)
        rules.append(self._rule(rule_id, owned, _text.sentence(doc, line(low, high))))

    def _timestamp(self, traits: Mapping[str, Any], schema: Schema, ctx: _Context) -> tuple[list[str], str]:
        if ctx.view == OUTPUT:
            # botocore's parser takes epoch seconds (a number or its text) or any date text
            schema["type"] = ["number", "string"]
            return ["type"], "Type: Timestamp (epoch seconds, or a date as text)"
        form = str(traits.get("timestampFormat") or _DEFAULT_TIMESTAMP.get(ctx.where, "unixTimestamp"))
        if form.lower() == "iso8601":
            schema.update(type="string", pattern=ISO_8601)
            return ["type", "pattern"], "Type: Timestamp (ISO 8601, e.g. 2026-12-01T10:00:00Z)"
        if form.lower() == "rfc822":
            schema.update(type="string", pattern=HTTP_DATE)
            return ["type", "pattern"], "Type: Timestamp (an HTTP-date, e.g. Tue, 01 Dec 2026 10:00:00 GMT)"
        schema["type"] = "number"
        return ["type"], "Type: Timestamp (epoch seconds)"

    def _blob(
        self, traits: Mapping[str, Any], schema: Schema, rules: list[Schema], ctx: _Context, *, place: str, doc: str
    ) -> tuple[list[str], str]:
        low, high = traits.get("min"), traits.get("max")
        if ctx.where == "payload":
            schema["type"] = "string"
            if low is not None or high is not None:
                ctx.component.notes.append(
                    f"{place}: the payload's length in bytes ({low} to {high}) bounds no text: left out"
                )
            return ["type"], "Type: Binary data (the body itself, as text)"
        schema["type"] = "string"
        if ctx.view == OUTPUT:
            return ["type"], "Type: Base64-encoded binary data object"
        schema["pattern"] = BASE64
        # n bytes are 4 * ceil(n / 3) characters of base64: a bound on the bytes is a bound on
        # the text only where that is exact (a minimum of 3k + 1 bytes, a maximum of 3k bytes)
        bounds: dict[str, int] = {}
        if low is not None and (low == 0 or low % 3 == 1):
            bounds["minLength"] = 4 * -(-int(low) // 3)
        if high is not None and high % 3 == 0:
            bounds["maxLength"] = 4 * int(high) // 3
        left = [
            f"{what} of {value} bytes"
            for what, value, key in (("a minimum", low, "minLength"), ("a maximum", high, "maxLength"))
            if value is not None and key not in bounds
        ]
        if left:
            ctx.component.notes.append(f"{place}: {' and '.join(left)} is no exact bound on base64 text: left out")
        if bounds:
            schema.update(bounds)
            line = _text.length_line(low if "minLength" in bounds else None, high if "maxLength" in bounds else None)
            rules.append(
                self._rule(f"{place}.length", list(bounds), _text.sentence(doc, f"{line} (bytes, before base64)"))
            )
        return ["type", "pattern"], "Type: Base64-encoded binary data object"


# --------------------------------------------------------------------------- helpers


def _nested(view: str) -> str:
    return {INPUT_ROOT: INPUT, OUTPUT_ROOT: OUTPUT}.get(view, view)


def _doc(ref: Mapping[str, Any], traits: Mapping[str, Any]) -> str:
    return _text.first_sentence(ref.get("documentation") or traits.get("documentation"))


def _array_of(ref: Mapping[str, Any], member: Mapping[str, Any]) -> str:
    kind = member["type"]
    if kind == "structure":
        return f"Array of {ref['shape']} objects"
    if kind in ("list", "map"):
        return "Array of arrays" if kind == "list" else "Array of maps"
    return f"Array of {_TYPE_NAMES.get(kind, kind).lower()}s"


def _differing_structures(service: Service) -> set[str]:
    """The structures whose output rendering is not their input rendering: those with a
    timestamp, float, blob, sparse list or union anywhere below them (a fixed point, so that
    recursive shapes are decided too)."""
    shapes = service.shapes
    children: dict[str, set[str]] = {}
    differs: set[str] = set()
    for name, shape in shapes.items():
        if shape["type"] != "structure" or shape.get("document"):
            continue
        found: set[str] = set()
        local = bool(shape.get("union"))
        for ref in shape.get("members", {}).values():
            local |= _collect(ref["shape"], shapes, found)
        children[name] = found
        if local:
            differs.add(name)
    changed = True
    while changed:
        changed = False
        for name, found in children.items():
            if name not in differs and found & differs:
                differs.add(name)
                changed = True
    return differs


def _collect(shape_name: str, shapes: Mapping[str, Any], structures: set[str]) -> bool:
    """Whether the value ``shape_name`` differs between the views on its own, through lists
    and maps; the structures it holds are added to ``structures``."""
    stack, seen, local = [shape_name], set(), False
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        kind = shape["type"]
        if kind in ("timestamp", "float", "double", "blob"):
            local = True
        elif kind == "list":
            local |= bool(shape.get("sparse"))
            stack.append(shape["member"]["shape"])
        elif kind == "map":
            stack.append(shape["value"]["shape"])
        elif kind == "structure" and not shape.get("document"):
            structures.add(name)
    return local
