"""The provider-states client (SPEC section 5): sets a state up before a scenario and tears it
down after, in the shape Pact uses for provider verification.  Changes that do not depend on
each other's order (the setups of two states, the teardown of one and the setup of another)
are sent together with :meth:`ProviderStates.changes`, each waiting a round trip at the same time."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, Literal

from harness.checks import CheckRegistry, provider_state_setup
from harness.engine.baton import Baton
from harness.pointer import Pointer
from harness.result import Failure, Response, SentRequest
from harness.target.http import Transport, TransportFailure

Action = Literal["setup", "teardown"]
#: One change of the target's states: setup or teardown, the state, its params.
Change = tuple[Action, str, Mapping[str, Any]]


class ProviderStates:
    def __init__(
        self,
        url: str,
        *,
        transport: Transport,
        checks: CheckRegistry,
        sequence: Callable[[], int] = lambda: 0,
        pool: Executor | None = None,
        baton: Baton | None = None,
    ) -> None:
        self.url = url
        self.transport = transport
        self.checks = checks
        self._sequence = sequence  # the exchange's: a state call has its place among the run's requests
        self._pool = pool  # None: one change at a time
        self._baton = baton or Baton()
        self.operation = ""  # whose scenarios the calls are part of: their recording goes with its

    def of(self, operation: str) -> ProviderStates:
        """This client, its calls made for ``operation``'s phases."""
        made = copy.copy(self)
        made.operation = operation
        return made

    def request(self, action: str, state: str, params: Mapping[str, Any]) -> SentRequest:
        body = json.dumps({"action": action, "state": state, "params": dict(params)}).encode()
        headers = {"Content-Type": "application/json"}
        return SentRequest("POST", self.url, headers, body, sequence=self._sequence(), operation=self.operation)

    def setup(self, state: str, params: Mapping[str, Any]) -> list[Failure]:
        """Empty when the target set the state up, else why not."""
        return self.changes([("setup", state, params)])[0]

    def teardown(self, state: str, params: Mapping[str, Any]) -> list[Failure]:
        return self.changes([("teardown", state, params)])[0]

    def changes(self, changes: Sequence[Change]) -> list[list[Failure]]:
        """Each of ``changes`` made, all in flight together (one at a time without a pool): for
        each, empty when the target made it, else why not.  Only changes whose order does not
        matter go together."""
        requests = [self.request(*change) for change in changes]  # numbered in the order given
        with self._baton.waiting():
            if self._pool is None or len(changes) < 2:
                answers = [_answer(self.transport, request) for request in requests]
            else:
                futures = [self._pool.submit(_answer, self.transport, request) for request in requests]
                answers = [future.result() for future in futures]
        # always judged: a refused setup means the scenario cannot be run, whichever checks are chosen
        judged = zip(changes, answers, strict=True)
        return [provider_state_setup.judge(action, state, *answer) for (action, state, _), answer in judged]


def _answer(transport: Transport, request: SentRequest) -> tuple[Response | None, str | None]:
    try:
        return transport.send(request), None
    except TransportFailure as failure:
        return None, str(failure)


def params_of(raw: Mapping[str, Any], body: Any, operation: str) -> dict[str, Any]:
    """A scenario's params: literal values, ``{"$request": POINTER}`` read from the request's
    body, ``{"$operation": true}`` the operation's id."""
    params: dict[str, Any] = {}
    for name, spec in raw.items():
        if isinstance(spec, dict) and "$request" in spec:
            params[name] = Pointer.parse(str(spec["$request"])).get(body)
        elif isinstance(spec, dict) and "$operation" in spec:
            params[name] = operation
        else:
            params[name] = spec
    return params


def reads_request(raw: Mapping[str, Any]) -> bool:
    return any(isinstance(spec, dict) and "$request" in spec for spec in raw.values())


def names_operation(raw: Mapping[str, Any]) -> bool:
    return any(isinstance(spec, dict) and "$operation" in spec for spec in raw.values())
