"""Imported schemas: every constraint and type of SPEC 7, each a rule whose sentence is the
model's documentation and then the constraint as the reference pages print it."""

from __future__ import annotations

from typing import Any

import pytest

from harness.contract import Contract
from tests.import_models import API_VERSION, SERVICE, imported, input_member, model, rules_of, unowned_constraints

SOURCE = f"botocore:{SERVICE}/{API_VERSION}"


def one_member(shape: dict[str, Any], *, documentation: str = "<p>The thing's <code>name</code>.</p>") -> Contract:
    """A contract whose input has one member, ``Value``, of ``shape``."""
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "members": {"Value": {"shape": "ValueShape", "documentation": documentation}},
        },
        "ValueShape": shape,
    }
    return imported(model(shapes))[1]


def valid(contract: Contract, value: Any) -> bool:
    return contract.request_validator.is_valid({"Value": value})


# --------------------------------------------------------------------------- sentences


def test_a_rule_s_sentence_is_the_documentation_s_first_sentence_then_the_constraint() -> None:
    contract = one_member(
        {"type": "string", "min": 1, "max": 64},
        documentation="<p>The <code>name</code> of the thing, e.g. <i>nightly</i>. It must be unique.</p>",
    )
    rules = rules_of(input_member(contract, "Value"))
    assert rules["Value.length"] == (
        ["minLength", "maxLength"],
        "The name of the thing, e.g. nightly. Length Constraints: Minimum length of 1. Maximum length of 64.",
    )
    assert rules["Value.type"] == (["type"], "The name of the thing, e.g. nightly. Type: String")
    assert {rule.source for rule in contract.request_rules} == {SOURCE}


def test_a_member_without_documentation_gets_the_constraint_line_alone() -> None:
    contract = one_member({"type": "string", "min": 36, "max": 36}, documentation="")
    assert rules_of(input_member(contract, "Value"))["Value.length"][1] == "Length Constraints: Fixed length of 36."


# --------------------------------------------------------------------------- lengths, counts, ranges


def test_string_lengths_count_code_points() -> None:
    contract = one_member({"type": "string", "min": 2, "max": 3})
    assert valid(contract, "😀😀😀")  # three code points, six UTF-16 units
    assert not valid(contract, "😀")
    assert not valid(contract, "abcd")


def test_list_items_are_array_members() -> None:
    contract = one_member({"type": "list", "member": {"shape": "String"}, "min": 1, "max": 10})
    schema = input_member(contract, "Value")
    assert (schema["minItems"], schema["maxItems"]) == (1, 10)
    assert rules_of(schema)["Value.items"][1].endswith(
        "Array Members: Minimum number of 1 item. Maximum number of 10 items."
    )
    assert not valid(contract, [])
    assert not valid(contract, ["a"] * 11)
    assert valid(contract, ["a"])


def test_map_entries_keys_and_values_are_constrained_apart() -> None:
    shapes = {
        "ValueShape": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Val"}, "min": 0, "max": 2},
        "Key": {"type": "string", "min": 1, "max": 3, "pattern": "^[a-z]+$"},
        "Val": {"type": "string", "max": 4},
    }
    contract = imported(
        model({"DoThingInput": {"type": "structure", "members": {"Value": {"shape": "ValueShape"}}}, **shapes})
    )[1]
    schema = input_member(contract, "Value")
    assert rules_of(schema)["Value.entries"] == (
        ["minProperties", "maxProperties"],
        "Map Entries: Minimum number of 0 items. Maximum number of 2 items.",
    )
    assert set(rules_of(schema["propertyNames"])) == {"Value.<key>.length", "Value.<key>.pattern"}
    assert set(rules_of(schema["additionalProperties"])) == {"Value.*.type", "Value.*.length"}
    assert valid(contract, {"ab": "1234"})
    assert not valid(contract, {"a": "1", "b": "2", "c": "3"})
    assert not valid(contract, {"AB": "1"})
    assert not valid(contract, {"ab": "12345"})


@pytest.mark.parametrize(("kind", "json_type"), [("integer", "integer"), ("long", "integer"), ("double", "number")])
def test_numbers_have_their_valid_range(kind: str, json_type: str) -> None:
    contract = one_member({"type": kind, "min": 1, "max": 100}, documentation="")
    schema = input_member(contract, "Value")
    assert schema["type"] == json_type
    assert rules_of(schema)["Value.range"] == (
        ["minimum", "maximum"],
        "Valid Range: Minimum value of 1. Maximum value of 100.",
    )
    assert valid(contract, 100)
    assert not valid(contract, 0)
    assert not valid(contract, 101)


def test_enum_values_are_the_valid_values() -> None:
    contract = one_member({"type": "string", "enum": ["ENABLED", "DISABLED"]}, documentation="")
    assert rules_of(input_member(contract, "Value"))["Value.enum"] == (["enum"], "Valid Values: ENABLED | DISABLED")
    assert valid(contract, "ENABLED")
    assert not valid(contract, "enabled")


def test_required_members_are_one_rule_of_the_input() -> None:
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "required": ["Name", "Size"],
            "members": {"Name": {"shape": "String"}, "Size": {"shape": "Int"}, "Note": {"shape": "String"}},
        },
        "Int": {"type": "integer"},
    }
    contract = imported(model(shapes))[1]
    assert rules_of(contract.request_schema())["input.required"] == (["required"], "Name, Size: Required: Yes")
    assert contract.request_validator.is_valid({"Name": "a", "Size": 1})
    assert not contract.request_validator.is_valid({"Name": "a"})


def test_every_constraint_keyword_of_the_input_belongs_to_a_rule() -> None:
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "required": ["Name"],
            "members": {"Name": {"shape": "Name"}, "Tags": {"shape": "Tags"}, "Pick": {"shape": "Pick"}},
        },
        "Name": {"type": "string", "min": 1, "max": 2, "pattern": "^a+$", "enum": ["a", "aa"]},
        "Tags": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "Counts"}, "max": 3},
        "Counts": {"type": "list", "member": {"shape": "Count"}, "min": 1},
        "Count": {"type": "long", "min": 0},
        "Pick": {"type": "structure", "union": True, "members": {"a": {"shape": "Count"}, "b": {"shape": "Name"}}},
    }
    contract = imported(model(shapes))[1]
    assert sorted(rule.id for rule in contract.request_rules) == [
        "Name.enum", "Name.length", "Name.pattern", "Name.type",
        "Pick.a.range", "Pick.a.type", "Pick.b.enum", "Pick.b.length", "Pick.b.pattern", "Pick.b.type",
        "Pick.type", "Pick.union",
        "Tags.*.items", "Tags.*.type", "Tags.*[].range", "Tags.*[].type",
        "Tags.<key>.enum", "Tags.<key>.length", "Tags.<key>.pattern", "Tags.entries", "Tags.type",
        "input.required", "input.type",
    ]  # fmt: skip
    assert unowned_constraints(contract) == []


# --------------------------------------------------------------------------- patterns


def test_an_ecma_pattern_is_kept_as_it_is_and_judged_as_ecma_262() -> None:
    contract = one_member({"type": "string", "pattern": "^[0-9]+$"}, documentation="")
    schema = input_member(contract, "Value")
    assert schema["pattern"] == "^[0-9]+$"
    assert rules_of(schema)["Value.pattern"] == (["pattern"], "Pattern: ^[0-9]+$")
    assert valid(contract, "123")
    assert not valid(contract, "123\n")  # Python's re would take it: $ before a final newline
    assert not valid(contract, "١٢٣")  # Arabic-Indic digits are not [0-9]


def test_a_java_pattern_is_translated_where_its_meaning_is_certain() -> None:
    contract = one_member({"type": "string", "pattern": "^[a-z\\_]+\\-[0-9]+$"}, documentation="")
    schema = input_member(contract, "Value")
    assert schema["pattern"] == "^[a-z_]+-[0-9]+$"
    assert rules_of(schema)["Value.pattern"][1] == "Pattern: ^[a-z\\_]+\\-[0-9]+$ (as ECMA-262: ^[a-z_]+-[0-9]+$)"
    assert valid(contract, "a_b-12")


def test_a_pattern_whose_meaning_is_not_certain_is_left_out_with_a_note() -> None:
    contract = one_member({"type": "string", "pattern": "(?i)^abc$"}, documentation="")
    assert "pattern" not in input_member(contract, "Value")
    assert any("Value: pattern left out" in note and "(?i)" in note for note in contract.import_notes)


# --------------------------------------------------------------------------- unions, documents, blobs


def union_contract(members: list[str]) -> Contract:
    return one_member({"type": "structure", "union": True, "members": {m: {"shape": "String"} for m in members}})


def test_a_union_of_one_member_requires_it_and_nothing_else() -> None:
    contract = union_contract(["accountId"])
    schema = input_member(contract, "Value")
    assert (schema["required"], schema["additionalProperties"], schema["x-union"]) == (["accountId"], False, True)
    assert valid(contract, {"accountId": "1"})
    assert not valid(contract, {})
    assert not valid(contract, {"accountId": "1", "other": "2"})


def test_a_union_has_exactly_one_of_its_members() -> None:
    contract = union_contract(["a", "b"])
    assert valid(contract, {"a": "1"})
    assert valid(contract, {"b": "1", "a": None})  # a null member is an absent one (SPEC 2)
    assert not valid(contract, {})
    assert not valid(contract, {"a": "1", "b": "2"})
    assert not valid(contract, {"c": "1"})


def test_a_union_in_a_response_may_carry_a_member_added_after_the_model() -> None:
    shapes = {
        "DoThingOutput": {"type": "structure", "members": {"Value": {"shape": "Choice"}}},
        "Choice": {"type": "structure", "union": True, "members": {"a": {"shape": "String"}}},
    }
    contract = imported(model(shapes))[1]
    assert contract.success_validator is not None
    assert contract.success_validator.is_valid({"Value": {"added": 1}})
    assert not contract.success_validator.is_valid({"Value": {"a": "1", "added": 1}})


def test_a_document_is_any_json_value() -> None:
    contract = one_member({"type": "structure", "members": {}, "document": True})
    assert input_member(contract, "Value") == {}
    for value in (1, "text", [1, {"a": None}], {"nested": {"deep": [True]}}):
        assert valid(contract, value)


def test_a_blob_is_base64_text_and_its_byte_bounds_where_exact() -> None:
    contract = one_member({"type": "blob", "min": 1, "max": 3000}, documentation="")
    schema = input_member(contract, "Value")
    assert (schema["minLength"], schema["maxLength"]) == (4, 4000)
    assert valid(contract, "aGk=")
    assert not valid(contract, "hi!")  # not base64
    assert not valid(contract, "")
    inexact = one_member({"type": "blob", "min": 2, "max": 4096}, documentation="")
    assert "minLength" not in input_member(inexact, "Value") and "maxLength" not in input_member(inexact, "Value")
    assert any("a minimum of 2 bytes and a maximum of 4096 bytes" in note for note in inexact.import_notes)


# --------------------------------------------------------------------------- timestamps


def timestamp_contract(**member: Any) -> Contract:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {"When": {"shape": "Stamp", **member}}},
        "Stamp": {"type": "timestamp"},
    }
    return imported(model(shapes, http={"method": "GET", "requestUri": "/things"}))[1]


def test_a_timestamp_in_a_json_body_is_epoch_seconds() -> None:
    contract = timestamp_contract()
    assert input_member(contract, "When")["type"] == "number"
    assert contract.request_validator.is_valid({"When": 1767225600.5})
    assert not contract.request_validator.is_valid({"When": "2026-01-01T00:00:00Z"})


def test_a_timestamp_in_the_query_string_is_iso_8601() -> None:
    contract = timestamp_contract(location="querystring", locationName="when")
    assert contract.request_validator.is_valid({"When": "2026-12-01T10:00:00Z"})
    assert contract.request_validator.is_valid({"When": "2026-12-01T10:00:00.123+02:00"})
    assert not contract.request_validator.is_valid({"When": "2026-12-01 10:00:00"})
    assert not contract.request_validator.is_valid({"When": 1767225600})


def test_a_timestamp_in_a_header_is_an_http_date() -> None:
    contract = timestamp_contract(location="header", locationName="X-When")
    assert contract.request_validator.is_valid({"When": "Tue, 01 Dec 2026 10:00:00 GMT"})
    assert not contract.request_validator.is_valid({"When": "2026-12-01T10:00:00Z"})


def test_timestamp_format_overrides_the_location() -> None:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {"When": {"shape": "Stamp"}}},
        "Stamp": {"type": "timestamp", "timestampFormat": "iso8601"},
    }
    contract = imported(model(shapes))[1]
    assert contract.request_validator.is_valid({"When": "2026-12-01T10:00:00Z"})
    assert not contract.request_validator.is_valid({"When": 1767225600})


def test_a_timestamp_in_a_response_is_read_as_botocore_reads_it() -> None:
    shapes = {
        "DoThingOutput": {"type": "structure", "members": {"When": {"shape": "Stamp"}}},
        "Stamp": {"type": "timestamp"},
    }
    validator = imported(model(shapes))[1].success_validator
    assert validator is not None
    for value in (1767225600, 1767225600.5, "1767225600", "2026-12-01T10:00:00Z"):
        assert validator.is_valid({"When": value})
    assert not validator.is_valid({"When": True})


def test_a_float_in_a_response_may_be_nan_or_infinity_as_text() -> None:
    shapes = {
        "DoThingOutput": {"type": "structure", "members": {"Ratio": {"shape": "Ratio"}}},
        "Ratio": {"type": "double", "min": 0},
    }
    validator = imported(model(shapes))[1].success_validator
    assert validator is not None
    assert validator.is_valid({"Ratio": "NaN"}) and validator.is_valid({"Ratio": "-Infinity"})
    assert validator.is_valid({"Ratio": 0.5})
    assert not validator.is_valid({"Ratio": -1}) and not validator.is_valid({"Ratio": "much"})


# --------------------------------------------------------------------------- structures


def test_nested_members_go_by_their_wire_names_and_top_level_ones_by_member_names() -> None:
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "members": {"Config": {"shape": "Config", "locationName": "config"}},
        },
        "Config": {"type": "structure", "members": {"MaxSize": {"shape": "Int", "locationName": "maxSize"}}},
        "Int": {"type": "integer", "max": 5},
    }
    document, contract = imported(model(shapes))
    assert contract.request_validator.is_valid({"Config": {"maxSize": 5}})
    assert not contract.request_validator.is_valid({"Config": {"maxSize": 6}})
    assert document["x-harness"]["bindings"] == {"Config": {"in": "body", "name": "config"}}
    assert "Config.maxSize.range" in {rule.id for rule in contract.request_rules}


def test_a_recursive_shape_refers_to_its_component() -> None:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {"Tree": {"shape": "Node"}}},
        "Node": {
            "type": "structure",
            "required": ["Name"],
            "members": {"Name": {"shape": "String"}, "Children": {"shape": "Nodes"}},
        },
        "Nodes": {"type": "list", "member": {"shape": "Node"}, "max": 2},
    }
    document, contract = imported(model(shapes))
    node = document["components"]["schemas"]["Node"]
    assert node["properties"]["Children"]["items"] == {"$ref": "#/components/schemas/Node"}
    assert contract.request_validator.is_valid({"Tree": {"Name": "a", "Children": [{"Name": "b", "Children": []}]}})
    assert not contract.request_validator.is_valid({"Tree": {"Name": "a", "Children": [{"Children": []}]}})


def test_an_idempotency_token_is_marked_and_named_in_x_harness() -> None:
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "members": {"ClientToken": {"shape": "Token", "idempotencyToken": True}},
        },
        "Token": {"type": "string", "min": 1, "max": 64},
        "DoThingOutput": {"type": "structure", "members": {"Id": {"shape": "String"}}},
    }
    document, contract = imported(model(shapes))
    assert input_member(contract, "ClientToken")["x-idempotency-token"] is True
    assert document["x-harness"]["idempotency"]["token"] == "/ClientToken"
    assert contract.idempotency is not None
    assert [str(p) for p in contract.idempotency.same_response] == ["/Id"]
    # SPEC 7.4: the same token with another input never succeeds: any documented status but 200
    assert 200 not in contract.idempotency.conflict.statuses
    assert {400, 500} <= set(contract.idempotency.conflict.statuses)
