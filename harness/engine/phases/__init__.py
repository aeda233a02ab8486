"""The phases of one operation's run, in the order they run (:mod:`.base` says what a phase is).

1. :mod:`.examples`: the contract's known valid inputs;
2. :mod:`.probes`: both sides of every rule, near misses of every pattern, wire and signature
   cases; :mod:`.generated`: generated valid bodies, then random invalid ones, a failure shrunk.
   For an imported contract the valid bodies go first, so that the probes start from an input
   the target accepted (SPEC 7.5);
3. :mod:`.idempotency`: retries and conflicts of an idempotency token (stateful);
4. :mod:`.scenarios`: the contract's provider-state scenarios (stateful);
5. :mod:`.isolation`: this operation while another operation's state is set (stateful).
"""

from __future__ import annotations

from harness.case import Intent
from harness.contract import Contract
from harness.engine.phases.base import ActingPhase, CasePhase, Phase, Turn
from harness.engine.phases.examples import Examples
from harness.engine.phases.generated import Generated
from harness.engine.phases.idempotency import IdempotencyPhase
from harness.engine.phases.isolation import Isolation
from harness.engine.phases.probes import Probes
from harness.engine.phases.scenarios import Scenarios


def every_phase(contract: Contract | None = None) -> tuple[Phase, ...]:
    """The phases of ``contract``'s operation, in order (a curated contract's by default)."""
    valid, invalid = Generated(Intent.VALID), Generated(Intent.INVALID)
    stateless: tuple[Phase, ...] = (Examples(), Probes(), valid, invalid)
    if contract is not None and contract.imported is not None:
        stateless = (Examples(), valid, Probes(), invalid)
    return (*stateless, IdempotencyPhase(), Scenarios(), Isolation())


__all__ = ["ActingPhase", "CasePhase", "Phase", "Turn", "every_phase"]
