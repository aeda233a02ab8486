"""A valid request of this operation while each state set for another operation of the run is
in effect: such a state concerns "that operation" only (SPEC 5), so this one answers as with no
state (judged as a valid request).  Sent among this operation's own requests, so its recording
holds all it needs."""

from __future__ import annotations

from harness.case import Case, Intent
from harness.engine.bodies import pick
from harness.engine.phases.base import ActingPhase, Turn
from harness.engine.states import names_operation, params_of, reads_request


class Isolation(ActingPhase):
    label = "states set for other operations"
    stateful = True

    def run(self, turn: Turn) -> None:
        op, states = turn.op, turn.states
        foreign = [
            (other, scenario)
            for other in turn.contracts
            if other.id != op.id
            for scenario in other.scenarios
            if scenario.state is not None and names_operation(scenario.params) and not reads_request(scenario.params)
        ]
        if not foreign or states is None:
            return
        op.phase(self.label, len(foreign))
        for index, (other, scenario) in enumerate(foreign):
            assert scenario.state is not None
            params = params_of(scenario.params, None, other.id)
            if states.setup(scenario.state, params):
                continue  # refused: that is the other operation's scenario to report
            try:
                case = Case(
                    operation=op.id,
                    intent=Intent.VALID,
                    origin="scenario",
                    description=f"a valid body while {scenario.state!r} is set for {other.id}: "
                    "a state of another operation changes nothing here",
                    input=pick(op, 400 + index),
                )
                op.keep(turn.send(case))
            finally:
                states.teardown(scenario.state, params)
