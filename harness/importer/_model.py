"""botocore's service models, read as the importer needs them.

The importer reads the raw model documents (``service-2.json``, ``examples-1.json``) through
botocore's own loader, not ``botocore.model``'s shape objects: a shape object is built anew
on every member access, which made an import of every operation several times slower, and
the raw document holds every trait the contract encodes.  Member traits override the traits
of the shape they name, as ``botocore.model.ShapeResolver`` merges them.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore
import botocore.session
from botocore.exceptions import DataNotFoundError, UnknownServiceError

from harness.errors import UsageError

#: The JSON protocols, by botocore's name, and the contract's name of each.
JSON_PROTOCOLS = ("rest-json", "json")

Model = Mapping[str, Any]


class NotImported(UsageError):
    """An operation or service the importer cannot import (unknown, or not a JSON protocol)."""


@dataclass(frozen=True)
class Service:
    """One botocore service model and what its contracts say about the protocol."""

    name: str
    model: Model = field(repr=False)
    protocol: str  # restJson1, awsJson1_0 or awsJson1_1
    protocols: tuple[str, ...]  # the model's own list (its protocol alone when it has none)
    example_document: Mapping[str, Any] | None = field(default=None, repr=False)  # examples-1.json

    def examples_of(self, operation: str) -> list[Mapping[str, Any]]:
        """The examples of ``operation`` (``examples-1.json``: botocore's own unless given)."""
        document = self.example_document
        if document is None:
            document = {"examples": examples(self.name, self.api_version)}
        return list(document.get("examples", {}).get(operation, ()))

    @property
    def metadata(self) -> Mapping[str, Any]:
        metadata: Mapping[str, Any] = self.model["metadata"]
        return metadata

    @property
    def shapes(self) -> Mapping[str, Any]:
        shapes: Mapping[str, Any] = self.model["shapes"]
        return shapes

    @property
    def operations(self) -> Mapping[str, Any]:
        operations: Mapping[str, Any] = self.model["operations"]
        return operations

    @property
    def api_version(self) -> str:
        return str(self.metadata["apiVersion"])

    @property
    def signing_name(self) -> str:
        return str(self.metadata.get("signingName") or self.metadata["endpointPrefix"])

    @property
    def target_prefix(self) -> str | None:
        prefix = self.metadata.get("targetPrefix")
        return str(prefix) if prefix is not None else None

    @property
    def source(self) -> str:
        """The ``source`` of every rule imported from this model."""
        return f"botocore:{self.name}/{self.api_version}"

    def shape(self, ref: Mapping[str, Any]) -> Mapping[str, Any]:
        """The traits of the shape ``ref`` names, the member's own traits over them."""
        base = self.shapes[ref["shape"]]
        if len(ref) == 1:
            return base  # type: ignore[no-any-return]  # read only, as every caller uses it
        merged = dict(base)
        merged.update(ref)
        del merged["shape"]
        return merged


def botocore_version() -> str:
    return str(botocore.__version__)


@functools.cache
def _loader() -> Any:
    return botocore.session.get_session().get_component("data_loader")


@functools.cache
def service_names() -> tuple[str, ...]:
    """Every service of the installed botocore, JSON or not."""
    return tuple(_loader().list_available_services("service-2"))


def raw_model(name: str) -> Model:
    try:
        model: Model = _loader().load_service_model(name, "service-2")
    except (UnknownServiceError, DataNotFoundError):
        raise NotImported(unknown_service_message(name)) from None
    return model


def choose_protocol(metadata: Mapping[str, Any]) -> str | None:
    """The contract protocol of a model: its ``protocol`` if JSON, else the first JSON one of
    its ``protocols`` (a CBOR service that also speaks ``json`` is awsJson); ``None`` if none."""
    listed = [str(p) for p in metadata.get("protocols") or [metadata.get("protocol")]]
    for candidate in [str(metadata.get("protocol")), *listed]:
        if candidate == "rest-json":
            return "restJson1"
        if candidate == "json":
            version = str(metadata.get("jsonVersion", "1.0"))
            return "awsJson1_1" if version == "1.1" else "awsJson1_0"
    return None


@functools.cache
def service(name: str) -> Service:
    """The JSON service ``name``; :class:`NotImported` naming its protocol if it is not one."""
    return make_service(name, raw_model(name))


def make_service(name: str, model: Model, *, example_document: Model | None = None) -> Service:
    """The JSON service of a model document (``service-2.json``) named ``name``."""
    metadata = model["metadata"]
    protocols = tuple(str(p) for p in metadata.get("protocols") or [metadata.get("protocol")])
    protocol = choose_protocol(metadata)
    if protocol is None:
        raise NotImported(
            f"{name} speaks {' and '.join(_protocol_name(p) for p in protocols)}, not a JSON protocol "
            "(restJson1, awsJson1.0 or awsJson1.1): the harness tests only AWS JSON APIs"
        )
    if protocol.startswith("awsJson") and metadata.get("targetPrefix") is None:
        raise NotImported(f"{name} speaks awsJson but its model gives no targetPrefix for X-Amz-Target")
    return Service(name=name, model=model, protocol=protocol, protocols=protocols, example_document=example_document)


def is_json_service(name: str) -> bool:
    return choose_protocol(raw_model(name)["metadata"]) is not None


def json_service_names() -> list[str]:
    return [name for name in service_names() if is_json_service(name)]


@functools.cache
def examples(name: str, api_version: str) -> Mapping[str, Any]:
    """botocore's ``examples-1.json`` of a service, by operation (empty when it has none)."""
    try:
        document = _loader().load_service_model(name, "examples-1", api_version)
    except (UnknownServiceError, DataNotFoundError):
        return {}
    found: Mapping[str, Any] = document.get("examples", {})
    return found


_PROTOCOL_NAMES = {
    "rest-json": "restJson1",
    "json": "awsJson",
    "rest-xml": "restXml",
    "query": "awsQuery",
    "ec2": "ec2Query",
    "smithy-rpc-v2-cbor": "Smithy RPC v2 CBOR",
}


def _protocol_name(protocol: str) -> str:
    return _PROTOCOL_NAMES.get(protocol, protocol)


def closest(word: str, choices: list[str], *, n: int = 3) -> list[str]:
    """The closest of ``choices`` to ``word`` (case-insensitive, difflib)."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    return [by_lower[m] for m in difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6)]


def unknown_service_message(name: str) -> str:
    near = closest(name, list(service_names()))
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    return f"botocore {botocore_version()} has no service {name!r}{hint} (`harness import --all` imports every one)"
