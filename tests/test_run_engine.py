"""The engine against the real reference mock (SPEC sections 4 to 6).

- the correct mock is conformant, with no failure and no warning, and every status each
  operation documents is answered at least once when provider states are given;
- without provider states the state scenarios are not exercised (not a pass, not a
  failure): the run is still conformant;
- a seed fixes the run: the same seed sends the same cases, in the same order;
- the results document is what ``harness/schemas/results.schema.json`` says, for a
  conformant run and for a nonconformant one;
- nothing written down carries a secret: no secret key, no ``Authorization`` value, in any
  example or its curl reproduction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pytest
from faults import bugs
from faults.building import Builder, any_error, correct, on_answers, renamed
from jsonschema import Draft202012Validator

from harness.aws import SigningKey
from harness.case import Intent
from harness.contract import Contract, load_contracts
from harness.engine import Engine, Listener, RunOptions
from harness.mock.server import serve_in_thread
from harness.result import CaseResult, Response, SentRequest
from harness.target.http import HttpTransport

CREDENTIALS = ("AKIDRUNENGINETESTS01", "run-engine-tests-secret-key-0123456789")
KEY = SigningKey(CREDENTIALS[0], CREDENTIALS[1], "us-east-1")
STATES_PATH = "/_harness/provider-states"
MAX_EXAMPLES = 10


class RecordingTransport:
    """The HTTP transport, keeping every request it sends (provider-state requests too)."""

    def __init__(self) -> None:
        self.http = HttpTransport()
        self.sent: list[SentRequest] = []

    def send(self, request: SentRequest) -> Response:
        self.sent.append(request)
        return self.http.send(request)

    def close(self) -> None:
        self.http.close()


@dataclass
class Run:
    """A results document, every case result the engine emitted and every request it sent."""

    document: dict[str, Any]
    results: list[CaseResult] = field(default_factory=list)
    sent: list[SentRequest] = field(default_factory=list)

    def state_changes(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.sent if r.url.endswith(STATES_PATH)]

    def operation(self, operation_id: str) -> dict[str, Any]:
        return next(op for op in self.document["operations"] if op["id"] == operation_id)

    def examples(self) -> Iterator[dict[str, Any]]:
        for op in self.document["operations"]:
            for group in op["failures"] + op["warnings"]:
                yield from group["examples"]


@cache
def contracts() -> tuple[Contract, ...]:
    return tuple(load_contracts().values())


def run(
    *,
    provider_states: bool = True,
    seed: int = 0,
    build: Builder | None = None,
    stateful: str = "also",
) -> Run:
    """A run against a fresh mock (built by ``build``, the correct one by default) on a free loopback port."""
    build = build or correct()
    transport = RecordingTransport()
    collected = Run(document={}, sent=transport.sent)
    try:
        with serve_in_thread(build(CREDENTIALS)) as url:
            options = RunOptions(
                base_url=url,
                key=KEY,
                provider_states=url + STATES_PATH if provider_states else None,
                seed=seed,
                max_examples=MAX_EXAMPLES,
                stateful=stateful,
            )
            listener = Listener(on_result=collected.results.append)
            collected.document = Engine(
                contracts=contracts(), transport=transport, options=options, listener=listener
            ).run()
    finally:
        transport.close()
    return collected


@pytest.fixture(scope="module")
def with_states() -> Run:
    return run(provider_states=True)


@pytest.fixture(scope="module")
def without_states() -> Run:
    return run(provider_states=False)


FAULTY_MOCKS = {
    # every error renamed: failures of many checks, on signed and unsigned requests
    "errors-renamed": on_answers(any_error, renamed("SomethingWentWrong")),
    # wrong, expired and unknown-key signatures accepted: examples of requests that carry one
    "signatures-not-compared": bugs.signature_not_compared,
}


@pytest.fixture(scope="module", params=sorted(FAULTY_MOCKS))
def nonconformant(request: pytest.FixtureRequest) -> Run:
    return run(build=FAULTY_MOCKS[request.param])


# --------------------------------------------------------------------------- the correct mock


def test_the_correct_mock_is_conformant_with_no_failure_and_no_warning(with_states: Run) -> None:
    document = with_states.document
    assert document["verdict"] == "conformant"
    assert document["counts"]["failed"] == 0
    assert document["counts"]["warnings"] == 0
    assert document["counts"]["not_exercised"] == 0
    assert [op["id"] for op in document["operations"]] == [c.id for c in contracts()]
    for op in document["operations"]:
        assert op["failures"] == [] and op["warnings"] == [], op["id"]
        assert {s["verdict"] for s in op["scenarios"]} == {"pass"}, op["id"]


@pytest.mark.parametrize("contract", contracts(), ids=lambda c: c.id)
def test_every_documented_status_is_answered_with_provider_states(with_states: Run, contract: Contract) -> None:
    statuses = with_states.operation(contract.id)["statuses"]
    assert [s["status"] for s in statuses] == list(contract.statuses)
    unanswered = [s["status"] for s in statuses if s["responses"] == 0 or s["verdict"] != "pass"]
    assert unanswered == [], f"{contract.id}: documented statuses never answered: {unanswered}"


@pytest.mark.parametrize("contract", contracts(), ids=lambda c: c.id)
def test_every_documented_rule_is_tried_on_its_invalid_side(with_states: Run, contract: Contract) -> None:
    rules = with_states.operation(contract.id)["rules"]
    assert {r["id"] for r in rules} == {r.id for r in contract.request_rules}
    assert [r["id"] for r in rules if r["verdict"] != "pass" or r["invalid_cases"] == 0] == []


# --------------------------------------------------------------------------- without provider states


def test_without_provider_states_the_state_scenarios_are_not_exercised(without_states: Run) -> None:
    document = without_states.document
    stateful = [s for c in contracts() for s in c.scenarios if s.state is not None]
    assert document["verdict"] == "conformant"
    assert document["counts"]["failed"] == 0
    assert document["counts"]["not_exercised"] == len(stateful)
    for contract in contracts():
        scenarios = {s["name"]: s for s in without_states.operation(contract.id)["scenarios"]}
        for scenario in contract.scenarios:
            outcome = scenarios[scenario.name]
            if scenario.state is None:
                assert outcome["verdict"] == "pass", scenario.name
            else:
                assert outcome["verdict"] == "not-exercised", scenario.name
                assert "--provider-states" in outcome["reason"]


def _foreign(contract: Contract) -> dict[tuple[str, str], str]:
    """Each state of the others' scenarios, once for each way its params are given."""
    return {(s.state, json.dumps(s.params, sort_keys=True)): s.state for other in contracts()
            if other.id != contract.id for s in other.scenarios if s.state is not None}  # fmt: skip


def _isolation_and_scenarios(run: Run) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The state changes of the isolation phase (first, for every operation), and the others."""
    changes = run.state_changes()
    first = sum(2 * len(_foreign(contract)) for contract in contracts())
    return changes[:first], changes[first:]


def test_first_every_state_of_the_others_is_set_together_while_each_operation_is_sent(with_states: Run) -> None:
    """Before any scenario: for each operation, each state the others' scenarios set up (each
    way its params are given once) is set up, all together, and then torn down."""
    isolation, _ = _isolation_and_scenarios(with_states)
    for contract in contracts():
        foreign = list(_foreign(contract).values())
        setups, teardowns = isolation[: len(foreign)], isolation[len(foreign) : 2 * len(foreign)]
        isolation = isolation[2 * len(foreign) :]
        assert [c["action"] for c in setups] == ["setup"] * len(foreign)
        assert [c["state"] for c in setups] == foreign
        assert [c["action"] for c in teardowns] == ["teardown"] * len(foreign)
        assert [(c["state"], c["params"]) for c in teardowns] == [(c["state"], c["params"]) for c in setups]


def _windows(run: Run) -> list[tuple[dict[str, Any], int, int | None]]:
    """Each setup a scenario made (after the isolation phase's): the change, its place in the
    run, and the place of the teardown of the same state and params (``None``: never torn down)."""
    _, changes = _isolation_and_scenarios(run)
    calls = [r for r in run.sent if r.url.endswith(STATES_PATH)][-len(changes) :] if changes else []
    windows = []
    for position, (change, call) in enumerate(zip(changes, calls, strict=True)):
        if change["action"] != "setup":
            continue
        teardown = next((later.sequence for other, later in zip(changes[position + 1 :], calls[position + 1 :],
                                                                strict=True)
                         if other == {**change, "action": "teardown"}), None)  # fmt: skip
        windows.append((change, call.sequence, teardown))
    return windows


def test_each_state_scenario_sets_its_state_up_before_and_tears_it_down_after(with_states: Run) -> None:
    """Every scenario's request is sent while its own setup is in effect (set up before it, torn
    down after), every setup is torn down, and each state of the contracts' scenarios is set."""
    windows = _windows(with_states)
    assert all(teardown is not None for _, _, teardown in windows), "a setup was never torn down"
    requests = [r for r in with_states.results if r.case.origin == "scenario" and r.case.scenario]
    by_name = {(c.id, s.name): s for c in contracts() for s in c.scenarios}
    tried = 0
    for result in requests:
        scenario = by_name[(result.case.operation, result.case.scenario)]
        if scenario.state is None or "before the state is set" in result.case.description:
            continue
        own = [(c, start, end) for c, start, end in windows if c["state"] == scenario.state
               and start < result.request.sequence < (end or 0)
               and all(c["params"].get(k) == v for k, v in _literal_params(scenario).items())]  # fmt: skip
        assert own, f"{result.case.description}: sent with no setup of {scenario.state!r} in effect"
        tried += 1
    assert tried >= len([s for c in contracts() for s in c.scenarios if s.state is not None])
    assert {c["state"] for c, _, _ in windows} == {s.state for c in contracts() for s in c.scenarios if s.state}


def _literal_params(scenario: Any) -> dict[str, Any]:
    return {k: v for k, v in scenario.params.items() if not isinstance(v, dict)}


def test_a_state_set_up_from_the_request_is_set_up_twice_and_one_setup_torn_down(with_states: Run) -> None:
    """SPEC 5: a teardown undoes the setup of the same state and params, and only that: where the
    params are read from the request, another setup of the state (a decoy, other params) is made
    and torn down before the scenario's request, while its own setup stays in effect."""
    windows = _windows(with_states)
    requests = {r.request.sequence: r for r in with_states.results if r.case.origin == "scenario"}
    decoyed = set()
    for change, start, end in windows:
        assert end is not None
        inside = [r for sequence, r in requests.items() if start < sequence < end]
        if inside:
            continue  # a scenario's own setup
        # a decoy: torn down before any request of its own, while a setup of the same state
        # with other params is in effect, and a request sent after it
        assert any(c["state"] == change["state"] and c["params"] != change["params"] and s < end and (e or 0) > end
                   for c, s, e in windows), change  # fmt: skip
        decoyed.add(change["state"])
    assert decoyed == {"graph has member", "graph member limit reached"}


def test_states_on_what_each_request_names_are_set_together_and_a_whole_operations_state_alone(
    with_states: Run,
) -> None:
    """A state whose params are read from the request concerns what they name (SPEC 5): the
    scenarios of `graph has member` for each status, each on a graph of its own, are in effect
    together; a state of the whole operation (`access denied`) is set with no other of its
    operation's scenarios in effect."""
    calls = {r.sequence: r.operation for r in with_states.sent}
    sent = [r.request.sequence for r in with_states.results if r.case.origin == "scenario"]
    own = [(c, calls[start], start, end) for c, start, end in _windows(with_states)
           if end is not None and any(start < sequence < end for sequence in sent)]  # fmt: skip
    members = [w for w in own if w[0]["state"] == "graph has member"]
    together = [a for a in members if any(b is not a and a[2] < b[3] and b[2] < a[3] for b in members)]
    assert len(together) >= 5, "the member scenarios' states were in effect together"
    alone = [
        w for w in own if w[0]["state"] in ("access denied", "internal failure", "throttled", "scope quota reached")
    ]
    assert len(alone) >= 7
    for change, operation, start, end in alone:
        beside = [c for c, o, s, e in own if c is not change and o == operation and s < end and start < e]
        assert beside == [], f"{change['state']!r} was in effect with {beside}"


def test_while_a_state_is_set_for_one_operation_the_others_are_tried(with_states: Run) -> None:
    """SPEC 5: every state concerns its own operation only ("that operation", or the graph it
    names): `scope quota reached` changes nothing for StartMonitoringMember."""
    tried = [r for r in with_states.results if "states of other operations" in r.case.description]
    named = {(r.case.operation, state) for r in tried for state in re.findall(r"'([^']+)'", r.case.description)}
    assert sorted(named) == [
        ("detective:StartMonitoringMember", "access denied"),  # set for CreateScope
        ("detective:StartMonitoringMember", "internal failure"),
        ("detective:StartMonitoringMember", "scope quota reached"),
        ("detective:StartMonitoringMember", "throttled"),
        ("networkflowmonitor:CreateScope", "access denied"),  # set for StartMonitoringMember
        ("networkflowmonitor:CreateScope", "graph has member"),
        ("networkflowmonitor:CreateScope", "graph member limit reached"),
        ("networkflowmonitor:CreateScope", "internal failure"),
    ]
    scope = [r for r in tried if r.case.operation == "networkflowmonitor:CreateScope"]
    assert len(scope) == 8 and all("'graph has member' x5" in r.case.description for r in scope)  # one member a status
    assert all(r.case.intent is Intent.VALID and not r.failed for r in tried)


def test_a_run_split_for_workers_keeps_states_apart_from_the_stateless_cases() -> None:
    """``--workers``: the shards send the stateless cases, then one process the stateful ones,
    so no state a scenario sets is in effect while another process's cases are answered."""
    stateless, stateful = run(stateful="never"), run(stateful="only")
    assert stateless.state_changes() == []
    assert {r.case.origin for r in stateless.results}.isdisjoint({"scenario", "idempotency"})
    assert stateful.state_changes() != []
    assert {r.case.origin for r in stateful.results} == {"scenario", "idempotency"}
    for part in (stateless, stateful):
        assert part.document["verdict"] == "conformant"


def test_without_provider_states_no_state_is_set_up(without_states: Run) -> None:
    assert without_states.state_changes() == []


def test_statuses_only_a_provider_state_reaches_are_not_exercised_without_one(without_states: Run) -> None:
    for contract in contracts():
        statuses = {s["status"]: s for s in without_states.operation(contract.id)["statuses"]}
        only_by_state = {
            status
            for scenario in contract.scenarios
            if scenario.state is not None
            for status in scenario.expect.statuses
        } - {s for s, entry in statuses.items() if entry["responses"]}
        assert only_by_state, contract.id
        for status in only_by_state:
            assert statuses[status]["verdict"] == "not-exercised", (contract.id, status)


# --------------------------------------------------------------------------- the seed


def case_list(results: Iterable[CaseResult]) -> list[tuple[str, str, str, str | None, bytes, str]]:
    return [
        (r.case.operation, r.case.intent.value, r.case.description, r.case.rule, r.request.body, r.case.auth.value)
        for r in results
    ]


def test_the_same_seed_sends_the_same_cases_in_the_same_order(with_states: Run) -> None:
    again = run(provider_states=True, seed=0)
    assert len(with_states.results) > 300
    assert case_list(again.results) == case_list(with_states.results)


def test_another_seed_draws_other_generated_bodies(with_states: Run) -> None:
    other = run(provider_states=True, seed=1)
    generated = {body for *_, body, _ in case_list(with_states.results)}
    assert {body for *_, body, _ in case_list(other.results)} != generated
    assert other.document["seed"] == 1 and other.document["verdict"] == "conformant"


# --------------------------------------------------------------------------- the results document


@cache
def results_schema() -> Draft202012Validator:
    text = resources.files("harness").joinpath("schemas/results.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    json.dumps(document)  # plain JSON, nothing else
    return [f"{e.json_path}: {e.message}" for e in results_schema().iter_errors(document)]


def test_a_conformant_results_document_matches_its_json_schema(with_states: Run, without_states: Run) -> None:
    assert schema_errors(with_states.document) == []
    assert schema_errors(without_states.document) == []


def test_a_nonconformant_results_document_matches_its_json_schema(nonconformant: Run) -> None:
    assert schema_errors(nonconformant.document) == []


def test_a_nonconformant_run_names_checks_and_gives_examples(nonconformant: Run) -> None:
    document = nonconformant.document
    assert document["verdict"] == "nonconformant"
    groups = [g for op in document["operations"] for g in op["failures"]]
    assert groups
    assert all(g["examples"] and g["doc"] and g["message"] for g in groups)


# --------------------------------------------------------------------------- no secret written down


def test_no_example_or_curl_command_carries_a_secret(nonconformant: Run) -> None:
    text = json.dumps(nonconformant.document)
    sent = [r.request.headers.get("Authorization") for r in nonconformant.results]
    signatures = {value.rsplit("Signature=", 1)[-1] for value in sent if value}
    assert signatures, "the run sent signed requests"
    assert CREDENTIALS[1] not in text
    assert not [s for s in signatures if s in text], "a request signature was written down"
    examples = list(nonconformant.examples())
    assert examples
    for example in examples:
        headers = {name.lower(): value for name, value in example["request"]["headers"].items()}
        assert headers.get("authorization") in (None, "<redacted>")
        curl = example["curl"]
        assert "authorization" not in curl.lower()
        assert CREDENTIALS[1] not in curl
        assert "$AWS_SECRET_ACCESS_KEY" in curl or example["case"]["auth"] != "signed"


@pytest.mark.parametrize("nonconformant", ["signatures-not-compared"], indirect=True)
def test_a_wrongly_signed_request_is_reproduced_without_signing(nonconformant: Run) -> None:
    wrongly_signed = [e for e in nonconformant.examples() if e["case"]["auth"] == "wrong-signature"]
    assert wrongly_signed
    for example in wrongly_signed:
        assert example["request"]["headers"]["Authorization"] == "<redacted>"
        assert "--aws-sigv4" not in example["curl"]
