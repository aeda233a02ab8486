"""`harness validate ID [FILE|-]`: 0 valid, 1 invalid (every broken rule printed), 2 could not run."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
GRAPH_ARN = "arn:aws:detective:us-east-1:111122223333:graph:027c7c4610ea4aacaf0b883093cab899"
PAGE_EXAMPLE = {"AccountId": "444455556666", "GraphArn": GRAPH_ARN}  # the page's sample request


def scope_body(account: str = "444455556666", **members: Any) -> dict[str, Any]:
    target = {"region": "us-east-1", "targetIdentifier": {"targetId": {"accountId": account}, "targetType": "ACCOUNT"}}
    return {"targets": [target], **members}


def body_file(tmp_path: Path, body: Any) -> Path:
    file = tmp_path / "body.json"
    file.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())
    return file


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# --------------------------------------------------------------------------- valid: 0


def test_a_valid_body_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", START_MONITORING, str(body_file(tmp_path, PAGE_EXAMPLE))]) == 0
    assert capsys.readouterr() == ("valid\n", "")


@pytest.mark.parametrize("argv", [[CREATE_SCOPE, "-"], [CREATE_SCOPE]], ids=["dash", "no file"])
def test_a_valid_body_from_standard_input(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, json.dumps(scope_body(clientToken="0123abcd-4567-89ef-0123-456789abcdef")).encode())
    assert main(["validate", *argv]) == 0
    assert capsys.readouterr().out == "valid\n"


def test_a_null_optional_member_is_absent(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin(monkeypatch, json.dumps(scope_body(tags=None, clientToken=None)).encode())
    assert main(["validate", CREATE_SCOPE]) == 0


# --------------------------------------------------------------------------- invalid: 1


def test_every_broken_rule_is_printed_with_its_path_rule_and_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = scope_body(account="44445555666\n", clientToken="X", tags={"k" * 129: "v"})
    assert main(["validate", CREATE_SCOPE, str(body_file(tmp_path, body))]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        "invalid: 4 broken rules of networkflowmonitor:CreateScope\n"
        "\n"
        "  $.targets[0].targetIdentifier.targetId.accountId  accountId.pattern\n"
        "    '44445555666\\n' does not match '^[0-9]{12}$'\n"
        "    documented (SPEC.md): `accountId`: a string of exactly 12 ASCII digits.\n"
        "\n"
        "  $.clientToken  clientToken.length\n"
        "    'X' is too short\n"
        "    documented (API reference): Length Constraints: Fixed length of 36.\n"
        "\n"
        "  $.clientToken  clientToken.pattern\n"
        "    'X' does not match '[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}'\n"
        "    documented (API reference): Pattern: [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\n"
        "\n"
        "  $.tags  tags.key.length\n"
        f"    '{'k' * 77}…' (129 characters) is too long\n"
        "    documented (API reference): Key Length Constraints: Minimum length of 1. Maximum length of 128.\n"
    )


def test_the_deepest_violation_comes_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = {"GraphArn": GRAPH_ARN.upper()}
    assert main(["validate", START_MONITORING, str(body_file(tmp_path, body))]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  $")]
    assert lines == ["  $.GraphArn  GraphArn.pattern", "  $  required"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b'{"AccountId": ', "Expecting value at line 1, column 15"),
        (b'{\n  "AccountId" "444455556666"\n}', "Expecting ':' delimiter at line 2, column 15"),
        (b"", "Expecting value at line 1, column 1"),
        (b'{"AccountId": NaN}', "NaN is not a JSON value"),
        (b'{"AccountId": "caf\xe9"}', "not UTF-8 (byte 18: b'\\xe9')"),
    ],
    ids=["truncated", "no colon", "empty", "NaN", "latin-1"],
)
def test_a_body_that_is_not_json_is_invalid_with_the_parser_position(
    raw: bytes, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", START_MONITORING, str(body_file(tmp_path, raw))]) == 1
    assert capsys.readouterr() == (f"invalid: the body is not JSON: {why}\n", "")


def test_a_lone_surrogate_is_judged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = b'{"AccountId": "44445555666\\ud800", "GraphArn": "' + GRAPH_ARN.encode() + b'"}'
    assert main(["validate", START_MONITORING, str(body_file(tmp_path, raw))]) == 1
    out = capsys.readouterr().out
    assert "  $.AccountId  AccountId.pattern\n    '44445555666\\ud800' does not match '^[0-9]+$'\n" in out


def test_a_body_that_is_json_but_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", START_MONITORING, str(body_file(tmp_path, [PAGE_EXAMPLE]))]) == 1
    assert "  $  body.type" in capsys.readouterr().out


# --------------------------------------------------------------------------- could not run: 2


@pytest.mark.parametrize(
    ("operation", "suggestion"),
    [
        ("networkflowmonitor:CreateScop", "did you mean networkflowmonitor:CreateScope?"),
        ("detective:startmonitoringmember", "did you mean detective:StartMonitoringMember?"),
        ("CreateScope", "did you mean networkflowmonitor:CreateScope?"),
        ("s3:PutObject", None),
    ],
)
def test_an_unknown_operation_suggests_the_closest(
    operation: str, suggestion: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", operation, str(body_file(tmp_path, {}))]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"harness validate: unknown operation {operation!r}")
    assert err.rstrip().endswith(f"Known operations: {START_MONITORING}, {CREATE_SCOPE}")
    if suggestion:
        assert suggestion in err
    else:
        assert "did you mean" not in err


@pytest.mark.parametrize("make", ["missing", "directory"])
def test_an_unreadable_file(make: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "body.json"
    if make == "directory":
        path.mkdir()
    assert main(["validate", CREATE_SCOPE, str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"harness validate: cannot read {path}: ")


def test_a_missing_operation_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == 2
    assert "the following arguments are required: ID" in capsys.readouterr().err


# --------------------------------------------------------------------------- help and a real process


@pytest.mark.parametrize("command", ["validate", "drift"])
def test_help_shows_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert f"  harness {command} " in out
    assert "--contracts DIR" in out


def test_a_real_process_reads_standard_input() -> None:
    command = [sys.executable, "-m", "harness", "validate", START_MONITORING, "-"]
    valid = subprocess.run(command, input=json.dumps(PAGE_EXAMPLE).encode(), capture_output=True, timeout=60)
    assert (valid.returncode, valid.stdout, valid.stderr) == (0, b"valid\n", b"")
    invalid = subprocess.run(command, input=b'{"AccountId": "44445555666\\n"}', capture_output=True, timeout=60)
    assert invalid.returncode == 1
    assert b"AccountId.pattern" in invalid.stdout
    assert b"Pattern: ^[0-9]+$" in invalid.stdout
