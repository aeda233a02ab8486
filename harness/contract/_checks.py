"""What a contract must be to load: its shape (the meta-schema), its references, its schemas
(JSON Schema 2020-12, ECMA-262 patterns), a rule for every constraint, scenario members that
exist, and examples that are valid.  Each problem is a :class:`ContractError` naming the file
and the JSON pointer."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from harness import ecma
from harness.contract._pointers import escape, json_pointer, resolve_pointer, walk_json
from harness.errors import ContractError
from harness.pointer import Pointer
from harness.rules import CONSTRAINT_KEYWORDS, walk_schema
from harness.validator import EcmaValidator, SchemaValidator, fast_schema_verdict

if TYPE_CHECKING:
    from harness.contract import Contract


@functools.cache
def _contract_meta_schema() -> dict[str, Any]:
    text = resources.files("harness").joinpath("schemas/contract.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _contract_meta_validators() -> tuple[Any, SchemaValidator]:
    """``jsonschema`` for the messages, and the fast verdict of a :class:`SchemaValidator`."""
    schema = _contract_meta_schema()
    fast = SchemaValidator(document=schema, uri=str(schema["$id"]), pointer="", rules=[])
    return EcmaValidator(schema), fast


@functools.cache
def _schema_meta_validator() -> Any:
    # No format checker: it would judge `pattern` with Python's re; ECMA-262 is checked below.
    return Draft202012Validator(Draft202012Validator.META_SCHEMA)


def check_shape(file: Path, document: Any) -> None:
    messages, fast = _contract_meta_validators()
    if fast.is_valid(document):
        return
    errors = sorted(messages.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise ContractError(file=file, pointer=json_pointer(first.absolute_path), message=first.message)


def check_references(file: Path, document: Mapping[str, Any]) -> None:
    if all(_reference_problem(document, ref) is None for ref in _references(document)):
        return  # the walk below, with pointers, only to say where the first problem is
    for node, pointer in walk_json(document):
        if not isinstance(node, dict):
            continue
        if "$ref" in node:
            ref = node["$ref"]
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


def _references(document: Mapping[str, Any]) -> set[Any]:
    """Every ``$ref`` and ``x-aws-errors`` target of ``document``, without their places."""
    found: set[Any] = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                found.add(ref if isinstance(ref, str) else repr(ref))
            errors = node.get("x-aws-errors")
            if isinstance(errors, dict):
                found.update(str(target) for target in errors.values())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _reference_problem(document: Mapping[str, Any], ref: str) -> str | None:
    if not ref.startswith("#"):
        return "not local"
    try:
        resolve_pointer(document, ref[1:])
    except KeyError:
        return "dangling"
    return _reference_cycle(document, ref)


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


def operation_pointer(path: str, method: str) -> str:
    return f"/paths/{escape(path)}/{method}"


def _schema_roots(document: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        yield schema, f"/components/schemas/{escape(name)}"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            base = operation_pointer(path, method)
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                if "schema" in content:
                    yield content["schema"], f"{base}/requestBody/content/{escape(media)}/schema"
            for index, parameter in enumerate(operation.get("parameters", ())):
                if "schema" in parameter:
                    yield parameter["schema"], f"{base}/parameters/{index}/schema"
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    if "schema" in content:
                        yield content["schema"], f"{base}/responses/{status}/content/{escape(media)}/schema"


def check_schemas(file: Path, document: Mapping[str, Any]) -> None:
    meta = _schema_meta_validator()
    for schema, pointer in _schema_roots(document):
        error = None if fast_schema_verdict(schema) else best_match(meta.iter_errors(schema))
        if error is not None:
            raise ContractError(
                file=file,
                pointer=pointer + json_pointer(error.absolute_path),
                message=f"not a valid JSON Schema 2020-12: {error.message}",
            )
        if all(ecma.compiles(p) for p in _patterns(schema)):
            continue  # the walk below, with pointers, only to say where the bad pattern is
        for node, sub_pointer in walk_json(schema, pointer):
            if isinstance(node, dict) and isinstance(node.get("pattern"), str):
                try:
                    ecma.compile_pattern(node["pattern"])
                except ecma.PatternError as exc:
                    raise ContractError(file=file, pointer=f"{sub_pointer}/pattern", message=str(exc)) from None


def _patterns(schema: Any) -> set[str]:
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def check_scenario_members(contract: Contract) -> None:
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
    if contract.idempotency is not None:
        problem = _member_problem(contract, contract.idempotency.token, required=False)
        if problem:
            raise ContractError(file=contract.file, pointer="/x-harness/idempotency/token", message=problem)


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


def check_rules(contract: Contract) -> None:
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


def check_examples(contract: Contract) -> None:
    """Every example of ``x-harness.examples`` is a valid input: an example is what the
    harness starts its invalid inputs from (SPEC 7.5), so one that breaks the contract would
    make every case built on it meaningless."""
    for index, example in enumerate(contract.examples):
        violations = contract.request_validator.violations(example.input)
        if violations:
            first = violations[0]
            rule = f" [{first.rule.id}: {first.rule.doc}]" if first.rule else ""
            raise ContractError(
                file=contract.file,
                pointer=f"/x-harness/examples/{index}/input",
                message=f"example {example.title!r} breaks the contract at member {first.path}: {first.message}{rule}",
            )
