"""Imported operations: where each input member goes, the OpenAPI view, the statuses and
errors, the success body, and which services qualify (SPEC 7, docs/imported-contracts.md)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.importer import NotImported, ServiceImporter, document_bytes, operation_document
from tests.import_models import imported, model

LOCATED: dict[str, Any] = {
    "DoThingInput": {
        "type": "structure",
        "required": ["Bucket", "Key"],
        "members": {
            "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
            "Key": {"shape": "String", "location": "uri", "locationName": "Key"},
            "MaxItems": {"shape": "Int", "location": "querystring", "locationName": "max-items"},
            "States": {"shape": "Strings", "location": "querystring", "locationName": "state"},
            "Filters": {"shape": "StringMap", "location": "querystring"},
            "Trace": {"shape": "String", "location": "header", "locationName": "X-Amz-Trace"},
            "Metadata": {"shape": "StringMap", "location": "headers", "locationName": "x-amz-meta-"},
            "Note": {"shape": "String", "locationName": "note"},
            "Size": {"shape": "Int"},
        },
    },
    "Int": {"type": "integer"},
    "Strings": {"type": "list", "member": {"shape": "String"}},
    "StringMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
}
LOCATED_HTTP = {"method": "PUT", "requestUri": "/buckets/{Bucket}/{Key+}?tagging&v=2"}


def test_each_member_is_bound_where_the_model_puts_it() -> None:
    document, contract = imported(model(LOCATED, http=LOCATED_HTTP))
    assert document["x-harness"]["bindings"] == {
        "Bucket": {"in": "path", "name": "Bucket"},
        "Key": {"in": "path", "name": "Key", "greedy": True},
        "MaxItems": {"in": "query", "name": "max-items"},
        "States": {"in": "query", "name": "state"},
        "Filters": {"in": "queryMap"},
        "Trace": {"in": "header", "name": "X-Amz-Trace"},
        "Metadata": {"in": "headerMap", "name": "x-amz-meta-"},
        "Note": {"in": "body", "name": "note"},
    }  # Size: in the body under its own name, the default
    assert contract.bindings == document["x-harness"]["bindings"]
    assert contract.static_query == (("tagging", ""), ("v", "2"))
    assert (contract.method, contract.path) == ("PUT", "/buckets/{Bucket}/{Key}")


def test_the_openapi_view_has_the_parameters_and_the_body_members_under_their_wire_names() -> None:
    document, _ = imported(model(LOCATED, http=LOCATED_HTTP))
    operation = document["paths"]["/buckets/{Bucket}/{Key}"]["put"]
    parameters = {(p["in"], p["name"]): p for p in operation["parameters"]}
    assert set(parameters) == {
        ("path", "Bucket"), ("path", "Key"), ("query", "max-items"), ("query", "state"),
        ("query", "Filters"), ("header", "X-Amz-Trace"),
    }  # fmt: skip
    assert parameters["path", "Key"] == {
        "name": "Key",
        "in": "path",
        "required": True,
        "schema": {"$ref": "#/components/schemas/DoThingInput/properties/Key"},
    }
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"] == {
        "note": {"$ref": "#/components/schemas/DoThingInput/properties/Note"},
        "Size": {"$ref": "#/components/schemas/DoThingInput/properties/Size"},
    }


def test_the_input_holds_every_member_in_its_location_s_form() -> None:
    _, contract = imported(model(LOCATED, http=LOCATED_HTTP))
    value = {
        "Bucket": "b",
        "Key": "a/b/c",
        "MaxItems": 5,
        "States": ["on", "off"],
        "Filters": {"k": "v"},
        "Trace": "t",
        "Metadata": {"color": "blue"},
        "Note": "n",
        "Size": 1,
    }
    assert contract.request_validator.violations(value) == []
    assert not contract.request_validator.is_valid({**value, "MaxItems": "5"})
    assert contract.input_pointer == contract.request_pointer == "/components/schemas/DoThingInput"


def test_a_get_with_only_path_and_query_members_has_no_request_body() -> None:
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "required": ["Name"],
            "members": {
                "Name": {"shape": "String", "location": "uri", "locationName": "Name"},
                "Next": {"shape": "String", "location": "querystring", "locationName": "next"},
            },
        }
    }
    document, contract = imported(model(shapes, http={"method": "GET", "requestUri": "/things/{Name}"}))
    assert "requestBody" not in document["paths"]["/things/{Name}"]["get"]
    assert contract.request_validator.is_valid({"Name": "a", "Next": "b"})


@pytest.mark.parametrize(("kind", "media"), [("structure", "application/json"), ("blob", "application/octet-stream")])
def test_a_payload_member_is_the_body_itself(kind: str, media: str) -> None:
    payload: dict[str, Any] = {"type": kind}
    if kind == "structure":
        payload["members"] = {"a": {"shape": "String"}}
    shapes = {
        "DoThingInput": {"type": "structure", "payload": "Body", "members": {"Body": {"shape": "Payload"}}},
        "Payload": payload,
    }
    document, contract = imported(model(shapes))
    assert document["x-harness"]["bindings"] == {"Body": {"in": "payload"}}
    content = document["paths"]["/things"]["post"]["requestBody"]["content"]
    assert content == {media: {"schema": {"$ref": "#/components/schemas/DoThingInput/properties/Body"}}}
    if kind == "blob":  # the payload's own bytes, as text: no base64
        assert contract.request_validator.is_valid({"Body": "plain text, not base64!"})


def test_an_aws_json_operation_is_post_slash_with_its_target_and_media_type() -> None:
    shapes = {"DoThingInput": {"type": "structure", "members": {"Name": {"shape": "String"}}}}
    document, contract = imported(model(shapes, protocol="json", http={"method": "POST", "requestUri": "/"}))
    assert (contract.protocol, contract.target_prefix) == ("awsJson1_1", "Example_20260101")
    operation = document["paths"]["/"]["post"]
    assert operation["parameters"] == [
        {"name": "X-Amz-Target", "in": "header", "required": True, "schema": {"const": "Example_20260101.DoThing"}}
    ]
    assert operation["requestBody"]["content"] == {
        "application/x-amz-json-1.1": {"schema": {"$ref": "#/components/schemas/DoThingInput"}}
    }
    assert "bindings" not in document["x-harness"]
    assert contract.success_validator is not None  # found under the awsJson media type


def test_aws_json_ignores_locations_as_botocore_does() -> None:
    shapes = {
        "DoThingInput": {
            "type": "structure",
            "members": {"Name": {"shape": "String", "location": "header", "locationName": "x-name"}},
        }
    }
    document, _ = imported(model(shapes, protocol="json", http={"method": "POST", "requestUri": "/"}))
    assert document["x-harness"]["bindings"] == {"Name": {"in": "body", "name": "x-name"}}


# --------------------------------------------------------------------------- statuses and errors


def statuses(contract: Any) -> dict[str, int]:
    return dict(contract.errors)


def test_each_error_has_its_status_and_every_operation_the_common_ones() -> None:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {}},
        "ConflictException": {
            "type": "structure",
            "members": {"Message": {"shape": "String"}},
            "error": {"httpStatusCode": 409},
            "exception": True,
        },
        "ThrottlingException": {
            "type": "structure",
            "members": {"message": {"shape": "String"}},
            "error": {"httpStatusCode": 400},
            "exception": True,
        },
    }
    errors = [{"shape": s} for s in ("ValidationException", "InternalServerException", "ConflictException")]
    errors.append({"shape": "ThrottlingException"})
    _, contract = imported(model(shapes, operation={"errors": errors}))
    assert contract.errors["ValidationException"] == 400
    assert contract.errors["InternalServerException"] == 500  # a server fault without a status
    assert contract.errors["ConflictException"] == 409
    assert contract.errors["ThrottlingException"] == 400  # the model's own status wins over the common 429
    common = {
        "SerializationException": 400, "IncompleteSignature": 400, "InvalidAction": 400, "NotAuthorized": 400,
        "RequestExpired": 400, "ValidationError": 400, "MissingAuthenticationTokenException": 403,
        "IncompleteSignatureException": 403, "InvalidSignatureException": 403, "UnrecognizedClientException": 403,
        "InvalidClientTokenId": 403, "OptInRequired": 403, "AccessDeniedException": 403, "InternalFailure": 500,
        "ServiceUnavailable": 503,
    }  # fmt: skip
    assert {name: contract.errors[name] for name in common} == common
    assert contract.statuses == (200, 400, 403, 409, 500, 503)
    assert contract.error_validator("ConflictException") is not None


def test_a_rest_json_operation_may_answer_throttling_with_429_and_aws_json_with_400() -> None:
    shapes = {"DoThingInput": {"type": "structure", "members": {}}}
    assert imported(model(shapes))[1].errors["ThrottlingException"] == 429
    assert imported(model(shapes, protocol="json"))[1].errors["ThrottlingException"] == 400


def test_the_error_message_member_is_the_casing_the_errors_use() -> None:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {}},
        "NotFound": {
            "type": "structure",
            "members": {"Message": {"shape": "String"}},
            "error": {"httpStatusCode": 404},
            "exception": True,
        },
        "Gone": {"type": "structure", "members": {"Message": {"shape": "String"}}, "exception": True},
    }
    operation = {"errors": [{"shape": "NotFound"}, {"shape": "Gone"}, {"shape": "ValidationException"}]}
    _, contract = imported(model(shapes, operation=operation))
    assert contract.error_message_member == "Message"


def test_the_success_status_and_body_come_from_the_output_shape_s_body_members() -> None:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {}},
        "DoThingOutput": {
            "type": "structure",
            "required": ["Id"],
            "members": {
                "Id": {"shape": "String"},
                "ETag": {"shape": "String", "location": "header", "locationName": "ETag"},
                "Status": {"shape": "Int", "location": "statusCode"},
            },
        },
        "Int": {"type": "integer"},
    }
    document, contract = imported(model(shapes, http={"method": "POST", "requestUri": "/things", "responseCode": 201}))
    assert contract.success_status == 201
    assert "201" in document["paths"]["/things"]["post"]["responses"]
    assert contract.success_body == "jsonOrEmpty"
    validator = contract.success_validator
    assert validator is not None
    assert validator.is_valid({"Id": "a", "unnamed": [1]})  # members the model does not name are fine
    assert not validator.is_valid({"ETag": "x"})  # Id is required, and ETag is a header, not a member
    assert contract.success_pointer == "/components/schemas/DoThingOutput.response"


def test_a_blob_payload_output_is_raw() -> None:
    shapes = {
        "DoThingInput": {"type": "structure", "members": {}},
        "DoThingOutput": {"type": "structure", "payload": "Data", "members": {"Data": {"shape": "Data"}}},
        "Data": {"type": "blob", "streaming": True},
    }
    _, contract = imported(model(shapes))
    assert (contract.success_body, contract.success_pointer) == ("raw", None)
    assert any("payload" in note for note in contract.import_notes)


def test_an_unsigned_operation_says_so() -> None:
    shapes = {"DoThingInput": {"type": "structure", "members": {}}}
    _, contract = imported(model(shapes, operation={"auth": ["smithy.api#noAuth"]}))
    assert contract.auth == "none"
    assert imported(model(shapes))[1].auth == "sigv4"


# --------------------------------------------------------------------------- which services


def test_a_cbor_service_that_also_speaks_json_is_imported_as_aws_json_of_its_version() -> None:
    shapes = {"DoThingInput": {"type": "structure", "members": {}}}
    cbor = model(
        shapes,
        protocol="smithy-rpc-v2-cbor",
        metadata={"protocols": ["smithy-rpc-v2-cbor", "json"], "jsonVersion": "1.0", "targetPrefix": "Cbor_1"},
    )
    document = ServiceImporter("example", model=cbor).document("example:DoThing")
    assert (document["x-harness"]["protocol"], document["x-harness"]["targetPrefix"]) == ("awsJson1_0", "Cbor_1")
    assert document["x-harness"]["imported"]["protocols"] == ["smithy-rpc-v2-cbor", "json"]


@pytest.mark.parametrize(
    ("metadata", "named"),
    [
        ({"protocol": "query", "protocols": ["query"]}, "awsQuery"),
        ({"protocol": "rest-xml", "protocols": ["rest-xml"]}, "restXml"),
        ({"protocol": "ec2", "protocols": ["ec2"]}, "ec2Query"),
        ({"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor"]}, "Smithy RPC v2 CBOR"),
    ],
)
def test_a_service_without_a_json_protocol_is_refused_naming_its_protocol(metadata: dict[str, Any], named: str) -> None:
    with pytest.raises(NotImported, match=f"example speaks {named}, not a JSON protocol"):
        ServiceImporter("example", model=model({}, metadata=metadata))


def test_botocore_s_own_models_import_by_id() -> None:
    document = operation_document("scheduler:CreateSchedule")
    assert document["x-harness"]["operation"] == "scheduler:CreateSchedule"
    assert document["x-harness"]["imported"]["service"] == "scheduler"
    with pytest.raises(NotImported, match="did you mean scheduler:CreateSchedule"):
        operation_document("scheduler:CreateSchedul")
    with pytest.raises(NotImported, match="s3 speaks restXml"):
        operation_document("s3:PutObject")


def test_an_operation_s_document_is_the_same_imported_alone_or_with_its_service() -> None:
    alone = document_bytes(ServiceImporter("scheduler").document("scheduler:CreateSchedule"))
    everything = ServiceImporter("scheduler")
    for operation in reversed(everything.operation_ids):
        everything.document(operation)
    assert document_bytes(everything.document("scheduler:CreateSchedule")) == alone
