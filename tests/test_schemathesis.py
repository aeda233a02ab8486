"""``harness.schemathesis``: the harness's signing, checks and reading of SPEC inside Schemathesis's ``st run``.

The real ``st run`` runs as a subprocess against the mock (or a faulty variant of it) served
on 127.0.0.1 in a thread of the test process, with the hook loaded by one line of
``schemathesis.toml`` (or ``SCHEMATHESIS_HOOKS``), and once without it.  The reading of a
request, the signature and the SPEC adjustments are also shown on their own, in process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from faults import CREDENTIALS, VARIANTS, Loopback, bugs, loopback
from faults.building import any_error, correct, named_in_body
from faults.middleware import ASGIApp, Faulty
from schemathesis.openapi.checks import MissingHeaders, RejectedPositiveData, UndefinedContentType

from harness import aws
from harness.case import Intent
from harness.checks import Judgement
from harness.contract import Contract, default_contracts_dir, load_contracts
from harness.errors import UsageError
from harness.mock.sigv4 import Verifier
from harness.result import Response
from harness.runner import signing_key as harness_run_signing_key
from harness.schemathesis import SigV4, Verdict, Wire, adjustment_for, contract_of, read_request

ST = Path(sys.executable).parent / "st"
CONTRACTS = default_contracts_dir()
CREATE_SCOPE = CONTRACTS / "networkflowmonitor-CreateScope.json"
START_MONITORING = CONTRACTS / "detective-StartMonitoringMember.json"
KEY = aws.SigningKey(CREDENTIALS[0], CREDENTIALS[1], "us-east-1")
TARGET = {
    "region": "us-east-1",
    "targetIdentifier": {"targetId": {"accountId": "123456789012"}, "targetType": "ACCOUNT"},
}
#: The phases with requests (the contracts have no examples and no links), few of them.
OPTIONS = (
    "--phases",
    "coverage,fuzzing",
    "--max-examples",
    "10",
    "--seed",
    "0",
    "--generation-database",
    "none",
    "--continue-on-failure",
)


# --------------------------------------------------------------------------- running st run


@dataclass(frozen=True)
class Run:
    status: int
    output: str  # stdout and stderr, in order


@pytest.fixture(scope="module")
def server() -> Iterator[Loopback]:
    with loopback() as on:
        yield on


def st_run(
    schema: Path,
    *,
    url: str,
    folder: Path,
    hook: str | None,
    credentials: tuple[str, str] | None = CREDENTIALS,
) -> Run:
    """``st run`` on ``schema`` against ``url`` from ``folder``; ``hook``: "toml" (the one line of
    ``schemathesis.toml``), "env" (``SCHEMATHESIS_HOOKS``) or ``None`` (Schemathesis alone)."""
    folder.mkdir(parents=True, exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SCHEMATHESIS_"))}
    environ.update(
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(folder / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(folder / "no-aws-credentials"),
        COLUMNS="200",
        NO_COLOR="1",
    )
    if credentials is not None:
        environ.update(AWS_ACCESS_KEY_ID=credentials[0], AWS_SECRET_ACCESS_KEY=credentials[1])
    if hook == "toml":
        (folder / "schemathesis.toml").write_text('hooks = "harness.schemathesis"\n', encoding="utf-8")
    elif hook == "env":
        environ["SCHEMATHESIS_HOOKS"] = "harness.schemathesis"
    done = subprocess.run(
        [str(ST), "run", str(schema), "--url", url, *OPTIONS],
        cwd=folder,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=120,
    )
    return Run(done.returncode, done.stdout)


def serving(on: Loopback, app: ASGIApp) -> str:
    on.stage.app = app
    return on.url


def variant(name: str) -> ASGIApp:
    return next(v for v in VARIANTS if v.id == name).build(CREDENTIALS)


def emulator(credentials: tuple[str, str]) -> ASGIApp:
    """An emulator as many are: it checks no signature, and names its errors only in the body's
    ``code`` (SPEC 3 allows that; SPEC 4.5 not the first, which only lets unsigned
    Schemathesis reach the operation)."""
    rename = named_in_body("code", "{name}")
    return Faulty(bugs.unsigned_accepted(credentials), after=lambda r, a: rename(a) if any_error(r, a) else a)


def with_error_header(schema: Path, folder: Path) -> Path:
    """A copy of a contract whose error responses declare ``x-amzn-ErrorType``, as a restJson1
    OpenAPI document may."""
    document = json.loads(schema.read_text(encoding="utf-8"))
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    response["headers"] = {
                        "x-amzn-ErrorType": {"required": True, "schema": {"type": "string"}},
                    }
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / schema.name
    copy.write_text(json.dumps(document), encoding="utf-8")
    return copy


# --------------------------------------------------------------------------- with the hook


@pytest.fixture(scope="module")
def hooked(server: Loopback, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """``st run`` with the one line of ``schemathesis.toml``, on each contract, against the mock."""
    url = serving(server, correct()(CREDENTIALS))
    return {
        schema.stem: st_run(schema, url=url, folder=tmp_path_factory.mktemp(schema.stem), hook="toml")
        for schema in (CREATE_SCOPE, START_MONITORING)
    }


@pytest.fixture(scope="module")
def wrongly_named(server: Loopback, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``st run`` with ``SCHEMATHESIS_HOOKS`` against a mock naming its 400s InvalidParameterException."""
    url = serving(server, variant("validation-named-invalid-parameter"))
    return st_run(START_MONITORING, url=url, folder=tmp_path_factory.mktemp("wrongly-named"), hook="env")


@pytest.mark.slow
@pytest.mark.parametrize("schema", [CREATE_SCOPE, START_MONITORING], ids=lambda p: p.stem)
def test_st_run_with_the_hook_passes_the_mock(hooked: dict[str, Run], schema: Path) -> None:
    run = hooked[schema.stem]
    assert run.status == 0, run.output
    operation = json.loads(schema.read_text(encoding="utf-8"))["x-harness"]["operation"]
    assert f"harness.schemathesis: {operation}: every request SigV4-signed" in run.output
    assert "only 401/403 responses" not in run.output  # signed: the requests reached the operation
    assert "Traceback" not in run.output


@pytest.mark.slow
def test_a_null_optional_member_accepted_is_set_aside_with_spec_s_sentence(hooked: dict[str, Run]) -> None:
    run = hooked[CREATE_SCOPE.stem]
    assert "failure(s) of negative_data_rejection (those of a request the harness reads; invalid_rejected" in run.output
    assert "SPEC 2: A JSON `null` for an optional member means the member is absent" in run.output


@pytest.mark.slow
def test_a_400_named_wrongly_is_found_by_error_named(wrongly_named: Run) -> None:
    assert wrongly_named.status == 1, wrongly_named.output
    assert "Custom check failed: `error_named`" in wrongly_named.output
    assert "a 400 answer names 'InvalidParameterException', not documented for this operation" in wrongly_named.output
    assert "An error names an error that matches its status (SPEC 3 and 4.3)." in wrongly_named.output


@pytest.mark.slow
def test_signatures_do_not_reach_schemathesis_s_reproductions(wrongly_named: Run) -> None:
    assert "curl -X POST" in wrongly_named.output
    assert "Authorization: [Filtered]" in wrongly_named.output
    assert "Signature=" not in wrongly_named.output


# --------------------------------------------------------------------------- without it


@pytest.mark.slow
def test_without_the_hook_st_run_cannot_sign(server: Loopback, tmp_path: Path) -> None:
    run = st_run(CREATE_SCOPE, url=serving(server, correct()(CREDENTIALS)), folder=tmp_path, hook=None)
    assert "only 401/403 responses" in run.output  # every answer 403: nothing was tested
    assert "harness.schemathesis" not in run.output


@pytest.mark.slow
def test_without_the_hook_what_spec_allows_is_a_false_alarm(server: Loopback, tmp_path: Path) -> None:
    url = serving(server, emulator(CREDENTIALS))
    schema = with_error_header(CREATE_SCOPE, tmp_path / "contracts")
    alone = st_run(schema, url=url, folder=tmp_path / "alone", hook=None)
    assert alone.status == 1, alone.output
    assert "Schema-violating request accepted" in alone.output  # a null optional member (SPEC 2: absent)
    assert '"tags": null' in alone.output or '"clientToken": null' in alone.output
    assert "Missing required response headers" in alone.output  # named in `code` (SPEC 3)

    hooked = st_run(schema, url=url, folder=tmp_path / "hooked", hook="toml")
    assert hooked.status == 0, hooked.output
    assert "failure(s) of negative_data_rejection" in hooked.output
    assert (
        "failure(s) of response_headers_conformance (those of a missing `x-amzn-ErrorType` where the body names "
        "the error; error_named judge(s) them instead)"
    ) in hooked.output
    assert "or failing that in the body's `code` (or `Code`) member" in hooked.output


# --------------------------------------------------------------------------- bad input


@pytest.mark.slow
def test_st_run_with_the_hook_passes_an_imported_operation_answered_as_its_model_says(
    server: Loopback, tmp_path: Path
) -> None:
    """An imported awsJson 1.0 contract (``harness import sqs:CreateQueue``), against a target
    that reads each request back with the protocol binding and answers as the model says: the
    hook signs and judges it as it does a curated one, with no false alarm."""
    from fake_target import ImportedFaithful, as_asgi

    from harness.importer import find_contract

    folder = tmp_path / "contracts"
    assert subprocess.run([sys.executable, "-m", "harness", "import", "sqs:CreateQueue", "--out", str(folder)],
                          capture_output=True, check=False).returncode == 0  # fmt: skip
    schema = folder / "sqs-CreateQueue.json"
    target = ImportedFaithful([find_contract({}, "sqs:CreateQueue")])
    done = st_run(schema, url=serving(server, as_asgi(target)), folder=tmp_path / "run", hook="toml")
    assert done.status == 0, done.output
    assert "sqs:CreateQueue: every request SigV4-signed for sqs" in done.output
    assert target.inputs, "valid requests reached the operation"


@pytest.mark.slow
def test_a_schema_that_is_not_a_harness_contract_is_left_to_schemathesis(server: Loopback, tmp_path: Path) -> None:
    schema = tmp_path / "pets.json"
    pets = {"get": {"responses": {"200": {"description": "the pets"}}}}
    document = {"openapi": "3.1.0", "info": {"title": "Pets", "version": "1"}, "paths": {"/pets": pets}}
    schema.write_text(json.dumps(document), encoding="utf-8")
    url = serving(server, correct()(CREDENTIALS))
    hooked = st_run(schema, url=url, folder=tmp_path / "hooked", hook="toml")
    alone = st_run(schema, url=url, folder=tmp_path / "alone", hook=None)
    note = "harness.schemathesis: Pets is not a harness contract (it has no x-harness)"
    assert hooked.output.count(note) == 1, hooked.output
    assert hooked.status == alone.status
    assert "Custom check failed" not in hooked.output


def test_missing_credentials_stop_st_run_with_the_message_harness_run_gives(
    server: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(UsageError) as harness_run_says:
        harness_run_signing_key(None)
    run = st_run(
        CREATE_SCOPE, url=serving(server, correct()(CREDENTIALS)), folder=tmp_path, hook="toml", credentials=None
    )
    assert run.status == 2, run.output
    assert f"harness.schemathesis: {harness_run_says.value}\n" in run.output
    assert "no AWS credentials found" in str(harness_run_says.value)
    assert "Traceback" not in run.output


def test_a_broken_contract_stops_st_run_naming_what_is_wrong(server: Loopback, tmp_path: Path) -> None:
    document = json.loads(CREATE_SCOPE.read_text(encoding="utf-8"))
    document["components"]["schemas"]["TargetResource"]["properties"]["region"]["maxLength"] = 20
    schema = tmp_path / "broken.json"
    schema.write_text(json.dumps(document), encoding="utf-8")
    run = st_run(schema, url=serving(server, correct()(CREDENTIALS)), folder=tmp_path, hook="toml")
    assert run.status == 2, run.output
    assert (
        "broken contract (the schema of networkflowmonitor:CreateScope that st run loaded) at "
        "/components/schemas/TargetResource/properties/region/maxLength: constraint 'maxLength' has no rule"
    ) in run.output
    assert "Traceback" not in run.output


# --------------------------------------------------------------------------- reading a request


def contract(operation: str) -> Contract:
    return load_contracts()[operation]


def prepared(body: Any, *, content_type: str | None = "application/json", method: str = "POST", **headers: str) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = dict(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    return requests.Request(method, "http://127.0.0.1:1/scopes", data=data, headers=sent).prepare()


CREATE = "networkflowmonitor:CreateScope"
JSON_BODY = Wire(CREATE, "networkflowmonitor", frozenset({"application/json"}), {}, ())


@pytest.mark.parametrize(
    ("request_", "intent", "rule"),
    [
        (prepared({"targets": [TARGET]}), Intent.VALID, None),
        (prepared({"targets": [TARGET] * 101}), Intent.INVALID, "targets.items"),
        (prepared({"targets": [{**TARGET, "region": 7}]}), Intent.INVALID, "region.type"),
        (prepared({"targets": [TARGET], "tags": None}), Intent.TOLERATED, None),
        (prepared({"targets": [TARGET], "owner": "me"}), Intent.TOLERATED, None),
        (prepared(b'{"targets": ['), Intent.MALFORMED, None),
        (prepared([TARGET]), Intent.MALFORMED, None),
        (prepared(b""), Intent.MALFORMED, None),
        (prepared({"targets": [TARGET]}, content_type="text/plain"), Intent.MEDIA_TYPE, None),
        (prepared({"targets": [TARGET]}, content_type=None), Intent.MEDIA_TYPE, None),
        (prepared({"targets": [TARGET]}, content_type="application/json; charset=utf-8"), Intent.VALID, None),
        (prepared({"targets": [TARGET]}, method="PUT"), None, None),
    ],
    ids=[
        "valid",
        "101 targets",
        "wrong type",
        "null member",
        "unnamed member",
        "not JSON",
        "not an object",
        "no body",
        "text/plain",
        "no Content-Type",
        "charset",
        "another method",
    ],
)
def test_a_request_is_read_from_its_bytes_by_the_contract(
    request_: Any, intent: Intent | None, rule: str | None
) -> None:
    reading = read_request(contract(CREATE), JSON_BODY, request_)
    assert (reading.intent, reading.case.rule) == (intent, rule)
    assert reading.calls_operation is (request_.method == "POST")


def test_patterns_are_read_with_ecma_262_not_python_re() -> None:
    """Schemathesis draws `pattern` with Python's re: `\\d` takes Arabic-Indic digits there, not in ECMA-262."""
    member = {"AccountId": "٤٤٤٤٥٥٥٥٦٦٦٦", "GraphArn": "arn:aws:detective:us-east-1:111122223333:graph:" + "a" * 32}
    detective = contract("detective:StartMonitoringMember")
    wire = Wire(detective.id, "detective", frozenset({"application/json"}), {}, ())
    reading = read_request(detective, wire, prepared(member))
    assert (reading.intent, reading.case.rule) == (Intent.INVALID, "AccountId.pattern")


# An imported awsJson contract, as docs/imported-contracts.md writes one down (its body schema
# is CreateScope's, so that the curated contract can stand in for its validation).
AWS_JSON: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "EventBridge Scheduler CreateThing", "version": "2021-06-30"},
    "x-harness": {"operation": "scheduler:CreateThing", "signingName": "scheduler", "protocol": "awsJson1_1"},
    "paths": {
        "/": {
            "post": {
                "parameters": [{"$ref": "#/components/parameters/Target"}],
                "requestBody": {
                    "required": True,
                    "content": {"application/x-amz-json-1.1": {"schema": {"type": "object"}}},
                },
                "responses": {"200": {"description": "the thing"}},
            }
        }
    },
    "components": {
        "parameters": {
            "Target": {"name": "X-Amz-Target", "in": "header", "required": True, "schema": {"$ref": "#/$defs/t"}}
        }
    },
    "$defs": {"t": {"const": "AWSScheduler.CreateThing"}},
}
AWS_JSON_TARGET = {"X-Amz-Target": "AWSScheduler.CreateThing"}


def test_an_aws_json_contract_is_read_from_its_document_fields() -> None:
    wire = Wire.of(AWS_JSON)
    assert wire == Wire(
        "scheduler:CreateThing",
        "scheduler",
        frozenset({"application/x-amz-json-1.1"}),
        {"x-amz-target": "AWSScheduler.CreateThing"},
        (),
    )
    body, media = {"targets": [TARGET]}, "application/x-amz-json-1.1"
    right = prepared(body, content_type=media, **AWS_JSON_TARGET)
    wrong = prepared(body, content_type=media, **{"X-Amz-Target": "AWSScheduler.DeleteThing"})
    assert read_request(contract(CREATE), wire, right).intent is Intent.VALID
    assert read_request(contract(CREATE), wire, prepared(body)).intent is Intent.MEDIA_TYPE
    assert read_request(contract(CREATE), wire, wrong).intent is None  # not read: Schemathesis's verdict stands


def test_schemathesis_sends_an_aws_json_body_as_json_under_its_own_media_type() -> None:
    document = {k: v for k, v in AWS_JSON.items() if k != "x-harness"}  # Schemathesis alone: no harness hook
    operation = schemathesis.openapi.from_dict(document)["/"]["POST"]
    case = operation.Case(body={"targets": [TARGET]}, headers=AWS_JSON_TARGET)
    request = requests.Request(**case.as_transport_kwargs(base_url="http://127.0.0.1:1")).prepare()
    assert (request.headers["Content-Type"], json.loads(request.body)) == (
        "application/x-amz-json-1.1",
        {"targets": [TARGET]},
    )
    assert read_request(contract(CREATE), Wire.of(AWS_JSON), request).intent is Intent.VALID


def test_a_contract_document_is_loaded_as_harness_run_loads_it() -> None:
    document = json.loads(CREATE_SCOPE.read_text(encoding="utf-8"))
    assert contract_of(document).request_schema() == contract(CREATE).request_schema()


# --------------------------------------------------------------------------- signing


def test_the_final_bytes_and_x_amz_target_are_signed_as_the_mock_verifies() -> None:
    request = prepared({"targets": [TARGET]}, **AWS_JSON_TARGET, **{"User-Agent": "st"})
    SigV4(key=KEY, service="scheduler")(request)
    headers = {k.lower(): str(v) for k, v in request.headers.items()}
    verifier = Verifier(credentials={KEY.access_key: KEY.secret_key})
    auth = verifier.check_headers(headers, service="scheduler")
    assert auth.signed_headers == ("content-type", "host", "x-amz-date", "x-amz-target")
    wire_headers = [("host", urlsplit(request.url).netloc), *headers.items()]
    verifier.verify(auth, method="POST", raw_path="/scopes", query="", headers=wire_headers, body=request.body)


# --------------------------------------------------------------------------- Schemathesis's checks, as SPEC reads them


def verdict(request: Any, *, status: int, headers: dict[str, str], body: dict[str, Any]) -> Verdict:
    reading = read_request(contract(CREATE), JSON_BODY, request)
    answer = Response(status=status, headers=headers, body=json.dumps(body).encode(), elapsed=0.01)
    return Verdict(judgement=Judgement(contract=contract(CREATE), case=reading.case, response=answer), reading=reading)


def test_a_missing_error_header_is_set_aside_only_when_the_error_is_named_otherwise() -> None:
    missing = MissingHeaders(operation="POST /scopes", missing_headers=["x-amzn-ErrorType"], message="missing")
    invalid = prepared({"targets": []})
    named = verdict(invalid, status=400, headers={}, body={"code": "ValidationException", "message": "no"})
    unnamed = verdict(invalid, status=400, headers={}, body={"message": "no"})
    adjustment = adjustment_for(missing, named)
    assert adjustment is not None and adjustment.judged_by == "error_named"
    assert adjustment_for(missing, unnamed) is None


def test_schemathesis_s_positive_verdict_gives_way_only_where_the_harness_reads_the_request() -> None:
    refused = RejectedPositiveData(
        operation="POST /scopes", message="refused", status_code=400, allowed_statuses=["2xx"]
    )
    answer: dict[str, Any] = {"status": 400, "headers": {"x-amzn-errortype": "ValidationException"}, "body": {}}
    read = verdict(prepared({"targets": [TARGET] * 101}), **answer)
    unread = verdict(prepared({"targets": [TARGET]}, method="PUT"), **answer)
    adjustment = adjustment_for(refused, read)
    assert adjustment is not None and adjustment.judged_by == "valid_accepted"
    assert adjustment_for(refused, unread) is None


@pytest.mark.parametrize(
    ("media", "set_aside"),
    [("application/x-amz-json-1.1", True), ("application/x-amz-json-1.0; charset=utf-8", True), ("text/plain", False)],
)
def test_an_undeclared_media_type_is_set_aside_only_where_spec_allows_it(media: str, set_aside: bool) -> None:
    """SPEC 4.3 allows two media types the contract does not declare, and says text/plain breaks the rule."""
    undeclared = UndefinedContentType(
        operation="POST /scopes", message="undeclared", content_type=media, defined_content_types=["application/json"]
    )
    headers = {"content-type": media, "x-amzn-errortype": "ValidationException"}
    answer = verdict(prepared({"targets": []}), status=400, headers=headers, body={"message": "no"})
    assert (adjustment_for(undeclared, answer) is not None) is set_aside


def test_the_harness_s_own_failures_are_never_set_aside() -> None:
    answer = verdict(prepared({"targets": [TARGET]}), status=500, headers={}, body={})
    assert adjustment_for(AssertionError("a valid body answered 500"), answer) is None
