"""Idempotency (SPEC 4.4): a request with a new token, then the same token again with the same
body, with the same document in other bytes, with another body, and with one member changed at
a time.  The retries must get the first answer's members again; the others the conflict.

Each of them depends on the first request only, so they are in flight together once it is
answered: a target that keeps its tokens answers each the same in any order."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from harness.case import Case, Intent
from harness.checks import idempotency
from harness.contract import Expectation, Idempotency
from harness.engine.bodies import one_member_changed, pick
from harness.engine.phases.base import ActingPhase, Turn
from harness.result import CaseResult, Failure
from harness.summary import ScenarioOutcome

NAME = "idempotency"
_OTHER_MEMBER = "__harness_other__"  # makes "another body" differ when the run has no other valid body


class IdempotencyPhase(ActingPhase):
    label = "idempotency"
    stateful = True

    def run(self, turn: Turn) -> None:
        op = turn.op
        idem = op.contract.idempotency
        if idem is None:
            return
        body = pick(op, 1)
        other = idem.token.set(pick(op, 2, unlike=body), idem.token.get(body))
        if Case.encode(other) == Case.encode(body):
            other = {**other, _OTHER_MEMBER: "x"}
        changes = list(one_member_changed(op.contract, body, [other, *op.mutation_bases], keep=idem.token))
        op.phase(self.label, 4 + len(changes))
        conflict = idem.conflict

        def case(text: str, data: Any, expect: Expectation) -> Case:
            return Case(
                operation=op.id,
                intent=Intent.SCENARIO,
                origin="idempotency",
                description=f"idempotency: {text}",
                input=body if isinstance(data, bytes) else data,
                body=data if isinstance(data, bytes) else None,
                expected_statuses=expect.statuses,
                expected_error=expect.error,
                scenario=NAME,
            )

        success = Expectation(statuses=(op.contract.success_status,))
        if op.contract.imported is None:
            first = turn.send(case("a new clientToken", body, success))
        else:  # SPEC 7.4: whatever the first answer is, a retry gets it again
            first = turn.send(replace(case("a new clientToken", body, success), intent=Intent.VALID,
                                      expected_statuses=()))  # fmt: skip
            if first.response is not None:
                success = Expectation(statuses=(first.response.status,))
        op.keep(first)
        # the same document in other bytes: members in reverse order, spaced out
        wire = op.json_body(body)
        respelled = json.dumps(dict(reversed(wire.items())), ensure_ascii=False, indent=1).encode()
        after = [
            case("the same clientToken and body again", body, success),
            case("the same clientToken and body again, members in another order and spaced out", respelled, success),
            case("the same clientToken with another body", other, conflict),
            *(case(f"the same clientToken with only {name} changed", changed, conflict) for name, changed in changes),
        ]
        answers = list(turn.send_many(after))
        for result in answers:
            op.keep(result)
        problems = [f for retry in answers[:2] for f in repeat_failures(turn, idem, first, retry)]
        every = [first, *answers]
        reason = problems[0].message if problems else next((f.message for r in every for f in r.failures), "")
        op.record.check_runs[NAME] += 1
        verdict = "fail" if problems or any(r.failed for r in every) else "pass"
        op.record.scenarios.append(ScenarioOutcome(NAME, None, idem.doc, verdict, reason))


def repeat_failures(turn: Turn, idem: Idempotency, first: CaseResult, retry: CaseResult) -> list[Failure]:
    """The idempotency check of ``retry`` against ``first``; its failures are added to the
    retry's result (the request that shows them)."""
    success = turn.op.contract.success_status
    failures = turn.op.checks.run(idempotency, idem, first.response, retry.response, success) or []
    retry.failures.extend(failures)
    return failures
