"""Random invalid bodies: a valid body with random mutations, kept only when invalid.

The valid bodies mutated are ones the run already has (the boundary probes' and the
generated valid stream's), sampled rather than drawn afresh: drawing a whole valid body
per invalid case was most of a run's time, and the mutation, not the body under it, is
what makes the case.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from harness.contract import Contract
from harness.generation.values import ANY_CHARACTER

_JUNK = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(ANY_CHARACTER, max_size=300),
    st.lists(st.text(ANY_CHARACTER, max_size=5), max_size=3),
    st.dictionaries(st.text(ANY_CHARACTER, max_size=5), st.text(ANY_CHARACTER, max_size=5), max_size=3),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            out += _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value[:3]):
            out += _paths(sub, (*prefix, index))
    return out


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    """A valid body with one to three random edits: a value replaced, a member removed or
    added, a string stretched or cut, an array emptied or grown."""
    body = copy.deepcopy(draw(valid))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(body)
        path = draw(st.sampled_from(paths))
        if not path:
            body = draw(_JUNK) if draw(st.booleans()) else body
            continue
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        current = parent[key]
        edit = draw(st.sampled_from(["replace", "remove", "stretch", "cut", "add", "grow"]))
        if edit == "replace":
            parent[key] = draw(_JUNK)
        elif edit == "remove" and isinstance(parent, dict):
            del parent[key]
        elif edit == "stretch" and isinstance(current, str):
            parent[key] = current + draw(st.text(ANY_CHARACTER, min_size=1, max_size=300))
        elif edit == "cut" and isinstance(current, str) and current:
            parent[key] = current[: draw(st.integers(0, len(current) - 1))]
        elif edit == "add" and isinstance(current, dict):
            current[draw(st.text(ANY_CHARACTER, max_size=10))] = draw(_JUNK)
        elif edit == "grow" and isinstance(current, list) and current:
            current.extend([current[0]] * draw(st.integers(1, 120)))
        elif edit == "grow" and isinstance(current, list):
            current.append(draw(_JUNK))
    return body


def invalid_bodies(contract: Contract, bases: Sequence[Any]) -> st.SearchStrategy[Any]:
    """Mutations of ``bases`` (valid bodies; the first is where shrinking heads) that the
    contract's validator rejects."""
    if not bases:
        raise ValueError("invalid_bodies needs at least one valid body to mutate")
    validator = contract.request_validator
    return mutated(st.sampled_from(list(bases))).filter(lambda body: not validator.is_valid(body))
