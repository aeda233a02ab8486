"""Contracts: what one operation accepts and answers, loaded from ``contracts/*.json``.

A contract file is an OpenAPI 3.1 document holding one operation (see ARCHITECTURE.md for
why) plus the ``x-harness`` extension for what OpenAPI cannot say: the AWS operation id,
protocol and signing name, error names per status, provider-state scenarios, idempotency and
the known differences from the SDK model.  A contract is curated from the API reference page,
or imported from botocore's model (``harness import``, docs/imported-contracts.md: the
operation *input* and where each member goes).  The engine only ever reads :class:`Contract`;
it knows no operation by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from harness.contract._checks import (
    check_examples,
    check_references,
    check_rules,
    check_scenario_members,
    check_schemas,
    check_shape,
    operation_pointer,
)
from harness.contract._pointers import escape, resolve_pointer
from harness.errors import ContractError
from harness.pointer import Pointer
from harness.rules import Rule, collect_rules
from harness.validator import SchemaValidator

__all__ = [
    "JSON_MEDIA_TYPES",
    "Contract",
    "DriftNote",
    "Echo",
    "Example",
    "Expectation",
    "Idempotency",
    "Imported",
    "Scenario",
    "contract_from_document",
    "default_contracts_dir",
    "load_contract",
    "load_contracts",
    "resolve_pointer",
]

#: The media type of a JSON body, by protocol.
JSON_MEDIA_TYPES = {
    "restJson1": "application/json",
    "awsJson1_0": "application/x-amz-json-1.0",
    "awsJson1_1": "application/x-amz-json-1.1",
}


@dataclass(frozen=True)
class Expectation:
    statuses: tuple[int, ...]
    error: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A case that needs a provider state (or documents a state-free outcome)."""

    name: str
    state: str | None
    params: Mapping[str, Any]
    expect: Expectation
    doc: str
    idempotency_token: str = "new"  # "new", "none" or "retry" (see the contract meta-schema)
    changed: tuple[Pointer, ...] = ()  # members given another value once the params are read
    then: Expectation | None = None
    then_doc: str = ""

    @property
    def statuses_expected(self) -> tuple[int, ...]:
        """Every status the scenario may expect, its follow-up's included."""
        then = self.then.statuses if self.then is not None else ()
        return (*self.expect.statuses, *then)


@dataclass(frozen=True)
class Idempotency:
    """An idempotency token.  A curated contract names the repeated members and the conflict;
    an imported one says SPEC 7.4's: every member of the success body repeats, and another
    input with the same token gets any documented status but the success status."""

    token: Pointer  # the token in the operation input
    same_response: tuple[Pointer, ...]  # the response members that must repeat
    conflict: Expectation
    doc: str


@dataclass(frozen=True)
class Echo:
    """A member of the 200 body that repeats a request member as sent."""

    request: Pointer  # in the request body
    response: Pointer  # in the 200 body
    doc: str


@dataclass(frozen=True)
class DriftNote:
    fact: str
    botocore: Any
    contract: Any
    reason: str


@dataclass(frozen=True)
class Example:
    """A known valid operation input (``x-harness.examples``): botocore's examples, imported."""

    title: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class Imported:
    """Where an imported contract comes from (``x-harness.imported``)."""

    service: str
    api_version: str
    botocore: str
    protocols: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    """One operation's contract."""

    id: str
    file: Path
    document: Mapping[str, Any] = field(repr=False)
    method: str
    path: str
    signing_name: str
    error_message_member: str
    success_body: str  # "json", "empty", and for imported contracts "jsonOrEmpty" or "raw"
    statuses: tuple[int, ...]
    errors: Mapping[str, int]  # error name -> status
    error_schema_pointers: Mapping[str, str]
    request_pointer: str  # the input schema: the request body's schema for a curated contract
    success_pointer: str | None
    scenarios: tuple[Scenario, ...]
    idempotency: Idempotency | None
    drift: tuple[DriftNote, ...]
    echoes: tuple[Echo, ...] = ()
    protocol: str = "restJson1"  # restJson1, awsJson1_0 or awsJson1_1
    target_prefix: str | None = None  # awsJson: X-Amz-Target is {target_prefix}.{name}
    success_status: int = 200
    examples: tuple[Example, ...] = ()
    imported: Imported | None = None  # None: curated from the documentation
    bindings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # as x-harness.bindings has them
    static_query: tuple[tuple[str, str], ...] = ()
    auth: str = "sigv4"  # sigv4, sigv4a, bearer or none (the model says the operation is unsigned)
    import_notes: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def uri(self) -> str:
        return f"urn:harness:contract:{self.id}"

    @property
    def input_pointer(self) -> str:
        """The pointer of the operation input's schema (the request body's, when curated)."""
        return self.request_pointer

    @cached_property
    def request_rules(self) -> tuple[Rule, ...]:
        return tuple(self._rules_at(self.request_pointer))

    @cached_property
    def response_rules(self) -> tuple[Rule, ...]:
        return tuple(self._rules_at(self.success_pointer)) if self.success_pointer else ()

    @cached_property
    def request_validator(self) -> SchemaValidator:
        return self._validator_at(self.request_pointer, list(self.request_rules))

    @cached_property
    def success_validator(self) -> SchemaValidator | None:
        if self.success_pointer is None:
            return None
        return self._validator_at(self.success_pointer, list(self.response_rules))

    def error_validator(self, error_name: str) -> SchemaValidator | None:
        pointer = self.error_schema_pointers.get(error_name)
        if pointer is None:
            return None
        validator = self._error_validators.get(error_name)
        if validator is None:  # built once per error name (an error answer asks for it each time)
            validator = self._error_validators[error_name] = self._validator_at(pointer, [])
        return validator

    @cached_property
    def _error_validators(self) -> dict[str, SchemaValidator]:
        return {}

    @cached_property
    def state_only_statuses(self) -> frozenset[int]:
        """The statuses expected only of scenarios with a provider state: not of a scenario
        without one, not of idempotency, and never 200 or 400."""
        with_state = {s for sc in self.scenarios if sc.state is not None for s in sc.statuses_expected}
        without_state = {s for sc in self.scenarios if sc.state is None for s in sc.statuses_expected}
        if self.idempotency is not None:
            without_state |= set(self.idempotency.conflict.statuses)
        return frozenset(with_state - without_state - {200, 400})

    def request_schema(self) -> Mapping[str, Any]:
        schema: Mapping[str, Any] = resolve_pointer(self.document, self.request_pointer)
        return schema

    def resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
        """Follow a local ``$ref`` node; return the target and its pointer."""
        pointer = str(node["$ref"])[1:]
        return resolve_pointer(self.document, pointer), pointer

    def _rules_at(self, pointer: str) -> list[Rule]:
        return collect_rules(
            operation=self.id,
            schema=resolve_pointer(self.document, pointer),
            pointer=pointer,
            resolve=self.resolve,
        )

    def _validator_at(self, pointer: str, rules: list[Rule]) -> SchemaValidator:
        return SchemaValidator(document=self.document, uri=self.uri, pointer=pointer, rules=rules)


# --------------------------------------------------------------------------- loading


def default_contracts_dir() -> Path:
    """The copy shipped inside the package (a wheel's), else ``contracts/`` of a source checkout.

    The shipped copy is asked for first: installed, the folder beside the package is
    site-packages, whose ``contracts`` may be another distribution's package.
    """
    shipped = Path(str(resources.files("harness") / "_contracts"))
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "contracts"


def load_contracts(directory: Path | None = None, *, only: Sequence[str] = ()) -> dict[str, Contract]:
    """Every contract of ``directory`` (default: :func:`default_contracts_dir`), by id.

    ``only``: the operations wanted; when each has its file under its own name
    (``{service}-{Operation}.json``, as ``harness import`` writes it), only those files are
    read: a folder of thousands of imported contracts answers one ``--operation`` at once.
    """
    directory = directory or default_contracts_dir()
    if not directory.is_dir():
        raise ContractError(file=directory, pointer="", message="no such contracts directory")
    if only:
        named = [directory / f"{operation.replace(':', '-')}.json" for operation in only]
        if all(file.is_file() for file in named):
            chosen = {contract.id: contract for contract in map(load_contract, named)}
            if set(chosen) == set(only):
                return chosen
    contracts: dict[str, Contract] = {}
    for file in sorted(directory.glob("*.json")):
        contract = load_contract(file)
        if contract.id in contracts:
            raise ContractError(
                file=file,
                pointer="/x-harness/operation",
                message=f"operation {contract.id} is also defined in {contracts[contract.id].file}",
            )
        contracts[contract.id] = contract
    if not contracts:
        raise ContractError(file=directory, pointer="", message="no contract files (*.json) found")
    return contracts


def load_contract(file: Path) -> Contract:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(file=file, pointer="", message=f"cannot be read: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(
            file=file, pointer="", message=f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    return contract_from_document(document, file=file)


def contract_from_document(document: Any, *, file: Path) -> Contract:
    """The contract of a document already parsed (``file`` names it in errors), checked as
    :func:`load_contract` checks a file."""
    check_shape(file, document)
    check_references(file, document)
    check_schemas(file, document)
    contract = _build(file, document)
    check_rules(contract)
    check_scenario_members(contract)
    check_examples(contract)
    return contract


def _expectation(raw: Mapping[str, Any]) -> Expectation:
    status = raw["status"]
    statuses = tuple(status) if isinstance(status, list) else (status,)
    return Expectation(statuses=statuses, error=raw.get("error"))


def _build(file: Path, document: Mapping[str, Any]) -> Contract:
    ext = document["x-harness"]
    ((path, item),) = document["paths"].items()
    ((method, operation),) = item.items()
    base = operation_pointer(path, method)
    errors: dict[str, int] = {}
    error_pointers: dict[str, str] = {}
    for status, response in operation["responses"].items():
        for name, target in response.get("x-aws-errors", {}).items():
            errors[name] = int(status)
            error_pointers[name] = str(target)[1:]
    request_pointer = _input_pointer(file, document, ext, operation, base)
    success_status = int(ext.get("successStatus", 200))
    if str(success_status) not in operation["responses"]:
        raise ContractError(
            file=file,
            pointer=f"{base}/responses",
            message=f"no response for the success status {success_status}: add it, or fix x-harness.successStatus",
        )
    success = operation["responses"][str(success_status)]
    success_pointer = _success_pointer(ext, success, f"{base}/responses/{success_status}")
    idem = ext.get("idempotency")
    for index, raw in enumerate(ext.get("scenarios", ())):
        expected = _expectation(raw["expect"])
        for status in expected.statuses:
            if str(status) not in operation["responses"]:
                raise ContractError(
                    file=file,
                    pointer=f"/x-harness/scenarios/{index}/expect/status",
                    message=f"status {status} is not among the operation's responses",
                )
        if expected.error is not None and errors.get(expected.error) not in expected.statuses:
            raise ContractError(
                file=file,
                pointer=f"/x-harness/scenarios/{index}/expect/error",
                message=f"error {expected.error} is not declared for status {expected.statuses}",
            )
    return Contract(
        id=ext["operation"],
        file=file,
        document=document,
        method=method.upper(),
        path=path,
        signing_name=ext["signingName"],
        error_message_member=ext["errorMessageMember"],
        success_body=ext["successBody"],
        statuses=tuple(sorted(int(s) for s in operation["responses"])),
        errors=errors,
        error_schema_pointers=error_pointers,
        request_pointer=request_pointer,
        success_pointer=success_pointer,
        scenarios=tuple(
            Scenario(
                name=raw["name"],
                state=raw["state"],
                params=raw.get("params", {}),
                expect=_expectation(raw["expect"]),
                doc=raw["doc"],
                idempotency_token=raw.get("request", {}).get("idempotencyToken", "new"),
                changed=tuple(Pointer.parse(p) for p in raw.get("request", {}).get("changed", ())),
                then=_expectation(raw["then"]["expect"]) if "then" in raw else None,
                then_doc=raw.get("then", {}).get("doc", ""),
            )
            for raw in ext.get("scenarios", ())
        ),
        idempotency=_idempotency(idem, document, success_pointer, success_status, operation["responses"])
        if idem
        else None,
        echoes=tuple(
            Echo(request=Pointer.parse(e["request"]), response=Pointer.parse(e["response"]), doc=e["doc"])
            for e in ext.get("echo", ())
        ),
        drift=tuple(
            DriftNote(fact=d["fact"], botocore=d["botocore"], contract=d["contract"], reason=d["reason"])
            for d in ext.get("drift", ())
        ),
        protocol=ext["protocol"],
        target_prefix=ext.get("targetPrefix"),
        success_status=success_status,
        examples=tuple(Example(title=e["title"], input=e["input"]) for e in ext.get("examples", ())),
        imported=_imported(ext.get("imported")),
        bindings=ext.get("bindings", {}),
        static_query=tuple((str(name), str(value)) for name, value in ext.get("staticQuery", ())),
        auth=ext.get("auth", "sigv4"),
        import_notes=tuple(ext.get("importNotes", ())),
    )


def _input_pointer(
    file: Path, document: Mapping[str, Any], ext: Mapping[str, Any], operation: Mapping[str, Any], base: str
) -> str:
    """``x-harness.input``, else (a curated contract) the JSON request body's schema."""
    if "input" in ext:
        pointer = str(ext["input"])[1:]
        try:
            resolve_pointer(document, pointer)
        except KeyError:
            raise ContractError(
                file=file, pointer="/x-harness/input", message=f"dangling reference {ext['input']!r}"
            ) from None
        return pointer
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        raise ContractError(
            file=file,
            pointer=f"{base}/requestBody",
            message="no application/json request body: give its schema, or x-harness.input (the input schema)",
        )
    schema = content["schema"]
    if "$ref" in schema:
        return str(schema["$ref"])[1:]
    return f"{base}/requestBody/content/application~1json/schema"


def _success_pointer(ext: Mapping[str, Any], response: Mapping[str, Any], where: str) -> str | None:
    """The success body's schema, where the body is JSON (the one JSON media type with a schema)."""
    if ext["successBody"] in ("empty", "raw"):
        return None
    media = JSON_MEDIA_TYPES.get(ext["protocol"], "application/json")
    content = response.get("content", {})
    chosen = media if media in content else "application/json"
    schema = content.get(chosen, {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        return str(schema["$ref"])[1:]
    return f"{where}/content/{escape(chosen)}/schema"


def _idempotency(
    raw: Mapping[str, Any],
    document: Mapping[str, Any],
    success_pointer: str | None,
    success_status: int,
    responses: Mapping[str, Any],
) -> Idempotency:
    if "conflict" in raw:
        return Idempotency(
            token=Pointer.parse(raw["token"]),
            same_response=tuple(Pointer.parse(p) for p in raw["sameResponse"]),
            conflict=_expectation(raw["conflict"]),
            doc=raw["doc"],
        )
    # SPEC 7.4: on success the same output (every member of the body), and another input with
    # the same token never succeeds: any documented status but the success status.
    members: list[Pointer] = []
    if success_pointer is not None:
        schema = resolve_pointer(document, success_pointer)
        while "$ref" in schema:
            schema = resolve_pointer(document, str(schema["$ref"])[1:])
        members = [Pointer((name,)) for name in schema.get("properties", {})]
    others = tuple(sorted(int(status) for status in responses if int(status) != success_status))
    return Idempotency(
        token=Pointer.parse(raw["token"]),
        same_response=tuple(Pointer.parse(p) for p in raw["sameResponse"]) if "sameResponse" in raw else tuple(members),
        conflict=Expectation(statuses=others),
        doc=raw["doc"],
    )


def _imported(raw: Mapping[str, Any] | None) -> Imported | None:
    if raw is None:
        return None
    return Imported(
        service=raw["service"],
        api_version=raw["apiVersion"],
        botocore=raw["botocore"],
        protocols=tuple(raw.get("protocols", ())),
    )
