"""Valid bodies for the stateful phases, taken from those the run has already sent.

Idempotency, the provider-state scenarios and the isolation cases need valid bodies whose
fate is known: they are picked, by the seed, from the generated valid stream
(:attr:`OperationRun.valid_bodies`), each with a new idempotency token; a fresh draw only when
the stream is empty.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from harness.contract import Contract
from harness.engine.operation import OperationRun
from harness.generation.values import draw
from harness.pointer import Missing, Pointer

_EMPTY: tuple[Any, ...] = (None, {}, [], "")
_ABSENT: Any = object()


def pick(op: OperationRun, salt: int, *, unlike: Any = None, prefer: Callable[[Any], bool] | None = None) -> Any:
    """A valid body with a new idempotency token, other than ``unlike`` (token aside) where
    the run has one; of those, one that ``prefer`` accepts where there is one."""
    seed_value = op.options.seed * 1009 + salt
    token = op.tokens.member
    # an imported contract's valid inputs may be refused for what no model says: those the
    # target accepted come first
    pool = op.accepted if op.contract.imported is not None and op.accepted else op.valid_bodies
    candidates = random.Random(seed_value).sample(pool, len(pool))
    if not candidates:
        candidates = [draw(op.strategies.body(), seed_value=seed_value)]
    others = [b for b in candidates if _without(b, token) != _without(unlike, token)] or candidates[:1]
    body = next((b for b in others if prefer(b)), others[0]) if prefer is not None else others[0]
    if token is not None and isinstance(body, dict):
        body = token.set(body, op.tokens.new())
    return body


def changed(op: OperationRun, body: Any, pointers: Iterable[Pointer], *, salt: int) -> Any:
    """``body`` with another value at each pointer, taken from another valid body, when the
    result is valid; ``None`` when no valid body offers one."""
    validator = op.contract.request_validator
    for pointer in pointers:
        try:
            current = pointer.get(body)
        except Missing:
            return None  # an optional member this body lacks: nothing to change
        for attempt in range(8):
            donor = pick(op, salt + attempt, unlike=body)
            value = pointer.get_or(donor, _ABSENT)
            if value is _ABSENT:
                continue
            candidate = pointer.set(body, value)
            if value != current and validator.is_valid(candidate):
                body = candidate
                break
        else:
            return None
    return body


def one_member_changed(
    contract: Contract, body: Any, donors: Sequence[Any], *, keep: Pointer
) -> Iterator[tuple[str, Any]]:
    """``body`` with one top-level member (never ``keep``) changed, added or left out, as in
    the first of ``donors`` (valid bodies) that gives a valid result; one per member.  Only
    non-empty values count as a change: whether ``{}`` differs from an absent member is left open."""
    if not isinstance(body, dict):
        return
    donors = [d for d in donors if isinstance(d, dict)]
    names = sorted({name for d in (body, *donors) for name in d} - {keep.parts[0] if keep.parts else ""})
    for name in names:
        member = Pointer((name,))
        for donor in donors:
            mine, theirs = body.get(name), donor.get(name)
            if mine == theirs or (name in body and mine in _EMPTY) or (name in donor and theirs in _EMPTY):
                continue
            candidate = member.set(body, theirs) if name in donor else member.remove(body)
            if contract.request_validator.is_valid(candidate):
                yield name, candidate
                break


def _without(body: Any, member: Pointer | None) -> Any:
    if member is None or not isinstance(body, dict):
        return body
    try:
        return member.remove(body)
    except Missing:
        return body
