"""botocore's ``examples-1.json`` inputs in the operation input's form, kept where they are valid.

An example is written as a boto3 call's parameters: member names at every level, timestamps
as text or epoch numbers, blobs as text.  The operation input (docs/imported-contracts.md)
keys nested members by their wire names and gives each scalar the form of its location, so
each example is translated; one that the contract refuses (a placeholder where a pattern is
due, a member the model does not have) is left out with a note, never written: a contract
whose example breaks it does not load.
"""

from __future__ import annotations

import base64
import calendar
import datetime
from collections.abc import Mapping
from email.utils import formatdate
from typing import Any

from botocore.utils import parse_timestamp
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness.importer._model import Service
from harness.importer._schemas import Schemas
from harness.validator import EcmaValidator

_URI = "urn:harness:import"


class _Unfit(ValueError):
    """An example that cannot be put in the operation input's form."""


def translate(schemas: Schemas, operation: str, document: Mapping[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    """The operation's examples that are valid inputs of ``document``; a note for each one left out."""
    service = schemas.service
    raw = service.examples_of(operation)
    if not raw:
        return []
    model = service.operations[operation]
    kept: list[dict[str, Any]] = []
    validator = None
    for index, example in enumerate(raw):
        title = str(example.get("title") or example.get("id") or f"example {index + 1}")
        try:
            value = _input(service, model, example.get("input", {}))
        except _Unfit as exc:
            notes.append(f"example {title!r} left out: {exc}")
            continue
        if validator is None:
            validator = _validator(document)
        error = next(iter(sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            where = error.json_path
            notes.append(f"example {title!r} left out: {where}: {error.message}")
            continue
        kept.append({"title": title, "input": value})
    return kept


def _validator(document: Mapping[str, Any]) -> Any:
    pointer = str(document["x-harness"]["input"])[1:]
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return EcmaValidator({"$ref": f"{_URI}#{pointer}"}, registry=registry)


def _input(service: Service, model: Mapping[str, Any], value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Unfit("its input is not an object")
    ref = model.get("input")
    if ref is None:
        if value:
            raise _Unfit("the operation has no input members")
        return {}
    shape = service.shapes[ref["shape"]]
    members = shape.get("members", {})
    located = service.protocol == "restJson1"
    out: dict[str, Any] = {}
    for member, item in value.items():
        member_ref = members.get(member)
        if member_ref is None:
            raise _Unfit(f"member {member!r} is not in the model")
        location = member_ref.get("location") if located else None
        where = "payload" if located and member == shape.get("payload") else (location or "body")
        out[member] = _value(service, member_ref, item, where=where, path=member)
    return out


def _value(service: Service, ref: Mapping[str, Any], value: Any, *, where: str, path: str) -> Any:
    traits = service.shape(ref)
    kind = traits["type"]
    if kind == "structure" and not traits.get("document"):
        if not isinstance(value, dict):
            return value  # the contract's validation names the wrong type
        members = traits.get("members", {})
        out: dict[str, Any] = {}
        for member, item in value.items():
            member_ref = members.get(member)
            if member_ref is None:
                raise _Unfit(f"member {path}.{member} is not in the model")
            out[str(member_ref.get("locationName", member))] = _value(
                service, member_ref, item, where="body", path=f"{path}.{member}"
            )
        return out
    if kind == "list" and isinstance(value, list):
        return [_value(service, traits["member"], item, where=where, path=f"{path}[]") for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _value(service, traits["value"], v, where=where, path=f"{path}.{k}") for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp(traits, value, where=where, path=path)
    if kind == "blob" and isinstance(value, str) and where != "payload":
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    return value


_DEFAULT_FORMAT = {"body": "unixtimestamp", "uri": "iso8601", "querystring": "iso8601", "header": "rfc822"}


def _timestamp(traits: Mapping[str, Any], value: Any, *, where: str, path: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return value  # the contract's validation names the wrong type
    try:
        moment = parse_timestamp(value)  # type: ignore[arg-type]  # it takes epoch numbers too
    except (ValueError, TypeError, OverflowError):
        raise _Unfit(f"{path}: {value!r} is not a timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    moment = moment.astimezone(datetime.UTC)
    form = str(traits.get("timestampFormat") or _DEFAULT_FORMAT.get(where, "unixtimestamp")).lower()
    if form == "iso8601":
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{text}.{moment.microsecond:06d}Z" if moment.microsecond else f"{text}Z"
    seconds = calendar.timegm(moment.timetuple())
    if form == "rfc822":
        return formatdate(seconds, usegmt=True)
    return seconds + moment.microsecond / 1_000_000 if moment.microsecond else seconds
