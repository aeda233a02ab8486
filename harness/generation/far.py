"""Far past a limit: values orders of magnitude beyond a documented maximum, and numbers past
every machine width.

A target can be right at a boundary (200 tags accepted, 201 refused) and still crash on 2,000:
a check that counts only so far, a buffer sized for the documented maximum, an index of 16
bits.  For each count and length rule the boundary probes also send :func:`far_count` items,
entries or characters (ten times the maximum, and at least 1,000 over it), as long as the body
stays within :data:`BODY_BOUND`.  For a number, the values no fixed width holds
(:data:`PAST_WIDTHS`): 2^63 and 2^64 (past int64 and uint64), 1e309 (past float64's range), a
number of 5,000 digits (Python converts at most 4,300 digits to an int).

Python has no value that its ``json`` writes as ``1e309`` or as 5,000 digits, so such a probe
carries its number as :class:`Literal` JSON text: the probe's body holds :data:`STAND_IN` (a
number on the same side of the rule, which the validator judges in its place) and the body
sent has the literal where the stand-in's digits are (:func:`with_literal`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: The largest request body the far probes make (bytes): within the bound on bodies of the
#: bundled mock (1 MiB) and of most servers' defaults; SPEC sets none.
BODY_BOUND = 1_000_000

#: The largest request head (request line and headers, bytes) an invalid case may have: HTTP
#: servers commonly refuse a longer one (nginx's and Apache's 8 KB) with 400, 414 or 431 before
#: any member is read, and SPEC sets no size for it.  A member bound to the path, the query or a
#: header is probed far past its maximum only as far as this allows; a documented valid value is
#: sent whatever its size (a server that cannot take it is at fault).
HEAD_BOUND = 8 * 1024

#: A number no contract bound comes near and no other value of a body shares: the stand-in of a
#: literal while the body is a JSON value, and the number its digits are replaced in.
STAND_IN = 10**30 + 314159265358979323846


@dataclass(frozen=True)
class Literal:
    """A number written as JSON text, in place of ``stand_in`` (:data:`STAND_IN`, or minus it)."""

    text: str
    stand_in: int


def far_count(maximum: int) -> int:
    """Ten times ``maximum``, and at least 1,000 over it."""
    return max(10 * maximum, maximum + 1000)


def within_bound(count: int, *, per_item: int, rest: int) -> int:
    """``count``, or the most items of ``per_item`` bytes that fit in :data:`BODY_BOUND` beside
    ``rest`` bytes of the body."""
    fits = max(0, (BODY_BOUND - rest) // max(per_item, 1))
    return min(count, fits)


def encoded_size(value: Any) -> int:
    """Bytes of ``value`` as a compact UTF-8 JSON body."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def past_widths(*, negative: bool = False) -> Iterator[tuple[str, int | Literal]]:
    """(label, value) of each number past a machine width; below zero with ``negative``."""
    sign = "-" if negative else ""
    stand_in = -STAND_IN if negative else STAND_IN
    if negative:
        yield "-2^63 - 1 (below int64)", -(2**63) - 1
        yield "-2^64 (below every 64-bit integer)", -(2**64)
    else:
        yield "2^63 (past int64)", 2**63
        yield "2^64 (past uint64)", 2**64
    yield f"{sign}1e309 (past float64's range)", Literal(f"{sign}1e309", stand_in)
    yield (
        f"{sign}a number of 5,000 digits (Python converts at most 4,300)",
        Literal(sign + "9" * 5000, stand_in),
    )


def with_literal(body: bytes, literal: Literal) -> bytes | None:
    """``body`` with the literal's number where the stand-in's digits are; ``None`` when the
    body does not hold the stand-in exactly once (the member is bound outside the body)."""
    digits = str(literal.stand_in).encode()
    if body.count(digits) != 1:
        return None
    return body.replace(digits, literal.text.encode())
