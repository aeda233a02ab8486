"""The engine: sends every case of every contract to a target and judges the answers.

It emits each :class:`~harness.result.CaseResult` to a listener as it goes (progress,
cassettes) and returns the results document (:mod:`harness.summary`).  It writes nothing
itself, and it knows no operation by name.
"""

from __future__ import annotations

import copy
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, seed, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.errors import Flaky, Unsatisfiable

from harness.aws import SigningKey, sign
from harness.case import Auth, Case, Intent
from harness.checks import ENGINE_CHECK_DOCS, CheckRegistry, Judgement, default_registry
from harness.contract import Contract, Idempotency, Scenario
from harness.errors import TargetUnreachable, UsageError
from harness.generation.boundaries import BoundaryProbes
from harness.generation.determinism import stable_generation
from harness.generation.locate import Missing, get_at, replace_at
from harness.generation.mutations import invalid_bodies
from harness.generation.values import ValueStrategies, draw
from harness.generation.wire import (
    escaped_cases,
    malformed_cases,
    media_type_cases,
    null_member_cases,
    signature_cases,
)
from harness.result import CaseResult, Failure, Response, SentRequest
from harness.summary import OperationRecord, ScenarioOutcome, summarise
from harness.target.http import Transport, TransportFailure

OTHER_SERVICE = "sts"  # a signing name no contract has: a signature for it is no signature for the target
GIVE_UP_AFTER_FAILURES = 5  # consecutive requests without an answer
GIVE_UP_AFTER_SECONDS = 100.0  # of consecutive requests without an answer
MUTATION_BASE_MAX_BYTES = 4096  # larger valid probes (100 targets) are not mutated: their violations cost ~25 ms each


@dataclass(frozen=True)
class RunOptions:
    base_url: str
    key: SigningKey
    provider_states: str | None = None
    seed: int = 0
    max_examples: int = 100
    target_label: str = ""
    shard_index: int = 0  # this process runs the cases whose index % shard_count == shard_index
    shard_count: int = 1
    example_db: str | None = None  # a directory or redis:// URL shared by workers (Hypothesis' example database)
    token_salt: str = ""  # mixed into idempotency tokens; a live run draws one, a replay reuses the recorded one
    # "also": the stateless cases, then idempotency and provider states (shard 0 only);
    # "never": the stateless cases only; "only": idempotency and provider states only.
    # --workers runs its shards "never", then one process "only": no state is set while cases are sent.
    stateful: Literal["also", "never", "only"] = "also"


@dataclass
class Listener:
    """Callbacks the engine calls as it goes; all optional."""

    on_phase: Callable[[str, str, int], None] = lambda operation, phase, total: None
    on_result: Callable[[CaseResult], None] = lambda result: None


class _TargetGone(BaseException):
    """The target stopped answering: stop at once (a BaseException, so Hypothesis does not
    try to shrink it)."""


class _Found(Exception):
    def __init__(self, result: CaseResult) -> None:
        self.result = result


@dataclass
class _Operation:
    contract: Contract
    record: OperationRecord
    strategies: ValueStrategies
    rng: random.Random
    recording: bool = True
    answered_once: bool = False
    seen_tokens: set[str] = field(default_factory=set)
    valid_bodies: list[Any] = field(default_factory=list)  # generated and sent as valid: scenario bodies
    mutation_bases: list[Any] = field(default_factory=list)  # small valid bodies sent: random-invalid bases


class Engine:
    def __init__(
        self,
        *,
        contracts: Iterable[Contract],
        transport: Transport,
        options: RunOptions,
        checks: CheckRegistry | None = None,
        listener: Listener | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.contracts = list(contracts)
        self.transport = transport
        self.options = options
        self.checks = checks or default_registry()
        self.listener = listener or Listener()
        self.clock = clock
        self._silent_since: float | None = None
        self._silent_count = 0
        self._reached = False

    # ------------------------------------------------------------------ the run

    def run(self) -> dict[str, Any]:
        with stable_generation():
            return self._run()

    def _run(self) -> dict[str, Any]:
        started = time.monotonic()
        started_at = self.clock()
        records: list[OperationRecord] = []
        aborted = ""
        # the process that runs only the stateful scenarios draws tokens of its own, not shard 0's
        shard_tag = "stateful" if self.options.stateful == "only" else self.options.shard_index
        for contract in self.contracts:
            record = OperationRecord(contract=contract)
            records.append(record)
            op = _Operation(
                contract=contract,
                record=record,
                strategies=ValueStrategies(contract),
                # idempotency tokens: distinct per worker and per run (token_salt), so no two
                # bodies share one by accident (a real 409 would be a false alarm)
                rng=random.Random(f"{self.options.seed}:{self.options.token_salt}:{shard_tag}:{contract.id}"),
            )
            try:
                self._run_operation(op)
            except _TargetGone as gone:
                aborted = str(gone)
                _not_exercised_rest(record, aborted)
                break
        done = {r.contract.id for r in records}
        for contract in self.contracts:
            if contract.id not in done:
                record = OperationRecord(contract=contract)
                _not_exercised_rest(record, aborted)
                records.append(record)
        run_info = {
            "target": self.options.target_label or self.options.base_url,
            "provider_states": self.options.provider_states,
            "region": self.options.key.region,
            "seed": self.options.seed,
            "max_examples": self.options.max_examples,
            "started": started_at.isoformat(timespec="seconds"),
            "duration_s": round(time.monotonic() - started, 2),
            "aborted": aborted or None,
        }
        docs = {**self.checks.docs(), **ENGINE_CHECK_DOCS}
        return summarise(records=records, check_docs=docs, run=run_info)

    def _run_operation(self, op: _Operation) -> None:
        if self.options.stateful != "only":
            self._stateless(op)
        # scenarios change the target's state: one process runs them all, after the cases
        if self.options.stateful != "never" and self.options.shard_index == 0:
            self._stateful(op)

    def _stateless(self, op: _Operation) -> None:
        """Every case that needs no state: boundaries, wire, signatures, generated bodies."""
        contract = op.contract
        boundaries = BoundaryProbes(contract)
        probes = boundaries.all()
        valid_body = boundaries.base
        invalid_body: Any = next((p.body for p in probes if p.intent is Intent.INVALID), {})
        cases = [
            Case(
                operation=contract.id,
                intent=p.intent,
                origin=p.origin,
                description=p.description,
                body=Case.encode(self._fresh_token(op, p.body, keep_for=p.rule)),
                rule=p.rule,
                expected_statuses=(400,) if p.intent is Intent.INVALID else (),
            )
            for p in probes
        ]
        cases += list(malformed_cases(contract.id))
        schema = contract.request_schema()
        optional = [name for name in schema.get("properties", {}) if name not in schema.get("required", ())]
        if isinstance(valid_body, dict):
            cases += list(null_member_cases(contract.id, self._fresh_token(op, valid_body), optional))
        cases += list(media_type_cases(contract.id, self._fresh_token(op, valid_body)))
        # the valid probes small enough to mutate and escape (their wire form, computed once)
        small_valid = [
            (p.body, wire)
            for p in probes[1:]
            if p.intent is Intent.VALID and len(wire := Case.encode(p.body)) <= MUTATION_BASE_MAX_BYTES
        ]
        non_ascii = next((body for body, wire in small_valid if not wire.isascii()), None)
        to_escape = [valid_body] if non_ascii is None else [valid_body, non_ascii]
        cases += list(escaped_cases(contract.id, [self._fresh_token(op, body) for body in to_escape]))
        cases += list(signature_cases(contract.id, self._fresh_token(op, valid_body), invalid_body))
        options = self.options
        cases = [case for i, case in enumerate(cases) if i % options.shard_count == options.shard_index]
        self.listener.on_phase(contract.id, "boundaries, near misses, wire and signatures", len(cases))
        for case in cases:
            self._execute(op, case)
        self.listener.on_phase(contract.id, "generated valid bodies", self.options.max_examples)
        self._generated(op, Intent.VALID, op.strategies.body(), "generated")
        op.mutation_bases = [valid_body, *(body for body, _ in small_valid), *op.valid_bodies]
        self.listener.on_phase(contract.id, "random invalid bodies", self.options.max_examples)
        self._generated(op, Intent.INVALID, invalid_bodies(contract, op.mutation_bases), "random-invalid")

    def _stateful(self, op: _Operation) -> None:
        """Idempotency and the provider-state scenarios."""
        contract = op.contract
        if contract.idempotency is not None:
            self._idempotency(op)
        requests = sum(1 + (s.then is not None) + (s.idempotency_token == "retry") for s in contract.scenarios)
        self.listener.on_phase(contract.id, "provider states", requests)
        for index, scenario in enumerate(contract.scenarios):
            self._scenario(op, index, scenario)
        self._isolation(op)

    # ------------------------------------------------------------------ sending

    def _request(self, contract: Contract, case: Case) -> SentRequest:
        url = self.options.base_url.rstrip("/") + contract.path
        headers: dict[str, str] = {}
        if case.content_type is not None:
            headers["Content-Type"] = case.content_type
        key = self.options.key
        now = self.clock()
        # one minute either side of SPEC's 15 minutes: tight enough to catch a loose limit,
        # loose enough for the clocks of two machines
        shifts = {Auth.WITHIN_SKEW: -14, Auth.EXPIRED: -16, Auth.FUTURE: 16}
        if case.auth is Auth.UNKNOWN_KEY:
            key = SigningKey("AKIAHARNESSUNKNOWN00", "harness-unknown-secret-key", key.region)
        if case.auth is not Auth.MISSING:
            at = now + timedelta(minutes=shifts[case.auth]) if case.auth in shifts else None
            headers = sign(
                key=key, service=OTHER_SERVICE if case.auth is Auth.WRONG_SERVICE else contract.signing_name,
                method=contract.method, url=url,
                headers=headers, body=case.body, at=at,
            )  # fmt: skip
        if case.auth is Auth.WRONG_SIGNATURE:
            auth = headers["Authorization"]
            last = "0" if auth[-1] != "0" else "1"
            headers["Authorization"] = auth[:-1] + last
        return SentRequest(method=contract.method, url=url, headers=headers, body=case.body)

    def _execute(self, op: _Operation, case: Case, *, record: bool = True) -> CaseResult:
        request = self._request(op.contract, case)
        try:
            response = self.transport.send(request)
        except TransportFailure as failure:
            return self._no_answer(op, case, request, failure, record)
        self._reached = True
        self._silent_count = 0
        self._silent_since = None
        judgement = Judgement(op.contract, case, response, states_managed=bool(self.options.provider_states))
        failures, ran = self.checks.judge(judgement)
        if response.truncated:
            failures.append(_engine_failure("target_answers", f"the answer was larger than {len(response.body)} bytes"))
        result = CaseResult(case=case, request=request, response=response, failures=failures)
        if record and op.recording:
            op.record.check_runs.update(ran)
            self._keep(op, result)
        return result

    def _no_answer(
        self, op: _Operation, case: Case, request: SentRequest, failure: TransportFailure, record: bool
    ) -> CaseResult:
        if not self._reached and failure.kind == "unreachable":
            raise TargetUnreachable(
                f"{failure}. Check that the target is running and the URL is right "
                f"(harness run --target URL, or --target mock for the bundled mock)."
            )
        result = CaseResult(
            case=case,
            request=request,
            response=None,
            transport_error=f"{failure.kind}: {failure}",
            failures=[_engine_failure("target_answers", f"{failure.kind}: {failure}")],
        )
        if record and op.recording:
            op.record.check_runs["target_answers"] += 1
            self._keep(op, result)
        self._silent_count += 1
        self._silent_since = self._silent_since or time.monotonic()
        if (
            self._silent_count >= GIVE_UP_AFTER_FAILURES
            or time.monotonic() - self._silent_since > GIVE_UP_AFTER_SECONDS
        ):
            raise _TargetGone(
                f"the target stopped answering ({self._silent_count} requests in a row without an answer); "
                "the run was ended and what it found so far is reported"
            )
        return result

    def _keep(self, op: _Operation, result: CaseResult) -> None:
        op.record.results.append(result)
        self.listener.on_result(result)

    def _fresh_token(self, op: _Operation, body: Any, *, keep_for: str | None = None) -> Any:
        """``body`` with a new idempotency token, unless the case is about the token."""
        idem = op.contract.idempotency
        if idem is None or not isinstance(body, dict):
            return body
        member = idem.token.lstrip("/")
        if member not in body or (keep_for or "").startswith(member):
            return body
        return {**body, member: self._new_token(op)}

    def _new_token(self, op: _Operation) -> str:
        return str(uuid.UUID(int=op.rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ generated cases

    def _generated(self, op: _Operation, intent: Intent, strategy: st.SearchStrategy[Any], origin: str) -> None:
        validator = op.contract.request_validator
        engine = self

        options = self.options
        database = example_database(options.example_db)

        @settings(
            max_examples=-(-options.max_examples // options.shard_count),
            database=database,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.reuse, Phase.generate, Phase.shrink) if database else (Phase.generate, Phase.shrink),
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
        )
        @seed(options.seed * 1_000_003 + options.shard_index)
        @given(strategy)
        def probe(body: Any) -> None:
            if intent is Intent.VALID:
                if not validator.is_valid(body):
                    reject()
                if op.recording:
                    op.valid_bodies.append(body)
                body = engine._fresh_token(op, body)
                description = "a generated valid body"
                rule = None
            else:
                violations = validator.violations(body)
                rule = next((v.rule.id for v in violations if v.rule), None)
                description = "a randomly broken body: " + "; ".join(v.describe() for v in violations[:2])
            case = Case(
                operation=op.contract.id,
                intent=intent,
                origin=origin,
                description=description,
                body=Case.encode(body),
                rule=rule,
                expected_statuses=(400,) if intent is Intent.INVALID else (),
            )
            result = engine._execute(op, case)
            if result.failed and result.response is not None:
                op.recording = False  # what follows is shrinking: keep only its outcome
                raise _Found(result)

        try:
            probe()
        except _Found as found:
            found.result.minimal = True
            op.recording = True
            self._keep(op, found.result)
        except (Flaky, Unsatisfiable):
            pass
        finally:
            op.recording = True

    # ------------------------------------------------------------------ scenarios

    def _scenario_body(self, op: _Operation, salt: int, *, unlike: Any = None) -> Any:
        """A valid body for a scenario, with a new idempotency token: one of the generated
        valid bodies the target has already accepted, picked by the seed (a fresh draw when
        there are none), and other than ``unlike`` (token aside) where the run has one."""
        seed_value = self.options.seed * 1009 + salt
        token = op.contract.idempotency.token.lstrip("/") if op.contract.idempotency is not None else None
        candidates = random.Random(seed_value).sample(op.valid_bodies, len(op.valid_bodies))
        if not candidates:
            candidates = [draw(op.strategies.body(), seed_value=seed_value)]
        body = next((b for b in candidates if _without(b, token) != _without(unlike, token)), candidates[0])
        body = copy.deepcopy(body)
        if token is not None and isinstance(body, dict):
            body = {**body, token: self._new_token(op)}
        return body

    def _changed(self, op: _Operation, body: Any, pointers: Iterable[str], *, salt: int) -> Any:
        """``body`` with another value at each pointer, taken from another valid body, when the
        result is valid; ``None`` when no valid body offers one."""
        for pointer in pointers:
            location = tuple(pointer.lstrip("/").split("/"))
            try:
                current = get_at(body, location)
            except Missing:
                return None  # an optional member this body lacks: nothing to change
            donors = (self._scenario_body(op, salt + attempt, unlike=body) for attempt in range(8))
            for donor in donors:
                try:
                    value = get_at(donor, location)
                except Missing:
                    continue
                changed = replace_at(body, location, _always(value))
                if value != current and op.contract.request_validator.is_valid(changed):
                    body = changed
                    break
            else:
                return None
        return body

    def _idempotency(self, op: _Operation) -> None:
        idem = op.contract.idempotency
        assert idem is not None
        contract = op.contract
        member = idem.token.lstrip("/")
        body = self._scenario_body(op, 1)
        token = body[member]
        other = {**self._scenario_body(op, 2, unlike=body), member: token}
        if Case.encode(other) == Case.encode(body):
            other = {**other, "__harness_other__": "x"}

        def case(text: str, data: Any, statuses: tuple[int, ...], error: str | None = None) -> Case:
            return Case(
                operation=contract.id, intent=Intent.SCENARIO, origin="idempotency",
                description=f"idempotency: {text}", body=data if isinstance(data, bytes) else Case.encode(data),
                expected_statuses=statuses, expected_error=error, scenario="idempotency",
            )  # fmt: skip

        conflict_status, conflict_error = idem.conflict.statuses, idem.conflict.error
        one_member = list(_one_member_changed(contract, body, [other, *op.mutation_bases], keep=member))
        self.listener.on_phase(contract.id, "idempotency", 4 + len(one_member))
        first = self._execute(op, case("a new clientToken", body, (200,)))
        again = self._execute(op, case("the same clientToken and body again", body, (200,)))
        # the same document in other bytes: members in reverse order, spaced out
        reordered = json.dumps(dict(reversed(body.items())), ensure_ascii=False, indent=1).encode()
        respelled = self._execute(
            op, case("the same clientToken and body again, members in another order and spaced out", reordered, (200,))
        )
        conflicts = [
            self._execute(op, case("the same clientToken with another body", other, conflict_status, conflict_error))
        ]
        for name, changed in one_member:
            text = f"the same clientToken with only {name} changed"
            conflicts.append(self._execute(op, case(text, changed, conflict_status, conflict_error)))
        verdict, reason = "pass", ""
        failure = _same_answer(idem, first, again) or _same_answer(idem, first, respelled)
        if failure is not None:
            verdict, reason = "fail", failure.message
        sent = [first, again, respelled, *conflicts]
        if any(r.failed for r in sent):
            verdict = "fail"
            reason = reason or next(f.message for r in sent for f in r.failures)
        op.record.check_runs["idempotency"] += 1
        op.record.scenarios.append(ScenarioOutcome("idempotency", None, idem.doc, verdict, reason))

    def _scenario(self, op: _Operation, index: int, scenario: Scenario) -> None:
        record = op.record
        if scenario.state is not None and not self.options.provider_states:
            record.scenarios.append(
                ScenarioOutcome(
                    scenario.name, scenario.state, scenario.doc, "not-exercised", "no --provider-states URL given"
                )
            )
            return
        body = self._scenario_body(op, 100 + index)
        idem = op.contract.idempotency
        token_member = idem.token.lstrip("/") if idem is not None and isinstance(body, dict) else None
        if token_member is not None and scenario.idempotency_token == "none":
            body = {name: value for name, value in body.items() if name != token_member}
        params = _params(scenario.params, body, op.contract.id)
        if scenario.changed:
            body = self._changed(op, body, scenario.changed, salt=200 + index)
            if body is None:
                reason = f"no other valid value was found for {', '.join(scenario.changed)}"
                record.scenarios.append(
                    ScenarioOutcome(scenario.name, scenario.state, scenario.doc, "not-exercised", reason)
                )
                return
        case = Case(
            operation=op.contract.id,
            intent=Intent.SCENARIO,
            origin="scenario",
            description=f"state {scenario.state!r}: {scenario.doc}" if scenario.state else scenario.doc,
            body=Case.encode(body),
            expected_statuses=scenario.expect.statuses,
            expected_error=scenario.expect.error,
            scenario=scenario.name,
        )
        results: list[CaseResult] = []
        made: CaseResult | None = None  # for a retry: the request it repeats, made before the state is set
        if token_member is not None and scenario.idempotency_token == "retry":
            before = replace(
                case,
                description=f"{case.description}; the first request, before the state is set",
                expected_statuses=(200,),
                expected_error=None,
            )
            made = self._execute(op, before)
            results.append(made)
        if scenario.state is not None:
            problem = self._provider_state("setup", scenario.state, params)
            if problem:
                record.check_runs["provider_state_setup"] += 1
                result = CaseResult(case=case, request=self._state_request("setup", scenario.state, params),
                                    response=None, transport_error=None,
                                    failures=[_engine_failure("provider_state_setup", problem)])  # fmt: skip
                self._keep(op, result)
                record.scenarios.append(ScenarioOutcome(scenario.name, scenario.state, scenario.doc, "fail", problem))
                return
        try:
            if scenario.state is not None:
                self._decoy(op, scenario, body, params, salt=300 + index)
            results.append(self._execute(op, case))
            first = results[-1].response
            if made is not None and idem is not None:
                _same_answer(idem, made, results[-1])
            if scenario.then is not None and first is not None and first.status == 200:
                follow = replace(
                    case,
                    description=f"{case.description}; then again: {scenario.then_doc}",
                    expected_statuses=scenario.then.statuses,
                    expected_error=scenario.then.error,
                )
                results.append(self._execute(op, follow))
        finally:
            if scenario.state is not None:
                self._provider_state("teardown", scenario.state, params)
        failed = [f for r in results for f in r.failures if r.failed]
        record.scenarios.append(
            ScenarioOutcome(
                scenario.name,
                scenario.state,
                scenario.doc,
                "fail" if failed else "pass",
                failed[0].message if failed else "",
            )
        )

    def _decoy(self, op: _Operation, scenario: Scenario, body: Any, params: Mapping[str, Any], *, salt: int) -> None:
        """Another setup of the scenario's state, its params read from another valid body, torn
        down at once: a teardown undoes its own setup only (SPEC 5), so the scenario's state
        must still be in effect for the request that follows."""
        if scenario.state is None or not _reads_request(scenario.params):
            return
        other = self._scenario_body(op, salt, unlike=body)
        decoy = _params(scenario.params, other, op.contract.id)
        if decoy == params or self._provider_state("setup", scenario.state, decoy):
            return  # the same params, or a setup the target refused: nothing to undo
        self._provider_state("teardown", scenario.state, decoy)

    def _isolation(self, op: _Operation) -> None:
        """A valid request of this operation while each state set for another operation of the
        run is in effect: such a state concerns "that operation" only (SPEC 5), so this one
        answers as with no state (judged as a valid request).  Sent among this operation's own
        requests, so its recording holds all it needs."""
        foreign = [
            (other, scenario)
            for other in self.contracts
            if other.id != op.contract.id
            for scenario in other.scenarios
            if scenario.state is not None and _names_operation(scenario.params) and not _reads_request(scenario.params)
        ]
        if not foreign or not self.options.provider_states:
            return
        self.listener.on_phase(op.contract.id, "states set for other operations", len(foreign))
        for index, (other, scenario) in enumerate(foreign):
            assert scenario.state is not None
            params = _params(scenario.params, None, other.id)
            if self._provider_state("setup", scenario.state, params):
                continue  # refused: that is the other operation's scenario to report
            try:
                case = Case(
                    operation=op.contract.id,
                    intent=Intent.VALID,
                    origin="scenario",
                    description=f"a valid body while {scenario.state!r} is set for {other.id}: "
                    "a state of another operation changes nothing here",
                    body=Case.encode(self._scenario_body(op, 400 + index)),
                )
                self._execute(op, case)
            finally:
                self._provider_state("teardown", scenario.state, params)

    def _state_request(self, action: str, state: str, params: Mapping[str, Any]) -> SentRequest:
        body = json.dumps({"action": action, "state": state, "params": dict(params)}).encode()
        assert self.options.provider_states is not None
        return SentRequest("POST", self.options.provider_states, {"Content-Type": "application/json"}, body)

    def _provider_state(self, action: str, state: str, params: Mapping[str, Any]) -> str:
        """Empty when the target accepted the setup or teardown, else what went wrong."""
        request = self._state_request(action, state, params)
        try:
            response = self.transport.send(request)
        except TransportFailure as failure:
            return f"provider state {action} of {state!r} got no answer: {failure}"
        if response.status not in (200, 204):
            return f"provider state {action} of {state!r} answered {response.status}: {response.body[:200]!r}"
        return ""


def example_database(spec: str | None) -> ExampleDatabase | None:
    """Hypothesis' example database for ``spec``: a directory, or a ``redis://`` URL
    (Hypothesis' own RedisExampleDatabase; needs the ``redis`` package)."""
    if not spec:
        return None
    if spec.startswith(("redis://", "rediss://")):
        try:
            import redis
            from hypothesis.extra.redis import RedisExampleDatabase
        except ImportError:
            raise UsageError(f"--example-db {spec} needs the redis package: pip install redis") from None
        return RedisExampleDatabase(redis.Redis.from_url(spec))
    return DirectoryBasedExampleDatabase(spec)


def _params(raw: Mapping[str, Any], body: Any, operation: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, spec in raw.items():
        if isinstance(spec, dict) and "$request" in spec:
            value: Any = body
            for part in spec["$request"].lstrip("/").split("/"):
                value = value[part]
            params[name] = value
        elif isinstance(spec, dict) and "$operation" in spec:
            params[name] = operation
        else:
            params[name] = spec
    return params


def _same_answer(idem: Idempotency, first: CaseResult, again: CaseResult) -> Failure | None:
    """When both answered 200, the members that must repeat must be equal; the failure,
    added to ``again``, when they differ."""
    if not (first.response and again.response and first.response.status == again.response.status == 200):
        return None
    before, after = _members(first.response, idem.same_response), _members(again.response, idem.same_response)
    if before == after:
        return None
    failure = _engine_failure(
        "idempotency", f"the same clientToken and body answered {after} the second time, {before} the first"
    )
    again.failures.append(failure)
    return failure


def _reads_request(raw: Mapping[str, Any]) -> bool:
    return any(isinstance(spec, dict) and "$request" in spec for spec in raw.values())


def _names_operation(raw: Mapping[str, Any]) -> bool:
    return any(isinstance(spec, dict) and "$operation" in spec for spec in raw.values())


def _always(value: Any) -> Callable[[Any], Any]:
    return lambda _old: value


def _without(body: Any, member: str | None) -> Any:
    if member is None or not isinstance(body, dict):
        return body
    return {name: value for name, value in body.items() if name != member}


def _one_member_changed(
    contract: Contract, body: Any, donors: Iterable[Any], *, keep: str
) -> Iterator[tuple[str, Any]]:
    """``body`` with one member (never ``keep``) changed, added or left out, as in the first
    of ``donors`` (valid bodies) that gives a valid result; one per member.  Only non-empty
    values count as a change: whether ``{}`` differs from an absent member is left open."""
    if not isinstance(body, dict):
        return
    donors = [d for d in donors if isinstance(d, dict)]
    names = sorted({name for d in (body, *donors) for name in d} - {keep})
    for name in names:
        for donor in donors:
            mine, theirs = body.get(name), donor.get(name)
            if mine == theirs or (name in body and mine in _EMPTY) or (name in donor and theirs in _EMPTY):
                continue
            changed = {**body, name: theirs} if name in donor else _without(body, name)
            if contract.request_validator.is_valid(changed):
                yield name, changed
                break


_EMPTY: tuple[Any, ...] = (None, {}, [], "")


def _members(response: Response, pointers: Iterable[str]) -> dict[str, Any]:
    try:
        body = json.loads(response.body)
    except ValueError:
        return {}
    out = {}
    for pointer in pointers:
        value = body
        for part in pointer.lstrip("/").split("/"):
            value = value.get(part) if isinstance(value, dict) else None
        out[pointer.lstrip("/")] = value
    return out


def _engine_failure(check: str, message: str) -> Failure:
    return Failure(check=check, message=message, doc=ENGINE_CHECK_DOCS[check])


def _not_exercised_rest(record: OperationRecord, reason: str) -> None:
    done = {s.name for s in record.scenarios}
    for scenario in record.contract.scenarios:
        if scenario.name not in done:
            record.scenarios.append(
                ScenarioOutcome(scenario.name, scenario.state, scenario.doc, "not-exercised", reason)
            )


__all__ = ["Engine", "Listener", "Missing", "RunOptions"]
