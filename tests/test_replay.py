"""A replay re-judges (issue 14, item 5): ``harness run --replay DIR`` judges every recorded answer
under the contracts as they are now, with nothing generated, shrunk or sent, and exits 0 or 1.

- each cassette keeps what each exchange was (its case) beside its answer, in vcrpy's format;
- a limit made tighter in a contract copy finds new failures in a recording made before; made
  looser, it clears failures the recording had; a scenario's expectation is the contract's now;
- the replay names the rules of the current contracts no recorded case exercised, and the
  recorded exchanges that belong to no operation any more; neither is exit 2;
- retries are judged against the first answer again (the idempotency check).

Recording and replaying in general (secrets, broken files, the committed recording) are
``test_cassettes.py``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faults import bugs
from report_fixtures import validate
from vcr.serializers import yamlserializer

from harness.cli import main
from harness.contract import load_contracts
from harness.mock import STATES_PATH, create_app
from harness.mock.server import serve_in_thread

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "cassettes" / "mock-run"
CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
CREDENTIALS = ("AKIDREPLAYREJUDGES01", "replay-rejudges-secret-key")
Document = dict[str, Any]


def replayed(directory: Path, tmp_path: Path, *extra: str | Path) -> tuple[int, Document]:
    results = tmp_path / "replay.json"
    results.unlink(missing_ok=True)
    status = main(["run", "--replay", str(directory), "--json", str(results), "--quiet", *map(str, extra)])
    return status, json.loads(results.read_text())


def contracts_copy(tmp_path: Path, operation_file: str, change: Callable[[dict[str, Any]], None]) -> Path:
    directory = tmp_path / "contracts"
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(REPO / "contracts", directory)
    path = directory / operation_file
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2))
    return directory


def targets_of_at_most(count: int) -> Callable[[dict[str, Any]], None]:
    def change(contract: dict[str, Any]) -> None:
        contract["components"]["schemas"]["CreateScopeRequest"]["properties"]["targets"]["maxItems"] = count

    return change


def failures(document: Document) -> set[tuple[str, str, str | None]]:
    return {(op["id"], g["check"], g["rule"]) for op in document["operations"] for g in op["failures"]}


def record(app: Any, directory: Path, monkeypatch: pytest.MonkeyPatch, *operations: str) -> Document:
    """A live run against ``app`` on loopback, recorded into ``directory``; its results."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    results = directory.parent / f"{directory.name}.json"
    chosen = [part for op in operations for part in ("--operation", op)]
    with serve_in_thread(app) as url:
        main(["run", "--target", url, "--provider-states", url + STATES_PATH, "--seed", "3", "--max-examples", "5",
              "--record", str(directory), "--json", str(results), "--quiet", *chosen])  # fmt: skip
    document: Document = json.loads(results.read_text())
    return document


# --------------------------------------------------------------------------- what a cassette keeps


def test_each_kept_exchange_says_what_it_was_and_vcrpy_reads_it_as_ever() -> None:
    data = yamlserializer.deserialize((COMMITTED / "networkflowmonitor-CreateScope.yaml").read_text())
    responses = [interaction["response"] for interaction in data["interactions"]]
    kept = [r for r in responses if "case" in r]
    assert kept and all(isinstance(r["kept"], list) and r["kept"] for r in kept)
    intents = {r["case"]["intent"] for r in kept}
    assert intents == {"valid", "invalid", "malformed", "media-type", "tolerated", "unauthenticated", "scenario"}
    scenario = next(r["case"] for r in kept if r["case"].get("scenario") == "scope quota reached")
    assert (scenario["expected"], scenario["error"], scenario["expects"]) == (
        [402],
        "ServiceQuotaExceededException",
        "scenario",
    )
    # the provider-state calls were not results of the run: no case
    states = [i["response"] for i in data["interactions"] if i["request"]["uri"].endswith(STATES_PATH)]
    assert states and not any("case" in r for r in states)


# --------------------------------------------------------------------------- under changed contracts


def test_a_tighter_limit_finds_new_failures_in_a_recording_made_before(tmp_path: Path, capsys: Any) -> None:
    status, before = replayed(COMMITTED, tmp_path)
    assert (status, failures(before)) == (0, set())
    contracts = contracts_copy(tmp_path, "networkflowmonitor-CreateScope.json", targets_of_at_most(50))
    status, after = replayed(COMMITTED, tmp_path, "--contracts", contracts)
    err = capsys.readouterr().err
    assert status == 1  # a changed contract is judged, never "could not run"
    assert (CREATE_SCOPE, "invalid_rejected", "targets.items") in failures(after)
    group = next(g for op in after["operations"] for g in op["failures"] if g["rule"] == "targets.items")
    assert "recorded as valid; invalid under the contract now" in json.dumps(group)
    assert f"the contract of {CREATE_SCOPE} (networkflowmonitor-CreateScope.json) changed since the recording" in err
    assert after["replay"]["contracts_changed"] == [CREATE_SCOPE]
    assert after["counts"]["cases"] == before["counts"]["cases"]  # the same recorded answers, judged again


@pytest.fixture(scope="module")
def lenient_recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Document]]:
    """A recording of a target that takes up to 150 targets (the documentation says 100)."""
    contracts = contracts_copy(tmp_path_factory.mktemp("lenient"), "networkflowmonitor-CreateScope.json",
                               targets_of_at_most(150))  # fmt: skip
    served = {CREATE_SCOPE: load_contracts(contracts)[CREATE_SCOPE]}
    directory = tmp_path_factory.mktemp("recorded") / "lenient"
    with pytest.MonkeyPatch.context() as patch:
        live = record(create_app(contracts=served, credentials=CREDENTIALS), directory, patch, CREATE_SCOPE)
    yield directory, live


def test_a_looser_limit_clears_failures_the_recording_had(
    lenient_recording: tuple[Path, Document], tmp_path: Path
) -> None:
    directory, live = lenient_recording
    assert live["verdict"] == "nonconformant"
    assert (CREATE_SCOPE, "invalid_rejected", "targets.items") in failures(live)
    status, same = replayed(directory, tmp_path)
    assert (status, failures(same), same["counts"]) == (1, failures(live), live["counts"])
    contracts = contracts_copy(tmp_path, "networkflowmonitor-CreateScope.json", targets_of_at_most(150))
    status, looser = replayed(directory, tmp_path, "--contracts", contracts)
    # 101 targets, answered 200: a failure under the documentation's 100, valid under 150
    assert (status, failures(looser), looser["verdict"]) == (0, set(), "conformant")
    assert looser["counts"]["cases"] == live["counts"]["cases"]
    rules = {r["id"]: r for op in looser["operations"] for r in op["rules"]}
    assert rules["targets.items"]["verdict"] == "pass"  # 1,100 targets: still refused, as the copy says


def test_a_scenario_is_judged_by_its_expectation_in_the_contract_now(tmp_path: Path) -> None:
    def quota_answers_429(contract: dict[str, Any]) -> None:
        scenario = next(s for s in contract["x-harness"]["scenarios"] if s["name"] == "scope quota reached")
        scenario["expect"] = {"status": [429], "error": "ThrottlingException"}

    contracts = contracts_copy(tmp_path, "networkflowmonitor-CreateScope.json", quota_answers_429)
    status, document = replayed(COMMITTED, tmp_path, "--contracts", contracts)
    assert status == 1
    scope = next(op for op in document["operations"] if op["id"] == CREATE_SCOPE)
    outcome = next(s for s in scope["scenarios"] if s["name"] == "scope quota reached")
    assert outcome["verdict"] == "fail" and "answered 402, expected 429" in outcome["reason"]
    assert {s["verdict"] for s in scope["scenarios"] if s["name"] != "scope quota reached"} == {"pass"}


def test_rules_no_recorded_case_exercised_are_named(tmp_path: Path, capsys: Any) -> None:
    def with_a_description(contract: dict[str, Any]) -> None:
        contract["components"]["schemas"]["CreateScopeRequest"]["properties"]["description"] = {
            "type": "string",
            "maxLength": 256,
            "x-rules": [
                {"id": "description.type", "keywords": ["type"], "doc": "description: string.", "source": "seed"},
                {"id": "description.length", "keywords": ["maxLength"], "doc": "Maximum length of 256.",
                 "source": "seed"},
            ],
        }  # fmt: skip

    contracts = contracts_copy(tmp_path, "networkflowmonitor-CreateScope.json", with_a_description)
    status, document = replayed(COMMITTED, tmp_path, "--contracts", contracts)
    out, err = capsys.readouterr()
    assert status == 0  # a rule nothing exercised is not a failure, and not "could not run"
    assert document["replay"]["rules_not_exercised"] == {CREATE_SCOPE: ["description.type", "description.length"]}
    assert f"no recorded case of {CREATE_SCOPE} exercised 2 of its rules (not exercised): description.type" in err
    assert "record the run again: harness run --target mock --seed 1 --max-examples 10 --record" in err
    assert f"rules no recorded case exercised: {CREATE_SCOPE}: description.type, description.length" in out


def test_recorded_exchanges_that_belong_to_no_operation_are_named(tmp_path: Path, capsys: Any) -> None:
    def moved(contract: dict[str, Any]) -> None:
        contract["paths"] = {"/graph/member/monitoring": contract["paths"]["/graph/member/monitoringstate"]}

    contracts = contracts_copy(tmp_path, "detective-StartMonitoringMember.json", moved)
    status, document = replayed(COMMITTED, tmp_path, "--contracts", contracts)
    out, err = capsys.readouterr()
    assert status == 0
    [unrouted] = document["replay"]["unrouted"]
    assert (unrouted["operation"], unrouted["method"], unrouted["path"]) == (
        START_MONITORING,
        "POST",
        "/graph/member/monitoringstate",
    )
    assert unrouted["interactions"] > 200
    assert f"{unrouted['interactions']} recorded exchanges belong to no operation of the current contracts" in err
    assert f"recorded exchanges of no operation: POST /graph/member/monitoringstate ({unrouted['interactions']})" in out
    validate(document)  # the replay's members are the results schema's
    member = next(op for op in document["operations"] if op["id"] == START_MONITORING)
    assert member["counts"]["cases"] == 0
    assert {r["verdict"] for r in member["rules"]} == {"not-exercised"}
    assert "Traceback" not in err


# --------------------------------------------------------------------------- run checks judged again


def test_a_retry_is_judged_against_the_first_answer_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A target that makes a new scope for a retry: the idempotency check fails live, and again
    in the replay, from the recorded answers alone."""
    app = create_app(credentials=CREDENTIALS, handlers={CREATE_SCOPE: bugs.ReplayMakesNewScope})
    live = record(app, tmp_path / "retries", monkeypatch, CREATE_SCOPE)
    assert (CREATE_SCOPE, "idempotency", None) in failures(live)
    status, document = replayed(tmp_path / "retries", tmp_path)
    assert status == 1
    assert failures(document) == failures(live)
    scope = next(op for op in document["operations"] if op["id"] == CREATE_SCOPE)
    assert next(s for s in scope["scenarios"] if s["name"] == "idempotency")["verdict"] == "fail"
    assert scope["scenarios"] == live["operations"][0]["scenarios"]
