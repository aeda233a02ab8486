"""Known valid inputs first: the contract's examples (``x-harness.examples``: botocore's, for
an imported contract), each sent as a valid input with a new idempotency token, and for an
imported contract its minimal valid input.  The first of them the target accepts is where an
imported contract's probes start (SPEC 7.5)."""

from __future__ import annotations

from harness.case import Case, Intent
from harness.engine.operation import OperationRun
from harness.engine.phases.base import CasePhase


class Examples(CasePhase):
    label = "examples"

    def cases(self, op: OperationRun) -> list[Case]:
        cases = [
            Case(
                operation=op.id,
                intent=Intent.VALID,
                origin="example",
                description=f"the example {example.title!r}",
                input=op.tokens.fresh(dict(example.input)),
            )
            for example in op.contract.examples
        ]
        if op.contract.imported is not None:
            cases.append(
                Case(
                    operation=op.id,
                    intent=Intent.VALID,
                    origin="boundary",
                    description="the minimal valid input (required members only)",
                    input=op.tokens.fresh(op.minimal_input),
                )
            )
        return cases
