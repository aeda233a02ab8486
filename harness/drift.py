"""Drift: where a contract and the installed botocore's model of its operation disagree.

The API reference page is the contract (SPEC section 2); the SDK model is a second opinion
that changes with every botocore release.  Both sides are reduced to the same *facts*, a
flat mapping from a name to a JSON value, and every fact whose values differ is a
:class:`Difference`::

    http.method, http.path, signingName
    request                                    "object"  (the JSON type; absent: None)
    request.required                           ["targets"]
    request.targets.maxItems                   100
    request.targets[].targetIdentifier.targetId.accountId.pattern
    request.tags.<key>.maxLength, request.tags.*.maxLength     (map keys and values)
    response.status.enum                       ["DEACTIVATED", ...]
    errors.ValidationException                 400       (its HTTP status)
    errors.ValidationException.members         ["message"]

Constraint facts use JSON Schema's keyword names (``minLength`` for a string's length,
``minItems`` for a list, ``minProperties`` for a map, ``minimum`` for a number, ``pattern``,
``enum``, ``required``); a minimum length or count of 0 is the same as none.  A member (or
error) that only one side has gives one difference, its own, not one per constraint under it.

Known differences are recorded in the contract (``x-harness.drift``: fact, botocore value,
contract value, reason).  A difference with no such note, or whose values moved since the
note was written, is *new*: a botocore upgrade that changes a constraint is noticed.
A note that matches no difference any more is *stale*.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import botocore
import botocore.session
from botocore.exceptions import UnknownServiceError
from botocore.model import ListShape, MapShape, OperationModel, OperationNotFoundError, Shape, StructureShape

from harness.contract import Contract, DriftNote, resolve_pointer
from harness.rules import ITEM, KEY, VALUE, Location, format_location

Facts = dict[str, Any]


@dataclass(frozen=True)
class Difference:
    """One fact on which botocore and the contract disagree (``None``: that side lacks it)."""

    fact: str
    botocore: Any
    contract: Any

    def matches(self, note: DriftNote) -> bool:
        return note.fact == self.fact and (note.botocore, note.contract) == (
            self.botocore,
            self.contract,
        )


@dataclass(frozen=True)
class Drift:
    """The differences of one contract, sorted into recorded, new and stale."""

    contract: Contract
    botocore_version: str
    known: tuple[tuple[Difference, DriftNote], ...]
    new: tuple[Difference, ...]
    stale: tuple[DriftNote, ...]

    def recorded_as(self, difference: Difference) -> DriftNote | None:
        """The contract's note on the same fact, even when its values no longer match."""
        return next((n for n in self.contract.drift if n.fact == difference.fact), None)


def load_operation_model(service: str, operation: str) -> OperationModel | None:
    """The installed botocore's model of ``service:operation``; ``None`` when it has none."""
    session = botocore.session.get_session()
    try:
        return session.get_service_model(service).operation_model(operation)
    except (UnknownServiceError, OperationNotFoundError):
        return None


def drift(contract: Contract, model: OperationModel | None = None) -> Drift:
    """Compare ``contract`` with ``model`` (default: the installed botocore's)."""
    if model is None:
        model = load_operation_model(contract.service, contract.name)
    found = differences(contract, model)
    known: list[tuple[Difference, DriftNote]] = []
    new: list[Difference] = []
    for difference in found:
        note = next((n for n in contract.drift if difference.matches(n)), None)
        if note is None:
            new.append(difference)
        else:
            known.append((difference, note))
    stale = tuple(n for n in contract.drift if not any(d.matches(n) for d in found))
    return Drift(
        contract=contract,
        botocore_version=botocore.__version__,
        known=tuple(known),
        new=tuple(new),
        stale=stale,
    )


def differences(contract: Contract, model: OperationModel | None) -> list[Difference]:
    """Every fact on which ``model`` and ``contract`` disagree, by fact name."""
    if model is None:
        return [Difference(fact="operation", botocore=None, contract=contract.id)]
    ours, theirs = contract_facts(contract), botocore_facts(model)
    found = [
        Difference(fact=fact, botocore=theirs.get(fact), contract=ours.get(fact))
        for fact in sorted(theirs.keys() | ours.keys())
        if theirs.get(fact) != ours.get(fact)
    ]
    one_sided = [d.fact for d in found if (d.botocore is None) != (d.contract is None)]
    return [d for d in found if not any(_under(d.fact, parent) for parent in one_sided)]


def _under(fact: str, parent: str) -> bool:
    return fact != parent and fact.startswith((f"{parent}.", f"{parent}["))


# --------------------------------------------------------------------------- botocore's side

_JSON_TYPES = {
    "structure": "object",
    "map": "object",
    "list": "array",
    "string": "string",
    "blob": "string",  # base64 text in a JSON body
    "boolean": "boolean",
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "timestamp": "number",  # restJson1 bodies carry epoch seconds by default
}

_LENGTH_KEYWORDS = {
    "string": ("minLength", "maxLength"),
    "blob": ("minLength", "maxLength"),
    "list": ("minItems", "maxItems"),
    "map": ("minProperties", "maxProperties"),
    "integer": ("minimum", "maximum"),
    "long": ("minimum", "maximum"),
    "float": ("minimum", "maximum"),
    "double": ("minimum", "maximum"),
}

#: A minimum of 0 for these is no constraint at all: a length or a count is never negative.
_COUNTS_FROM_ZERO = frozenset({"minLength", "minItems", "minProperties"})

#: Members bound elsewhere than the JSON body (headers, URI, query string) are not body facts.
_NON_BODY_LOCATIONS = frozenset({"header", "headers", "uri", "querystring", "statusCode"})


def botocore_facts(model: OperationModel) -> Facts:
    facts: Facts = {
        "http.method": model.http.get("method"),
        "http.path": model.http.get("requestUri"),
        "signingName": model.service_model.signing_name,
    }
    if model.input_shape is not None:
        facts.update(_shape_facts(model.input_shape, "request", ()))
    if model.output_shape is not None and _body_members(model.output_shape):
        facts.update(_shape_facts(model.output_shape, "response", ()))
    for error in model.error_shapes:
        status = error.metadata.get("error", {}).get("httpStatusCode")
        facts[f"errors.{error.name}"] = status
        facts[f"errors.{error.name}.members"] = sorted(_body_members(error))
    return facts


def _body_members(shape: Shape) -> dict[str, Shape]:
    members: Mapping[str, Shape] = getattr(shape, "members", {})
    return {
        member.serialization.get("name", name): member
        for name, member in members.items()
        if member.serialization.get("location") not in _NON_BODY_LOCATIONS
    }


def _shape_facts(
    shape: Shape, root: str, location: Location, within: tuple[str, ...] = ()
) -> Iterator[tuple[str, Any]]:
    here = _fact_name(root, location)
    yield here, _JSON_TYPES.get(shape.type_name, shape.type_name)
    if shape.name in within:
        return  # a recursive shape: its facts are already there, one level up
    within = (*within, shape.name)
    meta = shape.metadata
    low, high = _LENGTH_KEYWORDS.get(shape.type_name, (None, None))
    if low is not None and "min" in meta and not (low in _COUNTS_FROM_ZERO and meta["min"] == 0):
        yield f"{here}.{low}", meta["min"]
    if high is not None and "max" in meta:
        yield f"{here}.{high}", meta["max"]
    if "pattern" in meta:
        yield f"{here}.pattern", meta["pattern"]
    enum = getattr(shape, "enum", None)
    if enum:
        yield f"{here}.enum", sorted(enum)
    if meta.get("idempotencyToken"):
        yield f"{here}.idempotencyToken", True
    if isinstance(shape, StructureShape):
        members = _body_members(shape)
        required = sorted(_json_name(shape, name) for name in meta.get("required", ()))
        if meta.get("union"):
            yield f"{here}.union", True
            # A union has exactly one member set, so a union of one member requires it.
            if len(members) == 1:
                required = sorted(members)
        if required:
            yield f"{here}.required", required
        for name, member in members.items():
            yield from _shape_facts(member, root, (*location, name), within)
    elif isinstance(shape, ListShape):
        yield from _shape_facts(shape.member, root, (*location, ITEM), within)
    elif isinstance(shape, MapShape):
        yield from _shape_facts(shape.key, root, (*location, KEY), within)
        yield from _shape_facts(shape.value, root, (*location, VALUE), within)


def _json_name(structure: Shape, member: str) -> str:
    members: Mapping[str, Shape] = getattr(structure, "members", {})
    shape = members.get(member)
    return shape.serialization.get("name", member) if shape is not None else member


def _fact_name(root: str, location: Location) -> str:
    return root + format_location(location)[1:]


# --------------------------------------------------------------------------- the contract's side


def contract_facts(contract: Contract) -> Facts:
    facts: Facts = {
        "http.method": contract.method,
        "http.path": contract.path,
        "signingName": contract.signing_name,
    }
    facts.update(_schema_facts(contract, contract.request_schema(), "request", ()))
    if contract.success_pointer is not None:
        success = resolve_pointer(contract.document, contract.success_pointer)
        facts.update(_schema_facts(contract, success, "response", ()))
    for name, status in contract.errors.items():
        facts[f"errors.{name}"] = status
        schema = resolve_pointer(contract.document, contract.error_schema_pointers[name])
        facts[f"errors.{name}.members"] = sorted(_resolved(contract, schema)[0].get("properties", {}))
    return facts


def _resolved(contract: Contract, schema: Mapping[str, Any], pointer: str = "") -> tuple[Mapping[str, Any], str]:
    while "$ref" in schema:
        schema, pointer = contract.resolve(schema)
    return schema, pointer


def _schema_facts(
    contract: Contract, schema: Mapping[str, Any], root: str, location: Location, within: tuple[str, ...] = ()
) -> Iterator[tuple[str, Any]]:
    schema, pointer = _resolved(contract, schema)
    here = _fact_name(root, location)
    kind = schema.get("type")
    if kind is None and location and location[-1] is KEY:
        kind = "string"  # property names are strings whether the schema says so or not
    yield here, kind
    if pointer and pointer in within:
        return  # a recursive schema: its facts are already there, one level up
    within = (*within, pointer) if pointer else within
    for keyword in (
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "minimum",
        "maximum",
    ):
        value = schema.get(keyword)
        if value is not None and not (keyword in _COUNTS_FROM_ZERO and value == 0):
            yield f"{here}.{keyword}", value
    if "pattern" in schema:
        yield f"{here}.pattern", schema["pattern"]
    if "enum" in schema:
        yield f"{here}.enum", sorted(schema["enum"])
    elif "const" in schema:
        yield f"{here}.enum", [schema["const"]]
    if schema.get("x-idempotency-token"):
        yield f"{here}.idempotencyToken", True
    if schema.get("x-union"):
        yield f"{here}.union", True
    if schema.get("required"):
        yield f"{here}.required", sorted(schema["required"])
    for name, sub in schema.get("properties", {}).items():
        yield from _schema_facts(contract, sub, root, (*location, name), within)
    if isinstance(schema.get("items"), Mapping):
        yield from _schema_facts(contract, schema["items"], root, (*location, ITEM), within)
    if isinstance(schema.get("propertyNames"), Mapping):
        yield from _schema_facts(contract, schema["propertyNames"], root, (*location, KEY), within)
    elif isinstance(schema.get("additionalProperties"), Mapping):
        yield _fact_name(root, (*location, KEY)), "string"  # a map's keys, unconstrained
    if isinstance(schema.get("additionalProperties"), Mapping):
        yield from _schema_facts(contract, schema["additionalProperties"], root, (*location, VALUE), within)
