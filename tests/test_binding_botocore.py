"""The binding puts an input where botocore's own serializers put it, for real operations.

Each operation below is one of the installed botocore's, its binding written by hand here as
the importer writes it (docs/imported-contracts.md).  The same input, in the operation
input's JSON wire form for the harness and as Python values for botocore (datetimes, bytes),
must give the same method, path, query string, member and protocol headers, and body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence
from loopback import document

from harness.binding import OperationBinding, bind

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741 (a schema, not a number)
N = {"type": "number"}
B = {"type": "boolean"}
LIST = {"type": "array", "items": S}
MAP = {"type": "object", "additionalProperties": S}
AT = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def path(name: str, greedy: bool = False) -> dict[str, Any]:
    return {"in": "path", "name": name, "greedy": True} if greedy else {"in": "path", "name": name}


def query(name: str) -> dict[str, Any]:
    return {"in": "query", "name": name}


def header(name: str, **flags: Any) -> dict[str, Any]:
    return {"in": "header", "name": name, **flags}


@dataclass(frozen=True)
class Example:
    operation: str
    method: str
    path: str
    properties: dict[str, Any]
    wire: dict[str, Any]  # the operation input
    bindings: dict[str, Any] = field(default_factory=dict)
    python: dict[str, Any] = field(default_factory=dict)  # what differs in botocore's parameters
    protocol: str = "restJson1"
    target_prefix: str | None = None
    static_query: list[list[str]] | None = None


EXAMPLES = [
    Example(
        "mediastore-data:PutObject",
        "put",
        "/{Path}",
        {"Body": S, "Path": S, "ContentType": S, "CacheControl": S, "StorageClass": S},
        {
            "Path": "folder/sub folder/file~é.txt",
            "Body": "hello é",
            "ContentType": "text/plain",
            "CacheControl": "max-age=60",
            "StorageClass": "TEMPORAL",
        },
        {
            "Body": {"in": "payload"},
            "Path": path("Path", greedy=True),
            "ContentType": header("Content-Type"),
            "CacheControl": header("Cache-Control"),
            "StorageClass": header("x-amz-storage-class"),
        },
        python={"Body": "hello é".encode()},
    ),
    Example(
        "workspaces-web:AssociateBrowserSettings",
        "put",
        "/portals/{portalArn}/browserSettings",
        {"portalArn": S, "browserSettingsArn": S},
        {
            "portalArn": "arn:aws:workspaces-web:us-east-1:123456789012:portal/0f9e4c2a-1b2c-4d5e-8f90-123456789abc",
            "browserSettingsArn": "arn:aws:workspaces-web:us-east-1:123456789012:browserSettings/1",
        },
        {"portalArn": path("portalArn", greedy=True), "browserSettingsArn": query("browserSettingsArn")},
    ),
    Example(
        "lambda:UntagResource",
        "delete",
        "/2017-03-31/tags/{Resource}",
        {"Resource": S, "TagKeys": LIST},
        {"Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "TagKeys": ["Env", "Team Name", "a+b"]},
        {"Resource": path("Resource"), "TagKeys": query("tagKeys")},
    ),
    Example(
        "lambda:ListFunctions",
        "get",
        "/2015-03-31/functions",
        {"MasterRegion": S, "FunctionVersion": S, "Marker": S, "MaxItems": I},
        {"MasterRegion": "ALL", "FunctionVersion": "ALL", "Marker": "token/with=sign", "MaxItems": 50},
        {
            "MasterRegion": query("MasterRegion"),
            "FunctionVersion": query("FunctionVersion"),
            "Marker": query("Marker"),
            "MaxItems": query("MaxItems"),
        },
    ),
    Example(
        "appconfig:CreateHostedConfigurationVersion",
        "post",
        "/applications/{ApplicationId}/configurationprofiles/{ConfigurationProfileId}/hostedconfigurationversions",
        {
            "ApplicationId": S,
            "ConfigurationProfileId": S,
            "Description": S,
            "Content": S,
            "ContentType": S,
            "LatestVersionNumber": I,
            "VersionLabel": S,
        },
        {
            "ApplicationId": "abc1234",
            "ConfigurationProfileId": "prof 1",
            "Description": "first version",
            "Content": '{"feature": true}',
            "ContentType": "application/json",
            "LatestVersionNumber": 3,
            "VersionLabel": "v1.0-beta",
        },
        {
            "ApplicationId": path("ApplicationId"),
            "ConfigurationProfileId": path("ConfigurationProfileId"),
            "Description": header("Description"),
            "Content": {"in": "payload"},
            "ContentType": header("Content-Type"),
            "LatestVersionNumber": header("Latest-Version-Number"),
            "VersionLabel": header("VersionLabel"),
        },
        python={"Content": b'{"feature": true}'},
    ),
    Example(
        "apigateway:GetExport",
        "get",
        "/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}",
        {"restApiId": S, "stageName": S, "exportType": S, "parameters": MAP, "accepts": S},
        {
            "restApiId": "a1b2c3",
            "stageName": "prod",
            "exportType": "oas30",
            "parameters": {"extensions": "integrations,authorizers", "x y": "é"},
            "accepts": "application/yaml",
        },
        {
            "restApiId": path("restapi_id"),
            "stageName": path("stage_name"),
            "exportType": path("export_type"),
            "parameters": {"in": "queryMap"},
            "accepts": header("Accept"),
        },
    ),
    Example(
        "entityresolution:BatchDeleteUniqueId",
        "delete",
        "/matchingworkflows/{workflowName}/uniqueids",
        {"workflowName": S, "inputSource": S, "uniqueIds": LIST},
        {
            "workflowName": "wf-1",
            "inputSource": "arn:aws:glue:us-east-1:123456789012:table/db/t",
            "uniqueIds": ["id1", "id,2", 'id"3'],
        },
        {"workflowName": path("workflowName"), "inputSource": header("inputSource"), "uniqueIds": header("uniqueIds")},
    ),
    Example(
        "iot-data:Publish",
        "post",
        "/topics/{topic}",
        {
            "topic": S,
            "qos": I,
            "retain": B,
            "payload": S,
            "userProperties": {},
            "payloadFormatIndicator": S,
            "contentType": S,
            "messageExpiry": I,
        },
        {
            "topic": "sensors/room 1/temp",
            "qos": 1,
            "retain": True,
            "payload": '{"t": 21.5}',
            "userProperties": [{"deviceName": "alpha"}, {"é": "😀"}],
            "payloadFormatIndicator": "UTF8_DATA",
            "contentType": "application/json",
            "messageExpiry": 3600,
        },
        {
            "topic": path("topic"),
            "qos": query("qos"),
            "retain": query("retain"),
            "payload": {"in": "payload"},
            "userProperties": header("x-amz-mqtt5-user-properties", jsonvalue=True),
            "payloadFormatIndicator": header("x-amz-mqtt5-payload-format-indicator"),
            "contentType": query("contentType"),
            "messageExpiry": query("messageExpiry"),
        },
        python={"payload": b'{"t": 21.5}'},
    ),
    Example(
        "application-signals:GetService",
        "post",
        "/service",
        {"StartTime": S, "EndTime": S, "KeyAttributes": MAP},
        {
            "StartTime": "2026-12-01T10:00:00Z",
            "EndTime": "2026-12-01T10:00:00Z",
            "KeyAttributes": {"Type": "Service", "Name": "pets"},
        },
        {"StartTime": query("StartTime"), "EndTime": query("EndTime")},
        python={"StartTime": AT, "EndTime": AT},
    ),
    Example(
        "connect:UpdateTestCase",
        "post",
        "/test-cases/{InstanceId}/{TestCaseId}",
        {"InstanceId": S, "TestCaseId": S, "Name": S, "Description": S, "LastModifiedTime": S},
        {
            "InstanceId": "12345678-aaaa-bbbb-cccc-123456789012",
            "TestCaseId": "tc 1",
            "Name": "naïve",
            "Description": "😀",
            "LastModifiedTime": "Tue, 01 Dec 2026 10:00:00 GMT",
        },
        {
            "InstanceId": path("InstanceId"),
            "TestCaseId": path("TestCaseId"),
            "LastModifiedTime": header("x-amz-last-modified-time"),
        },
        python={"LastModifiedTime": AT},
    ),
    Example(
        "glacier:SetVaultAccessPolicy",
        "put",
        "/{accountId}/vaults/{vaultName}/access-policy",
        {"accountId": S, "vaultName": S, "policy": {"type": "object"}},
        {"accountId": "-", "vaultName": "my.vault", "policy": {"Policy": '{"Version":"2012-10-17"}'}},
        {"accountId": path("accountId"), "vaultName": path("vaultName"), "policy": {"in": "payload"}},
    ),
    Example(
        "apigateway:ImportRestApi",
        "post",
        "/restapis",
        {"failOnWarnings": B, "parameters": MAP, "body": S},
        {"failOnWarnings": False, "parameters": {"endpointConfigurationTypes": "REGIONAL"}, "body": "openapi: 3.0.1"},
        {"failOnWarnings": query("failonwarnings"), "parameters": {"in": "queryMap"}, "body": {"in": "payload"}},
        python={"body": b"openapi: 3.0.1"},
        static_query=[["mode", "import"]],
    ),
    Example(
        "backup:DisassociateBackupVaultMpaApprovalTeam",
        "post",
        "/backup-vaults/{backupVaultName}/mpaApprovalTeam",
        {"BackupVaultName": S, "RequesterComment": S},
        {"BackupVaultName": "vault-1", "RequesterComment": "rotating the team"},
        {"BackupVaultName": path("backupVaultName")},
        static_query=[["delete", ""]],
    ),
    Example(
        "dataexchange:SendApiAsset",
        "post",
        "/v1",
        {
            "Body": S,
            "QueryStringParameters": MAP,
            "AssetId": S,
            "DataSetId": S,
            "RequestHeaders": MAP,
            "Method": S,
            "Path": S,
            "RevisionId": S,
        },
        {
            "Body": '{"q": 1}',
            "QueryStringParameters": {"page": "2"},
            "AssetId": "asset",
            "DataSetId": "set",
            "RequestHeaders": {"Accept": "application/json", "X-Trace": "t-1"},
            "Method": "POST",
            "Path": "/search",
            "RevisionId": "rev",
        },
        {
            "Body": {"in": "payload"},
            "QueryStringParameters": {"in": "queryMap"},
            "AssetId": header("x-amzn-dataexchange-asset-id"),
            "DataSetId": header("x-amzn-dataexchange-data-set-id"),
            "RequestHeaders": {"in": "headerMap", "name": "x-amzn-dataexchange-header-"},
            "Method": header("x-amzn-dataexchange-http-method"),
            "Path": header("x-amzn-dataexchange-path"),
            "RevisionId": header("x-amzn-dataexchange-revision-id"),
        },
    ),
    Example(
        "amp:ListScrapers",
        "get",
        "/scrapers",
        {"filters": {"type": "object", "additionalProperties": LIST}, "nextToken": S, "maxResults": I},
        {"filters": {"status": ["ACTIVE", "CREATING"], "alias": ["a b"]}, "nextToken": "n", "maxResults": 5},
        {"filters": {"in": "queryMap"}, "nextToken": query("nextToken"), "maxResults": query("maxResults")},
    ),
    Example(
        "geo-maps:GetStaticMap",
        "get",
        "/v2/static/{FileName}",
        {"FileName": S, "Height": I, "Width": I, "Zoom": N, "CropLabels": B, "Center": S},
        {"FileName": "map@2x", "Height": 400, "Width": 600, "Zoom": 12.5, "CropLabels": True, "Center": "-123.1,49.2"},
        {
            "FileName": path("FileName"),
            "Height": query("height"),
            "Width": query("width"),
            "Zoom": query("zoom"),
            "CropLabels": query("crop-labels"),
            "Center": query("center"),
        },
    ),
    Example("lambda:GetAccountSettings", "get", "/2016-08-19/account-settings", {}, {}),
    Example(
        "dynamodb:ListBackups",
        "post",
        "/",
        {"TableName": S, "Limit": I, "TimeRangeLowerBound": N, "BackupType": S},
        {"TableName": "Music", "Limit": 10, "TimeRangeLowerBound": 1796119200, "BackupType": "USER"},
        python={"TimeRangeLowerBound": AT},
        protocol="awsJson1_0",
        target_prefix="DynamoDB_20120810",
    ),
    Example("dynamodb:ListTables", "post", "/", {}, {}, protocol="awsJson1_0", target_prefix="DynamoDB_20120810"),
    Example(
        "kms:Encrypt",
        "post",
        "/",
        {"KeyId": S, "Plaintext": S, "EncryptionContext": MAP, "GrantTokens": LIST, "DryRun": B},
        {
            "KeyId": "alias/my-key",
            "Plaintext": "aGVsbG8gw6k=",  # base64, as a blob is in a JSON body
            "EncryptionContext": {"purpose": "test é"},
            "GrantTokens": ["g1"],
            "DryRun": False,
        },
        python={"Plaintext": "hello é".encode()},
        protocol="awsJson1_1",
        target_prefix="TrentService",
    ),
]


def botocore_request(example: Example) -> dict[str, Any]:
    service, name = example.operation.split(":")
    operation = botocore.session.get_session().get_service_model(service).operation_model(name)
    protocol = "json" if example.protocol.startswith("awsJson") else "rest-json"
    serialized: dict[str, Any] = create_serializer(protocol).serialize_to_request(
        {**example.wire, **example.python}, operation
    )
    return serialized


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.operation for e in EXAMPLES])
def test_the_binding_serializes_as_botocore_does(example: Example) -> None:
    contract = document(
        example.operation,
        method=example.method,
        path=example.path,
        protocol=example.protocol,
        properties=example.properties,
        bindings=example.bindings,
        static_query=example.static_query,
        target_prefix=example.target_prefix,
    )
    ours = bind(OperationBinding.from_document(contract), example.wire)
    theirs = botocore_request(example)
    their_path = theirs["url_path"]
    if theirs["query_string"]:
        their_path += ("&" if "?" in their_path else "?") + percent_encode_sequence(theirs["query_string"])
    assert (ours.method, ours.path) == (theirs["method"], their_path)
    assert dict(ours.headers) == theirs["headers"]
    if ours.body[:1] in (b"{", b"[") and theirs["body"]:
        assert json.loads(ours.body) == json.loads(theirs["body"])
    else:
        assert ours.body == theirs["body"]
