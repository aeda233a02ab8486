"""The provider-states client (SPEC section 5): sets a state up before a scenario and tears it
down after, in the shape Pact uses for provider verification."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from harness.checks import CheckRegistry, provider_state_setup
from harness.pointer import Pointer
from harness.result import Failure, SentRequest
from harness.target.http import Transport, TransportFailure


class ProviderStates:
    def __init__(
        self, url: str, *, transport: Transport, checks: CheckRegistry, sequence: Callable[[], int] = lambda: 0
    ) -> None:
        self.url = url
        self.transport = transport
        self.checks = checks
        self._sequence = sequence  # the exchange's: a state call has its place among the run's requests

    def request(self, action: str, state: str, params: Mapping[str, Any]) -> SentRequest:
        body = json.dumps({"action": action, "state": state, "params": dict(params)}).encode()
        return SentRequest("POST", self.url, {"Content-Type": "application/json"}, body, sequence=self._sequence())

    def setup(self, state: str, params: Mapping[str, Any]) -> list[Failure]:
        """Empty when the target set the state up, else why not."""
        return self._change("setup", state, params)

    def teardown(self, state: str, params: Mapping[str, Any]) -> list[Failure]:
        return self._change("teardown", state, params)

    def _change(self, action: str, state: str, params: Mapping[str, Any]) -> list[Failure]:
        try:
            response = self.transport.send(self.request(action, state, params))
        except TransportFailure as failure:
            return provider_state_setup.judge(action, state, None, str(failure))
        # always judged: a refused setup means the scenario cannot be run, whichever checks are chosen
        return provider_state_setup.judge(action, state, response, None)


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
