"""The provider-state scenarios of a contract (SPEC section 5).

For each scenario: a valid body the target has already accepted, its idempotency token as the
scenario's ``request`` says (``new``, ``none``, or a ``retry`` of a request made before the state
is set), the state set up with params read from that body (and, where the params come from the
request, set up a second time with other params and that setup torn down: a teardown undoes its
own setup only), members the scenario ``changed`` given another valid value, the request, a
follow-up when the scenario has one, and the teardown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.case import Case, Intent
from harness.checks import provider_state_setup
from harness.contract import Scenario
from harness.engine.bodies import changed, pick
from harness.engine.phases.base import ActingPhase, Turn
from harness.engine.phases.idempotency import repeat_failures
from harness.engine.states import ProviderStates, params_of, reads_request
from harness.result import CaseResult
from harness.summary import ScenarioOutcome


class Scenarios(ActingPhase):
    label = "provider states"
    stateful = True

    def run(self, turn: Turn) -> None:
        scenarios = turn.op.contract.scenarios
        turn.op.phase(self.label, sum(1 + (s.then is not None) + (s.idempotency_token == "retry") for s in scenarios))
        for index, scenario in enumerate(scenarios):
            outcome = self._scenario(turn, index, scenario)
            turn.op.record.scenarios.append(outcome)

    def _scenario(self, turn: Turn, index: int, scenario: Scenario) -> ScenarioOutcome:
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
            made = send(
                replace(
                    case,
                    description=f"{case.description}; the first request, before the state is set",
                    expected_statuses=(200,),
                    expected_error=None,
                )
            )
        states = turn.states
        if scenario.state is not None:
            assert states is not None
            refused = states.setup(scenario.state, params)
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
            if scenario.state is not None:
                assert states is not None
                _decoy(turn, states, scenario, body, params, salt=300 + index)
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
                assert states is not None
                states.teardown(scenario.state, params)
        failed = [f for r in results for f in r.failures if r.failed]
        return outcome("fail" if failed else "pass", failed[0].message if failed else "")


def _decoy(
    turn: Turn, states: ProviderStates, scenario: Scenario, body: Any, params: dict[str, Any], *, salt: int
) -> None:
    """Another setup of the scenario's state, its params read from another valid body, torn
    down at once: a teardown undoes its own setup only (SPEC 5), so the scenario's state
    must still be in effect for the request that follows."""
    if scenario.state is None or not reads_request(scenario.params):
        return
    other = pick(turn.op, salt, unlike=body)
    decoy = params_of(scenario.params, other, turn.op.id)
    if decoy == params or states.setup(scenario.state, decoy):
        return  # the same params, or a setup the target refused: nothing to undo
    states.teardown(scenario.state, decoy)
