"""A valid request of this operation while each state of another operation's scenarios is set.

Every state any other operation of the run sets up in its scenarios (``scope quota reached``,
``graph has member`` for each status, ``throttled`` for that operation, ...) is set up again,
once for each distinct set of params, while a valid request of this operation is sent: a state
concerns its own operation only (SPEC 5: "that operation", or the graph and account it names),
so this one answers as with no state (judged as a valid request).  Params read from a request
(``{"$request": ...}``) are read from a valid body of the other operation.  The requests are
sent among this operation's own, so its recording holds all it needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from harness.case import Case, Intent
from harness.contract import Contract
from harness.engine.bodies import pick
from harness.engine.operation import OperationRun
from harness.engine.phases.base import ActingPhase, Turn
from harness.engine.states import params_of, reads_request
from harness.generation.values import ValueStrategies, draw
from harness.pointer import Missing


class Isolation(ActingPhase):
    label = "states set for other operations"
    stateful = True

    def run(self, turn: Turn) -> None:
        op, states = turn.op, turn.states
        if states is None:
            return
        foreign = list(foreign_states(op, turn.contracts))
        if not foreign:
            return
        op.phase(self.label, len(foreign))
        for index, (other, state, params) in enumerate(foreign):
            if states.setup(state, params):
                continue  # refused: that is the other operation's scenario to report
            try:
                case = Case(
                    operation=op.id,
                    intent=Intent.VALID,
                    origin="scenario",
                    description=f"a valid body while {state!r} is set for {other.id}{_shown(params)}: "
                    "a state of another operation changes nothing here",
                    input=pick(op, 400 + index),
                )
                op.keep(turn.send(case))
            finally:
                states.teardown(state, params)


def foreign_states(op: OperationRun, contracts: Sequence[Contract]) -> Iterator[tuple[Contract, str, dict[str, Any]]]:
    """Each state (with its params) that the scenarios of another operation set up, once."""
    seen: set[tuple[str, str]] = set()
    for other in contracts:
        if other.id == op.id:
            continue
        body: Any = None
        for scenario in other.scenarios:
            if scenario.state is None:
                continue
            if reads_request(scenario.params) and body is None:
                body = _valid_body(other, seed_value=op.options.seed * 1009 + 500)
                if body is None:
                    continue
            try:
                params = params_of(scenario.params, body, other.id)
            except Missing:
                continue  # the body drawn lacks a member the params read
            key = (scenario.state, json.dumps(params, sort_keys=True))
            if key not in seen:
                seen.add(key)
                yield other, scenario.state, params


def _valid_body(contract: Contract, *, seed_value: int) -> Any:
    """A valid body of ``contract`` to read a state's params from (``None`` when none was drawn)."""
    body = draw(ValueStrategies(contract).body(), seed_value=seed_value)
    return body if contract.request_validator.is_valid(body) else None


def _shown(params: dict[str, Any]) -> str:
    """The params that tell two setups of one state apart (the operation's id is said already)."""
    shown = {name: value for name, value in params.items() if name != "operation"}
    return f" ({json.dumps(shown)})" if shown else ""
