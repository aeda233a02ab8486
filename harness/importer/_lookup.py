"""Which operations an argument names, and the contract of an operation id, imported when no
contract file has it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from harness.contract import Contract, contract_from_document
from harness.errors import UsageError
from harness.importer import _model
from harness.importer._model import NotImported
from harness.importer._operation import OperationImport
from harness.importer._schemas import Schemas


class ServiceImporter:
    """The operations of one JSON service; its shapes are rendered once for all of them."""

    def __init__(
        self, service: str, *, model: Mapping[str, Any] | None = None, examples: Mapping[str, Any] | None = None
    ) -> None:
        """``service``: botocore's, or the name of ``model``, a ``service-2.json`` document (and
        ``examples``, its ``examples-1.json``)."""
        if model is None:
            self.schemas = Schemas(_model.service(service))
        else:
            self.schemas = Schemas(_model.make_service(service, model, example_document=examples))

    @property
    def operation_ids(self) -> list[str]:
        return [f"{self.schemas.service.name}:{name}" for name in self.schemas.service.operations]

    def document(self, operation_id: str) -> dict[str, Any]:
        """The contract document of ``SERVICE:Operation``, imported from botocore's model."""
        service, _, name = operation_id.partition(":")
        operations = self.schemas.service.operations
        if name not in operations:
            near = [f"{service}:{n}" for n in _model.closest(name, list(operations))]
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise NotImported(f"botocore {_model.botocore_version()}'s {service} has no operation {name!r}{hint}")
        return OperationImport(self.schemas, name).document()


@functools.cache
def _importer(service: str) -> ServiceImporter:
    return ServiceImporter(service)


def operation_document(operation_id: str) -> dict[str, Any]:
    """The contract document of ``SERVICE:Operation``, imported from botocore's model."""
    service, _, name = operation_id.partition(":")
    if not name:
        raise NotImported(
            f"{operation_id!r} is not an operation id: write SERVICE:Operation, e.g. scheduler:CreateSchedule"
        )
    return _importer(service).document(operation_id)


def service_operation_ids(service: str) -> list[str]:
    """Every operation id of the JSON service ``service``."""
    return [f"{service}:{name}" for name in _model.service(service).operations]


def resolve(arguments: Iterable[str]) -> list[str]:
    """The operation ids that ``ID`` or ``SERVICE`` arguments name, in order, each once."""
    found: dict[str, None] = {}
    for argument in arguments:
        if ":" in argument:
            service, _, name = argument.partition(":")
            if name not in _model.service(service).operations:
                operation_document(argument)  # raises the closest ids
            found[argument] = None
        else:
            found.update(dict.fromkeys(service_operation_ids(argument)))
    return list(found)


def find_contract(
    contracts: Mapping[str, Contract],
    operation: str,
    *,
    import_missing: bool = True,
    on_import: Callable[[Contract], None] | None = None,
) -> Contract:
    """The contract of ``operation``: its file's where one has it (a curated contract wins),
    else (``import_missing``) imported in memory from botocore's model, ``on_import`` told.

    An id neither knows is a :class:`UsageError` with the closest ids of both.
    """
    if operation in contracts:
        return contracts[operation]
    reason = ""
    botocore_ids: list[str] = []
    if import_missing and ":" in operation:
        try:
            document = operation_document(operation)
        except NotImported as exc:
            reason = str(exc)
            botocore_ids = _close_botocore_ids(operation)
        else:
            contract = contract_from_document(document, file=Path(f"<imported from botocore: {operation}>"))
            if on_import is not None:
                on_import(contract)
            return contract
    raise UsageError(unknown_operation_message(operation, contracts, also=botocore_ids, reason=reason))


def _close_botocore_ids(operation: str) -> list[str]:
    service, _, name = operation.partition(":")
    try:
        names = list(_model.service(service).operations)
    except NotImported:
        return []
    return [f"{service}:{n}" for n in _model.closest(name, names)]


def unknown_operation_message(
    operation: str, known: Iterable[str], *, also: Iterable[str] = (), reason: str = ""
) -> str:
    """``unknown operation 'X'; did you mean ...? Known operations: ...`` (closest first)."""
    ids = sorted(known)
    close = _model.closest(operation, ids)
    # "CreateScope" alone names an operation whatever its service.
    close += [i for i in ids if i.split(":", 1)[-1].lower() == operation.lower() and i not in close]
    if not close:  # botocore's ids only when no contract is close
        close = [i for i in also if i not in close]
    because = f" ({_short(reason)})" if reason and not close else ""
    hint = f"; did you mean {' or '.join(close[:3])}?" if close else ""
    return f"unknown operation {operation!r}{because}{hint} Known operations: {', '.join(ids)}"


def _short(reason: str) -> str:
    """A reason without its own suggestion (the message gives them)."""
    return reason.split("; did you mean", 1)[0]
