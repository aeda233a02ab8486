"""Generated cases: Hypothesis draws valid bodies, then random invalid ones; a failure is shrunk.

Drawing is apart from sending.  First Hypothesis draws the examples with nothing sent (for the
valid stream in :meth:`Generated.prepare`, so later phases have its bodies); then every case
is sent and kept; then, if one failed, Hypothesis runs again with the same seed, answering the
examples already sent from their results and sending only what shrinking asks for, until it
holds the smallest failing example, which is kept as the minimal reproduction.  The results of
shrinking are not kept: only its outcome is.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, seed, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.errors import Flaky, Unsatisfiable

from harness.case import Case, Intent
from harness.engine.exchange import RunStopped
from harness.engine.operation import Drawn, OperationRun, Send
from harness.engine.phases.base import CasePhase, Turn
from harness.errors import UsageError
from harness.generation.mutations import invalid_bodies
from harness.result import CaseResult

LABELS = {Intent.VALID: "generated valid bodies", Intent.INVALID: "random invalid bodies"}


def valid_stream(op: OperationRun) -> list[Any]:
    """The generated valid bodies of ``op``, drawn now unless drawn already (every phase that
    picks a valid body picks it from these)."""
    Generated(Intent.VALID).prepare(op)
    return op.valid_bodies


def drawn_before_any_answer(op: OperationRun) -> Drawn:
    """What ``op`` draws besides its valid stream that no answer decides (what
    :mod:`harness.engine.ahead`'s helper draws after the stream): for a curated contract the
    probes and the invalid stream."""
    if op.contract.imported is not None:
        return Drawn()
    return Drawn(base=op.minimal_body, probes=op.probes, invalid=Generated(Intent.INVALID)._draw(op))


class Generated(CasePhase):
    def __init__(self, intent: Intent) -> None:
        self.intent = intent
        self.label = LABELS[intent]
        self._bodies: dict[int, Any] = {}  # id of a case made -> the body drawn for it
        self._invalid: dict[str, list[Any]] = {}  # operation -> its invalid stream, drawn here

    def prepare(self, op: OperationRun) -> None:
        if self.intent is Intent.VALID and not op.valid_bodies:  # drawn already when the isolation phase needed it
            op.fetch_valid_ahead()
            ahead = op.valid_ahead
            op.valid_bodies = ahead if ahead is not None else self._draw(op)

    def needs_answers(self, op: OperationRun) -> bool:
        return False  # drawn with nothing sent; an imported contract's invalid stream after its probes

    def cases(self, op: OperationRun) -> list[Case]:
        """A case for each body of the stream (every part of a split run draws the whole stream
        and the engine sends its share, so the parts together send what one run would)."""
        cases = []
        for body in self._stream(op):
            case = self._case(op, body)
            self._bodies[id(case)] = body
            cases.append(case)
        return cases

    def after(self, turn: Turn, results: list[CaseResult]) -> None:
        """Where a body failed, Hypothesis shrinks it: the smallest failing example is kept as
        the minimal reproduction."""
        op = turn.op
        if not any(result.failed and result.response is not None for result in results):
            return
        sent: dict[str, CaseResult] = {}
        for result in results:
            sent.setdefault(_key(self._bodies[id(result.case)]), result)
        index, count = op.shard
        others = {_key(body) for position, body in enumerate(self._stream(op)) if position % count != index}
        with turn.baton.keeps():  # no other thread may draw while Hypothesis shrinks
            minimal = self._shrink(op, turn.send, sent, others)
        if minimal is not None:
            op.keep(replace(minimal, minimal=True))

    def _stream(self, op: OperationRun) -> list[Any]:
        if self.intent is Intent.VALID:
            return op.valid_bodies
        ahead = op.drawn_ahead
        if ahead is not None and ahead.invalid is not None:
            return ahead.invalid
        if op.id not in self._invalid:
            self._invalid[op.id] = self._draw(op)
        return self._invalid[op.id]

    # ------------------------------------------------------------------ Hypothesis

    def _strategy(self, op: OperationRun) -> st.SearchStrategy[Any]:
        if self.intent is Intent.VALID:
            return op.strategies.body()
        return invalid_bodies(op.contract, op.mutation_bases)

    def _draw(self, op: OperationRun) -> list[Any]:
        """The examples of this phase, drawn with nothing sent."""
        drawn: list[Any] = []
        validator = op.contract.request_validator
        valid = self.intent is Intent.VALID

        def collect(body: Any) -> None:
            if valid and not validator.is_valid(body):
                reject()
            drawn.append(body)

        with contextlib.suppress(Flaky, Unsatisfiable):  # as many as Hypothesis could draw
            _hypothesis(op, self._strategy(op), collect, shrink=False)()
        return drawn

    def _shrink(self, op: OperationRun, send: Send, sent: dict[str, CaseResult], others: set[str]) -> CaseResult | None:
        """The smallest failing example, found by running Hypothesis again: the examples already
        sent are answered by their results, those of another part of the run pass, the ones
        shrinking asks for are sent."""
        validator = op.contract.request_validator
        valid = self.intent is Intent.VALID
        stopped: list[RunStopped] = []

        def probe(body: Any) -> None:
            if valid and not validator.is_valid(body):
                reject()
            if stopped:
                return  # the run is ending: nothing more is sent
            key = _key(body)
            if key in others and key not in sent:
                return  # another part of the run sends it
            result = sent.get(key)
            if result is None:
                case = self._case(op, body)
                if not op.sendable(case):
                    return
                try:
                    result = send(case)
                except RunStopped as stop:  # not raised through Hypothesis, which would shrink it
                    stopped.append(stop)
                    return
            if result.failed and result.response is not None:
                raise _Found(result)

        try:
            _hypothesis(op, self._strategy(op), probe, shrink=True)()
        except _Found as found:
            return found.result
        except (Flaky, Unsatisfiable):
            pass
        finally:
            if stopped:
                raise stopped[0]
        return None

    def _case(self, op: OperationRun, body: Any) -> Case:
        if self.intent is Intent.VALID:
            return Case(
                operation=op.id,
                intent=Intent.VALID,
                origin="generated",
                description="a generated valid body",
                input=op.tokens.fresh(body),
            )
        violations = op.contract.request_validator.violations(body)
        return Case(
            operation=op.id,
            intent=Intent.INVALID,
            origin="random-invalid",
            description="a randomly broken body: " + "; ".join(v.describe() for v in violations[:2]),
            input=body,
            rule=next((v.rule.id for v in violations if v.rule), None),
            expected_statuses=(400,),
        )


class _Found(Exception):
    def __init__(self, result: CaseResult) -> None:
        self.result = result


def _key(body: Any) -> str:
    return json.dumps(body, ensure_ascii=True)


def _hypothesis(
    op: OperationRun, strategy: st.SearchStrategy[Any], test: Callable[[Any], None], *, shrink: bool
) -> Callable[[], None]:
    """``test`` as a Hypothesis test of the run's seed, examples and example database (the same
    in every part of a split run)."""
    options = op.options
    database = example_database(options.example_db)
    phases: tuple[Phase, ...] = (Phase.reuse,) if database else ()
    phases += (Phase.generate, Phase.shrink) if shrink else (Phase.generate,)
    run = given(strategy)(test)
    run = seed(options.seed * 1_000_003)(run)
    return settings(
        max_examples=options.max_examples,
        database=database,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=phases,
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
    )(run)


def example_database(spec: str | None) -> ExampleDatabase | None:
    """Hypothesis' example database for ``spec``: a directory, or a ``redis://`` URL
    (Hypothesis' own RedisExampleDatabase; needs the ``redis`` package)."""
    if not spec:
        return None
    if spec.startswith(("redis://", "rediss://")):
        try:
            import redis
            from hypothesis.extra.redis import RedisExampleDatabase
        except ImportError:
            raise UsageError(f"--example-db {spec} needs the redis package: pip install redis") from None
        return RedisExampleDatabase(redis.Redis.from_url(spec))
    return DirectoryBasedExampleDatabase(spec)
