"""One operation's share of a run: what its phases share, and what they found.

The phases of an operation run in order; each reads what the earlier ones left here (the
boundary probes, the valid bodies drawn, those small enough to mutate) and keeps its results
in :attr:`OperationRun.record`, the only place the results document is made from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from harness.binding import (
    PROTOCOL_DEFAULT,
    BoundRequest,
    Location,
    MalformedRequest,
    OperationBinding,
    Unsendable,
    bind,
    decode,
)
from harness.case import Auth, Case, Intent
from harness.checks import CheckRegistry
from harness.contract import Contract
from harness.engine.exchange import wire_parts
from harness.engine.options import Listener, RunOptions
from harness.engine.tokens import Tokens
from harness.generation.boundaries import BoundaryProbes, Probe
from harness.generation.values import ValueStrategies, minimal
from harness.result import CaseResult
from harness.summary import OperationRecord

MUTATION_BASE_MAX_BYTES = 4096  # larger valid probes (100 targets) are not mutated: their violations cost ~25 ms each

#: How a phase sends one case: the exchange, for this operation (the result is kept by no one).
Send = Callable[[Case], CaseResult]
#: How a phase sends independent cases: in flight together, their results in the cases' order.
SendMany = Callable[[Iterable[Case]], Iterator[CaseResult]]


class ProbeSource(Protocol):
    """The boundary probes of one contract (:class:`~harness.generation.boundaries.BoundaryProbes`)."""

    @property
    def base(self) -> Any: ...

    def all(self) -> list[Probe]: ...


#: How the probes of a contract are made, from a valid input or ``None`` (the minimal one):
#: tests of many runs share them (``tests/faults``).
ProbeMaker = Callable[[Contract, Any], ProbeSource]


@dataclass(frozen=True)
class Drawn:
    """What an operation draws before any answer besides its generated valid stream
    (:mod:`harness.engine.ahead`): for a curated contract its boundary probes, the minimal valid
    body they start from, and its random invalid stream (an imported contract's start from an
    input the target accepted: ``None``)."""

    base: Any = None
    probes: list[Probe] | None = None
    invalid: list[Any] | None = None


class Ahead(Protocol):
    """What a generation helper drew for an operation (``None``: the engine draws it itself)."""

    def valid(self, operation: str) -> list[Any] | None: ...

    def drawn(self, operation: str) -> Drawn | None: ...


@dataclass
class OperationRun:
    contract: Contract
    options: RunOptions
    checks: CheckRegistry
    listener: Listener
    tokens: Tokens
    probe_maker: ProbeMaker = BoundaryProbes
    record: OperationRecord = field(init=False)
    valid_bodies: list[Any] = field(default_factory=list)  # the generated valid stream: scenario bodies
    accepted: list[Any] = field(default_factory=list)  # valid inputs that got the success status, in order
    # the status and error name the accepted start got when the probes sent it again
    start_again: tuple[int, str | None] | None = None
    ahead: Ahead | None = None  # the run's generation helper, if it has one
    # what the helper drew, once asked (plain attributes: Python 3.11's cached_property holds one
    # lock for every instance while it computes, and a wait for the helper inside it would hold
    # that lock while another thread runs)
    _valid_ahead: list[Any] | None = field(default=None, init=False, repr=False)
    _drawn_ahead: Drawn | None = field(default=None, init=False, repr=False)
    _asked: set[str] = field(default_factory=set, init=False, repr=False)

    def fetch_valid_ahead(self) -> None:
        """The valid stream the helper drew for this operation, waited for now, outside any
        cached property (before the stream is read)."""
        if self.ahead is not None and "valid" not in self._asked:
            self._asked.add("valid")
            self._valid_ahead = self.ahead.valid(self.id)

    def fetch_ahead(self) -> None:
        """Everything the helper drew for this operation, waited for now (the engine asks before
        the operation's phases)."""
        self.fetch_valid_ahead()
        if self.ahead is not None and "drawn" not in self._asked:
            self._asked.add("drawn")
            self._drawn_ahead = self.ahead.drawn(self.id) if self._valid_ahead is not None else None

    @property
    def valid_ahead(self) -> list[Any] | None:
        """The valid stream the run's generation helper drew (``None``: draw it here)."""
        return self._valid_ahead

    @property
    def drawn_ahead(self) -> Drawn | None:
        """The probes and invalid stream the helper drew (``None``: draw them here)."""
        return self._drawn_ahead

    def __post_init__(self) -> None:
        self.record = OperationRecord(contract=self.contract)

    @property
    def id(self) -> str:
        return self.contract.id

    @property
    def shard(self) -> tuple[int, int]:
        """(index, count) of this process's share of the stateless cases: all of them where the
        run is split by operation; none to send in the process that runs only the stateful phases
        (it draws, as every part does, the whole stream)."""
        if self.options.stateful == "only" or self.options.shard_by == "operation":
            return 0, 1
        return self.options.shard_index, self.options.shard_count

    @cached_property
    def binding(self) -> OperationBinding:
        """How this operation's inputs go on the wire."""
        return OperationBinding.from_document(self.contract.document, source=str(self.contract.file))

    def sendable(self, case: Case) -> bool:
        """Whether HTTP can carry ``case`` at all (an empty path label cannot be sent: no case).
        An input that is not an object is sent as the JSON body, so an operation without one
        (a GET of query members) cannot carry it: a body there is one the protocol never reads."""
        if case.body is None and not isinstance(case.input, Mapping) and not self.binding.sends_json:
            return False
        operation_input, body = wire_parts(case)
        try:
            bound = bind(self.binding, operation_input, body=body, content_type=case.content_type)
        except Unsendable:
            return False
        return not (case.intent is Intent.INVALID and body is None and self._read_as_valid(bound))

    def _read_as_valid(self, bound: BoundRequest) -> bool:
        """Whether the target reads a valid input off ``bound``: an invalid value in a path label,
        the query string or a header whose text is that of a valid one (the integer 12345 in a
        string label is the text ``12345``) is no invalid case; the wire cannot tell it apart."""
        if not self._outside_body:
            return False
        try:
            read = decode(self.binding, bound.method, bound.path, bound.headers, bound.body)
        except MalformedRequest:
            return False
        return self.contract.request_validator.is_valid(read)

    @cached_property
    def _outside_body(self) -> bool:
        return any(member.location is not Location.BODY for member in self.binding.members)

    def json_body(self, operation_input: Any) -> Any:
        """The JSON body the binding sends for ``operation_input`` (its body members, renamed)."""
        return json.loads(bind(self.binding, operation_input).body or b"null")

    @cached_property
    def strategies(self) -> ValueStrategies:
        return ValueStrategies(self.contract)

    @cached_property
    def _boundaries(self) -> ProbeSource:
        return self.probe_maker(self.contract, self.start)

    @property
    def start(self) -> Any:
        """The input the probes start from: for an imported contract, the first input the target
        accepted (SPEC 7.5), else the minimal valid input (``None``)."""
        return self.accepted[0] if self.contract.imported is not None and self.accepted else None

    @property
    def accepted_start(self) -> bool | None:
        """Whether the probes start from an input the target accepted (``None``: a curated
        contract, whose minimal input is valid by its documentation)."""
        return None if self.contract.imported is None else bool(self.accepted)

    @cached_property
    def probes(self) -> list[Probe]:
        """The minimal valid body first, then every rule's probes."""
        drawn = self.drawn_ahead
        return drawn.probes if drawn is not None and drawn.probes is not None else self._boundaries.all()

    @property
    def minimal_body(self) -> Any:
        """The input the probes start from (:attr:`start`, else the minimal valid input)."""
        drawn = self.drawn_ahead
        return drawn.base if drawn is not None and drawn.probes is not None else self._boundaries.base

    @cached_property
    def minimal_input(self) -> Any:
        """The simplest valid input HTTP can carry: its required members only, each at its
        simplest (a path label the model lets be empty is the simplest text that can be sent)."""
        return minimal(self.strategies.body(), self._carried)

    def _carried(self, operation_input: Any) -> bool:
        case = Case(operation=self.id, intent=Intent.VALID, origin="boundary", description="", input=operation_input)
        return self.sendable(case)

    @cached_property
    def small_valid_probes(self) -> list[tuple[Any, bytes]]:
        """The valid probes (after the minimal body) small enough to mutate and escape, with
        their wire form."""
        return [
            (probe.body, wire)
            for probe in self.probes[1:]
            if probe.intent is Intent.VALID and len(wire := Case.encode(probe.body)) <= MUTATION_BASE_MAX_BYTES
        ]

    @property
    def mutation_bases(self) -> list[Any]:
        """The valid bodies the run has for random edits and for one-member changes; the first
        is where shrinking heads."""
        return [self.minimal_body, *(body for body, _ in self.small_valid_probes), *self.valid_bodies]

    def phase(self, label: str, total: int) -> None:
        self.listener.on_phase(self.id, label, total)

    def keep(self, result: CaseResult) -> None:
        """``result`` is part of the run's results."""
        case, response = result.case, result.response
        if (
            case.intent is Intent.VALID
            and case.auth is Auth.SIGNED
            and case.body is None
            and case.content_type is PROTOCOL_DEFAULT
            and isinstance(case.input, dict)
            and response is not None
            and response.status == self.contract.success_status
        ):
            self.accepted.append(case.input)
        self.record.results.append(result)
        self.record.check_runs.update(result.checks)
        self.listener.on_result(result)
