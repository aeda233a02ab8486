"""Handlers: the business behaviour of one operation, behind its contract.

The mock's request pipeline (:mod:`harness.mock.app`) does everything the contract decides
(routing, SigV4, validation, error rendering, the fault states); a handler only answers a
request that is already known to be valid and signed, and declares the provider states its
own behaviour depends on.  A third operation is a contract file plus one handler module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.contract import Contract
from harness.mock.reply import Reply
from harness.mock.state import StateDefinition
from harness.validator import Violation


@dataclass(frozen=True)
class Call:
    """A valid, signed request of one operation, as its handler sees it."""

    document: Mapping[str, Any]  # the request body, members whose value is null left out
    region: str  # of the request's credential scope


class Handler:
    """Base class of the handlers; one instance per app holds that app's state."""

    #: The error names :meth:`answer` may raise; the app refuses a contract that lacks one.
    errors: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    def answer(self, call: Call) -> Reply:
        """The answer to a valid request (raises :class:`~harness.mock.errors.ErrorAnswer`)."""
        raise NotImplementedError

    def states(self) -> Sequence[StateDefinition]:
        """The provider states this operation's behaviour depends on."""
        return ()

    def invalid_members(self, violations: Sequence[Violation]) -> Mapping[str, Any]:
        """Extra members of a ``ValidationException`` body for these ``violations``.

        ``violations`` is empty when the details are unknown (a large body).
        """
        return {}


HandlerFactory = Callable[[Contract], Handler]
