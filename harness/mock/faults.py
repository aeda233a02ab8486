"""The fault states of SPEC section 5: ``throttled``, ``internal failure``, ``access denied``.

While one is set for an operation (param ``operation``), that operation's valid, signed
requests get the fault's error.  They apply to any operation whose contract declares that
error, so ``throttled`` is unknown for an operation that documents no 429.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping

from harness.contract import Contract
from harness.mock.errors import ErrorAnswer
from harness.mock.state import Params, StateDefinition, StateError, Undo

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
