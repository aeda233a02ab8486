"""Choosing the checks of a run: ``--checks`` and ``--exclude-checks`` (also ``[tool.harness]``
and the pytest plugin), names as ``harness list`` prints them; an unknown name is refused with
the closest ones; every report says which checks were left out (SPEC section 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults import bugs
from faults.building import correct

from harness.aws import SigningKey
from harness.checks import DEFAULT_CHECKS, default_registry
from harness.cli import main
from harness.contract import load_contracts
from harness.engine import Engine, RunOptions
from harness.errors import UsageError
from harness.mock.server import serve_in_thread
from harness.target.http import HttpTransport

CREDENTIALS = ("AKIDCHECKSELECTION01", "check-selection-secret-key")
START_MONITORING = "detective:StartMonitoringMember"


def test_every_check_is_named_as_harness_list_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    names = [check.name for check in DEFAULT_CHECKS]
    assert len(set(names)) == len(names)
    assert default_registry().names == names
    per_operation = {check for op in listed["operations"] for check in op["checks"]}
    assert [check["id"] for check in listed["checks"]] == [name for name in names if name in per_operation]
    assert set(names) - per_operation == {"accepted_start"}, "a check of imported contracts only"


def test_leaving_a_check_out_keeps_the_others_in_their_order() -> None:
    chosen = default_registry().select(leave_out=["unauthenticated_rejected", "answer_time"])
    assert chosen.names == [c.name for c in DEFAULT_CHECKS if c.name not in ("unauthenticated_rejected", "answer_time")]
    assert default_registry().select(only=["error_named", "status_documented"]).names == [
        "status_documented",
        "error_named",
    ]


@pytest.mark.parametrize(
    ("only", "leave_out", "hint"),
    [
        (None, ["unauthenticated_rejectd"], "did you mean 'unauthenticated_rejected'"),
        (["status_documentd"], [], "did you mean 'status_documented'"),
        (None, ["nothing-like-it"], "Checks (as `harness list` prints them): status_documented"),
    ],
)
def test_an_unknown_check_name_is_refused_with_the_closest_names(
    only: list[str] | None, leave_out: list[str], hint: str
) -> None:
    with pytest.raises(UsageError, match="unknown check") as refused:
        default_registry().select(only=only, leave_out=leave_out)
    assert hint in str(refused.value)


def run_against(build: object, *, leave_out: list[str]) -> dict[str, object]:
    contract = load_contracts()[START_MONITORING]
    transport = HttpTransport()
    try:
        with serve_in_thread(build(CREDENTIALS)) as url:  # type: ignore[operator]
            options = RunOptions(base_url=url, key=SigningKey(*CREDENTIALS, "us-east-1"), max_examples=3)
            checks = default_registry().select(leave_out=leave_out)
            return Engine(contracts=[contract], transport=transport, options=options, checks=checks).run()
    finally:
        transport.close()


def test_an_emulator_that_checks_no_signature_passes_only_with_that_check_left_out() -> None:
    """The SPEC 7 recipe for emulators: ``--exclude-checks unauthenticated_rejected``."""
    judged = run_against(bugs.signature_not_compared, leave_out=[])
    assert judged["verdict"] == "nonconformant"
    spared = run_against(bugs.signature_not_compared, leave_out=["unauthenticated_rejected"])
    assert spared["verdict"] == "conformant", spared
    assert spared["checks_left_out"] == ["unauthenticated_rejected"]
    operation = spared["operations"][0]  # type: ignore[index]
    assert "unauthenticated_rejected" not in {check["id"] for check in operation["checks"]}


def test_a_left_out_run_check_is_not_judged() -> None:
    document = run_against(correct(), leave_out=["target_answers"])
    operation = document["operations"][0]  # type: ignore[index]
    assert "target_answers" not in {check["id"] for check in operation["checks"]}
    assert document["verdict"] == "conformant"


def test_the_command_line_and_every_report_say_which_checks_were_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {name: tmp_path / name for name in ("results.json", "junit.xml", "report.html")}
    code = main(
        [
            "run", "--target", "mock", "--operation", START_MONITORING, "--max-examples", "3", "--quiet",
            "--exclude-checks", "unauthenticated_rejected,answer_time",
            "--json", str(outputs["results.json"]), "--junit", str(outputs["junit.xml"]),
            "--report", str(outputs["report.html"]),
        ]
    )  # fmt: skip
    assert code == 0
    assert json.loads(outputs["results.json"].read_text())["checks_left_out"] == [
        "unauthenticated_rejected",
        "answer_time",
    ]
    assert 'name="checks_left_out" value="unauthenticated_rejected, answer_time"' in outputs["junit.xml"].read_text()
    assert "Checks left out" in outputs["report.html"].read_text()
    assert "checks left out: unauthenticated_rejected, answer_time" in capsys.readouterr().out


def test_an_unknown_check_on_the_command_line_exits_2_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--target", "mock", "--checks", "status_documented,bogus_check", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown check 'bogus_check'" in err
    assert "Traceback" not in err


def test_the_checks_can_be_chosen_in_tool_harness(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.harness]\ntarget = "mock"\nmax-examples = 3\noperations = ["detective:StartMonitoringMember"]\n'
        'checks = ["status_documented", "invalid_rejected"]\njson = "out.json"\n'
    )
    assert main(["run", "--config", str(config), "--quiet"]) == 0
    document = json.loads((tmp_path / "out.json").read_text())
    assert set(document["checks_left_out"]) == {c.name for c in DEFAULT_CHECKS} - {
        "status_documented",
        "invalid_rejected",
    }
