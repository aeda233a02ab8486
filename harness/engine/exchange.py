"""One case on the wire: built into a request, signed, sent, and its answer judged.

:class:`Exchange` is the only part of the engine that talks to the transport for a case.
:meth:`Exchange.send_many` sends independent cases up to ``--concurrency`` at a time, and gives
their results in the order of the cases, whatever order the answers came in; every request
carries its place in the run (``SentRequest.sequence``), so a recording keeps them in that order.
The exchange keeps watch on silence (when the target stops answering, :data:`GIVE_UP_AFTER_FAILURES`
requests in a row or :data:`GIVE_UP_AFTER_SECONDS` of them, on the engine's injected timer, it
raises :class:`TargetGone`) and on the run's time budget (once ``--max-duration`` is spent no
new request is sent, those in flight finish, and :class:`BudgetSpent` ends the run).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from harness.aws import SigningKey, sign
from harness.binding import OperationBinding, bind, encode_json
from harness.case import Auth, Case
from harness.checks import CheckRegistry, Judgement, target_answers
from harness.contract import Contract
from harness.engine.baton import Baton
from harness.engine.options import RunOptions
from harness.errors import TargetUnreachable
from harness.result import CaseResult, SentRequest
from harness.target.http import Transport, TransportFailure

OTHER_SERVICE = "sts"  # a signing name no contract has: a signature for it is no signature for the target
GIVE_UP_AFTER_FAILURES = 5  # consecutive requests without an answer
GIVE_UP_AFTER_SECONDS = 100.0  # of consecutive requests without an answer
UNKNOWN_KEY = SigningKey("AKIAHARNESSUNKNOWN00", "harness-unknown-secret-key", "")
# one minute either side of SPEC's 15 minutes: tight enough to catch a loose limit, loose
# enough for the clocks of two machines
SKEW_MINUTES = {Auth.WITHIN_SKEW: -14, Auth.EXPIRED: -16, Auth.FUTURE: 16}


def wire_parts(case: Case) -> tuple[Mapping[str, Any], bytes | None]:
    """The operation input and the raw body that ``case`` is bound with: a case whose input is
    not an object (a probe of the body's own type) sends that value as its body, with no
    member elsewhere."""
    if isinstance(case.input, Mapping):
        return case.input, case.body
    if case.input is None or case.body is not None:
        return {}, case.body
    return {}, encode_json(case.input)


class RunStopped(Exception):
    """Ends the run at once.  Raised by the exchange (:class:`TargetGone`) or by a transport
    that cannot go on (a replay asked for a request it has no answer for)."""


class BudgetSpent(RunStopped):
    """The run's time budget is spent: no new case is sent; what was sent is reported."""


class TargetGone(RunStopped):
    """The target stopped answering: the run ends, and what it found so far is reported,
    ``last`` (the result of the request that was one too many) included."""

    def __init__(self, message: str, *, last: CaseResult | None = None) -> None:
        super().__init__(message)
        self.last = last


class Silence:
    """Consecutive requests without an answer, on ``timer`` (seconds, monotonic)."""

    def __init__(self, timer: Callable[[], float]) -> None:
        self._timer = timer
        self._count = 0
        self._since: float | None = None
        self._lock = threading.Lock()  # requests in flight answer from several threads

    def answered(self) -> None:
        with self._lock:
            self._count = 0
            self._since = None

    def unanswered(self, result: CaseResult) -> None:
        """One more request without an answer (``result``); :class:`TargetGone` when that is too many."""
        with self._lock:
            self._count += 1
            if self._since is None:
                self._since = self._timer()
            gone = self._count >= GIVE_UP_AFTER_FAILURES or self._timer() - self._since > GIVE_UP_AFTER_SECONDS
        if gone:
            raise TargetGone(
                f"the target stopped answering ({self._count} requests in a row without an answer); "
                "the run was ended and what it found so far is reported",
                last=result,
            )


class Exchange:
    """Builds, signs, sends and judges cases for one run."""

    def __init__(
        self,
        *,
        transport: Transport,
        options: RunOptions,
        checks: CheckRegistry,
        clock: Callable[[], datetime],
        timer: Callable[[], float],
        baton: Baton | None = None,
    ) -> None:
        self.transport = transport
        self.baton = baton or Baton()  # handed on while this thread waits for an answer
        self.options = options
        self.checks = checks
        self.clock = clock
        self.timer = timer
        self.silence = Silence(timer)
        self._reached = False
        self._sequence = itertools.count(1)
        self._deadline = None if options.max_duration is None else timer() + options.max_duration
        self._pool = ThreadPoolExecutor(options.concurrency, "harness-send") if options.concurrency > 1 else None
        self._stopped: RunStopped | None = None

    @property
    def pool(self) -> ThreadPoolExecutor | None:
        """The threads requests are in flight in (``None``: one at a time, in the caller's)."""
        return self._pool

    def stop(self, reason: RunStopped) -> None:
        """No request is sent any more: every later one raises ``reason`` instead (another
        thread of the run has stopped it)."""
        self._stopped = reason

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def next_sequence(self) -> int:
        """The place of the next request in the run (provider-state calls count too)."""
        return next(self._sequence)

    @property
    def budget_spent(self) -> bool:
        return self._deadline is not None and self.timer() >= self._deadline

    def _check_budget(self) -> None:
        if self._stopped is not None:
            raise self._stopped
        if self.budget_spent:
            assert self.options.max_duration is not None
            raise BudgetSpent(
                f"the run stopped at its time budget (--max-duration {self.options.max_duration:g} s): "
                "what was not sent is not exercised"
            )

    def request(self, contract: Contract, binding: OperationBinding, case: Case) -> SentRequest:
        """The request of ``case``, bound by ``binding`` and signed as its :class:`~harness.case.Auth`
        says; :class:`~harness.binding.Unsendable` when HTTP cannot carry it."""
        operation_input, body = wire_parts(case)
        bound = bind(binding, operation_input, body=body, content_type=case.content_type)
        url = bound.url(self.options.base_url)
        headers = dict(bound.headers)
        key = self.options.key
        if case.auth is Auth.UNKNOWN_KEY:
            key = SigningKey(UNKNOWN_KEY.access_key, UNKNOWN_KEY.secret_key, key.region)
        if case.auth is not Auth.MISSING:
            shift = SKEW_MINUTES.get(case.auth)
            headers = sign(
                key=key,
                service=OTHER_SERVICE if case.auth is Auth.WRONG_SERVICE else contract.signing_name,
                method=bound.method,
                url=url,
                headers=headers,
                body=bound.body,
                at=None if shift is None else self.clock() + timedelta(minutes=shift),
            )
        if case.auth is Auth.WRONG_SIGNATURE:
            authorization = headers["Authorization"]
            headers["Authorization"] = authorization[:-1] + ("0" if authorization[-1] != "0" else "1")
        return SentRequest(
            method=bound.method,
            url=url,
            headers=headers,
            body=bound.body,
            sequence=self.next_sequence(),
            operation=contract.id,
        )

    def send(self, contract: Contract, binding: OperationBinding, case: Case) -> CaseResult:
        """``case`` sent and judged (kept by no one: the phase decides); :class:`BudgetSpent`
        instead once the run's time budget is spent."""
        self._check_budget()
        return self._exchange(contract, self.request(contract, binding, case), case)

    def send_many(self, contract: Contract, binding: OperationBinding, cases: Iterable[Case]) -> Iterator[CaseResult]:
        """The results of independent ``cases``, in their order, sent up to ``--concurrency`` at a
        time.  When the budget is spent, the requests in flight finish, their results are given,
        and :class:`BudgetSpent` follows."""
        if self._pool is None:
            for case in cases:
                yield self.send(contract, binding, case)
            return
        window: deque[Future[CaseResult]] = deque()
        try:
            for case in cases:
                if self.budget_spent or self._stopped is not None:
                    break
                request = self.request(contract, binding, case)  # built here: their sequence is the cases' order
                window.append(self._pool.submit(self._exchange, contract, request, case))
                if len(window) >= self.options.concurrency:
                    yield self._answered(window.popleft())
            while window:
                yield self._answered(window.popleft())
        finally:
            for future in window:
                future.cancel()
            for future in window:
                if not future.cancelled():
                    with self.baton.waiting():
                        future.exception()  # in flight: let it finish, its result is not the run's any more
        self._check_budget()

    def _answered(self, future: Future[CaseResult]) -> CaseResult:
        with self.baton.waiting():
            return future.result()

    def _exchange(self, contract: Contract, request: SentRequest, case: Case) -> CaseResult:
        try:
            with self.baton.waiting():
                response = self.transport.send(request)
        except TransportFailure as failure:
            if not self._reached and failure.kind == "unreachable":
                raise TargetUnreachable(
                    f"{failure}. Check that the target is running and the URL is right "
                    f"(harness run --target URL, or --target mock for the bundled mock)."
                ) from None
            problem = f"{failure.kind}: {failure}"
            result = CaseResult(
                case=case,
                request=request,
                response=None,
                transport_error=problem,
                failures=self.checks.run(target_answers, None, problem) or [],
                checks=(target_answers.name,) if target_answers in self.checks else (),
            )
            self.silence.unanswered(result)
            return result
        self._reached = True
        self.silence.answered()
        judgement = Judgement(contract, case, response, states_managed=bool(self.options.provider_states))
        failures, ran = self.checks.judge(judgement)
        answered = self.checks.run(target_answers, response, None)
        if answered is not None:
            failures += answered
            ran.append(target_answers.name)
        return CaseResult(case=case, request=request, response=response, failures=failures, checks=tuple(ran))
