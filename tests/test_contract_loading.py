"""Loading contracts: the bundled ones load; a broken one is a clear error, never a traceback.

Every broken contract gives a :class:`ContractError` naming the file and the JSON pointer of
what is wrong, and the command line turns it into one message and exit status 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.contract import default_contracts_dir, load_contract, load_contracts, resolve_pointer
from harness.errors import ContractError

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
CREATE_SCOPE_FILE = "networkflowmonitor-CreateScope.json"
REQUEST = "/components/schemas/CreateScopeRequest"
CLIENT_TOKEN = f"{REQUEST}/properties/clientToken"
REGION = "/components/schemas/TargetResource/properties/region"

Document = dict[str, Any]


def original() -> Document:
    document: Document = json.loads((default_contracts_dir() / CREATE_SCOPE_FILE).read_text("utf-8"))
    return document


def edit(pointer: str, change: Callable[[Any], None]) -> Callable[[Document], None]:
    """A mutation of the document: ``change`` applied to the node at ``pointer``."""
    return lambda document: change(resolve_pointer(document, pointer))


def set_member(pointer: str, name: str, value: Any) -> Callable[[Document], None]:
    return edit(pointer, lambda node: node.__setitem__(name, value))


def delete_member(pointer: str, name: str) -> Callable[[Document], None]:
    return edit(pointer, lambda node: node.__delitem__(name))


@dataclass(frozen=True)
class Broken:
    name: str
    mutate: Callable[[Document], None]
    pointer: str  # where the error must point
    message: str  # what the message must say


BROKEN = [
    Broken(
        "a schema keyword of the wrong type",
        set_member(CLIENT_TOKEN, "type", 5),
        f"{CLIENT_TOKEN}/type",
        "not a valid JSON Schema 2020-12",
    ),
    Broken(
        "a negative length",
        set_member(CLIENT_TOKEN, "minLength", -1),
        f"{CLIENT_TOKEN}/minLength",
        "not a valid JSON Schema 2020-12",
    ),
    Broken(
        "a dangling $ref",
        set_member(f"{REQUEST}/properties/tags", "$ref", "#/components/schemas/Labels"),
        f"{REQUEST}/properties/tags/$ref",
        "dangling reference '#/components/schemas/Labels'",
    ),
    Broken(
        "a $ref cycle",
        edit(
            "/components/schemas",
            lambda schemas: schemas.update(
                {"Loop": {"$ref": "#/components/schemas/Pool"}, "Pool": {"$ref": "#/components/schemas/Loop"}}
            ),
        ),
        "/components/schemas/Loop/$ref",
        "$ref cycle: #/components/schemas/Pool -> #/components/schemas/Loop -> #/components/schemas/Pool",
    ),
    Broken(
        "a remote $ref",
        set_member(f"{REQUEST}/properties/tags", "$ref", "https://example.com/tags.json"),
        f"{REQUEST}/properties/tags/$ref",
        "only local references",
    ),
    Broken(
        "a dangling error schema",
        set_member("/paths/~1scopes/post/responses/400/x-aws-errors", "ValidationException", "#/nowhere"),
        "/paths/~1scopes/post/responses/400/x-aws-errors/ValidationException",
        "dangling reference '#/nowhere'",
    ),
    Broken(
        "a pattern that is not ECMA-262 (Python's inline flags)",
        set_member(CLIENT_TOKEN, "pattern", "(?i)[a-f0-9]{8}"),
        f"{CLIENT_TOKEN}/pattern",
        "not an ECMA-262 regular expression",
    ),
    Broken(
        "a missing x-harness field",
        delete_member("/x-harness", "signingName"),
        "/x-harness",
        "'signingName' is a required property",
    ),
    Broken(
        "a malformed operation id",
        set_member("/x-harness", "operation", "CreateScope"),
        "/x-harness/operation",
        "does not match",
    ),
    Broken(
        "a constraint keyword without a rule",
        set_member(REGION, "maxLength", 50),
        f"{REGION}/maxLength",
        "constraint 'maxLength' has no rule",
    ),
    Broken(
        "a rule naming a keyword its schema lacks",
        edit(f"{REGION}/x-rules/0", lambda rule: rule["keywords"].append("pattern")),
        f"{REGION}/x-rules/0",
        "names 'pattern', which this schema does not have",
    ),
    Broken(
        "a scenario expecting an undeclared status",
        edit("/x-harness/scenarios/0/expect", lambda expect: expect.__setitem__("status", [418])),
        "/x-harness/scenarios/0/expect/status",
        "status 418 is not among the operation's responses",
    ),
    Broken(
        "a scenario param read from a request member that does not exist",
        set_member("/x-harness/scenarios/0/params", "Graph", {"$request": "/graphArn"}),
        "/x-harness/scenarios/0/params/Graph",
        "/graphArn: the request has no member 'graphArn'",
    ),
    Broken(
        "a scenario param read from an optional request member",
        set_member("/x-harness/scenarios/0/params", "token", {"$request": "/clientToken"}),
        "/x-harness/scenarios/0/params/token",
        "'clientToken' is optional",
    ),
    Broken(
        "a scenario changing a request member that does not exist",
        set_member("/x-harness/scenarios/0/request", "changed", ["/targets/0/region"]),
        "/x-harness/scenarios/0/request/changed/0",
        "the request has no member '0'",
    ),
    Broken(
        "a scenario with an unknown kind of idempotency token",
        set_member("/x-harness/scenarios/0/request", "idempotencyToken", "old"),
        "/x-harness/scenarios/0/request/idempotencyToken",
        "is not one of ['new', 'none', 'retry']",
    ),
    Broken(
        "a scenario sending no idempotency token for an operation without one",
        delete_member("/x-harness", "idempotency"),
        "/x-harness/scenarios/1/request/idempotencyToken",
        "'none' needs an idempotency token",
    ),
]


def write(directory: Path, document: Any, name: str = CREATE_SCOPE_FILE) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / name
    file.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return file


def broken_file(tmp_path: Path, case: Broken) -> Path:
    document = original()
    case.mutate(document)
    return write(tmp_path / "contracts", document)


# --------------------------------------------------------------------------- the bundled contracts


def test_the_bundled_contracts_load() -> None:
    contracts = load_contracts()
    assert sorted(contracts) == [START_MONITORING, CREATE_SCOPE]
    scope = contracts[CREATE_SCOPE]
    assert (scope.method, scope.path, scope.signing_name) == ("POST", "/scopes", "networkflowmonitor")
    assert scope.statuses == (200, 400, 402, 403, 409, 429, 500)
    assert contracts[START_MONITORING].statuses == (200, 400, 402, 403, 404, 409, 500)
    assert contracts[START_MONITORING].success_body == "empty"


def test_a_copy_of_a_contract_loads_from_another_directory(tmp_path: Path) -> None:
    write(tmp_path, original())
    assert list(load_contracts(tmp_path)) == [CREATE_SCOPE]


# --------------------------------------------------------------------------- broken contracts


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: c.name)
def test_a_broken_contract_names_the_file_and_the_pointer(tmp_path: Path, case: Broken) -> None:
    file = broken_file(tmp_path, case)
    with pytest.raises(ContractError) as caught:
        load_contract(file)
    error = caught.value
    assert (error.file, error.pointer) == (str(file), case.pointer)
    assert case.message in error.message
    assert str(error) == f"broken contract {file} at {case.pointer}: {error.message}"


def test_a_file_that_is_not_json_says_where_the_parser_stopped(tmp_path: Path) -> None:
    file = tmp_path / "broken.json"
    file.write_text('{\n  "openapi": "3.1.0",\n  "info": }\n', encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        load_contract(file)
    assert caught.value.file == str(file)
    assert caught.value.pointer == ""
    assert caught.value.message == "not JSON: Expecting value at line 3 column 11"


def test_a_document_that_is_not_an_object(tmp_path: Path) -> None:
    file = write(tmp_path, [original()])
    with pytest.raises(ContractError, match="is not of type 'object'") as caught:
        load_contract(file)
    assert caught.value.pointer == ""


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    file = tmp_path / "latin1.json"
    file.write_bytes('{"info": {"title": "caf\u00e9"}}'.encode("latin-1"))
    with pytest.raises(ContractError, match="cannot be read"):
        load_contract(file)


def test_two_contracts_of_one_operation(tmp_path: Path) -> None:
    write(tmp_path, original(), "a.json")
    second = write(tmp_path, original(), "b.json")
    with pytest.raises(ContractError, match="is also defined in") as caught:
        load_contracts(tmp_path)
    assert (caught.value.file, caught.value.pointer) == (str(second), "/x-harness/operation")


def test_a_directory_without_contracts(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"no contract files \(\*\.json\) found"):
        load_contracts(tmp_path)
    with pytest.raises(ContractError, match="no such contracts directory"):
        load_contracts(tmp_path / "missing")


def test_a_recursive_schema_loads_and_is_enforced_at_every_depth(tmp_path: Path) -> None:
    document = original()
    identifier = resolve_pointer(document, "/components/schemas/TargetIdentifier")
    identifier["properties"]["parent"] = {"$ref": "#/components/schemas/TargetResource"}
    contract = load_contract(write(tmp_path, document))
    assert len({r.id for r in contract.request_rules}) == len(contract.request_rules)
    inner = {"region": 5, "targetIdentifier": {"targetId": {"accountId": "1"}, "targetType": "ACCOUNT"}}
    outer = {"region": "us-east-1", "targetIdentifier": {**inner["targetIdentifier"], "parent": inner}}
    outer["targetIdentifier"]["targetId"] = {"accountId": "444455556666"}
    violations = contract.request_validator.violations({"targets": [outer]})
    assert [(v.path, v.rule.id if v.rule else None) for v in violations] == [
        ("$.targets[0].targetIdentifier.parent.targetIdentifier.targetId.accountId", "accountId.length"),
        ("$.targets[0].targetIdentifier.parent.targetIdentifier.targetId.accountId", "accountId.pattern"),
        ("$.targets[0].targetIdentifier.parent.region", "region.type"),
    ]


def test_an_ecma_pattern_python_cannot_compile_is_accepted(tmp_path: Path) -> None:
    r"""``\p{Lu}`` is ECMA-262 (Unicode mode) but not Python ``re``: the contract is fine."""
    document = original()
    resolve_pointer(document, CLIENT_TOKEN)["pattern"] = r"^\p{Ll}"
    contract = load_contract(write(tmp_path, document))
    token = "0123abcd-4567-89ef-0123-456789abcdef"
    validator = contract.request_validator
    assert validator.is_valid({"targets": [], "clientToken": token}) is False  # 0 targets
    assert {v.rule.id for v in validator.violations({"targets": [], "clientToken": token}) if v.rule} == {
        "targets.items",
        "clientToken.pattern",
    }


# --------------------------------------------------------------------------- on the command line


@pytest.mark.parametrize("command", ["validate", "drift"])
@pytest.mark.parametrize("case", BROKEN[:4], ids=lambda c: c.name)
def test_the_command_line_exits_2_with_the_message(
    tmp_path: Path, case: Broken, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = broken_file(tmp_path, case)
    body = tmp_path / "body.json"
    body.write_text("{}", encoding="utf-8")
    argv = ["validate", "--contracts", str(file.parent), CREATE_SCOPE, str(body)]
    if command == "drift":
        argv = ["drift", "--contracts", str(file.parent)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"harness {command}: broken contract {file} at {case.pointer}: ")
    assert "Traceback" not in err


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    file = tmp_path / "contracts" / "broken.json"
    file.parent.mkdir()
    file.write_text("{not json", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "harness", "validate", "--contracts", str(file.parent), CREATE_SCOPE, "-"],
        input=b"{}",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode() == (
        f"harness validate: broken contract {file}: not JSON: Expecting property name enclosed in "
        "double quotes at line 1 column 2\n"
    )


def test_only_the_files_of_the_operations_asked_for_are_read(tmp_path: Path) -> None:
    """A folder of thousands of imported contracts answers one operation at once: the wanted
    operations' files, named as ``harness import`` names them, are the only ones read."""
    for source in sorted(default_contracts_dir().glob("*.json")):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    (tmp_path / "zz-Broken.json").write_text("{ not json", encoding="utf-8")
    chosen = load_contracts(tmp_path, only=["detective:StartMonitoringMember"])
    assert list(chosen) == ["detective:StartMonitoringMember"]
    with pytest.raises(ContractError, match=r"zz-Broken\.json"):
        load_contracts(tmp_path)
    with pytest.raises(ContractError, match=r"zz-Broken\.json"):  # not under its own name: every file is read
        load_contracts(tmp_path, only=["detective:Nothing"])
