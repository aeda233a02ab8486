"""The harness catches every faulty variant of the mock, and passes what SPEC allows (issue 4, item 7).

Each variant (``tests/faults/variants.py``) is the reference mock with one realistic bug, built
from the outside: an edited contract copy, another regex dialect, a handler subclass, a
clock, or a middleware.  A run of the harness against it, with provider states, must be
nonconformant and name the failure the bug causes (the check, and the rule when one is at
stake).  Controls behave in ways SPEC section 3 allows; a failure reported against one is a
false alarm.  Variants the harness once missed keep a witness, a request that shows the bug
is real, tried here on the correct mock and on the variant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from operator import attrgetter
from typing import Any

import pytest
from faults import (
    CAUGHT,
    CONTROLS,
    VARIANTS,
    Loopback,
    Variant,
    failure_groups,
    loopback,
    reported,
    run_against,
    served,
)
from faults.building import correct

SEED = 7
MAX_EXAMPLES = 5

by_id = attrgetter("id")


@pytest.fixture(scope="module")
def server() -> Iterator[Loopback]:
    """One loopback server; each test puts its variant on stage."""
    with loopback() as shared:
        yield shared


def reported_failures(document: dict[str, Any]) -> str:
    found = sorted({f"{g['check']}[{g['rule']}]: {g['message'][:120]}" for g in failure_groups(document)})
    return "\n  ".join(found) or "(none)"


def assert_caught(variant: Variant, server: Loopback) -> None:
    document = run_against(variant, seed=SEED, max_examples=MAX_EXAMPLES, on=server)
    expected = " or ".join(str(f) for f in variant.caught_by)
    assert document["verdict"] == "nonconformant", f"{variant.bug}: the run was conformant (expected {expected})"
    assert any(reported(document, finding) for finding in variant.caught_by), (
        f"{variant.bug}: expected {expected}; reported instead:\n  {reported_failures(document)}"
    )


@pytest.mark.parametrize("variant", CAUGHT, ids=by_id)
def test_the_harness_reports_the_bug(variant: Variant, server: Loopback) -> None:
    assert_caught(variant, server)


@pytest.mark.parametrize("variant", CONTROLS, ids=by_id)
def test_behaviour_spec_allows_is_not_reported(variant: Variant, server: Loopback) -> None:
    document = run_against(variant, seed=SEED, max_examples=MAX_EXAMPLES, on=server)
    assert document["verdict"] == "conformant", f"{variant.bug}: false alarm:\n  {reported_failures(document)}"
    if variant.warning is not None:
        warned = {group["check"] for group in failure_groups(document, severity="warnings")}
        assert variant.warning in warned, f"{variant.bug}: expected a {variant.warning} warning, got {warned}"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.witness is not None], ids=by_id)
def test_each_witnessed_bug_is_real(variant: Variant, server: Loopback) -> None:
    """The request that shows the bug gets one answer from the correct mock, another from the variant."""
    witness = variant.witness
    assert witness is not None
    with served(correct(), on=server) as reference:
        assert witness.send(reference) == witness.correct
    with served(variant.build, on=server) as faulty:
        assert witness.send(faulty) == witness.faulty


def test_the_catalogue_spans_many_classes_of_bug() -> None:
    assert len(CAUGHT) >= 30
    assert len(Counter(v.bug_class for v in CAUGHT)) >= 10
    assert len({v.id for v in VARIANTS}) == len(VARIANTS), "variant ids are unique"
    assert all(v.bug and v.build for v in VARIANTS)
