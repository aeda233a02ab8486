"""What every phase of an operation's run is.

Each phase says whether it is *stateful* (it changes or depends on the target's state: one
process runs those, and of one operation after its stateless cases are answered) and how many requests it sends
(its progress total, once it knows it).  A phase that only makes cases (:class:`CasePhase`) hands them to the
engine, which sends them; a phase that acts on the answers (:class:`ActingPhase`: shrinking,
retries, scenarios) gets a ``send`` callable.  :meth:`Phase.prepare` makes what later phases
read (the probes, the valid bodies drawn) without sending anything: the process that runs only
the stateful phases prepares the others, so it has the bodies a single process would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from harness.case import Case
from harness.engine.baton import Baton
from harness.engine.operation import OperationRun, Send, SendMany
from harness.engine.states import ProviderStates
from harness.result import CaseResult


@dataclass(frozen=True)
class Turn:
    """What an acting phase may use: its operation, a way to send, the provider states."""

    op: OperationRun
    send: Send  # one case, now
    send_many: SendMany  # independent cases, in flight together, results in their order
    states: ProviderStates | None  # None: the run was given no provider-states URL
    operations: Mapping[str, OperationRun]  # every operation of the run, by id
    baton: Baton = field(default_factory=Baton)  # the run's: kept through waits while Hypothesis shrinks


class Phase:
    label: str  # what the progress line says
    stateful: ClassVar[bool] = False
    #: A stateful phase that runs for every operation before any other's stateful phases (and,
    #: in one process, before the stateless ones): what it finds decides whether the stateful
    #: phases of several operations may run side by side.
    first: ClassVar[bool] = False

    def prepare(self, op: OperationRun) -> None:
        """Make what later phases read, sending nothing (by default, nothing)."""


class CasePhase(Phase):
    """Independent cases: the engine sends them, in any order, and keeps every result.  The
    cases of consecutive case phases are in flight together, one phase's after another's,
    unless a phase's cases are made from the answers to those before it (:meth:`needs_answers`)."""

    def cases(self, op: OperationRun) -> list[Case]:
        raise NotImplementedError

    def needs_answers(self, op: OperationRun) -> bool:
        """Whether this phase's cases are made from the answers to the phases before it (it is
        prepared and its cases made once those are in)."""
        return False

    def judged(self, op: OperationRun, result: CaseResult) -> CaseResult:
        """``result``, with what the phase itself finds about it (nothing, by default)."""
        return result

    def after(self, turn: Turn, results: list[CaseResult]) -> None:
        """What the phase does once all its results are kept (nothing, by default)."""


class ActingPhase(Phase):
    """Cases that depend on answers: the phase sends them and keeps what belongs to the run.
    It gives its progress total (``turn.op.phase(label, total)``) once it knows it."""

    def run(self, turn: Turn) -> None:
        raise NotImplementedError
