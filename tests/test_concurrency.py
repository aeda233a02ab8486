"""Requests in flight (``--concurrency N``) and the time budget (``--max-duration``), SPEC section 6:
the verdicts do not depend on N; what depends on order keeps it; a spent budget ends the run
with every output written and what was not sent not exercised."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faults import bugs
from faults.building import Builder, correct, wrapped
from faults.middleware import Answer, Request, json_answer

from harness.aws import SigningKey
from harness.cli import main
from harness.contract import load_contracts
from harness.engine import Engine, RunOptions
from harness.mock import STATES_PATH, create_app
from harness.mock.server import serve_in_thread
from harness.result import Response, SentRequest
from harness.target.http import HttpTransport

CREDENTIALS = ("AKIDCONCURRENCY00001", "concurrency-tests-secret-key")
SLOW = "answer_time"
START_MONITORING_PATH = load_contracts()[
    "detective:StartMonitoringMember"
].path  # a warning about times: times may differ


class CountingTransport(HttpTransport):
    """HTTP, noting how many requests were in flight at once."""

    def __init__(self, connections: int) -> None:
        super().__init__(connections=connections)
        self.in_flight = 0
        self.most = 0
        self.sent: list[SentRequest] = []

    def send(self, request: SentRequest) -> Response:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        self.sent.append(request)
        try:
            return super().send(request)
        finally:
            self.in_flight -= 1


def run(build: Builder, concurrency: int) -> tuple[dict[str, Any], CountingTransport]:
    transport = CountingTransport(concurrency)
    try:
        with serve_in_thread(build(CREDENTIALS)) as url:
            options = RunOptions(
                base_url=url,
                key=SigningKey(*CREDENTIALS, "us-east-1"),
                provider_states=url + STATES_PATH,
                max_examples=10,
                concurrency=concurrency,
            )
            return Engine(contracts=load_contracts().values(), transport=transport, options=options).run(), transport
    finally:
        transport.close()


def verdicts(document: dict[str, Any]) -> dict[str, Any]:
    """Everything of a results document but times and the requests' bodies of the examples."""
    return {
        "verdict": document["verdict"],
        "counts": document["counts"],
        "operations": [
            {
                "id": op["id"],
                "counts": op["counts"],
                "rules": op["rules"],
                "checks": op["checks"],
                "statuses": op["statuses"],
                "scenarios": op["scenarios"],
                "failures": [(g["check"], g["rule"], g["count"], g["message"]) for g in op["failures"]],
                "warnings": [
                    (g["check"], g["rule"], g["count"]) for g in op["warnings"] if g["check"] != "answer_time"
                ],
            }
            for op in document["operations"]
        ],
    }


@pytest.mark.parametrize("build", [correct(), bugs.signature_not_compared], ids=["correct-mock", "faulty-mock"])
def test_the_results_are_the_same_with_one_request_in_flight_or_sixteen(build: Builder) -> None:
    one, sequential = run(build, 1)
    sixteen, parallel = run(build, 16)
    assert sequential.most == 1
    assert parallel.most > 1, "requests were in flight together"
    assert verdicts(sixteen) == verdicts(one)
    assert len(parallel.sent) == len(sequential.sent)


def test_no_request_in_flight_slips_into_a_provider_state() -> None:
    """With sixteen in flight, every request of an operation that arrives between a setup made
    for its phases and that setup's teardown is one the phase sent while the state was set (its
    place in the run lies between them), and they arrive one after another.  Requests of other
    operations may arrive in between: a state concerns its own operation (SPEC 5), the
    isolation phase showed first that this target keeps to that, and so the stateful phases of
    one operation run beside the others' cases."""
    _, transport = run(correct(), 16)
    arrived = transport.sent
    changes = [(i, json.loads(r.body)) for i, r in enumerate(arrived) if r.url.endswith(STATES_PATH)]
    windows = beside = 0
    for position, change in changes:
        if change["action"] != "setup":
            continue
        operation = arrived[position].operation
        teardown = next(
            i for i, later in changes
            if i > position and later["action"] == "teardown" and later["state"] == change["state"]
            and later["params"] == change["params"] and arrived[i].operation == operation
        )  # fmt: skip
        inside = [r for r in arrived[position + 1 : teardown] if not r.url.endswith(STATES_PATH)]
        own = [r for r in inside if r.operation == operation]
        assert all(arrived[position].sequence < r.sequence < arrived[teardown].sequence for r in own)
        assert [r.sequence for r in own] == sorted(r.sequence for r in own)
        beside += len(inside) - len(own)
        windows += 1
    assert windows >= 10, "the run set states up"
    assert beside > 0, "the stateful phases of one operation ran beside another's cases"


def throttling_everything_while_throttled() -> Builder:
    """A mock whose `throttled` state (set for CreateScope) throttles every operation."""
    throttled: list[Any] = []

    def before(request: Request) -> Request | Answer:
        if request.is_state_change:
            change = request.json()
            if isinstance(change, dict) and change.get("state") == "throttled":
                (throttled.append if change.get("action") == "setup" else throttled.remove)(change.get("params"))
        elif throttled and request.path == START_MONITORING_PATH:
            return json_answer(429, {"Message": "slow down"}, error="TooManyRequestsException")
        return request

    return wrapped(before=before)


def test_where_a_state_of_one_operation_changes_another_the_stateful_phases_run_one_after_another() -> None:
    """The isolation phase, first, finds a state of CreateScope that throttles
    StartMonitoringMember: then no state is set for one operation while another's requests
    arrive, even with sixteen in flight, and the results are those of one at a time."""
    one, _ = run(throttling_everything_while_throttled(), 1)
    document, transport = run(throttling_everything_while_throttled(), 16)
    assert verdicts(document) == verdicts(one)
    member = next(op for op in document["operations"] if op["id"] == "detective:StartMonitoringMember")
    assert any("'throttled' is set for" in example["case"]["description"] for group in member["failures"]
               for example in group["examples"])  # fmt: skip
    arrived = transport.sent
    setups = [
        i for i, r in enumerate(arrived) if r.url.endswith(STATES_PATH) and json.loads(r.body)["action"] == "setup"
    ]
    for position in setups:
        change, operation = json.loads(arrived[position].body), arrived[position].operation
        teardown = next(i for i in range(position + 1, len(arrived)) if arrived[i].url.endswith(STATES_PATH)
                        and json.loads(arrived[i].body) == {**change, "action": "teardown"})  # fmt: skip
        inside = [r for r in arrived[position + 1 : teardown] if not r.url.endswith(STATES_PATH)]
        assert {r.operation for r in inside} <= {operation}


def slow(seconds: float) -> Builder:
    """The mock, each answer after ``seconds`` (the requests of a run in flight wait together)."""

    def build(credentials: tuple[str, str]) -> Any:
        app = create_app(credentials=credentials)

        async def late(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                await asyncio.sleep(seconds)
            await app(scope, receive, send)

        return late

    return build


@pytest.fixture
def slow_target(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])
    with serve_in_thread(slow(1.0)(CREDENTIALS)) as url:
        yield url


def test_a_spent_budget_ends_the_run_with_every_output_written(slow_target: str, tmp_path: Path) -> None:
    results, report = tmp_path / "results.json", tmp_path / "report.html"
    started = time.monotonic()
    code = main(
        [
            "run", "--target", slow_target, "--provider-states", slow_target + STATES_PATH, "--quiet",
            "--max-duration", "4", "--concurrency", "8", "--json", str(results), "--report", str(report),
        ]
    )  # fmt: skip
    took = time.monotonic() - started
    document = json.loads(results.read_text())
    assert code == (1 if document["verdict"] == "nonconformant" else 0)
    assert document["budget_spent"] is True
    assert "time budget" in document["aborted"]
    assert took < 4 + 10 + 30, "the budget ended the run (plus the requests in flight and start-up)"
    assert 0 < document["counts"]["cases"] < 200
    assert document["counts"]["not_exercised"] > 0, "the scenarios never reached are not exercised"
    assert "Stopped early" in report.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--concurrency", "0"], "at least 1"),
        (["--concurrency", "257"], "at most 256"),
        (["--max-duration", "0"], "above 0"),
        (["--max-duration", "soon"], "a number of seconds"),
    ],
)
def test_bad_values_exit_2_with_what_was_expected(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        raise SystemExit(main(["run", "--target", "mock", *arguments]))
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
