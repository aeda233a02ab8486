"""Cassettes (issue 5): a run recorded with vcrpy replays offline to the same verdict.

- ``harness run ... --record DIR`` writes ``DIR/run.yaml`` and one vcrpy cassette per operation;
- ``harness run --replay DIR`` judges the recorded answers again, never using the network: under
  the contracts of the recording, same verdict, counts, failures and exit status as the live run
  (under changed ones: ``test_replay.py``);
- nothing secret is written; an interrupted recording writes nothing;
- a missing, truncated, damaged or foreign cassette is exit 2 with a message naming the file and
  what to do;
- the committed cassettes (``cassettes/``) replay offline: CI checks the contracts against
  recorded behaviour with no server at all.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml
from vcr.serializers import yamlserializer

from harness import __version__
from harness.aws import SigningKey
from harness.cassettes import (
    FORMAT,
    Manifest,
    NetworkAttempt,
    judge_cassette,
    no_network,
    recording,
)
from harness.cassettes.persister import digest
from harness.cli import main
from harness.contract import load_contracts
from harness.engine import Engine, Listener, RunOptions
from harness.errors import CassetteError
from harness.mock import STATES_PATH, create_app
from harness.mock.server import serve_in_thread
from harness.result import Response, SentRequest, Severity
from harness.summary import contract_digest
from harness.target.http import HttpTransport

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "cassettes" / "mock-run"
SAMPLE = REPO / "cassettes" / "doc-samples" / "detective-StartMonitoringMember.yaml"
RECORD_COMMITTED = "harness run --target mock --seed 1 --max-examples 10 --record cassettes/mock-run"

CREATE_SCOPE = "networkflowmonitor:CreateScope"
START_MONITORING = "detective:StartMonitoringMember"
ACCESS_KEY = "AKIDCASSETTETESTS001"
SECRET_KEY = "cassette-tests-secret-key-never-written"
SESSION_TOKEN = "cassette-tests-session-token-never-written"
GRAPH_ARN = "arn:aws:detective:us-east-1:111122223333:graph:027c7c4610ea4aacaf0b883093cab899"

#: Run-level members that differ between a run and its replay by nature.
VOLATILE = {"started", "duration_s", "target", "replay", "concurrency", "max_duration_s"}
#: Request headers of the examples that differ by nature: the replay signs anew, with a made-up key.
SIGNING_HEADERS = {"X-Amz-Date", "X-Amz-Security-Token", "Authorization"}


# --------------------------------------------------------------------------- helpers


@dataclass
class Recording:
    directory: Path
    exit_status: int
    document: dict[str, Any]
    sent: list[SentRequest]  # every request of the run, as signed and sent


def comparable(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The operations of a results document without what differs between a run and its replay:
    the signing headers of the example requests, and the time each answer took, which a replay
    gives as recorded (from request sent to answer read), a little less than the run measured."""
    copied: list[dict[str, Any]] = json.loads(json.dumps(operations))
    for op in copied:
        for group in op["failures"] + op["warnings"]:
            for example in group["examples"]:
                for name in SIGNING_HEADERS:
                    example["request"]["headers"].pop(name, None)
                if example["response"] is not None:
                    assert 0 < example["response"].pop("elapsed_ms") < 10_000
    return copied


def run(*arguments: str | Path) -> int:
    return main(["run", *(str(a) for a in arguments), "--quiet"])


def replay_cli(directory: Path, tmp_path: Path, *extra: str | Path) -> tuple[int, dict[str, Any] | None]:
    """Exit status and results document of ``harness run --replay directory``."""
    results = tmp_path / "replay.json"
    results.unlink(missing_ok=True)
    status = run("--replay", directory, "--json", results, *extra)
    return status, json.loads(results.read_text()) if results.exists() else None


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every real connection attempted in the test (the socket guard notwithstanding)."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def counted(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", counted)
    return attempts


def copy_of(directory: Path, tmp_path: Path) -> Path:
    target = tmp_path / directory.name
    shutil.copytree(directory, target)
    return target


def read_cassette_yaml(path: Path) -> tuple[str, dict[str, Any]]:
    """The comment lines and the data of a cassette file."""
    text = path.read_text()
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    return header, yamlserializer.deserialize(text)


def rewrite_cassette(directory: Path, operation: str, change: Callable[[list[Any]], None]) -> None:
    """Change the interactions of one cassette, and update run.yaml to match (a deliberate edit)."""
    manifest = yaml.safe_load((directory / "run.yaml").read_text())
    entry = next(op for op in manifest["operations"] if op["id"] == operation)
    path = directory / entry["cassette"]
    header, data = read_cassette_yaml(path)
    change(data["interactions"])
    raw = (header + yamlserializer.serialize(data)).encode()
    path.write_bytes(raw)
    entry["cassette_digest"], entry["interactions"] = digest(raw), len(data["interactions"])
    (directory / "run.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))


def faulty_mock_app() -> Any:
    """The reference mock, except that a CreateScope with tags gets 500: a nonconformant target
    whose failures Hypothesis finds and shrinks."""
    app = create_app(credentials=(ACCESS_KEY, SECRET_KEY))

    async def faulty(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/scopes":
            await app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            tagged = bool(json.loads(body).get("tags"))
        except (ValueError, AttributeError):
            tagged = False
        if tagged:
            headers = [(b"content-type", b"application/json"), (b"x-amzn-errortype", b"InternalServerException")]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"message": "tags are broken today"}'})
            return

        async def again() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, again, send)

    return faulty


# --------------------------------------------------------------------------- recordings


@pytest.fixture(scope="module")
def mock_recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """``harness run --target mock --record DIR``: a conformant run."""
    base = tmp_path_factory.mktemp("mock-recording")
    status = run("--target", "mock", "--seed", "7", "--max-examples", "3", "--record", base / "cassettes",
                 "--json", base / "live.json")  # fmt: skip
    return Recording(base / "cassettes", status, json.loads((base / "live.json").read_text()), [])


@pytest.fixture(scope="module")
def faulty_recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recording]:
    """``harness run --target URL --record DIR`` against a faulty mock, with known credentials (a
    session token too), every request captured as sent."""
    base = tmp_path_factory.mktemp("faulty-recording")
    sent: list[SentRequest] = []
    real_send = HttpTransport.send

    def capturing(self: HttpTransport, request: SentRequest) -> Response:
        sent.append(request)
        return real_send(self, request)

    with pytest.MonkeyPatch.context() as patch, serve_in_thread(faulty_mock_app()) as url:
        patch.delenv("AWS_PROFILE", raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        patch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        patch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
        patch.setenv("AWS_CONFIG_FILE", str(base / "no-config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(base / "no-credentials"))
        patch.setattr(HttpTransport, "send", capturing)
        status = run("--target", url, "--provider-states", url + STATES_PATH, "--region", "eu-west-1",
                     "--seed", "11", "--max-examples", "4", "--record", base / "cassettes",
                     "--json", base / "live.json")  # fmt: skip
        yield Recording(base / "cassettes", status, json.loads((base / "live.json").read_text()), sent)


# --------------------------------------------------------------------------- record, then replay


def test_a_replayed_conformant_run_has_the_live_runs_verdict_counts_and_exit_status(
    mock_recording: Recording, tmp_path: Path, connections: list[Any]
) -> None:
    assert mock_recording.exit_status == 0
    status, document = replay_cli(mock_recording.directory, tmp_path)
    assert document is not None
    assert status == mock_recording.exit_status
    assert document["verdict"] == mock_recording.document["verdict"] == "conformant"
    assert document["counts"] == mock_recording.document["counts"]
    assert comparable(document["operations"]) == comparable(mock_recording.document["operations"])
    assert {k: v for k, v in document.items() if k not in VOLATILE | {"operations"}} == {
        k: v for k, v in mock_recording.document.items() if k not in VOLATILE | {"operations"}
    }
    assert document["target"] == f"replay:{mock_recording.directory}"
    replayed = document["replay"]
    assert replayed["judged"] == document["counts"]["cases"] > 0
    assert (
        replayed["interactions"] == replayed["judged"] + replayed["provider_state_calls"] + replayed["shrinking_steps"]
    )
    assert connections == []


def test_a_replayed_nonconformant_run_has_the_live_runs_failures_and_exit_status(
    faulty_recording: Recording, tmp_path: Path, connections: list[Any]
) -> None:
    live = faulty_recording.document
    assert faulty_recording.exit_status == 1
    failing = {op["id"] for op in live["operations"] if op["failures"]}
    assert failing == {CREATE_SCOPE}  # tags are broken; signing with a session token is not
    assert any(group["check"] == "valid_accepted" for op in live["operations"] for group in op["failures"])
    status, document = replay_cli(faulty_recording.directory, tmp_path)
    assert document is not None
    assert status == 1
    # Every failure group, with its shrunk examples and their answers.
    assert comparable(document["operations"]) == comparable(live["operations"])
    assert (document["verdict"], document["counts"]) == (live["verdict"], live["counts"])
    assert (document["seed"], document["max_examples"], document["region"]) == (11, 4, "eu-west-1")
    assert connections == []


def test_run_yaml_holds_what_a_replay_needs(mock_recording: Recording) -> None:
    manifest = Manifest.read(mock_recording.directory)
    contracts = load_contracts()
    assert manifest.format == FORMAT
    assert manifest.harness_version == __version__
    assert (manifest.seed, manifest.max_examples, manifest.region, manifest.target) == (7, 3, "us-east-1", "mock")
    assert (manifest.shard_index, manifest.shard_count) == (0, 1)
    assert manifest.provider_states == manifest.base_url + STATES_PATH
    assert [op.id for op in manifest.operations] == list(contracts)
    for op in manifest.operations:
        assert op.contract_digest == contract_digest(contracts[op.id])
        assert op.cassette == op.id.replace(":", "-") + ".yaml"
        raw = (mock_recording.directory / op.cassette).read_bytes()
        assert op.cassette_digest == digest(raw)
        _, data = read_cassette_yaml(mock_recording.directory / op.cassette)
        assert data["version"] == 1  # an ordinary vcrpy cassette
        assert len(data["interactions"]) == op.interactions > 0
        assert all(isinstance(i["response"]["elapsed"], float) for i in data["interactions"])
    assert sorted(p.name for p in mock_recording.directory.iterdir()) == sorted(
        ["run.yaml", *(op.cassette for op in manifest.operations)]
    )


def test_provider_state_calls_are_kept_with_their_operation(mock_recording: Recording) -> None:
    contracts = load_contracts()
    for op in Manifest.read(mock_recording.directory).operations:
        _, data = read_cassette_yaml(mock_recording.directory / op.cassette)
        paths = {urllib3.util.parse_url(i["request"]["uri"]).path for i in data["interactions"]}
        assert paths == {contracts[op.id].path, STATES_PATH}
        states = {json.loads(i["request"]["body"])["state"] for i in data["interactions"]
                  if i["request"]["uri"].endswith(STATES_PATH)}  # fmt: skip
        own = {s.state for s in contracts[op.id].scenarios if s.state}
        # and the states set for other operations while this one's valid requests are sent
        elsewhere = {s.state for c in contracts.values() if c.id != op.id for s in c.scenarios if s.state}
        assert states == own | elsewhere


# --------------------------------------------------------------------------- secrets


def test_nothing_secret_reaches_any_file_of_a_recording(faulty_recording: Recording) -> None:
    signatures = [r.headers["Authorization"].rsplit("Signature=", 1)[1] for r in faulty_recording.sent
                  if "Authorization" in r.headers]  # fmt: skip
    assert len(signatures) > 100
    assert all(r.headers.get("X-Amz-Security-Token") == SESSION_TOKEN for r in faulty_recording.sent
               if "Authorization" in r.headers and ACCESS_KEY in r.headers["Authorization"])  # fmt: skip
    files = [p for p in faulty_recording.directory.rglob("*") if p.is_file()]
    assert len(files) == 3
    for path in files:
        text = path.read_bytes()
        for secret in (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, "Signature="):
            assert secret.encode() not in text, f"{secret} in {path.name}"
        leaked = [s for s in set(signatures) if s.encode() in text]
        assert leaked == [], f"signatures in {path.name}"
    _, data = read_cassette_yaml(faulty_recording.directory / "networkflowmonitor-CreateScope.yaml")
    headers = [i["request"]["headers"] for i in data["interactions"]]
    assert {tuple(h["Authorization"]) for h in headers if "Authorization" in h} == {("<redacted>",)}
    assert {tuple(h["X-Amz-Security-Token"]) for h in headers if "X-Amz-Security-Token" in h} == {("<redacted>",)}


# --------------------------------------------------------------------------- no network


def test_the_guard_refuses_every_connection_and_name_lookup() -> None:
    originals = (socket.socket.connect, socket.create_connection, socket.getaddrinfo)
    with no_network():
        with pytest.raises(NetworkAttempt, match=r"127\.0\.0\.1"):
            socket.create_connection(("127.0.0.1", 9))
        with pytest.raises(NetworkAttempt, match=r"example\.com"):
            socket.getaddrinfo("example.com", 443)
        with socket.socket() as sock, pytest.raises(NetworkAttempt):
            sock.connect(("127.0.0.1", 9))
        with pytest.raises(NetworkAttempt):  # not urllib3's "cannot connect": nothing hides it
            urllib3.PoolManager(retries=False).request("GET", "http://127.0.0.1:9/")
    assert (socket.socket.connect, socket.create_connection, socket.getaddrinfo) == originals


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1)")
def test_the_committed_recording_replays_with_the_network_really_off(tmp_path: Path) -> None:
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not permitted here (it needs root or user namespaces); the guard tests stand")
    results = tmp_path / "results.json"
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-m", "harness", "run", "--replay", str(COMMITTED), "--json", str(results)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(results.read_text())["verdict"] == "conformant"


def test_the_token_salt_of_a_run_is_recorded(tmp_path: Path) -> None:
    contracts = [load_contracts()[CREATE_SCOPE]]  # its idempotency tokens are drawn with the salt
    directory = tmp_path / "salted"
    with serve_in_thread(create_app(credentials=(ACCESS_KEY, SECRET_KEY))) as url:
        key = SigningKey(ACCESS_KEY, SECRET_KEY, "us-east-1")
        options = RunOptions(base_url=url, key=key, provider_states=url + STATES_PATH, max_examples=2,
                             token_salt="a-salt", target_label="mock",
                             example_db=str(tmp_path / "examples"))  # fmt: skip
        http = HttpTransport()
        with recording(directory, options=options, contracts=contracts) as recorder:
            engine = Engine(contracts=contracts, transport=recorder.transport(http), options=options,
                            listener=recorder.listener(Listener()))  # fmt: skip
            recorder.conclude(engine.run())
        http.close()
    assert Manifest.read(directory).token_salt == "a-salt"
    # recorded with an example database: a replay generates nothing, so it needs none
    assert replay_cli(directory, tmp_path)[0] == 0


# --------------------------------------------------------------------------- contracts that changed


def contracts_copy(tmp_path: Path, operation_file: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the contracts with one of them changed."""
    directory = tmp_path / "contracts"
    shutil.copytree(REPO / "contracts", directory)
    path = directory / operation_file
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2))
    return directory


def test_recorded_answers_are_judged_under_a_changed_contract_and_the_output_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def throttling_needs_retry_after(contract: dict[str, Any]) -> None:
        contract["components"]["schemas"]["ThrottlingException"]["required"].append("retryAfterSeconds")

    contracts = contracts_copy(tmp_path, "networkflowmonitor-CreateScope.json", throttling_needs_retry_after)
    status, document = replay_cli(COMMITTED, tmp_path, "--contracts", contracts)
    err = capsys.readouterr().err
    assert document is not None
    assert status == 1
    assert f"note: the contract of {CREATE_SCOPE} (networkflowmonitor-CreateScope.json) changed since" in err
    assert "judged under the current contract" in err
    assert document["replay"]["contracts_changed"] == [CREATE_SCOPE]
    failures = [
        (op["id"], group["check"], group["message"]) for op in document["operations"] for group in op["failures"]
    ]
    assert [(op, check) for op, check, _ in failures] == [(CREATE_SCOPE, "body_matches_contract")]
    assert "retryAfterSeconds" in failures[0][2]


def test_an_operation_the_recording_lacks_is_named_or_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = copy_of(COMMITTED, tmp_path)
    manifest = yaml.safe_load((directory / "run.yaml").read_text())
    manifest["operations"] = [op for op in manifest["operations"] if op["id"] == START_MONITORING]
    (directory / "run.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    assert replay_cli(directory, tmp_path, "--operation", CREATE_SCOPE)[0] == 2
    assert f"holds no recording of {CREATE_SCOPE}; it recorded {START_MONITORING}" in capsys.readouterr().err
    status, document = replay_cli(directory, tmp_path)
    assert status == 0 and document is not None
    assert [op["id"] for op in document["operations"]] == [START_MONITORING]
    assert f"note: {CREATE_SCOPE} has a contract but no recording" in capsys.readouterr().err


def test_replaying_one_of_the_recorded_operations_judges_its_answers_only(tmp_path: Path) -> None:
    status, whole = replay_cli(COMMITTED, tmp_path)
    assert status == 0 and whole is not None
    status, document = replay_cli(COMMITTED, tmp_path, "--operation", START_MONITORING)
    assert status == 0 and document is not None
    assert [op["id"] for op in document["operations"]] == [START_MONITORING]
    assert document["operations"] == [op for op in whole["operations"] if op["id"] == START_MONITORING]


# --------------------------------------------------------------------------- broken cassettes


def _cassette(directory: Path) -> Path:
    return directory / "detective-StartMonitoringMember.yaml"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


BREAKAGES: dict[str, tuple[Callable[[Path], Any], str, str]] = {
    # name: (what is done to a copy of the recording, the file the message names, what it says)
    "missing-directory": (lambda d: shutil.rmtree(d), "", "no cassette directory"),
    "no-run-yaml": (lambda d: (d / "run.yaml").unlink(), "run.yaml", "holds no recorded run"),
    "run-yaml-truncated": (lambda d: _truncate(d / "run.yaml"), "run.yaml", "run.yaml"),
    "run-yaml-not-yaml": (lambda d: (d / "run.yaml").write_text("format: [harness\n"), "run.yaml", "is not YAML"),
    "run-yaml-not-text": (lambda d: (d / "run.yaml").write_bytes(b"\xff\xfe\x00"), "run.yaml", "not UTF-8"),
    "another-format-version": (
        lambda d: (d / "run.yaml").write_text((d / "run.yaml").read_text().replace(FORMAT, "harness-cassettes/1")),
        "run.yaml",
        "is of format 'harness-cassettes/1'",
    ),
    "cassette-missing": (lambda d: _cassette(d).unlink(), "detective-StartMonitoringMember.yaml", "is missing"),
    "cassette-truncated": (lambda d: _truncate(_cassette(d)), "detective-StartMonitoringMember.yaml", "truncated"),
    "cassette-not-yaml": (
        lambda d: _cassette(d).write_text("interactions: [{request: \n"),
        "detective-StartMonitoringMember.yaml",
        "is not YAML",
    ),
    "cassette-of-another-vcrpy-version": (
        lambda d: _cassette(d).write_text(_cassette(d).read_text().replace("\nversion: 1\n", "\nversion: 2\n")),
        "detective-StartMonitoringMember.yaml",
        "vcrpy format version 2",
    ),
    "cassette-edited": (
        lambda d: _cassette(d).write_text(_cassette(d).read_text().replace("code: 404", "code: 200", 1)),
        "detective-StartMonitoringMember.yaml",
        "is not the one this run recorded",
    ),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_cassette_directory_is_exit_2_with_the_file_and_what_to_do(
    breakage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = copy_of(COMMITTED, tmp_path)
    damage, file, says = BREAKAGES[breakage]
    damage(directory)
    capsys.readouterr()
    assert run("--replay", directory) == 2
    err = capsys.readouterr().err
    assert err.startswith("harness run: ")
    assert str(directory / file) in err
    assert says in err
    assert "record" in err  # what to do
    assert "Traceback" not in err


# --------------------------------------------------------------------------- interrupted recordings


class Interrupted(Exception):
    pass


def record_then(directory: Path, *, fail: BaseException | None = None, sends: int = 2) -> None:
    """Record ``sends`` requests to each operation against the mock, then raise ``fail``."""
    contracts = list(load_contracts().values())
    with serve_in_thread(create_app(credentials=(ACCESS_KEY, SECRET_KEY))) as url:
        options = RunOptions(base_url=url, key=SigningKey(ACCESS_KEY, SECRET_KEY, "us-east-1"), target_label="mock")
        transport = HttpTransport()
        try:
            with recording(directory, options=options, contracts=contracts) as recorder:
                recorded = recorder.transport(transport)
                for contract in contracts * sends:
                    recorded.send(SentRequest(contract.method, url + contract.path, {}, b"{}"))
                if fail is not None:
                    raise fail
        finally:
            transport.close()


@pytest.mark.parametrize(
    "interruption", [Interrupted("the run broke"), KeyboardInterrupt()], ids=["exception", "keyboard-interrupt"]
)
def test_an_interrupted_recording_writes_nothing_and_keeps_the_previous_one(
    interruption: BaseException, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    with pytest.raises(type(interruption)):
        record_then(fresh, fail=interruption)
    assert list(fresh.iterdir()) == []
    previous = copy_of(COMMITTED, tmp_path)
    before = {p.name: p.read_bytes() for p in previous.iterdir()}
    with pytest.raises(type(interruption)):
        record_then(previous, fail=interruption)
    assert {p.name: p.read_bytes() for p in previous.iterdir()} == before


class BreaksAfter(HttpTransport):
    """A transport whose user presses Ctrl-C at the ``n``-th request."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n, self.sent = n, 0

    def send(self, request: SentRequest) -> Response:
        self.sent += 1
        if self.sent == self.n:
            raise KeyboardInterrupt
        return super().send(request)


def test_a_run_broken_off_halfway_writes_nothing(tmp_path: Path) -> None:
    contracts = list(load_contracts().values())
    transport = BreaksAfter(150)  # amid the first operation's cases
    with serve_in_thread(create_app(credentials=(ACCESS_KEY, SECRET_KEY))) as url:
        key = SigningKey(ACCESS_KEY, SECRET_KEY, "us-east-1")
        options = RunOptions(base_url=url, key=key, provider_states=url + STATES_PATH, max_examples=3)
        with (
            pytest.raises(KeyboardInterrupt),
            recording(tmp_path / "run", options=options, contracts=contracts) as recorder,
        ):
            Engine(contracts=contracts, transport=recorder.transport(transport), options=options).run()
        transport.close()
    assert transport.sent == 150
    assert list((tmp_path / "run").iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_file_and_a_replay_refuses_the_mix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = copy_of(COMMITTED, tmp_path)
    real_replace = os.replace
    calls: list[Any] = []

    def replace_once(source: Any, target: Any) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_once)
    with pytest.raises(CassetteError, match="No space left on device"):
        record_then(directory)
    monkeypatch.undo()
    assert sorted(p.name for p in directory.iterdir()) == sorted(p.name for p in COMMITTED.iterdir())
    capsys.readouterr()
    assert run("--replay", directory) == 2
    assert "is not the one this run recorded" in capsys.readouterr().err


def test_recording_again_replaces_the_previous_recording(tmp_path: Path) -> None:
    directory = copy_of(COMMITTED, tmp_path)
    (directory / "stale-operation.yaml").write_text("interactions: []\nversion: 1\n")
    manifest = yaml.safe_load((directory / "run.yaml").read_text())
    manifest["operations"].append({**manifest["operations"][0], "id": "x:Y", "cassette": "stale-operation.yaml"})
    (directory / "run.yaml").write_text(yaml.safe_dump(manifest))
    record_then(directory, sends=1)
    recorded = Manifest.read(directory)
    assert [op.interactions for op in recorded.operations] == [1, 1]
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        ["run.yaml", *(op.cassette for op in recorded.operations)]
    )


# --------------------------------------------------------------------------- the committed cassettes


def test_the_committed_mock_recording_replays_conformant_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], connections: list[Any]
) -> None:
    status, document = replay_cli(COMMITTED, tmp_path)
    assert status == 0, capsys.readouterr().err  # exit 2 after a change of the case generation: record again
    assert document is not None
    assert document["verdict"] == "conformant"
    assert {op["id"] for op in document["operations"]} == {CREATE_SCOPE, START_MONITORING}
    assert all(s["verdict"] == "pass" for op in document["operations"] for s in op["scenarios"])
    assert document["replay"]["judged"] == document["counts"]["cases"]
    assert document["replay"]["contracts_changed"] == document["replay"]["unrouted"] == []
    assert document["replay"]["rules_not_exercised"] == {}
    assert connections == []


def test_the_committed_cassettes_are_vcrpys_own_vcrpy_plays_them_back() -> None:
    """The harness writes and reads cassettes through vcrpy's serialization only: vcrpy itself,
    patching urllib3 as it does, answers a recorded request from the file."""
    import vcr

    path = COMMITTED / "detective-StartMonitoringMember.yaml"
    first = read_cassette_yaml(path)[1]["interactions"][0]
    recorded = first["request"]
    player = vcr.VCR(record_mode="none", match_on=["method", "uri", "body"])
    with player.use_cassette(str(path)):
        answer = urllib3.PoolManager(retries=False).request(
            recorded["method"], recorded["uri"], body=recorded["body"], headers={"Content-Type": "application/json"}
        )
    assert answer.status == first["response"]["status"]["code"]
    assert answer.data == first["response"]["body"]["string"].encode()


def test_the_committed_recording_was_made_with_the_current_contracts() -> None:
    manifest = Manifest.read(COMMITTED)
    contracts = load_contracts()
    recorded = {op.id: op.contract_digest for op in manifest.operations}
    current = {op: contract_digest(contract) for op, contract in contracts.items()}
    assert recorded == current, f"the contracts changed since cassettes/mock-run was recorded; run {RECORD_COMMITTED}"
    assert Manifest.read(COMMITTED).record_command(Path("cassettes/mock-run")) == RECORD_COMMITTED


def test_the_committed_cassettes_are_small() -> None:
    """About 5 MB on disk: a run keeps every request, and some are large on purpose (per operation,
    1.7 MB of bodies past a parser's limits; the largest valid body in 4-byte characters, 318 kB,
    and its echo).  They repeat themselves, so git keeps them compressed to under a tenth."""
    files = [p for p in (REPO / "cassettes").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 6_000_000
    assert sum(len(zlib.compress(p.read_bytes(), 6)) for p in files) < 600_000


def test_the_documentation_sample_is_the_pages_own() -> None:
    _, data = read_cassette_yaml(SAMPLE)
    [interaction] = data["interactions"]
    request, response = interaction["request"], interaction["response"]
    assert (request["method"], request["uri"]) == (
        "POST",
        "https://api.detective.us-west-2.amazonaws.com/graph/member/monitoringstate",
    )
    assert json.loads(request["body"]) == {"AccountId": "444455556666", "GraphArn": GRAPH_ARN}
    assert request["headers"]["X-Amz-Date"] == ["20200127T193018Z"]
    assert response["status"] == {"code": 200, "message": "OK"}
    assert response["body"]["string"] == ""
    assert response["headers"] == {
        "Content-Length": ["0"],
        "Date": ["Thu, 21 Feb 2020 23:07:46 GMT"],
        "x-amzn-RequestId": ["397d0549-0092-11e8-a0ee-a7f9aa6e7572"],
        "Connection": ["Keep-alive"],
    }


def test_the_documentation_sample_conforms_to_the_contract() -> None:
    [judged] = judge_cassette(SAMPLE, contracts=load_contracts())
    assert judged.operation == START_MONITORING
    assert judged.request_valid and judged.violations == ()
    assert judged.status == 200
    assert judged.conforms and judged.failures == ()
    assert {"status_documented", "body_matches_contract", "valid_accepted"} <= set(judged.checks)


def test_judge_cassette_finds_what_a_sample_breaks(tmp_path: Path) -> None:
    header, data = read_cassette_yaml(SAMPLE)
    interaction = data["interactions"][0]
    wrong = json.loads(data["interactions"][0]["request"]["body"]) | {"AccountId": "4444555566667"}
    data["interactions"].append(
        {"request": {**interaction["request"], "body": json.dumps(wrong)}, "response": interaction["response"]}
    )
    interaction["response"] = {**interaction["response"], "body": {"string": '{"Status": "ENABLED"}'}}
    path = tmp_path / "broken-sample.yaml"
    path.write_text(header + yamlserializer.serialize(data))
    with_body, invalid_accepted = judge_cassette(path, contracts=load_contracts())
    # the page's sample answer has no Content-Type: a body there must be declared as JSON (SPEC 4.3)
    assert [f.check for f in with_body.failures if f.severity is Severity.FAILURE] == [
        "body_matches_contract",
        "json_media_type",
    ]
    assert not invalid_accepted.request_valid
    assert any("AccountId" in v for v in invalid_accepted.violations)
    assert [f.check for f in invalid_accepted.failures] == ["invalid_rejected"]


def test_judge_cassette_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=r"missing\.yaml is missing"):
        judge_cassette(tmp_path / "missing.yaml", contracts=load_contracts())
