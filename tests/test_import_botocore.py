"""Every JSON operation of the installed botocore imports; a seeded sample of 2,000 of them
goes the whole way: its file's text loads through the contract loader (meta-schema
included), every constraint keyword belongs to a rule, and a valid input (an example of
botocore's, else one generated) validates against the contract.

All 17,000-odd operations the whole way take about three minutes on the project's 2-core
machine, so the suite takes a sample and ``bench/bench_import.py --load`` takes them all.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from harness.aws import SigningKey, sign
from harness.binding import OperationBinding, Unsendable, bind
from harness.contract import Contract, contract_from_document
from harness.errors import HarnessError
from harness.generation.values import ValueStrategies, draw
from harness.importer import ServiceImporter, document_bytes, json_service_names
from tests.import_models import unowned_constraints

SAMPLE_SIZE = 2000
SEED = 12

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def every_id() -> list[str]:
    return [i for service in json_service_names() for i in ServiceImporter(service).operation_ids]


def test_every_json_operation_of_botocore_imports(every_id: list[str]) -> None:
    assert len(every_id) > 15_000
    broken: dict[str, str] = {}
    for service in json_service_names():
        importer = ServiceImporter(service)
        for operation in importer.operation_ids:
            try:
                text = document_bytes(importer.document(operation))
            except Exception as exc:  # every failure is reported, with the operation
                broken[operation] = f"{type(exc).__name__}: {exc}"
                continue
            assert text.endswith(b"\n")
    assert broken == {}


@pytest.fixture(scope="module")
def sample(every_id: list[str]) -> dict[str, Contract | str]:
    """The sample's contracts, loaded from their files' text; a string says why one did not load."""
    chosen = sorted(random.Random(SEED).sample(every_id, SAMPLE_SIZE))
    importers: dict[str, ServiceImporter] = {}
    loaded: dict[str, Contract | str] = {}
    for operation in chosen:
        service = operation.split(":", 1)[0]
        importer = importers.setdefault(service, ServiceImporter(service))
        document = json.loads(document_bytes(importer.document(operation)))
        try:
            loaded[operation] = contract_from_document(document, file=Path(f"{operation}.json"))
        except HarnessError as exc:
            loaded[operation] = str(exc)
    return loaded


def test_each_sampled_contract_loads(sample: dict[str, Contract | str]) -> None:
    assert len(sample) == SAMPLE_SIZE
    assert {op: why for op, why in sample.items() if isinstance(why, str)} == {}


def test_every_constraint_of_a_sampled_input_belongs_to_a_rule(sample: dict[str, Contract | str]) -> None:
    unowned = {op: found for op, c in sample.items() if isinstance(c, Contract) and (found := unowned_constraints(c))}
    assert unowned == {}


def test_a_valid_input_of_each_sampled_operation_validates(sample: dict[str, Contract | str]) -> None:
    invalid: dict[str, Any] = {}
    from_examples = 0
    for operation, contract in sample.items():
        if not isinstance(contract, Contract):
            continue
        if contract.examples:
            inputs = [example.input for example in contract.examples]
            from_examples += 1
        else:
            inputs = [draw(ValueStrategies(contract).body(), seed_value=SEED, index=0)]
        for value in inputs:
            violations = contract.request_validator.violations(value)
            if violations:
                invalid[operation] = [v.describe() for v in violations[:3]]
    assert invalid == {}
    assert from_examples > 50  # botocore's examples are used where there are some


def test_a_valid_input_of_each_sampled_operation_binds_and_signs(sample: dict[str, Contract | str]) -> None:
    """Its protocol binding turns it into a request (or says why HTTP cannot carry it, which
    makes it no case: an empty path label), and botocore signs that request."""
    key = SigningKey("AKIDIMPORTSAMPLE0001", "import-sample-secret", "us-east-1")
    broken: dict[str, str] = {}
    unsendable: dict[str, str] = {}
    for operation, contract in sample.items():
        if not isinstance(contract, Contract):
            continue
        value = (
            contract.examples[0].input
            if contract.examples
            else draw(ValueStrategies(contract).body(), seed_value=SEED, index=0)
        )
        try:
            binding = OperationBinding.from_document(contract.document, source=operation)
            bound = bind(binding, value)
            headers = sign(key=key, service=contract.signing_name, method=bound.method,
                           url=bound.url("https://target.test"), headers=bound.headers, body=bound.body)  # fmt: skip
        except Unsendable as refused:
            unsendable[operation] = refused.reason
            continue
        except Exception as exc:  # every failure is reported, with the operation
            broken[operation] = f"{type(exc).__name__}: {exc}"
            continue
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDIMPORTSAMPLE0001/")
        assert bound.method == contract.method
    assert broken == {}
    assert len(unsendable) < SAMPLE_SIZE // 50, unsendable
