"""Generation of valid inputs for what imported schemas hold and the curated ones did not:
recursive ``$ref``, ``{}`` (any JSON), unions of exactly one member, enum map keys, and
patterns Python's ``re`` cannot read (``\\p{...}``, surrogate pairs, ``\\u{...}``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import ecma
from harness.contract import Contract
from harness.generation.values import ValueStrategies, draw
from tests.import_models import imported, model

SHAPES: dict[str, Any] = {
    "DoThingInput": {
        "type": "structure",
        "required": ["Tree", "Pick", "Anything"],
        "members": {
            "Tree": {"shape": "Node"},
            "Pick": {"shape": "Pick"},
            "Anything": {"shape": "Document"},
            "Limits": {"shape": "Limits"},
            "Label": {"shape": "Label"},
        },
    },
    "Node": {
        "type": "structure",
        "required": ["Name"],
        "members": {"Name": {"shape": "Label"}, "Children": {"shape": "Nodes"}},
    },
    "Nodes": {"type": "list", "member": {"shape": "Node"}, "max": 3},
    "Pick": {
        "type": "structure",
        "union": True,
        "members": {"Count": {"shape": "Count"}, "Label": {"shape": "Label"}, "Node": {"shape": "Node"}},
    },
    "Count": {"type": "integer", "min": 1, "max": 9},
    "Document": {"type": "structure", "members": {}, "document": True},
    "Limits": {"type": "map", "key": {"shape": "Resource"}, "value": {"shape": "Count"}},
    "Resource": {"type": "string", "enum": ["INDEX_STORAGE", "AGENT_HOURS"]},
    "Label": {"type": "string", "min": 1, "max": 20, "pattern": "^[\\p{L}\\p{N} _.-]+$"},
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return imported(model(SHAPES))[1]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_generated_inputs_are_valid(contract: Contract, data: st.DataObject) -> None:
    value = data.draw(ValueStrategies(contract).body())
    assert contract.request_validator.violations(value) == []
    assert len(value["Pick"]) == 1  # a union: exactly one member
    assert set(value.get("Limits", {})) <= {"INDEX_STORAGE", "AGENT_HOURS"}


def test_generation_is_deterministic_for_a_seed(contract: Contract) -> None:
    strategies = ValueStrategies(contract)
    assert draw(strategies.body(), seed_value=3) == draw(ValueStrategies(contract).body(), seed_value=3)


@pytest.mark.parametrize(
    "pattern",
    [
        "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{3,}$",
        "^[\\P{C}\\r\\n\\t]{1,250}$",
        "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*",
        "^([\\w!$&()*+,./:;=?@\\u{60}-]|%[\\dA-Fa-f]{2})+$",
        "^(?<name>[a-z]+)-\\k<name>$",
        "^(?<![a-z]+)[0-9]{2}$",
    ],
)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_python_equivalent_generates_what_ecma_262_matches(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(ecma.python_equivalent(pattern), fullmatch=True).filter(lambda s: len(s) < 300))
    assert ecma.matches(pattern, text)
