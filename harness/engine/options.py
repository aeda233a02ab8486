"""What a run is told: its settings (:class:`RunOptions`) and whom it tells (:class:`Listener`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from harness.aws import SigningKey
from harness.result import CaseResult

#: "also": the stateless phases, then the stateful ones (idempotency, provider states; shard 0
#: only); "never": the stateless phases only; "only": the stateful phases only, with the bodies a
#: single process would have drawn.  ``--workers`` runs its shards "never", then one process
#: "only": no state is set while a worker's cases are answered.
Stateful = Literal["also", "never", "only"]


@dataclass(frozen=True)
class RunOptions:
    base_url: str
    key: SigningKey
    provider_states: str | None = None
    seed: int = 0
    max_examples: int = 100
    target_label: str = ""
    shard_index: int = 0  # this part of a split run: the cases (or operations) whose index % shard_count is this
    shard_count: int = 1
    shard_by: Literal["case", "operation"] = "case"  # what the parts of a split run divide
    example_db: str | None = None  # a directory or redis:// URL shared by workers (Hypothesis' example database)
    token_salt: str = ""  # mixed into idempotency tokens; a live run draws one, a replay reuses the recorded one
    stateful: Stateful = "also"
    concurrency: int = 1  # independent cases in flight at once
    max_duration: float | None = None  # seconds: once spent, no new case is sent


@dataclass
class Listener:
    """Callbacks the engine calls as it goes; all optional."""

    on_phase: Callable[[str, str, int], None] = lambda operation, phase, total: None
    on_result: Callable[[CaseResult], None] = lambda result: None
