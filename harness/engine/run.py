"""The engine: every phase of every contract, against one target; the results document.

It emits each :class:`~harness.result.CaseResult` to a listener as it goes (progress) and returns
the results document (:mod:`harness.summary`).  It writes nothing itself, and it knows no
operation by name.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from harness import __version__
from harness.case import Case
from harness.checks import DEFAULT_CHECKS, CheckRegistry, default_registry
from harness.contract import Contract
from harness.engine.ahead import DrawnAhead
from harness.engine.baton import Baton
from harness.engine.chains import Chains
from harness.engine.exchange import BudgetSpent, Exchange, RunStopped, TargetGone
from harness.engine.operation import OperationRun, ProbeMaker
from harness.engine.options import Listener, RunOptions
from harness.engine.phases import ActingPhase, CasePhase, Phase, Turn, every_phase
from harness.engine.phases.generated import drawn_before_any_answer, valid_stream
from harness.engine.states import ProviderStates
from harness.engine.tokens import Tokens
from harness.generation.boundaries import BoundaryProbes
from harness.generation.determinism import stable_generation
from harness.summary import OperationRecord, ScenarioOutcome, contract_digest, summarise
from harness.target.http import Transport


class Engine:
    def __init__(
        self,
        *,
        contracts: Iterable[Contract],
        transport: Transport,
        options: RunOptions,
        checks: CheckRegistry | None = None,
        listener: Listener | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timer: Callable[[], float] = time.monotonic,
        probes: ProbeMaker = BoundaryProbes,
        phases: Iterable[Phase] | None = None,
    ) -> None:
        self.contracts = list(contracts)
        self.options = options
        self.checks = checks or default_registry()
        self.listener = listener or Listener()
        self.clock = clock
        self.timer = timer
        self.probes = probes
        self.phases = tuple(phases) if phases is not None else None  # None: every phase, as each contract has them
        self.baton = Baton()  # one thread at a time runs engine code (harness.engine.chains)
        self._stopped: RunStopped | None = None
        self._runs: dict[str, OperationRun] = {}  # every operation of the run, by id
        self.exchange = Exchange(
            transport=transport, options=options, checks=self.checks, clock=clock, timer=timer, baton=self.baton
        )
        self.states = (
            ProviderStates(
                options.provider_states,
                transport=transport,
                checks=self.checks,
                sequence=self.exchange.next_sequence,
                pool=self.exchange.pool,
                baton=self.baton,
            )
            if options.provider_states
            else None
        )

    def run(self) -> dict[str, Any]:
        try:
            with stable_generation():
                return self._run()
        finally:
            self.exchange.close()

    def _run(self) -> dict[str, Any]:
        started = self.timer()
        started_at = self.clock()
        options = self.options
        every = [self._operation(contract) for contract in self.contracts]
        self._runs = {op.id: op for op in every}  # the isolation phase reads the others' valid bodies
        runs = [
            op
            for position, op in enumerate(every)
            if options.shard_by != "operation" or position % options.shard_count == options.shard_index
        ]  # by operation: another part of the run has the others
        with self.baton.held():
            self._run_operations(runs)
        aborted, budget_spent = str(self._stopped or ""), isinstance(self._stopped, BudgetSpent)
        for op in runs:
            if aborted:
                _not_exercised_rest(op.record, aborted)
        records = [op.record for op in runs]
        left_out = [check.name for check in DEFAULT_CHECKS if check.name not in self.checks.names]
        run_info: dict[str, Any] = {
            "target": options.target_label or options.base_url,
            "provider_states": options.provider_states,
            "region": options.key.region,
            "seed": options.seed,
            "max_examples": options.max_examples,
            "started": started_at.isoformat(timespec="seconds"),
            "duration_s": round(self.timer() - started, 2),
            "aborted": aborted or None,
            "concurrency": options.concurrency,
            "max_duration_s": options.max_duration,
            "budget_spent": budget_spent,
            "checks_left_out": left_out,
        }
        if options.shard_count > 1:
            run_info["shard"] = {
                "index": options.shard_index + 1,
                "count": options.shard_count,
                "by": options.shard_by,
                "run": self._fingerprint(left_out),
            }
        return summarise(records=records, check_docs=self.checks.docs(), run=run_info)

    def _fingerprint(self, left_out: list[str]) -> str:
        """What every part of one split run shares: the same seed, examples, contracts and checks
        (``harness report`` merges only parts with the same)."""
        options = self.options
        facts = {
            "seed": options.seed,
            "max_examples": options.max_examples,
            "contracts": sorted((c.id, contract_digest(c)) for c in self.contracts),
            "checks_left_out": left_out,
            "provider_states": bool(options.provider_states),
            "parts": [options.shard_count, options.shard_by],
            "harness": __version__,
        }
        return "sha256:" + hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()

    def _operation(self, contract: Contract) -> OperationRun:
        options = self.options
        # the process that runs only the stateful phases draws tokens of its own, not shard 0's
        shard_tag = "stateful" if options.stateful == "only" else options.shard_index
        return OperationRun(
            contract=contract,
            options=options,
            checks=self.checks,
            listener=self.listener,
            tokens=Tokens(contract, seed=f"{options.seed}:{options.token_salt}:{shard_tag}:{contract.id}"),
            probe_maker=self.probes,
        )

    def _run_operations(self, runs: list[OperationRun]) -> None:
        """Every operation's phases (:meth:`_run_stages`), every other operation's draws made
        meanwhile by a helper process where one can be forked (:mod:`harness.engine.ahead`)."""
        options = self.options
        # scenarios change the target's state: one process runs them all
        stateful = options.stateful != "never" and (options.shard_index == 0 or options.shard_by == "operation")
        phases = {op.id: self._phases_of(op, stateful) for op in runs}
        ahead = DrawnAhead.start(runs, stream=valid_stream, draw=drawn_before_any_answer, baton=self.baton)
        for op in runs:
            op.ahead = ahead
        try:
            self._run_stages(runs, phases)
        finally:
            if ahead is not None:
                ahead.close()

    def _run_stages(self, runs: list[OperationRun], phases: dict[str, list[Phase]]) -> None:
        """First the phases that tell whether the states of one operation leave the others alone
        (:attr:`Phase.first`), for each operation; then, for each, its stateless phases and,
        after them, its stateful ones: each operation in a thread of its own, side by side with
        the others, where the first phases found nothing wrong (:mod:`harness.engine.chains`)."""
        for op in runs:
            self._guarded(op, [phase for phase in phases[op.id] if phase.first])
        failed = any(result.failed for op in runs for result in op.record.results)
        side_by_side = 1 if failed or self._stopped else min(self.options.concurrency, len(runs))
        with Chains(self.baton, side_by_side=side_by_side) as chains:
            for op in runs:
                chain = [phase for phase in phases[op.id] if not phase.first]  # the stateless ones first
                chains.start(lambda op=op, chain=chain: self._pipeline(op, chain))  # type: ignore[misc]

    def _pipeline(self, op: OperationRun, phases: list[Phase]) -> None:
        """``op``'s phases, once what the generation helper drew for it has come."""
        op.fetch_ahead()  # here, not inside one of the operation's cached properties
        self._guarded(op, phases)

    def _phases_of(self, op: OperationRun, stateful: bool) -> list[Phase]:
        phases = self.phases if self.phases is not None else every_phase(op.contract)
        return [phase for phase in phases if stateful or not phase.stateful]

    def _guarded(self, op: OperationRun, phases: list[Phase]) -> None:
        """``phases`` of ``op`` run, unless the run has stopped; the reason it stops, if it does."""
        if self._stopped is not None or not phases:
            return
        try:
            self._run_phases(op, phases)
        except TargetGone as gone:
            if gone.last is not None:
                op.keep(gone.last)
            self._stop(gone)
        except BudgetSpent as spent:
            self._stop(spent)

    def _stop(self, reason: RunStopped) -> None:
        if self._stopped is None:
            self._stopped = reason
            self.exchange.stop(reason)

    def _run_phases(self, op: OperationRun, phases: list[Phase]) -> None:
        options = self.options
        turn = Turn(
            op=op,
            send=lambda case: self.exchange.send(op.contract, op.binding, case),
            send_many=lambda cases: self.exchange.send_many(op.contract, op.binding, cases),
            states=self.states.of(op.id) if self.states is not None else None,
            operations=self._runs,
            baton=self.baton,
        )
        batch: list[CasePhase] = []
        for phase in phases:
            if isinstance(phase, CasePhase) and not (batch and phase.needs_answers(op)):
                batch.append(phase)
                continue
            self._send_cases(turn, batch)
            batch = []
            if isinstance(phase, CasePhase):
                batch.append(phase)
                continue
            phase.prepare(op)
            if not phase.stateful and options.stateful == "only":
                continue  # prepared for the stateful phases, sent by the workers
            if isinstance(phase, ActingPhase):
                phase.run(turn)
        self._send_cases(turn, batch)

    def _send_cases(self, turn: Turn, batch: list[CasePhase]) -> None:
        """The cases of consecutive case phases, in flight together in the phases' order (no
        phase waits for the last answers of the one before); each phase's results kept in turn,
        and its :meth:`~CasePhase.after` called once they are."""
        op = turn.op
        planned: list[tuple[CasePhase, list[Case]]] = []
        for phase in batch:
            phase.prepare(op)
            if self.options.stateful == "only":
                continue  # prepared for the stateful phases, sent by the workers
            index, count = op.shard
            cases = phase.cases(op)
            cases = [case for position, case in enumerate(cases) if position % count == index and op.sendable(case)]
            if cases:
                planned.append((phase, cases))
        results = turn.send_many(case for _, cases in planned for case in cases)
        for phase, cases in planned:
            op.phase(phase.label, len(cases))
            kept = []
            for _ in cases:
                result = phase.judged(op, next(results))
                op.keep(result)
                kept.append(result)
            phase.after(turn, kept)


def _not_exercised_rest(record: OperationRecord, reason: str) -> None:
    done = {s.name for s in record.scenarios}
    for scenario in record.contract.scenarios:
        if scenario.name not in done:
            record.scenarios.append(
                ScenarioOutcome(scenario.name, scenario.state, scenario.doc, "not-exercised", reason)
            )
