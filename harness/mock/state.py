"""Provider states (SPEC section 5): named conditions the harness sets up and tears down.

The harness sends ``POST /_harness/provider-states`` with
``{"action": "setup" | "teardown", "state": NAME, "params": {...}}``.  Each state is a
:class:`StateDefinition`: its name, the params it needs (all strings) and a ``setup``
callable that changes the mock and returns how to undo exactly that change.
:class:`ProviderStates` keeps every setup that is in effect; a teardown undoes the setups
of the same state and params (without params: every setup of that state), most recent
first.  A teardown that matches nothing is not an error: it answers 200 with
``"undone": 0``, so a harness may always tear down what it meant to set up.

The fault states come from :mod:`harness.mock.faults`; the operation-specific ones from
the handlers.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.mock.errors import ErrorAnswer
from harness.mock.reply import Reply, json_reply

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
