"""What the hooks and checks of ``st run`` do, and what they noticed along the way."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import schemathesis

from harness.case import Intent
from harness.checks import Check, Judgement, default_registry
from harness.contract import Contract
from harness.errors import HarnessError
from harness.result import Failure, Severity
from harness.schemathesis._adjustments import Adjustment, Verdict, adjustment_for
from harness.schemathesis._reading import Wire, contract_of, harness_response, read_request
from harness.schemathesis._signing import SigV4, signing_key

if TYPE_CHECKING:
    from schemathesis import APIOperation, BaseSchema, CheckContext, HookContext

    StCase = schemathesis.Case[APIOperation[Any, Any, Any, Any]]
    SchemathesisCheck = Callable[[CheckContext, schemathesis.Response, StCase], bool | None]

PREFIX = "harness.schemathesis"
EXIT_COULD_NOT_RUN = 2
#: The intents :func:`~harness.schemathesis._reading.read_request` gives.
READ_INTENTS = frozenset({Intent.VALID, Intent.INVALID, Intent.MALFORMED, Intent.MEDIA_TYPE, Intent.TOLERATED})
#: Checks of the registry that judge nothing in ``st run``, which sets no provider state (SPEC 5).
NEEDS_PROVIDER_STATES = frozenset({"stateless_status"})
SHOWN_WARNINGS = 10


@dataclass(frozen=True)
class Loaded:
    """A harness contract ``st run`` loaded, and how its requests are signed."""

    contract: Contract
    wire: Wire
    signer: SigV4


class Integration:
    """The hooks and checks ``st run`` calls, and what they noticed.

    One instance per process (``harness.schemathesis.INTEGRATION``): Schemathesis's hook and
    check registries are process-wide, and its hooks call this instance's methods.
    """

    def __init__(self, *, registry: tuple[Check, ...] | None = None) -> None:
        checks = tuple(default_registry().response_checks) if registry is None else registry
        self.checks = tuple(
            c for c in checks if c.name not in NEEDS_PROVIDER_STATES and (c.intents is None or c.intents & READ_INTENTS)
        )
        self._loaded: dict[str, Loaded] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._set_aside: Counter[Adjustment] = Counter()
        self._warnings: Counter[tuple[str, str]] = Counter()
        self._told_foreign = False
        self._summary_registered = False

    # ------------------------------------------------------------------ hooks

    def after_load_schema(self, context: HookContext, schema: BaseSchema) -> None:
        document = schema.raw_schema
        if not isinstance(document.get("x-harness"), Mapping):
            self._tell_foreign(document)
            return
        try:
            contract = contract_of(document)
            wire = Wire.of(document)
            key = signing_key()
        except HarnessError as exc:
            could_not_run(exc)
        with self._lock:
            self._loaded[wire.operation] = Loaded(contract, wire, SigV4(key=key, service=wire.signing_name))
            if not self._summary_registered:
                self._summary_registered = True
                atexit.register(self.print_summary)
        say(
            f"{contract.id}: every request SigV4-signed for {wire.signing_name} in {key.region}; judged by "
            f"{len(self.checks)} harness checks; Schemathesis's checks set aside where SPEC says otherwise "
            "(summed up at the end)"
        )

    def before_call(self, context: HookContext, case: StCase, kwargs: dict[str, Any]) -> None:
        loaded = self._for(case)
        if loaded is not None:
            kwargs["auth"] = loaded.signer

    def filter_failure(
        self, context: HookContext, failure: AssertionError, case: StCase, response: schemathesis.Response
    ) -> bool:
        verdict = self.verdict(case, response)
        adjustment = adjustment_for(failure, verdict) if verdict is not None else None
        if adjustment is None:
            return True
        with self._lock:
            self._set_aside[adjustment] += 1
        return False

    # ------------------------------------------------------------------ checks

    def verdict(self, case: StCase, response: schemathesis.Response) -> Verdict | None:
        """The harness's reading of ``response``; ``None`` when its schema is no harness contract.

        Every check of one response asks for it: the last one is kept, per thread.
        """
        if getattr(self._local, "response", None) is response:
            cached: Verdict | None = self._local.verdict
            return cached
        loaded = self._for(case)
        verdict = None
        if loaded is not None:
            reading = read_request(loaded.contract, loaded.wire, response.request)
            judgement = Judgement(contract=loaded.contract, case=reading.case, response=harness_response(response))
            verdict = Verdict(judgement=judgement, reading=reading)
        self._local.response, self._local.verdict = response, verdict
        return verdict

    def schemathesis_check(self, check: Check) -> SchemathesisCheck:
        """``check`` as a Schemathesis check of the same name: raises on failures, keeps warnings."""

        def run(ctx: CheckContext, response: schemathesis.Response, case: StCase) -> bool | None:
            verdict = self.verdict(case, response)
            if verdict is None or not verdict.reading.calls_operation:
                return True  # not a harness contract, or not a call of its operation: skipped
            if check.intents is not None and verdict.reading.intent not in check.intents:
                return True
            found = list(check.run(verdict.judgement))
            with self._lock:
                for warning in found:
                    if warning.severity is Severity.WARNING:
                        self._warnings[(warning.check, warning.message)] += 1
            failures = [f for f in found if f.severity is Severity.FAILURE]
            if failures:
                raise AssertionError(failure_message(failures))
            return None

        run.__name__ = run.__qualname__ = check.name
        run.__doc__ = check.doc
        return run

    # ------------------------------------------------------------------ the end

    def summary(self) -> Iterator[str]:
        """What was set aside, and the warnings: the lines printed when ``st run`` ends."""
        with self._lock:
            set_aside = sorted(self._set_aside.items(), key=lambda item: sorted(item[0].checks))
            warnings = self._warnings.most_common()
        for adjustment, count in set_aside:
            yield f"set aside {count} failure(s) of {adjustment.describe()}"
        for (check, message), count in warnings[:SHOWN_WARNINGS]:
            yield f"warning ({check}, never a failure; {count} answer(s)): {message}"
        if len(warnings) > SHOWN_WARNINGS:
            yield f"... and {len(warnings) - SHOWN_WARNINGS} more warnings"

    def print_summary(self) -> None:
        for line in self.summary():
            say(line)

    def _for(self, case: StCase) -> Loaded | None:
        ext = case.operation.schema.raw_schema.get("x-harness")
        return self._loaded.get(str(ext.get("operation"))) if isinstance(ext, Mapping) else None

    def _tell_foreign(self, document: Mapping[str, Any]) -> None:
        if self._told_foreign:
            return
        self._told_foreign = True
        info = document.get("info")
        title = info.get("title") if isinstance(info, Mapping) else None
        say(
            f"{title or 'the schema'} is not a harness contract (it has no x-harness): no signing and no harness "
            "checks; the run is Schemathesis's own"
        )


def failure_message(failures: list[Failure]) -> str:
    """The failures of one check: each message (and rule), then the sentence the check enforces."""
    lines = [f"{f.message} [rule {f.rule}]" if f.rule else f.message for f in failures]
    return "\n".join([*lines, "", failures[0].doc])


def say(line: str) -> None:
    print(f"{PREFIX}: {line}", file=sys.stderr, flush=True)


def could_not_run(error: HarnessError) -> NoReturn:
    """Stop ``st run`` with ``error``'s message and exit status 2, as ``harness run`` would.

    Schemathesis turns every exception of a schema-loading hook (``SystemExit`` included)
    into a "Hook Error" with a traceback, so inside its command line the process ends here,
    before any request is sent; used as a library (pytest), the error is raised.
    """
    import click

    if click.get_current_context(silent=True) is None:
        raise error
    sys.stdout.flush()
    if sys.stdout.isatty():
        sys.stdout.write("\x1b[?25h\n")  # Schemathesis's spinner hid the cursor
        sys.stdout.flush()
    say(str(error))
    os._exit(EXIT_COULD_NOT_RUN)
