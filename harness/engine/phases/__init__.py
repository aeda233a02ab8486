"""The phases of one operation's run, in the order they run (:mod:`.base` says what a phase is).

1. :mod:`.probes`: both sides of every rule, near misses of every pattern, wire and signature cases;
2. :mod:`.generated`: generated valid bodies, then random invalid ones, a failure shrunk;
3. :mod:`.idempotency`: retries and conflicts of an idempotency token (stateful);
4. :mod:`.scenarios`: the contract's provider-state scenarios (stateful);
5. :mod:`.isolation`: this operation while another operation's state is set (stateful).
"""

from __future__ import annotations

from harness.case import Intent
from harness.engine.phases.base import ActingPhase, CasePhase, Phase, Turn
from harness.engine.phases.generated import Generated
from harness.engine.phases.idempotency import IdempotencyPhase
from harness.engine.phases.isolation import Isolation
from harness.engine.phases.probes import Probes
from harness.engine.phases.scenarios import Scenarios


def every_phase() -> tuple[Phase, ...]:
    """The phases of an operation, in order."""
    return (Probes(), Generated(Intent.VALID), Generated(Intent.INVALID), IdempotencyPhase(), Scenarios(), Isolation())


__all__ = ["ActingPhase", "CasePhase", "Phase", "Turn", "every_phase"]
