"""`harness run` on the command line: arguments, outputs and exit codes (SPEC section 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main


def test_a_run_against_the_bundled_mock_is_conformant_and_writes_every_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, junit, results = tmp_path / "report.html", tmp_path / "junit.xml", tmp_path / "results.json"
    code = main(
        [
            "run", "--target", "mock", "--max-examples", "10", "--quiet",
            "--report", str(report), "--junit", str(junit), "--json", str(results),
        ]
    )  # fmt: skip
    assert code == 0
    document = json.loads(results.read_text())
    assert document["verdict"] == "conformant"
    assert document["counts"]["failed"] == 0
    assert {op["id"] for op in document["operations"]} == {
        "networkflowmonitor:CreateScope",
        "detective:StartMonitoringMember",
    }
    scenarios = [s for op in document["operations"] for s in op["scenarios"]]
    assert scenarios and all(s["verdict"] == "pass" for s in scenarios)
    assert report.read_text().lower().startswith("<!doctype html")
    assert "<testsuite" in junit.read_text()
    assert "CONFORMANT" in capsys.readouterr().out.upper()


def test_operation_narrows_the_run(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    code = main(
        [
            "run", "--target", "mock", "--operation", "detective:StartMonitoringMember",
            "--max-examples", "5", "--quiet", "--json", str(results),
        ]
    )  # fmt: skip
    assert code == 0
    assert [op["id"] for op in json.loads(results.read_text())["operations"]] == ["detective:StartMonitoringMember"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--target", "mock", "--operation", "detective:StartMonitoringMembers"], "did you mean"),
        (["--target", "ftp://example"], "http(s) URL or 'mock'"),
        (["--target", "mock", "--max-examples", "0"], "at least 1"),
        (["--target", "mock", "--seed", "many"], "invalid int value"),
        ([], "one of the arguments --target --replay is required"),
    ],
    ids=["unknown-operation", "bad-target", "zero-examples", "bad-seed", "no-target"],
)
def test_bad_arguments_exit_2_with_a_message(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        code = main(["run", *arguments])
        raise SystemExit(code)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_without_credentials_a_url_target_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["run", "--target", "http://127.0.0.1:9", "--quiet"]) == 2
    assert "AWS_ACCESS_KEY_ID" in capsys.readouterr().err


def test_the_same_seed_sends_the_same_cases(tmp_path: Path) -> None:
    def cases(seed: str) -> list[tuple[str, str]]:
        out = tmp_path / f"{seed}.json"
        main(["run", "--target", "mock", "--seed", seed, "--max-examples", "5", "--quiet", "--json", str(out)])
        document = json.loads(out.read_text())
        return [(r["id"], r["verdict"]) for op in document["operations"] for r in op["rules"]] + [
            ("counts", json.dumps(document["counts"]))
        ]

    assert cases("7") == cases("7")
