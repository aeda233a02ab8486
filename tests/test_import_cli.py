"""``harness import``, and ``list``, ``validate`` and ``run --operation`` of an operation that
has no contract file: 0 when written (a curated contract kept), 2 when it could not run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness.cli import build_parser, main
from harness.cli.run import DEFAULTS, select
from harness.config import configure_run
from harness.contract import default_contracts_dir, load_contracts
from harness.mock import create_app

SCHEDULE = "scheduler:CreateSchedule"
CREATE_SCOPE = "networkflowmonitor:CreateScope"


def read(file: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return document


def test_one_operation_is_written_as_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "contracts"  # created when missing
    assert main(["import", SCHEDULE, "--out", str(out)]) == 0
    assert [f.name for f in out.iterdir()] == ["scheduler-CreateSchedule.json"]
    assert capsys.readouterr().out.startswith(f"harness import: 1 contract written to {out} from botocore ")
    contract = load_contracts(out)[SCHEDULE]
    assert contract.imported is not None and contract.imported.service == "scheduler"
    assert (out / "scheduler-CreateSchedule.json").read_text(encoding="utf-8").startswith('{\n  "openapi": "3.1.0"')


def test_a_service_is_every_operation_of_it(tmp_path: Path) -> None:
    assert main(["import", "scheduler", "--out", str(tmp_path)]) == 0
    contracts = load_contracts(tmp_path)
    assert SCHEDULE in contracts and "scheduler:ListSchedules" in contracts
    assert all(name.startswith("scheduler:") for name in contracts)
    assert len(contracts) == len(list(tmp_path.glob("scheduler-*.json")))


def test_a_curated_contract_is_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    curated = tmp_path / "networkflowmonitor-CreateScope.json"
    shutil.copy(default_contracts_dir() / curated.name, curated)
    before = curated.read_bytes()
    assert main(["import", "networkflowmonitor", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"kept {curated}: not an imported contract" in err
    assert "--force overwrites it" in err
    assert curated.read_bytes() == before
    assert (tmp_path / "networkflowmonitor-GetScope.json").is_file()  # the others are written
    assert main(["import", CREATE_SCOPE, "--out", str(tmp_path), "--force"]) == 0
    assert "imported" in read(curated)["x-harness"]


def test_a_curated_contract_under_another_name_is_kept_too(tmp_path: Path) -> None:
    mine = tmp_path / "my-scope.json"
    shutil.copy(default_contracts_dir() / "networkflowmonitor-CreateScope.json", mine)
    assert main(["import", CREATE_SCOPE, "--out", str(tmp_path)]) == 0
    assert [f.name for f in tmp_path.iterdir()] == ["my-scope.json"]  # no second contract of the operation


def test_an_imported_contract_is_imported_again_without_force(tmp_path: Path) -> None:
    file = tmp_path / "scheduler-CreateSchedule.json"
    assert main(["import", SCHEDULE, "--out", str(tmp_path)]) == 0
    file.write_text(file.read_text(encoding="utf-8").replace('"successStatus": 200', '"successStatus": 201'))
    assert main(["import", SCHEDULE, "--out", str(tmp_path)]) == 0
    assert read(file)["x-harness"]["successStatus"] == 200


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["scheduler:CreateSchedul"], "no operation 'CreateSchedul'; did you mean scheduler:CreateSchedule"),
        (["schedulr"], "has no service 'schedulr'; did you mean scheduler?"),
        (["s3:PutObject"], "s3 speaks restXml, not a JSON protocol"),
        (["sts"], "sts speaks awsQuery, not a JSON protocol"),
        (["ec2:DescribeInstances"], "ec2 speaks ec2Query, not a JSON protocol"),
        (["cloudwatchomni"], "cloudwatchomni speaks Smithy RPC v2 CBOR, not a JSON protocol"),
        (["--all"], "not both"),
    ],
)
def test_what_cannot_be_imported_exits_2_saying_why(
    arguments: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "scheduler:GetSchedule", *arguments, "--out", str(tmp_path / "new")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("harness import: ")
    assert expected in err
    assert "Traceback" not in err
    assert not (tmp_path / "new").exists()  # nothing written, not even the good argument's


def test_nothing_to_import_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import"]) == 2
    assert "name what to import: an operation id (scheduler:CreateSchedule), a service" in capsys.readouterr().err


def test_an_unwritable_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["import", SCHEDULE, "--out", str(blocker / "contracts")]) == 2
    assert "cannot create" in capsys.readouterr().err


# --------------------------------------------------------------------------- ids without a file


def test_list_imports_an_id_without_a_file_in_memory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--operation", SCHEDULE, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    (operation,) = json.loads(out)["operations"]
    assert (operation["id"], operation["method"], operation["path"]) == (SCHEDULE, "POST", "/schedules/{Name}")
    name_length = next(rule for rule in operation["rules"] if rule["id"] == "Name.length")
    assert name_length["doc"].endswith("Length Constraints: Minimum length of 1. Maximum length of 64.")
    assert name_length["source"].startswith("botocore:scheduler/")
    assert f"harness list: {SCHEDULE} has no contract file: imported in memory from botocore " in err


def test_validate_checks_an_input_of_an_id_without_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "input.json"
    body.write_text(json.dumps({"Name": "nightly"}))
    assert main(["validate", "scheduler:GetSchedule", str(body)]) == 0
    out, err = capsys.readouterr()
    assert out == "valid\n"
    assert "scheduler:GetSchedule has no contract file: imported in memory" in err
    body.write_text(json.dumps({"Name": "x" * 65}))
    assert main(["validate", "scheduler:GetSchedule", str(body)]) == 1
    out = capsys.readouterr().out
    assert "$.Name  Name.length" in out
    assert "documented (botocore:scheduler/" in out


def test_run_selects_an_imported_contract_and_a_curated_one_wins(capsys: pytest.CaptureFixture[str]) -> None:
    contracts = load_contracts()
    schedule, scope = select(contracts, [SCHEDULE, CREATE_SCOPE])
    assert schedule.imported is not None and schedule.id == SCHEDULE
    assert scope is contracts[CREATE_SCOPE]
    assert capsys.readouterr().err.count("imported in memory") == 1


def test_an_id_neither_a_file_nor_botocore_has_suggests_both(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--operation", "networkflowmonitor:CreateScop"]) == 2
    err = capsys.readouterr().err
    assert "unknown operation 'networkflowmonitor:CreateScop'; did you mean networkflowmonitor:CreateScope" in err


def test_run_s_configured_operations_may_be_botocore_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.harness]\ntarget = "mock"\noperations = ["scheduler:GetSchedule"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["run"])
    configure_run(args, defaults=DEFAULTS)
    assert args.operation == ["scheduler:GetSchedule"]


def test_drift_compares_curated_contracts_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(default_contracts_dir() / "detective-StartMonitoringMember.json", tmp_path)
    assert main(["import", SCHEDULE, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["drift", "--contracts", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("detective:StartMonitoringMember against botocore ")
    assert SCHEDULE not in out
    assert "(1 imported contract not compared: they are botocore's model)" in out
    assert main(["drift", "--contracts", str(tmp_path), "--operation", SCHEDULE]) == 2
    assert "imported from botocore's model, so there is no drift to compare" in capsys.readouterr().err


def test_list_says_what_the_success_of_an_imported_operation_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--operation", "lambda:Invoke"]) == 0
    assert "    200  success, the payload's bytes" in capsys.readouterr().out
    assert main(["list", "--operation", SCHEDULE, "--format", "json"]) == 0
    (operation,) = json.loads(capsys.readouterr().out)["operations"]
    assert (operation["success_status"], operation["success_body"]) == (200, "jsonOrEmpty")


def test_a_run_against_the_mock_leaves_imported_contracts_out_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``harness import`` into the folder of the curated contracts, then ``--target mock``: the
    mock implements the curated operations, so the imported one is left out, with a note."""
    folder = tmp_path / "contracts"
    folder.mkdir()
    for source in default_contracts_dir().glob("*.json"):
        (folder / source.name).write_bytes(source.read_bytes())
    assert main(["import", "sqs:CreateQueue", "--out", str(folder)]) == 0
    results = tmp_path / "results.json"
    code = main(["run", "--target", "mock", "--contracts", str(folder), "--max-examples", "2", "--quiet",
                 "--json", str(results)])  # fmt: skip
    assert code == 0
    assert "1 imported contract left out (sqs:CreateQueue)" in capsys.readouterr().err
    assert {op["id"] for op in json.loads(results.read_text())["operations"]} == {
        "networkflowmonitor:CreateScope",
        "detective:StartMonitoringMember",
    }
    app = create_app(contracts=load_contracts(folder), credentials=("AKIDMOCKIMPORTED0001", "secret"))
    assert set(app.handlers) == {"networkflowmonitor:CreateScope", "detective:StartMonitoringMember"}
