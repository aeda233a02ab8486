"""Contracts: what one operation accepts and answers, loaded from ``contracts/*.json``.

A contract file is an OpenAPI 3.1 document holding one operation (see ARCHITECTURE.md for
why) plus the ``x-harness`` extension for what OpenAPI cannot say: the AWS operation id and
signing name, error names per status, provider-state scenarios, idempotency and the known
differences from the SDK model.  The engine only ever reads :class:`Contract`; it knows no
operation by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from harness import ecma
from harness.errors import ContractError
from harness.pointer import Missing, Pointer
from harness.rules import CONSTRAINT_KEYWORDS, Rule, collect_rules, walk_schema
from harness.validator import EcmaValidator, SchemaValidator


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
    token: Pointer  # the token in the request body
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
class Contract:
    """One operation's contract."""

    id: str
    file: Path
    document: Mapping[str, Any] = field(repr=False)
    method: str
    path: str
    signing_name: str
    error_message_member: str
    success_body: str  # "json" or "empty"
    statuses: tuple[int, ...]
    errors: Mapping[str, int]  # error name -> status
    error_schema_pointers: Mapping[str, str]
    request_pointer: str
    success_pointer: str | None
    scenarios: tuple[Scenario, ...]
    idempotency: Idempotency | None
    drift: tuple[DriftNote, ...]
    echoes: tuple[Echo, ...] = ()

    @property
    def service(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def uri(self) -> str:
        return f"urn:harness:contract:{self.id}"

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
        return self._error_validators.setdefault(error_name, self._validator_at(pointer, []))

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
    return Path(__file__).resolve().parent.parent / "contracts"


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """Every contract of ``directory`` (default: :func:`default_contracts_dir`), by id."""
    directory = directory or default_contracts_dir()
    if not directory.is_dir():
        raise ContractError(file=directory, pointer="", message="no such contracts directory")
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
    _check_shape(file, document)
    _check_references(file, document)
    _check_schemas(file, document)
    contract = _build(file, document)
    _check_rules(contract)
    _check_scenario_members(contract)
    return contract


def resolve_pointer(document: Mapping[str, Any], pointer: str) -> Any:
    """The node of a contract document at ``pointer`` (``KeyError`` when it has none)."""
    if pointer in ("", "/"):
        return document
    try:
        return Pointer.parse(pointer).get(document)
    except (Missing, ValueError):
        raise KeyError(pointer) from None


def _contract_meta_validator() -> Any:
    text = resources.files("harness").joinpath("schemas/contract.schema.json").read_text("utf-8")
    return EcmaValidator(json.loads(text))


def _json_pointer(path: Any) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)


def _check_shape(file: Path, document: Any) -> None:
    errors = sorted(_contract_meta_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise ContractError(file=file, pointer=_json_pointer(first.absolute_path), message=first.message)


def _walk_json(node: Any, pointer: str = "") -> Iterator[tuple[Any, str]]:
    yield node, pointer
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_json(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_json(value, f"{pointer}/{index}")


def _check_references(file: Path, document: Mapping[str, Any]) -> None:
    for node, pointer in _walk_json(document):
        if not isinstance(node, dict):
            continue
        for key in ("$ref",):
            if key not in node:
                continue
            ref = node[key]
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise ContractError(
                    file=file,
                    pointer=f"{pointer}/$ref",
                    message=f"only local references ('#/...') are supported, got {ref!r}",
                )
            try:
                resolve_pointer(document, ref[1:])
            except KeyError:
                raise ContractError(
                    file=file, pointer=f"{pointer}/$ref", message=f"dangling reference {ref!r}"
                ) from None
            cycle = _reference_cycle(document, ref)
            if cycle:
                raise ContractError(file=file, pointer=f"{pointer}/$ref", message=f"$ref cycle: {cycle}")
        for name, target in node.get("x-aws-errors", {}).items():
            try:
                resolve_pointer(document, str(target)[1:])
            except KeyError:
                raise ContractError(
                    file=file,
                    pointer=f"{pointer}/x-aws-errors/{name}",
                    message=f"dangling reference {target!r}",
                ) from None


def _reference_cycle(document: Mapping[str, Any], ref: str) -> str | None:
    """``a -> b -> a`` when following ``ref`` leads only to references, back to one of them."""
    chain = [ref]
    while True:
        try:
            target = resolve_pointer(document, chain[-1][1:])
        except KeyError:
            return None  # dangling: reported at its own node
        following = target.get("$ref") if isinstance(target, dict) else None
        if not isinstance(following, str):
            return None
        if following in chain:
            return " -> ".join([*chain, following])
        chain.append(following)


def _schema_roots(document: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        yield schema, f"/components/schemas/{name}"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            base = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
            yield (
                operation["requestBody"]["content"]["application/json"]["schema"],
                f"{base}/requestBody/content/application~1json/schema",
            )
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    if "schema" in content:
                        yield content["schema"], f"{base}/responses/{status}/content/{media}/schema"


def _check_schemas(file: Path, document: Mapping[str, Any]) -> None:
    # No format checker: it would judge `pattern` with Python's re; ECMA-262 is checked below.
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for schema, pointer in _schema_roots(document):
        error = best_match(meta.iter_errors(schema))
        if error is not None:
            raise ContractError(
                file=file,
                pointer=pointer + _json_pointer(error.absolute_path),
                message=f"not a valid JSON Schema 2020-12: {error.message}",
            )
        for node, sub_pointer in _walk_json(schema, pointer):
            if isinstance(node, dict) and isinstance(node.get("pattern"), str):
                try:
                    ecma.compile_pattern(node["pattern"])
                except ecma.PatternError as exc:
                    raise ContractError(file=file, pointer=f"{sub_pointer}/pattern", message=str(exc)) from None


def _expectation(raw: Mapping[str, Any]) -> Expectation:
    status = raw["status"]
    statuses = tuple(status) if isinstance(status, list) else (status,)
    return Expectation(statuses=statuses, error=raw.get("error"))


def _build(file: Path, document: Mapping[str, Any]) -> Contract:
    ext = document["x-harness"]
    ((path, item),) = document["paths"].items()
    ((method, operation),) = item.items()
    base = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}"
    errors: dict[str, int] = {}
    error_pointers: dict[str, str] = {}
    for status, response in operation["responses"].items():
        for name, target in response.get("x-aws-errors", {}).items():
            errors[name] = int(status)
            error_pointers[name] = str(target)[1:]
    request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    request_pointer = f"{base}/requestBody/content/application~1json/schema"
    if "$ref" in request_schema:
        request_pointer = request_schema["$ref"][1:]
    success = operation["responses"]["200"].get("content", {}).get("application/json")
    success_pointer = None
    if success is not None:
        success_pointer = f"{base}/responses/200/content/application~1json/schema"
        if "$ref" in success["schema"]:
            success_pointer = success["schema"]["$ref"][1:]
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
        idempotency=Idempotency(
            token=Pointer.parse(idem["token"]),
            same_response=tuple(Pointer.parse(p) for p in idem["sameResponse"]),
            conflict=_expectation(idem["conflict"]),
            doc=idem["doc"],
        )
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
    )


def _check_scenario_members(contract: Contract) -> None:
    """A scenario's ``$request`` params name required request members (the engine reads them
    from every body), and its ``changed`` pointers name request members."""
    for index, scenario in enumerate(contract.scenarios):
        where = f"/x-harness/scenarios/{index}"
        for name, spec in scenario.params.items():
            if isinstance(spec, dict) and "$request" in spec:
                problem = _member_problem(contract, Pointer.parse(str(spec["$request"])), required=True)
                if problem:
                    raise ContractError(file=contract.file, pointer=f"{where}/params/{name}", message=problem)
        if scenario.idempotency_token != "new" and contract.idempotency is None:
            raise ContractError(
                file=contract.file,
                pointer=f"{where}/request/idempotencyToken",
                message=f"{scenario.idempotency_token!r} needs an idempotency token, and x-harness has no idempotency",
            )
        for position, pointer in enumerate(scenario.changed):
            problem = _member_problem(contract, pointer, required=False)
            if problem:
                raise ContractError(file=contract.file, pointer=f"{where}/request/changed/{position}", message=problem)


def _member_problem(contract: Contract, pointer: Pointer, *, required: bool) -> str:
    """Empty when ``pointer`` names a member of the request schema (a required one, at every
    level, when ``required``), else what is wrong."""
    node: Mapping[str, Any] = contract.request_schema()
    for part in pointer.parts:
        while "$ref" in node:
            node, _ = contract.resolve(node)
        if part not in node.get("properties", {}):
            return f"{pointer}: the request has no member {part!r}"
        if required and part not in node.get("required", ()):
            return f"{pointer}: {part!r} is optional, so a request may not have it; name a required member"
        node = node["properties"][part]
    return ""


def _check_rules(contract: Contract) -> None:
    """Every constraint of the request schema belongs to a rule that names it."""
    file = contract.file
    for node, pointer, _ in walk_schema(contract.request_schema(), contract.request_pointer, contract.resolve):
        owned: set[str] = set()
        for index, raw in enumerate(node.get("x-rules", ())):
            if not (isinstance(raw, dict) and {"id", "keywords", "doc"} <= raw.keys()):
                raise ContractError(
                    file=file, pointer=f"{pointer}/x-rules/{index}", message="a rule needs id, keywords and doc"
                )
            for keyword in raw["keywords"]:
                if keyword not in node:
                    raise ContractError(
                        file=file,
                        pointer=f"{pointer}/x-rules/{index}",
                        message=f"rule {raw['id']!r} names {keyword!r}, which this schema does not have",
                    )
            owned.update(raw["keywords"])
        constraints = set(CONSTRAINT_KEYWORDS & node.keys())
        if isinstance(node.get("additionalProperties"), dict):
            constraints.discard("additionalProperties")  # a map's value schema, not a constraint
        for keyword in sorted(constraints - owned):
            raise ContractError(
                file=file,
                pointer=f"{pointer}/{keyword}",
                message=f"constraint {keyword!r} has no rule: add an x-rules entry with the documentation's sentence",
            )
