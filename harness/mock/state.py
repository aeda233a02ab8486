"""Provider states (SPEC section 5): named conditions the harness sets up and tears down.

The harness sends ``POST /_harness/provider-states`` with
``{"action": "setup" | "teardown", "state": NAME, "params": {...}}``.  Each state is a
:class:`StateDefinition`: its name, the params it needs (all strings) and a ``setup``
callable that changes the mock and returns how to undo exactly that change.
:class:`ProviderStates` keeps every setup that is in effect; a teardown undoes the setups
of the same state and params (without params: every setup of that state), most recent
first.  A teardown that matches nothing is not an error: it answers 200 with
``"undone": 0``, so a harness may always tear down what it meant to set up.

The fault states (``throttled``, ``internal failure``, ``access denied``) apply to any
operation whose contract declares the error they cause; :class:`Faults` defines them.
Operation-specific states come from the handlers.
"""

from __future__ import annotations

import difflib
import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract import Contract
from harness.mock.errors import ErrorAnswer, Reply, json_reply

Params = Mapping[str, str]
Undo = Callable[[], None]


class StateError(Exception):
    """A setup that cannot be done: unknown state, missing or bad params (answered 400)."""


@dataclass(frozen=True)
class StateDefinition:
    name: str
    params: tuple[str, ...]
    setup: Callable[[Params], Undo]  # raises StateError for a param value it cannot use
    doc: str = ""


@dataclass(frozen=True)
class _Setup:
    state: str
    params: tuple[tuple[str, str], ...]
    undo: Undo


class ProviderStates:
    """The states an app knows and the setups currently in effect."""

    def __init__(self, definitions: Iterable[StateDefinition]) -> None:
        self._definitions: dict[str, StateDefinition] = {}
        for definition in definitions:
            if definition.name in self._definitions:
                raise ValueError(f"provider state {definition.name!r} is defined twice")
            self._definitions[definition.name] = definition
        self._active: list[_Setup] = []
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._definitions))

    def setup(self, state: str, params: Mapping[str, Any]) -> None:
        definition = self._definition(state)
        checked = _check_params(definition, params)
        with self._lock:
            undo = definition.setup(checked)
            self._active.append(_Setup(state, tuple(sorted(checked.items())), undo))

    def teardown(self, state: str, params: Mapping[str, Any] | None) -> int:
        """Undo the matching setups, most recent first; how many were undone."""
        self._definition(state)
        key = tuple(sorted(params.items())) if params else None
        with self._lock:
            matching = [s for s in self._active if s.state == state and (key is None or s.params == key)]
            for setup in reversed(matching):
                setup.undo()
                self._active.remove(setup)
        return len(matching)

    def answer(self, payload: Any) -> Reply:
        """The endpoint: one setup or teardown request, already parsed from JSON."""
        if not isinstance(payload, dict):
            raise _refusal('the body must be a JSON object: {"action": ..., "state": ..., "params": {...}}')
        action, state, params = payload.get("action"), payload.get("state"), payload.get("params")
        if action not in ("setup", "teardown"):
            raise _refusal(f"'action' must be 'setup' or 'teardown', got {action!r}")
        if not isinstance(state, str):
            raise _refusal(f"'state' must be the name of a state (one of {self._listing()}), got {state!r}")
        if params is not None and not isinstance(params, dict):
            raise _refusal(f"'params' must be a JSON object, got {params!r}")
        try:
            if action == "setup":
                self.setup(state, params or {})
                return json_reply(200, {"action": action, "state": state, "params": params or {}})
            undone = self.teardown(state, params)
        except StateError as exc:
            raise _refusal(str(exc)) from None
        return json_reply(200, {"action": action, "state": state, "params": params or {}, "undone": undone})

    def _definition(self, state: str) -> StateDefinition:
        definition = self._definitions.get(state)
        if definition is None:
            close = difflib.get_close_matches(state, self._definitions, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise StateError(f"unknown provider state {state!r}{hint} Known states: {self._listing()}")
        return definition

    def _listing(self) -> str:
        return ", ".join(repr(name) for name in self.names)


def _check_params(definition: StateDefinition, params: Mapping[str, Any]) -> dict[str, str]:
    missing = [name for name in definition.params if name not in params]
    if missing:
        raise StateError(
            f"state {definition.name!r} needs params {', '.join(missing)} "
            f"(it takes {', '.join(definition.params) or 'none'})"
        )
    extra = sorted(set(params) - set(definition.params))
    if extra:
        raise StateError(
            f"state {definition.name!r} takes no params {', '.join(extra)} "
            f"(it takes {', '.join(definition.params) or 'none'})"
        )
    wrong = [name for name, value in params.items() if not isinstance(value, str)]
    if wrong:
        raise StateError(f"params of state {definition.name!r} must be strings: {', '.join(wrong)}")
    return dict(params)


def _refusal(message: str) -> ErrorAnswer:
    return ErrorAnswer("ProviderStateException", message)


# --------------------------------------------------------------------------- fault states

#: Fault state -> (error it causes, message of that error).
FAULTS = {
    "access denied": ("AccessDeniedException", "You do not have sufficient access to perform this action."),
    "throttled": ("ThrottlingException", "Rate exceeded."),
    "internal failure": ("InternalServerException", "An internal error occurred."),
}


class Faults:
    """The fault states: while one is set for an operation, its valid requests get that error.

    A fault is known for an operation only when its contract declares the error (so
    ``throttled`` is unknown for an operation without ``ThrottlingException``).  When several
    are set, the first of :data:`FAULTS` wins.
    """

    def __init__(self, contracts: Mapping[str, Contract]) -> None:
        self._contracts = contracts
        self._active: Counter[tuple[str, str]] = Counter()

    def definitions(self) -> list[StateDefinition]:
        return [
            StateDefinition(
                name=state,
                params=("operation",),
                setup=functools.partial(self._setup, state),
                doc=f"that operation's valid requests get {error}",
            )
            for state, (error, _) in FAULTS.items()
        ]

    def check(self, operation: str) -> None:
        """Raise the error of the first fault set for ``operation``, if any."""
        if not self._active:
            return
        for state, (error, message) in FAULTS.items():
            if self._active[(state, operation)]:
                raise ErrorAnswer(error, f"{message} (provider state {state!r} is set)")

    def _setup(self, state: str, params: Params) -> Undo:
        operation = params["operation"]
        error = FAULTS[state][0]
        contract = self._contracts.get(operation)
        if contract is None:
            known = ", ".join(sorted(self._contracts))
            raise StateError(f"state {state!r}: unknown operation {operation!r} (known: {known})")
        if error not in contract.errors:
            raise StateError(f"state {state!r} is unknown for {operation}: its contract declares no {error}")
        key = (state, operation)
        self._active[key] += 1

        def undo() -> None:
            self._active[key] -= 1
            if not self._active[key]:
                del self._active[key]

        return undo
