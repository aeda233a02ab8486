"""A broken target is reported as a failure of its own kind, never a traceback or a hang."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from harness.cli import main
from tests.bad_targets import bad_server, deeply_nested_error, html_page, huge_body, reset, short_body


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "harness-test-secret")


def run_against(url: str, tmp_path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "results.json"
    code = main(
        [
            "run", "--target", url, "--operation", "detective:StartMonitoringMember",
            "--max-examples", "3", "--quiet", "--json", str(out), *extra,
        ]
    )  # fmt: skip
    return code, json.loads(out.read_text())


def failure_messages(document: dict[str, object]) -> list[str]:
    operations = document["operations"]
    assert isinstance(operations, list)
    return [f"{g['check']}: {g['message']}" for op in operations for g in op["failures"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_target_exits_2_at_once_with_what_to_check(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    code = main(["run", "--target", f"http://127.0.0.1:{free_port()}", "--quiet"])
    assert code == 2
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert "cannot connect" in err
    assert "Check that the target is running" in err
    assert "Traceback" not in err


def test_a_target_answering_html_is_nonconformant(tmp_path: Path) -> None:
    with bad_server(html_page) as url:
        code, document = run_against(url, tmp_path)
    assert code == 1
    messages = failure_messages(document)
    assert any(m.startswith("invalid_rejected") for m in messages)
    assert any("not a JSON object" in m or "must have an empty body" in m for m in messages)


def test_an_answer_nested_past_pythons_json_is_not_a_json_body(tmp_path: Path) -> None:
    """A body Python's ``json`` cannot read (100,000 levels: a RecursionError) is judged as
    not JSON, not a traceback."""
    with bad_server(deeply_nested_error) as url:
        code, document = run_against(url, tmp_path)
    assert code == 1
    assert any(m.startswith("body_matches_contract") and "not a JSON object" in m for m in failure_messages(document))


@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [(reset, "reset"), (short_body, "truncated"), (huge_body, "larger than")],
    ids=["connection-reset", "body-cut-short", "50-MB-answer"],
)
def test_socket_level_faults_are_failures_of_their_own_kind(behaviour: object, kind: str, tmp_path: Path) -> None:
    with bad_server(behaviour) as url:  # type: ignore[arg-type]
        code, document = run_against(url, tmp_path, "--max-body", "65536")
    assert code == 1
    assert any(m.startswith("target_answers") and kind in m for m in failure_messages(document))


def test_a_target_that_stops_answering_ends_the_run_with_results_written(tmp_path: Path) -> None:
    """Every connection reset: the run gives up and still writes its results (exit 1).  How
    long it waits before giving up is the engine's, on its injected timer: test_engine_phases.py."""
    with bad_server(reset) as url:
        code, document = run_against(url, tmp_path)
    assert code == 1
    assert "stopped answering" in str(document["aborted"])
    assert any(m.startswith("target_answers") and "reset" in m for m in failure_messages(document))
