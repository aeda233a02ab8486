"""The deterministic cases: both sides of every rule and the near misses of every pattern
(:mod:`harness.generation.boundaries`), then the wire and signature cases
(:mod:`harness.generation.wire`).  Each request gets a new idempotency token, unless the
probe is about the token."""

from __future__ import annotations

from typing import Any

from harness.case import Case, Intent
from harness.engine.operation import OperationRun
from harness.engine.phases.base import CasePhase
from harness.generation.wire import (
    escaped_cases,
    malformed_cases,
    media_type_cases,
    null_member_cases,
    signature_cases,
)


class Probes(CasePhase):
    label = "boundaries, near misses, wire and signatures"

    def prepare(self, op: OperationRun) -> None:
        op.small_valid_probes  # noqa: B018 - computed here, read by the random-invalid phase

    def cases(self, op: OperationRun) -> list[Case]:
        contract = op.contract
        fresh = op.tokens.fresh
        probes = op.probes
        valid_body = op.minimal_body
        invalid_body: Any = next((p.body for p in probes if p.intent is Intent.INVALID), {})
        cases = [
            Case(
                operation=contract.id,
                intent=probe.intent,
                origin=probe.origin,
                description=probe.description,
                body=Case.encode(fresh(probe.body, aimed_at=probe.target)),
                rule=probe.rule,
                expected_statuses=(400,) if probe.intent is Intent.INVALID else (),
            )
            for probe in probes
        ]
        cases += malformed_cases(contract.id)
        schema = contract.request_schema()
        optional = [name for name in schema.get("properties", {}) if name not in schema.get("required", ())]
        if isinstance(valid_body, dict):
            cases += null_member_cases(contract.id, fresh(valid_body), optional)
        cases += media_type_cases(contract.id, fresh(valid_body))
        non_ascii = next((body for body, wire in op.small_valid_probes if not wire.isascii()), None)
        to_escape = [valid_body] if non_ascii is None else [valid_body, non_ascii]
        cases += escaped_cases(contract.id, [fresh(body) for body in to_escape])
        cases += signature_cases(contract.id, fresh(valid_body), invalid_body)
        return cases
