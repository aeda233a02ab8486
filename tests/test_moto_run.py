"""``harness run`` against a real emulator, moto 5.2.5's server, over imported operations of
every JSON protocol (``tests/moto_server.py`` lists them): restJson1 with members in the URI
path, the query string, headers and a payload; awsJson1.0; awsJson1.1.

Every deviation of moto asserted here is confirmed in the same test by a hand-built request: a
botocore client with parameter validation off, pointed at the same server, shows moto doing
it.  Where moto is right, the test asserts that the rule passes; where the model's constraints
are not the whole truth (a state machine's definition), that the harness does not cry wolf.

Cost: one moto server and one run of the 23 operations with ``--max-examples 3`` and one
request at a time for the module, about 50 s on this 2-core machine (the probes are most of it;
they do not depend on ``--max-examples``).
"""

from __future__ import annotations

import contextlib
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.cli import main
from harness.contract import load_contracts
from harness.importer import find_contract
from tests.moto_server import CREDENTIALS, LEFT_OUT_CHECKS, OPERATION_IDS, client, moto_server, reset

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 3
ROLE = "arn:aws:iam::123456789012:role/harness-test"
SCHEDULE = {
    "ScheduleExpression": "rate(1 minute)",
    "FlexibleTimeWindow": {"Mode": "OFF"},
    "Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:harness-test", "RoleArn": ROLE},
}


@dataclass
class Run:
    url: str
    code: int
    document: dict[str, Any]
    output: str  # standard output and standard error
    files: dict[str, str]  # the results JSON and the HTML report, as text

    def operation(self, operation_id: str) -> dict[str, Any]:
        return next(op for op in self.document["operations"] if op["id"] == operation_id)

    def rule(self, operation_id: str, rule_id: str) -> dict[str, Any]:
        return next(rule for rule in self.operation(operation_id)["rules"] if rule["id"] == rule_id)

    def messages(self, operation_id: str, check: str) -> list[str]:
        return [g["message"] for g in self.operation(operation_id)["failures"] if g["check"] == check]

    def documented(self, operation_id: str, status: int) -> list[str]:
        """The error names the contract documents with ``status``."""
        return next(s["errors"] for s in self.operation(operation_id)["statuses"] if s["status"] == status)


@dataclass(frozen=True)
class Answer:
    status: int
    error: str | None
    content_type: str


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(log=tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


@pytest.fixture(scope="module")
def run(moto: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("run")
    # one request at a time: moto's answers to creates of one name depend on their order, and
    # the verdicts asserted here must not depend on how requests in flight interleave
    arguments = ["run", "--target", moto, "--max-examples", str(MAX_EXAMPLES), "--concurrency", "1", "--quiet"]
    arguments += ["--exclude-checks", ",".join(LEFT_OUT_CHECKS)]
    arguments += ["--json", str(out / "results.json"), "--report", str(out / "report.html")]
    for operation in OPERATION_IDS:
        arguments += ["--operation", operation]
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        for name, value in CREDENTIALS.items():
            env.setenv(name, value)
        code = main(arguments)
    reset(moto)  # the hand-built requests meet a server with nothing in it
    files = {name: (out / name).read_text("utf-8") for name in ("results.json", "report.html")}
    return Run(moto, code, json.loads(files["results.json"]), printed.getvalue(), files)


def by_hand(url: str, service: str, method: str, **params: Any) -> Answer:
    """What moto answers to botocore's request for ``params``, sent as they are."""
    try:
        answer = getattr(client(service, url), method)(**params)
    except ClientError as error:
        meta = error.response["ResponseMetadata"]
        return Answer(meta["HTTPStatusCode"], error.response["Error"].get("Code"), _type(meta))
    meta = answer["ResponseMetadata"]
    return Answer(meta["HTTPStatusCode"], None, _type(meta))


def _type(meta: dict[str, Any]) -> str:
    return str(meta.get("HTTPHeaders", {}).get("content-type", ""))


def fresh(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# --------------------------------------------------------------------------- the run itself


def test_the_run_covers_twenty_operations_of_every_json_protocol() -> None:
    contracts = load_contracts()
    imported = [find_contract(contracts, operation) for operation in OPERATION_IDS]
    assert len(imported) >= 20
    protocols = {contract.document["x-harness"]["protocol"] for contract in imported}
    assert protocols == {"restJson1", "awsJson1_0", "awsJson1_1"}
    places = {
        binding["in"]
        for contract in imported
        for binding in contract.document["x-harness"].get("bindings", {}).values()
    }
    assert {"path", "query", "header", "payload"} <= places


def test_every_operation_is_run_and_judged_with_no_traceback(run: Run) -> None:
    assert run.code == 1  # moto is not conformant
    assert [op["id"] for op in run.document["operations"]] == list(OPERATION_IDS)
    assert run.document["checks_left_out"] == list(LEFT_OUT_CHECKS)
    for op in run.document["operations"]:
        assert op["counts"]["cases"] > 0, op["id"]
        assert op["valid_inputs"]["sent"] > 0, op["id"]
    assert "Traceback" not in run.output
    assert "imported in memory" in run.output


def test_valid_inputs_moto_accepts_are_where_the_invalid_ones_start(run: Run) -> None:
    """SPEC 7.5: an operation whose valid inputs moto accepted starts its probes there."""
    started = [op for op in run.document["operations"] if op["valid_inputs"]["accepted"]]
    assert len(started) >= 15
    aimed = [op for op in started if any(rule["invalid_cases"] for rule in op["rules"])]
    assert len(aimed) >= 15  # GetApis has none: an invalid string in its query is a valid one
    for op in aimed:
        assert any(rule["accepted_start"] for rule in op["rules"] if rule["invalid_cases"]), op["id"]
    # kms accepts its documented examples, each a valid input accepted
    assert run.operation("kms:CreateKey")["valid_inputs"]["accepted"] >= 7


def test_a_probe_refused_as_its_taken_start_is_refused_is_no_clean_pass(run: Run) -> None:
    """moto looks a parameter's name up before its type: sent again, the accepted input is
    refused (its name is taken), and so is a type changed on it, for the name's sake.  The rule
    is exercised without an accepted start, a warning, not a clean pass."""
    rule = run.rule("ssm:PutParameter", "Type.enum")
    assert rule["verdict"] == "pass" and rule["invalid_cases"] and rule["accepted_start"] is False
    name = fresh("p")
    assert by_hand(run.url, "ssm", "put_parameter", Name=name, Value="v", Type="String").status == 200
    taken = by_hand(run.url, "ssm", "put_parameter", Name=name, Value="v", Type="BOGUS")
    assert (taken.status, taken.error) == (400, "ParameterAlreadyExists")
    new = by_hand(run.url, "ssm", "put_parameter", Name=fresh("p"), Value="v", Type="BOGUS")
    assert (new.status, new.error) == (400, "ValidationException")


def test_no_secret_reaches_the_results_or_the_report(run: Run) -> None:
    for name, text in run.files.items():
        assert CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in text, name
        assert "Signature=" not in text, name
    assert "--aws-sigv4" in run.files["results.json"]  # reproductions sign from the environment instead


# --------------------------------------------------------------------------- restJson1


def test_a_schedule_name_over_64_characters_in_the_uri_is_accepted(run: Run) -> None:
    rule = run.rule("scheduler:CreateSchedule", "Name.length")
    assert rule["verdict"] == "fail" and "Maximum length of 64" in rule["doc"]
    assert any("$.Name: 65 characters: answered 200, not 400" in m for m in run.messages(
        "scheduler:CreateSchedule", "invalid_rejected"))  # fmt: skip
    assert by_hand(run.url, "scheduler", "create_schedule", Name="n" * 65, **SCHEDULE).status == 200


def test_a_reused_schedule_name_is_a_400_conflict_which_the_model_documents_as_409(run: Run) -> None:
    assert any("'ConflictException', documented with status 409" in m for m in run.messages(
        "scheduler:CreateSchedule", "error_named"))  # fmt: skip
    name = fresh("again-")
    assert by_hand(run.url, "scheduler", "create_schedule", Name=name, **SCHEDULE).status == 200
    assert by_hand(run.url, "scheduler", "create_schedule", Name=name, **SCHEDULE) == Answer(
        400, "ConflictException", "application/json"
    )


def test_an_undocumented_function_version_in_the_query_is_accepted(run: Run) -> None:
    rule = run.rule("lambda:ListFunctions", "FunctionVersion.enum")
    assert rule["verdict"] == "fail" and "Valid Values: ALL" in rule["doc"]
    assert by_hand(run.url, "lambda", "list_functions", FunctionVersion="BOGUS").status == 200


def test_an_undocumented_schedule_state_in_the_query_is_accepted(run: Run) -> None:
    rule = run.rule("scheduler:ListSchedules", "State.enum")
    assert rule["verdict"] == "fail" and "Valid Values: ENABLED | DISABLED" in rule["doc"]
    assert by_hand(run.url, "scheduler", "list_schedules", State="BOGUS").status == 200


def test_an_undocumented_payload_format_indicator_header_is_accepted(run: Run) -> None:
    rule = run.rule("iot-data:Publish", "payloadFormatIndicator.enum")
    assert rule["verdict"] == "fail"
    answer = by_hand(run.url, "iot-data", "publish", topic="t", payloadFormatIndicator="BOGUS", payload=b"x")
    assert answer.status == 200


# --------------------------------------------------------------------------- awsJson1.0


def test_an_empty_table_name_is_accepted(run: Run) -> None:
    rule = run.rule("dynamodb:CreateTable", "TableName.length")
    assert rule["verdict"] == "fail" and "Minimum length of 1" in rule["doc"]
    table = {
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    assert by_hand(run.url, "dynamodb", "create_table", TableName="", **table).status == 200


def test_a_queue_without_its_required_name_is_a_500_html_page(run: Run) -> None:
    assert run.rule("sqs:CreateQueue", "input.required")["verdict"] == "fail"
    assert any("answered 500, not 400" in m for m in run.messages("sqs:CreateQueue", "invalid_rejected"))
    answer = by_hand(run.url, "sqs", "create_queue")
    assert answer.status == 500 and answer.content_type.startswith("text/html")


def test_a_role_arn_the_model_cannot_judge_is_refused_without_crying_wolf(run: Run) -> None:
    """The model gives roleArn a length, not the syntax of an ARN, which moto checks: every
    generated valid input is refused with the documented InvalidArn.  That passes SPEC 7.2; with
    no valid input accepted, the rules' invalid cases are exercised without an accepted start,
    a warning and not a clean pass."""
    op = run.operation("stepfunctions:CreateStateMachine")
    assert op["valid_inputs"]["accepted"] == 0
    assert next(c for c in op["checks"] if c["id"] == "valid_accepted")["verdict"] == "pass"
    assert run.rule("stepfunctions:CreateStateMachine", "type.enum")["accepted_start"] is False
    assert any(w["check"] == "accepted_start" for w in op["warnings"])
    answer = by_hand(run.url, "stepfunctions", "create_state_machine", name=fresh("m"), definition="{}", roleArn="0")
    assert (answer.status, answer.error) == (400, "InvalidArn")
    assert "InvalidArn" in run.documented("stepfunctions:CreateStateMachine", 400)


# --------------------------------------------------------------------------- awsJson1.1


def test_a_glue_database_without_its_required_input_is_a_500_html_page(run: Run) -> None:
    assert run.rule("glue:CreateDatabase", "input.required")["verdict"] == "fail"
    assert any(
        "'DatabaseInput'" in m and "answered 500" in m for m in run.messages("glue:CreateDatabase", "invalid_rejected")
    )
    answer = by_hand(run.url, "glue", "create_database")
    assert answer.status == 500 and answer.content_type.startswith("text/html")


def test_an_undocumented_key_usage_is_accepted(run: Run) -> None:
    rule = run.rule("kms:CreateKey", "KeyUsage.enum")
    assert rule["verdict"] == "fail" and "Valid Values:" in rule["doc"]
    assert by_hand(run.url, "kms", "create_key", KeyUsage="BOGUS").status == 200


def test_a_repository_name_off_its_pattern_is_refused_with_a_documented_error(run: Run) -> None:
    """Where moto is right, the rule passes."""
    rule = run.rule("ecr:CreateRepository", "repositoryName.pattern")
    assert (rule["verdict"], rule["accepted_start"]) == ("pass", True) and rule["invalid_cases"] > 0
    answer = by_hand(run.url, "ecr", "create_repository", repositoryName="NOT A NAME")
    assert (answer.status, answer.error) == (400, "InvalidParameterException")
    assert "InvalidParameterException" in run.documented("ecr:CreateRepository", 400)


def test_an_undocumented_key_type_is_refused_with_a_documented_error(run: Run) -> None:
    """Where moto is right, the rule passes (awsJson1.0)."""
    rule = run.rule("dynamodb:CreateTable", "KeySchemaElement.KeyType.enum")
    assert (rule["verdict"], rule["accepted_start"]) == ("pass", True) and rule["invalid_cases"] > 0
    table = {
        "TableName": fresh("t"),
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "hash"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    answer = by_hand(run.url, "dynamodb", "create_table", **table)
    assert (answer.status, answer.error) == (400, "ValidationException")
    assert "ValidationException" in run.documented("dynamodb:CreateTable", 400)
