"""A valid request of this operation while the states of other operations' scenarios are set.

Every state any other operation of the run sets up in its scenarios (``scope quota reached``,
``graph has member`` for each status, ``throttled`` for that operation, ...) is set up again,
once for each distinct set of params, while valid requests of this operation are sent: a state
concerns its own operation only (SPEC 5: "that operation", or the graph and account it names),
so this one answers as with no state (judged as a valid request).  Params read from a request
(``{"$request": ...}``) are read from a valid body of the other operation, one per scenario, so
that no two states set together name the same resource.  The bodies are those of the
operations' generated valid streams, which are drawn here when this phase runs first.

The states are set together, the requests sent together, and the states torn down together:
three round trips, whatever their number.  Where a request fails, each state is then set alone
while a request is sent, so that the report names the state that changed the answer.  The
requests are sent among this operation's own, so its recording holds all it needs.

The phase runs for every operation before any other stateful phase (:attr:`Isolation.first`):
where no state of one operation changed another's answers, the engine runs the stateful phases
of several operations side by side.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

from harness.case import Case, Intent
from harness.contract import Contract
from harness.engine.bodies import pick
from harness.engine.operation import OperationRun
from harness.engine.phases.base import ActingPhase, Turn
from harness.engine.phases.generated import valid_stream
from harness.engine.states import params_of, reads_request
from harness.generation.values import draw
from harness.pointer import Missing
from harness.result import CaseResult

Foreign = tuple[Contract, str, dict[str, Any]]  # the other operation, its state, the params


class Isolation(ActingPhase):
    label = "states set for other operations"
    stateful = True
    first: ClassVar[bool] = True

    def run(self, turn: Turn) -> None:
        op, states = turn.op, turn.states
        if states is None:
            return
        foreign = list(foreign_states(op, turn.operations.values()))
        if not foreign:
            return
        op.phase(self.label, len(foreign))
        refused = states.changes([("setup", state, params) for _, state, params in foreign])
        # a refused setup is the other operation's scenario to report
        set_up = [each for each, failures in zip(foreign, refused, strict=True) if not failures]
        results: list[CaseResult] = []
        try:
            together = _named(set_up)
            cases = [_case(op, 400 + index, f"while {together} are set") for index in range(len(set_up))]
            results = list(turn.send_many(cases))
        finally:
            states.changes([("teardown", state, params) for _, state, params in set_up])
        for result in results:
            op.keep(result)
        if any(result.failed for result in results):
            self._one_at_a_time(turn, set_up)

    def _one_at_a_time(self, turn: Turn, set_up: Sequence[Foreign]) -> None:
        """Each state set alone while a valid request is sent: which one changes the answer."""
        op, states = turn.op, turn.states
        assert states is not None
        op.phase(f"{self.label}, one at a time", len(set_up))
        for index, (other, state, params) in enumerate(set_up):
            if states.setup(state, params):
                continue
            try:
                case = _case(op, 450 + index, f"while {state!r} is set for {other.id}{_shown(params)}")
                op.keep(turn.send(case))
            finally:
                states.teardown(state, params)


def _case(op: OperationRun, salt: int, condition: str) -> Case:
    valid_stream(op)
    return Case(
        operation=op.id,
        intent=Intent.VALID,
        origin="scenario",
        description=f"a valid body {condition}: a state of another operation changes nothing here",
        input=pick(op, salt),
    )


def _named(set_up: Sequence[Foreign]) -> str:
    """``set_up`` in few words: each state with its number of setups, by operation."""
    by_operation: dict[str, Counter[str]] = {}
    for other, state, _ in set_up:
        by_operation.setdefault(other.id, Counter())[state] += 1
    named = "; ".join(
        ", ".join(f"{state!r}" + (f" x{count}" if count > 1 else "") for state, count in states.items())
        + f" for {operation}"
        for operation, states in by_operation.items()
    )
    return f"{len(set_up)} states of other operations ({named})"


def foreign_states(op: OperationRun, operations: Iterable[OperationRun]) -> Iterator[Foreign]:
    """Each state that the scenarios of another operation set up, once for each way its params
    are given (``graph has member`` once per status), those read from a request read from a
    valid body of their own."""
    for other in operations:
        if other.id == op.id:
            continue
        seen: set[tuple[str, str]] = set()
        distinct = []
        for scenario in other.contract.scenarios:
            key = (scenario.state or "", json.dumps(scenario.params, sort_keys=True))
            if scenario.state is not None and key not in seen:
                seen.add(key)
                distinct.append(scenario)
        reading = [scenario for scenario in distinct if reads_request(scenario.params)]
        stream = valid_stream(other) if reading else []
        seed_value = op.options.seed * 1009 + 500
        picked = random.Random(seed_value).sample(stream, min(len(reading), len(stream)))
        # a short stream (a few examples): one more body drawn for each state it cannot give
        picked += [draw(other.strategies.body(), seed_value=seed_value + n) for n in range(len(reading) - len(picked))]
        bodies = iter(body for body in picked if other.contract.request_validator.is_valid(body))
        for scenario in distinct:
            assert scenario.state is not None
            body: Any = next(bodies, None) if reads_request(scenario.params) else None
            if body is None and reads_request(scenario.params):
                continue  # the stream has no more bodies to read the params from
            try:
                params = params_of(scenario.params, body, other.id)
            except Missing:
                continue  # the body lacks a member the params read
            yield other.contract, scenario.state, params


def _shown(params: dict[str, Any]) -> str:
    """The params that tell two setups of one state apart (the operation's id is said already)."""
    shown = {name: value for name, value in params.items() if name != "operation"}
    return f" ({json.dumps(shown)})" if shown else ""
