"""The provider-state scenarios of a contract (SPEC section 5).

For each scenario: a valid body the target has already accepted, its idempotency token as the
scenario's ``request`` says (``new``, ``none``, or a ``retry`` of a request made before the state
is set), the state set up with params read from that body (and, where the params come from the
request, set up a second time with other params and that setup torn down: a teardown undoes its
own setup only), members the scenario ``changed`` given another valid value, the request, a
follow-up when the scenario has one, and the teardown.

State changes whose order does not matter go together, each waiting its round trip at the same
time as the others: the setup of a scenario's state, its decoy's and the teardown of the
scenario before (unless they are the same state with the same params).  Nothing of this
operation is sent while a change is in flight, and every request is sent once the changes
before it are answered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from harness.case import Case, Intent
from harness.checks import provider_state_setup
from harness.contract import Scenario
from harness.engine.bodies import changed, pick
from harness.engine.phases.base import ActingPhase, Turn
from harness.engine.phases.idempotency import repeat_failures
from harness.engine.states import Change, ProviderStates, params_of, reads_request
from harness.result import CaseResult, Failure
from harness.summary import ScenarioOutcome


class Scenarios(ActingPhase):
    label = "provider states"
    stateful = True

    def run(self, turn: Turn) -> None:
        scenarios = turn.op.contract.scenarios
        turn.op.phase(self.label, sum(1 + (s.then is not None) + (s.idempotency_token == "retry") for s in scenarios))
        owed = _Teardowns(turn.states)
        try:
            for index, scenario in enumerate(scenarios):
                outcome = self._scenario(turn, index, scenario, owed)
                turn.op.record.scenarios.append(outcome)
        finally:
            owed.settle()

    def _scenario(self, turn: Turn, index: int, scenario: Scenario, owed: _Teardowns) -> ScenarioOutcome:
        op = turn.op

        def outcome(verdict: str, reason: str = "") -> ScenarioOutcome:
            return ScenarioOutcome(scenario.name, scenario.state, scenario.doc, verdict, reason)

        if scenario.state is not None and turn.states is None:
            return outcome("not-exercised", "no --provider-states URL given")
        body = pick(op, 100 + index)
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
        results: list[CaseResult] = []

        def send(sent: Case) -> CaseResult:
            result = turn.send(sent)
            op.keep(result)
            results.append(result)
            return result

        made: CaseResult | None = None  # for a retry: the request it repeats, made before the state is set
        if token is not None and scenario.idempotency_token == "retry":
            owed.settle()  # the scenario before has its state no longer
            made = send(
                replace(
                    case,
                    description=f"{case.description}; the first request, before the state is set",
                    expected_statuses=(200,),
                    expected_error=None,
                )
            )
        states = turn.states
        if scenario.state is None:
            owed.settle()
        else:
            assert states is not None
            decoy = _decoy_params(turn, scenario, body, params, salt=300 + index)
            changes: list[Change] = [("setup", scenario.state, params)]
            if decoy is not None:
                changes.append(("setup", scenario.state, decoy))
            refused, *decoy_refused = owed.settle_with(changes)
            if decoy is not None and not decoy_refused[0]:
                # a teardown undoes its own setup only (SPEC 5): the decoy's, at once, must leave
                # the scenario's state in effect for the request that follows
                states.teardown(scenario.state, decoy)
            if provider_state_setup not in op.checks:
                if refused:
                    return outcome("not-exercised", f"{refused[0].message} (provider_state_setup is left out)")
            else:
                op.record.check_runs[provider_state_setup.name] += 1
            if refused:
                op.keep(
                    CaseResult(
                        case=case,
                        request=states.request("setup", scenario.state, params),
                        response=None,
                        failures=refused,
                    )
                )
                return outcome("fail", refused[0].message)
        try:
            answered = send(case)
            idem = op.contract.idempotency
            if made is not None and idem is not None:
                repeat_failures(turn, idem, made, answered)
            if scenario.then is not None and answered.response is not None and answered.response.status == 200:
                send(
                    replace(
                        case,
                        description=f"{case.description}; then again: {scenario.then_doc}",
                        expected_statuses=scenario.then.statuses,
                        expected_error=scenario.then.error,
                    )
                )
        finally:
            if scenario.state is not None:
                owed.add(scenario.state, params)  # torn down with the next scenario's setups
        failed = [f for r in results for f in r.failures if r.failed]
        return outcome("fail" if failed else "pass", failed[0].message if failed else "")


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
    turn: Turn, scenario: Scenario, body: Any, params: dict[str, Any], *, salt: int
) -> dict[str, Any] | None:
    """The params of another setup of the scenario's state, read from another valid body, to
    be torn down at once (``None`` where the params read nothing of the request, or the other
    body gives the same)."""
    if scenario.state is None or not reads_request(scenario.params):
        return None
    other = pick(turn.op, salt, unlike=body)
    decoy = params_of(scenario.params, other, turn.op.id)
    return None if decoy == params else decoy
