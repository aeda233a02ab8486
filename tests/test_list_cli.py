"""``harness list``: what the harness asserts about each operation, read from the contracts
(issue 7, item 5)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from harness.cli import main
from harness.contract import Contract, load_contracts

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"


@pytest.fixture(scope="module")
def contracts() -> dict[str, Contract]:
    return load_contracts()


def listing(capsys: pytest.CaptureFixture[str], *arguments: str) -> dict[str, Any]:
    assert main(["list", "--format", "json", *arguments]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def text(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    assert main(["list", *arguments]) == 0
    return capsys.readouterr().out


def test_json_lists_every_operation_with_its_method_path_and_contract_file(
    capsys: pytest.CaptureFixture[str], contracts: dict[str, Contract]
) -> None:
    document = listing(capsys)
    assert document["format"] == "harness-list/1"
    assert [(op["id"], op["method"], op["path"], op["contract"]) for op in document["operations"]] == [
        (c.id, c.method, c.path, c.file.name) for c in contracts.values()
    ]


def test_json_gives_every_rule_with_the_documentation_s_sentence(
    capsys: pytest.CaptureFixture[str], contracts: dict[str, Contract]
) -> None:
    for op in listing(capsys)["operations"]:
        rules = contracts[op["id"]].request_rules
        assert [(r["id"], r["doc"], r["source"], r["pointer"]) for r in op["rules"]] == [
            (r.id, r.doc, r.source, r.pointer) for r in rules
        ]
    create_scope = next(op for op in listing(capsys)["operations"] if op["id"] == CREATE_SCOPE)
    token_length = next(r for r in create_scope["rules"] if r["id"] == "clientToken.length")
    assert token_length["doc"] == "Length Constraints: Fixed length of 36."
    assert token_length["location"] == "$.clientToken"
    assert token_length["keywords"] == ["minLength", "maxLength"]


def test_json_gives_each_status_with_the_names_of_its_errors(capsys: pytest.CaptureFixture[str]) -> None:
    operations = {op["id"]: op for op in listing(capsys)["operations"]}
    statuses = {s["status"]: s["errors"] for s in operations[START_MONITORING]["statuses"]}
    assert list(statuses) == [200, 400, 402, 403, 404, 409, 500]  # SPEC section 3
    assert statuses[200] == []
    assert statuses[400] == ["SerializationException", "ValidationException"]
    assert "AccessDeniedException" in statuses[403]
    assert statuses[404] == ["ResourceNotFoundException"]
    assert [s["status"] for s in operations[CREATE_SCOPE]["statuses"]] == [200, 400, 402, 403, 409, 429, 500]


def test_json_gives_the_provider_state_scenarios_and_the_checks_with_what_they_assert(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = listing(capsys)
    create_scope = next(op for op in document["operations"] if op["id"] == CREATE_SCOPE)
    quota = next(s for s in create_scope["scenarios"] if s["name"] == "scope quota reached")
    assert quota["state"] == "scope quota reached"
    assert quota["expect"] == {"statuses": [402], "error": "ServiceQuotaExceededException"}
    assert "idempotency" in create_scope["checks"]
    start = next(op for op in document["operations"] if op["id"] == START_MONITORING)
    assert "idempotency" not in start["checks"]  # no idempotency token
    docs = {check["id"]: check["doc"] for check in document["checks"]}
    assert set(docs) == {check for op in document["operations"] for check in op["checks"]}
    assert docs["invalid_rejected"].startswith("Invalid input")


def test_operation_narrows_the_listing(capsys: pytest.CaptureFixture[str]) -> None:
    document = listing(capsys, "--operation", START_MONITORING)
    assert [op["id"] for op in document["operations"]] == [START_MONITORING]


def test_an_unknown_operation_exits_2_with_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--operation", "detective:StartMonitoringMembers"]) == 2
    err = capsys.readouterr().err
    assert f"did you mean {START_MONITORING}?" in err
    assert "Traceback" not in err


def test_text_shows_each_operation_its_rules_sentences_statuses_and_scenarios(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, contracts: dict[str, Contract]
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    out = text(capsys, "--operation", CREATE_SCOPE)
    assert out.startswith(f"{CREATE_SCOPE}  POST /scopes  (networkflowmonitor-CreateScope.json)\n  rules (")
    rule = r"^    clientToken\.length +Length Constraints: Fixed length of 36\. \[\$\.clientToken\]$"
    assert re.search(rule, out, re.MULTILINE)
    assert re.search(
        r"^  statuses:\n    200  success, JSON body\n    400  SerializationException, ValidationException$", out, re.M
    )
    assert re.search(r"^    402  ServiceQuotaExceededException$", out, re.MULTILINE)
    scenarios = len(contracts[CREATE_SCOPE].scenarios)
    assert re.search(rf"^  scenarios \({scenarios}\):\n    scope quota reached ", out, re.MULTILINE)
    words = " ".join(out.split())  # as read, whatever the wrapping
    assert "(state 'scope quota reached'; expects 402 ServiceQuotaExceededException)" in words
    assert re.search(r"^  checks \(\d+\): status_documented, ", out, re.MULTILINE)


def test_text_ends_with_the_checks_and_what_each_asserts(capsys: pytest.CaptureFixture[str]) -> None:
    out = text(capsys)
    checks = out[out.index("\nchecks:\n") :]
    assert "invalid_rejected" in checks
    assert "Invalid input" in checks


def test_an_unknown_format_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["list", "--format", "yaml"])
    assert raised.value.code == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_a_reader_that_stops_early_is_no_error() -> None:
    """``harness list | head -3``: the rest is not wanted; no traceback, exit 0."""
    process = subprocess.run(
        f"{sys.executable} -m harness list | head -3; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    assert len(process.stdout.splitlines()) == 3
