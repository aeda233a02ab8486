"""The deterministic cases: both sides of every rule and the near misses of every pattern
(:mod:`harness.generation.boundaries`), then the wire and signature cases
(:mod:`harness.generation.wire`; the body cases only for an operation whose body is JSON).
Each request gets a new idempotency token, unless the probe is about the token."""

from __future__ import annotations

from typing import Any

from harness.aws import error_name
from harness.binding import Unsendable, bind
from harness.case import Case, Intent
from harness.checks import accepted_start
from harness.engine.exchange import wire_parts
from harness.engine.operation import OperationRun
from harness.engine.phases.base import CasePhase
from harness.generation.boundaries import Probe
from harness.generation.far import HEAD_BOUND, with_literal
from harness.generation.wire import (
    escaped_cases,
    malformed_cases,
    media_type_cases,
    null_member_cases,
    parser_limit_cases,
    signature_cases,
)
from harness.result import CaseResult


def _probe_case(op: OperationRun, probe: Probe) -> Case | None:
    """The case of ``probe``; one whose number is JSON text (:class:`~harness.generation.far.Literal`)
    sends its body with that text (``None`` when the number is not in the body)."""
    operation_input = op.tokens.fresh(probe.body, aimed_at=probe.target)
    body = None
    if probe.literal is not None:
        if not op.binding.sends_json:
            return None
        body = with_literal(Case.encode(op.json_body(operation_input)), probe.literal)
        if body is None:
            return None
    case = Case(
        operation=op.id,
        intent=probe.intent,
        origin=probe.origin,
        description=probe.description,
        input=operation_input,
        body=body,
        rule=probe.rule,
        expected_statuses=(400,) if probe.intent is Intent.INVALID else (),
    )
    if probe.intent is Intent.INVALID and not op.binding.plan.simple and head_size(op, case) > HEAD_BOUND:
        return None  # refused before any member is read, whatever the member (far.HEAD_BOUND)
    return case


def head_size(op: OperationRun, case: Case) -> int:
    """Bytes of the request line and headers ``case`` is sent with, signing aside."""
    operation_input, body = wire_parts(case)
    try:
        bound = bind(op.binding, operation_input, body=body, content_type=case.content_type)
    except Unsendable:
        return 0  # not sent at all (the engine leaves it out)
    return len(bound.path) + sum(len(k) + len(v) + 4 for k, v in bound.headers.items())  # path: query included


def _required_in_body(op: OperationRun, valid_input: Any, valid_body: dict[str, Any]) -> list[str]:
    """The members of the JSON body that the input requires, by their names in the body."""
    required = op.contract.request_schema().get("required", ())
    if not isinstance(valid_input, dict):
        return []
    names = []
    for member in required:
        if member in valid_input and op.binding.in_body(member):
            rest = op.json_body({k: v for k, v in valid_input.items() if k != member})
            names += [name for name in valid_body if not isinstance(rest, dict) or name not in rest]
    return list(dict.fromkeys(names))


class Probes(CasePhase):
    label = "boundaries, near misses, wire and signatures"

    def needs_answers(self, op: OperationRun) -> bool:
        return op.contract.imported is not None  # they start from an input the target accepted (SPEC 7.5)

    def prepare(self, op: OperationRun) -> None:
        op.small_valid_probes  # noqa: B018 - computed here, read by the random-invalid phase

    def cases(self, op: OperationRun) -> list[Case]:
        contract, binding = op.contract, op.binding
        fresh = op.tokens.fresh
        probes = op.probes
        valid_input = op.minimal_body
        invalid_input: Any = next((p.body for p in probes if p.intent is Intent.INVALID), {})
        cases = [case for probe in probes if (case := _probe_case(op, probe)) is not None]
        media_type = binding.protocol.media_type
        if binding.sends_json:
            cases += malformed_cases(contract.id, valid_input, media_type)  # its body is the case
            valid_body = op.json_body(valid_input)
            if isinstance(valid_body, dict):
                required = _required_in_body(op, valid_input, valid_body)
                cases += parser_limit_cases(contract.id, valid_input, valid_body, required, media_type)
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
