"""Bad input on the way to an emulator: an operation id botocore does not know, an example that
breaks its contract, an emulator that answers HTML, XML or nothing, an operation it does not
implement.  Each gets a clear message (exit 2, nothing sent) or a reported failure (exit 1,
every output written, the other operations' results among them), never a traceback.

The emulators that answer HTML, XML or nothing are loopback servers of ``tests/bad_targets.py``;
the operations moto does not implement are asked of moto 5.2.5's server itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.cli import main
from tests.bad_targets import bad_server, closed, empty_answer, html_page, not_implemented, xml_error
from tests.moto_server import CREDENTIALS, LEFT_OUT_CHECKS, client, free_port, moto_server

#: awsJson1.0, awsJson1.1 and restJson1 with a URI label: cheap to probe
OPERATIONS = ("sqs:CreateQueue", "ecr:CreateRepository", "glacier:CreateVault")
OUTPUTS = ("results.json", "report.html", "junit.xml")


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


def harness_run(url: str, out: Path, *operations: str, extra: tuple[str, ...] = ()) -> int:
    arguments = ["run", "--target", url, "--max-examples", "2", "--quiet", "--exclude-checks", *LEFT_OUT_CHECKS]
    arguments += ["--json", str(out / "results.json"), "--report", str(out / "report.html")]
    arguments += ["--junit", str(out / "junit.xml"), *extra]
    for operation in operations:
        arguments += ["--operation", operation]
    return main(arguments)


def messages(document: dict[str, Any], operation: str) -> list[str]:
    op = next(op for op in document["operations"] if op["id"] == operation)
    return [f"{group['check']}: {group['message']}" for group in op["failures"]]


# --------------------------------------------------------------------------- clear messages, exit 2


@pytest.mark.parametrize(
    ("operation", "said"),
    [
        ("scheduler:CreateSchedul", "did you mean scheduler:CreateSchedule"),
        ("nosuch:CreateThing", "botocore 1.44.8 has no service 'nosuch'"),
        ("s3:PutObject", "s3 speaks restXml, not a JSON protocol"),
    ],
    ids=["misspelt", "no-such-service", "not-json"],
)
def test_an_operation_id_botocore_cannot_import_exits_2_naming_what_to_do(
    operation: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Beside a good id, before anything is sent (the target is a port nothing listens on)."""
    import botocore

    said = said.replace("1.44.8", botocore.__version__)
    assert harness_run(f"http://127.0.0.1:{free_port()}", tmp_path, "sqs:CreateQueue", operation) == 2
    err = capsys.readouterr().err
    assert f"unknown operation '{operation}'" in err and said in err
    assert "Traceback" not in err and "cannot connect" not in err
    assert not any((tmp_path / name).exists() for name in OUTPUTS)


def test_an_example_that_breaks_its_contract_exits_2_naming_the_example_and_the_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contracts = tmp_path / "contracts"
    assert main(["import", "kms:CreateKey", "--out", str(contracts)]) == 0
    path = contracts / "kms-CreateKey.json"
    document = json.loads(path.read_text("utf-8"))
    example = document["x-harness"]["examples"][0]
    example["input"]["Description"] = "d" * 8193  # the maximum is 8,192
    path.write_text(json.dumps(document), "utf-8")
    capsys.readouterr()
    code = harness_run(
        f"http://127.0.0.1:{free_port()}", tmp_path, "kms:CreateKey", extra=("--contracts", str(contracts))
    )
    assert code == 2
    err = capsys.readouterr().err
    assert f"broken contract {path} at /x-harness/examples/0/input" in err
    assert f"example {example['title']!r} breaks the contract at member $.Description" in err
    assert "(8,193 characters) is too long [Description.length:" in err and "Maximum length of 8192" in err
    assert len(err) < 1000 and "Traceback" not in err


# --------------------------------------------------------------------------- reported failures, exit 1


Behaviour = Callable[[Any], None]


@pytest.mark.parametrize(
    ("behaviour", "found"),
    [
        (html_page, "body_matches_contract: a 200 body is not a JSON object"),
        (xml_error, "error_named: a 400 answer names no error"),
        (empty_answer, "answered 200, not 400"),
        (not_implemented, "status_documented: answered 501, which"),
        (closed, "target_answers: reset: the connection broke before an answer"),
    ],
    ids=["html", "xml", "nothing-but-200", "501", "no-answer"],
)
def test_an_emulator_answering_wrongly_is_reported_with_every_output_written(
    behaviour: Behaviour, found: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with bad_server(behaviour) as url:
        code = harness_run(url, tmp_path, *OPERATIONS)
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert all((tmp_path / name).stat().st_size for name in OUTPUTS)
    document = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert [op["id"] for op in document["operations"]] == list(OPERATIONS)
    assert any(found in message for message in messages(document, OPERATIONS[0])), messages(document, OPERATIONS[0])
    if behaviour is closed:
        # no answer five times in a row: the run ends, and says so, with what it found
        assert "stopped answering" in str(document["aborted"])
        assert "stopped answering" in out
    else:
        for operation in OPERATIONS[1:]:
            assert messages(document, operation), operation


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(log=tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


def test_operations_moto_does_not_implement_fail_beside_the_results_of_one_it_does(
    moto: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unimplemented = ("ssm:CreateOpsItem", "apigatewayv2:CreatePortal")
    code = harness_run(moto, tmp_path, unimplemented[0], "kms:CreateKey", unimplemented[1])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    document = json.loads((tmp_path / "results.json").read_text("utf-8"))
    ops = {op["id"]: op for op in document["operations"]}
    assert list(ops) == [unimplemented[0], "kms:CreateKey", unimplemented[1]]
    assert any("valid_accepted: a generated valid body: a valid body answered 500" in m
               for m in messages(document, "ssm:CreateOpsItem"))  # fmt: skip
    assert any("answered 404, which apigatewayv2:CreatePortal does not document" in m
               for m in messages(document, "apigatewayv2:CreatePortal"))  # fmt: skip
    assert ops["kms:CreateKey"]["valid_inputs"]["accepted"] > 0
    assert ops["ssm:CreateOpsItem"]["valid_inputs"]["accepted"] == 0
    # by hand: moto answers both with an HTML page, 500 and 404
    for service, method, params, status in [
        ("ssm", "create_ops_item", {"Description": "d", "Source": "s", "Title": "t"}, 500),
        ("apigatewayv2", "create_portal", {}, 404),
    ]:
        with pytest.raises(ClientError) as refused:
            getattr(client(service, moto), method)(**params)
        meta = refused.value.response["ResponseMetadata"]
        assert meta["HTTPStatusCode"] == status
        assert meta["HTTPHeaders"]["content-type"].startswith("text/html")
