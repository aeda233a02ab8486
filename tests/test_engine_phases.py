"""The engine's phases, each against a fake transport (``tests/fake_target.py``): what each
sends, what it keeps, and how it judges, with no server, no network and no waiting.

The end-to-end runs against the real mock are ``test_run_engine.py``; the faulty-variant
catalogue is ``test_faults.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fake_target import BASE_URL, CREDENTIALS, STATES_URL, ContractFaithful, FakeTransport, Handler, answer, silent

from harness.aws import SigningKey
from harness.case import Intent
from harness.checks import CheckRegistry, default_registry
from harness.contract import Contract, load_contracts
from harness.engine import Engine, Listener, RunOptions
from harness.engine.exchange import GIVE_UP_AFTER_FAILURES, GIVE_UP_AFTER_SECONDS
from harness.engine.phases import Phase, every_phase
from harness.engine.phases.examples import Examples
from harness.engine.phases.generated import Generated
from harness.engine.phases.idempotency import IdempotencyPhase
from harness.engine.phases.isolation import Isolation
from harness.engine.phases.probes import Probes
from harness.engine.phases.scenarios import Scenarios
from harness.result import CaseResult, Response, SentRequest

CONTRACTS = load_contracts()
CREATE_SCOPE = CONTRACTS["networkflowmonitor:CreateScope"]
START_MONITORING = CONTRACTS["detective:StartMonitoringMember"]
KEY = SigningKey(*CREDENTIALS, "us-east-1")


@dataclass
class Ran:
    document: dict[str, Any]
    results: list[CaseResult]
    transport: FakeTransport

    def operation(self, contract: Contract) -> dict[str, Any]:
        return next(op for op in self.document["operations"] if op["id"] == contract.id)

    def scenario(self, contract: Contract, name: str) -> dict[str, Any]:
        return next(s for s in self.operation(contract)["scenarios"] if s["name"] == name)


def run(
    contracts: Iterable[Contract],
    handler: Handler | None = None,
    *,
    phases: Iterable[Phase] | None = None,
    states: bool = True,
    timer: Callable[[], float] | None = None,
    checks: CheckRegistry | None = None,
    **options: Any,
) -> Ran:
    contracts = list(contracts)
    transport = FakeTransport(handler or ContractFaithful(contracts))
    results: list[CaseResult] = []
    settings = {"max_examples": 5, **options}
    engine = Engine(
        contracts=contracts,
        transport=transport,
        options=RunOptions(base_url=BASE_URL, key=KEY, provider_states=STATES_URL if states else None, **settings),
        listener=Listener(on_result=results.append),
        phases=phases,
        checks=checks,
        **({"timer": timer} if timer is not None else {}),
    )
    return Ran(engine.run(), results, transport)


def bodies(requests: Iterable[SentRequest]) -> list[Any]:
    return [json.loads(r.body) for r in requests]


# --------------------------------------------------------------------------- probes


def test_the_probes_start_with_the_minimal_valid_body_and_aim_every_invalid_one_at_400() -> None:
    ran = run([START_MONITORING], phases=[Probes()])
    first = ran.results[0]
    assert first.case.intent is Intent.VALID
    assert first.case.description.startswith("the minimal valid body")
    invalid = [r for r in ran.results if r.case.intent is Intent.INVALID]
    assert invalid and all(r.case.expected_statuses == (400,) and r.case.rule for r in invalid)
    assert ran.document["verdict"] == "conformant"


def test_every_probe_gets_a_new_idempotency_token_unless_it_is_about_the_token() -> None:
    ran = run([CREATE_SCOPE], phases=[Probes()])
    tokens = []
    for result in ran.results:
        body = result.case.document()
        if isinstance(body, dict) and isinstance(body.get("clientToken"), str):
            tokens.append((result.case.rule or "", body["clientToken"]))
    about_the_token = [t for rule, t in tokens if rule.startswith("clientToken")]
    others = [t for rule, t in tokens if not rule.startswith("clientToken")]
    assert about_the_token and others
    assert len(set(others)) == len(others), "two requests shared a token by accident"
    assert not set(about_the_token) & set(others)
    assert any(len(t) != 36 for t in about_the_token), "the token's own probes keep their broken tokens"


def test_a_sharded_run_sends_every_probe_exactly_once_across_its_shards() -> None:
    whole = run([START_MONITORING], phases=[Probes()])
    parts = [run([START_MONITORING], phases=[Probes()], shard_index=i, shard_count=3) for i in range(3)]
    assert sorted(r.body for p in parts for r in p.transport.sent) == sorted(r.body for r in whole.transport.sent)


# --------------------------------------------------------------------------- generated


def test_generated_valid_bodies_are_drawn_then_sent_and_all_kept() -> None:
    ran = run([START_MONITORING], phases=[Generated(Intent.VALID)], max_examples=7)
    assert len(ran.results) == len(ran.transport.sent) == 7
    assert all(START_MONITORING.request_validator.is_valid(b) for b in bodies(ran.transport.sent))


def refuses_accounts(first_digits: str, inner: Handler) -> Handler:
    """``inner``, except that a body whose AccountId starts with one of ``first_digits`` gets a 500."""

    def handle(request: SentRequest) -> Response:
        account = json.loads(request.body).get("AccountId", "") if request.url != STATES_URL else ""
        if account[:1] and account[0] in first_digits:
            return answer(500, {"Message": "boom"}, error="InternalServerException")
        return inner(request)

    return handle


def test_a_failure_is_shrunk_and_only_the_minimal_reproduction_is_kept_besides_what_was_drawn() -> None:
    handler = refuses_accounts("56789", ContractFaithful([START_MONITORING]))
    ran = run([START_MONITORING], handler, phases=[Generated(Intent.VALID)], max_examples=10)
    minimal = [r for r in ran.results if r.minimal]
    assert len(minimal) == 1
    assert ran.results[-1] is minimal[0]
    drawn = [r for r in ran.results if not r.minimal]
    assert len(drawn) == 10, "every drawn example is sent and kept; shrinking's requests are not kept"
    assert any(r.failed for r in drawn)
    # shrinking heads for the simplest failing body: the smallest account id that fails
    assert json.loads(minimal[0].request.body)["AccountId"] == "500000000000"
    assert len(ran.transport.sent) > len(drawn), "shrinking sent requests of its own"


def test_shrinking_never_sends_a_body_the_run_already_sent() -> None:
    handler = refuses_accounts("56789", ContractFaithful([START_MONITORING]))
    ran = run([START_MONITORING], handler, phases=[Generated(Intent.VALID)], max_examples=10)
    drawn = [r.request.body for r in ran.results if not r.minimal]
    shrinking = ran.transport.sent[len(drawn) :]
    assert not set(drawn) & {r.body for r in shrinking}


def test_random_invalid_bodies_mutate_valid_ones_and_expect_400() -> None:
    ran = run([CREATE_SCOPE], phases=[Probes(), Generated(Intent.VALID), Generated(Intent.INVALID)])
    invalid = [r for r in ran.results if r.case.origin == "random-invalid"]
    assert len(invalid) == 5
    for result in invalid:
        assert result.case.expected_statuses == (400,)
        assert not CREATE_SCOPE.request_validator.is_valid(result.case.document())


# --------------------------------------------------------------------------- idempotency


def test_idempotency_retries_with_the_same_token_and_conflicts_with_another_body() -> None:
    ran = run([CREATE_SCOPE], phases=[Generated(Intent.VALID), IdempotencyPhase()])
    sent = [r for r in ran.results if r.case.origin == "idempotency"]
    tokens = {json.loads(r.request.body)["clientToken"] for r in sent}
    assert len(tokens) == 1
    statuses = [r.response.status for r in sent if r.response]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {409}
    assert ran.scenario(CREATE_SCOPE, "idempotency")["verdict"] == "pass"


def forgets_retries(inner: ContractFaithful) -> Handler:
    """``inner`` with a memory of no token: every request is a new scope."""

    def handle(request: SentRequest) -> Response:
        inner._by_token.clear()
        return inner(request)

    return handle


def test_a_retry_that_gets_another_scope_fails_idempotency_on_the_retry() -> None:
    ran = run([CREATE_SCOPE], forgets_retries(ContractFaithful([CREATE_SCOPE])), phases=[IdempotencyPhase()])
    outcome = ran.scenario(CREATE_SCOPE, "idempotency")
    assert outcome["verdict"] == "fail"
    assert "the same clientToken and body answered" in outcome["reason"]
    retry = next(r for r in ran.results if r.case.description.endswith("the same clientToken and body again"))
    assert [f.check for f in retry.failures] == ["idempotency"]


# --------------------------------------------------------------------------- scenarios


def test_each_scenario_sets_its_state_up_sends_and_tears_it_down() -> None:
    handler = ContractFaithful([START_MONITORING])
    run([START_MONITORING], handler, phases=[Scenarios()])
    changes = [(c["action"], c["state"]) for c in handler.state_changes]
    setups = [c for c in changes if c[0] == "setup"]
    assert setups and len(changes) == 2 * len(setups), "every setup is torn down"


def test_without_a_provider_states_url_a_state_scenario_is_not_exercised() -> None:
    ran = run([START_MONITORING], phases=[Scenarios()], states=False)
    verdicts = {s["state"] is None: s["verdict"] for s in ran.operation(START_MONITORING)["scenarios"]}
    assert verdicts[False] == "not-exercised"
    assert ran.transport.sent and all(r.url != STATES_URL for r in ran.transport.sent)


def refuses_setups(inner: Handler) -> Handler:
    def handle(request: SentRequest) -> Response:
        if request.url == STATES_URL and json.loads(request.body)["action"] == "setup":
            return answer(400, {"message": "unknown state"})
        return inner(request)

    return handle


def test_a_refused_setup_fails_its_scenario_with_the_provider_state_check() -> None:
    ran = run([START_MONITORING], refuses_setups(ContractFaithful([START_MONITORING])), phases=[Scenarios()])
    outcome = ran.scenario(START_MONITORING, "internal failure")
    assert outcome["verdict"] == "fail"
    assert "provider state setup of 'internal failure' answered 400" in outcome["reason"]
    assert any(g["check"] == "provider_state_setup" for g in ran.operation(START_MONITORING)["failures"])


def test_every_state_of_another_operations_scenarios_is_set_while_this_one_is_sent() -> None:
    """SPEC 5: a state concerns its own operation; each state another operation's scenarios set
    up (each with params read from a body of its own: `graph has member` once per status, each
    another member) is set, all of them together, while valid requests of this operation are
    sent, then torn down, and changes nothing here."""
    handler = ContractFaithful([CREATE_SCOPE, START_MONITORING])
    ran = run([CREATE_SCOPE, START_MONITORING], handler, phases=[Isolation()])
    isolation = [r for r in ran.results if r.case.description.startswith("a valid body while")]
    assert isolation and not any(r.failed for r in isolation)
    assert all("states of other operations" in r.case.description for r in isolation)
    paths = {STATES_URL: "state", BASE_URL + CREATE_SCOPE.path: CREATE_SCOPE.id,
             BASE_URL + START_MONITORING.path: START_MONITORING.id}  # fmt: skip
    sent = [paths[r.url] for r in ran.transport.sent]
    foreign_for_scope, foreign_for_member = 8, 4  # each state once for each way its params are given
    assert sent == (
        ["state"] * foreign_for_scope + [CREATE_SCOPE.id] * foreign_for_scope + ["state"] * foreign_for_scope
        + ["state"] * foreign_for_member + [START_MONITORING.id] * foreign_for_member + ["state"] * foreign_for_member
    )  # fmt: skip
    setups = [(c["state"], c["params"].get("Status") or c["params"].get("operation"))
              for c in handler.state_changes if c["action"] == "setup"]  # fmt: skip
    assert setups[:8] == [
        # while CreateScope is sent: StartMonitoringMember's, one member per status
        ("graph has member", "ACCEPTED_BUT_DISABLED"),
        ("graph has member", "INVITED"),
        ("graph has member", "VERIFICATION_IN_PROGRESS"),
        ("graph has member", "VERIFICATION_FAILED"),
        ("graph has member", "ENABLED"),
        ("graph member limit reached", None),
        ("internal failure", START_MONITORING.id),
        ("access denied", START_MONITORING.id),
    ]
    assert setups[foreign_for_scope:] == [
        # while StartMonitoringMember is sent: CreateScope's states
        ("scope quota reached", None),
        ("throttled", CREATE_SCOPE.id),
        ("internal failure", CREATE_SCOPE.id),
        ("access denied", CREATE_SCOPE.id),
    ]
    members = [(p["GraphArn"], p["AccountId"]) for c in handler.state_changes
               if c["state"] == "graph has member" and c["action"] == "setup" for p in [c["params"]]]  # fmt: skip
    assert len(set(members)) == len(members), "no two states set together name one member"
    assert all(START_MONITORING.request_validator.is_valid({"GraphArn": g, "AccountId": a}) for g, a in members)
    teardowns = [c for c in handler.state_changes if c["action"] == "teardown"]
    assert sorted(json.dumps(c, sort_keys=True) for c in teardowns) == sorted(
        json.dumps({**c, "action": "teardown"}, sort_keys=True) for c in handler.state_changes if c["action"] == "setup"
    )


def test_where_a_request_fails_while_the_states_are_set_each_is_set_alone_to_say_which() -> None:
    """A target whose `throttled` state of CreateScope throttles StartMonitoringMember too: the
    requests sent while every state is set fail, and then each state is set alone while a
    request is sent, so that the failure names `throttled`, and only it."""
    faithful = ContractFaithful([CREATE_SCOPE, START_MONITORING])
    throttled: list[dict[str, Any]] = []

    def leaking(request: SentRequest) -> Response:
        if request.url == STATES_URL:
            change = json.loads(request.body)
            if change["state"] == "throttled":
                (throttled.append if change["action"] == "setup" else throttled.remove)(change["params"])
        elif throttled and urlsplit(request.url).path == START_MONITORING.path:
            return answer(429, {"Message": "slow down"}, error="TooManyRequestsException")
        return faithful(request)

    ran = run([CREATE_SCOPE, START_MONITORING], leaking, phases=[Isolation()])
    member = [r for r in ran.results if r.case.operation == START_MONITORING.id]
    together = [r for r in member if "states of other operations" in r.case.description]
    alone = [r for r in member if r not in together]
    assert together and all(r.failed for r in together)
    assert len(alone) == len(together)
    assert [r.case.description.split(" is set")[0] for r in alone if r.failed] == ["a valid body while 'throttled'"]
    assert [r for r in ran.results if r.case.operation == CREATE_SCOPE.id and r.failed] == []


# --------------------------------------------------------------------------- the whole engine


def test_the_process_of_the_stateful_phases_draws_the_bodies_a_single_process_would() -> None:
    def scenario_bodies(ran: Ran) -> list[bytes]:
        return [r.request.body for r in ran.results if r.case.origin in ("scenario", "idempotency")]

    single = run([CREATE_SCOPE, START_MONITORING])
    stateful = run([CREATE_SCOPE, START_MONITORING], stateful="only")
    assert scenario_bodies(single)
    normalised = [json.dumps({k: v for k, v in json.loads(b).items() if k != "clientToken"}, sort_keys=True)
                  for b in scenario_bodies(single)]  # fmt: skip
    alike = [json.dumps({k: v for k, v in json.loads(b).items() if k != "clientToken"}, sort_keys=True)
             for b in scenario_bodies(stateful)]  # fmt: skip
    assert alike == normalised


def test_the_phases_run_in_order_and_a_conformant_target_passes_them_all() -> None:
    assert [type(p) for p in every_phase()] == [
        Examples,
        Probes,
        Generated,
        Generated,
        IdempotencyPhase,
        Scenarios,
        Isolation,
    ]
    ran = run([CREATE_SCOPE, START_MONITORING], states=False)  # the fake sets no state
    assert ran.document["verdict"] == "conformant", [op["failures"] for op in ran.document["operations"]]


class FakeTimer:
    """Seconds that pass only when a request takes them."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("seconds_per_request", [1.0, 60.0], ids=["five-in-a-row", "past-the-time-limit"])
def test_a_target_that_stops_answering_ends_the_run_with_what_it_found(seconds_per_request: float) -> None:
    timer = FakeTimer()
    answered = 0

    faithful = ContractFaithful([START_MONITORING, CREATE_SCOPE])

    def stops_after_ten(request: SentRequest) -> Response:
        nonlocal answered
        if answered < 10 or request.url == STATES_URL:  # its provider states go on answering
            answered += request.url != STATES_URL
            return faithful(request)
        timer.now += seconds_per_request
        return silent(request)

    ran = run([START_MONITORING, CREATE_SCOPE], stops_after_ten, timer=timer)
    expected = GIVE_UP_AFTER_FAILURES if seconds_per_request * GIVE_UP_AFTER_FAILURES < GIVE_UP_AFTER_SECONDS else 3
    assert len([r for r in ran.transport.sent if r.url != STATES_URL]) == 10 + expected
    assert len(ran.results) == 10 + expected, "the request that was one too many is kept too"
    assert "stopped answering" in ran.document["aborted"]
    assert all(s["verdict"] == "not-exercised" for s in ran.operation(CREATE_SCOPE)["scenarios"])
    assert ran.document["verdict"] == "nonconformant"


# --------------------------------------------------------------------------- imported operations


IMPORTED = ["sqs:CreateQueue", "kms:TagResource", "lambda:TagResource", "lambda:ListFunctions"]


def imported(*ids: str) -> list[Contract]:
    from harness.importer import find_contract

    return [find_contract({}, operation) for operation in ids]


def test_imported_operations_of_every_json_protocol_are_bound_sent_and_judged() -> None:
    """awsJson 1.0 and 1.1 (``POST /`` with ``X-Amz-Target``) and restJson1 with a path label
    (lambda:TagResource) and query members (lambda:ListFunctions), against a target that reads
    each request back with the binding and answers as the model says."""
    from fake_target import ImportedFaithful

    contracts = imported(*IMPORTED)
    handler = ImportedFaithful(contracts)
    ran = run(
        contracts, handler, states=False, checks=default_registry().select(leave_out=["unauthenticated_rejected"])
    )
    assert ran.document["verdict"] == "conformant", [op["failures"][:2] for op in ran.document["operations"]]
    for contract in contracts:
        op = ran.operation(contract)
        assert op["contract"]["imported"]["service"] == contract.service
        assert op["valid_inputs"]["accepted"] > 0
        assert all(rule.get("accepted_start") is True for rule in op["rules"])
        assert {name for name, _ in handler.inputs} >= {contract.id}
    targets = {r.headers.get("X-Amz-Target") for r in ran.transport.sent}
    assert {"AmazonSQS.CreateQueue", "TrentService.TagResource"} <= targets
    assert any(urlsplit(r.url).path.startswith("/2017-03-31/tags/") for r in ran.transport.sent)
    assert any(urlsplit(r.url).query for r in ran.transport.sent if "/functions" in r.url)


def test_an_imported_operation_that_accepts_nothing_warns_that_its_probes_had_no_accepted_start() -> None:
    contracts = imported("sqs:CreateQueue")

    def refuses_everything(request: SentRequest) -> Response:
        return answer(400, {"message": "no"}, error="ValidationException")

    ran = run(contracts, refuses_everything, states=False,
              checks=default_registry().select(leave_out=["unauthenticated_rejected"]))  # fmt: skip
    op = ran.operation(contracts[0])
    assert op["valid_inputs"]["accepted"] == 0
    assert ran.document["verdict"] == "conformant", "a valid input of an imported contract may get 400 (SPEC 7.2)"
    assert any(g["check"] == "accepted_start" for g in op["warnings"])
    assert all(rule["accepted_start"] is False for rule in op["rules"] if rule["invalid_cases"])


# --------------------------------------------------------------------------- what HTTP can carry


def test_an_input_that_is_not_an_object_is_no_case_of_an_operation_without_a_json_body() -> None:
    """GET /v2/apis has query members only: an input ``false`` has no place on its wire (a body
    would be one the protocol never reads), so neither a probe nor a random edit sends one."""
    from harness.importer import find_contract

    get_apis = find_contract(CONTRACTS, "apigatewayv2:GetApis")
    ran = run([get_apis], lambda request: answer(400, {"message": "no"}, error="BadRequestException"),
              phases=[Probes(), Generated(Intent.INVALID)], states=False, max_examples=30)  # fmt: skip
    assert ran.transport.sent, "the probes of the query members were sent"
    assert [r.body for r in ran.transport.sent if r.body] == []
    assert all(isinstance(r.case.input, dict) for r in ran.results)


def test_the_minimal_valid_input_is_one_http_can_carry() -> None:
    """iot-data:Publish's topic is a path label the model lets be empty, which no request can
    carry: the minimal valid input sent first has the simplest topic that can be sent."""
    from harness.importer import find_contract

    publish = find_contract(CONTRACTS, "iot-data:Publish")
    ran = run([publish], lambda request: answer(200), phases=[Examples()], states=False)
    minimal = [r for r in ran.results if r.case.description.startswith("the minimal valid input")]
    assert len(minimal) == 1
    assert minimal[0].request.url.startswith(BASE_URL + "/topics/") and minimal[0].case.input["topic"]


class NamesOnce:
    """An emulator's create: any input with a new ``Name`` is created (200), whatever else it
    holds; a ``Name`` seen before is 400 ResourceAlreadyExistsException."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __call__(self, request: SentRequest) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: the parser-limit bodies
            return answer(400, {"message": "not JSON"}, error="SerializationException")
        name = json.dumps(body.get("Name")) if isinstance(body, dict) else "-"
        if name in self.names:
            return answer(400, {"message": "exists"}, error="ResourceAlreadyExistsException")
        self.names.add(name)
        return answer(200, {})


def test_a_rejection_the_accepted_start_also_gets_when_sent_again_is_no_clean_pass() -> None:
    """SPEC 7.5: the probes change the accepted input in one place; when that input is refused
    when sent again (its name is taken now), a probe refused the same way owes its rejection to
    the name, not to the rule it aims at: exercised without an accepted start, a warning."""
    from harness.importer import find_contract

    bus = find_contract(CONTRACTS, "events:CreateEventBus")
    ran = run([bus], NamesOnce(), phases=[Examples(), Probes()], states=False)
    op = ran.operation(bus)
    assert op["valid_inputs"]["accepted"] >= 1
    description = next(rule for rule in op["rules"] if rule["id"] == "Description.length")
    assert description["invalid_cases"] and description["accepted_start"] is False
    warned = [w for w in op["warnings"] if w["check"] == "accepted_start"]
    assert warned and "refused when sent again" in warned[0]["message"]
    # a probe that changes the name itself gets a new name, so its verdict is owed to the rule
    name = next(rule for rule in op["rules"] if rule["id"] == "Name.length")
    assert name["verdict"] == "fail" and name["accepted_start"] is True


def test_an_invalid_input_the_wire_cannot_tell_from_a_valid_one_is_no_case() -> None:
    """A schedule's Name is a path label: the integer 12345 or the boolean true there is the
    text ``12345`` or ``true``, which are valid names.  What the target reads of every invalid
    case sent is invalid."""
    from urllib.parse import urlsplit

    from harness.binding import OperationBinding, decode
    from harness.importer import find_contract

    schedule = find_contract(CONTRACTS, "scheduler:CreateSchedule")
    created = {"ScheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s"}
    ran = run([schedule], lambda request: answer(200, created), phases=[Probes()], states=False)
    binding = OperationBinding.from_document(schedule.document)
    invalid = [r for r in ran.results if r.case.intent is Intent.INVALID and r.case.body is None]
    assert any(r.case.rule == "Name.length" for r in invalid)
    for result in invalid:
        url = urlsplit(result.request.url)
        read = decode(binding, result.request.method, url.path + (f"?{url.query}" if url.query else ""),
                      result.request.headers, result.request.body or b"")  # fmt: skip
        assert not schedule.request_validator.is_valid(read), result.case.description


def test_every_failed_rule_carries_one_reproduction_even_when_its_failures_name_no_rule() -> None:
    """An emulator that answers every request 400 ConflictException (documented with 409): the
    failures are error_named's, a group naming no rule and keeping 5 examples, yet each rule
    aimed at has failed, and the document gives each a reproduction of its own."""
    from harness.importer import find_contract

    schedule = find_contract(CONTRACTS, "scheduler:CreateSchedule")
    conflict = answer(400, {"Message": "exists"}, error="ConflictException")
    ran = run([schedule], lambda request: conflict, phases=[Probes()], states=False)
    op = ran.operation(schedule)
    failed = [rule for rule in op["rules"] if rule["verdict"] == "fail"]
    assert len(failed) > 5
    assert all(group["rule"] is None for group in op["failures"] if group["check"] == "error_named")
    for rule in failed:
        reproduction = rule["reproduction"]
        assert reproduction["check"] == "error_named" and "ConflictException" in reproduction["message"]
        assert reproduction["curl"].startswith("curl ") and "--aws-sigv4" in reproduction["curl"]
        assert reproduction["description"]
    assert all("reproduction" not in rule for rule in op["rules"] if rule["verdict"] != "fail")
