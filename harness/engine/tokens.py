"""Idempotency tokens: a new one for every request, unless the request is about the token.

Tokens come from a generator seeded by the run's seed, its token salt, the process's part of
the run and the operation, so the same run sends the same tokens (a replay finds them in its
cassettes) while two runs, or two workers, never share one by accident: a token reused with
another body would earn a real 409, a false alarm.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from harness.contract import Contract
from harness.pointer import Pointer


class Tokens:
    def __init__(self, contract: Contract, *, seed: str) -> None:
        self.member: Pointer | None = contract.idempotency.token if contract.idempotency is not None else None
        self._rng = random.Random(seed)

    def new(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def fresh(self, body: Any, *, aimed_at: Pointer | None = None) -> Any:
        """``body`` with a new token where it has one, unless ``aimed_at`` (the member a probe
        changes) is the token or inside it."""
        member = self.member
        if member is None or not isinstance(body, dict):
            return body
        if member.get_or(body, _ABSENT) is _ABSENT or (aimed_at is not None and aimed_at.startswith(member)):
            return body
        return member.set(body, self.new())


_ABSENT: Any = object()
