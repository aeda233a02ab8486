"""The deterministic cases: both sides of every rule and the near misses of every pattern
(:mod:`harness.generation.boundaries`), then the wire and signature cases
(:mod:`harness.generation.wire`; the body cases only for an operation whose body is JSON).
Each request gets a new idempotency token, unless the probe is about the token."""

from __future__ import annotations

from typing import Any

from harness.aws import error_name
from harness.case import Case, Intent
from harness.checks import accepted_start
from harness.engine.operation import OperationRun
from harness.engine.phases.base import CasePhase
from harness.generation.wire import (
    escaped_cases,
    malformed_cases,
    media_type_cases,
    null_member_cases,
    signature_cases,
)
from harness.result import CaseResult


class Probes(CasePhase):
    label = "boundaries, near misses, wire and signatures"

    def prepare(self, op: OperationRun) -> None:
        op.small_valid_probes  # noqa: B018 - computed here, read by the random-invalid phase

    def cases(self, op: OperationRun) -> list[Case]:
        contract, binding = op.contract, op.binding
        fresh = op.tokens.fresh
        probes = op.probes
        valid_input = op.minimal_body
        invalid_input: Any = next((p.body for p in probes if p.intent is Intent.INVALID), {})
        cases = [
            Case(
                operation=contract.id,
                intent=probe.intent,
                origin=probe.origin,
                description=probe.description,
                input=fresh(probe.body, aimed_at=probe.target),
                rule=probe.rule,
                expected_statuses=(400,) if probe.intent is Intent.INVALID else (),
            )
            for probe in probes
        ]
        media_type = binding.protocol.media_type
        if binding.sends_json:
            cases += malformed_cases(contract.id, valid_input, media_type)  # its body is the case
            schema = contract.request_schema()
            optional = [
                name
                for name in schema.get("properties", {})
                if name not in schema.get("required", ()) and binding.in_body(name)
            ]
            if isinstance(valid_input, dict):
                cases += null_member_cases(contract.id, fresh(valid_input), optional)
            cases += media_type_cases(contract.id, fresh(valid_input), media_type)
            non_ascii = next((body for body, wire in op.small_valid_probes if not wire.isascii()), None)
            to_escape = [valid_input] if non_ascii is None else [valid_input, non_ascii]
            escaped = [fresh(body) for body in to_escape]
            cases += escaped_cases(contract.id, [(body, op.json_body(body)) for body in escaped])
        if contract.auth == "sigv4":  # an operation the model marks unsigned (or signed otherwise): no tricks
            cases += signature_cases(contract.id, fresh(valid_input), invalid_input)
        return cases

    def judged(self, op: OperationRun, result: CaseResult) -> CaseResult:
        """An invalid probe of an imported contract says when it did not start from an accepted
        input, or got the answer its accepted start got when the first probe sent it again (a
        name it creates is taken now: the refusal is owed to that, not to the probe's rule)."""
        started = op.accepted_start
        case = result.case
        if started and op.start_again is None and case.rule is None and case.description == op.probes[0].description:
            op.start_again = _answer(result)  # the first probe: the accepted start, again
        if started is not None and case.intent is Intent.INVALID and case.origin in ("boundary", "near-miss"):
            again = op.start_again
            refused = again is not None and again[0] != op.contract.success_status and _answer(result) == again
            found = op.checks.run(accepted_start, started, refused_again=_text(again) if refused else None)
            if found:
                result.failures.extend(found)
            if found is not None:
                result.checks += (accepted_start.name,)
        return result


def _answer(result: CaseResult) -> tuple[int, str | None] | None:
    """The status and the error name of ``result``'s answer (``None``: no answer)."""
    response = result.response
    return None if response is None else (response.status, error_name(response.headers, response.body))


def _text(answer: tuple[int, str | None] | None) -> str:
    return "no answer" if answer is None else f"{answer[0]} {answer[1] or 'naming no error'}"
