"""The provider-state scenarios of a contract (SPEC section 5).

For each scenario: a valid body the target has already accepted, its idempotency token as the
scenario's ``request`` says (``new``, ``none``, or a ``retry`` of a request made before the state
is set), the state set up with params read from that body (and, where the params come from the
request, set up a second time with other params and that setup torn down: a teardown undoes its
own setup only), members the scenario ``changed`` given another valid value, the request, a
follow-up when the scenario has one, and the teardown.

A state whose params are read from the request concerns what they name (SPEC 5: "the graph and
account it names"): consecutive scenarios of such states whose requests name other things (no
value read by one is read by another) run together, their setups, decoys, requests and
teardowns each in flight at once.  A state that concerns the whole operation (``throttled``,
``access denied``), a scenario without a state and a retry run alone.  Which scenarios go
together depends on the contract and the seed only, not on ``--concurrency``.

State changes whose order does not matter go together, each waiting its round trip at the same
time as the others: the setups of the scenarios' states, their decoys' and the teardowns owed by
the scenarios before (unless they are the same state with the same params).  Nothing of this
operation is sent while a change is in flight, and every request is sent once the changes
before it are answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from harness.case import Case, Intent
from harness.checks import provider_state_setup
from harness.contract import Scenario
from harness.engine.bodies import changed, pick
from harness.engine.phases.base import ActingPhase, Turn
from harness.engine.phases.idempotency import repeat_failures
from harness.engine.states import Change, ProviderStates, params_of, reads_request
from harness.pointer import Pointer
from harness.result import CaseResult, Failure
from harness.summary import ScenarioOutcome


class Scenarios(ActingPhase):
    label = "provider states"
    stateful = True

    def run(self, turn: Turn) -> None:
        op = turn.op
        scenarios = op.contract.scenarios
        op.phase(self.label, sum(1 + (s.then is not None) + (s.idempotency_token == "retry") for s in scenarios))
        owed = _Teardowns(turn.states)
        outcomes: dict[int, ScenarioOutcome] = {}
        try:
            prepared: list[_Prepared] = []
            named: set[str] = set()  # what the requests of the scenarios so far name
            for index, scenario in enumerate(scenarios):
                unused = lambda body, s=scenario, n=named: not _named(s, body) & n  # noqa: E731
                ready = _prepare(turn, index, scenario, prefer=unused)
                if isinstance(ready, ScenarioOutcome):
                    outcomes[index] = ready
                else:
                    prepared.append(ready)
                    named |= ready.names()
            for group in _together(prepared):
                outcomes.update(_run_group(turn, group, owed))
        finally:
            owed.settle()
            op.record.scenarios.extend(outcomes[index] for index in sorted(outcomes))


@dataclass
class _Prepared:
    """A scenario ready to run: its request, the params of its state and of its decoy."""

    index: int
    scenario: Scenario
    case: Case
    params: dict[str, Any]
    decoy: dict[str, Any] | None  # another setup of the state, torn down at once
    retry: bool  # a retry of a request made before the state is set
    results: list[CaseResult] = field(default_factory=list)

    def outcome(self, verdict: str, reason: str = "") -> ScenarioOutcome:
        s = self.scenario
        return ScenarioOutcome(s.name, s.state, s.doc, verdict, reason)

    @property
    def scoped(self) -> bool:
        """Whether the state concerns only what the request names (its params are read from it)."""
        return self.scenario.state is not None and reads_request(self.scenario.params) and not self.retry

    def names(self) -> set[str]:
        """The values read from the request, for the state and its decoy."""
        read = [name for name, spec in self.scenario.params.items() if isinstance(spec, dict) and "$request" in spec]
        return {
            json.dumps(p[name], sort_keys=True) for p in (self.params, self.decoy or {}) for name in read if name in p
        }


def _prepare(
    turn: Turn, index: int, scenario: Scenario, *, prefer: Callable[[Any], bool]
) -> _Prepared | ScenarioOutcome:
    """``scenario`` ready to run, its bodies those ``prefer`` accepts where the run has some (so
    that scenarios run together name other things), or why it cannot be run."""
    op = turn.op

    def outcome(verdict: str, reason: str = "") -> ScenarioOutcome:
        return ScenarioOutcome(scenario.name, scenario.state, scenario.doc, verdict, reason)

    if scenario.state is not None and turn.states is None:
        return outcome("not-exercised", "no --provider-states URL given")
    body = pick(op, 100 + index, prefer=prefer)
    token = op.tokens.member if isinstance(body, dict) else None
    if token is not None and scenario.idempotency_token == "none":
        body = token.remove(body)
    params = params_of(scenario.params, body, op.id)
    if scenario.changed:
        body = changed(op, body, scenario.changed, salt=200 + index)
        if body is None:
            names = ", ".join(str(p)[1:] for p in scenario.changed)
            return outcome("not-exercised", f"no other valid value was found for {names}")
    case = Case(
        operation=op.id,
        intent=Intent.SCENARIO,
        origin="scenario",
        description=f"state {scenario.state!r}: {scenario.doc}" if scenario.state else scenario.doc,
        input=body,
        expected_statuses=scenario.expect.statuses,
        expected_error=scenario.expect.error,
        scenario=scenario.name,
    )
    retry = token is not None and scenario.idempotency_token == "retry"
    decoy = _decoy_params(turn, scenario, body, params, salt=300 + index, prefer=prefer)
    return _Prepared(index, scenario, case, params, decoy, retry)


def _together(prepared: list[_Prepared]) -> list[list[_Prepared]]:
    """``prepared`` in groups that run together: consecutive scenarios of states that concern
    what the request names, no two naming the same; every other scenario alone."""
    groups: list[list[_Prepared]] = []
    named: set[str] = set()
    for ready in prepared:
        joins = groups and ready.scoped and groups[-1][-1].scoped and not named & ready.names()
        if joins:
            groups[-1].append(ready)
            named |= ready.names()
        else:
            groups.append([ready])
            named = ready.names()
    return groups


def _run_group(turn: Turn, group: list[_Prepared], owed: _Teardowns) -> dict[int, ScenarioOutcome]:
    """The scenarios of ``group``, together: their outcomes, by index."""
    op, states = turn.op, turn.states
    outcomes: dict[int, ScenarioOutcome] = {}

    def sent(pairs: list[tuple[_Prepared, Case]]) -> list[CaseResult]:
        answers = list(turn.send_many(case for _, case in pairs))
        for (ready, _), result in zip(pairs, answers, strict=False):
            op.keep(result)
            ready.results.append(result)
        return answers

    made: dict[int, CaseResult] = {}  # for a retry: the request it repeats, made before the state is set
    retries = [ready for ready in group if ready.retry]
    if retries:
        owed.settle()  # the scenario before has its state no longer
        firsts = [(ready, replace(ready.case, description=f"{ready.case.description}; the first request, "
                                  "before the state is set", expected_statuses=(200,), expected_error=None))
                  for ready in retries]  # fmt: skip
        made = {ready.index: result for (ready, _), result in zip(firsts, sent(firsts), strict=False)}
    with_state = [ready for ready in group if ready.scenario.state is not None]
    if not with_state:
        owed.settle()
    set_up: list[_Prepared] = []
    if with_state:
        assert states is not None
        changes: list[Change] = []
        for ready in with_state:
            state = ready.scenario.state
            assert state is not None
            changes.append(("setup", state, ready.params))
            if ready.decoy is not None:
                changes.append(("setup", state, ready.decoy))
        answers = iter(owed.settle_with(changes))
        decoys: list[Change] = []
        for ready in with_state:
            state = ready.scenario.state
            assert state is not None
            refused = next(answers)
            if ready.decoy is not None and not next(answers):
                # a teardown undoes its own setup only (SPEC 5): the decoy's, at once, must leave
                # the scenario's state in effect for the request that follows
                decoys.append(("teardown", state, ready.decoy))
            if provider_state_setup in op.checks:
                op.record.check_runs[provider_state_setup.name] += 1
            if not refused:
                set_up.append(ready)
            elif provider_state_setup not in op.checks:
                outcomes[ready.index] = ready.outcome(
                    "not-exercised", f"{refused[0].message} (provider_state_setup is left out)"
                )
            else:
                request = states.request("setup", state, ready.params)
                op.keep(CaseResult(case=ready.case, request=request, response=None, failures=refused))
                outcomes[ready.index] = ready.outcome("fail", refused[0].message)
        if decoys:
            states.changes(decoys)
    try:
        going = [ready for ready in group if ready.index not in outcomes]
        answered = sent([(ready, ready.case) for ready in going])
        idem = op.contract.idempotency
        then: list[tuple[_Prepared, Case]] = []
        for ready, result in zip(going, answered, strict=False):
            if ready.index in made and idem is not None:
                repeat_failures(turn, idem, made[ready.index], result)
            follow = ready.scenario.then
            if follow is not None and result.response is not None and result.response.status == 200:
                then.append((ready, replace(ready.case, description=f"{ready.case.description}; then again: "
                                            f"{ready.scenario.then_doc}", expected_statuses=follow.statuses,
                                            expected_error=follow.error)))  # fmt: skip
        if then:
            sent(then)
    finally:
        for ready in set_up:
            state = ready.scenario.state
            assert state is not None
            owed.add(state, ready.params)  # torn down with the next scenarios' setups
    for ready in going:
        failed = [f for r in ready.results for f in r.failures if r.failed]
        outcomes[ready.index] = ready.outcome("fail" if failed else "pass", failed[0].message if failed else "")
    return outcomes


class _Teardowns:
    """The teardown a scenario owes, sent with the next scenario's setups (or on its own)."""

    def __init__(self, states: ProviderStates | None) -> None:
        self._states = states
        self._owed: list[tuple[str, dict[str, Any]]] = []

    def add(self, state: str, params: dict[str, Any]) -> None:
        self._owed.append((state, params))

    def settle(self) -> None:
        """Every teardown owed, sent now."""
        self.settle_with([])

    def settle_with(self, changes: list[Change]) -> list[list[Failure]]:
        """``changes`` made, the teardowns owed in flight with them; a teardown of the same state
        and params as one of ``changes`` goes first, on its own.  The answers of ``changes``."""
        owed, self._owed = self._owed, []
        if self._states is None:
            return [[] for _ in changes]
        touched = {(state, _key(params)) for _, state, params in changes}
        first: list[Change] = [
            ("teardown", state, params) for state, params in owed if (state, _key(params)) in touched
        ]
        later: list[Change] = [
            ("teardown", state, params) for state, params in owed if (state, _key(params)) not in touched
        ]
        if first:
            self._states.changes(first)
        return self._states.changes([*later, *changes])[len(later) :]


def _key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def _decoy_params(
    turn: Turn, scenario: Scenario, body: Any, params: dict[str, Any], *, salt: int, prefer: Callable[[Any], bool]
) -> dict[str, Any] | None:
    """The params of another setup of the scenario's state, read from another valid body, to
    be torn down at once (``None`` where the params read nothing of the request, or the other
    body gives the same)."""
    if scenario.state is None or not reads_request(scenario.params):
        return None
    other = pick(
        turn.op, salt, unlike=body, prefer=lambda b: prefer(b) and not _named(scenario, b) & _named(scenario, body)
    )
    decoy = params_of(scenario.params, other, turn.op.id)
    return None if decoy == params else decoy


def _named(scenario: Scenario, body: Any) -> set[str]:
    """The values ``scenario``'s state would read from ``body`` (its params ``$request``)."""
    named = set()
    for spec in scenario.params.values():
        if isinstance(spec, dict) and "$request" in spec:
            value = Pointer.parse(str(spec["$request"])).get_or(body, None)
            if value is not None:
                named.add(json.dumps(value, sort_keys=True))
    return named
